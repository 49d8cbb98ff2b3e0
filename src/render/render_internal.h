/* render_internal.h — what the kernels of src/render share: exact sample
 * ownership along lines of samples, and the kernels' entry points behind
 * render.h (render.c chooses and dispatches). */
#ifndef VR_RENDER_INTERNAL_H
#define VR_RENDER_INTERNAL_H

#include <stdint.h>

#include "vr/camera.h"
#include "vr/decomp.h"
#include "vr/error.h"
#include "vr/transfer.h"
#include "vr/volume_io.h"

/* A sample counts as inside the cube when its grid index is within this
 * tolerance of the first or last plane: a point exactly on the cube's face
 * in world coordinates (inside for the reference) may land a few ulps
 * outside after the change to index space. */
#define VR_EDGE_TOL 1e-9

/* A line of samples f(q) = A + q B in grid-index space of one axis (q:
 * the column along an image row, or the depth index along a ray).  A rank
 * takes the q with lo <= f(q) and f(q) < hi (hi_strict) or f(q) <= hi.  f
 * is monotone in q, even in floating point, so that set is an interval
 * [*q0, *q1); computing it with the very expression that defines the
 * sample positions keeps ownership exact: every sample has one owner. */
typedef struct AxisLine {
    double A, B, lo, hi;
    int hi_strict;
} AxisLine;

/* The interval [*q0, *q1) of q in [0, n) that the line's limits take. */
void vr_line_interval(const AxisLine *l, int n, int *q0, int *q1);

/* Limits of one axis for a rank: inside the cube and, along the
 * decomposition axis, owned (the slab's half-open interval; the first and
 * last slabs reach the cube's faces within VR_EDGE_TOL). */
void vr_axis_limits(const VrBlock *slab, const int64_t dims[3], int axis, AxisLine *l);

/* The line of ray (base, step) (vr_camera_ray) along axis a of the cube:
 * f(s) = A + s B over the view's depth points.  One function for the
 * general kernel and the cost model, so both see the same bits. */
void vr_ray_axis_line(const VrView *view, const int64_t dims[3], int a, const double base[3],
                      const double step[3], AxisLine *l);

/* Adds weight x (samples q in [q0, q1) whose plane floor(f(q)) is p) to
 * count[p - off] for each plane p >= off of n, the planes and their
 * crossings found with the very expression vr_line_interval decides
 * ownership with: a block [lo, hi) owns exactly the samples counted in its
 * planes.  The samples must lie in the cube along the line's axis (within
 * VR_EDGE_TOL) and in planes from `off` on. */
void vr_line_plane_counts(const AxisLine *l, int q0, int q1, int64_t n, int64_t off,
                          int64_t weight, int64_t *count);

/* The cost model's counts (render.h, vr_render_box_samples) for each
 * kernel: the samples block b composites, per plane along `axis`, of
 * image rows r0, r0 + step, ... (< r1) of `view`, each weighted by
 * `weight`, added to count[p - b->own_lo[axis]]. */
void vr_orbit_box_samples(const int64_t dims[3], const VrBlock *b, int axis, const VrView *view,
                          int r0, int r1, int step, int64_t weight, int64_t *count);
void vr_general_box_samples(const int64_t dims[3], const VrBlock *b, int axis,
                            const VrView *view, int r0, int r1, int step, int64_t weight,
                            int64_t *count);

/* The fast path (orbit_resampled.c): orbits about a coordinate axis,
 * orthographic, without elevation. */
typedef struct VrOrbitRenderer VrOrbitRenderer;
int vr_orbit_renderer_create(VrVolume *vol, const VrView *view, VrOrbitRenderer **out,
                             VrError *err);
void vr_orbit_renderer_free(VrOrbitRenderer *r);
int64_t vr_orbit_renderer_bytes(const VrOrbitRenderer *r);
int64_t vr_orbit_estimate_bytes(const int64_t dims[3], const VrBlock *slab,
                                const VrView *view);
int vr_orbit_rows_inside(const int64_t dims[3], const VrView *view);
int64_t vr_orbit_render(VrOrbitRenderer *r, const VrView *view, const VrTfTable *tf,
                        float *image);

/* The general kernel (general.c): trilinear sampling of the slab at
 * SPEC's positions, any direction, orthographic or perspective. */
typedef struct VrGeneralRenderer VrGeneralRenderer;
int vr_general_renderer_create(VrVolume *vol, const VrView *view, VrGeneralRenderer **out,
                               VrError *err);
void vr_general_renderer_free(VrGeneralRenderer *r);
/* Bytes the general kernel's layout needs beyond the slab it is built from
 * (at its peak, while it is built). */
int64_t vr_general_estimate_bytes(const int64_t dims[3], const VrBlock *slab);
int64_t vr_general_render(VrGeneralRenderer *r, const VrView *view, const VrTfTable *tf,
                          float *image);

#if defined(__AVX512F__)
#include <immintrin.h>

/* The two kernels' bilinear fetch: pairs of neighbouring floats by scalar
 * 64-bit loads, nz floats apart for the second row. */
/* The float pairs base[i0], base[i0 + 1] and base[i1], base[i1 + 1]. */
static inline __m128d load_pair2(const float *base, int32_t i0, int32_t i1)
{
    const __m128d x = _mm_castsi128_pd(_mm_loadl_epi64((const void *)(base + i0)));
    return _mm_loadh_pd(x, (const double *)(const void *)(base + i1));
}

static inline __m512 pack4(__m128d x0, __m128d x1, __m128d x2, __m128d x3)
{
    const __m256d y0 = _mm256_insertf128_pd(_mm256_castpd128_pd256(x0), x1, 1);
    const __m256d y1 = _mm256_insertf128_pd(_mm256_castpd128_pd256(x2), x3, 1);
    return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castpd256_pd512(y0), y1, 1));
}

/* Loads, for 8 lanes l, the float pairs p[at[l]], p[at[l] + 1] into *a and
 * the pairs one plane row further, p[at[l] + nz], p[at[l] + nz + 1], into
 * *b, as vectors of 8 (unaligned) 64-bit values: scalar loads put together
 * by a few shuffles, which beats vgatherdpd / vgatherdps on AMD Zen 5
 * (0.45 vs 0.8-1.1 ns per bilinear sample from L1).  Both rows of a lane
 * are loaded together so that each offset is live only briefly. */
static inline void load_pairs8(const float *p, int32_t nz, const int32_t *at,
                               __m512 *a, __m512 *b)
{
    const float *q = p + nz;
    const __m128d a0 = load_pair2(p, at[0], at[1]), b0 = load_pair2(q, at[0], at[1]);
    const __m128d a1 = load_pair2(p, at[2], at[3]), b1 = load_pair2(q, at[2], at[3]);
    const __m128d a2 = load_pair2(p, at[4], at[5]), b2 = load_pair2(q, at[4], at[5]);
    const __m128d a3 = load_pair2(p, at[6], at[7]), b3 = load_pair2(q, at[6], at[7]);
    *a = pack4(a0, a1, a2, a3);
    *b = pack4(b0, b1, b2, b3);
}
#endif /* __AVX512F__ */

#endif
