#include "vr/timer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vr/memory.h"

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
    return vr_proc_kb_field("/proc/self/status", "VmHWM");
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

static int compare_names(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Distinct MPI_Get_processor_name values over ranks (on rank 0). */
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
        /* Sorted, equal names are adjacent: O(n log n) for many ranks. */
        qsort(all, (size_t)n, MPI_MAX_PROCESSOR_NAME, compare_names);
        for (int i = 0; i < n; i++)
            hosts += i == 0 || strcmp(all + (size_t)i * MPI_MAX_PROCESSOR_NAME,
                                      all + (size_t)(i - 1) * MPI_MAX_PROCESSOR_NAME) != 0;
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

/* Optional string: JSON null when empty. */
static void json_string_or_null(FILE *f, const char *s)
{
    if (s && s[0])
        json_string(f, s);
    else
        fputs("null", f);
}

/* First line of MPI_Get_library_version, e.g. "Open MPI v4.1.4, ...". */
static void mpi_library(char *out, size_t size)
{
    char lib[MPI_MAX_LIBRARY_VERSION_STRING] = {0};
    int len = 0;
    MPI_Get_library_version(lib, &len);
    lib[strcspn(lib, "\r\n")] = '\0';
    snprintf(out, size, "%s", lib);
}

typedef struct {
    Stat phase[VR_PHASE_COUNT];
    Stat samples, rss, memory_estimate, swapped, gathered, io_seconds, rounds, messages;
    int64_t samples_total, swapped_total, gathered_total, nonfinite_total, read_total;
    int64_t *samples_per_rank; /* rank 0 */
    double frame_imbalance;    /* rank 0: the worst frame's samples max / mean */
    int hosts, nranks;
    Stat threads;
} Reduced;

static void write_json(FILE *f, const VrConfig *cfg, const int64_t dims[3],
                       const VrRunStats *st, const Reduced *r)
{
    char stamp[32] = "";
    const time_t now = time(NULL);
    struct tm utc;
    if (gmtime_r(&now, &utc))
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
    char lib[256];
    mpi_library(lib, sizeof lib);

    fputs("{\"tool\":\"volrender_mpi\",\"version\":", f);
    json_string(f, VR_VERSION);
    fputs(",\"git_revision\":", f);
    json_string(f, VR_GIT_REVISION);
    fputs(",\"timestamp\":", f);
    json_string(f, stamp);
    fputs(",\"mpi_library\":", f);
    json_string(f, lib);
    fprintf(f, ",\"ranks\":%d,\"threads_per_rank\":%d,\"threads_per_rank_max\":%d,"
               "\"hosts\":%d",
            r->nranks, (int)r->threads.min, (int)r->threads.max, r->hosts);
    json_env(f, "SLURM_JOB_ID");
    json_env(f, "SLURM_NTASKS");
    json_env(f, "SLURM_JOB_NUM_NODES");
    json_env(f, "SLURM_STEP_ID"); /* inside an srun step, SLURM_NTASKS is the step's */
    json_env(f, "SLURM_CPUS_PER_TASK");
    json_env(f, "OMP_NUM_THREADS");
    fputs(",\"params\":{\"input\":", f);
    json_string(f, cfg->input);
    fputs(",\"dataset\":", f);
    json_string(f, cfg->dataset);
    fprintf(f, ",\"dims\":[%lld,%lld,%lld],\"N\":%d,\"samples\":%d,\"angles\":%d,"
               "\"first_angle\":%d,\"last_angle\":%d,\"axis\":%d,\"composite\":\"%s\","
               "\"radix\":%d,\"images\":\"%s\",\"drop_idle\":%s,\"decomp\":\"%s\","
               "\"resume\":%s,\"max_memory_mib\":%d",
            (long long)dims[0], (long long)dims[1], (long long)dims[2], cfg->image_size,
            cfg->samples, cfg->angles, cfg->first_angle, cfg->last_angle, cfg->axis,
            vr_composite_name(cfg->composite), cfg->radix, cfg->sparse ? "sparse" : "dense",
            vr_config_drop_idle(cfg) ? "true" : "false",
            st->decomp ? st->decomp : "equal",
            cfg->resume ? "true" : "false", cfg->max_memory_mib);
    fprintf(f, ",\"width\":%d,\"height\":%d,\"kernel\":\"%s\",\"camera\":", cfg->image_width,
            cfg->image_height, st->kernel);
    json_string(f, st->camera);
    fputs(",\"output_dir\":", f);
    json_string(f, cfg->output_dir);
    fputs(",\"prefix\":", f);
    json_string(f, cfg->prefix);
    fputs(",\"float_output\":", f);
    json_string_or_null(f, cfg->float_output);
    fputs("}", f);

    fputs(",\"phases\":{", f);
    for (int p = 0; p < VR_PHASE_COUNT; p++)
        fprintf(f, "%s\"%s\":{\"min\":%.6f,\"mean\":%.6f,\"max\":%.6f,\"max_rank\":%d}",
                p ? "," : "", PHASE_NAMES[p], r->phase[p].min, r->phase[p].mean,
                r->phase[p].max, r->phase[p].argmax);
    const Stat *ren = &r->phase[VR_PHASE_RENDER];
    fprintf(f, "},\"render_imbalance\":%.4f",
            ren->mean > 0 ? ren->max / ren->mean : 1.0);
    fprintf(f, ",\"frames\":%d,\"frames_skipped\":%d", st->frames, st->frames_skipped);
    fprintf(f, ",\"samples_total\":%lld,\"samples_per_second\":%.1f,"
               "\"samples_imbalance\":%.4f,\"samples_imbalance_frame_max\":%.6f,"
               "\"samples_per_rank\":[",
            (long long)r->samples_total,
            ren->max > 0 ? (double)r->samples_total / ren->max : 0.0,
            r->samples.mean > 0 ? r->samples.max / r->samples.mean : 1.0,
            r->frame_imbalance);
    for (int i = 0; i < r->nranks; i++)
        fprintf(f, "%s%lld", i ? "," : "", (long long)r->samples_per_rank[i]);
    fputc(']', f);
    vr_record_write_decomp(f, st->decomposition);
    fprintf(f, ",\"composite_bytes_sent\":{\"swap_max\":%.0f,\"swap_mean\":%.1f,"
               "\"swap_total\":%lld,\"gather_max\":%.0f,\"gather_total\":%lld,"
               "\"total\":%lld},",
            r->swapped.max, r->swapped.mean, (long long)r->swapped_total, r->gathered.max,
            (long long)r->gathered_total,
            (long long)(r->swapped_total + r->gathered_total));
    /* rounds: message-passing steps of the compositing (all frames; a
     * radixk round sends up to K - 1 messages, bswap and tree one) */
    fprintf(f, "\"composite_rounds\":{\"max\":%.0f,\"mean\":%.2f,\"messages_max\":%.0f,"
               "\"messages_mean\":%.2f},",
            r->rounds.max, r->rounds.mean, r->messages.max, r->messages.mean);
    /* ranks that took part in a frame's compositing (sparse images: those
     * with colour to add; the same on every rank) */
    const VrCompositeCounts *cc = &st->composite;
    fprintf(f, "\"composite_ranks_active\":{\"min\":%lld,\"mean\":%.2f},",
            (long long)(cc->frames > 0 ? cc->active_min : 0),
            cc->frames > 0 ? (double)cc->active_sum / (double)cc->frames : 0.0);
    fprintf(f, "\"peak_rss_bytes\":{\"max\":%.0f,\"mean\":%.0f,\"max_rank\":%d}",
            r->rss.max, r->rss.mean, r->rss.argmax);
    fprintf(f, ",\"memory_estimate_bytes\":{\"max\":%.0f,\"mean\":%.0f,\"max_rank\":%d}",
            r->memory_estimate.max, r->memory_estimate.mean, r->memory_estimate.argmax);
    /* bytes: what all ranks read (as float, ghost planes included);
     * cube_bytes: the cube once, as float32. */
    fputs(",\"io\":{\"mode\":", f);
    json_string(f, st->io_mode);
    fputs(",\"not_collective_because\":", f);
    json_string(f, st->io_cause);
    /* Bandwidth of the HDF5 reads alone (the slowest rank's time): the
     * scan and the projection that follow are in the read phase too. */
    const double read_s = r->io_seconds.max;
    fprintf(f, ",\"bytes\":%lld,\"cube_bytes\":%lld,\"read_seconds\":%.6f,"
               "\"read_bandwidth_MiBps\":%.1f},"
               "\"nonfinite_voxels\":%lld",
            (long long)r->read_total, (long long)(dims[0] * dims[1] * dims[2] * 4),
            read_s, read_s > 0 ? (double)r->read_total / 1048576.0 / read_s : 0.0,
            (long long)r->nonfinite_total);
    fprintf(f, ",\"transfer_function\":{\"description\":");
    json_string(f, st->tf_desc);
    fprintf(f, ",\"kernel_path\":\"%s\",\"table_nodes\":%d,\"table_max_error\":%.3e",
            st->table_nodes ? "table" : "reference", st->table_nodes, st->table_max_error);
    if (st->has_range) {
        fprintf(f, ",\"data_range\":[%.17g,%.17g],\"data_range_mode\":", st->range[0],
                st->range[1]);
        json_string(f, st->range_mode);
    } else {
        fprintf(f, ",\"data_range\":null,\"data_range_mode\":null");
    }
    fprintf(f, ",\"json\":");
    json_string_or_null(f, st->tf_json);
    fprintf(f, "}");
    if (st->snapshot_count > 0) {
        fprintf(f, ",\"snapshot\":{\"index\":%d,\"count\":%d,\"input\":",
                st->snapshot_index, st->snapshot_count);
        json_string(f, cfg->input);
        fprintf(f, ",\"stem\":");
        json_string_or_null(f, st->snapshot_stem);
        fprintf(f, "}");
    } else {
        fprintf(f, ",\"snapshot\":null");
    }
    fprintf(f, ",\"read_ahead\":%s,\"read_ahead_bytes\":%lld}\n",
            st->read_ahead ? "true" : "false", (long long)st->read_ahead_bytes);
}

/* Appends the record with one write(2) on an O_APPEND descriptor, so
 * records of concurrent jobs sharing one file do not interleave (on a
 * local file system; NFS gives no such promise).  A record that cannot be
 * written whole (a full disk) is taken back: the file is cut to the size
 * it had, or removed if this run created it, so no half record is left. */
static int append_record(const char *path, const VrConfig *cfg, const int64_t dims[3],
                         const VrRunStats *st, const Reduced *r, VrError *err)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        return vr_fail(err, VR_ERR_NOMEM, "cannot format the timing record");
    write_json(mem, cfg, dims, st, r);
    if (fclose(mem) != 0 || !text) {
        free(text);
        return vr_fail(err, VR_ERR_NOMEM, "cannot format the timing record");
    }
    int rc = VR_OK;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    const int created = fd >= 0;
    if (fd < 0 && errno == EEXIST)
        fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) {
        rc = vr_fail(err, VR_ERR_IO, "cannot append to timing file '%s': %s", path,
                     strerror(errno));
    } else {
        const off_t start = lseek(fd, 0, SEEK_END);
        size_t done = 0;
        while (done < len && rc == VR_OK) {
            const ssize_t n = write(fd, text + done, len - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                rc = vr_fail(err, VR_ERR_IO, "cannot write timing file '%s': %s", path,
                             n < 0 ? strerror(errno) : "nothing written");
            else
                done += (size_t)n;
        }
        if (rc == VR_OK && fsync(fd) != 0 && errno != EINVAL && errno != EROFS)
            rc = vr_fail(err, VR_ERR_IO, "cannot write timing file '%s': %s", path,
                         strerror(errno));
        /* Take back a partial record, unless another job appended since. */
        if (rc != VR_OK && start >= 0 && lseek(fd, 0, SEEK_END) == start + (off_t)done &&
            ftruncate(fd, start) == 0 && created && start == 0)
            unlink(path);
        if (close(fd) != 0 && rc == VR_OK)
            rc = vr_fail(err, VR_ERR_IO, "cannot write timing file '%s': %s", path,
                         strerror(errno));
    }
    free(text);
    return rc;
}

static void print_summary(const VrConfig *cfg, const Reduced *r, const VrRunStats *st)
{
    const Stat *ph = r->phase;
    printf("volrender_mpi: %d frame(s) of %dx%d at %d rank(s) x %d thread(s) on %d "
           "host(s)\n",
           st->frames, cfg->image_width, cfg->image_height, r->nranks, (int)r->threads.min,
           r->hosts);
    printf("  camera: %s; kernel: %s\n", st->camera, st->kernel);
    printf("  phase       min [s]   mean [s]  max [s]  (max on rank)\n");
    for (int p = 0; p < VR_PHASE_COUNT; p++)
        printf("  %-10s %9.3f %9.3f %9.3f  (%d)\n", PHASE_NAMES[p], ph[p].min,
               ph[p].mean, ph[p].max, ph[p].argmax);
    const double ren = ph[VR_PHASE_RENDER].max;
    printf("  render: %.3g samples, %.1f M samples/s, imbalance %.2f\n",
           (double)r->samples_total, ren > 0 ? (double)r->samples_total / ren / 1e6 : 0.0,
           ph[VR_PHASE_RENDER].mean > 0 ? ren / ph[VR_PHASE_RENDER].mean : 1.0);
    printf("  decomposition: %s slabs along axis %d; samples per rank max/mean %.3f\n",
           st->decomp ? st->decomp : "equal", cfg->axis,
           r->samples.mean > 0 ? r->samples.max / r->samples.mean : 1.0);
    printf("  transfer function: %s", st->tf_desc);
    if (st->table_nodes)
        printf(" (table of %d nodes, max error %.1e)", st->table_nodes, st->table_max_error);
    printf("\n");
    printf("  composite: %.1f MiB sent in all (max %.1f MiB by one rank in swaps; "
           "rounds max %.0f, messages max %.0f)\n",
           (double)(r->swapped_total + r->gathered_total) / 1048576.0,
           r->swapped.max / 1048576.0, r->rounds.max, r->messages.max);
    const double io_s = r->io_seconds.max;
    printf("  read: %.1f MiB in %.3f s (%.0f MiB/s), HDF5 %s%s%s%s\n",
           (double)r->read_total / 1048576.0, io_s,
           io_s > 0 ? (double)r->read_total / 1048576.0 / io_s : 0.0, st->io_mode,
           st->io_cause[0] ? " (not collective: " : "", st->io_cause,
           st->io_cause[0] ? ")" : "");
    printf("  memory: peak RSS max %.1f MiB (rank %d), mean %.1f MiB\n",
           r->rss.max / 1048576.0, r->rss.argmax, r->rss.mean / 1048576.0);
    fflush(stdout);
}

/* Exact sum over ranks of a count (doubles lose integers past 2^53). */
static int64_t sum_int64(MPI_Comm comm, int64_t v)
{
    int64_t sum = 0;
    MPI_Allreduce(&v, &sum, 1, MPI_INT64_T, MPI_SUM, comm);
    return sum;
}

/* Collective.  The largest max / mean over ranks of any frame's samples
 * (rank 0's answer; frames with no samples anywhere, or skipped, count as
 * balanced). */
static double frame_imbalance(MPI_Comm comm, const VrRunStats *st)
{
    int rank, nranks;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    const int F = st->frame_samples ? st->nframe_samples : 0;
    int64_t *most = rank == 0 ? malloc(((size_t)F + 1) * sizeof *most) : NULL;
    int64_t *sum = rank == 0 ? malloc(((size_t)F + 1) * sizeof *sum) : NULL;
    if (F) {
        MPI_Reduce(st->frame_samples, most, F, MPI_INT64_T, MPI_MAX, 0, comm);
        MPI_Reduce(st->frame_samples, sum, F, MPI_INT64_T, MPI_SUM, 0, comm);
    }
    double worst = 1.0;
    for (int f = 0; rank == 0 && most && sum && f < F; f++)
        if (sum[f] > 0 && (double)most[f] * nranks / (double)sum[f] > worst)
            worst = (double)most[f] * nranks / (double)sum[f];
    free(most);
    free(sum);
    return worst;
}

void vr_record_write_decomp(FILE *f, const VrDecomp *d)
{
    /* Slabs: rank r owns the planes [cut[r], cut[r + 1]) along the axis. */
    fputs(",\"decomp_cuts\":[", f);
    for (int i = 0; d && d->cut && i <= d->nranks; i++)
        fprintf(f, "%s%lld", i ? "," : "", (long long)d->cut[i]);
    fputs("],\"decomp_blocks\":[", f);
    for (int i = 0; d && i < d->nranks; i++) {
        VrBlock b;
        vr_decomp_rank_block(d, i, &b);
        fprintf(f, "%s[%lld,%lld,%lld,%lld,%lld,%lld]", i ? "," : "", (long long)b.own_lo[0],
                (long long)b.own_lo[1], (long long)b.own_lo[2], (long long)b.own_hi[0],
                (long long)b.own_hi[1], (long long)b.own_hi[2]);
    }
    fputc(']', f);
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
    r.threads = reduce_stat(comm, (double)omp_get_max_threads());
#else
    r.threads = reduce_stat(comm, 1.0);
#endif
    for (int p = 0; p < VR_PHASE_COUNT; p++)
        r.phase[p] = reduce_stat(comm, stats->timers.seconds[p]);
    r.samples = reduce_stat(comm, (double)stats->samples);
    r.samples_total = sum_int64(comm, stats->samples);
    r.rss = reduce_stat(comm, (double)vr_peak_rss_bytes());
    r.memory_estimate = reduce_stat(comm, (double)stats->memory_estimate);
    r.io_seconds = reduce_stat(comm, stats->io_seconds);
    r.swapped = reduce_stat(comm, (double)stats->composite.bytes_swapped);
    r.swapped_total = sum_int64(comm, stats->composite.bytes_swapped);
    r.gathered = reduce_stat(comm, (double)stats->composite.bytes_gathered);
    r.gathered_total = sum_int64(comm, stats->composite.bytes_gathered);
    r.rounds = reduce_stat(comm, (double)stats->composite.rounds);
    r.messages = reduce_stat(comm, (double)stats->composite.messages);
    r.nonfinite_total = sum_int64(comm, stats->nonfinite);
    r.read_total = sum_int64(comm, stats->bytes_read);
    r.hosts = count_hosts(comm);
    r.frame_imbalance = frame_imbalance(comm, stats);
    if (rank == 0)
        r.samples_per_rank = malloc((size_t)r.nranks * sizeof(int64_t));
    MPI_Gather(&stats->samples, 1, MPI_INT64_T, r.samples_per_rank, 1, MPI_INT64_T, 0,
               comm);
    int rc = VR_OK;
    if (rank == 0) {
        if (cfg->timing[0] && !r.samples_per_rank)
            rc = vr_fail(err, VR_ERR_NOMEM, "cannot gather the per-rank sample counts");
        else if (cfg->timing[0])
            rc = append_record(cfg->timing, cfg, dims, stats, &r, err);
        if (!cfg->quiet)
            print_summary(cfg, &r, stats);
        if (!cfg->quiet && cfg->timing[0] && rc == VR_OK)
            printf("  timing record appended to %s\n", cfg->timing);
        fflush(stdout);
    }
    free(r.samples_per_rank);
    return rc;
}
