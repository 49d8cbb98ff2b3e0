/* read_ahead.h — reading the next snapshot while this one renders.
 *
 * Debian's parallel HDF5 is not thread-safe, and MPI-IO collectives from a
 * second thread would need MPI_THREAD_MULTIPLE.  So the overlap is left to
 * the operating system: while snapshot k renders, a helper thread of each
 * rank calls readahead(2) on the byte ranges of its own slab of snapshot
 * k + 1 (no HDF5 and no MPI in that thread), and the collective H5Dread of
 * k + 1 then finds its pages in the page cache.  Only contiguous datasets
 * have a byte range to name (H5Dget_offset); for chunked or compressed
 * ones nothing is read ahead, and the record says so. */
#ifndef VR_READ_AHEAD_H
#define VR_READ_AHEAD_H

#include <mpi.h>
#include <pthread.h>
#include <stdint.h>

#include "vr/decomp.h"
#include "vr/error.h"

/* Where a dataset's elements are in its file. */
typedef struct {
    int64_t offset;       /* of element 0; -1: not contiguous */
    int64_t elem_bytes;
} VrDataLayout;

/* Collective: rank 0 opens path, asks HDF5 where dataset's elements are
 * and broadcasts it; a failure only turns read-ahead off (offset -1). */
void vr_read_ahead_layout(MPI_Comm comm, const char *path, const char *dataset,
                          VrDataLayout *out);

typedef struct {
    pthread_t thread;
    int running;
    char path[4096];
    int64_t nranges;
    int64_t (*ranges)[2];   /* file offset, length */
    int64_t bytes;          /* asked for */
} VrReadAhead;

/* Starts reading ahead this rank's block (slab of dims, C order) of the
 * file; nothing when the layout is not contiguous.  Returns 1 if started. */
int vr_read_ahead_start(VrReadAhead *ra, const char *path, const VrDataLayout *layout,
                        const int64_t dims[3], const VrBlock *slab);

/* Waits for the helper thread (if any) and frees what it held. */
void vr_read_ahead_finish(VrReadAhead *ra);

#endif
