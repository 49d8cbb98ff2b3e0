/* frame_writer.h — composited images into the run's files.
 *
 * Frame n is gathered to and written by rank n mod P (vr_frame_writer_rank),
 * so the writing spreads over the ranks and shrinks with P; with a float
 * output (one HDF5 file, written by rank 0) every frame goes to rank 0.
 * The projection is rank 0's.
 *
 * Turns each frame's premultiplied image into a PNG (RGB over the
 * transfer function's background, or RGBA with straight alpha; 8 or 16
 * bits), the projection into projection.png in its style, and both into
 * the float output when there is one.  Every PNG carries its provenance
 * as text chunks: "Software" (tool and version), "volrender:command",
 * "volrender:camera", "volrender:transfer_function" (the project's JSON,
 * range resolved) and "volrender:data_range"; the float output gets the
 * same as root attributes. */
#ifndef VR_FRAME_WRITER_H
#define VR_FRAME_WRITER_H

#include <stdint.h>

#include "vr/camera.h"
#include "vr/config.h"
#include "vr/data_range.h"
#include "vr/error.h"
#include "vr/float_out.h"
#include "vr/projection.h"
#include "vr/tf.h"
#include "vr/transfer.h"

typedef struct {
    const VrConfig *cfg;
    int channels, depth;
    float background[3];
    int64_t npix;
    void *pixels;           /* npix * channels samples of depth bits */
    unsigned char *proj;    /* Ny * Nz * 3 bytes */
    char *tf_json;          /* the transfer function used, as JSON */
    char range_text[256];   /* the data range used, for the text chunk */
    char software[160];
} VrFrameWriter;

/* Pure.  The rank that gathers and writes frame n (the angle's index) of
 * a job on nranks ranks. */
static inline int vr_frame_writer_rank(const VrConfig *cfg, int n, int nranks)
{
    return cfg->float_output[0] || nranks < 1 ? 0 : n % nranks;
}

/* Every rank.  For frames of npix pixels and, on rank 0, a projection of
 * proj_pixels (0 elsewhere). */
int vr_frame_writer_create(const VrConfig *cfg, const VrTf *tf, const VrDataRange *dr,
                           int64_t npix, int64_t proj_pixels, VrFrameWriter *fw,
                           VrError *err);

/* Accepts a zeroed writer. */
void vr_frame_writer_free(VrFrameWriter *fw);

/* The transfer function's provenance into the float output's attributes:
 * transfer_function (JSON), data_range and data_range_mode (colour maps),
 * background, opacity_unit, tf_table_nodes and tf_table_max_error. */
int vr_frame_writer_describe(const VrFrameWriter *fw, const VrTf *tf,
                             const VrTfTable *table, VrFloatOut *fo, VrError *err);

/* projection.png in style st (vr_projection_style), and the projection
 * floats when fo. */
int vr_frame_writer_projection(VrFrameWriter *fw, const float *logmean,
                               const VrProjectionStyle *st, const int64_t dims[3],
                               VrFloatOut *fo, VrError *err);

/* The frame of view from image (premultiplied, npix * 4), as frame f of
 * the float output when fo. */
int vr_frame_writer_frame(VrFrameWriter *fw, const float *image, const VrView *view, int f,
                          VrFloatOut *fo, VrError *err);

#endif
