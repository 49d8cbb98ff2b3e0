/* Slabs: the cut of a cube into blocks of whole planes (decomp.h). */
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
    return k == VR_DECOMP_BALANCED ? "balanced" : "equal";
}

/* rank * n / nranks without overflow for any n < 2^62 and nranks < 2^31:
 * split n = q * nranks + r so the products stay small. */
static int64_t block_start(int64_t n, int rank, int nranks)
{
    int64_t q = n / nranks, r = n % nranks;
    return q * rank + (r * rank) / nranks;
}

void vr_decomp_block(const VrSlab *slab, const int64_t dims[3], int64_t start[3],
                     int64_t count[3])
{
    for (int a = 0; a < 3; a++) {
        start[a] = a == slab->axis ? slab->read_lo : 0;
        count[a] = a == slab->axis ? slab->read_hi - slab->read_lo : dims[a];
    }
}

/* The slab owning planes [lo, hi) of n: its planes read. */
static void slab_of(int axis, int64_t lo, int64_t hi, int64_t n, VrSlab *out)
{
    out->axis = axis;
    out->own_lo = lo;
    out->own_hi = hi;
    if (lo == hi) {
        out->read_lo = out->read_hi = lo;
        return;
    }
    out->read_lo = lo;
    out->read_hi = hi + 1 < n ? hi + 1 : n;
    if (out->read_hi - out->read_lo < 2)
        out->read_lo = out->read_hi - 2;
}

void vr_decomp_slab(int rank, int nranks, const int64_t dims[3], int axis,
                    VrSlab *out)
{
    assert(nranks > 0 && rank >= 0 && rank < nranks);
    assert(axis >= 0 && axis < 3 && dims[axis] >= 2);
    const int64_t n = dims[axis];
    slab_of(axis, block_start(n, rank, nranks), block_start(n, rank + 1, nranks), n, out);
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
    memset(d, 0, sizeof *d);
}

void vr_decomp_rank_slab(const VrDecomp *d, int rank, VrSlab *out)
{
    assert(rank >= 0 && rank < d->nranks);
    slab_of(d->axis, d->cut[rank], d->cut[rank + 1], d->dims[d->axis], out);
}
