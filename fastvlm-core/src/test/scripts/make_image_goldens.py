#!/usr/bin/python3
"""Regenerates the image preprocessing goldens from PIL (Debian's python3-pil, 9.4) and numpy.

Run from the repository root:  /usr/bin/python3 fastvlm-core/src/test/scripts/make_image_goldens.py

Writes fastvlm-core/src/test/resources/image-goldens/:
  sources/*            small source images in every colour mode and format the decoders handle
  cases.tsv            one line per case: source, policy, size, layout, exif, sha256 of PIL's output
                       file, and the offset/length of PIL's uint8 HWC pixels in expected.bin.gz
                       (kept for size 17 and for lossy sources, where the tests measure the
                       difference; elsewhere the digest alone decides, since 0 bytes may differ)
  expected.bin.gz      the concatenated uint8 HWC outputs of the small cases

The reference pipeline is the seed's:  Image.open(p).convert("RGB").resize((s, s), Image.BICUBIC),
with FastVLM's expand2square (black, offsets (long-short)//2) for "pad" and HuggingFace's
shortest-edge resize + centre crop for "center-crop".
"""
import gzip
import hashlib
import io
import os
import shutil
import struct
import zlib

import numpy as np
from PIL import Image, ImageOps

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "image-goldens")
CLI_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "examples", "src", "test",
                       "resources", "cli-preprocess")
SRC = os.path.join(OUT, "sources")
rng = np.random.default_rng(20240601)


def pattern(w, h, channels=3, noise=5):
    """Gradients, a disc and moderate noise: every pixel differs, yet the file compresses."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    planes = []
    for c in range(channels):
        base = 255 * (0.5 + 0.5 * np.sin((x * (c + 1) / max(w, 1) + y * (3 - c) / max(h, 1)) * np.pi * 2))
        disc = ((x - w * 0.6) ** 2 + (y - h * 0.4) ** 2) < (min(w, h) * 0.3) ** 2
        base = np.where(disc, 255 - base, base)
        base = base + rng.integers(-noise, noise + 1, size=(h, w))
        planes.append(np.clip(base, 0, 255))
    return np.stack(planes, axis=-1).astype(np.uint8)


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_png16(path, arr, color_type):
    """PIL cannot write 16-bit RGB or LA PNGs; write them by hand (big-endian samples)."""
    h, w = arr.shape[:2]
    raw = b"".join(b"\x00" + arr[r].astype(">u2").tobytes() for r in range(h))
    data = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, color_type, 0, 0, 0))
    data += png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)


def make_sources():
    os.makedirs(SRC, exist_ok=True)
    s = {}
    rgb = pattern(61, 47)
    Image.fromarray(rgb).save(f"{SRC}/rgb.png"); s["rgb.png"] = "lossless"
    Image.fromarray(pattern(64, 64)).save(f"{SRC}/square64.png"); s["square64.png"] = "lossless"
    Image.fromarray(pattern(300, 7)).save(f"{SRC}/wide300x7.png"); s["wide300x7.png"] = "lossless"
    Image.fromarray(pattern(5, 240)).save(f"{SRC}/tall5x240.png"); s["tall5x240.png"] = "lossless"
    Image.fromarray(pattern(1, 1)).save(f"{SRC}/pixel1x1.png"); s["pixel1x1.png"] = "lossless"
    Image.fromarray(pattern(403, 301, noise=2)).save(f"{SRC}/large403x301.png"); s["large403x301.png"] = "lossless"
    Image.fromarray(pattern(61, 47, 1)[:, :, 0], "L").save(f"{SRC}/l.png"); s["l.png"] = "lossless"
    Image.fromarray(pattern(61, 47, 2), "LA").save(f"{SRC}/la.png"); s["la.png"] = "lossless"
    Image.fromarray(pattern(61, 47, 4), "RGBA").save(f"{SRC}/rgba.png"); s["rgba.png"] = "lossless"
    p = Image.fromarray(rgb).quantize(colors=37)
    p.save(f"{SRC}/p.png"); s["p.png"] = "lossless"
    p.save(f"{SRC}/p_trns.png", transparency=5); s["p_trns.png"] = "lossless"
    Image.fromarray(pattern(61, 47, 1)[:, :, 0], "L").convert("1").save(f"{SRC}/bit1.png"); s["bit1.png"] = "lossless"
    g16 = (pattern(61, 47, 1)[:, :, 0].astype(np.uint16) * 3)  # 0..765: PIL clips mode I to 255
    Image.fromarray(g16.astype(np.uint16), "I;16").save(f"{SRC}/gray16.png"); s["gray16.png"] = "lossless"
    write_png16(f"{SRC}/rgb16.png", pattern(61, 47).astype(np.uint16) * 257 + rng.integers(0, 256, (47, 61, 3)), 2)
    s["rgb16.png"] = "lossless"
    write_png16(f"{SRC}/la16.png", pattern(61, 47, 2).astype(np.uint16) * 257, 4); s["la16.png"] = "lossless"
    Image.fromarray(rgb).save(f"{SRC}/rgb.bmp"); s["rgb.bmp"] = "lossless"
    p.save(f"{SRC}/p.bmp"); s["p.bmp"] = "lossless"
    p.save(f"{SRC}/p.gif"); s["p.gif"] = "lossless"
    Image.fromarray(rgb).save(f"{SRC}/rgb.tif"); s["rgb.tif"] = "lossless"
    Image.fromarray(rgb).save(f"{SRC}/rgb_lzw.tif", compression="tiff_lzw"); s["rgb_lzw.tif"] = "lossless"
    Image.fromarray(rgb).save(f"{SRC}/lossless.webp", lossless=True); s["lossless.webp"] = "lossless"
    Image.fromarray(rgb).save(f"{SRC}/lossy.webp", quality=80); s["lossy.webp"] = "lossy-webp"
    photo = pattern(203, 151, noise=10)
    Image.fromarray(photo).save(f"{SRC}/photo420.jpg", quality=90); s["photo420.jpg"] = "jpeg"
    Image.fromarray(photo).save(f"{SRC}/photo444.jpg", quality=90, subsampling=0); s["photo444.jpg"] = "jpeg"
    Image.fromarray(photo).save(f"{SRC}/progressive.jpg", quality=85, progressive=True); s["progressive.jpg"] = "jpeg"
    Image.fromarray(photo[:, :, 1], "L").save(f"{SRC}/gray.jpg", quality=90); s["gray.jpg"] = "jpeg"
    Image.fromarray(photo).convert("CMYK").save(f"{SRC}/cmyk.jpg", quality=90); s["cmyk.jpg"] = "jpeg"
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(pattern(41, 29)).save(f"{SRC}/exif6.jpg", quality=95, exif=exif.tobytes()); s["exif6.jpg"] = "jpeg"
    exif[0x0112] = 7
    Image.fromarray(pattern(41, 29)).save(f"{SRC}/exif7.png", exif=exif.tobytes()); s["exif7.png"] = "lossless"
    Image.fromarray(pattern(800, 600, noise=3)).save(f"{SRC}/photo800x600.jpg", quality=85); s["photo800x600.jpg"] = "jpeg"
    # Added later: kept last so that the random stream of the sources above stays the same.
    Image.fromarray(pattern(61, 47, 4), "RGBA").save(f"{SRC}/rgba_lossless.webp", lossless=True)
    s["rgba_lossless.webp"] = "lossless"
    Image.fromarray(g16, "I;16").save(f"{SRC}/gray16.tif"); s["gray16.tif"] = "lossless"
    Image.fromarray(pattern(61, 47, 4), "CMYK").save(f"{SRC}/cmyk.tif"); s["cmyk.tif"] = "lossless"
    p.save(f"{SRC}/p_trns.gif", transparency=5); s["p_trns.gif"] = "lossless"
    return s


def expand2square(img):
    w, h = img.size
    if w == h:
        return img
    side = max(w, h)
    result = Image.new(img.mode, (side, side), (0, 0, 0))
    result.paste(img, ((side - w) // 2, (side - h) // 2))
    return result


def center_crop(img, size):
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    new_long = int(size * long / short)
    nw, nh = (size, new_long) if w <= h else (new_long, size)
    img = img.resize((nw, nh), Image.BICUBIC)
    left, top = (nw - size) // 2, (nh - size) // 2
    return img.crop((left, top, left + size, top + size))


def reference(path, policy, size, exif):
    img = Image.open(path)
    if exif:
        img = ImageOps.exif_transpose(img)
    img = img.convert("RGB")
    if policy == "stretch":
        img = img.resize((size, size), Image.BICUBIC)
    elif policy == "pad":
        img = expand2square(img).resize((size, size), Image.BICUBIC)
    else:
        img = center_crop(img, size)
    return img


def output_file(img, layout):
    """The seed's file: uint8 HWC, or float32 NCHW of pixel / 255.0."""
    if layout == "uint8":
        return np.asarray(img, dtype=np.uint8).tobytes()
    arr = np.asarray(img, dtype=np.float32) / 255.0
    return np.expand_dims(np.transpose(arr, (2, 0, 1)), axis=0).tobytes()


def main():
    sources = make_sources()
    cases = []
    for name in sources:
        policies = ["stretch"]
        sizes = [17, 64]
        if name in ("rgb.png", "wide300x7.png", "tall5x240.png", "large403x301.png", "photo420.jpg",
                    "square64.png", "rgba.png", "p.gif"):
            policies = ["stretch", "pad", "center-crop"]
            sizes = [17, 64, 100]
        if name == "photo800x600.jpg":
            continue
        for policy in policies:
            for size in sizes:
                cases.append((name, policy, size, "uint8", False))
    cases += [("exif6.jpg", "stretch", 17, "uint8", True), ("exif6.jpg", "pad", 64, "uint8", True),
              ("exif7.png", "stretch", 64, "uint8", True), ("exif7.png", "stretch", 64, "uint8", False),
              ("rgb.png", "stretch", 64, "float32", False), ("photo420.jpg", "pad", 100, "float32", False),
              ("photo800x600.jpg", "stretch", 1024, "uint8", False),
              ("photo800x600.jpg", "center-crop", 1024, "float32", False),
              ("large403x301.png", "pad", 1024, "uint8", False)]
    blob = bytearray()
    lines = ["# source\tkind\tpolicy\tsize\tlayout\texif\tsha256\toffset\tlength"]
    for name, policy, size, layout, exif in cases:
        img = reference(f"{SRC}/{name}", policy, size, exif)
        digest = hashlib.sha256(output_file(img, layout)).hexdigest()
        offset, length = -1, -1
        if size <= 17 or (size <= 100 and sources[name] != "lossless"):
            pixels = np.asarray(img, dtype=np.uint8).tobytes()
            offset, length = len(blob), len(pixels)
            blob += pixels
        lines.append(f"{name}\t{sources[name]}\t{policy}\t{size}\t{layout}\t{str(exif).lower()}\t{digest}\t{offset}\t{length}")
    with open(f"{OUT}/cases.tsv", "w") as f:
        f.write("\n".join(lines) + "\n")
    with gzip.GzipFile(f"{OUT}/expected.bin.gz", "wb", mtime=0) as f:
        f.write(bytes(blob))
    print(f"{len(cases)} cases, {len(blob)} bytes of expected pixels")
    write_cli_goldens()


def write_cli_goldens():
    """Digests of the files `fastvlm preprocess` must write, for examples/src/test (the CLI test)."""
    os.makedirs(CLI_OUT, exist_ok=True)
    shutil.copyfile(f"{SRC}/rgb.png", f"{CLI_OUT}/rgb.png")
    lines = ["# size\tdtype\tresize\tsha256 of the file the seed's Python writes"]
    for size, dtype, policy in [(1024, "uint8", "stretch"), (1024, "float32", "stretch"), (64, "uint8", "pad"),
                                (37, "float32", "center-crop")]:
        img = reference(f"{CLI_OUT}/rgb.png", policy, size, False)
        lines.append(f"{size}\t{dtype}\t{policy}\t{hashlib.sha256(output_file(img, dtype)).hexdigest()}")
    with open(f"{CLI_OUT}/expected.tsv", "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
