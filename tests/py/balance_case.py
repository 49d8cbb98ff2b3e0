#!/usr/bin/env python3
"""--decomp balanced or kd (--decomp): the same picture as the equal slabs,
and the samples each rank composites (from the --timing record) nearly
equal.

balance_case.py --mpiexec M --tool T --work DIR --mode exact --nps 3,5 \
    -- -i cube.h5 <tool options>
  At each rank count: runs the equal and the --decomp decomposition with
  --float-output and --timing; the float frames (rgb, transmittance) of
  both within --tol (1e-6) of each other and of the one-rank run, the PNG
  frames within one level; both records give the same samples_total;
  each record names its decomposition, its decomp_cuts tile the axis
  (slabs) and its decomp_blocks tile the cube.

balance_case.py ... --mode balance --nps 3,5,7 --mkcube volrender_mkcube \
    [--shape 64x256x256] [--max-ratio 1.05] [-- <tool options>]
  Makes a cosmic-web cube of that shape and runs the default orbit with
  --decomp (balanced) at each rank count: the record's samples per rank give
  max / mean <= --max-ratio; the equal cut's figure is printed beside it.
  Deterministic: samples are counted, never timed.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np

import launch
from invariance import compare_pngs


def record(path):
    with open(path) as f:
        return json.loads(f.readlines()[-1])


def ratio(rec):
    s = rec["samples_per_rank"]
    return max(s) / (sum(s) / len(s)) if sum(s) else 1.0


def render(a, np_, tool_args, tag, decomp, fails):
    """Runs one job; (record, float datasets or None, output dir) or None."""
    out = os.path.join(a.work, tag)
    flt = os.path.join(a.work, tag + ".h5")
    tim = os.path.join(a.work, tag + ".jsonl")
    extra = ["-o", out, "-t", tim, "-q", "--decomp", decomp]
    if a.mode == "exact":
        extra += ["-f", flt]
    r = launch.run(a, np_, a.tool, tool_args + extra)
    if r.returncode != 0:
        print(r.stdout + r.stderr)
        fails.append(f"{tag}: exit {r.returncode}")
        return None
    rec = record(tim)
    p = rec["params"]
    cuts = rec["decomp_cuts"]
    n = p["dims"][p["axis"]]
    if p["decomp"] != decomp:
        fails.append(f"{tag}: record names decomposition {p['decomp']!r}")
    if decomp != "kd" and (len(cuts) != np_ + 1 or cuts[0] != 0 or cuts[-1] != n or
                           any(x > y for x, y in zip(cuts, cuts[1:]))):
        fails.append(f"{tag}: decomp_cuts {cuts} do not tile 0..{n}")
    bad = launch.blocks_problem(rec["decomp_blocks"], p["dims"], allow_empty=decomp != "kd")
    if bad:
        fails.append(f"{tag}: decomp_blocks: {bad}")
    data = None
    if a.mode == "exact":
        with h5py.File(flt, "r") as f:
            data = {k: f[k][()] for k in ("rgb", "transmittance")}
    return rec, data, out


def mode_exact(a, tool_args, fails):
    base = render(a, 1, tool_args, "np1_equal", "equal", fails)
    if base is None:
        return
    for np_ in a.nps:
        runs = {d: render(a, np_, tool_args, f"np{np_}_{d}", d, fails)
                for d in ("equal", a.decomp)}
        if None in runs.values():
            continue
        for d, (rec, data, out) in runs.items():
            for other, (_, odata, oout) in (("np1", base), ("equal", runs["equal"])):
                if other == d:
                    continue
                for k in data:
                    diff = float(np.max(np.abs(data[k].astype(np.float64) - odata[k])))
                    ok = diff <= a.tol
                    print(f"{'OK  ' if ok else 'FAIL'} np{np_} {d} vs {other}: {k} max diff "
                          f"{diff:.3g}")
                    if not ok:
                        fails.append(f"np{np_} {d} vs {other}: {k} differs by {diff:.3g}")
                bad = compare_pngs(out, oout)
                if bad:
                    fails.append(f"np{np_} {d} vs {other}: {bad}")
            if rec["samples_total"] != base[0]["samples_total"]:
                fails.append(f"np{np_} {d}: samples_total {rec['samples_total']} != "
                             f"{base[0]['samples_total']} at np 1")
        if a.min_samples and min(runs[a.decomp][0]["samples_per_rank"]) <= 0:
            fails.append(f"np{np_} {a.decomp}: a rank composites no sample")
        print(f"np{np_}: samples max/mean equal {ratio(runs['equal'][0]):.4f}, {a.decomp} "
              f"{ratio(runs[a.decomp][0]):.4f}")


def mode_balance(a, tool_args, fails):
    cube = os.path.join(a.work, "cube.h5")
    mk = launch.command(a, 2, a.mkcube, ["-q", "-s", a.shape, "-o", cube])
    if subprocess.run(mk).returncode != 0:
        fails.append("volrender_mkcube failed")
        return
    for np_ in a.nps:
        got = {}
        for d in ((a.decomp,) if a.skip_equal else ("equal", a.decomp)):
            r = render(a, np_, ["-i", cube] + tool_args, f"np{np_}_{d}", d, fails)
            if r is not None:
                got[d] = ratio(r[0])
                frame = r[0]["samples_imbalance_frame_max"]
                if d == a.decomp and a.min_samples and min(r[0]["samples_per_rank"]) <= 0:
                    fails.append(f"np{np_}: a rank composites no sample")
        if a.decomp not in got:
            continue
        ok = got[a.decomp] <= a.max_ratio
        print(f"{'OK  ' if ok else 'FAIL'} np{np_}: samples max/mean {a.decomp} "
              f"{got[a.decomp]:.4f} (equal {got.get('equal', float('nan')):.4f}; worst "
              f"frame {frame:.4f}), bound {a.max_ratio}")
        if not ok:
            fails.append(f"np{np_}: {a.decomp} max/mean {got[a.decomp]:.4f} > {a.max_ratio}")


def main():
    p = argparse.ArgumentParser()
    launch.add_launch_args(p)
    p.add_argument("--tool", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--mode", choices=("exact", "balance"), required=True)
    p.add_argument("--nps", default="3,5")
    p.add_argument("--tol", type=float, default=1e-6)
    p.add_argument("--mkcube")
    p.add_argument("--shape", default="64x256x256")
    p.add_argument("--max-ratio", type=float, default=1.05)
    p.add_argument("--decomp", choices=("balanced", "kd"), default="balanced")
    p.add_argument("--min-samples", action="store_true",
                   help="every rank of --decomp composites samples")
    p.add_argument("--skip-equal", action="store_true",
                   help="balance: do not run the equal slabs beside it")
    p.add_argument("tool_args", nargs=argparse.REMAINDER)
    a = p.parse_args()
    a.nps = [int(x) for x in a.nps.split(",")]
    tool_args = a.tool_args[1:] if a.tool_args[:1] == ["--"] else a.tool_args
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    fails = []
    if a.mode == "exact":
        mode_exact(a, tool_args, fails)
    else:
        if not a.mkcube:
            p.error("--mode balance needs --mkcube")
        mode_balance(a, tool_args, fails)
    return launch.report("balance_case", a.mode, fails)


if __name__ == "__main__":
    sys.exit(main())
