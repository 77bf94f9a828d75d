#!/usr/bin/python3
"""Times the seed's step 7 in numpy and fastvlm-java's CombinedEmbeddings (JMH) at the same sizes,
and prints both medians and the ratio.

Sizes: FastVLM's (256 uint8 vision rows of 896 and 40 of 512 text embedder rows, scale=1) and
four times that (scale=4). Both sides start from tensors already in memory and end with the
little-endian float32 sequence in a preallocated destination buffer.

Java runs twice by default: as the JVM starts (the scalar kernels) and with
`--add-modules=jdk.incubator.vector` (the Vector API kernel); `--jvm-args` picks other JVM flag sets.

Usage, from the repository root after `./mvnw -B -pl fastvlm-bench -am package -DskipTests`:
    /usr/bin/python3 fastvlm-bench/scripts/compare_numpy.py [--jmh-args "-f 1 -wi 3 -i 5 -w 1 -r 1"] \
        [--jvm-args "" --jvm-args "--add-modules=jdk.incubator.vector"]
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

WIDTH, VISION_ROWS, TEXT_TOKENS, CACHE_LEN = 896, 256, 40, 512
SCALE, OFFSET = 0.0123456789, -128  # the same constants as CombineBenchmark


def seed_step7(vision_u8, embed, num_text, dims, dest):
    # The seed's code (fastvlm-npu-e2e-flow.md, step 7), with tofile() replaced by a copy into
    # the destination buffer, as the Java side writes into a ByteBuffer.
    vision_f = (vision_u8.reshape(dims).astype(np.float32) + float(OFFSET)) * float(SCALE)
    text_embeds = embed[:, :num_text, :]
    combined = np.concatenate([vision_f, text_embeds], axis=1).astype(np.float32)
    dest[:] = combined.reshape(-1).view(np.uint8)


def numpy_median_us(scale, repeats):
    rng = np.random.default_rng(42)
    rows, cache_len, num_text = VISION_ROWS * scale, CACHE_LEN * scale, TEXT_TOKENS * scale
    vision_u8 = rng.integers(0, 256, rows * WIDTH).astype(np.uint8)
    embed = rng.uniform(-1, 1, (1, cache_len, WIDTH)).astype(np.float32)
    dest = np.empty(4 * (rows + num_text) * WIDTH, dtype=np.uint8)
    for _ in range(20):
        seed_step7(vision_u8, embed, num_text, (1, rows, WIDTH), dest)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        seed_step7(vision_u8, embed, num_text, (1, rows, WIDTH), dest)
        times.append((time.perf_counter() - start) * 1e6)
    return statistics.median(times)


def jmh_scores_us(jar, jmh_args, jvm_args):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        result = f.name
    # Sample mode times single operations, so both sides report the median of single calls
    # (on a loaded machine, averages mostly measure how often the scheduler preempts).
    command = ["java", "-jar", jar, r"CombineBenchmark\.(combineIntoBuffer|baselinePlainCopy)$", "-p", "scale=1,4",
               "-bm", "sample", "-tu", "us", "-rf", "json", "-rff", result] + shlex.split(jmh_args)
    if jvm_args:
        command += ["-jvmArgsAppend", jvm_args]
    print("$ " + " ".join(shlex.quote(c) for c in command), file=sys.stderr)
    for _ in range(60):
        # JMH refuses to run while another JMH holds /tmp/jmh.lock; wait for it rather than compete.
        run = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if "Unable to acquire the JMH lock" not in run.stdout:
            break
        time.sleep(10)
    if run.returncode != 0:
        sys.exit(run.stdout)
    with open(result) as f:
        data = json.load(f)
    os.unlink(result)
    scores = {}
    for run in data:
        name = run["benchmark"].rsplit(".", 1)[1]
        scores[(name, int(run["params"]["scale"]))] = run["primaryMetric"]["scorePercentiles"]["50.0"]
    return scores


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jar", default="fastvlm-bench/target/benchmarks.jar")
    parser.add_argument("--jmh-args", default="-f 1 -wi 3 -i 5 -w 1 -r 1")
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--jvm-args", action="append",
                        help='JVM flags for one JMH run (repeat for several; default: "" and the Vector API module)')
    args = parser.parse_args()
    configurations = args.jvm_args if args.jvm_args is not None else ["", "--add-modules=jdk.incubator.vector"]

    java = {jvm_args: jmh_scores_us(args.jar, args.jmh_args, jvm_args) for jvm_args in configurations}
    print("numpy %s, median of %d calls; java: JMH sample-mode median; microseconds" % (np.__version__, args.repeats))
    print("%-6s %-36s %10s %10s %11s %13s %12s" % ("scale", "java flags", "numpy", "java", "plain copy",
                                                   "numpy / java", "copy / java"))
    for scale in (1, 4):
        numpy_us = numpy_median_us(scale, args.repeats)
        for jvm_args, scores in java.items():
            java_us = scores[("combineIntoBuffer", scale)]
            copy_us = scores[("baselinePlainCopy", scale)]
            print("%-6d %-36s %10.1f %10.1f %11.1f %12.2fx %11.0f%%" % (
                scale, jvm_args or "(none)", numpy_us, java_us, copy_us, numpy_us / java_us,
                100 * copy_us / java_us))


if __name__ == "__main__":
    main()
