/* camera.h — view geometry: frames, boxes, orbits, view lists, and the
 * visibility order of the ranks (SPEC "Views").
 *
 * A view is a box of samples in world coordinates: centre C and three
 * orthonormal directions e_u (image rows, row 0 at the top), e_v (depth:
 * rays travel along +e_v towards the viewer, sample s = S-1 is nearest)
 * and e_w (image columns).  Orthographic sample (r, s, q) is
 *   P = C + u_r e_u + v_s e_v + w_q e_w,
 * u, v, w linspace points over the box's widths; perspective sample
 *   P = C + v_s e_v + (1 - v_s / d) (u_r e_u + w_q e_w),
 * the eye at E = C + d e_v.  The reference is the orbit about x with
 * H = W = S = N and default widths.
 *
 * Where the frames come from (VrCameraConfig, from the command line):
 * an orbit about a coordinate axis (start, span, elevation) or a list of
 * views (JSON Lines, one view per frame).  vr_camera_setup checks every
 * frame of the job before anything is read; vr_camera_frame then gives
 * frame n.  The setup is pure apart from reading the views file. */
#ifndef VR_CAMERA_H
#define VR_CAMERA_H

#include <stdint.h>
#include <stdio.h>

#include "vr/decomp.h"
#include "vr/error.h"

/* The camera options as given (0 / "" = not given). */
typedef struct {
    int orbit_axis;          /* 0, 1, 2 (default 0: x) */
    double orbit_start;      /* degrees (default 0) */
    double orbit_degrees;    /* the span of the orbit, degrees (default 90) */
    double elevation;        /* degrees (default 0) */
    int fit;                 /* --fit: the whole cube in view */
    double width;            /* --width L (0 = default) */
    double depth;            /* --depth L (0 = default) */
    double fov;              /* --perspective FOV in degrees (0 = orthographic) */
    char views_file[4096];   /* --views FILE ("" = an orbit) */
    int orbit_given;         /* any of --orbit-*, --elevation given */
} VrCameraConfig;

typedef enum { VR_LENS_ORTHOGRAPHIC = 0, VR_LENS_PERSPECTIVE = 1 } VrLens;

typedef struct {
    int H, W, S;             /* rows, columns, samples per ray */
    int index;               /* frame number n (angle or view index) */
    double theta;            /* orbit angle, radians (0 for list views) */
    double centre[3];
    double eu[3], ev[3], ew[3];
    double width_u;          /* W_u = delta (H - 1) */
    double width_w;          /* W_w = delta (W - 1) */
    double depth;            /* W_v */
    VrLens lens;
    double fov;              /* vertical field of view, radians (perspective) */
    double dist;             /* d = |E - C| (perspective) */
    double eye[3];           /* E (perspective) */
    int orbit_axis;          /* the orbit's axis 0..2 if every sample of image
                                row r lies on one plane normal to it (an
                                orthographic orbit without elevation, centred
                                at the origin); else -1 */
} VrView;

/* One view of a views file, as written there. */
typedef struct {
    int line;                /* line number in the file */
    double focus[3];
    double look[3];          /* towards the scene */
    int has_position;
    double position[3];
    double up[3];
    double width, depth;     /* 0 = default */
    int fit;
    double fov;              /* degrees; 0 = orthographic */
} VrViewSpec;

typedef struct {
    VrCameraConfig cfg;
    int H, W, S;
    int64_t dims[3];
    int angles;              /* frames of an orbit */
    int nviews;              /* views of the list (0 for an orbit) */
    VrViewSpec *views;
} VrCamera;

/* Defaults of the camera options: the reference orbit about x. */
void vr_camera_config_defaults(VrCameraConfig *cc);

/* Command line: if arg is a camera option ("--name", "--name=value"),
 * applies it and sets *consumed to the arguments used (1, or 2 with the
 * value from next, which may be NULL); else *consumed = 0.  VR_ERR_USAGE
 * with one sentence for a bad value. */
int vr_camera_parse_option(VrCameraConfig *cc, const char *arg, const char *next,
                           int *consumed, VrError *err);

/* Cross-option rules of the camera options (angles_given: -a was given). */
int vr_camera_check_options(const VrCameraConfig *cc, int angles_given, VrError *err);

/* The camera options' lines of --help. */
void vr_camera_print_usage(FILE *out);

/* Builds the job's camera: reads and checks the views file if any, and
 * checks that frames first..last (inclusive; last = -1: the last frame)
 * are all valid views of a cube of `dims`.  Errors name the option, or the
 * file and line.  *nframes gets the number of frames (angles, or views).
 * vr_camera_free releases it (accepts a zeroed camera). */
int vr_camera_setup(const VrCameraConfig *cc, int H, int W, int S, int angles,
                    const int64_t dims[3], VrCamera *cam, int *nframes, VrError *err);
void vr_camera_free(VrCamera *cam);

/* The view of frame n (0 <= n < frames).  Returns VR_OK, or an error
 * naming what is wrong with the view (vr_camera_setup has already
 * checked every frame the job renders). */
int vr_camera_frame(const VrCamera *cam, int n, VrView *view, VrError *err);

/* Frame n of the orbit cc describes (no views file), H x W x S. */
void vr_camera_orbit_frame(const VrCameraConfig *cc, int H, int W, int S, int angles,
                           const int64_t dims[3], int n, VrView *view);

/* The reference orbit's view n of `angles` (H = W = N), for tools and
 * tests that want it without a configuration. */
void vr_camera_view(int N, int S, int angles, int n, VrView *view);

/* Coordinate of point m of `count` points spread over [-width/2,
 * width/2], as numpy's linspace computes it (the last point is exactly
 * width/2). */
static inline double vr_camera_coord(int m, int count, double width)
{
    if (m == count - 1)
        return 0.5 * width;
    return (double)m * (width / (double)(count - 1)) + -0.5 * width;
}

/* Fractional grid index of world coordinate x on an axis of n points
 * (grid from -n/2 to n/2 inclusive). */
static inline double vr_grid_index(double x, int64_t n)
{
    return (x + 0.5 * (double)n) * ((double)(n - 1) / (double)n);
}

/* The world point of the ray of pixel (r, q) at depth v = 0 (on the image
 * plane) and its change per unit of v: sample (r, s, q) is
 * base + v_s * step.  Orthographic: step = e_v; perspective:
 * step = e_v - (u e_u + w e_w) / d. */
void vr_camera_ray(const VrView *view, int r, int q, double base[3], double step[3]);

/* Visibility order of the ranks of the job's decomposition (decomp.h,
 * decomp->nranks slabs in rank order along decomp->axis): order[0] is the rank in front,
 * order[nranks-1] the one behind the others.  Orthographic: by the sign of
 * e_v along the axis.  Perspective: by the distance along the axis from
 * the eye to each slab (camera.c proves that this is a visibility order
 * for every ray, also when rays cross a split plane from both sides). */
void vr_camera_rank_order(const VrView *view, const VrDecomp *decomp, int *order);

/* "x", "y" or "z". */
const char *vr_camera_axis_name(int axis);

#endif
