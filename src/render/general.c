/* The general kernel: trilinear sampling of this rank's slab at SPEC's
 * positions, for any view (any direction; orthographic or perspective).
 *
 * Every ray is a line of samples P(s) = base + v_s step (camera.h,
 * vr_camera_ray), so along each cube axis its grid index is the line
 *     f(s) = G + s H,  G = (base + v_0 step + n/2) (n-1)/n,
 *                      H = dv step (n-1)/n,
 * with v_s = v_0 + s dv the depth points.  Ownership: for every ray the
 * rank composites the s with f(s) inside the cube along all three axes and
 * within its half-open slab along the decomposition axis, an interval
 * [s0, s1) found with that very expression (vr_line_interval), so the
 * ranks' sets partition the samples exactly, whatever the rounding.
 *
 * Positions: f(s) in 32.32 fixed point, G and H rounded once per ray and
 * s H added as integers, so a sample's position does not depend on where
 * a rank starts along the ray (the same bits on every rank) and differs
 * from f(s) by under 2^-32 (1 + s/2) < 1e-7 of a cell.  A position a hair
 * outside the rank's block (an owned sample just below the slab's upper
 * end, or on the cube's last plane) is clamped into the block's cells with
 * weight 0 or 1: the trilinear value is continuous, so that is the value
 * at the boundary.
 *
 * The layout is the slab as read ([x][y][z], z contiguous, with its ghost
 * plane): the two z-neighbours of a corner are adjacent, so the 8 corners
 * are 4 paired 64-bit loads.  The AVX-512 path casts 16 rays at once (16
 * neighbouring columns of one image row, one lane each) and walks them
 * from the back, lanes outside their own interval masked; the packets of
 * a 16 x 16 pixel tile advance together, one depth segment at a time
 * (vr_general_render), and the tiles go to the threads. */
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

struct VrGeneralRenderer {
    int H, W, S;
    int64_t dims[3];
    VrBlock slab;
    float *data;        /* the slab, owned */
    int64_t start[3];   /* global index of block element 0 */
    int64_t count[3];   /* block extent */
    int32_t sx, sy;     /* strides of x and y in the block */
};

/* Rays per packet; packets per image tile and samples per depth segment
 * (see vr_general_render). */
#define VR_LANES 16
#define VR_TILE_ROWS 16
#define VR_SEGMENT 32
/* Planes copied into the layout between two releases of slab pages. */
#define VR_COPY_PLANES 4

void vr_general_renderer_free(VrGeneralRenderer *r)
{
    if (!r)
        return;
    vr_free_large(r->data);
    free(r);
}

/* The layout's strides (floats) for a block of extents count[3]: rows of
 * z padded to an odd number of cache lines where they fill an even number,
 * and planes of x likewise.  The slab as read has strides that are powers
 * of two for power-of-two cubes (1 KiB rows, 256 KiB planes at 256^3), so
 * the corners of 16 rays lying along x or y (one lane each) all fell into
 * the same few sets of L1 and L2 and evicted one another: 256^3 oblique
 * views rendered at 140-170 M samples/s where the image rows ran along x
 * and at 230-240 where they ran along y; 512^3 at ~140 every way. */
static void layout_strides(const int64_t count[3], int64_t *sx, int64_t *sy)
{
    const int64_t line = 16; /* floats per 64-byte line */
    *sy = count[2] % line == 0 && (count[2] / line) % 2 == 0 ? count[2] + line : count[2];
    const int64_t plane = count[1] * *sy;
    *sx = plane % line == 0 && (plane / line) % 2 == 0 ? plane + line : plane;
}

/* Floats of the layout: every plane but the last at its padded stride. */
static int64_t layout_floats(const int64_t count[3], int64_t sx, int64_t sy)
{
    return count[0] > 0 ? (count[0] - 1) * sx + count[1] * sy : 0;
}

int64_t vr_general_estimate_bytes(const int64_t dims[3], const VrBlock *slab)
{
    int64_t start[3], count[3], sx, sy;
    vr_decomp_block(slab, dims, start, count);
    layout_strides(count, &sx, &sy);
    const int64_t slab_floats = count[0] * count[1] * count[2];
    if (sx == count[1] * count[2] && sy == count[2])
        return 0; /* the slab itself */
    /* The layout beyond the slab, and while it is built: the slab's
     * planes not yet given back (VR_COPY_PLANES of them, and two huge
     * pages that straddle what was copied). */
    return (layout_floats(count, sx, sy) - slab_floats) * 4 +
           VR_COPY_PLANES * count[1] * count[2] * 4 + 2 * 2097152;
}

int vr_general_renderer_create(VrVolume *vol, const VrView *view, VrGeneralRenderer **out,
                               VrError *err)
{
    *out = NULL;
    VrGeneralRenderer *r = calloc(1, sizeof *r);
    if (!r)
        return vr_fail(err, VR_ERR_NOMEM, "cannot allocate the renderer");
    r->H = view->H;
    r->W = view->W;
    r->S = view->S;
    memcpy(r->dims, vol->dims, sizeof r->dims);
    memcpy(r->start, vol->start, sizeof r->start);
    memcpy(r->count, vol->count, sizeof r->count);
    r->slab = vol->slab;
    int64_t sx, sy;
    layout_strides(vol->count, &sx, &sy);
    const int64_t n = layout_floats(vol->count, sx, sy);
    if (n >= INT32_MAX - 2 * sx) {
        free(r);
        return vr_fail(err, VR_ERR_NOMEM,
                       "this rank's block (%lld x %lld x %lld) is too large for the "
                       "general kernel's 32-bit offsets; use more ranks",
                       (long long)vol->count[0], (long long)vol->count[1],
                       (long long)vol->count[2]);
    }
    r->sx = (int32_t)sx;
    r->sy = (int32_t)sy;
    const int64_t ny = vol->count[1], nz = vol->count[2], plane = ny * nz;
    if (n == 0 || (sx == plane && sy == nz)) {
        r->data = vol->data; /* taken over: the layout is the slab itself */
        vol->data = NULL;
        *out = r;
        return VR_OK;
    }
    r->data = vr_alloc_large((size_t)n * sizeof(float));
    if (!r->data) {
        free(r);
        return vr_fail(err, VR_ERR_NOMEM,
                       "cannot allocate %.3g MiB for the general kernel's layout of this "
                       "rank's block; use more ranks",
                       (double)n * 4.0 / 1048576.0);
    }
    /* Copied VR_COPY_PLANES planes at a time, the slab's pages that are
     * copied given back after each, so that the two together stay within
     * the slab plus the padding (vr_general_estimate_bytes). */
    for (int64_t x0 = 0; x0 < vol->count[0]; x0 += VR_COPY_PLANES) {
        const int64_t x1 =
            x0 + VR_COPY_PLANES < vol->count[0] ? x0 + VR_COPY_PLANES : vol->count[0];
#pragma omp parallel for schedule(static)
        for (int64_t x = x0; x < x1; x++)
            for (int64_t y = 0; y < ny; y++) {
                float *dst = r->data + x * sx + y * sy;
                memcpy(dst, vol->data + x * plane + y * nz, (size_t)nz * sizeof(float));
                if (sy > nz)
                    memset(dst + nz, 0, (size_t)(sy - nz) * sizeof(float));
            }
        vr_release_pages(vol->data, 0, (size_t)(x1 * plane) * sizeof(float));
    }
    vr_free_large(vol->data);
    vol->data = NULL;
    *out = r;
    return VR_OK;
}

/* One ray: its lines per axis, the samples this rank composites along it
 * [*s0, *s1), and their fixed-point start and step. */
typedef struct {
    int64_t fix[3];     /* f(0) in 32.32 fixed point, per axis */
    int64_t step[3];    /* H in 32.32 */
    int s0, s1;
    float k;            /* opacity exponent of this ray's step (transfer.h) */
} Ray;

static int64_t to_fix(double x)
{
    return (int64_t)llrint(x * 4294967296.0);
}

static void setup_ray(const VrGeneralRenderer *r, const VrView *view, const VrTfTable *tf,
                      int row, int q, Ray *ray)
{
    double base[3], step[3];
    vr_camera_ray(view, row, q, base, step);
    const double dv = view->depth / (double)(r->S - 1);
    /* Samples dv |step| world units apart: dv for orthographic rays,
     * dv sqrt(1 + (u^2 + w^2) / d^2) for perspective ones. */
    ray->k = vr_tf_step_exponent(
        tf, dv * sqrt(step[0] * step[0] + step[1] * step[1] + step[2] * step[2]));
    int s0 = 0, s1 = r->S;
    for (int a = 0; a < 3; a++) {
        AxisLine l;
        vr_axis_limits(&r->slab, r->dims, a, &l);
        vr_ray_axis_line(view, r->dims, a, base, step, &l);
        int a0, a1;
        vr_line_interval(&l, r->S, &a0, &a1);
        s0 = a0 > s0 ? a0 : s0;
        s1 = a1 < s1 ? a1 : s1;
        ray->fix[a] = to_fix(l.A);
        ray->step[a] = to_fix(l.B);
    }
    ray->s0 = s0;
    ray->s1 = s1 > s0 ? s1 : s0;
}

#if !defined(__AVX512F__)
/* Local cell and weight along one axis of fixed-point position p,
 * clamped to the block's cells [0, cmax]. */
static inline int32_t cell_of(int64_t p, int64_t start, int32_t cmax, float *w)
{
    int64_t c = (p >> 32) - start;
    float f = (float)((uint32_t)p >> 8) * (1.0f / 16777216.0f);
    if (c > cmax) {
        c = cmax;
        f = 1.0f;
    } else if (c < 0) {
        c = 0;
        f = 0.0f;
    }
    *w = f;
    return (int32_t)c;
}

/* The portable path: one ray at a time, scalar, where AVX-512 is not
 * available. */
static int64_t render_ray_scalar(const VrGeneralRenderer *r, const Ray *ray,
                                 const VrTfTable *tf, float out[4])
{
    float cr = 0.0f, cg = 0.0f, cb = 0.0f, ct = 1.0f;
    const int32_t cmax[3] = {(int32_t)r->count[0] - 2, (int32_t)r->count[1] - 2,
                             (int32_t)r->count[2] - 2};
    for (int s = ray->s0; s < ray->s1; s++) {
        float w[3];
        int32_t c[3];
        for (int a = 0; a < 3; a++)
            c[a] = cell_of(ray->fix[a] + (int64_t)s * ray->step[a], r->start[a], cmax[a],
                           &w[a]);
        const float *p = r->data + c[0] * r->sx + c[1] * r->sy + c[2];
        const float *p1 = p + r->sx;
        const float c00 = p[0] + w[2] * (p[1] - p[0]);
        const float c01 = p[r->sy] + w[2] * (p[r->sy + 1] - p[r->sy]);
        const float c10 = p1[0] + w[2] * (p1[1] - p1[0]);
        const float c11 = p1[r->sy] + w[2] * (p1[r->sy + 1] - p1[r->sy]);
        const float c0 = c00 + w[1] * (c01 - c00), c1 = c10 + w[1] * (c11 - c10);
        const float rho = c0 + w[0] * (c1 - c0);
        const VrSample smp = tf->reference ? vr_transfer_sample(rho)
                                           : vr_tf_table_sample(tf, rho, ray->k);
        const float keep = 1.0f - smp.a;
        cr = smp.ar + keep * cr;
        cg = smp.ag + keep * cg;
        cb = smp.ab + keep * cb;
        ct = keep * ct;
    }
    out[0] = cr;
    out[1] = cg;
    out[2] = cb;
    out[3] = ct;
    return ray->s1 - ray->s0;
}
#endif

#if defined(__AVX512F__)

/* Fixed-point positions of 16 lanes along one axis: hi (integer part) and
 * lo (fraction, unsigned) of 32.32 numbers, stepped as 64-bit sums. */
typedef struct {
    __m512i hi, lo, dhi, dlo;
} Fix64x16;

static inline void fix_init(Fix64x16 *f, const int64_t p[VR_LANES],
                            const int64_t d[VR_LANES])
{
    int32_t hi[VR_LANES], dhi[VR_LANES];
    uint32_t lo[VR_LANES], dlo[VR_LANES];
    for (int l = 0; l < VR_LANES; l++) {
        hi[l] = (int32_t)(p[l] >> 32);
        lo[l] = (uint32_t)p[l];
        dhi[l] = (int32_t)(d[l] >> 32);
        dlo[l] = (uint32_t)d[l];
    }
    f->hi = _mm512_loadu_si512(hi);
    f->lo = _mm512_loadu_si512(lo);
    f->dhi = _mm512_loadu_si512(dhi);
    f->dlo = _mm512_loadu_si512(dlo);
}

static inline void fix_step(Fix64x16 *f)
{
    const __m512i lo = _mm512_add_epi32(f->lo, f->dlo);
    const __mmask16 carry = _mm512_cmplt_epu32_mask(lo, f->dlo);
    const __m512i hi = _mm512_add_epi32(f->hi, f->dhi);
    f->hi = _mm512_mask_add_epi32(hi, carry, hi, _mm512_set1_epi32(1));
    f->lo = lo;
}

/* Local cell (clamped to [0, cmax]) and weight of the 16 positions. */
static inline void fix_cell(const Fix64x16 *f, __m512i start, __m512i cmax, __m512i *c,
                            __m512 *w)
{
    const __m512i i = _mm512_sub_epi32(f->hi, start);
    __m512 x = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(f->lo, 8)),
                             _mm512_set1_ps(1.0f / 16777216.0f));
    x = _mm512_mask_blend_ps(_mm512_cmpgt_epi32_mask(i, cmax), x, _mm512_set1_ps(1.0f));
    x = _mm512_mask_blend_ps(_mm512_cmplt_epi32_mask(i, _mm512_setzero_si512()), x,
                             _mm512_setzero_ps());
    *c = _mm512_min_epi32(_mm512_max_epi32(i, _mm512_setzero_si512()), cmax);
    *w = x;
}

/* A packet's state between depth segments (see vr_general_render): its
 * lanes' fixed-point positions at sample s, their intervals, opacity
 * exponents and the colour composited so far. */
typedef struct {
    Fix64x16 fx, fy, fz;
    __m512i lo, hi;     /* [s0, s1) per lane */
    __m512 k;           /* opacity exponents (table path with a unit) */
    __m512 cr, cg, cb, ct;
    int s, smax;        /* next sample; end of the lanes' union */
    int live;
} Packet;

/* What every packet of one render shares. */
typedef struct {
    const VrGeneralRenderer *r;
    VrTransfer16 tf;    /* the reference's */
    VrTfTable16 tft;    /* the table's (k per packet where it has a unit) */
    int per_ray_k;
} PacketConsts;

/* Sets up the packet of rays (lanes l < live) at its first sample;
 * returns the samples it will composite. */
static int64_t packet_begin(const VrGeneralRenderer *r, const Ray *rays, int live,
                            Packet *pk)
{
    int smin = r->S, smax = 0;
    int64_t samples = 0;
    int32_t s0[VR_LANES], s1[VR_LANES];
    int64_t p[3][VR_LANES], d[3][VR_LANES];
    float k[VR_LANES];
    for (int l = 0; l < VR_LANES; l++) {
        const Ray *ray = &rays[l < live ? l : 0];
        s0[l] = l < live ? ray->s0 : 0;
        s1[l] = l < live ? ray->s1 : 0;
        k[l] = ray->k;
        if (s1[l] > s0[l]) {
            smin = s0[l] < smin ? s0[l] : smin;
            smax = s1[l] > smax ? s1[l] : smax;
            samples += s1[l] - s0[l];
        }
    }
    pk->live = live;
    pk->cr = pk->cg = pk->cb = _mm512_setzero_ps();
    pk->ct = _mm512_set1_ps(1.0f);
    if (smax <= smin) {
        pk->s = pk->smax = 0;
        return 0;
    }
    for (int l = 0; l < VR_LANES; l++) {
        const Ray *ray = &rays[l < live ? l : 0];
        for (int a = 0; a < 3; a++) {
            p[a][l] = ray->fix[a] + (int64_t)smin * ray->step[a];
            d[a][l] = ray->step[a];
        }
    }
    fix_init(&pk->fx, p[0], d[0]);
    fix_init(&pk->fy, p[1], d[1]);
    fix_init(&pk->fz, p[2], d[2]);
    pk->lo = _mm512_loadu_si512(s0);
    pk->hi = _mm512_loadu_si512(s1);
    pk->k = _mm512_loadu_ps(k);
    pk->s = smin;
    pk->smax = smax;
    return samples;
}

/* The 8 corners of 16 samples at offsets at[]: the float pairs p[at[l]],
 * p[at[l] + 1] of the four rows p = the cell's (x, y), (x, y + 1),
 * (x + 1, y) and (x + 1, y + 1) rows, as pairs of vectors of 8 64-bit
 * values (lanes 0-7, 8-15) in *x0y0, *x0y1, *x1y0, *x1y1.  Four lanes at a
 * time, each offset loaded once and used for its four loads, so that few
 * are live at once: taken a row at a time (load_pairs8) the compiler kept
 * all 16 in vector registers and moved each to a general one per use. */
static inline void load_corners16(const float *p00, const float *p01, const float *p10,
                                  const float *p11, const int32_t *at, __m512 x0y0[2],
                                  __m512 x0y1[2], __m512 x1y0[2], __m512 x1y1[2])
{
    __m256d a[4], b[4], e[4], f[4];
    for (int g = 0; g < 4; g++) {
        const int32_t i0 = at[4 * g], i1 = at[4 * g + 1], i2 = at[4 * g + 2],
                      i3 = at[4 * g + 3];
        a[g] = _mm256_insertf128_pd(_mm256_castpd128_pd256(load_pair2(p00, i0, i1)),
                                    load_pair2(p00, i2, i3), 1);
        b[g] = _mm256_insertf128_pd(_mm256_castpd128_pd256(load_pair2(p01, i0, i1)),
                                    load_pair2(p01, i2, i3), 1);
        e[g] = _mm256_insertf128_pd(_mm256_castpd128_pd256(load_pair2(p10, i0, i1)),
                                    load_pair2(p10, i2, i3), 1);
        f[g] = _mm256_insertf128_pd(_mm256_castpd128_pd256(load_pair2(p11, i0, i1)),
                                    load_pair2(p11, i2, i3), 1);
    }
    for (int h = 0; h < 2; h++) {
        x0y0[h] = _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castpd256_pd512(a[2 * h]), a[2 * h + 1], 1));
        x0y1[h] = _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castpd256_pd512(b[2 * h]), b[2 * h + 1], 1));
        x1y0[h] = _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castpd256_pd512(e[2 * h]), e[2 * h + 1], 1));
        x1y1[h] = _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castpd256_pd512(f[2 * h]), f[2 * h + 1], 1));
    }
}

/* Composites the packet's samples s < end (back to front), end - s <=
 * VR_SEGMENT, in three loops over the samples, like the fast path's rows:
 * positions (cells and weights) into scratch; the trilinear fetch into
 * rho; the transfer function and "over".  Split, each loop's iterations
 * are independent and short enough for the core to overlap several; fused
 * into one, the chain of one sample vector (positions, loads, log, exp,
 * over) was longer than the out-of-order window could hide. */
static inline __attribute__((always_inline)) void
packet_march(const PacketConsts *pc, Packet *pk, int end, const int reference)
{
    const VrGeneralRenderer *r = pc->r;
    if (end > pk->smax)
        end = pk->smax;
    const int s0 = pk->s, n = end - s0;
    if (n <= 0)
        return;
    int32_t at[VR_SEGMENT][VR_LANES] __attribute__((aligned(64)));
    float wxa[VR_SEGMENT][VR_LANES] __attribute__((aligned(64)));
    float wya[VR_SEGMENT][VR_LANES] __attribute__((aligned(64)));
    float wza[VR_SEGMENT][VR_LANES] __attribute__((aligned(64)));
    float rho[VR_SEGMENT][VR_LANES] __attribute__((aligned(64)));
    {
        Fix64x16 fx = pk->fx, fy = pk->fy, fz = pk->fz;
        const __m512i sx0 = _mm512_set1_epi32((int32_t)r->start[0]),
                      sy0 = _mm512_set1_epi32((int32_t)r->start[1]),
                      sz0 = _mm512_set1_epi32((int32_t)r->start[2]);
        const __m512i cx = _mm512_set1_epi32((int32_t)r->count[0] - 2),
                      cy = _mm512_set1_epi32((int32_t)r->count[1] - 2),
                      cz = _mm512_set1_epi32((int32_t)r->count[2] - 2);
        const __m512i vsx = _mm512_set1_epi32(r->sx), vsy = _mm512_set1_epi32(r->sy);
        for (int t = 0; t < n; t++) {
            __m512i i, j, k;
            __m512 wx, wy, wz;
            fix_cell(&fx, sx0, cx, &i, &wx);
            fix_cell(&fy, sy0, cy, &j, &wy);
            fix_cell(&fz, sz0, cz, &k, &wz);
            fix_step(&fx);
            fix_step(&fy);
            fix_step(&fz);
            _mm512_store_si512(at[t], _mm512_add_epi32(_mm512_add_epi32(_mm512_mullo_epi32(i, vsx),
                                                                        _mm512_mullo_epi32(j, vsy)),
                                                       k));
            _mm512_store_ps(wxa[t], wx);
            _mm512_store_ps(wya[t], wy);
            _mm512_store_ps(wza[t], wz);
        }
        pk->fx = fx;
        pk->fy = fy;
        pk->fz = fz;
    }
    {
        const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8,
                                              6, 4, 2, 0);
        const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
        const float *p00 = r->data, *p01 = r->data + r->sy, *p10 = r->data + r->sx,
                    *p11 = r->data + r->sx + r->sy;
        for (int t = 0; t < n; t++) {
            __m512 av[2], bv[2], ev[2], fv[2];
            load_corners16(p00, p01, p10, p11, at[t], av, bv, ev, fv);
            const __m512 a0 = av[0], a1 = av[1], b0 = bv[0], b1 = bv[1], e0 = ev[0],
                         e1 = ev[1], f0 = fv[0], f1 = fv[1];
            const __m512 p000 = _mm512_permutex2var_ps(a0, even, a1);
            const __m512 p001 = _mm512_permutex2var_ps(a0, odd, a1);
            const __m512 p010 = _mm512_permutex2var_ps(b0, even, b1);
            const __m512 p011 = _mm512_permutex2var_ps(b0, odd, b1);
            const __m512 p100 = _mm512_permutex2var_ps(e0, even, e1);
            const __m512 p101 = _mm512_permutex2var_ps(e0, odd, e1);
            const __m512 p110 = _mm512_permutex2var_ps(f0, even, f1);
            const __m512 p111 = _mm512_permutex2var_ps(f0, odd, f1);
            const __m512 wx = _mm512_load_ps(wxa[t]), wy = _mm512_load_ps(wya[t]),
                         wz = _mm512_load_ps(wza[t]);
            const __m512 c00 = _mm512_fmadd_ps(wz, _mm512_sub_ps(p001, p000), p000);
            const __m512 c01 = _mm512_fmadd_ps(wz, _mm512_sub_ps(p011, p010), p010);
            const __m512 c10 = _mm512_fmadd_ps(wz, _mm512_sub_ps(p101, p100), p100);
            const __m512 c11 = _mm512_fmadd_ps(wz, _mm512_sub_ps(p111, p110), p110);
            const __m512 c0 = _mm512_fmadd_ps(wy, _mm512_sub_ps(c01, c00), c00);
            const __m512 c1 = _mm512_fmadd_ps(wy, _mm512_sub_ps(c11, c10), c10);
            _mm512_store_ps(rho[t], _mm512_fmadd_ps(wx, _mm512_sub_ps(c1, c0), c0));
        }
    }
    VrTfTable16 tft = pc->tft;
    if (pc->per_ray_k)
        tft.k = pk->k;
    /* The table path first locates every sample's nodes (into the scratch
     * the positions used), so the loop below loads them from memory. */
    if (!reference)
        for (int t = 0; t < n; t++) {
            __m512i off;
            __m512 w;
            vr_tf_table_locate16(&tft, _mm512_load_ps(rho[t]), &off, &w);
            _mm512_store_si512(at[t], off);
            _mm512_store_ps(wxa[t], w);
        }
    const VrTransfer16 tf = pc->tf;
    const __m512i lo = pk->lo, hi = pk->hi;
    __m512 cr = pk->cr, cg = pk->cg, cb = pk->cb, ct = pk->ct;
    for (int t = 0; t < n; t++) {
        const __m512i sv = _mm512_set1_epi32(s0 + t);
        const __mmask16 act =
            _mm512_cmple_epi32_mask(lo, sv) & _mm512_cmpgt_epi32_mask(hi, sv);
        const VrSample16 smp = reference ? vr_transfer_sample16(&tf, _mm512_load_ps(rho[t]))
                                         : vr_tf_table_fetch16(&tft, at[t],
                                                               _mm512_load_ps(wxa[t]));
        const __m512 keep = _mm512_sub_ps(_mm512_set1_ps(1.0f), _mm512_maskz_mov_ps(act, smp.a));
        cr = _mm512_fmadd_ps(keep, cr, _mm512_maskz_mov_ps(act, smp.ar));
        cg = _mm512_fmadd_ps(keep, cg, _mm512_maskz_mov_ps(act, smp.ag));
        cb = _mm512_fmadd_ps(keep, cb, _mm512_maskz_mov_ps(act, smp.ab));
        ct = _mm512_mul_ps(keep, ct);
    }
    pk->cr = cr;
    pk->cg = cg;
    pk->cb = cb;
    pk->ct = ct;
    pk->s = end;
}

/* The two transfer-function paths, each compiled on its own. */
static void packet_march_reference(const PacketConsts *pc, Packet *pk, int end)
{
    packet_march(pc, pk, end, 1);
}

static void packet_march_table(const PacketConsts *pc, Packet *pk, int end)
{
    packet_march(pc, pk, end, 0);
}

/* The packet's live pixels (4 floats each) into out. */
static void packet_store(const Packet *pk, float *out)
{
    float c[4][VR_LANES];
    _mm512_storeu_ps(c[0], pk->cr);
    _mm512_storeu_ps(c[1], pk->cg);
    _mm512_storeu_ps(c[2], pk->cb);
    _mm512_storeu_ps(c[3], pk->ct);
    for (int l = 0; l < pk->live; l++)
        for (int ch = 0; ch < 4; ch++)
            out[4 * l + ch] = c[ch][l];
}
#endif

/* Image tiles: VR_TILE_ROWS packets (rows) of one strip of VR_LANES
 * columns, marched together in depth segments of VR_SEGMENT samples: every
 * packet of the tile takes its samples of one segment before any takes the
 * next, so the part of the slab the segment's rays pass through (some 16 x
 * 16 x 32 cells) stays in cache while all of them sample it.  Each packet
 * still composites its samples one after another, back to front, with the
 * same operations: the order of the segments changes nothing in the
 * result. */
int64_t vr_general_render(VrGeneralRenderer *r, const VrView *view, const VrTfTable *tf,
                          float *image)
{
    const int H = r->H, W = r->W;
    if (vr_block_empty(&r->slab)) {
        for (int64_t p = 0; p < (int64_t)H * W; p++) {
            image[4 * p + 0] = image[4 * p + 1] = image[4 * p + 2] = 0.0f;
            image[4 * p + 3] = 1.0f;
        }
        return 0;
    }
    const int strips = (W + VR_LANES - 1) / VR_LANES;
    const int bands = (H + VR_TILE_ROWS - 1) / VR_TILE_ROWS;
    const int64_t tiles = (int64_t)strips * bands;
    int64_t samples = 0;
#if defined(__AVX512F__)
    PacketConsts pc;
    pc.r = r;
    pc.tf = vr_transfer16_init();
    pc.tft = vr_tf_table16_init(tf, 1.0f);
    pc.per_ray_k = !tf->reference && tf->opacity_unit > 0.0;
    if (pc.per_ray_k)
        pc.tft.correct = 1;
#endif
    /* Tile t: strip t / bands, band t % bands, so that a thread's
     * consecutive tiles are neighbours down one strip. */
#pragma omp parallel for schedule(dynamic, 1) reduction(+ : samples)
    for (int64_t t = 0; t < tiles; t++) {
        const int strip = (int)(t / bands), row0 = (int)(t % bands) * VR_TILE_ROWS;
        const int rows = H - row0 < VR_TILE_ROWS ? H - row0 : VR_TILE_ROWS;
        const int q0 = strip * VR_LANES;
        const int live = W - q0 < VR_LANES ? W - q0 : VR_LANES;
        Ray rays[VR_LANES];
#if defined(__AVX512F__)
        Packet pk[VR_TILE_ROWS];
        int smin = r->S, smax = 0;
        for (int i = 0; i < rows; i++) {
            for (int l = 0; l < live; l++)
                setup_ray(r, view, tf, row0 + i, q0 + l, &rays[l]);
            samples += packet_begin(r, rays, live, &pk[i]);
            if (pk[i].smax > pk[i].s) {
                smin = pk[i].s < smin ? pk[i].s : smin;
                smax = pk[i].smax > smax ? pk[i].smax : smax;
            }
        }
        for (int s = smin; s < smax; s += VR_SEGMENT)
            for (int i = 0; i < rows; i++) {
                if (tf->reference)
                    packet_march_reference(&pc, &pk[i], s + VR_SEGMENT);
                else
                    packet_march_table(&pc, &pk[i], s + VR_SEGMENT);
            }
        for (int i = 0; i < rows; i++)
            packet_store(&pk[i], image + ((int64_t)(row0 + i) * W + q0) * 4);
#else
        for (int i = 0; i < rows; i++) {
            float *out = image + ((int64_t)(row0 + i) * W + q0) * 4;
            for (int l = 0; l < live; l++) {
                setup_ray(r, view, tf, row0 + i, q0 + l, &rays[l]);
                samples += render_ray_scalar(r, &rays[l], tf, out + 4 * l);
            }
        }
#endif
    }
    return samples;
}
