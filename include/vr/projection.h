/* projection.h — the log of the mean along axis 0, in parallel.
 *
 * Each rank sums the voxels it owns (never its ghost planes) into a
 * Ny x Nz partial, a reduction adds the partials on rank 0, which takes
 * ln(sum / Nx).  The picture is that field through viridis over [-5, 5]. */
#ifndef VR_PROJECTION_H
#define VR_PROJECTION_H

#include <mpi.h>

#include "vr/error.h"
#include "vr/volume_io.h"

/* Collective.  On rank 0, logmean (Ny*Nz floats, caller-owned) receives
 * ln(mean_i D[i][j][k]); -inf where the mean is <= 0.  Other ranks may pass
 * NULL. */
int vr_projection_compute(MPI_Comm comm, const VrVolume *vol, float *logmean,
                          VrError *err);

/* viridis(clip((P + 5) / 10, 0, 1)) as Ny*Nz*3 bytes, row j, column k. */
void vr_projection_colorize(const float *logmean, int64_t ny, int64_t nz,
                            unsigned char *rgb);

#endif
