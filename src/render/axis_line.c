#include "render_internal.h"

#include <math.h>

static double line_at(const AxisLine *l, int q) { return l->A + (double)q * l->B; }
static int above_lo(const AxisLine *l, int q) { return line_at(l, q) >= l->lo; }
static int below_hi(const AxisLine *l, int q)
{
    const double f = line_at(l, q);
    return l->hi_strict ? f < l->hi : f <= l->hi;
}

/* First q in [0, n] for which pred(q) == want, pred monotone with
 * pred(0..k-1) != want and pred(k..n-1) == want; that k is unique, so it
 * is found from the guess x (where the line crosses the limit, by real
 * arithmetic) by stepping over the few q that rounding leaves on the wrong
 * side (none, mostly), with a bisection where the guess is far off or not
 * a number. */
static inline int first_where(int (*pred)(const AxisLine *, int), const AxisLine *l,
                       int want, int n, double x)
{
    if (x == x) {
        int q = x <= 0.0 ? 0 : x >= (double)n ? n : (int)ceil(x);
        for (int t = 0; t < 4; t++) {
            if (q > 0 && pred(l, q - 1) == want)
                q--;
            else if (q < n && pred(l, q) != want)
                q++;
            else
                return q;
        }
    }
    int lo = 0, hi = n;
    while (lo < hi) {
        const int mid = lo + (hi - lo) / 2;
        if (pred(l, mid) == want)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

void vr_line_interval(const AxisLine *l, int n, int *q0, int *q1)
{
    if (l->B > 0.0) {
        *q0 = first_where(above_lo, l, 1, n, (l->lo - l->A) / l->B);
        *q1 = first_where(below_hi, l, 0, n, (l->hi - l->A) / l->B);
    } else if (l->B < 0.0) {
        *q0 = first_where(below_hi, l, 1, n, (l->hi - l->A) / l->B);
        *q1 = first_where(above_lo, l, 0, n, (l->lo - l->A) / l->B);
    } else {
        const int all = above_lo(l, 0) && below_hi(l, 0);
        *q0 = 0;
        *q1 = all ? n : 0;
    }
    if (*q1 < *q0)
        *q1 = *q0;
}

void vr_axis_limits(const VrSlab *slab, const int64_t dims[3], int axis, AxisLine *l)
{
    const int64_t n = dims[axis];
    l->lo = -VR_EDGE_TOL;
    l->hi = (double)(n - 1) + VR_EDGE_TOL;
    l->hi_strict = 0;
    if (axis == slab->axis) {
        if (slab->own_lo > 0)
            l->lo = (double)slab->own_lo;
        if (slab->own_hi < n) {
            l->hi = (double)slab->own_hi;
            l->hi_strict = 1;
        }
        if (slab->own_lo == slab->own_hi)
            l->hi = -1.0; /* nothing owned */
    }
}
