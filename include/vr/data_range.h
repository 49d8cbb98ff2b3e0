/* data_range.h — the data's range of x = scale(rho), reduced over ranks.
 *
 * For a colour map over "auto" (min and max of x) or percentiles of x,
 * over the finite non-empty voxels of the whole cube (each counted once:
 * the voxels a rank owns, never its ghost planes).  Min and max are exact
 * (x is monotone in rho, so they are the scale of the extreme densities);
 * percentiles come from a global histogram of VR_RANGE_BINS bins over
 * [min, max], interpolated within a bin as numpy's default (linear)
 * method interpolates between order statistics: within one bin, i.e.
 * (max - min) / VR_RANGE_BINS, of the exact value. */
#ifndef VR_DATA_RANGE_H
#define VR_DATA_RANGE_H

#include <mpi.h>
#include <stdint.h>

#include "vr/error.h"
#include "vr/tf.h"
#include "vr/volume_io.h"

#define VR_RANGE_BINS 16384

typedef struct {
    double lo, hi;      /* the range: [min, max], or the percentiles */
    double min, max;    /* of x over the counted voxels */
    int64_t counted;    /* finite, non-empty voxels */
    int64_t empty;      /* the others (rho <= 0 under a log scale, non-finite) */
} VrDataRange;

/* Collective: every rank gets the same figures.  mode is VR_RANGE_AUTO or
 * VR_RANGE_PERCENTILES (pct in [0, 100]).  counted == 0 (an all-empty
 * field) leaves lo = hi = 0 for the caller to refuse. */
int vr_data_range(MPI_Comm comm, const VrVolume *vol, VrScale scale, VrRangeMode mode,
                  const double pct[2], VrDataRange *out, VrError *err);

/* Pure: the percentile p of `total` values whose histogram over
 * [min, max] in nbins bins is hist. */
double vr_histogram_percentile(const int64_t *hist, int nbins, double min, double max,
                               int64_t total, double p);

#endif
