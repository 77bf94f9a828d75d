#!/usr/bin/env bash
# Per request on the emulator's realistic profile (model loads and inference times of public Snapdragon
# measurements, waited for; EmulatedTiming.REALISTIC): the seed's flow (compare.sh, seed side only)
# against the SDK over ADB, the SDK on the device with qnn-net-run and genie-t2t-run per request, and
# the SDK on the device with both engines in process (OnDeviceModes). One 1024x1024 photo-like PNG,
# a 64-token answer. Prints each mode's median time to the first answer token and whole request, and
# the seed flow's over each. A simulation of a phone on this machine, not a phone.
#
#   ./mvnw -B -q -pl examples,fastvlm-bench -am package -DskipTests
#   fastvlm-bench/seed-flow/on-device-modes.sh            # RUNS=5 WIDTH=112 by default
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
runs=${RUNS:-5}
width=${WIDTH:-112}
tokens=64
prompt="Describe this image in one sentence, naming every colour you see, where each colour is in the picture, how much of the picture it covers, which colour stands out most, and what the whole picture could show to a person who looks at it for the first time."
jar=$repo/fastvlm-bench/target/benchmarks.jar
[ -f "$jar" ] || { echo "build first: ./mvnw -B -q -pl examples,fastvlm-bench -am package -DskipTests" >&2; exit 2; }

work=$(mktemp -d /tmp/fastvlm-on-device-modes.XXXXXX)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$work/photo-1024.png" <<'PY'
import sys, numpy as np
from PIL import Image
rng = np.random.default_rng(1)
y, x = np.mgrid[0:1024, 0:1024].astype(np.float32)
base = np.stack([128 + 100 * np.sin(x / 97.0 + y / 151.0), 128 + 90 * np.cos(y / 83.0),
                 128 + 80 * np.sin((x + y) / 211.0)], axis=-1)
Image.fromarray(np.clip(base + rng.normal(0, 12, size=(1024, 1024, 3)), 0, 255).astype(np.uint8), "RGB").save(sys.argv[1])
PY

SIDES=seed IMAGE="$work/photo-1024.png" REALISTIC=1 MAX_TOKENS=$tokens RUNS=$runs WIDTH=$width PROMPT="$prompt" \
  "$here/compare.sh" | tee "$work/seed.log"
(cd "$repo" && java -cp "$jar" dev.fastvlm.bench.OnDeviceModes "$work/photo-1024.png" "$runs" "$width" "$tokens" \
  "$prompt") 2>"$work/modes.err" | tee "$work/modes.log" || { cat "$work/modes.err" >&2; exit 1; }

read -r _ seed_ttft seed_total _ < <(grep '^seed-flow ' "$work/seed.log")
echo
printf '%-44s %9s %11s %8s %10s %13s\n' mode "TTFT ms" "request ms" tokens "seed/TTFT" "seed/request"
printf '%-44s %9s %11s %8s %10s %13s\n' "seed flow (bash, adb, Python, node)" "$seed_ttft" "$seed_total" \
  "$tokens max" 1.00x 1.00x
while read -r mode ttft total generated _; do
  case $mode in
    adb) label="SDK over ADB, programs per request" ;;
    local-process) label="SDK on the device, programs per request" ;;
    in-process) label="SDK on the device, both engines in process" ;;
    *) continue ;;
  esac
  printf '%-44s %9s %11s %8s %10s %13s\n' "$label" "$ttft" "$total" "${generated#tokens=}" \
    "$(awk -v s="$seed_ttft" -v m="$ttft" 'BEGIN {printf "%.2fx", s / m}')" \
    "$(awk -v s="$seed_total" -v m="$total" 'BEGIN {printf "%.2fx", s / m}')"
done <"$work/modes.log"
echo "medians of $runs runs after one warm-up each; width $width; $tokens-token answers; realistic profile"
