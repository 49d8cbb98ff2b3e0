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
 * from the back, lanes outside their own interval masked; image tiles of
 * 16 columns go to the threads a column strip at a time, row after row,
 * so the next packet finds most of its corners in cache. */
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
    VrSlab slab;
    float *data;        /* the slab, owned */
    int64_t start[3];   /* global index of block element 0 */
    int64_t count[3];   /* block extent */
    int32_t sx, sy;     /* strides of x and y in the block */
};

/* Rays per packet. */
#define VR_LANES 16

void vr_general_renderer_free(VrGeneralRenderer *r)
{
    if (!r)
        return;
    vr_free_large(r->data);
    free(r);
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
    const int64_t n = vol->count[0] * vol->count[1] * vol->count[2];
    if (n >= INT32_MAX - 2 * (vol->count[1] * vol->count[2])) {
        free(r);
        return vr_fail(err, VR_ERR_NOMEM,
                       "this rank's block (%lld x %lld x %lld) is too large for the "
                       "general kernel's 32-bit offsets; use more ranks",
                       (long long)vol->count[0], (long long)vol->count[1],
                       (long long)vol->count[2]);
    }
    r->sx = (int32_t)(vol->count[1] * vol->count[2]);
    r->sy = (int32_t)vol->count[2];
    r->data = vol->data; /* taken over: the layout is the slab itself */
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

/* Casts the packet's rays (lanes l < live) into out (live pixels of 4
 * floats).  Returns the samples composited. */
static inline __attribute__((always_inline)) int64_t
render_packet16(const VrGeneralRenderer *r, const Ray *rays, int live, const int reference,
                const VrTfTable *table, float *out)
{
    int smin = r->S, smax = 0;
    int64_t samples = 0;
    int32_t s0[VR_LANES], s1[VR_LANES];
    int64_t p[3][VR_LANES], d[3][VR_LANES];
    for (int l = 0; l < VR_LANES; l++) {
        const Ray *ray = &rays[l < live ? l : 0];
        s0[l] = l < live ? ray->s0 : 0;
        s1[l] = l < live ? ray->s1 : 0;
        if (s1[l] > s0[l]) {
            smin = s0[l] < smin ? s0[l] : smin;
            smax = s1[l] > smax ? s1[l] : smax;
            samples += s1[l] - s0[l];
        }
    }
    if (smax <= smin) {
        for (int l = 0; l < live; l++) {
            out[4 * l + 0] = out[4 * l + 1] = out[4 * l + 2] = 0.0f;
            out[4 * l + 3] = 1.0f;
        }
        return 0;
    }
    for (int l = 0; l < VR_LANES; l++) {
        const Ray *ray = &rays[l < live ? l : 0];
        for (int a = 0; a < 3; a++) {
            p[a][l] = ray->fix[a] + (int64_t)smin * ray->step[a];
            d[a][l] = ray->step[a];
        }
    }
    Fix64x16 fx, fy, fz;
    fix_init(&fx, p[0], d[0]);
    fix_init(&fy, p[1], d[1]);
    fix_init(&fz, p[2], d[2]);
    const __m512i sx0 = _mm512_set1_epi32((int32_t)r->start[0]),
                  sy0 = _mm512_set1_epi32((int32_t)r->start[1]),
                  sz0 = _mm512_set1_epi32((int32_t)r->start[2]);
    const __m512i cx = _mm512_set1_epi32((int32_t)r->count[0] - 2),
                  cy = _mm512_set1_epi32((int32_t)r->count[1] - 2),
                  cz = _mm512_set1_epi32((int32_t)r->count[2] - 2);
    const __m512i vsx = _mm512_set1_epi32(r->sx), vsy = _mm512_set1_epi32(r->sy);
    const __m512i lo = _mm512_loadu_si512(s0), hi = _mm512_loadu_si512(s1);
    const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6,
                                          4, 2, 0);
    const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
    const VrTransfer16 tf = vr_transfer16_init();
    VrTfTable16 tft = vr_tf_table16_init(table, rays[0].k);
    if (!reference && table->opacity_unit > 0.0) { /* per ray (perspective) */
        float k[VR_LANES];
        for (int l = 0; l < VR_LANES; l++)
            k[l] = rays[l < live ? l : 0].k;
        tft.k = _mm512_loadu_ps(k);
        tft.correct = 1;
    }
    const float *data = r->data, *data1 = r->data + r->sx;
    const int32_t sy = r->sy;
    __m512 cr = _mm512_setzero_ps(), cg = _mm512_setzero_ps(), cb = _mm512_setzero_ps(),
           ct = _mm512_set1_ps(1.0f);
    int32_t at[VR_LANES] __attribute__((aligned(64)));
    for (int s = smin; s < smax; s++) {
        const __m512i sv = _mm512_set1_epi32(s);
        const __mmask16 act =
            _mm512_cmple_epi32_mask(lo, sv) & _mm512_cmpgt_epi32_mask(hi, sv);
        __m512i i, j, k;
        __m512 wx, wy, wz;
        fix_cell(&fx, sx0, cx, &i, &wx);
        fix_cell(&fy, sy0, cy, &j, &wy);
        fix_cell(&fz, sz0, cz, &k, &wz);
        fix_step(&fx);
        fix_step(&fy);
        fix_step(&fz);
        const __m512i off = _mm512_add_epi32(
            _mm512_add_epi32(_mm512_mullo_epi32(i, vsx), _mm512_mullo_epi32(j, vsy)), k);
        _mm512_store_si512(at, off);
        __m512 a0, a1, b0, b1, e0, e1, f0, f1;
        load_pairs8(data, sy, at, &a0, &b0);
        load_pairs8(data, sy, at + 8, &a1, &b1);
        load_pairs8(data1, sy, at, &e0, &f0);
        load_pairs8(data1, sy, at + 8, &e1, &f1);
        const __m512 p000 = _mm512_permutex2var_ps(a0, even, a1);
        const __m512 p001 = _mm512_permutex2var_ps(a0, odd, a1);
        const __m512 p010 = _mm512_permutex2var_ps(b0, even, b1);
        const __m512 p011 = _mm512_permutex2var_ps(b0, odd, b1);
        const __m512 p100 = _mm512_permutex2var_ps(e0, even, e1);
        const __m512 p101 = _mm512_permutex2var_ps(e0, odd, e1);
        const __m512 p110 = _mm512_permutex2var_ps(f0, even, f1);
        const __m512 p111 = _mm512_permutex2var_ps(f0, odd, f1);
        const __m512 c00 = _mm512_fmadd_ps(wz, _mm512_sub_ps(p001, p000), p000);
        const __m512 c01 = _mm512_fmadd_ps(wz, _mm512_sub_ps(p011, p010), p010);
        const __m512 c10 = _mm512_fmadd_ps(wz, _mm512_sub_ps(p101, p100), p100);
        const __m512 c11 = _mm512_fmadd_ps(wz, _mm512_sub_ps(p111, p110), p110);
        const __m512 c0 = _mm512_fmadd_ps(wy, _mm512_sub_ps(c01, c00), c00);
        const __m512 c1 = _mm512_fmadd_ps(wy, _mm512_sub_ps(c11, c10), c10);
        const __m512 rho = _mm512_fmadd_ps(wx, _mm512_sub_ps(c1, c0), c0);
        const VrSample16 smp =
            reference ? vr_transfer_sample16(&tf, rho) : vr_tf_table_sample16(&tft, rho);
        const __m512 keep = _mm512_sub_ps(_mm512_set1_ps(1.0f), _mm512_maskz_mov_ps(act, smp.a));
        cr = _mm512_fmadd_ps(keep, cr, _mm512_maskz_mov_ps(act, smp.ar));
        cg = _mm512_fmadd_ps(keep, cg, _mm512_maskz_mov_ps(act, smp.ag));
        cb = _mm512_fmadd_ps(keep, cb, _mm512_maskz_mov_ps(act, smp.ab));
        ct = _mm512_mul_ps(keep, ct);
    }
    float c[4][VR_LANES];
    _mm512_storeu_ps(c[0], cr);
    _mm512_storeu_ps(c[1], cg);
    _mm512_storeu_ps(c[2], cb);
    _mm512_storeu_ps(c[3], ct);
    for (int l = 0; l < live; l++)
        for (int ch = 0; ch < 4; ch++)
            out[4 * l + ch] = c[ch][l];
    return samples;
}

/* The two transfer-function paths, each compiled on its own. */
static int64_t render_packet_reference(const VrGeneralRenderer *r, const Ray *rays, int live,
                                       const VrTfTable *tf, float *out)
{
    return render_packet16(r, rays, live, 1, tf, out);
}

static int64_t render_packet_table(const VrGeneralRenderer *r, const Ray *rays, int live,
                                   const VrTfTable *tf, float *out)
{
    return render_packet16(r, rays, live, 0, tf, out);
}
#endif

int64_t vr_general_render(VrGeneralRenderer *r, const VrView *view, const VrTfTable *tf,
                          float *image)
{
    const int H = r->H, W = r->W;
    if (r->slab.own_lo == r->slab.own_hi) {
        for (int64_t p = 0; p < (int64_t)H * W; p++) {
            image[4 * p + 0] = image[4 * p + 1] = image[4 * p + 2] = 0.0f;
            image[4 * p + 3] = 1.0f;
        }
        return 0;
    }
    const int strips = (W + VR_LANES - 1) / VR_LANES;
    const int64_t packets = (int64_t)strips * H;
    int64_t samples = 0;
    /* Packet t: strip t / H, row t % H, so that a thread's consecutive
     * packets are neighbouring rows of one strip. */
#pragma omp parallel for schedule(dynamic, 8) reduction(+ : samples)
    for (int64_t t = 0; t < packets; t++) {
        const int strip = (int)(t / H), row = (int)(t % H);
        const int q0 = strip * VR_LANES;
        const int live = W - q0 < VR_LANES ? W - q0 : VR_LANES;
        Ray rays[VR_LANES];
        for (int l = 0; l < live; l++)
            setup_ray(r, view, tf, row, q0 + l, &rays[l]);
        float *out = image + ((int64_t)row * W + q0) * 4;
#if defined(__AVX512F__)
        samples += tf->reference ? render_packet_reference(r, rays, live, tf, out)
                                 : render_packet_table(r, rays, live, tf, out);
#else
        for (int l = 0; l < live; l++)
            samples += render_ray_scalar(r, &rays[l], tf, out + 4 * l);
#endif
    }
    return samples;
}
