/* kernel_bench — throughput of the per-rank render kernel alone.
 *
 *   kernel_bench CUBE.h5 [-d DATASET] [-N N] [-a ANGLES] [-r REPEATS]
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
#include "vr/render.h"
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

int main(int argc, char **argv)
{
    const char *path = NULL, *dataset = "density";
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
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else {
            fprintf(stderr, "usage: kernel_bench CUBE.h5 [-d DATASET] [-N N] [-a ANGLES] "
                            "[-r REPEATS]\n");
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
    if (vr_volume_probe(MPI_COMM_WORLD, path, dataset, dims, &err) != VR_OK ||
        vr_volume_read(MPI_COMM_WORLD, path, dataset, dims, 1, &vol, &err) != VR_OK ||
        vr_renderer_create(&vol, N, N, &r, &err) != VR_OK) {
        fprintf(stderr, "kernel_bench: %s\n", err.msg);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    vr_volume_free(&vol);
    float *image = malloc((size_t)N * N * 4 * sizeof(float));
    double *wall = malloc((size_t)repeats * sizeof(double));
    double *cpu = malloc((size_t)repeats * sizeof(double));
    if (!image || !wall || !cpu) {
        fprintf(stderr, "kernel_bench: out of memory\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    double checksum = 0.0;
    int64_t samples = 0;
    for (int rep = 0; rep < repeats; rep++) {
        samples = 0;
        checksum = 0.0;
        wall[rep] = cpu[rep] = 0.0;
        for (int n = 0; n < angles; n++) {
            VrView view;
            vr_camera_view(N, N, angles, n, &view);
            const double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
            samples += vr_render_view(r, &view, image);
            wall[rep] += clock_s(CLOCK_MONOTONIC) - w0;
            cpu[rep] += clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
            for (int64_t p = 0; p < (int64_t)N * N * 4; p++)
                checksum += image[p];
        }
        printf("repeat %d: %.1f M samples/s by wall time, %.1f by CPU time\n", rep,
               1e-6 * (double)samples / wall[rep], 1e-6 * (double)samples / cpu[rep]);
    }
    qsort(wall, (size_t)repeats, sizeof *wall, cmp_double);
    qsort(cpu, (size_t)repeats, sizeof *cpu, cmp_double);
    printf("median: %.1f M samples/s by wall time, %.1f by CPU time (%lld samples per orbit)\n",
           1e-6 * (double)samples / wall[repeats / 2], 1e-6 * (double)samples / cpu[repeats / 2],
           (long long)samples);
    printf("checksum %.9g\n", checksum);
    free(image);
    free(wall);
    free(cpu);
    vr_renderer_free(r);
    MPI_Finalize();
    return 0;
}
