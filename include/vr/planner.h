/* planner.h — a job's figures for P ranks without running it (--plan P).
 *
 * From the cube's shape and the options alone, in one process: the
 * decomposition the job would use at P ranks (decomp.h, cost_model.h),
 * the samples each rank would composite over the run (the cost model's
 * exact count, so they equal the --timing record's samples_per_rank), each
 * rank's memory estimate (memory_budget.h), and what the compositing would
 * send: per rank the bytes of the stages and of the final gather, rounds
 * and messages, from the method's plan (composite.h) and each frame's
 * visibility order (camera.h), as the compositor counts them: exactly for
 * dense images; for sparse ones (sparse.h) with each rank's content
 * rectangle taken to be its block's footprint (render.h), a bound.
 * Nothing is read but the shape; nothing is rendered. */
#ifndef VR_PLANNER_H
#define VR_PLANNER_H

#include <stdint.h>
#include <stdio.h>

#include "vr/camera.h"
#include "vr/config.h"
#include "vr/decomp.h"
#include "vr/error.h"
#include "vr/render.h"

typedef struct {
    int P;
    VrDecomp decomp;
    int64_t *samples;      /* per rank, over frames first..last */
    int64_t *memory;       /* per rank: vr_memory_budget_estimate_bytes */
    int64_t *swap_bytes;   /* per rank: sent in the compositing stages */
    int64_t *gather_bytes; /* per rank: sent in the final gathers */
    int64_t *rounds;       /* per rank: rounds taken part in */
    int64_t *messages;     /* per rank: messages sent in them */
    int frames;
    double imbalance_frame; /* the worst frame's samples max / mean over ranks */
} VrPlan;

/* Pure.  The plan of the job (cfg, its camera and kernel, a cube of dims)
 * at P ranks.  Returns VR_OK or VR_ERR_NOMEM; free with vr_planner_free
 * (which accepts a zeroed plan). */
int vr_planner_make(const VrConfig *cfg, const VrCamera *cam, VrKernel kernel,
                    const int64_t dims[3], int P, VrPlan *plan, VrError *err);

void vr_planner_free(VrPlan *plan);

/* The summary for a person (each rank's block when P <= 64). */
void vr_planner_print(const VrPlan *plan, const VrConfig *cfg, const int64_t dims[3],
                      FILE *out);

/* One JSON object on one line, with the --timing record's names for the
 * same figures. */
void vr_planner_write_json(const VrPlan *plan, const VrConfig *cfg, const int64_t dims[3],
                           FILE *out);

#endif
