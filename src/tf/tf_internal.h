/* tf_internal.h — what the transfer-function files (tf.c, tf_json.c,
 * tf_export.c) share and nobody else needs. */
#ifndef VR_TF_INTERNAL_H
#define VR_TF_INTERNAL_H

#include "vr/tf.h"

/* At most this many gaussians, points, colours or opacity points. */
#define VR_TF_MAX_ENTRIES 65536

/* The opacity of a colour map when none is given (tf.c). */
extern const char VR_TF_DEFAULT_OPACITY[];

/* Parses an opacity text ("T:A,...", "ramp", "ramp:AMAX", "flat:A") into a
 * new array (caller frees), ends extended to t = 0 and 1.  Messages name
 * `option`. */
int vr_tf_parse_opacity(const char *text, const char *option, VrOpacityPoint **out,
                        int *n, VrError *err);

/* Extends increasing opacity points flat to t = 0 and t = 1 (reallocating
 * *pts); VR_ERR_NOMEM if that fails. */
int vr_tf_opacity_extend(VrOpacityPoint **pts, int *n, VrError *err);

/* Sets tf's colours to the named map's 256 entries at t = k / 255;
 * VR_ERR_USAGE (message naming `where`) for an unknown name. */
int vr_tf_set_named_colors(VrTf *tf, const char *name, const char *where, VrError *err);

/* snprintf into a growing text; sets *failed on allocation failure. */
typedef struct {
    char *buf;
    size_t len, cap;
    int failed;
} VrTfText;
void vr_tf_text_add(VrTfText *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The shortest of v's %.15g, %.16g, %.17g that reads back exactly. */
const char *vr_tf_num(double v, char out[40]);
/* Appends vr_tf_num(v). */
void vr_tf_text_num(VrTfText *t, double v);
/* Appends a JSON string literal. */
void vr_tf_text_str(VrTfText *t, const char *s);

#endif
