/* tf_table.c — the kernel's form of a transfer function (transfer.h).
 *
 * The table spans the x range where the function changes: a colour map's
 * data range, the first to the last control point, or the Gaussians out
 * to 7 widths (exp(-49) < 1e-21 beyond).  It first tries 16 nodes per
 * entry of a 256-entry colour map (4081 nodes, 64 KiB: L1-resident), and
 * when the measured error is above VR_TF_TABLE_TARGET (a kink between
 * nodes, a narrow Gaussian) four times as many (16321 nodes, 256 KiB). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vr/transfer.h"

#define VR_TF_TABLE_TARGET 1e-6
static const int TABLE_NODES[] = {16 * 255 + 1, 64 * 255 + 1};

/* The x range the table must cover. */
static void table_range(const VrTf *tf, double *lo, double *hi)
{
    switch (tf->kind) {
    case VR_TF_GAUSSIANS:
        *lo = INFINITY;
        *hi = -INFINITY;
        for (int i = 0; i < tf->ngauss; i++) {
            const double w = 7.0 * sqrt(tf->gauss[i].width2);
            *lo = fmin(*lo, tf->gauss[i].centre - w);
            *hi = fmax(*hi, tf->gauss[i].centre + w);
        }
        break;
    case VR_TF_POINTS:
        *lo = tf->points[0].x;
        *hi = tf->points[tf->npoints - 1].x;
        break;
    default:
        *lo = tf->range[0];
        *hi = tf->range[1];
        break;
    }
    if (!(*hi > *lo)) { /* one control point: a constant function */
        *lo -= 1.0;
        *hi += 1.0;
    }
}

/* Where the function has kinks or peaks, so the error check looks there
 * too; calls f(x) for each. */
static void for_each_feature(const VrTf *tf, void (*f)(void *, double), void *ctx)
{
    const double span = tf->range[1] - tf->range[0];
    switch (tf->kind) {
    case VR_TF_GAUSSIANS:
        for (int i = 0; i < tf->ngauss; i++)
            f(ctx, tf->gauss[i].centre);
        break;
    case VR_TF_POINTS:
        for (int i = 0; i < tf->npoints; i++)
            f(ctx, tf->points[i].x);
        break;
    default:
        for (int i = 0; i < tf->ncolors; i++)
            f(ctx, tf->range[0] + tf->colors[i].x * span);
        for (int i = 0; i < tf->nopacity; i++)
            f(ctx, tf->range[0] + tf->opacity[i].t * span);
        break;
    }
}

typedef struct {
    const VrTf *tf;
    const VrTfTable *t;
    double err[4];
} ErrorCheck;

/* The table's value at x, in double, as the kernel interpolates it. */
static void table_at(const VrTfTable *t, double x, double out[4])
{
    double f = (x - t->x0) / t->dx;
    f = f > 0.0 ? f : 0.0;
    f = f < (double)(t->n - 1) ? f : (double)(t->n - 1);
    int i = (int)f;
    i = i < t->n - 2 ? i : t->n - 2;
    const double w = f - (double)i;
    for (int c = 0; c < 4; c++) {
        const double a = t->rgba[4 * i + c], b = t->rgba[4 * i + 4 + c];
        out[c] = a + w * (b - a);
    }
}

static void check_at(void *ctx, double x)
{
    ErrorCheck *e = ctx;
    double exact[4], got[4];
    vr_tf_eval_x(e->tf, x, exact);
    table_at(e->t, x, got);
    for (int c = 0; c < 4; c++) {
        const double d = fabs(exact[c] - got[c]);
        if (d > e->err[c])
            e->err[c] = d;
    }
}

static int fill_table(const VrTf *tf, int n, double lo, double hi, VrTfTable *t,
                      VrError *err)
{
    free(t->rgba);
    t->rgba = calloc((size_t)(n + 3) * 4, sizeof(float));
    if (!t->rgba)
        return vr_fail(err, VR_ERR_NOMEM, "cannot allocate the transfer-function table");
    t->n = n;
    t->x0 = lo;
    t->dx = (hi - lo) / (double)(n - 1);
    t->fx0 = (float)lo;
    t->finv_dx = (float)(1.0 / t->dx);
    for (int k = 0; k < n; k++) {
        double v[4];
        vr_tf_eval_x(tf, k == n - 1 ? hi : lo + (double)k * t->dx, v);
        for (int c = 0; c < 4; c++)
            t->rgba[4 * k + c] = (float)v[c];
    }
    memcpy(t->rgba + 4 * n, t->rgba + 4 * (n - 1), 4 * sizeof(float));
    /* The error of the table, against the exact function, at 8 points in
     * every interval, at the control points and just either side of them. */
    ErrorCheck e = {tf, t, {0, 0, 0, 0}};
    for (int k = 0; k < n - 1; k++)
        for (int j = 0; j < 8; j++)
            check_at(&e, lo + ((double)k + (double)j / 8.0) * t->dx);
    for_each_feature(tf, check_at, &e);
    memcpy(t->max_error, e.err, sizeof e.err);
    return VR_OK;
}

int vr_tf_table_build(const VrTf *tf, VrTfTable *t, VrError *err)
{
    memset(t, 0, sizeof *t);
    t->scale = tf->scale;
    t->opacity_unit = tf->opacity_unit;
    if (vr_tf_is_reference(tf)) {
        t->reference = 1;
        return VR_OK;
    }
    if (tf->kind == VR_TF_COLORMAP && !tf->range_resolved)
        return vr_fail(err, VR_ERR_INTERNAL, "the transfer function's range is not resolved");
    double lo, hi;
    table_range(tf, &lo, &hi);
    int rc = VR_OK;
    for (size_t i = 0; i < sizeof TABLE_NODES / sizeof TABLE_NODES[0]; i++) {
        rc = fill_table(tf, TABLE_NODES[i], lo, hi, t, err);
        if (rc != VR_OK)
            return rc;
        const double worst = fmax(fmax(t->max_error[0], t->max_error[1]),
                                  fmax(t->max_error[2], t->max_error[3]));
        if (worst <= VR_TF_TABLE_TARGET)
            break;
    }
    return rc;
}

void vr_tf_table_free(VrTfTable *t)
{
    if (!t)
        return;
    free(t->rgba);
    memset(t, 0, sizeof *t);
}
