/* tf_json.c — reading a --tf file: the project's format (one JSON object)
 * or a ParaView colour-map preset file (a JSON array of presets).
 *
 * Every complaint is one line: "FILE: PATH is WHAT (accepted: ...)", PATH
 * the JSON path of the value (gaussians[2].width2, opacity[1][0]) or, in a
 * preset file, "preset 'NAME': KEY...". */
#include "vr/tf.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_internal.h"

typedef struct {
    const char *file;
    const char *where; /* "" or "preset 'NAME': " */
    VrError *err;
} Ctx;

static int bad(const Ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(const Ctx *c, const char *fmt, ...)
{
    char what[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return vr_fail(c->err, VR_ERR_INPUT, "%s: %s%s", vr_shown(c->file).text, c->where, what);
}

static int nomem(const Ctx *c)
{
    return vr_fail(c->err, VR_ERR_NOMEM, "%s: cannot allocate the transfer function",
                   vr_shown(c->file).text);
}

/* "a string", "an array", ... for "PATH is WHAT". */
static const char *type_text(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE: return "true";
    case JSON_FALSE: return "false";
    case JSON_NULL: return "null";
    }
    return "?";
}

static const char *num(double v, char buf[40])
{
    return vr_tf_num(v, buf);
}

/* A finite number in [lo, hi] (inclusive unless open_lo). */
static int get_num(const Ctx *c, const json_t *j, const char *path, double lo, double hi,
                   int open_lo, const char *accepted, double *out)
{
    char b[40];
    if (!json_is_number(j))
        return bad(c, "%s is %s (accepted: %s)", path, type_text(j), accepted);
    const double v = json_number_value(j);
    if (!isfinite(v) || v < lo || v > hi || (open_lo && v == lo))
        return bad(c, "%s is %s (accepted: %s)", path, num(v, b), accepted);
    *out = v;
    return VR_OK;
}

/* An array of min..max entries; *n its size. */
static int get_array(const Ctx *c, const json_t *j, const char *path, int min, int max,
                     const char *accepted, int *n)
{
    if (!json_is_array(j))
        return bad(c, "%s is %s (accepted: %s)", path, type_text(j), accepted);
    const size_t len = json_array_size(j);
    if (len == 0)
        return bad(c, "%s is empty (accepted: %s)", path, accepted);
    if (len < (size_t)min || len > (size_t)max)
        return bad(c, "%s has %zu entries (accepted: %s)", path, len, accepted);
    *n = (int)len;
    return VR_OK;
}

/* An array of exactly n numbers in [0, 1] after `skip` leading ones read
 * by the caller: rgb / rgba lists. */
static int get_unit_numbers(const Ctx *c, const json_t *j, const char *path, int from, int n,
                            double *out)
{
    char p[128];
    for (int k = from; k < n; k++) {
        snprintf(p, sizeof p, "%s[%d]", path, k);
        int rc = get_num(c, json_array_get(j, (size_t)k), p, 0.0, 1.0, 0, "0 to 1", &out[k]);
        if (rc != VR_OK)
            return rc;
    }
    return VR_OK;
}

/* A list of n-number lists, e.g. [[x, r, g, b, a], ...] (len_lo..len_hi
 * numbers each). */
static int get_tuple(const Ctx *c, const json_t *j, const char *path, int len_lo, int len_hi,
                     const char *form)
{
    if (!json_is_array(j))
        return bad(c, "%s is %s (accepted: %s)", path, type_text(j), form);
    const size_t len = json_array_size(j);
    if (len < (size_t)len_lo || len > (size_t)len_hi)
        return bad(c, "%s has %zu numbers (accepted: %s)", path, len, form);
    return VR_OK;
}

/* ---- the project's format ---------------------------------------------- */

static int parse_scale(const Ctx *c, const json_t *j, const char *path, VrScale *out)
{
    static const char ACC[] = "\"ln\", \"log10\" or \"linear\"";
    if (!json_is_string(j))
        return bad(c, "%s is %s (accepted: %s)", path, type_text(j), ACC);
    const char *s = json_string_value(j);
    if (strcmp(s, "ln") == 0)
        *out = VR_SCALE_LN;
    else if (strcmp(s, "log10") == 0)
        *out = VR_SCALE_LOG10;
    else if (strcmp(s, "linear") == 0)
        *out = VR_SCALE_LINEAR;
    else
        return bad(c, "%s is '%s' (accepted: %s)", path, vr_shown(s).text, ACC);
    return VR_OK;
}

static int parse_gaussians(const Ctx *c, const json_t *arr, VrTf *tf)
{
    static const char ACC[] =
        "a list of {\"centre\": c, \"width2\": w, \"rgba\": [r, g, b, a]}, 1 to 65536 of them";
    int n = 0, rc = get_array(c, arr, "gaussians", 1, VR_TF_MAX_ENTRIES, ACC, &n);
    if (rc != VR_OK)
        return rc;
    tf->gauss = calloc((size_t)n, sizeof *tf->gauss);
    if (!tf->gauss)
        return nomem(c);
    tf->ngauss = n;
    for (int i = 0; i < n; i++) {
        const json_t *g = json_array_get(arr, (size_t)i);
        char p[64], q[96];
        snprintf(p, sizeof p, "gaussians[%d]", i);
        if (!json_is_object(g))
            return bad(c, "%s is %s (accepted: {\"centre\": c, \"width2\": w, \"rgba\": [r, g, "
                          "b, a]})", p, type_text(g));
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)g, key, v) {
            if (strcmp(key, "centre") && strcmp(key, "width2") && strcmp(key, "rgba"))
                return bad(c, "unknown key %s.%s (accepted: centre, width2, rgba)", p,
                           vr_shown(key).text);
        }
        static const char *const KEYS[3] = {"centre", "width2", "rgba"};
        for (int k = 0; k < 3; k++)
            if (!json_object_get(g, KEYS[k]))
                return bad(c, "%s has no %s (accepted: {\"centre\": c, \"width2\": w, "
                              "\"rgba\": [r, g, b, a]})", p, KEYS[k]);
        snprintf(q, sizeof q, "%s.centre", p);
        if ((rc = get_num(c, json_object_get(g, "centre"), q, -INFINITY, INFINITY, 0,
                          "a number", &tf->gauss[i].centre)) != VR_OK)
            return rc;
        snprintf(q, sizeof q, "%s.width2", p);
        if ((rc = get_num(c, json_object_get(g, "width2"), q, 0.0, INFINITY, 1,
                          "a number > 0", &tf->gauss[i].width2)) != VR_OK)
            return rc;
        snprintf(q, sizeof q, "%s.rgba", p);
        const json_t *rgba = json_object_get(g, "rgba");
        if ((rc = get_tuple(c, rgba, q, 4, 4, "[r, g, b, a], each 0 to 1")) != VR_OK ||
            (rc = get_unit_numbers(c, rgba, q, 0, 4, tf->gauss[i].rgba)) != VR_OK)
            return rc;
    }
    return VR_OK;
}

static int parse_points(const Ctx *c, const json_t *arr, VrTf *tf)
{
    static const char ACC[] = "a list of [x, r, g, b, a] in increasing x, 2 to 65536 of them";
    int n = 0, rc = get_array(c, arr, "points", 2, VR_TF_MAX_ENTRIES, ACC, &n);
    if (rc != VR_OK)
        return rc;
    tf->points = calloc((size_t)n, sizeof *tf->points);
    if (!tf->points)
        return nomem(c);
    tf->npoints = n;
    for (int i = 0; i < n; i++) {
        const json_t *pt = json_array_get(arr, (size_t)i);
        char p[64], q[96], b[40];
        snprintf(p, sizeof p, "points[%d]", i);
        if ((rc = get_tuple(c, pt, p, 5, 5, "[x, r, g, b, a]")) != VR_OK)
            return rc;
        snprintf(q, sizeof q, "%s[0]", p);
        double v[5];
        if ((rc = get_num(c, json_array_get(pt, 0), q, -INFINITY, INFINITY, 0, "a number",
                          &v[0])) != VR_OK ||
            (rc = get_unit_numbers(c, pt, p, 1, 5, v)) != VR_OK)
            return rc;
        if (i > 0 && !(v[0] > tf->points[i - 1].x))
            return bad(c, "%s is %s, not above points[%d][0] (x must increase)", q,
                       num(v[0], b), i - 1);
        tf->points[i].x = v[0];
        memcpy(tf->points[i].rgba, v + 1, 4 * sizeof(double));
    }
    return VR_OK;
}

/* "colors": [[t, r, g, b], ...], t from 0 to 1 increasing. */
static int parse_colors(const Ctx *c, const json_t *arr, VrTf *tf)
{
    static const char ACC[] =
        "a list of [t, r, g, b] in increasing t from 0 to 1, 2 to 65536 of them";
    int n = 0, rc = get_array(c, arr, "colors", 2, VR_TF_MAX_ENTRIES, ACC, &n);
    if (rc != VR_OK)
        return rc;
    tf->colors = calloc((size_t)n, sizeof *tf->colors);
    if (!tf->colors)
        return nomem(c);
    tf->ncolors = n;
    for (int i = 0; i < n; i++) {
        const json_t *pt = json_array_get(arr, (size_t)i);
        char p[64], q[96], b[40];
        snprintf(p, sizeof p, "colors[%d]", i);
        if ((rc = get_tuple(c, pt, p, 4, 4, "[t, r, g, b]")) != VR_OK)
            return rc;
        double v[4];
        if ((rc = get_unit_numbers(c, pt, p, 0, 4, v)) != VR_OK)
            return rc;
        snprintf(q, sizeof q, "%s[0]", p);
        if (i == 0 && v[0] != 0.0)
            return bad(c, "%s is %s (accepted: 0, the first t)", q, num(v[0], b));
        if (i > 0 && !(v[0] > tf->colors[i - 1].x))
            return bad(c, "%s is %s, not above colors[%d][0] (t must increase)", q,
                       num(v[0], b), i - 1);
        if (i == n - 1 && v[0] != 1.0)
            return bad(c, "%s is %s (accepted: 1, the last t)", q, num(v[0], b));
        tf->colors[i].x = v[0];
        memcpy(tf->colors[i].rgba, v + 1, 3 * sizeof(double));
        tf->colors[i].rgba[3] = 1.0;
    }
    return VR_OK;
}

/* "opacity": [[t, a], ...] or [[t, a, midpoint, sharpness], ...]. */
static int parse_opacity(const Ctx *c, const json_t *arr, VrTf *tf)
{
    static const char ACC[] = "a list of [t, a] or [t, a, midpoint, sharpness] in increasing "
                              "t, 2 to 65536 of them";
    int n = 0, rc = get_array(c, arr, "opacity", 2, VR_TF_MAX_ENTRIES, ACC, &n);
    if (rc != VR_OK)
        return rc;
    tf->opacity = calloc((size_t)n, sizeof *tf->opacity);
    if (!tf->opacity)
        return nomem(c);
    tf->nopacity = n;
    for (int i = 0; i < n; i++) {
        const json_t *pt = json_array_get(arr, (size_t)i);
        char p[64], q[96], b[40];
        snprintf(p, sizeof p, "opacity[%d]", i);
        if ((rc = get_tuple(c, pt, p, 2, 4, "[t, a] or [t, a, midpoint, sharpness]")) != VR_OK)
            return rc;
        if (json_array_size(pt) == 3)
            return bad(c, "%s has 3 numbers (accepted: [t, a] or [t, a, midpoint, sharpness])",
                       p);
        double v[4] = {0.0, 0.0, 0.5, 0.0};
        if ((rc = get_unit_numbers(c, pt, p, 0, (int)json_array_size(pt), v)) != VR_OK)
            return rc;
        snprintf(q, sizeof q, "%s[0]", p);
        if (i > 0 && !(v[0] > tf->opacity[i - 1].t))
            return bad(c, "%s is %s, not above opacity[%d][0] (t must increase)", q,
                       num(v[0], b), i - 1);
        tf->opacity[i] = (VrOpacityPoint){v[0], v[1], v[2], v[3]};
    }
    return vr_tf_opacity_extend(&tf->opacity, &tf->nopacity, c->err);
}

static int parse_range(const Ctx *c, const json_t *j, VrTf *tf)
{
    static const char ACC[] = "[lo, hi] with lo < hi, \"auto\" or {\"percentiles\": [p, q]} "
                              "with 0 <= p < q <= 100";
    char b[40], b2[40];
    int rc;
    if (json_is_string(j)) {
        if (strcmp(json_string_value(j), "auto") != 0)
            return bad(c, "range is '%s' (accepted: %s)", vr_shown(json_string_value(j)).text,
                       ACC);
        tf->range_mode = VR_RANGE_AUTO;
        return VR_OK;
    }
    if (json_is_array(j)) {
        if (json_array_size(j) != 2)
            return bad(c, "range has %zu numbers (accepted: %s)", json_array_size(j), ACC);
        double v[2];
        for (int k = 0; k < 2; k++) {
            char p[32];
            snprintf(p, sizeof p, "range[%d]", k);
            if ((rc = get_num(c, json_array_get(j, (size_t)k), p, -INFINITY, INFINITY, 0,
                              "a number", &v[k])) != VR_OK)
                return rc;
        }
        if (!(v[0] < v[1]))
            return bad(c, "range is [%s, %s], an empty range (accepted: %s)", num(v[0], b),
                       num(v[1], b2), ACC);
        tf->range_mode = VR_RANGE_GIVEN;
        tf->range[0] = v[0];
        tf->range[1] = v[1];
        tf->range_resolved = 1;
        return VR_OK;
    }
    if (json_is_object(j)) {
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)j, key, v) {
            if (strcmp(key, "percentiles"))
                return bad(c, "unknown key range.%s (accepted: percentiles)",
                           vr_shown(key).text);
        }
        const json_t *pq = json_object_get(j, "percentiles");
        if (!pq)
            return bad(c, "range has no percentiles (accepted: %s)", ACC);
        if ((rc = get_tuple(c, pq, "range.percentiles", 2, 2, "[p, q]")) != VR_OK)
            return rc;
        double p[2];
        for (int k = 0; k < 2; k++) {
            char path[40];
            snprintf(path, sizeof path, "range.percentiles[%d]", k);
            if ((rc = get_num(c, json_array_get(pq, (size_t)k), path, 0.0, 100.0, 0,
                              "0 to 100", &p[k])) != VR_OK)
                return rc;
        }
        if (!(p[0] < p[1]))
            return bad(c, "range.percentiles is [%s, %s] (accepted: [p, q] with p < q)",
                       num(p[0], b), num(p[1], b2));
        tf->range_mode = VR_RANGE_PERCENTILES;
        tf->percentiles[0] = p[0];
        tf->percentiles[1] = p[1];
        return VR_OK;
    }
    return bad(c, "range is %s (accepted: %s)", type_text(j), ACC);
}

static int parse_background(const Ctx *c, const json_t *j, double out[3])
{
    int rc = get_tuple(c, j, "background", 3, 3, "[r, g, b], each 0 to 1");
    if (rc == VR_OK)
        rc = get_unit_numbers(c, j, "background", 0, 3, out);
    return rc;
}

static int load_project(const Ctx *c, const json_t *root, VrTf *tf)
{
    static const char KEYS[] = "scale, gaussians, points, colormap, colors, opacity, range, "
                               "opacity_unit, background, name, description";
    const char *key;
    json_t *v;
    int rc;
    json_object_foreach((json_t *)root, key, v) {
        if (strcmp(key, "scale") && strcmp(key, "gaussians") && strcmp(key, "points") &&
            strcmp(key, "colormap") && strcmp(key, "colors") && strcmp(key, "opacity") &&
            strcmp(key, "range") && strcmp(key, "opacity_unit") && strcmp(key, "background") &&
            strcmp(key, "name") && strcmp(key, "description"))
            return bad(c, "unknown key '%s' (accepted: %s)", vr_shown(key).text, KEYS);
    }
    static const char *const TEXTS[2] = {"name", "description"};
    for (int k = 0; k < 2; k++)
        if ((v = json_object_get(root, TEXTS[k])) && !json_is_string(v))
            return bad(c, "%s is %s (accepted: a string)", TEXTS[k], type_text(v));
    const json_t *g = json_object_get(root, "gaussians"), *p = json_object_get(root, "points");
    const json_t *m = json_object_get(root, "colormap"), *cl = json_object_get(root, "colors");
    const char *kinds[3];
    int nk = 0;
    if (g)
        kinds[nk++] = "gaussians";
    if (p)
        kinds[nk++] = "points";
    if (m || cl)
        kinds[nk++] = m ? "colormap" : "colors";
    if (nk == 0)
        return bad(c, "no transfer function (give one of gaussians, points or colormap)");
    if (nk > 1)
        return bad(c, "%s and %s both given (give exactly one of gaussians, points or "
                      "colormap)", kinds[0], kinds[1]);
    tf->scale = VR_SCALE_LN;
    if ((v = json_object_get(root, "scale")) && (rc = parse_scale(c, v, "scale", &tf->scale)))
        return rc;
    if (g || p) {
        static const char *const CM_ONLY[2] = {"opacity", "range"};
        for (int k = 0; k < 2; k++)
            if (json_object_get(root, CM_ONLY[k]))
                return bad(c, "%s is for the colormap kind only (this file gives %s)",
                           CM_ONLY[k], kinds[0]);
        tf->kind = g ? VR_TF_GAUSSIANS : VR_TF_POINTS;
        tf->range_resolved = 1;
        if ((rc = g ? parse_gaussians(c, g, tf) : parse_points(c, p, tf)) != VR_OK)
            return rc;
    } else {
        tf->kind = VR_TF_COLORMAP;
        tf->range_mode = VR_RANGE_AUTO;
        if (m && !json_is_string(m))
            return bad(c, "colormap is %s (accepted: a colour map name: %s)", type_text(m),
                       vr_colormap_names());
        if (cl) {
            /* Explicit colours; "colormap" is then only their name. */
            if ((rc = parse_colors(c, cl, tf)) != VR_OK)
                return rc;
            snprintf(tf->colormap, sizeof tf->colormap, "%s",
                     m ? json_string_value(m) : "colors");
        } else {
            const char *name = json_string_value(m);
            if (!vr_colormap_table(name))
                return bad(c, "colormap is '%s', not a known colour map (accepted: %s)",
                           vr_shown(name).text, vr_colormap_names());
            if ((rc = vr_tf_set_named_colors(tf, name, c->file, c->err)) != VR_OK)
                return rc;
        }
        if ((v = json_object_get(root, "opacity"))) {
            if ((rc = parse_opacity(c, v, tf)) != VR_OK)
                return rc;
        } else if ((rc = vr_tf_parse_opacity(VR_TF_DEFAULT_OPACITY, "(default opacity)",
                                             &tf->opacity, &tf->nopacity, c->err)) != VR_OK) {
            return rc;
        }
        if ((v = json_object_get(root, "range")) && (rc = parse_range(c, v, tf)) != VR_OK)
            return rc;
    }
    if ((v = json_object_get(root, "opacity_unit")) &&
        (rc = get_num(c, v, "opacity_unit", 0.0, INFINITY, 1, "a length > 0, in world units",
                      &tf->opacity_unit)) != VR_OK)
        return rc;
    if ((v = json_object_get(root, "background")) &&
        (rc = parse_background(c, v, tf->background)) != VR_OK)
        return rc;
    return VR_OK;
}

/* ---- ParaView presets -------------------------------------------------- */

static const char *preset_name(const json_t *preset)
{
    const json_t *n = json_is_object(preset) ? json_object_get(preset, "Name") : NULL;
    return json_is_string(n) ? json_string_value(n) : "";
}

/* "A, B, C" (names shown, at most 10, then "... (N in all)"). */
static void list_names(const json_t *arr, char *out, size_t cap)
{
    size_t n = 0;
    const size_t count = json_array_size(arr);
    out[0] = '\0';
    for (size_t i = 0; i < count && n < cap; i++) {
        if (i == 10) {
            snprintf(out + n, cap - n, ", ... (%zu in all)", count);
            return;
        }
        char nm[140];
        snprintf(nm, sizeof nm, "%s", vr_shown(preset_name(json_array_get(arr, i))).text);
        if (strlen(nm) > 40)
            memcpy(nm + 40, "...", 4);
        n += (size_t)snprintf(out + n, cap - n, "%s'%s'", i ? ", " : "", nm);
    }
}

/* A preset's flat list of quadruples ("RGBPoints": x, r, g, b, ...;
 * "Points": x, a, midpoint, sharpness, ...) as n quadruples. */
static int get_quads(const Ctx *c, const json_t *j, const char *key, const char *form, int *n)
{
    char acc[200];
    snprintf(acc, sizeof acc, "a flat list of %s quadruples, 2 to %d of them", form,
             VR_TF_MAX_ENTRIES);
    if (!json_is_array(j))
        return bad(c, "%s is %s (accepted: %s)", key, type_text(j), acc);
    const size_t len = json_array_size(j);
    if (len == 0)
        return bad(c, "%s is empty (accepted: %s)", key, acc);
    if (len % 4 != 0 || len < 8 || len > 4 * (size_t)VR_TF_MAX_ENTRIES)
        return bad(c, "%s has %zu numbers (accepted: %s)", key, len, acc);
    *n = (int)(len / 4);
    return VR_OK;
}

/* Where x sits in [x0, x1]: in x, or in log10 x for UseLogScale. */
static double rescale(double x, double x0, double x1, int logscale)
{
    if (logscale) {
        x = log10(x);
        x0 = log10(x0);
        x1 = log10(x1);
    }
    if (x == x1)
        return 1.0;
    return (x - x0) / (x1 - x0);
}

static int load_preset(const Ctx *file_ctx, const json_t *arr, const char *want, VrTf *tf)
{
    int rc;
    char b[40], b2[40];
    if (json_array_size(arr) == 0)
        return bad(file_ctx, "the file is an empty list (accepted: a list of ParaView presets, "
                             "or an object in the project's format)");
    const json_t *pr = NULL;
    size_t index = 0;
    if (!want || !want[0]) {
        pr = json_array_get(arr, 0);
    } else {
        for (size_t i = 0; i < json_array_size(arr) && !pr; i++)
            if (strcmp(preset_name(json_array_get(arr, i)), want) == 0) {
                pr = json_array_get(arr, i);
                index = i;
            }
        if (!pr) {
            char names[700];
            list_names(arr, names, sizeof names);
            return bad(file_ctx, "no preset named '%s' (presets in the file: %s)",
                       vr_shown(want).text, names);
        }
    }
    if (!json_is_object(pr))
        return bad(file_ctx, "[%zu] is %s (accepted: a ParaView preset, an object)", index,
                   type_text(pr));
    const char *name = preset_name(pr);
    char where[200];
    snprintf(where, sizeof where, "preset '%s': ", vr_shown(name).text);
    const Ctx cx = {file_ctx->file, where, file_ctx->err}, *c = &cx;
    const json_t *v;
    if ((v = json_object_get(pr, "Name")) && !json_is_string(v))
        return bad(c, "Name is %s (accepted: a string)", type_text(v));
    if ((v = json_object_get(pr, "ColorSpace"))) {
        if (!json_is_string(v))
            return bad(c, "ColorSpace is %s (accepted: \"RGB\")", type_text(v));
        if (strcmp(json_string_value(v), "RGB") != 0)
            return bad(c, "ColorSpace '%s' is not supported (accepted: RGB)",
                       vr_shown(json_string_value(v)).text);
    }
    int logscale = 0;
    if ((v = json_object_get(pr, "UseLogScale"))) {
        if (!json_is_boolean(v))
            return bad(c, "UseLogScale is %s (accepted: true or false)", type_text(v));
        logscale = json_is_true(v);
    }
    tf->scale = logscale ? VR_SCALE_LOG10 : VR_SCALE_LN;
    if ((v = json_object_get(pr, "Scale"))) { /* volrender_mpi's own key (vr_tf_export) */
        if ((rc = parse_scale(c, v, "Scale", &tf->scale)) != VR_OK)
            return rc;
        if (logscale && tf->scale != VR_SCALE_LOG10)
            return bad(c, "Scale is '%s' but UseLogScale is true (accepted: \"log10\", or "
                          "UseLogScale false)", vr_scale_name(tf->scale));
    }
    if ((v = json_object_get(pr, "NanColor"))) {
        if ((rc = get_tuple(c, v, "NanColor", 3, 4, "[r, g, b], each 0 to 1")) != VR_OK ||
            (rc = get_unit_numbers(c, v, "NanColor", 0, 3, tf->nan_color)) != VR_OK)
            return rc;
    }
    const json_t *rgb = json_object_get(pr, "RGBPoints");
    if (!rgb)
        return bad(c, "RGBPoints is missing (accepted: a preset with RGBPoints, x, r, g, b "
                      "quadruples; indexed-colour presets are not supported)");
    int n = 0;
    if ((rc = get_quads(c, rgb, "RGBPoints", "x, r, g, b", &n)) != VR_OK)
        return rc;
    double *x = malloc((size_t)n * sizeof *x);
    tf->colors = calloc((size_t)n, sizeof *tf->colors);
    if (!x || !tf->colors) {
        free(x);
        return nomem(c);
    }
    tf->ncolors = n;
    for (int i = 0; i < n; i++) {
        char p[64];
        snprintf(p, sizeof p, "RGBPoints[%d]", 4 * i);
        if ((rc = get_num(c, json_array_get(rgb, (size_t)(4 * i)), p, -INFINITY, INFINITY, 0,
                          "a number", &x[i])) != VR_OK)
            goto done;
        if (i > 0 && !(x[i] > x[i - 1])) {
            rc = bad(c, "%s is %s, not above RGBPoints[%d] (x must increase)", p,
                     num(x[i], b), 4 * (i - 1));
            goto done;
        }
        if (logscale && !(x[i] > 0.0)) {
            rc = bad(c, "%s is %s (accepted: x > 0, as UseLogScale is true)", p, num(x[i], b));
            goto done;
        }
        for (int k = 1; k < 4; k++) {
            snprintf(p, sizeof p, "RGBPoints[%d]", 4 * i + k);
            if ((rc = get_num(c, json_array_get(rgb, (size_t)(4 * i + k)), p, 0.0, 1.0, 0,
                              "0 to 1", &tf->colors[i].rgba[k - 1])) != VR_OK)
                goto done;
        }
        tf->colors[i].rgba[3] = 1.0;
    }
    const double x0 = x[0], x1 = x[n - 1];
    for (int i = 0; i < n; i++)
        tf->colors[i].x = i == 0 ? 0.0 : rescale(x[i], x0, x1, logscale);
    const json_t *op = json_object_get(pr, "Points");
    if (op) {
        int m = 0;
        if ((rc = get_quads(c, op, "Points", "x, a, midpoint, sharpness", &m)) != VR_OK)
            goto done;
        tf->opacity = calloc((size_t)m, sizeof *tf->opacity);
        if (!tf->opacity) {
            rc = nomem(c);
            goto done;
        }
        tf->nopacity = m;
        double prev = 0.0;
        for (int i = 0; i < m; i++) {
            double q[4];
            char p[64], acc[160];
            snprintf(p, sizeof p, "Points[%d]", 4 * i);
            snprintf(acc, sizeof acc, "within the RGBPoints range, %s to %s", num(x0, b),
                     num(x1, b2));
            if ((rc = get_num(c, json_array_get(op, (size_t)(4 * i)), p, x0, x1, 0, acc,
                              &q[0])) != VR_OK)
                goto done;
            if (i > 0 && !(q[0] > prev)) {
                rc = bad(c, "%s is %s, not above Points[%d] (x must increase)", p,
                         num(q[0], b), 4 * (i - 1));
                goto done;
            }
            prev = q[0];
            static const char *const WHAT[4] = {"", "0 to 1 (opacity)", "0 to 1 (midpoint)",
                                                "0 to 1 (sharpness)"};
            for (int k = 1; k < 4; k++) {
                snprintf(p, sizeof p, "Points[%d]", 4 * i + k);
                if ((rc = get_num(c, json_array_get(op, (size_t)(4 * i + k)), p, 0.0, 1.0, 0,
                                  WHAT[k], &q[k])) != VR_OK)
                    goto done;
            }
            tf->opacity[i] = (VrOpacityPoint){rescale(q[0], x0, x1, logscale), q[1], q[2], q[3]};
            if (q[0] == x0)
                tf->opacity[i].t = 0.0;
        }
        if ((rc = vr_tf_opacity_extend(&tf->opacity, &tf->nopacity, c->err)) != VR_OK)
            goto done;
    } else if ((rc = vr_tf_parse_opacity(VR_TF_DEFAULT_OPACITY, "(default opacity)",
                                         &tf->opacity, &tf->nopacity, c->err)) != VR_OK) {
        goto done;
    }
    tf->kind = VR_TF_COLORMAP;
    tf->range_mode = VR_RANGE_AUTO;
    snprintf(tf->colormap, sizeof tf->colormap, "%s", name[0] ? name : "(unnamed preset)");
    rc = VR_OK;
done:
    free(x);
    return rc;
}

int vr_tf_load(const char *text, size_t len, const char *file, const char *preset,
               VrTf *tf, VrError *err)
{
    memset(tf, 0, sizeof *tf);
    const Ctx c = {file, "", err};
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    int rc;
    if (!root)
        return vr_fail(err, VR_ERR_INPUT, "%s: not valid JSON: line %d, column %d: %s",
                       vr_shown(file).text, jerr.line, jerr.column,
                       vr_shown(jerr.text).text);
    if (json_is_object(root)) {
        if (preset && preset[0])
            rc = bad(&c, "the file is one object (the project's format), not a list of "
                         "ParaView presets: there is no preset '%s' to choose",
                     vr_shown(preset).text);
        else
            rc = load_project(&c, root, tf);
    } else if (json_is_array(root)) {
        rc = load_preset(&c, root, preset, tf);
    } else {
        rc = bad(&c, "the top level is %s (accepted: an object in the project's format, or "
                     "a list of ParaView presets)", type_text(root));
    }
    json_decref(root);
    if (rc != VR_OK) {
        vr_tf_free(tf);
        return rc;
    }
    if (preset && preset[0])
        snprintf(tf->source, sizeof tf->source, "%s:%s", file, preset);
    else
        snprintf(tf->source, sizeof tf->source, "%s", file);
    return VR_OK;
}
