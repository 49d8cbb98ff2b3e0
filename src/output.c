#include "vr/output.h"

#include <errno.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int vr_output_make_dir(const char *dir, VrError *err)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return vr_fail(err, VR_ERR_IO, "output folder name '%s' is too long", dir);
    /* mkdir each prefix ending at a '/', then the whole path. */
    for (char *p = path + 1;; p++) {
        const int end = *p == '\0';
        if (*p != '/' && !end)
            continue;
        const char saved = *p;
        *p = '\0';
        struct stat st;
        if (stat(path, &st) == 0) {
            if (!S_ISDIR(st.st_mode))
                return vr_fail(err, VR_ERR_IO,
                               "cannot use output folder '%s': '%s' is a file, "
                               "not a folder", dir, path);
        } else if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            return vr_fail(err, VR_ERR_IO, "cannot create output folder '%s': %s",
                           path, strerror(errno));
        }
        *p = saved;
        if (end)
            break;
    }
    if (access(dir, W_OK) != 0)
        return vr_fail(err, VR_ERR_IO, "cannot write into output folder '%s': %s",
                       dir, strerror(errno));
    return VR_OK;
}

void vr_output_join(const char *dir, const char *name, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", dir, name);
}

void vr_output_frame_path(const char *dir, const char *prefix, int n, char *path,
                          size_t cap)
{
    snprintf(path, cap, "%s/%s%d.png", dir, prefix, n);
}

void vr_output_temp_path(const char *path, char *tmp, size_t cap)
{
    const char *slash = strrchr(path, '/');
    const int dirlen = slash ? (int)(slash - path) + 1 : 0;
    snprintf(tmp, cap, "%.*s.%s.tmp.%ld", dirlen, path, slash ? slash + 1 : path,
             (long)getpid());
}

int vr_output_commit(const char *tmp, const char *path, VrError *err)
{
    if (rename(tmp, path) != 0) {
        const int e = errno;
        remove(tmp);
        return vr_fail(err, VR_ERR_IO, "cannot write '%s': %s", path, strerror(e));
    }
    return VR_OK;
}

int vr_output_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int vr_png_write_rgb(const char *path, int width, int height,
                     const unsigned char *rgb, VrError *err)
{
    char tmp[4200];
    vr_output_temp_path(path, tmp, sizeof tmp);
    FILE *fp = fopen(tmp, "wb");
    if (!fp)
        return vr_fail(err, VR_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        fclose(fp);
        remove(tmp);
        return vr_fail(err, VR_ERR_IO, "cannot encode PNG '%s'", path);
    }
    png_init_io(png, fp);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8,
                 PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < height; y++)
        png_write_row(png, (png_const_bytep)(rgb + (size_t)y * (size_t)width * 3));
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    if (fclose(fp) != 0) {
        remove(tmp);
        return vr_fail(err, VR_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    }
    return vr_output_commit(tmp, path, err);
}

void vr_frame_to_rgb8(const float *image, long npix, unsigned char *rgb)
{
    for (long p = 0; p < npix; p++)
        for (int c = 0; c < 3; c++) {
            float v = image[4 * p + c];
            v = v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
            rgb[3 * p + c] = (unsigned char)lrintf(255.0f * v);
        }
}
