#!/usr/bin/env python3
"""Check the PNG output of volrender_mpi.

Frames:
  check_png.py --frames DIR [--prefix volumerender] [--count 10] [--first 0] [--size N]
               [--against-float FILE.h5] [--compare-dir OTHER_DIR] [--max-diff 1]
    Each DIR/<prefix><n>.png (n = first .. first+count-1) must exist and be an
    N x N, 8-bit RGB PNG (IHDR bit depth 8, colour type 2, PIL mode 'RGB').
    --against-float: frames are taken from /angle_index of the float file
      (frame f <-> <prefix><angle_index[f]>.png; N from /rgb), and every pixel must
      equal round(255 * clip(rgb, 0, 1)) within --max-diff levels.
    --compare-dir: the same file names in OTHER_DIR must be valid too and differ
      from DIR's by at most --max-diff levels.

Projection:
  check_png.py --projection FILE.png --against-float FILE.h5 [--max-diff 1]
    FILE.png must be an Ny x Nz 8-bit RGB PNG equal (within --max-diff) to
    matplotlib's viridis(clip((P + 5) / 10, 0, 1), bytes=True), P = /projection;
    -inf / NaN P map to x = 0 (lowest colour).  Because the float file stores P as
    float32 while the renderer bins in double, a pixel whose x lies within 1e-6 of
    a bin edge (x*256 integer) may also match the neighbouring entry; such pixels
    are counted and reported.

--frames and --projection may be combined.
Exit codes: 0 all checks pass, 1 a check failed, 2 usage error.
"""
import argparse
import os
import struct
import sys

import numpy as np

PNG_SIG = b"\x89PNG\r\n\x1a\n"
COLOUR_TYPES = {0: "grey", 2: "RGB", 3: "palette", 4: "grey+alpha", 6: "RGBA"}


class Checker:
    def __init__(self):
        self.failures = 0

    def fail(self, msg):
        self.failures += 1
        print("FAIL " + msg)

    def ok(self, msg):
        print("OK   " + msg)


def read_rgb_png(path, chk, expect_hw=None):
    """Validate and load an 8-bit RGB PNG; returns uint8 (H, W, 3) or None."""
    from PIL import Image
    if not os.path.isfile(path):
        chk.fail(f"{path}: missing")
        return None
    with open(path, "rb") as fh:
        head = fh.read(33)
    if len(head) < 33 or head[:8] != PNG_SIG or head[12:16] != b"IHDR":
        chk.fail(f"{path}: not a PNG file")
        return None
    w, h, depth, ctype = struct.unpack(">IIBB", head[16:26])
    if depth != 8 or ctype != 2:
        chk.fail(f"{path}: bit depth {depth}, colour type {ctype} "
                 f"({COLOUR_TYPES.get(ctype, '?')}); expected 8-bit RGB (colour type 2)")
        return None
    try:
        with Image.open(path) as im:
            im.load()
            if im.mode != "RGB":
                chk.fail(f"{path}: PIL mode {im.mode}, expected RGB")
                return None
            arr = np.asarray(im, dtype=np.uint8)
    except Exception as e:  # corrupt data, truncated file ...
        chk.fail(f"{path}: cannot decode: {e}")
        return None
    if arr.shape[2:] != (3,) or (expect_hw is not None and arr.shape[:2] != tuple(expect_hw)):
        want = f"{expect_hw[0]} rows x {expect_hw[1]} columns" if expect_hw else "RGB"
        chk.fail(f"{path}: image is {arr.shape[0]} rows x {arr.shape[1]} columns, expected {want}")
        return None
    return arr


def expected_frame_u8(C):
    """round(255 * clip(C, 0, 1)); C >= 0 so floor(x + 0.5) is round-half-up."""
    C = np.asarray(C, dtype=np.float64)
    return np.floor(255.0 * np.clip(C, 0.0, 1.0) + 0.5).astype(np.int64)


def diff_report(got, want):
    d = np.abs(got.astype(np.int64) - want.astype(np.int64))
    k = int(np.argmax(d))
    where = np.unravel_index(k, d.shape)
    return int(d.reshape(-1)[k]), tuple(int(i) for i in where), int((d > 0).sum())


def viridis_lut():
    import matplotlib
    try:
        cmap = matplotlib.colormaps["viridis"]
    except AttributeError:
        from matplotlib import cm
        cmap = cm.get_cmap("viridis")
    return cmap, cmap(np.arange(cmap.N), bytes=True)[:, :3].astype(np.int64)


def check_projection(png, h5, max_diff, chk):
    import h5py
    with h5py.File(h5, "r") as h:
        if "projection" not in h:
            chk.fail(f"{h5}: no /projection dataset")
            return
        P = h["projection"][...].astype(np.float64)
    if P.ndim != 2:
        chk.fail(f"{h5}: /projection has shape {P.shape}, expected 2-D")
        return
    img = read_rgb_png(png, chk, expect_hw=P.shape)
    if img is None:
        return
    cmap, lut = viridis_lut()
    with np.errstate(invalid="ignore"):
        x = np.clip((P + 5.0) / 10.0, 0.0, 1.0)
    x = np.where(np.isnan(x), 0.0, x)
    want = cmap(x, bytes=True)[..., :3].astype(np.int64)
    # (matplotlib bins x as min(int(x*256), 255)); neighbours for values within eps of a bin edge
    eps = 1e-6
    idx_lo = np.minimum((np.clip(x - eps, 0, 1) * 256).astype(np.int64), 255)
    idx_hi = np.minimum((np.clip(x + eps, 0, 1) * 256).astype(np.int64), 255)
    got = img.astype(np.int64)
    d0 = np.abs(got - want).max(axis=-1)
    dlo = np.abs(got - lut[idx_lo]).max(axis=-1)
    dhi = np.abs(got - lut[idx_hi]).max(axis=-1)
    dbest = np.minimum(d0, np.minimum(dlo, dhi))
    n_edge = int(((d0 > max_diff) & (dbest <= max_diff)).sum())
    k = int(np.argmax(dbest))
    where = np.unravel_index(k, dbest.shape)
    md = int(dbest[where])
    msg = (f"{png}: {P.shape[0]}x{P.shape[1]} vs viridis(P) from {h5}: max diff {md} at row/col "
           f"{tuple(int(i) for i in where)} (P={P[where]!r}, got {got[where].tolist()}, "
           f"want {want[where].tolist()}); exact-match max diff {int(d0.max())}; "
           f"{n_edge} pixel(s) matched via bin-edge neighbour; "
           f"{int(np.isneginf(P).sum())} -inf, {int(np.isnan(P).sum())} NaN in P")
    (chk.ok if md <= max_diff else chk.fail)(msg)


def check_frames(a, chk):
    names = None
    want_rgb = None
    N = a.size
    if a.against_float:
        import h5py
        with h5py.File(a.against_float, "r") as h:
            for dn in ("rgb", "angle_index"):
                if dn not in h:
                    chk.fail(f"{a.against_float}: no /{dn} dataset")
                    return
            want_rgb = h["rgb"][...]
            ai = h["angle_index"][...]
        if want_rgb.ndim != 4 or want_rgb.shape[3] != 3 or want_rgb.shape[1] != want_rgb.shape[2] \
                or ai.shape != (want_rgb.shape[0],):
            chk.fail(f"{a.against_float}: /rgb shape {want_rgb.shape} / angle_index shape {ai.shape} "
                     f"not (F,N,N,3) / (F,)")
            return
        if N is not None and N != want_rgb.shape[1]:
            chk.fail(f"--size {N} but {a.against_float} has N = {want_rgb.shape[1]}")
        N = want_rgb.shape[1]
        if a.count is not None and a.count != len(ai):
            chk.fail(f"--count {a.count} but {a.against_float} has {len(ai)} frames")
        numbers = [int(n) for n in ai]
    else:
        count = 10 if a.count is None else a.count
        numbers = list(range(a.first, a.first + count))
    names = [f"{a.prefix}{n}.png" for n in numbers]
    hw = (N, N) if N is not None else None
    worst_f = worst_c = 0
    for f, name in enumerate(names):
        path = os.path.join(a.frames, name)
        img = read_rgb_png(path, chk, hw)
        if img is None:
            continue
        if hw is None:
            if img.shape[0] != img.shape[1]:
                chk.fail(f"{path}: not square ({img.shape[0]}x{img.shape[1]})")
                continue
        line = f"{path}: {img.shape[0]}x{img.shape[1]} RGB8"
        good = True
        if want_rgb is not None:
            md, where, nd = diff_report(img, expected_frame_u8(want_rgb[f]))
            worst_f = max(worst_f, md)
            line += f"; vs float frame {f}: max diff {md} at {where}, {nd} value(s) differ"
            good &= md <= a.max_diff
        if a.compare_dir:
            other = read_rgb_png(os.path.join(a.compare_dir, name), chk, img.shape[:2])
            if other is None:
                continue
            md, where, nd = diff_report(img, other)
            worst_c = max(worst_c, md)
            line += f"; vs {a.compare_dir}: max diff {md} at {where}, {nd} value(s) differ"
            good &= md <= a.max_diff
        (chk.ok if good else chk.fail)(line)
    extra = os.path.join(a.frames, f"{a.prefix}{max(numbers) + 1}.png") if numbers else None
    if extra and os.path.exists(extra):
        print(f"note: {extra} exists beyond the expected frames")
    summary = f"{len(names)} frame(s) in {a.frames}"
    if want_rgb is not None:
        summary += f"; worst diff vs float {worst_f}"
    if a.compare_dir:
        summary += f"; worst diff vs {a.compare_dir} {worst_c}"
    print("frames: " + summary)


def main(argv=None):
    p = argparse.ArgumentParser(description="Check volrender_mpi PNG output (frames and projection).",
                                epilog="Exit codes: 0 pass, 1 check failed, 2 usage error.")
    p.add_argument("--frames", metavar="DIR", help="directory with <prefix><n>.png frames")
    p.add_argument("--prefix", default="volumerender", help="frame file prefix (default volumerender)")
    p.add_argument("--count", type=int, default=None,
                   help="number of frames (default 10, or all frames of --against-float)")
    p.add_argument("--first", type=int, default=0, help="first frame number without --against-float (default 0)")
    p.add_argument("--size", type=int, default=None, help="expected N (frames are N x N)")
    p.add_argument("--against-float", metavar="FILE.h5", help="float output (or reference_render.py output)")
    p.add_argument("--compare-dir", metavar="OTHER_DIR", help="compare frames with the same names in OTHER_DIR")
    p.add_argument("--projection", metavar="FILE.png", help="projection PNG to check (needs --against-float)")
    p.add_argument("--max-diff", type=int, default=1, help="max allowed difference in 8-bit levels (default 1)")
    a = p.parse_args(argv)
    if not a.frames and not a.projection:
        p.error("give --frames DIR and/or --projection FILE.png")
    if a.projection and not a.against_float:
        p.error("--projection needs --against-float FILE.h5")
    if a.frames is None and a.compare_dir:
        p.error("--compare-dir needs --frames")
    if a.count is not None and a.count < 1:
        p.error("--count must be >= 1")
    if a.size is not None and a.size < 1:
        p.error("--size must be >= 1")
    if a.max_diff < 0:
        p.error("--max-diff must be >= 0")
    if a.frames and not os.path.isdir(a.frames):
        print(f"FAIL frames directory {a.frames} does not exist")
        return 1
    if a.against_float and not os.path.isfile(a.against_float):
        print(f"FAIL float file {a.against_float} does not exist")
        return 1

    chk = Checker()
    if a.frames:
        check_frames(a, chk)
    if a.projection:
        check_projection(a.projection, a.against_float, a.max_diff, chk)
    print("check_png: " + ("PASS" if chk.failures == 0 else f"FAIL ({chk.failures} failure(s))"))
    return 0 if chk.failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
