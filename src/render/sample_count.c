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
 * kernel cuts it for a rank's block.  Only the rays through the box's
 * footprint on the frame are followed (box_pixels): the others have no
 * sample in it. */
#include "render_internal.h"

#include <math.h>

/* Pixel index m of image coordinate x (vr_camera_coord's inverse). */
static double pixel_of(double x, int count, double width)
{
    return (x + 0.5 * width) * (double)(count - 1) / width;
}

/* Rows [*ra, *rb) and columns [*qa, *qb) outside of which no ray has a
 * sample in the box lim[] (grid indices per axis): the box's corners in
 * the frame's coordinates, bounded for every depth of the samples (a
 * perspective ray's side offset scales by 1 / (1 - v / d), v within the
 * box of samples' depth), widened by two pixels against rounding. */
static void box_pixels(const VrView *view, const int64_t dims[3], const AxisLine lim[3],
                       int *ra, int *rb, int *qa, int *qb)
{
    double umin = INFINITY, umax = -INFINITY, wmin = INFINITY, wmax = -INFINITY;
    for (int c = 0; c < 8; c++) {
        double rel[3];
        for (int a = 0; a < 3; a++) {
            const double n = (double)dims[a], f = (c >> a) & 1 ? lim[a].hi : lim[a].lo;
            rel[a] = f * n / (n - 1.0) - 0.5 * n - view->centre[a];
        }
        double u = 0.0, w = 0.0;
        for (int a = 0; a < 3; a++) {
            u += rel[a] * view->eu[a];
            w += rel[a] * view->ew[a];
        }
        umin = fmin(umin, u), umax = fmax(umax, u);
        wmin = fmin(wmin, w), wmax = fmax(wmax, w);
    }
    double smin = 1.0, smax = 1.0;
    if (view->lens == VR_LENS_PERSPECTIVE) {
        const double h = 0.5 * view->depth / view->dist; /* < 1: the eye is outside */
        smin = 1.0 / (1.0 + h);
        smax = 1.0 / (1.0 - h);
    }
    const double u0 = fmin(umin * smin, umin * smax), u1 = fmax(umax * smin, umax * smax);
    const double w0 = fmin(wmin * smin, wmin * smax), w1 = fmax(wmax * smin, wmax * smax);
    const double r0 = floor(pixel_of(u0, view->H, view->width_u)) - 2.0;
    const double r1 = ceil(pixel_of(u1, view->H, view->width_u)) + 3.0;
    const double q0 = floor(pixel_of(w0, view->W, view->width_w)) - 2.0;
    const double q1 = ceil(pixel_of(w1, view->W, view->width_w)) + 3.0;
    *ra = r0 < 0.0 ? 0 : r0 > view->H ? view->H : (int)r0;
    *rb = r1 < 0.0 ? 0 : r1 > view->H ? view->H : (int)r1;
    *qa = q0 < 0.0 ? 0 : q0 > view->W ? view->W : (int)q0;
    *qb = q1 < 0.0 ? 0 : q1 > view->W ? view->W : (int)q1;
    if (!(umin <= umax && wmin <= wmax)) /* not finite: every ray */
        *ra = 0, *rb = view->H, *qa = 0, *qb = view->W;
}

void vr_render_box_footprint(const VrView *view, const int64_t dims[3], const VrBlock *b,
                             int rect[4])
{
    AxisLine lim[3];
    for (int a = 0; a < 3; a++)
        vr_axis_limits(b, dims, a, &lim[a]);
    rect[0] = rect[1] = rect[2] = rect[3] = 0;
    if (!vr_block_empty(b))
        box_pixels(view, dims, lim, &rect[0], &rect[1], &rect[2], &rect[3]);
}

void vr_general_box_samples(const int64_t dims[3], const VrBlock *b, int axis,
                            const VrView *view, int r0, int r1, int step, int64_t weight,
                            int64_t *count)
{
    AxisLine lim[3];
    for (int a = 0; a < 3; a++)
        vr_axis_limits(b, dims, a, &lim[a]);
    if (vr_block_empty(b))
        return;
    int ra, rb, qa, qb;
    box_pixels(view, dims, lim, &ra, &rb, &qa, &qb);
    if (ra > r0) /* the first of this caller's rows (r0 + k step) in the box */
        r0 += (ra - r0 + step - 1) / step * step;
    r1 = r1 < rb ? r1 : rb;
    for (int row = r0; row < r1; row += step)
        for (int q = qa; q < qb; q++) {
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
