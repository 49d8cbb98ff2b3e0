/* Decomposition and sample ownership: the owned intervals tile every axis,
 * the planes read cover interpolation, sizes never overflow; and, through
 * the real kernel on small in-memory cubes, every sample is composited by
 * exactly one rank and the ordered "over" of the partials equals the
 * one-rank image, for many shapes, rank counts, axes and angles. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vr/camera.h"
#include "vr/composite.h"
#include "vr/decomp.h"
#include "vr/render.h"

static void test_tiling(void)
{
    const int64_t ns[] = {2, 3, 5, 7, 16, 100, 257, 1000003};
    for (size_t t = 0; t < sizeof ns / sizeof ns[0]; t++)
        for (int P = 1; P <= 40; P++)
            for (int axis = 0; axis < 3; axis++) {
                int64_t dims[3] = {4, 4, 4};
                dims[axis] = ns[t];
                int64_t next = 0;
                for (int r = 0; r < P; r++) {
                    VrSlab s;
                    vr_decomp_slab(r, P, dims, axis, &s);
                    CHECK(s.own_lo == next, "n=%lld P=%d r=%d: gap or overlap",
                          (long long)ns[t], P, r);
                    CHECK(s.own_hi >= s.own_lo, "negative interval");
                    next = s.own_hi;
                    if (s.own_hi > s.own_lo) {
                        CHECK(s.read_lo <= s.own_lo && s.read_lo >= 0, "read_lo");
                        CHECK(s.read_hi >= s.own_hi && s.read_hi <= ns[t], "read_hi");
                        CHECK(s.read_hi - s.read_lo >= 2, "fewer than 2 planes read");
                        CHECK(s.read_hi == (s.own_hi < ns[t] ? s.own_hi + 1 : ns[t]),
                              "ghost plane missing");
                    } else {
                        CHECK(s.read_lo == s.read_hi, "empty slab reads planes");
                    }
                    /* Blocks differ by at most one plane. */
                    CHECK(s.own_hi - s.own_lo <= ns[t] / P + 1, "unbalanced");
                }
                CHECK(next == ns[t], "n=%lld P=%d: tiling ends at %lld", (long long)ns[t],
                      P, (long long)next);
            }
    /* Fractional indices: exactly one owner, including the last plane. */
    const int64_t dims[3] = {37, 4, 4};
    for (int P = 1; P <= 50; P++)
        for (int k = 0; k <= 3600; k++) {
            const double f = 36.0 * k / 3600.0;
            int owners = 0;
            for (int r = 0; r < P; r++) {
                VrSlab s;
                vr_decomp_slab(r, P, dims, 0, &s);
                owners += vr_decomp_owns(&s, f);
            }
            CHECK(owners == 1, "P=%d f=%g: %d owners", P, f, owners);
        }
}

static void test_overflow(void)
{
    int64_t out;
    CHECK(vr_mul3_i64(4096, 4096, 4096, &out) == 0 && out == 68719476736LL, "4096^3");
    CHECK(vr_mul3_i64(2048, 2048, 1024, &out) == 0 && out == (1LL << 32), "2^32");
    CHECK(vr_mul3_i64(INT64_MAX / 2, 2, 1, &out) == 0, "just fits");
    CHECK(vr_mul3_i64(INT64_MAX / 2 + 1, 2, 1, &out) != 0, "overflow detected");
    CHECK(vr_mul3_i64(3037000500LL, 3037000500LL, 2, &out) != 0, "overflow detected");
    CHECK(vr_mul_i64(-1, 2, &out) != 0, "negative refused");
    /* Slabs of a cube with more than 2^31 elements on one rank. */
    const int64_t dims[3] = {3000, 3000, 3000};
    VrSlab s;
    vr_decomp_slab(0, 2, dims, 0, &s);
    CHECK(s.own_hi == 1500 && s.read_hi == 1501, "big slab");
    CHECK((s.read_hi - s.read_lo) * dims[1] * dims[2] > (1LL << 31), "> 2^31 elements");
    vr_decomp_slab(1234567, 2000000, (const int64_t[3]){1LL << 40, 2, 2}, 0, &s);
    CHECK(s.own_lo == (int64_t)((double)(1LL << 40) * 1234567.0 / 2000000.0) ||
              llabs(s.own_lo - (int64_t)((double)(1LL << 40) * 1234567.0 / 2000000.0)) <= 1,
          "block start without overflow: %lld", (long long)s.own_lo);
}

/* A smooth positive field whose log spans the transfer function. */
static float field(int64_t i, int64_t j, int64_t k, const int64_t d[3])
{
    const double x = (double)i / (double)d[0], y = (double)j / (double)d[1],
                 z = (double)k / (double)d[2];
    const double L = 2.0 + 8.0 * sin(3.1 * x + 1.0) * cos(2.3 * y - 0.5) +
                     3.0 * sin(4.7 * z + 2.0 * x);
    return (float)exp(L);
}

/* The block of rank r of P, as vr_volume_read would hold it. */
static void make_volume(const int64_t dims[3], int axis, int r, int P, VrVolume *v)
{
    memset(v, 0, sizeof *v);
    memcpy(v->dims, dims, sizeof v->dims);
    vr_decomp_slab(r, P, dims, axis, &v->slab);
    vr_decomp_block(&v->slab, dims, v->start, v->count);
    const int64_t n = v->count[0] * v->count[1] * v->count[2];
    v->data = malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
    int64_t p = 0;
    for (int64_t i = 0; i < v->count[0]; i++)
        for (int64_t j = 0; j < v->count[1]; j++)
            for (int64_t k = 0; k < v->count[2]; k++)
                v->data[p++] = field(i + v->start[0], j + v->start[1], k + v->start[2], dims);
}

/* The views the kernels are checked with: the reference orbit, orbits
 * about y and z with a start and a span, an elevation, --fit with
 * H != W, and perspective lenses (one whose eye lies within the cube's
 * extent along every axis, so rays cross split planes from both sides). */
typedef struct {
    const char *name;
    int axis;
    double start, span, elevation, fov, width;
    int fit, wide;
} ViewCase;

static const ViewCase VIEW_CASES[] = {
    {"x orbit", 0, 0, 90, 0, 0, 0, 0, 0},
    {"y orbit", 1, 10, 360, 0, 0, 0, 0, 0},
    {"z orbit", 2, -30, 200, 0, 0, 0, 0, 1},
    {"x orbit, elevation 30", 0, 5, 360, 30, 0, 0, 0, 0},
    {"z orbit, elevation -50, fit", 2, 0, 360, -50, 0, 0, 1, 1},
    {"perspective 60 about y", 1, 20, 360, 15, 60, 0, 0, 0},
    {"perspective 100, eye near the cube", 0, 33, 360, 20, 100, 0, 0, 1},
};

/* Renders `view` of the cube over P ranks with kernel k, compositing in
 * vr_camera_rank_order's order; returns the samples, the image in acc. */
static int64_t render_over_ranks(const int64_t dims[3], int axis, int P, const VrView *view,
                                 VrKernel k, float *acc, float *part)
{
    const int64_t npix = (int64_t)view->H * view->W;
    int order[16];
    vr_camera_rank_order(view, dims, axis, P, order);
    int64_t total = 0;
    const VrTfTable ref = {.reference = 1, .scale = VR_SCALE_LN};
    /* Composite the partials back to front: order[P-1] first. */
    for (int i = P - 1; i >= 0; i--) {
        VrVolume v;
        VrRenderer *ren = NULL;
        make_volume(dims, axis, order[i], P, &v);
        CHECK(vr_renderer_create(&v, k, view, &ren, NULL) == VR_OK, "renderer");
        total += vr_render_view(ren, view, &ref, part);
        if (i == P - 1)
            memcpy(acc, part, (size_t)npix * 16);
        else
            vr_over(part, acc, acc, npix);
        vr_renderer_free(ren);
        free(v.data);
    }
    return total;
}

static void test_ownership_through_kernel(void)
{
    const int64_t shapes[][3] = {{12, 14, 13}, {9, 20, 7}, {16, 16, 16}, {5, 6, 40}};
    const int Ns[] = {10, 16, 12, 24};
    const int Ps[] = {1, 2, 3, 5, 8, 13};
    const int ncases = (int)(sizeof VIEW_CASES / sizeof VIEW_CASES[0]);
    for (int sh = 0; sh < 4; sh++) {
        const int N = Ns[sh];
        const int64_t npix = (int64_t)N * (N + 5); /* the widest image */
        float *one = malloc((size_t)npix * 16), *acc = malloc((size_t)npix * 16);
        float *part = malloc((size_t)npix * 16), *fast = malloc((size_t)npix * 16);
        for (int c = 0; c < ncases; c++)
            for (int axis = 0; axis < 3; axis++)
                for (int n = 0; n < 10; n += 3) {
                    const ViewCase *vc = &VIEW_CASES[c];
                    VrCameraConfig cc;
                    vr_camera_config_defaults(&cc);
                    cc.orbit_axis = vc->axis;
                    cc.orbit_start = vc->start;
                    cc.orbit_degrees = vc->span;
                    cc.elevation = vc->elevation;
                    cc.fov = vc->fov;
                    cc.fit = vc->fit;
                    const int H = N, W = vc->wide ? N + 5 : N;
                    VrView view;
                    vr_camera_orbit_frame(&cc, H, W, N + 3, 10, shapes[sh], n, &view);
                    if (view.lens == VR_LENS_PERSPECTIVE && !(view.dist > 0.5 * view.depth))
                        continue;
                    const VrKernel chosen = vr_render_choose_kernel(&view, shapes[sh]);
                    const int64_t np = (int64_t)H * W;
                    /* Every kernel that can render the view: the fast path
                     * where it applies, the general kernel always. */
                    for (int kk = 0; kk < 2; kk++) {
                        const VrKernel k = kk ? VR_KERNEL_GENERAL : VR_KERNEL_ORBIT_RESAMPLED;
                        if (k == VR_KERNEL_ORBIT_RESAMPLED && chosen != k)
                            continue;
                        int64_t total1 = 0;
                        for (size_t pi = 0; pi < sizeof Ps / sizeof Ps[0]; pi++) {
                            const int P = Ps[pi];
                            const int64_t total =
                                render_over_ranks(shapes[sh], axis, P, &view, k, acc, part);
                            if (P == 1) {
                                total1 = total;
                                memcpy(one, acc, (size_t)np * 16);
                                CHECK(total > 0, "%s: no samples", vc->name);
                                if (k == VR_KERNEL_ORBIT_RESAMPLED)
                                    memcpy(fast, acc, (size_t)np * 16);
                                else if (chosen == VR_KERNEL_ORBIT_RESAMPLED) {
                                    double d = 0.0;
                                    for (int64_t q = 0; q < np * 4; q++)
                                        d = fmax(d, fabs(acc[q] - fast[q]));
                                    CHECK(d < 1e-5, "%s shape %d frame %d: the kernels "
                                          "differ by %g", vc->name, sh, n, d);
                                }
                                continue;
                            }
                            CHECK(total == total1, "%s, %s, shape %d axis %d frame %d P=%d: "
                                  "%lld samples composited, %lld at P=1", vc->name,
                                  vr_kernel_name(k), sh, axis, n, P, (long long)total,
                                  (long long)total1);
                            double worst = 0.0;
                            for (int64_t q = 0; q < np * 4; q++)
                                worst = fmax(worst, fabs(acc[q] - one[q]));
                            CHECK(worst < 1e-6, "%s, %s, shape %d axis %d frame %d P=%d: "
                                  "image differs by %g", vc->name, vr_kernel_name(k), sh,
                                  axis, n, P, worst);
                        }
                    }
                }
        free(one);
        free(acc);
        free(part);
        free(fast);
    }
}

int main(void)
{
    test_tiling();
    test_overflow();
    test_ownership_through_kernel();
    return check_report("test_decomp");
}
