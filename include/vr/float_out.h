/* float_out.h — the unclipped frames and the projection as floats, in one
 * HDF5 file, for scientists who post-process.  Rank 0 only.
 *
 * Layout (F = frames rendered, N = image size):
 *   /rgb            float32 [F][N][N][3]  composited colour, unclipped
 *   /transmittance  float32 [F][N][N]     product of (1 - a) along the ray
 *   /angle_index    int32   [F]           n of each frame
 *   /theta          float64 [F]           its angle in radians
 *   /projection     float32 [Ny][Nz]      ln(mean along axis 0)
 * Root attributes: the camera, the decomposition and the transfer function.
 * The file is written under a temporary name and renamed when complete. */
#ifndef VR_FLOAT_OUT_H
#define VR_FLOAT_OUT_H

#include <stdint.h>

#include "vr/config.h"
#include "vr/error.h"

typedef struct VrFloatOut VrFloatOut;

int vr_float_out_create(const char *path, const VrConfig *cfg, const int64_t dims[3],
                        int nranks, VrFloatOut **out, VrError *err);

/* Frame f (0-based within the run) from a composited image (N*N*4). */
int vr_float_out_write_frame(VrFloatOut *fo, int f, int angle_index, double theta,
                             const float *image, VrError *err);

int vr_float_out_write_projection(VrFloatOut *fo, const float *logmean, VrError *err);

/* Closes; with commit, renames into place, else removes the temporary.
 * Accepts NULL. */
int vr_float_out_close(VrFloatOut *fo, int commit, VrError *err);

#endif
