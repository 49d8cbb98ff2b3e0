/* tf.h — transfer functions: what a sample of density looks like.
 *
 * A transfer function maps a sample's density rho to colour (r, g, b) and
 * opacity a through a scaled value x = scale(rho): ln (the reference),
 * log10 or linear.  rho <= 0 under ln / log10, NaN and infinite samples are
 * empty (a = 0).  Three kinds (SPEC, "Transfer functions"):
 *   gaussians  (r,g,b,a) = sum_i rgba_i exp(-(x - centre_i)^2 / width2_i),
 *              each channel clipped to [0, 1] (a no-op for the reference);
 *   points     control points (x, r, g, b, a), linear between, constant
 *              beyond the first and the last;
 *   colormap   a colour map over a data range [lo, hi] of x, with opacity
 *              control points in t = (x - lo) / (hi - lo) clamped to [0, 1];
 *              the map's entries sit evenly over [0, 1], colour linear
 *              between them.  The range is given, the data's own (auto: min
 *              and max of x over the finite non-empty voxels) or percentiles
 *              of x over those voxels.
 * A ParaView preset (RGBPoints, Points, ColorSpace RGB) becomes a colormap
 * kind whose entries are the preset's own (uneven) points: its x range is
 * stretched over the data range, as ParaView does when it applies one.
 * Optional: an opacity unit length l (a sample whose step along its ray is
 * dt world units has opacity 1 - (1 - a)^(dt / l)), a background colour B
 * (the frame is clip(C + T B, 0, 1)).
 *
 * Life of a transfer function in a run:
 *   1. vr_tf_load (a --tf file's text, every rank parses the same bytes) or
 *      vr_tf_from_options (--colormap ...) or vr_tf_reference (no option);
 *      vr_tf_apply_options lays --scale, --range, --opacity-unit,
 *      --background over a loaded file;
 *   2. if vr_tf_needs_range: the data's range (data_range.h) is reduced over
 *      the ranks and vr_tf_resolve_range fixes [lo, hi];
 *   3. vr_tf_eval is the exact (double) function; the kernel uses the
 *      table of transfer.h built from it (vr_tf_table_build), or the
 *      reference's exact float path when vr_tf_is_reference.
 * Pure: no MPI, no I/O but vr_tf_export's file. */
#ifndef VR_TF_H
#define VR_TF_H

#include <stddef.h>
#include <stdio.h>

#include "vr/error.h"

typedef enum { VR_SCALE_LN = 0, VR_SCALE_LOG10 = 1, VR_SCALE_LINEAR = 2 } VrScale;
typedef enum { VR_TF_GAUSSIANS = 0, VR_TF_POINTS = 1, VR_TF_COLORMAP = 2 } VrTfKind;
typedef enum {
    VR_RANGE_GIVEN = 0,       /* lo, hi as given */
    VR_RANGE_AUTO = 1,        /* min and max of x over the data */
    VR_RANGE_PERCENTILES = 2  /* percentiles p_lo, p_hi of x over the data */
} VrRangeMode;

typedef struct {
    double centre, width2;
    double rgba[4];
} VrGaussian;

/* A control point: x (kind points: scaled density; colormap kind: t in
 * [0, 1]) and straight colour + opacity, or only opacity in `a`. */
typedef struct {
    double x;
    double rgba[4];
} VrTfPoint;

/* An opacity control point in t, with VTK's (vtkPiecewiseFunction) shape
 * of the segment that starts here: midpoint in (0, 1) is where, in the
 * segment, the value is half way; sharpness 0 is linear (on each side of
 * the midpoint), 1 a step, in between a Hermite curve.  Ordinary points
 * have midpoint 0.5 and sharpness 0: plain linear interpolation. */
typedef struct {
    double t, a;
    double midpoint, sharpness;
} VrOpacityPoint;

typedef struct VrTf {
    VrTfKind kind;
    VrScale scale;
    /* gaussians */
    int ngauss;
    VrGaussian *gauss;
    /* points (x, r, g, b, a) in increasing x */
    int npoints;
    VrTfPoint *points;
    /* colormap: ncolors entries at t_k (even 0..1 for a named map; a
     * preset's own RGBPoints, rescaled to [0, 1], for a preset) with rgb,
     * and opacity points in t */
    char colormap[64];        /* map name, or the preset's Name */
    int ncolors;
    VrTfPoint *colors;        /* x = t, rgba[3] unused */
    int nopacity;
    VrOpacityPoint *opacity;  /* increasing t, first at 0, last at 1 after
                                 loading (extended flat to the ends) */
    VrRangeMode range_mode;
    double range[2];          /* [lo, hi] of x: given, or once resolved */
    double percentiles[2];    /* for VR_RANGE_PERCENTILES, in [0, 100] */
    int range_resolved;       /* 1 once range[] holds the values used */
    /* common */
    double opacity_unit;      /* 0 = per sample (the reference) */
    double background[3];     /* default black */
    double nan_color[3];      /* a preset's NanColor (recorded; NaN stays empty) */
    char source[4200];        /* "reference", "--colormap viridis", "FILE", "FILE:NAME" */
} VrTf;

/* The reference transfer function (SPEC): three Gaussians in ln rho. */
int vr_tf_reference(VrTf *tf, VrError *err);

/* 1 if tf is exactly the reference (kind, scale, parameters, no opacity
 * unit): the kernel then takes the reference's exact path, and the frames
 * equal the default ones bit for bit. */
int vr_tf_is_reference(const VrTf *tf);

/* Parses a --tf file's text: the project's format (one JSON object) or a
 * ParaView preset file (a JSON array of presets; `preset` picks one by
 * Name, NULL or "" the first).  `file` is the name messages use.  Every
 * error is one line naming the file, the key and what is accepted
 * (VR_ERR_INPUT).  examples/tf/README.md describes both formats.
 * Project format: besides the kinds of SPEC, "colors": [[t, r, g, b], ...]
 * (t from 0 to 1) is a colour map of its own ("colormap" is then only its
 * name: this is how vr_tf_to_json writes a preset); opacity points may be
 * [t, a] or [t, a, midpoint, sharpness].  A colour map without "opacity"
 * gets the default opacity of vr_tf_from_options.
 * Presets: ColorSpace "RGB" only (missing = RGB); RGBPoints and Points are
 * rescaled from the RGBPoints' own x range to t in [0, 1] (in log10 x when
 * UseLogScale is true, which also makes the scale log10); Points must lie
 * within that range; a preset without Points gets the default opacity;
 * range auto.  The optional "Scale" key ("ln", "log10", "linear", written
 * by vr_tf_export) sets the scale; "DataRange" is ignored. */
int vr_tf_load(const char *text, size_t len, const char *file, const char *preset,
               VrTf *tf, VrError *err);

/* The --colormap case: map name (NAME or NAME_r), scale, range text
 * ("auto", "LO:HI", "pA:pB"), opacity text (NULL = the default,
 * VR_TF_DEFAULT_OPACITY in src/tf/tf.c), as the command line gave them.
 * Opacity texts: "T:A,T:A,..." (at least two points, t increasing in
 * [0, 1], a in [0, 1], extended flat to t = 0 and 1), "ramp" (0 at t = 0
 * to 1 at t = 1), "ramp:AMAX", "flat:A".  Messages name the option. */
int vr_tf_from_options(VrTf *tf, const char *colormap, const char *scale,
                       const char *range, const char *opacity, VrError *err);

/* Lays command-line settings over a loaded or built tf; NULL / negative
 * means "not given".  Messages name the option. */
int vr_tf_apply_options(VrTf *tf, const char *scale, const char *range,
                        double opacity_unit, const double *background, VrError *err);

/* Parsers of the option values, shared with the projection options. */
int vr_tf_parse_scale(const char *text, const char *option, VrScale *out, VrError *err);
int vr_tf_parse_range(const char *text, const char *option, VrRangeMode *mode,
                      double range[2], double percentiles[2], VrError *err);

/* 1 if the data range must be measured (colormap kind, auto or
 * percentiles, not yet resolved). */
int vr_tf_needs_range(const VrTf *tf);

/* Fixes the range from the data's: lo, hi.  Fails (naming the input) when
 * lo >= hi: a constant field, an all-empty field, or percentiles that
 * meet. */
int vr_tf_resolve_range(VrTf *tf, double lo, double hi, const char *what,
                        VrError *err);

/* x = scale(rho); returns 0 (and leaves *x) when the sample is empty. */
int vr_tf_scaled(VrScale scale, double rho, double *x);

/* The exact transfer function of a resolved tf, in double precision:
 * straight r, g, b and opacity a (before the opacity-unit correction). */
void vr_tf_eval(const VrTf *tf, double rho, double rgba[4]);

/* The same in x = scale(rho) (x finite). */
void vr_tf_eval_x(const VrTf *tf, double x, double rgba[4]);

/* The JSON text of tf in the project's format (range resolved where it
 * is), for provenance: PNG text chunks, the float output, the record.
 * Caller frees. */
char *vr_tf_to_json(const VrTf *tf);

/* Writes tf (resolved) as a ParaView preset file (a JSON array of one
 * preset: RGBPoints and Points in x, ColorSpace RGB, NanColor,
 * UseLogScale false, and the scale in "Name") that --tf FILE loads back to
 * the same frames with --range at the export's x range (its "DataRange"
 * is the range the points span). */
int vr_tf_export(const VrTf *tf, const char *path, VrError *err);

/* A short description for the summary ("colormap viridis over ln rho in
 * [-4.1, 9.8] (auto), 3 opacity points"). */
void vr_tf_describe(const VrTf *tf, char *out, size_t cap);

const char *vr_scale_name(VrScale s);

/* Frees what tf holds and zeroes it; accepts a zeroed tf. */
void vr_tf_free(VrTf *tf);

/* ---- colour maps ------------------------------------------------------ */

/* matplotlib's 256-entry table of a named map (viridis, magma, inferno,
 * plasma, cividis, turbo, gray, ... and NAME_r reversed) as rgb in [0, 1];
 * NULL if unknown.  *names is a comma-separated list for messages. */
const double (*vr_colormap_table(const char *name))[3];
const char *vr_colormap_names(void);

/* The colour of x in [0, 1] (clipped; NaN gives the lowest entry) as
 * matplotlib's Colormap(x, bytes=True) gives it: nearest entry
 * (int(x * 256), 1 -> 255) of the table truncated to bytes.  The
 * projection image uses this, so its viridis is matplotlib's exactly. */
void vr_colormap_bytes(const double (*table)[3], double x, unsigned char rgb[3]);

#endif
