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
  io         read bandwidth and the HDF5 I/O mode actually used
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

SECTIONS = ["e2e", "kernel", "tf", "threads", "scaling", "memory", "composite", "io"]
MIB = 1048576.0


class Bench:
    def __init__(self, a):
        self.a = a
        self.tool = os.path.join(a.root, "build", "volrender_mpi")
        self.mkcube = os.path.join(a.root, "build", "volrender_mkcube")
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
