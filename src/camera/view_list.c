/* Views files: JSON Lines, one view per line, e.g.
 *   {"focus": [0, 0, 0], "look": [1, -1, 0.5], "up": [0, 0, 1], "fov": 40}
 * Keys: focus (default the origin), look or position (one of them), up,
 * and optionally width, depth (> 0), fit (true/false), fov (degrees,
 * 0 < fov < 180).  Blank lines are skipped; anything else that is not such
 * an object stops the job with the line number. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "camera_internal.h"

/* Upper bound on the views of one file (one frame each). */
#define VR_MAX_VIEWS (1 << 20)

static int fail_line(VrError *err, const char *path, int line, const char *what)
{
    return vr_fail(err, VR_ERR_USAGE, "views file %s, line %d: %s", path, line, what);
}

/* A finite number, or NaN when v is not a number. */
static double number_of(const json_t *v)
{
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static int read_vec3(const json_t *obj, const char *key, double out[3], const char *path,
                     int line, VrError *err)
{
    const json_t *v = json_object_get(obj, key);
    char msg[256];
    if (!json_is_array(v) || json_array_size(v) != 3) {
        snprintf(msg, sizeof msg, "\"%s\" must be an array of 3 numbers", key);
        return fail_line(err, path, line, msg);
    }
    for (size_t k = 0; k < 3; k++) {
        out[k] = number_of(json_array_get(v, k));
        if (!isfinite(out[k])) {
            snprintf(msg, sizeof msg, "\"%s\" must be an array of 3 finite numbers", key);
            return fail_line(err, path, line, msg);
        }
    }
    return VR_OK;
}

static int read_positive(const json_t *obj, const char *key, double hi, double *out,
                         const char *path, int line, VrError *err)
{
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return VR_OK;
    const double x = number_of(v);
    char msg[256];
    if (!(x > 0.0 && x < hi)) {
        snprintf(msg, sizeof msg, "\"%s\" must be a number > 0 and < %g", key, hi);
        return fail_line(err, path, line, msg);
    }
    *out = x;
    return VR_OK;
}

/* One line's object into *vs. */
static int parse_view(const json_t *obj, const char *path, int line, VrViewSpec *vs,
                      VrError *err)
{
    static const char *const KEYS[] = {"focus", "look", "position", "up",
                                       "width", "depth", "fit", "fov"};
    memset(vs, 0, sizeof *vs);
    vs->line = line;
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)obj, key, value) {
        int known = 0;
        for (size_t i = 0; i < sizeof KEYS / sizeof KEYS[0]; i++)
            known |= strcmp(key, KEYS[i]) == 0;
        if (!known) {
            char msg[300];
            snprintf(msg, sizeof msg, "unknown key \"%.100s\" (accepted: focus, look, "
                     "position, up, width, depth, fit, fov)", key);
            return fail_line(err, path, line, msg);
        }
    }
    (void)value;
    int rc = VR_OK;
    if (json_object_get(obj, "focus"))
        rc = read_vec3(obj, "focus", vs->focus, path, line, err);
    const int has_look = json_object_get(obj, "look") != NULL;
    vs->has_position = json_object_get(obj, "position") != NULL;
    if (rc == VR_OK && has_look == vs->has_position)
        return fail_line(err, path, line, "give exactly one of \"look\" and \"position\"");
    if (rc == VR_OK)
        rc = has_look ? read_vec3(obj, "look", vs->look, path, line, err)
                      : read_vec3(obj, "position", vs->position, path, line, err);
    if (rc == VR_OK && !json_object_get(obj, "up"))
        return fail_line(err, path, line, "\"up\" is missing");
    if (rc == VR_OK)
        rc = read_vec3(obj, "up", vs->up, path, line, err);
    if (rc == VR_OK)
        rc = read_positive(obj, "width", 1e12, &vs->width, path, line, err);
    if (rc == VR_OK)
        rc = read_positive(obj, "depth", 1e12, &vs->depth, path, line, err);
    if (rc == VR_OK)
        rc = read_positive(obj, "fov", 180.0, &vs->fov, path, line, err);
    const json_t *fit = json_object_get(obj, "fit");
    if (rc == VR_OK && fit && !json_is_boolean(fit))
        return fail_line(err, path, line, "\"fit\" must be true or false");
    vs->fit = fit && json_is_true(fit);
    if (rc == VR_OK && vs->fit && vs->width > 0.0)
        return fail_line(err, path, line, "\"fit\" and \"width\" exclude each other");
    if (rc == VR_OK && vs->has_position && vs->fov > 0.0 && vs->width > 0.0)
        return fail_line(err, path, line, "\"width\" cannot be given with \"position\" "
                         "and \"fov\" (the eye's distance and the field of view set it)");
    return rc;
}

int vr_camera_read_views(const char *path, VrViewSpec **views, int *count, VrError *err)
{
    *views = NULL;
    *count = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return vr_fail(err, VR_ERR_USAGE, "option --views: cannot open '%s' (%s)", path,
                       strerror(errno));
    int rc = VR_OK, cap = 0, line = 0;
    char *buf = NULL;
    size_t bufcap = 0;
    ssize_t len;
    VrViewSpec *list = NULL;
    while (rc == VR_OK && (len = getline(&buf, &bufcap, f)) >= 0) {
        line++;
        size_t i = 0;
        while (i < (size_t)len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
                                   buf[i] == '\n'))
            i++;
        if (i == (size_t)len)
            continue; /* blank */
        json_error_t jerr;
        json_t *obj = json_loadb(buf, (size_t)len, JSON_REJECT_DUPLICATES, &jerr);
        if (!obj) {
            char msg[300];
            snprintf(msg, sizeof msg, "not valid JSON (%.200s)", jerr.text);
            rc = fail_line(err, path, line, msg);
            break;
        }
        if (!json_is_object(obj)) {
            json_decref(obj);
            rc = fail_line(err, path, line, "not a JSON object");
            break;
        }
        if (*count == VR_MAX_VIEWS) {
            json_decref(obj);
            rc = fail_line(err, path, line, "too many views (at most 1048576)");
            break;
        }
        if (*count == cap) {
            cap = cap ? 2 * cap : 16;
            VrViewSpec *grown = realloc(list, (size_t)cap * sizeof *list);
            if (!grown) {
                json_decref(obj);
                rc = vr_fail(err, VR_ERR_NOMEM, "cannot allocate the views of %s", path);
                break;
            }
            list = grown;
        }
        rc = parse_view(obj, path, line, &list[*count], err);
        json_decref(obj);
        if (rc == VR_OK)
            (*count)++;
    }
    if (rc == VR_OK && ferror(f))
        rc = vr_fail(err, VR_ERR_IO, "option --views: cannot read '%s'", path);
    if (rc == VR_OK && *count == 0)
        rc = vr_fail(err, VR_ERR_USAGE, "views file %s has no views (one JSON object per "
                     "line: focus, look or position, up)", path);
    free(buf);
    fclose(f);
    if (rc != VR_OK) {
        free(list);
        *count = 0;
        return rc;
    }
    *views = list;
    return VR_OK;
}
