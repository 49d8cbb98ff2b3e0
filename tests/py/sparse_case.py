#!/usr/bin/env python3
"""Sparse images against dense ones (--dense), from the float output and
the --timing record.

sparse_case.py --mpiexec M --tool T --work DIR -- -i cube.h5 <options>
Each case runs the same job twice, sparse (the default) and --dense:
  - equal slabs: every rank takes part (composite_ranks_active min = P),
    the floats are the dense ones bit for bit and params.drop_idle is
    false;
  - kd blocks and balanced slabs: ranks with nothing to add drop out; the
    floats are within 1e-6 of the dense ones; with opacity only in the top
    fifth of the data range some rank must have dropped out of some frame
    (composite_ranks_active min < P);
and everywhere the sparse run sends no more bytes in the stages than the
dense one (swap_total), strictly fewer where ranks drop out, and
params.images names the mode.  Where every rank took part, --plan P with
the same options (sparse images bounded by the blocks' footprints) gives
at least the run's bytes, rounds and messages.  Counts and floats only,
never times.
"""
import argparse
import json
import os
import sys

import h5py
import numpy as np

import launch

# Opacity only in the top fifth of the data range: the blocks away from
# the peaks add nothing.
THRESHOLD = ["--colormap", "gray", "--opacity", "0:0,0.8:0,1:1"]
# (tag, np, options, idle ranks expected)
CASES = [
    ("equal_bswap_np4", 4, [], False),
    ("equal_radixk_np6", 6, ["-c", "radixk", "--radix", "3"], False),
    ("equal_tree_np5_threshold", 5, ["-c", "tree"] + THRESHOLD, False),
    ("kd_bswap_np5", 5, ["--decomp", "kd"], False),
    ("kd_bswap_np5_narrow", 5, ["--decomp", "kd", "--width", "12"], False),
    ("kd_tree_np7_threshold", 7, ["--decomp", "kd", "-c", "tree"] + THRESHOLD, True),
    ("kd_radixk_np8_threshold", 8, ["--decomp", "kd", "-c", "radixk", "--orbit-axis", "z",
                                    "--elevation", "25"] + THRESHOLD, True),
    ("balanced_bswap_np6_threshold", 6, ["--decomp", "balanced"] + THRESHOLD, True),
]


def run(a, tool_args, tag, np_, opts):
    out = os.path.join(a.work, tag)
    rec = out + ".jsonl"
    flt = out + ".h5"
    for f in (rec, flt):
        if os.path.exists(f):
            os.remove(f)
    r = launch.run(a, np_, a.tool, tool_args + opts + ["-q", "-o", out, "-t", rec, "-f", flt])
    if r.returncode != 0:
        print(r.stdout + r.stderr)
        return None, None
    with open(rec) as f:
        record = json.loads(f.readlines()[-1])
    with h5py.File(flt, "r") as h:
        floats = {k: h[k][...] for k in ("rgb", "transmittance")}
    return record, floats


def main():
    p = argparse.ArgumentParser()
    a, tool_args = launch.parse_driver(p)
    fails = []
    for tag, np_, opts, idle in CASES:
        sparse, fs = run(a, tool_args, tag + "_sparse", np_, opts)
        dense, fd = run(a, tool_args, tag + "_dense", np_, opts + ["--dense"])
        if sparse is None or dense is None:
            fails.append(f"{tag}: a run failed")
            continue
        drop = "--decomp" in opts
        worst = max(float(np.max(np.abs(fs[k].astype(np.float64) - fd[k]))) for k in fs)
        same = all(np.array_equal(fs[k], fd[k]) for k in fs)
        active = sparse["composite_ranks_active"]
        s_bytes = sparse["composite_bytes_sent"]["swap_total"]
        d_bytes = dense["composite_bytes_sent"]["swap_total"]
        problems = []
        if sparse["params"]["images"] != "sparse" or dense["params"]["images"] != "dense":
            problems.append(f"params.images {sparse['params']['images']} / "
                            f"{dense['params']['images']}")
        if sparse["params"]["drop_idle"] != drop:
            problems.append(f"params.drop_idle {sparse['params']['drop_idle']}, want {drop}")
        if dense["composite_ranks_active"]["min"] != np_:
            problems.append(f"dense: {dense['composite_ranks_active']} ranks took part")
        if not drop and (not same or active["min"] != np_):
            problems.append(f"equal slabs: bit for bit {same} (worst {worst:g}), "
                            f"active {active}")
        if drop and worst > 1e-6:
            problems.append(f"floats differ from dense by {worst:g}")
        if idle and active["min"] >= np_:
            problems.append(f"threshold: every rank took part in every frame ({active})")
        if s_bytes > d_bytes or (idle and s_bytes >= d_bytes):
            problems.append(f"sparse sent {s_bytes} bytes, dense {d_bytes}")
        if active["min"] == np_:
            # Every rank took part: the planner's footprints bound every
            # message (--plan counts each owned sample as colour).
            plan_path = os.path.join(a.work, tag + "_plan.jsonl")
            if os.path.exists(plan_path):
                os.remove(plan_path)
            r = launch.run(a, 1, a.tool, tool_args + opts + ["--plan", str(np_), "-t",
                                                             plan_path])
            if r.returncode != 0:
                problems.append(f"--plan {np_}: exit {r.returncode}")
            else:
                with open(plan_path) as f:
                    plan = json.loads(f.readlines()[-1])
                for group, key in (("composite_bytes_sent", "swap_max"),
                                   ("composite_bytes_sent", "swap_total"),
                                   ("composite_bytes_sent", "gather_total"),
                                   ("composite_rounds", "max"),
                                   ("composite_rounds", "messages_max")):
                    if plan[group][key] < sparse[group][key]:
                        problems.append(f"plan {group}.{key} {plan[group][key]} < the "
                                        f"run's {sparse[group][key]}")
                if plan["params"]["images"] != "sparse-bound":
                    problems.append(f"plan params.images {plan['params']['images']}")
        print(f"{'FAIL' if problems else 'OK  '} {tag}: swap bytes sparse {s_bytes} / dense "
              f"{d_bytes} ({s_bytes / max(d_bytes, 1):.2f}), ranks active min "
              f"{active['min']} mean {active['mean']}, worst float difference {worst:g}"
              + (f"; {'; '.join(problems)}" if problems else ""))
        fails += [f"{tag}: {x}" for x in problems]
    return launch.report("sparse_case", "sparse against dense images", fails)


if __name__ == "__main__":
    sys.exit(main())
