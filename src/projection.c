#include "vr/projection.h"

#include <math.h>
#include <stdlib.h>

#include "vr/colormap.h"
#include "vr/parallel.h"

/* Adds this rank's owned voxels along x into sum (Ny*Nz doubles). */
static void sum_owned(const VrVolume *vol, double *sum)
{
    const VrSlab *sl = &vol->slab;
    if (sl->own_lo == sl->own_hi)
        return;
    int64_t lo[3], hi[3];
    for (int a = 0; a < 3; a++) {
        lo[a] = a == sl->axis ? sl->own_lo - vol->start[a] : 0;
        hi[a] = a == sl->axis ? sl->own_hi - vol->start[a] : vol->count[a];
    }
    const int64_t cy = vol->count[1], cz = vol->count[2];
    const int64_t nz = vol->dims[2];
    /* Threads take whole output rows j, so no two write the same sum. */
#pragma omp parallel for schedule(static)
    for (int64_t j = lo[1]; j < hi[1]; j++) {
        double *dst = sum + (vol->start[1] + j) * nz + vol->start[2];
        for (int64_t i = lo[0]; i < hi[0]; i++) {
            const float *src = vol->data + (i * cy + j) * cz;
            for (int64_t k = lo[2]; k < hi[2]; k++)
                dst[k] += (double)src[k];
        }
    }
}

int vr_projection_compute(MPI_Comm comm, const VrVolume *vol, float *logmean,
                          VrError *err)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    const int64_t n = vol->dims[1] * vol->dims[2];
    double *sum = calloc((size_t)n, sizeof *sum);
    int rc = vr_agree(comm, sum ? VR_OK
                                : vr_fail(err, VR_ERR_NOMEM,
                                          "cannot allocate %.1f MiB for the projection",
                                          (double)n * 8.0 / 1048576.0),
                      err);
    if (rc != VR_OK) {
        free(sum);
        return rc;
    }
    sum_owned(vol, sum);
    /* MPI counts are ints: reduce in pieces. */
    const int64_t piece = 1 << 26;
    for (int64_t off = 0; off < n; off += piece) {
        const int cnt = (int)(n - off < piece ? n - off : piece);
        if (rank == 0)
            MPI_Reduce(MPI_IN_PLACE, sum + off, cnt, MPI_DOUBLE, MPI_SUM, 0, comm);
        else
            MPI_Reduce(sum + off, NULL, cnt, MPI_DOUBLE, MPI_SUM, 0, comm);
    }
    if (rank == 0) {
        const double nx = (double)vol->dims[0];
        for (int64_t p = 0; p < n; p++) {
            const double mean = sum[p] / nx;
            logmean[p] = mean > 0.0 ? (float)log(mean) : -INFINITY;
        }
    }
    free(sum);
    return VR_OK;
}

void vr_projection_colorize(const float *logmean, int64_t ny, int64_t nz,
                            unsigned char *rgb)
{
    for (int64_t p = 0; p < ny * nz; p++) {
        const double x = ((double)logmean[p] + 5.0) / 10.0;
        vr_colormap_viridis(x, rgb + 3 * p);
    }
}
