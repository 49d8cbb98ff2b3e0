#!/usr/bin/env python3
"""Bad camera options and views files: each refused before reading, with
exit status 2, one line naming what is wrong, and no output folder.

camera_errors.py --mpiexec M --tool T --work DIR --cube CUBE.h5
"""
import argparse
import os
import shutil
import sys

import launch

CASES = [
    # (options, views file text or None, expected words in the message)
    (["--orbit-axis", "w"], None, "option --orbit-axis: 'w' is not an axis"),
    (["--elevation", "91"], None, "option --elevation: 91 is out of range"),
    (["--elevation", "nan"], None, "option --elevation: 'nan' is not a number"),
    (["--width", "0"], None, "option --width: 0 is out of range"),
    (["--perspective", "180"], None, "option --perspective"),
    (["--fit", "--width", "10"], None, "options --fit and --width exclude each other"),
    (["-N", "32x"], None, "option --size: '' is not a whole number"),
    (["--perspective", "170"], None, "the eye is inside the box"),
    (["--views", "V", "--elevation", "10"], "{\"look\":[1,0,0],\"up\":[0,0,1]}\n",
     "option --views excludes --orbit-axis"),
    (["--views", "V", "-a", "3"], "{\"look\":[1,0,0],\"up\":[0,0,1]}\n",
     "option --views excludes --angles"),
    (["--views", "V"], "\n\n", "has no views"),
    (["--views", "V"], "{\"look\":[1,0,0],\"up\":[0,0,1]}\n{\"look\":[1,0,0],\"up\":[2,0,0]}\n",
     "line 2: \"up\" is parallel to the looking direction"),
    (["--views", "V"], "{\"look\":[0,0,0],\"up\":[0,0,1]}\n", "line 1: \"look\" is the zero vector"),
    (["--views", "V"], "{\"look\":[1,0,0],\"up\":[0,0,0]}\n", "line 1: \"up\" is the zero vector"),
    (["--views", "V"], "{\"look\":[1,0,0],\"up\":[0,0,1]}\n{\"look\":[1,0,NaN],\"up\":[0,0,1]}\n",
     "line 2: not valid JSON"),
    (["--views", "V"], "{\"look\":[1,0,0],\"up\":[0,0,1],\"zoom\":2}\n", "line 1: unknown key \"zoom\""),
    (["--views", "V"], "[1,2,3]\n", "line 1: not a JSON object"),
    (["--views", "V"], "{\"position\":[0,0,10],\"up\":[0,1,0],\"fov\":60}\n",
     "line 1: the eye is inside the box"),
    (["--views", "V"], "{\"look\":[1,0,0],\"position\":[1,0,0],\"up\":[0,0,1]}\n",
     "give exactly one of \"look\" and \"position\""),
    (["--views", "V", "--last-angle", "2"], "{\"look\":[1,0,0],\"up\":[0,0,1]}\n",
     "option --last-angle: 2 is beyond the 1 view(s)"),
    (["--views", "missing.jsonl"], None, "option --views: cannot open"),
]


def main():
    p = argparse.ArgumentParser()
    launch.add_launch_args(p)
    p.add_argument("--tool", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--cube", required=True)
    a = p.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    failed = 0
    for i, (opts, text, words) in enumerate(CASES):
        path = os.path.join(a.work, f"views{i}.jsonl")
        if text is not None:
            with open(path, "w") as f:
                f.write(text)
        opts = [path if o == "V" else os.path.join(a.work, o) if o.endswith(".jsonl") else o
                for o in opts]
        out = os.path.join(a.work, f"out{i}")
        r = launch.run(a, 1, a.tool, ["-i", a.cube, "-N", "32", "-o", out] + opts)
        # mpiexec adds its own note about the exit status; the tool says one line
        lines = [l for l in r.stderr.splitlines() if l.startswith("volrender")]
        ok = r.returncode == 2 and len(lines) == 1 and words in lines[0] \
            and not os.path.exists(out)
        failed |= not ok
        print(f"{'OK  ' if ok else 'FAIL'} {' '.join(opts)}: exit {r.returncode}: "
              f"{lines[:2]}")
    print("camera_errors: " + ("FAIL" if failed else "PASS"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
