/* The render interface: which kernel, and dispatch to it. */
#include "vr/render.h"

#include <math.h>
#include <stdlib.h>

#include "render_internal.h"

struct VrRenderer {
    VrKernel kernel;
    VrOrbitRenderer *orbit;
    VrGeneralRenderer *general;
};

const char *vr_kernel_name(VrKernel k)
{
    return k == VR_KERNEL_ORBIT_RESAMPLED ? "orbit-resampled" : "general";
}

VrKernel vr_render_choose_kernel(const VrView *first, const int64_t dims[3])
{
    const int a = first->orbit_axis;
    if (a < 0)
        return VR_KERNEL_GENERAL;
    /* Memory: about y and z the slab stays whole while the planes are
     * built, so they may not outgrow it (peak: twice the block); about x
     * it is given back as they are built. */
    const int64_t rows = vr_orbit_rows_inside(dims, first);
    if (rows > (a == 0 ? 2 : 1) * dims[a])
        return VR_KERNEL_GENERAL;
    /* The fast path's fixed-point positions take 16 columns at most 7
     * cells apart (orbit_resampled.c, Fix16). */
    const double h = first->width_w / (double)(first->W - 1);
    for (int p = 0; p < 3; p++)
        if (p != a && h * (double)(dims[p] - 1) / (double)dims[p] > 7.0)
            return VR_KERNEL_GENERAL;
    return VR_KERNEL_ORBIT_RESAMPLED;
}

VrKernel vr_render_kernel_of_job(const VrConfig *cfg, const int64_t dims[3], VrView *first)
{
    vr_camera_orbit_frame(&cfg->camera, cfg->image_height, cfg->image_width, cfg->samples,
                          cfg->angles, dims, 0, first);
    if (cfg->camera.views_file[0]) {
        first->orbit_axis = -1;
        return VR_KERNEL_GENERAL;
    }
    return vr_render_choose_kernel(first, dims);
}

int vr_renderer_create(VrVolume *vol, VrKernel kernel, const VrView *first,
                       VrRenderer **out, VrError *err)
{
    *out = NULL;
    VrRenderer *r = calloc(1, sizeof *r);
    if (!r)
        return vr_fail(err, VR_ERR_NOMEM, "cannot allocate the renderer");
    r->kernel = kernel;
    const int rc = kernel == VR_KERNEL_ORBIT_RESAMPLED
                       ? vr_orbit_renderer_create(vol, first, &r->orbit, err)
                       : vr_general_renderer_create(vol, first, &r->general, err);
    if (rc != VR_OK) {
        vr_renderer_free(r);
        return rc;
    }
    *out = r;
    return VR_OK;
}

void vr_renderer_free(VrRenderer *r)
{
    if (!r)
        return;
    vr_orbit_renderer_free(r->orbit);
    vr_general_renderer_free(r->general);
    free(r);
}

int64_t vr_renderer_bytes(const VrRenderer *r)
{
    return r ? vr_orbit_renderer_bytes(r->orbit) : 0;
}

int64_t vr_renderer_estimate_bytes(VrKernel kernel, const int64_t dims[3],
                                   const VrBlock *slab, const VrView *first)
{
    return kernel == VR_KERNEL_ORBIT_RESAMPLED ? vr_orbit_estimate_bytes(dims, slab, first)
                                               : vr_general_estimate_bytes(dims, slab);
}

int64_t vr_render_view(VrRenderer *r, const VrView *view, const VrTfTable *tf,
                       float *image)
{
    return r->kernel == VR_KERNEL_ORBIT_RESAMPLED
               ? vr_orbit_render(r->orbit, view, tf, image)
               : vr_general_render(r->general, view, tf, image);
}

void vr_render_plane_samples(VrKernel kernel, const int64_t dims[3], int axis,
                             const VrView *view, int r0, int r1, int step, int64_t weight,
                             int64_t *count)
{
    VrBlock all;
    vr_block_whole(dims, &all);
    vr_render_box_samples(kernel, dims, &all, axis, view, r0, r1, step, weight, count);
}

void vr_render_box_samples(VrKernel kernel, const int64_t dims[3], const VrBlock *b, int axis,
                           const VrView *view, int r0, int r1, int step, int64_t weight,
                           int64_t *count)
{
    if (vr_block_empty(b))
        return;
    if (kernel == VR_KERNEL_ORBIT_RESAMPLED)
        vr_orbit_box_samples(dims, b, axis, view, r0, r1, step, weight, count);
    else
        vr_general_box_samples(dims, b, axis, view, r0, r1, step, weight, count);
}
