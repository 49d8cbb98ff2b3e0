#include "vr/memory_budget.h"

#include <stdio.h>
#include <string.h>

#include "vr/decomp.h"
#include "vr/memory.h"
#include "vr/parallel.h"
#include "vr/render.h"
#include "vr/volume_io.h"

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

int64_t vr_memory_budget_estimate_bytes(const VrConfig *cfg, const int64_t dims[3],
                                        const VrBlock *slab, int rank)
{
    int64_t start[3], ext[3];
    vr_decomp_block(slab, dims, start, ext);
    const int64_t slab_bytes = sat_mul(sat_mul(sat_mul(ext[0], ext[1]), ext[2]), 4);
    /* Conversion scratch of vr_volume_read: one piece of file elements
     * wider than float (at most VR_WIDE_PIECE_ELEMS, 8 bytes each, 64 MiB);
     * the file type is not known here, so the widest is assumed. */
    const int64_t slab_voxels = sat_mul(sat_mul(ext[0], ext[1]), ext[2]);
    const int64_t scratch_bytes =
        sat_mul(slab_voxels < VR_WIDE_PIECE_ELEMS ? slab_voxels : VR_WIDE_PIECE_ELEMS, 8);
    VrView first;
    const VrKernel kernel = vr_render_kernel_of_job(cfg, dims, &first);
    /* The kernel's own layout, as the kernel states it (the fast path's
     * resampled planes; whatever the general kernel keeps besides the slab). */
    const int64_t layout = vr_renderer_estimate_bytes(kernel, dims, slab, &first);
    const int64_t npix = (int64_t)cfg->image_width * cfg->image_height;
    const int64_t plane = sat_mul(dims[1], dims[2]);
    /* slab + layout, partial image + compositing buffer, projection sums,
     * conversion scratch, the renderer's per-sample lines (under 96 bytes
     * per sample) */
    int64_t bytes = sat_add(sat_add(slab_bytes, layout),
                            sat_add(2 * npix * 16, sat_mul(plane, 8)));
    bytes = sat_add(bytes, scratch_bytes);
    bytes = sat_add(bytes, (int64_t)cfg->samples * 96);
    /* --batch K: K - 1 more partial images */
    if (cfg->batch > 1)
        bytes = sat_add(bytes, sat_mul(sat_mul(npix, 16), cfg->batch - 1));
    /* Every rank writes frames: the final image, frame pixels (RGBA 16-bit
     * at most); rank 0 also the float scratch, projection floats and bytes */
    bytes = sat_add(bytes, sat_mul(npix, 16 + 8));
    if (rank == 0)
        bytes = sat_add(bytes, sat_add(sat_mul(npix, 12), sat_mul(plane, 4 + 3)));
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

int vr_memory_budget_check(MPI_Comm comm, const VrConfig *cfg, const int64_t dims[3],
                           const VrDecomp *decomp, VrError *err)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    VrBlock slab;
    vr_decomp_rank_block(decomp, rank, &slab);
    const int64_t mine = vr_memory_budget_estimate_bytes(cfg, dims, &slab, rank);
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
