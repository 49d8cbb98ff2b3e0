/* kernel_bench — throughput of the per-rank render kernel alone.
 *
 *   kernel_bench CUBE.h5 [-d DATASET] [-N N] [-a ANGLES] [-r REPEATS]
 *                [--colormap NAME [--opacity O] [--range R] [--scale S]]
 *                [--view SPEC]...
 *
 * --view renders another orbit in the same run, each with its own
 * renderer, repeat by repeat in turn (so that the rows compare under the
 * same load).  SPEC is comma-separated key=value: axis=x|y|z, start=DEG,
 * span=DEG (default 90), elev=DEG, fov=DEG (perspective), fit=1, width=L,
 * kernel=general (force the general kernel), name=TEXT.  Without --view
 * the reference orbit is rendered.
 *
 * With --colormap the orbit is rendered alternately through the
 * reference transfer function and through that colour map (over the
 * data's range, as --range says; default auto) as a table, repeat by
 * repeat, and the medians of both and their ratio are printed: the two
 * paths measured side by side in one run.
 *
 * Reads the whole cube on one rank (run it without mpirun, or with -np 1),
 * builds the renderer (resampled planes) and renders the orbit REPEATS
 * times with the threads OMP_NUM_THREADS gives.  Prints, per repeat, the
 * samples per second by wall-clock time and by the process's CPU time: on
 * a machine shared with other jobs the wall-clock figure swings with their
 * load while the CPU-time one (with one thread) barely moves, so compare
 * builds by the CPU-time median.  The last line is a checksum of the
 * images, to see that two builds render the same thing. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vr/camera.h"
#include "vr/data_range.h"
#include "vr/render.h"
#include "vr/tf.h"
#include "vr/transfer.h"
#include "vr/volume_io.h"

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct {
    char name[64];
    VrCameraConfig cc;
    int force_general;
    VrKernel kernel;
    VrRenderer *r;
} BenchView;

/* "axis=y,elev=30,..." into *bv; 0 on success. */
static int parse_view(const char *spec, BenchView *bv)
{
    memset(bv, 0, sizeof *bv);
    vr_camera_config_defaults(&bv->cc);
    snprintf(bv->name, sizeof bv->name, "%s", spec);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", spec);
    char *save = NULL;
    for (char *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq)
            return -1;
        *eq = '\0';
        const char *v = eq + 1;
        if (!strcmp(kv, "axis") && (v[0] == 'x' || v[0] == 'y' || v[0] == 'z'))
            bv->cc.orbit_axis = v[0] - 'x';
        else if (!strcmp(kv, "start"))
            bv->cc.orbit_start = atof(v);
        else if (!strcmp(kv, "span"))
            bv->cc.orbit_degrees = atof(v);
        else if (!strcmp(kv, "elev"))
            bv->cc.elevation = atof(v);
        else if (!strcmp(kv, "fov"))
            bv->cc.fov = atof(v);
        else if (!strcmp(kv, "fit"))
            bv->cc.fit = atoi(v);
        else if (!strcmp(kv, "width"))
            bv->cc.width = atof(v);
        else if (!strcmp(kv, "kernel") && !strcmp(v, "general"))
            bv->force_general = 1;
        else if (!strcmp(kv, "name"))
            snprintf(bv->name, sizeof bv->name, "%s", v);
        else
            return -1;
    }
    return 0;
}

/* One orbit through tf: samples, and the wall and CPU seconds of the
 * kernel calls alone; adds the images' sum to *checksum. */
static int64_t render_orbit(const BenchView *bv, const int64_t dims[3], const VrTfTable *tf,
                            int N, int angles, float *image, double *wall, double *cpu,
                            double *checksum)
{
    VrRenderer *r = bv->r;
    int64_t samples = 0;
    *wall = *cpu = 0.0;
    for (int n = 0; n < angles; n++) {
        VrView view;
        vr_camera_orbit_frame(&bv->cc, N, N, N, angles, dims, n, &view);
        const double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        samples += vr_render_view(r, &view, tf, image);
        *wall += clock_s(CLOCK_MONOTONIC) - w0;
        *cpu += clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
        for (int64_t p = 0; p < (int64_t)N * N * 4; p++)
            *checksum += image[p];
    }
    return samples;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

int main(int argc, char **argv)
{
    const char *path = NULL, *dataset = "density";
    const char *colormap = NULL, *opacity = NULL, *range = NULL, *scale = NULL;
    int N = 180, angles = 10, repeats = 5, nviews = 0;
    BenchView views[8];
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-d") && i + 1 < argc)
            dataset = argv[++i];
        else if (!strcmp(argv[i], "-N") && i + 1 < argc)
            N = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-a") && i + 1 < argc)
            angles = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-r") && i + 1 < argc)
            repeats = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--colormap") && i + 1 < argc)
            colormap = argv[++i];
        else if (!strcmp(argv[i], "--opacity") && i + 1 < argc)
            opacity = argv[++i];
        else if (!strcmp(argv[i], "--range") && i + 1 < argc)
            range = argv[++i];
        else if (!strcmp(argv[i], "--scale") && i + 1 < argc)
            scale = argv[++i];
        else if (!strcmp(argv[i], "--view") && i + 1 < argc && nviews < 8) {
            if (parse_view(argv[++i], &views[nviews++]) != 0) {
                fprintf(stderr, "kernel_bench: bad --view '%s'\n", argv[i]);
                return 2;
            }
        } else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else {
            fprintf(stderr, "usage: kernel_bench CUBE.h5 [-d DATASET] [-N N] [-a ANGLES] "
                            "[-r REPEATS] [--colormap NAME [--opacity O] [--range R] "
                            "[--scale S]] [--view SPEC]...\n");
            return 2;
        }
    }
    if (!path || N < 2 || angles < 1 || repeats < 1 || repeats > 1000) {
        fprintf(stderr, "kernel_bench: need a cube, N >= 2, angles >= 1, 1..1000 repeats\n");
        return 2;
    }
    MPI_Init(&argc, &argv);
    int nranks;
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
    if (nranks != 1) {
        fprintf(stderr, "kernel_bench: run it on one rank\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    VrError err = {0};
    int64_t dims[3];
    VrVolume vol;
    VrRenderer *r = NULL;
    VrTf tf = {0};
    VrTfTable ref = {.reference = 1, .scale = VR_SCALE_LN}, table = {0};
    VrDataRange dr;
    VrBlock slab;
    int ok = vr_volume_probe(MPI_COMM_WORLD, path, dataset, dims, &err) == VR_OK;
    if (ok) {
        int rank, nranks;
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        MPI_Comm_size(MPI_COMM_WORLD, &nranks);
        vr_decomp_slab(rank, nranks, dims, 1, &slab);
    }
    ok = ok && vr_volume_read(MPI_COMM_WORLD, path, dataset, dims, &slab,
                            scale && !strcmp(scale, "linear"), &vol, &err) == VR_OK;
    if (ok && colormap) {
        ok = vr_tf_from_options(&tf, colormap, scale, range, opacity, &err) == VR_OK;
        if (ok && vr_tf_needs_range(&tf))
            ok = vr_data_range(MPI_COMM_WORLD, &vol, tf.scale, tf.range_mode, tf.percentiles,
                               &dr, &err) == VR_OK &&
                 vr_tf_resolve_range(&tf, dr.lo, dr.hi, path, &err) == VR_OK;
        ok = ok && vr_tf_table_build(&tf, &table, &err) == VR_OK;
    }
    if (nviews == 0) {
        parse_view("name=x orbit", &views[0]);
        nviews = 1;
    }
    /* Each view its own renderer from its own read of the cube (a kernel
     * consumes the slab it is built from). */
    for (int v = 0; ok && v < nviews; v++) {
        VrView first;
        vr_camera_orbit_frame(&views[v].cc, N, N, N, angles, dims, 0, &first);
        views[v].kernel =
            views[v].force_general ? VR_KERNEL_GENERAL : vr_render_choose_kernel(&first, dims);
        if (v > 0)
            ok = vr_volume_read(MPI_COMM_WORLD, path, dataset, dims, &slab,
                                scale && !strcmp(scale, "linear"), &vol, &err) == VR_OK;
        ok = ok && vr_renderer_create(&vol, views[v].kernel, &first, &views[v].r, &err) == VR_OK;
        vr_volume_free(&vol);
        if (ok)
            printf("view %d: %s, kernel %s\n", v, views[v].name, vr_kernel_name(views[v].kernel));
    }
    if (!ok) {
        fprintf(stderr, "kernel_bench: %s\n", err.msg);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    r = views[0].r;
    if (colormap) {
        char desc[512];
        vr_tf_describe(&tf, desc, sizeof desc);
        printf("table path: %s; %d nodes, max error %.2e %.2e %.2e %.2e\n", desc, table.n,
               table.max_error[0], table.max_error[1], table.max_error[2],
               table.max_error[3]);
    }
    const int paths = colormap ? 2 : 1, rows = paths * nviews;
    float *image = malloc((size_t)N * N * 4 * sizeof(float));
    double *wall = malloc((size_t)(rows * repeats) * sizeof(double));
    double *cpu = malloc((size_t)(rows * repeats) * sizeof(double));
    double *checksum = calloc((size_t)rows, sizeof(double));
    int64_t *samples = calloc((size_t)rows, sizeof(int64_t));
    if (!image || !wall || !cpu || !checksum || !samples) {
        fprintf(stderr, "kernel_bench: out of memory\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    static const char *const NAMES[2] = {"reference", "table"};
    /* Row k: view k / paths through path k % paths. */
    for (int rep = 0; rep < repeats; rep++)
        for (int k = 0; k < rows; k++) {
            const int v = k / paths, p = k % paths;
            double *w = &wall[k * repeats + rep], *c = &cpu[k * repeats + rep];
            checksum[k] = 0.0;
            samples[k] = render_orbit(&views[v], dims, p ? &table : &ref, N, angles, image, w,
                                      c, &checksum[k]);
            printf("repeat %d %s %-9s: %.1f M samples/s by wall time, %.1f by CPU time\n",
                   rep, views[v].name, NAMES[p], 1e-6 * (double)samples[k] / *w,
                   1e-6 * (double)samples[k] / *c);
        }
    double *med_cpu = malloc((size_t)rows * sizeof(double));
    for (int k = 0; k < rows && med_cpu; k++) {
        const int v = k / paths, p = k % paths;
        const double mw = median(wall + k * repeats, repeats);
        med_cpu[k] = median(cpu + k * repeats, repeats);
        printf("median %s [%s] %s: %.1f M samples/s by wall time, %.1f by CPU time (%lld "
               "samples per orbit)\n",
               views[v].name, vr_kernel_name(views[v].kernel), NAMES[p],
               1e-6 * (double)samples[k] / mw, 1e-6 * (double)samples[k] / med_cpu[k],
               (long long)samples[k]);
    }
    for (int v = 0; v < nviews && med_cpu; v++) {
        if (paths == 2)
            printf("%s: table / reference throughput (CPU time medians): %.3f\n",
                   views[v].name, med_cpu[2 * v] / med_cpu[2 * v + 1]);
        if (v > 0)
            printf("%s / %s (CPU time, reference path): %.3f\n", views[v].name,
                   views[0].name,
                   ((double)samples[v * paths] / med_cpu[v * paths]) /
                       ((double)samples[0] / med_cpu[0]));
    }
    for (int k = 0; k < rows; k++)
        printf("checksum %s %s %.9g\n", views[k / paths].name, NAMES[k % paths], checksum[k]);
    free(med_cpu);
    free(checksum);
    free(samples);
    for (int v = 1; v < nviews; v++)
        vr_renderer_free(views[v].r);
    free(image);
    free(wall);
    free(cpu);
    vr_renderer_free(r);
    vr_tf_table_free(&table);
    vr_tf_free(&tf);
    MPI_Finalize();
    return 0;
}
