/* camera_internal.h — what the files of src/camera share (not public). */
#ifndef VR_CAMERA_INTERNAL_H
#define VR_CAMERA_INTERNAL_H

#include "vr/camera.h"

/* Widths and depth of an H x W view's box (SPEC "Widths"): fit, or the
 * longer side spanning `width` (0 = max(H, W)); depth > 0 replaces W_v. */
void vr_camera_box(int H, int W, const int64_t dims[3], int fit, double width,
                   double depth, VrView *view);

/* Frame n of cam's view list. */
int vr_camera_list_frame(const VrCamera *cam, int n, VrView *view, VrError *err);

/* Reads a views file (JSON Lines): *views (malloc'd, caller frees) and
 * *count >= 1, or an error naming the file and line. */
int vr_camera_read_views(const char *path, VrViewSpec **views, int *count, VrError *err);

#endif
