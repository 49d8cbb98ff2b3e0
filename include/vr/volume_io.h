/* volume_io.h — reading this rank's slab of the cube with parallel HDF5.
 *
 * vr_volume_probe: rank 0 opens the file alone, checks the dataset (exists,
 * 3-D, numeric, at least 2 points per axis) and broadcasts the verdict and
 * the shape, so a bad input is one agreed error before any collective open.
 * vr_volume_read: every rank opens the file through MPI-IO and reads its
 * hyperslab (owned planes plus ghosts) collectively, in pieces of at most
 * VR_READ_PIECE_ELEMS elements, converting any numeric type to float.
 * Pieces are read in the file's own type, so HDF5 converts nothing and
 * stays collective, and converted to float afterwards (H5Tconvert): types
 * of at most 4 bytes in place in the slab, wider ones through one piece of
 * scratch.  Native float files are read straight into the slab.
 * Non-finite voxels are replaced by 0 (empty) or NaN and counted. */
#ifndef VR_VOLUME_IO_H
#define VR_VOLUME_IO_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "vr/decomp.h"
#include "vr/error.h"

typedef struct {
    char mode[32];        /* "collective", "independent", "mixed", "none" */
    char cause[256];      /* why not collective, when it is not */
    double seconds_open;  /* H5Fopen + H5Dopen */
    double seconds_read;  /* the collective H5Dread calls and the conversion */
    int64_t bytes;        /* bytes of float read by this rank */
} VrIoReport;

typedef struct {
    int64_t dims[3];      /* global shape (Nx, Ny, Nz) */
    VrBlock slab;          /* decomposition of this rank */
    int64_t start[3];     /* global index of data[0] */
    int64_t count[3];     /* extent of the block held; 0 when empty */
    float *data;          /* count[0]*count[1]*count[2] floats, C order, owned */
    int64_t nan_voxels;   /* owned voxels that were NaN (now 0) */
    int64_t inf_voxels;   /* owned voxels that were +-inf (now 0) */
    int64_t nonpositive;  /* owned voxels <= 0 (transparent) */
    /* Gathered by the same pass that sanitizes the slab, so that the
     * projection and the data range need no pass of their own: */
    double *sums;         /* Ny*Nz sums along x of the owned voxels (NaN
                           * as 0), in x order; NULL if not allocated */
    int extremes;         /* 0: none; 1: of the finite voxels (keep_nan);
                           * 2: of the finite positive ones */
    float ext_min, ext_max; /* min and max of those over the held voxels
                           * (+inf, -inf if none): over all ranks, those
                           * of the cube */
    int64_t ext_counted;  /* how many of them are owned */
    VrIoReport io;
} VrVolume;

/* Voxels a cube may have: its slab (4 bytes per voxel) and resampled
 * planes (at most 8) then stay far from INT64_MAX. */
#define VR_MAX_VOXELS ((int64_t)1 << 59)

/* Elements one H5Dread moves at most (512 MiB of float): HDF5 and MPI-IO
 * count bytes in ints in places, so a slab of more than 2^31 elements (or
 * 2 GiB) is read in several collective calls. */
#define VR_READ_PIECE_ELEMS ((int64_t)1 << 27)
/* ... and at most this many for file types wider than float, which are
 * read into a scratch buffer of one piece before conversion. */
#define VR_WIDE_PIECE_ELEMS ((int64_t)1 << 23)

/* Pure.  VR_OK if a dataset of ndims dimensions `dims` can be rendered:
 * 3-D, at least 2 points per axis, at most 2^31-1 per axis and
 * VR_MAX_VOXELS in all; else VR_ERR_INPUT with the message naming path,
 * dataset, the shape and what is accepted. */
int vr_volume_check_shape(const char *path, const char *dataset, int ndims,
                          const int64_t *dims, VrError *err);

/* One piece of a block held in memory (C order, extents count[3]): the
 * elements [start, start + count) in block coordinates, at element
 * `offset` of the block's buffer. */
typedef struct {
    int64_t start[3];
    int64_t count[3];
    int64_t offset;
} VrReadPiece;

/* Pure.  Number of pieces of at most max_elems elements that a block of
 * extents count[3] is read in (0 for an empty block).  Pieces are
 * contiguous in memory and in order: piece i starts where i-1 ends. */
int64_t vr_volume_read_pieces(const int64_t count[3], int64_t max_elems);

/* Pure.  Piece i (0 <= i < vr_volume_read_pieces(count, max_elems)). */
void vr_volume_read_piece(const int64_t count[3], int64_t max_elems, int64_t i,
                          VrReadPiece *piece);

/* Collective.  On success every rank has dims; on failure every rank gets
 * the same status and message. */
int vr_volume_probe(MPI_Comm comm, const char *path, const char *dataset,
                    int64_t dims[3], VrError *err);

/* Collective.  Reads this rank's slab (its block of the job's
 * decomposition, decomp.h: vr_decomp_rank_block).  NaN and infinite
 * voxels become 0 or, with keep_nan (a linear transfer function, where 0
 * is a density like any other), NaN.  vol is zeroed first; free it with
 * vr_volume_free. */
int vr_volume_read(MPI_Comm comm, const char *path, const char *dataset,
                   const int64_t dims[3], const VrBlock *slab, int keep_nan, VrVolume *vol,
                   VrError *err);

/* Why the HDF5 call that just failed did, from the innermost entry of the
 * thread's error stack (call it before any other HDF5 call, which clears
 * the stack): the system's reason when that entry carries an errno (a
 * failed open, read or write: "No space left on device"), else "HDF5:
 * <its message>".  For messages that fold HDF5's cause into one line;
 * HDF5's own printing is turned off (H5Eset_auto2) by the modules. */
void vr_hdf5_error_reason(char *out, size_t cap);

/* Frees the data; accepts a zeroed or already freed volume. */
void vr_volume_free(VrVolume *vol);

/* Number of voxels held (product of count). */
int64_t vr_volume_voxels(const VrVolume *vol);

/* The voxels this rank owns (never its ghost planes), as index ranges
 * [lo, hi) of its block per axis; empty (hi[0] == lo[0]) when it owns none
 * or holds no data.  Loops over them count every voxel of the cube once
 * across the ranks. */
void vr_volume_owned_box(const VrVolume *vol, int64_t lo[3], int64_t hi[3]);

#endif
