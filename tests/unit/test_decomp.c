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

static void test_ownership_through_kernel(void)
{
    const int64_t shapes[][3] = {{12, 14, 13}, {9, 20, 7}, {16, 16, 16}, {5, 6, 40}};
    const int Ns[] = {10, 16, 12, 24};
    const int Ps[] = {1, 2, 3, 5, 8, 13};
    for (int sh = 0; sh < 4; sh++) {
        const int N = Ns[sh];
        const int64_t npix = (int64_t)N * N;
        float *one = malloc((size_t)npix * 16), *acc = malloc((size_t)npix * 16);
        float *part = malloc((size_t)npix * 16);
        for (int axis = 0; axis < 3; axis++)
            for (int n = 0; n < 10; n += 3) {
                VrView view;
                vr_camera_view(N, N + 3, 10, n, &view);
                int64_t total1 = 0;
                for (size_t pi = 0; pi < sizeof Ps / sizeof Ps[0]; pi++) {
                    const int P = Ps[pi];
                    int order[16];
                    vr_camera_rank_order(&view, axis, P, order);
                    int64_t total = 0;
                    /* Composite the partials back to front: order[P-1] first. */
                    for (int k = P - 1; k >= 0; k--) {
                        VrVolume v;
                        VrRenderer *ren = NULL;
                        make_volume(shapes[sh], axis, order[k], P, &v);
                        CHECK(vr_renderer_create(&v, N, N + 3, &ren, NULL) == VR_OK,
                              "renderer");
                        const VrTfTable ref = {.reference = 1, .scale = VR_SCALE_LN};
                        total += vr_render_view(ren, &view, &ref, part);
                        if (k == P - 1)
                            memcpy(acc, part, (size_t)npix * 16);
                        else
                            vr_over(part, acc, acc, npix);
                        vr_renderer_free(ren);
                        free(v.data);
                    }
                    if (P == 1) {
                        total1 = total;
                        memcpy(one, acc, (size_t)npix * 16);
                        CHECK(total > 0, "no samples");
                        continue;
                    }
                    CHECK(total == total1, "shape %d axis %d angle %d P=%d: %lld samples "
                          "composited, %lld at P=1", sh, axis, n, P, (long long)total,
                          (long long)total1);
                    double worst = 0.0;
                    for (int64_t q = 0; q < npix * 4; q++)
                        worst = fmax(worst, fabs(acc[q] - one[q]));
                    CHECK(worst < 1e-6, "shape %d axis %d angle %d P=%d: image differs "
                          "by %g", sh, axis, n, P, worst);
                }
            }
        free(one);
        free(acc);
        free(part);
    }
}

int main(void)
{
    test_tiling();
    test_overflow();
    test_ownership_through_kernel();
    return check_report("test_decomp");
}
