/* The planner (planner.h): the decomposition and the cost model as the
 * job would make them, then the compositing plan of every visibility
 * position once (it does not depend on the frame) and each frame's order
 * to charge each position's figures to the rank holding it. */
#include "vr/planner.h"

#include <stdlib.h>
#include <string.h>

#include "vr/composite.h"
#include "vr/cost_model.h"
#include "vr/frame_writer.h"
#include "vr/memory_budget.h"

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

/* A slab's samples: the counts of its planes [lo, hi). */
static int64_t sum_planes(const int64_t *counts, int64_t lo, int64_t hi)
{
    int64_t s = 0;
    for (int64_t p = lo; p < hi; p++)
        s += counts[p];
    return s;
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
    for (int f = 0; rc == VR_OK && f < F; f++) {
        int64_t *counts = per_frame + (size_t)f * (size_t)n;
        rc = vr_cost_model_count(cam, kernel, dims, cfg->axis, cfg->first_angle + f,
                                 cfg->first_angle + f, 1, 0, 1, counts, err);
        for (int64_t p = 0; rc == VR_OK && p < n; p++)
            per_plane[p] += counts[p];
    }
    if (rc == VR_OK) {
        const int made = cfg->decomp == VR_DECOMP_BALANCED && P > 1
                             ? vr_decomp_balanced(per_plane, P, dims, cfg->axis, &plan->decomp)
                             : vr_decomp_init_equal(&plan->decomp, P, dims, cfg->axis);
        plan->decomp.kind = cfg->decomp;
        if (made != 0)
            rc = vr_fail(err, VR_ERR_NOMEM, "cannot allocate the decomposition");
    }
    for (int r = 0; rc == VR_OK && r < P; r++) {
        VrBlock slab;
        vr_decomp_rank_block(&plan->decomp, r, &slab);
        plan->samples[r] = sum_planes(per_plane, slab.own_lo[cfg->axis], slab.own_hi[cfg->axis]);
        plan->memory[r] = vr_memory_budget_estimate_bytes(cfg, dims, &slab, r);
    }
    plan->imbalance_frame = 1.0;
    for (int f = 0; rc == VR_OK && f < F; f++) {
        const int64_t *counts = per_frame + (size_t)f * (size_t)n;
        int64_t most = 0, sum = 0;
        for (int r = 0; r < P; r++) {
            const int64_t s = sum_planes(counts, plan->decomp.cut[r], plan->decomp.cut[r + 1]);
            most = s > most ? s : most;
            sum += s;
        }
        if (sum > 0 && (double)most * P / (double)sum > plan->imbalance_frame)
            plan->imbalance_frame = (double)most * P / (double)sum;
    }
    free(per_frame);
    if (rc == VR_OK)
        position_costs(cfg, P, (int64_t)cfg->image_width * cfg->image_height, pc);
    for (int f = cfg->first_angle; rc == VR_OK && f <= cfg->last_angle; f++) {
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
    fprintf(out, "  compositing (%s): per rank %.2f MiB sent in the stages (max), %.2f MiB "
                 "(mean); gathers %.2f MiB in all; rounds max %lld, messages max %lld\n",
            method, (double)sw.max / mib, mean_of(&sw, P) / mib, (double)ga.total / mib,
            (long long)ro.max, (long long)me.max);
    if (P > 64)
        return;
    fprintf(out, "  rank  planes              samples  memory [MiB]\n");
    for (int r = 0; r < P; r++) {
        char planes[48];
        snprintf(planes, sizeof planes, "[%lld, %lld)", (long long)plan->decomp.cut[r],
                 (long long)plan->decomp.cut[r + 1]);
        fprintf(out, "  %4d  %-14s %12lld  %12.1f\n", r, planes, (long long)plan->samples[r],
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
                 "\"radix\":%d}",
            P, (long long)dims[0], (long long)dims[1], (long long)dims[2], cfg->image_width,
            cfg->image_height, cfg->samples, cfg->first_angle, cfg->last_angle, cfg->axis,
            vr_decomp_kind_name(plan->decomp.kind), vr_composite_name(cfg->composite),
            cfg->radix);
    fprintf(out, ",\"frames\":%d,\"samples_total\":%lld,\"samples_imbalance\":%.4f,"
                 "\"samples_imbalance_frame_max\":%.6f",
            plan->frames, (long long)s.total, ratio_of(&s, P), plan->imbalance_frame);
    json_array(out, "samples_per_rank", plan->samples, P);
    json_array(out, "decomp_cuts", plan->decomp.cut, P + 1);
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
