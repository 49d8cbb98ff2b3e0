#include "vr/frame_writer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vr/output.h"

#ifndef VR_VERSION
#define VR_VERSION "unknown"
#endif
#ifndef VR_GIT_REVISION
#define VR_GIT_REVISION "unknown"
#endif

int vr_frame_writer_create(const VrConfig *cfg, const VrTf *tf, const VrDataRange *dr,
                           int64_t npix, int64_t proj_pixels, VrFrameWriter *fw,
                           VrError *err)
{
    memset(fw, 0, sizeof *fw);
    fw->cfg = cfg;
    fw->channels = cfg->png_channels;
    fw->depth = cfg->png_depth;
    fw->npix = npix;
    for (int c = 0; c < 3; c++)
        fw->background[c] = (float)tf->background[c];
    snprintf(fw->software, sizeof fw->software, "volrender_mpi %s (git %s)", VR_VERSION,
             VR_GIT_REVISION);
    if (tf->kind == VR_TF_COLORMAP)
        snprintf(fw->range_text, sizeof fw->range_text, "%.17g %.17g (%s of %s rho%s)",
                 tf->range[0], tf->range[1],
                 tf->range_mode == VR_RANGE_GIVEN  ? "given"
                 : tf->range_mode == VR_RANGE_AUTO ? "auto"
                                                   : "percentiles",
                 vr_scale_name(tf->scale),
                 dr && dr->counted > 0 ? ", over the data's finite non-empty voxels" : "");
    else
        snprintf(fw->range_text, sizeof fw->range_text, "none (the %s transfer function "
                 "is absolute in x)", tf->kind == VR_TF_GAUSSIANS ? "gaussians" : "points");
    const int64_t bytes = npix * fw->channels * (fw->depth / 8);
    fw->pixels = malloc((size_t)bytes);
    fw->proj = proj_pixels > 0 ? malloc((size_t)proj_pixels * 3) : NULL;
    fw->tf_json = vr_tf_to_json(tf);
    if (!fw->pixels || (proj_pixels > 0 && !fw->proj) || !fw->tf_json) {
        vr_frame_writer_free(fw);
        return vr_fail(err, VR_ERR_NOMEM, "cannot allocate the frame buffers");
    }
    return VR_OK;
}

void vr_frame_writer_free(VrFrameWriter *fw)
{
    if (!fw)
        return;
    free(fw->pixels);
    free(fw->proj);
    free(fw->tf_json);
    memset(fw, 0, sizeof *fw);
}

int vr_frame_writer_describe(const VrFrameWriter *fw, const VrTf *tf,
                             const VrTfTable *table, VrFloatOut *fo, VrError *err)
{
    int rc = vr_float_out_attr_text(fo, "transfer_function", fw->tf_json, err);
    if (rc == VR_OK && tf->kind == VR_TF_COLORMAP) {
        char mode[96];
        if (tf->range_mode == VR_RANGE_PERCENTILES)
            snprintf(mode, sizeof mode, "percentiles p%.17g:p%.17g", tf->percentiles[0],
                     tf->percentiles[1]);
        else
            snprintf(mode, sizeof mode, "%s", tf->range_mode == VR_RANGE_AUTO ? "auto"
                                                                              : "given");
        rc = vr_float_out_attr_doubles(fo, "data_range", tf->range, 2, err);
        if (rc == VR_OK)
            rc = vr_float_out_attr_text(fo, "data_range_mode", mode, err);
    }
    if (rc == VR_OK)
        rc = vr_float_out_attr_text(fo, "scale", vr_scale_name(tf->scale), err);
    if (rc == VR_OK)
        rc = vr_float_out_attr_doubles(fo, "background", tf->background, 3, err);
    if (rc == VR_OK)
        rc = vr_float_out_attr_doubles(fo, "opacity_unit", &tf->opacity_unit, 1, err);
    if (rc == VR_OK)
        rc = vr_float_out_attr_int(fo, "tf_table_nodes", table->reference ? 0 : table->n,
                                   err);
    if (rc == VR_OK)
        rc = vr_float_out_attr_doubles(fo, "tf_table_max_error", table->max_error, 4, err);
    return rc;
}

int vr_frame_writer_projection(VrFrameWriter *fw, const float *logmean,
                               const VrProjectionStyle *style_of, const int64_t dims[3],
                               VrFloatOut *fo, VrError *err)
{
    const VrConfig *cfg = fw->cfg;
    const VrProjectionStyle st = *style_of;
    int rc = VR_OK;
    char path[4400], style[400];
    vr_output_join(cfg->output_dir, "projection.png", path, sizeof path);
    vr_projection_colorize(logmean, dims[1], dims[2], &st, fw->proj);
    snprintf(style, sizeof style,
             "%s(mean of rho along axis 0), colour map %s over [%.9g, %.9g] (%s)",
             vr_scale_name(st.scale), st.cmap_name, st.lo, st.hi, st.range_mode);
    const VrPngText text[] = {
        {"Software", fw->software},
        {"volrender:command", cfg->command_line},
        {"volrender:projection", style},
    };
    rc = vr_png_write(path, (int)dims[2], (int)dims[1], 3, 8, fw->proj, text,
                      (int)(sizeof text / sizeof text[0]), err);
    if (rc == VR_OK && fo)
        rc = vr_float_out_write_projection(fo, logmean, err);
    if (rc == VR_OK && fo) {
        const double range[2] = {st.lo, st.hi};
        rc = vr_float_out_attr_text(fo, "projection_style", style, err);
        if (rc == VR_OK)
            rc = vr_float_out_attr_doubles(fo, "projection_range", range, 2, err);
    }
    return rc;
}

/* The camera of a frame, in words and numbers. */
static void describe_camera(const VrView *view, char *out, size_t cap)
{
    const double *c = view->centre, *u = view->eu, *v = view->ev, *w = view->ew;
    snprintf(out, cap,
             "frame %d: %s, theta = %.17g rad; %d x %d pixels (W x H), %d samples per "
             "ray; centre (%.9g, %.9g, %.9g), e_u (%.9g, %.9g, %.9g), e_v (%.9g, %.9g, "
             "%.9g), e_w (%.9g, %.9g, %.9g); box W_u %.9g, W_w %.9g, depth %.9g",
             view->index,
             view->lens == VR_LENS_PERSPECTIVE ? "perspective" : "orthographic",
             view->theta, view->W, view->H, view->S, c[0], c[1], c[2], u[0], u[1], u[2],
             v[0], v[1], v[2], w[0], w[1], w[2], view->width_u, view->width_w, view->depth);
    if (view->lens == VR_LENS_PERSPECTIVE) {
        const size_t n = strlen(out);
        snprintf(out + n, cap - n, "; fov %.9g deg, eye (%.9g, %.9g, %.9g)",
                 view->fov * 180.0 / M_PI, view->eye[0], view->eye[1], view->eye[2]);
    }
}

int vr_frame_writer_frame(VrFrameWriter *fw, const float *image, const VrView *view, int f,
                          VrFloatOut *fo, VrError *err)
{
    const VrConfig *cfg = fw->cfg;
    char path[4400], camera[1024];
    vr_output_frame_path(cfg->output_dir, cfg->prefix, view->index, path,
                         sizeof path);
    describe_camera(view, camera, sizeof camera);
    vr_frame_to_pixels(image, (long)fw->npix, fw->background, fw->channels, fw->depth,
                       fw->pixels);
    const VrPngText text[] = {
        {"Software", fw->software},
        {"volrender:command", cfg->command_line},
        {"volrender:camera", camera},
        {"volrender:transfer_function", fw->tf_json},
        {"volrender:data_range", fw->range_text},
    };
    int rc = vr_png_write(path, view->W, view->H, fw->channels, fw->depth, fw->pixels, text,
                          (int)(sizeof text / sizeof text[0]), err);
    if (rc == VR_OK && fo)
        rc = vr_float_out_write_frame(fo, f, view->index, view->theta, image, err);
    if (rc == VR_OK && fo)
        rc = vr_float_out_write_view(fo, f, view, err);
    return rc;
}
