/* workspace.h — the orbit's buffers.
 *
 * Sizes everything once for the whole orbit (images, visibility order,
 * projection); memory_budget.h checks beforehand that the job fits, and
 * frame_writer.h turns the composited images into files. */
#ifndef VR_WORKSPACE_H
#define VR_WORKSPACE_H

#include <mpi.h>
#include <stdint.h>

#include "vr/camera.h"
#include "vr/config.h"
#include "vr/error.h"
#include "vr/float_out.h"
#include "vr/volume_io.h"

typedef struct {
    int64_t npix;
    float *partial;          /* this rank's premultiplied image, npix * 4 */
    float *more;             /* --batch K: K - 1 more of them, or NULL */
    int batch;               /* K */
    float *final;            /* the composited image of the frames this rank writes */
    int *order;              /* visibility order, nranks */
    float *logmean;          /* rank 0: projection, Ny * Nz */
} VrWorkspace;

/* Collective.  Rank 0 creates the output folder, checks (creating
 * nothing) that the float and timing files can be written and, with
 * --resume, removes the temporaries a killed run left; all ranks get the
 * verdict. */
int vr_workspace_prepare_outputs(MPI_Comm comm, const VrConfig *cfg, VrError *err);

/* Collective allocation of the workspace. */
int vr_workspace_create(MPI_Comm comm, const VrConfig *cfg, const int64_t dims[3],
                        VrWorkspace *ws, VrError *err);
void vr_workspace_free(VrWorkspace *ws);

/* This rank's image k of a batch (0 <= k < ws->batch); 0 is ws->partial. */
static inline float *vr_workspace_image(const VrWorkspace *ws, int k)
{
    return k == 0 ? ws->partial : ws->more + (size_t)(k - 1) * (size_t)ws->npix * 4;
}

/* Collective.  Rank 0 prints one warning if the data held NaN, infinite,
 * zero or negative voxels, saying how they render (linear: under a linear
 * transfer function). */
void vr_workspace_warn_data(MPI_Comm comm, const VrConfig *cfg, int linear,
                            const VrVolume *vol);

/* Collective.  With --resume: 1 on every rank if frame n already exists
 * as a whole PNG of the right size. */
int vr_workspace_frame_done(MPI_Comm comm, const VrConfig *cfg, int n);

#endif
