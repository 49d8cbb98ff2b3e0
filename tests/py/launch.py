"""Shared by the test drivers: how to launch the tool on NP ranks."""
import shlex
import subprocess


def add_launch_args(p):
    p.add_argument("--mpiexec", required=True, help="MPI launcher")
    p.add_argument("--np-flag", default="-n", help="its rank-count flag")
    p.add_argument("--mpiexec-flags", default="",
                   help="extra launcher flags (CMake list: ';'-separated)")


def parse_driver(p):
    """Adds --tool, --work and the tool's options (after '--') to parser p
    (launch flags included), parses, and empties the work folder.
    Returns (args, tool options)."""
    import argparse
    import os
    import shutil
    add_launch_args(p)
    p.add_argument("--tool", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("tool_args", nargs=argparse.REMAINDER)
    a = p.parse_args()
    tool_args = a.tool_args[1:] if a.tool_args[:1] == ["--"] else a.tool_args
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    return a, tool_args


def command(args, np, tool, tool_args):
    flags = [f for f in args.mpiexec_flags.replace(";", " ").split() if f]
    return [args.mpiexec, args.np_flag, str(np)] + flags + [tool] + list(tool_args)


def run(args, np, tool, tool_args, timeout=240):
    cmd = command(args, np, tool, tool_args)
    print("+ " + " ".join(shlex.quote(c) for c in cmd), flush=True)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def report(driver, name, problems, where=""):
    """Prints one FAIL line per problem, or one PASS line; the exit status."""
    for p in problems:
        print(f"{driver}: FAIL {name}: {p}")
    if not problems:
        print(f"{driver}: PASS {name}{where}")
    return 1 if problems else 0


def case_main(cases, run_case, default_np, py_dir):
    """The command line of a driver of named cases: --list prints them,
    --case NAME runs one with run_case(args, NAME) (its exit status)."""
    import argparse
    import os
    p = argparse.ArgumentParser()
    p.add_argument("--mpiexec")
    p.add_argument("--np-flag", default="-n")
    p.add_argument("--mpiexec-flags", default="")
    p.add_argument("--np", type=int, default=default_np)
    p.add_argument("--tool")
    p.add_argument("--py-dir", default=py_dir)
    p.add_argument("--work")
    p.add_argument("--case")
    p.add_argument("--list", action="store_true", help="print the case names")
    a = p.parse_args()
    if a.list:
        print("\n".join(cases))
        return 0
    if not (a.mpiexec and a.tool and a.work and a.case):
        p.error("--mpiexec, --tool, --work and --case are needed")
    if a.case not in cases:
        p.error(f"unknown case '{a.case}'")
    a.tool = os.path.abspath(a.tool)
    a.work = os.path.abspath(a.work)
    return run_case(a, a.case)


def blocks_problem(blocks, dims, allow_empty=False):
    """None if the record's decomp_blocks (per rank lo[3] + hi[3]) tile a
    cube of dims (inside it, non-empty unless allowed, disjoint, volumes
    adding up), else what is wrong."""
    total = 0
    for i, b in enumerate(blocks):
        if allow_empty and len(b) == 6 and any(b[a] == b[3 + a] for a in range(3)):
            continue
        if len(b) != 6 or any(not (0 <= b[a] < b[3 + a] <= dims[a]) for a in range(3)):
            return f"block {i} {b} is not a non-empty box of the cube {dims}"
        total += (b[3] - b[0]) * (b[4] - b[1]) * (b[5] - b[2])
        for j in range(i):
            c = blocks[j]
            if any(c[a] == c[3 + a] for a in range(3)):
                continue
            if all(b[a] < c[3 + a] and c[a] < b[3 + a] for a in range(3)):
                return f"blocks {j} {c} and {i} {b} overlap"
    if total != dims[0] * dims[1] * dims[2]:
        return f"blocks cover {total} of {dims[0] * dims[1] * dims[2]} points"
    return None
