/* test_tf_table.c — the kernel's table of a general transfer function
 * (transfer.h): for colour maps with opacity kinks between the nodes,
 * ParaView presets with uneven points (ln and log10), narrow Gaussians
 * (width2 0.01, two of them overlapping so their sum is clipped), control
 * points under the linear scale and a colour map under the linear scale:
 *   1. the table interpolated as the kernel does it (linear between nodes,
 *      clamped to the end nodes) stays within its stated max_error (plus
 *      1e-6) of the exact vr_tf_eval_x at 10^5 random x over the table and
 *      beyond both ends, at every control point and just either side;
 *   2. a plain 256-entry colour map whose opacity kinks fall on nodes (a
 *      ramp, the default opacity) states max_error <= 1e-6 at 4081 nodes;
 *   3. the portable per-sample function vr_tf_table_sample and, built with
 *      AVX-512, vr_tf_table_sample16 give premultiplied colour and opacity
 *      (with the opacity-unit correction 1 - (1 - a)^k for k = 1, 0.5, 3)
 *      within float rounding of the same computation in double, hence
 *      within max_error (through the correction) of the exact function;
 *      opacity is always in [0, 1]; empty samples (rho <= 0, NaN, +-inf
 *      under ln and log10; NaN, +-inf under linear) give exactly 0. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vr/tf.h"
#include "vr/transfer.h"

#define RANDOM_X 100000
#define RANDOM_RHO 20000

typedef struct {
    const char *name;
    VrTf tf;
    VrTfTable t;
} Case;

/* The table's value at x in double, as the kernel interpolates it (the
 * same arithmetic as table_at in src/tf/tf_table.c, written out here). */
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

static double table_hi(const VrTfTable *t)
{
    return t->x0 + (double)(t->n - 1) * t->dx;
}

/* The x of the function's control points and peaks. */
static int features(const VrTf *tf, double *x, int cap)
{
    int n = 0;
    const double lo = tf->range[0], span = tf->range[1] - tf->range[0];
    for (int i = 0; i < tf->ngauss && n < cap; i++)
        x[n++] = tf->gauss[i].centre;
    for (int i = 0; i < tf->npoints && n < cap; i++)
        x[n++] = tf->points[i].x;
    if (tf->kind == VR_TF_COLORMAP) {
        for (int i = 0; i < tf->ncolors && n < cap; i++)
            x[n++] = lo + tf->colors[i].x * span;
        for (int i = 0; i < tf->nopacity && n < cap; i++)
            x[n++] = lo + tf->opacity[i].t * span;
    }
    return n;
}

/* |table - exact| <= max_error + 1e-6 at x; returns 1 if so. */
static int within_stated(const Case *k, double x)
{
    double exact[4], got[4];
    vr_tf_eval_x(&k->tf, x, exact);
    table_at(&k->t, x, got);
    int ok = 1;
    for (int c = 0; c < 4; c++) {
        const double d = fabs(got[c] - exact[c]);
        if (!(d <= k->t.max_error[c] + 1e-6)) {
            CHECK(0, "%s: x %.17g channel %d: table %.9g exact %.9g, |d| %.3g > stated %.3g",
                  k->name, x, c, got[c], exact[c], d, k->t.max_error[c]);
            ok = 0;
        }
    }
    return ok;
}

static void check_table(const Case *k)
{
    const VrTfTable *t = &k->t;
    CHECK(!t->reference && t->n >= 2 && t->rgba, "%s: no table", k->name);
    if (t->reference || t->n < 2)
        return;
    double worst = 0.0;
    for (int c = 0; c < 4; c++) {
        CHECK(t->max_error[c] >= 0.0 && isfinite(t->max_error[c]), "%s: max_error[%d] %g",
              k->name, c, t->max_error[c]);
        worst = fmax(worst, t->max_error[c]);
    }
    /* The empty samples' pair past the end is zero (VrTfTable.rgba). */
    for (int c = 0; c < 8; c++)
        CHECK(t->rgba[4 * (t->n + 1) + c] == 0.0f, "%s: node past the end not zero", k->name);
    const double lo = t->x0, hi = table_hi(t), span = hi - lo;
    for (int i = 0; i < RANDOM_X; i++)
        within_stated(k, lo - 0.1 * span + 1.2 * span * check_rand());
    double fx[1024];
    const int nf = features(&k->tf, fx, 1024);
    const double eps[] = {0.0, 1e-12, 1e-9, 1e-7, 1e-5, 1e-3};
    for (int i = 0; i < nf; i++)
        for (size_t e = 0; e < sizeof eps / sizeof eps[0]; e++) {
            within_stated(k, fx[i] - eps[e] * span);
            within_stated(k, fx[i] + eps[e] * span);
            within_stated(k, fx[i] + (eps[e] + 0.5) * t->dx);
            within_stated(k, fx[i] - (eps[e] + 0.5) * t->dx);
        }
    const double beyond[] = {lo, hi, lo - 1e-9 * span, hi + 1e-9 * span, lo - span,
                             hi + span, lo - 1e6 * span, hi + 1e6 * span};
    for (size_t i = 0; i < sizeof beyond / sizeof beyond[0]; i++)
        within_stated(k, beyond[i]);
    printf("%-28s %5d nodes, dx %.3g, max_error %.2e (r %.1e g %.1e b %.1e a %.1e)\n",
           k->name, t->n, t->dx, worst, t->max_error[0], t->max_error[1], t->max_error[2],
           t->max_error[3]);
}

/* ---- per-sample functions ------------------------------------------------ */

/* x = scale(rho) in double, 0 if the sample is empty. */
static int scaled(VrScale s, float rho, double *x)
{
    return vr_tf_scaled(s, (double)rho, x);
}

/* The premultiplied sample in double: from the table at x (`table`) or from
 * the exact function, with the correction exponent k. */
static void premultiplied(const Case *k, double x, double kexp, int table, double out[4])
{
    double v[4];
    if (table)
        table_at(&k->t, x, v);
    else
        vr_tf_eval_x(&k->tf, x, v);
    const double a = kexp == 1.0 ? v[3] : 1.0 - pow(1.0 - v[3], kexp);
    out[0] = a * v[0];
    out[1] = a * v[1];
    out[2] = a * v[2];
    out[3] = a;
}

/* The largest slope of a -> 1 - (1 - a)^k over [a - e, a + e] (at least 1,
 * the slope without correction). */
static double correction_slope(double a, double e, double kexp)
{
    if (kexp == 1.0)
        return 1.0;
    const double keep = kexp > 1.0 ? fmin(1.0, 1.0 - a + e) : fmax(1e-6, 1.0 - a - e);
    return fmax(kexp * pow(keep, kexp - 1.0), 1.0);
}

/* What float rounding allows between the kernel and the double computation
 * at x: the kernel's x (its fast log: 2e-7 absolute, then rounding to
 * float) and its node position f = (x - fx0) * finv_dx in float are off by
 * pos_err in x, which moves each channel by its slope there; interpolating,
 * the correction (its derivative k (1 - a)^(k - 1)), fast exp and log, and
 * premultiplying add a few float roundings of values <= 1. */
static void rounding_tolerance(const Case *k, double x, double kexp, double tol[4])
{
    const VrTfTable *t = &k->t;
    double xerr = 0.0;
    if (t->scale == VR_SCALE_LN)
        xerr = 2e-7 + 1.2e-7 * fabs(x);
    else if (t->scale == VR_SCALE_LOG10)
        xerr = 0.44 * 2e-7 + 2.4e-7 * fabs(x);
    const double pos_err = xerr + 1.2e-7 * (fabs(t->x0) + 3.0 * fabs(x - t->x0) + t->dx);
    double f = (x - t->x0) / t->dx;
    f = f > 0.0 ? f : 0.0;
    f = f < (double)(t->n - 1) ? f : (double)(t->n - 1);
    int i = (int)f;
    double slope[4] = {0, 0, 0, 0};
    for (int s = i - 1; s <= i + 1; s++) {
        if (s < 0 || s > t->n - 2)
            continue;
        for (int c = 0; c < 4; c++)
            slope[c] = fmax(slope[c], fabs(t->rgba[4 * s + 4 + c] - t->rgba[4 * s + c]) / t->dx);
    }
    double v[4];
    table_at(t, x, v);
    double straight[4];
    for (int c = 0; c < 4; c++)
        straight[c] = slope[c] * pos_err + 3e-7;
    const double a = v[3];
    const double da = correction_slope(a, straight[3], kexp) * straight[3] +
                      (kexp != 1.0 ? 6e-7 : 0.0);
    const double ak = kexp == 1.0 ? a : 1.0 - pow(1.0 - a, kexp);
    for (int c = 0; c < 3; c++)
        tol[c] = da * fabs(v[c]) + (ak + da) * straight[c] + 2e-7;
    tol[3] = da;
}

/* The bound between the double table and the exact function through the
 * correction and the premultiplication. */
static void stated_tolerance(const Case *k, double x, double kexp, double tol[4])
{
    double v[4];
    vr_tf_eval_x(&k->tf, x, v);
    const double *e = k->t.max_error;
    const double da = correction_slope(v[3], e[3], kexp) * e[3];
    const double ak = kexp == 1.0 ? v[3] : 1.0 - pow(1.0 - v[3], kexp);
    for (int c = 0; c < 3; c++)
        tol[c] = da * (fabs(v[c]) + e[c]) + ak * e[c] + 1e-6;
    tol[3] = da + 1e-6;
}

/* Prints the first few sample problems of a group (the group's count is
 * then one CHECK). */
static int shown = 0;
/* The largest |kernel - double| / tolerance seen, for the summary line. */
static double worst_ratio = 0.0;
static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...)
{
    if (shown++ >= 6)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("  ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* One kernel sample `got` (ar, ag, ab, a) of rho against the double
 * computations; `how` names the path.  Returns 1 if all is well. */
static int check_sample(const Case *k, const char *how, float rho, double kexp,
                        const float got[4])
{
    const char *ch = "rgba";
    double x;
    int ok = 1;
    if (!scaled(k->t.scale, rho, &x)) {
        for (int c = 0; c < 4; c++)
            if (got[c] != 0.0f) {
                report("%s %s k %g: empty rho %g gives %c %g, not 0", k->name, how, kexp,
                      (double)rho, ch[c], (double)got[c]);
                ok = 0;
            }
        return ok;
    }
    if (!(got[3] >= 0.0f && got[3] <= 1.0f)) {
        report("%s %s k %g: rho %.9g (x %.9g): opacity %.9g outside [0, 1]", k->name, how,
              kexp, (double)rho, x, (double)got[3]);
        ok = 0;
    }
    double want[4], exact[4], tol[4], stol[4];
    premultiplied(k, x, kexp, 1, want);
    premultiplied(k, x, kexp, 0, exact);
    rounding_tolerance(k, x, kexp, tol);
    stated_tolerance(k, x, kexp, stol);
    for (int c = 0; c < 4; c++) {
        const double d = fabs((double)got[c] - want[c]);
        worst_ratio = fmax(worst_ratio, d / tol[c]);
        if (!(d <= tol[c])) {
            report("%s %s k %g: rho %.9g (x %.9g) %c: %.9g, table in double %.9g, |d| %.3g "
                  "> %.3g", k->name, how, kexp, (double)rho, x, ch[c], (double)got[c], want[c],
                  d, tol[c]);
            ok = 0;
        }
        const double de = fabs((double)got[c] - exact[c]);
        if (!(de <= tol[c] + stol[c])) {
            report("%s %s k %g: rho %.9g (x %.9g) %c: %.9g, exact %.9g, |d| %.3g > %.3g",
                  k->name, how, kexp, (double)rho, x, ch[c], (double)got[c], exact[c], de,
                  tol[c] + stol[c]);
            ok = 0;
        }
    }
    return ok;
}

/* The densities to try: random x over the table and beyond (as rho), the
 * features' x, and the empty ones. */
static int sample_densities(const Case *k, float *rho, int cap)
{
    const VrTfTable *t = &k->t;
    const double lo = t->x0, hi = table_hi(t), span = hi - lo;
    int n = 0;
    double fx[1024];
    const int nf = features(&k->tf, fx, 1024);
    double xs[RANDOM_RHO + 3 * 1024];
    int nx = 0;
    for (int i = 0; i < RANDOM_RHO; i++)
        xs[nx++] = lo - 0.1 * span + 1.2 * span * check_rand();
    for (int i = 0; i < nf; i++) {
        xs[nx++] = fx[i];
        xs[nx++] = fx[i] - 1e-4 * span;
        xs[nx++] = fx[i] + 1e-4 * span;
    }
    /* The empty ones first: a whole 16-lane group of them too. */
    const float empty_log[] = {0.0f, -0.0f, -1.5f, -1e30f, -INFINITY, INFINITY, NAN, -NAN};
    const float empty_linear[] = {INFINITY, -INFINITY, NAN, -NAN};
    const float *e = t->scale == VR_SCALE_LINEAR ? empty_linear : empty_log;
    const int ne = t->scale == VR_SCALE_LINEAR ? 4 : 8;
    for (int r = 0; r < 2; r++)
        for (int i = 0; i < ne && n < cap; i++)
            rho[n++] = e[i];
    for (int i = 0; i < 16 && n < cap; i++)
        rho[n++] = e[i % ne];
    for (int i = 0; i < nx && n < cap; i++) {
        const double x = xs[i];
        const double r = t->scale == VR_SCALE_LN      ? exp(x)
                         : t->scale == VR_SCALE_LOG10 ? pow(10.0, x)
                                                      : x;
        if (isfinite((float)r) && (t->scale == VR_SCALE_LINEAR || (float)r > 0.0f))
            rho[n++] = (float)r;
    }
    /* Linear: zero and negative densities are ordinary samples. */
    if (t->scale == VR_SCALE_LINEAR && n + 3 <= cap) {
        rho[n++] = 0.0f;
        rho[n++] = -0.0f;
        rho[n++] = -3.25f;
    }
    return n;
}

static void check_samples(const Case *k)
{
    static float rho[RANDOM_RHO + 4 * 1024];
    const int n = sample_densities(k, rho, (int)(sizeof rho / sizeof rho[0]));
    const double kexps[] = {1.0, 0.5, 3.0};
    worst_ratio = 0.0;
    for (size_t q = 0; q < sizeof kexps / sizeof kexps[0]; q++) {
        const float kf = (float)kexps[q];
        int bad = 0;
        shown = 0;
        for (int i = 0; i < n; i++) {
            const VrSample s = vr_tf_table_sample(&k->t, rho[i], kf);
            const float got[4] = {s.ar, s.ag, s.ab, s.a};
            bad += !check_sample(k, "portable", rho[i], kexps[q], got);
        }
        CHECK(bad == 0, "%s: vr_tf_table_sample, k %g: %d of %d samples off", k->name,
              kexps[q], bad, n);
#if defined(__AVX512F__)
        const VrTfTable16 t16 = vr_tf_table16_init(&k->t, kf);
        const int n16 = n / 16 * 16;
        bad = 0;
        shown = 0;
        for (int i = 0; i < n16; i += 16) {
            const VrSample16 s = vr_tf_table_sample16(&t16, _mm512_loadu_ps(rho + i));
            float ar[16], ag[16], ab[16], a[16];
            _mm512_storeu_ps(ar, s.ar);
            _mm512_storeu_ps(ag, s.ag);
            _mm512_storeu_ps(ab, s.ab);
            _mm512_storeu_ps(a, s.a);
            for (int l = 0; l < 16; l++) {
                const float got[4] = {ar[l], ag[l], ab[l], a[l]};
                bad += !check_sample(k, "avx512", rho[i + l], kexps[q], got);
            }
        }
        CHECK(bad == 0, "%s: vr_tf_table_sample16, k %g: %d of %d samples off", k->name,
              kexps[q], bad, n16);
#endif
    }
    printf("  %d densities x 3 exponents: kernel within %.2f of its rounding tolerance\n", n,
           worst_ratio);
}

/* ---- the transfer functions ----------------------------------------------- */

static int from_options(Case *k, const char *name, const char *cmap, const char *scale,
                        const char *range, const char *opacity)
{
    VrError err = {{0}};
    k->name = name;
    int rc = vr_tf_from_options(&k->tf, cmap, scale, range, opacity, &err);
    CHECK(rc == VR_OK, "%s: %s", name, err.msg);
    return rc;
}

static int from_json(Case *k, const char *name, const char *json, double lo, double hi)
{
    VrError err = {{0}};
    k->name = name;
    int rc = vr_tf_load(json, strlen(json), "table.json", NULL, &k->tf, &err);
    CHECK(rc == VR_OK, "%s: %s", name, err.msg);
    if (rc == VR_OK && vr_tf_needs_range(&k->tf)) {
        rc = vr_tf_resolve_range(&k->tf, lo, hi, "the test's data", &err);
        CHECK(rc == VR_OK, "%s: %s", name, err.msg);
    }
    return rc;
}

static const char *PRESET_UNEVEN =
    "[{\"Name\": \"Uneven\", \"ColorSpace\": \"RGB\","
    " \"RGBPoints\": [-1, 0.1, 0.2, 0.9,  -0.3, 0.0, 0.8, 0.3,  0.05, 1, 1, 0,"
    "                 2.7, 0.9, 0.1, 0.1,  4, 0.3, 0, 0.4],"
    " \"Points\": [-1, 0, 0.5, 0,  0.2, 0.3, 0.4, 0.3,  1.9, 0.05, 0.6, 0.8,"
    "              3.3, 0.61, 0.5, 0,  4, 0.7, 0.5, 0]}]";

static const char *PRESET_LOG =
    "[{\"Name\": \"LogUneven\", \"UseLogScale\": true,"
    " \"RGBPoints\": [0.01, 0, 0, 0.3,  0.3, 0.2, 0.6, 1,  7, 1, 0.9, 0.2,  100, 1, 1, 1],"
    " \"Points\": [0.01, 0, 0.5, 0,  0.05, 0.02, 0.5, 0,  2.5, 0.4, 0.3, 0.5,"
    "              100, 0.9, 0.5, 0]}]";

/* width2 0.01; the last two overlap, so their red and opacity sums pass 1
 * and are clipped. */
static const char *NARROW_GAUSSIANS =
    "{\"scale\": \"log10\", \"gaussians\": ["
    " {\"centre\": -1.3, \"width2\": 0.01, \"rgba\": [1, 0.5, 0.2, 0.8]},"
    " {\"centre\": 0.55, \"width2\": 0.01, \"rgba\": [0.2, 1, 0.3, 0.5]},"
    " {\"centre\": 2.0, \"width2\": 0.01, \"rgba\": [0.8, 0.4, 1, 0.7]},"
    " {\"centre\": 2.1, \"width2\": 0.01, \"rgba\": [0.7, 0.3, 0.1, 0.6]}]}";

static const char *POINTS_LINEAR =
    "{\"scale\": \"linear\", \"points\": [[-50, 0, 0, 0, 0], [13.7, 0.2, 0.3, 0.9, 0.05],"
    " [14.2, 1, 0.5, 0, 0.9], [400.5, 0.3, 0.3, 0.3, 0.2], [1999, 1, 1, 1, 0.6]]}";

int main(void)
{
    Case cases[8];
    memset(cases, 0, sizeof cases);
    int nc = 0;
    /* Opacity kinks between the nodes (t * 255 * 16 not whole). */
    from_options(&cases[nc++], "colormap ln, kinks off nodes", "viridis", NULL, "-4.3:9.7",
                 "0:0,0.1234:0.0311,0.4567:0.2,0.789:0.05,1:0.8");
    from_options(&cases[nc++], "colormap linear, kinks", "magma_r", "linear", "0:2000",
                 "0:0,0.0371:0.4,0.333:0.01,0.9001:0.9");
    from_json(&cases[nc++], "preset ln, uneven", PRESET_UNEVEN, -2.5, 8.25);
    from_json(&cases[nc++], "preset log10, uneven", PRESET_LOG, -3.1, 4.4);
    from_json(&cases[nc++], "gaussians log10, width2 0.01", NARROW_GAUSSIANS, 0, 0);
    from_json(&cases[nc++], "points linear", POINTS_LINEAR, 0, 0);
    const int n_general = nc;
    /* Kinks on the nodes: exact to float. */
    from_options(&cases[nc++], "colormap ramp (aligned)", "viridis", NULL, "-3:10", "ramp");
    from_options(&cases[nc++], "colormap default (aligned)", "gray", "log10", "-2:5", NULL);

    for (int i = 0; i < nc; i++) {
        VrError err = {{0}};
        CHECK(!vr_tf_is_reference(&cases[i].tf), "%s is the reference", cases[i].name);
        const int rc = vr_tf_table_build(&cases[i].tf, &cases[i].t, &err);
        CHECK(rc == VR_OK, "%s: %s", cases[i].name, err.msg);
        if (rc != VR_OK)
            continue;
        check_table(&cases[i]);
        check_samples(&cases[i]);
    }
    for (int i = n_general; i < nc; i++) {
        const VrTfTable *t = &cases[i].t;
        CHECK(t->n == 16 * 255 + 1, "%s: %d nodes, not 4081", cases[i].name, t->n);
        for (int c = 0; c < 4; c++)
            CHECK(t->max_error[c] <= 1e-6, "%s: max_error[%d] %.3g > 1e-6", cases[i].name, c,
                  t->max_error[c]);
    }
    for (int i = 0; i < nc; i++) {
        vr_tf_table_free(&cases[i].t);
        vr_tf_free(&cases[i].tf);
    }
#if defined(__AVX512F__)
    printf("(AVX-512 per-sample function checked too)\n");
#endif
    return check_report("test_tf_table");
}
