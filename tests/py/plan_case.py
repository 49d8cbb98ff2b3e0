#!/usr/bin/env python3
"""--plan P: the planner's figures equal a real run's --timing record.

plan_case.py --mpiexec M --tool T --work DIR --max-np 16 -- -i cube.h5 <options>
For P = 1 .. MAX: runs the planner (one process, --plan P) and the job at P
ranks, both with --timing, and requires the same samples_per_rank,
samples_total, the worst frame's imbalance, decomp_cuts, decomp_blocks,
memory estimate (max, mean, its rank), composite_bytes_sent (every field)
and composite_rounds (every field), the run with --dense (for sparse images the planner's
figures are a bound, checked in sparse_case.py).  Odd P use --decomp balanced with
-c radixk --radix 3, even P the default equal slabs and binary swap, and
P = 6 and 12 the tree; P = 4, 7, 8, 11, 15 and 16 --decomp kd (with the
even P's binary swap or the odd P's radix-3).  Then --plan 65536 on the same cube (more ranks than
planes): it finishes, lists 65536 ranks, and their samples add up to the
one-rank total.  Counts only, never times.
"""
import argparse
import json
import os
import sys

import launch

SAME = ["samples_per_rank", "samples_total", "samples_imbalance_frame_max", "decomp_cuts",
        "decomp_blocks",
        "memory_estimate_bytes", "composite_bytes_sent",
        "composite_rounds"]


def options(P):
    if P in (6, 12):
        return ["-c", "tree"]
    if P in (4, 7, 8, 11, 15, 16):
        return ["--decomp", "kd"] + (["-c", "radixk", "--radix", "3"] if P % 2 else [])
    if P % 2:
        return ["--decomp", "balanced", "-c", "radixk", "--radix", "3"]
    return []


def last_record(path):
    with open(path) as f:
        return json.loads(f.readlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--max-np", type=int, default=16)
    a, tool_args = launch.parse_driver(p)
    fails = []
    total1 = None
    for P in range(1, a.max_np + 1):
        opts = tool_args + options(P) + ["--dense"]  # exact for dense images; sparse: a bound
        plan_path = os.path.join(a.work, f"plan{P}.jsonl")
        run_path = os.path.join(a.work, f"run{P}.jsonl")
        r = launch.run(a, 1, a.tool, opts + ["--plan", str(P), "-t", plan_path])
        if r.returncode != 0:
            print(r.stdout + r.stderr)
            fails.append(f"--plan {P}: exit {r.returncode}")
            continue
        r = launch.run(a, P, a.tool, opts + ["-q", "-o", os.path.join(a.work, f"out{P}"),
                                             "-t", run_path])
        if r.returncode != 0:
            print(r.stdout + r.stderr)
            fails.append(f"np {P}: exit {r.returncode}")
            continue
        plan, rec = last_record(plan_path), last_record(run_path)
        if P == 1:
            total1 = rec["samples_total"]
        bad = [k for k in SAME if plan[k] != rec[k]]
        print(f"{'FAIL' if bad else 'OK  '} P={P} {' '.join(options(P)) or 'defaults'}: "
              f"samples max/mean {plan['samples_imbalance']}, swap max "
              f"{plan['composite_bytes_sent']['swap_max']}, rounds max "
              f"{plan['composite_rounds']['max']}" + (f"; differ: {bad}" if bad else ""))
        for k in bad:
            fails.append(f"P={P}: {k}: plan {plan[k]} != record {rec[k]}")
    big = os.path.join(a.work, "plan65536.jsonl")
    r = launch.run(a, 1, a.tool, tool_args + ["--plan", "65536", "-t", big])
    if r.returncode != 0:
        print(r.stdout + r.stderr)
        fails.append(f"--plan 65536: exit {r.returncode}")
    else:
        plan = last_record(big)
        n = len(plan["samples_per_rank"])
        if n != 65536 or (total1 is not None and sum(plan["samples_per_rank"]) != total1):
            fails.append(f"--plan 65536: {n} ranks, {sum(plan['samples_per_rank'])} samples "
                         f"(one rank: {total1})")
        print(f"--plan 65536: {n} ranks, samples max/mean {plan['samples_imbalance']}, "
              f"rounds max {plan['composite_rounds']['max']}")
    return launch.report("plan_case", "plan against records", fails)


if __name__ == "__main__":
    sys.exit(main())
