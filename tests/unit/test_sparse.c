/* Sparse images without MPI.
 *   rects:    vr_rect_runs, vr_rect_clip and vr_image_content against a
 *             pixel-by-pixel count, for every range of small images;
 *   compose:  the plans carried out round by round on rectangles as the
 *             executor does (messages = the runs of the sender's range
 *             inside its rectangle, vr_sparse_round for what each holds
 *             next), for bswap, radix-k and tree at P = 1..24 and 31,
 *             64, 100, 257 (more positions than pixels), with images
 *             that are transparent outside a random rectangle (some
 *             empty): bit for bit the dense result when every position
 *             takes part, within 2e-6 of it when the empty ones drop
 *             out; never more pixels sent than dense; every pixel holding
 *             colour inside its holder's rectangle; vr_sparse_round's
 *             costs (bytes, messages, busy rounds) what was sent. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vr/composite.h"
#include "vr/sparse.h"

static int in_rect(VrRect r, int64_t k, int width)
{
    const int y = (int)(k / width), x = (int)(k % width);
    return y >= r.r0 && y < r.r1 && x >= r.c0 && x < r.c1;
}

static VrRect random_rect(int width, int height)
{
    const int r0 = (int)(check_rand() * height), c0 = (int)(check_rand() * width);
    const int r1 = r0 + (int)(check_rand() * (height - r0 + 1));
    const int c1 = c0 + (int)(check_rand() * (width - c0 + 1));
    return (VrRect){r0, r1, c0, c1};
}

static void test_rects(void)
{
    int start[64], len[64];
    for (int width = 1; width <= 7; width++)
        for (int height = 1; height <= 6; height++)
            for (int trial = 0; trial < 40; trial++) {
                const VrRect r = random_rect(width, height);
                const int64_t npix = (int64_t)width * height;
                for (int64_t lo = 0; lo <= npix; lo++)
                    for (int64_t hi = lo; hi <= npix; hi++) {
                        int64_t n;
                        const int nruns = vr_rect_runs(r, lo, hi, width, start, len, &n);
                        /* the runs list exactly the pixels of [lo, hi) in r, in
                         * order, no two of them touching */
                        int64_t want = 0, k = 0, ok = 1;
                        VrRect box = {height, 0, width, 0};
                        for (int64_t p = lo; p < hi; p++)
                            if (in_rect(r, p, width)) {
                                want++;
                                box.r0 = box.r0 < p / width ? box.r0 : (int)(p / width);
                                box.r1 = (int)(p / width) + 1;
                                box.c0 = box.c0 < p % width ? box.c0 : (int)(p % width);
                                box.c1 = box.c1 > p % width + 1 ? box.c1 : (int)(p % width) + 1;
                            }
                        for (int i = 0; i < nruns; i++) {
                            ok &= len[i] > 0 && (i == 0 || start[i] > start[i - 1] + len[i - 1]);
                            for (int j = 0; j < len[i]; j++)
                                ok &= start[i] + j >= lo && start[i] + j < hi &&
                                      in_rect(r, start[i] + j, width);
                            k += len[i];
                        }
                        CHECK(ok && k == want && n == want,
                              "%dx%d rect [%d,%d)x[%d,%d) range [%lld,%lld): runs wrong",
                              width, height, r.r0, r.r1, r.c0, r.c1, (long long)lo,
                              (long long)hi);
                        const VrRect c = vr_rect_clip(r, lo, hi, width);
                        if (want == 0)
                            CHECK(vr_rect_empty(c), "clip of nothing is not empty");
                        else
                            CHECK(c.r0 == box.r0 && c.r1 == box.r1 && c.c0 == box.c0 &&
                                      c.c1 == box.c1,
                                  "%dx%d clip [%lld,%lld): [%d,%d)x[%d,%d), want "
                                  "[%d,%d)x[%d,%d)",
                                  width, height, (long long)lo, (long long)hi, c.r0, c.r1,
                                  c.c0, c.c1, box.r0, box.r1, box.c0, box.c1);
                    }
            }
}

/* An image with random colour inside r and transparent elsewhere;
 * sometimes a pixel inside is transparent too. */
static void sparse_image(float *img, int width, int height, VrRect r)
{
    for (int64_t k = 0; k < (int64_t)width * height; k++) {
        const float a = in_rect(r, k, width) && check_rand() < 0.9 ? (float)check_rand() : 0.0f;
        for (int c = 0; c < 3; c++)
            img[4 * k + c] = a * (float)check_rand();
        img[4 * k + 3] = 1.0f - a;
    }
}

static void test_content(void)
{
    const int width = 9, height = 7;
    float img[9 * 7 * 4];
    for (int trial = 0; trial < 2000; trial++) {
        sparse_image(img, width, height, random_rect(width, height));
        VrRect want = {height, 0, width, 0};
        int any = 0;
        for (int k = 0; k < width * height; k++) {
            const float *p = img + 4 * k;
            if (p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 1)
                continue;
            any = 1;
            const int y = k / width, x = k % width;
            want.r0 = y < want.r0 ? y : want.r0;
            want.r1 = y + 1 > want.r1 ? y + 1 : want.r1;
            want.c0 = x < want.c0 ? x : want.c0;
            want.c1 = x + 1 > want.c1 ? x + 1 : want.c1;
        }
        const VrRect got = vr_image_content(img, width, height);
        if (!any)
            CHECK(vr_rect_empty(got), "content of a transparent image is not empty");
        else
            CHECK(got.r0 == want.r0 && got.r1 == want.r1 && got.c0 == want.c0 &&
                      got.c1 == want.c1,
                  "content [%d,%d)x[%d,%d), want [%d,%d)x[%d,%d)", got.r0, got.r1, got.c0,
                  got.c1, want.r0, want.r1, want.c0, want.c1);
    }
}

typedef struct {
    int width, height;
    int64_t npix;
    VrCompositeMethod method;
    int K;
} Job;

/* Carries out the plan over the n positions with images img[] and
 * rectangles cur[] (both changed), as the executor: every message of a
 * round taken from the senders' images before any is composited.  The
 * final image goes to out; returns the pixels sent. */
static int64_t compose(const Job *job, int n, float **img, VrRect *cur, float *out)
{
    const int W = job->width;
    VrCompositePlan *plans = malloc((size_t)n * sizeof *plans), scratch;
    VrRect *next = malloc((size_t)n * sizeof *next);
    float **inbox = calloc((size_t)n * VR_PLAN_MAX_STEPS, sizeof *inbox);
    int start[64], len[64];
    int64_t sent = 0;
    /* what each position sent, its messages and busy rounds, against
     * vr_sparse_round's costs */
    VrSparseCost *cost = calloc((size_t)n + 1, sizeof *cost), *seen = calloc((size_t)n + 1,
                                                                              sizeof *seen);
    int *busy = calloc((size_t)n + 1, sizeof *busy);
    for (int p = 0; p < n; p++)
        vr_plan_composite_k(job->method, job->K, n, p, job->npix, &plans[p]);
    for (int round = 0, more = n > 1; more; round++) {
        /* the sends: the runs of each range inside the sender's rectangle */
        for (int p = 0; p < n; p++)
            for (int i = 0; i < plans[p].nsteps; i++) {
                const VrCompositeStep *st = &plans[p].step[i];
                if (st->round != round || st->kind == VR_STEP_RECV_ALL)
                    continue;
                const int nr =
                    vr_rect_runs(cur[p], st->send_lo, st->send_hi, W, start, len, NULL);
                float *msg = malloc((size_t)(job->npix > 0 ? job->npix : 1) * 16), *m = msg;
                int64_t pixels = 0;
                for (int k = 0; k < nr; k++) {
                    memcpy(m, img[p] + 4 * (int64_t)start[k], (size_t)len[k] * 16);
                    m += 4 * len[k];
                    pixels += len[k];
                }
                sent += pixels;
                seen[p].swapped += 16 * pixels;
                seen[p].messages += pixels > 0;
                busy[p] |= pixels > 0;
                busy[st->partner] |= pixels > 0;
                /* to the partner's step that receives from p in this round */
                const VrCompositePlan *q = &plans[st->partner];
                for (int j = 0; j < q->nsteps; j++)
                    if (q->step[j].round == round && q->step[j].partner == p &&
                        q->step[j].kind != VR_STEP_SEND_ALL)
                        inbox[(size_t)st->partner * VR_PLAN_MAX_STEPS + j] = msg;
            }
        /* the composites, in step order */
        for (int p = 0; p < n; p++)
            for (int i = 0; i < plans[p].nsteps; i++) {
                const VrCompositeStep *st = &plans[p].step[i];
                if (st->round != round || st->kind == VR_STEP_SEND_ALL)
                    continue;
                float **slot = &inbox[(size_t)p * VR_PLAN_MAX_STEPS + i];
                CHECK(*slot != NULL, "position %d step %d got no message", p, i);
                if (!*slot)
                    continue;
                const int nr = vr_rect_runs(cur[st->partner], st->keep_lo, st->keep_hi, W,
                                            start, len, NULL);
                const float *got = *slot;
                for (int k = 0; k < nr; k++) {
                    float *mine = img[p] + 4 * (int64_t)start[k];
                    if (st->partner_in_front)
                        vr_over(got, mine, mine, len[k]);
                    else
                        vr_over(mine, got, mine, len[k]);
                    got += 4 * len[k];
                }
                free(*slot);
                *slot = NULL;
            }
        more = vr_sparse_round(job->method, job->K, n, job->npix, W, round, cur, next,
                               &scratch, cost);
        memcpy(cur, next, (size_t)n * sizeof *cur);
        for (int p = 0; p < n; p++) {
            seen[p].rounds += busy[p];
            busy[p] = 0;
        }
    }
    for (int p = 0; p < n; p++)
        CHECK(cost[p].swapped == seen[p].swapped && cost[p].messages == seen[p].messages &&
                  cost[p].rounds == seen[p].rounds,
              "%s P=%d position %d: costs %lld bytes, %lld messages, %lld rounds; sent "
              "%lld, %lld, %lld",
              vr_composite_name(job->method), n, p, (long long)cost[p].swapped,
              (long long)cost[p].messages, (long long)cost[p].rounds,
              (long long)seen[p].swapped, (long long)seen[p].messages,
              (long long)seen[p].rounds);
    free(cost);
    free(seen);
    free(busy);
    for (int64_t k = 0; k < job->npix; k++) {
        out[4 * k] = out[4 * k + 1] = out[4 * k + 2] = 0.0f;
        out[4 * k + 3] = 1.0f;
    }
    for (int p = 0; p < n; p++) {
        const VrCompositePlan *pl = &plans[p];
        for (int64_t k = pl->final_lo; k < pl->final_hi; k++) {
            const float *px = img[p] + 4 * k;
            const int colour = !(px[0] == 0 && px[1] == 0 && px[2] == 0 && px[3] == 1);
            CHECK(!colour || in_rect(cur[p], k, W),
                  "position %d holds colour at pixel %lld outside its rectangle", p,
                  (long long)k);
            if (in_rect(cur[p], k, W))
                memcpy(out + 4 * k, px, 16);
        }
    }
    free(inbox);
    free(next);
    free(plans);
    return sent;
}

/* One case: P positions, each image transparent outside its rectangle
 * (some empty); dense, sparse, and sparse with the empty ones dropped. */
static void compose_case(const Job *job, int P)
{
    const size_t bytes = (size_t)job->npix * 16;
    float **orig = malloc((size_t)P * sizeof *orig), **img = malloc((size_t)P * sizeof *img);
    VrRect *rect = malloc((size_t)P * sizeof *rect), *cur = malloc((size_t)P * sizeof *cur);
    float *dense = malloc(bytes), *sparse = malloc(bytes), *dropped = malloc(bytes);
    for (int p = 0; p < P; p++) {
        orig[p] = malloc(bytes);
        img[p] = malloc(bytes);
        const VrRect r = check_rand() < 0.25 ? (VrRect){0, 0, 0, 0}
                                             : random_rect(job->width, job->height);
        sparse_image(orig[p], job->width, job->height, r);
        rect[p] = vr_image_content(orig[p], job->width, job->height);
    }
    for (int p = 0; p < P; p++) {
        memcpy(img[p], orig[p], bytes);
        cur[p] = vr_rect_full(job->width, job->height);
    }
    const int64_t sent_dense = compose(job, P, img, cur, dense);
    for (int p = 0; p < P; p++) {
        memcpy(img[p], orig[p], bytes);
        cur[p] = rect[p];
    }
    const int64_t sent_sparse = compose(job, P, img, cur, sparse);
    int n = 0;
    for (int p = 0; p < P; p++)
        if (!vr_rect_empty(rect[p])) {
            memcpy(img[n], orig[p], bytes);
            cur[n++] = rect[p];
        }
    compose(job, n, img, cur, dropped);
    CHECK(memcmp(dense, sparse, bytes) == 0, "%s K=%d P=%d: sparse differs from dense",
          vr_composite_name(job->method), job->K, P);
    CHECK(sent_sparse <= sent_dense, "%s P=%d: sparse sent %lld pixels, dense %lld",
          vr_composite_name(job->method), P, (long long)sent_sparse, (long long)sent_dense);
    double worst = 0.0;
    for (int64_t k = 0; k < 4 * job->npix; k++)
        worst = fmax(worst, fabs((double)dense[k] - (double)dropped[k]));
    CHECK(worst < 2e-6, "%s K=%d P=%d: dropping %d empty positions changes the image by %g",
          vr_composite_name(job->method), job->K, P, P - n, worst);
    for (int p = 0; p < P; p++) {
        free(orig[p]);
        free(img[p]);
    }
    free(orig);
    free(img);
    free(rect);
    free(cur);
    free(dense);
    free(sparse);
    free(dropped);
}

static void test_compose(void)
{
    const VrCompositeMethod methods[] = {VR_COMPOSITE_BSWAP, VR_COMPOSITE_RADIXK,
                                         VR_COMPOSITE_TREE};
    const int shapes[][2] = {{13, 11}, {1, 17}, {16, 1}, {7, 8}};
    const int larger[] = {31, 64, 100, 257};
    for (int m = 0; m < 3; m++) {
        const int kmax = methods[m] == VR_COMPOSITE_RADIXK ? 8 : 2;
        for (int s = 0; s < 4; s++)
            for (int P = 1; P <= 24; P++)
                for (int K = 2; K <= kmax; K += 3) {
                    Job job = {shapes[s][0], shapes[s][1],
                               (int64_t)shapes[s][0] * shapes[s][1], methods[m], K};
                    compose_case(&job, P);
                }
        for (int i = 0; i < 4; i++) /* more positions than pixels, too */
            for (int K = 2; K <= kmax; K += 3) {
                Job job = {13, 11, 143, methods[m], K};
                compose_case(&job, larger[i]);
            }
    }
}

int main(void)
{
    test_rects();
    test_content();
    test_compose();
    return check_report("test_sparse");
}
