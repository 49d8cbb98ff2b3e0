#!/usr/bin/env python3
"""Independent numpy/scipy reference of SPEC's general views ("Views").

Extends reference_render.py (whose transfer function, cube loading and
linspace it reuses) with every view SPEC defines: orbits about x, y and z
with a start, a span and an elevation; --fit, --width, --depth; H != W;
perspective by field of view and by eye position; views from a JSON Lines
list.  Sample positions are computed with SPEC's formulas in float64
(rotation matrices, not the tool's per-axis expressions), sampled with
scipy's interpn (outside the grid: empty), composited back to front.
Writes the tool's float-output layout, plus /camera/* as the tool does:

  /rgb (F, H, W, 3), /transmittance (F, H, W), /angle_index, /theta,
  /projection, /camera/{centre,e_u,e_v,e_w,eye,widths,fov}

Usage: reference_camera.py --input CUBE --dataset D --out REF.h5 [-N N|WxH]
       [--samples S] [--angles A] [--first I] [--last I] [--orbit-axis x|y|z]
       [--orbit-start DEG] [--orbit-degrees DEG] [--elevation DEG] [--fit]
       [--width L] [--depth L] [--perspective FOV] [--views FILE]
"""
import argparse
import json
import math
import sys

import numpy as np

import reference_render as rr


def unit(v):
    v = np.asarray(v, dtype=np.float64)
    return v / np.linalg.norm(v)


def rotation(axis, theta):
    """Right-hand rotation matrix by theta about world axis 0, 1 or 2."""
    k = np.zeros(3)
    k[axis] = 1.0
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + math.sin(theta) * K + (1 - math.cos(theta)) * (K @ K)


def box(H, W, dims, fit, width, depth):
    """(W_u, W_w, W_v) of SPEC's "Widths"."""
    M, m = max(H, W), min(H, W)
    if fit:
        D = math.sqrt(sum(float(n) * n for n in dims))
        delta, Wv = D / (m - 1), D
    else:
        L = width if width else float(M)
        delta, Wv = L / (M - 1), L
    if depth:
        Wv = depth
    return delta * (H - 1), delta * (W - 1), Wv


def orbit_view(a, n, H, W, dims):
    """Frame n of the orbit the options describe: dict of the view."""
    theta = math.radians(a.orbit_start + a.orbit_degrees * n / a.angles)
    ax = "xyz".index(a.orbit_axis)
    base = np.eye(3)
    eu, ev, ew = base[ax], base[(ax + 1) % 3], base[(ax + 2) % 3]
    phi = math.radians(a.elevation)
    eu, ev = math.cos(phi) * eu + math.sin(phi) * ev, math.cos(phi) * ev - math.sin(phi) * eu
    R = rotation(ax, theta)
    Wu, Ww, Wv = box(H, W, dims, a.fit, a.width, a.depth)
    v = dict(index=n, theta=theta, C=np.zeros(3), eu=R @ eu, ev=R @ ev, ew=R @ ew,
             Wu=Wu, Ww=Ww, Wv=Wv, fov=0.0)
    if a.perspective:
        v["fov"] = math.radians(a.perspective)
        v["d"] = (Wu / 2) / math.tan(v["fov"] / 2)
    return v


def list_view(spec, n, a, H, W, dims):
    """A views-file line's view (SPEC "Views from a list")."""
    C = np.asarray(spec.get("focus", [0, 0, 0]), dtype=np.float64)
    look = (C - np.asarray(spec["position"], dtype=np.float64)) if "position" in spec \
        else np.asarray(spec["look"], dtype=np.float64)
    up = np.asarray(spec["up"], dtype=np.float64)
    ev = -unit(look)
    perp = up - np.dot(up, ev) * ev
    eu = -unit(perp)
    ew = unit(np.cross(look, up))
    fit = spec.get("fit", False) or (a.fit and "width" not in spec)
    Wu, Ww, Wv = box(H, W, dims, fit, spec.get("width", a.width), spec.get("depth", a.depth))
    fov = spec.get("fov", a.perspective or 0.0)
    v = dict(index=n, theta=0.0, C=C, eu=eu, ev=ev, ew=ew, Wu=Wu, Ww=Ww, Wv=Wv,
             fov=math.radians(fov) if fov else 0.0)
    if fov and "position" in spec:
        d = float(np.linalg.norm(look))
        v["d"] = d
        v["Wu"] = 2 * d * math.tan(v["fov"] / 2)
        v["Ww"] = v["Wu"] / (H - 1) * (W - 1)
    elif fov:
        v["d"] = (Wu / 2) / math.tan(v["fov"] / 2)
    return v


def render_view(data, grids, v, H, W, S, max_points=1 << 22):
    from scipy.interpolate import interpn
    u = rr.grid_coords(H, v["Wu"])
    w = rr.grid_coords(W, v["Ww"])
    vs = rr.grid_coords(S, v["Wv"])
    C = np.zeros((H, W, 3))
    T = np.ones((H, W))
    per = max(1, max_points // (H * W))
    for s0 in range(0, S, per):
        s1 = min(S, s0 + per)
        U, V, Wc = np.meshgrid(u, vs[s0:s1], w, indexing="ij")   # (r, s, q)
        if v["fov"]:
            f = 1.0 - V / v["d"]
            P = (v["C"] + V[..., None] * v["ev"] +
                 f[..., None] * (U[..., None] * v["eu"] + Wc[..., None] * v["ew"]))
        else:
            P = v["C"] + U[..., None] * v["eu"] + V[..., None] * v["ev"] + Wc[..., None] * v["ew"]
        rho = interpn(grids, data, P, method="linear", bounds_error=False, fill_value=0.0)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            L = np.where(rho > 0, np.log(np.where(rho > 0, rho, 1.0)), -np.inf)
            r, g, b, al = rr.transfer_function(L)
        for j in range(s1 - s0):
            aj = al[:, j, :]
            for c, x in enumerate((r, g, b)):
                C[:, :, c] = aj * x[:, j, :] + (1.0 - aj) * C[:, :, c]
            T *= 1.0 - aj
    return C, T


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--input", required=True)
    p.add_argument("--dataset", default="density")
    p.add_argument("--out", required=True)
    p.add_argument("-N", "--size", default="180")
    p.add_argument("--samples", type=int, default=None)
    p.add_argument("--angles", type=int, default=10)
    p.add_argument("--first", type=int, default=0)
    p.add_argument("--last", type=int, default=None)
    p.add_argument("--orbit-axis", default="x", choices=("x", "y", "z"))
    p.add_argument("--orbit-start", type=float, default=0.0)
    p.add_argument("--orbit-degrees", type=float, default=90.0)
    p.add_argument("--elevation", type=float, default=0.0)
    p.add_argument("--fit", action="store_true")
    p.add_argument("--width", type=float, default=0.0)
    p.add_argument("--depth", type=float, default=0.0)
    p.add_argument("--perspective", type=float, default=0.0)
    p.add_argument("--views", default=None)
    a = p.parse_args(argv)
    if "x" in a.size:
        W, H = (int(t) for t in a.size.split("x"))
    else:
        W = H = int(a.size)
    S = a.samples or max(W, H)
    data, _ = rr.load_cube(a.input, a.dataset)
    dims = data.shape
    grids = tuple(rr.grid_coords(n) for n in dims)
    if a.views:
        with open(a.views) as f:
            specs = [json.loads(line) for line in f if line.strip()]
        views = [list_view(s, n, a, H, W, dims) for n, s in enumerate(specs)]
        count = len(views)
    else:
        count = a.angles
        views = None
    last = count - 1 if a.last is None else a.last
    frames = list(range(a.first, last + 1))
    F = len(frames)
    import h5py
    with h5py.File(a.out, "w") as out:
        rgb = out.create_dataset("rgb", (F, H, W, 3), dtype="f4")
        tr = out.create_dataset("transmittance", (F, H, W), dtype="f4")
        out["angle_index"] = np.array(frames, dtype=np.int32)
        cam = {k: np.zeros((F, 3)) for k in ("centre", "e_u", "e_v", "e_w", "eye", "widths")}
        fovs, thetas = np.zeros(F), np.zeros(F)
        for f, n in enumerate(frames):
            v = views[n] if views else orbit_view(a, n, H, W, dims)
            C, T = render_view(data, grids, v, H, W, S)
            rgb[f] = C.astype(np.float32)
            tr[f] = T.astype(np.float32)
            cam["centre"][f], cam["e_u"][f], cam["e_v"][f], cam["e_w"][f] = \
                v["C"], v["eu"], v["ev"], v["ew"]
            cam["eye"][f] = v["C"] + v["d"] * v["ev"] if v["fov"] else 0.0
            cam["widths"][f] = (v["Wu"], v["Ww"], v["Wv"])
            fovs[f], thetas[f] = v["fov"], v["theta"]
        out["theta"] = thetas
        out["projection"] = rr.projection(data).astype(np.float32)
        for k, x in cam.items():
            out["camera/" + k] = x
        out["camera/fov"] = fovs
    return 0


if __name__ == "__main__":
    sys.exit(main())
