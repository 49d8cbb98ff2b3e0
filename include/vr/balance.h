/* balance.h — cutting a row of costs into contiguous parts of nearly
 * equal sums (the balanced slabs' cuts, and the k-d builder's cuts).
 *
 * Pure.  Given the cost of each of n items (samples per plane, from the
 * cost model), a number of parts P and the widest part allowed (items; a
 * slab's memory), vr_balance_cuts finds the smallest possible largest
 * part T* (binary search on T with the greedy test "can P parts of at most
 * T and at most that wide cover the row"), then places the cuts: part r
 * ends at the cut whose prefix sum is nearest (r+1) total / P among those
 * that keep the part <= T* and let the remaining parts still cover the
 * rest.  The largest part is therefore optimal (no contiguous cut within
 * the width does better) and the others are spread near the mean rather than packed to
 * T* from the left; ties go to the lower cut, so the result is a
 * deterministic function of the costs. */
#ifndef VR_BALANCE_H
#define VR_BALANCE_H

#include <stdint.h>

/* cut[0..P]: part r is items [cut[r], cut[r+1]); cut[0] = 0, cut[P] = n.
 * Costs are >= 0 and their sum must not exceed INT64_MAX.  max_width <= 0
 * allows any width; a width below ceil(n / P) is raised to it.  Returns 0,
 * or -1 if scratch cannot be allocated. */
int vr_balance_cuts(const int64_t *cost, int64_t n, int P, int64_t max_width, int64_t *cut);

/* The largest part's sum of a cut. */
int64_t vr_balance_max_part(const int64_t *cost, int P, const int64_t *cut);

#endif
