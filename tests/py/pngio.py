"""A small pure-Python PNG reader and writer (zlib + struct), for what PIL
does not read faithfully: 16-bit RGB / RGBA.  Non-interlaced grey, RGB, grey
+ alpha and RGBA at bit depth 8 or 16 (every filter type); text chunks (tEXt,
zTXt, iTXt) are returned as a dict.  Each chunk's CRC is checked.
"""
import struct
import zlib

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}


class PngError(ValueError):
    pass


def _chunks(data):
    if data[:8] != SIGNATURE:
        raise PngError("not a PNG file (bad signature)")
    pos = 8
    while pos < len(data):
        if pos + 8 > len(data):
            raise PngError("truncated chunk header")
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if len(body) != n or pos + 12 + n > len(data):
            raise PngError(f"truncated {kind!r} chunk")
        crc, = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            raise PngError(f"bad CRC in {kind!r} chunk")
        yield kind, body
        pos += 12 + n
        if kind == b"IEND":
            return
    raise PngError("no IEND chunk")


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _unfilter(raw, h, stride, bpp):
    out = bytearray(h * stride)
    prev = bytearray(stride)
    pos = 0
    for y in range(h):
        ft = raw[pos]
        line = bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        if ft == 0:
            pass
        elif ft == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif ft == 2:
            a = np.frombuffer(bytes(line), np.uint8).astype(np.uint16)
            b = np.frombuffer(bytes(prev), np.uint8)
            line = bytearray(((a + b) & 0xFF).astype(np.uint8).tobytes())
        elif ft == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif ft == 4:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                upleft = prev[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + _paeth(left, prev[i], upleft)) & 0xFF
        else:
            raise PngError(f"bad filter type {ft} on row {y}")
        out[y * stride:(y + 1) * stride] = line
        prev = line
    return bytes(out)


def read(path):
    """Returns (pixels (H, W, C) uint8 or uint16, info dict, text dict)."""
    with open(path, "rb") as fh:
        data = fh.read()
    info, idat, text = None, [], {}
    for kind, body in _chunks(data):
        if kind == b"IHDR":
            w, h, depth, ctype, comp, filt, inter = struct.unpack(">IIBBBBB", body)
            info = {"width": w, "height": h, "bit_depth": depth, "color_type": ctype,
                    "interlace": inter}
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"tEXt":
            k, _, v = body.partition(b"\0")
            text[k.decode("latin-1")] = v.decode("latin-1")
        elif kind == b"zTXt":
            k, _, v = body.partition(b"\0")
            text[k.decode("latin-1")] = zlib.decompress(v[1:]).decode("latin-1")
        elif kind == b"iTXt":
            k, _, rest = body.partition(b"\0")
            cflag, _cmethod = rest[0], rest[1]
            rest = rest[2:]
            _lang, _, rest = rest.partition(b"\0")
            _tkey, _, v = rest.partition(b"\0")
            if cflag:
                v = zlib.decompress(v)
            text[k.decode("latin-1")] = v.decode("utf-8")
    if info is None:
        raise PngError("no IHDR chunk")
    if info["color_type"] not in CHANNELS or info["bit_depth"] not in (8, 16):
        raise PngError(f"unsupported colour type {info['color_type']} / depth {info['bit_depth']}")
    if info["interlace"]:
        raise PngError("interlaced PNG not supported")
    ch = CHANNELS[info["color_type"]]
    bpp = ch * info["bit_depth"] // 8
    stride = info["width"] * bpp
    raw = zlib.decompress(b"".join(idat))
    if len(raw) != info["height"] * (stride + 1):
        raise PngError(f"image data is {len(raw)} bytes, expected {info['height'] * (stride + 1)}")
    pix = _unfilter(raw, info["height"], stride, bpp)
    dt = np.uint8 if info["bit_depth"] == 8 else np.dtype(">u2")
    arr = np.frombuffer(pix, dtype=dt).reshape(info["height"], info["width"], ch)
    return arr.astype(np.uint8 if info["bit_depth"] == 8 else np.uint16), info, text


def _chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(
        ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def write(path, arr, text=None):
    """arr (H, W, 3 or 4), uint8 or uint16; text: dict of tEXt chunks."""
    arr = np.asarray(arr)
    h, w, ch = arr.shape
    ctype = {1: 0, 2: 4, 3: 2, 4: 6}[ch]
    depth = 16 if arr.dtype == np.uint16 else 8
    rows = arr.astype(">u2" if depth == 16 else np.uint8).reshape(h, -1).view(np.uint8)
    raw = b"".join(b"\0" + rows[y].tobytes() for y in range(h))
    out = [SIGNATURE, _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 0))]
    for k, v in (text or {}).items():
        out.append(_chunk(b"tEXt", k.encode("latin-1") + b"\0" + v.encode("latin-1")))
    out.append(_chunk(b"IDAT", zlib.compress(raw, 6)))
    out.append(_chunk(b"IEND", b""))
    with open(path, "wb") as fh:
        fh.write(b"".join(out))
