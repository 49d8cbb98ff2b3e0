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

void vr_axis_limits(const VrBlock *b, const int64_t dims[3], int axis, AxisLine *l)
{
    const int64_t n = dims[axis];
    l->lo = -VR_EDGE_TOL;
    l->hi = (double)(n - 1) + VR_EDGE_TOL;
    l->hi_strict = 0;
    if (b->own_lo[axis] > 0)
        l->lo = (double)b->own_lo[axis];
    if (b->own_hi[axis] < n) {
        l->hi = (double)b->own_hi[axis];
        l->hi_strict = 1;
    }
    if (vr_block_empty(b))
        l->hi = -1.0; /* nothing owned */
}

void vr_ray_axis_line(const VrView *view, const int64_t dims[3], int a, const double base[3],
                      const double step[3], AxisLine *l)
{
    const double v0 = -0.5 * view->depth, dv = view->depth / (double)(view->S - 1);
    const double n = (double)dims[a], sc = (n - 1.0) / n;
    l->A = (base[a] + v0 * step[a] + 0.5 * n) * sc;
    l->B = dv * step[a] * sc;
}

/* Plane of sample q: floor(f(q)), f within the cube's edge tolerance. */
static int64_t plane_at(const AxisLine *l, int q, int64_t n)
{
    const double f = line_at(l, q);
    int64_t p = f < 0.0 ? 0 : (int64_t)f;
    return p > n - 1 ? n - 1 : p;
}

/* First q in [lo, hi] with f(q) >= k (B > 0) or f(q) < k (B < 0): the
 * sample where the line crosses plane k, near the guess (k - A) / B and
 * settled with line_at itself, so the crossing is the kernels' own. */
static int crossing(const AxisLine *l, int lo, int hi, double k)
{
    const int up = l->B > 0.0;
    double g = ceil((k - l->A) / l->B);
    int q = g < (double)lo ? lo : g > (double)hi ? hi : (int)g;
#define VR_PAST(q_) (up ? line_at(l, (q_)) >= k : line_at(l, (q_)) < k)
    while (q > lo && VR_PAST(q - 1))
        q--;
    while (q < hi && !VR_PAST(q))
        q++;
#undef VR_PAST
    return q;
}

void vr_line_plane_counts(const AxisLine *l, int q0, int q1, int64_t n, int64_t off,
                          int64_t weight, int64_t *count)
{
    count -= off; /* planes from `off` on: count[p - off] */
    if (q1 <= q0)
        return;
    const int64_t first = plane_at(l, q0, n), last = plane_at(l, q1 - 1, n);
    if (first == last) {
        count[first] += weight * (q1 - q0);
        return;
    }
    /* Fewer than ~4 samples a plane: sample by sample is cheaper than
     * finding each crossing (same expression, same planes). */
    if ((int64_t)(q1 - q0) <= 4 * (first < last ? last - first : first - last)) {
        for (int q = q0; q < q1; q++)
            count[plane_at(l, q, n)] += weight;
        return;
    }
    int at = q0;
    if (first < last) { /* B > 0: planes first, first + 1, ..., last */
        for (int64_t k = first + 1; k <= last; k++) {
            const int q = crossing(l, at, q1, (double)k);
            count[k - 1] += weight * (q - at);
            at = q;
        }
    } else { /* B < 0: planes first, first - 1, ..., last */
        for (int64_t k = first; k > last; k--) {
            const int q = crossing(l, at, q1, (double)k);
            count[k] += weight * (q - at);
            at = q;
        }
    }
    count[last] += weight * (q1 - at);
}
