/* render.h — the per-rank ray-casting kernel.
 *
 * For the orbit about x every sample of image row r lies on the plane
 * x = c(r), whatever the angle.  So the renderer resamples this rank's slab
 * along x once, into one (y, z) plane per image row it renders, and each
 * view then needs only bilinear interpolation in those planes: the same
 * trilinear value as SPEC, with half the memory traffic.
 *
 * A view composites, back to front, exactly the samples this rank owns
 * (decomp.h) into a caller-owned premultiplied image: per pixel four floats
 * (r, g, b, T), colour premultiplied by opacity and T the transmittance.
 * Pixels with no owned sample are (0, 0, 0, 1), the identity of "over". */
#ifndef VR_RENDER_H
#define VR_RENDER_H

#include <stdint.h>

#include "vr/camera.h"
#include "vr/error.h"
#include "vr/transfer.h"
#include "vr/volume_io.h"

typedef struct VrRenderer VrRenderer;

/* Builds the resampled planes from vol, consuming it: the slab's pages are
 * given back as the planes are built, so afterwards vol->data must not be
 * read, only freed (vr_volume_free).  This keeps the peak memory near one
 * copy of the slab.  N is the image size, S the samples per ray.  *out is
 * NULL on failure. */
int vr_renderer_create(VrVolume *vol, int N, int S, VrRenderer **out,
                       VrError *err);

/* Accepts NULL. */
void vr_renderer_free(VrRenderer *r);

/* Bytes of the resampled planes (for the memory estimate and report). */
int64_t vr_renderer_bytes(const VrRenderer *r);

/* Bytes vr_renderer_create would allocate for this slab, without doing it. */
int64_t vr_renderer_estimate_bytes(const int64_t dims[3], const VrSlab *slab,
                                   int N);

/* Renders one view through transfer function tf into image (N*N*4 floats,
 * overwritten).  Returns the number of samples composited by this rank.  Uses OpenMP threads and the
 * renderer's scratch buffers, so one renderer renders one view at a time. */
int64_t vr_render_view(VrRenderer *r, const VrView *view, const VrTfTable *tf,
                       float *image);

#endif
