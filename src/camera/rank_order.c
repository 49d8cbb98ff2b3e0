/* Visibility order of the ranks for a view.
 *
 * Rank i owns the samples whose grid index f along the decomposition axis
 * lies in its slab [lo_i, hi_i) (decomp.h); slabs are in rank order along
 * the axis.  "Over" needs, for every pixel, the ranks its ray visits in
 * the order the ray meets them from the viewer's side.  A rank whose slab
 * a ray does not touch contributes the identity (C = 0, T = 1) to that
 * pixel, and the identity commutes with everything, so an order is right
 * as soon as it is right for the ranks each ray does visit.
 *
 * Orthographic: every ray has the same direction; its component g = e_v[a]
 * along the axis says which way.  Rays travel towards the viewer along +e_v,
 * so with g > 0 the high slabs are in front, with g < 0 the low ones; with
 * g = 0 each ray stays within one slab and any order is right.
 *
 * Perspective: every ray is a segment of a line through the eye E, and all
 * its samples lie on the far side of E (the eye is outside the box:
 * d > W_v / 2 >= v_s).  Let e = E's grid index along the axis and
 * g the ray's component along it, measured from the eye into the scene.
 * If g > 0 the ray's samples all have f >= e and, from the eye outwards, f
 * increases: the ray meets first the slab containing e (if any samples lie
 * there), then the slabs above e in increasing order.  If g < 0 it meets
 * the slab containing e, then those below e in decreasing order.  If g = 0
 * it stays in one slab.  So give each slab the key
 *     k_i = 0 if lo_i <= e < hi_i;  lo_i - e if e < lo_i;  e - hi_i if e >= hi_i
 * (its distance along the axis from the eye) and order the ranks by
 * increasing key: restricted to the slabs above e it is their increasing
 * order, restricted to those below e their decreasing order, and the slab
 * containing e (key 0) comes first.  Every ray visits only the slab
 * containing e and slabs on one side of it, so every ray meets its ranks
 * in this order.  This holds too when the eye's coordinate lies inside the
 * cube's extent along the axis (the eye is outside the box, not
 * necessarily beside it): then rays of one view cross the split planes from
 * both sides, some upwards and some downwards, and the interleaving of the
 * two sides in the order does not matter, since no ray visits both.
 * (Ties, keys equal on both sides, are broken by rank: any order of two
 * slabs no ray visits together is right.)  Empty slabs own no sample and
 * contribute the identity everywhere.
 *
 * k-d blocks (kd.h): every split of the tree is a plane, f = at along its
 * axis, and each side's ranks own the samples on that side.  A ray meets
 * the two sides one after the other (a segment crosses a plane at most
 * once), so the order is a walk of the tree with, at every split, the side
 * the ray meets first ahead of the other; within each side the same
 * argument recurses.  Orthographic: the high side (f >= at) first iff
 * e_v[axis] > 0, for every ray (g = 0: a ray stays on one side, either
 * order).  Perspective: every ray starts at the eye and its samples lie
 * beyond it, so it meets the eye's side of the plane first: the high side
 * iff the eye's grid index e >= at (with e exactly on the plane every ray
 * stays on one side, and either order is right).  Ranks in the order are
 * the tree's leaves, so every rank appears once. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* qsort_r */
#endif
#include "vr/camera.h"

#include <stdlib.h>

#include "vr/decomp.h"
#include "vr/kd.h"

typedef struct {
    const VrDecomp *decomp;
    double eye;    /* the eye's grid index along the axis */
    const VrView *view;
} OrderCtx;

/* Distance along the axis from the eye to the slab of rank i. */
static double slab_key(const OrderCtx *c, int i)
{
    const double lo = (double)c->decomp->cut[i], hi = (double)c->decomp->cut[i + 1];
    return c->eye < lo ? lo - c->eye : c->eye >= hi ? c->eye - hi : 0.0;
}

static int cmp_ranks(const void *a, const void *b, void *ctx)
{
    const int x = *(const int *)a, y = *(const int *)b;
    const double kx = slab_key(ctx, x), ky = slab_key(ctx, y);
    if (kx != ky)
        return kx < ky ? -1 : 1;
    return (x > y) - (x < y);
}

/* Whether the high side of the split (axis, at) is met first. */
static int kd_front_high(const void *ctx, int axis, int64_t at)
{
    const VrView *view = ((const OrderCtx *)ctx)->view;
    const VrDecomp *d = ((const OrderCtx *)ctx)->decomp;
    if (view->lens == VR_LENS_PERSPECTIVE)
        return vr_grid_index(view->eye[axis], d->dims[axis]) >= (double)at;
    return view->ev[axis] > 0.0;
}

void vr_camera_rank_order(const VrView *view, const VrDecomp *decomp, int *order)
{
    if (decomp->kind == VR_DECOMP_KD) {
        if (decomp->nranks == 1) {
            order[0] = 0;
            return;
        }
        const OrderCtx c = {decomp, 0.0, view};
        vr_kd_order(decomp, kd_front_high, &c, order);
        return;
    }
    const int axis = decomp->axis, nranks = decomp->nranks;
    const int front_is_high = view->ev[axis] > 0.0;
    for (int i = 0; i < nranks; i++)
        order[i] = front_is_high ? nranks - 1 - i : i;
    if (view->lens != VR_LENS_PERSPECTIVE)
        return;
    OrderCtx c = {decomp, vr_grid_index(view->eye[axis], decomp->dims[axis]), view};
    qsort_r(order, (size_t)nranks, sizeof *order, cmp_ranks, &c);
}
