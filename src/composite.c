#include "vr/composite.h"

#include <stdlib.h>
#include <string.h>

#include "vr/parallel.h"

void vr_over(const float *front, const float *back, float *out, int64_t npixels)
{
    for (int64_t p = 0; p < npixels; p++) {
        const float *f = front + 4 * p, *b = back + 4 * p;
        const float t = f[3];
        const float r = f[0] + t * b[0], g = f[1] + t * b[1],
                    bl = f[2] + t * b[2], tt = t * b[3];
        out[4 * p + 0] = r;
        out[4 * p + 1] = g;
        out[4 * p + 2] = bl;
        out[4 * p + 3] = tt;
    }
}

/* Binary swap with folding.  P = 2^k + e, 0 <= e < 2^k.  Positions 2i and
 * 2i+1 (i < e) fold into 2i; the 2^k survivors, in visibility order, get
 * active indices j = 0 .. 2^k - 1.  Stage b pairs j with j ^ 2^b: each
 * group of 2^b neighbours meets the adjacent group, so the composited runs
 * stay contiguous in visibility order and the lower j is in front. */
static int bswap_active_index(int P, int e, int p)
{
    (void)P;
    if (p < 2 * e)
        return (p % 2 == 0) ? p / 2 : -1;
    return p - e;
}

static int bswap_position(int e, int j)
{
    return j < e ? 2 * j : j + e;
}

static void plan_bswap(int P, int p, int64_t npix, VrCompositePlan *plan)
{
    int pow2 = 1, k = 0;
    while (pow2 * 2 <= P) {
        pow2 *= 2;
        k++;
    }
    const int e = P - pow2;
    int64_t lo = 0, hi = npix;
    if (p < 2 * e) {
        VrCompositeStep *st = &plan->step[plan->nsteps++];
        st->partner_in_front = 0;
        if (p % 2 == 1) {
            st->kind = VR_STEP_SEND_ALL;
            st->partner = p - 1;
            st->send_lo = 0;
            st->send_hi = npix;
            st->keep_lo = st->keep_hi = 0;
            plan->final_lo = plan->final_hi = 0;
            return;
        }
        st->kind = VR_STEP_RECV_ALL;
        st->partner = p + 1;
        st->send_lo = st->send_hi = 0;
        st->keep_lo = 0;
        st->keep_hi = npix;
    }
    const int j = bswap_active_index(P, e, p);
    for (int b = 0; b < k; b++) {
        const int64_t mid = lo + (hi - lo) / 2;
        const int upper = (j >> b) & 1;
        VrCompositeStep *st = &plan->step[plan->nsteps++];
        st->kind = VR_STEP_SWAP;
        st->partner = bswap_position(e, j ^ (1 << b));
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

/* Ordered tree: at stride 2^b, position p (a multiple of 2^(b+1)) takes
 * the image of p + 2^b, which lies behind it. */
static void plan_tree(int P, int p, int64_t npix, VrCompositePlan *plan)
{
    for (int stride = 1; stride < P; stride *= 2) {
        if (p % (2 * stride) == stride) {
            VrCompositeStep *st = &plan->step[plan->nsteps++];
            st->kind = VR_STEP_SEND_ALL;
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

void vr_plan_composite(VrCompositeMethod method, int P, int p, int64_t npix,
                       VrCompositePlan *plan)
{
    memset(plan, 0, sizeof *plan);
    if (method == VR_COMPOSITE_TREE)
        plan_tree(P, p, npix, plan);
    else
        plan_bswap(P, p, npix, plan);
}

struct VrCompositor {
    MPI_Comm comm;
    MPI_Datatype pixel;  /* 4 floats */
    VrCompositeMethod method;
    int rank, nranks;
    int64_t npix;
    float *recv;         /* npix pixels */
    int *counts, *displs;
    int64_t bytes_swapped, bytes_gathered;
};

int vr_compositor_create(MPI_Comm comm, VrCompositeMethod method, int64_t npix,
                         VrCompositor **out, VrError *err)
{
    int rc = VR_OK;
    VrCompositor *c = calloc(1, sizeof *c);
    if (c) {
        c->method = method;
        c->npix = npix;
        MPI_Comm_rank(comm, &c->rank);
        MPI_Comm_size(comm, &c->nranks);
        c->recv = malloc((size_t)npix * 4 * sizeof(float));
        c->counts = malloc((size_t)c->nranks * sizeof(int));
        c->displs = malloc((size_t)c->nranks * sizeof(int));
    }
    if (!c || !c->recv || !c->counts || !c->displs)
        rc = vr_fail(err, VR_ERR_NOMEM, "cannot allocate the compositing buffers");
    rc = vr_agree(comm, rc, err);
    if (rc != VR_OK) {
        if (c) {
            free(c->recv);
            free(c->counts);
            free(c->displs);
            free(c);
        }
        *out = NULL;
        return rc;
    }
    MPI_Comm_dup(comm, &c->comm);
    MPI_Type_contiguous(4, MPI_FLOAT, &c->pixel);
    MPI_Type_commit(&c->pixel);
    *out = c;
    return VR_OK;
}

void vr_compositor_free(VrCompositor *c)
{
    if (!c)
        return;
    MPI_Type_free(&c->pixel);
    MPI_Comm_free(&c->comm);
    free(c->recv);
    free(c->counts);
    free(c->displs);
    free(c);
}

int64_t vr_compositor_bytes_swapped(const VrCompositor *c) { return c->bytes_swapped; }
int64_t vr_compositor_bytes_gathered(const VrCompositor *c) { return c->bytes_gathered; }

static void run_step(VrCompositor *c, const VrCompositeStep *st, const int *order,
                     float *image)
{
    const int partner = order[st->partner];
    const int64_t nsend = st->send_hi - st->send_lo;
    const int64_t nkeep = st->keep_hi - st->keep_lo;
    float *mine = image + 4 * st->keep_lo;
    switch (st->kind) {
    case VR_STEP_SEND_ALL:
        MPI_Send(image + 4 * st->send_lo, (int)nsend, c->pixel, partner, 0, c->comm);
        break;
    case VR_STEP_RECV_ALL:
        MPI_Recv(c->recv, (int)nkeep, c->pixel, partner, 0, c->comm, MPI_STATUS_IGNORE);
        break;
    case VR_STEP_SWAP:
        MPI_Sendrecv(image + 4 * st->send_lo, (int)nsend, c->pixel, partner, 1,
                     c->recv, (int)nkeep, c->pixel, partner, 1, c->comm,
                     MPI_STATUS_IGNORE);
        break;
    }
    c->bytes_swapped += nsend * 16;
    if (st->kind == VR_STEP_SEND_ALL)
        return;
    if (st->partner_in_front)
        vr_over(c->recv, mine, mine, nkeep);
    else
        vr_over(mine, c->recv, mine, nkeep);
}

/* Rank 0 collects every position's final region. */
static void gather_final(VrCompositor *c, const int *order, const VrCompositePlan *mine,
                         float *image, float *final)
{
    if (c->rank == 0) {
        for (int p = 0; p < c->nranks; p++) {
            VrCompositePlan plan;
            vr_plan_composite(c->method, c->nranks, p, c->npix, &plan);
            c->counts[order[p]] = (int)(plan.final_hi - plan.final_lo);
            c->displs[order[p]] = (int)plan.final_lo;
        }
    }
    const int64_t n = mine->final_hi - mine->final_lo;
    const float *send = image + 4 * mine->final_lo;
    if (c->rank == 0) {
        memcpy(final + 4 * mine->final_lo, send, (size_t)n * 4 * sizeof(float));
        MPI_Gatherv(MPI_IN_PLACE, 0, c->pixel, final, c->counts, c->displs, c->pixel,
                    0, c->comm);
    } else {
        MPI_Gatherv(send, (int)n, c->pixel, NULL, NULL, NULL, c->pixel, 0, c->comm);
        c->bytes_gathered += n * 16;
    }
}

void vr_composite(VrCompositor *c, float *image, const int *order, float *final)
{
    int position = -1;
    for (int p = 0; p < c->nranks; p++)
        if (order[p] == c->rank)
            position = p;
    if (position < 0)
        vr_fatal(c->comm, "rank %d is missing from the visibility order", c->rank);
    VrCompositePlan plan;
    vr_plan_composite(c->method, c->nranks, position, c->npix, &plan);
    for (int i = 0; i < plan.nsteps; i++)
        run_step(c, &plan.step[i], order, image);
    gather_final(c, order, &plan, image, final);
}
