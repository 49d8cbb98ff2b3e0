#!/usr/bin/env python3
"""Render one view set with volrender_mpi at several rank counts, axes and
compositing methods and check it against reference_camera.py.

view_case.py --mpiexec M --tool T --work DIR --cube CUBE.h5 --dataset D
             --nps 1,2,3 [--axes 0,1,2] [--methods bswap,tree] [--tol 1e-5]
             -- <view options, given to both the tool and the reference>
Checks per run: exit 0; /rgb and /transmittance within --tol of the
reference; /camera/* equal to the reference's frames (1e-9); every frame
PNG is H rows x W columns and round(255 clip(rgb)) within one level; the
summary names the expected kernel (--kernel).
"""
import argparse
import os
import shutil
import subprocess
import sys

import numpy as np

import launch

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    p = argparse.ArgumentParser()
    launch.add_launch_args(p)
    p.add_argument("--tool", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--cube", required=True)
    p.add_argument("--dataset", default="density")
    p.add_argument("--nps", default="1,2,3")
    p.add_argument("--axes", default="0,1,2")
    p.add_argument("--methods", default="bswap,tree")
    p.add_argument("--tol", type=float, default=1e-5)
    p.add_argument("--kernel", default=None)
    p.add_argument("view_args", nargs=argparse.REMAINDER)
    a = p.parse_args()
    view = a.view_args[1:] if a.view_args[:1] == ["--"] else a.view_args
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    ref = os.path.join(a.work, "ref.h5")
    ref_args = []
    for i, t in enumerate(view):  # the tool's -a / --first-angle / --last-angle names
        ref_args.append({"-a": "--angles", "--first-angle": "--first",
                         "--last-angle": "--last", "-s": "--samples"}.get(t, t))
    r = subprocess.run([sys.executable, os.path.join(HERE, "reference_camera.py"), "--input",
                        a.cube, "--dataset", a.dataset, "--out", ref] + ref_args,
                       capture_output=True, text=True)
    if r.returncode != 0:
        print(r.stdout + r.stderr)
        print("view_case: FAIL: the reference failed")
        return 1
    import h5py
    from PIL import Image
    with h5py.File(ref, "r") as f:
        want = {k: f[k][...] for k in ("rgb", "transmittance", "angle_index")}
        want_cam = {k: f["camera/" + k][...] for k in f["camera"]}
    failed = 0
    for np_ in [int(x) for x in a.nps.split(",")]:
        for axis in a.axes.split(","):
            for method in a.methods.split(","):
                tag = f"np={np_} axis={axis} {method}"
                out = os.path.join(a.work, f"np{np_}_a{axis}_{method}")
                flt = out + ".h5"
                r = launch.run(a, np_, a.tool, ["-i", a.cube, "-d", a.dataset, "-o", out,
                                                "-f", flt, "--axis", axis, "--composite",
                                                method] + view)
                if r.returncode != 0:
                    print(r.stdout + r.stderr)
                    print(f"FAIL {tag}: exit status {r.returncode}")
                    failed = 1
                    continue
                if a.kernel and f"kernel: {a.kernel}" not in r.stdout:
                    print(r.stdout)
                    print(f"FAIL {tag}: the summary does not name kernel {a.kernel}")
                    failed = 1
                with h5py.File(flt, "r") as f:
                    for k in ("rgb", "transmittance"):
                        got = f[k][...]
                        if got.shape != want[k].shape:
                            print(f"FAIL {tag}: {k} shape {got.shape}, reference {want[k].shape}")
                            failed = 1
                            continue
                        d = float(np.max(np.abs(got.astype(np.float64) - want[k])))
                        ok = d <= a.tol
                        failed |= not ok
                        print(f"{'OK  ' if ok else 'FAIL'} {tag}: {k} max diff {d:.3g}")
                    if not np.array_equal(f["angle_index"][...], want["angle_index"]):
                        print(f"FAIL {tag}: angle_index differs")
                        failed = 1
                    for k, x in want_cam.items():
                        d = float(np.max(np.abs(f["camera/" + k][...] - x)))
                        if not d <= 1e-9 * max(1.0, float(np.max(np.abs(x)))):
                            print(f"FAIL {tag}: /camera/{k} differs by {d:.3g}")
                            failed = 1
                    rgb = f["rgb"][...]
                    for fi, n in enumerate(f["angle_index"][...]):
                        img = np.asarray(Image.open(os.path.join(out, f"volumerender{n}.png")))
                        exp = np.floor(255 * np.clip(rgb[fi], 0, 1) + 0.5)
                        if img.shape[:2] != rgb.shape[1:3] or \
                                np.max(np.abs(img[..., :3].astype(float) - exp)) > 1:
                            print(f"FAIL {tag}: frame {n} PNG {img.shape} does not match "
                                  f"the floats {rgb.shape[1:3]}")
                            failed = 1
    print("view_case: " + ("FAIL" if failed else "PASS"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
