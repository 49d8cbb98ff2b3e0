/* tf.c — the transfer-function model: the reference, the --colormap
 * options, ranges, and the exact (double) evaluation. */
#include "vr/tf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_internal.h"
#include "vr/transfer.h"

/* The opacity of a colour map when none is given, in t over the range
 * (auto: the data's min and max of x).  Chosen by looking at the 256^3
 * demo cube (a lognormal cosmic web: under ln rho, 90% of the voxels sit
 * below t = 0.31 of the auto range, filaments near 0.5, knots above 0.6)
 * rendered with 180 samples per ray: the lowest fifth (voids) is
 * transparent, filaments are veils of a few per cent per sample that add
 * up along a ray, knots are nearly solid. */
const char VR_TF_DEFAULT_OPACITY[] = "0:0,0.2:0,0.5:0.05,1:0.5";

const char *vr_scale_name(VrScale s)
{
    switch (s) {
    case VR_SCALE_LN: return "ln";
    case VR_SCALE_LOG10: return "log10";
    case VR_SCALE_LINEAR: return "linear";
    }
    return "?";
}

/* "ln rho", "log10 rho", "rho": what x is, for messages. */
static const char *x_name(VrScale s)
{
    return s == VR_SCALE_LN ? "ln rho" : s == VR_SCALE_LOG10 ? "log10 rho" : "rho";
}

void vr_tf_free(VrTf *tf)
{
    if (!tf)
        return;
    free(tf->gauss);
    free(tf->points);
    free(tf->colors);
    free(tf->opacity);
    memset(tf, 0, sizeof *tf);
}

int vr_tf_reference(VrTf *tf, VrError *err)
{
    memset(tf, 0, sizeof *tf);
    tf->kind = VR_TF_GAUSSIANS;
    tf->scale = VR_SCALE_LN;
    tf->gauss = calloc(3, sizeof *tf->gauss);
    if (!tf->gauss)
        return vr_fail(err, VR_ERR_NOMEM, "cannot allocate the transfer function");
    tf->ngauss = 3;
    for (int b = 0; b < 3; b++) {
        tf->gauss[b].centre = VR_TF_CENTRE[b];
        tf->gauss[b].width2 = VR_TF_WIDTH2[b];
        for (int c = 0; c < 4; c++)
            tf->gauss[b].rgba[c] = VR_TF_MIX[c][b];
    }
    tf->range_resolved = 1;
    snprintf(tf->source, sizeof tf->source, "reference");
    return VR_OK;
}

int vr_tf_is_reference(const VrTf *tf)
{
    if (tf->kind != VR_TF_GAUSSIANS || tf->scale != VR_SCALE_LN || tf->ngauss != 3 ||
        tf->opacity_unit != 0.0)
        return 0;
    for (int b = 0; b < 3; b++) {
        if (tf->gauss[b].centre != VR_TF_CENTRE[b] || tf->gauss[b].width2 != VR_TF_WIDTH2[b])
            return 0;
        for (int c = 0; c < 4; c++)
            if (tf->gauss[b].rgba[c] != VR_TF_MIX[c][b])
                return 0;
    }
    return 1;
}

/* ---- option values ---------------------------------------------------- */

/* A whole finite decimal number: no blanks, nothing after it. */
static int parse_number(const char *text, double *out)
{
    if (!text[0] || text[0] == ' ' || (text[0] >= '\t' && text[0] <= '\r'))
        return 0;
    char *end = NULL;
    const double v = strtod(text, &end);
    if (*end != '\0' || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

/* Splits "A:B" (exactly one ':') into two texts in buf. */
static int split_pair(const char *text, char *buf, size_t cap, const char **a, const char **b)
{
    const char *colon = strchr(text, ':');
    if (!colon || strchr(colon + 1, ':') || strlen(text) >= cap)
        return 0;
    memcpy(buf, text, strlen(text) + 1);
    buf[colon - text] = '\0';
    *a = buf;
    *b = buf + (colon - text) + 1;
    return 1;
}

int vr_tf_parse_scale(const char *text, const char *option, VrScale *out, VrError *err)
{
    if (strcmp(text, "ln") == 0)
        *out = VR_SCALE_LN;
    else if (strcmp(text, "log10") == 0)
        *out = VR_SCALE_LOG10;
    else if (strcmp(text, "linear") == 0)
        *out = VR_SCALE_LINEAR;
    else
        return vr_fail(err, VR_ERR_USAGE,
                       "option %s: unknown scale '%s' (accepted: ln, log10, linear)", option,
                       vr_shown(text).text);
    return VR_OK;
}

int vr_tf_parse_range(const char *text, const char *option, VrRangeMode *mode,
                      double range[2], double percentiles[2], VrError *err)
{
    if (strcmp(text, "auto") == 0) {
        *mode = VR_RANGE_AUTO;
        return VR_OK;
    }
    char buf[256];
    const char *a = NULL, *b = NULL;
    double v[2];
    if (split_pair(text, buf, sizeof buf, &a, &b) && a[0] == 'p' && b[0] == 'p' &&
        parse_number(a + 1, &v[0]) && parse_number(b + 1, &v[1])) {
        for (int k = 0; k < 2; k++)
            if (v[k] < 0.0 || v[k] > 100.0)
                return vr_fail(err, VR_ERR_USAGE,
                               "option %s: percentile '%s' is outside 0 to 100", option,
                               vr_shown(k ? b : a).text);
        if (v[0] >= v[1])
            return vr_fail(err, VR_ERR_USAGE,
                           "option %s: '%s': the first percentile must be below the second",
                           option, vr_shown(text).text);
        *mode = VR_RANGE_PERCENTILES;
        percentiles[0] = v[0];
        percentiles[1] = v[1];
        return VR_OK;
    }
    if (a && b && parse_number(a, &v[0]) && parse_number(b, &v[1])) {
        if (v[0] >= v[1])
            return vr_fail(err, VR_ERR_USAGE,
                           "option %s: '%s' is an empty range (LO must be below HI)", option,
                           vr_shown(text).text);
        *mode = VR_RANGE_GIVEN;
        range[0] = v[0];
        range[1] = v[1];
        return VR_OK;
    }
    return vr_fail(err, VR_ERR_USAGE, "option %s: '%s' is not auto, LO:HI or pA:pB (e.g. p1:p99)",
                   option, vr_shown(text).text);
}

int vr_tf_opacity_extend(VrOpacityPoint **pts, int *n, VrError *err)
{
    const int head = (*pts)[0].t > 0.0, tail = (*pts)[*n - 1].t < 1.0;
    if (!head && !tail)
        return VR_OK;
    VrOpacityPoint *p = realloc(*pts, (size_t)(*n + head + tail) * sizeof *p);
    if (!p)
        return vr_fail(err, VR_ERR_NOMEM, "cannot allocate the opacity points");
    if (head) {
        memmove(p + 1, p, (size_t)*n * sizeof *p);
        p[0] = (VrOpacityPoint){0.0, p[1].a, 0.5, 0.0};
    }
    *n += head;
    if (tail) {
        p[*n] = (VrOpacityPoint){1.0, p[*n - 1].a, 0.5, 0.0};
        *n += 1;
    }
    *pts = p;
    return VR_OK;
}

int vr_tf_parse_opacity(const char *text, const char *option, VrOpacityPoint **out,
                        int *n, VrError *err)
{
    static const char ACCEPTED[] = "T:A,T:A,... (at least two points), ramp, ramp:AMAX or flat:A";
    double amax = 1.0;
    int rc = VR_OK;
    VrOpacityPoint *p = NULL;
    int np = 0;
    *out = NULL;
    *n = 0;
    if (strcmp(text, "ramp") == 0 || strncmp(text, "ramp:", 5) == 0 ||
        strncmp(text, "flat:", 5) == 0) {
        const int flat = text[0] == 'f';
        if (text[4] == ':' && !parse_number(text + 5, &amax))
            return vr_fail(err, VR_ERR_USAGE, "option %s: '%s' is not %s", option,
                           vr_shown(text).text, ACCEPTED);
        if (!(amax >= 0.0 && amax <= 1.0))
            return vr_fail(err, VR_ERR_USAGE,
                           "option %s: '%s': the opacity %s is outside 0 to 1", option,
                           vr_shown(text).text, vr_shown(text + 5).text);
        p = malloc(2 * sizeof *p);
        if (!p)
            return vr_fail(err, VR_ERR_NOMEM, "cannot allocate the opacity points");
        p[0] = (VrOpacityPoint){0.0, flat ? amax : 0.0, 0.5, 0.0};
        p[1] = (VrOpacityPoint){1.0, amax, 0.5, 0.0};
        *out = p;
        *n = 2;
        return VR_OK;
    }
    /* T:A,T:A,... */
    int count = 1;
    for (const char *c = text; *c; c++)
        count += *c == ',';
    if (count > VR_TF_MAX_ENTRIES)
        return vr_fail(err, VR_ERR_USAGE, "option %s: %d points, more than the %d accepted",
                       option, count, VR_TF_MAX_ENTRIES);
    if (count < 2)
        return vr_fail(err, VR_ERR_USAGE, "option %s: '%s' is not %s", option,
                       vr_shown(text).text, ACCEPTED);
    p = malloc((size_t)(count + 2) * sizeof *p);
    if (!p)
        return vr_fail(err, VR_ERR_NOMEM, "cannot allocate the opacity points");
    const char *item = text;
    for (int k = 0; k < count; k++) {
        const char *comma = strchr(item, ',');
        const size_t len = comma ? (size_t)(comma - item) : strlen(item);
        char one[128], buf[128];
        const char *ts = NULL, *as = NULL;
        double t = 0.0, a = 0.0;
        VR_CHECK(len < sizeof one, VR_ERR_USAGE, err, "option %s: '%s' is not %s", option,
                 vr_shown(text).text, ACCEPTED);
        memcpy(one, item, len);
        one[len] = '\0';
        VR_CHECK(split_pair(one, buf, sizeof buf, &ts, &as) && parse_number(ts, &t) &&
                     parse_number(as, &a),
                 VR_ERR_USAGE, err, "option %s: point %d '%s' is not T:A (in '%s'; accepted: %s)",
                 option, k + 1, vr_shown(one).text, vr_shown(text).text, ACCEPTED);
        VR_CHECK(t >= 0.0 && t <= 1.0, VR_ERR_USAGE, err,
                 "option %s: point %d '%s': t is outside 0 to 1", option, k + 1,
                 vr_shown(one).text);
        VR_CHECK(a >= 0.0 && a <= 1.0, VR_ERR_USAGE, err,
                 "option %s: point %d '%s': the opacity is outside 0 to 1", option, k + 1,
                 vr_shown(one).text);
        char prev[40];
        VR_CHECK(k == 0 || t > p[k - 1].t, VR_ERR_USAGE, err,
                 "option %s: point %d '%s': t is not above the previous point's %s "
                 "(t must increase)", option, k + 1, vr_shown(one).text,
                 vr_tf_num(k ? p[k - 1].t : 0.0, prev));
        p[k] = (VrOpacityPoint){t, a, 0.5, 0.0};
        np = k + 1;
        item = comma ? comma + 1 : item + len;
    }
    rc = vr_tf_opacity_extend(&p, &np, err);
    if (rc != VR_OK)
        goto cleanup;
    *out = p;
    *n = np;
    return VR_OK;
cleanup:
    free(p);
    return rc;
}

int vr_tf_set_named_colors(VrTf *tf, const char *name, const char *where, VrError *err)
{
    const double (*table)[3] = vr_colormap_table(name);
    if (!table)
        return vr_fail(err, VR_ERR_USAGE, "%s: unknown colour map '%s' (accepted: %s)", where,
                       vr_shown(name).text, vr_colormap_names());
    if (strlen(name) >= sizeof tf->colormap)
        return vr_fail(err, VR_ERR_INTERNAL, "%s: colour map name too long", where);
    VrTfPoint *c = malloc(256 * sizeof *c);
    if (!c)
        return vr_fail(err, VR_ERR_NOMEM, "cannot allocate the colour map");
    for (int k = 0; k < 256; k++) {
        c[k].x = k / 255.0;
        c[k].rgba[0] = table[k][0];
        c[k].rgba[1] = table[k][1];
        c[k].rgba[2] = table[k][2];
        c[k].rgba[3] = 1.0;
    }
    free(tf->colors);
    tf->colors = c;
    tf->ncolors = 256;
    snprintf(tf->colormap, sizeof tf->colormap, "%s", name);
    return VR_OK;
}

int vr_tf_from_options(VrTf *tf, const char *colormap, const char *scale,
                       const char *range, const char *opacity, VrError *err)
{
    int rc = VR_OK;
    memset(tf, 0, sizeof *tf);
    tf->kind = VR_TF_COLORMAP;
    tf->scale = VR_SCALE_LN;
    tf->range_mode = VR_RANGE_AUTO;
    rc = vr_tf_set_named_colors(tf, colormap, "option --colormap", err);
    if (rc != VR_OK)
        goto cleanup;
    if (scale && (rc = vr_tf_parse_scale(scale, "--scale", &tf->scale, err)) != VR_OK)
        goto cleanup;
    if (range && (rc = vr_tf_parse_range(range, "--range", &tf->range_mode, tf->range,
                                         tf->percentiles, err)) != VR_OK)
        goto cleanup;
    tf->range_resolved = tf->range_mode == VR_RANGE_GIVEN;
    rc = opacity ? vr_tf_parse_opacity(opacity, "--opacity", &tf->opacity, &tf->nopacity, err)
                 : vr_tf_parse_opacity(VR_TF_DEFAULT_OPACITY, "(default opacity)",
                                       &tf->opacity, &tf->nopacity, err);
    if (rc != VR_OK)
        goto cleanup;
    snprintf(tf->source, sizeof tf->source, "--colormap %s", vr_shown(colormap).text);
    return VR_OK;
cleanup:
    vr_tf_free(tf);
    return rc;
}

int vr_tf_apply_options(VrTf *tf, const char *scale, const char *range,
                        double opacity_unit, const double *background, VrError *err)
{
    VrScale s = tf->scale;
    VrRangeMode mode = tf->range_mode;
    double r[2] = {tf->range[0], tf->range[1]};
    double p[2] = {tf->percentiles[0], tf->percentiles[1]};
    int rc;
    if (scale && (rc = vr_tf_parse_scale(scale, "--scale", &s, err)) != VR_OK)
        return rc;
    if (range) {
        if (tf->kind != VR_TF_COLORMAP)
            return vr_fail(err, VR_ERR_USAGE,
                           "option --range: the transfer function of %s is %s, which has no "
                           "range; --range applies to colour maps",
                           vr_shown(tf->source).text,
                           tf->kind == VR_TF_GAUSSIANS ? "a sum of Gaussians"
                                                       : "control points in x");
        if ((rc = vr_tf_parse_range(range, "--range", &mode, r, p, err)) != VR_OK)
            return rc;
    }
    if (opacity_unit >= 0.0 && !isfinite(opacity_unit))
        return vr_fail(err, VR_ERR_USAGE, "option --opacity-unit: not a finite length");
    if (background)
        for (int c = 0; c < 3; c++)
            if (!(background[c] >= 0.0 && background[c] <= 1.0))
                return vr_fail(err, VR_ERR_USAGE,
                               "option --background: component %d (%g) is outside 0 to 1",
                               c + 1, background[c]);
    /* Everything valid: apply. */
    if (s != tf->scale && tf->kind == VR_TF_COLORMAP && tf->range_mode != VR_RANGE_GIVEN)
        tf->range_resolved = 0; /* a measured range is in the old scale */
    tf->scale = s;
    if (range) {
        tf->range_mode = mode;
        tf->range[0] = r[0];
        tf->range[1] = r[1];
        tf->percentiles[0] = p[0];
        tf->percentiles[1] = p[1];
        tf->range_resolved = mode == VR_RANGE_GIVEN;
    }
    if (opacity_unit >= 0.0)
        tf->opacity_unit = opacity_unit;
    if (background)
        memcpy(tf->background, background, sizeof tf->background);
    return VR_OK;
}

/* ---- ranges ----------------------------------------------------------- */

int vr_tf_needs_range(const VrTf *tf)
{
    return tf->kind == VR_TF_COLORMAP && tf->range_mode != VR_RANGE_GIVEN &&
           !tf->range_resolved;
}

int vr_tf_resolve_range(VrTf *tf, double lo, double hi, const char *what, VrError *err)
{
    if (tf->kind != VR_TF_COLORMAP || tf->range_mode == VR_RANGE_GIVEN) {
        tf->range_resolved = 1;
        return VR_OK;
    }
    const char *x = x_name(tf->scale);
    char b[40];
    if (!(isfinite(lo) && isfinite(hi)) || lo > hi)
        return vr_fail(err, VR_ERR_INPUT,
                       "%s: no voxel has a finite %s (the field is empty): the colour map's "
                       "range cannot be measured; give --range LO:HI",
                       vr_shown(what).text, x);
    if (lo == hi) {
        if (tf->range_mode == VR_RANGE_PERCENTILES)
            return vr_fail(err, VR_ERR_INPUT,
                           "%s: percentiles %g and %g of %s are both %s: the range is "
                           "empty; give wider percentiles or --range LO:HI",
                           vr_shown(what).text, tf->percentiles[0], tf->percentiles[1], x,
                           vr_tf_num(lo, b));
        return vr_fail(err, VR_ERR_INPUT,
                       "%s: %s is %s in every non-empty voxel (the field is constant): "
                       "the colour map's range is empty; give --range LO:HI",
                       vr_shown(what).text, x, vr_tf_num(lo, b));
    }
    tf->range[0] = lo;
    tf->range[1] = hi;
    tf->range_resolved = 1;
    return VR_OK;
}

/* ---- evaluation ------------------------------------------------------- */

int vr_tf_scaled(VrScale scale, double rho, double *x)
{
    if (!isfinite(rho))
        return 0;
    switch (scale) {
    case VR_SCALE_LN:
        if (!(rho > 0.0))
            return 0;
        *x = log(rho);
        return 1;
    case VR_SCALE_LOG10:
        if (!(rho > 0.0))
            return 0;
        *x = log10(rho);
        return 1;
    case VR_SCALE_LINEAR:
        *x = rho;
        return 1;
    }
    return 0;
}

static double clip01(double v)
{
    return v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
}

/* The index k of the segment [x_k, x_k+1) of n > 1 increasing xs that
 * holds x, for xs[0] <= x < xs[n-1]. */
static int segment_of(const VrTfPoint *p, int n, double x)
{
    int lo = 0, hi = n - 1; /* p[lo].x <= x < p[hi].x */
    while (hi - lo > 1) {
        const int mid = lo + (hi - lo) / 2;
        if (p[mid].x <= x)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Linear between increasing points (channels c0..c1-1 of rgba), constant
 * beyond the ends. */
static void lerp_points(const VrTfPoint *p, int n, double x, int nc, double *out)
{
    if (!(x > p[0].x)) {
        memcpy(out, p[0].rgba, (size_t)nc * sizeof *out);
        return;
    }
    if (x >= p[n - 1].x) {
        memcpy(out, p[n - 1].rgba, (size_t)nc * sizeof *out);
        return;
    }
    const int k = segment_of(p, n, x);
    const double s = (x - p[k].x) / (p[k + 1].x - p[k].x);
    for (int c = 0; c < nc; c++)
        out[c] = (1.0 - s) * p[k].rgba[c] + s * p[k + 1].rgba[c];
}

/* vtkPiecewiseFunction's value between its nodes: the segment from node k
 * to k + 1 is shaped by node k's midpoint and sharpness. */
static double opacity_at(const VrOpacityPoint *p, int n, double t)
{
    if (!(t > p[0].t))
        return p[0].a;
    if (t >= p[n - 1].t)
        return p[n - 1].a;
    int k = 0, hi = n - 1; /* p[k].t <= t < p[hi].t */
    while (hi - k > 1) {
        const int m = k + (hi - k) / 2;
        if (p[m].t <= t)
            k = m;
        else
            hi = m;
    }
    const double y1 = p[k].a, y2 = p[k + 1].a;
    double mid = p[k].midpoint, sharp = p[k].sharpness;
    if (mid < 0.00001) /* as VTK: away from degenerate ends */
        mid = 0.00001;
    if (mid > 0.99999)
        mid = 0.99999;
    double s = (t - p[k].t) / (p[k + 1].t - p[k].t);
    s = s < mid ? 0.5 * s / mid : 0.5 + 0.5 * (s - mid) / (1.0 - mid);
    if (sharp > 0.99)
        return s < 0.5 ? y1 : y2;
    if (sharp < 0.01)
        return (1.0 - s) * y1 + s * y2;
    if (s < 0.5)
        s = 0.5 * pow(s * 2.0, 1.0 + 10.0 * sharp);
    else if (s > 0.5)
        s = 1.0 - 0.5 * pow((1.0 - s) * 2.0, 1.0 + 10.0 * sharp);
    const double ss = s * s, sss = ss * s;
    const double h1 = 2.0 * sss - 3.0 * ss + 1.0;
    const double h2 = -2.0 * sss + 3.0 * ss;
    const double h3 = sss - 2.0 * ss + s;
    const double h4 = sss - ss;
    const double slope = (1.0 - sharp) * (y2 - y1);
    double v = h1 * y1 + h2 * y2 + h3 * slope + h4 * slope;
    const double lo = y1 < y2 ? y1 : y2, hi_y = y1 > y2 ? y1 : y2;
    return v < lo ? lo : v > hi_y ? hi_y : v;
}

void vr_tf_eval_x(const VrTf *tf, double x, double rgba[4])
{
    switch (tf->kind) {
    case VR_TF_GAUSSIANS: {
        double sum[4] = {0.0, 0.0, 0.0, 0.0};
        for (int i = 0; i < tf->ngauss; i++) {
            const double d = x - tf->gauss[i].centre;
            const double e = exp(-d * d / tf->gauss[i].width2);
            for (int c = 0; c < 4; c++)
                sum[c] += tf->gauss[i].rgba[c] * e;
        }
        for (int c = 0; c < 4; c++)
            rgba[c] = clip01(sum[c]);
        return;
    }
    case VR_TF_POINTS:
        lerp_points(tf->points, tf->npoints, x, 4, rgba);
        return;
    case VR_TF_COLORMAP: {
        const double t = clip01((x - tf->range[0]) / (tf->range[1] - tf->range[0]));
        lerp_points(tf->colors, tf->ncolors, t, 3, rgba);
        rgba[3] = opacity_at(tf->opacity, tf->nopacity, t);
        return;
    }
    }
    rgba[0] = rgba[1] = rgba[2] = rgba[3] = 0.0;
}

void vr_tf_eval(const VrTf *tf, double rho, double rgba[4])
{
    double x;
    if (!vr_tf_scaled(tf->scale, rho, &x)) {
        rgba[0] = rgba[1] = rgba[2] = rgba[3] = 0.0;
        return;
    }
    vr_tf_eval_x(tf, x, rgba);
}

/* ---- description ------------------------------------------------------ */

void vr_tf_describe(const VrTf *tf, char *out, size_t cap)
{
    size_t n = 0;
#define ADD(...)                                                              \
    do {                                                                      \
        if (n < cap)                                                          \
            n += (size_t)snprintf(out + n, cap - n, __VA_ARGS__);             \
    } while (0)
    if (cap == 0)
        return;
    out[0] = '\0';
    const char *x = x_name(tf->scale);
    switch (tf->kind) {
    case VR_TF_GAUSSIANS:
        ADD("%d Gaussian%s in %s%s", tf->ngauss, tf->ngauss == 1 ? "" : "s", x,
            vr_tf_is_reference(tf) ? " (the reference)" : "");
        break;
    case VR_TF_POINTS:
        ADD("%d control points in %s over [%.6g, %.6g]", tf->npoints, x, tf->points[0].x,
            tf->points[tf->npoints - 1].x);
        break;
    case VR_TF_COLORMAP: {
        ADD("colormap %s", tf->colormap);
        if (tf->ncolors != 256 || !vr_colormap_table(tf->colormap))
            ADD(" (%d colours)", tf->ncolors);
        ADD(" over %s", x);
        if (tf->range_resolved || tf->range_mode == VR_RANGE_GIVEN)
            ADD(" in [%.6g, %.6g]", tf->range[0], tf->range[1]);
        if (tf->range_mode == VR_RANGE_AUTO)
            ADD(" (auto)");
        else if (tf->range_mode == VR_RANGE_PERCENTILES)
            ADD(" (percentiles %g to %g)", tf->percentiles[0], tf->percentiles[1]);
        ADD(", %d opacity points", tf->nopacity);
        break;
    }
    }
    if (tf->opacity_unit > 0.0)
        ADD(", opacity unit %g", tf->opacity_unit);
    if (tf->background[0] != 0.0 || tf->background[1] != 0.0 || tf->background[2] != 0.0)
        ADD(", background (%g, %g, %g)", tf->background[0], tf->background[1],
            tf->background[2]);
#undef ADD
}
