#!/usr/bin/python3
"""Writes fp16_golden.csv: float32 bit patterns and numpy's float16 conversion of them.

Run with Debian's python3 (numpy installed):
  /usr/bin/python3 fastvlm-emulator/src/test/scripts/fp16_golden.py \
      > fastvlm-emulator/src/test/resources/dev/fastvlm/emulator/tools/fp16_golden.csv
"""
import numpy as np

rng = np.random.default_rng(16)
values = [0.0, -0.0, 1.0, -1.0, 0.5, 1 / 3, 65504.0, 65519.0, 65520.0, 1e6, -1e6, 6.1035156e-05,
          6.0e-05, 5.96e-08, 2.98e-08, 2.99e-08, 1e-10, 0.1, 0.2, 0.7, 1.0009765625, 1.00048828125,
          1.000732421875, 2049.0, 2051.0, float("inf"), float("-inf")]
values += list(rng.uniform(-2, 2, 200)) + list(rng.uniform(0, 1e-4, 100)) + list(rng.standard_normal(100) * 1000)
f32 = np.array(values, dtype=np.float32)
f16 = f32.astype(np.float16)
print("float32_bits,float16_bits")
for a, b in zip(f32.view(np.uint32), f16.view(np.uint16)):
    print(f"{int(a):08x},{int(b):04x}")
