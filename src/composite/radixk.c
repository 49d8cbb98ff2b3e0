/* Radix-k (Peterka et al. 2009; IceT's radixk strategy).  The P positions
 * first fold, as in binary swap, onto P' = the largest number <= P whose
 * prime factors are all <= K (P' >= the largest power of two <= P, so
 * e = P - P' < P' and a fold pairs at most two positions; primes above K
 * fold like this).  P' is factored into rounds k_0, k_1, ... <= K (its
 * primes packed first-fit, largest first).  The active index j is read in
 * that mixed radix, j = d_0 + k_0 (d_1 + k_1 (d_2 + ...)); round r groups
 * the k_r indices that differ only in d_r, which hold neighbouring runs of
 * the visibility order (lower d_r in front).  Each member splits its
 * current region into k_r pieces, keeps piece d_r, sends piece d to member
 * d and composites the k_r - 1 pieces it receives: those behind it in
 * ascending order, then those in front in descending order, so every
 * pixel is "over"ed in visibility order.  Each rank sends A (1 - 1/P') in
 * as many rounds as P' has factors (log_K P' when K divides it), against
 * log2 P' for binary swap; with K = 2 the plan is binary swap's. */
#include "plans.h"

/* 1 if every prime factor of n is <= K. */
static int smooth(int n, int K)
{
    for (int f = 2; f <= K && n > 1; f++)
        while (n % f == 0)
            n /= f;
    return n == 1;
}

/* The round sizes of n (K-smooth) into k[], returns their count. */
static int factor_rounds(int n, int K, int *k)
{
    int primes[32], np = 0;
    for (int f = 2; f <= K && n > 1; f++)
        while (n % f == 0) {
            primes[np++] = f; /* ascending; f is prime when it divides here */
            n /= f;
        }
    int nk = 0;
    for (int i = np - 1; i >= 0; i--) { /* largest first, first fit */
        int placed = 0;
        for (int b = 0; b < nk && !placed; b++)
            if (k[b] * primes[i] <= K) {
                k[b] *= primes[i];
                placed = 1;
            }
        if (!placed)
            k[nk++] = primes[i];
    }
    return nk;
}

int vr_radixk_rounds(int K, int P, int *k)
{
    int n = P;
    while (n > 1 && !smooth(n, K))
        n--;
    return factor_rounds(n, K, k);
}

void vr_plan_radixk(int K, int P, int p, int64_t npix, VrCompositePlan *plan)
{
    if (K < 2)
        K = 2;
    int k[32];
    const int nk = vr_radixk_rounds(K, P, k);
    int Pp = 1;
    for (int r = 0; r < nk; r++)
        Pp *= k[r];
    const int e = P - Pp;
    if (!vr_plan_fold(e, p, npix, plan))
        return;
    const int r0 = e > 0;
    const int j = vr_fold_active_index(e, p);
    int64_t lo = 0, hi = npix;
    int stride = 1;
    for (int r = 0; r < nk; r++) {
        const int kr = k[r], dr = (j / stride) % kr;
        const int64_t n = hi - lo;
#define PIECE_LO(d) (lo + n * (d) / kr)
        const int64_t keep_lo = PIECE_LO(dr), keep_hi = PIECE_LO(dr + 1);
        for (int t = 0; t < kr - 1; t++) {
            /* behind first (ascending), then in front (descending) */
            const int d = t < kr - 1 - dr ? dr + 1 + t : dr - 1 - (t - (kr - 1 - dr));
            VrCompositeStep *st = &plan->step[plan->nsteps++];
            st->kind = VR_STEP_SWAP;
            st->round = r0 + r;
            st->partner = vr_fold_position(e, j + (d - dr) * stride);
            st->partner_in_front = d < dr;
            st->send_lo = PIECE_LO(d);
            st->send_hi = PIECE_LO(d + 1);
            st->keep_lo = keep_lo;
            st->keep_hi = keep_hi;
        }
#undef PIECE_LO
        lo = keep_lo;
        hi = keep_hi;
        stride *= kr;
    }
    plan->final_lo = lo;
    plan->final_hi = hi;
}
