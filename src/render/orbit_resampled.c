/* The fast path: an orthographic orbit about a coordinate axis a without
 * elevation.  Every sample of image row r lies on the plane normal to a at
 * u_r (e_u is the unit vector of a whatever the angle), so the renderer
 * resamples this rank's slab along a once, into one plane per image row it
 * renders, and each view then needs only bilinear interpolation in those
 * planes: the same trilinear value as SPEC, with half the memory traffic.
 * A plane's two axes p0 < p1 are the other two cube axes in memory order
 * ((y, z) for x, (x, z) for y, (x, y) for z), so plane element (j, k) is
 * voxel row j, element k of the slab's own layout, and the kernel reads the
 * planes of every orbit the same way. */
#include "render_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vr/memory.h"
#include "vr/transfer.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#ifdef _OPENMP
#include <omp.h>
#endif

struct VrOrbitRenderer {
    int H, W, S;     /* rows, columns, samples per ray */
    int axis;        /* the orbit's axis a */
    int p0, p1;      /* the planes' axes, p0 < p1 */
    int64_t dims[3];
    VrBlock slab;
    int nrows;       /* image rows this rank renders */
    int *row;        /* row[i]: image row of plane i */
    int64_t n0, n1;  /* extent of each plane along p0, p1 */
    int64_t o0, o1;  /* global (p0, p1) index of plane element 0 */
    float *planes;   /* nrows * n0 * n1 floats */
    /* Scratch sized once, reused by every view. */
    AxisLine *ly, *lz;         /* per depth index: p0 and p1 index lines */
    int *qlo, *qhi;           /* per depth index: columns composited */
    float *rowbuf;            /* per thread: rowbuf_floats(W) floats */
    int nthreads;
};

/* The planes of all rows (45 MiB for 256^3, N = 180) do not fit in L3, and
 * a view reads each row's plane along slanted lines the hardware
 * prefetchers do not follow: the kernel was waiting on memory for much of
 * its time.  So while rendering one row it prefetches the next row's plane,
 * a little at every depth index, into L2 (1 MiB per core on the machines
 * measured).  Only planes up to this size: up to 384 KiB two planes fit in
 * L2; 1 MiB planes (512^2) do not, yet prefetching them still made the
 * kernel 24 % faster (512^3, N = 512, one and two ranks alike), as what
 * spills lands in L3 instead of coming from memory at the sample's turn.
 * Larger planes are left to the hardware. */
#ifndef VR_PREFETCH_PLANE_MAX
#define VR_PREFETCH_PLANE_MAX (1536 * 1024)
#endif
#if defined(__GNUC__)
#define VR_PREFETCH_L2(p) __builtin_prefetch((p), 0, 2)
#else
#define VR_PREFETCH_L2(p) ((void)(p))
#endif

/* Grid index of image row r along the orbit's axis a, and whether this
 * rank renders it. */
static int row_is_mine(const VrBlock *slab, const int64_t dims[3], int a, const VrView *view,
                       int r, double *fx)
{
    *fx = vr_grid_index(vr_camera_coord(r, view->H, view->width_u), dims[a]);
    if (!(*fx >= -VR_EDGE_TOL && *fx <= (double)(dims[a] - 1) + VR_EDGE_TOL))
        return 0;
    if (vr_block_empty(slab))
        return 0;
    if (slab->own_lo[a] == 0 && *fx < 0.0)
        return 1;
    return *fx >= (double)slab->own_lo[a] &&
           (slab->own_hi[a] == dims[a] || *fx < (double)slab->own_hi[a]);
}

static int count_rows(const VrBlock *slab, const int64_t dims[3], const VrView *view)
{
    int n = 0;
    double fx;
    for (int r = 0; r < view->H; r++)
        n += row_is_mine(slab, dims, view->orbit_axis, view, r, &fx);
    return n;
}

int vr_orbit_rows_inside(const int64_t dims[3], const VrView *view)
{
    VrBlock all;
    vr_block_whole(dims, &all);
    return count_rows(&all, dims, view);
}

int64_t vr_orbit_estimate_bytes(const int64_t dims[3], const VrBlock *slab, const VrView *view)
{
    int64_t start[3], ext[3];
    vr_decomp_block(slab, dims, start, ext);
    const int a = view->orbit_axis, p0 = a == 0 ? 1 : 0, p1 = a == 2 ? 1 : 2;
    return (int64_t)count_rows(slab, dims, view) * ext[p0] * ext[p1] * (int64_t)sizeof(float);
}

int64_t vr_orbit_renderer_bytes(const VrOrbitRenderer *r)
{
    return r ? (int64_t)r->nrows * r->n0 * r->n1 * (int64_t)sizeof(float) : 0;
}

void vr_orbit_renderer_free(VrOrbitRenderer *r)
{
    if (!r)
        return;
    free(r->row);
    vr_free_large(r->planes);
    free(r->ly);
    free(r->lz);
    free(r->qlo);
    free(r->qhi);
    free(r->rowbuf);
    free(r);
}

/* Per thread row buffer: 4 x N floats of colour (r, g, b, T), then four
 * scratch arrays of N floats rounded up to 16 plus 16, so that the AVX-512
 * kernel may read and write whole vectors past the last column. */
static int64_t rowbuf_floats(int N)
{
    return 4 * (int64_t)N + 4 * (((int64_t)N + 15) / 16 * 16 + 16);
}

/* plane = (1 - w) * a + w * b over n floats. */
static void lerp_planes(float *restrict plane, const float *restrict a,
                        const float *restrict b, float w, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        plane[i] = a[i] + w * (b[i] - a[i]);
}

/* The first of the two slab planes (local index along a) that row `row`
 * interpolates between, and the weight of the second. */
static int64_t slab_plane_of_row(const VrVolume *vol, const VrView *view, int row, float *w)
{
    const int a = view->orbit_axis;
    double fx;
    row_is_mine(&vol->slab, vol->dims, a, view, row, &fx);
    /* fx may lie a hair below 0 (see VR_EDGE_TOL): truncate, not floor. */
    int64_t ix = (int64_t)fx;
    *w = (float)(fx - (double)ix);
    ix -= vol->start[a];
    if (ix > vol->count[a] - 2) { /* fx on the last plane held */
        ix = vol->count[a] - 2;
        *w = 1.0f;
    }
    return ix;
}

/* Plane p of the orbit about y or z: the slab interpolated at local index
 * ix + w along a, in the slab's own (p0, p1) order. */
static void build_plane_strided(const VrVolume *vol, int a, int64_t ix, float w,
                                float *restrict plane)
{
    const int64_t cx = vol->count[0], cy = vol->count[1], cz = vol->count[2];
    const float *d = vol->data;
    if (a == 1) { /* plane[i][k] = D[i][ix..ix+1][k] */
        for (int64_t i = 0; i < cx; i++)
            lerp_planes(plane + i * cz, d + (i * cy + ix) * cz, d + (i * cy + ix + 1) * cz, w,
                        cz);
    } else { /* a == 2: plane[i][j] = D[i][j][ix..ix+1] */
        for (int64_t ij = 0; ij < cx * cy; ij++) {
            const float *v = d + ij * cz + ix;
            plane[ij] = v[0] + w * (v[1] - v[0]);
        }
    }
}

int vr_orbit_renderer_create(VrVolume *vol, const VrView *view, VrOrbitRenderer **out,
                             VrError *err)
{
    int rc = VR_OK;
    *out = NULL;
    VrOrbitRenderer *r = calloc(1, sizeof *r);
    VR_CHECK(r, VR_ERR_NOMEM, err, "cannot allocate the renderer");
    const int a = view->orbit_axis, W = view->W, S = view->S;
    r->H = view->H;
    r->W = W;
    r->S = S;
    r->axis = a;
    r->p0 = a == 0 ? 1 : 0;
    r->p1 = a == 2 ? 1 : 2;
    memcpy(r->dims, vol->dims, sizeof r->dims);
    r->slab = vol->slab;
    r->n0 = vol->count[r->p0];
    r->n1 = vol->count[r->p1];
    r->o0 = vol->start[r->p0];
    r->o1 = vol->start[r->p1];
    r->nrows = count_rows(&vol->slab, vol->dims, view);
    const int64_t plane = r->n0 * r->n1;
    VR_CHECK(plane < INT32_MAX - r->n1, VR_ERR_NOMEM, err,
             "a %lld x %lld plane per image row is too large for the kernel; use "
             "more ranks", (long long)r->n0, (long long)r->n1);
    if (r->nrows > 0) {
        r->row = malloc((size_t)r->nrows * sizeof *r->row);
        r->planes = vr_alloc_large((size_t)(r->nrows * plane) * sizeof(float));
        VR_CHECK(r->row && r->planes, VR_ERR_NOMEM, err,
                 "cannot allocate %.1f MiB for the resampled slab",
                 (double)vr_orbit_renderer_bytes(r) / 1048576.0);
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
    r->rowbuf = malloc((size_t)r->nthreads * (size_t)rowbuf_floats(W) * sizeof(float));
    VR_CHECK(r->ly && r->lz && r->qlo && r->qhi && r->rowbuf, VR_ERR_NOMEM, err,
             "cannot allocate the renderer's scratch buffers");
    int i = 0;
    for (int row = 0; row < view->H; row++) {
        double fx;
        if (row_is_mine(&vol->slab, vol->dims, a, view, row, &fx))
            r->row[i++] = row;
    }
    if (a != 0) {
        /* About y or z the slab's planes along a are not contiguous, so
         * the slab is kept whole until every plane is built. */
#pragma omp parallel for schedule(dynamic, 1)
        for (int p = 0; p < r->nrows; p++) {
            float w;
            const int64_t ix = slab_plane_of_row(vol, view, r->row[p], &w);
            build_plane_strided(vol, a, ix, w, r->planes + p * plane);
        }
        *out = r;
        return VR_OK;
    }
    /* Rows come in increasing x, so the slab is consumed front to back:
     * blocks of rows are built by the threads (which also first-touch the
     * planes' pages), and after each block the slab planes no later row
     * needs are given back, for the next blocks' planes to reuse. */
    const int block = 16;
    size_t released = 0;
    for (int b0 = 0; b0 < r->nrows; b0 += block) {
        const int b1 = b0 + block < r->nrows ? b0 + block : r->nrows;
#pragma omp parallel for schedule(dynamic, 1)
        for (int p = b0; p < b1; p++) {
            float w;
            const int64_t ix = slab_plane_of_row(vol, view, r->row[p], &w);
            lerp_planes(r->planes + p * plane, vol->data + ix * plane,
                        vol->data + (ix + 1) * plane, w, plane);
        }
        if (b1 < r->nrows) {
            float w;
            const size_t keep = (size_t)slab_plane_of_row(vol, view, r->row[b1], &w) *
                                (size_t)plane * sizeof(float);
            if (keep > released) {
                vr_release_pages(vol->data, released, keep);
                released = keep;
            }
        }
    }
    *out = r;
    r = NULL;
cleanup:
    vr_orbit_renderer_free(r);
    return rc;
}

/* Composites, back to front, the samples s = 0..S-1 of one image row on
 * its resampled plane into the row buffers c (4 x N floats: r, g, b, T;
 * then 4 x N floats of scratch), prefetching the plane `next` (or NULL) of
 * the row to come.  For a fixed depth the columns q are independent, so
 * each depth is three passes over its columns: positions (vectorised), the
 * bilinear fetch (scalar: on this hardware four scalar loads beat vector
 * gathers), transfer function and "over" (vectorised).  The portable
 * kernel; render_row_avx512 replaces it where AVX-512 is available. */
#if !defined(__AVX512F__)
static int64_t render_row(const VrOrbitRenderer *r, const float *plane, const float *next,
                          const AxisLine *ly, const AxisLine *lz,
                          const int *qlo, const int *qhi, const VrTfTable *tf, float k,
                          float *c)
{
    const int N = r->W;
    float *restrict cr = c, *restrict cg = c + N, *restrict cb = c + 2 * N,
                    *restrict ct = c + 3 * N;
    int32_t *restrict at = (int32_t *)(c + 4 * N);
    float *restrict wy = c + 5 * N, *restrict wz = c + 6 * N, *restrict rho = c + 7 * N;
    for (int q = 0; q < N; q++) {
        cr[q] = cg[q] = cb[q] = 0.0f;
        ct[q] = 1.0f;
    }
    /* Plane indices fit in 32 bits (checked when the planes were built). */
    const int32_t nz = (int32_t)r->n1;
    const int32_t jmax = (int32_t)r->n0 - 2, kmax = (int32_t)r->n1 - 2;
    const int32_t y0 = (int32_t)r->o0, z0 = (int32_t)r->o1;
    const char *pf = (const char *)next;
    const int64_t pf_lines = next ? (r->n0 * r->n1 * (int64_t)sizeof(float) + 63) / 64 : 0;
    const int64_t pf_step = (pf_lines + r->S - 1) / r->S;
    int64_t pf_done = 0;
    int64_t samples = 0;
    for (int s = 0; s < r->S; s++) {
        for (int64_t l = 0; l < pf_step && pf_done < pf_lines; l++, pf_done++)
            VR_PREFETCH_L2(pf + 64 * pf_done);
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
            const VrSample smp = tf->reference ? vr_transfer_sample(rho[q])
                                               : vr_tf_table_sample(tf, rho[q], k);
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
#endif

#if defined(__AVX512F__)

/* Positions along one axis for 16 columns q = q0 .. q0 + 15 in fixed
 * point.  f(q) = A + q B is computed in double (line_at's expression) only
 * for q0, split into floor and fraction; the 16 lanes add l B (l = 0..15)
 * to the fraction as integers in units of 2^-VR_FIX_BITS.  Compared with
 * converting 16 doubles, this is a handful of integer operations, and the
 * positions differ from A + q B by < 2^-VR_FIX_BITS + 16 ulp(B) ~ 1e-7 of a
 * cell: below the float rounding of the weights themselves, and harmless
 * near a grid plane (the bilinear value is continuous; axis16 clamps into
 * the planes).  Offsets stay below 2^31: |frac + l B| < 1 + 15 |B|, and
 * |B| <= N / (N - 1) <= 2. */
#define VR_FIX_BITS 24

typedef struct {
    double A, B;
    __m512i step; /* l B 2^VR_FIX_BITS, rounded */
} Fix16;

static inline Fix16 fix16_line(const AxisLine *l)
{
    Fix16 f;
    f.A = l->A;
    f.B = l->B;
    const __m512d iota = _mm512_set_pd(7, 6, 5, 4, 3, 2, 1, 0);
    const __m512d scale = _mm512_set1_pd(l->B * (double)(1 << VR_FIX_BITS));
    const __m256i lo = _mm512_cvtpd_epi32(_mm512_mul_pd(iota, scale));
    const __m256i hi = _mm512_cvtpd_epi32(
        _mm512_mul_pd(_mm512_add_pd(iota, _mm512_set1_pd(8.0)), scale));
    f.step = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
    return f;
}

/* Local cell index and weight of the 16 points, clamped to the cells
 * [0, cmax] of a plane whose first element has global index o: a point on
 * the last plane (local index cmax + 1) uses the cell below with weight 1,
 * one a hair below the first plane (the edge tolerance) the first cell
 * with weight 0. */
static inline void axis16(const Fix16 *l, int q0, int32_t o, int32_t cmax, __m512i *idx,
                          __m512 *w)
{
    const double f0 = l->A + (double)q0 * l->B;
    const double i0 = floor(f0);
    const __m512i off = _mm512_add_epi32(
        _mm512_set1_epi32((int32_t)((f0 - i0) * (double)(1 << VR_FIX_BITS))), l->step);
    const __m512i i = _mm512_add_epi32(_mm512_srai_epi32(off, VR_FIX_BITS),
                                       _mm512_set1_epi32((int32_t)i0 - o));
    __m512 f = _mm512_mul_ps(
        _mm512_cvtepi32_ps(_mm512_and_si512(off, _mm512_set1_epi32((1 << VR_FIX_BITS) - 1))),
        _mm512_set1_ps(1.0f / (float)(1 << VR_FIX_BITS)));
    const __m512i hi = _mm512_set1_epi32(cmax);
    f = _mm512_mask_blend_ps(_mm512_cmpgt_epi32_mask(i, hi), f, _mm512_set1_ps(1.0f));
    f = _mm512_mask_blend_ps(_mm512_cmplt_epi32_mask(i, _mm512_setzero_si512()), f,
                             _mm512_setzero_ps());
    *idx = _mm512_min_epi32(_mm512_max_epi32(i, _mm512_setzero_si512()), hi);
    *w = f;
}

/* render_row with AVX-512 intrinsics, used whenever the compiler targets
 * AVX-512 (render_row is the portable fallback, e.g. with -DVR_NATIVE=OFF).
 * Per depth index, three loops over the columns, 16 at a time: positions
 * (axis16) into scratch arrays; the bilinear fetch (load_pairs8) into rho;
 * the transfer function (vr_transfer_sample16) and "over" into the row's
 * colour.  Split, each loop's iterations are independent and short, so
 * the core overlaps several: fused into one, the chain of a vector
 * (positions, loads, log, exp, over: ~150 cycles) was longer than the
 * out-of-order window could hide, and the kernel ran 15-25% slower.
 * Uses 4 x (N rounded up to 16, + 16) floats of scratch after the colour
 * (rowbuf_floats): whole vectors are read and written past q1. */
static inline __attribute__((always_inline)) int64_t
render_row_avx512(const VrOrbitRenderer *r, const float *plane, const float *next,
                  const AxisLine *ly, const AxisLine *lz, const int *qlo, const int *qhi,
                  const int reference, const VrTfTable *table, float k, float *c)
{
    const int N = r->W;
    float *restrict cr = c, *restrict cg = c + N, *restrict cb = c + 2 * N,
                    *restrict ct = c + 3 * N;
    const int64_t pad = (N + 15) / 16 * 16 + 16;
    float *restrict rho = c + 4 * N, *restrict wya = rho + pad, *restrict wza = wya + pad;
    int32_t *restrict ata = (int32_t *)(wza + pad);
    for (int q = 0; q < N; q++) {
        cr[q] = cg[q] = cb[q] = 0.0f;
        ct[q] = 1.0f;
    }
    const int32_t nz = (int32_t)r->n1;
    const int32_t jmax = (int32_t)r->n0 - 2, kmax = (int32_t)r->n1 - 2;
    const int32_t y0 = (int32_t)r->o0, z0 = (int32_t)r->o1;
    const VrTransfer16 tf = vr_transfer16_init();
    const VrTfTable16 tft = vr_tf_table16_init(table, k);
    /* Pairs (p[0], p[1]) become (p00, p01) by even / odd lanes. */
    const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
    const __m512i nzv = _mm512_set1_epi32(nz);
    const char *pf = (const char *)next;
    const int64_t pf_lines = next ? (r->n0 * r->n1 * (int64_t)sizeof(float) + 63) / 64 : 0;
    const int64_t pf_step = (pf_lines + r->S - 1) / r->S;
    int64_t pf_done = 0;
    int64_t samples = 0;
    for (int s = 0; s < r->S; s++) {
        /* Pull the next row's plane towards L2 while this one is rendered
         * (see VR_PREFETCH_PLANE_MAX): what the spread prefetches of the
         * third loop have not yet done of s / S of it. */
        for (; pf_done < pf_lines && pf_done < s * pf_step; pf_done++)
            _mm_prefetch(pf + 64 * pf_done, _MM_HINT_T1);
        const int q0 = qlo[s], q1 = qhi[s];
        const Fix16 fy = fix16_line(&ly[s]), fz = fix16_line(&lz[s]);
        for (int q = q0; q < q1; q += 16) {
            __m512i j, k;
            __m512 wy, wz;
            axis16(&fy, q, y0, jmax, &j, &wy);
            axis16(&fz, q, z0, kmax, &k, &wz);
            /* Every lane, live or not, is clamped inside the plane. */
            _mm512_storeu_si512(ata + q, _mm512_add_epi32(_mm512_mullo_epi32(j, nzv), k));
            _mm512_storeu_ps(wya + q, wy);
            _mm512_storeu_ps(wza + q, wz);
        }
        for (int q = q0; q < q1; q += 16) {
            __m512 a0, a1, b0, b1;
            load_pairs8(plane, nz, ata + q, &a0, &b0);
            load_pairs8(plane, nz, ata + q + 8, &a1, &b1);
            const __m512 p00 = _mm512_permutex2var_ps(a0, even, a1);
            const __m512 p01 = _mm512_permutex2var_ps(a0, odd, a1);
            const __m512 p10 = _mm512_permutex2var_ps(b0, even, b1);
            const __m512 p11 = _mm512_permutex2var_ps(b0, odd, b1);
            const __m512 wy = _mm512_loadu_ps(wya + q), wz = _mm512_loadu_ps(wza + q);
            const __m512 v0 = _mm512_fmadd_ps(wz, _mm512_sub_ps(p01, p00), p00);
            const __m512 v1 = _mm512_fmadd_ps(wz, _mm512_sub_ps(p11, p10), p10);
            _mm512_storeu_ps(rho + q, _mm512_fmadd_ps(wy, _mm512_sub_ps(v1, v0), v0));
        }
        /* The table path first locates every sample's nodes (into the
         * scratch the positions used), so the loop below loads them from
         * memory written a loop earlier, not from the vector just made. */
        if (!reference)
            for (int q = q0; q < q1; q += 16) {
                __m512i off;
                __m512 w;
                vr_tf_table_locate16(&tft, _mm512_loadu_ps(rho + q), &off, &w);
                _mm512_storeu_si512(ata + q, off);
                _mm512_storeu_ps(wya + q, w);
            }
        for (int q = q0; q < q1; q += 16) {
            const int left = q1 - q;
            const __mmask16 m = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
            /* Prefetches spread over the loop with most arithmetic per load
             * (the one at the top of the s loop catches up on what is
             * left); issued in bursts they stall on the core's limit of
             * outstanding misses. */
            if (pf_done + 2 <= pf_lines) {
                _mm_prefetch(pf + 64 * pf_done, _MM_HINT_T1);
                _mm_prefetch(pf + 64 * pf_done + 64, _MM_HINT_T1);
                pf_done += 2;
            }
            const VrSample16 smp =
                reference ? vr_transfer_sample16(&tf, _mm512_loadu_ps(rho + q))
                          : vr_tf_table_fetch16(&tft, ata + q, _mm512_loadu_ps(wya + q));
            const __m512 keep = _mm512_sub_ps(_mm512_set1_ps(1.0f), smp.a);
            if (m == 0xffff) {
                _mm512_storeu_ps(cr + q, _mm512_fmadd_ps(keep, _mm512_loadu_ps(cr + q), smp.ar));
                _mm512_storeu_ps(cg + q, _mm512_fmadd_ps(keep, _mm512_loadu_ps(cg + q), smp.ag));
                _mm512_storeu_ps(cb + q, _mm512_fmadd_ps(keep, _mm512_loadu_ps(cb + q), smp.ab));
                _mm512_storeu_ps(ct + q, _mm512_mul_ps(keep, _mm512_loadu_ps(ct + q)));
            } else {
                _mm512_mask_storeu_ps(cr + q, m, _mm512_fmadd_ps(keep, _mm512_maskz_loadu_ps(m, cr + q), smp.ar));
                _mm512_mask_storeu_ps(cg + q, m, _mm512_fmadd_ps(keep, _mm512_maskz_loadu_ps(m, cg + q), smp.ag));
                _mm512_mask_storeu_ps(cb + q, m, _mm512_fmadd_ps(keep, _mm512_maskz_loadu_ps(m, cb + q), smp.ab));
                _mm512_mask_storeu_ps(ct + q, m, _mm512_mul_ps(keep, _mm512_maskz_loadu_ps(m, ct + q)));
            }
        }
        samples += q1 - q0;
    }
    return samples;
}

/* The two transfer-function paths, each compiled on its own so the
 * reference's stays exactly what it was. */
static int64_t render_row_reference(const VrOrbitRenderer *r, const float *plane,
                                    const float *next, const AxisLine *ly,
                                    const AxisLine *lz, const int *qlo, const int *qhi,
                                    const VrTfTable *tf, float k, float *c)
{
    return render_row_avx512(r, plane, next, ly, lz, qlo, qhi, 1, tf, k, c);
}

static int64_t render_row_table(const VrOrbitRenderer *r, const float *plane, const float *next,
                                const AxisLine *ly, const AxisLine *lz, const int *qlo,
                                const int *qhi, const VrTfTable *tf, float k, float *c)
{
    return render_row_avx512(r, plane, next, ly, lz, qlo, qhi, 0, tf, k, c);
}

static int64_t render_row(const VrOrbitRenderer *r, const float *plane, const float *next,
                          const AxisLine *ly, const AxisLine *lz, const int *qlo,
                          const int *qhi, const VrTfTable *tf, float k, float *c)
{
    return tf->reference ? render_row_reference(r, plane, next, ly, lz, qlo, qhi, tf, k, c)
                         : render_row_table(r, plane, next, ly, lz, qlo, qhi, tf, k, c);
}
#endif

/* Depth index s of the view: the lines of p0 and p1 indices along an
 * image row, and the interval [*q0, *q1) of columns the slab composites
 * (the same for every row).  Along plane axis p the sample (s, q) is at
 * world coordinate v_s e_v[p] + w_q e_w[p], w_q = c0 + q h.  (About x
 * that is Y = v cos t - w sin t, Z = v sin t + w cos t, bit for bit the
 * reference's expression: e_w[1] = -sin t exactly.)  The kernel and the
 * cost model (vr_orbit_plane_samples) both take their lines from here. */
static void depth_lines(const VrBlock *slab, const int64_t dims[3], const VrView *view, int s,
                        AxisLine *ly, AxisLine *lz, int *q0, int *q1)
{
    const int N = view->W, S = view->S, a = view->orbit_axis;
    const int p0 = a == 0 ? 1 : 0, p1 = a == 2 ? 1 : 2;
    const double h = view->width_w / (double)(N - 1); /* column spacing */
    const double c0 = -0.5 * view->width_w;           /* first column coordinate */
    const double sy = (double)(dims[p0] - 1) / (double)dims[p0];
    const double sz = (double)(dims[p1] - 1) / (double)dims[p1];
    const double v = vr_camera_coord(s, S, view->depth);
    vr_axis_limits(slab, dims, p0, ly);
    vr_axis_limits(slab, dims, p1, lz);
    ly->A = (v * view->ev[p0] + c0 * view->ew[p0] + 0.5 * (double)dims[p0]) * sy;
    ly->B = h * view->ew[p0] * sy;
    lz->A = (v * view->ev[p1] + c0 * view->ew[p1] + 0.5 * (double)dims[p1]) * sz;
    lz->B = h * view->ew[p1] * sz;
    int a0, a1, b0, b1;
    vr_line_interval(ly, N, &a0, &a1);
    vr_line_interval(lz, N, &b0, &b1);
    *q0 = a0 > b0 ? a0 : b0;
    *q1 = a1 < b1 ? a1 : b1;
    if (*q1 < *q0)
        *q1 = *q0;
}

/* The kernel's samples per plane without rendering.  A block renders
 * the image rows whose grid index f_r along the orbit's axis a lies in it
 * (row_is_mine), and at depth s of each of them the columns [q0, q1) of
 * depth_lines, the same for every row: the count is separable.  Along a,
 * each row's samples go to plane floor(f_r); along a plane axis p, the
 * columns split at the planes of p where their line crosses them
 * (vr_line_plane_counts), times the rows. */
void vr_orbit_box_samples(const int64_t dims[3], const VrBlock *b, int axis, const VrView *view,
                          int r0, int r1, int step, int64_t weight, int64_t *count)
{
    const int a = view->orbit_axis, S = view->S;
    int64_t rows = 0;
    double fx;
    for (int row = r0; row < r1; row += step)
        rows += row_is_mine(b, dims, a, view, row, &fx);
    if (rows == 0)
        return;
    if (axis == a) {
        int64_t per_row = 0;
        for (int s = 0; s < S; s++) {
            AxisLine ly, lz;
            int q0, q1;
            depth_lines(b, dims, view, s, &ly, &lz, &q0, &q1);
            per_row += q1 - q0;
        }
        for (int row = r0; row < r1; row += step)
            if (row_is_mine(b, dims, a, view, row, &fx)) {
                int64_t p = fx < 0.0 ? 0 : (int64_t)fx;
                p = p > dims[a] - 1 ? dims[a] - 1 : p;
                count[p - b->own_lo[a]] += weight * per_row;
            }
        return;
    }
    const int p0 = a == 0 ? 1 : 0;
    for (int s = 0; s < S; s++) {
        AxisLine ly, lz;
        int q0, q1;
        depth_lines(b, dims, view, s, &ly, &lz, &q0, &q1);
        vr_line_plane_counts(axis == p0 ? &ly : &lz, q0, q1, dims[axis], b->own_lo[axis],
                             weight * rows, count);
    }
}

int64_t vr_orbit_render(VrOrbitRenderer *r, const VrView *view, const VrTfTable *tf,
                        float *image)
{
    const int H = r->H, N = r->W, S = r->S;
    for (int64_t p = 0; p < (int64_t)H * N; p++) {
        image[4 * p + 0] = image[4 * p + 1] = image[4 * p + 2] = 0.0f;
        image[4 * p + 3] = 1.0f;
    }
    if (r->nrows == 0)
        return 0;

    /* Per depth index: the lines of p0 and p1 indices along a row, and
     * the interval of columns this rank composites (depth_lines). */
    AxisLine *ly = r->ly, *lz = r->lz;
    for (int s = 0; s < S; s++)
        depth_lines(&r->slab, r->dims, view, s, &ly[s], &lz[s], &r->qlo[s], &r->qhi[s]);

    /* Samples along a ray are one depth spacing apart (world units). */
    const float k = vr_tf_step_exponent(tf, view->depth / (double)(S - 1));
    int64_t samples = 0;
    const int64_t plane = r->n0 * r->n1;
    /* Rows are handed out one at a time, as schedule(dynamic, 1) would (a
     * thread slowed by other jobs on its core takes fewer), but each thread
     * claims its next row before rendering the current one, so that it
     * knows which plane to prefetch. */
    const int prefetch = plane * (int64_t)sizeof(float) <= VR_PREFETCH_PLANE_MAX;
    int claimed = 0;
#pragma omp parallel reduction(+ : samples)
    {
#ifdef _OPENMP
        float *c = r->rowbuf + (size_t)omp_get_thread_num() * (size_t)rowbuf_floats(N);
#else
        float *c = r->rowbuf;
#endif
        int i, next_i;
#pragma omp atomic capture
        i = claimed++;
        for (; i < r->nrows; i = next_i) {
#pragma omp atomic capture
            next_i = claimed++;
            const float *next =
                prefetch && next_i < r->nrows ? r->planes + next_i * plane : NULL;
            samples += render_row(r, r->planes + i * plane, next, ly, lz, r->qlo, r->qhi,
                                  tf, k, c);
            float *out = image + (int64_t)r->row[i] * N * 4;
            for (int q = 0; q < N; q++) {
                out[4 * q + 0] = c[q];
                out[4 * q + 1] = c[N + q];
                out[4 * q + 2] = c[2 * N + q];
                out[4 * q + 3] = c[3 * N + q];
            }
        }
    }
    return samples;
}
