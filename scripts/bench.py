#!/usr/bin/env python3
"""volrender_mpi benchmark driver (run through scripts/bench.sh).

Every figure is a median over --repeats runs made in this one invocation;
ratios compare runs made side by side.  Sections (--only to pick):
  e2e        default job (256^3, N=180, 10 angles) at np=1, whole process with
             PNGs, against the Python reference in tests/py (same cube)
  kernel     render-phase throughput, np=1, one thread, default job
  tf         the default orbit at np=1, one thread, through the reference
             transfer function and through a 256-entry colour map with opacity
             points (its table), runs alternated: render throughput ratio
  threads    one rank, OMP_NUM_THREADS=1 vs 2, N=512 on the 256^3 cube
  scaling    512^3 cube, N=512, 10 angles: np=1 vs np=2 (one thread each,
             runs alternated), decomposition axes 0 and 1, render phase (the
             kernel over all angles) and whole run (wall, launch included)
  memory     peak RSS of the default job at np=1 and np=2 against
             2 x cube/P + 48 MiB
  composite  N=2048, 4 samples per ray: composite seconds per frame and bytes
             sent per rank for bswap and tree at np=2 and 4
  sparse     N=1024, 256 samples per ray, 4 frames of the default orbit,
             with --fit and with --width 256 (the box as wide as the cube),
             P = 2 .. 64 (oversubscribed): bytes each rank sends in
             the stages per frame (max over ranks), dense binary swap
             against sparse images on equal slabs and on kd blocks, and the
             ranks taking part; counted, not timed (one run each)
  io         read bandwidth and the HDF5 I/O mode actually used
  series     10 snapshots of 256^3 in one launch (default job, np=2, one
             thread each), every file evicted from the page cache first
             (posix_fadvise DONTNEED; checked by timing a cold read): time
             per snapshot with read-ahead against --no-read-ahead, read and
             render phases, ratio to max(read, render) and to read + render
  camera     the render kernel alone (scripts/kernel_bench.c), one thread,
             all views in one run, repeat by repeat in turn: orbits about x,
             y and z (the orbit-resampled kernel) and the general kernel on
             an oblique orthographic view (about z, elevation 30) and a
             perspective one (the same, 40-degree field of view) of the 256^3
             cube at N = 256, 10 frames; then the x orbit and the oblique
             view of a 512^3 cube at N = 512, 4 frames; CPU-time medians and
             ratios to the x orbit of the same cube and run
"""
import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time

SECTIONS = ["e2e", "kernel", "tf", "threads", "scaling", "memory", "composite", "sparse",
            "io",
            "series", "camera"]
MIB = 1048576.0


class Bench:
    def __init__(self, a):
        self.a = a
        self.tool = os.path.join(a.root, "build", "volrender_mpi")
        self.mkcube = os.path.join(a.root, "build", "volrender_mkcube")
        self.kernel_bench = os.path.join(a.root, "build", "kernel_bench")
        self.ref = os.path.join(a.root, "tests", "py", "reference_render.py")
        self.out = os.path.join(a.dir, "frames")
        self.lines = []

    def mpirun(self, np, threads=None):
        cmd = ["mpirun", "-np", str(np)]
        if "Open MPI" in subprocess.run(["mpirun", "--version"], capture_output=True,
                                        text=True).stdout:
            cmd += ["--oversubscribe", "--bind-to", "none"]
        if threads is not None:
            cmd += ["-x", f"OMP_NUM_THREADS={threads}"]
        return cmd

    def cube(self, n):
        path = os.path.join(self.a.dir, f"cube{n}.h5")
        if not os.path.exists(path):
            subprocess.run(self.mpirun(2) + [self.mkcube, "-q", "-s", str(n), "-o", path],
                           check=True)
        return path

    def run_tool(self, np, args, threads=None):
        """One run; returns (wall seconds, timing record)."""
        rec = os.path.join(self.a.dir, "timing.jsonl")
        if os.path.exists(rec):
            os.remove(rec)
        cmd = self.mpirun(np, threads) + [self.tool, "-q", "-o", self.out,
                                          "--timing", rec] + args
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True)
        wall = time.perf_counter() - t0
        with open(rec) as f:
            return wall, json.loads(f.readline())

    def repeat(self, fn):
        return [fn() for _ in range(self.a.repeats)]

    def say(self, text=""):
        print(text, flush=True)
        self.lines.append(text)

    def table(self, header, rows):
        self.say("| " + " | ".join(header) + " |")
        self.say("|" + "---|" * len(header))
        for r in rows:
            self.say("| " + " | ".join(str(c) for c in r) + " |")
        self.say()

    # ---- sections --------------------------------------------------------
    def e2e(self):
        cube = self.cube(256)
        def py():
            t0 = time.perf_counter()
            subprocess.run([sys.executable, self.ref, "--input", cube, "--out",
                            os.path.join(self.a.dir, "ref.h5"), "--quiet",
                            "--png-dir", os.path.join(self.a.dir, "ref_png")], check=True)
            return time.perf_counter() - t0
        def tool():
            return self.run_tool(1, ["-i", cube])[0]
        # Interleave so both see the same machine conditions.
        tp, tt = [], []
        for _ in range(self.a.repeats):
            tp.append(py())
            tt.append(tool())
        mp, mt = statistics.median(tp), statistics.median(tt)
        self.say("### End to end: default job, np = 1, whole process with PNGs")
        self.table(["run", "median wall [s]", "all runs [s]"],
                   [["Python reference (tests/py/reference_render.py)", f"{mp:.3f}",
                     ", ".join(f"{x:.2f}" for x in tp)],
                    ["volrender_mpi, mpirun -np 1 (default threads)", f"{mt:.3f}",
                     ", ".join(f"{x:.3f}" for x in tt)],
                    ["**speed-up**", f"**{mp / mt:.1f}x**", "target >= 40x"]])

    def kernel(self):
        cube = self.cube(256)
        runs = self.repeat(lambda: self.run_tool(1, ["-i", cube], threads=1)[1])
        sps = [r["samples_per_second"] / 1e6 for r in runs]
        self.say("### Kernel: default job, np = 1, one thread, render phase")
        self.table(["samples", "median render [s]", "median M samples/s", "all runs"],
                   [[runs[0]["samples_total"],
                     f"{statistics.median(r['phases']['render']['max'] for r in runs):.3f}",
                     f"**{statistics.median(sps):.0f}**",
                     ", ".join(f"{x:.0f}" for x in sps)]])

    def tf(self):
        cube = self.cube(256)
        cmap = ["--colormap", "viridis", "--opacity", "0:0,0.2:0,0.5:0.05,1:0.5"]
        ref, tab = [], []
        for _ in range(self.a.repeats):  # alternated, so both see the same machine
            ref.append(self.run_tool(1, ["-i", cube], threads=1)[1])
            tab.append(self.run_tool(1, ["-i", cube] + cmap, threads=1)[1])
        rs = [r["samples_per_second"] / 1e6 for r in ref]
        ts = [r["samples_per_second"] / 1e6 for r in tab]
        ratio = statistics.median(ts) / statistics.median(rs)
        tfd = tab[0].get("transfer_function", {})
        self.say("### Transfer functions: default orbit, np = 1, one thread, render phase")
        self.table(["transfer function", "kernel path", "median M samples/s", "all runs"],
                   [["reference (3 Gaussians, exact path)", "reference",
                     f"{statistics.median(rs):.0f}", ", ".join(f"{x:.0f}" for x in rs)],
                    ["viridis + 4 opacity points (" + " ".join(cmap) + ")",
                     f"table, {tfd.get('table_nodes')} nodes, max error "
                     f"{tfd.get('table_max_error', 0):.1e}",
                     f"{statistics.median(ts):.0f}", ", ".join(f"{x:.0f}" for x in ts)],
                    ["**colour map / reference**", "", f"**{ratio:.2f}**", "target >= 0.80"]])

    def threads(self):
        cube = self.cube(256)
        res = {}
        for t in (1, 2):
            runs = self.repeat(lambda: self.run_tool(1, ["-i", cube, "-N", "512"],
                                                     threads=t)[1])
            res[t] = statistics.median(r["phases"]["render"]["max"] for r in runs)
        self.say("### Threads: one rank, 256^3, N = 512, render phase")
        self.table(["threads", "median render [s]", "speed-up"],
                   [[1, f"{res[1]:.3f}", "1.00"],
                    [2, f"{res[2]:.3f}", f"**{res[1] / res[2]:.2f}x** (target >= 1.8x)"]])

    def scaling(self):
        cube = self.cube(512)
        rows = []
        for axis in (0, 1):
            # Alternate np = 1 and np = 2 so both see the same machine.
            runs = {1: [], 2: []}
            for _ in range(self.a.repeats):
                for np in (1, 2):
                    runs[np].append(self.run_tool(
                        np, ["-i", cube, "-N", "512", "--axis", str(axis)], threads=1))
            med = {np: (statistics.median(w for w, _ in runs[np]),
                        statistics.median(r["phases"]["render"]["max"] for _, r in runs[np]),
                        statistics.median(r["phases"]["total"]["max"] for _, r in runs[np]))
                   for np in (1, 2)}
            rows.append([axis, f"{med[1][1]:.2f} / {med[2][1]:.2f}",
                         f"**{med[1][1] / med[2][1]:.2f}x**",
                         f"{med[1][0]:.2f} / {med[2][0]:.2f}",
                         f"**{med[1][0] / med[2][0]:.2f}x**"])
        self.say("### Strong scaling: 512^3, N = 512, 10 angles, one thread per rank")
        self.table(["axis", "render np1 / np2 [s]", "render speed-up (>= 1.85x)",
                    "whole run np1 / np2 [s]", "whole-run speed-up (>= 1.6x)"], rows)

    def memory(self):
        cube = self.cube(256)
        cube_bytes = 256 ** 3 * 4
        rows = []
        for np in (1, 2):
            runs = self.repeat(lambda: self.run_tool(np, ["-i", cube])[1])
            rss = statistics.median(r["peak_rss_bytes"]["max"] for r in runs)
            limit = 2 * cube_bytes / np + 48 * MIB
            rows.append([np, f"{rss / MIB:.1f}", f"{limit / MIB:.1f}",
                         "yes" if rss <= limit else "**no**"])
        self.say("### Memory: default job, peak RSS of the largest rank")
        self.table(["np", "peak RSS [MiB]", "limit 2 x cube/P + 48 MiB", "within"], rows)

    def composite(self):
        cube = self.cube(256)
        N = 2048
        A = N * N * 16
        rows = []
        for np in (2, 4):
            for m in ("bswap", "tree"):
                runs = self.repeat(lambda: self.run_tool(
                    np, ["-i", cube, "-N", str(N), "-s", "4", "--angles", "4",
                         "--composite", m], threads=1)[1])
                per_frame = statistics.median(r["phases"]["composite"]["max"] / r["frames"]
                                              for r in runs)
                r0 = runs[0]
                swap_per_rank = r0["composite_bytes_sent"]["swap_max"] / r0["frames"]
                textbook = A * (1 - 1 / np)
                rows.append([np, m, f"{per_frame * 1000:.1f}",
                             f"{swap_per_rank / MIB:.2f}",
                             f"{textbook / MIB:.2f}" if m == "bswap" else "-",
                             f"{100 * (swap_per_rank / textbook - 1):+.1f} %"
                             if m == "bswap" else "-"])
        self.say(f"### Compositing: N = {N} (image A = {A / MIB:.0f} MiB), 4 samples per "
                 "ray, per frame")
        self.table(["np", "method", "composite [ms/frame]", "swap bytes max rank [MiB]",
                    "textbook A(1-1/P) [MiB]", "difference"], rows)

    def sparse(self):
        cube = self.cube(256)
        N = 1024
        A = N * N * 16
        # The whole cube in view, and a box as wide as the cube (its
        # projection fills the frame).
        for view in (["--fit"], ["--width", "256"]):
            rows = []
            for np in (2, 4, 8, 16, 32, 64):
                def sent(extra):
                    r = self.run_tool(np, ["-i", cube, "-N", str(N), "-s", "256", "-a", "4"]
                                      + view + extra, threads=1)[1]
                    return (r["composite_bytes_sent"]["swap_max"] / r["frames"],
                            r["composite_ranks_active"])
                dense, _ = sent(["--dense"])
                equal, _ = sent([])
                kd, active = sent(["--decomp", "kd"])
                textbook = A * (1 - 1 / np)
                rows.append([np, f"{textbook / MIB:.2f}", f"{dense / MIB:.2f}",
                             f"{equal / MIB:.2f} ({100 * equal / textbook:.0f} %)",
                             f"{kd / MIB:.2f} ({100 * kd / textbook:.0f} %)",
                             f"{active['min']} / {active['mean']}"])
            self.say(f"### Sparse images: N = {N} {' '.join(view)} (A = {A / MIB:.0f} MiB), "
                     "256 samples per ray, 4 frames of the default orbit, binary swap, bytes "
                     "sent in the stages per rank per frame (max over ranks)")
            self.table(["P", "A(1-1/P) [MiB]", "dense [MiB]", "sparse, equal slabs [MiB]",
                        "sparse, kd [MiB] (target <= 50 % at P = 64)",
                        "kd: ranks taking part (min / mean)"], rows)

    def io(self):
        rows = []
        for n in (256, 512):
            cube = self.cube(n)
            for np in (1, 2):
                runs = self.repeat(lambda: self.run_tool(np, ["-i", cube, "--angles", "1"],
                                                         threads=1)[1])
                bw = statistics.median(r["io"]["read_bandwidth_MiBps"] for r in runs)
                rows.append([f"{n}^3", np, f"{bw:.0f}", runs[0]["io"]["mode"],
                             runs[0]["io"]["not_collective_because"] or "-"])
        self.say("### I/O: read phase (file in the page cache)")
        self.table(["cube", "np", "median MiB/s", "HDF5 mode", "why not collective"], rows)

    def series(self):
        n = 10
        folder = os.path.join(self.a.dir, "series")
        os.makedirs(folder, exist_ok=True)
        files = [os.path.join(folder, f"snap_{k}.h5") for k in range(1, n + 1)]
        for k, path in enumerate(files, 1):
            if not os.path.exists(path):
                subprocess.run(self.mpirun(2) + [self.mkcube, "-q", "-s", "256", "--seed",
                                                 str(k), "-o", path], check=True)

        def evict(path):
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)   # dirty pages would stay cached
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)

        def read_all(path):
            t0 = time.perf_counter()
            with open(path, "rb", buffering=0) as f:
                while f.read(8 << 20):
                    pass
            return time.perf_counter() - t0

        # Does eviction reach the disk here?  A cold read must be slower.
        cold, warm = [], []
        for _ in range(self.a.repeats):
            evict(files[0])
            cold.append(read_all(files[0]))
            warm.append(read_all(files[0]))
        size = os.path.getsize(files[0]) / MIB
        cold_m, warm_m = statistics.median(cold), statistics.median(warm)
        rec = os.path.join(self.a.dir, "series.jsonl")
        out = os.path.join(self.a.dir, "series_frames")

        def run(flags):
            for path in files:
                evict(path)
            if os.path.exists(rec):
                os.remove(rec)
            cmd = self.mpirun(2, threads=1) + [self.tool, "-q", "-o", out, "--timing", rec,
                                                "-i", os.path.join(folder, "snap_*.h5")] + flags
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True)
            wall = time.perf_counter() - t0
            with open(rec) as f:
                recs = [json.loads(line) for line in f if line.strip()]
            assert len(recs) == n, f"{len(recs)} records for {n} snapshots"
            ph = {p: sum(r["phases"][p]["max"] for r in recs) / n
                  for p in ("read", "total")}
            return {"wall": wall / n, "total": ph["total"], "read": ph["read"],
                    "rest": ph["total"] - ph["read"],
                    "ahead": all(r["read_ahead"] for r in recs)}
        runs = {"on": [], "off": []}
        for _ in range(self.a.repeats):  # alternated, so both see the same machine
            runs["on"].append(run([]))
            runs["off"].append(run(["--no-read-ahead"]))
        med = {m: {k: statistics.median(r[k] for r in rs) for k in ("wall", "total", "read", "rest")}
               for m, rs in runs.items()}
        self.say(f"### Time series: {n} snapshots of 256^3, default job (N = 180, 10 angles), "
                 "np = 2, one thread each, every file evicted from the page cache first")
        self.say(f"Eviction check ({size:.0f} MiB file): cold read {cold_m * 1000:.0f} ms "
                 f"({size / cold_m:.0f} MiB/s), warm {warm_m * 1000:.0f} ms "
                 f"({size / warm_m:.0f} MiB/s)"
                 + ("" if cold_m > 1.5 * warm_m else
                    " -- **eviction does not reach the disk here: the figures are warm**"))
        self.say()
        rows = []
        for m, label in (("on", "read-ahead (default)"), ("off", "--no-read-ahead")):
            x = med[m]
            rows.append([label, f"{x['wall']:.3f}", f"{x['total']:.3f}", f"{x['read']:.3f}",
                         f"{x['rest']:.3f}",
                         ", ".join(f"{r['total']:.3f}" for r in runs[m])])
        read, rest = med["off"]["read"], med["off"]["rest"]
        t = med["on"]["total"]
        rows.append(["**read-ahead / max(read, render)**", "", f"**{t / max(read, rest):.2f}**",
                     "", "", "target <= 1.15 (read, render: the --no-read-ahead run's)"])
        rows.append(["**read-ahead / (read + render)**", "", f"**{t / (read + rest):.2f}**",
                     "", "", "1.00 = no overlap"])
        self.table(["run", "wall / snapshot [s]", "record total / snapshot [s]",
                    "read phase [s]", "render + composite + write + open [s]",
                    "all runs (record total) [s]"], rows)
        if not all(r["ahead"] for r in runs["on"]) or any(r["ahead"] for r in runs["off"]):
            self.say("**the records' read_ahead flags do not match the runs' options**")
            self.say()

    # The camera section's views: kernel_bench --view specs (name first).
    CAMERA_VIEWS = [("x orbit", "axis=x"), ("y orbit", "axis=y"), ("z orbit", "axis=z"),
                    ("oblique orthographic", "axis=z,elev=30,span=360"),
                    ("perspective", "axis=z,elev=30,span=360,fov=40")]

    def run_kernel_bench(self, cube, n, angles, views):
        """kernel_bench over views [(name, spec)] in one run, one thread:
        {name: (kernel, wall M/s, CPU M/s, samples per orbit)}."""
        cmd = [self.kernel_bench, cube, "-N", str(n), "-a", str(angles),
               "-r", str(self.a.repeats)]
        for name, spec in views:
            cmd += ["--view", f"{spec},name={name.replace(' ', '_')}"]
        env = dict(os.environ, OMP_NUM_THREADS="1")
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
        res = {}
        for line in out.splitlines():
            # median NAME [KERNEL] reference: W M samples/s by wall time, C by CPU time (S ...
            if not line.startswith("median "):
                continue
            head, tail = line[len("median "):].split(" reference: ")
            name, kernel = head.rsplit(" [", 1)
            wall = float(tail.split(" M samples/s")[0])
            cpu = float(tail.split("wall time, ")[1].split(" by CPU")[0])
            samples = int(tail.split("(")[1].split()[0])
            res[name.replace("_", " ")] = (kernel.rstrip("]"), wall, cpu, samples)
        return res, " ".join(shlex.quote(os.path.relpath(c, self.a.root)
                                         if c.startswith(self.a.root) else c) for c in cmd)

    def camera(self):
        load0 = os.getloadavg()
        cube256, cube512 = self.cube(256), self.cube(512)
        runs = [("256^3", 256, 10, self.CAMERA_VIEWS, cube256),
                ("512^3", 512, 4, [self.CAMERA_VIEWS[0], self.CAMERA_VIEWS[3]], cube512)]
        rows, cmds = [], []
        for label, n, angles, views, cube in runs:
            res, cmd = self.run_kernel_bench(cube, n, angles, views)
            cmds.append(cmd)
            base = res["x orbit"][2]
            for name, spec in views:
                kernel, wall, cpu, samples = res[name]
                rows.append([label, name, f"`{spec}`", kernel, f"**{cpu:.0f}**", f"{wall:.0f}",
                             f"{cpu / base:.2f}", samples])
        load1 = os.getloadavg()
        self.say("### Cameras: the render kernel alone, one thread, N = n (256^3: 10 frames, "
                 "512^3: 4), views in turn in one run")
        self.table(["cube", "view", "kernel_bench --view", "kernel", "median M samples/s (CPU)",
                    "median M samples/s (wall)", "/ x orbit (CPU)", "samples per orbit"], rows)
        for c in cmds:
            self.say(f"`{c}`  ")
        self.say(f"Load average (1, 5, 15 min) before {load0[0]:.2f} {load0[1]:.2f} "
                 f"{load0[2]:.2f}, after {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}; "
                 "targets: y and z orbits >= 0.90 of x; general kernel >= 300 (oblique), "
                 ">= 250 (perspective), >= 200 (512^3) M samples/s")
        self.say()


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, {platform.platform()}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--only", default=",".join(SECTIONS))
    p.add_argument("--write", help="also write the report to this Markdown file")
    a = p.parse_args()
    b = Bench(a)
    rev = subprocess.run(["git", "-C", a.root, "describe", "--always", "--dirty"],
                         capture_output=True, text=True).stdout.strip()
    b.say(f"Machine: {machine()}")
    b.say(f"Revision: {rev}; command: scripts/bench.sh "
          + " ".join(shlex.quote(x) for x in sys.argv[5:]))
    b.say(f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
          f"medians of {a.repeats} runs")
    b.say()
    for s in a.only.split(","):
        if s not in SECTIONS:
            print(f"bench: unknown section '{s}' (accepted: {', '.join(SECTIONS)})")
            return 2
        getattr(b, s)()
    if a.write:
        with open(a.write, "w") as f:
            f.write("# Performance\n\nThe latest output of `scripts/bench.sh`; every figure "
                    "is a median of runs made in the same invocation.\n\n")
            f.write("\n".join(b.lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
