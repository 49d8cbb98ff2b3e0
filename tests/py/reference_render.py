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

General transfer functions (SPEC "Transfer functions"; any of the options
below): --tf FILE[:NAME] (project JSON or ParaView preset), --colormap NAME,
--scale, --range auto|LO:HI|pA:pB, --opacity, --opacity-unit L, --background
R,G,B, evaluated by scripts/vrtf.py (numpy; no link to the C code).  Then:
  * rho outside the grid is empty; under ln / log10 non-finite voxels are zeroed
    before interpolation as above (so empty); under the linear scale they stay
    NaN, so a sample whose trilinear cell (its 8 voxels, zero weights included)
    holds a non-finite voxel is NaN, hence empty; zero voxels are not empty
    there (x = 0);
  * auto / percentile ranges are over the voxels' x: finite voxels (linear) or
    rho > 0 (ln, log10); percentiles with numpy's default (linear) method;
  * with an opacity unit l a sample's opacity is 1 - (1 - a)^(dt / l), dt = N /
    (S - 1) world units (the depth spacing of the default orbit);
  * /rgb stays C (no background); PNG frames are clip(C + T B) or, with --png
    rgba, alpha = 1 - T and colour C / (1 - T) (0 where T = 1); --png-depth 16.
Root attributes (always): transfer_function (JSON, range resolved),
data_range (colormap kind only), data_range_mode, background, tf_table_nodes
(0), tf_table_max_error ([0, 0, 0, 0]), opacity_unit.

Exit codes: 0 success, 1 runtime error (bad input file etc.), 2 usage error.
"""
import argparse
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
import vrtf  # noqa: E402  (scripts/vrtf.py: the transfer functions in numpy)


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


def load_cube(path, dset, keep_nonfinite=False):
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
        # zeroed (empty under ln / log10), or NaN: empty under every scale
        data[bad] = np.nan if keep_nonfinite else 0.0
    return data, nbad


def projection(data):
    """ln(mean over axis 0); data already has non-finite voxels zeroed."""
    m = data.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        P = np.where(m > 0, np.log(np.where(m > 0, m, 1.0)), -np.inf)
    return P


def render_angle(data, grids, N, S, theta, max_points=1 << 22, tf=None):
    """Render one view. Returns (C (N,N,3) float64, T (N,N) float64, n_outside).

    tf None: the reference transfer function, exactly as SPEC writes it.
    Otherwise a resolved vrtf.Tf (outside samples and non-finite rho empty,
    tf.opacity_unit applied with dt = N / (S - 1))."""
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
        if tf is None:
            rho = interpn(grids, data, pts, method="linear",
                          bounds_error=False, fill_value=0.0)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
                L = np.where(rho > 0, np.log(np.where(rho > 0, rho, 1.0)), -np.inf)
                r, g, b, a = transfer_function(L)
        else:
            rho = interpn(grids, data, pts, method="linear",
                          bounds_error=False, fill_value=np.nan)
            with np.errstate(over="ignore", under="ignore"):
                rgba = tf.eval_rho(rho)
            r, g, b = rgba[..., 0], rgba[..., 1], rgba[..., 2]
            a = vrtf.opacity_with_unit(rgba[..., 3], N / (S - 1), tf.opacity_unit)
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


def frame_pixels(C, T, background, mode="rgb", depth=8):
    """The frame PNG's pixels: clip(C + T B) (rgb) or straight colour C / (1 - T)
    with alpha 1 - T (rgba; colour 0 where T = 1), rounded to depth bits."""
    top = 255.0 if depth == 8 else 65535.0
    dt = np.uint8 if depth == 8 else np.uint16
    if mode == "rgb":
        v = C + T[..., None] * np.asarray(background, dtype=np.float64)
        return np.floor(top * np.clip(v, 0.0, 1.0) + 0.5).astype(dt)
    alpha = 1.0 - T
    with np.errstate(divide="ignore", invalid="ignore"):
        col = np.where(alpha[..., None] > 0, C / alpha[..., None], 0.0)
    v = np.concatenate([np.clip(col, 0.0, 1.0), np.clip(alpha, 0.0, 1.0)[..., None]], axis=-1)
    return np.floor(top * v + 0.5).astype(dt)


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
    g = p.add_argument_group("transfer function (any of these selects scripts/vrtf.py's general path)")
    g.add_argument("--tf", default=None, metavar="FILE[:NAME]",
                   help="project JSON transfer function or ParaView preset file (NAME: preset)")
    g.add_argument("--colormap", default=None, metavar="NAME",
                   help="matplotlib colour map (NAME_r reversed)")
    g.add_argument("--scale", default=None, choices=vrtf.SCALES)
    g.add_argument("--range", default=None, metavar="auto|LO:HI|pA:pB")
    g.add_argument("--opacity", default=None, metavar="T:A,...|ramp[:AMAX]|flat:A")
    g.add_argument("--opacity-unit", type=float, default=None, metavar="L")
    g.add_argument("--background", default=None, metavar="R,G,B")
    g.add_argument("--png", default="rgb", choices=("rgb", "rgba"), help="frame PNG channels")
    g.add_argument("--png-depth", type=int, default=8, choices=(8, 16))
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

    general = any(v is not None for v in (a.tf, a.colormap, a.scale, a.range, a.opacity,
                                           a.opacity_unit, a.background))
    if a.tf is not None and a.colormap is not None:
        p.error("--tf and --colormap exclude each other")
    try:
        if a.tf is not None:
            tf = vrtf.load_file(a.tf)
            tf = vrtf.apply_options(tf, a.scale, a.range, a.opacity, a.opacity_unit,
                                    vrtf.parse_background(a.background) if a.background else None)
        elif a.colormap is not None:
            tf = vrtf.from_options(a.colormap, a.scale, a.range, a.opacity)
            tf = vrtf.apply_options(tf, None, None, None, a.opacity_unit,
                                    vrtf.parse_background(a.background) if a.background else None)
        else:
            tf = vrtf.apply_options(vrtf.reference(), a.scale, a.range, a.opacity, a.opacity_unit,
                                    vrtf.parse_background(a.background) if a.background else None)
    except vrtf.TfError as e:
        print(f"reference_render: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"reference_render: error: cannot read --tf {a.tf}: {e}", file=sys.stderr)
        return 1
    try:
        data, nbad = load_cube(a.input, a.dataset,
                               keep_nonfinite=general and tf.scale == "linear")
    except (OSError, RuntimeError) as e:
        print(f"reference_render: error: {e}", file=sys.stderr)
        return 1
    try:
        vrtf.resolve_range(tf, data)
    except vrtf.TfError as e:
        print(f"reference_render: error: {a.input}: {e}", file=sys.stderr)
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
        C, T, n_out = render_angle(data, grids, a.N, S, thetas[f], a.max_points,
                                   tf if general else None)
        rgb[f] = C
        trans[f] = T
        if not a.quiet:
            print(f"  theta={thetas[f]:.6f} outside samples: {n_out} of {a.N * a.N * S}")
        if a.png_dir:
            path = os.path.join(a.png_dir, f"volumerender{n}.png")
            if general or a.png != "rgb" or a.png_depth != 8:
                import pngio
                pngio.write(path, frame_pixels(C, T, tf.background, a.png, a.png_depth))
            else:
                write_png(path, to_u8(C))

    if general and tf.scale == "linear":
        data[~np.isfinite(data)] = 0.0   # the projection treats them as 0, as before
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
            h.attrs["transfer_function"] = tf.to_json()
            if tf.kind == "colormap":
                h.attrs["data_range"] = np.array(tf.range, dtype=np.float64)
            h.attrs["data_range_mode"] = tf.range_mode_text()
            h.attrs["background"] = np.array(tf.background, dtype=np.float64)
            h.attrs["tf_table_nodes"] = np.int32(0)
            h.attrs["tf_table_max_error"] = np.zeros(4, dtype=np.float64)
            h.attrs["opacity_unit"] = np.float64(tf.opacity_unit)
            h.attrs["input"] = a.input
            h.attrs["dataset"] = a.dataset
    except OSError as e:
        print(f"reference_render: error writing {a.out}: {e}", file=sys.stderr)
        return 1
    if not a.quiet:
        print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
