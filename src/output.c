#include "vr/output.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <png.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vr/parallel.h"

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
                               "not a folder (see --output-dir)", dir, path);
        } else if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            return vr_fail(err, VR_ERR_IO,
                           "cannot create output folder '%s': %s (see --output-dir)",
                           path, strerror(errno));
        }
        *p = saved;
        if (end)
            break;
    }
    if (access(dir, W_OK) != 0)
        return vr_fail(err, VR_ERR_IO,
                       "cannot write into output folder '%s': %s (see --output-dir)",
                       dir, strerror(errno));
    return VR_OK;
}

int vr_output_check_file(const char *path, const char *option, VrError *err)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return vr_fail(err, VR_ERR_IO, "cannot write '%s': it is a folder (see %s)",
                           path, option);
        if (access(path, W_OK) != 0)
            return vr_fail(err, VR_ERR_IO, "cannot write '%s': %s (see %s)", path,
                           strerror(errno), option);
        return VR_OK;
    }
    /* A new file: its folder must exist and take new files.  The file is
     * not created here, so a job refused later leaves nothing behind. */
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (access(dir, W_OK | X_OK) != 0)
        return vr_fail(err, VR_ERR_IO, "cannot write '%s': folder '%s': %s (see %s)",
                       path, dir, strerror(errno), option);
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

static uint32_t read_be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

int vr_output_png_complete(const char *path, int width, int height)
{
    static const unsigned char SIGNATURE[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static const unsigned char IEND[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D',
                                           0xae, 0x42, 0x60, 0x82};
    unsigned char head[24], tail[12];
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    int ok = fread(head, 1, sizeof head, f) == sizeof head &&
             fseek(f, -(long)sizeof tail, SEEK_END) == 0 &&
             fread(tail, 1, sizeof tail, f) == sizeof tail;
    fclose(f);
    return ok && memcmp(head, SIGNATURE, 8) == 0 && memcmp(head + 12, "IHDR", 4) == 0 &&
           read_be32(head + 16) == (uint32_t)width &&
           read_be32(head + 20) == (uint32_t)height && memcmp(tail, IEND, 12) == 0;
}

/* 1 if name is ".<prefix><digits>.png.tmp.<digits>". */
static int is_frame_temp(const char *name, const char *prefix)
{
    const size_t n = strlen(prefix);
    if (name[0] != '.' || strncmp(name + 1, prefix, n) != 0)
        return 0;
    const char *p = name + 1 + n;
    if (*p < '0' || *p > '9')
        return 0;
    while (*p >= '0' && *p <= '9')
        p++;
    if (strncmp(p, ".png.tmp.", 9) != 0)
        return 0;
    for (p += 9; *p >= '0' && *p <= '9'; p++)
        ;
    return *p == '\0' && p[-1] != '.';
}

int vr_output_remove_stale_temps(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int removed = 0;
    const struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_frame_temp(e->d_name, prefix) &&
            strncmp(e->d_name, ".projection.png.tmp.", 20) != 0)
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        removed += remove(path) == 0;
    }
    closedir(d);
    return removed;
}

/* Test hook (VR_TEST_FAIL="0:kill:<file name>"): rank 0 is killed halfway
 * through writing that file, as a job hitting its time limit would be, so
 * a test can check that no truncated file appears under the final name. */
static void kill_if_asked(const char *path, int row, int height, FILE *fp)
{
    if (row != height / 2)
        return;
    const char *slash = strrchr(path, '/');
    char phase[300];
    snprintf(phase, sizeof phase, "kill:%s", slash ? slash + 1 : path);
    if (vr_test_should_fail(0, phase)) {
        fflush(fp);
        raise(SIGKILL);
    }
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
    /* zlib level 1: half the time of the default for frames a few per cent
     * larger; the frame writer runs on rank 0 alone, so its time counts. */
    png_set_compression_level(png, 1);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8,
                 PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < height; y++) {
        kill_if_asked(path, y, height, fp);
        png_write_row(png, (png_const_bytep)(rgb + (size_t)y * (size_t)width * 3));
    }
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
