/* projection.h — the log of the mean along axis 0, in parallel.
 *
 * Each rank sums the voxels it owns (never its ghost planes) into a
 * Ny x Nz partial, a reduction adds the partials on rank 0, which takes
 * ln(sum / Nx).  The picture is that field through viridis over [-5, 5]. */
#ifndef VR_PROJECTION_H
#define VR_PROJECTION_H

#include <mpi.h>

#include "vr/error.h"
#include "vr/tf.h"
#include "vr/volume_io.h"

/* Collective.  On rank 0, logmean (Ny*Nz floats, caller-owned) receives
 * ln(mean_i D[i][j][k]); -inf where the mean is <= 0.  Other ranks may pass
 * NULL.  The sums the read made (vol->sums) are used and freed; without
 * them the slab is summed here. */
int vr_projection_compute(MPI_Comm comm, VrVolume *vol, float *logmean, VrError *err);

/* How the projection becomes a picture: value v = scale(mean) (from the
 * ln the field holds), colour map over [lo, hi].  The default is the
 * reference's viridis of ln(mean) over [-5, 5]. */
typedef struct {
    const double (*cmap)[3];
    char cmap_name[64];
    VrScale scale;
    double lo, hi;
    char range_mode[64];   /* "given", "auto", "percentiles pA:pB" */
} VrProjectionStyle;

/* Rank 0.  The style the options ask for, with an auto or percentile
 * range taken from the finite values of logmean (n of them); an empty
 * range (a constant or empty projection) is an error naming the option. */
int vr_projection_style(const char *colormap, const char *scale, const char *range,
                        const float *logmean, int64_t n, VrProjectionStyle *st,
                        VrError *err);

/* cmap(clip((v - lo) / (hi - lo), 0, 1)) as Ny*Nz*3 bytes, row j, column
 * k; v of -inf or NaN gets the lowest colour. */
void vr_projection_colorize(const float *logmean, int64_t ny, int64_t nz,
                            const VrProjectionStyle *st, unsigned char *rgb);

#endif
