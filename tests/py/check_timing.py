#!/usr/bin/env python3
"""The --timing record: present, complete and sane, at several rank counts.

check_timing.py --mpiexec M --tool T --work DIR --nps 1,3 -- <tool options>
Runs the tool at each rank count with --timing and checks every record:
phases open..total with 0 <= min <= mean <= max and max <= total; the rank
of the max in range; samples per rank summing to samples_total, the same
total at every rank count, at most angles x N^2 x samples; samples per
second = total / render max; peak RSS per rank positive, at least the
rank's share of the cube and below 1 GiB for these small jobs; bytes sent
zero at one rank and positive otherwise; I/O mode named; ranks, threads,
version and parameters as run.  Timings are checked for sanity only, never
against a speed.
"""
import argparse
import json
import os
import shutil
import sys

import launch

PHASES = ["open", "read", "render", "composite", "write", "total"]


def check_record(r, np, dims, fails):
    def need(cond, what):
        if not cond:
            fails.append(f"np={np}: {what}")
    need(r.get("ranks") == np, f"ranks {r.get('ranks')}")
    need(r.get("threads_per_rank", 0) >= 1, "threads_per_rank")
    need(r.get("hosts", 0) >= 1, "hosts")
    need(bool(r.get("version")) and bool(r.get("git_revision")), "version and revision")
    for key in ("SLURM_JOB_ID", "SLURM_NTASKS", "SLURM_JOB_NUM_NODES"):
        need(key in r, f"{key} field")
    p = r["params"]
    need(p["dims"] == dims, f"dims {p['dims']}")
    total = r["phases"]["total"]["max"]
    for ph in PHASES:
        s = r["phases"][ph]
        need(0 <= s["min"] <= s["mean"] + 1e-9 <= s["max"] + 2e-9, f"{ph} min/mean/max {s}")
        need(0 <= s["max_rank"] < np, f"{ph} max_rank {s['max_rank']}")
        need(s["max"] <= total + 1e-6, f"{ph} max {s['max']} > total {total}")
    per_rank = r["samples_per_rank"]
    need(len(per_rank) == np and sum(per_rank) == r["samples_total"], "samples_per_rank")
    bound = (p["last_angle"] - p["first_angle"] + 1) * p["N"] ** 2 * p["samples"]
    need(0 < r["samples_total"] <= bound, f"samples_total {r['samples_total']}")
    ren = r["phases"]["render"]["max"]
    if ren > 0:
        need(abs(r["samples_per_second"] - r["samples_total"] / ren)
             <= 1e-3 * r["samples_per_second"] + 1, "samples_per_second")
    need(r["render_imbalance"] >= 1.0 - 1e-9, "render_imbalance")
    rss = r["peak_rss_bytes"]
    cube = dims[0] * dims[1] * dims[2] * 4
    need(cube / np <= rss["max"] < 2**30 and 0 < rss["mean"] <= rss["max"],
         f"peak RSS {rss}")
    sent = r["composite_bytes_sent"]["total"]
    need(sent == 0 if np == 1 else sent > 0, f"bytes sent {sent}")
    rounds = r["composite_rounds"]
    need(0 <= rounds["mean"] <= rounds["max"] and
         (rounds["max"] == 0 if np == 1 else rounds["max"] > 0), f"rounds {rounds}")
    need(p["decomp"] in ("equal", "balanced", "kd"), f"decomp {p['decomp']}")
    cuts = r["decomp_cuts"]
    if p["decomp"] == "kd":
        need(cuts == [], f"decomp_cuts {cuts} for k-d blocks")
    else:
        need(len(cuts) == np + 1 and cuts[0] == 0 and cuts[-1] == dims[p["axis"]] and
             all(x <= y for x, y in zip(cuts, cuts[1:])), f"decomp_cuts {cuts}")
    blocks = r["decomp_blocks"]
    need(len(blocks) == np, f"decomp_blocks has {len(blocks)} blocks for {np} ranks")
    problem = launch.blocks_problem(blocks, dims, allow_empty=p["decomp"] != "kd")
    need(problem is None, f"decomp_blocks: {problem}")
    need(r["io"]["mode"] in ("collective", "independent", "chunk-collective",
                             "chunk-independent", "chunk-mixed"), f"io mode {r['io']}")
    need(r["io"]["bytes"] >= cube, "io bytes")
    need(r["frames"] == p["last_angle"] - p["first_angle"] + 1, "frames")


def main():
    ap = argparse.ArgumentParser()
    launch.add_launch_args(ap)
    ap.add_argument("--tool", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--nps", default="1,3")
    ap.add_argument("--dims", required=True, help="Nx,Ny,Nz of the input")
    ap.add_argument("tool_args", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    tool_args = a.tool_args[1:] if a.tool_args[:1] == ["--"] else a.tool_args
    dims = [int(x) for x in a.dims.split(",")]
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    fails, totals = [], {}
    for np in [int(x) for x in a.nps.split(",")]:
        rec = os.path.join(a.work, f"np{np}.jsonl")
        r = launch.run(a, np, a.tool, tool_args + ["-q", "-o", os.path.join(a.work, f"f{np}"),
                                                   "--timing", rec])
        if r.returncode != 0:
            fails.append(f"np={np}: exit {r.returncode}: {r.stderr.strip()[-500:]}")
            continue
        with open(rec) as f:
            lines = f.read().splitlines()
        if len(lines) != 1:
            fails.append(f"np={np}: {len(lines)} records, expected 1")
            continue
        record = json.loads(lines[0])
        check_record(record, np, dims, fails)
        totals[np] = record["samples_total"]
    if len(set(totals.values())) > 1:
        fails.append(f"samples_total differs between rank counts: {totals}")
    for f in fails:
        print("FAIL " + f)
    print("check_timing: " + ("FAIL" if fails else f"PASS ({totals})"))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
