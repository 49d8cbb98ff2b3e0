/* volrender_mpi — distributed volume rendering of a 3-D HDF5 scalar cube.
 *
 * The story: parse -> transfer function -> the inputs, each probed (agreed
 * by all ranks) -> for each snapshot { read this rank's slab (while the
 * OS reads the next one ahead) -> projection, data range -> resample for
 * the orbit -> outputs -> for each angle { render own samples ->
 * composite in visibility order -> rank n mod P writes } -> report }.  Every
 * failure that can be seen before a collective step is agreed across
 * ranks, so all ranks exit alike; see STYLE's three tiers. */
#include <errno.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vr/camera.h"
#include "vr/composite.h"
#include "vr/config.h"
#include "vr/cost_model.h"
#include "vr/float_out.h"
#include "vr/frame_writer.h"
#include "vr/inputs.h"
#include "vr/memory.h"
#include "vr/memory_budget.h"
#include "vr/output.h"
#include "vr/parallel.h"
#include "vr/planner.h"
#include "vr/projection.h"
#include "vr/read_ahead.h"
#include "vr/render.h"
#include "vr/tf_setup.h"
#include "vr/timer.h"
#include "vr/transfer.h"
#include "vr/volume_io.h"
#include "vr/workspace.h"

#ifndef VR_VERSION
#define VR_VERSION "unknown"
#endif

typedef struct {
    MPI_Comm comm;
    int rank, nranks;
    VrConfig base;           /* the options as given */
    VrConfig cfg;            /* ... for the snapshot being rendered */
    VrRunStats stats;        /* of the snapshot being rendered */
    int64_t dims[3];
    VrInputs inputs;         /* the snapshots */
    VrDataLayout *layouts;   /* where each one's data is, for read-ahead */
    VrReadAhead ahead;       /* the next snapshot, while this one renders */
    VrTf tf_base;            /* the transfer function as given */
    VrTf tf;                 /* ... with this snapshot's data range */
    VrTfTable table;         /* ... in the kernel's form */
    VrDataRange range;       /* the data's range, when the TF needs one */
    VrProjectionStyle proj;  /* rank 0: how the projection is drawn */
    int snapshot_warned;     /* the table warning was given (once a run) */
    VrWorkspace ws;          /* images and buffers of the orbit */
    VrFrameWriter writer;    /* rank 0: frames and projection into files */
    VrCamera camera;         /* where the frames look from (camera.h) */
    VrKernel kernel;         /* which kernel renders them (render.h) */
    VrView first;            /* a frame of the job: the kernels' box */
    VrDecomp decomp;         /* the ranks' slabs, the same for every snapshot */
    VrRenderer *renderer;
    VrCompositor *compositor;
    VrFloatOut *float_out;   /* rank 0, with --float-output */
} App;

/* Every input, before the first is read: it exists, holds the dataset,
 * and has the shape of the first (a series is one shape). */
static int probe_inputs(App *app, VrError *err)
{
    const VrInputs *in = &app->inputs;
    int rc = VR_OK;
    if (in->series && app->base.read_ahead) {
        app->layouts = calloc((size_t)in->count, sizeof *app->layouts);
        rc = vr_agree(app->comm, app->layouts ? VR_OK
                                               : vr_fail(err, VR_ERR_NOMEM, "cannot "
                                                         "allocate the inputs' layouts"),
                      err);
    }
    for (int k = 0; rc == VR_OK && k < in->count; k++) {
        int64_t dims[3];
        rc = vr_volume_probe(app->comm, in->path[k], app->base.dataset, dims, err);
        if (rc == VR_OK && k == 0)
            memcpy(app->dims, dims, sizeof dims);
        if (rc == VR_OK && memcmp(dims, app->dims, sizeof dims) != 0)
            rc = vr_fail(err, VR_ERR_INPUT,
                         "input '%s': dataset '%s' is %lldx%lldx%lld, not %lldx%lldx%lld "
                         "like '%s' (the snapshots of a series must have one shape)",
                         in->path[k], app->base.dataset, (long long)dims[0],
                         (long long)dims[1], (long long)dims[2], (long long)app->dims[0],
                         (long long)app->dims[1], (long long)app->dims[2], in->path[0]);
        if (rc == VR_OK && app->layouts)
            vr_read_ahead_layout(app->comm, in->path[k], app->base.dataset,
                                 &app->layouts[k]);
    }
    return rc;
}

/* The frames: every one checked now (a views file is read by every rank,
 * so all reach the same verdict), and the kernel that renders them. */
static int setup_camera(App *app, VrError *err)
{
    VrConfig *cfg = &app->base; /* every snapshot's options follow */
    int nframes = 0;
    int rc = vr_camera_setup(&cfg->camera, cfg->image_height, cfg->image_width, cfg->samples,
                             cfg->angles, app->dims, &app->camera, &nframes, err);
    if (rc == VR_OK && cfg->camera.views_file[0]) {
        /* One frame per view: --first-angle / --last-angle select views. */
        cfg->angles = nframes;
        if (!cfg->last_angle_given)
            cfg->last_angle = nframes - 1;
        if (cfg->first_angle >= nframes || cfg->last_angle >= nframes)
            rc = vr_fail(err, VR_ERR_USAGE,
                         "option --%s: %d is beyond the %d view(s) of %s (accepted: 0 "
                         "to %d)", cfg->first_angle >= nframes ? "first-angle" : "last-angle",
                         cfg->first_angle >= nframes ? cfg->first_angle : cfg->last_angle,
                         nframes, cfg->camera.views_file, nframes - 1);
    }
    if (rc == VR_OK) {
        app->kernel = vr_render_kernel_of_job(cfg, app->dims, &app->first);
        if (cfg->camera.views_file[0])
            rc = vr_camera_frame(&app->camera, cfg->first_angle, &app->first, err);
        snprintf(app->stats.kernel, sizeof app->stats.kernel, "%s",
                 vr_kernel_name(app->kernel));
        if (cfg->camera.views_file[0])
            snprintf(app->stats.camera, sizeof app->stats.camera, "views file, %d view(s)",
                     nframes);
        else
            snprintf(app->stats.camera, sizeof app->stats.camera, "%s orbit about %s",
                     cfg->camera.fov > 0.0 ? "perspective" : "orthographic",
                     vr_camera_axis_name(cfg->camera.orbit_axis));
    }
    return vr_agree(app->comm, rc, err);
}

/* Everything that can be checked before reading: the transfer function,
 * the inputs, the memory the job needs.  Each step is agreed by all ranks. */
static int check_job(App *app, VrError *err)
{
    vr_timer_start(&app->stats.timers, VR_PHASE_OPEN);
    int rc = vr_tf_setup(app->comm, &app->base, &app->tf_base, err);
    if (rc == VR_OK) {
        const char *def[1] = {app->base.input};
        const int n = app->base.ninput_args;
        rc = vr_inputs_share(app->comm, n ? app->base.input_args : def, n ? n : 1,
                             &app->inputs, err);
    }
    if (rc == VR_OK)
        rc = probe_inputs(app, err);
    if (rc == VR_OK)
        rc = setup_camera(app, err);
    if (rc != VR_OK || app->base.plan_ranks)
        return rc; /* --plan: no decomposition or memory check of this launch */
    if (rc == VR_OK)
        rc = vr_decomp_for_job(app->comm, &app->base, &app->camera, app->kernel, app->dims,
                               &app->decomp, err);
    if (rc == VR_OK) {
        app->stats.decomp = vr_decomp_kind_name(app->decomp.kind);
        app->stats.decomposition = &app->decomp;
        rc = vr_memory_budget_check(app->comm, &app->base, app->dims, &app->decomp, err);
        VrBlock slab;
        vr_decomp_rank_block(&app->decomp, app->rank, &slab);
        app->stats.memory_estimate =
            vr_memory_budget_estimate_bytes(&app->base, app->dims, &slab, app->rank);
    }
    vr_timer_stop(&app->stats.timers, VR_PHASE_OPEN);
    return rc;
}

/* "dir/name" into dst, or a message naming what was too long. */
static int join_path(const char *dir, const char *name, char *dst, size_t cap,
                     VrError *err)
{
    if ((size_t)snprintf(dst, cap, "%s/%s", dir, name) >= cap)
        return vr_fail(err, VR_ERR_USAGE, "the path '%s/%s' is too long", dir, name);
    return VR_OK;
}

/* The options of snapshot k: its input and, in a series, its folder
 * OUTDIR/<stem>/ for the frames, the projection, the float output and the
 * exported transfer function. */
static int snapshot_config(App *app, int k, VrError *err)
{
    app->cfg = app->base;
    VrConfig *cfg = &app->cfg;
    snprintf(cfg->input, sizeof cfg->input, "%s", app->inputs.path[k]);
    if (!app->inputs.series)
        return VR_OK;
    const char *stem = app->inputs.stem[k];
    int rc = join_path(app->base.output_dir, stem, cfg->output_dir, sizeof cfg->output_dir,
                       err);
    char *const named[2] = {cfg->float_output, cfg->tf_export};
    const char *const given[2] = {app->base.float_output, app->base.tf_export};
    for (int i = 0; i < 2 && rc == VR_OK; i++)
        if (given[i][0]) {
            const char *slash = strrchr(given[i], '/');
            rc = join_path(cfg->output_dir, slash ? slash + 1 : given[i], named[i],
                           sizeof cfg->float_output, err);
        }
    return rc;
}

/* With --resume, 1 on every rank if snapshot k's folder already holds
 * every frame of the orbit and its projection, whole. */
static int snapshot_done(App *app)
{
    const VrConfig *cfg = &app->cfg;
    if (!cfg->resume)
        return 0;
    int done = 1;
    for (int n = cfg->first_angle; done && n <= cfg->last_angle; n++)
        done = vr_workspace_frame_done(app->comm, cfg, n);
    if (app->rank == 0 && done) {
        char path[4400];
        vr_output_join(cfg->output_dir, "projection.png", path, sizeof path);
        done = vr_output_png_complete(path, (int)app->dims[2], (int)app->dims[1]);
    }
    MPI_Bcast(&done, 1, MPI_INT, 0, app->comm);
    return done;
}

/* Rank 0 warns once when the kernel's table of the transfer function is
 * far from it (control points much closer than the table's spacing). */
static void warn_table_error(App *app)
{
    const VrTfTable *t = &app->table;
    double worst = 0.0;
    for (int c = 0; c < 4; c++)
        worst = t->max_error[c] > worst ? t->max_error[c] : worst;
    if (app->rank != 0 || t->reference || worst <= 1e-3 || app->snapshot_warned)
        return;
    fprintf(stderr,
            "volrender_mpi: warning: the transfer function's table (%d nodes %.3g apart in "
            "x) differs from it by up to %.2g: its control points are closer than that "
            "somewhere; narrow the points' x range or space them out\n",
            t->n, t->dx, worst);
    fflush(stderr);
    app->snapshot_warned = 1;
}

/* The outputs, only once the data has passed every check (a data range
 * may be empty), so a refused job creates no folder and no file: the
 * folder, the kernel's table, rank 0's writer, the exported preset. */
static int prepare_outputs(App *app, VrError *err)
{
    int rc = vr_workspace_prepare_outputs(app->comm, &app->cfg, err);
    if (rc == VR_OK)
        rc = vr_agree(app->comm, vr_tf_table_build(&app->tf, &app->table, err), err);
    if (rc != VR_OK)
        return rc;
    warn_table_error(app);
    /* Every rank writes frames (vr_frame_writer_rank); rank 0 the projection. */
    const int64_t npix = (int64_t)app->cfg.image_width * app->cfg.image_height;
    rc = vr_frame_writer_create(&app->cfg, &app->tf, &app->range, npix,
                                app->rank == 0 ? app->dims[1] * app->dims[2] : 0,
                                &app->writer, err);
    if (rc == VR_OK && app->rank == 0 && app->cfg.tf_export[0])
        rc = vr_tf_export(&app->tf, app->cfg.tf_export, err);
    return vr_agree(app->comm, rc, err);
}

/* Reads the slab, makes the projection, resamples for the orbit. */
static int load_volume(App *app, VrError *err)
{
    VrVolume vol;
    VrBlock slab;
    vr_decomp_rank_block(&app->decomp, app->rank, &slab);
    vr_timer_start(&app->stats.timers, VR_PHASE_READ);
    vr_read_ahead_finish(&app->ahead); /* this snapshot's pages are in, or coming */
    int rc = vr_volume_read(app->comm, app->cfg.input, app->cfg.dataset, app->dims,
                            &slab, app->tf.scale == VR_SCALE_LINEAR, &vol, err);
    /* One shape for every snapshot: the image buffers serve them all. */
    if (rc == VR_OK && !app->ws.partial)
        rc = vr_workspace_create(app->comm, &app->cfg, app->dims, &app->ws, err);
    if (rc == VR_OK)
        rc = vr_projection_compute(app->comm, &vol, app->ws.logmean, err);
    /* Its style may need the projection's own range, which may be empty. */
    if (rc == VR_OK)
        rc = vr_agree(app->comm,
                      app->rank == 0 ? vr_projection_style(app->cfg.projection_colormap,
                                                           app->cfg.projection_scale,
                                                           app->cfg.projection_range,
                                                           app->ws.logmean,
                                                           app->dims[1] * app->dims[2],
                                                           &app->proj, err)
                                     : VR_OK,
                      err);
    /* The data range of a colour map, before the slab is consumed. */
    if (rc == VR_OK)
        rc = vr_tf_setup_range(app->comm, &app->cfg, &vol, &app->tf, &app->range, err);
    if (rc == VR_OK)
        vr_tf_warn_invisible(app->comm, &app->cfg, &vol, &app->tf);
    /* Resampling the slab for the orbit is data preparation, done once
     * whatever the number of angles: it ends the read phase. */
    if (rc == VR_OK)
        rc = vr_agree(app->comm, vr_renderer_create(&vol, app->kernel, &app->first,
                                                    &app->renderer, err),
                      err);
    vr_timer_stop(&app->stats.timers, VR_PHASE_READ);
    if (rc != VR_OK) {
        vr_volume_free(&vol);
        return rc;
    }
    app->stats.timers.seconds[VR_PHASE_OPEN] += vol.io.seconds_open;
    app->stats.timers.seconds[VR_PHASE_READ] -= vol.io.seconds_open;
    app->stats.bytes_read = vol.io.bytes;
    app->stats.io_seconds = vol.io.seconds_read;
    snprintf(app->stats.io_mode, sizeof app->stats.io_mode, "%s", vol.io.mode);
    snprintf(app->stats.io_cause, sizeof app->stats.io_cause, "%s", vol.io.cause);
    app->stats.nonfinite = vol.nan_voxels + vol.inf_voxels;
    vr_workspace_warn_data(app->comm, &app->cfg, app->tf.scale == VR_SCALE_LINEAR, &vol);
    vr_volume_free(&vol); /* the renderer holds what the orbit needs */
    return VR_OK;
}

/* Rank 0 writes the projection image (and its floats). */
static int write_projection(App *app, VrError *err)
{
    int rc = VR_OK;
    vr_timer_start(&app->stats.timers, VR_PHASE_WRITE);
    if (app->rank == 0)
        rc = vr_frame_writer_projection(&app->writer, app->ws.logmean, &app->proj,
                                        app->dims, app->float_out, err);
    vr_timer_stop(&app->stats.timers, VR_PHASE_WRITE);
    return vr_agree(app->comm, rc, err);
}

/* Test hook (VR_TEST_FAIL="RANK:angleN"): this rank fails alone in the
 * middle of the orbit while the others already wait in the compositing, as
 * a real allocation failure there would.  Nothing can be agreed any more,
 * so tier 3 applies: the job must end at once, naming the rank. */
static void inject_orbit_failure(const App *app, int n)
{
    char phase[32];
    snprintf(phase, sizeof phase, "angle%d", n);
    if (vr_test_should_fail(app->rank, phase))
        vr_fatal(app->comm, "angle %d: out of memory while compositing "
                 "(injected by VR_TEST_FAIL)", n);
}

/* Frame n of the job (its index in the run: frame) into image. */
static void render_one(App *app, const VrView *view, int n, int frame, float *image)
{
    vr_timer_start(&app->stats.timers, VR_PHASE_RENDER);
    const int64_t samples = vr_render_view(app->renderer, view, &app->table, image);
    app->stats.samples += samples;
    if (app->stats.frame_samples && frame < app->stats.nframe_samples)
        app->stats.frame_samples[frame] = samples;
    vr_timer_stop(&app->stats.timers, VR_PHASE_RENDER);
    inject_orbit_failure(app, n);
}

/* A batch of frames (--batch K; one frame by default): each rank renders
 * its samples of all of them, then they are composited in visibility
 * order and written, frame by frame, each by its rank
 * (vr_frame_writer_rank).  The ranks wait for each other only after the
 * whole batch has been rendered. */
static int render_batch(App *app, const int *frames, int count, VrError *err)
{
    VrWorkspace *ws = &app->ws;
    const VrConfig *cfg = &app->cfg;
    VrView views[VR_MAX_BATCH];
    for (int k = 0; k < count; k++) {
        if (vr_camera_frame(&app->camera, frames[k], &views[k], err) != VR_OK)
            vr_fatal(app->comm, "%s", err->msg); /* checked before reading */
        if (app->rank == 0 && !cfg->quiet) {
            printf("Rendering Scene %d of %d.\n", frames[k] + 1, cfg->angles);
            fflush(stdout);
        }
        render_one(app, &views[k], frames[k], frames[k] - cfg->first_angle,
                   vr_workspace_image(ws, k));
    }
    int rc = VR_OK;
    for (int k = 0; rc == VR_OK && k < count; k++) {
        const VrView *view = &views[k];
        vr_timer_start(&app->stats.timers, VR_PHASE_COMPOSITE);
        vr_camera_rank_order(view, &app->decomp, ws->order);
        const int writer = vr_frame_writer_rank(cfg, frames[k], app->nranks);
        vr_composite(app->compositor, vr_workspace_image(ws, k), ws->order, ws->final,
                     writer);
        vr_timer_stop(&app->stats.timers, VR_PHASE_COMPOSITE);

        vr_timer_start(&app->stats.timers, VR_PHASE_WRITE);
        if (app->rank == writer)
            rc = vr_frame_writer_frame(&app->writer, ws->final, view,
                                       frames[k] - cfg->first_angle, app->float_out, err);
        vr_timer_stop(&app->stats.timers, VR_PHASE_WRITE);
        rc = vr_agree(app->comm, rc, err);
        app->stats.frames += rc == VR_OK;
    }
    return rc;
}

static int render_orbit(App *app, VrError *err)
{
    const VrConfig *cfg = &app->cfg;
    int rc = VR_OK;
    if (!app->compositor)
        rc = vr_compositor_create(app->comm, cfg->composite, cfg->radix, cfg->sparse,
                                  vr_config_drop_idle(cfg), cfg->image_width,
                                  cfg->image_height, &app->compositor, err);
    int frames[VR_MAX_BATCH], count = 0;
    for (int n = cfg->first_angle; rc == VR_OK && n <= cfg->last_angle; n++) {
        if (vr_workspace_frame_done(app->comm, cfg, n))
            app->stats.frames_skipped++;
        else
            frames[count++] = n;
        if (count > 0 && (count == app->ws.batch || n == cfg->last_angle)) {
            rc = render_batch(app, frames, count, err);
            count = 0;
        }
    }
    return rc;
}

/* The transfer function's figures for the summary and the record. */
static void note_transfer_function(App *app)
{
    VrRunStats *st = &app->stats;
    vr_tf_describe(&app->tf, st->tf_desc, sizeof st->tf_desc);
    st->tf_json = app->writer.tf_json;
    st->has_range = app->tf.kind == VR_TF_COLORMAP;
    st->range[0] = app->tf.range[0];
    st->range[1] = app->tf.range[1];
    if (app->tf.range_mode == VR_RANGE_PERCENTILES)
        snprintf(st->range_mode, sizeof st->range_mode, "percentiles p%g:p%g",
                 app->tf.percentiles[0], app->tf.percentiles[1]);
    else
        snprintf(st->range_mode, sizeof st->range_mode, "%s",
                 app->tf.range_mode == VR_RANGE_AUTO ? "auto" : "given");
    st->table_nodes = app->table.reference ? 0 : app->table.n;
    st->table_max_error = 0.0;
    for (int c = 0; c < 4; c++)
        if (app->table.max_error[c] > st->table_max_error)
            st->table_max_error = app->table.max_error[c];
}

/* Starts reading snapshot k + 1 ahead, if there is one to read. */
static void read_next_ahead(App *app, int k)
{
    if (!app->layouts || k + 1 >= app->inputs.count)
        return;
    VrBlock slab;
    vr_decomp_rank_block(&app->decomp, app->rank, &slab);
    app->stats.read_ahead_bytes =
        vr_read_ahead_start(&app->ahead, app->inputs.path[k + 1], &app->layouts[k + 1],
                            app->dims, &slab)
            ? app->ahead.bytes
            : 0;
}

/* One snapshot, from its read to its report. */
static int run_snapshot(App *app, int k, VrError *err)
{
    app->tf = app->tf_base; /* this snapshot's range is resolved on a copy */
    int rc = load_volume(app, err);
    if (rc == VR_OK)
        read_next_ahead(app, k);
    if (rc == VR_OK)
        rc = prepare_outputs(app, err);
    if (rc == VR_OK && app->rank == 0 && app->cfg.float_output[0]) {
        rc = vr_float_out_create(app->cfg.float_output, &app->cfg, app->dims,
                                 app->nranks, &app->float_out, err);
        if (rc == VR_OK)
            rc = vr_frame_writer_describe(&app->writer, &app->tf, &app->table,
                                          app->float_out, err);
    }
    rc = vr_agree(app->comm, rc, err);
    if (rc == VR_OK)
        rc = write_projection(app, err);
    if (rc == VR_OK)
        rc = render_orbit(app, err);
    if (app->rank == 0) { /* the float file is kept only when complete */
        int crc = vr_float_out_close(app->float_out, rc == VR_OK, err);
        rc = rc == VR_OK ? crc : rc;
    }
    app->float_out = NULL;
    rc = vr_agree(app->comm, rc, err);
    vr_compositor_take_counts(app->compositor, &app->stats.composite);
    vr_timer_stop(&app->stats.timers, VR_PHASE_TOTAL);
    if (rc == VR_OK) {
        note_transfer_function(app);
        rc = vr_agree(app->comm, vr_report(app->comm, &app->cfg, app->dims, &app->stats, err),
                      err);
    }
    /* What is made per snapshot goes; the workspace and compositor stay. */
    vr_renderer_free(app->renderer);
    app->renderer = NULL;
    vr_frame_writer_free(&app->writer);
    vr_tf_table_free(&app->table);
    return rc;
}

/* --plan P: the job's figures at P ranks, printed (and appended to the
 * --timing file as one JSON line); nothing is read but the shape. */
static int plan_job(App *app, VrError *err)
{
    const VrConfig *cfg = &app->base;
    if (app->nranks != 1)
        return vr_agree(app->comm, vr_fail(err, VR_ERR_USAGE, "option --plan: the planner "
                                           "runs in one process (launched on %d)",
                                           app->nranks), err);
    int rc = check_job(app, err);
    VrPlan plan;
    if (rc == VR_OK)
        rc = vr_planner_make(cfg, &app->camera, app->kernel, app->dims, cfg->plan_ranks, &plan,
                             err);
    if (rc != VR_OK)
        return rc;
    vr_planner_print(&plan, cfg, app->dims, stdout);
    if (cfg->timing[0]) {
        FILE *f = fopen(cfg->timing, "a");
        if (f)
            vr_planner_write_json(&plan, cfg, app->dims, f);
        if (!f || fclose(f) != 0)
            rc = vr_fail(err, VR_ERR_IO, "cannot write the plan to '%s': %s", cfg->timing,
                         strerror(errno));
    }
    vr_planner_free(&plan);
    return rc;
}

static int run(App *app, VrError *err)
{
    if (app->base.plan_ranks)
        return plan_job(app, err);
    int rc = check_job(app, err);
    /* Each frame's samples, for the record's worst-frame imbalance. */
    const int nframes = app->base.last_angle - app->base.first_angle + 1;
    if (rc == VR_OK) {
        app->stats.frame_samples = calloc((size_t)nframes, sizeof *app->stats.frame_samples);
        app->stats.nframe_samples = app->stats.frame_samples ? nframes : 0;
        rc = vr_agree(app->comm, app->stats.frame_samples ? VR_OK
                                                          : vr_fail(err, VR_ERR_NOMEM,
                                                                    "cannot allocate the "
                                                                    "frames' counts"),
                      err);
    }
    if (rc == VR_OK)
        rc = vr_compositor_create(app->comm, app->base.composite, app->base.radix,
                                  app->base.sparse, vr_config_drop_idle(&app->base),
                                  app->base.image_width, app->base.image_height,
                                  &app->compositor, err);
    const VrInputs *in = &app->inputs;
    /* Every snapshot of a series needs the same slab and kernel layout:
     * the next one reuses this one's buffers, pages already backed. */
    if (in->series)
        vr_memory_keep_freed(VR_MEMORY_KEEP_MAX);
    for (int k = 0; rc == VR_OK && k < in->count; k++) {
        if (k > 0) { /* each snapshot's record times that snapshot alone */
            VrRunStats fresh;
            memset(&fresh, 0, sizeof fresh);
            memcpy(fresh.kernel, app->stats.kernel, sizeof fresh.kernel);
            memcpy(fresh.camera, app->stats.camera, sizeof fresh.camera);
            fresh.decomp = app->stats.decomp;
            fresh.decomposition = app->stats.decomposition;
            fresh.memory_estimate = app->stats.memory_estimate;
            fresh.frame_samples = app->stats.frame_samples;
            fresh.nframe_samples = app->stats.nframe_samples;
            memset(fresh.frame_samples, 0,
                   (size_t)fresh.nframe_samples * sizeof *fresh.frame_samples);
            app->stats = fresh;
            vr_timer_start(&app->stats.timers, VR_PHASE_TOTAL);
        }
        rc = snapshot_config(app, k, err);
        if (rc != VR_OK)
            break;
        app->stats.snapshot_index = k;
        app->stats.snapshot_count = in->series ? in->count : 0;
        app->stats.snapshot_stem = in->stem[k];
        app->stats.read_ahead = app->layouts != NULL;
        if (in->series && app->rank == 0 && !app->base.quiet) {
            printf("Snapshot %d of %d: %s\n", k + 1, in->count, in->path[k]);
            fflush(stdout);
        }
        if (in->series && snapshot_done(app)) {
            if (app->rank == 0 && !app->base.quiet) {
                printf("  every frame is done (--resume): skipped\n");
                fflush(stdout);
            }
            /* Its record still says so (frames_skipped), nothing read. */
            app->stats.frames_skipped = app->cfg.last_angle - app->cfg.first_angle + 1;
            app->tf = app->tf_base;
            vr_timer_stop(&app->stats.timers, VR_PHASE_TOTAL);
            note_transfer_function(app);
            rc = vr_agree(app->comm,
                          vr_report(app->comm, &app->cfg, app->dims, &app->stats, err), err);
            continue;
        }
        rc = run_snapshot(app, k, err);
    }
    vr_read_ahead_finish(&app->ahead);
    vr_memory_keep_freed(0);
    return rc;
}

int main(int argc, char **argv)
{
    int provided;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    App app;
    memset(&app, 0, sizeof app);
    app.comm = MPI_COMM_WORLD;
    vr_timer_start(&app.stats.timers, VR_PHASE_TOTAL);
    MPI_Comm_rank(app.comm, &app.rank);
    MPI_Comm_size(app.comm, &app.nranks);

    VrError err = {{0}};
    vr_config_defaults(&app.base);
    /* Every rank parses the same argv, so the verdict is already agreed. */
    int rc = vr_config_parse(&app.base, argc, argv, &err);
    app.cfg = app.base;
    if (rc == VR_OK && (app.cfg.want_help || app.cfg.want_version)) {
        if (app.rank == 0 && app.cfg.want_help)
            vr_config_print_usage(stdout);
        else if (app.rank == 0)
            printf("volrender_mpi %s\n", VR_VERSION);
        MPI_Finalize();
        return vr_test_record_exit(app.rank, 0);
    }
    if (rc == VR_OK)
        rc = run(&app, &err);
    if (rc != VR_OK && app.rank == 0)
        vr_print_error(&err);
    vr_compositor_free(app.compositor);
    vr_renderer_free(app.renderer);
    vr_camera_free(&app.camera);
    vr_workspace_free(&app.ws);
    vr_frame_writer_free(&app.writer);
    vr_tf_table_free(&app.table);
    vr_tf_free(&app.tf_base); /* app.tf shares its arrays */
    vr_inputs_free(&app.inputs);
    vr_decomp_free(&app.decomp);
    free(app.stats.frame_samples);
    free(app.layouts);
    MPI_Finalize();
    return vr_test_record_exit(app.rank, vr_exit_code(rc));
}
