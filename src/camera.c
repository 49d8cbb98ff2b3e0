#include "vr/camera.h"

#include <math.h>

void vr_camera_view(int N, int S, int angles, int n, VrView *view)
{
    view->N = N;
    view->S = S;
    view->angles = angles;
    view->angle_index = n;
    view->theta = (M_PI / 2.0) * (double)n / (double)angles;
    view->cos_t = cos(view->theta);
    view->sin_t = sin(view->theta);
}

void vr_camera_ray_dir(const VrView *view, double dir[3])
{
    dir[0] = 0.0;
    dir[1] = view->cos_t;
    dir[2] = view->sin_t;
}

void vr_camera_rank_order(const VrView *view, int axis, int nranks, int *order)
{
    double dir[3];
    vr_camera_ray_dir(view, dir);
    /* Rays travel towards the viewer along +dir: when the axis component is
     * positive the high planes (high ranks) are in front.  A zero component
     * means each ray stays in one slab, so any order is right. */
    const int front_is_high = dir[axis] > 0.0;
    for (int i = 0; i < nranks; i++)
        order[i] = front_is_high ? nranks - 1 - i : i;
}
