/* Views: the box of a view (widths and depth), orbit frames, list views,
 * rays, and the checks of vr_camera_setup. */
#include "vr/camera.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "camera_internal.h"

void vr_camera_config_defaults(VrCameraConfig *cc)
{
    memset(cc, 0, sizeof *cc);
    cc->orbit_axis = 0;
    cc->orbit_start = 0.0;
    cc->orbit_degrees = 90.0;
}

const char *vr_camera_axis_name(int axis)
{
    return axis == 0 ? "x" : axis == 1 ? "y" : "z";
}

static double dot3(const double a[3], const double b[3])
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static void cross3(const double a[3], const double b[3], double out[3])
{
    out[0] = a[1] * b[2] - a[2] * b[1];
    out[1] = a[2] * b[0] - a[0] * b[2];
    out[2] = a[0] * b[1] - a[1] * b[0];
}

/* The box: W_u, W_w and W_v of an H x W image (SPEC "Widths").  The side
 * that spans the chosen length gets it exactly, so that H = W = N gives
 * the reference's N-unit box bit for bit. */
void vr_camera_box(int H, int W, const int64_t dims[3], int fit, double width,
                   double depth, VrView *view)
{
    const int M = H > W ? H : W, m = H < W ? H : W;
    double du, dw;
    if (fit) {
        const double D = sqrt((double)dims[0] * (double)dims[0] +
                              (double)dims[1] * (double)dims[1] +
                              (double)dims[2] * (double)dims[2]);
        const double delta = D / (double)(m - 1);
        du = H == m ? D : delta * (double)(H - 1);
        dw = W == m ? D : delta * (double)(W - 1);
        view->depth = D;
    } else {
        const double L = width > 0.0 ? width : (double)M;
        const double delta = L / (double)(M - 1);
        du = H == M ? L : delta * (double)(H - 1);
        dw = W == M ? L : delta * (double)(W - 1);
        view->depth = L;
    }
    if (depth > 0.0)
        view->depth = depth;
    view->width_u = du;
    view->width_w = dw;
}

/* Sets the lens: perspective of vertical field of view fov_deg (> 0) with
 * the eye at d = (W_u / 2) / tan(F / 2) on +e_v, or orthographic. */
static void set_lens(VrView *view, double fov_deg)
{
    if (fov_deg > 0.0) {
        view->lens = VR_LENS_PERSPECTIVE;
        view->fov = fov_deg * (M_PI / 180.0);
        view->dist = 0.5 * view->width_u / tan(0.5 * view->fov);
    } else {
        view->lens = VR_LENS_ORTHOGRAPHIC;
        view->fov = 0.0;
        view->dist = 0.0;
    }
    for (int a = 0; a < 3; a++)
        view->eye[a] = view->lens == VR_LENS_PERSPECTIVE
                           ? view->centre[a] + view->dist * view->ev[a]
                           : 0.0;
}

/* v rotated by angle (cos c, sin s) about world axis a, right-hand rule.
 * Written out per axis so that unit vectors rotate exactly (terms with a
 * zero factor are exact zeros): the x orbit's e_v is (0, cos t, sin t)
 * bit for bit, as the reference computes it. */
static void rotate_about(int a, double c, double s, const double v[3], double out[3])
{
    if (a == 0) {
        out[0] = v[0];
        out[1] = v[1] * c - v[2] * s;
        out[2] = v[1] * s + v[2] * c;
    } else if (a == 1) {
        out[0] = v[0] * c + v[2] * s;
        out[1] = v[1];
        out[2] = v[2] * c - v[0] * s;
    } else {
        out[0] = v[0] * c - v[1] * s;
        out[1] = v[0] * s + v[1] * c;
        out[2] = v[2];
    }
}

/* Frame n of an orbit of `angles` frames (SPEC "Orbits"). */
void vr_camera_orbit_frame(const VrCameraConfig *cc, int H, int W, int S, int angles,
                           const int64_t dims[3], int n, VrView *view)
{
    memset(view, 0, sizeof *view);
    view->H = H;
    view->W = W;
    view->S = S;
    view->index = n;
    const int a = cc->orbit_axis;
    /* The reference's own expression for its orbit, so that the default
     * job's angles are bit for bit what they were. */
    if (cc->orbit_start == 0.0 && cc->orbit_degrees == 90.0)
        view->theta = (M_PI / 2.0) * (double)n / (double)angles;
    else
        view->theta = (cc->orbit_start + cc->orbit_degrees * (double)n / (double)angles) *
                      (M_PI / 180.0);
    /* Base (e_u, e_v, e_w): (x, y, z), (y, z, x) or (z, x, y). */
    double bu[3] = {0, 0, 0}, bv[3] = {0, 0, 0}, bw[3] = {0, 0, 0};
    bu[a] = 1.0;
    bv[(a + 1) % 3] = 1.0;
    bw[(a + 2) % 3] = 1.0;
    if (cc->elevation != 0.0) { /* tilt about e_w: the viewer rises */
        const double phi = cc->elevation * (M_PI / 180.0);
        const double cp = cos(phi), sp = sin(phi);
        double tu[3], tv[3];
        for (int k = 0; k < 3; k++) {
            tu[k] = cp * bu[k] + sp * bv[k];
            tv[k] = cp * bv[k] - sp * bu[k];
        }
        memcpy(bu, tu, sizeof bu);
        memcpy(bv, tv, sizeof bv);
    }
    const double c = cos(view->theta), s = sin(view->theta);
    rotate_about(a, c, s, bu, view->eu);
    rotate_about(a, c, s, bv, view->ev);
    rotate_about(a, c, s, bw, view->ew);
    vr_camera_box(H, W, dims, cc->fit, cc->width, cc->depth, view);
    set_lens(view, cc->fov);
    view->orbit_axis = cc->elevation == 0.0 && view->lens == VR_LENS_ORTHOGRAPHIC ? a : -1;
}

void vr_camera_view(int N, int S, int angles, int n, VrView *view)
{
    VrCameraConfig cc;
    vr_camera_config_defaults(&cc);
    const int64_t dims[3] = {N, N, N}; /* unused without --fit */
    vr_camera_orbit_frame(&cc, N, N, S, angles, dims, n, view);
}

/* The view of a views-file entry (SPEC "Views from a list"); VR_OK or an
 * error naming the file's line. */
int vr_camera_list_frame(const VrCamera *cam, int n, VrView *view, VrError *err)
{
    const VrViewSpec *vs = &cam->views[n];
    const char *file = cam->cfg.views_file;
    memset(view, 0, sizeof *view);
    view->H = cam->H;
    view->W = cam->W;
    view->S = cam->S;
    view->index = n;
    view->orbit_axis = -1;
    double look[3];
    for (int k = 0; k < 3; k++) {
        view->centre[k] = vs->focus[k];
        look[k] = vs->has_position ? vs->focus[k] - vs->position[k] : vs->look[k];
    }
    const double ll = sqrt(dot3(look, look)), lu = sqrt(dot3(vs->up, vs->up));
    if (!(ll > 0.0))
        return vr_fail(err, VR_ERR_USAGE,
                       vs->has_position
                           ? "views file %s, line %d: \"position\" equals \"focus\" "
                             "(the looking direction is zero)"
                           : "views file %s, line %d: \"look\" is the zero vector",
                       file, vs->line);
    if (!(lu > 0.0))
        return vr_fail(err, VR_ERR_USAGE, "views file %s, line %d: \"up\" is the zero vector",
                       file, vs->line);
    for (int k = 0; k < 3; k++)
        view->ev[k] = -look[k] / ll;
    /* e_u = minus the unit part of up normal to e_v. */
    const double along = dot3(vs->up, view->ev);
    double perp[3];
    for (int k = 0; k < 3; k++)
        perp[k] = vs->up[k] - along * view->ev[k];
    const double lp = sqrt(dot3(perp, perp));
    if (!(lp > 1e-9 * lu))
        return vr_fail(err, VR_ERR_USAGE,
                       "views file %s, line %d: \"up\" is parallel to the looking "
                       "direction (give an up vector across it)",
                       file, vs->line);
    for (int k = 0; k < 3; k++)
        view->eu[k] = -perp[k] / lp;
    /* e_w = look x up, unit: with e_v = -look and e_u = -up's normal part
     * that is e_v x e_u, exactly orthonormal. */
    cross3(view->ev, view->eu, view->ew);
    const double fov = vs->fov > 0.0 ? vs->fov : cam->cfg.fov;
    const int fit = vs->fit || (cam->cfg.fit && vs->width == 0.0);
    vr_camera_box(cam->H, cam->W, cam->dims, fit, vs->width > 0.0 ? vs->width : cam->cfg.width,
                  vs->depth > 0.0 ? vs->depth : cam->cfg.depth, view);
    if (vs->has_position && fov > 0.0) {
        /* The eye given: d = |E - C|, W_u = 2 d tan(F / 2). */
        view->lens = VR_LENS_PERSPECTIVE;
        view->fov = fov * (M_PI / 180.0);
        view->dist = ll;
        view->width_u = 2.0 * ll * tan(0.5 * view->fov);
        view->width_w = cam->H > 1 ? view->width_u / (double)(cam->H - 1) * (double)(cam->W - 1)
                                   : view->width_u;
        for (int k = 0; k < 3; k++)
            view->eye[k] = vs->position[k];
    } else {
        set_lens(view, fov);
    }
    return VR_OK;
}

void vr_camera_ray(const VrView *view, int r, int q, double base[3], double step[3])
{
    const double u = vr_camera_coord(r, view->H, view->width_u);
    const double w = vr_camera_coord(q, view->W, view->width_w);
    for (int k = 0; k < 3; k++) {
        const double side = u * view->eu[k] + w * view->ew[k];
        base[k] = view->centre[k] + side;
        step[k] = view->lens == VR_LENS_PERSPECTIVE ? view->ev[k] - side / view->dist
                                                    : view->ev[k];
    }
}

/* What every view needs, whatever its source: a finite frame and, for a
 * perspective view, the eye outside the box. */
static int check_view(const VrCamera *cam, const VrView *v, VrError *err)
{
    char where[4300];
    if (cam->nviews > 0)
        snprintf(where, sizeof where, "views file %s, line %d", cam->cfg.views_file,
                 cam->views[v->index].line);
    else
        snprintf(where, sizeof where, "frame %d of the orbit", v->index);
    const double *vals[] = {v->centre, v->eu, v->ev, v->ew, v->eye};
    for (int i = 0; i < 5; i++)
        for (int k = 0; k < 3; k++)
            if (!isfinite(vals[i][k]))
                return vr_fail(err, VR_ERR_USAGE, "%s: the view is not finite (NaN or "
                               "infinite numbers)", where);
    if (!(v->width_u > 0.0 && v->width_w > 0.0 && v->depth > 0.0 && isfinite(v->width_u) &&
          isfinite(v->width_w) && isfinite(v->depth)))
        return vr_fail(err, VR_ERR_USAGE, "%s: the box's widths must be finite and > 0",
                       where);
    if (v->lens == VR_LENS_PERSPECTIVE && !(v->dist > 0.5 * v->depth))
        return vr_fail(err, VR_ERR_USAGE,
                       "%s: the eye is inside the box (eye distance %.6g from the centre, "
                       "box depth %.6g; need distance > depth / 2: a smaller field of "
                       "view, a farther eye or a smaller --depth)",
                       where, v->dist, v->depth);
    return VR_OK;
}

int vr_camera_frame(const VrCamera *cam, int n, VrView *view, VrError *err)
{
    int rc = VR_OK;
    if (cam->nviews > 0)
        rc = vr_camera_list_frame(cam, n, view, err);
    else
        vr_camera_orbit_frame(&cam->cfg, cam->H, cam->W, cam->S, cam->angles, cam->dims, n,
                              view);
    return rc == VR_OK ? check_view(cam, view, err) : rc;
}

void vr_camera_free(VrCamera *cam)
{
    free(cam->views);
    memset(cam, 0, sizeof *cam);
}

int vr_camera_setup(const VrCameraConfig *cc, int H, int W, int S, int angles,
                    const int64_t dims[3], VrCamera *cam, int *nframes, VrError *err)
{
    memset(cam, 0, sizeof *cam);
    cam->cfg = *cc;
    cam->H = H;
    cam->W = W;
    cam->S = S;
    cam->angles = angles;
    memcpy(cam->dims, dims, sizeof cam->dims);
    int rc = VR_OK;
    if (cc->views_file[0]) {
        rc = vr_camera_read_views(cc->views_file, &cam->views, &cam->nviews, err);
        if (rc != VR_OK)
            return rc;
    }
    *nframes = cam->nviews > 0 ? cam->nviews : angles;
    /* Every frame is checked (cheap: no samples), so that a bad one
     * stops the job before anything is read. */
    for (int n = 0; n < *nframes && rc == VR_OK; n++) {
        VrView view;
        rc = vr_camera_frame(cam, n, &view, err);
    }
    if (rc != VR_OK)
        vr_camera_free(cam);
    return rc;
}
