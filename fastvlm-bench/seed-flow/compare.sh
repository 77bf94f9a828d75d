#!/usr/bin/env bash
# The seed's own flow (/work/shared/seed/fastvlm-npu-e2e-flow.md: bash, Debian's adb, Python PIL and
# numpy, everything pushed on every run) against one `fastvlm describe --device SERIAL` per run, on
# the same emulated phone, for a 1024x1024 PNG and a 12 MP JPEG. Prints each run's wall time, the
# medians and the ratio. The fixes the seed flow needs to run at all are listed in
# fastvlm-bench/README.md ("The seed flow against the one-shot CLI").
#
#   ./mvnw -B -q -pl examples -am package -DskipTests        # examples/target/fastvlm.jar
#   fastvlm-bench/seed-flow/compare.sh                        # RUNS=5 WIDTH=112 by default
#
# Environment: RUNS (measured runs per side and image, after one warm-up run each), WIDTH (the
# emulated bundle's width: 112 as the CLI's demo, 896 for FastVLM's real file sizes), CDS=0 runs the
# CLI with plain `java -jar` instead of the examples/fastvlm launcher, CLI_JAVA_OPTS (extra JVM
# options for the CLI), KEEP=1 keeps the work folder. For seed-flow/on-device-modes.sh: SIDES (default
# "seed cli"), IMAGE (one existing image instead of the two made here), REALISTIC=1 (the emulator's
# realistic timing: model loads and inference times waited for), MAX_TOKENS (max-num-tokens in the
# seed's dialog config, so that it generates as many tokens as the other modes), PROMPT; the seed
# flow's time to its first answer token is printed too.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
runs=${RUNS:-5}
width=${WIDTH:-112}
jar=$repo/examples/target/fastvlm.jar
prompt=${PROMPT:-"Describe this image in one sentence."}
sides=${SIDES:-seed cli}
if [ ! -f "$jar" ]; then
  echo "build the CLI first: ./mvnw -B -q -pl examples -am package -DskipTests" >&2
  exit 2
fi
for tool in adb node npm /usr/bin/python3 java; do
  command -v "$tool" >/dev/null || { echo "compare.sh needs $tool" >&2; exit 2; }
done
/usr/bin/python3 -c 'import PIL, numpy' || { echo "compare.sh needs python3-pil and python3-numpy" >&2; exit 2; }

work=$(mktemp -d /tmp/fastvlm-seed-compare.XXXXXX)
adb_home=$work/home
mkdir -p "$adb_home"
adb_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
private_env=(HOME="$adb_home" ANDROID_USER_HOME="$adb_home/.android" ANDROID_ADB_SERVER_PORT="$adb_port")
private() { env "${private_env[@]}" "$@"; }
emulator_pid=
cleanup() {
  if [ -n "$emulator_pid" ]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  private adb kill-server >/dev/null 2>&1 || true
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The seed's step 3 runs HuggingFace's tokenizer; transformers.js is its JavaScript port (npm; its
# install scripts only fetch ONNX Runtime, which tokenizing does not use).
if [ ! -d "$here/node_modules/@huggingface/transformers" ]; then
  (cd "$here" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
fi

# A private adb server first (it writes its key to $adb_home/.android), then the emulator with the
# same home, so an emulator that accepts only that home's key lets it in.
private adb start-server >/dev/null 2>&1
realistic=()
[ "${REALISTIC:-0}" = 1 ] && realistic=(--realistic-timing)
env "${private_env[@]}" java -Duser.home="$adb_home" -jar "$jar" emulator --port 0 --sandbox "$work/sandbox" "${realistic[@]}" \
  >"$work/emulator.out" 2>"$work/emulator.err" &
emulator_pid=$!
for _ in $(seq 300); do
  serial=$(head -n 1 "$work/emulator.out" 2>/dev/null || true)
  [[ $serial =~ ^127\.0\.0\.1:[0-9]+$ ]] && break
  kill -0 "$emulator_pid" 2>/dev/null || { cat "$work/emulator.err" >&2; exit 1; }
  sleep 0.1
done
[[ $serial =~ ^127\.0\.0\.1:[0-9]+$ ]] || { echo "the emulator printed no serial" >&2; exit 1; }
private adb connect "$serial" >/dev/null
for _ in $(seq 100); do
  [ "$(private adb -s "$serial" get-state 2>/dev/null || true)" = device ] && break
  sleep 0.1
done
[ "$(private adb -s "$serial" get-state 2>/dev/null || true)" = device ] || { echo "adb could not attach $serial" >&2; exit 1; }
adb=(env "${private_env[@]}" adb -s "$serial")

java -jar "$jar" emulator bundle --out "$work/bundle" --width "$width" >/dev/null
java -jar "$jar" emulator sdk --out "$work/sdk" >/dev/null
bundle=$work/bundle
sdk=$work/sdk

# The two images: a photo-like 1024x1024 PNG and a 12 MP (4000x3000) JPEG (or the one IMAGE given).
images=("$work/photo-1024.png" "$work/photo-12mp.jpg")
[ -n "${IMAGE:-}" ] && images=("$IMAGE")
/usr/bin/python3 - "$work" <<'PY'
import sys, numpy as np
from PIL import Image
out = sys.argv[1]
def photo(w, h, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack([128 + 100 * np.sin(x / 97.0 + y / 151.0), 128 + 90 * np.cos(y / 83.0),
                     128 + 80 * np.sin((x + y) / 211.0)], axis=-1)
    noise = rng.normal(0, 12, size=(h, w, 3))
    return Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8), "RGB")
photo(1024, 1024, 1).save(f"{out}/photo-1024.png")
photo(4000, 3000, 2).save(f"{out}/photo-12mp.jpg", quality=90)
PY

D=/data/local/tmp/fastvlm-seed
sdk_bin=$sdk/bin/aarch64-android
sdk_lib=$sdk/lib/aarch64-android
skel=$sdk/lib/hexagon-v79/unsigned/libQnnHtpV79Skel.so

# A device command of the seed flow; its output goes to the run's log, shown when it fails.
device_shell() {
  "${adb[@]}" shell "$1" >>"$w/device.log" 2>&1 || { echo "failed on the device: $1" >&2; cat "$w/device.log" >&2; return 1; }
}

# Runs "$@" and adds its wall time to the run's device-program total (where the time goes).
program() {
  local started
  started=$(now)
  "$@"
  echo $(( ($(now) - started) / 1000000 )) >>"$w/programs.ms"
}

now() { date +%s%N; }

# Copies the decoder's output into $1 and writes the time its first answer piece arrived into $2.
first_token() {
  /usr/bin/python3 -u -c '
import os, sys, time
out, first, seen, buf = open(sys.argv[1], "wb"), sys.argv[2], False, b""
while True:
    chunk = os.read(0, 65536)
    if not chunk:
        break
    out.write(chunk)
    # the marker and the first answer piece may come in one chunk with the whole answer
    window = buf + chunk
    at = window.find(b"[BEGIN]: ")
    if not seen and at >= 0 and len(window) > at + len(b"[BEGIN]: "):
        seen = True
        open(first, "w").write(str(time.time_ns()))
    buf = window[-64:]
' "$1" "$2"
}

# One run of the seed flow, steps 2 to 10, as the seed document writes them.
seed_flow() {
  local image=$1 run=$2
  local w=$work/seed-$run
  mkdir -p "$w"
  # Step 2: image input (PIL bicubic to 1024x1024, raw uint8 for the INT8 vision encoder).
  /usr/bin/python3 - "$image" "$w/pixel_values.raw" <<'PY'
import sys
from PIL import Image
import numpy as np
img = Image.open(sys.argv[1]).convert("RGB")
img = img.resize((1024, 1024), Image.BICUBIC)
arr = np.asarray(img, dtype=np.uint8)
arr.tofile(sys.argv[2])
PY
  # Step 3: text input (chat template, padded to cache_len 512 with the pad id).
  node "$here/tokenize.mjs" "$bundle" "$prompt" 512 151643 "$w/input_ids.raw" "$w/meta.json"
  # Fix: the input lists the seed names (DEVICE_VISION_LIST, DEVICE_EMBED_LIST) but never writes.
  echo "$D/inputs/vision/pixel_values.raw" >"$w/vision_input_list.txt"
  echo "$D/inputs/embed/input_ids.raw" >"$w/embed_input_list.txt"
  # Step 4: push everything.
  device_shell "mkdir -p $D/inputs/vision $D/inputs/embed"
  "${adb[@]}" push "$sdk_bin/genie-t2t-run" "$D/" >/dev/null
  "${adb[@]}" push "$sdk_bin/qnn-net-run" "$D/" >/dev/null
  "${adb[@]}" push "$sdk_lib/libQnnHtp.so" "$D/" >/dev/null
  "${adb[@]}" push "$skel" "$D/" >/dev/null
  "${adb[@]}" push "$sdk_lib/libGenie.so" "$D/" >/dev/null
  # Fix: the libraries the tools load that the seed does not push.
  "${adb[@]}" push "$sdk_lib/libQnnHtpV79Stub.so" "$D/" >/dev/null
  "${adb[@]}" push "$sdk_lib/libQnnSystem.so" "$D/" >/dev/null
  "${adb[@]}" push "$sdk_lib/libQnnGenAiTransformer.so" "$D/" >/dev/null
  "${adb[@]}" push "$bundle/fastvlm_vision_encoder_int8_htp.bin" "$D/" >/dev/null
  "${adb[@]}" push "$bundle/fastvlm_embed_tokens_fp16_htp.bin" "$D/" >/dev/null
  "${adb[@]}" push "$bundle/fastvlm_model_z8.bin" "$D/" >/dev/null
  "${adb[@]}" push "$bundle/tokenizer.json" "$D/" >/dev/null
  "${adb[@]}" push "$bundle/LUT.bin" "$D/" >/dev/null
  "${adb[@]}" push "$w/pixel_values.raw" "$D/inputs/vision/" >/dev/null
  "${adb[@]}" push "$w/input_ids.raw" "$D/inputs/embed/" >/dev/null
  "${adb[@]}" push "$w/vision_input_list.txt" "$w/embed_input_list.txt" "$D/inputs/" >/dev/null
  local envs="export ADSP_LIBRARY_PATH=\"$D;/vendor/dsp/cdsp\"; export LD_LIBRARY_PATH=\"$D:/vendor/lib64\""
  # Step 5: vision encoder (fix: the context binary under the name step 4 pushed, with _htp).
  program device_shell "cd $D && $envs && ./qnn-net-run --backend libQnnHtp.so \
    --retrieve_context fastvlm_vision_encoder_int8_htp.bin --input_list $D/inputs/vision_input_list.txt \
    --use_native_input_files --use_native_output_files --output_dir outputs/vision --num_inferences 1"
  # Step 6: text embedder (fix: without --use_native_output_files, so that its float16 output is
  # written as the float32 output_0.raw that step 7 reads, not as output_0_native.raw).
  program device_shell "cd $D && $envs && ./qnn-net-run --backend libQnnHtp.so \
    --retrieve_context fastvlm_embed_tokens_fp16_htp.bin --input_list $D/inputs/embed_input_list.txt \
    --use_native_input_files --output_dir outputs/embed --num_inferences 1"
  # Step 7: pull, dequantize with the context binary's quantization, concatenate (vision first).
  "${adb[@]}" pull "$D/outputs/vision/Result_0/image_features_native.raw" "$w/" >/dev/null
  "${adb[@]}" pull "$D/outputs/embed/Result_0/output_0.raw" "$w/" >/dev/null
  # Step 8 in the same Python: the Genie dialog config.
  /usr/bin/python3 - "$w" "$bundle/fastvlm_vision_encoder_int8_htp.json" "$width" "$D" <<'PY'
import json, os, sys
from pathlib import Path
import numpy as np
w, ctx_info, width, device_dir = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
ctx = json.loads(ctx_info.read_text())
out = ctx["info"]["graphs"][0]["info"]["graphOutputs"][0]["info"]
scale = out["quantizeParams"]["scaleOffset"]["scale"]
offset = out["quantizeParams"]["scaleOffset"]["offset"]
dims = out["dimensions"]
vision_u8 = np.fromfile(w / "image_features_native.raw", dtype=np.uint8).reshape(dims)
vision_f = (vision_u8.astype(np.float32) + float(offset)) * float(scale)
embed = np.fromfile(w / "output_0.raw", dtype=np.float32).reshape(1, 512, width)
meta = json.loads((w / "meta.json").read_text())
num_text = len(meta["token_ids"])
text_embeds = embed[:, :num_text, :]
combined = np.concatenate([vision_f, text_embeds], axis=1).astype(np.float32)
combined.tofile(w / "combined_embeddings.raw")
config = {"dialog": {
    "version": 1, "type": "basic",
    "embedding": {"version": 1, "size": width, "datatype": "float32"},
    "context": {"version": 1, "size": 512, "n-vocab": 151936, "bos-token": 151644, "eos-token": 151645,
                "pad-token": 151643},
    "sampler": {"version": 1, "seed": 42, "temp": 0.8, "top-k": 40, "top-p": 0.95, "greedy": False},
    "tokenizer": {"version": 1, "path": f"{device_dir}/tokenizer.json"},
    "engine": {"version": 1, "n-threads": 6,
               "backend": {"version": 1, "type": "QnnGenAiTransformer",
                           "QnnGenAiTransformer": {"version": 1, "model-input": "embeddings", "use-mmap": True,
                                                   "n-layer": 24, "n-embd": width, "n-heads": 14,
                                                   "n-kv-heads": 2}},
               "model": {"version": 1, "type": "library",
                         "library": {"version": 1, "model-bin": f"{device_dir}/fastvlm_model_z8.bin"}}}}}
if os.environ.get("MAX_TOKENS"):
    config["dialog"]["max-num-tokens"] = int(os.environ["MAX_TOKENS"])
(w / "genie_config.json").write_text(json.dumps(config, indent=2))
PY
  "${adb[@]}" push "$w/combined_embeddings.raw" "$w/genie_config.json" "$D/" >/dev/null
  # Step 9: the decoder (fix: a profile file per run, as genie-t2t-run refuses to overwrite one).
  program "${adb[@]}" shell "cd $D && $envs && ./genie-t2t-run --config $D/genie_config.json \
    --embedding_file $D/combined_embeddings.raw --embedding_table $D/LUT.bin \
    --embedding_query_output_type text --profile $D/profile-$run.json" | first_token "$w/capture.txt" "$w/first.ns"
  # Step 10: the generated text.
  /usr/bin/python3 - "$w/capture.txt" >"$w/answer.txt" <<'PY'
import sys
capture = open(sys.argv[1]).read()
gen_text = capture
if "[BEGIN]:" in capture:
    gen_text = capture.split("[BEGIN]:", 1)[1]
if "[END]" in gen_text:
    gen_text = gen_text.split("[END]", 1)[0]
print("=== Generated Text ===")
print(gen_text.strip())
PY
}

# The CLI as a user starts it: the examples/fastvlm launcher (class data sharing: the warm-up run
# records the archive), or plain `java -jar` with CDS=0.
cli_flow() {
  local image=$1 run=$2
  local launcher=("$repo/examples/fastvlm")
  [ "${CDS:-1}" = 0 ] && launcher=(java -jar "$jar")
  env "${private_env[@]}" XDG_CACHE_HOME="$work/cache" FASTVLM_JAR="$jar" \
    FASTVLM_JAVA_OPTS="${CLI_JAVA_OPTS:-} -Duser.home=$adb_home" "${launcher[@]}" describe \
    --device "$serial" --model-dir "$bundle" --sdk "$sdk" --image "$image" --prompt "$prompt" \
    >"$work/cli-$run.txt" 2>"$work/cli-$run.err"
}

declare -A times programs_ms host_ms ttft
run_id=0
for image in "${images[@]}"; do
  name=$(basename "$image")
  for round in $(seq 0 "$runs"); do
    for side in $sides; do
      run_id=$((run_id + 1))
      start=$(now)
      if [ "$side" = seed ]; then seed_flow "$image" "$run_id"; else cli_flow "$image" "$run_id"; fi
      ms=$(( ($(now) - start) / 1000000 ))
      if [ "$round" = 0 ]; then
        echo "$name $side warm-up: $ms ms"
      else
        if [ "$side" = seed ]; then
          programs=$(awk '{s += $1} END {print s + 0}' "$work/seed-$run_id/programs.ms")
          first_ms=$(( ($(cat "$work/seed-$run_id/first.ns") - start) / 1000000 ))
          ttft[$name]="${ttft[$name]:-} $first_ms"
          echo "$name seed run $round: first answer token after $first_ms ms"
        else
          programs=$(grep -o 'vision-encoder [0-9]* ms\|decoder [0-9]* ms' "$work/cli-$run_id.txt" \
            | grep -o '[0-9]*' | awk '{s += $1} END {print s + 0}')
        fi
        echo "$name $side run $round: $ms ms (device programs $programs ms)"
        times[$name,$side]="${times[$name,$side]:-} $ms"
        programs_ms[$name,$side]="${programs_ms[$name,$side]:-} $programs"
        host_ms[$name,$side]="${host_ms[$name,$side]:-} $((ms - programs))"
      fi
    done
  done
  seed_answer=$work/seed-$run_id/answer.txt
  [[ " $sides " == *" cli "* ]] && seed_answer=$work/seed-$((run_id - 1))/answer.txt
  if [[ " $sides " == *" seed "* ]]; then
    grep -q "Emulated FastVLM answer" "$seed_answer" \
      || { echo "the seed flow gave no answer:" >&2; cat "$seed_answer" >&2; exit 1; }
  fi
  if [[ " $sides " == *" cli "* ]]; then
    grep -q "You asked: \"$prompt\"" "$work/cli-$run_id.txt" \
      || { echo "the CLI gave no answer:" >&2; cat "$work/cli-$run_id.err" >&2; exit 1; }
  fi
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
if [ "$sides" = seed ]; then
  for image in "${images[@]}"; do
    name=$(basename "$image")
    echo "seed-flow $(echo "${ttft[$name]}" | median) $(echo "${times[$name,seed]}" | median) runs:${times[$name,seed]}"
  done
  exit 0
fi
ratio() { awk -v s="$1" -v c="$2" 'BEGIN {printf "%.2fx", s / c}'; }
echo
printf '%-16s %10s %10s %7s | %14s %14s | %10s %10s %7s\n' image "seed ms" "CLI ms" ratio \
  "seed programs" "CLI programs" "seed rest" "CLI rest" ratio
for image in photo-1024.png photo-12mp.jpg; do
  seed=$(echo "${times[$image,seed]}" | median)
  cli=$(echo "${times[$image,cli]}" | median)
  seed_rest=$(echo "${host_ms[$image,seed]}" | median)
  cli_rest=$(echo "${host_ms[$image,cli]}" | median)
  printf '%-16s %10s %10s %7s | %14s %14s | %10s %10s %7s\n' "$image" "$seed" "$cli" "$(ratio "$seed" "$cli")" \
    "$(echo "${programs_ms[$image,seed]}" | median)" "$(echo "${programs_ms[$image,cli]}" | median)" \
    "$seed_rest" "$cli_rest" "$(ratio "$seed_rest" "$cli_rest")"
done
echo "device programs: the emulated qnn-net-run and genie-t2t-run (a JVM each), seed: 3 adb shell"
echo "calls timed, CLI: its vision-encoder and decoder stages; rest: wall time less those."
echo "medians of $runs runs each after one warm-up; width $width; CLI: $([ "${CDS:-1}" = 0 ] && echo 'java -jar' || echo 'examples/fastvlm (AppCDS)') ${CLI_JAVA_OPTS:-}"
