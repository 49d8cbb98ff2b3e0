#!/usr/bin/env python3
"""valgrind memcheck of small np = 1 runs of volrender_mpi.

memcheck.py --mpiexec M [--np-flag -n] [--mpiexec-flags F] --valgrind V
            --tool T --py-dir tests/py --suppressions FILE --work DIR

Runs the tool under memcheck (mpirun -np 1 valgrind ... tool) for a whole
job (frames, float output, timing file, every option path that allocates)
and for a job refused after the probe, and requires no invalid access, no
use of uninitialised memory and no leak (definite, indirect or possible).
What Open MPI's run-time keeps for the life of the process is suppressed
(FILE, plus Open MPI's own suppressions when installed); every suppression
needs an Open MPI or loader frame, so the tool's own leaks still count.
Exit status 0 pass, 1 fail.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

OMPI_SUPP = "/usr/share/openmpi/openmpi-valgrind.supp"
VALGRIND_FAILED = 99


def memcheck(a, name, tool_args, expect_exit):
    logs = os.path.join(a.work, f"{name}.%p.log")
    supp = [f"--suppressions={a.suppressions}"]
    if os.path.exists(OMPI_SUPP):
        supp.append(f"--suppressions={OMPI_SUPP}")
    vg = [a.valgrind, "--tool=memcheck", "--num-callers=50", "--leak-check=full",
          "--show-leak-kinds=definite,indirect,possible",
          "--errors-for-leak-kinds=definite,indirect,possible", "--track-origins=yes",
          f"--error-exitcode={VALGRIND_FAILED}", f"--log-file={logs}"] + supp
    flags = [f for f in a.mpiexec_flags.replace(";", " ").split() if f]
    cmd = [a.mpiexec, a.np_flag, "1"] + flags + vg + [a.tool] + tool_args
    print("+ " + " ".join(cmd), flush=True)
    r = subprocess.run(cmd, cwd=a.work, capture_output=True, text=True, timeout=240)
    problems = []
    if r.returncode != expect_exit:
        problems.append(f"exit status {r.returncode}, expected {expect_exit}"
                        + (" (valgrind found errors)" if r.returncode == VALGRIND_FAILED
                           else ""))
    for log in sorted(glob.glob(os.path.join(a.work, f"{name}.*.log"))):
        with open(log) as f:
            text = f.read()
        m = re.search(r"ERROR SUMMARY: (\d+) errors", text)
        if not m:
            problems.append(f"{os.path.basename(log)}: no ERROR SUMMARY")
        elif int(m.group(1)):
            problems.append(f"{os.path.basename(log)}: {m.group(1)} error(s)")
            sys.stdout.write(text[-12000:])
        else:
            print(f"memcheck: {name}: {m.group(0)}; "
                  + "; ".join(re.findall(r"(?:definitely|indirectly|possibly) lost: [^\n]*",
                                         text)))
    if problems:
        sys.stdout.write(r.stdout[-2000:] + r.stderr[-2000:])
    return [f"{name}: {p}" for p in problems]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mpiexec", required=True)
    p.add_argument("--np-flag", default="-n")
    p.add_argument("--mpiexec-flags", default="")
    p.add_argument("--valgrind", required=True)
    p.add_argument("--tool", required=True)
    p.add_argument("--py-dir", required=True)
    p.add_argument("--suppressions", required=True)
    p.add_argument("--work", required=True)
    a = p.parse_args()
    a.tool = os.path.abspath(a.tool)
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    subprocess.run([sys.executable, os.path.join(a.py_dir, "make_test_cube.py"),
                    "--out", os.path.join(a.work, "cube.h5"), "--shape", "20,24,22",
                    "--kind", "special"], check=True, stdout=subprocess.DEVNULL)
    problems = memcheck(a, "render", ["-i", "cube.h5", "-N", "24", "-a", "3", "-o", "out",
                                      "-f", "out/float.h5", "-t", "out/timing.jsonl",
                                      "-c", "tree"], 0)
    problems += memcheck(a, "resume", ["-i", "cube.h5", "-N", "24", "-a", "4", "-o", "out",
                                       "--resume", "-q"], 0)
    problems += memcheck(a, "refused", ["-i", "cube.h5", "-d", "missing", "-o", "out"], 1)
    for q in problems:
        print(f"memcheck: FAIL {q}")
    print("memcheck: " + ("FAIL" if problems else "PASS"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
