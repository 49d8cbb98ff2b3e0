/* kd.h — a k-d decomposition: recursive bisection of the cube into one
 * convex block per rank, for any number of ranks, every cut placed by
 * sample counts.
 *
 * A node holds a box and a contiguous range of ranks [r0, r1).  With more
 * than one rank it is split into P_low = (r1 - r0) / 2 ranks below a cut
 * and P_high = the rest above it, along the box's longest axis (ties: the
 * lowest axis index) among those it can be cut along.  The cut is placed
 * from the samples each plane of the box along that axis costs over the
 * run's views (the counter: the cost model, cost_model.h, or any other in
 * the tests): among the planes `at` that leave each side at least one
 * point per rank and at most VR_SLAB_MAX_SHARES equal shares of points
 * per rank (the memory cap, relaxed where no cut meets it), the one that
 * minimises max(cost_low / P_low, cost_high / P_high), ties to the cut
 * nearest the split of the box's planes in proportion to the ranks (the
 * lower one if two are as near).  Boxes without samples are cut in that
 * proportion.  The tree is built level by level, so the counter sees all
 * of a level's nodes at once (one collective count per level in a job).
 *
 * Blocks hold at least one plane along every axis, so no block is empty;
 * they tile the cube, so every sample has one owner.  Everything here is
 * pure: no MPI, no I/O. */
#ifndef VR_KD_H
#define VR_KD_H

#include <stdint.h>

#include "vr/decomp.h"

/* One question to the counter: the samples box composites per plane
 * along axis, into count[p - box.own_lo[axis]] (zeroed, one entry per
 * owned plane). */
typedef struct {
    VrBlock box;
    int axis;
    int64_t *count;
} VrKdQuery;

/* Answers nq queries at once.  Their count arrays are consecutive pieces
 * of one buffer of `total` entries starting at queries[0].count (so a
 * collective counter can reduce the whole buffer in one call).  Returns 0,
 * or -1 on failure (the build stops and returns -1).  nq = -1: the
 * builder failed to allocate on this process (a collective counter agrees
 * the failure with the others) and stops. */
typedef int (*VrKdCounter)(void *ctx, int nq, VrKdQuery *queries, int64_t total);

/* Builds the k-d decomposition of a cube of dims (product >= nranks) into
 * d.  Returns 0, -1 if memory runs out or the counter fails, -2 if the
 * cube has fewer points than ranks. */
int vr_decomp_init_kd(VrDecomp *d, int nranks, const int64_t dims[3], VrKdCounter count,
                      void *ctx);

/* The ranks of a k-d decomposition in visibility order for a view, front
 * first: a depth-first walk of the tree, at each split the child on the
 * viewer's side first.  front_high(ctx, axis, at) says whether the high
 * side (planes >= at) is in front. */
void vr_kd_order(const VrDecomp *d, int (*front_high)(const void *ctx, int axis, int64_t at),
                 const void *ctx, int *order);

#endif
