/* composite.h — combining the ranks' partial images with "over".
 *
 * Each rank holds a premultiplied image (r, g, b, T per pixel) of the
 * samples it owns.  Because every rank owns a contiguous stretch of every
 * ray, the final pixel is the "over" of the partials in visibility order;
 * "over" is associative, so any grouping of neighbours in that order works.
 *
 * Three methods, all in this order for every angle (order[] maps
 * visibility position -> rank, position 0 in front), one file each in
 * src/composite/ (over.c, compositor.c: the MPI executor):
 *   bswap   binary swap: pairs exchange halves of their current region each
 *           stage; with P not a power of two the first 2e positions
 *           (e = P - 2^k) first fold pairwise so 2^k remain.
 *   radixk  radix-k: groups of up to K exchange 1/k of their region per
 *           round (fewer rounds than bswap for the same bytes); P folds
 *           onto its largest K-smooth number first (radixk.c).
 *   tree    ordered binary-tree reduction of whole images to position 0.
 * Then one root rank gathers the final pieces.  With sparse images
 * (vr/sparse.h) only pixels inside the senders' content rectangles travel,
 * and the plans may run over the ranks that have something to add.
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
    int round;                  /* steps of one round run together */
} VrCompositeStep;

/* radix-k: K from 2 to VR_RADIX_MAX; the default is IceT's. */
enum { VR_RADIX_DEFAULT = 8, VR_RADIX_MAX = 64 };
enum { VR_PLAN_MAX_STEPS = 1 + 16 * (VR_RADIX_MAX - 1) };

typedef struct {
    int nsteps;
    VrCompositeStep step[VR_PLAN_MAX_STEPS];
    int64_t final_lo, final_hi; /* pixels held at the end; empty if none */
} VrCompositePlan;

/* The steps of visibility position p of P for an image of npix pixels
 * (radix-k with VR_RADIX_DEFAULT). */
void vr_plan_composite(VrCompositeMethod method, int P, int p, int64_t npix,
                       VrCompositePlan *plan);
/* ... with radix K for radixk (ignored by the others). */
void vr_plan_composite_k(VrCompositeMethod method, int K, int P, int p, int64_t npix,
                         VrCompositePlan *plan);

/* Radix-k's round sizes for P ranks (into k[], at most 32), after the fold
 * onto the largest K-smooth number <= P; returns their count. */
int vr_radixk_rounds(int K, int P, int *k);

/* Rounds (message-passing steps that run together) of a plan, and the
 * messages it sends. */
int vr_plan_rounds(const VrCompositePlan *plan);
int vr_plan_messages(const VrCompositePlan *plan);

typedef struct VrCompositor VrCompositor;

/* Collective over comm (which it duplicates, so its messages never meet
 * the caller's).  Buffers for width x height pixels are allocated once.
 * sparse: ranks send and composite only the part of their image inside
 * its content rectangle (vr/sparse.h; the same image bit for bit), else
 * their whole image.  drop_idle (with sparse): ranks whose image is empty
 * in a frame take no part in it; the plan runs over the others, which
 * groups "over" differently (the same image within float rounding). */
int vr_compositor_create(MPI_Comm comm, VrCompositeMethod method, int radix, int sparse,
                         int drop_idle, int width, int height, VrCompositor **out,
                         VrError *err);

/* Collective; accepts NULL. */
void vr_compositor_free(VrCompositor *c);

/* Collective.  image: this rank's partial (npix*4 floats, transparent
 * (0, 0, 0, 1) where it added nothing), used as scratch.
 * order[i]: rank at visibility position i.  On rank root, final (npix*4
 * floats) receives the composited image; other ranks may pass NULL. */
void vr_composite(VrCompositor *c, float *image, const int *order, float *final,
                  int root);

/* What this rank's compositing did. */
typedef struct {
    int64_t bytes_swapped;  /* sent in the compositing stages */
    int64_t bytes_gathered; /* ... and in the final gathers */
    int64_t rounds;         /* rounds it took part in (the gather not counted) */
    int64_t messages;       /* ... and messages it sent in them */
    int64_t frames;         /* frames composited */
    int64_t active_sum;     /* ranks that took part, summed over the frames */
    int64_t active_min;     /* ... and the fewest in one frame (-1: no frame) */
} VrCompositeCounts;

/* The counts since the previous call (or the start), then zeroed. */
void vr_compositor_take_counts(VrCompositor *c, VrCompositeCounts *out);

#endif
