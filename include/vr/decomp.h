/* decomp.h — which planes of the cube each rank owns and reads.
 *
 * Pure functions of (rank, nranks, dims, axis): no MPI, no I/O.  The cube
 * is cut along one axis into contiguous blocks of whole planes.  A rank
 * owns the samples whose fractional grid index f along that axis lies in
 * the half-open interval [own_lo, own_hi): the intervals tile [0, n) so
 * every sample has exactly one owner at any rank count.  Interpolating at
 * f needs planes floor(f) and floor(f)+1, so a rank reads one ghost plane
 * past its block (and one before it when it would otherwise hold fewer
 * than two planes). */
#ifndef VR_DECOMP_H
#define VR_DECOMP_H

#include <stdint.h>

typedef struct {
    int axis;          /* 0, 1 or 2 */
    int64_t own_lo;    /* owned planes [own_lo, own_hi); may be empty */
    int64_t own_hi;
    int64_t read_lo;   /* planes read [read_lo, read_hi); empty iff owned is */
    int64_t read_hi;
} VrSlab;

/* Block decomposition of dims[axis] planes over nranks.  dims[axis] >= 2.
 * Ranks beyond the number of planes get an empty slab. */
void vr_decomp_slab(int rank, int nranks, const int64_t dims[3], int axis,
                    VrSlab *out);

/* The block of the cube a slab reads: its global first index and extent
 * along each axis (the read planes along slab->axis, whole elsewhere). */
void vr_decomp_block(const VrSlab *slab, const int64_t dims[3], int64_t start[3],
                     int64_t count[3]);

/* 1 if fractional index f (along slab->axis) is owned by this slab. */
static inline int vr_decomp_owns(const VrSlab *slab, double f)
{
    return f >= (double)slab->own_lo && f < (double)slab->own_hi;
}

/* a*b and a*b*c into *out unless the product exceeds INT64_MAX or an
 * operand is negative; returns 0 on success, -1 on overflow. */
int vr_mul_i64(int64_t a, int64_t b, int64_t *out);
int vr_mul3_i64(int64_t a, int64_t b, int64_t c, int64_t *out);

#endif
