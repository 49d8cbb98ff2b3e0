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
void vr_axis_limits(const VrSlab *slab, const int64_t dims[3], int axis, AxisLine *l);

/* The fast path (orbit_resampled.c): orbits about a coordinate axis,
 * orthographic, without elevation. */
typedef struct VrOrbitRenderer VrOrbitRenderer;
int vr_orbit_renderer_create(VrVolume *vol, const VrView *view, VrOrbitRenderer **out,
                             VrError *err);
void vr_orbit_renderer_free(VrOrbitRenderer *r);
int64_t vr_orbit_renderer_bytes(const VrOrbitRenderer *r);
int64_t vr_orbit_estimate_bytes(const int64_t dims[3], const VrSlab *slab,
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
int64_t vr_general_render(VrGeneralRenderer *r, const VrView *view, const VrTfTable *tf,
                          float *image);

#endif
