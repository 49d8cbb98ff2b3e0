#include "vr/timer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#ifndef VR_VERSION
#define VR_VERSION "unknown"
#endif
#ifndef VR_GIT_REVISION
#define VR_GIT_REVISION "unknown"
#endif

static const char *const PHASE_NAMES[VR_PHASE_COUNT] = {
    "open", "read", "render", "composite", "write", "total"};

const char *vr_phase_name(VrPhase p) { return PHASE_NAMES[p]; }

void vr_timer_start(VrTimers *t, VrPhase p) { t->started[p] = MPI_Wtime(); }

void vr_timer_stop(VrTimers *t, VrPhase p)
{
    t->seconds[p] += MPI_Wtime() - t->started[p];
}

int64_t vr_peak_rss_bytes(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long long kib = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %lld kB", &kib) == 1)
            break;
    fclose(f);
    return kib < 0 ? -1 : (int64_t)kib * 1024;
}

typedef struct {
    double min, mean, max;
    int argmax;
} Stat;

/* min / mean / max over ranks of one value, and the rank holding the max. */
static Stat reduce_stat(MPI_Comm comm, double v)
{
    int rank, n;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &n);
    Stat s;
    double sum;
    struct { double v; int r; } in = {v, rank}, out;
    MPI_Allreduce(&v, &s.min, 1, MPI_DOUBLE, MPI_MIN, comm);
    MPI_Allreduce(&v, &sum, 1, MPI_DOUBLE, MPI_SUM, comm);
    MPI_Allreduce(&in, &out, 1, MPI_DOUBLE_INT, MPI_MAXLOC, comm);
    s.mean = sum / n;
    s.max = out.v;
    s.argmax = out.r;
    return s;
}

/* Distinct MPI_Get_processor_name values over ranks. */
static int count_hosts(MPI_Comm comm)
{
    int rank, n, len;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &n);
    char name[MPI_MAX_PROCESSOR_NAME] = {0};
    MPI_Get_processor_name(name, &len);
    char *all = rank == 0 ? calloc((size_t)n, MPI_MAX_PROCESSOR_NAME) : NULL;
    MPI_Gather(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all, MPI_MAX_PROCESSOR_NAME,
               MPI_CHAR, 0, comm);
    int hosts = 0;
    if (rank == 0 && all) {
        for (int i = 0; i < n; i++) {
            int seen = 0;
            for (int j = 0; j < i && !seen; j++)
                seen = strcmp(all + (size_t)i * MPI_MAX_PROCESSOR_NAME,
                              all + (size_t)j * MPI_MAX_PROCESSOR_NAME) == 0;
            hosts += !seen;
        }
    }
    free(all);
    return hosts;
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(f, "\\u%04x", (unsigned char)*s);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

static void json_env(FILE *f, const char *name)
{
    const char *v = getenv(name);
    fprintf(f, ",\"%s\":", name);
    if (v)
        json_string(f, v);
    else
        fputs("null", f);
}

typedef struct {
    Stat phase[VR_PHASE_COUNT];
    Stat samples, rss, swapped, gathered;
    double samples_total, swapped_total;
    int64_t *samples_per_rank; /* rank 0 */
    int64_t nonfinite_total;
    int hosts, nranks, threads;
} Reduced;

static void write_json(FILE *f, const VrConfig *cfg, const int64_t dims[3],
                       const VrRunStats *st, const Reduced *r)
{
    fputs("{\"tool\":\"volrender_mpi\",\"version\":", f);
    json_string(f, VR_VERSION);
    fputs(",\"git_revision\":", f);
    json_string(f, VR_GIT_REVISION);
    fprintf(f, ",\"ranks\":%d,\"threads_per_rank\":%d,\"hosts\":%d", r->nranks,
            r->threads, r->hosts);
    json_env(f, "SLURM_JOB_ID");
    json_env(f, "SLURM_NTASKS");
    json_env(f, "SLURM_JOB_NUM_NODES");
    fputs(",\"params\":{\"input\":", f);
    json_string(f, cfg->input);
    fputs(",\"dataset\":", f);
    json_string(f, cfg->dataset);
    fprintf(f, ",\"dims\":[%lld,%lld,%lld],\"N\":%d,\"samples\":%d,\"angles\":%d,"
               "\"first_angle\":%d,\"last_angle\":%d,\"axis\":%d,\"composite\":\"%s\","
               "\"resume\":%s}",
            (long long)dims[0], (long long)dims[1], (long long)dims[2], cfg->image_size,
            cfg->samples, cfg->angles, cfg->first_angle, cfg->last_angle, cfg->axis,
            vr_composite_name(cfg->composite), cfg->resume ? "true" : "false");
    fputs(",\"phases\":{", f);
    for (int p = 0; p < VR_PHASE_COUNT; p++)
        fprintf(f, "%s\"%s\":{\"min\":%.6f,\"mean\":%.6f,\"max\":%.6f,\"max_rank\":%d}",
                p ? "," : "", PHASE_NAMES[p], r->phase[p].min, r->phase[p].mean,
                r->phase[p].max, r->phase[p].argmax);
    const Stat *ren = &r->phase[VR_PHASE_RENDER];
    fprintf(f, "},\"render_imbalance\":%.4f",
            ren->mean > 0 ? ren->max / ren->mean : 1.0);
    fprintf(f, ",\"frames\":%d,\"frames_skipped\":%d", st->frames, st->frames_skipped);
    fprintf(f, ",\"samples_total\":%.0f,\"samples_per_second\":%.1f,\"samples_per_rank\":[",
            r->samples_total, ren->max > 0 ? r->samples_total / ren->max : 0.0);
    for (int i = 0; i < r->nranks; i++)
        fprintf(f, "%s%lld", i ? "," : "", (long long)r->samples_per_rank[i]);
    fprintf(f, "],\"composite_bytes_sent\":{\"swap_max\":%.0f,\"swap_mean\":%.1f,"
               "\"swap_total\":%.0f,\"gather_max\":%.0f},",
            r->swapped.max, r->swapped.mean, r->swapped_total, r->gathered.max);
    fprintf(f, "\"peak_rss_bytes\":{\"max\":%.0f,\"mean\":%.0f,\"max_rank\":%d}",
            r->rss.max, r->rss.mean, r->rss.argmax);
    fputs(",\"io\":{\"mode\":", f);
    json_string(f, st->io_mode);
    fputs(",\"not_collective_because\":", f);
    json_string(f, st->io_cause);
    fprintf(f, ",\"bytes\":%lld,\"read_bandwidth_MiBps\":%.1f},\"nonfinite_voxels\":%lld}\n",
            (long long)(dims[0] * dims[1] * dims[2] * 4),
            r->phase[VR_PHASE_READ].max > 0
                ? (double)(dims[0] * dims[1] * dims[2] * 4) / 1048576.0 /
                      r->phase[VR_PHASE_READ].max
                : 0.0,
            (long long)r->nonfinite_total);
}

static void print_summary(const VrConfig *cfg, const Reduced *r, const VrRunStats *st)
{
    const Stat *ph = r->phase;
    printf("volrender_mpi: %d frame(s) of %dx%d at %d rank(s) x %d thread(s)\n",
           st->frames, cfg->image_size, cfg->image_size, r->nranks, r->threads);
    printf("  phase       min [s]   mean [s]  max [s]\n");
    for (int p = 0; p < VR_PHASE_COUNT; p++)
        printf("  %-10s %9.3f %9.3f %9.3f\n", PHASE_NAMES[p], ph[p].min, ph[p].mean,
               ph[p].max);
    const double ren = ph[VR_PHASE_RENDER].max;
    printf("  render: %.3g samples, %.1f M samples/s, imbalance %.2f\n",
           r->samples_total, ren > 0 ? r->samples_total / ren / 1e6 : 0.0,
           ph[VR_PHASE_RENDER].mean > 0 ? ren / ph[VR_PHASE_RENDER].mean : 1.0);
    printf("  read: %s%s%s%s; peak RSS max %.1f MiB (rank %d), mean %.1f MiB\n",
           st->io_mode, st->io_cause[0] ? " (" : "", st->io_cause,
           st->io_cause[0] ? ")" : "", r->rss.max / 1048576.0, r->rss.argmax,
           r->rss.mean / 1048576.0);
    fflush(stdout);
}

int vr_report(MPI_Comm comm, const VrConfig *cfg, const int64_t dims[3],
              const VrRunStats *stats, VrError *err)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    Reduced r;
    memset(&r, 0, sizeof r);
    MPI_Comm_size(comm, &r.nranks);
#ifdef _OPENMP
    r.threads = omp_get_max_threads();
#else
    r.threads = 1;
#endif
    for (int p = 0; p < VR_PHASE_COUNT; p++)
        r.phase[p] = reduce_stat(comm, stats->timers.seconds[p]);
    r.samples = reduce_stat(comm, (double)stats->samples);
    r.samples_total = r.samples.mean * r.nranks;
    r.rss = reduce_stat(comm, (double)vr_peak_rss_bytes());
    r.swapped = reduce_stat(comm, (double)stats->bytes_swapped);
    r.swapped_total = r.swapped.mean * r.nranks;
    r.gathered = reduce_stat(comm, (double)stats->bytes_gathered);
    MPI_Reduce(&stats->nonfinite, &r.nonfinite_total, 1, MPI_INT64_T, MPI_SUM, 0, comm);
    r.hosts = count_hosts(comm);
    if (rank == 0)
        r.samples_per_rank = malloc((size_t)r.nranks * sizeof(int64_t));
    MPI_Gather(&stats->samples, 1, MPI_INT64_T, r.samples_per_rank, 1, MPI_INT64_T, 0,
               comm);
    int rc = VR_OK;
    if (rank == 0) {
        if (!cfg->quiet)
            print_summary(cfg, &r, stats);
        if (cfg->timing[0]) {
            FILE *f = fopen(cfg->timing, "a");
            if (!f || !r.samples_per_rank) {
                rc = vr_fail(err, VR_ERR_IO, "cannot append to timing file '%s'",
                             cfg->timing);
            } else {
                write_json(f, cfg, dims, stats, &r);
                if (fclose(f) != 0)
                    rc = vr_fail(err, VR_ERR_IO, "cannot write timing file '%s'",
                                 cfg->timing);
                f = NULL;
            }
            if (f)
                fclose(f);
        }
    }
    free(r.samples_per_rank);
    return rc;
}
