#!/usr/bin/env python3
"""The projection picture's style options against numpy and matplotlib.

check_projection_style.py --mpiexec M [--np-flag -n] [--mpiexec-flags F]
    --tool T --py-dir tests/py --work DIR [--np 2] --case NAME
check_projection_style.py --list      (the case names, one a line)

Each case runs the tool on NP ranks with its --projection-colormap,
--projection-scale and --projection-range and a float output, then renders
the projection independently from the float file's /projection, which holds
P = ln(mean of rho along axis 0) (-inf where the mean is <= 0):
  v = P (ln), P / ln(10) (log10) or exp(P) (linear);
  [lo, hi] = the given LO:HI, min and max of the finite v (auto), or numpy's
  percentiles (linear method) of the finite v (pA:pB); default -5:5 in ln;
  x = (v - lo) / (hi - lo), NaN (from -inf under ln / log10) as 0, and the
  picture is matplotlib's Colormap(x, bytes=True) (under and over give the
  ends of the map, as clipping x to [0, 1] does).
The PNG's bytes must equal that picture exactly; the float file's
projection_range attribute and the PNG's volrender:projection text must
name the same range and style.  The cube (made here) has columns whose
mean is 0, so P holds -inf, which auto and percentile ranges leave out.
Exit status: 0 pass, 1 fail.
"""
import os
import re
import shutil
import subprocess
import sys

import numpy as np

import launch
import pngio

# name: (tool options, colour map, scale, range text as given)
CASES = {
    "default": ([], "viridis", "ln", "-5:5"),
    "magma_ln_auto": (["--projection-colormap", "magma", "--projection-range", "auto"],
                      "magma", "ln", "auto"),
    "magma_log10_given": (["--projection-colormap", "magma", "--projection-scale", "log10",
                           "--projection-range", "-1.5:3.25"], "magma", "log10", "-1.5:3.25"),
    "magma_log10_auto": (["--projection-colormap", "magma", "--projection-scale", "log10",
                          "--projection-range", "auto"], "magma", "log10", "auto"),
    "magma_log10_percentiles": (["--projection-colormap", "magma", "--projection-scale",
                                 "log10", "--projection-range", "p5:p95"],
                                "magma", "log10", "p5:p95"),
    "turbo_linear_auto": (["--projection-colormap", "turbo", "--projection-scale", "linear",
                           "--projection-range", "auto"], "turbo", "linear", "auto"),
    "cividis_r_linear_percentiles": (["--projection-colormap", "cividis_r",
                                      "--projection-scale", "linear",
                                      "--projection-range", "p2.5:p99"],
                                     "cividis_r", "linear", "p2.5:p99"),
    "gray_ln_given": (["--projection-colormap", "gray", "--projection-range", "0:7.5"],
                      "gray", "ln", "0:7.5"),
}
SHAPE = (24, 30, 28)
LN10 = 2.302585092994046


def colormap(name):
    import matplotlib
    try:
        return matplotlib.colormaps[name]
    except AttributeError:  # matplotlib < 3.5
        from matplotlib import cm
        return cm.get_cmap(name)


def make_cube(py_dir, path):
    """make_test_cube.py's smooth cube with four empty columns (all zero,
    or NaN, which the projection counts as 0): P = -inf there."""
    import h5py
    subprocess.run([sys.executable, os.path.join(py_dir, "make_test_cube.py"), "--out", path,
                    "--shape", ",".join(map(str, SHAPE)), "--seed", "21"],
                   check=True, stdout=subprocess.DEVNULL)
    with h5py.File(path, "r+") as f:
        d = f["density"][...]
        d[:, 3, 5] = 0.0
        d[:, 17, 0] = 0.0
        d[:, 29, 27] = np.nan
        d[:, 8, 20] = 0.0
        d[5, 8, 20] = np.nan
        f["density"][...] = d


def scaled(P, scale):
    with np.errstate(invalid="ignore", over="ignore"):
        if scale == "ln":
            return P.copy()
        if scale == "log10":
            return P / LN10
        return np.exp(P)


def expected_range(v, text):
    """[lo, hi] the way the options define it, from numpy alone."""
    finite = v[np.isfinite(v)]
    if text == "auto":
        return float(finite.min()), float(finite.max()), "auto"
    m = re.fullmatch(r"p([0-9.]+):p([0-9.]+)", text)
    if m:
        pa, pb = float(m.group(1)), float(m.group(2))
        lo, hi = np.percentile(finite, [pa, pb])
        return float(lo), float(hi), f"percentiles p{pa:g}:p{pb:g}"
    lo, hi = (float(t) for t in text.split(":"))
    return lo, hi, "given"


def expected_picture(P, cmap_name, scale, lo, hi):
    v = scaled(P, scale)
    with np.errstate(invalid="ignore"):
        x = (v - lo) / (hi - lo)
    x = np.where(np.isnan(x), 0.0, x)
    return colormap(cmap_name)(x, bytes=True)[..., :3], x


def run_case(a, name):
    import h5py
    opts, cmap_name, scale, range_text = CASES[name]
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    cube = os.path.join(a.work, "cube.h5")
    make_cube(a.py_dir, cube)
    out = os.path.join(a.work, "out")
    flt = os.path.join(a.work, "float.h5")
    r = launch.run(a, a.np, a.tool, ["-i", cube, "-N", "16", "-a", "1", "-q", "-o", out,
                                     "-f", flt] + opts)
    sys.stdout.write(r.stdout[-3000:] + r.stderr[-3000:])
    if r.returncode != 0:
        print(f"check_projection_style: FAIL {name}: exit status {r.returncode}")
        return 1
    problems = []
    with h5py.File(flt, "r") as f:
        P = f["projection"][...].astype(np.float64)
        attrs = dict(f.attrs)
    if P.shape != SHAPE[1:]:
        problems.append(f"/projection has shape {P.shape}, expected {SHAPE[1:]}")
        return report(name, problems)
    if not np.isneginf(P).sum() == 4:
        problems.append(f"/projection has {int(np.isneginf(P).sum())} -inf, expected the "
                        "cube's 4 empty columns")
    v = scaled(P, scale)
    lo, hi, mode = expected_range(v, range_text)
    want, x = expected_picture(P, cmap_name, scale, lo, hi)
    img, info, text = pngio.read(os.path.join(out, "projection.png"))
    if (info["bit_depth"], img.shape) != (8, SHAPE[1:] + (3,)):
        problems.append(f"projection.png is {img.shape} at {info['bit_depth']} bits, "
                        f"expected {SHAPE[1:] + (3,)} at 8")
        return report(name, problems)
    diff = np.abs(img.astype(np.int64) - want.astype(np.int64)).max(axis=-1)
    if diff.any():
        rows, cols = np.nonzero(diff)
        problems.append(f"{len(rows)} of {diff.size} pixel(s) differ from matplotlib's "
                        f"{cmap_name} of {scale} over [{lo!r}, {hi!r}]:")
        for j, k in list(zip(rows, cols))[:8]:
            problems.append(f"  row {j} col {k}: P {P[j, k]!r}, v {v[j, k]!r}, x {x[j, k]!r} "
                            f"(x*256 = {x[j, k] * 256!r}): got {img[j, k].tolist()}, "
                            f"want {want[j, k].tolist()}")
    # The range the tool says it used: the same numbers (to the last bits
    # numpy's and the tool's arithmetic may round differently).
    got_range = np.asarray(attrs.get("projection_range", [np.nan, np.nan]), dtype=np.float64)
    if not np.allclose(got_range, [lo, hi], rtol=1e-13, atol=0.0):
        problems.append(f"projection_range attribute {got_range.tolist()}, expected "
                        f"[{lo!r}, {hi!r}]")
    elif not np.array_equal(got_range, [lo, hi]):
        print(f"check_projection_style: note: projection_range {got_range.tolist()} and "
              f"numpy's [{lo!r}, {hi!r}] differ in the last bits")
    style = text.get("volrender:projection", "")
    want_style = (f"{scale}(mean of rho along axis 0), colour map {cmap_name} over "
                  f"[{lo:.9g}, {hi:.9g}] ({mode})")
    if style != want_style:
        problems.append(f"volrender:projection text\n    got:  {style}\n    want: {want_style}")
    attr_style = attrs.get("projection_style", b"")
    attr_style = attr_style.decode() if isinstance(attr_style, bytes) else str(attr_style)
    if attr_style != style:
        problems.append(f"projection_style attribute '{attr_style}' is not the PNG's text")
    print(f"check_projection_style: {name}: {cmap_name} of {scale} over [{lo:.9g}, {hi:.9g}] "
          f"({mode}), {diff.size} pixels, {int(np.isneginf(P).sum())} at -inf")
    return report(name, problems)


def report(name, problems):
    return launch.report("check_projection_style", name, problems)


def main():
    return launch.case_main(CASES, run_case, 2, os.path.dirname(os.path.abspath(__file__)))


if __name__ == "__main__":
    sys.exit(main())
