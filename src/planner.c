/* The planner (planner.h): the decomposition and the cost model as the
 * job would make them, then the compositing: for dense images the plan of
 * every visibility position once (it does not depend on the frame) and
 * each frame's order to charge each position's figures to the rank
 * holding it; for sparse images each frame followed on the blocks'
 * footprints (sparse_frame). */
#include "vr/planner.h"

#include <stdlib.h>
#include <string.h>

#include "vr/composite.h"
#include "vr/cost_model.h"
#include "vr/frame_writer.h"
#include "vr/kd.h"
#include "vr/memory_budget.h"
#include "vr/render.h"
#include "vr/sparse.h"
#include "vr/timer.h"

void vr_planner_free(VrPlan *plan)
{
    vr_decomp_free(&plan->decomp);
    free(plan->samples);
    free(plan->memory);
    free(plan->swap_bytes);
    free(plan->gather_bytes);
    free(plan->rounds);
    free(plan->messages);
    memset(plan, 0, sizeof *plan);
}

/* What one visibility position of the plan sends and takes part in. */
typedef struct {
    int64_t swap, final;
    int rounds, messages;
} PositionCost;

static void position_costs(const VrConfig *cfg, int P, int64_t npix, PositionCost *pc)
{
    VrCompositePlan plan;
    for (int p = 0; p < P; p++) {
        vr_plan_composite_k(cfg->composite, cfg->radix, P, p, npix, &plan);
        pc[p].swap = 0;
        for (int i = 0; i < plan.nsteps; i++)
            if (plan.step[i].kind != VR_STEP_RECV_ALL)
                pc[p].swap += (plan.step[i].send_hi - plan.step[i].send_lo) * 16;
        pc[p].final = (plan.final_hi - plan.final_lo) * 16;
        pc[p].rounds = vr_plan_rounds(&plan);
        pc[p].messages = vr_plan_messages(&plan);
    }
}

/* Scratch of the sparse images' costs: per active position its rectangle
 * before and after a round, its rank and its costs. */
typedef struct {
    VrRect *cur, *next;
    int *rank;
    VrSparseCost *cost;
    VrCompositePlan plan;
} SparseScratch;

/* One frame's compositing with sparse images, as the run's compositor
 * does it if every sample a rank owns colours its pixel: each rank's
 * content rectangle bounded by its block's footprint (empty where it has
 * no sample in the frame: mine[r] = 0), ranks with nothing to add dropping
 * out where the job drops them (vr_config_drop_idle), the rounds followed
 * on rectangles (vr_sparse_round); charged to the ranks.  An upper bound
 * on the run's bytes: the transfer function leaves some pixels clear. */
static int sparse_frame(const VrConfig *cfg, const VrCamera *cam, const int64_t dims[3],
                        int frame, const int64_t *mine, int *order, SparseScratch *s,
                        VrPlan *plan, VrError *err)
{
    VrView view;
    int rc = vr_camera_frame(cam, frame, &view, err);
    if (rc != VR_OK)
        return rc;
    vr_camera_rank_order(&view, &plan->decomp, order);
    const int P = plan->P, W = cfg->image_width, drop = vr_config_drop_idle(cfg);
    const int64_t npix = (int64_t)W * cfg->image_height;
    int n = 0;
    for (int p = 0; p < P; p++) {
        const int r = order[p];
        int fp[4] = {0, 0, 0, 0};
        if (mine[r] > 0) {
            VrBlock b;
            vr_decomp_rank_block(&plan->decomp, r, &b);
            vr_render_box_footprint(&view, dims, &b, fp);
        }
        const VrRect rect = P == 1 ? vr_rect_full(W, cfg->image_height)
                                   : (VrRect){fp[0], fp[1], fp[2], fp[3]};
        if (drop && vr_rect_empty(rect))
            continue;
        s->cur[n] = rect;
        s->rank[n] = r;
        memset(&s->cost[n], 0, sizeof s->cost[n]);
        n++;
    }
    for (int round = 0, more = n > 1; more; round++) {
        more = vr_sparse_round(cfg->composite, cfg->radix, n, npix, W, round, s->cur, s->next,
                               &s->plan, s->cost);
        VrRect *t = s->cur;
        s->cur = s->next;
        s->next = t;
    }
    const int writer = vr_frame_writer_rank(cfg, frame, P);
    for (int a = 0; a < n; a++) {
        const int r = s->rank[a];
        plan->swap_bytes[r] += s->cost[a].swapped;
        plan->rounds[r] += s->cost[a].rounds;
        plan->messages[r] += s->cost[a].messages;
        if (r == writer)
            continue;
        int64_t pixels;
        vr_plan_composite_k(cfg->composite, cfg->radix, n, a, npix, &s->plan);
        vr_rect_runs(s->cur[a], s->plan.final_lo, s->plan.final_hi, W, NULL, NULL, &pixels);
        plan->gather_bytes[r] += 16 * pixels;
    }
    return VR_OK;
}

/* A slab's samples: the counts of its planes [lo, hi). */
static int64_t sum_planes(const int64_t *counts, int64_t lo, int64_t hi)
{
    int64_t s = 0;
    for (int64_t p = lo; p < hi; p++)
        s += counts[p];
    return s;
}

/* The k-d builder's counter in one process: all rows of every frame. */
typedef struct {
    const VrCamera *cam;
    VrKernel kernel;
    const int64_t *dims;
    int first, last;
    VrError *err;
    int rc;
} KdCounter;

static int count_kd(void *ctx, int nq, VrKdQuery *q, int64_t total)
{
    KdCounter *c = ctx;
    if (nq < 0)
        return -1;
    c->rc = vr_cost_model_box_count(c->cam, c->kernel, c->dims, c->first, c->last, 1, 0, 1, nq,
                                    q, total, c->err);
    return c->rc == VR_OK ? 0 : -1;
}

/* Frame f's samples in each k-d block (the model's count of the block,
 * which is what the rank composites). */
static int kd_frame_samples(const VrCamera *cam, VrKernel kernel, const int64_t dims[3],
                            const VrDecomp *d, int f, int64_t *out, VrError *err)
{
    const int P = d->nranks;
    VrKdQuery *q = malloc((size_t)P * sizeof *q);
    int64_t total = 0;
    for (int r = 0; q && r < P; r++) {
        vr_decomp_rank_block(d, r, &q[r].box);
        q[r].axis = 0;
        total += q[r].box.own_hi[0] - q[r].box.own_lo[0];
    }
    int64_t *buf = q ? calloc((size_t)total, sizeof *buf) : NULL;
    int rc = buf ? VR_OK
                 : vr_fail(err, VR_ERR_NOMEM, "cannot allocate the plan's counts (%d blocks)",
                           P);
    for (int64_t r = 0, at = 0; rc == VR_OK && r < P; r++) {
        q[r].count = buf + at;
        at += q[r].box.own_hi[0] - q[r].box.own_lo[0];
    }
    if (rc == VR_OK)
        rc = vr_cost_model_box_count(cam, kernel, dims, f, f, 1, 0, 1, P, q, total, err);
    for (int r = 0; rc == VR_OK && r < P; r++)
        out[r] = sum_planes(q[r].count, 0, q[r].box.own_hi[0] - q[r].box.own_lo[0]);
    free(buf);
    free(q);
    return rc;
}

int vr_planner_make(const VrConfig *cfg, const VrCamera *cam, VrKernel kernel,
                    const int64_t dims[3], int P, VrPlan *plan, VrError *err)
{
    memset(plan, 0, sizeof *plan);
    plan->P = P;
    plan->frames = cfg->last_angle - cfg->first_angle + 1;
    const int64_t n = dims[cfg->axis];
    int64_t *per_plane = calloc((size_t)n, sizeof *per_plane);
    int *order = malloc((size_t)P * sizeof *order);
    PositionCost *pc = malloc((size_t)P * sizeof *pc);
    int64_t **fields[] = {&plan->samples, &plan->memory, &plan->swap_bytes,
                          &plan->gather_bytes, &plan->rounds, &plan->messages};
    int ok = per_plane && order && pc;
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
        ok &= (*fields[f] = calloc((size_t)P, sizeof(int64_t))) != NULL;
    int rc = ok ? VR_OK : vr_fail(err, VR_ERR_NOMEM, "cannot allocate the plan for %d ranks", P);
    /* Each frame's counts, kept for the worst frame's imbalance; their sum
     * is the run's (integers: the same in any order). */
    const int F = plan->frames;
    int64_t *per_frame = rc == VR_OK ? calloc((size_t)F * (size_t)n, sizeof *per_frame) : NULL;
    if (rc == VR_OK && !per_frame)
        rc = vr_fail(err, VR_ERR_NOMEM, "cannot allocate the plan's counts (%d frames x "
                     "%lld planes)", F, (long long)n);
    for (int f = 0; rc == VR_OK && cfg->decomp != VR_DECOMP_KD && f < F; f++) {
        int64_t *counts = per_frame + (size_t)f * (size_t)n;
        rc = vr_cost_model_count(cam, kernel, dims, cfg->axis, cfg->first_angle + f,
                                 cfg->first_angle + f, 1, 0, 1, counts, err);
        for (int64_t p = 0; rc == VR_OK && p < n; p++)
            per_plane[p] += counts[p];
    }
    if (rc == VR_OK) {
        int made;
        if (cfg->decomp == VR_DECOMP_KD) {
            KdCounter kc = {cam, kernel, dims, cfg->first_angle, cfg->last_angle, err, VR_OK};
            made = vr_decomp_init_kd(&plan->decomp, P, dims, count_kd, &kc);
            if (made == -2)
                rc = vr_fail(err, VR_ERR_INPUT, "--decomp kd: the cube has %lld points, "
                             "fewer than the %d ranks", (long long)(dims[0] * dims[1] * dims[2]),
                             P);
            else if (made != 0 && kc.rc != VR_OK)
                rc = kc.rc;
        } else {
            made = cfg->decomp == VR_DECOMP_BALANCED && P > 1
                       ? vr_decomp_balanced(per_plane, P, dims, cfg->axis, &plan->decomp)
                       : vr_decomp_init_equal(&plan->decomp, P, dims, cfg->axis);
            plan->decomp.kind = cfg->decomp;
        }
        if (made != 0 && rc == VR_OK)
            rc = vr_fail(err, VR_ERR_NOMEM, "cannot allocate the decomposition");
    }
    for (int r = 0; rc == VR_OK && r < P; r++) {
        VrBlock slab;
        vr_decomp_rank_block(&plan->decomp, r, &slab);
        plan->memory[r] = vr_memory_budget_estimate_bytes(cfg, dims, &slab, r);
    }
    /* Each frame's samples per rank: their sums are the run's, their
     * spread the worst frame's imbalance. */
    plan->imbalance_frame = 1.0;
    int64_t *mine = rc == VR_OK ? malloc((size_t)P * sizeof *mine) : NULL;
    SparseScratch sp = {NULL, NULL, NULL, NULL, {0}};
    if (rc == VR_OK && cfg->sparse) {
        sp.cur = malloc((size_t)P * sizeof *sp.cur);
        sp.next = malloc((size_t)P * sizeof *sp.next);
        sp.rank = malloc((size_t)P * sizeof *sp.rank);
        sp.cost = malloc((size_t)P * sizeof *sp.cost);
    }
    if (rc == VR_OK && (!mine || (cfg->sparse && (!sp.cur || !sp.next || !sp.rank || !sp.cost))))
        rc = vr_fail(err, VR_ERR_NOMEM, "cannot allocate the plan for %d ranks", P);
    for (int f = 0; rc == VR_OK && f < F; f++) {
        if (plan->decomp.kind == VR_DECOMP_KD)
            rc = kd_frame_samples(cam, kernel, dims, &plan->decomp, cfg->first_angle + f, mine,
                                  err);
        else
            for (int r = 0; r < P; r++)
                mine[r] = sum_planes(per_frame + (size_t)f * (size_t)n, plan->decomp.cut[r],
                                     plan->decomp.cut[r + 1]);
        int64_t most = 0, sum = 0;
        for (int r = 0; rc == VR_OK && r < P; r++) {
            plan->samples[r] += mine[r];
            most = mine[r] > most ? mine[r] : most;
            sum += mine[r];
        }
        if (rc == VR_OK && sum > 0 && (double)most * P / (double)sum > plan->imbalance_frame)
            plan->imbalance_frame = (double)most * P / (double)sum;
        if (rc == VR_OK && cfg->sparse)
            rc = sparse_frame(cfg, cam, dims, cfg->first_angle + f, mine, order, &sp, plan, err);
    }
    free(mine);
    free(per_frame);
    free(sp.cur);
    free(sp.next);
    free(sp.rank);
    free(sp.cost);
    /* Dense images: every position's figures are the same in every frame. */
    if (rc == VR_OK && !cfg->sparse)
        position_costs(cfg, P, (int64_t)cfg->image_width * cfg->image_height, pc);
    for (int f = cfg->first_angle; rc == VR_OK && !cfg->sparse && f <= cfg->last_angle; f++) {
        VrView view;
        rc = vr_camera_frame(cam, f, &view, err);
        if (rc != VR_OK)
            break;
        vr_camera_rank_order(&view, &plan->decomp, order);
        for (int p = 0; p < P; p++) {
            const int r = order[p];
            plan->swap_bytes[r] += pc[p].swap;
            /* the frame's writer gathers */
            plan->gather_bytes[r] += r == vr_frame_writer_rank(cfg, f, P) ? 0 : pc[p].final;
            plan->rounds[r] += pc[p].rounds;
            plan->messages[r] += pc[p].messages;
        }
    }
    free(per_plane);
    free(order);
    free(pc);
    if (rc != VR_OK)
        vr_planner_free(plan);
    return rc;
}

typedef struct {
    int64_t min, max, total;
    int argmax;
} Spread;

static Spread spread(const int64_t *v, int P)
{
    Spread s = {v[0], v[0], 0, 0};
    for (int r = 0; r < P; r++) {
        s.min = v[r] < s.min ? v[r] : s.min;
        if (v[r] > s.max) {
            s.max = v[r];
            s.argmax = r;
        }
        s.total += v[r];
    }
    return s;
}

static double mean_of(const Spread *s, int P) { return (double)s->total / P; }

static double ratio_of(const Spread *s, int P)
{
    return s->total > 0 ? (double)s->max * P / (double)s->total : 1.0;
}

void vr_planner_print(const VrPlan *plan, const VrConfig *cfg, const int64_t dims[3],
                      FILE *out)
{
    const int P = plan->P;
    const double mib = 1048576.0;
    const Spread s = spread(plan->samples, P), m = spread(plan->memory, P);
    const Spread sw = spread(plan->swap_bytes, P), ga = spread(plan->gather_bytes, P);
    const Spread ro = spread(plan->rounds, P), me = spread(plan->messages, P);
    int idle = 0;
    for (int r = 0; r < P; r++)
        idle += plan->samples[r] == 0;
    fprintf(out, "volrender_mpi plan for %d rank(s): %lldx%lldx%lld, %d frame(s) of %dx%d, "
                 "%d samples per ray\n",
            P, (long long)dims[0], (long long)dims[1], (long long)dims[2], plan->frames,
            cfg->image_width, cfg->image_height, cfg->samples);
    if (plan->decomp.kind == VR_DECOMP_KD)
        fprintf(out, "  decomposition: kd blocks (%d splits)\n", plan->decomp.nnodes);
    else
        fprintf(out, "  decomposition: %s slabs along axis %d\n",
                vr_decomp_kind_name(plan->decomp.kind), cfg->axis);
    fprintf(out, "  samples per rank: min %lld, mean %.0f, max %lld (rank %d); max/mean %.4f; "
                 "%d rank(s) without samples; the worst frame's max/mean %.4f\n",
            (long long)s.min, mean_of(&s, P), (long long)s.max, s.argmax, ratio_of(&s, P),
            idle, plan->imbalance_frame);
    fprintf(out, "  memory estimate per rank: mean %.1f MiB, max %.1f MiB (rank %d)\n",
            mean_of(&m, P) / mib, (double)m.max / mib, m.argmax);
    char method[32];
    snprintf(method, sizeof method, cfg->composite == VR_COMPOSITE_RADIXK ? "%s, K %d" : "%s",
             vr_composite_name(cfg->composite), cfg->radix);
    fprintf(out, "  compositing (%s, %s): per rank "
                 "%.2f MiB sent in the stages (max), %.2f MiB (mean); gathers %.2f MiB in "
                 "all; rounds max %lld, messages max %lld\n",
            method,
            cfg->sparse ? "sparse images, at most: every owned sample counted as colour"
                        : "dense images",
            (double)sw.max / mib, mean_of(&sw, P) / mib, (double)ga.total / mib,
            (long long)ro.max, (long long)me.max);
    if (P > 64)
        return;
    const int kd = plan->decomp.kind == VR_DECOMP_KD, wide = kd ? 40 : 14;
    fprintf(out, "  rank  %-*s %12s  memory [MiB]\n", wide, kd ? "planes (x, y, z)" : "planes",
            "samples");
    for (int r = 0; r < P; r++) {
        char planes[160];
        VrBlock b;
        vr_decomp_rank_block(&plan->decomp, r, &b);
        if (kd)
            snprintf(planes, sizeof planes, "[%lld, %lld) x [%lld, %lld) x [%lld, %lld)",
                     (long long)b.own_lo[0], (long long)b.own_hi[0], (long long)b.own_lo[1],
                     (long long)b.own_hi[1], (long long)b.own_lo[2], (long long)b.own_hi[2]);
        else
            snprintf(planes, sizeof planes, "[%lld, %lld)", (long long)plan->decomp.cut[r],
                     (long long)plan->decomp.cut[r + 1]);
        fprintf(out, "  %4d  %-*s %12lld  %12.1f\n", r, wide, planes, (long long)plan->samples[r],
                (double)plan->memory[r] / mib);
    }
}

static void json_array(FILE *out, const char *name, const int64_t *v, int n)
{
    fprintf(out, ",\"%s\":[", name);
    for (int i = 0; i < n; i++)
        fprintf(out, "%s%lld", i ? "," : "", (long long)v[i]);
    fputc(']', out);
}

void vr_planner_write_json(const VrPlan *plan, const VrConfig *cfg, const int64_t dims[3],
                           FILE *out)
{
    const int P = plan->P;
    const Spread s = spread(plan->samples, P), m = spread(plan->memory, P);
    const Spread sw = spread(plan->swap_bytes, P), ga = spread(plan->gather_bytes, P);
    const Spread ro = spread(plan->rounds, P), me = spread(plan->messages, P);
    fprintf(out, "{\"tool\":\"volrender_mpi\",\"plan\":true,\"ranks\":%d,\"params\":{\"dims\":"
                 "[%lld,%lld,%lld],\"width\":%d,\"height\":%d,\"samples\":%d,\"first_angle\":%d,"
                 "\"last_angle\":%d,\"axis\":%d,\"decomp\":\"%s\",\"composite\":\"%s\","
                 "\"radix\":%d,\"images\":\"%s\"}",
            P, (long long)dims[0], (long long)dims[1], (long long)dims[2], cfg->image_width,
            cfg->image_height, cfg->samples, cfg->first_angle, cfg->last_angle, cfg->axis,
            vr_decomp_kind_name(plan->decomp.kind), vr_composite_name(cfg->composite),
            cfg->radix, cfg->sparse ? "sparse-bound" : "dense");
    fprintf(out, ",\"frames\":%d,\"samples_total\":%lld,\"samples_imbalance\":%.4f,"
                 "\"samples_imbalance_frame_max\":%.6f",
            plan->frames, (long long)s.total, ratio_of(&s, P), plan->imbalance_frame);
    json_array(out, "samples_per_rank", plan->samples, P);
    vr_record_write_decomp(out, &plan->decomp);
    fprintf(out, ",\"composite_bytes_sent\":{\"swap_max\":%lld,\"swap_mean\":%.1f,"
                 "\"swap_total\":%lld,\"gather_max\":%lld,\"gather_total\":%lld,\"total\":%lld}",
            (long long)sw.max, mean_of(&sw, P), (long long)sw.total, (long long)ga.max,
            (long long)ga.total, (long long)(sw.total + ga.total));
    fprintf(out, ",\"composite_rounds\":{\"max\":%lld,\"mean\":%.2f,\"messages_max\":%lld,"
                 "\"messages_mean\":%.2f}",
            (long long)ro.max, mean_of(&ro, P), (long long)me.max, mean_of(&me, P));
    fprintf(out, ",\"memory_estimate_bytes\":{\"max\":%lld,\"mean\":%.0f,\"max_rank\":%d}}\n",
            (long long)m.max, mean_of(&m, P), m.argmax);
}
