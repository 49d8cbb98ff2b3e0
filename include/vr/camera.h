/* camera.h — the reference's orthographic orbit about the x axis.
 *
 * Image row r and column q and depth index s map to camera coordinates
 * u = c(r), w = c(q), v = c_depth(s), where c spreads N points evenly over
 * [-N/2, N/2]; world X = u, Y = v cos t - w sin t, Z = v sin t + w cos t.
 * Rays run along +v; s = S-1 is nearest the viewer. */
#ifndef VR_CAMERA_H
#define VR_CAMERA_H

#include <stdint.h>

typedef struct {
    int N;             /* image is N x N; the camera box is N units wide */
    int S;             /* samples per ray */
    int angle_index;   /* n in theta_n = (pi/2) n / angles */
    int angles;
    double theta;      /* radians */
    double cos_t;
    double sin_t;
} VrView;

/* The view of angle n of an orbit of `angles`. */
void vr_camera_view(int N, int S, int angles, int n, VrView *view);

/* Coordinate of point m of `count` points spread over [-N/2, N/2], as
 * numpy's linspace computes it (the last point is exactly N/2). */
static inline double vr_camera_coord(int m, int count, int N)
{
    if (m == count - 1)
        return 0.5 * N;
    return (double)m * ((double)N / (double)(count - 1)) + -0.5 * N;
}

/* Fractional grid index of world coordinate x on an axis of n points
 * (grid from -n/2 to n/2 inclusive). */
static inline double vr_grid_index(double x, int64_t n)
{
    return (x + 0.5 * (double)n) * ((double)(n - 1) / (double)n);
}

/* The world direction of the rays, (0, cos t, sin t). */
void vr_camera_ray_dir(const VrView *view, double dir[3]);

/* Visibility order of the ranks of a decomposition along `axis` into
 * contiguous blocks in rank order: order[0] is the rank nearest the
 * viewer, order[nranks-1] the farthest. */
void vr_camera_rank_order(const VrView *view, int axis, int nranks, int *order);

#endif
