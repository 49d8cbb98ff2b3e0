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

/* One text chunk of a PNG: key is a PNG keyword (1 to 79 printable
 * Latin-1 characters), text any NUL-terminated string.  ASCII text is
 * written as tEXt, or zTXt (compressed) beyond 512 bytes; text with bytes
 * past ASCII is taken as UTF-8 and written as iTXt (compressed beyond 512
 * bytes).  Standard readers show all three (PIL's Image.text, `identify
 * -verbose`, `pngcheck -t`). */
typedef struct {
    const char *key;
    const char *text;
} VrPngText;

/* Writes a PNG atomically (temporary, then rename): channels 3 (RGB) or 4
 * (RGBA, straight alpha), depth 8 or 16 bits per sample; pixels holds
 * height rows of width*channels samples, uint8 or uint16 in host byte
 * order.  ntext chunks of text go before the image data.  Failures are one
 * message naming path and the cause (the system's reason for a failed
 * write, libpng's message otherwise); libpng prints nothing itself.
 * Removes the temporary on any failure. */
int vr_png_write(const char *path, int width, int height, int channels, int depth,
                 const void *pixels, const VrPngText *text, int ntext, VrError *err);

/* vr_png_write of 8-bit RGB without text (rgb: height rows of width*3). */
int vr_png_write_rgb(const char *path, int width, int height,
                     const unsigned char *rgb, VrError *err);

/* Pixels from a composited image (npix*4 floats: premultiplied r, g, b and
 * the transmittance T), into out (npix*channels samples of unsigned char
 * for depth 8, uint16_t for depth 16), with maxv = 255 or 65535:
 *   channels 3: v = clip(C + T*B, 0, 1) over the background B, sample
 *     lrintf(maxv * v).  B = black and depth 8 give the reference frames.
 *   channels 4 (straight alpha): alpha = clip(1 - T, 0, 1), colour
 *     clip(C / alpha, 0, 1) where alpha > 0 and 0 where alpha == 0 (no
 *     sample hit the pixel: fully transparent).  The background is not
 *     applied: it is for the viewer to composite under the image. */
void vr_frame_to_pixels(const float *image, long npix, const float background[3],
                        int channels, int depth, void *out);

#endif
