#!/usr/bin/env python3
"""Strong-scaling prediction: the planner's counts times measured rates.

  scripts/scaling_model.py --tool build/volrender_mpi --rates np1.jsonl \
      --ranks 1,2,4,...,16384 [--measured run.jsonl ...] [--plot out.png] \
      -- -i cube.h5 -N 1024 -a 36 [job options]

For every P, `volrender_mpi --plan P` (one process; reads only the input's
shape, so an HDF5 file holding an unwritten dataset of the right shape will
do) gives the samples of the busiest rank, the compositing bytes and rounds
per rank (with sparse images, the default, bounded by the blocks'
footprints; exact with --dense) and every rank's block.  The model of one run at P ranks:

  render    = max_r samples_r / (rate x threads)     rate: samples/s per core
              (the whole run's balance, as with --batch; frame by frame the
              ranks follow each frame's slowest: bounded by the mean x the
              worst frame's max/mean, shown beside it)
  composite = rounds x latency + frames x (sent_max / bandwidth
                                           + composited pixels / over_rate)
  read      = largest block's bytes (a ghost plane along each cut axis)
              / min(read_rate, fs_bandwidth / P)
  write     = ceil(frames / P) x pixels x t_pixel (frame n is written by
              rank n mod P; --float-output: every frame by rank 0, --rank0-writes)
  total     = render + composite + read + write + startup

Rates come from a measured run's --timing record (--rates: the np = 1 run
of the same kernel on this machine): rate = samples_total / (render phase x
threads), read_rate = bytes read / read phase, t_pixel = write phase /
(frames x pixels).  over_rate is a parameter (default 6e8 pixels/s: vr_over on half
a 1024^2 image, best of 20, one core of the 2-core AMD EPYC VM, 2026-12-03).  The network's latency and bandwidth are parameters (defaults: a
100 Gb/s InfiniBand cluster: 1.5 us, 12 GB/s per rank); so are the file
system's aggregate bandwidth and the launch overhead.  Everything else is
counted, not assumed.  Prints a Markdown table (and --json the numbers);
--plot draws time and efficiency against P (matplotlib), with any
--measured records as points.
"""
import argparse
import json
import os
import subprocess
import sys


def last_record(path):
    with open(path) as f:
        lines = [line for line in f if line.strip()]
    return json.loads(lines[-1])


def plan(tool, P, job):
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        rec = os.path.join(d, "plan.jsonl")
        subprocess.run([tool] + job + ["--plan", str(P), "-t", rec], check=True,
                       stdout=subprocess.DEVNULL)
        return last_record(rec)


def rates_from(rec, args):
    ph = rec["phases"]
    threads = rec.get("threads_per_rank") or 1
    r = {
        "rate": rec["samples_total"] / (ph["render"]["max"] * threads * rec["ranks"]),
        "threads": args.threads or threads,
        "read_rate": rec["io"]["bytes"] / rec["ranks"] / max(ph["read"]["max"], 1e-9),
        # per pixel, so a record of another image size still applies
        "t_pixel": ph["write"]["max"] / max(rec["frames"], 1)
                   / (rec["params"]["width"] * rec["params"]["height"]),
        "startup": ph["open"]["max"],
    }
    return r


def model(p, r, a):
    P = p["ranks"]
    frames = p["frames"]
    smax = max(p["samples_per_rank"])
    render = smax / (r["rate"] * r["threads"])
    # Ranks that wait for each other every frame follow each frame's
    # slowest rank: at most the mean times the worst frame's max/mean.
    mean = p["samples_total"] / P
    render_per_frame = max(render, mean * p["samples_imbalance_frame_max"]
                           / (r["rate"] * r["threads"]))
    sent = p["composite_bytes_sent"]
    per_frame_sent = (sent["swap_max"] + sent["gather_max"]) / frames if P > 1 else 0.0
    composite = 0.0
    if P > 1:
        # composite_rounds.max: the busiest rank's rounds over the whole run
        composite = (p["composite_rounds"]["max"] * a.latency
                     + frames * (per_frame_sent / a.bandwidth
                                 + sent["swap_max"] / frames / 16.0 / a.over_rate))
    dims = p["params"]["dims"]
    # The largest block read: its owned box, one ghost plane more along
    # every axis it is cut on (slabs: along the cut axis only).
    largest = 0
    for b in p["decomp_blocks"]:
        points = 1
        for d in range(3):
            n = b[d + 3] - b[d]
            points *= min(n + 1, dims[d]) if 0 < n < dims[d] else n
        largest = max(largest, points)
    read = 4 * largest / min(r["read_rate"], a.fs_bandwidth / P)
    per_writer = frames if a.rank0_writes else -(-frames // P)
    write = per_writer * r["t_pixel"] * p["params"]["width"] * p["params"]["height"]
    total = render + composite + read + write + r["startup"]
    return {"P": P, "render": render, "render_per_frame_bound": render_per_frame, "composite": composite, "read": read, "write": write,
            "total": total, "imbalance": p["samples_imbalance"],
            "empty_ranks": sum(1 for s in p["samples_per_rank"] if s == 0),
            "memory_max_MiB": p["memory_estimate_bytes"]["max"] / 2**20,
            "sent_max_MiB": per_frame_sent * frames / 2**20}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tool", required=True)
    ap.add_argument("--rates", required=True, help="--timing record of an np = 1 run")
    ap.add_argument("--ranks", default="1,2,4,8,16,32,64,128,256,512,1024")
    ap.add_argument("--threads", type=int, default=0,
                    help="threads per rank in the prediction (default: the record's)")
    ap.add_argument("--latency", type=float, default=1.5e-6, help="s per message round")
    ap.add_argument("--bandwidth", type=float, default=12e9, help="bytes/s per rank")
    ap.add_argument("--fs-bandwidth", type=float, default=100e9,
                    help="parallel file system, bytes/s in all")
    ap.add_argument("--over-rate", type=float, default=6e8,
                    help="pixels/s one rank composites with over")
    ap.add_argument("--rank0-writes", action="store_true",
                    help="every frame written by rank 0 (runs with --float-output)")
    ap.add_argument("--measured", nargs="*", default=[],
                    help="--timing records of real runs, drawn as points")
    ap.add_argument("--plot", help="PNG to draw")
    ap.add_argument("--title", default="")
    ap.add_argument("--json", help="write the predictions here")
    ap.add_argument("job", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    job = a.job[1:] if a.job[:1] == ["--"] else a.job
    r = rates_from(last_record(a.rates), a)
    ranks = [int(x) for x in a.ranks.split(",")]
    rows = [model(plan(a.tool, P, job), r, a) for P in ranks]
    t1 = next((x["total"] for x in rows if x["P"] == 1), None)
    for x in rows:
        x["speedup"] = t1 / x["total"] if t1 else float("nan")
        x["efficiency"] = x["speedup"] / x["P"] if t1 else float("nan")
    print(f"Rates (from {a.rates}): {r['rate'] / 1e6:.0f} M samples/s per core x "
          f"{r['threads']} thread(s), read {r['read_rate'] / 2**20:.0f} MiB/s per rank, "
          f"{r['t_pixel'] * 1e9:.1f} ns per pixel written, start-up {r['startup']:.3f} s; "
          f"over {a.over_rate / 1e6:.0f} M pixels/s; network {a.latency * 1e6:.1f} us, "
          f"{a.bandwidth / 1e9:.1f} GB/s per rank; file system {a.fs_bandwidth / 1e9:.0f} "
          "GB/s")
    print()
    print("| P | render [s] | render, frame by frame (bound) [s] | composite [s] | read [s] | write [s] | total [s] | speed-up | "
          "efficiency | samples max/mean | empty ranks | memory max [MiB] | sent max [MiB] |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for x in rows:
        print(f"| {x['P']} | {x['render']:.3g} | {x['render_per_frame_bound']:.3g} | "
              f"{x['composite']:.3g} | {x['read']:.3g} | "
              f"{x['write']:.3g} | {x['total']:.3g} | {x['speedup']:.1f} | "
              f"{100 * x['efficiency']:.0f} % | {x['imbalance']:.3f} | {x['empty_ranks']} | "
              f"{x['memory_max_MiB']:.0f} | {x['sent_max_MiB']:.0f} |")
    measured = []
    for path in a.measured:
        rec = last_record(path)
        measured.append({"P": rec["ranks"], "total": rec["phases"]["total"]["max"]})
    if measured:
        print()
        print("Measured: " + ", ".join(f"np {m['P']}: {m['total']:.3f} s" for m in measured))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"rates": r, "rows": rows, "measured": measured}, f, indent=1)
    if a.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
        P = [x["P"] for x in rows]
        for key, style in (("total", "k-o"), ("render", "C0--"), ("composite", "C1--"),
                           ("read", "C2--"), ("write", "C3--")):
            ax1.loglog(P, [max(x[key], 1e-6) for x in rows], style, label=key, ms=3)
        if measured:
            ax1.loglog([m["P"] for m in measured], [m["total"] for m in measured], "r*",
                       ms=10, label="measured")
        ax1.set_xlabel("ranks P")
        ax1.set_ylabel("time per run [s]")
        ax1.legend(fontsize=8)
        ax1.grid(True, which="both", alpha=0.3)
        ax2.semilogx(P, [100 * x["efficiency"] for x in rows], "k-o", ms=3)
        ax2.set_xlabel("ranks P")
        ax2.set_ylabel("strong-scaling efficiency [%]")
        ax2.set_ylim(0, 105)
        ax2.grid(True, which="both", alpha=0.3)
        fig.suptitle(a.title or " ".join(job))
        fig.tight_layout()
        fig.savefig(a.plot, dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main())
