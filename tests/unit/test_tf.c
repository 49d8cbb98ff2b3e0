/* test_tf.c — the transfer-function model (tf.h): colour maps, the
 * project's JSON format, ParaView presets (with VTK's midpoint and
 * sharpness), the option values, ranges, evaluation against hand-computed
 * values, every bad-input message (whole text), and the round trips
 * to_json -> load and export -> load. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/tf/colormap_data.h"
#include "../../src/tf/tf_internal.h"
#include "check.h"
#include "vr/tf.h"
#include "vr/transfer.h"

static const char *REFERENCE_JSON =
    "{\"gaussians\": [{\"centre\": 9, \"width2\": 1.0, \"rgba\": [1, 1, 0.1, 0.6]},"
    " {\"centre\": 3, \"width2\": 0.1, \"rgba\": [0.1, 1, 0.1, 0.1]},"
    " {\"centre\": -3, \"width2\": 0.5, \"rgba\": [0.1, 0.1, 1, 0.01]}]}";

static int load(const char *json, const char *preset, VrTf *tf, VrError *err)
{
    memset(err, 0, sizeof *err);
    return vr_tf_load(json, strlen(json), "t.json", preset, tf, err);
}

/* Loading json must fail with status rc and exactly message msg. */
#define BAD(json, preset, rc_want, want_)                                          \
    do {                                                                         \
        VrTf tf_;                                                                \
        VrError e_;                                                              \
        const int rc_ = load((json), (preset), &tf_, &e_);                       \
        CHECK(rc_ == (rc_want), "rc %d for %s", rc_, (json));                    \
        CHECK(strcmp(e_.msg, (want_)) == 0, "\n  got  %s\n  want %s", e_.msg, (want_)); \
        CHECK(!strchr(e_.msg, '\n'), "newline in %s", e_.msg);                   \
        CHECK(tf_.gauss == NULL && tf_.colors == NULL && tf_.opacity == NULL,    \
              "tf not freed after a failure");                                   \
    } while (0)

static int close_to(double a, double b, double tol)
{
    return fabs(a - b) <= tol;
}

static int same_eval(const VrTf *a, const VrTf *b, double lo, double hi, double tol, int n)
{
    int ok = 1;
    for (int i = 0; i <= n; i++) {
        const double x = lo + (hi - lo) * i / n;
        double ra[4], rb[4];
        vr_tf_eval_x(a, x, ra);
        vr_tf_eval_x(b, x, rb);
        for (int c = 0; c < 4; c++)
            if (!close_to(ra[c], rb[c], tol)) {
                if (ok)
                    fprintf(stderr, "  x %.17g channel %d: %.17g vs %.17g\n", x, c, ra[c], rb[c]);
                ok = 0;
            }
    }
    return ok;
}

static void test_colormaps(void)
{
    const double (*v)[3] = vr_colormap_table("viridis");
    const double (*vr)[3] = vr_colormap_table("viridis_r");
    CHECK(v && vr, "viridis missing");
    CHECK(v[0][0] == 0.267004 && v[0][1] == 0.004874 && v[0][2] == 0.329415, "viridis[0]");
    CHECK(v[255][0] == 0.993248 && v[255][1] == 0.906157 && v[255][2] == 0.143936,
          "viridis[255]");
    for (int k = 0; k < 256; k++)
        CHECK(vr[k][0] == v[255 - k][0] && vr[k][2] == v[255 - k][2], "viridis_r[%d]", k);
    CHECK(vr_colormap_table("virdis") == NULL, "unknown map");
    CHECK(vr_colormap_table("_r") == NULL && vr_colormap_table("") == NULL &&
              vr_colormap_table(NULL) == NULL && vr_colormap_table("viridis_r_r") == NULL,
          "odd names");
    /* gray: matplotlib's entry k is k / 255 (to the ulp) */
    const double (*g)[3] = vr_colormap_table("gray");
    CHECK(g && g[0][0] == 0.0 && g[255][0] == 1.0 && close_to(g[128][1], 128.0 / 255.0, 1e-15),
          "gray");
    /* Every name the list gives resolves, forward and reversed. */
    char names[512];
    snprintf(names, sizeof names, "%s", vr_colormap_names());
    *strstr(names, " (") = '\0';
    int count = 0;
    for (char *tok = strtok(names, ", "); tok; tok = strtok(NULL, ", ")) {
        char r[64];
        snprintf(r, sizeof r, "%s_r", tok);
        CHECK(vr_colormap_table(tok) && vr_colormap_table(r), "map %s", tok);
        CHECK(count < VR_NCOLORMAPS && strcmp(tok, VR_COLORMAPS[count].name) == 0,
              "listed map %d is %s", count, tok);
        count++;
    }
    CHECK(count == VR_NCOLORMAPS, "%d maps listed, %d generated", count, VR_NCOLORMAPS);
    /* matplotlib's bytes rule (viridis bytes as matplotlib gives them). */
    unsigned char rgb[3];
    vr_colormap_bytes(v, 0.0, rgb);
    CHECK(rgb[0] == 68 && rgb[1] == 1 && rgb[2] == 84, "x=0: %d %d %d", rgb[0], rgb[1], rgb[2]);
    vr_colormap_bytes(v, 1.0, rgb);
    CHECK(rgb[0] == 253 && rgb[1] == 231 && rgb[2] == 36, "x=1");
    vr_colormap_bytes(v, 7.0, rgb);
    CHECK(rgb[0] == 253 && rgb[1] == 231 && rgb[2] == 36, "x>1");
    vr_colormap_bytes(v, NAN, rgb);
    CHECK(rgb[0] == 68 && rgb[1] == 1 && rgb[2] == 84, "NaN -> lowest");
    vr_colormap_bytes(v, -INFINITY, rgb);
    CHECK(rgb[0] == 68 && rgb[1] == 1 && rgb[2] == 84, "-inf -> lowest");
    vr_colormap_bytes(v, 0.5, rgb); /* entry 128 */
    CHECK(rgb[0] == 32 && rgb[1] == 144 && rgb[2] == 140, /* matplotlib: viridis(0.5, bytes=True) */
          "x=0.5: %d %d %d", rgb[0], rgb[1], rgb[2]);
    vr_colormap_bytes(v, 0.5 - 1e-12, rgb); /* entry 127 */
    CHECK(rgb[1] == (unsigned char)(v[127][1] * 255.0), "x just below 0.5");
}

static void test_reference(void)
{
    VrTf tf, f;
    VrError e;
    CHECK(vr_tf_reference(&tf, &e) == VR_OK, "reference");
    CHECK(vr_tf_is_reference(&tf), "reference is reference");
    CHECK(load(REFERENCE_JSON, NULL, &f, &e) == VR_OK, "%s", e.msg);
    CHECK(vr_tf_is_reference(&f), "the reference's file is the reference");
    /* vr_tf_eval is the reference's exact function, bit for bit. */
    int same = 1;
    for (int i = 0; i < 20000; i++) {
        const double rho = exp(-8.0 + 20.0 * check_rand());
        double a[4], b[4];
        vr_tf_eval(&tf, rho, a);
        vr_transfer_eval(rho, b);
        for (int c = 0; c < 4; c++)
            same &= a[c] == b[c];
    }
    CHECK(same, "vr_tf_eval(reference) == vr_transfer_eval");
    double r[4];
    vr_tf_eval(&tf, 0.0, r);
    CHECK(r[0] == 0 && r[3] == 0, "rho 0 empty");
    vr_tf_eval(&tf, -1.0, r);
    CHECK(r[3] == 0, "rho < 0 empty");
    vr_tf_eval(&tf, NAN, r);
    CHECK(r[3] == 0, "NaN empty");
    vr_tf_eval(&tf, INFINITY, r);
    CHECK(r[3] == 0, "inf empty");
    vr_tf_eval(&tf, exp(3.0), r);
    CHECK(close_to(r[1], 1.0 * exp(-36.0) + 1.0 + 0.1 * exp(-72.0), 1e-15) &&
              close_to(r[3], 0.6 * exp(-36.0) + 0.1 + 0.01 * exp(-72.0), 1e-15),
          "eval at ln rho = 3");
    /* Background is applied at output: not part of the reference. */
    f.background[2] = 0.5;
    CHECK(vr_tf_is_reference(&f), "background keeps the reference");
    f.opacity_unit = 0.01;
    CHECK(!vr_tf_is_reference(&f), "opacity unit is not the reference");
    f.opacity_unit = 0.0;
    f.gauss[1].width2 = 0.1000000001;
    CHECK(!vr_tf_is_reference(&f), "changed width");
    f.gauss[1].width2 = 0.1;
    f.scale = VR_SCALE_LOG10;
    CHECK(!vr_tf_is_reference(&f), "log10 is not the reference");
    vr_tf_free(&f);
    /* Gaussians in another order are not the reference (order as given). */
    const char *swapped =
        "{\"gaussians\": [{\"centre\": 3, \"width2\": 0.1, \"rgba\": [0.1, 1, 0.1, 0.1]},"
        " {\"centre\": 9, \"width2\": 1.0, \"rgba\": [1, 1, 0.1, 0.6]},"
        " {\"centre\": -3, \"width2\": 0.5, \"rgba\": [0.1, 0.1, 1, 0.01]}]}";
    CHECK(load(swapped, NULL, &f, &e) == VR_OK && !vr_tf_is_reference(&f), "swapped");
    vr_tf_free(&f);
    char d[200];
    vr_tf_describe(&tf, d, sizeof d);
    CHECK(strcmp(d, "3 Gaussians in ln rho (the reference)") == 0, "%s", d);
    CHECK(strcmp(tf.source, "reference") == 0, "source");
    CHECK(!vr_tf_needs_range(&tf), "no range needed");
    vr_tf_free(&tf);
    CHECK(tf.gauss == NULL && tf.ngauss == 0, "free zeroes");
    vr_tf_free(&tf); /* a zeroed tf */
}

static void test_kinds(void)
{
    VrTf tf;
    VrError e;
    double r[4];
    /* gaussians, log10 */
    CHECK(load("{\"scale\": \"log10\", \"gaussians\": [{\"centre\": 1, \"width2\": 0.5, "
               "\"rgba\": [0.5, 0.25, 1, 0.8]}], \"opacity_unit\": 0.02, "
               "\"name\": \"n\", \"description\": \"d\"}", NULL, &tf, &e) == VR_OK, "%s", e.msg);
    vr_tf_eval(&tf, 100.0, r); /* x = 2: exp(-2) */
    CHECK(close_to(r[0], 0.5 * exp(-2.0), 1e-16) && close_to(r[3], 0.8 * exp(-2.0), 1e-16),
          "gaussian at x=2: %g %g", r[0], r[3]);
    CHECK(tf.opacity_unit == 0.02 && tf.scale == VR_SCALE_LOG10, "unit, scale");
    vr_tf_free(&tf);
    /* sums are clipped to [0, 1] */
    CHECK(load("{\"gaussians\": [{\"centre\": 0, \"width2\": 1, \"rgba\": [1, 1, 1, 1]},"
               " {\"centre\": 0.1, \"width2\": 1, \"rgba\": [1, 0, 1, 1]}]}", NULL, &tf, &e) ==
              VR_OK, "%s", e.msg);
    vr_tf_eval_x(&tf, 0.05, r);
    CHECK(r[0] == 1.0 && r[3] == 1.0 && close_to(r[1], exp(-0.0025), 1e-16), "clip");
    vr_tf_free(&tf);
    /* points, linear scale */
    CHECK(load("{\"scale\": \"linear\", \"points\": [[0, 0, 0, 0, 0], [2, 1, 0.5, 0, 1], "
               "[3, 0, 0, 1, 0.5]]}", NULL, &tf, &e) == VR_OK, "%s", e.msg);
    vr_tf_eval(&tf, 0.5, r);
    CHECK(r[0] == 0.25 && r[1] == 0.125 && r[2] == 0.0 && r[3] == 0.25, "points at 0.5");
    vr_tf_eval(&tf, 2.5, r);
    CHECK(r[0] == 0.5 && r[1] == 0.25 && r[2] == 0.5 && r[3] == 0.75, "points at 2.5");
    vr_tf_eval(&tf, -3.0, r);
    CHECK(r[0] == 0 && r[3] == 0, "below the first");
    vr_tf_eval(&tf, 30.0, r);
    CHECK(r[2] == 1.0 && r[3] == 0.5, "beyond the last");
    vr_tf_eval(&tf, 2.0, r);
    CHECK(r[0] == 1.0 && r[3] == 1.0, "at a point");
    vr_tf_eval(&tf, -0.0, r); /* linear: rho <= 0 is a value */
    CHECK(r[3] == 0.0, "linear 0");
    char d[200];
    vr_tf_describe(&tf, d, sizeof d);
    CHECK(strcmp(d, "3 control points in rho over [0, 3]") == 0, "%s", d);
    vr_tf_free(&tf);
    /* colormap: viridis over [0, 255] so that x is the entry index */
    CHECK(load("{\"colormap\": \"viridis\", \"range\": [0, 255], \"opacity\": [[0, 0], [1, 1]]}",
               NULL, &tf, &e) == VR_OK, "%s", e.msg);
    const double (*v)[3] = vr_colormap_table("viridis");
    vr_tf_eval_x(&tf, 10.25, r);
    CHECK(close_to(r[0], 0.75 * v[10][0] + 0.25 * v[11][0], 1e-15) &&
              close_to(r[2], 0.75 * v[10][2] + 0.25 * v[11][2], 1e-15) &&
              close_to(r[3], 10.25 / 255.0, 1e-15),
          "viridis at 10.25");
    vr_tf_eval_x(&tf, 255.0, r);
    CHECK(r[0] == v[255][0] && r[3] == 1.0, "top");
    vr_tf_eval_x(&tf, -4.0, r);
    CHECK(r[1] == v[0][1] && r[3] == 0.0, "clamped below");
    CHECK(!vr_tf_needs_range(&tf) && tf.range_resolved, "given range");
    vr_tf_free(&tf);
    /* colormap defaults: ln, auto, the default opacity */
    CHECK(load("{\"colormap\": \"magma_r\"}", NULL, &tf, &e) == VR_OK, "%s", e.msg);
    CHECK(tf.scale == VR_SCALE_LN && tf.range_mode == VR_RANGE_AUTO && vr_tf_needs_range(&tf),
          "defaults");
    VrTf o;
    CHECK(vr_tf_from_options(&o, "magma_r", NULL, NULL, VR_TF_DEFAULT_OPACITY, &e) == VR_OK,
          "%s", e.msg);
    CHECK(tf.nopacity == o.nopacity && tf.nopacity >= 2, "default opacity");
    for (int i = 0; i < tf.nopacity && i < o.nopacity; i++)
        CHECK(tf.opacity[i].t == o.opacity[i].t && tf.opacity[i].a == o.opacity[i].a, "op %d", i);
    CHECK(tf.colors[0].rgba[0] == vr_colormap_table("magma")[255][0], "reversed");
    CHECK(vr_tf_resolve_range(&tf, -2.0, 6.0, "cube.h5 /density", &e) == VR_OK, "%s", e.msg);
    CHECK(tf.range[0] == -2.0 && tf.range[1] == 6.0 && !vr_tf_needs_range(&tf), "resolved");
    vr_tf_describe(&tf, d, sizeof d);
    char want[200];
    snprintf(want, sizeof want, "colormap magma_r over ln rho in [-2, 6] (auto), %d opacity points",
             o.nopacity);
    CHECK(strcmp(d, want) == 0, "%s", d);
    vr_tf_free(&tf);
    vr_tf_free(&o);
    /* explicit colours, opacity with VTK's shape, percentiles, background */
    CHECK(load("{\"colormap\": \"mine\", \"colors\": [[0, 0, 0, 0], [0.25, 1, 0, 0], [1, 1, 1, 1]],"
               " \"opacity\": [[0.2, 0.2, 0.3, 0.2], [0.4, 0.6]], \"range\": {\"percentiles\": "
               "[1, 99.5]}, \"background\": [0.1, 0.2, 0.3]}", NULL, &tf, &e) == VR_OK, "%s", e.msg);
    CHECK(tf.range_mode == VR_RANGE_PERCENTILES && tf.percentiles[0] == 1.0 &&
              tf.percentiles[1] == 99.5 && tf.background[2] == 0.3, "fields");
    CHECK(tf.nopacity == 4 && tf.opacity[0].t == 0.0 && tf.opacity[0].a == 0.2 &&
              tf.opacity[3].t == 1.0 && tf.opacity[3].a == 0.6, "extended ends");
    CHECK(vr_tf_resolve_range(&tf, 0.0, 10.0, "x", &e) == VR_OK, "resolve");
    vr_tf_eval_x(&tf, 1.25, r); /* t = 0.125: half way to the second colour */
    CHECK(r[0] == 0.5 && r[1] == 0.0, "uneven colours %g", r[0]);
    vr_tf_eval_x(&tf, 2.0 + 0.15 * 2.0, r); /* s = 0.15 in the shaped segment */
    CHECK(close_to(r[3], 0.2208984375, 1e-15), "VTK Hermite %.17g", r[3]);
    vr_tf_eval_x(&tf, 2.0 + 0.3 * 2.0, r); /* at the midpoint: half way */
    CHECK(close_to(r[3], 0.4, 1e-15), "VTK midpoint %.17g", r[3]);
    vr_tf_eval_x(&tf, 5.0, r);
    CHECK(r[3] == 0.6, "flat end");
    vr_tf_free(&tf);
}

static const char *PRESETS =
    "[{\"Name\": \"Shaped\", \"ColorSpace\": \"RGB\", \"Creator\": \"me\", \"DefaultMap\": true,"
    "  \"License\": \"CC0\", \"Annotations\": [\"a\", \"b\"], \"NanColor\": [1, 1, 0],"
    "  \"RGBPoints\": [-1, 0, 0, 0,  0, 1, 0, 0,  3, 1, 1, 1],"
    "  \"Points\": [-1, 0, 0.25, 0,  0, 1, 0.5, 0.5,  1, 0, 0.5, 1,  3, 1, 0.5, 0]},"
    " {\"Name\": \"Log\", \"ColorSpace\": \"RGB\", \"UseLogScale\": true,"
    "  \"RGBPoints\": [0.01, 0, 0, 0,  1, 0.5, 0.5, 0.5,  100, 1, 1, 1]},"
    " {\"Name\": \"Lab one\", \"ColorSpace\": \"Lab\", \"RGBPoints\": [0, 0, 0, 0, 1, 1, 1, 1]}]";

static void test_presets(void)
{
    VrTf tf;
    VrError e;
    double r[4];
    CHECK(load(PRESETS, NULL, &tf, &e) == VR_OK, "%s", e.msg); /* the first */
    CHECK(tf.kind == VR_TF_COLORMAP && strcmp(tf.colormap, "Shaped") == 0 &&
              tf.scale == VR_SCALE_LN && tf.range_mode == VR_RANGE_AUTO && vr_tf_needs_range(&tf),
          "preset fields");
    CHECK(tf.ncolors == 3 && tf.colors[1].x == 0.25 && tf.colors[2].x == 1.0, "rescaled colours");
    CHECK(tf.nan_color[0] == 1 && tf.nan_color[2] == 0, "NanColor");
    CHECK(strcmp(tf.source, "t.json") == 0, "source %s", tf.source);
    /* stretched over the data's range [0, 8]: the preset's x = -1..3 is t */
    CHECK(vr_tf_resolve_range(&tf, 0.0, 8.0, "d", &e) == VR_OK, "resolve");
    /* t 0..0.25 midpoint 0.25 sharpness 0: linear on each side of the
     * midpoint: s = 0.125 -> 0.25, s = 0.625 -> 0.75. */
    vr_tf_eval_x(&tf, 8.0 * 0.25 * 0.125, r);
    CHECK(close_to(r[3], 0.25, 1e-15), "midpoint 0.25, s 0.125: %.17g", r[3]);
    vr_tf_eval_x(&tf, 8.0 * 0.25 * 0.625, r);
    CHECK(close_to(r[3], 0.75, 1e-15), "midpoint 0.25, s 0.625: %.17g", r[3]);
    CHECK(close_to(r[0], 0.625, 1e-15) && r[1] == 0.0, "colour linear");
    /* t 0.25..0.5 (1 -> 0) sharpness 0.5: s = 0.25 -> 1 - 0.003997325897216797,
     * s = 0.75 -> 1 - 0.9960026741027832 */
    vr_tf_eval_x(&tf, 8.0 * (0.25 + 0.25 * 0.25), r);
    CHECK(close_to(r[3], 1.0 - 0.003997325897216797, 1e-15), "sharpness 0.5: %.17g", r[3]);
    vr_tf_eval_x(&tf, 8.0 * (0.25 + 0.25 * 0.75), r);
    CHECK(close_to(r[3], 1.0 - 0.9960026741027832, 1e-15), "sharpness 0.5 (2): %.17g", r[3]);
    /* t 0.5..1 (0 -> 1) sharpness 1: a step at the midpoint */
    vr_tf_eval_x(&tf, 8.0 * (0.5 + 0.5 * 0.49), r);
    CHECK(r[3] == 0.0, "step below");
    vr_tf_eval_x(&tf, 8.0 * (0.5 + 0.5 * 0.5), r);
    CHECK(r[3] == 1.0, "step at");
    vr_tf_free(&tf);
    /* By name; UseLogScale: log10 and points rescaled in log10 x */
    CHECK(load(PRESETS, "Log", &tf, &e) == VR_OK, "%s", e.msg);
    CHECK(tf.scale == VR_SCALE_LOG10 && tf.colors[1].x == 0.5, "log preset");
    CHECK(strcmp(tf.source, "t.json:Log") == 0, "source %s", tf.source);
    /* no Points: the default opacity */
    VrOpacityPoint *dp = NULL;
    int ndp = 0;
    CHECK(vr_tf_parse_opacity(VR_TF_DEFAULT_OPACITY, "x", &dp, &ndp, &e) == VR_OK, "default");
    CHECK(tf.nopacity == ndp && ndp >= 2, "default op");
    for (int i = 0; i < ndp && i < tf.nopacity; i++)
        CHECK(tf.opacity[i].t == dp[i].t && tf.opacity[i].a == dp[i].a, "default op %d", i);
    free(dp);
    vr_tf_free(&tf);
    /* apply_options: scale, range, unit, background */
    CHECK(load(PRESETS, "Shaped", &tf, &e) == VR_OK, "%s", e.msg);
    const double bg[3] = {0.1, 0.2, 0.3};
    CHECK(vr_tf_apply_options(&tf, "log10", "-3.5:12", 0.05, bg, &e) == VR_OK, "%s", e.msg);
    CHECK(tf.scale == VR_SCALE_LOG10 && tf.range_mode == VR_RANGE_GIVEN && tf.range[0] == -3.5 &&
              tf.range[1] == 12.0 && tf.range_resolved && tf.opacity_unit == 0.05 &&
              tf.background[1] == 0.2, "applied");
    CHECK(vr_tf_apply_options(&tf, NULL, "p1:p99", -1.0, NULL, &e) == VR_OK, "%s", e.msg);
    CHECK(tf.range_mode == VR_RANGE_PERCENTILES && vr_tf_needs_range(&tf) &&
              tf.opacity_unit == 0.05 && tf.scale == VR_SCALE_LOG10, "applied 2");
    vr_tf_free(&tf);
    CHECK(vr_tf_reference(&tf, &e) == VR_OK, "ref");
    CHECK(vr_tf_apply_options(&tf, NULL, "auto", -1.0, NULL, &e) == VR_ERR_USAGE &&
              strcmp(e.msg, "option --range: the transfer function of reference is a sum of "
                            "Gaussians, which has no range; --range applies to colour maps") == 0,
          "%s", e.msg);
    CHECK(vr_tf_apply_options(&tf, "ln", NULL, 0.0, NULL, &e) == VR_OK && vr_tf_is_reference(&tf),
          "unit 0 keeps the reference");
    vr_tf_free(&tf);
}

static void test_bad_files(void)
{
    const int IN = VR_ERR_INPUT;
    BAD("{\"gaussians\": [", NULL, IN,
        "t.json: not valid JSON: line 1, column 15: ']' expected near end of file");
    BAD("{\"a\": 1, \"a\": 2}", NULL, IN,
        "t.json: not valid JSON: line 1, column 12: duplicate object key near '\"a\"'");
    BAD("{\"gaussians\": [{\"centre\": 1e999, \"width2\": 1, \"rgba\": [1, 1, 1, 1]}]}", NULL, IN,
        "t.json: not valid JSON: line 1, column 31: real number overflow near '1e999'");
    BAD("{\"colormap\": NaN}", NULL, IN,
        "t.json: not valid JSON: line 1, column 16: invalid token near 'NaN'");
    BAD("{\"x\": 1}", NULL, IN,
        "t.json: unknown key 'x' (accepted: scale, gaussians, points, colormap, colors, opacity, "
        "range, opacity_unit, background, name, description)");
    BAD("{\"x\\u0001y\": 1}", NULL, IN,
        "t.json: unknown key 'x\\x01y' (accepted: scale, gaussians, points, colormap, colors, "
        "opacity, range, opacity_unit, background, name, description)");
    BAD("{}", NULL, IN, "t.json: no transfer function (give one of gaussians, points or colormap)");
    BAD("{\"name\": \"x\"}", NULL, IN,
        "t.json: no transfer function (give one of gaussians, points or colormap)");
    BAD("{\"points\": [], \"colormap\": \"gray\"}", NULL, IN,
        "t.json: points and colormap both given (give exactly one of gaussians, points or "
        "colormap)");
    BAD("{\"gaussians\": [], \"points\": []}", NULL, IN,
        "t.json: gaussians and points both given (give exactly one of gaussians, points or "
        "colormap)");
    BAD("{\"gaussians\": []}", NULL, IN,
        "t.json: gaussians is empty (accepted: a list of {\"centre\": c, \"width2\": w, \"rgba\": "
        "[r, g, b, a]}, 1 to 65536 of them)");
    BAD("{\"gaussians\": {}}", NULL, IN,
        "t.json: gaussians is an object (accepted: a list of {\"centre\": c, \"width2\": w, "
        "\"rgba\": [r, g, b, a]}, 1 to 65536 of them)");
    BAD("{\"gaussians\": [{\"centre\": 9, \"width2\": 1, \"rgba\": [1, 1, 0.1, 0.6]}, {\"centre\": 3, "
        "\"width2\": 0.1, \"rgba\": [0.1, 1, 0.1, 0.1]}, {\"centre\": 1, \"width2\": -1, \"rgba\": "
        "[1, 1, 1, 1]}]}", NULL, IN,
        "t.json: gaussians[2].width2 is -1 (accepted: a number > 0)");
    BAD("{\"gaussians\": [{\"centre\": 1, \"width2\": 0, \"rgba\": [1, 1, 1, 1]}]}", NULL, IN,
        "t.json: gaussians[0].width2 is 0 (accepted: a number > 0)");
    BAD("{\"gaussians\": [{\"centre\": \"9\", \"width2\": 1, \"rgba\": [1, 1, 1, 1]}]}", NULL, IN,
        "t.json: gaussians[0].centre is a string (accepted: a number)");
    BAD("{\"gaussians\": [{\"centre\": 9, \"width2\": 1, \"rgba\": [1, 1, 1, 1], \"w\": 2}]}", NULL,
        IN, "t.json: unknown key gaussians[0].w (accepted: centre, width2, rgba)");
    BAD("{\"gaussians\": [{\"centre\": 9, \"rgba\": [1, 1, 1, 1]}]}", NULL, IN,
        "t.json: gaussians[0] has no width2 (accepted: {\"centre\": c, \"width2\": w, \"rgba\": "
        "[r, g, b, a]})");
    BAD("{\"gaussians\": [7]}", NULL, IN,
        "t.json: gaussians[0] is a number (accepted: {\"centre\": c, \"width2\": w, \"rgba\": "
        "[r, g, b, a]})");
    BAD("{\"gaussians\": [{\"centre\": 9, \"width2\": 1, \"rgba\": [1, 1, 1.5, 1]}]}", NULL, IN,
        "t.json: gaussians[0].rgba[2] is 1.5 (accepted: 0 to 1)");
    BAD("{\"gaussians\": [{\"centre\": 9, \"width2\": 1, \"rgba\": [1, 1, 1]}]}", NULL, IN,
        "t.json: gaussians[0].rgba has 3 numbers (accepted: [r, g, b, a], each 0 to 1)");
    BAD("{\"gaussians\": [{\"centre\": 9, \"width2\": 1, \"rgba\": [1, 1, null, 1]}]}", NULL, IN,
        "t.json: gaussians[0].rgba[2] is null (accepted: 0 to 1)");
    BAD("{\"gaussians\": [{\"centre\": 9, \"width2\": 1, \"rgba\": [1, 1, 1, -0.1]}]}", NULL, IN,
        "t.json: gaussians[0].rgba[3] is -0.1 (accepted: 0 to 1)");
    BAD("{\"gaussians\": [{\"centre\": 9, \"width2\": 1, \"rgba\": [1, 1, 1, 1]}], \"opacity\": "
        "[[0, 0], [1, 1]]}", NULL, IN,
        "t.json: opacity is for the colormap kind only (this file gives gaussians)");
    BAD("{\"points\": [[0, 0, 0, 0, 0], [1, 1, 1, 1, 1]], \"range\": [0, 1]}", NULL, IN,
        "t.json: range is for the colormap kind only (this file gives points)");
    BAD("{\"points\": [[0, 0, 0, 0, 0]]}", NULL, IN,
        "t.json: points has 1 entries (accepted: a list of [x, r, g, b, a] in increasing x, 2 to "
        "65536 of them)");
    BAD("{\"points\": [[0, 0, 0, 0, 0], [0, 1, 1, 1, 1]]}", NULL, IN,
        "t.json: points[1][0] is 0, not above points[0][0] (x must increase)");
    BAD("{\"points\": [[0, 0, 0, 0, 0], [1, 1, 1, 1]]}", NULL, IN,
        "t.json: points[1] has 4 numbers (accepted: [x, r, g, b, a])");
    BAD("{\"points\": [[0, 0, 0, 0, 0], [1, 1, 2, 1, 1]]}", NULL, IN,
        "t.json: points[1][2] is 2 (accepted: 0 to 1)");
    BAD("{\"colormap\": \"virdis\"}", NULL, IN,
        "t.json: colormap is 'virdis', not a known colour map (accepted: viridis, magma, "
        "inferno, plasma, cividis, turbo, gray, bone, hot, coolwarm, RdBu, Blues, Greys, "
        "cubehelix (each also as NAME_r, reversed))");
    BAD("{\"colormap\": 3}", NULL, IN,
        "t.json: colormap is a number (accepted: a colour map name: viridis, magma, inferno, "
        "plasma, cividis, turbo, gray, bone, hot, coolwarm, RdBu, Blues, Greys, cubehelix (each "
        "also as NAME_r, reversed))");
    BAD("{\"colormap\": \"gray\", \"scale\": \"log\"}", NULL, IN,
        "t.json: scale is 'log' (accepted: \"ln\", \"log10\" or \"linear\")");
    BAD("{\"colormap\": \"gray\", \"range\": [3, 3]}", NULL, IN,
        "t.json: range is [3, 3], an empty range (accepted: [lo, hi] with lo < hi, \"auto\" or "
        "{\"percentiles\": [p, q]} with 0 <= p < q <= 100)");
    BAD("{\"colormap\": \"gray\", \"range\": [3]}", NULL, IN,
        "t.json: range has 1 numbers (accepted: [lo, hi] with lo < hi, \"auto\" or "
        "{\"percentiles\": [p, q]} with 0 <= p < q <= 100)");
    BAD("{\"colormap\": \"gray\", \"range\": \"all\"}", NULL, IN,
        "t.json: range is 'all' (accepted: [lo, hi] with lo < hi, \"auto\" or {\"percentiles\": "
        "[p, q]} with 0 <= p < q <= 100)");
    BAD("{\"colormap\": \"gray\", \"range\": {\"percentiles\": [50, 10]}}", NULL, IN,
        "t.json: range.percentiles is [50, 10] (accepted: [p, q] with p < q)");
    BAD("{\"colormap\": \"gray\", \"range\": {\"percentiles\": [1, 101]}}", NULL, IN,
        "t.json: range.percentiles[1] is 101 (accepted: 0 to 100)");
    BAD("{\"colormap\": \"gray\", \"range\": {\"p\": [1, 2]}}", NULL, IN,
        "t.json: unknown key range.p (accepted: percentiles)");
    BAD("{\"colormap\": \"gray\", \"opacity\": [[0.5, 0.1], [0.4, 0.2]]}", NULL, IN,
        "t.json: opacity[1][0] is 0.4, not above opacity[0][0] (t must increase)");
    BAD("{\"colormap\": \"gray\", \"opacity\": [[0.5, 0.1], [0.6, 0.2, 0.5]]}", NULL, IN,
        "t.json: opacity[1] has 3 numbers (accepted: [t, a] or [t, a, midpoint, sharpness])");
    BAD("{\"colormap\": \"gray\", \"opacity\": [[0.5, 0.1], [1.6, 0.2]]}", NULL, IN,
        "t.json: opacity[1][0] is 1.6 (accepted: 0 to 1)");
    BAD("{\"colormap\": \"gray\", \"opacity\": [[0.5, 0.1]]}", NULL, IN,
        "t.json: opacity has 1 entries (accepted: a list of [t, a] or [t, a, midpoint, "
        "sharpness] in increasing t, 2 to 65536 of them)");
    BAD("{\"colormap\": \"gray\", \"opacity_unit\": 0}", NULL, IN,
        "t.json: opacity_unit is 0 (accepted: a length > 0, in world units)");
    BAD("{\"colormap\": \"gray\", \"opacity_unit\": -2}", NULL, IN,
        "t.json: opacity_unit is -2 (accepted: a length > 0, in world units)");
    BAD("{\"colormap\": \"gray\", \"background\": [0, 0, 2]}", NULL, IN,
        "t.json: background[2] is 2 (accepted: 0 to 1)");
    BAD("{\"colormap\": \"gray\", \"name\": 5}", NULL, IN,
        "t.json: name is a number (accepted: a string)");
    BAD("{\"colors\": [[0, 0, 0, 0], [0.9, 1, 1, 1]]}", NULL, IN,
        "t.json: colors[1][0] is 0.9 (accepted: 1, the last t)");
    BAD("{\"colors\": [[0.1, 0, 0, 0], [1, 1, 1, 1]]}", NULL, IN,
        "t.json: colors[0][0] is 0.1 (accepted: 0, the first t)");
    BAD("[1, 2]", "x", IN,
        "t.json: no preset named 'x' (presets in the file: '', '')");
    BAD("\"x\"", NULL, IN,
        "t.json: not valid JSON: line 1, column 3: '[' or '{' expected near '\"x\"'");
    BAD("{\"colormap\": \"gray\"}", "P", IN,
        "t.json: the file is one object (the project's format), not a list of ParaView presets: "
        "there is no preset 'P' to choose");
    /* too many entries */
    {
        const int n = 65537;
        char *big = malloc((size_t)n * 24 + 64);
        size_t len = (size_t)sprintf(big, "{\"points\": [");
        for (int i = 0; i < n; i++)
            len += (size_t)sprintf(big + len, "%s[%d, 0, 0, 0, 0]", i ? ", " : "", i);
        sprintf(big + len, "]}");
        BAD(big, NULL, IN,
            "t.json: points has 65537 entries (accepted: a list of [x, r, g, b, a] in increasing "
            "x, 2 to 65536 of them)");
        free(big);
    }
    /* a long, odd file name is shown cut and escaped */
    {
        char name[300];
        memset(name, 'f', sizeof name);
        name[0] = '\t';
        name[299] = '\0';
        VrTf tf;
        VrError e;
        CHECK(vr_tf_load("{}", 2, name, NULL, &tf, &e) == IN, "long name");
        char want[400];
        snprintf(want, sizeof want, "\\x09%.*s...: no transfer function (give one of gaussians, "
                 "points or colormap)", 116, name + 1);
        CHECK(strcmp(e.msg, want) == 0, "\n  got  %s\n  want %s", e.msg, want);
    }
}

static void test_bad_presets(void)
{
    const int IN = VR_ERR_INPUT;
    BAD(PRESETS, "Nope", IN,
        "t.json: no preset named 'Nope' (presets in the file: 'Shaped', 'Log', 'Lab one')");
    BAD(PRESETS, "Lab one", IN, "t.json: preset 'Lab one': ColorSpace 'Lab' is not supported "
                                "(accepted: RGB)");
    BAD("[]", NULL, IN, "t.json: the file is an empty list (accepted: a list of ParaView presets, "
                        "or an object in the project's format)");
    BAD("[3]", NULL, IN, "t.json: [0] is a number (accepted: a ParaView preset, an object)");
    BAD("[{\"Name\": \"A\", \"ColorSpace\": \"Diverging\", \"RGBPoints\": [0, 0, 0, 0, 1, 1, 1, 1]}]",
        NULL, IN, "t.json: preset 'A': ColorSpace 'Diverging' is not supported (accepted: RGB)");
    BAD("[{\"Name\": \"A\", \"IndexedColors\": [1, 0, 0]}]", NULL, IN,
        "t.json: preset 'A': RGBPoints is missing (accepted: a preset with RGBPoints, x, r, g, b "
        "quadruples; indexed-colour presets are not supported)");
    BAD("[{\"Name\": \"A\", \"RGBPoints\": [0, 0, 0, 0, 1, 1, 1]}]", NULL, IN,
        "t.json: preset 'A': RGBPoints has 7 numbers (accepted: a flat list of x, r, g, b "
        "quadruples, 2 to 65536 of them)");
    BAD("[{\"Name\": \"A\", \"RGBPoints\": [0, 0, 0, 0]}]", NULL, IN,
        "t.json: preset 'A': RGBPoints has 4 numbers (accepted: a flat list of x, r, g, b "
        "quadruples, 2 to 65536 of them)");
    BAD("[{\"Name\": \"A\", \"RGBPoints\": []}]", NULL, IN,
        "t.json: preset 'A': RGBPoints is empty (accepted: a flat list of x, r, g, b "
        "quadruples, 2 to 65536 of them)");
    BAD("[{\"Name\": \"A\", \"RGBPoints\": [0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0]}]", NULL, IN,
        "t.json: preset 'A': RGBPoints[8] is 1, not above RGBPoints[4] (x must increase)");
    BAD("[{\"Name\": \"A\", \"RGBPoints\": [0, 0, 0, 0, 1, 1, 1, 1.2]}]", NULL, IN,
        "t.json: preset 'A': RGBPoints[7] is 1.2 (accepted: 0 to 1)");
    BAD("[{\"Name\": \"A\", \"UseLogScale\": true, \"RGBPoints\": [0, 0, 0, 0, 1, 1, 1, 1]}]", NULL,
        IN, "t.json: preset 'A': RGBPoints[0] is 0 (accepted: x > 0, as UseLogScale is true)");
    BAD("[{\"Name\": \"A\", \"UseLogScale\": 1, \"RGBPoints\": [0, 0, 0, 0, 1, 1, 1, 1]}]", NULL,
        IN, "t.json: preset 'A': UseLogScale is a number (accepted: true or false)");
    BAD("[{\"Name\": \"A\", \"RGBPoints\": [0, 0, 0, 0, 1, 1, 1, 1], \"Points\": [0, 0, 0.5, 0, 2, "
        "1, 0.5, 0]}]", NULL, IN,
        "t.json: preset 'A': Points[4] is 2 (accepted: within the RGBPoints range, 0 to 1)");
    BAD("[{\"Name\": \"A\", \"RGBPoints\": [0, 0, 0, 0, 1, 1, 1, 1], \"Points\": [0, 0, 0.5, 0, 1, "
        "1, 0.5, 1.5]}]", NULL, IN,
        "t.json: preset 'A': Points[7] is 1.5 (accepted: 0 to 1 (sharpness))");
    BAD("[{\"Name\": \"A\", \"RGBPoints\": [0, 0, 0, 0, 1, 1, 1, 1], \"Points\": [0, 0, 0.5, 0, 0, "
        "1, 0.5, 0]}]", NULL, IN,
        "t.json: preset 'A': Points[4] is 0, not above Points[0] (x must increase)");
    BAD("[{\"Name\": \"A\", \"RGBPoints\": [0, 0, 0, 0, 1, 1, 1, 1], \"NanColor\": [1, 1]}]", NULL,
        IN, "t.json: preset 'A': NanColor has 2 numbers (accepted: [r, g, b], each 0 to 1)");
    BAD("[{\"Name\": \"A\", \"RGBPoints\": [0, 0, 0, 0, 1, 1, 1, 1], \"Scale\": \"log\"}]", NULL,
        IN, "t.json: preset 'A': Scale is 'log' (accepted: \"ln\", \"log10\" or \"linear\")");
    BAD("[{\"Name\": \"A\", \"RGBPoints\": [1, 0, 0, 0, 2, 1, 1, 1], \"Scale\": \"ln\", "
        "\"UseLogScale\": true}]", NULL, IN,
        "t.json: preset 'A': Scale is 'ln' but UseLogScale is true (accepted: \"log10\", or "
        "UseLogScale false)");
    /* many presets: the list is shortened */
    {
        char big[4096];
        size_t n = (size_t)sprintf(big, "[");
        for (int i = 0; i < 14; i++)
            n += (size_t)sprintf(big + n, "%s{\"Name\": \"P%d\", \"RGBPoints\": [0,0,0,0,1,1,1,1]}",
                                 i ? ", " : "", i);
        sprintf(big + n, "]");
        BAD(big, "Q", IN,
            "t.json: no preset named 'Q' (presets in the file: 'P0', 'P1', 'P2', 'P3', 'P4', "
            "'P5', 'P6', 'P7', 'P8', 'P9', ... (14 in all))");
        VrTf tf;
        VrError e;
        CHECK(load(big, "P13", &tf, &e) == VR_OK && strcmp(tf.colormap, "P13") == 0, "P13");
        vr_tf_free(&tf);
    }
}

/* vr_tf_from_options must fail with exactly msg (VR_ERR_USAGE). */
#define BAD_OPT(cm, scale, range, op, want_)                                        \
    do {                                                                          \
        VrTf tf_;                                                                 \
        VrError e_ = {{0}};                                                       \
        const int rc_ = vr_tf_from_options(&tf_, (cm), (scale), (range), (op), &e_); \
        CHECK(rc_ == VR_ERR_USAGE, "rc %d", rc_);                                 \
        CHECK(strcmp(e_.msg, (want_)) == 0, "\n  got  %s\n  want %s", e_.msg, (want_)); \
        CHECK(tf_.colors == NULL && tf_.opacity == NULL, "not freed");            \
    } while (0)

static void test_options(void)
{
    VrTf tf;
    VrError e;
    double r[4];
    CHECK(vr_tf_from_options(&tf, "cividis", "log10", "1e-3:2", "ramp:0.5", &e) == VR_OK, "%s",
          e.msg);
    CHECK(tf.scale == VR_SCALE_LOG10 && tf.range_mode == VR_RANGE_GIVEN && tf.range[0] == 1e-3 &&
              tf.range[1] == 2.0 && tf.range_resolved && tf.nopacity == 2 &&
              tf.opacity[1].a == 0.5 && tf.opacity[0].a == 0.0, "options");
    CHECK(strcmp(tf.source, "--colormap cividis") == 0, "%s", tf.source);
    vr_tf_eval(&tf, pow(10.0, 1.0005), r); /* t = 0.5 */
    CHECK(close_to(r[3], 0.25, 1e-12), "ramp at 0.5: %.17g", r[3]);
    vr_tf_free(&tf);
    CHECK(vr_tf_from_options(&tf, "gray_r", NULL, "p0.5:p99.5", "flat:0.03", &e) == VR_OK, "%s",
          e.msg);
    CHECK(tf.scale == VR_SCALE_LN && tf.range_mode == VR_RANGE_PERCENTILES &&
              tf.percentiles[0] == 0.5 && tf.percentiles[1] == 99.5 && vr_tf_needs_range(&tf) &&
              tf.opacity[0].a == 0.03 && tf.opacity[1].a == 0.03, "percentiles, flat");
    VrError e2;
    CHECK(vr_tf_resolve_range(&tf, 1.5, 1.5, "cube.h5:/density", &e2) == VR_ERR_INPUT &&
              strcmp(e2.msg, "cube.h5:/density: percentiles 0.5 and 99.5 of ln rho are both 1.5: "
                             "the range is empty; give wider percentiles or --range LO:HI") == 0,
          "%s", e2.msg);
    vr_tf_free(&tf);
    CHECK(vr_tf_from_options(&tf, "turbo", "linear", "-3.5:12", "0.2:0.1,0.5:0.3,0.9:0", &e) ==
              VR_OK, "%s", e.msg);
    CHECK(tf.nopacity == 5 && tf.opacity[0].t == 0 && tf.opacity[0].a == 0.1 &&
              tf.opacity[4].t == 1 && tf.opacity[4].a == 0.0 && tf.range[0] == -3.5, "points");
    vr_tf_eval(&tf, -3.5 + 15.5 * 0.35, r);
    CHECK(close_to(r[3], 0.2, 1e-12), "opacity between points %.17g", r[3]);
    vr_tf_free(&tf);
    CHECK(vr_tf_from_options(&tf, "viridis", NULL, NULL, NULL, &e) == VR_OK, "%s", e.msg);
    CHECK(tf.range_mode == VR_RANGE_AUTO && vr_tf_needs_range(&tf), "auto");
    CHECK(vr_tf_resolve_range(&tf, INFINITY, -INFINITY, "cube.h5:/density", &e2) == VR_ERR_INPUT &&
              strcmp(e2.msg, "cube.h5:/density: no voxel has a finite ln rho (the field is "
                             "empty): the colour map's range cannot be measured; give --range "
                             "LO:HI") == 0, "%s", e2.msg);
    CHECK(vr_tf_resolve_range(&tf, 2.0, 2.0, "cube.h5:/density", &e2) == VR_ERR_INPUT &&
              strcmp(e2.msg, "cube.h5:/density: ln rho is 2 in every non-empty voxel (the field "
                             "is constant): the colour map's range is empty; give --range "
                             "LO:HI") == 0, "%s", e2.msg);
    vr_tf_free(&tf);
    BAD_OPT("virdis", NULL, NULL, NULL,
            "option --colormap: unknown colour map 'virdis' (accepted: viridis, magma, inferno, "
            "plasma, cividis, turbo, gray, bone, hot, coolwarm, RdBu, Blues, Greys, cubehelix "
            "(each also as NAME_r, reversed))");
    BAD_OPT("gray", "log", NULL, NULL, "option --scale: unknown scale 'log' (accepted: ln, log10, "
                                       "linear)");
    BAD_OPT("gray", NULL, "x", NULL,
            "option --range: 'x' is not auto, LO:HI or pA:pB (e.g. p1:p99)");
    BAD_OPT("gray", NULL, "1:2:3", NULL,
            "option --range: '1:2:3' is not auto, LO:HI or pA:pB (e.g. p1:p99)");
    BAD_OPT("gray", NULL, "p1:99", NULL,
            "option --range: 'p1:99' is not auto, LO:HI or pA:pB (e.g. p1:p99)");
    BAD_OPT("gray", NULL, " 1:2", NULL,
            "option --range: ' 1:2' is not auto, LO:HI or pA:pB (e.g. p1:p99)");
    BAD_OPT("gray", NULL, "nan:2", NULL,
            "option --range: 'nan:2' is not auto, LO:HI or pA:pB (e.g. p1:p99)");
    BAD_OPT("gray", NULL, "1:inf", NULL,
            "option --range: '1:inf' is not auto, LO:HI or pA:pB (e.g. p1:p99)");
    BAD_OPT("gray", NULL, "5:5", NULL,
            "option --range: '5:5' is an empty range (LO must be below HI)");
    BAD_OPT("gray", NULL, "p99:p1", NULL,
            "option --range: 'p99:p1': the first percentile must be below the second");
    BAD_OPT("gray", NULL, "p1:p101", NULL, "option --range: percentile 'p101' is outside 0 to 100");
    BAD_OPT("gray", NULL, "p-1:p50", NULL, "option --range: percentile 'p-1' is outside 0 to 100");
    BAD_OPT("gray", NULL, NULL, "0.5",
            "option --opacity: '0.5' is not T:A,T:A,... (at least two points), ramp, ramp:AMAX or "
            "flat:A");
    BAD_OPT("gray", NULL, NULL, "0:0",
            "option --opacity: '0:0' is not T:A,T:A,... (at least two points), ramp, ramp:AMAX or "
            "flat:A");
    BAD_OPT("gray", NULL, NULL, "0:0,x",
            "option --opacity: point 2 'x' is not T:A (in '0:0,x'; accepted: T:A,T:A,... (at "
            "least two points), ramp, ramp:AMAX or flat:A)");
    BAD_OPT("gray", NULL, NULL, "0:0,1.5:1",
            "option --opacity: point 2 '1.5:1': t is outside 0 to 1");
    BAD_OPT("gray", NULL, NULL, "0:0,1:1.5",
            "option --opacity: point 2 '1:1.5': the opacity is outside 0 to 1");
    BAD_OPT("gray", NULL, NULL, "0.5:0,0.5:1",
            "option --opacity: point 2 '0.5:1': t is not above the previous point's 0.5 (t must "
            "increase)");
    BAD_OPT("gray", NULL, NULL, "ramp:2",
            "option --opacity: 'ramp:2': the opacity 2 is outside 0 to 1");
    BAD_OPT("gray", NULL, NULL, "ramp:",
            "option --opacity: 'ramp:' is not T:A,T:A,... (at least two points), ramp, ramp:AMAX "
            "or flat:A");
    BAD_OPT("gray", NULL, NULL, "flat",
            "option --opacity: 'flat' is not T:A,T:A,... (at least two points), ramp, ramp:AMAX "
            "or flat:A");
    BAD_OPT("gray", NULL, NULL, "0:0,\n1:1",
            "option --opacity: point 2 '\\x0a1:1' is not T:A (in '0:0,\\x0a1:1'; accepted: "
            "T:A,T:A,... (at least two points), ramp, ramp:AMAX or flat:A)");
    /* ramp alone: 0 -> 1 */
    CHECK(vr_tf_from_options(&tf, "hot", NULL, "0:1", "ramp", &e) == VR_OK && tf.opacity[1].a == 1.0,
          "ramp");
    vr_tf_free(&tf);
    /* parse_scale / parse_range directly, with another option's name */
    VrScale s;
    VrRangeMode m;
    double rg[2], pc[2];
    CHECK(vr_tf_parse_scale("linear", "--projection-scale", &s, &e) == VR_OK &&
              s == VR_SCALE_LINEAR, "scale");
    CHECK(vr_tf_parse_range("x", "--projection-range", &m, rg, pc, &e) == VR_ERR_USAGE &&
              strcmp(e.msg, "option --projection-range: 'x' is not auto, LO:HI or pA:pB (e.g. "
                            "p1:p99)") == 0, "%s", e.msg);
    CHECK(vr_tf_parse_range("-1e-3:4.5", "--range", &m, rg, pc, &e) == VR_OK && m == VR_RANGE_GIVEN &&
              rg[0] == -1e-3 && rg[1] == 4.5, "range");
    CHECK(strcmp(vr_scale_name(VR_SCALE_LN), "ln") == 0 &&
              strcmp(vr_scale_name(VR_SCALE_LOG10), "log10") == 0 &&
              strcmp(vr_scale_name(VR_SCALE_LINEAR), "linear") == 0, "names");
    double x = 0;
    CHECK(vr_tf_scaled(VR_SCALE_LOG10, 1000.0, &x) && x == 3.0, "log10");
    CHECK(!vr_tf_scaled(VR_SCALE_LN, 0.0, &x) && !vr_tf_scaled(VR_SCALE_LINEAR, NAN, &x) &&
              vr_tf_scaled(VR_SCALE_LINEAR, -2.0, &x) && x == -2.0, "scaled");
    /* apply_options errors */
    CHECK(vr_tf_from_options(&tf, "hot", NULL, NULL, NULL, &e) == VR_OK, "hot");
    const double badbg[3] = {0, 1.5, 0};
    CHECK(vr_tf_apply_options(&tf, NULL, NULL, -1.0, badbg, &e) == VR_ERR_USAGE &&
              strcmp(e.msg, "option --background: component 2 (1.5) is outside 0 to 1") == 0,
          "%s", e.msg);
    CHECK(vr_tf_apply_options(&tf, "lin", NULL, -1.0, NULL, &e) == VR_ERR_USAGE &&
              strcmp(e.msg, "option --scale: unknown scale 'lin' (accepted: ln, log10, linear)") ==
                  0, "%s", e.msg);
    CHECK(vr_tf_apply_options(&tf, NULL, "2:1", -1.0, NULL, &e) == VR_ERR_USAGE &&
              strcmp(e.msg, "option --range: '2:1' is an empty range (LO must be below HI)") == 0,
          "%s", e.msg);
    CHECK(tf.range_mode == VR_RANGE_AUTO, "unchanged after a failure");
    vr_tf_free(&tf);
}

/* to_json -> load gives the same parameters, hence the same function. */
static void round_trip_json(const VrTf *tf, double lo, double hi)
{
    char *j = vr_tf_to_json(tf);
    CHECK(j != NULL, "to_json");
    if (!j)
        return;
    CHECK(!strchr(j, '\n'), "one line");
    VrTf back;
    VrError e;
    const int rc = load(j, NULL, &back, &e);
    CHECK(rc == VR_OK, "%s\n  in %s", e.msg, j);
    if (rc == VR_OK) {
        CHECK(back.kind == tf->kind && back.scale == tf->scale &&
                  back.opacity_unit == tf->opacity_unit &&
                  back.background[0] == tf->background[0], "fields after to_json");
        CHECK(same_eval(tf, &back, lo, hi, 0.0, 5000), "eval after to_json -> load (exact)");
        CHECK(vr_tf_is_reference(tf) == vr_tf_is_reference(&back), "reference kept");
        vr_tf_free(&back);
    }
    free(j);
}

/* export -> load (preset) + --range DataRange gives the same function. */
static void round_trip_export(const VrTf *tf, double lo, double hi, double tol)
{
    char path[] = "/tmp/test_tf_export_XXXXXX";
    const int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    close(fd);
    VrError e;
    CHECK(vr_tf_export(tf, path, &e) == VR_OK, "%s", e.msg);
    FILE *f = fopen(path, "rb");
    static char text[1 << 22];
    const size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = '\0';
    remove(path);
    VrTf back;
    int rc = vr_tf_load(text, n, path, NULL, &back, &e);
    CHECK(rc == VR_OK, "%s", e.msg);
    if (rc != VR_OK)
        return;
    CHECK(strstr(text, "\"ColorSpace\": \"RGB\"") && strstr(text, "\"UseLogScale\": false") &&
              strstr(text, "\"DataRange\""), "preset keys");
    /* the DataRange, as a command line would give it */
    const char *dr = strstr(text, "\"DataRange\": [");
    double a = 0, b = 0;
    CHECK(dr && sscanf(dr, "\"DataRange\": [%lf, %lf]", &a, &b) == 2, "DataRange");
    char range[100];
    snprintf(range, sizeof range, "%.17g:%.17g", a, b);
    CHECK(vr_tf_apply_options(&back, NULL, range, -1.0, NULL, &e) == VR_OK, "%s", e.msg);
    CHECK(back.scale == tf->scale, "scale kept");
    CHECK(same_eval(tf, &back, lo, hi, tol, 7919), "eval after export -> load");
    vr_tf_free(&back);
}

static void test_round_trips(void)
{
    VrTf tf;
    VrError e;
    CHECK(vr_tf_reference(&tf, &e) == VR_OK, "ref");
    round_trip_json(&tf, -10, 15);
    vr_tf_free(&tf);
    CHECK(load("{\"scale\": \"log10\", \"points\": [[-1, 0, 0, 0.3, 0], [0.3, 0.1, 0.3, 0.8, "
               "0.002], [2.5, 1, 1, 1, 0.8]], \"opacity_unit\": 0.01, \"background\": [0.1, 0, "
               "0]}", NULL, &tf, &e) == VR_OK, "%s", e.msg);
    round_trip_json(&tf, -3, 4);
    round_trip_export(&tf, -3, 4, 1e-12); /* the points themselves: exact to rounding */
    vr_tf_free(&tf);
    CHECK(vr_tf_from_options(&tf, "coolwarm", "linear", "p2:p98", "0:0,0.3:0.01,1:0.7", &e) == VR_OK,
          "%s", e.msg);
    round_trip_json(&tf, 0, 1); /* unresolved: percentiles kept */
    CHECK(vr_tf_resolve_range(&tf, -0.25, 3.75, "d", &e) == VR_OK, "resolve");
    round_trip_json(&tf, -1, 5);
    round_trip_export(&tf, -1, 5, 1e-12);
    vr_tf_free(&tf);
    CHECK(load(PRESETS, "Shaped", &tf, &e) == VR_OK, "%s", e.msg);
    CHECK(vr_tf_resolve_range(&tf, 1.0, 7.0, "d", &e) == VR_OK, "resolve");
    round_trip_json(&tf, 0, 8); /* uneven colours and shaped opacity as "colors" */
    round_trip_export(&tf, 0, 8, 1e-12);
    vr_tf_free(&tf);
    /* Gaussians: exported at 4081 nodes over [min c - 7 w, max c + 7 w];
     * equal at the nodes, linear between them (within 1e-3 here). */
    CHECK(vr_tf_reference(&tf, &e) == VR_OK, "ref");
    const double xa = -3.0 - 7.0 * sqrt(0.5), xb = 9.0 + 7.0;
    VrTf back;
    char path[] = "/tmp/test_tf_export_XXXXXX";
    const int fd = mkstemp(path);
    close(fd);
    CHECK(vr_tf_export(&tf, path, &e) == VR_OK, "%s", e.msg);
    FILE *f = fopen(path, "rb");
    static char text[1 << 22];
    const size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    remove(path);
    CHECK(strstr(text, "\"Name\": \"volrender_mpi gaussians (x = ln rho)\""), "name");
    CHECK(vr_tf_load(text, n, "exported.json", NULL, &back, &e) == VR_OK, "%s", e.msg);
    CHECK(back.ncolors == 4081 && back.nopacity == 4081, "%d nodes", back.ncolors);
    CHECK(vr_tf_resolve_range(&back, xa, xb, "d", &e) == VR_OK, "range");
    int nodes_ok = 1, between_ok = 1;
    for (int i = 0; i < 4081; i++) {
        const double x = i == 4080 ? xb : xa + (xb - xa) * ((double)i / 4080);
        double p[4], q[4];
        vr_tf_eval_x(&tf, x, p);
        vr_tf_eval_x(&back, x, q);
        for (int c = 0; c < 4; c++)
            nodes_ok &= close_to(p[c], q[c], 1e-12);
        vr_tf_eval_x(&tf, x + 0.5 * (xb - xa) / 4080, p);
        vr_tf_eval_x(&back, x + 0.5 * (xb - xa) / 4080, q);
        for (int c = 0; c < 4; c++)
            between_ok &= close_to(p[c], q[c], 1e-3);
    }
    CHECK(nodes_ok, "gaussians equal at the nodes");
    CHECK(between_ok, "gaussians close between the nodes");
    vr_tf_free(&back);
    vr_tf_free(&tf);
    /* export of an unresolved range is refused; a bad path is an I/O error */
    CHECK(vr_tf_from_options(&tf, "gray", NULL, NULL, NULL, &e) == VR_OK, "gray");
    CHECK(vr_tf_export(&tf, "/tmp/x.json", &e) == VR_ERR_INTERNAL, "unresolved");
    CHECK(vr_tf_resolve_range(&tf, 0, 1, "d", &e) == VR_OK, "resolve");
    CHECK(vr_tf_export(&tf, "/nonexistent-dir/x.json", &e) == VR_ERR_IO, "io");
    vr_tf_free(&tf);
}

static void test_examples(void)
{
    static const char *const FILES[] = {"reference.json", "gaussians.json", "points.json",
                                        "colormap.json", "physical_units.json",
                                        "paraview_presets.json"};
    for (size_t i = 0; i < sizeof FILES / sizeof *FILES; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", VR_EXAMPLES_DIR, FILES[i]);
        FILE *f = fopen(path, "rb");
        CHECK(f != NULL, "open %s", path);
        if (!f)
            continue;
        static char text[1 << 20];
        const size_t n = fread(text, 1, sizeof text, f);
        fclose(f);
        VrTf tf;
        VrError e;
        CHECK(vr_tf_load(text, n, FILES[i], NULL, &tf, &e) == VR_OK, "%s", e.msg);
        if (i == 0)
            CHECK(vr_tf_is_reference(&tf), "reference.json is the reference");
        else
            CHECK(!vr_tf_is_reference(&tf), "%s is not the reference", FILES[i]);
        if (i == 4) {
            const double shift = log(1e-27);
            for (int b = 0; b < 3; b++)
                CHECK(tf.gauss[b].centre == VR_TF_CENTRE[b] + shift &&
                          tf.gauss[b].width2 == VR_TF_WIDTH2[b], "physical units %d", b);
        }
        if (i == 5) {
            VrTf g;
            CHECK(vr_tf_load(text, n, FILES[i], "Grayscale log", &g, &e) == VR_OK &&
                      g.scale == VR_SCALE_LOG10, "%s", e.msg);
            vr_tf_free(&g);
            CHECK(vr_tf_load(text, n, FILES[i], "Black-Body (Lab, not supported)", &g, &e) ==
                      VR_ERR_INPUT, "Lab");
        }
        vr_tf_free(&tf);
    }
}

int main(void)
{
    test_colormaps();
    test_reference();
    test_kinds();
    test_presets();
    test_bad_files();
    test_bad_presets();
    test_options();
    test_round_trips();
    test_examples();
    return check_report("test_tf");
}
