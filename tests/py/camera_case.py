#!/usr/bin/env python3
"""Camera checks beyond the reference comparison (view_case.py).

camera_case.py --mpiexec M [--np-flag -n] [--mpiexec-flags F] --tool T
               --work DIR --mode MODE [--cube CUBE.h5] [--nps 1,2,3]
               [--movie scripts/make_movie.sh] [--mkcube volrender_mkcube]

MODE movie (needs --cube, --movie): a 36-frame full orbit about z with
  elevation 20, -a 36 --orbit-degrees 360 (10-degree steps), 32 columns x
  24 rows, at np 2; scripts/make_movie.sh turns it into orbit.mp4 and
  orbit.gif.  Checked with ffprobe and ffmpeg: each movie has exactly 36
  frames of 32 x 24; every decoded GIF frame is closest to its own PNG
  (of all 36), and every decoded MP4 frame is within 12 levels (mean
  absolute difference) of its own PNG and closer to it than to the frame
  half a turn away; the float output's /camera/e_v of frame 18 is minus
  frame 0's in x and y (half a turn).  Skipped (77) without ffmpeg /
  ffprobe.
MODE rss (needs --mkcube): peak memory of the general kernel.  Makes a
  256^3 cube (64 MiB of float32) and renders an oblique orthographic view
  (--elevation 30 about z) and a perspective one (--perspective 40) at
  each of --nps along decomposition axis 0; the --timing record must name
  the general kernel and its peak RSS (the largest rank's, record field
  peak_rss_bytes.max) must be at most 2 x the smallest block a rank reads
  (its planes and ghost plane, decomp.c's rule) + 48 MiB: so every rank is
  within 2 x its own block + 48 MiB.
Exit status: 0 pass, 1 fail, 77 skipped.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

import numpy as np

import launch

SKIP = 77
MIB = 1048576


class Case:
    def __init__(self, a):
        self.a = a
        self.fails = []

    def path(self, *p):
        return os.path.join(self.a.work, *p)

    def need(self, cond, what):
        if not cond:
            self.fails.append(what)
            print("FAIL " + what, flush=True)
        return cond

    def run(self, np_, args):
        r = launch.run(self.a, np_, self.a.tool, args)
        if r.returncode != 0:
            sys.stdout.write(r.stdout + r.stderr)
        return r


def ffprobe(movie):
    """(frames counted by decoding, width, height) of the first video stream."""
    p = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                        "-show_entries", "stream=nb_read_frames,width,height", "-of",
                        "json", movie], capture_output=True, text=True, check=True)
    s = json.loads(p.stdout)["streams"][0]
    return int(s["nb_read_frames"]), int(s["width"]), int(s["height"])


def mode_movie(c):
    for exe in ("ffmpeg", "ffprobe"):
        if not shutil.which(exe):
            print(f"camera_case: SKIP: no {exe} (apt-get install ffmpeg)")
            return SKIP
    from PIL import Image
    import h5py
    W, H, A = 32, 24, 36
    out = c.path("orbit36")
    r = c.run(2, ["-i", c.a.cube, "-o", out, "-f", c.path("orbit36.h5"), "-q",
                  "--orbit-axis", "z", "--elevation", "20", "-a", str(A),
                  "--orbit-degrees", "360", "-N", f"{W}x{H}"])
    if not c.need(r.returncode == 0, f"orbit run: exit {r.returncode}"):
        return None
    pngs = [np.asarray(Image.open(os.path.join(out, f"volumerender{n}.png")))[..., :3]
            .astype(float) for n in range(A)]
    c.need(all(p.shape == (H, W, 3) for p in pngs), "PNG frames are not 24 rows x 32 columns")
    with h5py.File(c.path("orbit36.h5"), "r") as f:
        ev = f["camera/e_v"][...]
    c.need(ev.shape == (A, 3) and np.allclose(ev[18, :2], -ev[0, :2], atol=1e-12)
           and abs(ev[18, 2] - ev[0, 2]) < 1e-12,
           f"frame 18 is not half a turn from frame 0: e_v {ev[0]} and {ev[18]}")
    cmd = ["bash", c.a.movie, "-r", "12", out]
    print("+ " + " ".join(cmd), flush=True)
    m = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    sys.stdout.write(m.stdout + m.stderr)
    if not c.need(m.returncode == 0, f"make_movie.sh: exit {m.returncode}"):
        return None
    for ext in ("mp4", "gif"):
        movie = os.path.join(out, f"orbit.{ext}")
        if not c.need(os.path.exists(movie), f"no {movie}"):
            continue
        n, w, h = ffprobe(movie)
        c.need((n, w, h) == (A, W, H), f"{movie}: {n} frames of {w} x {h}, "
               f"expected {A} of {W} x {H}")
        raw = subprocess.run(["ffmpeg", "-v", "error", "-i", movie, "-f", "rawvideo",
                              "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
        frames = np.frombuffer(raw, np.uint8).reshape(-1, H, W, 3).astype(float)
        if not c.need(len(frames) == A, f"{movie}: decoded {len(frames)} frames"):
            continue
        diff = np.array([[np.abs(f - p).mean() for p in pngs] for f in frames])
        own = np.diag(diff)
        print(f"{movie}: mean |decoded - own PNG| max {own.max():.2f} levels, "
              f"to the opposite frame min {min(diff[k, (k + 18) % A] for k in range(A)):.2f}")
        if ext == "gif":
            closest = [int(np.argmin(row)) for row in diff]
            c.need(closest == list(range(A)), f"{movie}: decoded frames closest to PNGs "
                   f"{closest}, expected 0..35 in order")
        else:
            c.need(own.max() <= 12, f"{movie}: a frame differs from its PNG by "
                   f"{own.max():.1f} levels on average (> 12)")
            c.need(all(own[k] < diff[k, (k + 18) % A] for k in range(A)),
                   f"{movie}: a frame is closer to the opposite frame than to its own")
    return None


def block_bytes(dims, axis, rank, nranks):
    """Bytes of the block rank reads (decomp.c: owned planes + ghost plane)."""
    n = dims[axis]
    def start(r):
        q, rem = divmod(n, nranks)
        return q * r + (rem * r) // nranks
    lo, hi = start(rank), start(rank + 1)
    if lo == hi:
        return 0
    read_lo, read_hi = lo, min(hi + 1, n)
    if read_hi - read_lo < 2:
        read_lo = read_hi - 2
    other = dims[0] * dims[1] * dims[2] // n
    return (read_hi - read_lo) * other * 4


def mode_rss(c):
    dims = [256, 256, 256]
    cube = c.path("cube256.h5")
    mk = launch.command(c.a, 2, c.a.mkcube, ["-q", "-s", "256", "-o", cube])
    print("+ " + " ".join(mk), flush=True)
    if not c.need(subprocess.run(mk).returncode == 0, "volrender_mkcube failed"):
        return None
    views = {"oblique": ["--orbit-axis", "z", "--elevation", "30", "--orbit-degrees", "360"],
             "perspective": ["--orbit-axis", "z", "--elevation", "30", "--orbit-degrees", "360",
                             "--perspective", "40"]}
    for np_ in [int(x) for x in c.a.nps.split(",")]:
        smallest = min(block_bytes(dims, 0, r, np_) for r in range(np_))
        limit = 2 * smallest + 48 * MIB
        for name, opts in views.items():
            tag = f"np={np_} {name}"
            rec = c.path(f"np{np_}_{name}.jsonl")
            r = c.run(np_, ["-i", cube, "-o", c.path(f"np{np_}_{name}"), "-q", "--axis", "0",
                            "-N", "96", "-a", "2", "--timing", rec] + opts)
            if not c.need(r.returncode == 0, f"{tag}: exit {r.returncode}"):
                continue
            with open(rec) as f:
                record = json.loads(f.readline())
            c.need(record["params"]["kernel"] == "general",
                   f"{tag}: kernel {record['params']['kernel']}, expected general")
            rss = record["peak_rss_bytes"]["max"]
            ok = c.need(rss <= limit, f"{tag}: peak RSS {rss / MIB:.1f} MiB (rank "
                        f"{record['peak_rss_bytes']['max_rank']}) > 2 x block "
                        f"{smallest / MIB:.1f} MiB + 48 MiB = {limit / MIB:.1f} MiB")
            if ok:
                print(f"OK   {tag}: peak RSS {rss / MIB:.1f} MiB <= {limit / MIB:.1f} MiB "
                      f"(smallest block {smallest / MIB:.1f} MiB)")
    return None


MODES = {"movie": mode_movie, "rss": mode_rss}


def main():
    p = argparse.ArgumentParser()
    launch.add_launch_args(p)
    p.add_argument("--tool", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--mode", required=True, choices=sorted(MODES))
    p.add_argument("--cube")
    p.add_argument("--nps", default="1,2,3")
    p.add_argument("--movie")
    p.add_argument("--mkcube")
    a = p.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    c = Case(a)
    status = MODES[a.mode](c)
    if status == SKIP:
        return SKIP
    print("camera_case: " + ("FAIL" if c.fails else "PASS"))
    return 1 if c.fails else 0


if __name__ == "__main__":
    sys.exit(main())
