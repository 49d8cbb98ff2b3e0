#include "vr/data_range.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vr/fastmath.h"
#include "vr/parallel.h"

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
    vr_volume_owned_box(vol, lo, hi);
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

/* Order-preserving integer key of a float: the bits, with negative
 * numbers' flipped, so that key order is value order. */
static uint32_t float_key(float v)
{
    const uint32_t b = (uint32_t)vr_float_to_bits(v);
    return b & 0x80000000u ? ~b : b | 0x80000000u;
}

static float key_float(uint32_t k)
{
    return vr_bits_to_float((int32_t)(k & 0x80000000u ? k & 0x7fffffffu : ~k));
}

/* Adds to hist (65536 bins) the counted voxels: binned by the key's top 16
 * bits (top < 0), or, of those whose top 16 bits are `top`, by the low 16. */
static void scan_keys(const VrVolume *vol, VrScale scale, int64_t top, int64_t *hist)
{
    int64_t lo[3], hi[3];
    vr_volume_owned_box(vol, lo, hi);
    const int64_t cy = vol->count[1], cz = vol->count[2];
#pragma omp parallel
    {
        int64_t *mine = calloc(65536, sizeof *mine);
#pragma omp for collapse(2) schedule(static)
        for (int64_t i = lo[0]; i < hi[0]; i++)
            for (int64_t j = lo[1]; j < hi[1]; j++) {
                const float *row = vol->data + (i * cy + j) * cz;
                for (int64_t k = lo[2]; k < hi[2]; k++) {
                    if (!counts(scale, row[k]))
                        continue;
                    const uint32_t key = float_key(row[k]);
                    if (top >= 0 && (int64_t)(key >> 16) != top)
                        continue;
                    const uint32_t b = top < 0 ? key >> 16 : key & 0xffffu;
                    if (mine) {
                        mine[b]++;
                    } else {
#pragma omp atomic
                        hist[b]++;
                    }
                }
            }
        if (mine) {
#pragma omp critical
            for (int b = 0; b < 65536; b++)
                hist[b] += mine[b];
            free(mine);
        }
    }
}

/* The bin of a 65536-bin histogram holding the value of 0-based rank r,
 * and the number of values in the bins before it. */
static int bin_of_rank(const int64_t *hist, int64_t r, int64_t *before)
{
    int64_t seen = 0;
    for (int b = 0; b < 65536; b++) {
        if (r < seen + hist[b]) {
            *before = seen;
            return b;
        }
        seen += hist[b];
    }
    *before = seen;
    return 65535;
}

/* Collective: the densities of 0-based ranks r[0..n-1] (increasing) among
 * the counted voxels, exactly: a radix select on the floats' bits, one
 * pass for the top 16 bits, one more for the low 16 of each top found. */
static int order_statistics(MPI_Comm comm, const VrVolume *vol, VrScale scale,
                            const int64_t *r, int n, float *out, VrError *err)
{
    int64_t *top = calloc(65536, sizeof *top), *low = calloc(65536, sizeof *low);
    int rc = vr_agree(comm, top && low ? VR_OK
                                       : vr_fail(err, VR_ERR_NOMEM,
                                                 "cannot allocate the data-range histograms"),
                      err);
    if (rc == VR_OK) {
        scan_keys(vol, scale, -1, top);
        MPI_Allreduce(MPI_IN_PLACE, top, 65536, MPI_INT64_T, MPI_SUM, comm);
        int done_top = -1;
        for (int i = 0; i < n; i++) {
            int64_t before, before_low;
            const int t = bin_of_rank(top, r[i], &before);
            if (t != done_top) { /* ranks increase: each top bin is met once */
                memset(low, 0, 65536 * sizeof *low);
                scan_keys(vol, scale, t, low);
                MPI_Allreduce(MPI_IN_PLACE, low, 65536, MPI_INT64_T, MPI_SUM, comm);
                done_top = t;
            }
            const int l = bin_of_rank(low, r[i] - before, &before_low);
            out[i] = key_float(((uint32_t)t << 16) | (uint32_t)l);
        }
    }
    free(top);
    free(low);
    return rc;
}

int vr_data_range(MPI_Comm comm, const VrVolume *vol, VrScale scale, VrRangeMode mode,
                  const double pct[2], VrDataRange *out, VrError *err)
{
    memset(out, 0, sizeof *out);
    double dmin, dmax;
    int64_t n;
    /* The read's pass took the extremes of the voxels this scale counts. */
    if (vol->extremes == (scale == VR_SCALE_LINEAR ? 1 : 2)) {
        dmin = vol->ext_min;
        dmax = vol->ext_max;
        n = vol->ext_counted;
    } else {
        scan_extremes(vol, scale, &dmin, &dmax, &n);
    }
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
    /* numpy's linear method: the value at fractional rank h = (n - 1) p,
     * between the order statistics floor(h) and floor(h) + 1, in x. */
    int64_t ranks[4];
    double frac[2];
    for (int i = 0; i < 2; i++) {
        const double h = (double)(out->counted - 1) * pct[i] / 100.0;
        ranks[2 * i] = (int64_t)floor(h);
        ranks[2 * i + 1] = ranks[2 * i] + 1 < out->counted ? ranks[2 * i] + 1 : ranks[2 * i];
        frac[i] = h - (double)ranks[2 * i];
    }
    float v[4];
    int rc = order_statistics(comm, vol, scale, ranks, 4, v, err);
    if (rc != VR_OK)
        return rc;
    const double a0 = scaled(scale, v[0]), b0 = scaled(scale, v[1]);
    const double a1 = scaled(scale, v[2]), b1 = scaled(scale, v[3]);
    out->lo = a0 + frac[0] * (b0 - a0);
    out->hi = a1 + frac[1] * (b1 - a1);
    return VR_OK;
}
