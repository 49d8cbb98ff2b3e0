#include "vr/render.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vr/transfer.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* The samples of one depth index s along an image row are the points
 * f(q) = A + q B in grid-index space of one axis.  A rank takes the q with
 * lo <= f(q) and f(q) < hi (hi_strict) or f(q) <= hi.  f is monotone in q,
 * even in floating point, so that set is an interval [*q0, *q1); computing
 * it with the very expression the kernel uses keeps ownership exact. */
typedef struct AxisLine {
    double A, B, lo, hi;
    int hi_strict;
} AxisLine;

struct VrRenderer {
    int N, S;
    int64_t dims[3];
    VrSlab slab;
    int nrows;       /* image rows this rank renders */
    int *row;        /* row[i]: image row of plane i */
    int64_t ny, nz;  /* extent of each plane */
    int64_t y0, z0;  /* global (y, z) index of plane element 0 */
    float *planes;   /* nrows * ny * nz floats */
    /* Scratch sized once, reused by every view. */
    AxisLine *ly, *lz;         /* per depth index: y and z index lines */
    int *qlo, *qhi;           /* per depth index: columns composited */
    float *rowbuf;            /* per thread: 8 x N floats */
    int nthreads;
};

/* A sample counts as inside the cube when its grid index is within this
 * tolerance of the first or last plane: a point exactly on the cube's face
 * in world coordinates (inside for the reference) may land a few ulps
 * outside after the change to index space. */
#define VR_EDGE_TOL 1e-9

/* Grid index of image row r along x, and whether this rank renders it. */
static int row_is_mine(const VrSlab *slab, const int64_t dims[3], int N, int r,
                       double *fx)
{
    *fx = vr_grid_index(vr_camera_coord(r, N, N), dims[0]);
    if (!(*fx >= -VR_EDGE_TOL && *fx <= (double)(dims[0] - 1) + VR_EDGE_TOL))
        return 0;
    if (slab->own_lo == slab->own_hi)
        return 0;
    if (slab->axis == 0 && slab->own_lo == 0 && *fx < 0.0)
        return 1;
    return slab->axis != 0 || vr_decomp_owns(slab, *fx);
}

static int count_rows(const VrSlab *slab, const int64_t dims[3], int N)
{
    int n = 0;
    double fx;
    for (int r = 0; r < N; r++)
        n += row_is_mine(slab, dims, N, r, &fx);
    return n;
}

int64_t vr_renderer_estimate_bytes(const int64_t dims[3], const VrSlab *slab, int N)
{
    int64_t ext[3];
    for (int a = 0; a < 3; a++)
        ext[a] = a == slab->axis ? slab->read_hi - slab->read_lo : dims[a];
    return (int64_t)count_rows(slab, dims, N) * ext[1] * ext[2] * (int64_t)sizeof(float);
}

int64_t vr_renderer_bytes(const VrRenderer *r)
{
    return r ? (int64_t)r->nrows * r->ny * r->nz * (int64_t)sizeof(float) : 0;
}

void vr_renderer_free(VrRenderer *r)
{
    if (!r)
        return;
    free(r->row);
    free(r->planes);
    free(r->ly);
    free(r->lz);
    free(r->qlo);
    free(r->qhi);
    free(r->rowbuf);
    free(r);
}

/* plane = (1 - w) * a + w * b over n floats. */
static void lerp_planes(float *restrict plane, const float *restrict a,
                        const float *restrict b, float w, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        plane[i] = a[i] + w * (b[i] - a[i]);
}

int vr_renderer_create(const VrVolume *vol, int N, int S, VrRenderer **out,
                       VrError *err)
{
    int rc = VR_OK;
    *out = NULL;
    VrRenderer *r = calloc(1, sizeof *r);
    VR_CHECK(r, VR_ERR_NOMEM, err, "cannot allocate the renderer");
    r->N = N;
    r->S = S;
    memcpy(r->dims, vol->dims, sizeof r->dims);
    r->slab = vol->slab;
    r->ny = vol->count[1];
    r->nz = vol->count[2];
    r->y0 = vol->start[1];
    r->z0 = vol->start[2];
    r->nrows = count_rows(&vol->slab, vol->dims, N);
    const int64_t plane = r->ny * r->nz;
    VR_CHECK(plane < INT32_MAX - r->nz, VR_ERR_NOMEM, err,
             "a %lld x %lld plane per image row is too large for the kernel; use "
             "more ranks", (long long)r->ny, (long long)r->nz);
    if (r->nrows > 0) {
        r->row = malloc((size_t)r->nrows * sizeof *r->row);
        r->planes = malloc((size_t)(r->nrows * plane) * sizeof(float));
        VR_CHECK(r->row && r->planes, VR_ERR_NOMEM, err,
                 "cannot allocate %.1f MiB for the resampled slab",
                 (double)vr_renderer_bytes(r) / 1048576.0);
    }
#ifdef _OPENMP
    r->nthreads = omp_get_max_threads();
#else
    r->nthreads = 1;
#endif
    r->ly = malloc((size_t)S * sizeof *r->ly);
    r->lz = malloc((size_t)S * sizeof *r->lz);
    r->qlo = malloc((size_t)S * sizeof *r->qlo);
    r->qhi = malloc((size_t)S * sizeof *r->qhi);
    r->rowbuf = malloc((size_t)r->nthreads * 8 * (size_t)N * sizeof(float));
    VR_CHECK(r->ly && r->lz && r->qlo && r->qhi && r->rowbuf, VR_ERR_NOMEM, err,
             "cannot allocate the renderer's scratch buffers");
    const int64_t nx_held = vol->count[0];
    int i = 0;
    for (int row = 0; row < N; row++) {
        double fx;
        if (!row_is_mine(&vol->slab, vol->dims, N, row, &fx))
            continue;
        /* fx may lie a hair below 0 (see VR_EDGE_TOL): truncate, not floor. */
        int64_t ix = (int64_t)fx;
        float w = (float)(fx - (double)ix);
        ix -= vol->start[0];
        if (ix > nx_held - 2) { /* fx on the last plane held */
            ix = nx_held - 2;
            w = 1.0f;
        }
        r->row[i] = row;
        lerp_planes(r->planes + i * plane, vol->data + ix * plane,
                    vol->data + (ix + 1) * plane, w, plane);
        i++;
    }
    *out = r;
    r = NULL;
cleanup:
    vr_renderer_free(r);
    return rc;
}



static double line_at(const AxisLine *l, int q) { return l->A + (double)q * l->B; }
static int above_lo(const AxisLine *l, int q) { return line_at(l, q) >= l->lo; }
static int below_hi(const AxisLine *l, int q)
{
    const double f = line_at(l, q);
    return l->hi_strict ? f < l->hi : f <= l->hi;
}

/* First q in [0, n] for which pred(q) == want, pred monotone with
 * pred(0..k-1) != want and pred(k..n-1) == want. */
static int first_where(int (*pred)(const AxisLine *, int), const AxisLine *l,
                       int want, int n)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        const int mid = lo + (hi - lo) / 2;
        if (pred(l, mid) == want)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static void line_interval(const AxisLine *l, int n, int *q0, int *q1)
{
    if (l->B > 0.0) {
        *q0 = first_where(above_lo, l, 1, n);
        *q1 = first_where(below_hi, l, 0, n);
    } else if (l->B < 0.0) {
        *q0 = first_where(below_hi, l, 1, n);
        *q1 = first_where(above_lo, l, 0, n);
    } else {
        const int all = above_lo(l, 0) && below_hi(l, 0);
        *q0 = 0;
        *q1 = all ? n : 0;
    }
    if (*q1 < *q0)
        *q1 = *q0;
}

/* Limits of one axis for this rank: in the cube, and owned along the
 * decomposition axis. */
static void axis_limits(const VrRenderer *r, int axis, AxisLine *l)
{
    const int64_t n = r->dims[axis];
    l->lo = -VR_EDGE_TOL;
    l->hi = (double)(n - 1) + VR_EDGE_TOL;
    l->hi_strict = 0;
    if (axis == r->slab.axis) {
        if (r->slab.own_lo > 0)
            l->lo = (double)r->slab.own_lo;
        if (r->slab.own_hi < n) {
            l->hi = (double)r->slab.own_hi;
            l->hi_strict = 1;
        }
        if (r->slab.own_lo == r->slab.own_hi)
            l->hi = -1.0; /* nothing owned */
    }
}

/* Composites, back to front, the samples s = 0..S-1 of one image row on
 * its resampled plane into the row buffers c (4 x N floats: r, g, b, T;
 * then 4 x N floats of scratch).  For a fixed depth the columns q are
 * independent, so each depth is three passes over its columns: positions
 * (vectorised), the bilinear fetch (scalar: on this hardware four scalar
 * loads beat vector gathers), transfer function and "over" (vectorised). */
static int64_t render_row(const VrRenderer *r, const float *plane,
                          const AxisLine *ly, const AxisLine *lz,
                          const int *qlo, const int *qhi, float *c)
{
    const int N = r->N;
    float *restrict cr = c, *restrict cg = c + N, *restrict cb = c + 2 * N,
                    *restrict ct = c + 3 * N;
    int32_t *restrict at = (int32_t *)(c + 4 * N);
    float *restrict wy = c + 5 * N, *restrict wz = c + 6 * N, *restrict rho = c + 7 * N;
    for (int q = 0; q < N; q++) {
        cr[q] = cg[q] = cb[q] = 0.0f;
        ct[q] = 1.0f;
    }
    /* Plane indices fit in 32 bits (checked when the planes were built). */
    const int32_t nz = (int32_t)r->nz;
    const int32_t jmax = (int32_t)r->ny - 2, kmax = (int32_t)r->nz - 2;
    const int32_t y0 = (int32_t)r->y0, z0 = (int32_t)r->z0;
    int64_t samples = 0;
    for (int s = 0; s < r->S; s++) {
        const double Ay = ly[s].A, By = ly[s].B, Az = lz[s].A, Bz = lz[s].B;
        const int q0 = qlo[s], q1 = qhi[s];
#pragma omp simd
        for (int q = q0; q < q1; q++) {
            /* The very expression the ownership test used (line_at). */
            const double fy = Ay + (double)q * By;
            const double fz = Az + (double)q * Bz;
            const int32_t jg = (int32_t)fy, kg = (int32_t)fz; /* fy, fz >= -tol */
            float u = (float)(fy - (double)jg), v = (float)(fz - (double)kg);
            /* On the last plane (index jmax + 1) use the cell below it with
             * weight 1; written as min and a multiply so it vectorises. */
            const int32_t jl = jg - y0, kl = kg - z0;
            const int32_t j = jl < jmax ? jl : jmax, k = kl < kmax ? kl : kmax;
            u += (float)(jl - j) * (1.0f - u);
            v += (float)(kl - k) * (1.0f - v);
            at[q] = j * nz + k;
            wy[q] = u;
            wz[q] = v;
        }
        for (int q = q0; q < q1; q++) {
            const float *p = plane + at[q];
            const float v0 = p[0] + wz[q] * (p[1] - p[0]);
            const float v1 = p[nz] + wz[q] * (p[nz + 1] - p[nz]);
            rho[q] = v0 + wy[q] * (v1 - v0);
        }
#pragma omp simd
        for (int q = q0; q < q1; q++) {
            const VrSample smp = vr_transfer_sample(rho[q]);
            const float keep = 1.0f - smp.a;
            cr[q] = smp.ar + keep * cr[q];
            cg[q] = smp.ag + keep * cg[q];
            cb[q] = smp.ab + keep * cb[q];
            ct[q] = keep * ct[q];
        }
        samples += q1 - q0;
    }
    return samples;
}

int64_t vr_render_view(VrRenderer *r, const VrView *view, float *image)
{
    const int N = r->N, S = r->S;
    for (int64_t p = 0; p < (int64_t)N * N; p++) {
        image[4 * p + 0] = image[4 * p + 1] = image[4 * p + 2] = 0.0f;
        image[4 * p + 3] = 1.0f;
    }
    if (r->nrows == 0)
        return 0;

    /* Per depth index: the lines of y and z indices along a row, and the
     * interval of columns this rank composites (the same for every row). */
    AxisLine *ly = r->ly, *lz = r->lz;
    const double h = (double)N / (double)(N - 1); /* column spacing */
    const double c0 = -0.5 * N;                   /* first column coordinate */
    const double sy = (double)(r->dims[1] - 1) / (double)r->dims[1];
    const double sz = (double)(r->dims[2] - 1) / (double)r->dims[2];
    for (int s = 0; s < S; s++) {
        const double v = vr_camera_coord(s, S, N);
        /* Y = v cos - w sin, Z = v sin + w cos, w = c0 + q h. */
        axis_limits(r, 1, &ly[s]);
        axis_limits(r, 2, &lz[s]);
        ly[s].A = (v * view->cos_t - c0 * view->sin_t + 0.5 * (double)r->dims[1]) * sy;
        ly[s].B = -h * view->sin_t * sy;
        lz[s].A = (v * view->sin_t + c0 * view->cos_t + 0.5 * (double)r->dims[2]) * sz;
        lz[s].B = h * view->cos_t * sz;
        int a0, a1, b0, b1;
        line_interval(&ly[s], N, &a0, &a1);
        line_interval(&lz[s], N, &b0, &b1);
        r->qlo[s] = a0 > b0 ? a0 : b0;
        r->qhi[s] = a1 < b1 ? a1 : b1;
        if (r->qhi[s] < r->qlo[s])
            r->qhi[s] = r->qlo[s];
    }

    int64_t samples = 0;
    const int64_t plane = r->ny * r->nz;
#pragma omp parallel for schedule(dynamic, 1) reduction(+ : samples)
    for (int i = 0; i < r->nrows; i++) {
#ifdef _OPENMP
        float *c = r->rowbuf + (size_t)omp_get_thread_num() * 8 * (size_t)N;
#else
        float *c = r->rowbuf;
#endif
        samples += render_row(r, r->planes + i * plane, ly, lz, r->qlo, r->qhi, c);
        float *out = image + (int64_t)r->row[i] * N * 4;
        for (int q = 0; q < N; q++) {
            out[4 * q + 0] = c[q];
            out[4 * q + 1] = c[N + q];
            out[4 * q + 2] = c[2 * N + q];
            out[4 * q + 3] = c[3 * N + q];
        }
    }
    return samples;
}
