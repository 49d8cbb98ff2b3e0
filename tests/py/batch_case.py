#!/usr/bin/env python3
"""--batch K renders K frames before compositing them: the same frames.

batch_case.py --mpiexec M --tool T --work DIR --nps 1,3 --batch 4 -- -i cube.h5 <options>
  At each rank count: the job with --batch 1 and with --batch K, both with
  --float-output and --timing.  The float datasets must be equal bit for
  bit, the PNG frames too (pixels), the records must give the same samples
  per rank and frames.  Then, with --batch K --resume after removing two
  frames, exactly those two are rendered again, equal to the first run's.
"""
import argparse
import json
import os
import sys

import h5py
import numpy as np

import launch
import pngio


def last_record(path):
    with open(path) as f:
        return json.loads(f.readlines()[-1])


def run(a, np_, args, tag, fails):
    out = os.path.join(a.work, tag)
    tim = os.path.join(a.work, tag + ".jsonl")
    r = launch.run(a, np_, a.tool, args + ["-q", "-o", out, "-t", tim])
    if r.returncode != 0:
        fails.append(f"{tag}: exit {r.returncode}: {r.stderr.strip()}")
        return None
    return out, last_record(tim)


def read_png(path):
    return pngio.read(path)[0]  # the pixels (the text chunks name the options)


def pngs(folder):
    return sorted(f for f in os.listdir(folder) if f.startswith("volumerender"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--nps", default="1,3")
    p.add_argument("--batch", type=int, default=4)
    a, tool_args = launch.parse_driver(p)
    fails = []
    for np_ in [int(x) for x in a.nps.split(",")]:
        got = {}
        for k in (1, a.batch):
            tag = f"np{np_}_batch{k}"
            flt = os.path.join(a.work, tag + ".h5")
            got[k] = run(a, np_, tool_args + ["--batch", str(k), "-f", flt], tag, fails)
            if got[k]:
                with h5py.File(flt, "r") as f:
                    got[k] += ({n: f[n][()] for n in ("rgb", "transmittance")},)
        if None in got.values():
            continue
        (o1, r1, d1), (ok, rk, dk) = got[1], got[a.batch]
        for n in d1:
            if d1[n].shape != dk[n].shape or not np.array_equal(d1[n], dk[n]):
                fails.append(f"np {np_}: float '{n}' differs between --batch 1 and "
                             f"--batch {a.batch}")
        names = pngs(o1)
        if names != pngs(ok) or not names:
            fails.append(f"np {np_}: frames {names} vs {pngs(ok)}")
        for name in names:
            if not np.array_equal(read_png(os.path.join(o1, name)),
                                  read_png(os.path.join(ok, name))):
                fails.append(f"np {np_}: {name} differs between --batch 1 and {a.batch}")
        for key in ("samples_per_rank", "frames", "samples_total"):
            if r1[key] != rk[key]:
                fails.append(f"np {np_}: record {key}: {r1[key]} vs {rk[key]}")
        # Resume: two frames gone, a batch of K renders just those two.
        gone = names[1:3]
        for name in gone:
            os.remove(os.path.join(ok, name))
        tim = os.path.join(a.work, f"np{np_}_resume.jsonl")
        r = launch.run(a, np_, a.tool, tool_args + ["--batch", str(a.batch), "--resume", "-q",
                                                    "-o", ok, "-t", tim])
        if r.returncode != 0:
            fails.append(f"np {np_}: resume exit {r.returncode}: {r.stderr.strip()}")
            continue
        rec = last_record(tim)
        if rec["frames"] != len(gone) or rec["frames_skipped"] != len(names) - len(gone):
            fails.append(f"np {np_}: resume rendered {rec['frames']}, skipped "
                         f"{rec['frames_skipped']} (expected {len(gone)}, "
                         f"{len(names) - len(gone)})")
        for name in gone:
            path = os.path.join(ok, name)
            if not os.path.exists(path) or not np.array_equal(
                    read_png(path), read_png(os.path.join(o1, name))):
                fails.append(f"np {np_}: resumed {name} missing or different")
    return launch.report("batch_case", f"batch {a.batch}", fails)


if __name__ == "__main__":
    sys.exit(main())
