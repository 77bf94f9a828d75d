#!/usr/bin/python3
"""Times the reference's preprocessing in PIL, split like PreprocessStagesBenchmark: decode
(`Image.open(p).convert("RGB")`, forced with load()) and `resize((1024, 1024), Image.BICUBIC)`,
on the images that benchmark writes. Prints the median of each, in milliseconds.

Run from the repository root after PreprocessStagesBenchmark has written its images:
    /usr/bin/python3 fastvlm-bench/scripts/pil_preprocess_stages.py [IMAGES_DIR] [--repeats 21]
IMAGES_DIR defaults to fastvlm-bench/target/describe-images.
"""
import argparse
import glob
import os
import statistics
import sys
import time

import PIL
from PIL import Image

SIZE = 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("images", nargs="?", default="fastvlm-bench/target/describe-images")
    parser.add_argument("--repeats", type=int, default=21)
    args = parser.parse_args()
    files = sorted(glob.glob(os.path.join(args.images, "*.png")) + glob.glob(os.path.join(args.images, "*.jpg")))
    if not files:
        sys.exit(f"no images in {args.images}; run PreprocessStagesBenchmark first")
    print(f"Pillow {PIL.__version__}, medians of {args.repeats} after 3 warm-up runs")
    for path in files:
        decode, resize = [], []
        for i in range(args.repeats + 3):
            t0 = time.perf_counter()
            img = Image.open(path).convert("RGB")
            img.load()
            t1 = time.perf_counter()
            img.resize((SIZE, SIZE), Image.BICUBIC)
            t2 = time.perf_counter()
            if i >= 3:
                decode.append(t1 - t0)
                resize.append(t2 - t1)
        total = [d + r for d, r in zip(decode, resize)]
        print(f"{os.path.basename(path)}: decode {statistics.median(decode) * 1e3:.1f} ms, "
              f"resize {statistics.median(resize) * 1e3:.1f} ms, both {statistics.median(total) * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
