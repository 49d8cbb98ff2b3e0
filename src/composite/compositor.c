/* The plans' dispatcher and the MPI executor: each round's receives and
 * sends are posted together, then the received pieces are composited in
 * the plan's step order; the final pieces are gathered to one root. */
#include "vr/composite.h"

#include <stdlib.h>
#include <string.h>

#include "plans.h"
#include "vr/parallel.h"

void vr_plan_composite_k(VrCompositeMethod method, int K, int P, int p, int64_t npix,
                         VrCompositePlan *plan)
{
    memset(plan, 0, sizeof *plan);
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
    int radix;
    int rank, nranks;
    int64_t npix;
    float *recv;         /* npix pixels */
    MPI_Request *req;    /* 2 * VR_RADIX_MAX */
    MPI_Status *stat;    /* as many (MPI_STATUSES_IGNORE trips GCC's
                            access checks with MPICH's headers) */
    int *counts, *displs;
    int64_t bytes_swapped, bytes_gathered, rounds, messages;
};

/* The compositor's allocations (not its communicator or type); accepts NULL. */
static void free_buffers(VrCompositor *c)
{
    if (!c)
        return;
    free(c->recv);
    free(c->req);
    free(c->stat);
    free(c->counts);
    free(c->displs);
    free(c);
}

int vr_compositor_create(MPI_Comm comm, VrCompositeMethod method, int radix,
                         int64_t npix, VrCompositor **out, VrError *err)
{
    int rc = VR_OK;
    VrCompositor *c = calloc(1, sizeof *c);
    if (c) {
        c->method = method;
        c->radix = radix;
        c->npix = npix;
        MPI_Comm_rank(comm, &c->rank);
        MPI_Comm_size(comm, &c->nranks);
        c->recv = malloc((size_t)npix * 4 * sizeof(float));
        c->req = malloc(2 * VR_RADIX_MAX * sizeof(MPI_Request));
        c->stat = malloc(2 * VR_RADIX_MAX * sizeof(MPI_Status));
        c->counts = malloc((size_t)c->nranks * sizeof(int));
        c->displs = malloc((size_t)c->nranks * sizeof(int));
    }
    if (!c || !c->recv || !c->req || !c->stat || !c->counts || !c->displs)
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

int64_t vr_compositor_bytes_swapped(const VrCompositor *c) { return c->bytes_swapped; }
int64_t vr_compositor_bytes_gathered(const VrCompositor *c) { return c->bytes_gathered; }
int64_t vr_compositor_rounds(const VrCompositor *c) { return c->rounds; }
int64_t vr_compositor_messages(const VrCompositor *c) { return c->messages; }

/* Steps [first, last) of one round: every receive (each into its own part
 * of the buffer) and send posted, then the pieces composited in order.
 * The pieces sent are never the one composited onto, so nothing sent is
 * overwritten before it has gone. */
static void run_round(VrCompositor *c, const VrCompositeStep *steps, int first, int last,
                      const int *order, float *image)
{
    int nreq = 0;
    int64_t offset = 0;
    for (int i = first; i < last; i++) {
        const VrCompositeStep *st = &steps[i];
        const int partner = order[st->partner];
        if (st->kind != VR_STEP_SEND_ALL) {
            const int64_t nkeep = st->keep_hi - st->keep_lo;
            MPI_Irecv(c->recv + 4 * offset, (int)nkeep, c->pixel, partner, 1, c->comm,
                      &c->req[nreq++]);
            offset += nkeep;
        }
        if (st->kind != VR_STEP_RECV_ALL) {
            const int64_t nsend = st->send_hi - st->send_lo;
            MPI_Isend(image + 4 * st->send_lo, (int)nsend, c->pixel, partner, 1, c->comm,
                      &c->req[nreq++]);
            c->bytes_swapped += nsend * 16;
            c->messages++;
        }
    }
    MPI_Waitall(nreq, c->req, c->stat);
    c->rounds++;
    offset = 0;
    for (int i = first; i < last; i++) {
        const VrCompositeStep *st = &steps[i];
        if (st->kind == VR_STEP_SEND_ALL)
            continue;
        const int64_t nkeep = st->keep_hi - st->keep_lo;
        float *mine = image + 4 * st->keep_lo, *got = c->recv + 4 * offset;
        if (st->partner_in_front)
            vr_over(got, mine, mine, nkeep);
        else
            vr_over(mine, got, mine, nkeep);
        offset += nkeep;
    }
}

/* The root collects every position's final region. */
static void gather_final(VrCompositor *c, const int *order, const VrCompositePlan *mine,
                         float *image, float *final, int root)
{
    if (c->rank == root) {
        VrCompositePlan *plan = malloc(sizeof *plan);
        if (!plan)
            vr_fatal(c->comm, "cannot allocate the compositing plan");
        for (int p = 0; p < c->nranks; p++) {
            vr_plan_composite_k(c->method, c->radix, c->nranks, p, c->npix, plan);
            c->counts[order[p]] = (int)(plan->final_hi - plan->final_lo);
            c->displs[order[p]] = (int)plan->final_lo;
        }
        free(plan);
    }
    const int64_t n = mine->final_hi - mine->final_lo;
    const float *send = image + 4 * mine->final_lo;
    if (c->rank == root) {
        memcpy(final + 4 * mine->final_lo, send, (size_t)n * 4 * sizeof(float));
        MPI_Gatherv(MPI_IN_PLACE, 0, c->pixel, final, c->counts, c->displs, c->pixel,
                    root, c->comm);
    } else {
        MPI_Gatherv(send, (int)n, c->pixel, NULL, NULL, NULL, c->pixel, root, c->comm);
        c->bytes_gathered += n * 16;
    }
}

void vr_composite(VrCompositor *c, float *image, const int *order, float *final, int root)
{
    int position = -1;
    for (int p = 0; p < c->nranks; p++)
        if (order[p] == c->rank)
            position = p;
    if (position < 0)
        vr_fatal(c->comm, "rank %d is missing from the visibility order", c->rank);
    VrCompositePlan *plan = malloc(sizeof *plan);
    if (!plan)
        vr_fatal(c->comm, "cannot allocate the compositing plan");
    vr_plan_composite_k(c->method, c->radix, c->nranks, position, c->npix, plan);
    for (int i = 0; i < plan->nsteps;) {
        int j = i + 1;
        while (j < plan->nsteps && plan->step[j].round == plan->step[i].round)
            j++;
        run_round(c, plan->step, i, j, order, image);
        i = j;
    }
    gather_final(c, order, plan, image, final, root);
    free(plan);
}
