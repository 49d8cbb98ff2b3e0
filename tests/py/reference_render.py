#!/usr/bin/env python3
"""Independent numpy/scipy reference implementation of the volrender_mpi algorithm.

Implements /work/shared/SPEC.md (orthographic camera orbiting the x axis,
trilinear sampling with scipy.interpolate.interpn, Gaussian transfer function
on ln(rho), back-to-front "over" compositing) and writes an HDF5 file in the
same layout as the C tool's float output:

  /rgb            float32 (F, N, N, 3)  composited colour C (unclipped), [f][r][q][c]
  /transmittance  float32 (F, N, N)     product over the ray of (1 - a)
  /angle_index    int32   (F,)          angle index n of each frame
  /theta          float64 (F,)          (pi/2) * n / angles, radians
  /projection     float32 (Ny, Nz)      ln(mean_i D[i,j,k]); -inf where mean <= 0

Conventions (deliberate, documented differences from the teaching script):
  * samples outside the grid are empty (interpn fill_value=0 -> ln 0 = -inf -> 0);
  * NaN / +inf / -inf voxels are treated as 0 (empty) before interpolation and
    in the projection mean;
  * rho <= 0 gives L = -inf, i.e. a transparent sample.

Exit codes: 0 success, 1 runtime error (bad input file etc.), 2 usage error.
"""
import argparse
import math
import os
import sys

import numpy as np


def grid_coords(n, extent=None):
    """n points from -E/2 to E/2 inclusive, E = extent (default n): numpy's
    linspace, as SPEC states for both the grid and the camera.

    Grid: x_i = -Nx/2 + i*Nx/(Nx-1).  Camera: c_m = -N/2 + m*N/(N-1) (u, w) and
    c_s = -N/2 + s*N/(S-1) (depth).  linspace makes the last point exactly E/2.
    """
    E = n if extent is None else extent
    return np.linspace(-E / 2.0, E / 2.0, n, dtype=np.float64)


def transfer_function(L):
    """Return r, g, b, a for log-density L (float64 array; -inf allowed -> all 0)."""
    e1 = np.exp(-(L - 9.0) ** 2 / 1.0)
    e2 = np.exp(-(L - 3.0) ** 2 / 0.1)
    e3 = np.exp(-(L + 3.0) ** 2 / 0.5)
    r = 1.0 * e1 + 0.1 * e2 + 0.1 * e3
    g = 1.0 * e1 + 1.0 * e2 + 0.1 * e3
    b = 0.1 * e1 + 0.1 * e2 + 1.0 * e3
    a = 0.6 * e1 + 0.1 * e2 + 0.01 * e3
    return r, g, b, a


def load_cube(path, dset):
    import h5py
    with h5py.File(path, "r") as f:
        if dset not in f:
            raise RuntimeError(f"dataset '{dset}' not found in {path}")
        d = f[dset]
        if not isinstance(d, h5py.Dataset):
            raise RuntimeError(f"'{dset}' in {path} is not a dataset")
        if d.ndim != 3:
            raise RuntimeError(f"dataset '{dset}' has rank {d.ndim}, expected 3")
        if d.dtype.kind not in "fiu":
            raise RuntimeError(f"dataset '{dset}' has non-numeric type {d.dtype}")
        if min(d.shape) < 2:
            raise RuntimeError(f"dataset '{dset}' has shape {d.shape}; every dimension must be >= 2")
        raw = d[...]
    data = raw.astype(np.float64)
    bad = ~np.isfinite(data)
    nbad = int(bad.sum())
    if nbad:
        data[bad] = 0.0
    return data, nbad


def projection(data):
    """ln(mean over axis 0); data already has non-finite voxels zeroed."""
    m = data.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        P = np.where(m > 0, np.log(np.where(m > 0, m, 1.0)), -np.inf)
    return P


def render_angle(data, grids, N, S, theta, max_points=1 << 22):
    """Render one view. Returns (C (N,N,3) float64, T (N,N) float64, n_outside)."""
    from scipy.interpolate import interpn
    cuw = grid_coords(N)          # camera u (rows, X) and w (columns)
    cs = grid_coords(S, N)        # camera v (depth), s = 0 is farthest from viewer
    ct, st = math.cos(theta), math.sin(theta)
    C = np.zeros((N, N, 3), dtype=np.float64)
    T = np.ones((N, N), dtype=np.float64)
    n_out = 0
    per_slab = max(1, max_points // (N * N))
    lo = [g[0] for g in grids]
    hi = [g[-1] for g in grids]
    for s0 in range(0, S, per_slab):
        s1 = min(S, s0 + per_slab)
        # (r, s, q) ordering: u along rows, v along depth, w along columns
        U, V, W = np.meshgrid(cuw, cs[s0:s1], cuw, indexing="ij")
        X = U
        Y = V * ct - W * st
        Z = V * st + W * ct
        pts = np.stack((X, Y, Z), axis=-1)
        out = np.zeros(X.shape, dtype=bool)
        for k, Q in enumerate((X, Y, Z)):
            out |= (Q < lo[k]) | (Q > hi[k])
        n_out += int(out.sum())
        rho = interpn(grids, data, pts, method="linear",
                      bounds_error=False, fill_value=0.0)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            L = np.where(rho > 0, np.log(np.where(rho > 0, rho, 1.0)), -np.inf)
            r, g, b, a = transfer_function(L)
        for j in range(s1 - s0):   # back to front
            aj = a[:, j, :]
            C[:, :, 0] = aj * r[:, j, :] + (1.0 - aj) * C[:, :, 0]
            C[:, :, 1] = aj * g[:, j, :] + (1.0 - aj) * C[:, :, 1]
            C[:, :, 2] = aj * b[:, j, :] + (1.0 - aj) * C[:, :, 2]
            T *= (1.0 - aj)
    return C, T, n_out


def to_u8(C):
    """round(255 * clip(C, 0, 1)) with halves rounded up (values are >= 0)."""
    return np.floor(255.0 * np.clip(C, 0.0, 1.0) + 0.5).astype(np.uint8)


def viridis_u8(P, vmin=-5.0, vmax=5.0):
    import matplotlib
    try:
        cmap = matplotlib.colormaps["viridis"]
    except AttributeError:  # older matplotlib
        from matplotlib import cm
        cmap = cm.get_cmap("viridis")
    with np.errstate(invalid="ignore"):
        x = np.clip((P - vmin) / (vmax - vmin), 0.0, 1.0)
    x = np.where(np.isnan(x), 0.0, x)
    return cmap(x, bytes=True)[..., :3]


def write_png(path, rgb_u8):
    from PIL import Image
    Image.fromarray(np.ascontiguousarray(rgb_u8), mode="RGB").save(path)


def main(argv=None):
    p = argparse.ArgumentParser(
        description="Reference (numpy/scipy) volume renderer following SPEC.md; "
                    "writes the C tool's float-output HDF5 layout.")
    p.add_argument("--input", required=True, help="input HDF5 file")
    p.add_argument("--dataset", default="density", help="dataset path (default: density)")
    p.add_argument("--N", type=int, default=180, help="image size N (default 180, as SPEC)")
    p.add_argument("--samples", type=int, default=None, help="samples per ray S (default N)")
    p.add_argument("--angles", type=int, default=10, help="number of angles (default 10)")
    p.add_argument("--first", type=int, default=0, help="first angle index (default 0)")
    p.add_argument("--last", type=int, default=None, help="last angle index, inclusive (default angles-1)")
    p.add_argument("--out", default="ref.h5", help="output HDF5 file (default ref.h5)")
    p.add_argument("--png-dir", default=None,
                   help="also write volumerender<n>.png and projection.png here")
    p.add_argument("--max-points", type=int, default=1 << 22,
                   help="max samples per interpn call (memory bound; result independent of it)")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    a = p.parse_args(argv)

    S = a.N if a.samples is None else a.samples
    last = a.angles - 1 if a.last is None else a.last
    if a.N < 2:
        p.error("--N must be >= 2")
    if S < 2:
        p.error("--samples must be >= 2")
    if a.angles < 1:
        p.error("--angles must be >= 1")
    if not (0 <= a.first <= last < a.angles):
        p.error(f"need 0 <= first <= last < angles (got first={a.first}, last={last}, angles={a.angles})")

    try:
        data, nbad = load_cube(a.input, a.dataset)
    except (OSError, RuntimeError) as e:
        print(f"reference_render: error: {e}", file=sys.stderr)
        return 1
    Nx, Ny, Nz = data.shape
    grids = (grid_coords(Nx), grid_coords(Ny), grid_coords(Nz))
    if not a.quiet:
        print(f"cube {a.input}:{a.dataset} shape {data.shape}; N={a.N} S={S} "
              f"angles {a.first}..{last} of {a.angles}")
        if nbad:
            print(f"note: {nbad} non-finite voxels (NaN/inf) treated as empty (0)")

    F = last - a.first + 1
    rgb = np.zeros((F, a.N, a.N, 3), dtype=np.float32)
    trans = np.zeros((F, a.N, a.N), dtype=np.float32)
    idx = np.arange(a.first, last + 1, dtype=np.int32)
    thetas = np.array([(math.pi / 2.0) * n / a.angles for n in idx], dtype=np.float64)
    if a.png_dir:
        os.makedirs(a.png_dir, exist_ok=True)
    for f, n in enumerate(idx):
        if not a.quiet:
            print(f"Rendering Scene {n + 1} of {a.angles}.", flush=True)
        C, T, n_out = render_angle(data, grids, a.N, S, thetas[f], a.max_points)
        rgb[f] = C
        trans[f] = T
        if not a.quiet:
            print(f"  theta={thetas[f]:.6f} outside samples: {n_out} of {a.N * a.N * S}")
        if a.png_dir:
            write_png(os.path.join(a.png_dir, f"volumerender{n}.png"), to_u8(C))

    P = projection(data)
    if a.png_dir:
        write_png(os.path.join(a.png_dir, "projection.png"), viridis_u8(P))

    import h5py
    try:
        with h5py.File(a.out, "w") as h:
            h.create_dataset("rgb", data=rgb)
            h.create_dataset("transmittance", data=trans)
            h.create_dataset("angle_index", data=idx)
            h.create_dataset("theta", data=thetas)
            h.create_dataset("projection", data=P.astype(np.float32))
    except OSError as e:
        print(f"reference_render: error writing {a.out}: {e}", file=sys.stderr)
        return 1
    if not a.quiet:
        print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
