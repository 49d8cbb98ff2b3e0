/* memory_budget.h — what a job will need per rank, and whether it fits.
 *
 * The estimate covers a rank's peak: its slab (and the read's conversion
 * scratch), the render kernel's own layout as the kernel states it
 * (vr_renderer_estimate_bytes), images, compositing buffers and the
 * projection.  The check compares it, before anything is read or created,
 * with --max-memory or with what the host (or its cgroup) can give. */
#ifndef VR_MEMORY_BUDGET_H
#define VR_MEMORY_BUDGET_H

#include <mpi.h>
#include <stdint.h>

#include "vr/config.h"
#include "vr/decomp.h"
#include "vr/error.h"

/* Pure.  Bytes one rank of a job needs at its peak (its slab of the
 * job's decomposition, the kernel's layout, images, projection); rank 0
 * needs a little more.  Saturates at INT64_MAX rather than overflow. */
int64_t vr_memory_budget_estimate_bytes(const VrConfig *cfg, const int64_t dims[3],
                                        const VrBlock *slab, int rank);

/* Collective.  Refuses, with the figures, a job where a rank would need
 * more than --max-memory or, without it, whose ranks on one host would
 * need more than that host's available memory (MemAvailable, or the
 * cgroup's memory limit when smaller). */
int vr_memory_budget_check(MPI_Comm comm, const VrConfig *cfg, const int64_t dims[3],
                           const VrDecomp *decomp, VrError *err);

#endif
