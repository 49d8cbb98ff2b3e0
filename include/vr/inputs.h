/* inputs.h — the snapshots one run renders.
 *
 * Each -i value is a path, a glob pattern (with *, ? or [...], matched by
 * the tool and sorted in natural order: snap_2 before snap_10), or @LIST,
 * a text file of paths, one a line (blank lines and lines starting with #
 * skipped; relative paths are relative to the current directory).  A run
 * is a series when it has more than one -i, or a glob or a list: then each
 * snapshot's files go to a folder of its own, named by its stem (the file
 * name without its last extension), and two inputs with the same stem are
 * refused.  Rank 0 looks at the file system and broadcasts the list, so
 * every rank renders the same snapshots in the same order. */
#ifndef VR_INPUTS_H
#define VR_INPUTS_H

#include <mpi.h>

#include "vr/error.h"

typedef struct {
    int count;
    char **path;   /* count paths, in rendering order */
    char **stem;   /* their stems */
    int series;    /* 1: a folder per snapshot */
} VrInputs;

/* The snapshots of the -i values args[0..nargs-1]; looks at the file
 * system (glob, lists) but opens no snapshot.  One line naming the
 * argument on failure (a pattern that matches nothing, an unreadable or
 * empty list, a repeated stem). */
int vr_inputs_expand(const char *const *args, int nargs, VrInputs *in, VrError *err);

/* Collective: rank 0 expands, every rank gets its list or its error. */
int vr_inputs_share(MPI_Comm comm, const char *const *args, int nargs, VrInputs *in,
                    VrError *err);

/* Accepts a zeroed list. */
void vr_inputs_free(VrInputs *in);

/* strcmp, but runs of digits compare as numbers: "snap_2" < "snap_10". */
int vr_natural_compare(const char *a, const char *b);

/* The stem of a path: "run/snap_010.h5" -> "snap_010" (into out). */
void vr_input_stem(const char *path, char *out, size_t cap);

#endif
