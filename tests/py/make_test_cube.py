#!/usr/bin/env python3
"""Write small deterministic test cubes (HDF5) for volrender_mpi tests.

Kinds (--kind):
  smooth   exp of a smooth field (Gaussian blobs + sinusoids) rescaled so that
           ln(rho) spans -6 .. 11 on the grid, hitting all three transfer-function
           peaks (ln rho = -3, 3, 9).  Integer dtypes get round(exp(g)) with g
           rescaled to -1 .. ln(min(max_of_type, 60000)) (so zeros occur, values
           are positive with variety).
  special  smooth (float dtypes only) plus a known number of NaN, +inf, -inf,
           zero and negative voxels at random distinct positions.

Bad files for error tests (--bad, ignores --kind):
  not3d     2-D float32 dataset of shape (shape[0], shape[1])
  zerodim   float32 dataset with shape[0] replaced by 0
  string    3-D fixed-length string dataset
  compound  3-D compound dataset {a: float32, b: int32}
  tiny      float32 dataset with shape[0] replaced by 1

A JSON summary (including exact counts of special values) is printed on stdout.
Exit codes: 0 success, 1 runtime error, 2 usage error.
"""
import argparse
import json
import sys

import numpy as np

SPECIAL_COUNTS = {"nan": 37, "posinf": 11, "neginf": 13, "zero": 50, "negative": 29}
LN_LO, LN_HI = -6.0, 11.0


def smooth_field(shape, seed):
    """Smooth float64 field rescaled to [0, 1] (min 0, max 1 exactly)."""
    rng = np.random.default_rng(seed)
    axes = [np.linspace(-1.0, 1.0, n) for n in shape]
    x, y, z = np.meshgrid(*axes, indexing="ij")
    # blobs with distinct peak heights (so some reach ln rho ~ 11, some stop at
    # ~5 or ~0), combined by max so that each keeps its own profile; centres lie
    # in the central region the camera sees
    heights = rng.permutation([16.5, 15.0, 11.0, 9.0, 5.0, 12.5])
    f = np.zeros(shape, dtype=np.float64)
    for h in heights:
        c = rng.uniform(-0.5, 0.5, size=3)
        sig = rng.uniform(0.12, 0.25)
        f = np.maximum(f, h * np.exp(-((x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2) / (2 * sig * sig)))
    # gentle sinusoids (wavelength ~ half the cube or more) modulating the background
    for _ in range(3):
        kv = rng.uniform(1.0, 2.5, size=3) * np.pi
        ph = rng.uniform(0, 2 * np.pi)
        f += 0.6 * np.sin(kv[0] * x + kv[1] * y + kv[2] * z + ph)
    f -= f.min()
    f /= f.max()
    return f


def parse_shape(text):
    try:
        shape = tuple(int(t) for t in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad shape '{text}' (expected e.g. 40,48,44)")
    if len(shape) != 3 or min(shape) < 1:
        raise argparse.ArgumentTypeError(f"bad shape '{text}' (need 3 positive integers)")
    return shape


def layout_kwargs(layout, shape):
    if layout == "contiguous":
        return {}
    # deliberately non-dividing chunk sizes to exercise partial edge chunks
    chunks = tuple(max(1, min(n, c)) for n, c in zip(shape, (13, 16, 11)))
    kw = {"chunks": chunks}
    if layout == "deflate":
        kw.update(compression="gzip", compression_opts=4, shuffle=True)
    return kw


def make_data(shape, dtype, kind, seed):
    f = smooth_field(shape, seed)
    summary = {}
    if dtype.kind == "f":
        data = np.exp(LN_LO + (LN_HI - LN_LO) * f).astype(dtype)
        summary["ln_range"] = [LN_LO, LN_HI]
    else:
        info = np.iinfo(dtype)
        vmax = float(min(info.max, 60000))
        g = -1.0 + (np.log(vmax) + 1.0) * f
        data = np.clip(np.rint(np.exp(g)), 0, vmax).astype(dtype)
        summary["value_range"] = [int(data.min()), int(data.max())]
        summary["zero"] = int((data == 0).sum())
    if kind == "special":
        rng = np.random.default_rng(seed + 1000003)
        total = sum(SPECIAL_COUNTS.values())
        if total > data.size:
            raise RuntimeError(f"cube too small for {total} special voxels")
        pos = rng.choice(data.size, size=total, replace=False)
        flat = data.reshape(-1)
        i = 0
        for name, cnt in SPECIAL_COUNTS.items():
            sel = pos[i:i + cnt]
            i += cnt
            if name == "nan":
                flat[sel] = np.nan
            elif name == "posinf":
                flat[sel] = np.inf
            elif name == "neginf":
                flat[sel] = -np.inf
            elif name == "zero":
                flat[sel] = 0.0
            else:
                flat[sel] = -np.abs(flat[sel]) - 1.0
        # recount from the data to be sure the stated counts are exact
        summary.update(
            nan=int(np.isnan(data).sum()),
            posinf=int(np.isposinf(data).sum()),
            neginf=int(np.isneginf(data).sum()),
            zero=int((data == 0).sum()),
            negative=int(((data < 0) & np.isfinite(data)).sum()),  # -inf not counted here
        )
        summary["nonfinite"] = summary["nan"] + summary["posinf"] + summary["neginf"]
        for k, v in SPECIAL_COUNTS.items():
            if summary[k] != v:
                raise RuntimeError(f"internal error: {k} count {summary[k]} != {v}")
    return data, summary


def make_bad(bad, shape):
    if bad == "not3d":
        return np.ones(shape[:2], dtype=np.float32)
    if bad == "zerodim":
        return np.zeros((0,) + shape[1:], dtype=np.float32)
    if bad == "tiny":
        return np.ones((1,) + shape[1:], dtype=np.float32)
    if bad == "string":
        return np.full(shape, b"rho", dtype="S8")
    if bad == "compound":
        dt = np.dtype([("a", "<f4"), ("b", "<i4")])
        d = np.zeros(shape, dtype=dt)
        d["a"] = 1.0
        return d
    raise ValueError(bad)


def main(argv=None):
    p = argparse.ArgumentParser(description="Write small deterministic HDF5 test cubes for volrender_mpi.")
    p.add_argument("--out", required=True, help="output HDF5 file")
    p.add_argument("--shape", type=parse_shape, default=(40, 48, 44), help="Nx,Ny,Nz (default 40,48,44)")
    p.add_argument("--dataset", default="density", help="dataset path; groups are created (default density)")
    p.add_argument("--dtype", default="float32",
                   help="numpy dtype name: float32, float64, float16, int16, uint8, >f4 (big-endian) ... (default float32)")
    p.add_argument("--layout", choices=("contiguous", "chunked", "deflate"), default="contiguous")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--kind", choices=("smooth", "special"), default="smooth")
    p.add_argument("--bad", choices=("not3d", "zerodim", "string", "compound", "tiny"), default=None,
                   help="write a malformed dataset instead (for error tests)")
    a = p.parse_args(argv)

    try:
        dtype = np.dtype(a.dtype)
    except TypeError:
        p.error(f"unknown dtype '{a.dtype}'")
    if a.bad is None:
        if dtype.kind not in "fiu":
            p.error(f"--dtype must be a float or integer type (got {dtype})")
        if a.kind == "special" and dtype.kind != "f":
            p.error("--kind special needs a float dtype (NaN/inf cannot be stored in integers)")
        if min(a.shape) < 2:
            p.error("--shape: every dimension must be >= 2 (use --bad tiny for a degenerate cube)")

    import h5py
    try:
        if a.bad is not None:
            data = make_bad(a.bad, a.shape)
            summary = {"bad": a.bad}
        else:
            data, summary = make_data(a.shape, dtype, a.kind, a.seed)
        # HDF5 cannot chunk an empty dataset the way we do here: keep those contiguous
        kw = layout_kwargs(a.layout, data.shape) if data.size else {}
        with h5py.File(a.out, "w") as h:
            h.create_dataset(a.dataset, data=data, **kw)
    except (OSError, RuntimeError, ValueError) as e:
        print(f"make_test_cube: error: {e}", file=sys.stderr)
        return 1
    summary.update(file=a.out, dataset=a.dataset, shape=list(data.shape), dtype=str(data.dtype),
                   layout=("deflate" if "compression" in kw else "chunked" if kw else "contiguous"),
                   kind=a.kind if a.bad is None else None)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
