#!/usr/bin/env python3
"""The compositing figures of the --timing record: bytes sent and rounds.

composite_record.py --mpiexec M --tool T --work DIR -- -i cube.h5 <options>
Runs -N 48 (A = 2304 pixels, divisible by 2, 3, 4, 6 and 8) over -a 3
frames at rank counts that need no fold, with binary swap and radix-k, and
checks the record against the methods' definitions: each rank sends
A (1 - 1/P) pixels of 16 bytes per frame in the stages
(composite_bytes_sent swap_max = swap_mean), and takes one round per
factor of P per frame (binary swap log2 P rounds of one message, radix-k
one round of k - 1 messages per factor k <= K), the same on every rank;
the rank that gathers sends nothing in the gather.  Nothing is timed.
"""
import argparse
import json
import os
import sys

import launch

FRAMES = 3
N = 48
# (method, radix, np, round sizes by definition)
CASES = [
    ("bswap", 8, 4, [2, 2]),
    ("radixk", 8, 4, [4]),
    ("radixk", 2, 4, [2, 2]),
    ("radixk", 8, 6, [6]),
    ("radixk", 3, 6, [3, 2]),
    ("radixk", 4, 8, [4, 2]),
    ("bswap", 8, 8, [2, 2, 2]),
]


def main():
    p = argparse.ArgumentParser()
    a, tool_args = launch.parse_driver(p)
    fails = []
    npix = N * N
    for method, radix, np_, ks in CASES:
        tag = f"{method}_K{radix}_np{np_}"
        rec_path = os.path.join(a.work, tag + ".jsonl")
        r = launch.run(a, np_, a.tool, tool_args + [
            "-N", str(N), "-a", str(FRAMES), "-q", "-o", os.path.join(a.work, tag),
            "-t", rec_path, "-c", method, "--radix", str(radix),
            "--dense"])  # the textbook's figures are dense images' (sparse_case.py)
        if r.returncode != 0:
            print(r.stdout + r.stderr)
            fails.append(f"{tag}: exit {r.returncode}")
            continue
        with open(rec_path) as f:
            rec = json.loads(f.readline())
        sent = rec["composite_bytes_sent"]
        rounds = rec["composite_rounds"]
        want_bytes = FRAMES * (npix - npix // np_) * 16
        want_rounds = FRAMES * len(ks)
        want_msgs = FRAMES * sum(k - 1 for k in ks)
        got = (sent["swap_max"], sent["swap_mean"], rounds["max"], rounds["mean"],
               rounds["messages_max"], rounds["messages_mean"])
        want = (want_bytes, want_bytes, want_rounds, want_rounds, want_msgs, want_msgs)
        ok = all(abs(g - w) < 1e-6 for g, w in zip(got, want))
        ok &= rec["params"]["composite"] == method and rec["params"]["radix"] == radix
        # Every rank but the gathering one sends its final piece, A / P.
        ok &= sent["gather_total"] == FRAMES * (npix - npix // np_) * 16
        print(f"{'OK  ' if ok else 'FAIL'} {tag}: swap max/mean {got[0]:.0f}/{got[1]:.0f} "
              f"bytes (want {want_bytes}), rounds {got[2]:.0f}/{got[3]:.2f} (want "
              f"{want_rounds}), messages {got[4]:.0f}/{got[5]:.2f} (want {want_msgs}), "
              f"gathered {sent['gather_total']}")
        if not ok:
            fails.append(f"{tag}: record {got} gather {sent['gather_total']}, want {want}")
    return launch.report("composite_record", "bytes and rounds", fails)


if __name__ == "__main__":
    sys.exit(main())
