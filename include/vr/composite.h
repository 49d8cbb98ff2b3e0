/* composite.h — combining the ranks' partial images with "over".
 *
 * Each rank holds a premultiplied image (r, g, b, T per pixel) of the
 * samples it owns.  Because every rank owns a contiguous stretch of every
 * ray, the final pixel is the "over" of the partials in visibility order;
 * "over" is associative, so any grouping of neighbours in that order works.
 *
 * Two methods, both in this order for every angle (order[] maps visibility
 * position -> rank, position 0 in front):
 *   bswap  binary swap: pairs exchange halves of their current region each
 *          stage; with P not a power of two the first 2e positions
 *          (e = P - 2^k) first fold pairwise so 2^k remain.
 *   tree   ordered binary-tree reduction of whole images to position 0.
 * Then rank 0 gathers the final pieces.
 *
 * The plans are pure functions of (P, position, pixels), so they are unit
 * tested for many P without MPI; the MPI executor only carries them out. */
#ifndef VR_COMPOSITE_H
#define VR_COMPOSITE_H

#include <mpi.h>
#include <stdint.h>

#include "vr/config.h"
#include "vr/error.h"

/* out = front over back, per pixel (4 floats).  out may alias either. */
void vr_over(const float *front, const float *back, float *out, int64_t npixels);

typedef enum {
    VR_STEP_SEND_ALL, /* send the whole current region to partner, then idle */
    VR_STEP_RECV_ALL, /* receive partner's whole region, composite it */
    VR_STEP_SWAP      /* send [send_lo, send_hi), receive and composite keep */
} VrStepKind;

typedef struct {
    VrStepKind kind;
    int partner;                /* visibility position of the partner */
    int64_t send_lo, send_hi;   /* pixels sent */
    int64_t keep_lo, keep_hi;   /* pixels received and composited */
    int partner_in_front;       /* the partner's pixels are in front */
} VrCompositeStep;

enum { VR_PLAN_MAX_STEPS = 66 };

typedef struct {
    int nsteps;
    VrCompositeStep step[VR_PLAN_MAX_STEPS];
    int64_t final_lo, final_hi; /* pixels held at the end; empty if none */
} VrCompositePlan;

/* The steps of visibility position p of P for an image of npix pixels. */
void vr_plan_composite(VrCompositeMethod method, int P, int p, int64_t npix,
                       VrCompositePlan *plan);

typedef struct VrCompositor VrCompositor;

/* Collective over comm (which it duplicates, so its messages never meet
 * the caller's).  Buffers for npix pixels are allocated once. */
int vr_compositor_create(MPI_Comm comm, VrCompositeMethod method, int64_t npix,
                         VrCompositor **out, VrError *err);

/* Collective; accepts NULL. */
void vr_compositor_free(VrCompositor *c);

/* Collective.  image: this rank's partial (npix*4 floats), used as scratch.
 * order[i]: rank at visibility position i.  On rank 0, final (npix*4
 * floats) receives the composited image; other ranks may pass NULL. */
void vr_composite(VrCompositor *c, float *image, const int *order, float *final);

/* Bytes this rank has sent so far: in the compositing stages, and in the
 * final gather. */
int64_t vr_compositor_bytes_swapped(const VrCompositor *c);
int64_t vr_compositor_bytes_gathered(const VrCompositor *c);

#endif
