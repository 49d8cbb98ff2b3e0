/* kernel_bench — throughput of the per-rank render kernel alone.
 *
 *   kernel_bench CUBE.h5 [-d DATASET] [-N N] [-a ANGLES] [-r REPEATS]
 *                [--colormap NAME [--opacity O] [--range R] [--scale S]]
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

/* One orbit through tf: samples, and the wall and CPU seconds of the
 * kernel calls alone; adds the images' sum to *checksum. */
static int64_t render_orbit(VrRenderer *r, const VrTfTable *tf, int N, int angles,
                            float *image, double *wall, double *cpu, double *checksum)
{
    int64_t samples = 0;
    *wall = *cpu = 0.0;
    for (int n = 0; n < angles; n++) {
        VrView view;
        vr_camera_view(N, N, angles, n, &view);
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
    int N = 180, angles = 10, repeats = 5;
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
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else {
            fprintf(stderr, "usage: kernel_bench CUBE.h5 [-d DATASET] [-N N] [-a ANGLES] "
                            "[-r REPEATS] [--colormap NAME [--opacity O] [--range R] "
                            "[--scale S]]\n");
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
    int ok = vr_volume_probe(MPI_COMM_WORLD, path, dataset, dims, &err) == VR_OK &&
             vr_volume_read(MPI_COMM_WORLD, path, dataset, dims, 1,
                            scale && !strcmp(scale, "linear"), &vol, &err) == VR_OK;
    if (ok && colormap) {
        ok = vr_tf_from_options(&tf, colormap, scale, range, opacity, &err) == VR_OK;
        if (ok && vr_tf_needs_range(&tf))
            ok = vr_data_range(MPI_COMM_WORLD, &vol, tf.scale, tf.range_mode, tf.percentiles,
                               &dr, &err) == VR_OK &&
                 vr_tf_resolve_range(&tf, dr.lo, dr.hi, path, &err) == VR_OK;
        ok = ok && vr_tf_table_build(&tf, &table, &err) == VR_OK;
    }
    ok = ok && vr_renderer_create(&vol, N, N, &r, &err) == VR_OK;
    if (!ok) {
        fprintf(stderr, "kernel_bench: %s\n", err.msg);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    vr_volume_free(&vol);
    if (colormap) {
        char desc[512];
        vr_tf_describe(&tf, desc, sizeof desc);
        printf("table path: %s; %d nodes, max error %.2e %.2e %.2e %.2e\n", desc, table.n,
               table.max_error[0], table.max_error[1], table.max_error[2],
               table.max_error[3]);
    }
    const int paths = colormap ? 2 : 1;
    float *image = malloc((size_t)N * N * 4 * sizeof(float));
    double *wall = malloc((size_t)(paths * repeats) * sizeof(double));
    double *cpu = malloc((size_t)(paths * repeats) * sizeof(double));
    if (!image || !wall || !cpu) {
        fprintf(stderr, "kernel_bench: out of memory\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    static const char *const NAMES[2] = {"reference", "table"};
    double checksum[2] = {0.0, 0.0};
    int64_t samples = 0;
    for (int rep = 0; rep < repeats; rep++)
        for (int p = 0; p < paths; p++) {
            double *w = &wall[p * repeats + rep], *c = &cpu[p * repeats + rep];
            checksum[p] = 0.0;
            samples = render_orbit(r, p ? &table : &ref, N, angles, image, w, c,
                                   &checksum[p]);
            printf("repeat %d %-9s: %.1f M samples/s by wall time, %.1f by CPU time\n", rep,
                   NAMES[p], 1e-6 * (double)samples / *w, 1e-6 * (double)samples / *c);
        }
    double med_cpu[2];
    for (int p = 0; p < paths; p++) {
        const double mw = median(wall + p * repeats, repeats);
        med_cpu[p] = median(cpu + p * repeats, repeats);
        printf("median %s: %.1f M samples/s by wall time, %.1f by CPU time (%lld samples "
               "per orbit)\n",
               NAMES[p], 1e-6 * (double)samples / mw, 1e-6 * (double)samples / med_cpu[p],
               (long long)samples);
    }
    if (paths == 2)
        printf("table / reference throughput (CPU time medians): %.3f\n",
               med_cpu[0] / med_cpu[1]);
    printf("checksum %.9g\n", checksum[0]);
    if (paths == 2)
        printf("checksum table %.9g\n", checksum[1]);
    free(image);
    free(wall);
    free(cpu);
    vr_renderer_free(r);
    vr_tf_table_free(&table);
    vr_tf_free(&tf);
    MPI_Finalize();
    return 0;
}
