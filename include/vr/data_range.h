/* data_range.h — the data's range of x = scale(rho), reduced over ranks.
 *
 * For a colour map over "auto" (min and max of x) or percentiles of x,
 * over the finite non-empty voxels of the whole cube (each counted once:
 * the voxels a rank owns, never its ghost planes).  Min and max are exact
 * (x is monotone in rho, so they are the scale of the extreme densities),
 * and so are percentiles: numpy's default (linear) method interpolates in
 * x between two order statistics of the data, and those are found exactly
 * by a parallel radix select on the densities' float bits (global
 * histograms of the top, then of the low 16 bits: two or three passes
 * over the slab). */
#ifndef VR_DATA_RANGE_H
#define VR_DATA_RANGE_H

#include <mpi.h>
#include <stdint.h>

#include "vr/error.h"
#include "vr/tf.h"
#include "vr/volume_io.h"

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

#endif
