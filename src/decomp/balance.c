/* Balanced contiguous cuts of a row of costs (balance.h). */
#include "vr/balance.h"

#include <stdlib.h>

/* The furthest end e in [from, n] with pre[e] - pre[at] <= T (from when
 * none is further); from >= at. */
static int64_t furthest_end(const int64_t *pre, int64_t at, int64_t from, int64_t n,
                            int64_t T)
{
    int64_t lo = from, hi = n;
    while (lo < hi) {
        const int64_t mid = lo + (hi - lo + 1) / 2;
        if (pre[mid] - pre[at] <= T)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* 1 if P parts of sum at most T and at most W items cover the row
 * (greedy from the left). */
static int fits(const int64_t *pre, int64_t n, int P, int64_t T, int64_t W)
{
    int64_t at = 0;
    for (int p = 0; p < P && at < n; p++) {
        int64_t e = furthest_end(pre, at, at, n, T);
        e = e < at + W ? e : at + W;
        if (e == at)
            return 0; /* item at alone costs more than T */
        at = e;
    }
    return at >= n;
}

int vr_balance_cuts(const int64_t *cost, int64_t n, int P, int64_t max_width, int64_t *cut)
{
    /* W: the widest part allowed, at least the equal share ceil(n / P). */
    const int64_t share = n / P + (n % P != 0);
    const int64_t W = max_width <= 0 ? n : max_width > share ? max_width : share;
    int64_t *pre = malloc(((size_t)n + 1) * sizeof *pre);
    int64_t *need = malloc(((size_t)P + 1) * sizeof *need);
    if (!pre || !need) {
        free(pre);
        free(need);
        return -1;
    }
    pre[0] = 0;
    int64_t biggest = 0;
    for (int64_t i = 0; i < n; i++) {
        pre[i + 1] = pre[i] + cost[i];
        biggest = cost[i] > biggest ? cost[i] : biggest;
    }
    const int64_t total = pre[n];
    /* T* in [max(biggest, ceil(total / P)), total]. */
    int64_t lo = total / P + (total % P != 0), hi = total;
    lo = lo > biggest ? lo : biggest;
    while (lo < hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        if (fits(pre, n, P, mid, W))
            hi = mid;
        else
            lo = mid + 1;
    }
    const int64_t T = lo;
    /* need[j]: the smallest start from which j parts of at most T and W
     * cover the rest of the row (greedy from the right). */
    need[0] = n;
    for (int j = 1; j <= P; j++) {
        int64_t s = need[j - 1];
        if (s > 0) {
            int64_t a = 0, b = s; /* smallest a with pre[s] - pre[a] <= T */
            while (a < b) {
                const int64_t mid = a + (b - a) / 2;
                if (pre[s] - pre[mid] <= T)
                    b = mid;
                else
                    a = mid + 1;
            }
            s = a > s - W ? a : s - W;
        }
        need[j] = s;
    }
    cut[0] = 0;
    for (int r = 0; r < P; r++) {
        const int64_t at = cut[r];
        const int64_t least = need[P - r - 1] > at ? need[P - r - 1] : at;
        /* The furthest end keeping this part <= T and <= W wide. */
        int64_t most = furthest_end(pre, at, least, n, T);
        most = most < at + W ? most : at + W;
        /* The end in [least, most] whose prefix is nearest the target
         * (r+1) total / P, computed without overflow. */
        const int64_t target = (total / P) * (r + 1) + (total % P) * (r + 1) / P;
        int64_t e0 = least, e1 = most; /* first e with pre[e] >= target */
        while (e0 < e1) {
            const int64_t mid = e0 + (e1 - e0) / 2;
            if (pre[mid] >= target)
                e1 = mid;
            else
                e0 = mid + 1;
        }
        int64_t e = e0;
        if (e > least && target - pre[e - 1] <= pre[e] - target)
            e = e - 1;
        cut[r + 1] = r == P - 1 ? n : e;
    }
    free(pre);
    free(need);
    return 0;
}

int64_t vr_balance_max_part(const int64_t *cost, int P, const int64_t *cut)
{
    int64_t most = 0;
    for (int r = 0; r < P; r++) {
        int64_t s = 0;
        for (int64_t i = cut[r]; i < cut[r + 1]; i++)
            s += cost[i];
        most = s > most ? s : most;
    }
    return most;
}
