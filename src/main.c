/* volrender_mpi — distributed volume rendering of a 3-D HDF5 scalar cube.
 *
 * The story: parse -> transfer function -> check the input (agreed by all
 * ranks) -> read this rank's slab -> projection, data range -> resample
 * for the orbit -> outputs -> for each angle { render own samples ->
 * composite in visibility order -> rank 0 writes } -> report.  Every failure that can be seen before a collective step is
 * agreed across ranks, so all ranks exit alike; see STYLE's three tiers. */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vr/camera.h"
#include "vr/composite.h"
#include "vr/config.h"
#include "vr/float_out.h"
#include "vr/frame_writer.h"
#include "vr/output.h"
#include "vr/parallel.h"
#include "vr/projection.h"
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
    VrConfig cfg;
    VrRunStats stats;
    int64_t dims[3];
    VrTf tf;                 /* the transfer function */
    VrTfTable table;         /* ... in the kernel's form */
    VrDataRange range;       /* the data's range, when the TF needs one */
    VrWorkspace ws;          /* images and buffers of the orbit */
    VrFrameWriter writer;    /* rank 0: frames and projection into files */
    VrCamera camera;         /* where the frames look from (camera.h) */
    VrKernel kernel;         /* which kernel renders them (render.h) */
    VrView first;            /* a frame of the job: the kernels' box */
    VrRenderer *renderer;
    VrCompositor *compositor;
    VrFloatOut *float_out;   /* rank 0, with --float-output */
} App;

/* The frames: every one checked now (a views file is read by every rank,
 * so all reach the same verdict), and the kernel that renders them. */
static int setup_camera(App *app, VrError *err)
{
    VrConfig *cfg = &app->cfg;
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
 * the input, the memory the job needs.  Each step is agreed by all ranks. */
static int check_job(App *app, VrError *err)
{
    vr_timer_start(&app->stats.timers, VR_PHASE_OPEN);
    int rc = vr_tf_setup(app->comm, &app->cfg, &app->tf, err);
    if (rc == VR_OK)
        rc = vr_volume_probe(app->comm, app->cfg.input, app->cfg.dataset, app->dims, err);
    if (rc == VR_OK)
        rc = setup_camera(app, err);
    if (rc == VR_OK)
        rc = vr_workspace_check_memory(app->comm, &app->cfg, app->dims, err);
    vr_timer_stop(&app->stats.timers, VR_PHASE_OPEN);
    return rc;
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
    if (app->rank == 0) {
        const int64_t npix = (int64_t)app->cfg.image_width * app->cfg.image_height;
        rc = vr_frame_writer_create(&app->cfg, &app->tf, &app->range, npix,
                                    app->dims[1] * app->dims[2], &app->writer, err);
        if (rc == VR_OK && app->cfg.tf_export[0])
            rc = vr_tf_export(&app->tf, app->cfg.tf_export, err);
    }
    return vr_agree(app->comm, rc, err);
}

/* Reads the slab, makes the projection, resamples for the orbit. */
static int load_volume(App *app, VrError *err)
{
    VrVolume vol;
    vr_timer_start(&app->stats.timers, VR_PHASE_READ);
    int rc = vr_volume_read(app->comm, app->cfg.input, app->cfg.dataset, app->dims,
                            app->cfg.axis, app->tf.scale == VR_SCALE_LINEAR, &vol, err);
    if (rc == VR_OK)
        rc = vr_workspace_create(app->comm, &app->cfg, app->dims, &app->ws, err);
    if (rc == VR_OK)
        rc = vr_projection_compute(app->comm, &vol, app->ws.logmean, err);
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
        rc = vr_frame_writer_projection(&app->writer, app->ws.logmean, app->dims,
                                        app->float_out, err);
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

/* One angle: render own samples, composite, rank 0 writes the frame. */
static int render_angle(App *app, int n, int frame, VrError *err)
{
    VrWorkspace *ws = &app->ws;
    VrView view;
    int rc = vr_camera_frame(&app->camera, n, &view, err); /* checked before reading */
    if (rc != VR_OK)
        vr_fatal(app->comm, "%s", err->msg);

    vr_timer_start(&app->stats.timers, VR_PHASE_RENDER);
    app->stats.samples += vr_render_view(app->renderer, &view, &app->table, ws->partial);
    vr_timer_stop(&app->stats.timers, VR_PHASE_RENDER);
    inject_orbit_failure(app, n);

    vr_timer_start(&app->stats.timers, VR_PHASE_COMPOSITE);
    vr_camera_rank_order(&view, app->dims, app->cfg.axis, app->nranks, ws->order);
    vr_composite(app->compositor, ws->partial, ws->order, ws->final);
    vr_timer_stop(&app->stats.timers, VR_PHASE_COMPOSITE);

    vr_timer_start(&app->stats.timers, VR_PHASE_WRITE);
    if (app->rank == 0)
        rc = vr_frame_writer_frame(&app->writer, ws->final, &view, frame, app->float_out,
                                   err);
    vr_timer_stop(&app->stats.timers, VR_PHASE_WRITE);
    return vr_agree(app->comm, rc, err);
}

static int render_orbit(App *app, VrError *err)
{
    const VrConfig *cfg = &app->cfg;
    int rc = vr_compositor_create(app->comm, cfg->composite,
                                  (int64_t)cfg->image_width * cfg->image_height,
                                  &app->compositor, err);
    for (int n = cfg->first_angle; rc == VR_OK && n <= cfg->last_angle; n++) {
        if (vr_workspace_frame_done(app->comm, cfg, n)) {
            app->stats.frames_skipped++;
            continue;
        }
        if (app->rank == 0 && !cfg->quiet) {
            printf("Rendering Scene %d of %d.\n", n + 1, cfg->angles);
            fflush(stdout);
        }
        rc = render_angle(app, n, n - cfg->first_angle, err);
        app->stats.frames += rc == VR_OK;
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

static int run(App *app, VrError *err)
{
    int rc = check_job(app, err);
    if (rc == VR_OK)
        rc = load_volume(app, err);
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
    if (app->compositor) {
        app->stats.bytes_swapped = vr_compositor_bytes_swapped(app->compositor);
        app->stats.bytes_gathered = vr_compositor_bytes_gathered(app->compositor);
    }
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
    vr_config_defaults(&app.cfg);
    /* Every rank parses the same argv, so the verdict is already agreed. */
    int rc = vr_config_parse(&app.cfg, argc, argv, &err);
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
    vr_timer_stop(&app.stats.timers, VR_PHASE_TOTAL);
    if (rc == VR_OK) {
        note_transfer_function(&app);
        rc = vr_report(app.comm, &app.cfg, app.dims, &app.stats, &err);
        rc = vr_agree(app.comm, rc, &err);
    }
    if (rc != VR_OK && app.rank == 0)
        vr_print_error(&err);
    vr_compositor_free(app.compositor);
    vr_renderer_free(app.renderer);
    vr_camera_free(&app.camera);
    vr_workspace_free(&app.ws);
    vr_frame_writer_free(&app.writer);
    vr_tf_table_free(&app.table);
    vr_tf_free(&app.tf);
    MPI_Finalize();
    return vr_test_record_exit(app.rank, vr_exit_code(rc));
}
