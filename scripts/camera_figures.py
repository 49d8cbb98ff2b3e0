#!/usr/bin/env python3
"""Regenerates the README's camera pictures (docs/images/camera_*.png) with
the tool itself: each is a row of frames rendered by volrender_mpi, laid
out by matplotlib with the options as titles.

  python3 scripts/camera_figures.py [--build build] [--work /tmp/vr_camera_figures]
                                    [--out docs/images] [--np 2]

Makes its cubes with volrender_mkcube (256^3 and 200x256x120, seed 42):
  camera_orbit_z.png       --orbit-axis z --elevation 30 --orbit-degrees 360 -a 6
                           (--fit -s 320: the whole cube in view)
  camera_perspective.png   --perspective 40 --elevation 20 (three frames of
                           an orbit about y, fitted) next to the orthographic view
  camera_fit.png           a 200x256x120 cube: the default box against
                           --fit, about z with elevation 30
"""
import argparse
import os
import subprocess

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from PIL import Image  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p.add_argument("--build", default=os.path.join(root, "build"))
    p.add_argument("--work", default="/tmp/vr_camera_figures")
    p.add_argument("--out", default=os.path.join(root, "docs", "images"))
    p.add_argument("--np", type=int, default=2)
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    mpirun = ["mpirun", "-np", str(a.np)]
    if "Open MPI" in subprocess.run(["mpirun", "--version"], capture_output=True,
                                    text=True).stdout:
        mpirun += ["--oversubscribe"]
    tool = os.path.join(a.build, "volrender_mpi")

    def cube(shape):
        path = os.path.join(a.work, f"cube_{shape}.h5")
        if not os.path.exists(path):
            subprocess.run(mpirun + [os.path.join(a.build, "volrender_mkcube"), "-q", "-s",
                                     shape, "-o", path], check=True)
        return path

    def render(name, cube_path, opts):
        out = os.path.join(a.work, name)
        cmd = mpirun + [tool, "-q", "-i", cube_path, "-o", out] + opts
        print("+ " + " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)
        return out

    def frame(out, n):
        return Image.open(os.path.join(out, f"volumerender{n}.png"))

    def montage(path, panels, caption):
        """panels: [(image, title)] in one row."""
        fig, axes = plt.subplots(1, len(panels), figsize=(2.0 * len(panels), 2.35), dpi=100)
        for ax, (img, title) in zip(axes, panels):
            ax.imshow(img, interpolation="nearest")
            ax.set_title(title, fontsize=7)
            ax.axis("off")
        fig.suptitle(caption, fontsize=8, y=0.99)
        fig.tight_layout(rect=(0, 0, 1, 0.93))
        fig.savefig(path, facecolor="white")
        plt.close(fig)
        print("wrote " + path)

    c256 = cube("256")
    # 1. An orbit about z with elevation 30: a full turn in 6 frames.
    orbit = ["--orbit-axis", "z", "--elevation", "30", "--orbit-degrees", "360", "-a", "6",
             "-N", "160", "--fit", "-s", "320"]
    o = render("orbit_z", c256, orbit)
    montage(os.path.join(a.out, "camera_orbit_z.png"),
            [(frame(o, n), f"frame {n}: {60 * n} deg") for n in range(6)],
            " ".join(orbit) + "  (256^3 demo cube)")

    # 2. Perspective against orthographic, the same orbit about y.
    base = ["--orbit-axis", "y", "--elevation", "20", "--orbit-degrees", "360", "-a", "3",
            "-N", "200x150", "--fit", "-s", "320"]
    ortho = render("ortho_y", c256, base)
    persp = render("persp_y", c256, base + ["--perspective", "40"])
    montage(os.path.join(a.out, "camera_perspective.png"),
            [(frame(ortho, 0), "orthographic, frame 0")] +
            [(frame(persp, n), f"--perspective 40, frame {n}") for n in range(3)],
            " ".join(base) + "  (200 columns x 150 rows)")

    # 3. A non-cubic cube: the default box (N world units) against --fit.
    c_flat = cube("200x256x120")
    view = ["--orbit-axis", "z", "--elevation", "30", "--orbit-degrees", "360", "-a", "3",
            "-N", "160"]
    dflt = render("flat_default", c_flat, view)
    fit = render("flat_fit", c_flat, view + ["--fit", "-s", "320"])
    montage(os.path.join(a.out, "camera_fit.png"),
            [(frame(dflt, 0), "default box, frame 0"), (frame(dflt, 1), "default box, frame 1")]
            + [(frame(fit, n), f"--fit -s 320, frame {n}") for n in range(3)],
            "200x256x120 cube, " + " ".join(view))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
