/* Size arithmetic that cannot overflow: the pure functions behind the
 * shape check, the decomposition, the piecewise slab read and the memory
 * estimate, at sizes far beyond what a test could allocate (products past
 * 32 bits, more than 2^31 elements on one rank).  No MPI, no files. */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "../unit/check.h"
#include "vr/composite.h"
#include "vr/config.h"
#include "vr/decomp.h"
#include "vr/volume_io.h"
#include "vr/memory_budget.h"

static const int64_t GIB = (int64_t)1 << 30;

static void test_products(void)
{
    int64_t out = -1;
    CHECK(vr_mul3_i64(2048, 2048, 2048, &out) == 0 && out == ((int64_t)1 << 33),
          "2048^3 = 2^33 (past 32 bits): %lld", (long long)out);
    CHECK(vr_mul_i64(3037000499LL, 3037000499LL, &out) == 0, "just below 2^63");
    CHECK(vr_mul_i64(3037000500LL, 3037000500LL, &out) != 0, "just above 2^63");
    CHECK(vr_mul3_i64((int64_t)1 << 21, (int64_t)1 << 21, (int64_t)1 << 21, &out) != 0,
          "2^63 overflows");
    CHECK(vr_mul3_i64(INT64_MAX, 1, 1, &out) == 0 && out == INT64_MAX, "max * 1");
    CHECK(vr_mul3_i64(INT64_MAX, 0, 2, &out) == 0 && out == 0, "max * 0");
    CHECK(vr_mul_i64(-1, 2, &out) != 0, "negative refused");
}

static void expect_shape(int ndims, const int64_t *dims, int ok, const char *message)
{
    VrError err = {{0}};
    const int rc = vr_volume_check_shape("f.h5", "rho", ndims, dims, &err);
    CHECK((rc == VR_OK) == ok, "shape check rc %d: %s", rc, err.msg);
    if (message)
        CHECK(strcmp(err.msg, message) == 0, "message\n  got:  %s\n  want: %s", err.msg,
              message);
}

static void test_shapes(void)
{
    const int64_t big[3] = {2048, 2048, 2048};          /* 2^33 voxels */
    const int64_t wide[3] = {2, 2, (int64_t)INT32_MAX}; /* one long axis */
    const int64_t limit[3] = {(int64_t)1 << 20, (int64_t)1 << 20, (int64_t)1 << 19};
    const int64_t over[3] = {(int64_t)1 << 20, (int64_t)1 << 20, (int64_t)1 << 20};
    const int64_t axis_over[3] = {2, 2, (int64_t)INT32_MAX + 1};
    const int64_t thin[3] = {4, 1, 4};
    const int64_t flat[2] = {12, 10};
    expect_shape(3, big, 1, NULL);
    expect_shape(3, wide, 1, NULL);
    expect_shape(3, limit, 1, NULL); /* exactly VR_MAX_VOXELS */
    expect_shape(3, over, 0,
                 "dataset 'rho' in 'f.h5' has shape 1048576 x 1048576 x 1048576, too "
                 "large (accepted: at most 2^31-1 points per axis and 2^59 in all)");
    expect_shape(3, axis_over, 0, NULL);
    expect_shape(3, thin, 0,
                 "dataset 'rho' in 'f.h5' has shape 4 x 1 x 4; at least 2 points along "
                 "every axis are needed to interpolate");
    expect_shape(2, flat, 0,
                 "dataset 'rho' in 'f.h5' has 2 dimension(s) (12 x 10); a 3-D dataset is "
                 "needed");
    expect_shape(0, flat, 0,
                 "dataset 'rho' in 'f.h5' has 0 dimension(s); a 3-D dataset is needed");
}

/* The owned intervals tile [0, n) and every read range is inside the cube
 * and holds at least two planes, for plane counts past 2^32. */
static void test_decomposition(void)
{
    const int64_t counts[] = {2, 3, (int64_t)1 << 31, ((int64_t)1 << 33) + 7};
    const int ranks[] = {1, 2, 3, 7, 509, 1 << 20};
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++)
        for (size_t r = 0; r < sizeof ranks / sizeof ranks[0]; r++) {
            const int64_t dims[3] = {4, counts[c], 4};
            int64_t next = 0;
            int bad = 0;
            for (int k = 0; k < ranks[r] && !bad; k++) {
                VrBlock s;
                vr_decomp_slab(k, ranks[r], dims, 1, &s);
                bad |= s.own_lo[1] != next || s.own_hi[1] < s.own_lo[1];
                if (s.own_hi[1] > s.own_lo[1])
                    bad |= s.read_lo[1] < 0 || s.read_hi[1] > counts[c] ||
                           s.read_hi[1] - s.read_lo[1] < 2 || s.read_lo[1] > s.own_lo[1];
                next = s.own_hi[1];
            }
            CHECK(!bad && next == counts[c], "decomposition of %lld planes over %d ranks",
                  (long long)counts[c], ranks[r]);
        }
}

/* Pieces are in order, contiguous, within the limit (so within MPI's and
 * HDF5's int counts) and cover the block exactly. */
static void check_pieces(const int64_t count[3], int64_t max_elems)
{
    const int64_t n = vr_volume_read_pieces(count, max_elems);
    int64_t next = 0, largest = 0;
    int bad = n <= 0;
    for (int64_t i = 0; i < n && !bad; i++) {
        VrReadPiece p;
        vr_volume_read_piece(count, max_elems, i, &p);
        const int64_t elems = p.count[0] * p.count[1] * p.count[2];
        for (int a = 0; a < 3; a++)
            bad |= p.start[a] < 0 || p.count[a] < 1 || p.start[a] + p.count[a] > count[a];
        bad |= p.offset != next || elems > max_elems;
        largest = elems > largest ? elems : largest;
        next += elems;
    }
    CHECK(!bad && next == count[0] * count[1] * count[2] && largest <= INT_MAX,
          "pieces of %lld x %lld x %lld at most %lld: %lld pieces, covered %lld",
          (long long)count[0], (long long)count[1], (long long)count[2],
          (long long)max_elems, (long long)n, (long long)next);
}

static void test_read_pieces(void)
{
    /* One rank holding 2048 x 1024 x 1025 floats: 2^31 + 2^21 elements. */
    const int64_t huge[3] = {2048, 1024, 1025};
    check_pieces(huge, VR_READ_PIECE_ELEMS);
    CHECK(vr_volume_read_pieces(huge, VR_READ_PIECE_ELEMS) == 17,
          "2^31 + 2^21 elements in 2^27 pieces: %lld",
          (long long)vr_volume_read_pieces(huge, VR_READ_PIECE_ELEMS));
    /* Planes bigger than a piece (split along axis 1), rows bigger than a
     * piece (split along axis 2), and the small cubes the e2e tests read. */
    const int64_t wide[3] = {3, 40000, 40000};
    const int64_t long_rows[3] = {2, 3, ((int64_t)1 << 28) + 5};
    const int64_t small[3] = {40, 17, 44};
    check_pieces(wide, VR_READ_PIECE_ELEMS);
    check_pieces(long_rows, VR_READ_PIECE_ELEMS);
    const int64_t limits[] = {1, 7, 30, 44, 100, 748, 1000, 29920, 1 << 20};
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
        check_pieces(small, limits[i]);
    const int64_t one_piece[3] = {256, 256, 256};
    CHECK(vr_volume_read_pieces(one_piece, VR_READ_PIECE_ELEMS) == 1,
          "the reference cube is one read");
    const int64_t empty[3] = {40, 0, 44};
    CHECK(vr_volume_read_pieces(empty, VR_READ_PIECE_ELEMS) == 0, "empty slab");
}

/* The estimate is exact arithmetic for a big job, never negative. */
static void test_estimate(void)
{
    VrConfig cfg;
    vr_config_defaults(&cfg);
    cfg.axis = 1;
    cfg.image_size = cfg.image_width = cfg.image_height = 180;
    const int64_t big[3] = {2048, 2048, 2048};
    VrBlock s;
    vr_decomp_slab(0, 1, big, 1, &s);
    const int64_t one = vr_memory_budget_estimate_bytes(&cfg, big, &s, 0);
    CHECK(one > 32 * GIB && one < 64 * GIB, "2048^3 at np 1: %lld bytes", (long long)one);
    vr_decomp_slab(1, 4, big, 1, &s);
    const int64_t share = vr_memory_budget_estimate_bytes(&cfg, big, &s, 1);
    CHECK(share > 8 * GIB && share < one / 2, "2048^3 at np 4: %lld", (long long)share);
    const int64_t limit[3] = {(int64_t)1 << 20, (int64_t)1 << 20, (int64_t)1 << 19};
    cfg.image_size = cfg.image_width = cfg.image_height = VR_MAX_IMAGE;
    vr_decomp_slab(0, 1, limit, 1, &s);
    const int64_t most = vr_memory_budget_estimate_bytes(&cfg, limit, &s, 0);
    CHECK(most > ((int64_t)1 << 61), "the largest accepted job: %lld (positive, huge)",
          (long long)most);
}

/* With the largest image, every compositing message fits an int count of
 * 16-byte pixels, at any rank count. */
static void test_composite_counts(void)
{
    const int64_t npix = (int64_t)VR_MAX_IMAGE * VR_MAX_IMAGE;
    CHECK(npix <= INT_MAX, "N x N pixels fit an int");
    const int ranks[] = {1, 2, 3, 5, 509};
    for (size_t r = 0; r < sizeof ranks / sizeof ranks[0]; r++)
        for (int method = 0; method < 2; method++)
            for (int p = 0; p < ranks[r]; p += 1 + ranks[r] / 7) {
                VrCompositePlan plan;
                vr_plan_composite((VrCompositeMethod)method, ranks[r], p, npix, &plan);
                int bad = plan.final_hi > npix;
                for (int s = 0; s < plan.nsteps; s++)
                    bad |= plan.step[s].send_hi > npix || plan.step[s].keep_hi > npix;
                CHECK(!bad, "plan at P %d position %d", ranks[r], p);
            }
}

int main(void)
{
    test_products();
    test_shapes();
    test_decomposition();
    test_read_pieces();
    test_estimate();
    test_composite_counts();
    return check_report("test_sizes");
}
