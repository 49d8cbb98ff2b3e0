/* The k-d decomposition (kd.h): recursive bisection, level by level. */
#include "vr/kd.h"

#include <stdlib.h>
#include <string.h>

#include "vr/cost_model.h"

/* How far from half the ranks below a cut may go (kd.h). */
enum { VR_KD_RANK_SPREAD = 2 };

/* A node still to be split: its box and ranks, its index in d->node, and
 * (while its level is counted) where its axes' counts start. */
typedef struct {
    int64_t lo[3], hi[3];
    int r0, r1;
    int self;
    int64_t *count[3];
} Pending;

static int64_t box_points(const int64_t lo[3], const int64_t hi[3])
{
    return (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
}

/* A cut candidate of one axis: its plane, ranks below it and score. */
typedef struct {
    int64_t at;
    int plow;
    double score; /* max(cost_low / P_low, cost_high / P_high) */
    int64_t dist; /* |at - proportional cut| */
} Cut;

/* The best cut of pending node n along axis a from its counts, or
 * at = -1 if none leaves every rank a point. */
static Cut best_cut(const Pending *n, int a, const int64_t *count, int64_t cap)
{
    Cut best = {-1, 0, 0.0, 0};
    const int P = n->r1 - n->r0;
    const int64_t e = n->hi[a] - n->lo[a];
    if (e < 2)
        return best; /* no counts either */
    const int64_t across = box_points(n->lo, n->hi) / e; /* points per plane */
    int64_t total = 0;
    for (int64_t p = 0; p < e; p++)
        total += count[p];
    /* Ranks below the cut: half, or a few more or fewer where that lets
     * the cut balance better (the planes are coarse in small boxes).
     * pass 0: within the memory cap; pass 1: without it. */
    const int spread = P / 4 < VR_KD_RANK_SPREAD ? P / 4 : VR_KD_RANK_SPREAD;
    for (int pass = 0; pass < 2 && best.at < 0; pass++)
        for (int dp = 0; dp <= 2 * spread; dp++) {
            const int plow = P / 2 + (dp % 2 ? (dp + 1) / 2 : -(dp / 2)), phigh = P - plow;
            /* The proportional cut: planes in proportion to the ranks. */
            const int64_t prop = (e * plow + P / 2) / P;
            int64_t below = 0;
            for (int64_t k = 1; k < e; k++) {
                below += count[k - 1];
                const int64_t vlow = k * across, vhigh = (e - k) * across;
                if (vlow < plow || vhigh < phigh)
                    continue;
                if (pass == 0 && (vlow > cap * plow || vhigh > cap * phigh))
                    continue;
                const double low = (double)below / plow, high = (double)(total - below) / phigh;
                const double score = total > 0 ? (low > high ? low : high) : 0.0;
                const int64_t dist = k > prop ? k - prop : prop - k;
                if (best.at < 0 || score < best.score ||
                    (score == best.score && plow == best.plow && dist < best.dist)) {
                    best.at = n->lo[a] + k;
                    best.plow = plow;
                    best.score = score;
                    best.dist = dist;
                }
            }
        }
    return best;
}

/* Where no axis can be cut with half the ranks on each side (a box with
 * barely more points than ranks): the middle of its longest axis, with
 * as many ranks below as the points allow. */
static Cut fallback_cut(const Pending *n, int *axis)
{
    int a = 0;
    for (int b = 1; b < 3; b++)
        if (n->hi[b] - n->lo[b] > n->hi[a] - n->lo[a])
            a = b;
    const int P = n->r1 - n->r0;
    const int64_t e = n->hi[a] - n->lo[a], across = box_points(n->lo, n->hi) / e;
    const int64_t k = e / 2;
    int64_t plow = P / 2;
    if (plow > k * across)
        plow = k * across;
    if (P - plow > (e - k) * across)
        plow = P - (e - k) * across;
    *axis = a;
    return (Cut){n->lo[a] + k, (int)plow, 0.0, 0};
}

/* Picks the cut of node n: the best score over its axes, and among the
 * axes within 1 % of it the longest (compact blocks: less ghost memory
 * and smaller footprints), ties to the lowest axis. */
static Cut choose_cut(const Pending *n, int64_t cap, int *axis)
{
    Cut c[3];
    double best = -1.0;
    for (int a = 0; a < 3; a++) {
        c[a] = best_cut(n, a, n->count[a], cap);
        if (c[a].at >= 0 && (best < 0.0 || c[a].score < best))
            best = c[a].score;
    }
    if (best < 0.0)
        return fallback_cut(n, axis);
    int pick = -1;
    for (int a = 0; a < 3; a++) {
        if (c[a].at < 0 || c[a].score > best * 1.01)
            continue;
        if (pick < 0 || n->hi[a] - n->lo[a] > n->hi[pick] - n->lo[pick])
            pick = a;
    }
    *axis = pick;
    return c[pick];
}

int vr_decomp_init_kd(VrDecomp *d, int nranks, const int64_t dims[3], VrKdCounter counter,
                      void *ctx)
{
    memset(d, 0, sizeof *d);
    const int64_t zero[3] = {0, 0, 0};
    const int64_t V = box_points(zero, dims);
    if (nranks < 1 || V < nranks)
        return -2;
    d->kind = VR_DECOMP_KD;
    d->axis = -1;
    d->nranks = nranks;
    memcpy(d->dims, dims, sizeof d->dims);
    d->box = calloc((size_t)nranks, sizeof *d->box);
    d->node = nranks > 1 ? calloc((size_t)nranks - 1, sizeof *d->node) : NULL;
    Pending *level = calloc((size_t)nranks, sizeof *level);
    Pending *next = calloc((size_t)nranks, sizeof *next);
    VrKdQuery *q = calloc(3 * (size_t)nranks, sizeof *q);
    int rc = d->box && (nranks == 1 || d->node) && level && next && q ? 0 : -1;
    /* No block beyond this many points per rank (the memory cap). */
    const int64_t cap = VR_SLAB_MAX_SHARES * (V / nranks + (V % nranks != 0));
    int nlevel = 0;
    if (rc == 0) {
        level[0] = (Pending){{0, 0, 0}, {dims[0], dims[1], dims[2]}, 0, nranks, 0, {0}};
        nlevel = 1;
    }
    if (rc != 0)
        counter(ctx, -1, NULL, 0); /* tells a collective counter */
    int64_t *buf = NULL;
    while (rc == 0 && nlevel > 0) {
        /* Leaves take their box; the rest are counted together. */
        int nsplit = 0, nq = 0;
        int64_t total = 0;
        for (int i = 0; i < nlevel; i++) {
            Pending *n = &level[i];
            if (n->r1 - n->r0 == 1) {
                for (int a = 0; a < 3; a++) {
                    d->box[n->r0][a] = n->lo[a];
                    d->box[n->r0][3 + a] = n->hi[a];
                }
                continue;
            }
            level[nsplit++] = *n;
            for (int a = 0; a < 3; a++)
                if (level[nsplit - 1].hi[a] - level[nsplit - 1].lo[a] >= 2)
                    total += level[nsplit - 1].hi[a] - level[nsplit - 1].lo[a];
        }
        if (nsplit == 0)
            break;
        free(buf);
        buf = calloc((size_t)(total > 0 ? total : 1), sizeof *buf);
        if (!buf) {
            counter(ctx, -1, NULL, 0);
            rc = -1;
            break;
        }
        int64_t at = 0;
        for (int i = 0; i < nsplit; i++) {
            Pending *n = &level[i];
            for (int a = 0; a < 3; a++) {
                n->count[a] = NULL;
                if (n->hi[a] - n->lo[a] < 2)
                    continue;
                n->count[a] = buf + at;
                vr_block_of(n->lo, n->hi, dims, &q[nq].box);
                q[nq].axis = a;
                q[nq].count = buf + at;
                nq++;
                at += n->hi[a] - n->lo[a];
            }
        }
        if (counter(ctx, nq, q, total) != 0) {
            rc = -1;
            break;
        }
        int nnext = 0;
        for (int i = 0; i < nsplit; i++) {
            const Pending *n = &level[i];
            int axis;
            const Cut c = choose_cut(n, cap, &axis);
            const int mid = n->r0 + c.plow;
            VrKdNode *node = &d->node[n->self];
            *node = (VrKdNode){axis, c.at, n->r0, mid, n->r1, -1, -1};
            Pending low = *n, high = *n;
            low.hi[axis] = c.at;
            low.r1 = mid;
            high.lo[axis] = c.at;
            high.r0 = mid;
            if (low.r1 - low.r0 > 1)
                node->low = low.self = ++d->nnodes;
            if (high.r1 - high.r0 > 1)
                node->high = high.self = ++d->nnodes;
            next[nnext++] = low;
            next[nnext++] = high;
        }
        Pending *t = level;
        level = next;
        next = t;
        nlevel = nnext;
    }
    if (nranks > 1)
        d->nnodes++; /* the root, index 0 */
    free(buf);
    free(level);
    free(next);
    free(q);
    if (rc != 0)
        vr_decomp_free(d);
    return rc;
}

static void walk(const VrDecomp *d, int ni, int r0, int r1,
                 int (*front_high)(const void *ctx, int axis, int64_t at), const void *ctx,
                 int **out)
{
    if (r1 - r0 == 1) {
        *(*out)++ = r0;
        return;
    }
    const VrKdNode *n = &d->node[ni];
    const int high_first = front_high(ctx, n->axis, n->at);
    for (int side = 0; side < 2; side++) {
        const int high = side == 0 ? high_first : !high_first;
        if (high)
            walk(d, n->high, n->mid_rank, n->hi_rank, front_high, ctx, out);
        else
            walk(d, n->low, n->lo_rank, n->mid_rank, front_high, ctx, out);
    }
}

void vr_kd_order(const VrDecomp *d, int (*front_high)(const void *ctx, int axis, int64_t at),
                 const void *ctx, int *order)
{
    int *out = order;
    walk(d, 0, 0, d->nranks, front_high, ctx, &out);
}
