/* kd.h — a k-d decomposition: recursive bisection of the cube into one
 * convex block per rank, for any number of ranks, every cut placed by
 * sample counts.
 *
 * A node holds a box and a contiguous range of ranks [r0, r1).  With more
 * than one rank it is split by a plane `at` along one axis into P_low
 * ranks below and P_high = the rest above it.  The counter (the cost
 * model, cost_model.h, or any other in the tests) gives the samples each
 * plane of the box costs over the run's views, along every axis the box
 * can be cut along.  For each such axis, among the cuts that leave each
 * side at least one point per rank and at most VR_SLAB_MAX_SHARES equal
 * shares of points per rank (the memory cap, relaxed where no cut meets
 * it), and P_low half the ranks or up to 2 more or fewer, the cut taken
 * minimises max(cost_low / P_low, cost_high / P_high); ties go to the
 * split nearest half, then to the plane nearest the proportional split of
 * the box (the lower one if two are as near).  The axis is the longest of
 * those whose best is within 1 % of the best of all (compact blocks),
 * ties to the lowest index.  Boxes without samples are cut in proportion.
 * A box with barely more points than ranks, where no such cut exists, is
 * cut in the middle of its longest axis.  The tree is built level by
 * level, so the counter sees all of a level's nodes at once (one
 * collective count per level in a job).
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
 * d, asking `count` (not NULL) for each level's counts.  Returns 0, -1 if memory runs out or the counter fails, -2 if the
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
