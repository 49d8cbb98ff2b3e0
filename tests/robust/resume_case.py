#!/usr/bin/env python3
"""An interrupted run, then --resume: the frames equal an uninterrupted run's.

resume_case.py --mpiexec M [--np-flag -n] [--mpiexec-flags F] --np P
               --tool T --py-dir tests/py --work DIR --mode MODE

MODE kill-writing: rank 0 is killed (SIGKILL, through the test hook
  VR_TEST_FAIL="0:kill:volumerender3.png") halfway through writing frame 3.
  Checks: frames 0-2 are whole, frame 3 exists only as a temporary (so the
  kill did land mid-write) and nothing else; the float output (-f) exists
  only as its temporary; --resume renders exactly
  angles 3-9 and removes the temporary; a second --resume renders nothing;
  a frame cut short by hand is redone by the next --resume.
MODE sigterm: mpirun and the ranks get SIGTERM (what SLURM sends at the
  time limit) once a few frames exist, as a requeued job would see it.  Checks: every PNG
  left is whole; --resume finishes the orbit.
Both: the final frames equal, pixel for pixel, those of an uninterrupted
run, and no temporary file is left.  Exit status 0 pass, 1 fail.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
from PIL import Image

from robust_util import children, png_is_whole

TMP = re.compile(r"^\..*\.tmp\.\d+$")


class Runner:
    def __init__(self, a):
        self.a = a
        self.flags = [f for f in a.mpiexec_flags.replace(";", " ").split() if f]

    def command(self, args):
        return ([self.a.mpiexec, self.a.np_flag, str(self.a.np)] + self.flags +
                [self.a.tool] + args)

    def run(self, args, env=None, timeout=120):
        cmd = self.command(args)
        print("+ " + " ".join(cmd), flush=True)
        r = subprocess.run(cmd, cwd=self.a.work, env=env, capture_output=True,
                           text=True, timeout=timeout)
        sys.stdout.write(r.stdout[-2000:] + r.stderr[-2000:])
        return r


def scenes(stdout):
    """Angle indices rank 0 said it rendered ("Rendering Scene n+1 of A.")."""
    return [int(m) - 1 for m in re.findall(r"Rendering Scene (\d+) of \d+\.", stdout)]


def listing(folder):
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def frame_names(first, last):
    return [f"volumerender{n}.png" for n in range(first, last + 1)]


def compare_frames(out, ref, names):
    problems = []
    for name in names:
        a = np.asarray(Image.open(os.path.join(out, name)))
        b = np.asarray(Image.open(os.path.join(ref, name)))
        if a.shape != b.shape or not np.array_equal(a, b):
            problems.append(f"{name} differs from the uninterrupted run's")
    return problems


def kill_writing(a, run, base, angles):
    """Killed mid-write of frame 3, then resumed (see the module text)."""
    problems = []
    env = dict(os.environ, VR_TEST_FAIL="0:kill:volumerender3.png")
    r = run.run(base + ["-q", "-f", "float.h5"], env=env)
    if r.returncode == 0:
        problems.append("the killed run exited 0")
    floats = [n for n in listing(a.work) if "float.h5" in n]
    if len(floats) != 1 or not TMP.match(floats[0]):
        problems.append(f"the float output after the kill: {floats}, expected only its "
                        "temporary (never a partial float.h5)")
    found = listing(os.path.join(a.work, "out"))
    temps = [n for n in found if TMP.match(n)]
    finals = [n for n in found if not TMP.match(n)]
    if finals != sorted(["projection.png"] + frame_names(0, 2)):
        problems.append(f"after the kill out/ holds {finals}, expected frames 0-2")
    if len(temps) != 1 or not temps[0].startswith(".volumerender3.png.tmp."):
        problems.append(f"expected the temporary of frame 3 only, found {temps}")
    problems += [f"out/{n} is not a whole PNG" for n in finals
                 if not png_is_whole(os.path.join(a.work, "out", n))]

    r = run.run(base + ["--resume"])
    if r.returncode != 0 or scenes(r.stdout) != list(range(3, angles)):
        problems.append(f"--resume: exit {r.returncode}, rendered {scenes(r.stdout)}, "
                        f"expected angles 3 to {angles - 1}")
    r = run.run(base + ["--resume"])
    if r.returncode != 0 or scenes(r.stdout):
        problems.append(f"second --resume: exit {r.returncode}, rendered "
                        f"{scenes(r.stdout)}, expected nothing")
    cut = os.path.join(a.work, "out", "volumerender5.png")
    with open(cut, "rb") as f:
        data = f.read()
    with open(cut, "wb") as f:
        f.write(data[:len(data) // 2])
    r = run.run(base + ["--resume"])
    if r.returncode != 0 or scenes(r.stdout) != [5]:
        problems.append(f"--resume after cutting frame 5: exit {r.returncode}, "
                        f"rendered {scenes(r.stdout)}, expected [5]")
    return problems


def terminate_job(p):
    """SIGTERM to mpirun and to the ranks at once, as SLURM signals every
    process of a job at its time limit (mpirun alone would let the ranks run
    on for a second before it stops them)."""
    for pid in [p.pid] + children(p.pid):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


def sigterm(a, run, base, angles):
    """SIGTERM to the job once a few frames exist, then resumed."""
    problems = []
    out = os.path.join(a.work, "out")
    cmd = run.command(base + ["-q"])
    print("+ " + " ".join(cmd) + "   (SIGTERM after 5 frames)", flush=True)
    p = subprocess.Popen(cmd, cwd=a.work, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while p.poll() is None and time.monotonic() < deadline:
        if sum(n.startswith("volumerender") for n in listing(out)) >= 5:
            terminate_job(p)
            break
        time.sleep(0.005)
    try:
        text, _ = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        return ["the run did not end within 60 s of SIGTERM"]
    sys.stdout.write(text[-2000:])
    done = [n for n in listing(out) if n.startswith("volumerender")]
    print(f"resume_case: {len(done)} of {angles} frames existed after SIGTERM "
          f"(exit {p.returncode})")
    if len(done) == angles:
        print("resume_case: note: the run finished before the signal landed")
    problems += [f"out/{n} is not a whole PNG after SIGTERM" for n in listing(out)
                 if not TMP.match(n) and not png_is_whole(os.path.join(out, n))]
    r = run.run(base + ["--resume"])
    if r.returncode != 0:
        problems.append(f"--resume: exit {r.returncode}")
    return problems


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mpiexec", required=True)
    p.add_argument("--np-flag", default="-n")
    p.add_argument("--mpiexec-flags", default="")
    p.add_argument("--np", type=int, required=True)
    p.add_argument("--tool", required=True)
    p.add_argument("--py-dir", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--mode", choices=("kill-writing", "sigterm"), required=True)
    a = p.parse_args()
    a.work = os.path.abspath(a.work)
    a.tool = os.path.abspath(a.tool)
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    subprocess.run([sys.executable, os.path.join(a.py_dir, "make_test_cube.py"),
                    "--out", os.path.join(a.work, "cube.h5")], check=True,
                   stdout=subprocess.DEVNULL)
    angles, size = (10, 32) if a.mode == "kill-writing" else (160, 256)
    common = ["-i", "cube.h5", "-N", str(size), "-a", str(angles)]
    run = Runner(a)
    r = run.run(common + ["-o", "ref", "-q"])
    if r.returncode != 0:
        print("resume_case: FAIL: the uninterrupted run failed")
        return 1
    base = common + ["-o", "out"]
    problems = (kill_writing if a.mode == "kill-writing" else sigterm)(a, run, base, angles)
    out = os.path.join(a.work, "out")
    names = ["projection.png"] + frame_names(0, angles - 1)
    if listing(out) != sorted(names):
        problems.append(f"out/ finally holds {len(listing(out))} files: "
                        f"{[n for n in listing(out) if n not in names]} extra")
    else:
        problems += compare_frames(out, os.path.join(a.work, "ref"), names)
    for q in problems:
        print(f"resume_case: FAIL {a.mode}: {q}")
    if not problems:
        print(f"resume_case: PASS {a.mode} at np {a.np}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
