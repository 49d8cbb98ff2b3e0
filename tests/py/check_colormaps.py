#!/usr/bin/env python3
"""Checks the C colour maps (src/tf/colormap_data.c) against matplotlib.

Runs tests/unit/dump_colormaps for every map the C side names (and each
NAME_r), then requires: every table entry equal to matplotlib's own
lookup table (Colormap._lut) bit for bit; vr_colormap_bytes(x) equal to
matplotlib's Colormap(x, bytes=True) on two grids of x in [-1/16, 17/16]
and [-0.125, 1.125] (every k / 256 among them); and, with --generator
and --data, the committed colormap_data.c equal to what the generator
writes now (so the C side names exactly the generated maps).  NaN (the
lowest entry in C, matplotlib's "bad" colour) is checked by test_tf.

Usage: check_colormaps.py --dump PATH_TO_dump_colormaps
                          [--generator scripts/gen_colormaps.py --data src/tf/colormap_data.c]
Exit codes: 0 all equal, 1 a difference (printed), 2 usage.
"""
import argparse
import subprocess
import sys

import numpy as np
import matplotlib


def grid():
    a = [i / 2048.0 - 0.0625 for i in range(2305)]
    b = [(i - 500) / 4000.0 for i in range(5001)]
    return np.array(a + b, dtype=np.float64)


def parse(text):
    names, tables, bts = None, {}, {}
    cur, rows, kind = None, [], None
    for line in text.splitlines():
        if line.startswith("names "):
            names = line[6:]
            continue
        if line.startswith("table ") or line.startswith("bytes "):
            if cur is not None:
                (tables if kind == "table" else bts)[cur] = rows
            kind, cur, rows = line[:5], line[6:], []
            continue
        rows.append(line.split())
    if cur is not None:
        (tables if kind == "table" else bts)[cur] = rows
    return names, tables, bts


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dump", required=True, help="the dump_colormaps executable")
    p.add_argument("--generator", help="scripts/gen_colormaps.py")
    p.add_argument("--data", help="src/tf/colormap_data.c")
    a = p.parse_args()
    bad = 0
    if a.generator and a.data:
        fresh = subprocess.run([sys.executable, a.generator], capture_output=True, text=True,
                               check=True).stdout
        with open(a.data) as f:
            if f.read() != fresh:
                print(f"{a.data} is not what {a.generator} writes now: regenerate it")
                bad += 1
    first = subprocess.run([a.dump], capture_output=True, text=True, check=True).stdout
    names_text = first.splitlines()[0][6:]
    base = names_text.split(" (")[0].split(", ")
    names = base + [n + "_r" for n in base]
    out = subprocess.run([a.dump] + names, capture_output=True, text=True, check=True).stdout
    _, tables, bts = parse(out)
    x = grid()
    for n in names:
        cm = matplotlib.colormaps[n]
        cm._init()
        if cm.N != 256:
            print(f"{n}: matplotlib has {cm.N} entries, not 256")
            bad += 1
            continue
        lut = cm._lut[:256, :3]
        c = np.array([[float(v) for v in r] for r in tables[n]])
        if c.shape != (256, 3) or not np.array_equal(c, lut):
            d = np.argwhere(c != lut) if c.shape == (256, 3) else [[-1, -1]]
            print(f"{n}: table differs from matplotlib's at entry/channel {list(d[0])}")
            bad += 1
        want = cm(x, bytes=True)[:, :3].astype(int)
        got = np.array([[int(v) for v in r] for r in bts[n]])
        if got.shape != want.shape or not np.array_equal(got, want):
            i = int(np.argwhere((got != want).any(axis=1))[0][0]) if got.shape == want.shape else 0
            print(f"{n}: bytes at x = {x[i]!r}: C {list(got[i])}, matplotlib {list(want[i])}")
            bad += 1
    print(f"check_colormaps: {len(names)} maps (matplotlib {matplotlib.__version__}), "
          f"{len(x)} values of x each, {bad} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
