/* Ordered tree: at stride 2^b, position p (a multiple of 2^(b+1)) takes
 * the whole image of p + 2^b, which lies behind it.  ceil(log2 P) rounds;
 * position 0 ends with the whole image. */
#include "plans.h"

void vr_plan_tree(int P, int p, int64_t npix, VrCompositePlan *plan)
{
    int round = 0;
    for (int stride = 1; stride < P; stride *= 2, round++) {
        if (p % (2 * stride) == stride) {
            VrCompositeStep *st = &plan->step[plan->nsteps++];
            st->kind = VR_STEP_SEND_ALL;
            st->round = round;
            st->partner = p - stride;
            st->send_lo = 0;
            st->send_hi = npix;
            st->keep_lo = st->keep_hi = 0;
            st->partner_in_front = 1;
            plan->final_lo = plan->final_hi = 0;
            return;
        }
        if (p % (2 * stride) == 0 && p + stride < P) {
            VrCompositeStep *st = &plan->step[plan->nsteps++];
            st->kind = VR_STEP_RECV_ALL;
            st->round = round;
            st->partner = p + stride;
            st->send_lo = st->send_hi = 0;
            st->keep_lo = 0;
            st->keep_hi = npix;
            st->partner_in_front = 0;
        }
    }
    plan->final_lo = 0;
    plan->final_hi = npix;
}
