#include "vr/workspace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vr/output.h"
#include "vr/parallel.h"

int vr_workspace_prepare_outputs(MPI_Comm comm, const VrConfig *cfg, VrError *err)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    int rc = VR_OK;
    if (rank == 0) {
        rc = vr_output_make_dir(cfg->output_dir, err);
        if (rc == VR_OK && cfg->float_output[0])
            rc = vr_output_check_file(cfg->float_output, "--float-output", err);
        if (rc == VR_OK && cfg->timing[0])
            rc = vr_output_check_file(cfg->timing, "--timing", err);
        if (rc == VR_OK && cfg->tf_export[0])
            rc = vr_output_check_file(cfg->tf_export, "--tf-export", err);
        /* A run killed while writing leaves its temporary behind; the
         * requeued run that takes over these frames clears them. */
        if (rc == VR_OK && cfg->resume)
            vr_output_remove_stale_temps(cfg->output_dir, cfg->prefix);
    }
    return vr_agree(comm, rc, err);
}

void vr_workspace_free(VrWorkspace *ws)
{
    free(ws->partial);
    free(ws->more);
    free(ws->final);
    free(ws->order);
    free(ws->logmean);
    memset(ws, 0, sizeof *ws);
}

int vr_workspace_create(MPI_Comm comm, const VrConfig *cfg, const int64_t dims[3],
                        VrWorkspace *ws, VrError *err)
{
    int rank, nranks;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    memset(ws, 0, sizeof *ws);
    ws->npix = (int64_t)cfg->image_width * cfg->image_height;
    const int64_t plane = dims[1] * dims[2];
    ws->partial = malloc((size_t)ws->npix * 4 * sizeof(float));
    ws->order = malloc((size_t)nranks * sizeof(int));
    ws->batch = cfg->batch > 1 ? cfg->batch : 1;
    if (ws->batch > 1)
        ws->more = malloc((size_t)(ws->batch - 1) * (size_t)ws->npix * 4 * sizeof(float));
    /* Every rank writes some frames (vr_frame_writer_rank). */
    ws->final = malloc((size_t)ws->npix * 4 * sizeof(float));
    int ok = ws->partial && ws->order && ws->final && (ws->batch == 1 || ws->more);
    if (rank == 0) {
        ws->logmean = malloc((size_t)plane * sizeof(float));
        ok = ok && ws->logmean;
    }
    int rc = ok ? VR_OK
                : vr_fail(err, VR_ERR_NOMEM, "cannot allocate the image buffers "
                          "(%dx%d, %d per rank)", cfg->image_width, cfg->image_height,
                          ws->batch);
    rc = vr_agree(comm, rc, err);
    if (rc != VR_OK)
        vr_workspace_free(ws);
    return rc;
}

void vr_workspace_warn_data(MPI_Comm comm, const VrConfig *cfg, int linear,
                            const VrVolume *vol)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    int64_t mine[3] = {vol->nan_voxels, vol->inf_voxels, vol->nonpositive}, all[3];
    MPI_Reduce(mine, all, 3, MPI_INT64_T, MPI_SUM, 0, comm);
    const int64_t total = all[0] + all[1] + all[2];
    if (rank == 0 && total > 0) {
        fprintf(stderr,
                "volrender_mpi: warning: dataset '%s' in '%s' has %lld voxel(s) "
                "without a positive finite density (%lld NaN, %lld infinite, %lld "
                "zero or negative); %s\n",
                cfg->dataset, cfg->input, (long long)total, (long long)all[0],
                (long long)all[1], (long long)all[2],
                linear ? "under the linear scale NaN and infinite ones are empty, and so "
                         "is every sample next to one; zero and negative ones are densities "
                         "like any other"
                       : "NaN and infinite count as 0, and all render as empty");
        fflush(stderr);
    }
}

int vr_workspace_frame_done(MPI_Comm comm, const VrConfig *cfg, int n)
{
    if (!cfg->resume)
        return 0;
    int rank, done = 0;
    MPI_Comm_rank(comm, &rank);
    if (rank == 0) {
        char path[4400];
        vr_output_frame_path(cfg->output_dir, cfg->prefix, n, path, sizeof path);
        done = vr_output_png_complete(path, cfg->image_width, cfg->image_height);
    }
    MPI_Bcast(&done, 1, MPI_INT, 0, comm);
    return done;
}
