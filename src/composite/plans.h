/* plans.h — the strategies' plan builders, one per file (inside the
 * composite module only; the public interface is vr/composite.h).
 *
 * Each appends the steps of visibility position p of P for an image of
 * npix pixels to a zeroed plan and sets its final region.  Steps of one
 * round are carried out together (every receive and send posted, then
 * the pieces composited in step order). */
#ifndef VR_COMPOSITE_PLANS_H
#define VR_COMPOSITE_PLANS_H

#include "vr/composite.h"

void vr_plan_bswap(int P, int p, int64_t npix, VrCompositePlan *plan);
void vr_plan_tree(int P, int p, int64_t npix, VrCompositePlan *plan);
void vr_plan_radixk(int K, int P, int p, int64_t npix, VrCompositePlan *plan);

/* Shared by bswap and radix-k: folding P = P' + e positions onto P'
 * (e <= P'): positions 2i and 2i+1 (i < e) fold into 2i.  The active
 * index of position p (-1 if it folds away), and the position of active
 * index j. */
int vr_fold_active_index(int e, int p);
int vr_fold_position(int e, int j);

/* The fold step itself (round 0); returns 0 if position p sent its whole
 * image and is done. */
int vr_plan_fold(int e, int p, int64_t npix, VrCompositePlan *plan);

#endif
