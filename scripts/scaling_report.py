#!/usr/bin/env python3
"""Scaling report from volrender_mpi --timing records (JSON Lines).

    scaling_report.py RECORDS.jsonl [...] [--mode auto|strong|weak]
                      [--markdown OUT.md] [--plot OUT.png] [--job ID]

Records are grouped into series by their parameters (cube, dataset, N,
samples, angles, axis, compositing method, threads per rank; in weak mode
the cube size and N may grow with P) and, within a series, by rank count P.
Repeats are reduced by their median.  For each P the table gives the total
time (max over ranks), speedup and parallel efficiency against the smallest
P of the series, and each phase's time (max over ranks) with its imbalance
(max / mean over ranks) in parentheses.

Strong scaling: speedup S = P0 * T(P0) / T(P), efficiency E = S / P.
Weak scaling:   E = T(P0) / T(P), scaled speedup S = P * E.
(P0 is the smallest P measured, assumed perfectly efficient.)

The plot shows speedup and efficiency against P with the ideal lines, and
the phase breakdown of the time.  Needs matplotlib only for --plot.
"""
import argparse
import json
import math
import statistics
import sys

PHASES = ["open", "read", "render", "composite", "write"]
# Parameters that do not change the work: ignored when grouping.
NOT_WORK = {"input", "output_dir", "prefix", "float_output", "resume", "timing",
            "max_memory_mib"}
GROWS_IN_WEAK = {"dims", "N", "samples"}


def load(paths, job):
    records = []
    for path in paths:
        try:
            f = open(path)
        except OSError as e:
            sys.exit(f"scaling_report: cannot read {path}: {e.strerror}")
        with f:
            for lineno, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as e:
                    sys.exit(f"scaling_report: {path}:{lineno}: not JSON ({e})")
                if rec.get("tool") != "volrender_mpi" or "phases" not in rec:
                    continue
                if job and str(rec.get("SLURM_JOB_ID")) != str(job):
                    continue
                records.append(rec)
    return records


def guess_mode(records):
    """weak when every P has one cube size and the sizes differ between P."""
    by_p = {}
    for r in records:
        by_p.setdefault(r["ranks"], set()).add(tuple(r["params"]["dims"]))
    if len(by_p) > 1 and all(len(d) == 1 for d in by_p.values()):
        if len({next(iter(d)) for d in by_p.values()}) == len(by_p):
            return "weak"
    return "strong"


def series_key(rec, mode):
    drop = NOT_WORK | (GROWS_IN_WEAK if mode == "weak" else set())
    params = {k: v for k, v in rec["params"].items() if k not in drop}
    params["threads_per_rank"] = rec.get("threads_per_rank", 1)
    return json.dumps(params, sort_keys=True)


def median(values):
    return statistics.median(values) if values else float("nan")


def reduce_point(recs):
    """Medians over the repeats of one (series, P)."""
    point = {
        "P": recs[0]["ranks"],
        "runs": len(recs),
        "total": median([r["phases"]["total"]["max"] for r in recs]),
        "total_min": min(r["phases"]["total"]["max"] for r in recs),
        "total_max": max(r["phases"]["total"]["max"] for r in recs),
        "dims": recs[0]["params"]["dims"],
        "N": recs[0]["params"]["N"],
        "hosts": max(r.get("hosts", 1) for r in recs),
        "rss_max": median([r["peak_rss_bytes"]["max"] for r in recs]),
        "phase": {},
        "imbalance": {},
    }
    for ph in PHASES:
        point["phase"][ph] = median([r["phases"][ph]["max"] for r in recs])
        point["imbalance"][ph] = median(
            [r["phases"][ph]["max"] / r["phases"][ph]["mean"]
             if r["phases"][ph]["mean"] > 0 else 1.0 for r in recs])
    return point


def build_series(records, mode):
    groups = {}
    for r in records:
        groups.setdefault(series_key(r, mode), {}).setdefault(r["ranks"], []).append(r)
    series = []
    for key, by_p in groups.items():
        points = [reduce_point(by_p[p]) for p in sorted(by_p)]
        base = points[0]
        for pt in points:
            if mode == "strong":
                pt["speedup"] = base["P"] * base["total"] / pt["total"]
                pt["efficiency"] = pt["speedup"] / pt["P"]
            else:
                pt["efficiency"] = base["total"] / pt["total"]
                pt["speedup"] = pt["P"] * pt["efficiency"]
        first = next(iter(by_p.values()))[0]
        series.append({"key": json.loads(key), "points": points, "example": first,
                       "records": sum(len(v) for v in by_p.values())})
    return series


def label(s, mode):
    k, pts = s["key"], s["points"]
    cube = lambda pt: "x".join(map(str, pt["dims"]))
    if mode == "weak":
        size = f"{cube(pts[0])} N={pts[0]['N']} .. {cube(pts[-1])} N={pts[-1]['N']}, "
    else:
        size = f"{cube(pts[0])}, N={k['N']}, "
    method = k["composite"] + (f" K={k['radix']}" if k["composite"] == "radixk" else "")
    return (f"{size}{k['angles']} angle(s), axis {k['axis']}, {k.get('decomp', 'equal')} "
            f"slabs, {method}, {k['threads_per_rank']} thread(s)/rank")


def markdown(series, mode):
    out = []
    for s in series:
        ex = s["example"]
        jobs = sorted({str(r) for r in [ex.get("SLURM_JOB_ID")] if r})
        out.append(f"### {mode.capitalize()} scaling: {label(s, mode)}\n")
        out.append(f"volrender_mpi {ex.get('version', '?')} ({ex.get('git_revision', '?')}), "
                   f"{ex.get('mpi_library', 'MPI ?').split(',')[0]}, I/O "
                   f"{ex.get('io', {}).get('mode', '?')}; {s['records']} record(s), "
                   f"median of repeats"
                   + (f"; SLURM job {', '.join(jobs)}" if jobs else "") + ".\n")
        head = ["P"]
        if mode == "weak":
            head += ["cube", "N"]
        head += ["hosts", "runs", "total [s]", "speedup" if mode == "strong"
                 else "scaled speedup", "efficiency"]
        head += [f"{ph} [s] (imb.)" for ph in PHASES] + ["peak RSS [MiB]"]
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "|".join(["---:"] * len(head)) + "|")
        for pt in s["points"]:
            row = [str(pt["P"])]
            if mode == "weak":
                row += ["x".join(map(str, pt["dims"])), str(pt["N"])]
            spread = (f" ({pt['total_min']:.3f}-{pt['total_max']:.3f})"
                      if pt["runs"] > 1 else "")
            row += [str(pt["hosts"]), str(pt["runs"]), f"{pt['total']:.3f}{spread}",
                    f"{pt['speedup']:.2f}", f"{100 * pt['efficiency']:.0f} %"]
            row += [f"{pt['phase'][ph]:.3f} ({pt['imbalance'][ph]:.2f})" for ph in PHASES]
            row.append(f"{pt['rss_max'] / 1048576:.0f}")
            out.append("| " + " | ".join(row) + " |")
        out.append("")
    out.append("Times are the max over ranks (the wall time of each phase); imb. = "
               "max / mean over ranks; total (min-max over repeats).")
    return "\n".join(out) + "\n"


def plot(series, mode, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_s, ax_e, ax_p) = plt.subplots(1, 3, figsize=(15, 4.6))
    all_p = sorted({pt["P"] for s in series for pt in s["points"]})
    for i, s in enumerate(series):
        ps = [pt["P"] for pt in s["points"]]
        lab = label(s, mode) if len(series) > 1 else None
        ax_s.plot(ps, [pt["speedup"] for pt in s["points"]], "o-", color=f"C{i}",
                  label=lab or "measured")
        ax_e.plot(ps, [100 * pt["efficiency"] for pt in s["points"]], "o-",
                  color=f"C{i}", label=lab or "measured")
    ax_s.plot(all_p, all_p, "k--", lw=1, label="ideal")
    ax_e.axhline(100, color="k", ls="--", lw=1, label="ideal")
    for ax in (ax_s, ax_e):
        ax.set_xscale("log", base=2)
        ax.set_xticks(all_p)
        ax.set_xticklabels([str(p) for p in all_p])
        ax.set_xlabel("ranks P")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    ax_s.set_yscale("log", base=2)
    speedups = [pt["speedup"] for s in series for pt in s["points"]] + all_p
    lo = math.floor(math.log2(min(speedups)))
    hi = math.ceil(math.log2(max(speedups)))
    ticks = [2.0 ** k for k in range(lo, hi + 1)]
    ax_s.set_yticks(ticks)
    ax_s.set_yticklabels([f"{t:g}" for t in ticks])
    ax_s.set_ylabel("scaled speedup" if mode == "weak" else "speedup")
    ax_s.set_title(f"{mode} scaling: speedup")
    ax_e.set_ylabel("parallel efficiency [%]")
    ax_e.set_ylim(0, max(110, 5 + max(100 * pt["efficiency"]
                                      for s in series for pt in s["points"])))
    ax_e.set_title(f"{mode} scaling: efficiency")

    # Phase breakdown of the first series: median max-over-ranks per phase.
    s = series[0]
    x = range(len(s["points"]))
    bottom = [0.0] * len(s["points"])
    for j, ph in enumerate(PHASES):
        h = [pt["phase"][ph] for pt in s["points"]]
        ax_p.bar(x, h, bottom=bottom, color=f"C{j}", label=ph)
        bottom = [b + v for b, v in zip(bottom, h)]
    ax_p.plot(x, [pt["total"] for pt in s["points"]], "k_", ms=20, mew=2, label="total")
    ax_p.set_xticks(list(x))
    ax_p.set_xticklabels([str(pt["P"]) for pt in s["points"]])
    ax_p.set_xlabel("ranks P")
    ax_p.set_ylabel("time [s] (max over ranks)")
    ax_p.set_title("where the time goes" + (" (first series)" if len(series) > 1 else ""))
    ax_p.legend(fontsize=8)
    ax_p.grid(True, axis="y", alpha=0.3)
    fig.suptitle(f"volrender_mpi {mode} scaling: {label(series[0], mode)}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("records", nargs="+", help="JSON Lines file(s) from --timing")
    ap.add_argument("--mode", choices=["auto", "strong", "weak"], default="auto")
    ap.add_argument("--markdown", help="write the Markdown table here (also printed)")
    ap.add_argument("--plot", help="write the PNG plot here")
    ap.add_argument("--job", help="only records of this SLURM_JOB_ID")
    args = ap.parse_args()

    records = load(args.records, args.job)
    if not records:
        sys.exit("scaling_report: no volrender_mpi records in " + ", ".join(args.records))
    mode = guess_mode(records) if args.mode == "auto" else args.mode
    series = build_series(records, mode)
    text = markdown(series, mode)
    sys.stdout.write(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)
    if args.plot:
        plot(series, mode, args.plot)
        print(f"scaling_report: plot written to {args.plot}")


if __name__ == "__main__":
    main()
