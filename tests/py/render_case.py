#!/usr/bin/env python3
"""Run volrender_mpi on NP ranks and check its output against a reference.

render_case.py --mpiexec M --np P --tool T --work DIR --ref REF.h5 --tol 1e-5
               -- <tool options>
Checks: exit 0; the float output matches REF within --tol; every frame PNG
is N x N 8-bit RGB and equals round(255 clip(rgb)) within one level; the
projection PNG matches viridis of the projection; no temporary files left.
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys

import launch

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    p = argparse.ArgumentParser()
    launch.add_launch_args(p)
    p.add_argument("--np", type=int, required=True)
    p.add_argument("--tool", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--ref", required=True)
    p.add_argument("--tol", type=float, default=1e-5)
    p.add_argument("tool_args", nargs=argparse.REMAINDER)
    a = p.parse_args()
    tool_args = a.tool_args[1:] if a.tool_args[:1] == ["--"] else a.tool_args
    shutil.rmtree(a.work, ignore_errors=True)
    out = os.path.join(a.work, "frames")
    flt = os.path.join(a.work, "float.h5")
    r = launch.run(a, a.np, a.tool, tool_args + ["-o", out, "-f", flt])
    sys.stdout.write(r.stdout)
    sys.stdout.write(r.stderr)
    if r.returncode != 0:
        print(f"render_case: FAIL: exit status {r.returncode}")
        return 1
    py = sys.executable
    checks = [
        [py, os.path.join(HERE, "compare_float.py"), a.ref, flt, "--tol", str(a.tol)],
        [py, os.path.join(HERE, "check_png.py"), "--frames", out, "--against-float", flt,
         "--projection", os.path.join(out, "projection.png")],
    ]
    failed = 0
    for cmd in checks:
        c = subprocess.run(cmd, capture_output=True, text=True)
        sys.stdout.write(c.stdout[-4000:])
        failed |= c.returncode != 0
    leftovers = glob.glob(os.path.join(out, ".*.tmp.*")) + glob.glob(
        os.path.join(a.work, ".*.tmp.*"))
    if leftovers:
        print(f"render_case: FAIL: temporary files left: {leftovers}")
        failed = 1
    print("render_case: " + ("FAIL" if failed else "PASS"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
