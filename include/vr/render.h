/* render.h — the per-rank ray-casting kernels behind one interface.
 *
 * Two kernels, chosen in one place (vr_render_choose_kernel) and named in
 * the summary and the --timing record:
 *   orbit-resampled  orthographic orbits about a coordinate axis without
 *                    elevation: the slab is resampled once along the axis
 *                    into one plane per image row, and every view is
 *                    bilinear in those planes (render/orbit_resampled.c);
 *   general          everything else: trilinear sampling of the slab at
 *                    SPEC's positions, any direction, orthographic or
 *                    perspective (render/general.c).
 * A view composites, back to front, exactly the samples this rank owns
 * (decomp.h) into a caller-owned premultiplied image: per pixel four floats
 * (r, g, b, T), colour premultiplied by opacity and T the transmittance.
 * Pixels with no owned sample are (0, 0, 0, 1), the identity of "over". */
#ifndef VR_RENDER_H
#define VR_RENDER_H

#include <stdint.h>

#include "vr/camera.h"
#include "vr/config.h"
#include "vr/decomp.h"
#include "vr/error.h"
#include "vr/transfer.h"
#include "vr/volume_io.h"

typedef enum { VR_KERNEL_ORBIT_RESAMPLED = 0, VR_KERNEL_GENERAL = 1 } VrKernel;

typedef struct VrRenderer VrRenderer;

/* The kernel for the frames of a job, the same on every rank: the fast
 * path when every frame is an orthographic orbit about a coordinate axis
 * without elevation (view->orbit_axis >= 0; `first` is any frame of the
 * job, they share their box), its resampled planes are no larger than the
 * cube (twice the cube about x, whose slab is given back as the planes are
 * built) and its columns at most 7 cells apart (the fixed-point positions'
 * range); the general kernel otherwise. */
VrKernel vr_render_choose_kernel(const VrView *first, const int64_t dims[3]);

/* The kernel of the job cfg describes, from the options alone (a views
 * file always takes the general kernel), and in *first a frame of it
 * (the orbit's frame 0; for a views file only its H, W, S are set). */
VrKernel vr_render_kernel_of_job(const VrConfig *cfg, const int64_t dims[3], VrView *first);

/* "orbit-resampled" or "general". */
const char *vr_kernel_name(VrKernel k);

/* Builds the renderer of `kernel` for the job's frames (first: any of
 * them) from vol, consuming it: the fast path gives the slab's pages back
 * as it builds its planes, the general kernel takes the slab itself over;
 * either way vol->data must afterwards only be freed (vr_volume_free).
 * *out is NULL on failure. */
int vr_renderer_create(VrVolume *vol, VrKernel kernel, const VrView *first,
                       VrRenderer **out, VrError *err);

/* Accepts NULL. */
void vr_renderer_free(VrRenderer *r);

/* Bytes the kernel holds besides the slab (the resampled planes), for
 * the report. */
int64_t vr_renderer_bytes(const VrRenderer *r);

/* Bytes of the kernel's layout for this slab, without building it: the
 * fast path's planes (the slab too while they are built), 0 for the
 * general kernel, which samples the slab in place. */
int64_t vr_renderer_estimate_bytes(VrKernel kernel, const int64_t dims[3],
                                   const VrBlock *slab, const VrView *first);

/* The cost model's count (cost_model.h): adds to count[p], for each plane
 * p of dims[axis], the samples that `kernel` composites for `view` in
 * planes p <= f < p + 1 along `axis` (f the samples' grid index; the
 * cube's edge tolerance goes to the first and last planes), over image
 * rows r0, r0 + step, ... below r1, each times `weight`.  Exact: found
 * with the expressions the kernel decides ownership with, so a slab of
 * planes [lo, hi) composites exactly the sum of its planes' counts, and
 * cheap: per ray (general) or per depth index (orbit-resampled) its
 * crossings of the planes, not its samples.  Needs no volume. */
void vr_render_plane_samples(VrKernel kernel, const int64_t dims[3], int axis,
                             const VrView *view, int r0, int r1, int step, int64_t weight,
                             int64_t *count);

/* The same for the samples block b composites (a k-d node's or a rank's
 * box), per plane p of b's owned planes along `axis`, into
 * count[p - b->own_lo[axis]]: the block composites exactly their sum, and
 * a cut of b at any plane splits it exactly. */
void vr_render_box_samples(VrKernel kernel, const int64_t dims[3], const VrBlock *b, int axis,
                           const VrView *view, int r0, int r1, int step, int64_t weight,
                           int64_t *count);

/* The frame's rows [rect[0], rect[1]) and columns [rect[2], rect[3])
 * outside of which no ray has a sample block b owns, whichever kernel:
 * the footprint of b's corners, two pixels wider (empty for an empty
 * block).  A bound on the pixels b's partial image can colour. */
void vr_render_box_footprint(const VrView *view, const int64_t dims[3], const VrBlock *b,
                             int rect[4]);

/* Renders one view of the job through transfer function tf into image
 * (H*W*4 floats, overwritten).
 * Returns the number of samples composited by this rank.  Uses OpenMP
 * threads and the renderer's scratch buffers, so one renderer renders one
 * view at a time. */
int64_t vr_render_view(VrRenderer *r, const VrView *view, const VrTfTable *tf,
                       float *image);

#endif
