/* The compositing plans, executed without MPI by a mailbox simulation for
 * many group sizes (primes and powers of two among them): every pixel ends
 * on exactly one position, equal to the serial front-to-back "over" of all
 * partials, no plan deadlocks, and binary swap sends the textbook
 * A (1 - 1/P) per rank at powers of two. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vr/composite.h"

typedef struct Msg {
    int src;
    int64_t n;
    float *data;
    struct Msg *next;
} Msg;

typedef struct {
    float *image;
    int pc;        /* next step */
    int posted;    /* the current step's send is in a mailbox */
    int64_t sent;  /* pixels sent */
    VrCompositePlan plan;
    Msg *inbox;
} Pos;

static void post(Pos *dst, int src, const float *data, int64_t n)
{
    Msg *m = malloc(sizeof *m);
    m->src = src;
    m->n = n;
    m->data = malloc((size_t)(n > 0 ? n : 1) * 16);
    memcpy(m->data, data, (size_t)n * 16);
    m->next = NULL;
    Msg **tail = &dst->inbox;
    while (*tail)
        tail = &(*tail)->next;
    *tail = m;
}

static Msg *take(Pos *p, int src)
{
    for (Msg **m = &p->inbox; *m; m = &(*m)->next)
        if ((*m)->src == src) {
            Msg *found = *m;
            *m = found->next;
            return found;
        }
    return NULL;
}

/* Returns 1 if position i made progress. */
static int advance(Pos *pos, int i)
{
    Pos *p = &pos[i];
    if (p->pc >= p->plan.nsteps)
        return 0;
    const VrCompositeStep *st = &p->plan.step[p->pc];
    const int64_t nsend = st->send_hi - st->send_lo, nkeep = st->keep_hi - st->keep_lo;
    int did_post = 0;
    (void)nsend;
    if (!p->posted) { /* a round posts all its sends first, as the executor */
        for (int q = p->pc; q < p->plan.nsteps && p->plan.step[q].round == st->round; q++) {
            const VrCompositeStep *sq = &p->plan.step[q];
            if (sq->kind == VR_STEP_RECV_ALL)
                continue;
            post(&pos[sq->partner], i, p->image + 4 * sq->send_lo, sq->send_hi - sq->send_lo);
            p->sent += sq->send_hi - sq->send_lo;
        }
        did_post = 1;
        p->posted = 1;
    }
    if (st->kind == VR_STEP_SEND_ALL) {
        p->pc++;
        if (p->pc >= p->plan.nsteps || p->plan.step[p->pc].round != st->round)
            p->posted = 0;
        return 1;
    }
    Msg *m = take(p, st->partner);
    if (!m)
        return did_post;
    CHECK(m->n == nkeep, "position %d step %d: got %lld pixels, expected %lld", i,
          p->pc, (long long)m->n, (long long)nkeep);
    float *mine = p->image + 4 * st->keep_lo;
    if (st->partner_in_front)
        vr_over(m->data, mine, mine, nkeep);
    else
        vr_over(mine, m->data, mine, nkeep);
    free(m->data);
    free(m);
    p->pc++;
    if (p->pc >= p->plan.nsteps || p->plan.step[p->pc].round != st->round)
        p->posted = 0;
    return 1;
}

static void random_image(float *img, int64_t npix)
{
    for (int64_t k = 0; k < npix; k++) {
        const float a = (float)check_rand();
        for (int c = 0; c < 3; c++)
            img[4 * k + c] = a * (float)check_rand(); /* premultiplied */
        img[4 * k + 3] = 1.0f - a;
    }
}

/* Positions of P to check one by one: all up to 64, beyond that 0..2,
 * the middle three and the last three (folded and unfolded both). */
static int next_position(int p, int P)
{
    if (P <= 64 || p + 1 < 3 || (p + 1 >= P / 2 - 1 && p + 1 <= P / 2 + 1) || p + 1 >= P - 3)
        return p + 1;
    return p + 1 < P / 2 - 1 ? P / 2 - 1 : P - 3;
}

static void simulate(VrCompositeMethod method, int K, int P, int64_t npix)
{
    Pos *pos = calloc((size_t)P, sizeof *pos);
    float *serial = malloc((size_t)npix * 16);
    for (int i = 0; i < P; i++) {
        pos[i].image = malloc((size_t)npix * 16);
        random_image(pos[i].image, npix);
        vr_plan_composite_k(method, K, P, i, npix, &pos[i].plan);
    }
    /* Serial: position 0 in front. */
    memcpy(serial, pos[P - 1].image, (size_t)npix * 16);
    for (int i = P - 2; i >= 0; i--)
        vr_over(pos[i].image, serial, serial, npix);

    int progress = 1;
    while (progress) {
        progress = 0;
        for (int i = 0; i < P; i++)
            while (advance(pos, i))
                progress = 1;
    }
    int *owner = malloc((size_t)npix * sizeof *owner);
    for (int64_t k = 0; k < npix; k++)
        owner[k] = -1;
    int stuck = 0;
    for (int i = 0; i < P; i++) {
        stuck += pos[i].pc < pos[i].plan.nsteps;
        CHECK(pos[i].inbox == NULL, "P=%d: position %d has unread messages", P, i);
        for (int64_t k = pos[i].plan.final_lo; k < pos[i].plan.final_hi; k++) {
            CHECK(owner[k] < 0, "P=%d: pixel %lld held by %d and %d", P, (long long)k,
                  owner[k], i);
            owner[k] = i;
        }
    }
    CHECK(stuck == 0, "%s P=%d: %d positions deadlocked",
          vr_composite_name(method), P, stuck);
    double worst = 0.0;
    for (int64_t k = 0; k < npix; k++) {
        CHECK(owner[k] >= 0, "P=%d: pixel %lld has no holder", P, (long long)k);
        if (owner[k] < 0)
            continue;
        for (int c = 0; c < 4; c++) {
            const double d = fabs(pos[owner[k]].image[4 * k + c] - serial[4 * k + c]);
            worst = d > worst ? d : worst;
        }
    }
    CHECK(worst < 2e-6, "%s K=%d P=%d npix=%lld: differs from serial over by %g",
          vr_composite_name(method), K, P, (long long)npix, worst);
    /* Without a fold (P a power of two for bswap, K-smooth for radix-k)
     * every position sends the textbook A (1 - 1/P) when P divides A. */
    int kr[32], Pp = 1;
    const int nk = vr_radixk_rounds(K, P, kr);
    for (int r = 0; r < nk; r++)
        Pp *= kr[r];
    const int unfolded = method == VR_COMPOSITE_RADIXK ? Pp == P : (P & (P - 1)) == 0;
    if (method != VR_COMPOSITE_TREE && unfolded && npix % P == 0)
        for (int i = 0; i < P; i++)
            CHECK(pos[i].sent == npix - npix / P,
                  "%s K=%d P=%d: position %d sent %lld pixels, textbook %lld",
                  vr_composite_name(method), K, P, i, (long long)pos[i].sent,
                  (long long)(npix - npix / P));
    for (int i = 0; i < P; i++) {
        free(pos[i].image);
        while (pos[i].inbox) {
            Msg *m = pos[i].inbox;
            pos[i].inbox = m->next;
            free(m->data);
            free(m);
        }
    }
    free(owner);
    free(serial);
    free(pos);
}

static void test_over_algebra(void)
{
    float a[4], b[4], c[4], ab[4], abc1[4], bc[4], abc2[4];
    const float id[4] = {0.0f, 0.0f, 0.0f, 1.0f};
    for (int trial = 0; trial < 10000; trial++) {
        random_image(a, 1);
        random_image(b, 1);
        random_image(c, 1);
        vr_over(a, b, ab, 1);
        vr_over(ab, c, abc1, 1);
        vr_over(b, c, bc, 1);
        vr_over(a, bc, abc2, 1);
        for (int k = 0; k < 4; k++)
            CHECK(fabsf(abc1[k] - abc2[k]) < 1e-6f, "over not associative: %g vs %g",
                  abc1[k], abc2[k]);
        vr_over(id, a, ab, 1);
        vr_over(a, id, bc, 1);
        for (int k = 0; k < 4; k++)
            CHECK(ab[k] == a[k] && bc[k] == a[k], "(0,0,0,1) is not the identity");
    }
    /* Not commutative: an opaque red in front hides blue behind. */
    const float red[4] = {1, 0, 0, 0}, blue[4] = {0, 0, 1, 0};
    vr_over(red, blue, ab, 1);
    CHECK(ab[0] == 1.0f && ab[2] == 0.0f, "front does not hide back");
}

int main(void)
{
    test_over_algebra();
    const int sizes[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15, 16, 17, 23, 31, 32,
                         33, 64, 100, 127, 128, 509, 576};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        const int P = sizes[s];
        const int64_t pixel_counts[] = {1, 7, 37, 1024};
        const VrCompositeMethod methods[3] = {VR_COMPOSITE_BSWAP, VR_COMPOSITE_TREE,
                                              VR_COMPOSITE_RADIXK};
        for (int m = 0; m < 3; m++)
            for (int c = 0; c < 4; c++) {
                if (P > 128 && pixel_counts[c] > 37)
                    continue; /* keep the big groups quick */
                simulate(methods[m], VR_RADIX_DEFAULT, P, pixel_counts[c]);
            }
    }
    /* radix-k: every P from 1 to 100 (primes fold) and larger groups
     * around powers of two and primes, for several K */
    const int radices[] = {2, 3, 4, 5, 8, 16};
    const int larger[] = {127, 128, 129, 210, 255, 256, 257, 300, 509, 576};
    for (size_t r = 0; r < sizeof radices / sizeof radices[0]; r++) {
        for (int P = 1; P <= 100; P++)
            simulate(VR_COMPOSITE_RADIXK, radices[r], P, P <= 64 ? 37 : 7);
        for (size_t i = 0; i < sizeof larger / sizeof larger[0]; i++)
            simulate(VR_COMPOSITE_RADIXK, radices[r], larger[i], 7);
    }
    /* K = 2 is binary swap, step for step (every position up to P = 64,
     * then the first, middle and last three: a plan is ~56 KB to clear) */
    for (int P = 1; P <= 300; P++)
        for (int p = 0; p < P; p = next_position(p, P)) {
            VrCompositePlan a, b;
            vr_plan_composite_k(VR_COMPOSITE_RADIXK, 2, P, p, 1000, &a);
            vr_plan_composite(VR_COMPOSITE_BSWAP, P, p, 1000, &b);
            CHECK(a.nsteps == b.nsteps && a.final_lo == b.final_lo &&
                      a.final_hi == b.final_hi &&
                      memcmp(a.step, b.step, (size_t)a.nsteps * sizeof a.step[0]) == 0,
                  "radixk K=2 differs from bswap at P=%d position %d", P, p);
        }
    /* Rounds and messages of radix-k for P = 1 .. 1000 and several K: the
     * round sizes are each <= K and multiply to P' (the largest K-smooth
     * number <= P, at least the largest power of two <= P, so the fold
     * pairs at most two positions); a position takes one round per factor
     * plus one fold round when P' < P, and sends k - 1 messages a round
     * (one in the fold, none after sending its whole image). */
    for (size_t r = 0; r < sizeof radices / sizeof radices[0]; r++)
        for (int P = 1; P <= 1000; P++) {
            const int K = radices[r];
            int k[32], Pp = 1, pow2 = 1, sum = 0, ok = 1;
            const int nk = vr_radixk_rounds(K, P, k);
            for (int i = 0; i < nk; i++) {
                ok &= k[i] >= 2 && k[i] <= K;
                Pp *= k[i];
                sum += k[i] - 1;
            }
            while (pow2 * 2 <= P)
                pow2 *= 2;
            CHECK(ok && Pp <= P && Pp >= pow2, "K=%d P=%d: rounds multiply to %d", K, P, Pp);
            for (int q = Pp + 1; q <= P; q++) {
                int n = q;
                for (int f = 2; f <= K; f++)
                    while (n % f == 0)
                        n /= f;
                CHECK(n != 1, "K=%d P=%d: %d is K-smooth and larger than %d", K, P, q, Pp);
            }
            for (int p = 0; p < P; p = next_position(p, P)) {
                VrCompositePlan a;
                vr_plan_composite_k(VR_COMPOSITE_RADIXK, K, P, p, 4096, &a);
                const int folded = p < 2 * (P - Pp), leaves = folded && (p & 1);
                const int rounds = leaves ? 1 : nk + folded;
                const int msgs = leaves ? 1 : sum; /* the fold's receiver sends none */
                CHECK(vr_plan_rounds(&a) == rounds && vr_plan_messages(&a) == msgs,
                      "K=%d P=%d position %d: %d rounds, %d messages (expected %d, %d)", K,
                      P, p, vr_plan_rounds(&a), vr_plan_messages(&a), rounds, msgs);
            }
        }
    /* fewer rounds than binary swap: 64 ranks in 2 rounds of 8 */
    {
        VrCompositePlan a;
        vr_plan_composite_k(VR_COMPOSITE_RADIXK, 8, 64, 5, 4096, &a);
        CHECK(vr_plan_rounds(&a) == 2 && vr_plan_messages(&a) == 14,
              "radixk K=8 P=64: %d rounds, %d messages", vr_plan_rounds(&a),
              vr_plan_messages(&a));
    }
    for (int P = 2; P <= 64; P *= 2) {
        simulate(VR_COMPOSITE_BSWAP, 2, P, 4096);
        simulate(VR_COMPOSITE_RADIXK, 8, P, 4096);
        simulate(VR_COMPOSITE_RADIXK, 4, P, 4096);
    }
    return check_report("test_composite");
}
