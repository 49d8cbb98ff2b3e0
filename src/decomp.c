#include "vr/decomp.h"

#include <assert.h>

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

void vr_decomp_slab(int rank, int nranks, const int64_t dims[3], int axis,
                    VrSlab *out)
{
    assert(nranks > 0 && rank >= 0 && rank < nranks);
    assert(axis >= 0 && axis < 3 && dims[axis] >= 2);
    const int64_t n = dims[axis];
    out->axis = axis;
    out->own_lo = block_start(n, rank, nranks);
    out->own_hi = block_start(n, rank + 1, nranks);
    if (out->own_lo == out->own_hi) {
        out->read_lo = out->read_hi = out->own_lo;
        return;
    }
    out->read_lo = out->own_lo;
    out->read_hi = out->own_hi + 1 < n ? out->own_hi + 1 : n;
    if (out->read_hi - out->read_lo < 2)
        out->read_lo = out->read_hi - 2;
}
