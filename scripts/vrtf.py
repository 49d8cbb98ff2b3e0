"""vrtf.py — volrender_mpi's transfer functions in numpy (no link to the C code).

The model of SPEC "Transfer functions" and include/vr/tf.h, written a second
time so that the renderer's output can be checked against it and so that
post-processing (scripts/figure.py) can evaluate the transfer function a float
output file records.

A transfer function maps a sample's density rho to straight colour (r, g, b)
and opacity a through x = scale(rho) (ln, log10 or linear).  rho <= 0 under
ln / log10, NaN and infinite rho are empty (a = 0).  Kinds:
  gaussians  sum_i rgba_i exp(-(x - centre_i)^2 / width2_i)
  points     control points (x, r, g, b, a): linear between, constant beyond
  colormap   colour entries at t_k in [0, 1] (evenly spaced for a named
             matplotlib map, the preset's own points for a ParaView preset),
             colour linear between entries; opacity points in t; t = (x - lo) /
             (hi - lo) clamped to [0, 1]; [lo, hi] given, the data's own (auto)
             or percentiles of x over the data's finite non-empty voxels.

Text formats read (load_text):
  * the project's JSON object:
      {"kind": "gaussians", "scale": "ln",
       "gaussians": [{"centre": 9, "width2": 1.0, "rgba": [1, 1, 0.1, 0.6]}, ...]}
      {"kind": "points", "scale": "log10", "points": [[x, r, g, b, a], ...]}
      {"kind": "colormap", "colormap": "viridis", "scale": "ln",
       "range": "auto" | [lo, hi] | {"percentiles": [1, 99]} (or "p1:p99", "LO:HI"),
       "opacity": [[t, a], ...] | "ramp:0.5" | "flat:0.1"}
    optional in each: "opacity_unit" (world units; 0 = per sample) and
    "background" [r, g, b].  A colormap may give its entries as "colors":
    [[t, r, g, b], ...] instead of a map name.  Objects ({"x": .., "rgba": ..},
    {"t": .., "a": ..}) are accepted where lists are.
  * a ParaView preset file: a JSON array of presets (or one preset object) with
    "RGBPoints" [x, r, g, b, ...], optional "Points" [x, a, midpoint,
    sharpness, ...] (vtkPiecewiseFunction's curve between nodes), "NanColor",
    "UseLogScale".  It becomes a colormap whose entries are the preset's points
    rescaled to [0, 1] (in log10 x when UseLogScale), stretched over the data
    range as ParaView does when it applies a preset; UseLogScale selects the
    log10 scale (else the project's default, ln), --scale overrides.
"""
import json
import math

import numpy as np

SCALES = ("ln", "log10", "linear")
KINDS = ("gaussians", "points", "colormap")

# The reference (SPEC): three Gaussians in ln rho.
REFERENCE_GAUSSIANS = (
    (9.0, 1.0, (1.0, 1.0, 0.1, 0.6)),
    (3.0, 0.1, (0.1, 1.0, 0.1, 0.1)),
    (-3.0, 0.5, (0.1, 0.1, 1.0, 0.01)),
)


class TfError(ValueError):
    """Bad transfer-function input; the message names the file/key/option."""


class Tf:
    """A transfer function (attributes as in include/vr/tf.h's VrTf)."""

    def __init__(self, kind):
        self.kind = kind
        self.scale = "ln"
        self.gauss = []            # [(centre, width2, (r, g, b, a))]
        self.points = None         # (n, 5) x r g b a, increasing x
        self.colormap = ""         # map name or preset Name
        self.named_map = False     # colors are matplotlib's table of colormap
        self.colors = None         # (n, 4) t r g b, increasing t in [0, 1]
        self.opacity = None        # (m, 4) t a midpoint sharpness
        self.range_mode = "given"  # given | auto | percentiles
        self.range = None          # [lo, hi] once given or resolved
        self.percentiles = None    # [pa, pb] for percentiles
        self.opacity_unit = 0.0
        self.background = (0.0, 0.0, 0.0)
        self.nan_color = None
        self.source = ""

    # ---- queries -----------------------------------------------------------
    def needs_range(self):
        return self.kind == "colormap" and self.range is None

    def is_reference(self):
        if self.kind != "gaussians" or self.scale != "ln" or self.opacity_unit != 0.0:
            return False
        if len(self.gauss) != len(REFERENCE_GAUSSIANS):
            return False
        return all(c == rc and w == rw and tuple(v) == rv
                   for (c, w, v), (rc, rw, rv) in zip(self.gauss, REFERENCE_GAUSSIANS))

    def range_mode_text(self):
        if self.kind != "colormap":
            return ""
        if self.range_mode == "percentiles":
            return f"percentiles p{self.percentiles[0]:g}:p{self.percentiles[1]:g}"
        return self.range_mode

    # ---- evaluation ----------------------------------------------------------
    def eval_x(self, x):
        """Straight r, g, b and opacity a (before any opacity unit) of finite x
        (numpy array); returns a (..., 4) float64 array."""
        x = np.asarray(x, dtype=np.float64)
        out = np.zeros(x.shape + (4,), dtype=np.float64)
        if self.kind == "gaussians":
            for c, w2, rgba in self.gauss:
                e = np.exp(-(x - c) ** 2 / w2)
                for k in range(4):
                    out[..., k] += rgba[k] * e
        elif self.kind == "points":
            p = self.points
            for k in range(4):
                out[..., k] = np.interp(x, p[:, 0], p[:, 1 + k])
        else:
            if self.range is None:
                raise TfError("colormap transfer function: range not resolved")
            lo, hi = self.range
            t = np.clip((x - lo) / (hi - lo), 0.0, 1.0)
            out[..., :3] = self.color_t(t)
            out[..., 3] = self.opacity_t(t)
        return out

    def color_t(self, t):
        c = self.colors
        res = np.empty(np.shape(t) + (3,), dtype=np.float64)
        if _even(c[:, 0]):
            # entries at k / (n - 1): index arithmetic, as a table lookup does
            n = c.shape[0]
            p = np.clip(np.asarray(t, dtype=np.float64), 0.0, 1.0) * (n - 1)
            k = np.minimum(np.floor(p).astype(np.int64), n - 2)
            f = p - k
            for j in range(3):
                res[..., j] = c[k, 1 + j] + f * (c[k + 1, 1 + j] - c[k, 1 + j])
        else:
            for j in range(3):
                res[..., j] = np.interp(t, c[:, 0], c[:, 1 + j])
        return res

    def opacity_t(self, t):
        return piecewise(self.opacity, t)

    def eval_rho(self, rho):
        """(..., 4) straight rgba of density samples; empty samples are 0."""
        rho = np.asarray(rho, dtype=np.float64)
        x, ok = scaled(self.scale, rho)
        out = self.eval_x(np.where(ok, x, 0.0))
        out[~ok] = 0.0
        return out

    # ---- text ------------------------------------------------------------------
    def to_dict(self):
        d = {"scale": self.scale}  # the kind is the key present, as the tool writes it
        if self.kind == "gaussians":
            d["gaussians"] = [{"centre": c, "width2": w, "rgba": list(v)} for c, w, v in self.gauss]
        elif self.kind == "points":
            d["points"] = self.points.tolist()
        else:
            d["colormap"] = self.colormap
            if not self.named_map:
                d["colors"] = self.colors.tolist()
            d["opacity"] = [list(o) if (o[2] != 0.5 or o[3] != 0.0) else list(o[:2])
                            for o in self.opacity.tolist()]
            d["range_mode"] = self.range_mode
            if self.percentiles is not None:
                d["percentiles"] = list(self.percentiles)
            if self.range is not None:
                d["range"] = [float(self.range[0]), float(self.range[1])]
        d["opacity_unit"] = self.opacity_unit
        d["background"] = list(self.background)
        return d

    def to_json(self):
        return json.dumps(self.to_dict())


def _even(ts):
    n = len(ts)
    return n >= 2 and np.array_equal(ts, np.linspace(0.0, 1.0, n))


# ---- scales ---------------------------------------------------------------------
def scaled(scale, rho):
    """x = scale(rho) and the mask of non-empty samples (finite rho, and rho > 0
    for the log scales)."""
    rho = np.asarray(rho, dtype=np.float64)
    fin = np.isfinite(rho)
    with np.errstate(divide="ignore", invalid="ignore"):
        if scale == "linear":
            return np.where(fin, rho, 0.0), fin
        ok = fin & (rho > 0)
        safe = np.where(ok, rho, 1.0)
        x = np.log(safe) if scale == "ln" else np.log10(safe)
    return x, ok


def inverse_scale(scale, x):
    x = np.asarray(x, dtype=np.float64)
    if scale == "ln":
        return np.exp(x)
    if scale == "log10":
        return 10.0 ** x
    return x


def scale_label(scale):
    return {"ln": "ln ρ", "log10": "log10 ρ", "linear": "ρ"}[scale]


# ---- piecewise functions with VTK's midpoint / sharpness ------------------------
def piecewise(nodes, x):
    """vtkPiecewiseFunction (clamping on) of nodes (m, 4): x, y, midpoint,
    sharpness.  Midpoint 0.5 and sharpness 0 is linear interpolation."""
    x = np.asarray(x, dtype=np.float64)
    xs, ys = nodes[:, 0], nodes[:, 1]
    if nodes.shape[0] == 1:
        return np.full(x.shape, ys[0])
    if np.all(nodes[:, 2] == 0.5) and np.all(nodes[:, 3] == 0.0):
        return np.interp(x, xs, ys)
    out = np.empty(x.shape, dtype=np.float64)
    flat = x.reshape(-1)
    res = out.reshape(-1)
    # segment idx: the first node with X >= x (VTK moves on while x > X)
    idx = np.searchsorted(xs, flat, side="left")
    before = idx == 0
    after = idx >= len(xs)
    res[before] = ys[0]
    res[after] = ys[-1]
    mid = ~(before | after)
    i = idx[mid]
    xv = flat[mid]
    x1, x2, y1, y2 = xs[i - 1], xs[i], ys[i - 1], ys[i]
    m = np.clip(nodes[i - 1, 2], 0.00001, 0.99999)
    sh = nodes[i - 1, 3]
    s = (xv - x1) / (x2 - x1)
    s = np.where(s < m, 0.5 * s / m, 0.5 + 0.5 * (s - m) / (1.0 - m))
    val = np.empty_like(s)
    const = sh > 0.99
    val[const] = np.where(s[const] < 0.5, y1[const], y2[const])
    lin = (sh < 0.01) & ~const
    val[lin] = (1.0 - s[lin]) * y1[lin] + s[lin] * y2[lin]
    her = ~(const | lin)
    if np.any(her):
        sv, shv, a, b = s[her], sh[her], y1[her], y2[her]
        pw = 1.0 + 10.0 * shv
        with np.errstate(invalid="ignore"):
            sv = np.where(sv < 0.5, 0.5 * np.power(sv * 2.0, pw),
                          np.where(sv > 0.5, 1.0 - 0.5 * np.power((1.0 - sv) * 2.0, pw), sv))
        ss = sv * sv
        sss = ss * sv
        h1 = 2 * sss - 3 * ss + 1
        h2 = -2 * sss + 3 * ss
        h3 = sss - 2 * ss + sv
        h4 = sss - ss
        tt = (1.0 - shv) * (b - a)
        v = h1 * a + h2 * b + h3 * tt + h4 * tt
        val[her] = np.clip(v, np.minimum(a, b), np.maximum(a, b))
    res[mid] = val
    return out


# ---- colour maps -------------------------------------------------------------------
def colormap_table(name, what="--colormap"):
    """matplotlib's 256-entry table of a named map (NAME_r reversed) as (256, 3)."""
    import matplotlib
    try:
        cmap = matplotlib.colormaps[name]
    except KeyError:
        raise TfError(f"{what}: unknown colour map '{name}'") from None
    if cmap.N != 256:
        raise TfError(f"{what}: colour map '{name}' has {cmap.N} entries, not 256")
    # cmap(k / 255) is exactly entry k for a 256-entry map
    return np.asarray(cmap(np.linspace(0.0, 1.0, 256))[:, :3], dtype=np.float64)


# ---- option texts -------------------------------------------------------------------
def parse_scale(text, what="--scale"):
    if text not in SCALES:
        raise TfError(f"{what}: '{text}' is not a scale; use ln, log10 or linear")
    return text


def _num(text, what):
    try:
        v = float(text)
    except (TypeError, ValueError):
        raise TfError(f"{what}: '{text}' is not a number") from None
    if not math.isfinite(v):
        raise TfError(f"{what}: '{text}' is not finite")
    return v


def parse_range(text, what="--range"):
    """'auto', 'LO:HI' or 'pA:pB' (or the file's "auto", [lo, hi],
    {"percentiles": [p, q]}) -> (mode, [lo, hi] or None, [pa, pb] or None)."""
    if isinstance(text, dict):
        pq = text.get("percentiles")
        if set(text) != {"percentiles"} or not isinstance(pq, list) or len(pq) != 2:
            raise TfError(f"{what}: expected {{\"percentiles\": [p, q]}}")
        return parse_range(f"p{_num(pq[0], what)!r}:p{_num(pq[1], what)!r}", what)
    if isinstance(text, (list, tuple)):
        if len(text) != 2:
            raise TfError(f"{what}: expected [lo, hi]")
        lo, hi = (_num(v, what) for v in text)
        if not lo < hi:
            raise TfError(f"{what}: need lo < hi")
        return "given", [lo, hi], None
    if text == "auto":
        return "auto", None, None
    parts = str(text).split(":")
    if len(parts) != 2:
        raise TfError(f"{what}: '{text}' is not auto, LO:HI or pA:pB")
    if parts[0].startswith("p") and parts[1].startswith("p"):
        pa, pb = _num(parts[0][1:], what), _num(parts[1][1:], what)
        if not (0.0 <= pa < pb <= 100.0):
            raise TfError(f"{what}: percentiles need 0 <= A < B <= 100")
        return "percentiles", None, [pa, pb]
    lo, hi = _num(parts[0], what), _num(parts[1], what)
    if not lo < hi:
        raise TfError(f"{what}: need LO < HI")
    return "given", [lo, hi], None


def _opacity_nodes(pairs):
    """(t, a[, midpoint, sharpness]) rows -> (m, 4), extended flat to 0 and 1."""
    rows = []
    for p in pairs:
        p = list(p)
        rows.append([p[0], p[1], p[2] if len(p) > 2 else 0.5, p[3] if len(p) > 3 else 0.0])
    o = np.array(rows, dtype=np.float64)
    if o[0, 0] > 0.0:
        o = np.vstack([[0.0, o[0, 1], 0.5, 0.0], o])
    if o[-1, 0] < 1.0:
        o = np.vstack([o, [1.0, o[-1, 1], 0.5, 0.0]])
    return o


def parse_opacity(text, what="--opacity"):
    """'T:A,T:A,...', 'ramp[:AMAX]' or 'flat:A' -> (m, 4) nodes in t."""
    s = str(text)
    if s == "ramp" or s.startswith("ramp:"):
        amax = _num(s[5:], what) if s.startswith("ramp:") else 1.0
        return _opacity_nodes([(0.0, 0.0), (1.0, amax)])
    if s.startswith("flat:"):
        a = _num(s[5:], what)
        return _opacity_nodes([(0.0, a), (1.0, a)])
    pairs = []
    for item in s.split(","):
        tv = item.split(":")
        if len(tv) != 2:
            raise TfError(f"{what}: '{item}' is not T:A")
        pairs.append((_num(tv[0], what), _num(tv[1], what)))
    return _check_opacity(pairs, what)


def _check_opacity(pairs, what):
    if not pairs:
        raise TfError(f"{what}: no opacity points")
    ts = [p[0] for p in pairs]
    if any(b <= a for a, b in zip(ts, ts[1:])):
        raise TfError(f"{what}: opacity points need increasing t")
    if ts[0] < 0.0 or ts[-1] > 1.0:
        raise TfError(f"{what}: opacity points need t in [0, 1]")
    return _opacity_nodes(pairs)


# the C tool's default opacity of a colour map (src/tf/tf.c, VR_TF_DEFAULT_OPACITY)
DEFAULT_OPACITY = "0:0,0.2:0,0.5:0.05,1:0.5"


def from_options(colormap, scale="ln", range_text="auto", opacity=None):
    """The --colormap case."""
    tf = Tf("colormap")
    tf.colormap = colormap
    tab = colormap_table(colormap)
    tf.colors = np.column_stack([np.linspace(0.0, 1.0, 256), tab])
    tf.named_map = True
    tf.scale = parse_scale(scale or "ln")
    tf.range_mode, tf.range, tf.percentiles = parse_range(range_text or "auto")
    tf.opacity = parse_opacity(opacity if opacity is not None else DEFAULT_OPACITY)
    tf.source = f"--colormap {colormap}"
    return tf


def apply_options(tf, scale=None, range_text=None, opacity=None, opacity_unit=None,
                  background=None):
    """Lays command-line settings over a loaded tf (None = not given)."""
    if scale is not None:
        tf.scale = parse_scale(scale)
    if range_text is not None:
        if tf.kind != "colormap":
            raise TfError(f"--range: only a colormap transfer function has a range "
                          f"(this one is {tf.kind})")
        tf.range_mode, tf.range, tf.percentiles = parse_range(range_text)
    if opacity is not None:
        if tf.kind != "colormap":
            raise TfError(f"--opacity: only a colormap transfer function takes opacity points")
        tf.opacity = parse_opacity(opacity)
    if opacity_unit is not None:
        if not (opacity_unit >= 0.0 and math.isfinite(opacity_unit)):
            raise TfError("--opacity-unit: need a length >= 0")
        tf.opacity_unit = float(opacity_unit)
    if background is not None:
        tf.background = tuple(float(v) for v in background)
    return tf


def parse_background(text, what="--background"):
    parts = str(text).split(",")
    if len(parts) != 3:
        raise TfError(f"{what}: '{text}' is not R,G,B")
    return tuple(_num(p, what) for p in parts)


def reference():
    tf = Tf("gaussians")
    tf.gauss = [(c, w, tuple(v)) for c, w, v in REFERENCE_GAUSSIANS]
    tf.source = "reference"
    return tf


# ---- files ----------------------------------------------------------------------
def load_file(spec):
    """--tf FILE[:NAME]: the file's text parsed (NAME picks a preset)."""
    path, name = spec, None
    with_name = spec.rsplit(":", 1)
    if len(with_name) == 2 and with_name[1] and "/" not in with_name[1]:
        import os
        if not os.path.exists(spec):
            path, name = with_name
    with open(path, "r", encoding="utf-8") as fh:
        text = fh.read()
    tf = load_text(text, path, name)
    tf.source = spec
    return tf


def load_text(text, file="<text>", preset=None):
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise TfError(f"{file}: not JSON ({e})") from None
    if isinstance(doc, list) or (isinstance(doc, dict) and "RGBPoints" in doc):
        return _from_preset(doc if isinstance(doc, list) else [doc], file, preset)
    if not isinstance(doc, dict):
        raise TfError(f"{file}: expected a JSON object or a ParaView preset array")
    return _from_project(doc, file)


def _get(d, key, file, kinds=None):
    if key not in d:
        raise TfError(f"{file}: missing key '{key}'")
    return d[key]


def _row(v, names, file, key):
    if isinstance(v, dict):
        out = []
        for n in names:
            if n == "rgba" and "rgba" in v:
                out.extend(v["rgba"])
            elif n in v:
                out.append(v[n])
            elif n == "centre" and "center" in v:
                out.append(v["center"])
            elif n == "rgba":
                out.extend([v.get(c, 0.0) for c in ("r", "g", "b", "a")])
            elif n == "rgb" and "rgb" in v:
                out.extend(v["rgb"])
            elif n == "rgb":
                out.extend([v.get(c, 0.0) for c in ("r", "g", "b")])
            else:
                raise TfError(f"{file}: '{key}' entry lacks '{n}'")
        return [float(x) for x in out]
    return [float(x) for x in v]


def _from_project(d, file):
    kind = d.get("kind")
    if kind is None:
        kind = ("gaussians" if "gaussians" in d else "points" if "points" in d
                else "colormap")
    if kind not in KINDS:
        raise TfError(f"{file}: 'kind' is '{kind}'; use gaussians, points or colormap")
    tf = Tf(kind)
    tf.scale = parse_scale(d.get("scale", "ln"), f"{file}: 'scale'")
    if kind == "gaussians":
        for g in _get(d, "gaussians", file):
            r = _row(g, ["centre", "width2", "rgba"], file, "gaussians")
            if len(r) != 6:
                raise TfError(f"{file}: 'gaussians' entries need centre, width2, rgba[4]")
            if not r[1] > 0:
                raise TfError(f"{file}: 'gaussians' width2 must be > 0")
            tf.gauss.append((r[0], r[1], tuple(r[2:6])))
    elif kind == "points":
        rows = [_row(p, ["x", "rgba"], file, "points") for p in _get(d, "points", file)]
        if not rows or any(len(r) != 5 for r in rows):
            raise TfError(f"{file}: 'points' entries need x, r, g, b, a")
        tf.points = np.array(rows, dtype=np.float64)
        if np.any(np.diff(tf.points[:, 0]) <= 0):
            raise TfError(f"{file}: 'points' need increasing x")
    else:
        if "colors" in d:
            rows = [_row(c, ["t", "rgb"], file, "colors") for c in d["colors"]]
            tf.colors = np.array(rows, dtype=np.float64)
            tf.colormap = str(d.get("colormap", ""))
        else:
            tf.colormap = str(_get(d, "colormap", file))
            tab = colormap_table(tf.colormap, f"{file}: 'colormap'")
            tf.colors = np.column_stack([np.linspace(0.0, 1.0, 256), tab])
            tf.named_map = True
        op = d.get("opacity", DEFAULT_OPACITY)
        if isinstance(op, str):
            tf.opacity = parse_opacity(op, f"{file}: 'opacity'")
        else:
            pairs = [_row(o, ["t", "a"], file, "opacity") if isinstance(o, dict) else
                     [float(v) for v in o] for o in op]
            tf.opacity = _check_opacity(pairs, f"{file}: 'opacity'")
        rng = d.get("range", "auto")
        mode = d.get("range_mode")
        tf.range_mode, tf.range, tf.percentiles = parse_range(rng, f"{file}: 'range'")
        if mode is not None and tf.range is not None:
            # a resolved record: the range it states, and how it was found
            tf.range_mode = mode
            if d.get("percentiles") is not None:
                tf.percentiles = list(d["percentiles"])
        elif mode == "percentiles" and tf.range is None:
            tf.range_mode, tf.percentiles = "percentiles", list(_get(d, "percentiles", file))
    if "opacity_unit" in d:
        tf.opacity_unit = float(d["opacity_unit"])
    if "background" in d:
        bg = d["background"]
        if len(bg) != 3:
            raise TfError(f"{file}: 'background' needs [r, g, b]")
        tf.background = tuple(float(v) for v in bg)
    return tf


def _from_preset(presets, file, name):
    chosen = None
    if name:
        for p in presets:
            if isinstance(p, dict) and p.get("Name") == name:
                chosen = p
                break
        if chosen is None:
            raise TfError(f"{file}: no preset named '{name}'")
    else:
        chosen = next((p for p in presets if isinstance(p, dict) and "RGBPoints" in p), None)
        if chosen is None:
            raise TfError(f"{file}: no preset with RGBPoints")
    if "RGBPoints" not in chosen:
        raise TfError(f"{file}: preset '{chosen.get('Name', '')}' has no RGBPoints")
    cs = chosen.get("ColorSpace", "RGB")
    if cs != "RGB":
        raise TfError(f"{file}: preset ColorSpace '{cs}'; only RGB is interpolated")
    rgbp = np.array(chosen["RGBPoints"], dtype=np.float64).reshape(-1, 4)
    log = bool(chosen.get("UseLogScale", False))
    tf = Tf("colormap")
    tf.colormap = str(chosen.get("Name", ""))
    tf.scale = "log10" if log else "ln"

    def rescaled(xs):
        u = np.log10(xs) if log else xs
        if u[-1] == u[0]:
            return np.zeros_like(u)
        return (u - u[0]) / (u[-1] - u[0])

    tf.colors = np.column_stack([rescaled(rgbp[:, 0]), rgbp[:, 1:]])
    if "Points" in chosen:
        pts = np.array(chosen["Points"], dtype=np.float64).reshape(-1, 4)
        pts[:, 0] = rescaled(pts[:, 0])
        tf.opacity = _opacity_nodes(pts.tolist())
    else:
        tf.opacity = parse_opacity(DEFAULT_OPACITY)
    tf.range_mode = "auto"
    if "NanColor" in chosen:
        tf.nan_color = tuple(chosen["NanColor"])
    return tf


# ---- the data's range --------------------------------------------------------------
def voxel_values(scale, data):
    """x of every finite non-empty voxel (rho > 0 for the log scales)."""
    x, ok = scaled(scale, data)
    return x[ok]


def resolve_range(tf, data):
    """Fixes tf.range from the data (a no-op when given)."""
    if tf.kind != "colormap" or tf.range is not None:
        return tf
    x = voxel_values(tf.scale, data)
    if x.size == 0:
        raise TfError("range: no finite non-empty voxel")
    if tf.range_mode == "percentiles":
        lo, hi = np.percentile(x, tf.percentiles)
    else:
        lo, hi = float(x.min()), float(x.max())
    if not lo < hi:
        raise TfError(f"range: the data's range [{lo:g}, {hi:g}] is empty")
    tf.range = [float(lo), float(hi)]
    return tf


def opacity_with_unit(a, dt, unit):
    """1 - (1 - a)^(dt / l); a unchanged when unit is 0."""
    if not unit:
        return a
    return 1.0 - np.power(np.clip(1.0 - a, 0.0, None), dt / unit)
