/* test_axis_line — vr_line_interval (src/render/axis_line.c) against its
 * definition: the q in [0, n) with lo <= A + q B and A + q B < hi (or <= hi),
 * found by scanning every q, for random lines, lines through the limits
 * exactly, steep, flat and constant ones. */
#include <math.h>

#include "../../src/render/render_internal.h"
#include "check.h"

static int takes(const AxisLine *l, int q)
{
    const double f = l->A + (double)q * l->B;
    return f >= l->lo && (l->hi_strict ? f < l->hi : f <= l->hi);
}

static void check_line(const AxisLine *l, int n)
{
    int q0, q1;
    vr_line_interval(l, n, &q0, &q1);
    int e0 = 0, e1 = 0, found = 0;
    for (int q = 0; q < n; q++)
        if (takes(l, q)) {
            if (!found)
                e0 = q;
            found = 1;
            e1 = q + 1;
        }
    if (!found)
        CHECK(q0 == q1, "A %.17g B %.17g lo %.17g hi %.17g n %d: [%d, %d) for none", l->A,
              l->B, l->lo, l->hi, n, q0, q1);
    else
        CHECK(q0 == e0 && q1 == e1, "A %.17g B %.17g lo %.17g hi %.17g strict %d n %d: [%d, %d) "
              "for [%d, %d)", l->A, l->B, l->lo, l->hi, l->hi_strict, n, q0, q1, e0, e1);
}

int main(void)
{
    const int ns[] = {1, 2, 3, 17, 256, 1000};
    for (int it = 0; it < 200000; it++) {
        const int n = ns[it % 6];
        AxisLine l;
        const double span = 300.0 * check_rand();
        l.lo = -VR_EDGE_TOL + (check_rand() < 0.5 ? 0.0 : floor(span * check_rand()));
        l.hi = l.lo + floor(span * check_rand()) + (check_rand() < 0.3 ? VR_EDGE_TOL : 0.0);
        l.hi_strict = check_rand() < 0.5;
        const int kind = it % 5;
        l.B = (check_rand() - 0.5) * (kind == 0 ? 1e-12 : kind == 1 ? 50.0 : 3.0);
        if (kind == 2)
            l.B = 0.0;
        l.A = (check_rand() - 0.25) * 2.0 * span;
        if (kind == 3 && l.B != 0.0) {
            /* a sample exactly (as far as doubles go) on a limit */
            const int q = (int)(check_rand() * n);
            l.A = (check_rand() < 0.5 ? l.lo : l.hi) - (double)q * l.B;
        }
        check_line(&l, n);
    }
    /* Far off, infinite and NaN guesses fall back to bisection. */
    AxisLine l = {.A = 1e300, .B = -1e299, .lo = 0.0, .hi = 255.0, .hi_strict = 0};
    check_line(&l, 256);
    l.A = 0.5;
    l.B = 1e-320;
    check_line(&l, 256);
    return check_report("axis_line");
}
