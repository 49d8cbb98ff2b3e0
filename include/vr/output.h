/* output.h — files on disk: the output folder, frame names, PNG, and the
 * write-to-temporary-then-rename rule that keeps every output file whole.
 *
 * Only rank 0 calls these. */
#ifndef VR_OUTPUT_H
#define VR_OUTPUT_H

#include <stddef.h>

#include "vr/error.h"

/* Creates dir and its parents if missing; fails if a component is a file. */
int vr_output_make_dir(const char *dir, VrError *err);

/* dir/prefix<n>.png */
void vr_output_frame_path(const char *dir, const char *prefix, int n, char *path,
                          size_t cap);

/* dir/name */
void vr_output_join(const char *dir, const char *name, char *path, size_t cap);

/* The temporary name a file is written under before it is renamed:
 * "<dir>/.<name>.tmp.<pid>", in the same folder so the rename is atomic. */
void vr_output_temp_path(const char *path, char *tmp, size_t cap);

/* Renames tmp to path (atomic on POSIX); on failure removes tmp. */
int vr_output_commit(const char *tmp, const char *path, VrError *err);

/* 1 if path is an existing regular file. */
int vr_output_exists(const char *path);

/* Checks, without creating anything, that path can be written: not a
 * folder, writable if it exists, else its folder exists and is writable.
 * The message names the option that gave the path. */
int vr_output_check_file(const char *path, const char *option, VrError *err);

/* 1 if path is a whole PNG of width x height: signature, IHDR with that
 * size and the IEND chunk at its very end.  --resume trusts only those,
 * so a file cut short (by a crash after the rename, or a copy) is redone. */
int vr_output_png_complete(const char *path, int width, int height);

/* Removes, in dir, the temporaries of frames ".<prefix><n>.png.tmp.<pid>"
 * and of the projection that a killed run left; returns how many. */
int vr_output_remove_stale_temps(const char *dir, const char *prefix);

/* Writes an 8-bit RGB PNG (rgb: height rows of width*3 bytes) atomically. */
int vr_png_write_rgb(const char *path, int width, int height,
                     const unsigned char *rgb, VrError *err);

/* Frame bytes from a composited image (npix*4 floats): round(255 clip(c)),
 * black background, so the transmittance is not used. */
void vr_frame_to_rgb8(const float *image, long npix, unsigned char *rgb);

#endif
