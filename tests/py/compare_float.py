#!/usr/bin/env python3
"""Compare two volrender_mpi float-output HDF5 files (e.g. C tool vs reference_render.py).

For each dataset in --datasets: shapes must match and max |A - B| <= --tol.
In 'projection', -inf == -inf, +inf == +inf and NaN == NaN count as equal
(difference 0); any other non-finite mismatch is an infinite difference.
In the other datasets any non-finite value is a failure.
If both files have /angle_index it must match exactly (otherwise frames would
be compared against the wrong angles).

Exit codes: 0 all equal within tol, 1 mismatch / missing file or dataset, 2 usage error.
"""
import argparse
import sys

import numpy as np

NONFINITE_OK = {"projection"}


def compare(name, a, b, tol):
    """Return (ok, message)."""
    if a.shape != b.shape:
        return False, f"FAIL {name}: shape mismatch {a.shape} vs {b.shape}"
    if a.size == 0:
        return True, f"OK   {name}: empty, shape {a.shape}"
    a64 = a.astype(np.float64)
    b64 = b.astype(np.float64)
    fa, fb = np.isfinite(a64), np.isfinite(b64)
    notes = []
    if name in NONFINITE_OK:
        same_special = (~fa & ~fb) & ((a64 == b64) | (np.isnan(a64) & np.isnan(b64)))
    else:
        same_special = np.zeros(a.shape, dtype=bool)
        nfa, nfb = int((~fa).sum()), int((~fb).sum())
        if nfa or nfb:
            notes.append(f"non-finite values: {nfa} in A, {nfb} in B")
    with np.errstate(invalid="ignore"):
        diff = np.where(fa & fb, np.abs(a64 - b64), np.inf)
    diff[same_special] = 0.0
    k = int(np.argmax(diff))
    where = np.unravel_index(k, a.shape)
    md = float(diff.reshape(-1)[k])
    nbad = int((diff > tol).sum())
    ok = md <= tol and not notes
    msg = (f"{name}: shape {a.shape} max|A-B| = {md:.3g} at {tuple(int(i) for i in where)} "
           f"(A={a64[where]!r}, B={b64[where]!r}); {nbad} element(s) > tol {tol:g}")
    if name in NONFINITE_OK:
        msg += f"; non-finite: {int((~fa).sum())} in A, {int((~fb).sum())} in B"
    if notes:
        msg += "; " + "; ".join(notes)
    return ok, ("OK   " if ok else "FAIL ") + msg


def main(argv=None):
    p = argparse.ArgumentParser(description="Compare datasets of two volrender_mpi float-output HDF5 files.")
    p.add_argument("a", metavar="A.h5")
    p.add_argument("b", metavar="B.h5")
    p.add_argument("--tol", type=float, default=1e-5, help="max allowed absolute difference (default 1e-5)")
    p.add_argument("--datasets", default="rgb,transmittance,projection",
                   help="comma-separated dataset names (default rgb,transmittance,projection)")
    args = p.parse_args(argv)
    names = [n for n in args.datasets.split(",") if n]
    if not names:
        p.error("--datasets is empty")
    if not (args.tol >= 0):
        p.error("--tol must be >= 0")

    import h5py
    try:
        fa = h5py.File(args.a, "r")
        fb = h5py.File(args.b, "r")
    except OSError as e:
        print(f"compare_float: FAIL cannot open input: {e}", file=sys.stderr)
        return 1
    ok_all = True
    with fa, fb:
        if "angle_index" in fa and "angle_index" in fb and "angle_index" not in names:
            ia, ib = fa["angle_index"][...], fb["angle_index"][...]
            if ia.shape != ib.shape or not np.array_equal(ia, ib):
                print(f"FAIL angle_index differs: {ia.tolist()} vs {ib.tolist()}")
                ok_all = False
            else:
                print(f"OK   angle_index: {ia.tolist()}")
        for n in names:
            missing = [f for f, h in ((args.a, fa), (args.b, fb)) if n not in h]
            if missing:
                print(f"FAIL {n}: missing in {', '.join(missing)}")
                ok_all = False
                continue
            ok, msg = compare(n, fa[n][...], fb[n][...], args.tol)
            print(msg)
            ok_all &= ok
    print("compare_float: " + ("PASS" if ok_all else "FAIL") + f" ({args.a} vs {args.b}, tol {args.tol:g})")
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
