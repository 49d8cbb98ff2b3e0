#!/usr/bin/env python3
"""Orientation: a blob at a known world position lands on the pixel the
view predicts (in the spirit of yt's test_vr_orientation), so mirrored or
transposed images fail.  Expected directions are written out by hand from
SPEC for each view, not computed by the tool's code or the reference.

orientation.py --mpiexec M --tool T --work DIR
"""
import argparse
import json
import os
import shutil
import sys

import numpy as np

import launch

n = 41  # cube 41^3, world coordinates -20.5 .. 20.5
BLOB = np.array([8.0, 5.0, -3.0])
N = 48


def make_cube(path):
    import h5py
    g = np.linspace(-n / 2, n / 2, n)
    X, Y, Z = np.meshgrid(g, g, g, indexing="ij")
    r2 = (X - BLOB[0]) ** 2 + (Y - BLOB[1]) ** 2 + (Z - BLOB[2]) ** 2
    with h5py.File(path, "w") as f:
        f["density"] = (np.exp(9.0) * np.exp(-r2 / 4.0) + 1e-4).astype(np.float32)


# name, tool options, e_u, e_w (world directions of image rows / columns),
# eye distance d (0: orthographic) and e_v (for perspective magnification)
CASES = [
    ("reference orbit, frame 0", ["-a", "1"], (1, 0, 0), (0, 0, 1), 0, (0, 1, 0)),
    ("orbit about y, frame 0", ["-a", "1", "--orbit-axis", "y"], (0, 1, 0), (1, 0, 0), 0,
     (0, 0, 1)),
    ("orbit about z, start 90", ["-a", "1", "--orbit-axis", "z", "--orbit-start", "90"],
     (0, 0, 1), (-1, 0, 0), 0, (0, 1, 0)),
    ("orbit about x, elevation 90", ["-a", "1", "--elevation", "90"], (0, 1, 0), (0, 0, 1), 0,
     (-1, 0, 0)),
    ("list: look down -z, up +y", ["VIEWS", {"look": [0, 0, -1], "up": [0, 1, 0]}],
     (0, -1, 0), (1, 0, 0), 0, (0, 0, 1)),
    ("list: eye on +x, up +z, fov 40", ["VIEWS", {"position": [70, 0, 0], "up": [0, 0, 1],
                                                  "fov": 40}],
     (0, 0, -1), (0, 1, 0), 70, (1, 0, 0)),
]


def main():
    p = argparse.ArgumentParser()
    launch.add_launch_args(p)
    p.add_argument("--tool", required=True)
    p.add_argument("--work", required=True)
    a = p.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    cube = os.path.join(a.work, "blob.h5")
    make_cube(cube)
    import h5py
    failed = 0
    for i, (name, opts, eu, ew, d, ev) in enumerate(CASES):
        if opts[0] == "VIEWS":
            vf = os.path.join(a.work, f"view{i}.jsonl")
            with open(vf, "w") as f:
                f.write(json.dumps(opts[1]) + "\n")
            opts = ["--views", vf]
        flt = os.path.join(a.work, f"f{i}.h5")
        r = launch.run(a, 2, a.tool, ["-i", cube, "-N", str(N), "-q", "-o",
                                      os.path.join(a.work, f"o{i}"), "-f", flt] + opts)
        if r.returncode != 0:
            print(r.stderr)
            failed = 1
            continue
        with h5py.File(flt, "r") as f:
            alpha = 1.0 - f["transmittance"][0]
        # default box: N world units over N pixels; an eye given with a field
        # of view F spans W_u = 2 d tan(F / 2) (the one case here has F = 40)
        width = 2 * d * np.tan(np.radians(20.0)) if d else float(N)
        delta = width / (N - 1)
        u, w, v = (float(np.dot(BLOB, e)) for e in (eu, ew, ev))
        scale = 1.0 / (1.0 - v / d) if d else 1.0
        want = np.array([(u * scale + width / 2) / delta, (w * scale + width / 2) / delta])
        got = np.array(np.unravel_index(int(np.argmax(alpha)), alpha.shape), dtype=float)
        ok = bool(np.all(np.abs(got - want) <= 1.0))
        failed |= not ok
        print(f"{'OK  ' if ok else 'FAIL'} {name}: blob at row/col {got}, predicted "
              f"{np.round(want, 2)}")
    print("orientation: " + ("FAIL" if failed else "PASS"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
