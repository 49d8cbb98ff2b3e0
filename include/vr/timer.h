/* timer.h — named phase timers and the run report.
 *
 * Each rank times its phases; vr_report reduces them to min / mean / max
 * over ranks (and the rank of the max), prints a short summary on rank 0
 * and appends one JSON object per run to the --timing file. */
#ifndef VR_TIMER_H
#define VR_TIMER_H

#include <mpi.h>
#include <stdint.h>

#include <stdio.h>

#include "vr/composite.h"
#include "vr/config.h"
#include "vr/decomp.h"
#include "vr/error.h"

typedef enum {
    VR_PHASE_OPEN,      /* probe + collective open */
    VR_PHASE_READ,      /* slab read and scan, projection, resampling for the orbit */
    VR_PHASE_RENDER,    /* the kernel, all angles */
    VR_PHASE_COMPOSITE, /* over-compositing and gather, all angles */
    VR_PHASE_WRITE,     /* PNG and float output */
    VR_PHASE_TOTAL,     /* MPI_Init to report */
    VR_PHASE_COUNT
} VrPhase;

typedef struct {
    double started[VR_PHASE_COUNT];
    double seconds[VR_PHASE_COUNT]; /* accumulated */
} VrTimers;

void vr_timer_start(VrTimers *t, VrPhase p);
void vr_timer_stop(VrTimers *t, VrPhase p);
const char *vr_phase_name(VrPhase p);

/* What one rank did, for the report. */
typedef struct {
    VrTimers timers;
    int64_t samples;         /* samples composited */
    int64_t *frame_samples;  /* [nframe_samples]: ... in each frame of the run (not owned) */
    int nframe_samples;
    int64_t bytes_read;
    double io_seconds;       /* in the collective H5Dread calls */
    VrCompositeCounts composite; /* bytes, rounds, ranks taking part */
    int64_t memory_estimate; /* this rank's (memory_budget.h), bytes */
    int64_t nonfinite;       /* NaN/inf voxels zeroed (owned) */
    int frames;              /* frames rendered and written */
    int frames_skipped;      /* by --resume */
    char io_mode[32];
    char io_cause[256];
    /* The transfer function used (rank 0's words; the same everywhere). */
    char kernel[32];         /* vr_kernel_name */
    char camera[64];         /* "orbit about x", "views file", ... */
    const char *decomp;      /* vr_decomp_kind_name of the job's cut */
    const VrDecomp *decomposition; /* the job's blocks (not owned) */
    char tf_desc[512];       /* vr_tf_describe */
    const char *tf_json;     /* its JSON (not owned); NULL if none */
    int has_range;           /* a colour map's data range was used */
    double range[2];
    char range_mode[96];     /* "given", "auto", "percentiles pA:pB" */
    int snapshot_index;      /* in a series: 0-based index, count, stem */
    int snapshot_count;      /* 0: not a series */
    const char *snapshot_stem;
    int read_ahead;          /* the next snapshot was read ahead */
    int64_t read_ahead_bytes;
    int table_nodes;         /* 0: the reference's exact path */
    double table_max_error;  /* largest over r, g, b, a */
} VrRunStats;

/* Peak resident set size of this process in bytes (VmHWM). */
int64_t vr_peak_rss_bytes(void);

/* The record's "decomp_cuts" (the slabs' cuts; empty for k-d blocks) and
 * "decomp_blocks" (every rank's owned planes, lo[3] then hi[3]) fields,
 * each after a comma: one writer for the run's record and the planner's. */
void vr_record_write_decomp(FILE *f, const VrDecomp *d);

/* Collective.  Prints the summary on rank 0 unless cfg->quiet and appends
 * the JSON record when cfg->timing is set. */
int vr_report(MPI_Comm comm, const VrConfig *cfg, const int64_t dims[3],
              const VrRunStats *stats, VrError *err);

#endif
