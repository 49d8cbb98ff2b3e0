#!/usr/bin/env python3
"""End-to-end checks of the transfer-function options (SPEC "Transfer functions").

tf_case.py LAUNCH --tool T --work DIR --nps 1,3 --cube CUBE.h5 --dataset D --N 32
           [--mode reference|identical|export] [checks] -- <transfer-function options>

The transfer-function options (--tf, --colormap, --scale, --range, --opacity,
--opacity-unit, --background, --png, --png-depth) go to the tool on each rank
count and to tests/py/reference_render.py alike.

--mode reference (default): the tool's float output equals the reference's
  within TOL = S * 2 * max(tf_table_max_error) + 1e-5, where tf_table_max_error
  (r, g, b, a) is the tool's own statement of how far its table is from the
  exact function: a sample's premultiplied colour a*c and its opacity a each
  move by at most that error (a*c by at most a*|dc| + c*|da| <= err for the
  bounded c, a <= 1, up to the product of two errors), and "over" is linear in
  each sample's (a*c, 1 - a) with coefficients of magnitude <= 1, so each of
  the S samples of a ray moves C and T by at most 2 * err.  Attributes:
  data_range (the reference's, within 1e-9 of the span; percentiles within
  one bin of the tool's histogram, (max - min) / 16384, and then the frames are
  compared with the reference rendered at the tool's range), data_range_mode,
  background, opacity_unit, and transfer_function, which must parse (vrtf) to
  a function equal to the reference's within 1e-9 on 2001 points.  The frame
  PNGs must equal the float output's pixels (--png rgb: round(255 clip(C + T B));
  rgba: alpha round(255 (1 - T)) and straight colour C / (1 - T), alpha 0 where
  T = 1; depth 16: 65535 levels) within one level.
--mode identical: the run with the options must equal the default run exactly
  (float output tolerance 0, identical PNG pixels).
--mode figure-reference: scripts/figure.py on the reference's float output
  (no tool run) makes a PNG of the expected size.
--mode export: --tf-export FILE, then FILE loaded with --tf (and --scale and
  --range at its DataRange) must give the same float frames within 1e-6.

Checks (any mode):
  --against REF.h5 --against-tol TOL  also compare rgb/transmittance with REF
  --scale-input F   render CUBE * F (written in float64 to the work dir)
  --provenance      PNG text chunks: Software (the version), volrender:command,
                    volrender:camera, volrender:transfer_function (JSON)
  --figure          scripts/figure.py on the float output makes a PNG of the
                    expected size
Exit 0 when every check passes.
"""
import argparse
import copy
import json
import os
import shutil
import subprocess
import sys

import numpy as np

import launch
import pngio

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import vrtf  # noqa: E402

RANGE_BINS = 16384  # the tool's percentile histogram (include/vr/data_range.h)


class Result:
    def __init__(self):
        self.failures = 0

    def check(self, ok, msg):
        print(("OK   " if ok else "FAIL ") + msg, flush=True)
        if not ok:
            self.failures += 1
        return ok


def opt_value(opts, name):
    """The value of --name in a list of options (last wins), or None."""
    val = None
    for i, o in enumerate(opts):
        if o == name and i + 1 < len(opts):
            val = opts[i + 1]
        elif o.startswith(name + "="):
            val = o[len(name) + 1:]
    return val


def without(opts, name):
    out, skip = [], False
    for o in opts:
        if skip:
            skip = False
            continue
        if o == name:
            skip = True
            continue
        if o.startswith(name + "="):
            continue
        out.append(o)
    return out


def read_float(path):
    import h5py
    with h5py.File(path, "r") as h:
        d = {k: h[k][...] for k in ("rgb", "transmittance", "angle_index")}
        d["attrs"] = {k: h.attrs[k] for k in h.attrs}
    for k, v in list(d["attrs"].items()):
        if isinstance(v, bytes):
            d["attrs"][k] = v.decode()
    return d


def max_diff(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return np.inf
    if a.size == 0:
        return 0.0
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return np.inf
    return float(np.max(np.abs(a - b)))


def compare_frames(res, what, got, want, tol):
    ok = np.array_equal(got["angle_index"], want["angle_index"])
    res.check(ok, f"{what}: angle_index {got['angle_index'].tolist()}")
    for k in ("rgb", "transmittance"):
        d = max_diff(got[k], want[k])
        where = ""
        if np.isfinite(d) and d > tol:
            i = np.unravel_index(int(np.argmax(np.abs(got[k].astype(np.float64) - want[k]))),
                                 got[k].shape)
            where = f" at {tuple(int(v) for v in i)} ({got[k][i]!r} vs {want[k][i]!r})"
        res.check(d <= tol, f"{what}: {k} max|A-B| = {d:.3g} (tol {tol:.3g}){where}")


def run_reference(a, work, tf_opts, tag):
    out = os.path.join(work, f"ref_{tag}.h5")
    pngdir = os.path.join(work, f"ref_{tag}_png")
    cmd = [sys.executable, os.path.join(HERE, "reference_render.py"), "--input", a.input,
           "--dataset", a.dataset, "--N", str(a.N), "--out", out, "--quiet",
           "--png-dir", pngdir] + tf_opts
    print("+ " + " ".join(cmd), flush=True)
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        print(r.stdout + r.stderr)
        raise SystemExit(f"tf_case: FAIL: the reference failed (exit {r.returncode})")
    return read_float(out)


def run_tool(a, np_, work, tool_opts, res, tag):
    out = os.path.join(work, f"np{np_}_{tag}")
    flt = os.path.join(work, f"np{np_}_{tag}.h5")
    shutil.rmtree(out, ignore_errors=True)
    args = ["-i", a.input, "-d", a.dataset, "-N", str(a.N), "-o", out, "-f", flt, "-q"] + tool_opts
    r = launch.run(a, np_, a.tool, args)
    if r.returncode != 0 or not os.path.isfile(flt):
        sys.stdout.write(r.stdout[-3000:] + r.stderr[-3000:])
        res.check(False, f"np {np_} {tag}: exit status {r.returncode}")
        return None, out, flt
    return read_float(flt), out, flt


def table_tolerance(attrs, S):
    err = attrs.get("tf_table_max_error")
    if err is None:
        return None
    err = np.asarray(err, dtype=np.float64).reshape(-1)
    return S * 2.0 * float(np.max(err)) + 1e-5


def check_attributes(res, what, got, tf_ref, expect_mode, data):
    at = got["attrs"]
    bg = np.asarray(at.get("background", [np.nan] * 3), dtype=np.float64)
    res.check(bg.shape == (3,) and np.array_equal(bg, np.asarray(tf_ref.background)),
              f"{what}: background {bg.tolist()} (want {list(tf_ref.background)})")
    ou = at.get("opacity_unit")
    res.check(ou is not None and float(ou) == tf_ref.opacity_unit,
              f"{what}: opacity_unit {ou} (want {tf_ref.opacity_unit})")
    if tf_ref.kind == "colormap":
        mode = at.get("data_range_mode")
        res.check(mode == expect_mode, f"{what}: data_range_mode {mode!r} (want {expect_mode!r})")
    nodes = at.get("tf_table_nodes")
    res.check(nodes is not None and int(nodes) >= 0, f"{what}: tf_table_nodes {nodes}")
    if tf_ref.kind == "colormap":
        dr = at.get("data_range")
        ok = dr is not None and np.asarray(dr).shape == (2,)
        if ok:
            dr = np.asarray(dr, dtype=np.float64)
            want = np.asarray(tf_ref.range, dtype=np.float64)
            x = vrtf.voxel_values(tf_ref.scale, data)
            span = float(x.max() - x.min())
            tol = span / RANGE_BINS if tf_ref.range_mode == "percentiles" else 1e-9 * max(span, 1.0)
            ok = float(np.max(np.abs(dr - want))) <= tol
            res.check(ok, f"{what}: data_range {dr.tolist()} (reference {want.tolist()}, "
                          f"tol {tol:.3g})")
        else:
            res.check(False, f"{what}: data_range missing or not [lo, hi]: {dr!r}")
    else:
        res.check("data_range" not in at, f"{what}: no data_range for kind {tf_ref.kind}")
    text = at.get("transfer_function")
    try:
        tf_got = vrtf.load_text(text, f"{what}: attribute transfer_function")
    except (vrtf.TfError, TypeError) as e:
        res.check(False, f"{what}: transfer_function attribute does not parse: {e}")
        return
    xs = np.linspace(-12.0, 12.0, 2001)
    if tf_ref.kind == "colormap":
        lo, hi = tf_ref.range
        if tf_ref.range_mode == "percentiles" and tf_got.range is not None:
            # the tool's percentiles are within a bin of the exact ones
            # (checked above): compare the functions at the tool's range
            tf_ref = copy.copy(tf_ref)
            tf_ref.range = list(tf_got.range)
        xs = np.linspace(lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo), 2001)
    try:
        d = max_diff(tf_got.eval_x(xs), tf_ref.eval_x(xs))
    except vrtf.TfError as e:
        res.check(False, f"{what}: transfer_function attribute cannot be evaluated: {e}")
        return
    res.check(tf_got.scale == tf_ref.scale and d <= 1e-9,
              f"{what}: transfer_function attribute: scale {tf_got.scale}, "
              f"max|f - f_ref| = {d:.3g} over x in [{xs[0]:.3g}, {xs[-1]:.3g}]")


def check_pngs(res, what, got, outdir, png_mode, depth):
    top = 255.0 if depth == 8 else 65535.0
    bg = np.asarray(got["attrs"].get("background", [0.0, 0.0, 0.0]), dtype=np.float64)
    worst, bad, n_alpha0 = 0, 0, 0
    for f, n in enumerate(got["angle_index"]):
        path = os.path.join(outdir, f"volumerender{n}.png")
        try:
            pix, info, _ = pngio.read(path)
        except (OSError, pngio.PngError) as e:
            res.check(False, f"{what}: {path}: {e}")
            return
        C = got["rgb"][f].astype(np.float64)
        T = got["transmittance"][f].astype(np.float64)
        ch = 4 if png_mode == "rgba" else 3
        if pix.shape != C.shape[:2] + (ch,) or info["bit_depth"] != depth:
            res.check(False, f"{what}: {path}: shape {pix.shape}, depth {info['bit_depth']}; "
                             f"want {C.shape[:2] + (ch,)}, depth {depth}")
            return
        if png_mode == "rgb":
            want = np.floor(top * np.clip(C + T[..., None] * bg, 0.0, 1.0) + 0.5)
            d = np.abs(pix.astype(np.float64) - want)
        else:
            alpha = 1.0 - T
            want_a = np.floor(top * np.clip(alpha, 0.0, 1.0) + 0.5)
            da = np.abs(pix[..., 3].astype(np.float64) - want_a)
            clear = T == 1.0
            n_alpha0 += int(clear.sum())
            da[clear] = np.where(pix[..., 3][clear] == 0, 0.0, top)
            # straight colour: C / (1 - T); where alpha is tiny an 8-bit alpha
            # level says little, so compare only where 1 - T >= 1e-3
            with np.errstate(divide="ignore", invalid="ignore"):
                col = np.where(alpha[..., None] > 0, C / alpha[..., None], 0.0)
            want_c = np.floor(top * np.clip(col, 0.0, 1.0) + 0.5)
            dc = np.abs(pix[..., :3].astype(np.float64) - want_c)
            dc[alpha < 1e-3] = 0.0
            d = np.concatenate([dc, da[..., None]], axis=-1)
        worst = max(worst, float(d.max()))
        bad += int((d > 1).sum())
    extra = ""
    if png_mode == "rgba":
        extra = f", {n_alpha0} pixels with T == 1 (alpha must be 0)"
        res.check(n_alpha0 > 0, f"{what}: the case has pixels with T == 1 ({n_alpha0}), "
                                f"so alpha 0 is exercised")
    res.check(bad == 0, f"{what}: frame PNGs ({png_mode}, {depth}-bit) equal the float "
                        f"output's pixels: max diff {worst:g} levels, {bad} values > 1{extra}")


def check_provenance(res, what, got, outdir):
    from PIL import Image
    n = int(got["angle_index"][0])
    path = os.path.join(outdir, f"volumerender{n}.png")
    with Image.open(path) as im:
        im.load()
        text = dict(getattr(im, "text", {}) or im.info)
    sw = text.get("Software", "")
    res.check(sw.startswith("volrender_mpi"), f"{what}: Software = {sw!r}")
    res.check(bool(text.get("volrender:command")),
              f"{what}: volrender:command = {text.get('volrender:command', '')[:120]!r}")
    cam = text.get("volrender:camera")
    res.check(bool(cam), f"{what}: volrender:camera = {str(cam)[:120]!r}")
    tft = text.get("volrender:transfer_function")
    try:
        json.loads(tft)
        ok = True
    except (TypeError, ValueError) as e:
        ok = False
        print(f"     {e}")
    res.check(ok, f"{what}: volrender:transfer_function is JSON ({len(tft or '')} chars)")
    if ok:
        try:
            tf = vrtf.load_text(tft, "volrender:transfer_function")
            res.check(tf.kind in vrtf.KINDS, f"{what}: PNG transfer function parses (kind {tf.kind})")
        except vrtf.TfError as e:
            res.check(False, f"{what}: PNG transfer function: {e}")


def check_figure(res, what, flt, work, N):
    out = os.path.join(work, "figure.png")
    cmd = [sys.executable, os.path.join(ROOT, "scripts", "figure.py"), flt, "-o", out,
           "--frame", "0", "--dpi", "100", "--width", "6", "--height", "4"]
    print("+ " + " ".join(cmd), flush=True)
    r = subprocess.run(cmd, capture_output=True, text=True)
    if not res.check(r.returncode == 0, f"{what}: figure.py exit {r.returncode}"):
        print(r.stdout[-2000:] + r.stderr[-2000:])
        return
    try:
        pix, info, _ = pngio.read(out)
        res.check((info["width"], info["height"]) == (600, 400),
                  f"{what}: figure is {info['width']} x {info['height']} (want 600 x 400)")
        res.check(float(pix[..., :3].std()) > 1.0, f"{what}: figure is not blank")
    except (OSError, pngio.PngError) as e:
        res.check(False, f"{what}: figure: {e}")


def make_scaled(src, dset, factor, dst):
    import h5py
    with h5py.File(src, "r") as f:
        d = f[dset][...].astype(np.float64) * factor
    with h5py.File(dst, "w") as f:
        f.create_dataset(dset, data=d)


def main():
    p = argparse.ArgumentParser()
    launch.add_launch_args(p)
    p.add_argument("--tool", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--nps", default="1")
    p.add_argument("--cube", required=True)
    p.add_argument("--dataset", default="density")
    p.add_argument("--N", type=int, default=32)
    p.add_argument("--mode", choices=("reference", "identical", "export", "figure-reference"),
                   default="reference")
    p.add_argument("--against", default=None)
    p.add_argument("--against-tol", type=float, default=1e-4)
    p.add_argument("--scale-input", type=float, default=None)
    p.add_argument("--provenance", action="store_true")
    p.add_argument("--figure", action="store_true")
    p.add_argument("tf_args", nargs=argparse.REMAINDER)
    a = p.parse_args()
    opts = a.tf_args[1:] if a.tf_args[:1] == ["--"] else a.tf_args
    nps = [int(v) for v in a.nps.split(",")]
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    a.input = a.cube
    if a.scale_input is not None:
        a.input = os.path.join(a.work, "scaled.h5")
        make_scaled(a.cube, a.dataset, a.scale_input, a.input)
    res = Result()
    png_mode = opt_value(opts, "--png") or "rgb"
    depth = int(opt_value(opts, "--png-depth") or 8)
    S = a.N

    if a.mode == "figure-reference":
        # scripts/figure.py on the reference's float output (no tool involved)
        run_reference(a, a.work, without(without(opts, "--png"), "--png-depth"), "fig")
        check_figure(res, "reference", os.path.join(a.work, "ref_fig.h5"), a.work, a.N)
        return finish(res)

    if a.mode == "identical":
        base = None
        for np_ in nps:
            d0 = run_tool(a, np_, a.work, [], res, "default")
            d1 = run_tool(a, np_, a.work, opts, res, "tf")
            if d0[0] is None or d1[0] is None:
                continue
            compare_frames(res, f"np {np_} options vs default", d1[0], d0[0], 0.0)
            same = True
            for n in d0[0]["angle_index"]:
                p0 = pngio.read(os.path.join(d0[1], f"volumerender{n}.png"))[0]
                p1 = pngio.read(os.path.join(d1[1], f"volumerender{n}.png"))[0]
                same &= p0.shape == p1.shape and np.array_equal(p0, p1)
            res.check(same, f"np {np_}: frame PNG pixels identical to the default run's")
            base = base or d1
        return finish(res)

    if a.mode == "export":
        for np_ in nps:
            exp = os.path.join(a.work, f"np{np_}_export.json")
            d1 = run_tool(a, np_, a.work, opts + ["--tf-export", exp], res, "tf")
            if d1[0] is None:
                continue
            try:
                with open(exp) as fh:
                    presets = json.load(fh)
                pr = presets[0]
                lo, hi = (float(v) for v in pr["DataRange"])
                ok = isinstance(presets, list) and "RGBPoints" in pr
            except (OSError, ValueError, KeyError, IndexError, TypeError) as e:
                res.check(False, f"np {np_}: export {exp} is not a preset with DataRange: {e}")
                continue
            res.check(ok, f"np {np_}: export is a ParaView preset '{pr.get('Name')}' "
                          f"with {len(pr['RGBPoints']) // 4} RGB points, DataRange [{lo}, {hi}]")
            tfj = vrtf.load_text(d1[0]["attrs"]["transfer_function"], "transfer_function")
            back = ["--tf", exp, "--scale", tfj.scale, f"--range={lo!r}:{hi!r}"]
            for k in ("--opacity-unit", "--background"):
                v = opt_value(opts, k)
                if v is not None:
                    back += [k, v]
            d2 = run_tool(a, np_, a.work, back, res, "reimported")
            if d2[0] is not None:
                compare_frames(res, f"np {np_} re-imported export vs original", d2[0], d1[0], 1e-6)
        return finish(res)

    # reference mode
    try:
        tf_ref = load_reference_tf(opts)
    except (OSError, vrtf.TfError) as e:
        res.check(False, f"the reference cannot load the transfer function: {e}")
        return finish(res)
    data, _ = load_data(a.input, a.dataset, tf_ref.scale)
    vrtf.resolve_range(tf_ref, data)
    expect_mode = tf_ref.range_mode_text()
    refs = {}
    ref_opts = without(without(opts, "--png"), "--png-depth")
    for np_ in nps:
        got, outdir, flt = run_tool(a, np_, a.work, opts, res, "tf")
        if got is None:
            continue
        what = f"np {np_}"
        check_attributes(res, what, got, tf_ref, expect_mode, data)
        tol = table_tolerance(got["attrs"], S)
        if tol is None:
            res.check(False, f"{what}: tf_table_max_error attribute missing")
            tol = 1e-5
        key = "exact"
        ro = ref_opts
        if tf_ref.kind == "colormap" and tf_ref.range_mode == "percentiles" \
                and "data_range" in got["attrs"]:
            lo, hi = (float(v) for v in got["attrs"]["data_range"])
            key = f"{lo!r}:{hi!r}"
            ro = without(ref_opts, "--range") + ["--range=" + key]
        if key not in refs:
            refs[key] = run_reference(a, a.work, ro, str(len(refs)))
        compare_frames(res, f"{what} vs reference" + (f" at the tool's range {key}"
                                                       if key != "exact" else ""),
                       got, refs[key], tol)
        check_pngs(res, what, got, outdir, png_mode, depth)
        if a.against:
            other = read_float(a.against)
            compare_frames(res, f"{what} vs {os.path.basename(os.path.dirname(a.against))}/"
                                f"{os.path.basename(a.against)}", got, other, a.against_tol)
        if a.provenance:
            check_provenance(res, what, got, outdir)
        if a.figure and np_ == nps[0]:
            check_figure(res, what, flt, a.work, a.N)
    return finish(res)


def load_reference_tf(opts):
    bg = opt_value(opts, "--background")
    ou = opt_value(opts, "--opacity-unit")
    tfs, cm = opt_value(opts, "--tf"), opt_value(opts, "--colormap")
    if tfs is not None:
        tf = vrtf.load_file(tfs)
        return vrtf.apply_options(tf, opt_value(opts, "--scale"), opt_value(opts, "--range"),
                                  opt_value(opts, "--opacity"),
                                  float(ou) if ou is not None else None,
                                  vrtf.parse_background(bg) if bg else None)
    if cm is not None:
        tf = vrtf.from_options(cm, opt_value(opts, "--scale"), opt_value(opts, "--range"),
                               opt_value(opts, "--opacity"))
        return vrtf.apply_options(tf, None, None, None, float(ou) if ou is not None else None,
                                  vrtf.parse_background(bg) if bg else None)
    return vrtf.apply_options(vrtf.reference(), opt_value(opts, "--scale"), None, None,
                              float(ou) if ou is not None else None,
                              vrtf.parse_background(bg) if bg else None)


def load_data(path, dset, scale):
    sys.path.insert(0, HERE)
    import reference_render
    return reference_render.load_cube(path, dset, keep_nonfinite=(scale == "linear"))


def finish(res):
    print("tf_case: " + ("PASS" if res.failures == 0 else f"FAIL ({res.failures} check(s))"))
    return 0 if res.failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
