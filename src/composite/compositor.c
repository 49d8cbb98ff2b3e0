/* The plans' dispatcher and the MPI executor: each round's receives and
 * sends are posted together, then the received pieces are composited in
 * the plan's step order; the final pieces are gathered to one root.
 * Sparse images (vr/sparse.h): a message holds only the sender's pixels
 * inside its content rectangle (bit for bit the dense result), and with
 * drop_idle the ranks with nothing to add take no part (the plan runs over
 * the others: "over" is grouped differently, the same within rounding).
 * Dense images are the case where every rectangle is the whole image. */
#include "vr/composite.h"

#include <stdlib.h>
#include <string.h>

#include "plans.h"
#include "vr/parallel.h"
#include "vr/sparse.h"

void vr_plan_composite_k(VrCompositeMethod method, int K, int P, int p, int64_t npix,
                         VrCompositePlan *plan)
{
    plan->nsteps = 0; /* the builders set every field of the steps they add */
    plan->final_lo = plan->final_hi = 0;
    if (method == VR_COMPOSITE_TREE)
        vr_plan_tree(P, p, npix, plan);
    else if (method == VR_COMPOSITE_RADIXK)
        vr_plan_radixk(K, P, p, npix, plan);
    else
        vr_plan_bswap(P, p, npix, plan);
}

void vr_plan_composite(VrCompositeMethod method, int P, int p, int64_t npix,
                       VrCompositePlan *plan)
{
    vr_plan_composite_k(method, VR_RADIX_DEFAULT, P, p, npix, plan);
}

int vr_plan_rounds(const VrCompositePlan *plan)
{
    int n = 0;
    for (int i = 0; i < plan->nsteps; i++)
        n += i == 0 || plan->step[i].round != plan->step[i - 1].round;
    return n;
}

int vr_plan_messages(const VrCompositePlan *plan)
{
    int n = 0;
    for (int i = 0; i < plan->nsteps; i++)
        n += plan->step[i].kind != VR_STEP_RECV_ALL;
    return n;
}

struct VrCompositor {
    MPI_Comm comm;
    MPI_Datatype pixel;  /* 4 floats */
    VrCompositeMethod method;
    int radix, sparse, drop_idle;
    int rank, nranks;
    int64_t npix;
    int width, height;
    float *recv;         /* npix pixels */
    int nreq_max;        /* max(2 VR_RADIX_MAX, P) */
    MPI_Request *req;
    MPI_Status *stat;    /* as many (MPI_STATUSES_IGNORE trips GCC's
                            access checks with MPICH's headers) */
    MPI_Datatype *types; /* as many: the messages' pixel runs */
    int *run_start, *run_len; /* height + 1 */
    VrRect *by_rank;     /* each rank's content this frame */
    VrRect *cur, *next;  /* per active position, before / after a round */
    int *active;         /* active position -> rank */
    VrCompositePlan *plan, *scratch;
    VrCompositeCounts n;
};

/* The compositor's allocations (not its communicator or type); accepts NULL. */
static void free_buffers(VrCompositor *c)
{
    if (!c)
        return;
    free(c->recv);
    free(c->req);
    free(c->stat);
    free(c->types);
    free(c->run_start);
    free(c->run_len);
    free(c->by_rank);
    free(c->cur);
    free(c->next);
    free(c->active);
    free(c->plan);
    free(c->scratch);
    free(c);
}

int vr_compositor_create(MPI_Comm comm, VrCompositeMethod method, int radix, int sparse,
                         int drop_idle, int width, int height, VrCompositor **out,
                         VrError *err)
{
    int rc = VR_OK;
    VrCompositor *c = calloc(1, sizeof *c);
    if (c) {
        c->method = method;
        c->radix = radix;
        c->sparse = sparse;
        c->drop_idle = sparse && drop_idle;
        c->width = width;
        c->height = height;
        c->npix = (int64_t)width * height;
        c->n.active_min = -1;
        MPI_Comm_rank(comm, &c->rank);
        MPI_Comm_size(comm, &c->nranks);
        const size_t P = (size_t)c->nranks;
        c->nreq_max = c->nranks > 2 * VR_RADIX_MAX ? c->nranks : 2 * VR_RADIX_MAX;
        c->recv = malloc((size_t)c->npix * 4 * sizeof(float));
        c->req = malloc((size_t)c->nreq_max * sizeof(MPI_Request));
        c->stat = malloc((size_t)c->nreq_max * sizeof(MPI_Status));
        c->types = malloc((size_t)c->nreq_max * sizeof(MPI_Datatype));
        c->run_start = malloc(((size_t)height + 1) * sizeof(int));
        c->run_len = malloc(((size_t)height + 1) * sizeof(int));
        c->by_rank = malloc(P * sizeof(VrRect));
        c->cur = malloc(P * sizeof(VrRect));
        c->next = malloc(P * sizeof(VrRect));
        c->active = malloc(P * sizeof(int));
        c->plan = malloc(sizeof *c->plan);
        c->scratch = malloc(sizeof *c->scratch);
    }
    if (!c || !c->recv || !c->req || !c->stat || !c->types || !c->run_start || !c->run_len ||
        !c->by_rank || !c->cur || !c->next || !c->active || !c->plan || !c->scratch)
        rc = vr_fail(err, VR_ERR_NOMEM, "cannot allocate the compositing buffers");
    rc = vr_agree(comm, rc, err);
    if (rc != VR_OK) {
        free_buffers(c);
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
    free_buffers(c);
}

void vr_compositor_take_counts(VrCompositor *c, VrCompositeCounts *out)
{
    *out = c->n;
    memset(&c->n, 0, sizeof c->n);
    c->n.active_min = -1;
}

/* Posts the runs of [lo, hi) inside r of buf (a receive if recv) to or
 * from rank peer; returns the pixels, 0 (and posts nothing) if none. */
static int64_t post_runs(VrCompositor *c, VrRect r, int64_t lo, int64_t hi, float *buf,
                         int recv, int peer, int tag, int *nreq, int *ntypes)
{
    int64_t n;
    const int nruns = vr_rect_runs(r, lo, hi, c->width, c->run_start, c->run_len, &n);
    if (n == 0)
        return 0;
    MPI_Datatype type = c->pixel;
    int count = c->run_len[0];
    float *base = buf + 4 * (int64_t)c->run_start[0];
    if (nruns > 1) {
        MPI_Type_indexed(nruns, c->run_len, c->run_start, c->pixel, &type);
        MPI_Type_commit(&type);
        c->types[(*ntypes)++] = type;
        count = 1;
        base = buf;
    }
    if (recv)
        MPI_Irecv(base, count, type, peer, tag, c->comm, &c->req[(*nreq)++]);
    else
        MPI_Isend(base, count, type, peer, tag, c->comm, &c->req[(*nreq)++]);
    return n;
}

static void wait_and_free(VrCompositor *c, int nreq, int ntypes)
{
    MPI_Waitall(nreq, c->req, c->stat);
    for (int i = 0; i < ntypes; i++)
        MPI_Type_free(&c->types[i]);
}

/* This rank's steps [first, last) of one round, at active position me:
 * every receive (each packed into its own part of the buffer) and send
 * posted, then the pieces composited in step order, run by run.  What a
 * partner sends is the runs of its range inside its rectangle cur[]. */
static void run_round(VrCompositor *c, const VrCompositeStep *steps, int first, int last,
                      int me, float *image)
{
    int nreq = 0, ntypes = 0;
    int64_t offset = 0;
    for (int i = first; i < last; i++) {
        const VrCompositeStep *st = &steps[i];
        const int peer = c->active[st->partner];
        if (st->kind != VR_STEP_SEND_ALL) {
            int64_t n;
            vr_rect_runs(c->cur[st->partner], st->keep_lo, st->keep_hi, c->width, NULL, NULL,
                         &n);
            if (n > 0)
                MPI_Irecv(c->recv + 4 * offset, (int)n, c->pixel, peer, 1, c->comm,
                          &c->req[nreq++]);
            offset += n;
        }
        if (st->kind != VR_STEP_RECV_ALL) {
            const int64_t n = post_runs(c, c->cur[me], st->send_lo, st->send_hi, image, 0,
                                        peer, 1, &nreq, &ntypes);
            c->n.bytes_swapped += n * 16;
            c->n.messages += n > 0;
        }
    }
    wait_and_free(c, nreq, ntypes);
    c->n.rounds += nreq > 0;
    offset = 0;
    for (int i = first; i < last; i++) {
        const VrCompositeStep *st = &steps[i];
        if (st->kind == VR_STEP_SEND_ALL)
            continue;
        const int nruns = vr_rect_runs(c->cur[st->partner], st->keep_lo, st->keep_hi,
                                       c->width, c->run_start, c->run_len, NULL);
        for (int k = 0; k < nruns; k++) {
            float *mine = image + 4 * (int64_t)c->run_start[k], *got = c->recv + 4 * offset;
            if (st->partner_in_front)
                vr_over(got, mine, mine, c->run_len[k]);
            else
                vr_over(mine, got, mine, c->run_len[k]);
            offset += c->run_len[k];
        }
    }
}

/* The root collects what every active position holds at the end (the
 * runs of its final range inside its rectangle) into final, transparent
 * elsewhere. */
static void gather_final(VrCompositor *c, int nactive, int me, float *image, float *final,
                         int root)
{
    int nreq = 0, ntypes = 0;
    if (c->rank == root) {
#pragma omp parallel for schedule(static)
        for (int64_t k = 0; k < c->npix; k++) {
            final[4 * k] = final[4 * k + 1] = final[4 * k + 2] = 0.0f;
            final[4 * k + 3] = 1.0f;
        }
        for (int a = 0; a < nactive; a++) {
            vr_plan_composite_k(c->method, c->radix, nactive, a, c->npix, c->scratch);
            const int64_t lo = c->scratch->final_lo, hi = c->scratch->final_hi;
            if (a != me) {
                post_runs(c, c->cur[a], lo, hi, final, 1, c->active[a], 2, &nreq, &ntypes);
                continue;
            }
            const int nruns =
                vr_rect_runs(c->cur[a], lo, hi, c->width, c->run_start, c->run_len, NULL);
            for (int k = 0; k < nruns; k++)
                memcpy(final + 4 * (int64_t)c->run_start[k],
                       image + 4 * (int64_t)c->run_start[k],
                       (size_t)c->run_len[k] * 4 * sizeof(float));
        }
    } else if (me >= 0) {
        c->n.bytes_gathered += 16 * post_runs(c, c->cur[me], c->plan->final_lo,
                                            c->plan->final_hi, image, 0, root, 2, &nreq,
                                            &ntypes);
    }
    wait_and_free(c, nreq, ntypes);
}

void vr_composite(VrCompositor *c, float *image, const int *order, float *final, int root)
{
    /* Every rank's content rectangle, and the ranks taking part in
     * visibility order. */
    const VrRect full = vr_rect_full(c->width, c->height);
    if (c->sparse && c->nranks > 1) { /* alone, a rank sends nothing */
        const VrRect mine = vr_image_content(image, c->width, c->height);
        MPI_Allgather(&mine, 4, MPI_INT, c->by_rank, 4, MPI_INT, c->comm);
    } else {
        for (int r = 0; r < c->nranks; r++)
            c->by_rank[r] = full;
    }
    int nactive = 0, me = -1, found = 0;
    for (int p = 0; p < c->nranks; p++) {
        const int r = order[p];
        found |= r == c->rank;
        if (c->drop_idle && vr_rect_empty(c->by_rank[r]))
            continue;
        if (r == c->rank)
            me = nactive;
        c->cur[nactive] = c->by_rank[r];
        c->active[nactive++] = r;
    }
    if (!found)
        vr_fatal(c->comm, "rank %d is missing from the visibility order", c->rank);
    c->n.frames++;
    c->n.active_sum += nactive;
    if (c->n.active_min < 0 || nactive < c->n.active_min)
        c->n.active_min = nactive;
    if (me < 0 && c->rank != root)
        return; /* nothing to add: no part in this frame */

    /* The rounds, every active position followed on rectangles so that
     * each rank knows what its partners send. */
    if (me >= 0)
        vr_plan_composite_k(c->method, c->radix, nactive, me, c->npix, c->plan);
    int i = 0;
    for (int round = 0, more = nactive > 1; more; round++) {
        int j = i;
        while (me >= 0 && j < c->plan->nsteps && c->plan->step[j].round == round)
            j++;
        if (j > i)
            run_round(c, c->plan->step, i, j, me, image);
        i = j;
        more = vr_sparse_round(c->method, c->radix, nactive, c->npix, c->width, round, c->cur,
                               c->next, c->scratch, NULL);
        VrRect *t = c->cur;
        c->cur = c->next;
        c->next = t;
    }
    gather_final(c, nactive, me, image, final, root);
}
