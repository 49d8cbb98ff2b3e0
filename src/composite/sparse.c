/* Content rectangles, the runs of a pixel range inside one, and the plan
 * followed for all positions on rectangles (see vr/sparse.h). */
#include "vr/sparse.h"

static const VrRect EMPTY = {0, 0, 0, 0};

static int imin(int a, int b) { return a < b ? a : b; }
static int imax(int a, int b) { return a > b ? a : b; }

int vr_rect_empty(VrRect r) { return r.r0 >= r.r1 || r.c0 >= r.c1; }

VrRect vr_rect_hull(VrRect a, VrRect b)
{
    if (vr_rect_empty(a))
        return vr_rect_empty(b) ? EMPTY : b;
    if (vr_rect_empty(b))
        return a;
    return (VrRect){imin(a.r0, b.r0), imax(a.r1, b.r1), imin(a.c0, b.c0), imax(a.c1, b.c1)};
}

VrRect vr_rect_full(int width, int height) { return (VrRect){0, height, 0, width}; }

static int transparent(const float *p)
{
    return p[0] == 0.0f && p[1] == 0.0f && p[2] == 0.0f && p[3] == 1.0f;
}

VrRect vr_image_content(const float *image, int width, int height)
{
    int r0 = height, r1 = 0, c0 = width, c1 = 0;
#pragma omp parallel for schedule(static) reduction(min : r0, c0) reduction(max : r1, c1)
    for (int y = 0; y < height; y++) {
        const float *row = image + 4 * (int64_t)y * width;
        int c = 0;
        while (c < width && transparent(row + 4 * c))
            c++;
        if (c == width)
            continue;
        int e = width; /* stops at c + 1 at the latest */
        while (transparent(row + 4 * (e - 1)))
            e--;
        c0 = imin(c0, c);
        c1 = imax(c1, e);
        r0 = imin(r0, y);
        r1 = imax(r1, y + 1);
    }
    return r0 < r1 ? (VrRect){r0, r1, c0, c1} : EMPTY;
}

/* Columns of row y of [lo, hi) inside r, the row within r's rows. */
static void row_columns(VrRect r, int64_t lo, int64_t hi, int width, int y, int *c0, int *c1)
{
    const int64_t first = lo / width, last = (hi - 1) / width;
    *c0 = imax(r.c0, y == first ? (int)(lo % width) : 0);
    *c1 = imin(r.c1, y == last ? (int)((hi - 1) % width) + 1 : width);
}

/* Rows [*y0, *y1) of [lo, hi) inside r holding at least one pixel. */
static void rows_of(VrRect r, int64_t lo, int64_t hi, int width, int *y0, int *y1)
{
    *y0 = *y1 = 0;
    if (vr_rect_empty(r) || lo >= hi)
        return;
    int a = imax(r.r0, (int)(lo / width)), b = imin(r.r1, (int)((hi - 1) / width) + 1);
    int c0, c1;
    if (a < b) {
        row_columns(r, lo, hi, width, a, &c0, &c1);
        a += c0 >= c1;
    }
    if (a < b) {
        row_columns(r, lo, hi, width, b - 1, &c0, &c1);
        b -= c0 >= c1;
    }
    if (a < b) {
        *y0 = a;
        *y1 = b;
    }
}

VrRect vr_rect_clip(VrRect r, int64_t lo, int64_t hi, int width)
{
    int y0, y1;
    rows_of(r, lo, hi, width, &y0, &y1);
    if (y0 >= y1)
        return EMPTY;
    VrRect out = {y0, y1, width, 0};
    int c0, c1;
    row_columns(r, lo, hi, width, y0, &c0, &c1);
    out.c0 = c0;
    out.c1 = c1;
    row_columns(r, lo, hi, width, y1 - 1, &c0, &c1);
    out.c0 = imin(out.c0, c0);
    out.c1 = imax(out.c1, c1);
    if (y1 - y0 > 2) { /* the rows between are r's columns whole */
        out.c0 = imin(out.c0, r.c0);
        out.c1 = imax(out.c1, r.c1);
    }
    return out;
}

int vr_rect_runs(VrRect r, int64_t lo, int64_t hi, int width, int *start, int *len,
                 int64_t *npix)
{
    int y0, y1, n = 0;
    int64_t total = 0, end = -1; /* one past the last run's pixels */
    rows_of(r, lo, hi, width, &y0, &y1);
    for (int y = y0; y < y1; y++) {
        int c0, c1;
        row_columns(r, lo, hi, width, y, &c0, &c1);
        const int64_t s = (int64_t)y * width + c0;
        if (c0 >= c1)
            continue;
        if (n > 0 && s == end) { /* continues the previous run */
            if (len)
                len[n - 1] += c1 - c0;
        } else {
            if (start)
                start[n] = (int)s;
            if (len)
                len[n] = c1 - c0;
            n++;
        }
        end = s + (c1 - c0);
        total += c1 - c0;
    }
    if (npix)
        *npix = total;
    return n;
}

int vr_sparse_round(VrCompositeMethod method, int K, int P, int64_t npix, int width,
                    int round, const VrRect *cur, VrRect *next, VrCompositePlan *scratch,
                    VrSparseCost *cost)
{
    int later = 0;
    for (int p = 0; p < P; p++) {
        vr_plan_composite_k(method, K, P, p, npix, scratch);
        VrRect held = cur[p];
        int in_round = 0, busy = 0;
        for (int i = 0; i < scratch->nsteps; i++) {
            const VrCompositeStep *st = &scratch->step[i];
            later |= st->round > round;
            if (st->round != round)
                continue;
            if (cost) { /* what moves in this step, as the executor posts it */
                int64_t n = 0;
                if (st->kind != VR_STEP_SEND_ALL) {
                    vr_rect_runs(cur[st->partner], st->keep_lo, st->keep_hi, width, NULL,
                                 NULL, &n);
                    busy |= n > 0;
                }
                if (st->kind != VR_STEP_RECV_ALL) {
                    vr_rect_runs(cur[p], st->send_lo, st->send_hi, width, NULL, NULL, &n);
                    cost[p].swapped += 16 * n;
                    cost[p].messages += n > 0;
                    busy |= n > 0;
                }
            }
            if (st->kind == VR_STEP_SEND_ALL) {
                held = EMPTY;
                continue;
            }
            if (!in_round) /* the steps of a round keep one range */
                held = vr_rect_clip(cur[p], st->keep_lo, st->keep_hi, width);
            in_round = 1;
            held = vr_rect_hull(held, vr_rect_clip(cur[st->partner], st->keep_lo,
                                                   st->keep_hi, width));
        }
        next[p] = held;
        if (cost)
            cost[p].rounds += busy;
    }
    return later;
}
