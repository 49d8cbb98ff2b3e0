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

/* Test hook (VR_TEST_FAIL="0:rmdir:<file name>"): just before rank 0
 * creates that file, its folder (and everything in it) is removed, as a
 * user or a cleaning script deleting the output folder during a run would. */
static void remove_folder_if_asked(const char *path)
{
    const char *slash = strrchr(path, '/');
    char phase[300];
    snprintf(phase, sizeof phase, "rmdir:%s", slash ? slash + 1 : path);
    if (!slash || !vr_test_should_fail(0, phase))
        return;
    char dir[4096];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    DIR *d = opendir(dir);
    if (d) {
        const struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            char entry[8192];
            snprintf(entry, sizeof entry, "%s/%s", dir, e->d_name);
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                remove(entry);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* "cannot write 'PATH': REASON" for a file that could not be created:
 * when its folder is gone, the message says so. */
static int fail_create(const char *path, int e, VrError *err)
{
    const char *slash = strrchr(path, '/');
    struct stat st;
    if (e == ENOENT && slash && slash != path) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
        if (stat(dir, &st) != 0)
            return vr_fail(err, VR_ERR_IO, "cannot write '%s': folder '%s': %s", path,
                           dir, strerror(e));
    }
    return vr_fail(err, VR_ERR_IO, "cannot write '%s': %s", path, strerror(e));
}

/* What libpng reports goes here instead of stderr: its error text, its
 * last warning, and the errno of a write that failed. */
typedef struct {
    FILE *fp;
    int write_errno;     /* 0, or why fwrite/fflush failed */
    char error[200];     /* libpng's error message */
    char warning[200];   /* its last warning */
} PngSink;

static void png_sink_error(png_structp png, png_const_charp msg)
{
    PngSink *sink = png_get_error_ptr(png);
    snprintf(sink->error, sizeof sink->error, "%s", msg ? msg : "unknown error");
    png_longjmp(png, 1);
}

static void png_sink_warning(png_structp png, png_const_charp msg)
{
    PngSink *sink = png_get_error_ptr(png);
    snprintf(sink->warning, sizeof sink->warning, "%s", msg ? msg : "");
}

static void png_sink_write(png_structp png, png_bytep data, size_t length)
{
    PngSink *sink = png_get_io_ptr(png);
    errno = 0;
    if (fwrite(data, 1, length, sink->fp) != length) {
        sink->write_errno = errno ? errno : EIO;
        png_error(png, "write failed");
    }
}

static void png_sink_flush(png_structp png)
{
    PngSink *sink = png_get_io_ptr(png);
    errno = 0;
    if (fflush(sink->fp) != 0) {
        sink->write_errno = errno ? errno : EIO;
        png_error(png, "write failed");
    }
}

/* A keyword PNG accepts: 1 to 79 Latin-1 printable characters, no
 * leading, trailing or doubled space. */
static int png_key_ok(const char *key)
{
    const size_t n = key ? strlen(key) : 0;
    if (n < 1 || n > 79 || key[0] == ' ' || key[n - 1] == ' ')
        return 0;
    for (size_t i = 0; i < n; i++) {
        const unsigned char c = (unsigned char)key[i];
        if (!((c >= 32 && c <= 126) || c >= 161) || (c == ' ' && key[i + 1] == ' '))
            return 0;
    }
    return 1;
}

/* Texts longer than this go compressed (zTXt, or compressed iTXt). */
#define VR_PNG_TEXT_PLAIN_MAX 512

/* Chunk type for a text: plain ASCII is tEXt (short) or zTXt (long); text
 * with bytes past ASCII is taken as UTF-8 and goes in iTXt, compressed
 * when long, since tEXt/zTXt would show it as Latin-1. */
static int png_text_compression(const char *text)
{
    int ascii = 1;
    size_t n = 0;
    for (; text[n]; n++)
        ascii &= (unsigned char)text[n] < 0x80;
    if (ascii)
        return n > VR_PNG_TEXT_PLAIN_MAX ? PNG_TEXT_COMPRESSION_zTXt
                                         : PNG_TEXT_COMPRESSION_NONE;
    return n > VR_PNG_TEXT_PLAIN_MAX ? PNG_ITXT_COMPRESSION_zTXt
                                     : PNG_ITXT_COMPRESSION_NONE;
}

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 1;
}

int vr_png_write(const char *path, int width, int height, int channels, int depth,
                 const void *pixels, const VrPngText *text, int ntext, VrError *err)
{
    if ((channels != 3 && channels != 4) || (depth != 8 && depth != 16) || width < 1 ||
        height < 1 || ntext < 0)
        return vr_fail(err, VR_ERR_INTERNAL,
                       "cannot write PNG '%s': %dx%d, %d channel(s) of %d bits are not "
                       "supported (3 or 4 channels of 8 or 16 bits)",
                       path, width, height, channels, depth);
    for (int i = 0; i < ntext; i++)
        if (!png_key_ok(text[i].key) || !text[i].text)
            return vr_fail(err, VR_ERR_INTERNAL,
                           "cannot write PNG '%s': text key '%s' is not a PNG keyword "
                           "(1 to 79 printable Latin-1 characters, no leading, trailing "
                           "or double space)", path, text[i].key ? text[i].key : "");
    char tmp[4200];
    vr_output_temp_path(path, tmp, sizeof tmp);
    remove_folder_if_asked(path);
    /* Declared volatile: they change between setjmp and a longjmp back. */
    FILE *volatile fp = fopen(tmp, "wb");
    if (!fp)
        return fail_create(path, errno, err);
    PngSink sink = {fp, 0, "", ""};
    png_text *volatile chunks = NULL;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink,
                                              png_sink_error, png_sink_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(chunks);
        fclose(fp);
        remove(tmp);
        if (sink.write_errno)
            return vr_fail(err, VR_ERR_IO, "cannot write '%s': %s", path,
                           strerror(sink.write_errno));
        if (!png || !info)
            return vr_fail(err, VR_ERR_NOMEM, "cannot encode PNG '%s': out of memory",
                           path);
        return vr_fail(err, VR_ERR_IO, "cannot encode PNG '%s': libpng: %s%s%s", path,
                       sink.error, sink.warning[0] ? " (after warning: " : "",
                       sink.warning[0] ? sink.warning : "");
    }
    png_set_write_fn(png, &sink, png_sink_write, png_sink_flush);
    /* zlib level 1: half the time of the default for frames a few per cent
     * larger; the write phase is on the critical path, so its time counts. */
    png_set_compression_level(png, 1);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, depth,
                 channels == 4 ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (ntext > 0) {
        chunks = calloc((size_t)ntext, sizeof *chunks);
        if (!chunks)
            png_error(png, "out of memory for the text chunks");
        for (int i = 0; i < ntext; i++) {
            chunks[i].compression = png_text_compression(text[i].text);
            chunks[i].key = (png_charp)text[i].key;
            chunks[i].text = (png_charp)text[i].text;
            chunks[i].text_length = strlen(text[i].text);
        }
        png_set_text(png, info, chunks, ntext);
    }
    png_write_info(png, info);
    if (depth == 16 && host_is_little_endian())
        png_set_swap(png); /* PNG stores 16-bit samples big-endian */
    const size_t row_bytes = (size_t)width * (size_t)channels * (size_t)(depth / 8);
    for (int y = 0; y < height; y++) {
        kill_if_asked(path, y, height, fp);
        png_write_row(png, (png_const_bytep)pixels + (size_t)y * row_bytes);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(chunks);
    errno = 0;
    if (fclose(fp) != 0) {
        const int e = errno ? errno : EIO;
        remove(tmp);
        return vr_fail(err, VR_ERR_IO, "cannot write '%s': %s", path, strerror(e));
    }
    return vr_output_commit(tmp, path, err);
}

int vr_png_write_rgb(const char *path, int width, int height,
                     const unsigned char *rgb, VrError *err)
{
    return vr_png_write(path, width, height, 3, 8, rgb, NULL, 0, err);
}

static float clip01(float v)
{
    return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
}

void vr_frame_to_pixels(const float *image, long npix, const float background[3],
                        int channels, int depth, void *out)
{
    unsigned char *out8 = out;
    uint16_t *out16 = out;
    const float maxv = depth == 16 ? 65535.0f : 255.0f;
    for (long p = 0; p < npix; p++) {
        const float *px = image + 4 * p;
        float v[4];
        if (channels == 3) {
            for (int c = 0; c < 3; c++)
                v[c] = clip01(px[c] + px[3] * background[c]);
        } else {
            const float alpha = clip01(1.0f - px[3]);
            for (int c = 0; c < 3; c++)
                v[c] = alpha > 0.0f ? clip01(px[c] / alpha) : 0.0f;
            v[3] = alpha;
        }
        for (int c = 0; c < channels; c++) {
            const long q = lrintf(maxv * v[c]);
            if (depth == 16)
                out16[(long)channels * p + c] = (uint16_t)q;
            else
                out8[(long)channels * p + c] = (unsigned char)q;
        }
    }
}
