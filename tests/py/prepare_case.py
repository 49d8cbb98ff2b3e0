#!/usr/bin/env python3
"""Fixture: make a test cube and render it with the reference implementation.

prepare_case.py --python PY --py-dir DIR --out-dir OUT --dataset PATH --N 32
                -- <make_test_cube.py options>
writes OUT/cube.h5 and OUT/ref.h5 (reference float output, all 10 angles).
"""
import argparse
import os
import subprocess
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--python", required=True)
    p.add_argument("--py-dir", required=True)
    p.add_argument("--out-dir", required=True)
    p.add_argument("--dataset", required=True)
    p.add_argument("--N", type=int, default=32)
    p.add_argument("cube_opts", nargs=argparse.REMAINDER)
    a = p.parse_args()
    opts = a.cube_opts[1:] if a.cube_opts[:1] == ["--"] else a.cube_opts
    os.makedirs(a.out_dir, exist_ok=True)
    cube = os.path.join(a.out_dir, "cube.h5")
    ref = os.path.join(a.out_dir, "ref.h5")
    steps = [
        [a.python, os.path.join(a.py_dir, "make_test_cube.py"), "--out", cube,
         "--dataset", a.dataset] + opts,
        [a.python, os.path.join(a.py_dir, "reference_render.py"), "--input", cube,
         "--dataset", a.dataset, "--N", str(a.N), "--out", ref, "--quiet"],
    ]
    for cmd in steps:
        print("+ " + " ".join(cmd), flush=True)
        r = subprocess.run(cmd)
        if r.returncode != 0:
            print(f"prepare_case: step failed with exit {r.returncode}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
