/* decomp.h — which planes of the cube each rank owns and reads.
 *
 * The cube is cut into one box of whole planes per rank: slabs along one
 * axis in rank order, or the blocks of a k-d tree (kd.h).  A rank owns the
 * samples whose fractional grid index f lies, along every axis, in its
 * half-open interval of planes [own_lo, own_hi): the boxes tile the cube,
 * so every sample has exactly one owner at any rank count.  Interpolating
 * at f needs planes floor(f) and floor(f)+1, so a rank reads one ghost
 * plane past its block (and one before it when it would otherwise hold
 * fewer than two planes).
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

/* The block of one rank: along every axis a, the planes it owns
 * [own_lo[a], own_hi[a]) and the planes it reads [read_lo[a], read_hi[a])
 * (the owned ones, one ghost plane past them and, where it would otherwise
 * hold fewer than two, one before).  It owns the samples whose fractional
 * grid index f lies in the owned interval along all three axes (the cube's
 * first and last planes within VR_EDGE_TOL, render_internal.h).  Empty
 * (owning and reading nothing) iff own_lo[a] == own_hi[a] on some axis. */
typedef struct {
    int64_t own_lo[3], own_hi[3];
    int64_t read_lo[3], read_hi[3];
} VrBlock;

/* 1 if the block owns nothing. */
int vr_block_empty(const VrBlock *b);

/* How the cube is cut (--decomp). */
typedef enum {
    VR_DECOMP_EQUAL = 0,    /* slabs of equal plane counts (default) */
    VR_DECOMP_BALANCED = 1, /* slabs cut by the cost model (cost_model.h) */
    VR_DECOMP_KD = 2        /* k-d blocks, every cut placed by the cost model (kd.h) */
} VrDecompKind;

/* "equal", "balanced" or "kd". */
const char *vr_decomp_kind_name(VrDecompKind k);

/* One split of a k-d decomposition: the ranks [lo_rank, hi_rank) of the
 * node's box are split into [lo_rank, mid_rank), which own the planes
 * below `at` along `axis`, and [mid_rank, hi_rank), which own the planes
 * from `at` on.  low and high index the children in VrDecomp.node, -1
 * where the child is one rank's block (a leaf). */
typedef struct {
    int axis;
    int64_t at;
    int lo_rank, mid_rank, hi_rank;
    int low, high;
} VrKdNode;

/* A decomposition of a cube of `dims` into nranks blocks, one per rank.
 * Slabs (equal, balanced): cut along `axis`, rank r owns planes
 * [cut[r], cut[r+1]) (cut[0] = 0, cut[nranks] = n, non-decreasing; a slab
 * may be empty) and the whole cube along the other axes.  k-d: the blocks
 * are the leaves of the tree node[0 .. nnodes) (node 0 the root when
 * nranks > 1), box[r] rank r's owned planes (lo[3], hi[3]); axis is -1 and
 * cut NULL. */
typedef struct {
    VrDecompKind kind;
    int axis;
    int nranks;
    int64_t dims[3];
    int64_t *cut;      /* slabs: nranks + 1 entries, owned */
    VrKdNode *node;    /* k-d: nranks - 1 nodes, owned */
    int nnodes;
    int64_t (*box)[6]; /* k-d: per rank lo[0..2], hi[0..2], owned */
} VrDecomp;

/* The equal cut: rank r owns planes [r n / P, (r+1) n / P).  Returns 0,
 * or -1 if the cut array cannot be allocated.  dims[axis] >= 2. */
int vr_decomp_init_equal(VrDecomp *d, int nranks, const int64_t dims[3], int axis);

/* A decomposition with the given cuts (nranks + 1 of them, copied; they
 * must tile [0, dims[axis]] in order).  Returns 0, or -1 if they do not
 * or the copy cannot be allocated. */
int vr_decomp_init_cuts(VrDecomp *d, int nranks, const int64_t dims[3], int axis,
                        const int64_t *cut);

/* Releases the cuts or the tree; accepts a zeroed decomposition. */
void vr_decomp_free(VrDecomp *d);

/* The block of `rank` (0 <= rank < d->nranks). */
void vr_decomp_rank_block(const VrDecomp *d, int rank, VrBlock *out);

/* The block owning planes [lo[a], hi[a]) of a cube of dims (its planes
 * read follow from them). */
void vr_block_of(const int64_t lo[3], const int64_t hi[3], const int64_t dims[3], VrBlock *out);

/* The block owning the whole cube. */
void vr_block_whole(const int64_t dims[3], VrBlock *out);

/* The equal cut's slab of one rank, without a VrDecomp (for the tests
 * and tools that want today's cut).  dims[axis] >= 2.  Ranks beyond the
 * number of planes get an empty slab. */
void vr_decomp_slab(int rank, int nranks, const int64_t dims[3], int axis,
                    VrBlock *out);

/* The part of the cube a block reads: its global first index and extent
 * along each axis. */
void vr_decomp_block(const VrBlock *b, const int64_t dims[3], int64_t start[3],
                     int64_t count[3]);

/* 1 if fractional index f along axis a is within the block's owned planes
 * [own_lo[a], own_hi[a]) (no edge tolerance: the callers add it). */
static inline int vr_decomp_owns(const VrBlock *b, int a, double f)
{
    return f >= (double)b->own_lo[a] && f < (double)b->own_hi[a];
}

/* a*b and a*b*c into *out unless the product exceeds INT64_MAX or an
 * operand is negative; returns 0 on success, -1 on overflow. */
int vr_mul_i64(int64_t a, int64_t b, int64_t *out);
int vr_mul3_i64(int64_t a, int64_t b, int64_t c, int64_t *out);

#endif
