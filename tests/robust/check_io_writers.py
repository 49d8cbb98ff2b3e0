#!/usr/bin/env python3
"""Checks what test_io_writers wrote, with decoders of its own.

check_io_writers.py --tool build/tests/robust/test_io_writers --work DIR

Runs the tool into a fresh DIR, then:
  * decodes every PNG here (zlib and the five PNG filters in numpy, not
    libpng) and compares each sample with the conversion computed in numpy
    float32 from the float output of the same image: RGB clip(C + T B) over
    black and over B = (1, 0.5, 0.25), straight-alpha RGBA (alpha = 1 - T,
    colour C / alpha, 0 where alpha = 0), at 8 and 16 bits; exact equality;
  * the text chunks: their types (tEXt short ASCII, zTXt long ASCII, iTXt
    UTF-8) and their texts as PIL reads them (Image.text);
  * the float output: shapes for H x W images, angles, the attributes the
    tool added (a 1 MiB text, doubles, an int, a replaced text) and that
    the reference transfer function attributes are gone.
Exit status 0 pass, 1 fail.
"""
import argparse
import os
import shutil
import struct
import subprocess
import sys
import zlib

import numpy as np

H, W = 37, 41


def chunks(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "PNG signature"
    pos = 8
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert zlib.crc32(kind + body) == crc, f"CRC of {kind}"
        yield kind.decode("ascii"), body
        pos += 12 + n


def decode(path):
    """(array [H][W][channels] of uint8/uint16, {chunk type: [keywords]})."""
    with open(path, "rb") as f:
        data = f.read()
    idat, texts = b"", {}
    for kind, body in chunks(data):
        if kind == "IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == "IDAT":
            idat += body
        elif kind in ("tEXt", "zTXt", "iTXt"):
            texts.setdefault(kind, []).append(body.split(b"\0", 1)[0].decode("latin-1"))
    assert interlace == 0 and ctype in (2, 6) and depth in (8, 16)
    ch = 3 if ctype == 2 else 4
    bpp = ch * depth // 8
    raw = zlib.decompress(idat)
    stride = w * bpp
    out = np.zeros((h, stride), dtype=np.int32)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(h):
        line = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        ftype, cur = line[0], np.frombuffer(line[1:], dtype=np.uint8).astype(np.int32)
        rec = np.zeros(stride, dtype=np.int32)
        for x in range(stride):
            a = rec[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ftype == 0:
                pred = 0
            elif ftype == 1:
                pred = a
            elif ftype == 2:
                pred = b
            elif ftype == 3:
                pred = (a + b) // 2
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            else:
                raise AssertionError(f"filter type {ftype}")
            rec[x] = (cur[x] + pred) & 0xFF
        out[y], prev = rec, rec
    b = out.astype(np.uint8)
    if depth == 16:
        px = (b[:, 0::2].astype(np.uint16) << 8) | b[:, 1::2]
    else:
        px = b
    return px.reshape(h, w, ch), texts


def expected(C, T, bg, channels, depth):
    maxv = np.float32(65535.0 if depth == 16 else 255.0)
    one, zero = np.float32(1), np.float32(0)
    if channels == 3:
        v = np.clip(C + T[..., None] * np.asarray(bg, dtype=np.float32), zero, one)
    else:
        alpha = np.clip(one - T, zero, one)
        with np.errstate(divide="ignore", invalid="ignore"):
            col = np.where(alpha[..., None] > 0,
                           np.clip(C / alpha[..., None], zero, one), zero)
        v = np.concatenate([col, alpha[..., None]], axis=-1).astype(np.float32)
    return np.rint(maxv * v).astype(np.int64)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tool", required=True)
    p.add_argument("--work", required=True)
    a = p.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    if subprocess.run([a.tool, a.work]).returncode != 0:
        print("check_io_writers: FAIL test_io_writers")
        return 1
    import h5py
    from PIL import Image
    problems = []
    with h5py.File(os.path.join(a.work, "img.h5"), "r") as f:
        C = f["rgb"][0].astype(np.float32)
        T = f["transmittance"][0].astype(np.float32)
        if f["rgb"].shape != (2, H, W, 3) or f["transmittance"].shape != (2, H, W):
            problems.append(f"float shapes {f['rgb'].shape} {f['transmittance'].shape}")
        if not np.array_equal(f["rgb"][0], f["rgb"][1]):
            problems.append("the two frames differ")
        if f["angle_index"][...].tolist() != [3, 4] or f["theta"][...].tolist() != [0.25, 0.5]:
            problems.append("angle_index / theta")
        if f["projection"].shape != (5, 6) or f["projection"][0, 0] != -7.5:
            problems.append("projection")
        at = f.attrs
        long_text = at["long_text"].decode("ascii")
        want_long = "".join(chr(97 + i % 26) for i in range(1 << 20))
        if long_text != want_long:
            problems.append(f"long_text: {len(long_text)} characters, not the 1 MiB pattern")
        if at["tf_name"].decode("utf-8") != "r\u00e9placed":
            problems.append(f"tf_name {at['tf_name']!r}")
        if at["tf_values"].tolist() != [0.5, -1.25, 3e300, 0.0, 1.0 / 3.0]:
            problems.append(f"tf_values {at['tf_values']!r}")
        if int(np.asarray(at["tf_points"]).reshape(-1)[0]) != 42:
            problems.append("tf_points")
        if int(at["height"][0]) != H or int(at["width"][0]) != W:
            problems.append("height / width attributes")
        gone = [k for k in ("tf_centre", "tf_width2", "tf_mix", "transfer_function") if k in at]
        if gone:
            problems.append(f"reference transfer function attributes still written: {gone}")
        if "none" in at:
            problems.append("an attribute of 0 doubles was written")
    # test_io_writers.c: the JSON text and the other two.
    json = "{\"points\": [" + ", ".join(f"[{i}, 0.{(i * 37) % 1000:03d}]"
                                        for i in range(200)) + "]}"
    want_text = {"Software": "volrender_mpi test", "transfer_function": json,
                 "Description": "densit\u00e9 \u03c1 (UTF-8)"}
    want_kinds = {"tEXt": ["Software"], "zTXt": ["transfer_function"],
                  "iTXt": ["Description"]}
    cases = [("rgb8.png", (0, 0, 0), 3, 8), ("rgb16.png", (0, 0, 0), 3, 16),
             ("rgb8_bg.png", (1, .5, .25), 3, 8), ("rgb16_bg.png", (1, .5, .25), 3, 16),
             ("rgba8.png", None, 4, 8), ("rgba16.png", None, 4, 16)]
    for name, bg, ch, depth in cases:
        path = os.path.join(a.work, name)
        px, kinds = decode(path)
        want = expected(C, T, bg, ch, depth)
        if px.shape != want.shape:
            problems.append(f"{name}: shape {px.shape}, expected {want.shape}")
            continue
        bad = int((px.astype(np.int64) != want).sum())
        if bad:
            problems.append(f"{name}: {bad} samples differ from the numpy conversion")
        if kinds != want_kinds:
            problems.append(f"{name}: text chunks {kinds}, expected {want_kinds}")
        im = Image.open(path)
        im.load()
        if im.text != want_text:
            problems.append(f"{name}: PIL reads the texts as {im.text}")
        if depth == 8 and not np.array_equal(np.asarray(im), px):
            problems.append(f"{name}: PIL decodes other pixels than this decoder")
        print(f"check_io_writers: {name}: {px.shape[2]} x {depth} bits, "
              f"{int((want[..., -1] == 0).sum()) if ch == 4 else 0} transparent pixels")
    for msg in problems:
        print(f"check_io_writers: FAIL {msg}")
    if not problems:
        print("check_io_writers: PASS")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
