/* float_out.h — the unclipped frames and the projection as floats, in one
 * HDF5 file, for scientists who post-process.  Rank 0 only.
 *
 * Layout (F = frames rendered, H x W = image height x width, N x N by
 * default):
 *   /rgb            float32 [F][H][W][3]  composited colour, unclipped
 *   /transmittance  float32 [F][H][W]     product of (1 - a) along the ray
 *   /angle_index    int32   [F]           n of each frame
 *   /theta          float64 [F]           its angle in radians
 *   /projection     float32 [Ny][Nz]      ln(mean along axis 0)
 * Root attributes: N, height, width, samples, angles, first_angle,
 * last_angle, decomposition_axis, ranks, dims, input, dataset, composite
 * and camera; callers add more (the transfer function's provenance) with
 * vr_float_out_attr_*.  The file is written under a temporary name and
 * renamed when complete.  Failures name the file and the cause (the
 * system's reason for a failed write, else HDF5's innermost message);
 * HDF5 prints nothing itself. */
#ifndef VR_FLOAT_OUT_H
#define VR_FLOAT_OUT_H

#include <stdint.h>

#include "vr/camera.h"
#include "vr/config.h"
#include "vr/error.h"

typedef struct VrFloatOut VrFloatOut;

/* Images of cfg->image_size x cfg->image_size. */
int vr_float_out_create(const char *path, const VrConfig *cfg, const int64_t dims[3],
                        int nranks, VrFloatOut **out, VrError *err);

/* Images of height rows x width columns. */
int vr_float_out_create_sized(const char *path, const VrConfig *cfg,
                              const int64_t dims[3], int nranks, int height, int width,
                              VrFloatOut **out, VrError *err);

/* Root attributes: a string of any length (variable-length UTF-8 would
 * need h5py to decode; this is a fixed-length ASCII/UTF-8 string of
 * strlen(text) bytes), n doubles (a 1-D array, n >= 1), one int.
 * An attribute of the same name is replaced. */
int vr_float_out_attr_text(VrFloatOut *fo, const char *name, const char *text,
                           VrError *err);
int vr_float_out_attr_doubles(VrFloatOut *fo, const char *name, const double *v, int n,
                              VrError *err);
int vr_float_out_attr_int(VrFloatOut *fo, const char *name, int v, VrError *err);

/* Frame f (0-based within the run) from a composited image (H*W*4). */
int vr_float_out_write_frame(VrFloatOut *fo, int f, int angle_index, double theta,
                             const float *image, VrError *err);

/* The camera of frame f: datasets /camera/centre, e_u, e_v, e_w, eye
 * float64 [F][3] and /camera/widths [F][3] (W_u, W_w, depth), fov [F]
 * (radians, 0 = orthographic), so the frames can be reprojected. */
int vr_float_out_write_view(VrFloatOut *fo, int f, const VrView *view, VrError *err);

int vr_float_out_write_projection(VrFloatOut *fo, const float *logmean, VrError *err);

/* Closes; with commit, renames into place, else removes the temporary.
 * Accepts NULL. */
int vr_float_out_close(VrFloatOut *fo, int commit, VrError *err);

#endif
