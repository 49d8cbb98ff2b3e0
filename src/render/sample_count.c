/* The general kernel's samples per plane, without rendering (the cost
 * model's count, render.h: vr_render_plane_samples).  Per ray, exactly as
 * general.c's setup_ray: the lines of the three axes (vr_ray_axis_line),
 * the depth interval inside the cube (vr_line_interval with the whole
 * cube's limits: what every slab's interval is cut from), then that
 * interval split at the planes of the decomposition axis where the line
 * crosses them (vr_line_plane_counts).  A slab [lo, hi) composites, for
 * this ray, the samples with lo <= f(s) < hi (or the cube's edge
 * tolerance at its ends), the very set counted in its planes.  For a box
 * the interval is cut by the box's limits on all three axes, as the
 * kernel cuts it for a rank's block. */
#include "render_internal.h"

void vr_general_box_samples(const int64_t dims[3], const VrBlock *b, int axis,
                            const VrView *view, int r0, int r1, int step, int64_t weight,
                            int64_t *count)
{
    AxisLine lim[3];
    for (int a = 0; a < 3; a++)
        vr_axis_limits(b, dims, a, &lim[a]);
    for (int row = r0; row < r1; row += step)
        for (int q = 0; q < view->W; q++) {
            double base[3], dir[3];
            vr_camera_ray(view, row, q, base, dir);
            int s0 = 0, s1 = view->S;
            AxisLine l[3];
            for (int a = 0; a < 3 && s0 < s1; a++) {
                l[a] = lim[a];
                vr_ray_axis_line(view, dims, a, base, dir, &l[a]);
                int a0, a1;
                vr_line_interval(&l[a], view->S, &a0, &a1);
                s0 = a0 > s0 ? a0 : s0;
                s1 = a1 < s1 ? a1 : s1;
            }
            if (s0 < s1)
                vr_line_plane_counts(&l[axis], s0, s1, dims[axis], b->own_lo[axis],
                                 weight, count);
        }
}
