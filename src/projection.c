#include "vr/projection.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vr/parallel.h"

/* Adds this rank's owned voxels along x into sum (Ny*Nz doubles). */
static void sum_owned(const VrVolume *vol, double *sum)
{
    int64_t lo[3], hi[3];
    vr_volume_owned_box(vol, lo, hi);
    const int64_t cy = vol->count[1], cz = vol->count[2];
    const int64_t nz = vol->dims[2];
    /* Threads take whole output rows j, so no two write the same sum. */
#pragma omp parallel for schedule(static)
    for (int64_t j = lo[1]; j < hi[1]; j++) {
        double *dst = sum + (vol->start[1] + j) * nz + vol->start[2];
        for (int64_t i = lo[0]; i < hi[0]; i++) {
            const float *src = vol->data + (i * cy + j) * cz;
            for (int64_t k = lo[2]; k < hi[2]; k++)
                dst[k] += src[k] == src[k] ? (double)src[k] : 0.0; /* NaN: 0 */
        }
    }
}

int vr_projection_compute(MPI_Comm comm, VrVolume *vol, float *logmean, VrError *err)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    const int64_t n = vol->dims[1] * vol->dims[2];
    /* The read's pass made the sums, if it could allocate them: take them. */
    double *sum = vol->sums;
    vol->sums = NULL;
    const int made = sum != NULL;
    if (!sum)
        sum = calloc((size_t)n, sizeof *sum);
    int rc = vr_agree(comm, sum ? VR_OK
                                : vr_fail(err, VR_ERR_NOMEM,
                                          "cannot allocate %.1f MiB for the projection",
                                          (double)n * 8.0 / 1048576.0),
                      err);
    if (rc != VR_OK) {
        free(sum);
        return rc;
    }
    if (!made)
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

/* v = scale(mean) from P = ln(mean). */
static double scaled_value(VrScale scale, double P)
{
    return scale == VR_SCALE_LN      ? P
           : scale == VR_SCALE_LOG10 ? P / 2.302585092994046
                                     : exp(P);
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* numpy's linear percentile p of the n sorted values v. */
static double percentile_sorted(const double *v, int64_t n, double p)
{
    const double h = (double)(n - 1) * p / 100.0;
    const int64_t i = (int64_t)floor(h);
    if (i >= n - 1)
        return v[n - 1];
    return v[i] + (h - (double)i) * (v[i + 1] - v[i]);
}

int vr_projection_style(const char *colormap, const char *scale, const char *range,
                        const float *logmean, int64_t n, VrProjectionStyle *st,
                        VrError *err)
{
    memset(st, 0, sizeof *st);
    snprintf(st->cmap_name, sizeof st->cmap_name, "%s", colormap && colormap[0] ? colormap
                                                                              : "viridis");
    st->cmap = vr_colormap_table(st->cmap_name);
    if (!st->cmap)
        return vr_fail(err, VR_ERR_USAGE, "option --projection-colormap: unknown colour map "
                       "'%s' (accepted: %s)", st->cmap_name, vr_colormap_names());
    st->scale = VR_SCALE_LN;
    int rc = scale && scale[0]
                 ? vr_tf_parse_scale(scale, "--projection-scale", &st->scale, err)
                 : VR_OK;
    VrRangeMode mode = VR_RANGE_GIVEN;
    double given[2] = {-5.0, 5.0}, pct[2] = {0.0, 100.0};
    if (rc == VR_OK && range && range[0])
        rc = vr_tf_parse_range(range, "--projection-range", &mode, given, pct, err);
    if (rc != VR_OK)
        return rc;
    st->lo = given[0];
    st->hi = given[1];
    snprintf(st->range_mode, sizeof st->range_mode, "given");
    if (mode == VR_RANGE_GIVEN)
        return VR_OK;
    double *v = malloc((size_t)(n > 0 ? n : 1) * sizeof *v);
    if (!v)
        return vr_fail(err, VR_ERR_NOMEM, "cannot allocate the projection's range");
    int64_t m = 0;
    for (int64_t p = 0; p < n; p++) {
        const double x = scaled_value(st->scale, (double)logmean[p]);
        if (isfinite(x))
            v[m++] = x;
    }
    if (m > 0) {
        qsort(v, (size_t)m, sizeof *v, cmp_double);
        st->lo = mode == VR_RANGE_AUTO ? v[0] : percentile_sorted(v, m, pct[0]);
        st->hi = mode == VR_RANGE_AUTO ? v[m - 1] : percentile_sorted(v, m, pct[1]);
    }
    free(v);
    if (mode == VR_RANGE_AUTO)
        snprintf(st->range_mode, sizeof st->range_mode, "auto");
    else
        snprintf(st->range_mode, sizeof st->range_mode, "percentiles p%g:p%g", pct[0],
                 pct[1]);
    if (!(st->hi > st->lo))
        return vr_fail(err, VR_ERR_INPUT,
                       "option --projection-range %s: the projection's values give an "
                       "empty range (%s); give --projection-range LO:HI",
                       range, m == 0 ? "no finite value" : "a constant projection");
    return VR_OK;
}

void vr_projection_colorize(const float *logmean, int64_t ny, int64_t nz,
                            const VrProjectionStyle *st, unsigned char *rgb)
{
    const double lo = st->lo, span = st->hi - st->lo;
    for (int64_t p = 0; p < ny * nz; p++) {
        const double x = (scaled_value(st->scale, (double)logmean[p]) - lo) / span;
        vr_colormap_bytes(st->cmap, x, rgb + 3 * p);
    }
}
