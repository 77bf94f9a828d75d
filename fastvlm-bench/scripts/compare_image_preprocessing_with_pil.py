#!/usr/bin/python3
"""Times image preprocessing in Java (JMH) and in PIL on the same images, checks that both write
the same bytes, and prints Java/PIL median ratios.

Wall-clock medians (JMH sample mode vs time.perf_counter) come first, then CPU-time medians
(PreprocessCpuTime vs time.process_time), which a loaded machine disturbs much less.

The Java side uses two cores (decoding on one while resampling on the other, and a parallel
resize), PIL one, so the wall-clock ratio depends on how much of a second core the machine has to
spare: the script measures that before and after the run ("cores available": 2.0 on an idle
2-core machine, 1.0 when other work keeps every core busy) and prints it with the results.

Run from the repository root after `./mvnw -B -pl fastvlm-bench,examples -am package -DskipTests`:

    /usr/bin/python3 fastvlm-bench/scripts/compare_image_preprocessing_with_pil.py [--quick]

The PIL side is the seed's code: Image.open(p).convert("RGB").resize((1024, 1024), Image.BICUBIC),
then the uint8 HWC bytes (np.asarray(img, dtype=np.uint8).tobytes()), all in one process, timed per
image with time.perf_counter() after warm-up runs. The Java side is ImagePreprocessBenchmark.
"""
import argparse
import hashlib
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WORK = os.path.join(ROOT, "fastvlm-bench", "target", "image-bench")
BENCH_JAR = os.path.join(ROOT, "fastvlm-bench", "target", "benchmarks.jar")
CLI_JAR = os.path.join(ROOT, "examples", "target", "fastvlm.jar")
SIZE = 1024


def photo(w, h, seed):
    """A photo-like test image: smooth shapes, texture and sensor-like noise (JPEG-compresses like a photo)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.empty((h, w, 3), np.float32)
    for c in range(3):
        img[:, :, c] = 128 + 60 * np.sin(x / (37 + 11 * c)) * np.cos(y / (53 - 7 * c)) + 40 * np.sin((x + y) / 400)
    img += rng.normal(0, 6, size=(h, w, 3)).astype(np.float32)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def make_images():
    os.makedirs(WORK, exist_ok=True)
    images = {
        "square4096.jpg": lambda p: photo(4096, 4096, 1).save(p, quality=90),
        "photo12mp.jpg": lambda p: photo(4000, 3000, 2).save(p, quality=90),
        "square4096.png": lambda p: photo(4096, 4096, 3).save(p, compress_level=6),
    }
    paths = []
    for name, make in images.items():
        path = os.path.join(WORK, name)
        if not os.path.exists(path):
            make(path)
        paths.append(path)
    return paths


def _spin(n):
    x = 0
    for i in range(n):
        x += i * i
    return x


def cores_available(n=4_000_000):
    """How many cores two busy processes get at once: 2 * (one alone) / (two together)."""
    with multiprocessing.Pool(2) as pool:
        pool.map(_spin, [1000, 1000])
        start = time.perf_counter()
        pool.map(_spin, [n])
        one = time.perf_counter() - start
        start = time.perf_counter()
        pool.map(_spin, [n, n])
        two = time.perf_counter() - start
    return 2 * one / two


def pil_once(path):
    img = Image.open(path).convert("RGB")
    img = img.resize((SIZE, SIZE), Image.BICUBIC)
    return np.asarray(img, dtype=np.uint8).tobytes()


def pil_cpu_median(path, runs):
    pil_once(path)
    times = []
    for _ in range(runs):
        start = time.process_time()
        pil_once(path)
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def java_cpu_median(path, decoder, runs):
    args = ["java", "-cp", BENCH_JAR, "dev.fastvlm.bench.PreprocessCpuTime", path, decoder, str(runs)]
    return float(subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])


def pil_times(path, warmup, runs):
    for _ in range(warmup):
        pil_once(path)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        pil_once(path)
        times.append((time.perf_counter() - start) * 1000)
    return times


def java_medians(paths, quick):
    result_file = os.path.join(WORK, "jmh.json")
    # Other JMH runs share this machine; the lock would only make this one fail.
    args = ["java", "-Djmh.ignoreLock=true", "-jar", BENCH_JAR, "ImagePreprocessBenchmark", "-p", "image=" + ",".join(paths),
            "-rf", "json", "-rff", result_file]
    args += ["-f", "1", "-wi", "2", "-i", "3", "-w", "1", "-r", "1"] if quick else ["-f", "1", "-wi", "3", "-i", "5", "-w", "1", "-r", "1"]
    print("$ " + " ".join(args), flush=True)
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL if quick else None)
    with open(result_file) as f:
        results = json.load(f)
    return {(r["params"]["image"], r["params"]["decoder"]): r["primaryMetric"]["scorePercentiles"]["50.0"] for r in results}


def same_output(path):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "java.raw")
        subprocess.run(["java", "-jar", CLI_JAR, "preprocess", "--image", path, "--out", out], check=True,
                       stdout=subprocess.DEVNULL)
        with open(out, "rb") as f:
            java = hashlib.sha256(f.read()).hexdigest()
    return java == hashlib.sha256(pil_once(path)).hexdigest()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer JMH iterations and PIL runs")
    opts = parser.parse_args()
    paths = make_images()
    identical = {p: same_output(p) for p in paths}
    cores_before = cores_available()
    runs = 3 if opts.quick else 6
    # PIL runs both before and after JMH, so that a change in the machine's load during the
    # run does not favour one side.
    pil = {p: pil_times(p, 2, runs) for p in paths}
    java = java_medians(paths, opts.quick)
    for p in paths:
        pil[p] += pil_times(p, 1, runs)
    cores_after = cores_available()
    print(f"\ncores available to one process pair (2.0 = an idle 2-core machine): "
          f"{cores_before:.2f} before, {cores_after:.2f} after the timing runs")
    print(f"\n{'image':<16} {'PIL median':>11} {'Java (turbo)':>13} {'ratio':>6} {'Java (ImageIO)':>15} {'ratio':>6}  same bytes")
    for p in paths:
        pil_median = statistics.median(pil[p])
        turbo = java[(p, "standard")]
        imageio = java[(p, "imageio")]
        print(f"{os.path.basename(p):<16} {pil_median:9.1f}ms {turbo:11.1f}ms {turbo / pil_median:6.2f} "
              f"{imageio:13.1f}ms {imageio / pil_median:6.2f}  {identical[p]}")
    print("\nCPU time per image (process CPU, all threads; steadier than wall time on a shared machine):")
    print(f"{'image':<16} {'PIL':>9} {'Java (turbo)':>13} {'ratio':>6} {'Java (ImageIO)':>15} {'ratio':>6}")
    for p in paths:
        pil_cpu = pil_cpu_median(p, runs)
        turbo = java_cpu_median(p, "standard", 2 * runs)
        imageio = java_cpu_median(p, "imageio", 2 * runs)
        print(f"{os.path.basename(p):<16} {pil_cpu:7.1f}ms {turbo:11.1f}ms {turbo / pil_cpu:6.2f} "
              f"{imageio:13.1f}ms {imageio / pil_cpu:6.2f}")
    return 0 if all(identical.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
