#!/usr/bin/env python3
"""Checks what jobs/snapshots.sbatch left in WORK/series (run_slurm_jobs.sh).

check_series.py WORK PHASE TASKS STATE
  PHASE first: the array of 2 tasks rendered snap_1 and snap_2 (task 0) and
        snap_10 (task 1): 3 frames of 24 x 24 and a 32 x 32 projection per
        snapshot folder, one record per snapshot with its index, count,
        input and stem, the task's SLURM_JOB_ID, 3 frames rendered; each
        task's sub-list holds its slice.  Writes the frames' modification
        times to STATE.
  PHASE resumed: the same array resubmitted with VR_RESUME=1: one more
        record per snapshot saying 3 frames skipped and none rendered, and
        every file's modification time as in STATE.
TASKS: lines "ARRAY-TASK-ID JOB-ID" of the array just checked.
Exit status 0 pass, 1 fail.
"""
import json
import os
import sys

from PIL import Image

SLICES = {"0": ["snap_1", "snap_2"], "1": ["snap_10"]}
ANGLES = 3


def main():
    work, phase, tasks, state_path = sys.argv[1:5]
    with open(tasks) as f:
        jobs = dict(line.split() for line in f if line.strip())
    errors = []

    def check(cond, msg):
        if not cond:
            errors.append(msg)
            print("    FAIL:", msg)

    state = {}
    want = ["projection.png"] + [f"volumerender{n}.png" for n in range(ANGLES)]
    for stems in SLICES.values():
        for stem in stems:
            d = os.path.join(work, "series", stem)
            names = sorted(os.listdir(d)) if os.path.isdir(d) else []
            check(names == want, f"{d}: {names}, expected {want}")
            for n in names:
                im = Image.open(os.path.join(d, n))
                size = (32, 32) if n == "projection.png" else (24, 24)
                check(im.size == size, f"{d}/{n}: {im.size}, expected {size}")
                if n != "projection.png":
                    check(max(e[1] for e in im.getextrema()) > 0, f"{d}/{n} is black")
                state[f"{stem}/{n}"] = os.stat(os.path.join(d, n)).st_mtime_ns
    for task, stems in SLICES.items():
        path = os.path.join(work, "series", f"timing-task{task}.jsonl")
        recs = []
        if os.path.exists(path):
            with open(path) as f:
                recs = [json.loads(line) for line in f if line.strip()]
        runs = 2 if phase == "resumed" else 1
        check(len(recs) == len(stems) * runs,
              f"{path}: {len(recs)} records after the {phase} array, expected "
              f"{len(stems) * runs}")
        expect = (0, ANGLES) if phase == "resumed" else (ANGLES, 0)
        for k, (r, stem) in enumerate(zip(recs[-len(stems):], stems)):
            snap = r.get("snapshot") or {}
            check(snap == {"index": k, "count": len(stems), "input": f"snaps/{stem}.h5",
                           "stem": stem}, f"{path} record {k}: snapshot {snap}")
            check(r.get("SLURM_JOB_ID") == jobs.get(task),
                  f"{path} record {k}: SLURM_JOB_ID {r.get('SLURM_JOB_ID')}, array task "
                  f"{task} is job {jobs.get(task)}")
            got = (r.get("frames"), r.get("frames_skipped"))
            check(got == expect, f"{path} record {k} ({phase}): (frames, frames_skipped) "
                  f"{got}, expected {expect}")
        sub = os.path.join(work, "series", "lists", f"task{task}.txt")
        got = open(sub).read().split() if os.path.exists(sub) else None
        check(got == [f"snaps/{s}.h5" for s in stems], f"{sub}: {got}, expected its slice")
    if phase == "first":
        with open(state_path, "w") as f:
            json.dump(state, f)
    else:
        with open(state_path) as f:
            before = json.load(f)
        changed = sorted(k for k in state if before.get(k) != state[k])
        check(not changed and state.keys() == before.keys(),
              f"files rewritten by the resumed array: {changed}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
