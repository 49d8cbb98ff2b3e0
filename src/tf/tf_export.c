/* tf_export.c — a transfer function as text: the project's JSON (for
 * provenance, vr_tf_to_json) and a ParaView preset file (vr_tf_export). */
#include "vr/tf.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tf_internal.h"
#include "vr/output.h"

/* Nodes a sum of Gaussians is sampled at over [xa, xb] (the kernel's
 * table has the same nodes), xa = min(centre - 7 sqrt(width2)), xb the
 * max of centre + 7 sqrt(width2). */
#define EXPORT_NODES 4081
#define EXPORT_WIDTHS 7.0

void vr_tf_text_add(VrTfText *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        const int n = vsnprintf(t->buf ? t->buf + t->len : NULL, t->buf ? t->cap - t->len : 0,
                                fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
            return;
        }
        if (t->buf && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap ? t->cap : 4096;
        while (cap <= t->len + (size_t)n)
            cap *= 2;
        char *b = realloc(t->buf, cap);
        if (!b) {
            t->failed = 1;
            return;
        }
        t->buf = b;
        t->cap = cap;
    }
}

const char *vr_tf_num(double v, char out[40])
{
    /* %.15g first: 50 stays "50", not the equally exact "5e+01". */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, 40, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            break;
    }
    return out;
}

void vr_tf_text_num(VrTfText *t, double v)
{
    char b[40];
    vr_tf_text_add(t, "%s", vr_tf_num(v, b));
}

/* 1 if s is valid UTF-8 (JSON text must be). */
static int is_utf8(const unsigned char *s)
{
    while (*s) {
        int extra = *s < 0x80 ? 0 : (*s & 0xe0) == 0xc0 ? 1 : (*s & 0xf0) == 0xe0 ? 2
                  : (*s & 0xf8) == 0xf0 ? 3 : -1;
        if (extra < 0)
            return 0;
        s++;
        for (int k = 0; k < extra; k++, s++)
            if ((*s & 0xc0) != 0x80)
                return 0;
    }
    return 1;
}

void vr_tf_text_str(VrTfText *t, const char *s)
{
    const int utf8 = is_utf8((const unsigned char *)s);
    vr_tf_text_add(t, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            vr_tf_text_add(t, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            vr_tf_text_add(t, "\\u%04x", *p);
        else if (*p >= 0x80 && !utf8)
            vr_tf_text_add(t, "?");
        else
            vr_tf_text_add(t, "%c", *p);
    }
    vr_tf_text_add(t, "\"");
}

static void add_list(VrTfText *t, const double *v, int n)
{
    vr_tf_text_add(t, "[");
    for (int k = 0; k < n; k++) {
        if (k)
            vr_tf_text_add(t, ", ");
        vr_tf_text_num(t, v[k]);
    }
    vr_tf_text_add(t, "]");
}

/* 1 if tf's colours are exactly the named map's table at t = k / 255. */
static int is_named_map(const VrTf *tf)
{
    const double (*table)[3] = vr_colormap_table(tf->colormap);
    if (!table || tf->ncolors != 256)
        return 0;
    for (int k = 0; k < 256; k++)
        if (tf->colors[k].x != k / 255.0 || tf->colors[k].rgba[0] != table[k][0] ||
            tf->colors[k].rgba[1] != table[k][1] || tf->colors[k].rgba[2] != table[k][2])
            return 0;
    return 1;
}

char *vr_tf_to_json(const VrTf *tf)
{
    VrTfText t = {0};
    vr_tf_text_add(&t, "{\"scale\": \"%s\"", vr_scale_name(tf->scale));
    switch (tf->kind) {
    case VR_TF_GAUSSIANS:
        vr_tf_text_add(&t, ", \"gaussians\": [");
        for (int i = 0; i < tf->ngauss; i++) {
            vr_tf_text_add(&t, "%s{\"centre\": ", i ? ", " : "");
            vr_tf_text_num(&t, tf->gauss[i].centre);
            vr_tf_text_add(&t, ", \"width2\": ");
            vr_tf_text_num(&t, tf->gauss[i].width2);
            vr_tf_text_add(&t, ", \"rgba\": ");
            add_list(&t, tf->gauss[i].rgba, 4);
            vr_tf_text_add(&t, "}");
        }
        vr_tf_text_add(&t, "]");
        break;
    case VR_TF_POINTS:
        vr_tf_text_add(&t, ", \"points\": [");
        for (int i = 0; i < tf->npoints; i++) {
            const double v[5] = {tf->points[i].x, tf->points[i].rgba[0], tf->points[i].rgba[1],
                                 tf->points[i].rgba[2], tf->points[i].rgba[3]};
            vr_tf_text_add(&t, "%s", i ? ", " : "");
            add_list(&t, v, 5);
        }
        vr_tf_text_add(&t, "]");
        break;
    case VR_TF_COLORMAP:
        vr_tf_text_add(&t, ", \"colormap\": ");
        vr_tf_text_str(&t, tf->colormap);
        if (!is_named_map(tf)) {
            vr_tf_text_add(&t, ", \"colors\": [");
            for (int i = 0; i < tf->ncolors; i++) {
                const double v[4] = {tf->colors[i].x, tf->colors[i].rgba[0],
                                     tf->colors[i].rgba[1], tf->colors[i].rgba[2]};
                vr_tf_text_add(&t, "%s", i ? ", " : "");
                add_list(&t, v, 4);
            }
            vr_tf_text_add(&t, "]");
        }
        vr_tf_text_add(&t, ", \"opacity\": [");
        for (int i = 0; i < tf->nopacity; i++) {
            const VrOpacityPoint *o = &tf->opacity[i];
            const double v[4] = {o->t, o->a, o->midpoint, o->sharpness};
            const int plain = o->midpoint == 0.5 && o->sharpness == 0.0;
            vr_tf_text_add(&t, "%s", i ? ", " : "");
            add_list(&t, v, plain ? 2 : 4);
        }
        vr_tf_text_add(&t, "], \"range\": ");
        if (tf->range_resolved || tf->range_mode == VR_RANGE_GIVEN) {
            add_list(&t, tf->range, 2);
        } else if (tf->range_mode == VR_RANGE_PERCENTILES) {
            vr_tf_text_add(&t, "{\"percentiles\": ");
            add_list(&t, tf->percentiles, 2);
            vr_tf_text_add(&t, "}");
        } else {
            vr_tf_text_add(&t, "\"auto\"");
        }
        break;
    }
    if (tf->opacity_unit > 0.0) {
        vr_tf_text_add(&t, ", \"opacity_unit\": ");
        vr_tf_text_num(&t, tf->opacity_unit);
    }
    if (tf->background[0] != 0.0 || tf->background[1] != 0.0 || tf->background[2] != 0.0) {
        vr_tf_text_add(&t, ", \"background\": ");
        add_list(&t, tf->background, 3);
    }
    if (tf->source[0]) {
        vr_tf_text_add(&t, ", \"description\": ");
        vr_tf_text_str(&t, tf->source);
    }
    vr_tf_text_add(&t, "}");
    if (t.failed) {
        free(t.buf);
        return NULL;
    }
    return t.buf;
}

/* One node of the exported function: x, straight rgb, a, and the opacity
 * segment's shape. */
typedef struct {
    double x, rgb[3];
} ColorNode;

static void add_preset(VrTfText *t, const VrTf *tf, const char *name, double lo, double hi,
                       const ColorNode *cn, int nc, const VrOpacityPoint *on, int no)
{
    vr_tf_text_add(t, "[\n  {\n    \"Name\": ");
    vr_tf_text_str(t, name);
    vr_tf_text_add(t, ",\n    \"Creator\": \"volrender_mpi\",\n    \"ColorSpace\": \"RGB\",\n"
                      "    \"UseLogScale\": false,\n    \"Scale\": \"%s\",\n    \"NanColor\": ",
                   vr_scale_name(tf->scale));
    add_list(t, tf->nan_color, 3);
    vr_tf_text_add(t, ",\n    \"DataRange\": ");
    const double range[2] = {lo, hi};
    add_list(t, range, 2);
    vr_tf_text_add(t, ",\n    \"RGBPoints\": [");
    for (int i = 0; i < nc; i++) {
        vr_tf_text_add(t, "%s\n      ", i ? "," : "");
        vr_tf_text_num(t, cn[i].x);
        for (int c = 0; c < 3; c++) {
            vr_tf_text_add(t, ", ");
            vr_tf_text_num(t, cn[i].rgb[c]);
        }
    }
    vr_tf_text_add(t, "\n    ],\n    \"Points\": [");
    for (int i = 0; i < no; i++) {
        vr_tf_text_add(t, "%s\n      ", i ? "," : "");
        vr_tf_text_num(t, on[i].t);
        vr_tf_text_add(t, ", ");
        vr_tf_text_num(t, on[i].a);
        vr_tf_text_add(t, ", ");
        vr_tf_text_num(t, on[i].midpoint);
        vr_tf_text_add(t, ", ");
        vr_tf_text_num(t, on[i].sharpness);
    }
    vr_tf_text_add(t, "\n    ]\n  }\n]\n");
}

/* x at t of [lo, hi], exact at both ends, never outside. */
static double at(double lo, double hi, double t)
{
    const double x = (1.0 - t) * lo + t * hi;
    return x < lo ? lo : x > hi ? hi : x;
}

int vr_tf_export(const VrTf *tf, const char *path, VrError *err)
{
    int rc = VR_OK;
    ColorNode *cn = NULL;
    VrOpacityPoint *on = NULL;
    VrTfText t = {0};
    int nc = 0, no = 0;
    double lo = 0.0, hi = 0.0;
    char name[160];
    FILE *f = NULL;
    char tmp[4200];
    tmp[0] = '\0';
    VR_CHECK(tf->kind != VR_TF_COLORMAP || tf->range_resolved || tf->range_mode == VR_RANGE_GIVEN,
             VR_ERR_INTERNAL, err, "exporting the transfer function: its range is not resolved");
    switch (tf->kind) {
    case VR_TF_COLORMAP:
        lo = tf->range[0];
        hi = tf->range[1];
        nc = tf->ncolors;
        no = tf->nopacity;
        break;
    case VR_TF_POINTS:
        lo = tf->points[0].x;
        hi = tf->points[tf->npoints - 1].x;
        nc = no = tf->npoints;
        break;
    case VR_TF_GAUSSIANS:
        for (int i = 0; i < tf->ngauss; i++) {
            const double a = tf->gauss[i].centre - EXPORT_WIDTHS * sqrt(tf->gauss[i].width2);
            const double b = tf->gauss[i].centre + EXPORT_WIDTHS * sqrt(tf->gauss[i].width2);
            lo = i == 0 || a < lo ? a : lo;
            hi = i == 0 || b > hi ? b : hi;
        }
        nc = no = EXPORT_NODES;
        break;
    }
    cn = malloc((size_t)nc * sizeof *cn);
    on = malloc((size_t)no * sizeof *on);
    VR_CHECK(cn && on, VR_ERR_NOMEM, err, "cannot allocate the exported transfer function");
    if (tf->kind == VR_TF_COLORMAP) {
        for (int i = 0; i < nc; i++) {
            cn[i].x = at(lo, hi, tf->colors[i].x);
            memcpy(cn[i].rgb, tf->colors[i].rgba, sizeof cn[i].rgb);
        }
        for (int i = 0; i < no; i++) {
            on[i] = tf->opacity[i];
            on[i].t = at(lo, hi, tf->opacity[i].t);
        }
    } else if (tf->kind == VR_TF_POINTS) {
        for (int i = 0; i < nc; i++) {
            cn[i].x = tf->points[i].x;
            memcpy(cn[i].rgb, tf->points[i].rgba, sizeof cn[i].rgb);
            on[i] = (VrOpacityPoint){tf->points[i].x, tf->points[i].rgba[3], 0.5, 0.0};
        }
    } else {
        for (int i = 0; i < nc; i++) {
            double rgba[4];
            const double x = i == nc - 1 ? hi : lo + (hi - lo) * ((double)i / (nc - 1));
            vr_tf_eval_x(tf, x, rgba);
            cn[i].x = x;
            memcpy(cn[i].rgb, rgba, sizeof cn[i].rgb);
            on[i] = (VrOpacityPoint){x, rgba[3], 0.5, 0.0};
        }
    }
    snprintf(name, sizeof name, "volrender_mpi %s (x = %s)",
             tf->kind == VR_TF_GAUSSIANS ? "gaussians"
             : tf->kind == VR_TF_POINTS  ? "points"
                                         : vr_shown(tf->colormap).text,
             tf->scale == VR_SCALE_LN ? "ln rho"
             : tf->scale == VR_SCALE_LOG10 ? "log10 rho" : "rho");
    add_preset(&t, tf, name, lo, hi, cn, nc, on, no);
    VR_CHECK(!t.failed, VR_ERR_NOMEM, err, "cannot allocate the exported transfer function");
    vr_output_temp_path(path, tmp, sizeof tmp);
    f = fopen(tmp, "wb");
    VR_CHECK(f, VR_ERR_IO, err, "cannot write %s: %s", vr_shown(tmp).text, strerror(errno));
    const size_t wrote = fwrite(t.buf, 1, t.len, f);
    const int werr = ferror(f);
    const int cerr = fclose(f);
    f = NULL;
    if (wrote != t.len || werr || cerr != 0) {
        const int e = errno;
        remove(tmp);
        VR_CHECK(0, VR_ERR_IO, err, "cannot write %s: %s", vr_shown(tmp).text, strerror(e));
    }
    rc = vr_output_commit(tmp, path, err);
cleanup:
    if (f) {
        fclose(f);
        remove(tmp);
    }
    free(t.buf);
    free(cn);
    free(on);
    return rc;
}
