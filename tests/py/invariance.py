#!/usr/bin/env python3
"""Rank-count invariance: render at np = 1 .. MAX with every compositing
method (bswap, tree, radixk with --radix R, default 3 so that np <= 8
takes several rounds, mixed radices and folds: 4 = 2 x 2, 6 = 3 x 2,
8 = 2 x 2 x 2, 5 and 7 fold onto 4 and 6) and decomposition axes 0..2
(rotating through them), and require
float frames within 1e-6 of np = 1 and PNG frames (every file, any
shape, the same names and sizes) within one level.

invariance.py --mpiexec M --tool T --work DIR --max-np 8 -- <tool options>
"""
import argparse
import os
import shutil
import sys

import h5py
import numpy as np

import launch



def compare_pngs(out, base_dir):
    """'' if out holds the PNGs base_dir holds, each of the same size and
    within one level of it (any frame shape); else what differs."""
    from PIL import Image
    names = sorted(f for f in os.listdir(base_dir) if f.endswith(".png"))
    mine = sorted(f for f in os.listdir(out) if f.endswith(".png"))
    if not names or names != mine:
        return f"PNG files {mine} != {names}"
    for n in names:
        a = np.asarray(Image.open(os.path.join(out, n))).astype(int)
        b = np.asarray(Image.open(os.path.join(base_dir, n))).astype(int)
        if a.shape != b.shape:
            return f"{n}: shape {a.shape} != {b.shape}"
        d = int(np.max(np.abs(a - b)))
        if d > 1:
            return f"{n}: differs by {d} levels"
    return ""


def main():
    p = argparse.ArgumentParser()
    launch.add_launch_args(p)
    p.add_argument("--tool", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--max-np", type=int, default=8)
    p.add_argument("--tol", type=float, default=1e-6)
    p.add_argument("--radix", type=int, default=3, help="radixk's --radix")
    p.add_argument("tool_args", nargs=argparse.REMAINDER)
    a = p.parse_args()
    tool_args = a.tool_args[1:] if a.tool_args[:1] == ["--"] else a.tool_args
    shutil.rmtree(a.work, ignore_errors=True)
    methods = ["bswap", "tree", "radixk"]
    failed = 0
    base = None
    for n in range(1, a.max_np + 1):
        for m in methods:
            axis = (n + methods.index(m)) % 3
            tag = f"np{n}_{m}_axis{axis}"
            out = os.path.join(a.work, tag)
            flt = os.path.join(a.work, tag + ".h5")
            radix = ["--radix", str(a.radix)] if m == "radixk" else []
            r = launch.run(a, n, a.tool, tool_args + ["-o", out, "-f", flt, "-q",
                                                      "--composite", m, "--axis", str(axis)]
                           + radix)
            if r.returncode != 0:
                print(r.stdout + r.stderr)
                print(f"FAIL {tag}: exit {r.returncode}")
                failed = 1
                continue
            with h5py.File(flt, "r") as f:
                data = {k: f[k][()] for k in ("rgb", "transmittance")}
            if base is None:
                base = (tag, out, data)
                continue
            for k in data:
                d = float(np.max(np.abs(data[k] - base[2][k])))
                ok = d <= a.tol
                failed |= not ok
                print(f"{'OK  ' if ok else 'FAIL'} {tag} vs {base[0]}: {k} max diff {d:.3g}")
            bad = compare_pngs(out, base[1])
            if bad:
                print("FAIL " + tag + " vs " + base[0] + ": " + bad)
                failed = 1
            else:
                print(f"OK   {tag} vs {base[0]}: PNG frames within one level")
    print("invariance: " + ("FAIL" if failed else "PASS"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
