#include "vr/workspace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vr/decomp.h"
#include "vr/output.h"
#include "vr/parallel.h"
#include "vr/projection.h"
#include "vr/render.h"

int vr_workspace_prepare_outputs(MPI_Comm comm, const VrConfig *cfg, VrError *err)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    int rc = VR_OK;
    if (rank == 0) {
        rc = vr_output_make_dir(cfg->output_dir, err);
        if (rc == VR_OK && cfg->timing[0]) {
            FILE *f = fopen(cfg->timing, "a");
            if (!f)
                rc = vr_fail(err, VR_ERR_IO, "cannot append to timing file '%s' "
                             "(see --timing)", cfg->timing);
            else
                fclose(f);
        }
    }
    return vr_agree(comm, rc, err);
}

int64_t vr_workspace_estimate_bytes(const VrConfig *cfg, const int64_t dims[3],
                                    int rank, int nranks)
{
    VrSlab slab;
    vr_decomp_slab(rank, nranks, dims, cfg->axis, &slab);
    int64_t ext[3];
    for (int a = 0; a < 3; a++)
        ext[a] = a == cfg->axis ? slab.read_hi - slab.read_lo : dims[a];
    const int64_t slab_bytes = ext[0] * ext[1] * ext[2] * 4;
    const int64_t planes = vr_renderer_estimate_bytes(dims, &slab, cfg->image_size);
    const int64_t npix = (int64_t)cfg->image_size * cfg->image_size;
    const int64_t plane = dims[1] * dims[2];
    int64_t bytes = slab_bytes + planes + 2 * npix * 16 + plane * 8;
    if (rank == 0)
        bytes += npix * (16 + 3 + 12) + plane * (4 + 3);
    return bytes;
}

/* MemAvailable of this host, in bytes; -1 if unknown. */
static int64_t host_available_bytes(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return -1;
    char line[256];
    long long kib = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %lld kB", &kib) == 1)
            break;
    fclose(f);
    return kib < 0 ? -1 : (int64_t)kib * 1024;
}

int vr_workspace_check_memory(MPI_Comm comm, const VrConfig *cfg,
                              const int64_t dims[3], VrError *err)
{
    int rank, nranks;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    MPI_Comm host;
    MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &host);
    int host_ranks;
    MPI_Comm_size(host, &host_ranks);
    const int64_t mine = vr_workspace_estimate_bytes(cfg, dims, rank, nranks);
    int64_t host_need = 0;
    MPI_Allreduce(&mine, &host_need, 1, MPI_INT64_T, MPI_SUM, host);
    MPI_Comm_free(&host);
    const int64_t avail = host_available_bytes();
    int rc = VR_OK;
    if (avail > 0 && host_need > avail)
        rc = vr_fail(err, VR_ERR_NOMEM,
                     "the job needs about %.0f MiB per rank (%.0f MiB for the %d "
                     "rank(s) on this host) but only %.0f MiB are available; use "
                     "more ranks or hosts, or a smaller --size",
                     (double)mine / 1048576.0, (double)host_need / 1048576.0,
                     host_ranks, (double)avail / 1048576.0);
    return vr_agree(comm, rc, err);
}

void vr_workspace_free(VrWorkspace *ws)
{
    free(ws->partial);
    free(ws->final);
    free(ws->rgb);
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
    ws->npix = (int64_t)cfg->image_size * cfg->image_size;
    const int64_t plane = dims[1] * dims[2];
    ws->partial = malloc((size_t)ws->npix * 4 * sizeof(float));
    ws->order = malloc((size_t)nranks * sizeof(int));
    int ok = ws->partial && ws->order;
    if (rank == 0) {
        ws->final = malloc((size_t)ws->npix * 4 * sizeof(float));
        const int64_t rgb = ws->npix > plane ? ws->npix : plane;
        ws->rgb = malloc((size_t)rgb * 3);
        ws->logmean = malloc((size_t)plane * sizeof(float));
        ok = ok && ws->final && ws->rgb && ws->logmean;
    }
    int rc = ok ? VR_OK
                : vr_fail(err, VR_ERR_NOMEM, "cannot allocate the image buffers "
                          "(%dx%d)", cfg->image_size, cfg->image_size);
    rc = vr_agree(comm, rc, err);
    if (rc != VR_OK)
        vr_workspace_free(ws);
    return rc;
}

void vr_workspace_warn_data(MPI_Comm comm, const VrConfig *cfg, const VrVolume *vol)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    int64_t mine[3] = {vol->nan_voxels, vol->inf_voxels, vol->nonpositive}, all[3];
    MPI_Reduce(mine, all, 3, MPI_INT64_T, MPI_SUM, 0, comm);
    if (rank == 0 && all[0] + all[1] + all[2] > 0) {
        fprintf(stderr,
                "volrender_mpi: warning: dataset '%s' has %lld NaN, %lld infinite and "
                "%lld zero or negative voxel(s); they are rendered as empty\n",
                cfg->dataset, (long long)all[0], (long long)all[1], (long long)all[2]);
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
        done = vr_output_exists(path);
    }
    MPI_Bcast(&done, 1, MPI_INT, 0, comm);
    return done;
}

int vr_workspace_write_projection(VrWorkspace *ws, const VrConfig *cfg,
                                  const int64_t dims[3], VrFloatOut *fo, VrError *err)
{
    char path[4400];
    vr_output_join(cfg->output_dir, "projection.png", path, sizeof path);
    vr_projection_colorize(ws->logmean, dims[1], dims[2], ws->rgb);
    int rc = vr_png_write_rgb(path, (int)dims[2], (int)dims[1], ws->rgb, err);
    if (rc == VR_OK && fo)
        rc = vr_float_out_write_projection(fo, ws->logmean, err);
    return rc;
}

int vr_workspace_write_frame(VrWorkspace *ws, const VrConfig *cfg, const VrView *view,
                             int f, VrFloatOut *fo, VrError *err)
{
    char path[4400];
    vr_output_frame_path(cfg->output_dir, cfg->prefix, view->angle_index, path,
                         sizeof path);
    vr_frame_to_rgb8(ws->final, (long)ws->npix, ws->rgb);
    int rc = vr_png_write_rgb(path, cfg->image_size, cfg->image_size, ws->rgb, err);
    if (rc == VR_OK && fo)
        rc = vr_float_out_write_frame(fo, f, view->angle_index, view->theta, ws->final,
                                      err);
    return rc;
}
