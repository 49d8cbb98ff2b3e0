#!/usr/bin/env python3
"""Time series: several inputs in one launch of volrender_mpi.

series_case.py --mpiexec M [--np-flag -n] [--mpiexec-flags F] --np P
               --tool T --py-dir tests/py --work DIR --mode MODE
               [--movie scripts/make_movie.sh]

Snapshot cubes are 24^3 (make_test_cube.py, a seed each); runs are N = 32,
6 angles, in DIR with relative paths (so the lines to check are exact).
MODE equal_general: the same through the general kernel.
MODE equal: three snapshots as -i A -i B -i C (with -f and --timing) equal
  three single runs of A, B and C bit for bit: every frame's and the
  projection's pixels, the float output's datasets and attributes; the
  layout is OUT/<stem>/ with exactly the usual files; the records are one
  per snapshot (index, count, input, stem, read_ahead) and rank 0 prints
  "Snapshot k of K: PATH" before that snapshot's "Rendering Scene" lines.
  The same with --no-read-ahead: the same bits, records say read_ahead false.
MODE glob: files snap_2, snap_10, snap_1 (made in that order) through the
  pattern 'snaps/snap_*.h5': rendered in natural order 1, 2, 10 (progress
  lines, records, folders); a pattern matching one file is a series too;
  a pattern matching nothing is refused with one line naming it.
MODE list: @LIST (in a sub-folder) with comments, blank lines, spaces
  around a path, no final newline, paths relative to the current folder
  and an absolute one: rendered in the list's order (not sorted), the same
  pixels as the paths given one by one; a one-entry list is a series; a
  list and a plain -i mix.
MODE resume: snapshot 1 rendered alone (a one-entry list), then the
  three-snapshot series with --resume is killed halfway through writing
  frame 3 of snapshot 2 (VR_TEST_FAIL="0:kill:volumerender3.png", which
  snapshot 1, being finished and skipped, does not write); --resume then
  renders exactly frames 3-5 of snapshot 2 and all of snapshot 3, leaves
  snapshot 1's files untouched, and the records say frames_skipped; a
  second --resume renders nothing; the result equals an uninterrupted
  series pixel for pixel, with no temporary left.
MODE refusals: a missing second file, another shape, a missing dataset and
  two inputs with the same stem are refused before anything is written:
  every rank exits 1, rank 0 prints the one expected line, no output
  folder, no timing file.
MODE movie: scripts/make_movie.sh -A 1 over a three-snapshot series: the
  MP4 and the GIF have one frame per snapshot, in natural order (each
  decoded frame is closest to its own snapshot's PNG).  Skipped (77)
  without ffmpeg / ffprobe.
Exit status: 0 pass, 1 fail, 77 skipped.
"""
import argparse
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys

import h5py
import numpy as np
from PIL import Image

from launch import add_launch_args, command

SKIP = 77
ANGLES = 6
COMMON = ["-N", "32", "-a", str(ANGLES)]
FRAMES = [f"volumerender{n}.png" for n in range(ANGLES)]
TMP = re.compile(r"^\..*\.tmp\.\d+$")
ERR = "volrender_mpi: error: "


class Case:
    def __init__(self, a):
        self.a = a
        self.problems = []

    def fail(self, msg):
        print(f"series_case: FAIL: {msg}", flush=True)
        self.problems.append(msg)

    def need(self, cond, msg):
        if not cond:
            self.fail(msg)
        return cond

    def path(self, *parts):
        return os.path.join(self.a.work, *parts)

    def cube(self, name, seed, shape="24,24,24", dataset="density"):
        """Makes snaps/NAME (relative to the work folder); returns its path."""
        rel = os.path.join("snaps", name)
        os.makedirs(os.path.dirname(self.path(rel)), exist_ok=True)
        subprocess.run([sys.executable, os.path.join(self.a.py_dir, "make_test_cube.py"),
                        "--out", self.path(rel), "--shape", shape, "--seed", str(seed),
                        "--dataset", dataset], check=True, stdout=subprocess.DEVNULL)
        return rel

    def run(self, args, env=None, np_=None, timeout=180):
        cmd = command(self.a, np_ or self.a.np, self.a.tool, args)
        print("+ " + " ".join(shlex.quote(c) for c in cmd), flush=True)
        r = subprocess.run(cmd, cwd=self.a.work, capture_output=True, text=True,
                           timeout=timeout, env=dict(os.environ, **(env or {})))
        sys.stdout.write(r.stdout[-1500:] + r.stderr[-1500:])
        return r


# ---- what a run says and leaves ---------------------------------------------------
def progress(stdout):
    """[(k, K, path, [angles rendered])] from rank 0's progress lines."""
    out = []
    for line in stdout.splitlines():
        m = re.fullmatch(r"Snapshot (\d+) of (\d+): (.*)", line)
        if m:
            out.append((int(m[1]), int(m[2]), m[3], []))
            continue
        m = re.fullmatch(r"Rendering Scene (\d+) of \d+\.", line)
        if m and out:
            out[-1][3].append(int(m[1]) - 1)
    return out


def tool_lines(stderr):
    """stderr without Open MPI's own boxed notes (a rank exited non-zero)."""
    out, boxed = [], False
    for line in stderr.splitlines():
        if re.fullmatch(r"-{20,}", line):
            boxed = not boxed
        elif not boxed:
            out.append(line)
    return out


def scenes(stdout):
    return [int(m) - 1 for m in re.findall(r"Rendering Scene (\d+) of \d+\.", stdout)]


def records(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def stem(path):
    return os.path.splitext(os.path.basename(path))[0]


def listing(folder):
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def pixels(path):
    return np.asarray(Image.open(path))


def same_pixels(c, a, b, what):
    for name in FRAMES + ["projection.png"]:
        pa, pb = os.path.join(a, name), os.path.join(b, name)
        if not (os.path.exists(pa) and os.path.exists(pb)):
            c.fail(f"{what}: {name} missing ({pa}: {os.path.exists(pa)}, "
                   f"{pb}: {os.path.exists(pb)})")
            continue
        x, y = pixels(pa), pixels(pb)
        c.need(x.shape == y.shape and np.array_equal(x, y),
               f"{what}: {name} differs ({pa} vs {pb})")


def same_floats(c, a, b, what):
    """Every dataset bit for bit (NaN patterns included) and every attribute,
    groups included."""
    def objects(f):
        found = {"/": f}
        f.visititems(lambda name, obj: found.setdefault("/" + name, obj) and None)
        return found
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        oa, ob = objects(fa), objects(fb)
        if not c.need(sorted(oa) == sorted(ob), f"{what}: objects {sorted(oa)} vs {sorted(ob)}"):
            return
        for n in sorted(oa):
            x, y = oa[n], ob[n]
            if isinstance(x, h5py.Dataset):
                if not c.need(isinstance(y, h5py.Dataset), f"{what}: {n} is not a dataset"):
                    continue
                u, v = x[()], y[()]
                c.need(u.dtype == v.dtype and u.shape == v.shape and
                       u.tobytes() == v.tobytes(), f"{what}: {n} differs")
            ka, kb = sorted(x.attrs.keys()), sorted(y.attrs.keys())
            if not c.need(ka == kb, f"{what}: {n} attributes {ka} vs {kb}"):
                continue
            for k in ka:
                u, v = x.attrs[k], y.attrs[k]
                c.need(np.array_equal(np.asarray(u), np.asarray(v)),
                       f"{what}: {n} attribute {k}: {u!r} vs {v!r}")


def check_series(c, r, out, inputs, rec_path=None, extra=(), rendered=None):
    """A finished series run: exit 0, progress lines, layout, records.
    rendered: {k: angles expected rendered} (default: every angle)."""
    if not c.need(r.returncode == 0, f"series run exit {r.returncode}"):
        return []
    K = len(inputs)
    prog = progress(r.stdout)
    want = [(k + 1, K, p, rendered.get(k, []) if rendered else list(range(ANGLES)))
            for k, p in enumerate(inputs)]
    c.need(prog == want, f"progress: {prog}, expected {want}")
    stems = [stem(p) for p in inputs]
    c.need(listing(out) == sorted(stems + list(extra)),
           f"{out} holds {listing(out)}, expected the folders {sorted(stems)}")
    for s in stems:
        left = [n for n in listing(os.path.join(out, s)) if TMP.match(n)]
        c.need(not left, f"{out}/{s}: temporaries left: {left}")
    if rec_path is None:
        return []
    recs = records(rec_path)
    if not c.need(len(recs) == K, f"{rec_path}: {len(recs)} records, expected {K}"):
        return recs
    for k, (rec, p) in enumerate(zip(recs, inputs)):
        snap = rec.get("snapshot")
        c.need(snap == {"index": k, "count": K, "input": p, "stem": stem(p)},
               f"record {k}: snapshot {snap}, expected index {k}, count {K}, input {p}")
    return recs


# ---- modes ----------------------------------------------------------------------
def mode_equal(c, view=()):
    inputs = [c.cube(f"s{k}.h5", seed) for k, seed in enumerate((3, 5, 8))]
    common = COMMON + list(view)
    for k, p in enumerate(inputs):
        r = c.run(["-i", p, "-o", f"single{k}", "-f", f"single{k}.h5",
                   "--timing", f"single{k}.jsonl"] + common)
        if not c.need(r.returncode == 0, f"single run of {p}: exit {r.returncode}"):
            return
        rec = records(c.path(f"single{k}.jsonl"))
        c.need(len(rec) == 1 and rec[0].get("snapshot") is None and
               rec[0].get("read_ahead") is False,
               f"a single run's record: snapshot {rec[0].get('snapshot') if rec else '-'}, "
               f"read_ahead {rec[0].get('read_ahead') if rec else '-'} (expected null, false)")
        c.need(listing(c.path(f"single{k}")) == sorted(FRAMES + ["projection.png"]),
               f"a single run writes into -o itself: {listing(c.path(f'single{k}'))}")
    ia = [x for p in inputs for x in ("-i", p)]
    for label, flag, ra in (("series", [], True), ("noahead", ["--no-read-ahead"], False)):
        r = c.run(ia + ["-o", label, "-f", "sub/float.h5", "--timing", f"{label}.jsonl"]
                  + common + flag)
        recs = check_series(c, r, c.path(label), inputs, c.path(f"{label}.jsonl"))
        for rec in recs:
            c.need(rec.get("read_ahead") is ra and rec.get("frames") == ANGLES and
                   rec.get("frames_skipped") == 0,
                   f"{label} record {rec.get('snapshot')}: read_ahead "
                   f"{rec.get('read_ahead')} (expected {ra}), frames {rec.get('frames')}, "
                   f"skipped {rec.get('frames_skipped')}")
        for k, p in enumerate(inputs):
            d = c.path(label, stem(p))
            c.need(listing(d) == sorted(FRAMES + ["projection.png", "float.h5"]),
                   f"{d} holds {listing(d)}")
            same_pixels(c, d, c.path(f"single{k}"), f"{label} {stem(p)}")
            if os.path.exists(os.path.join(d, "float.h5")):
                same_floats(c, os.path.join(d, "float.h5"), c.path(f"single{k}.h5"),
                            f"{label} {stem(p)} float output")
        c.need(not os.path.exists(c.path("sub")), "the float output's folder 'sub/' "
               "was created in the current directory: expected OUT/<stem>/float.h5")


def mode_equal_general(c):
    """The same through the general kernel (a perspective orbit with
    elevation), whose own layout of the block is also reused."""
    return mode_equal(c, ["--perspective", "40", "--elevation", "25", "--orbit-axis", "z"])


def mode_glob(c):
    names = ["snap_2.h5", "snap_10.h5", "snap_1.h5"]
    for k, n in enumerate(names):
        c.cube(n, 20 + k)
    c.cube("other_1.h5", 30)
    order = ["snaps/snap_1.h5", "snaps/snap_2.h5", "snaps/snap_10.h5"]
    r = c.run(["-i", "snaps/snap_*.h5", "-o", "out", "--timing", "glob.jsonl", "-q"] + COMMON)
    c.need("Snapshot" not in r.stdout, "-q still prints the Snapshot lines")
    r = c.run(["-i", "snaps/snap_*.h5", "-o", "out2", "--timing", "glob2.jsonl"] + COMMON)
    check_series(c, r, c.path("out2"), order, c.path("glob2.jsonl"))
    recs = records(c.path("glob.jsonl"))
    c.need([x.get("snapshot", {}).get("stem") for x in recs] == ["snap_1", "snap_2", "snap_10"],
           f"-q run: records in order {[x.get('snapshot') for x in recs]}")
    # The ? and [...] forms, and a pattern that matches one file only.
    r = c.run(["-i", "snaps/snap_?.h5", "-o", "q", "-q"] + COMMON)
    c.need(r.returncode == 0 and listing(c.path("q")) == ["snap_1", "snap_2"],
           f"'snaps/snap_?.h5': exit {r.returncode}, folders {listing(c.path('q'))}")
    r = c.run(["-i", "snaps/other_[0-9].h5", "-o", "one", "--timing", "one.jsonl"] + COMMON)
    check_series(c, r, c.path("one"), ["snaps/other_1.h5"], c.path("one.jsonl"))
    # Nothing matches: one line naming the pattern, nothing written.
    r = c.run(["-i", "snaps/none_*.h5", "-o", "none", "--timing", "none.jsonl"] + COMMON)
    lines = tool_lines(r.stderr)
    c.need(r.returncode == 1 and len(lines) == 1 and lines[0].startswith(ERR) and
           "snaps/none_*.h5" in lines[0],
           f"a pattern matching nothing: exit {r.returncode}, stderr {lines}")
    c.need(not os.path.exists(c.path("none")) and not os.path.exists(c.path("none.jsonl")),
           "a pattern matching nothing left output behind")


def mode_list(c):
    a = c.cube("b_10.h5", 41)
    b = c.cube("a_2.h5", 42)
    d = c.cube("c_1.h5", 43)
    absb = c.path(b)
    os.makedirs(c.path("lists"))   # paths in a list are relative to the current folder
    with open(c.path("lists", "snaps.txt"), "w") as f:
        f.write(f"# three snapshots, not in name order\n\n{a}\n   \n  # absolute:\n{absb}\n"
                f"\n  {d}  \n\n# end")
    with open(c.path("one.txt"), "w") as f:
        f.write(f"{d}\n")
    inputs = [a, absb, d]
    r = c.run(["-i", "@lists/snaps.txt", "-o", "out", "--timing", "list.jsonl"] + COMMON)
    check_series(c, r, c.path("out"), inputs, c.path("list.jsonl"))
    # the same snapshots given one by one: the same pixels
    r = c.run([x for p in inputs for x in ("-i", p)] + ["-o", "byhand", "-q"] + COMMON)
    if c.need(r.returncode == 0, f"-i x3: exit {r.returncode}"):
        for p in inputs:
            same_pixels(c, c.path("out", stem(p)), c.path("byhand", stem(p)), stem(p))
    r = c.run(["-i", "@one.txt", "-o", "one", "--timing", "one.jsonl"] + COMMON)
    check_series(c, r, c.path("one"), [d], c.path("one.jsonl"))
    # an @LIST mixed with a plain -i
    r = c.run(["-i", "@one.txt", "-i", a, "-o", "mixed", "-q"] + COMMON)
    c.need(r.returncode == 0 and listing(c.path("mixed")) == sorted([stem(d), stem(a)]),
           f"-i @one.txt -i {a}: exit {r.returncode}, folders {listing(c.path('mixed'))}")


def mode_resume(c):
    inputs = [c.cube(f"snap_{k}.h5", 60 + k) for k in (1, 2, 3)]
    with open(c.path("all.txt"), "w") as f:
        f.write("\n".join(inputs) + "\n")
    with open(c.path("first.txt"), "w") as f:
        f.write(inputs[0] + "\n")
    r = c.run(["-i", "@all.txt", "-o", "ref", "-q"] + COMMON)
    if not c.need(r.returncode == 0, f"the uninterrupted series: exit {r.returncode}"):
        return
    base = ["-i", "@all.txt", "-o", "out"] + COMMON
    # 1. snapshot 1 alone
    r = c.run(["-i", "@first.txt", "-o", "out"] + COMMON)
    check_series(c, r, c.path("out"), inputs[:1])
    s1 = c.path("out", "snap_1")
    before = {n: os.stat(os.path.join(s1, n)).st_mtime_ns for n in listing(s1)}
    # 2. the series, resumed, killed halfway through frame 3 of snapshot 2
    r = c.run(base + ["--resume", "--timing", "killed.jsonl"],
              env={"VR_TEST_FAIL": "0:kill:volumerender3.png"})
    c.need(r.returncode != 0, "the killed run exited 0")
    s2 = listing(c.path("out", "snap_2"))
    finals = [n for n in s2 if not TMP.match(n)]
    temps = [n for n in s2 if TMP.match(n)]
    c.need(finals == sorted(["projection.png"] + FRAMES[:3]) and len(temps) == 1 and
           temps[0].startswith(".volumerender3.png.tmp."),
           f"after the kill snap_2/ holds {s2}: expected frames 0-2 and the temporary "
           "of frame 3 (the kill must land in snapshot 2)")
    c.need(not listing(c.path("out", "snap_3")), "snap_3/ written before snapshot 2 ended")
    # 3. resumed
    r = c.run(base + ["--resume", "--timing", "resumed.jsonl"])
    recs = check_series(c, r, c.path("out"), inputs, c.path("resumed.jsonl"),
                        rendered={0: [], 1: list(range(3, ANGLES)), 2: list(range(ANGLES))})
    c.need([(x.get("frames"), x.get("frames_skipped")) for x in recs] ==
           [(0, ANGLES), (ANGLES - 3, 3), (ANGLES, 0)],
           f"resumed records (frames, frames_skipped): "
           f"{[(x.get('frames'), x.get('frames_skipped')) for x in recs]}, expected "
           f"{[(0, ANGLES), (ANGLES - 3, 3), (ANGLES, 0)]}")
    after = {n: os.stat(os.path.join(s1, n)).st_mtime_ns for n in listing(s1)}
    c.need(after == before, "snapshot 1's files were rewritten by the resumed runs")
    # 4. nothing left to do
    r = c.run(base + ["--resume", "--timing", "again.jsonl"])
    c.need(r.returncode == 0 and not scenes(r.stdout),
           f"second --resume: exit {r.returncode}, rendered {scenes(r.stdout)}")
    recs = records(c.path("again.jsonl"))
    c.need([(x.get("frames"), x.get("frames_skipped")) for x in recs] == [(0, ANGLES)] * 3,
           f"second --resume records: {[(x.get('frames'), x.get('frames_skipped')) for x in recs]}")
    for p in inputs:
        d = c.path("out", stem(p))
        c.need(listing(d) == sorted(FRAMES + ["projection.png"]), f"{d} holds {listing(d)}")
        same_pixels(c, d, c.path("ref", stem(p)), f"resumed {stem(p)}")


def mode_refusals(c):
    good = c.cube("good.h5", 71)
    good2 = c.cube("good2.h5", 72)
    shape = c.cube("shape.h5", 73, shape="24,24,20")
    nodset = c.cube("nodset.h5", 74, dataset="other")
    c.cube(os.path.join("x", "snap.h5"), 75)
    c.cube(os.path.join("y", "snap.h5"), 76)
    cases = [
        ("missing second file", ["-i", good, "-i", "snaps/missing.h5", "-i", good2],
         f"{ERR}cannot read input file 'snaps/missing.h5': No such file or directory "
         "(see --input)"),
        ("another shape", ["-i", good, "-i", good2, "-i", shape],
         f"{ERR}input '{shape}': dataset 'density' is 24x24x20, not 24x24x24 like "
         f"'{good}' (the snapshots of a series must have one shape)"),
        ("missing dataset", ["-i", good, "-i", nodset],
         f"{ERR}dataset 'density' not found in '{nodset}'; datasets in the file: other "
         "(see --dataset)"),
        ("duplicate stems", ["-i", "snaps/x/snap.h5", "-i", good, "-i", "snaps/y/snap.h5"],
         f"{ERR}inputs 'snaps/x/snap.h5' and 'snaps/y/snap.h5' have the same name 'snap': "
         "their frames would go to one folder; rename one"),
        ("duplicate stems through a list", ["-i", "@dup.txt"],
         f"{ERR}inputs 'snaps/x/snap.h5' and 'snaps/y/snap.h5' have the same name 'snap': "
         "their frames would go to one folder; rename one"),
    ]
    with open(c.path("dup.txt"), "w") as f:
        f.write("snaps/x/snap.h5\nsnaps/good.h5\nsnaps/y/snap.h5\n")
    flags = [f for f in c.a.mpiexec_flags.replace(";", " ").split() if f]
    openmpi = "--oversubscribe" in flags
    for k, (what, args, line) in enumerate(cases):
        out, rec = f"out{k}", f"rec{k}.jsonl"
        args = args + ["-o", out, "--timing", rec, "-f", "float.h5"] + COMMON
        # As users run it (mpirun's exit status), then with every rank's own
        # status logged (Open MPI told not to kill the others at the first).
        r = c.run(args)
        c.need(r.returncode == 1, f"{what}: exit {r.returncode}, expected 1")
        ranks = c.path(f"ranks{k}")
        os.makedirs(ranks)
        env = {"VR_TEST_EXIT_LOG": ranks}
        if openmpi:
            env["OMPI_MCA_orte_abort_on_non_zero_status"] = "0"
        r = c.run(args, env=env)
        lines = tool_lines(r.stderr)
        c.need(lines == [line], f"{what}: stderr {lines}\n    expected [{line!r}]")
        codes = {}
        for n in listing(ranks):
            with open(os.path.join(ranks, n)) as f:
                codes[n] = f.read().strip()
        c.need(codes == {f"exit.{i}": "1" for i in range(c.a.np)},
               f"{what}: the ranks' exit statuses {codes}, expected 1 on all {c.a.np}")
        c.need("Rendering Scene" not in r.stdout and "Snapshot" not in r.stdout,
               f"{what}: something was rendered before the refusal")
        left = [p for p in (out, rec, "float.h5") if os.path.exists(c.path(p))]
        c.need(not left, f"{what}: left behind {left}")


def mode_movie(c):
    for exe in ("ffmpeg", "ffprobe"):
        if not shutil.which(exe):
            print(f"series_case: SKIP: no {exe} (apt-get install ffmpeg)")
            return SKIP
    names = ["snap_10.h5", "snap_2.h5", "snap_1.h5"]
    for k, n in enumerate(names):
        c.cube(n, 80 + k)
    r = c.run(["-i", "snaps/snap_*.h5", "-o", "series", "-q"] + COMMON)
    if not c.need(r.returncode == 0, f"series run: exit {r.returncode}"):
        return None
    os.makedirs(c.path("series", "lists"))   # a folder without frames: ignored
    cmd = ["bash", c.a.movie, "-r", "4", "-A", "1", "series"]
    print("+ " + " ".join(cmd), flush=True)
    m = subprocess.run(cmd, cwd=c.a.work, capture_output=True, text=True, timeout=120)
    sys.stdout.write(m.stdout + m.stderr)
    if not c.need(m.returncode == 0, f"make_movie -A 1: exit {m.returncode}"):
        return None
    order = ["snap_1", "snap_2", "snap_10"]
    refs = [pixels(c.path("series", s, "volumerender1.png")).astype(float) for s in order]
    for ext in ("mp4", "gif"):
        movie = c.path("series", f"angle1.{ext}")
        if not c.need(os.path.exists(movie), f"no {movie}"):
            continue
        p = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                            "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", movie],
                           capture_output=True, text=True)
        c.need(p.stdout.strip() == "3", f"{movie}: {p.stdout.strip()!r} frames, expected 3")
        raw = subprocess.run(["ffmpeg", "-v", "error", "-i", movie, "-f", "rawvideo",
                              "-pix_fmt", "rgb24", "-"], capture_output=True).stdout
        frames = np.frombuffer(raw, np.uint8).reshape(-1, 32, 32, 3).astype(float)
        closest = [int(np.argmin([np.abs(f - ref).mean() for ref in refs])) for f in frames]
        c.need(closest == [0, 1, 2], f"{movie}: frames match snapshots {closest}, "
               "expected 0, 1, 2 (snap_1, snap_2, snap_10)")
    # a snapshot folder without the angle is refused
    os.remove(c.path("series", "snap_2", "volumerender1.png"))
    m = subprocess.run(["bash", c.a.movie, "-A", "1", "-o", "gap", "series"], cwd=c.a.work,
                       capture_output=True, text=True, timeout=60)
    c.need(m.returncode == 1 and "snap_2" in m.stderr and not glob.glob(c.path("gap.*")),
           f"make_movie with snap_2 lacking the frame: exit {m.returncode}, {m.stderr!r}")
    return None


MODES = {"equal": mode_equal, "equal_general": mode_equal_general, "glob": mode_glob, "list": mode_list, "resume": mode_resume,
         "refusals": mode_refusals, "movie": mode_movie}


def main():
    p = argparse.ArgumentParser()
    add_launch_args(p)
    p.add_argument("--np", type=int, required=True)
    p.add_argument("--tool", required=True)
    p.add_argument("--py-dir", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--mode", choices=sorted(MODES), required=True)
    p.add_argument("--movie", help="scripts/make_movie.sh (mode movie)")
    a = p.parse_args()
    a.work = os.path.abspath(a.work)
    a.tool = os.path.abspath(a.tool)
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    c = Case(a)
    if MODES[a.mode](c) == SKIP:
        return SKIP
    if c.problems:
        print(f"series_case: FAIL {a.mode} at np {a.np}: {len(c.problems)} problem(s)")
        return 1
    print(f"series_case: PASS {a.mode} at np {a.np}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
