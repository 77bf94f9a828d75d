#!/usr/bin/python3
"""Writes the golden files of fastvlm-core's tensor and embed tests, and of the CLI's combine test,
with numpy as the reference (the seed's step 7 code, verbatim where it applies).

Run from the repository root with Debian's python3 (it has numpy):
    /usr/bin/python3 fastvlm-core/src/test/scripts/make_embedding_goldens.py
Deterministic: rerunning rewrites identical files.
"""
import gzip
import json
import os

import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
TENSOR = os.path.join(ROOT, "fastvlm-core/src/test/resources/dev/fastvlm/core/tensor")
EMBED = os.path.join(ROOT, "fastvlm-core/src/test/resources/dev/fastvlm/core/embed")
CLI = os.path.join(ROOT, "examples/src/test/resources/dev/fastvlm/cli/combine")
rng = np.random.default_rng(20261126)


def write(directory, name, array):
    os.makedirs(directory, exist_ok=True)
    np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tofile(os.path.join(directory, name))


def write_gz(directory, name, array):
    os.makedirs(directory, exist_ok=True)
    data = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
    with gzip.GzipFile(os.path.join(directory, name), "wb", mtime=0) as f:
        f.write(data)


def dequantize(q, scale, offset):
    # The seed's formula: arithmetic in float32, scale and offset given as Python floats.
    return (q.astype(np.float32) + float(offset)) * float(scale)


# --- fp16 -> fp32 on all 65,536 half bit patterns --------------------------------------------
halves = np.arange(65536, dtype=np.uint32).astype(np.uint16)
write_gz(TENSOR, "fp16_to_fp32.bin.gz", halves.view(np.float16).astype(np.float32).view(np.uint32))

# --- fp32 -> fp16: edge cases, halfway points, and random bit patterns -----------------------
edges = [0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0x7fbfffff, 0xffc00001,
         0x7f802000, 0x477fe000, 0x477fefff, 0x477ff000, 0x477ff001, 0x47800000, 0x38800000, 0x387fffff,
         0x33000000, 0x33000001, 0x32ffffff, 0x33800000, 0x33c00000, 0x00000001, 0x3f800000, 0xbf800000]
half_values = rng.integers(0, 0x7c00, 4096).astype(np.uint16).view(np.float16).astype(np.float32).view(np.uint32)
ties = (half_values + np.uint32(0x1000)).astype(np.uint32)  # exactly halfway to the next half (normals)
near = (half_values + rng.integers(-0x1400, 0x1400, 4096)).astype(np.uint32)
signs = rng.integers(0, 2, 4096).astype(np.uint32) << np.uint32(31)
random_bits = rng.integers(0, 2**32, 8192, dtype=np.uint64).astype(np.uint32)
subnormal_region = rng.integers(0x32800000, 0x38900000, 4096, dtype=np.uint64).astype(np.uint32)
inputs = np.concatenate([np.array(edges, dtype=np.uint32), half_values, ties | signs, near ^ signs,
                         random_bits, subnormal_region]).astype(np.uint32)
with np.errstate(all="ignore"):
    outputs = inputs.view(np.float32).astype(np.float16).view(np.uint16)
write_gz(TENSOR, "fp32_to_fp16_in.bin.gz", inputs)
write_gz(TENSOR, "fp32_to_fp16_out.bin.gz", outputs)

# --- dequantization ---------------------------------------------------------------------------
cases = []


def dequant_case(name, dtype, q, dims, scale, offset, axis=None):
    write(TENSOR, "dequant_" + name + ".in", q.astype(dtype))
    if axis is None:
        out = dequantize(q.astype(dtype), scale, offset)
        params = "%r %d" % (scale, offset)
    else:
        shape = [1] * len(dims)
        shape[axis] = dims[axis]
        scales = np.array(scale, dtype=np.float64).astype(np.float32).reshape(shape)
        offsets = np.array(offset, dtype=np.float32).reshape(shape)
        out = ((q.astype(dtype).reshape(dims).astype(np.float32) + offsets) * scales).reshape(-1)
        params = "%s %s" % (",".join(repr(s) for s in scale), ",".join(str(o) for o in offset))
    write(TENSOR, "dequant_" + name + ".out", out.astype(np.float32))
    cases.append("%s %s %s %s %s" % (name, np.dtype(dtype).name, ",".join(map(str, dims)),
                                       "-" if axis is None else axis, params))


all8 = np.arange(256)
dequant_case("u8_a", np.uint8, all8, [256], 0.0123456789, -128)
dequant_case("u8_b", np.uint8, all8, [256], 0.3, 7)
dequant_case("i8", np.int8, all8 - 128, [256], 0.05137, 3)
sample16 = np.concatenate([[0, 1, 32767, 32768, 65534, 65535], rng.integers(0, 65536, 4090)])
dequant_case("u16", np.uint16, sample16, [4096], 1.52587890625e-05 * 3.3, -32768)
dequant_case("i16", np.int16, sample16 - 32768, [4096], 0.000123, 12)
per_axis_q = rng.integers(0, 256, 4 * 6)
dequant_case("u8_axis2", np.uint8, per_axis_q, [1, 4, 6], [0.01, 0.02, 0.031, 0.5, 0.0123456789, 1.5],
             [-128, -100, 0, 5, -3, 17], axis=2)
dequant_case("u8_axis1", np.uint8, per_axis_q, [1, 4, 6], [0.07, 0.002, 0.9, 0.0333], [-1, -200, 4, -128], axis=1)
dequant_case("i16_axis0", np.int16, rng.integers(-32768, 32768, 3 * 5), [3, 5], [0.001, 0.0002, 0.07],
             [10, -7, 0], axis=0)
with open(os.path.join(TENSOR, "dequant_cases.txt"), "w") as f:
    f.write("# name numpy-dtype dims axis(- = per tensor) scale(s) offset(s); written by make_embedding_goldens.py\n")
    f.write("\n".join(cases) + "\n")

# --- step 7: combine --------------------------------------------------------------------------
width, n_vision, cache_len, num_text = 8, 6, 16, 5
scale, offset = 0.0123456789, -128
dims = (1, n_vision, width)
vision_u8 = rng.integers(0, 256, n_vision * width).astype(np.uint8)
embed = rng.standard_normal((1, cache_len, width)).astype(np.float32)
lut = rng.standard_normal((50, width)).astype(np.float32)
ids = [3, 0, 49, 7, 7]
for directory in (EMBED, CLI):
    write(directory, "vision_u8.raw", vision_u8)
    write(directory, "text_embeds.raw", embed)
    write(directory, "lut_f32.raw", lut)
    with open(os.path.join(directory, "ids.json"), "w") as f:
        json.dump(ids, f)

# The seed's step 7, verbatim but for the file names.
vision_f = dequantize(np.fromfile(os.path.join(EMBED, "vision_u8.raw"), dtype=np.uint8).reshape(dims), scale, offset)
text_embeds = np.fromfile(os.path.join(EMBED, "text_embeds.raw"), dtype=np.float32).reshape(1, cache_len, width)[:, :num_text, :]
combined = np.concatenate([vision_f, text_embeds], axis=1).astype(np.float32)
pos = 2
placeholder = np.concatenate([text_embeds[:, :pos, :], vision_f, text_embeds[:, pos:, :]], axis=1).astype(np.float32)
lut_rows = lut[ids][None, :, :]
combined_lut = np.concatenate([vision_f, lut_rows], axis=1).astype(np.float32)
for directory in (EMBED, CLI):
    write(directory, "combined_prepend.raw", combined)
    write(directory, "combined_placeholder.raw", placeholder)
    write(directory, "combined_lut.raw", combined_lut)

# Other LUT element types: fp16, and uint8 with a scale and offset.
write(EMBED, "lut_f16.raw", lut.astype(np.float16))
write(EMBED, "lut_f16_rows.raw", lut.astype(np.float16).astype(np.float32)[ids])
lut_scale, lut_offset = 0.02, -100
lut_u8 = rng.integers(0, 256, lut.shape).astype(np.uint8)
write(EMBED, "lut_u8.raw", lut_u8)
write(EMBED, "lut_u8_rows.raw", dequantize(lut_u8, lut_scale, lut_offset)[ids])

# Outputs in the decoder's native embedding types; u8 and s16 scales are small enough that some values clamp.
write(EMBED, "combined_prepend_f16.raw", combined.astype(np.float16))
quantized = {}
for name, dtype, q_scale, q_offset in (("u8", np.uint8, 0.01, -128), ("u16", np.uint16, 0.0001, -32768),
                                       ("s16", np.int16, 0.00005, 0)):
    info = np.iinfo(dtype)
    q = np.clip(np.rint(combined / np.float32(q_scale)) - np.float32(q_offset), info.min, info.max).astype(dtype)
    write(EMBED, "combined_prepend_%s.raw" % name, q)
    quantized[name] = (q_scale, q_offset)

with open(os.path.join(EMBED, "goldens.properties"), "w") as f:
    f.write("# written by fastvlm-core/src/test/scripts/make_embedding_goldens.py\n")
    props = {"width": width, "vision.rows": n_vision, "vision.scale": repr(scale), "vision.offset": offset,
             "text.cacheLen": cache_len, "text.num": num_text, "placeholder.index": pos,
             "lut.rows": lut.shape[0], "lut.ids": ",".join(map(str, ids)),
             "lut.u8.scale": repr(lut_scale), "lut.u8.offset": lut_offset}
    for name, (q_scale, q_offset) in quantized.items():
        props["out.%s.scale" % name] = repr(q_scale)
        props["out.%s.offset" % name] = q_offset
    for key, value in props.items():
        f.write("%s=%s\n" % (key, value))
print("goldens written")
