/* Decomposition and sample ownership: the owned intervals tile every axis,
 * the planes read cover interpolation, sizes never overflow; and, through
 * the real kernel on small in-memory cubes, every sample is composited by
 * exactly one rank and the ordered "over" of the partials equals the
 * one-rank image, for many shapes, rank counts, axes and angles.  With
 * the argument "balance": the balanced cuts, the cost model's exactness
 * against the kernels, and whole runs' balance. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vr/balance.h"
#include "vr/camera.h"
#include "vr/composite.h"
#include "vr/cost_model.h"
#include "vr/decomp.h"
#include "vr/kd.h"
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
                    VrBlock s;
                    vr_decomp_slab(r, P, dims, axis, &s);
                    CHECK(s.own_lo[axis] == next, "n=%lld P=%d r=%d: gap or overlap",
                          (long long)ns[t], P, r);
                    CHECK(s.own_hi[axis] >= s.own_lo[axis], "negative interval");
                    next = s.own_hi[axis];
                    if (s.own_hi[axis] > s.own_lo[axis]) {
                        CHECK(s.read_lo[axis] <= s.own_lo[axis] && s.read_lo[axis] >= 0, "read_lo");
                        CHECK(s.read_hi[axis] >= s.own_hi[axis] && s.read_hi[axis] <= ns[t], "read_hi");
                        CHECK(s.read_hi[axis] - s.read_lo[axis] >= 2, "fewer than 2 planes read");
                        CHECK(s.read_hi[axis] == (s.own_hi[axis] < ns[t] ? s.own_hi[axis] + 1 : ns[t]),
                              "ghost plane missing");
                    } else {
                        CHECK(s.read_lo[axis] == s.read_hi[axis], "empty slab reads planes");
                    }
                    /* Blocks differ by at most one plane. */
                    CHECK(s.own_hi[axis] - s.own_lo[axis] <= ns[t] / P + 1, "unbalanced");
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
                VrBlock s;
                vr_decomp_slab(r, P, dims, 0, &s);
                owners += vr_decomp_owns(&s, 0, f);
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
    VrBlock s;
    vr_decomp_slab(0, 2, dims, 0, &s);
    CHECK(s.own_hi[0] == 1500 && s.read_hi[0] == 1501, "big slab");
    CHECK((s.read_hi[0] - s.read_lo[0]) * dims[1] * dims[2] > (1LL << 31), "> 2^31 elements");
    vr_decomp_slab(1234567, 2000000, (const int64_t[3]){1LL << 40, 2, 2}, 0, &s);
    CHECK(s.own_lo[0] == (int64_t)((double)(1LL << 40) * 1234567.0 / 2000000.0) ||
              llabs(s.own_lo[0] - (int64_t)((double)(1LL << 40) * 1234567.0 / 2000000.0)) <= 1,
          "block start without overflow: %lld", (long long)s.own_lo[0]);
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

/* The block of rank r of decomposition d, as vr_volume_read would hold it. */
static void make_volume(const int64_t dims[3], const VrDecomp *d, int r, VrVolume *v)
{
    memset(v, 0, sizeof *v);
    memcpy(v->dims, dims, sizeof v->dims);
    vr_decomp_rank_block(d, r, &v->slab);
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

/* Renders `view` of the cube over the ranks of decomposition d with kernel
 * k, compositing in vr_camera_rank_order's order; returns the samples
 * (each rank's in per_rank when not NULL), the image in acc. */
static int64_t render_decomp(const int64_t dims[3], const VrDecomp *d, const VrView *view,
                             VrKernel k, float *acc, float *part, int64_t *per_rank)
{
    const int64_t npix = (int64_t)view->H * view->W;
    const int P = d->nranks;
    int order[16];
    vr_camera_rank_order(view, d, order);
    int64_t total = 0;
    const VrTfTable ref = {.reference = 1, .scale = VR_SCALE_LN};
    /* Composite the partials back to front: order[P-1] first. */
    for (int i = P - 1; i >= 0; i--) {
        VrVolume v;
        VrRenderer *ren = NULL;
        make_volume(dims, d, order[i], &v);
        CHECK(vr_renderer_create(&v, k, view, &ren, NULL) == VR_OK, "renderer");
        const int64_t mine = vr_render_view(ren, view, &ref, part);
        total += mine;
        if (per_rank)
            per_rank[order[i]] = mine;
        if (i == P - 1)
            memcpy(acc, part, (size_t)npix * 16);
        else
            vr_over(part, acc, acc, npix);
        vr_renderer_free(ren);
        free(v.data);
    }
    return total;
}

/* The same over P equal slabs along axis. */
static int64_t render_over_ranks(const int64_t dims[3], int axis, int P, const VrView *view,
                                 VrKernel k, float *acc, float *part)
{
    VrDecomp d;
    CHECK(vr_decomp_init_equal(&d, P, dims, axis) == 0, "decomposition");
    const int64_t total = render_decomp(dims, &d, view, k, acc, part, NULL);
    vr_decomp_free(&d);
    return total;
}

/* A frame of VIEW_CASES[c] for a cube of `dims`: H x W x S, `angles` frames. */
static void case_frame(const ViewCase *vc, const int64_t dims[3], int H, int W, int S,
                       int angles, int n, VrView *view)
{
    VrCameraConfig cc;
    vr_camera_config_defaults(&cc);
    cc.orbit_axis = vc->axis;
    cc.orbit_start = vc->start;
    cc.orbit_degrees = vc->span;
    cc.elevation = vc->elevation;
    cc.fov = vc->fov;
    cc.fit = vc->fit;
    vr_camera_orbit_frame(&cc, H, W, S, angles, dims, n, view);
}

/* Frame n of VIEW_CASES entry vc for a cube of dims, N rows (and N or
 * N + 5 columns), into *view, and the kernels that can render it into k[]:
 * the fast path where it applies (then k[0] is the job's choice), the
 * general kernel always.  Returns how many; 0 for a perspective frame
 * whose eye is inside the box (skipped). */
static int case_kernels(const ViewCase *vc, const int64_t dims[3], int N, int n, VrView *view,
                        VrKernel k[2])
{
    case_frame(vc, dims, N, vc->wide ? N + 5 : N, N + 3, 10, n, view);
    if (view->lens == VR_LENS_PERSPECTIVE && !(view->dist > 0.5 * view->depth))
        return 0;
    int nk = 0;
    if (vr_render_choose_kernel(view, dims) == VR_KERNEL_ORBIT_RESAMPLED)
        k[nk++] = VR_KERNEL_ORBIT_RESAMPLED;
    k[nk++] = VR_KERNEL_GENERAL;
    return nk;
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
                    VrView view;
                    VrKernel ks[2];
                    const int nk = case_kernels(vc, shapes[sh], N, n, &view, ks);
                    const int H = view.H, W = view.W;
                    const VrKernel chosen = ks[0];
                    const int64_t np = (int64_t)H * W;
                    /* Every kernel that can render the view: the fast path
                     * where it applies, the general kernel always. */
                    for (int kk = 0; kk < nk; kk++) {
                        const VrKernel k = ks[kk];
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

/* Smallest largest part of any contiguous cut of cost[0..n) into P parts
 * of at most W items (exhaustive dynamic programme, for small n). */
static int64_t best_max_part(const int64_t *cost, int n, int P, int W)
{
    int64_t best[65][17];
    int64_t pre[65] = {0};
    for (int i = 0; i < n; i++)
        pre[i + 1] = pre[i] + cost[i];
    for (int i = 0; i <= n; i++)
        best[i][1] = i <= W ? pre[i] : INT64_MAX;
    for (int p = 2; p <= P; p++)
        for (int i = 0; i <= n; i++) {
            int64_t b = INT64_MAX;
            for (int j = i - W > 0 ? i - W : 0; j <= i; j++) {
                const int64_t m = best[j][p - 1] > pre[i] - pre[j] ? best[j][p - 1]
                                                                  : pre[i] - pre[j];
                b = m < b ? m : b;
            }
            best[i][p] = b;
        }
    return best[n][P];
}

static uint64_t lcg(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return *x >> 33;
}

/* Balanced cuts: they tile the row in order, no part is wider than
 * allowed (at least ceil(n / P)), their largest part is the optimum of
 * every contiguous cut within that width (exhaustively for small rows),
 * without a width limit at most the mean plus the largest item for any
 * row, and the result does not depend on anything but the costs. */
static void test_balance_cuts(void)
{
    uint64_t seed = 12345;
    int64_t cost[4096], cut[1002], again[1002];
    for (int trial = 0; trial < 3000; trial++) {
        const int small = trial < 2000;
        const int n = small ? 1 + (int)(lcg(&seed) % 40) : 1 + (int)(lcg(&seed) % 4096);
        const int P = small ? 1 + (int)(lcg(&seed) % 16) : 1 + (int)(lcg(&seed) % 1000);
        const int kind = trial % 4; /* random, with zeros, a bump, all zero */
        int64_t total = 0, biggest = 0;
        for (int i = 0; i < n; i++) {
            const double x = (double)i / n - 0.5;
            cost[i] = kind == 0   ? (int64_t)(lcg(&seed) % 1000000)
                      : kind == 1 ? ((lcg(&seed) % 3) ? 0 : (int64_t)(lcg(&seed) % 5000))
                      : kind == 2 ? (int64_t)(1e6 * exp(-20.0 * x * x))
                                  : 0;
            total += cost[i];
            biggest = cost[i] > biggest ? cost[i] : biggest;
        }
        /* Every third trial unlimited, the others 1 .. 3 equal shares. */
        const int share = (n + P - 1) / P;
        const int limit = trial % 3 == 0 ? 0 : (int)(lcg(&seed) % (3 * share)) + 1;
        const int W = limit == 0 ? n : limit > share ? limit : share;
        CHECK(vr_balance_cuts(cost, n, P, limit, cut) == 0, "allocation");
        int ordered = cut[0] == 0 && cut[P] == n;
        for (int r = 0; r < P; r++)
            ordered &= cut[r] <= cut[r + 1] && cut[r + 1] - cut[r] <= W;
        CHECK(ordered, "trial %d n=%d P=%d W=%d: the cuts do not tile the row within the "
              "width", trial, n, P, W);
        if (!ordered)
            continue;
        const int64_t most = vr_balance_max_part(cost, P, cut);
        CHECK(limit != 0 || most <= total / P + biggest, "trial %d n=%d P=%d: largest part %lld > mean "
              "%lld + largest item %lld", trial, n, P, (long long)most,
              (long long)(total / P), (long long)biggest);
        if (small)
            CHECK(most == best_max_part(cost, n, P, W), "trial %d n=%d P=%d W=%d: largest "
                  "part %lld, optimum %lld", trial, n, P, W, (long long)most,
                  (long long)best_max_part(cost, n, P, W));
        CHECK(vr_balance_cuts(cost, n, P, limit, again) == 0 &&
                  memcmp(cut, again, ((size_t)P + 1) * sizeof *cut) == 0,
              "trial %d: not deterministic", trial);
    }
}

/* The cost model is exact: over every view case, shape, axis and several
 * rank counts, the samples each rank's real kernel composites equal the
 * model's count summed over its planes, for the equal cut and for the
 * balanced cut made from those counts; and the balanced ranks' ordered
 * "over" equals the one-rank image. */
static void test_cost_model_exact(void)
{
    const int64_t shapes[][3] = {{12, 14, 13}, {9, 20, 7}, {5, 6, 40}};
    const int Ns[] = {10, 16, 12};
    const int Ps[] = {2, 3, 7};
    const int ncases = (int)(sizeof VIEW_CASES / sizeof VIEW_CASES[0]);
    for (int sh = 0; sh < 3; sh++) {
        const int N = Ns[sh];
        const int64_t npix = (int64_t)N * (N + 5);
        float *one = malloc((size_t)npix * 16), *acc = malloc((size_t)npix * 16);
        float *part = malloc((size_t)npix * 16);
        for (int c = 0; c < ncases; c++)
            for (int axis = 0; axis < 3; axis++)
                for (int n = 1; n < 10; n += 4) {
                    const ViewCase *vc = &VIEW_CASES[c];
                    const int64_t *dims = shapes[sh];
                    VrView view;
                    VrKernel ks[2];
                    const int nk = case_kernels(vc, dims, N, n, &view, ks);
                    const int H = view.H, W = view.W;
                    for (int kk = 0; kk < nk; kk++) {
                        const VrKernel k = ks[kk];
                        int64_t plane[64] = {0}, whole = 0;
                        vr_render_plane_samples(k, dims, axis, &view, 0, H, 1, 1, plane);
                        for (int p = 0; p < dims[axis]; p++)
                            whole += plane[p];
                        const int64_t total1 = render_over_ranks(dims, axis, 1, &view, k, one,
                                                                 part);
                        CHECK(whole == total1, "%s, %s, shape %d axis %d frame %d: model "
                              "%lld samples, kernel %lld", vc->name, vr_kernel_name(k), sh,
                              axis, n, (long long)whole, (long long)total1);
                        for (size_t pi = 0; pi < sizeof Ps / sizeof Ps[0]; pi++)
                            for (int bal = 0; bal < 2; bal++) {
                                const int P = Ps[pi];
                                VrDecomp d;
                                CHECK((bal ? vr_decomp_balanced(plane, P, dims, axis, &d)
                                           : vr_decomp_init_equal(&d, P, dims, axis)) == 0,
                                      "decomposition");
                                int64_t per_rank[16];
                                render_decomp(dims, &d, &view, k, acc, part, per_rank);
                                for (int r = 0; r < P; r++) {
                                    int64_t model = 0;
                                    for (int64_t p = d.cut[r]; p < d.cut[r + 1]; p++)
                                        model += plane[p];
                                    CHECK(model == per_rank[r], "%s, %s, shape %d axis %d "
                                          "frame %d P=%d %s rank %d: model %lld, kernel "
                                          "%lld", vc->name, vr_kernel_name(k), sh, axis, n,
                                          P, bal ? "balanced" : "equal", r,
                                          (long long)model, (long long)per_rank[r]);
                                }
                                double worst = 0.0;
                                for (int64_t q = 0; q < (int64_t)H * W * 4; q++)
                                    worst = fmax(worst, fabs(acc[q] - one[q]));
                                /* 2e-6: the Debug build (no FMA) reaches 1.3e-6
                                 * on frame 5 of the z orbit, equal slabs too. */
                                CHECK(worst < 2e-6, "%s, %s, shape %d axis %d frame %d P=%d "
                                      "%s: image differs by %g", vc->name, vr_kernel_name(k),
                                      sh, axis, n, P, bal ? "balanced" : "equal", worst);
                                vr_decomp_free(&d);
                            }
                    }
                }
        free(one);
        free(acc);
        free(part);
    }
}

/* max / mean over the ranks of the modelled samples of decomposition d. */
static double model_ratio(const int64_t *plane, const VrDecomp *d)
{
    int64_t most = 0, total = 0;
    for (int r = 0; r < d->nranks; r++) {
        int64_t s = 0;
        for (int64_t p = d->cut[r]; p < d->cut[r + 1]; p++)
            s += plane[p];
        most = s > most ? s : most;
        total += s;
    }
    return total > 0 ? (double)most * d->nranks / (double)total : 1.0;
}

/* Balanced slabs of whole runs: the default orbit (10 frames of 180 x 180
 * x 180 about x, 0 to 81 degrees), an orbit about z with elevation 30
 * (general kernel) and a perspective orbit about y, 180 x 180 too, for
 * three cube shapes, every axis and P = 2 .. 16.  Slabs are whole planes,
 * so no cut can beat max / mean = 1 + (largest plane) / mean when that
 * plane is large; the balanced cut must reach 1.05 whenever the planes
 * allow it (largest plane <= 5 % of a rank's mean), stay within that
 * granularity bound otherwise, and never be worse than the equal cut.
 * The default orbit split along y or z (the default axis is y) reaches
 * 1.05 at P <= 7 on every shape; at P = 16 its planes hold 10 % of a
 * rank's mean and slabs give 1.035 - 1.06.  Its equal cut at P = 3 is the
 * 1.54 of the runs. */
static void test_balanced_runs(void)
{
    const int64_t shapes[][3] = {{256, 256, 256}, {200, 256, 230}, {160, 300, 180}};
    const ViewCase runs[] = {
        {"default orbit", 0, 0, 90, 0, 0, 0, 0, 0},
        {"z orbit, elevation 30", 2, 0, 360, 30, 0, 0, 0, 0},
        {"perspective 40 about y", 1, 0, 360, 10, 40, 0, 0, 0},
    };
    const int Ps[] = {2, 3, 5, 7, 16};
    int strict = 0, coarse = 0;
    for (int sh = 0; sh < 3; sh++)
        for (int c = 0; c < 3; c++) {
            const int64_t *dims = shapes[sh];
            const int H = 180, frames = c == 0 ? 10 : 3;
            for (int axis = 0; axis < 3; axis++) {
                int64_t *plane = calloc((size_t)dims[axis], sizeof *plane);
                int64_t total = 0, biggest = 0;
                VrKernel k = VR_KERNEL_GENERAL;
                for (int n = 0; n < frames; n++) {
                    VrView view;
                    case_frame(&runs[c], dims, H, H, H, c == 0 ? 10 : frames, n, &view);
                    if (n == 0)
                        k = vr_render_choose_kernel(&view, dims);
                    vr_render_plane_samples(k, dims, axis, &view, 0, H, 1, 1, plane);
                }
                CHECK(c != 0 || k == VR_KERNEL_ORBIT_RESAMPLED, "default orbit: fast path");
                for (int64_t p = 0; p < dims[axis]; p++) {
                    total += plane[p];
                    biggest = plane[p] > biggest ? plane[p] : biggest;
                }
                for (size_t pi = 0; pi < sizeof Ps / sizeof Ps[0]; pi++) {
                    const int P = Ps[pi];
                    VrDecomp d, e;
                    CHECK(vr_decomp_balanced(plane, P, dims, axis, &d) == 0 &&
                              vr_decomp_init_equal(&e, P, dims, axis) == 0,
                          "decomposition");
                    int tiles = d.cut[0] == 0 && d.cut[P] == dims[axis];
                    for (int r = 0; r < P; r++)
                        tiles &= d.cut[r] <= d.cut[r + 1];
                    CHECK(tiles, "%s shape %d axis %d P=%d: cuts do not tile", runs[c].name,
                          sh, axis, P);
                    const double bal = model_ratio(plane, &d), eq = model_ratio(plane, &e);
                    const double grain = (double)biggest * P / (double)total;
                    /* The default orbit along y or z: 1.05 at P <= 7 on every
                     * shape (at P = 16 on 256^3: 1.0575, the run's figure). */
                    if (c == 0 && axis != 0 && P <= 7)
                        CHECK(bal <= 1.05, "default orbit shape %d axis %d P=%d: %.4f", sh,
                              axis, P, bal);
                    if (grain <= 0.05)
                        strict++;
                    else
                        coarse++;
                    CHECK(bal <= (grain <= 0.05 ? 1.05 : 1.0 + grain + 1e-12),
                          "%s, %lldx%lldx%lld axis %d P=%d: balanced max/mean %.4f (equal "
                          "%.4f, largest plane %.4f of the mean)", runs[c].name,
                          (long long)dims[0], (long long)dims[1], (long long)dims[2], axis, P,
                          bal, eq, grain);
                    CHECK(bal <= eq + 1e-12, "%s shape %d axis %d P=%d: balanced %.4f worse "
                          "than equal %.4f", runs[c].name, sh, axis, P, bal, eq);
                    if (c == 0 && sh == 0 && axis == 1 && P == 3)
                        CHECK(eq > 1.5, "default orbit, equal slabs at P=3: %.4f", eq);
                    vr_decomp_free(&d);
                    vr_decomp_free(&e);
                }
                free(plane);
            }
        }
    CHECK(strict >= 60, "only %d cases within the 1.05 class (%d coarse)", strict, coarse);
    printf("balanced runs: %d cases held to 1.05, %d to their plane granularity\n", strict,
           coarse);
}

/* Two groups, two tests (each within the unit tests' time limit under the
 * sanitizers): no argument, the slabs and ownership; "balance", the
 * balanced cuts and the cost model. */
/* ---- k-d blocks (kd.h) ---------------------------------------------- */

/* A synthetic counter: voxel (i, j, k) costs 1 + (7i + 3j + k) mod 5
 * (0 where `hole` says so, to leave empty regions), summed per plane of
 * the box along the query's axis. */
static int64_t voxel_cost(int64_t i, int64_t j, int64_t k, int hole)
{
    if (hole && i < 6 && j < 6)
        return 0;
    return 1 + (7 * i + 3 * j + k) % 5;
}

static int synthetic_counter(void *ctx, int nq, VrKdQuery *q, int64_t total)
{
    const int hole = *(const int *)ctx;
    (void)total;
    for (int n = 0; n < nq; n++) {
        const VrBlock *b = &q[n].box;
        const int a = q[n].axis;
        for (int64_t i = b->own_lo[0]; i < b->own_hi[0]; i++)
            for (int64_t j = b->own_lo[1]; j < b->own_hi[1]; j++)
                for (int64_t k = b->own_lo[2]; k < b->own_hi[2]; k++) {
                    const int64_t idx[3] = {i, j, k};
                    q[n].count[idx[a] - b->own_lo[a]] += voxel_cost(i, j, k, hole);
                }
    }
    return 0;
}

static void test_kd_tiling(void)
{
    const int64_t shapes[][3] = {{30, 40, 50}, {2, 3, 4}, {64, 8, 3}, {17, 17, 17}, {100, 2, 2}};
    static unsigned char owner_seen[60000];
    for (int sh = 0; sh < 5; sh++) {
        const int64_t *dims = shapes[sh];
        const int64_t V = dims[0] * dims[1] * dims[2];
        for (int P = 1; P <= 1000; P++) {
            int prime = P > 1;
            for (int f = 2; f * f <= P; f++)
                prime &= P % f != 0;
            /* every P up to 70, then the primes up to 1000 */
            if (P > 70 && !prime)
                continue;
            for (int hole = 0; hole < 2; hole++) {
                VrDecomp d;
                const int rc = vr_decomp_init_kd(&d, P, dims, synthetic_counter, &hole);
                if (P > V) {
                    CHECK(rc == -2, "shape %d P=%d: more ranks than points accepted", sh, P);
                    continue;
                }
                CHECK(rc == 0, "shape %d P=%d: build failed (%d)", sh, P, rc);
                if (rc != 0)
                    continue;
                CHECK(d.kind == VR_DECOMP_KD && d.nnodes == P - 1, "shape %d P=%d: %d nodes",
                      sh, P, d.nnodes);
                memset(owner_seen, 0, (size_t)V);
                int64_t covered = 0, cost_max = 0, cost_sum = 0;
                for (int r = 0; r < P; r++) {
                    VrBlock b;
                    vr_decomp_rank_block(&d, r, &b);
                    CHECK(!vr_block_empty(&b), "shape %d P=%d: rank %d empty", sh, P, r);
                    int64_t cost = 0;
                    for (int64_t i = b.own_lo[0]; i < b.own_hi[0]; i++)
                        for (int64_t j = b.own_lo[1]; j < b.own_hi[1]; j++)
                            for (int64_t k = b.own_lo[2]; k < b.own_hi[2]; k++) {
                                const int64_t at = (i * dims[1] + j) * dims[2] + k;
                                owner_seen[at]++;
                                covered++;
                                cost += voxel_cost(i, j, k, hole);
                            }
                    for (int a = 0; a < 3; a++)
                        CHECK(b.read_hi[a] - b.read_lo[a] >= 2 && b.read_lo[a] >= 0 &&
                                  b.read_hi[a] <= dims[a],
                              "shape %d P=%d rank %d: reads planes [%lld, %lld) of axis %d",
                              sh, P, r, (long long)b.read_lo[a], (long long)b.read_hi[a], a);
                    cost_max = cost > cost_max ? cost : cost_max;
                    cost_sum += cost;
                }
                int once = covered == V;
                for (int64_t v = 0; v < V; v++)
                    once &= owner_seen[v] == 1;
                CHECK(once, "shape %d P=%d: the blocks do not tile the cube", sh, P);
                /* The cuts follow the costs, as far as whole planes
                 * allow: a plane of a block of 30 x 40 x 50 / P points is
                 * 6 % of it at P = 16, 9 % at P = 64. */
                const double ratio = (double)cost_max * P / (double)cost_sum;
                if (sh == 0 && P <= 64)
                    CHECK(ratio <= (P <= 16 ? 1.05 : 1.15), "shape %d P=%d hole %d: cost "
                          "max/mean %.4f", sh, P, hole, ratio);
                if (getenv("VR_TEST_KD_PRINT") && sh == 0)
                    printf("P=%d hole=%d max/mean %.4f\n", P, hole, ratio);
                vr_decomp_free(&d);
            }
        }
    }
}

/* The cost model as a k-d counter in one process (what the job's
 * counter does on every rank, without the reduction). */
typedef struct {
    const VrView *view;
    VrKernel k;
    const int64_t *dims;
} ViewCounter;

static int view_counter(void *ctx, int nq, VrKdQuery *q, int64_t total)
{
    const ViewCounter *c = ctx;
    (void)total;
    for (int n = 0; n < nq; n++)
        vr_render_box_samples(c->k, c->dims, &q[n].box, q[n].axis, c->view, 0, c->view->H, 1,
                              1, q[n].count);
    return 0;
}

/* Through the real kernels: k-d blocks placed by the cost model for each
 * view; every rank composites exactly the samples the model counts in
 * its block, the samples add up to one rank's, and the "over" of the
 * partials in vr_camera_rank_order's order is the one-rank image, for
 * every view case (ray directions in every octant, axis-parallel frames
 * of the orbits, perspective eyes beside and within the cube's extent). */
static void test_kd_through_kernel(void)
{
    const int64_t shapes[][3] = {{12, 14, 13}, {9, 20, 7}, {5, 6, 40}};
    const int Ns[] = {10, 16, 12};
    const int Ps[] = {2, 3, 5, 8, 13, 16};
    const int ncases = (int)(sizeof VIEW_CASES / sizeof VIEW_CASES[0]);
    for (int sh = 0; sh < 3; sh++) {
        const int N = Ns[sh];
        const int64_t npix = (int64_t)N * (N + 5);
        float *one = malloc((size_t)npix * 16), *acc = malloc((size_t)npix * 16);
        float *part = malloc((size_t)npix * 16);
        for (int c = 0; c < ncases; c++)
            for (int n = 0; n < 10; n += 3) {
                const ViewCase *vc = &VIEW_CASES[c];
                const int64_t *dims = shapes[sh];
                VrView view;
                VrKernel ks[2];
                const int nk = case_kernels(vc, dims, N, n, &view, ks);
                const int H = view.H, W = view.W;
                for (int kk = 0; kk < nk; kk++) {
                    const VrKernel k = ks[kk];
                    const int64_t total1 = render_over_ranks(dims, 0, 1, &view, k, one, part);
                    for (size_t pi = 0; pi < sizeof Ps / sizeof Ps[0]; pi++) {
                        const int P = Ps[pi];
                        ViewCounter vcount = {&view, k, dims};
                        VrDecomp d;
                        CHECK(vr_decomp_init_kd(&d, P, dims, view_counter, &vcount) == 0,
                              "k-d decomposition");
                        int64_t per_rank[16];
                        const int64_t total = render_decomp(dims, &d, &view, k, acc, part,
                                                            per_rank);
                        CHECK(total == total1, "%s, %s, shape %d frame %d P=%d: %lld samples, "
                              "%lld on one rank", vc->name, vr_kernel_name(k), sh, n, P,
                              (long long)total, (long long)total1);
                        for (int r = 0; r < P; r++) {
                            VrBlock b;
                            vr_decomp_rank_block(&d, r, &b);
                            int64_t plane[64] = {0}, model = 0;
                            vr_render_box_samples(k, dims, &b, 0, &view, 0, H, 1, 1, plane);
                            for (int64_t p = 0; p < b.own_hi[0] - b.own_lo[0]; p++)
                                model += plane[p];
                            CHECK(model == per_rank[r], "%s, %s, shape %d frame %d P=%d rank "
                                  "%d: model %lld, kernel %lld", vc->name, vr_kernel_name(k),
                                  sh, n, P, r, (long long)model, (long long)per_rank[r]);
                        }
                        double worst = 0.0;
                        for (int64_t q = 0; q < (int64_t)H * W * 4; q++)
                            worst = fmax(worst, fabs(acc[q] - one[q]));
                        CHECK(worst < 2e-6, "%s, %s, shape %d frame %d P=%d k-d: image differs "
                              "by %g", vc->name, vr_kernel_name(k), sh, n, P, worst);
                        vr_decomp_free(&d);
                    }
                }
            }
        free(one);
        free(acc);
        free(part);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "kd") == 0) {
        test_kd_tiling();
        test_kd_through_kernel();
        return check_report("test_decomp kd");
    }
    if (argc > 1 && strcmp(argv[1], "balance") == 0) {
        test_balance_cuts();
        test_cost_model_exact();
        test_balanced_runs();
        return check_report("test_decomp balance");
    }
    test_tiling();
    test_overflow();
    test_ownership_through_kernel();
    return check_report("test_decomp");
}
