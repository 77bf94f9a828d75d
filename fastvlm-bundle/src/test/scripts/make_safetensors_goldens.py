#!/usr/bin/env python3
"""Writes the safetensors golden files of fastvlm-bundle's tests, independently of the Java reader.

The writer follows the format's specification (huggingface/safetensors README.md and
docs/safetensors.schema.json): an unsigned little-endian 64-bit header length N, N bytes of UTF-8
JSON (name -> {dtype, shape, data_offsets [begin, end)} counted from the start of the byte buffer,
plus an optional "__metadata__" map of strings), padded with spaces to a multiple of 8, then the
little-endian row-major tensor bytes, contiguous from offset 0. Values come from numpy; bfloat16,
which numpy lacks, is float32 rounded to nearest-even in its upper 16 bits.

Next to every checkpoint it writes <name>.lut.f32: numpy's float32 cast of the stored
model.embed_tokens.weight, row-major, headerless: what LUT.bin must equal byte for byte.

Malformed files go to malformed/, one per check the format's reader makes; malformed/README.txt
lists each with the reason the reader must give.

Run: python3 make_safetensors_goldens.py ../resources/safetensors   (from this folder)
"""
import json
import os
import struct
import sys

import numpy as np

VOCAB = 37
HIDDEN = 24


def bf16_bits(values):
    """float32 -> bfloat16 bit patterns (uint16), round to nearest even."""
    u = np.ascontiguousarray(values, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def bf16_to_f32(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def stored(values, dtype):
    """(bytes as stored, numpy float32 cast of what is stored)."""
    if dtype == "F32":
        a = values.astype("<f4")
        return a.tobytes(), a.astype(np.float32)
    if dtype == "F16":
        a = values.astype("<f2")
        return a.tobytes(), a.astype(np.float32)
    if dtype == "BF16":
        bits = bf16_bits(values).astype("<u2")
        return bits.tobytes(), bf16_to_f32(bits)
    raise ValueError(dtype)


def header_bytes(header):
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    return text + b" " * ((8 - len(text) % 8) % 8)


def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, dtype, shape, raw bytes), written in this order."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    offset = 0
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    head = header_bytes(header)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for _, _, _, raw in tensors:
            f.write(raw)


def raw_file(path, header_text, payload=b"", length=None):
    head = header_text.encode("utf-8") if isinstance(header_text, str) else header_text
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head) if length is None else length))
        f.write(head)
        f.write(payload)


def checkpoint_tensors(rng, dtype):
    embed = (rng.standard_normal((VOCAB, HIDDEN)) * 0.05).astype(np.float32)
    embed[0, 0] = 65504.0  # largest float16
    embed[1, 1] = -1.0e-7  # float16 subnormal
    embed[2, 2] = 3.0e38 if dtype != "F16" else 1.0  # near float32/bfloat16 max
    embed[3, 3] = -0.0
    norm = np.ones(HIDDEN, dtype=np.float32)
    head = (rng.standard_normal((VOCAB, HIDDEN)) * 0.02).astype(np.float32)
    embed_raw, embed_f32 = stored(embed, dtype)
    norm_raw, _ = stored(norm, dtype)
    head_raw, _ = stored(head, dtype)
    tensors = [
        ("lm_head.weight", dtype, (VOCAB, HIDDEN), head_raw),
        ("model.embed_tokens.weight", dtype, (VOCAB, HIDDEN), embed_raw),
        ("model.norm.weight", dtype, (HIDDEN,), norm_raw),
        ("model.layers.0.self_attn.q_proj.bias", "I64", (3,), np.array([1, -2, 3], dtype="<i8").tobytes()),
    ]
    return tensors, embed_f32


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20261207)
    for dtype in ("F32", "F16", "BF16"):
        tensors, lut = checkpoint_tensors(rng, dtype)
        name = "single-" + dtype.lower()
        write_safetensors(os.path.join(out, name + ".safetensors"), tensors, {"format": "pt"})
        lut.astype("<f4").tofile(os.path.join(out, name + ".lut.f32"))

    # sharded: two shards and the index, the embedding table in the second shard
    sharded = os.path.join(out, "sharded-bf16")
    os.makedirs(sharded, exist_ok=True)
    tensors, lut = checkpoint_tensors(rng, "BF16")
    shards = {"model-00001-of-00002.safetensors": tensors[:1] + tensors[3:],
              "model-00002-of-00002.safetensors": tensors[1:3]}
    weight_map = {}
    for file, part in shards.items():
        write_safetensors(os.path.join(sharded, file), part, {"format": "pt"})
        for t in part:
            weight_map[t[0]] = file
    total = sum(len(t[3]) for t in tensors)
    with open(os.path.join(sharded, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2, sort_keys=True)
    lut.astype("<f4").tofile(os.path.join(out, "sharded-bf16.lut.f32"))

    malformed(os.path.join(out, "malformed"))


def malformed(out):
    os.makedirs(out, exist_ok=True)
    cases = []
    four = np.arange(4, dtype="<f4").tobytes()  # 16 bytes: F32 [4]

    def good_header(**over):
        h = {"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}
        h["a"].update(over)
        return json.dumps(h)

    def case(name, reason, header, payload=four, length=None):
        raw_file(os.path.join(out, name + ".safetensors"), header, payload, length)
        cases.append((name, reason))

    with open(os.path.join(out, "too-small.safetensors"), "wb") as f:
        f.write(b"\x05\x00\x00")
    cases.append(("too-small", "shorter than the 8-byte header length"))
    case("header-too-large", "header length 100000001 is above the limit 100000000", "{}", length=100_000_001)
    case("header-beyond-file", "header length runs past the end of the file", good_header(), length=4096)
    case("header-not-utf8", "header is not UTF-8", b'{"a\xff":{}}   ')
    case("header-not-json", "header is not JSON", '{"a": {"dtype": "F32",')
    case("header-not-object", "header is not a JSON object", "[1, 2, 3]")
    case("duplicate-name", "tensor name appears twice",
         '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}')
    case("offsets-gap", "tensors not contiguous: a gap between them",
         '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}')
    case("offsets-overlap", "tensors overlap",
         '{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}')
    case("offsets-not-from-zero", "first tensor does not start at 0", good_header(shape=[3], data_offsets=[4, 16]))
    case("size-mismatch", "data_offsets size differs from dtype x shape", good_header(shape=[5]))
    case("end-beyond-file", "tensor data runs past the end of the file", good_header(shape=[8], data_offsets=[0, 32]))
    case("trailing-bytes", "bytes after the last tensor", good_header(), payload=four + b"\x00" * 8)
    case("begin-after-end", "begin after end", good_header(data_offsets=[16, 0]))
    case("unknown-dtype", "unknown dtype", good_header(dtype="F128"))
    case("negative-shape", "negative dimension", good_header(shape=[-4]))
    case("offsets-wrong-length", "data_offsets is not two numbers", good_header(data_offsets=[0, 8, 16]))
    case("metadata-not-strings", "__metadata__ values must be strings",
         json.dumps({"__metadata__": {"format": 1}, "a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}))
    case("missing-dtype", "tensor without dtype", '{"a":{"shape":[4],"data_offsets":[0,16]}}')
    case("header-start", "header does not start with '{'", " " + good_header())
    with open(os.path.join(out, "README.txt"), "w") as f:
        f.write("Malformed safetensors files, one per reader check (written by ../../../scripts/"
                "make_safetensors_goldens.py):\n")
        for name, reason in cases:
            f.write(f"{name}.safetensors: {reason}\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "resources", "safetensors"))
