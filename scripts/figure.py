#!/usr/bin/env python3
"""A figure for papers from a volrender_mpi float output file (-f FILE).

figure.py FILE.h5 -o OUT.png|OUT.pdf [--frame K] [--title TEXT] [--dpi 200]
          [--width 6.4] [--height 4.8]

Draws frame K (0-based within the file) composited on the run's background,
clip(C + T B, 0, 1), and under it a colour bar of the transfer function in the
data's units: the x axis is the density rho (a log axis for the ln and log10
scales, labelled with the scale), the bar's colours are the transfer function's
straight colour and its opacity is drawn as a curve over the bar.  Everything
comes from the file: /rgb, /transmittance, /angle_index and the root
attributes "transfer_function" (JSON; evaluated by scripts/vrtf.py),
"background", "input", "dataset".  The output's format follows its extension
(anything matplotlib writes: png, pdf, svg ...).
Exit codes: 0 success, 1 bad input file, 2 usage error.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vrtf  # noqa: E402


def attr_text(attrs, key, default=""):
    v = attrs.get(key, default)
    if isinstance(v, bytes):
        v = v.decode("utf-8", "replace")
    return str(v)


def bar_range(tf, attrs):
    """The x interval the colour bar spans."""
    if tf.kind == "colormap" and tf.range is not None:
        return float(tf.range[0]), float(tf.range[1])
    if "data_range" in attrs:
        lo, hi = (float(v) for v in attrs["data_range"])
        return lo, hi
    if tf.kind == "points":
        lo, hi = float(tf.points[0, 0]), float(tf.points[-1, 0])
        pad = 0.05 * (hi - lo) if hi > lo else 1.0
        return lo - pad, hi + pad
    # Gaussians: every bump to three widths either side
    lo = min(c - 3.0 * np.sqrt(w) for c, w, _ in tf.gauss)
    hi = max(c + 3.0 * np.sqrt(w) for c, w, _ in tf.gauss)
    return lo, hi


def main(argv=None):
    p = argparse.ArgumentParser(description="Figure (frame + transfer-function colour bar) "
                                            "from a volrender_mpi float output file.")
    p.add_argument("file", help="float output HDF5 file (volrender_mpi -f)")
    p.add_argument("-o", "--output", required=True, help="output figure (.png, .pdf, ...)")
    p.add_argument("--frame", type=int, default=0, help="frame index within the file (default 0)")
    p.add_argument("--title", default=None, help="title (default: input, dataset and angle)")
    p.add_argument("--dpi", type=float, default=200.0)
    p.add_argument("--width", type=float, default=6.4, help="inches")
    p.add_argument("--height", type=float, default=4.8, help="inches")
    a = p.parse_args(argv)

    import h5py
    try:
        with h5py.File(a.file, "r") as h:
            nframes = h["rgb"].shape[0]
            if not 0 <= a.frame < nframes:
                print(f"figure: error: --frame {a.frame}: the file has frames 0 .. {nframes - 1}",
                      file=sys.stderr)
                return 2
            C = h["rgb"][a.frame].astype(np.float64)
            T = h["transmittance"][a.frame].astype(np.float64)
            n = int(h["angle_index"][a.frame]) if "angle_index" in h else a.frame
            attrs = {k: h.attrs[k] for k in h.attrs}
    except (OSError, KeyError) as e:
        print(f"figure: error: {a.file}: {e}", file=sys.stderr)
        return 1
    text = attr_text(attrs, "transfer_function", "")
    try:
        tf = vrtf.load_text(text, f"{a.file}: attribute transfer_function") if text \
            else vrtf.reference()
    except vrtf.TfError as e:
        print(f"figure: error: {e}", file=sys.stderr)
        return 1
    bg = np.asarray(attrs.get("background", tf.background), dtype=np.float64).reshape(3)
    image = np.clip(C + T[..., None] * bg, 0.0, 1.0)

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(a.width, a.height), dpi=a.dpi)
    gs = fig.add_gridspec(2, 1, height_ratios=[6, 1], hspace=0.35)
    ax = fig.add_subplot(gs[0])
    ax.imshow(image, interpolation="nearest", origin="upper")
    ax.set_axis_off()
    title = a.title
    if title is None:
        where = attr_text(attrs, "input", os.path.basename(a.file))
        dset = attr_text(attrs, "dataset", "")
        title = f"{os.path.basename(where)}{':' + dset if dset else ''}, angle {n}"
    ax.set_title(title, fontsize=10)

    # the colour bar: rho on the x axis (log for ln / log10), colour of the
    # transfer function, its opacity as a curve
    cb = fig.add_subplot(gs[1])
    lo, hi = bar_range(tf, attrs)
    xs = np.linspace(lo, hi, 512)
    rgba = tf.eval_x(xs)
    rho = vrtf.inverse_scale(tf.scale, xs)
    edges_x = np.concatenate([[xs[0]], 0.5 * (xs[1:] + xs[:-1]), [xs[-1]]])
    edges = vrtf.inverse_scale(tf.scale, edges_x)
    colours = np.clip(rgba[:, :3], 0.0, 1.0)
    # one bar per sample interval: exact on a log axis, where an image is not
    cb.bar(edges[:-1], 1.0, width=np.diff(edges), align="edge", color=colours,
           linewidth=0, antialiased=False)
    amax = float(rgba[:, 3].max())
    top = amax if amax > 0 else 1.0
    cb.plot(rho, rgba[:, 3] / top, color="white", lw=2.2)
    cb.plot(rho, rgba[:, 3] / top, color="black", lw=1.0)
    cb.set_ylim(0.0, 1.0)
    cb.set_yticks([0.0, 1.0])
    cb.set_yticklabels(["0", f"{top:.2g}"], fontsize=7)
    cb.set_ylabel("opacity", fontsize=7)
    if tf.scale in ("ln", "log10"):
        cb.set_xscale("log")
    cb.set_xlim(edges[0], edges[-1])
    cb.tick_params(axis="x", labelsize=7)
    # the range as the run chose it (the JSON holds the resolved numbers)
    mode = attr_text(attrs, "data_range_mode", tf.range_mode if tf.kind == "colormap" else "")
    cb.set_xlabel(f"density ρ ({tf.scale} scale" + (f", {mode} range" if mode else "") + ")",
                  fontsize=8)
    try:
        fig.savefig(a.output, dpi=a.dpi)
    except (OSError, ValueError) as e:
        print(f"figure: error: cannot write {a.output}: {e}", file=sys.stderr)
        return 1
    finally:
        plt.close(fig)
    return 0


if __name__ == "__main__":
    sys.exit(main())
