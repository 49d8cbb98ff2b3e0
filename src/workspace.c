#include "vr/workspace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vr/decomp.h"
#include "vr/memory.h"
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

/* a + b and a * b for byte counts, pinned at INT64_MAX instead of
 * overflowing, so an absurd job gets an absurd (refused) figure, never a
 * negative one. */
static int64_t sat_add(int64_t a, int64_t b)
{
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

static int64_t sat_mul(int64_t a, int64_t b)
{
    int64_t out;
    return vr_mul_i64(a, b, &out) == 0 ? out : INT64_MAX;
}

int64_t vr_workspace_estimate_bytes(const VrConfig *cfg, const int64_t dims[3],
                                    int rank, int nranks)
{
    VrSlab slab;
    vr_decomp_slab(rank, nranks, dims, cfg->axis, &slab);
    int64_t start[3], ext[3];
    vr_decomp_block(&slab, dims, start, ext);
    const int64_t slab_bytes = sat_mul(sat_mul(sat_mul(ext[0], ext[1]), ext[2]), 4);
    /* Conversion scratch of vr_volume_read: one piece of file elements
     * wider than float (at most VR_WIDE_PIECE_ELEMS, 8 bytes each, 64 MiB);
     * the file type is not known here, so the widest is assumed. */
    const int64_t slab_voxels = sat_mul(sat_mul(ext[0], ext[1]), ext[2]);
    const int64_t scratch_bytes =
        sat_mul(slab_voxels < VR_WIDE_PIECE_ELEMS ? slab_voxels : VR_WIDE_PIECE_ELEMS, 8);
    VrView first;
    const VrKernel kernel = vr_render_kernel_of_job(cfg, dims, &first);
    const int64_t planes = vr_renderer_estimate_bytes(kernel, dims, &slab, &first);
    const int64_t npix = (int64_t)cfg->image_width * cfg->image_height;
    const int64_t plane = sat_mul(dims[1], dims[2]);
    /* slab + planes, partial image + compositing buffer, projection sums,
     * conversion scratch, the renderer's per-sample lines (under 96 bytes
     * per sample) */
    int64_t bytes = sat_add(sat_add(slab_bytes, planes),
                            sat_add(2 * npix * 16, sat_mul(plane, 8)));
    bytes = sat_add(bytes, scratch_bytes);
    bytes = sat_add(bytes, (int64_t)cfg->samples * 96);
    if (rank == 0) /* final image, frame pixels (RGBA 16-bit at most), float
                      scratch; projection floats and bytes */
        bytes = sat_add(bytes, sat_add(npix * (16 + 8 + 12), sat_mul(plane, 4 + 3)));
    return bytes;
}

/* The first number in a file, or -1. */
static int64_t read_number(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long long v = -1;
    if (fscanf(f, "%lld", &v) != 1)
        v = -1;
    fclose(f);
    return (int64_t)v;
}

/* MemAvailable of this host, in bytes; -1 if unknown. */
static int64_t host_available_bytes(void)
{
    return vr_proc_kb_field("/proc/meminfo", "MemAvailable");
}

/* The memory limit in one cgroup folder's file; -1 if unlimited/absent. */
static int64_t cgroup_limit_in(const char *dir, const char *file)
{
    char path[1400];
    snprintf(path, sizeof path, "%.1300s/%s", dir, file);
    const int64_t limit = read_number(path); /* v2's "max" reads as -1 */
    return limit > 0 && limit < ((int64_t)1 << 60) ? limit : -1; /* v1: ~2^63 */
}

/* The memory limit of this process's cgroup (SLURM and containers confine
 * jobs that way; MemAvailable does not see it); -1 if none.  Tries cgroup
 * v2 then v1, at the process's own cgroup and at the mount root (inside a
 * container the root is the process's cgroup).  The limit, not limit minus
 * usage: usage counts page cache the kernel would reclaim, and a job just
 * starting uses little else. */
static int64_t cgroup_limit_bytes(void)
{
    static const char *const FILES[2][2] = {
        {"/sys/fs/cgroup", "memory.max"},
        {"/sys/fs/cgroup/memory", "memory.limit_in_bytes"},
    };
    char own[2][1024] = {"", ""}, line[1024];
    FILE *f = fopen("/proc/self/cgroup", "r");
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        const char *mem = strstr(line, ":memory:");
        if (strncmp(line, "0::", 3) == 0)
            snprintf(own[0], sizeof own[0], "%.1000s", line + 3);
        else if (mem)
            snprintf(own[1], sizeof own[1], "%.1000s", mem + 8);
    }
    if (f)
        fclose(f);
    for (int v = 0; v < 2; v++) {
        char dir[1100];
        snprintf(dir, sizeof dir, "%s%.1000s", FILES[v][0], own[v]);
        int64_t limit = cgroup_limit_in(dir, FILES[v][1]);
        if (limit < 0)
            limit = cgroup_limit_in(FILES[v][0], FILES[v][1]);
        if (limit >= 0)
            return limit;
    }
    return -1;
}

/* The memory this host's ranks may share: the smaller of MemAvailable and
 * the cgroup's limit; -1 if neither is known. */
static int64_t available_bytes(void)
{
    const int64_t host = host_available_bytes(), group = cgroup_limit_bytes();
    if (host < 0 || (group >= 0 && group < host))
        return group;
    return host;
}

int vr_workspace_check_memory(MPI_Comm comm, const VrConfig *cfg,
                              const int64_t dims[3], VrError *err)
{
    int rank, nranks;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    const int64_t mine = vr_workspace_estimate_bytes(cfg, dims, rank, nranks);
    const double mib = 1048576.0;
    int rc = VR_OK;
    if (cfg->max_memory_mib > 0) {
        /* An explicit limit replaces the host's figure: it is the user's
         * word on what a rank may use (e.g. SLURM's --mem-per-cpu).  Every
         * rank knows the largest need, so all refuse with rank 0's words. */
        int64_t most = 0;
        MPI_Allreduce(&mine, &most, 1, MPI_INT64_T, MPI_MAX, comm);
        if (most > (int64_t)cfg->max_memory_mib * 1048576)
            rc = vr_fail(err, VR_ERR_NOMEM,
                         "the job needs up to %.0f MiB per rank, more than "
                         "--max-memory %d; use more ranks, a smaller --size or "
                         "--samples, or a larger --max-memory",
                         (double)most / mib, cfg->max_memory_mib);
        return vr_agree(comm, rc, err);
    }
    MPI_Comm host;
    MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &host);
    int host_ranks;
    MPI_Comm_size(host, &host_ranks);
    int64_t host_need = 0;
    MPI_Allreduce(&mine, &host_need, 1, MPI_INT64_T, MPI_SUM, host);
    MPI_Comm_free(&host);
    const int64_t avail = available_bytes();
    if (avail > 0 && host_need > avail)
        rc = vr_fail(err, VR_ERR_NOMEM,
                     "the job needs about %.0f MiB per rank (%.0f MiB for the %d "
                     "rank(s) on this host) but only %.0f MiB are available; use "
                     "more ranks or hosts, or a smaller --size (or set --max-memory "
                     "if the estimate is wrong)",
                     (double)mine / mib, (double)host_need / mib, host_ranks,
                     (double)avail / mib);
    return vr_agree(comm, rc, err);
}

void vr_workspace_free(VrWorkspace *ws)
{
    free(ws->partial);
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
    int ok = ws->partial && ws->order;
    if (rank == 0) {
        ws->final = malloc((size_t)ws->npix * 4 * sizeof(float));
        ws->logmean = malloc((size_t)plane * sizeof(float));
        ok = ok && ws->final && ws->logmean;
    }
    int rc = ok ? VR_OK
                : vr_fail(err, VR_ERR_NOMEM, "cannot allocate the image buffers "
                          "(%dx%d)", cfg->image_width, cfg->image_height);
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
