/* cost_model.h — the samples each plane of the decomposition axis costs
 * over the run's views, counted without rendering, and the job's
 * decomposition placed by it.
 *
 * vr_cost_model_count adds, for frames first..last of the camera, the
 * samples the job's kernel composites in each plane p <= f < p + 1 along
 * the axis (render.h, vr_render_plane_samples: exact, found with the very
 * expressions the kernels decide ownership with; the cube's edge
 * tolerance goes to the first and last planes).  A slab [lo, hi) then
 * composites exactly the sum of its planes, so balanced cuts of these
 * counts (balance.h) give every rank nearly the same samples over the
 * whole run, and the sum is what the --timing record reports.
 * The work is split into image rows (frame, row); part k of `parts` takes
 * the rows r = k, k + parts, ... of every frame, so ranks can share it and
 * add their counts (integers: exact in any order).  row_step > 1 counts
 * only every row_step-th row of those, times row_step (an estimate, for
 * the planner's huge jobs; 1 = exact). */
#ifndef VR_COST_MODEL_H
#define VR_COST_MODEL_H

#include <mpi.h>
#include <stdint.h>

#include "vr/camera.h"
#include "vr/config.h"
#include "vr/decomp.h"
#include "vr/error.h"
#include "vr/kd.h"
#include "vr/render.h"

/* Pure.  Adds to per_plane[0 .. dims[axis]) (zeroed by the caller). */
int vr_cost_model_count(const VrCamera *cam, VrKernel kernel, const int64_t dims[3],
                        int axis, int first, int last, int row_step, int part, int parts,
                        int64_t *per_plane, VrError *err);

/* Pure.  The k-d builder's counts (kd.h): for frames first..last, adds
 * to each query's counts the samples its box composites per plane along
 * its axis (vr_render_box_samples), over the rows of part `part` of
 * `parts` as above.  The queries' counts are consecutive pieces of one
 * buffer of `total` entries starting at q[0].count. */
int vr_cost_model_box_count(const VrCamera *cam, VrKernel kernel, const int64_t dims[3],
                            int first, int last, int row_step, int part, int parts, int nq,
                            VrKdQuery *q, int64_t total, VrError *err);

/* Collective.  The job's decomposition over the ranks of comm, the same
 * on every rank: the equal cut for --decomp equal, slabs balanced by the
 * cost model for balanced, the k-d tree for kd (counted by all ranks
 * together, then summed: one count per level of the tree).  Returns
 * VR_OK (agreed) or VR_ERR_NOMEM. */
int vr_decomp_for_job(MPI_Comm comm, const VrConfig *cfg, const VrCamera *cam,
                      VrKernel kernel, const int64_t dims[3], VrDecomp *d, VrError *err);

/* A balanced slab is at most this many equal shares (ceil(n / P) planes)
 * wide, so its memory stays within that many equal slabs'. */
enum { VR_SLAB_MAX_SHARES = 4 };

/* Pure.  The same decomposition for P ranks in one process (the
 * planner), from per-plane counts already made. */
int vr_decomp_balanced(const int64_t *per_plane, int P, const int64_t dims[3], int axis,
                       VrDecomp *d);

#endif
