"""Shared by the test drivers: how to launch the tool on NP ranks."""
import shlex
import subprocess


def add_launch_args(p):
    p.add_argument("--mpiexec", required=True, help="MPI launcher")
    p.add_argument("--np-flag", default="-n", help="its rank-count flag")
    p.add_argument("--mpiexec-flags", default="",
                   help="extra launcher flags (CMake list: ';'-separated)")


def command(args, np, tool, tool_args):
    flags = [f for f in args.mpiexec_flags.replace(";", " ").split() if f]
    return [args.mpiexec, args.np_flag, str(np)] + flags + [tool] + list(tool_args)


def run(args, np, tool, tool_args, timeout=240):
    cmd = command(args, np, tool, tool_args)
    print("+ " + " ".join(shlex.quote(c) for c in cmd), flush=True)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
