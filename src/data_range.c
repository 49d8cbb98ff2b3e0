#include "vr/data_range.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vr/fastmath.h"
#include "vr/parallel.h"

/* The voxels this rank owns, as index ranges of its block. */
static void owned_box(const VrVolume *vol, int64_t lo[3], int64_t hi[3])
{
    const VrSlab *sl = &vol->slab;
    for (int a = 0; a < 3; a++) {
        lo[a] = a == sl->axis ? sl->own_lo - vol->start[a] : 0;
        hi[a] = a == sl->axis ? sl->own_hi - vol->start[a] : vol->count[a];
    }
    if (sl->own_lo == sl->own_hi || !vol->data)
        hi[0] = lo[0];
}

static int counts(VrScale scale, float v)
{
    return scale == VR_SCALE_LINEAR ? isfinite(v) : (v > 0.0f && v < INFINITY);
}

static double scaled(VrScale scale, double v)
{
    return scale == VR_SCALE_LN ? log(v) : scale == VR_SCALE_LOG10 ? log10(v) : v;
}

/* Min and max density of the counted voxels, and their number. */
static void scan_extremes(const VrVolume *vol, VrScale scale, double *dmin, double *dmax,
                          int64_t *n)
{
    int64_t lo[3], hi[3];
    owned_box(vol, lo, hi);
    const int64_t cy = vol->count[1], cz = vol->count[2];
    float mn = INFINITY, mx = -INFINITY;
    int64_t cnt = 0;
#pragma omp parallel for collapse(2) reduction(min : mn) reduction(max : mx) reduction(+ : cnt)
    for (int64_t i = lo[0]; i < hi[0]; i++)
        for (int64_t j = lo[1]; j < hi[1]; j++) {
            const float *row = vol->data + (i * cy + j) * cz;
            for (int64_t k = lo[2]; k < hi[2]; k++) {
                const float v = row[k];
                const int ok = counts(scale, v);
                mn = ok && v < mn ? v : mn;
                mx = ok && v > mx ? v : mx;
                cnt += ok;
            }
        }
    *dmin = mn;
    *dmax = mx;
    *n = cnt;
}

/* x of a counted voxel for binning: the kernel's fast float log (relative
 * error ~1e-7, far below a bin). */
static double binned(VrScale scale, float v)
{
    return scale == VR_SCALE_LN      ? (double)vr_fast_logf(v)
           : scale == VR_SCALE_LOG10 ? (double)vr_fast_logf(v) * 0.43429448190325176
                                     : (double)v;
}

/* Adds the counted voxels to hist (nbins bins of x over [xmin, xmax]). */
static void scan_histogram(const VrVolume *vol, VrScale scale, double xmin, double xmax,
                           int64_t *hist, int nbins)
{
    int64_t lo[3], hi[3];
    owned_box(vol, lo, hi);
    const int64_t cy = vol->count[1], cz = vol->count[2];
    const double inv = (double)nbins / (xmax - xmin);
#pragma omp parallel
    {
        int64_t *mine = calloc((size_t)nbins, sizeof *mine);
#pragma omp for collapse(2) schedule(static)
        for (int64_t i = lo[0]; i < hi[0]; i++)
            for (int64_t j = lo[1]; j < hi[1]; j++) {
                const float *row = vol->data + (i * cy + j) * cz;
                for (int64_t k = lo[2]; k < hi[2]; k++) {
                    const float v = row[k];
                    if (!counts(scale, v))
                        continue;
                    int b = (int)((binned(scale, v) - xmin) * inv);
                    b = b < 0 ? 0 : (b >= nbins ? nbins - 1 : b);
                    if (mine)
                        mine[b]++;
                    else {
#pragma omp atomic
                        hist[b]++;
                    }
                }
            }
        if (mine) {
#pragma omp critical
            for (int b = 0; b < nbins; b++)
                hist[b] += mine[b];
            free(mine);
        }
    }
}

double vr_histogram_percentile(const int64_t *hist, int nbins, double min, double max,
                               int64_t total, double p)
{
    if (total <= 0)
        return min;
    /* numpy's linear method: the value at fractional order h = (n - 1) p;
     * within a bin of c values, the order statistics are taken as spread
     * evenly, the k-th (0-based) at the bin's (k + 1/2) / c. */
    const double h = (double)(total - 1) * p / 100.0;
    const double width = (max - min) / (double)nbins;
    int64_t before = 0;
    for (int b = 0; b < nbins; b++) {
        if (hist[b] > 0 && h < (double)(before + hist[b])) {
            double f = (h - (double)before + 0.5) / (double)hist[b];
            f = f < 0.0 ? 0.0 : (f > 1.0 ? 1.0 : f);
            return fmin(max, fmax(min, min + ((double)b + f) * width));
        }
        before += hist[b];
    }
    return max;
}

int vr_data_range(MPI_Comm comm, const VrVolume *vol, VrScale scale, VrRangeMode mode,
                  const double pct[2], VrDataRange *out, VrError *err)
{
    memset(out, 0, sizeof *out);
    double dmin, dmax;
    int64_t n;
    scan_extremes(vol, scale, &dmin, &dmax, &n);
    double gmin, gmax;
    MPI_Allreduce(&dmin, &gmin, 1, MPI_DOUBLE, MPI_MIN, comm);
    MPI_Allreduce(&dmax, &gmax, 1, MPI_DOUBLE, MPI_MAX, comm);
    MPI_Allreduce(&n, &out->counted, 1, MPI_INT64_T, MPI_SUM, comm);
    int64_t total = vol->dims[0] * vol->dims[1] * vol->dims[2];
    out->empty = total - out->counted;
    if (out->counted == 0)
        return VR_OK;
    out->min = scaled(scale, gmin);
    out->max = scaled(scale, gmax);
    out->lo = out->min;
    out->hi = out->max;
    if (mode != VR_RANGE_PERCENTILES || !(out->max > out->min))
        return VR_OK;
    int64_t *hist = calloc(VR_RANGE_BINS, sizeof *hist);
    int rc = vr_agree(comm, hist ? VR_OK
                                 : vr_fail(err, VR_ERR_NOMEM,
                                           "cannot allocate the data-range histogram"),
                      err);
    if (rc != VR_OK) {
        free(hist);
        return rc;
    }
    scan_histogram(vol, scale, out->min, out->max, hist, VR_RANGE_BINS);
    MPI_Allreduce(MPI_IN_PLACE, hist, VR_RANGE_BINS, MPI_INT64_T, MPI_SUM, comm);
    out->lo = vr_histogram_percentile(hist, VR_RANGE_BINS, out->min, out->max, out->counted,
                                      pct[0]);
    out->hi = vr_histogram_percentile(hist, VR_RANGE_BINS, out->min, out->max, out->counted,
                                      pct[1]);
    free(hist);
    return VR_OK;
}
