/* sparse.h — sparse images for the compositor.
 *
 * A rank's partial image is transparent, (0, 0, 0, 1) exactly, wherever
 * none of its samples added colour: outside its block's footprint and
 * where the transfer function gives no opacity.  "over" with a
 * transparent pixel returns the other pixel bit for bit (x + 1 * 0 = x,
 * T * 1 = T), so such pixels need neither be sent nor composited: the
 * result is the dense one, bit for bit.
 *
 * What a rank holds is bounded by a content rectangle.  The ranks share
 * their rectangles once per frame (one MPI_Allgather of 4 ints); ranks
 * whose rectangle is empty take no part, and the plan is built over the
 * others in visibility order.  From the rectangles every rank follows the
 * plan for all positions (vr_sparse_round), so it knows what each partner
 * will send, and the root what each one holds at the end, without any
 * header in the messages.  A message is the pixels of its range [lo, hi)
 * of the row-major image that lie inside the sender's rectangle, packed in
 * row order (vr_rect_runs). */
#ifndef VR_SPARSE_H
#define VR_SPARSE_H

#include <stdint.h>

#include "vr/composite.h"

/* Rows [r0, r1) and columns [c0, c1) of an image; empty if either is. */
typedef struct {
    int r0, r1, c0, c1;
} VrRect;

int vr_rect_empty(VrRect r);
/* The smallest rectangle holding both (either may be empty). */
VrRect vr_rect_hull(VrRect a, VrRect b);
/* The whole image of width x height. */
VrRect vr_rect_full(int width, int height);

/* The bounding rectangle of the pixels of image (width x height, 4
 * floats each) that are not (0, 0, 0, 1); empty if none. */
VrRect vr_image_content(const float *image, int width, int height);

/* The bounding rectangle of the pixels of [lo, hi) (row-major indices,
 * rows of width) inside r. */
VrRect vr_rect_clip(VrRect r, int64_t lo, int64_t hi, int width);

/* The pixels of [lo, hi) inside r as contiguous runs in row order: run i
 * starts at pixel start[i] and is len[i] long (adjacent runs merged).
 * Returns the number of runs (at most the rows of r); start and len may
 * be NULL to count only; *npix (if not NULL) gets the pixels in all. */
int vr_rect_runs(VrRect r, int64_t lo, int64_t hi, int width, int *start, int *len,
                 int64_t *npix);

/* What a position sends and takes part in, as the compositor counts it. */
typedef struct {
    int64_t swapped;  /* bytes sent in the rounds */
    int64_t rounds;   /* rounds with a message sent or received */
    int64_t messages; /* messages sent */
} VrSparseCost;

/* Round `round` of the plan (method, K) over P positions for an image of
 * npix pixels, rows of width: next[p] bounds what position p holds after
 * it, given cur[] before it (next must not alias cur).  scratch holds one
 * plan.  If cost is not NULL, each position's sends of the round are added
 * to cost[p].  Returns 1 if some position has steps in a later round. */
int vr_sparse_round(VrCompositeMethod method, int K, int P, int64_t npix, int width,
                    int round, const VrRect *cur, VrRect *next, VrCompositePlan *scratch,
                    VrSparseCost *cost);

#endif
