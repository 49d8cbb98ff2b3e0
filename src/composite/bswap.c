/* Binary swap with folding.  P = 2^k + e, 0 <= e < 2^k.  Positions 2i and
 * 2i+1 (i < e) fold into 2i; the 2^k survivors, in visibility order, get
 * active indices j = 0 .. 2^k - 1.  Stage b pairs j with j ^ 2^b: each
 * group of 2^b neighbours meets the adjacent group, so the composited runs
 * stay contiguous in visibility order and the lower j is in front.  Each
 * rank sends A (1 - 1/2^k) in k rounds (plus A once if it folds away). */
#include "plans.h"

int vr_fold_active_index(int e, int p)
{
    if (p < 2 * e)
        return (p % 2 == 0) ? p / 2 : -1;
    return p - e;
}

int vr_fold_position(int e, int j)
{
    return j < e ? 2 * j : j + e;
}

int vr_plan_fold(int e, int p, int64_t npix, VrCompositePlan *plan)
{
    if (p >= 2 * e)
        return 1;
    VrCompositeStep *st = &plan->step[plan->nsteps++];
    st->partner_in_front = 0;
    st->round = 0;
    if (p % 2 == 1) {
        st->kind = VR_STEP_SEND_ALL;
        st->partner = p - 1;
        st->send_lo = 0;
        st->send_hi = npix;
        st->keep_lo = st->keep_hi = 0;
        plan->final_lo = plan->final_hi = 0;
        return 0;
    }
    st->kind = VR_STEP_RECV_ALL;
    st->partner = p + 1;
    st->send_lo = st->send_hi = 0;
    st->keep_lo = 0;
    st->keep_hi = npix;
    return 1;
}

void vr_plan_bswap(int P, int p, int64_t npix, VrCompositePlan *plan)
{
    int pow2 = 1, k = 0;
    while (pow2 * 2 <= P) {
        pow2 *= 2;
        k++;
    }
    const int e = P - pow2;
    if (!vr_plan_fold(e, p, npix, plan))
        return;
    const int r0 = e > 0; /* the fold is round 0 */
    int64_t lo = 0, hi = npix;
    const int j = vr_fold_active_index(e, p);
    for (int b = 0; b < k; b++) {
        const int64_t mid = lo + (hi - lo) / 2;
        const int upper = (j >> b) & 1;
        VrCompositeStep *st = &plan->step[plan->nsteps++];
        st->kind = VR_STEP_SWAP;
        st->round = r0 + b;
        st->partner = vr_fold_position(e, j ^ (1 << b));
        st->partner_in_front = upper;
        st->send_lo = upper ? lo : mid;
        st->send_hi = upper ? mid : hi;
        st->keep_lo = upper ? mid : lo;
        st->keep_hi = upper ? hi : mid;
        lo = st->keep_lo;
        hi = st->keep_hi;
    }
    plan->final_lo = lo;
    plan->final_hi = hi;
}
