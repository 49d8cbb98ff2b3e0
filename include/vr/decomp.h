/* decomp.h — which planes of the cube each rank owns and reads.
 *
 * The cube is cut along one axis into contiguous blocks of whole planes,
 * one per rank in rank order.  A rank owns the samples whose fractional
 * grid index f along that axis lies in the half-open interval
 * [own_lo, own_hi): the intervals tile [0, n) so every sample has exactly
 * one owner at any rank count.  Interpolating at f needs planes floor(f)
 * and floor(f)+1, so a rank reads one ghost plane past its block (and one
 * before it when it would otherwise hold fewer than two planes).
 *
 * Where the cuts go is the job's decomposition (VrDecomp): computed once,
 * identically on every rank (cost_model.h: the equal cut, or cuts
 * balanced by the cost model), and passed to everything
 * that needs a rank's block: the reader, the read-ahead, the memory
 * estimate, the visibility order, the projection and data range (through
 * the volume's slab).  Everything here is pure: no MPI, no I/O. */
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

/* How the cuts are placed (--decomp). */
typedef enum {
    VR_DECOMP_EQUAL = 0,   /* slabs of equal plane counts (default) */
    VR_DECOMP_BALANCED = 1 /* slabs cut by the cost model (cost_model.h) */
} VrDecompKind;

/* "equal" or "balanced". */
const char *vr_decomp_kind_name(VrDecompKind k);

/* A decomposition of a cube of `dims` along `axis` into nranks slabs:
 * rank r owns planes [cut[r], cut[r+1]), cut[0] = 0, cut[nranks] = n,
 * cut non-decreasing (a slab may be empty). */
typedef struct {
    VrDecompKind kind;
    int axis;
    int nranks;
    int64_t dims[3];
    int64_t *cut;      /* nranks + 1 entries, owned */
} VrDecomp;

/* The equal cut: rank r owns planes [r n / P, (r+1) n / P).  Returns 0,
 * or -1 if the cut array cannot be allocated.  dims[axis] >= 2. */
int vr_decomp_init_equal(VrDecomp *d, int nranks, const int64_t dims[3], int axis);

/* A decomposition with the given cuts (nranks + 1 of them, copied; they
 * must tile [0, dims[axis]] in order).  Returns 0, or -1 if they do not
 * or the copy cannot be allocated. */
int vr_decomp_init_cuts(VrDecomp *d, int nranks, const int64_t dims[3], int axis,
                        const int64_t *cut);

/* Releases the cuts; accepts a zeroed decomposition. */
void vr_decomp_free(VrDecomp *d);

/* The slab of `rank` (0 <= rank < d->nranks). */
void vr_decomp_rank_slab(const VrDecomp *d, int rank, VrSlab *out);

/* The equal cut's slab of one rank, without a VrDecomp (for the tests
 * and tools that want today's cut).  dims[axis] >= 2.  Ranks beyond the
 * number of planes get an empty slab. */
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
