/* Blocks of whole planes, and the slab cuts (decomp.h). */
#include "vr/decomp.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

int vr_mul_i64(int64_t a, int64_t b, int64_t *out)
{
    if (a < 0 || b < 0)
        return -1;
    if (a != 0 && b > INT64_MAX / a)
        return -1;
    *out = a * b;
    return 0;
}

int vr_mul3_i64(int64_t a, int64_t b, int64_t c, int64_t *out)
{
    int64_t ab;
    if (vr_mul_i64(a, b, &ab) != 0)
        return -1;
    return vr_mul_i64(ab, c, out);
}

const char *vr_decomp_kind_name(VrDecompKind k)
{
    return k == VR_DECOMP_KD ? "kd" : k == VR_DECOMP_BALANCED ? "balanced" : "equal";
}

int vr_block_empty(const VrBlock *b)
{
    return b->own_lo[0] == b->own_hi[0] || b->own_lo[1] == b->own_hi[1] ||
           b->own_lo[2] == b->own_hi[2];
}

/* rank * n / nranks without overflow for any n < 2^62 and nranks < 2^31:
 * split n = q * nranks + r so the products stay small. */
static int64_t block_start(int64_t n, int rank, int nranks)
{
    int64_t q = n / nranks, r = n % nranks;
    return q * rank + (r * rank) / nranks;
}

void vr_decomp_block(const VrBlock *b, const int64_t dims[3], int64_t start[3],
                     int64_t count[3])
{
    (void)dims;
    for (int a = 0; a < 3; a++) {
        start[a] = b->read_lo[a];
        count[a] = b->read_hi[a] - b->read_lo[a];
    }
}

void vr_block_of(const int64_t lo[3], const int64_t hi[3], const int64_t dims[3], VrBlock *out)
{
    int empty = 0;
    for (int a = 0; a < 3; a++)
        empty |= lo[a] == hi[a];
    for (int a = 0; a < 3; a++) {
        out->own_lo[a] = lo[a];
        out->own_hi[a] = hi[a];
        if (empty) {
            out->read_lo[a] = out->read_hi[a] = lo[a];
            continue;
        }
        out->read_lo[a] = lo[a];
        out->read_hi[a] = hi[a] + 1 < dims[a] ? hi[a] + 1 : dims[a];
        if (out->read_hi[a] - out->read_lo[a] < 2)
            out->read_lo[a] = out->read_hi[a] - 2;
    }
}

void vr_block_whole(const int64_t dims[3], VrBlock *out)
{
    const int64_t lo[3] = {0, 0, 0};
    vr_block_of(lo, dims, dims, out);
}

/* The slab owning planes [lo, hi) along axis of a cube of dims. */
static void slab_of(int axis, int64_t lo, int64_t hi, const int64_t dims[3], VrBlock *out)
{
    int64_t l[3] = {0, 0, 0}, h[3] = {dims[0], dims[1], dims[2]};
    l[axis] = lo;
    h[axis] = hi;
    vr_block_of(l, h, dims, out);
}

void vr_decomp_slab(int rank, int nranks, const int64_t dims[3], int axis,
                    VrBlock *out)
{
    assert(nranks > 0 && rank >= 0 && rank < nranks);
    assert(axis >= 0 && axis < 3 && dims[axis] >= 2);
    const int64_t n = dims[axis];
    slab_of(axis, block_start(n, rank, nranks), block_start(n, rank + 1, nranks), dims, out);
}

static int alloc_cuts(VrDecomp *d, int nranks, const int64_t dims[3], int axis,
                      VrDecompKind kind)
{
    memset(d, 0, sizeof *d);
    d->cut = malloc(((size_t)nranks + 1) * sizeof *d->cut);
    if (!d->cut)
        return -1;
    d->kind = kind;
    d->axis = axis;
    d->nranks = nranks;
    memcpy(d->dims, dims, sizeof d->dims);
    return 0;
}

int vr_decomp_init_equal(VrDecomp *d, int nranks, const int64_t dims[3], int axis)
{
    assert(nranks > 0 && axis >= 0 && axis < 3 && dims[axis] >= 2);
    if (alloc_cuts(d, nranks, dims, axis, VR_DECOMP_EQUAL) != 0)
        return -1;
    for (int r = 0; r <= nranks; r++)
        d->cut[r] = block_start(dims[axis], r, nranks);
    return 0;
}

int vr_decomp_init_cuts(VrDecomp *d, int nranks, const int64_t dims[3], int axis,
                        const int64_t *cut)
{
    assert(nranks > 0 && axis >= 0 && axis < 3 && dims[axis] >= 2);
    if (cut[0] != 0 || cut[nranks] != dims[axis])
        return -1;
    for (int r = 0; r < nranks; r++)
        if (cut[r + 1] < cut[r])
            return -1;
    if (alloc_cuts(d, nranks, dims, axis, VR_DECOMP_BALANCED) != 0)
        return -1;
    memcpy(d->cut, cut, ((size_t)nranks + 1) * sizeof *cut);
    return 0;
}

void vr_decomp_free(VrDecomp *d)
{
    free(d->cut);
    free(d->node);
    free(d->box);
    memset(d, 0, sizeof *d);
}

void vr_decomp_rank_block(const VrDecomp *d, int rank, VrBlock *out)
{
    assert(rank >= 0 && rank < d->nranks);
    if (d->box) {
        vr_block_of(d->box[rank], d->box[rank] + 3, d->dims, out);
        return;
    }
    slab_of(d->axis, d->cut[rank], d->cut[rank + 1], d->dims, out);
}
