/* The cost model and the job's decomposition (cost_model.h). */
#include "vr/cost_model.h"

#include <stdlib.h>
#include <string.h>

#include "vr/balance.h"
#include "vr/kd.h"
#include "vr/parallel.h"

/* One query: the whole cube along the axis (its planes from 0). */
int vr_cost_model_count(const VrCamera *cam, VrKernel kernel, const int64_t dims[3],
                        int axis, int first, int last, int row_step, int part, int parts,
                        int64_t *per_plane, VrError *err)
{
    VrKdQuery q = {.axis = axis, .count = per_plane};
    vr_block_whole(dims, &q.box);
    return vr_cost_model_box_count(cam, kernel, dims, first, last, row_step, part, parts, 1, &q,
                                   dims[axis], err);
}

/* The frames are shared among the rank's threads, each counting into its
 * own copy of the counts; the copies are then added (integers: the same
 * sums in any order). */
int vr_cost_model_box_count(const VrCamera *cam, VrKernel kernel, const int64_t dims[3],
                            int first, int last, int row_step, int part, int parts, int nq,
                            VrKdQuery *q, int64_t total, VrError *err)
{
    int rc = VR_OK;
    int64_t *const base = q[0].count;
#pragma omp parallel if (last > first)
    {
        int64_t *mine = calloc((size_t)total, sizeof *mine);
        VrError local;
        int mine_rc = mine ? VR_OK
                           : vr_fail(&local, VR_ERR_NOMEM, "cannot allocate the cost model "
                                     "(%lld counts)", (long long)total);
#pragma omp for schedule(dynamic, 1)
        for (int f = first; f <= last; f++) {
            VrView view;
            if (mine_rc == VR_OK)
                mine_rc = vr_camera_frame(cam, f, &view, &local);
            for (int i = 0; mine_rc == VR_OK && i < nq; i++)
                vr_render_box_samples(kernel, dims, &q[i].box, q[i].axis, &view,
                                      part * row_step, view.H, parts * row_step, row_step,
                                      mine + (q[i].count - base));
        }
#pragma omp critical(vr_cost_model_sum)
        {
            if (mine_rc != VR_OK && rc == VR_OK) {
                rc = mine_rc;
                if (err)
                    *err = local;
            }
            for (int64_t p = 0; mine && p < total; p++)
                base[p] += mine[p];
        }
        free(mine);
    }
    return rc;
}

/* The k-d builder's counter in a job: every rank counts its share of the
 * rows, then the counts are summed on all ranks. */
typedef struct {
    MPI_Comm comm;
    const VrCamera *cam;
    VrKernel kernel;
    const int64_t *dims;
    int first, last, rank, nranks;
    VrError *err;
    int rc; /* the agreed status of the last count */
} JobCounter;

static int count_for_job(void *ctx, int nq, VrKdQuery *q, int64_t total)
{
    JobCounter *c = ctx;
    if (nq < 0) {
        c->rc = vr_agree(c->comm, vr_fail(c->err, VR_ERR_NOMEM, "cannot allocate the k-d "
                                          "decomposition"), c->err);
        return -1;
    }
    int rc = nq == 0 ? VR_OK : vr_cost_model_box_count(c->cam, c->kernel, c->dims, c->first, c->last, 1, c->rank,
                                     c->nranks, nq, q, total, c->err);
    c->rc = rc = vr_agree(c->comm, rc, c->err);
    if (rc != VR_OK)
        return -1;
    const int64_t piece = 1 << 26; /* MPI counts are ints */
    for (int64_t off = 0; off < total; off += piece)
        MPI_Allreduce(MPI_IN_PLACE, q[0].count + off,
                      (int)(total - off < piece ? total - off : piece), MPI_INT64_T, MPI_SUM,
                      c->comm);
    return 0;
}

int vr_decomp_balanced(const int64_t *per_plane, int P, const int64_t dims[3], int axis,
                       VrDecomp *d)
{
    int64_t *cut = malloc(((size_t)P + 1) * sizeof *cut);
    /* No slab wider than VR_SLAB_MAX_SHARES equal shares: planes that
     * cost nothing (outside the camera's box) would otherwise pile onto
     * the outer ranks, and a slab's memory is its width (4096^3 at P =
     * 16384, N = 2048: rank 0's estimate 62 GiB unlimited, 1.0 GiB so). */
    const int64_t share = dims[axis] / P + (dims[axis] % P != 0);
    int rc = cut && vr_balance_cuts(per_plane, dims[axis], P, VR_SLAB_MAX_SHARES * share, cut) == 0
                 ? vr_decomp_init_cuts(d, P, dims, axis, cut)
                 : -1;
    free(cut);
    return rc;
}

int vr_decomp_for_job(MPI_Comm comm, const VrConfig *cfg, const VrCamera *cam,
                      VrKernel kernel, const int64_t dims[3], VrDecomp *d, VrError *err)
{
    int rank, nranks;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    memset(d, 0, sizeof *d);
    if (cfg->decomp == VR_DECOMP_KD) {
        JobCounter c = {comm, cam, kernel, dims, cfg->first_angle, cfg->last_angle,
                        rank, nranks, err, VR_OK};
        const int made = vr_decomp_init_kd(d, nranks, dims, count_for_job, &c);
        int rc = VR_OK;
        if (made == -2)
            rc = vr_fail(err, VR_ERR_INPUT, "--decomp kd: the cube has %lld points, fewer "
                         "than the %d ranks", (long long)(dims[0] * dims[1] * dims[2]), nranks);
        else if (made != 0)
            rc = c.rc != VR_OK ? c.rc
                               : vr_fail(err, VR_ERR_NOMEM, "cannot allocate the decomposition");
        return vr_agree(comm, rc, err);
    }
    if (cfg->decomp == VR_DECOMP_EQUAL || nranks == 1) {
        /* One rank: the balanced cut is the whole cube too. */
        int ok = vr_decomp_init_equal(d, nranks, dims, cfg->axis) == 0;
        d->kind = cfg->decomp;
        return vr_agree(comm, ok ? VR_OK : vr_fail(err, VR_ERR_NOMEM, "cannot allocate "
                                                   "the decomposition"), err);
    }
    const int64_t n = dims[cfg->axis];
    int64_t *mine = calloc((size_t)n, sizeof *mine);
    int64_t *all = malloc((size_t)n * sizeof *all);
    int rc = mine && all ? VR_OK
                         : vr_fail(err, VR_ERR_NOMEM, "cannot allocate the cost model "
                                   "(%lld planes)", (long long)n);
    if (rc == VR_OK)
        rc = vr_cost_model_count(cam, kernel, dims, cfg->axis, cfg->first_angle,
                                 cfg->last_angle, 1, rank, nranks, mine, err);
    rc = vr_agree(comm, rc, err);
    if (rc == VR_OK) {
        MPI_Allreduce(mine, all, (int)n, MPI_INT64_T, MPI_SUM, comm);
        if (vr_decomp_balanced(all, nranks, dims, cfg->axis, d) != 0)
            rc = vr_fail(err, VR_ERR_NOMEM, "cannot allocate the decomposition");
    }
    free(mine);
    free(all);
    return vr_agree(comm, rc, err);
}
