/* The camera's command-line options (config.c hands over what it does
 * not know). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vr/camera.h"

enum { CAM_AXIS, CAM_START, CAM_DEGREES, CAM_ELEVATION, CAM_FIT, CAM_WIDTH, CAM_DEPTH,
       CAM_PERSPECTIVE, CAM_VIEWS };

static const struct {
    const char *name;
    int id, takes_value;
    const char *accepts;
} CAM_OPTIONS[] = {
    {"orbit-axis", CAM_AXIS, 1, "x, y or z"},
    {"orbit-start", CAM_START, 1, "an angle in degrees"},
    {"orbit-degrees", CAM_DEGREES, 1, "an angle in degrees, -36000 to 36000"},
    {"elevation", CAM_ELEVATION, 1, "an angle in degrees, -90 to 90"},
    {"fit", CAM_FIT, 0, NULL},
    {"width", CAM_WIDTH, 1, "a length > 0 in world units"},
    {"depth", CAM_DEPTH, 1, "a length > 0 in world units"},
    {"perspective", CAM_PERSPECTIVE, 1, "a field of view in degrees, > 0 and < 180"},
    {"views", CAM_VIEWS, 1, "a JSON Lines file of views"},
};

/* The user's text, printable and short, for a message. */
static void shown(const char *text, char out[160])
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p && n < 150; p++) {
        if (n > 120) {
            memcpy(out + n, "...", 4);
            return;
        }
        if (*p < 0x20 || *p == 0x7f)
            n += (size_t)snprintf(out + n, 160 - n, "\\x%02x", *p);
        else
            out[n++] = (char)*p;
    }
    out[n] = '\0';
}

/* A whole finite number in [lo, hi] (open at lo when lo_open). */
static int number(const char *opt, const char *text, double lo, int lo_open, double hi,
                  const char *accepts, double *out, VrError *err)
{
    char s[160];
    shown(text, s);
    char *end = NULL;
    errno = 0;
    const double v = strtod(text, &end);
    if (text[0] == '\0' || isspace((unsigned char)text[0]) || *end != '\0' ||
        errno == ERANGE || !isfinite(v))
        return vr_fail(err, VR_ERR_USAGE, "option --%s: '%s' is not a number (accepted: %s)",
                       opt, s, accepts);
    if (v > hi || v < lo || (lo_open && v == lo))
        return vr_fail(err, VR_ERR_USAGE, "option --%s: %s is out of range (accepted: %s)",
                       opt, s, accepts);
    *out = v;
    return VR_OK;
}

int vr_camera_parse_option(VrCameraConfig *cc, const char *arg, const char *next,
                           int *consumed, VrError *err)
{
    *consumed = 0;
    if (strncmp(arg, "--", 2) != 0)
        return VR_OK;
    const char *name = arg + 2, *eq = strchr(name, '=');
    const size_t len = eq ? (size_t)(eq - name) : strlen(name);
    int i = 0;
    const int n = (int)(sizeof CAM_OPTIONS / sizeof CAM_OPTIONS[0]);
    while (i < n && !(strlen(CAM_OPTIONS[i].name) == len &&
                      strncmp(CAM_OPTIONS[i].name, name, len) == 0))
        i++;
    if (i == n)
        return VR_OK;
    const char *opt = CAM_OPTIONS[i].name;
    const char *v = eq ? eq + 1 : next;
    if (!CAM_OPTIONS[i].takes_value) {
        if (eq)
            return vr_fail(err, VR_ERR_USAGE, "option --%s takes no value", opt);
        *consumed = 1;
    } else {
        if (!v)
            return vr_fail(err, VR_ERR_USAGE, "option --%s needs a value (%s)", opt,
                           CAM_OPTIONS[i].accepts);
        *consumed = eq ? 1 : 2;
    }
    const char *acc = CAM_OPTIONS[i].accepts;
    char s[160];
    switch (CAM_OPTIONS[i].id) {
    case CAM_AXIS:
        cc->orbit_given = 1;
        if (strcmp(v, "x") == 0 || strcmp(v, "y") == 0 || strcmp(v, "z") == 0) {
            cc->orbit_axis = v[0] - 'x';
            return VR_OK;
        }
        shown(v, s);
        return vr_fail(err, VR_ERR_USAGE, "option --%s: '%s' is not an axis (accepted: x, "
                       "y or z)", opt, s);
    case CAM_START:
        cc->orbit_given = 1;
        return number(opt, v, -36000.0, 0, 36000.0, "an angle in degrees, -36000 to 36000",
                      &cc->orbit_start, err);
    case CAM_DEGREES:
        cc->orbit_given = 1;
        return number(opt, v, -36000.0, 0, 36000.0, acc, &cc->orbit_degrees, err);
    case CAM_ELEVATION:
        cc->orbit_given = 1;
        return number(opt, v, -90.0, 0, 90.0, acc, &cc->elevation, err);
    case CAM_FIT:
        cc->fit = 1;
        return VR_OK;
    case CAM_WIDTH: return number(opt, v, 0.0, 1, 1e12, acc, &cc->width, err);
    case CAM_DEPTH: return number(opt, v, 0.0, 1, 1e12, acc, &cc->depth, err);
    case CAM_PERSPECTIVE:
        if (number(opt, v, 0.0, 1, 180.0, acc, &cc->fov, err) != VR_OK || cc->fov == 180.0)
            return vr_fail(err, VR_ERR_USAGE, "option --%s: '%s' is not a field of view "
                           "(accepted: degrees, > 0 and < 180)", opt, (shown(v, s), s));
        return VR_OK;
    case CAM_VIEWS:
        if (v[0] == '\0')
            return vr_fail(err, VR_ERR_USAGE, "option --%s: the value is empty", opt);
        if (strlen(v) >= sizeof cc->views_file)
            return vr_fail(err, VR_ERR_USAGE, "option --%s: the value is too long", opt);
        strcpy(cc->views_file, v);
        return VR_OK;
    }
    return vr_fail(err, VR_ERR_INTERNAL, "option --%s: not handled", opt);
}

int vr_camera_check_options(const VrCameraConfig *cc, int angles_given, VrError *err)
{
    if (cc->views_file[0] && cc->orbit_given)
        return vr_fail(err, VR_ERR_USAGE,
                       "option --views excludes --orbit-axis, --orbit-start, "
                       "--orbit-degrees and --elevation (each view gives its own direction)");
    if (cc->views_file[0] && angles_given)
        return vr_fail(err, VR_ERR_USAGE,
                       "option --views excludes --angles (there is one frame per view)");
    if (cc->fit && cc->width > 0.0)
        return vr_fail(err, VR_ERR_USAGE, "options --fit and --width exclude each other");
    return VR_OK;
}

void vr_camera_print_usage(FILE *out)
{
    fputs(
"      --orbit-axis x|y|z  axis of the orbit (default x); the angles span\n"
"                          --orbit-degrees from --orbit-start\n"
"      --orbit-start DEG   angle of frame 0 (default 0)\n"
"      --orbit-degrees DEG span of the orbit: frame n is at START + DEG n/A\n"
"                          (default 90; -a 360 --orbit-degrees 360 is a full\n"
"                          turn in 1-degree steps)\n"
"      --elevation DEG     the viewer rises DEG towards the image's top,\n"
"                          -90 to 90 (default 0)\n"
"      --fit               the shorter image side and the depth span the\n"
"                          cube's diagonal: the whole cube in view\n"
"      --width L           the longer image side spans L world units (and\n"
"                          the depth, unless --depth; default max(W, H))\n"
"      --depth L           depth of the box of samples, world units\n"
"      --perspective FOV   perspective lens, vertical field of view FOV\n"
"                          degrees; the eye at (W_u / 2) / tan(FOV / 2)\n"
"                          from the centre, outside the box\n"
"      --views FILE        one view per frame from a JSON Lines file: focus,\n"
"                          look or position, up; optional width, depth,\n"
"                          fit, fov (not with --orbit-*, --elevation, -a)\n", out);
}
