/* The PNG and float-output writers: writes into the folder given on the
 * command line the files that check_io_writers.py then decodes on its own
 * (zlib + numpy, PIL for the text chunks, h5py):
 *   img.h5                    the composited test image as float output
 *                             (2 frames, H x W = 37 x 41) with added
 *                             attributes: a 1 MiB text, doubles, an int
 *   rgb8.png rgb16.png        RGB over black, 8 and 16 bits
 *   rgb8_bg.png rgb16_bg.png  RGB over the background (1, 0.5, 0.25)
 *   rgba8.png rgba16.png      straight-alpha RGBA
 * Here: RGB over black at 8 bits gives the reference frame bytes (the
 * formula frames have always had), bad arguments are refused and leave no file, and no
 * temporary is left. */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/check.h"
#include "vr/config.h"
#include "vr/float_out.h"
#include "vr/output.h"

enum { H = 37, W = 41, NPIX = H * W };

/* Dyadic values (multiples of 1/1024), so every product and sum that the
 * conversion forms is exact in float and a reference in numpy agrees to
 * the last bit: colour in [-0.25, 1.25], transmittance in [0, 1], with
 * pixels no ray hit (C = 0, T = 1) and opaque ones (T = 0). */
static void make_image(float *img)
{
    for (int p = 0; p < NPIX; p++) {
        for (int c = 0; c < 3; c++)
            img[4 * p + c] = (float)((int)(check_rand() * 1537) - 256) / 1024.0f;
        img[4 * p + 3] = (float)(int)(check_rand() * 1025) / 1024.0f;
        if (p % 7 == 0) { /* empty */
            img[4 * p] = img[4 * p + 1] = img[4 * p + 2] = 0.0f;
            img[4 * p + 3] = 1.0f;
        } else if (p % 11 == 0) {
            img[4 * p + 3] = 0.0f;
        }
    }
}

static void test_rgb8_is_reference(const float *img)
{
    unsigned char want[NPIX * 3];
    for (long p = 0; p < NPIX; p++)
        for (int c = 0; c < 3; c++) { /* the frame bytes of every earlier release */
            float v = img[4 * p + c];
            v = v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
            want[3 * p + c] = (unsigned char)lrintf(255.0f * v);
        }
    static const float BLACK[3] = {0, 0, 0};
    unsigned char viapix[NPIX * 3];
    vr_frame_to_pixels(img, NPIX, BLACK, 3, 8, viapix);
    CHECK(memcmp(viapix, want, sizeof want) == 0, "black background, 8 bits = reference");
}

static void write_png(const char *dir, const char *name, const float *img,
                      const float bg[3], int channels, int depth)
{
    static uint16_t buf[NPIX * 4];
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    vr_frame_to_pixels(img, NPIX, bg, channels, depth, buf);
    static char json[3000];
    size_t n = (size_t)snprintf(json, sizeof json, "{\"points\": [");
    for (int i = 0; i < 200; i++)
        n += (size_t)snprintf(json + n, sizeof json - n, "%s[%d, 0.%03d]", i ? ", " : "",
                              i, (i * 37) % 1000);
    snprintf(json + n, sizeof json - n, "]}");
    const VrPngText text[] = {
        {"Software", "volrender_mpi test"},
        {"transfer_function", json},
        {"Description", "densit\xc3\xa9 \xcf\x81 (UTF-8)"},
    };
    VrError err = {{0}};
    const int rc = vr_png_write(path, W, H, channels, depth, buf, text, 3, &err);
    CHECK(rc == VR_OK, "%s: %s", name, err.msg);
}

static void test_refusals(const char *dir, const float *img)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/refused.png", dir);
    static const float BLACK[3] = {0, 0, 0};
    unsigned char rgb[NPIX * 3];
    vr_frame_to_pixels(img, NPIX, BLACK, 3, 8, rgb);
    VrError err = {{0}};
    const VrPngText bad_keys[][1] = {{{"", "x"}}, {{" lead", "x"}}, {{"two  spaces", "x"}},
                                     {{"tab\tkey", "x"}}};
    for (size_t i = 0; i < sizeof bad_keys / sizeof bad_keys[0]; i++) {
        CHECK(vr_png_write(path, W, H, 3, 8, rgb, bad_keys[i], 1, &err) != VR_OK,
              "key '%s' refused", bad_keys[i][0].key);
        CHECK(strstr(err.msg, "is not a PNG keyword") != NULL, "message: %s", err.msg);
    }
    CHECK(vr_png_write(path, W, H, 2, 8, rgb, NULL, 0, &err) != VR_OK, "2 channels");
    CHECK(vr_png_write(path, W, H, 3, 12, rgb, NULL, 0, &err) != VR_OK, "12 bits");
    CHECK(!vr_output_exists(path), "refused PNG not created");
    /* A folder that does not exist: the message names it and the reason. */
    snprintf(path, sizeof path, "%s/gone/x.png", dir);
    CHECK(vr_png_write_rgb(path, W, H, rgb, &err) != VR_OK, "missing folder");
    char want[8192];
    snprintf(want, sizeof want, "cannot write '%s/gone/x.png': folder '%s/gone': No such "
             "file or directory", dir, dir);
    CHECK(strcmp(err.msg, want) == 0, "message: %s", err.msg);
}

static void write_float(const char *dir, const float *img)
{
    VrConfig cfg;
    vr_config_defaults(&cfg);
    cfg.first_angle = 0;
    cfg.last_angle = 1;
    const int64_t dims[3] = {4, 5, 6};
    char path[4096];
    snprintf(path, sizeof path, "%s/img.h5", dir);
    VrFloatOut *fo = NULL;
    VrError err = {{0}};
    int rc = vr_float_out_create_sized(path, &cfg, dims, 1, H, W, &fo, &err);
    CHECK(rc == VR_OK, "create: %s", err.msg);
    if (rc != VR_OK)
        return;
    const size_t big = (size_t)1 << 20;
    char *text = malloc(big + 1);
    for (size_t i = 0; i < big; i++)
        text[i] = (char)('a' + (int)(i % 26));
    text[big] = '\0';
    const double v[5] = {0.5, -1.25, 3e300, 0.0, 1.0 / 3.0};
    float proj[5 * 6];
    for (int i = 0; i < 30; i++)
        proj[i] = (float)i - 7.5f;
    CHECK(vr_float_out_attr_text(fo, "long_text", text, &err) == VR_OK, "%s", err.msg);
    CHECK(vr_float_out_attr_text(fo, "tf_name", "first", &err) == VR_OK, "%s", err.msg);
    CHECK(vr_float_out_attr_text(fo, "tf_name", "r\xc3\xa9placed", &err) == VR_OK, "%s",
          err.msg);
    CHECK(vr_float_out_attr_doubles(fo, "tf_values", v, 5, &err) == VR_OK, "%s", err.msg);
    CHECK(vr_float_out_attr_doubles(fo, "none", v, 0, &err) != VR_OK, "0 doubles");
    CHECK(vr_float_out_attr_int(fo, "tf_points", 42, &err) == VR_OK, "%s", err.msg);
    CHECK(vr_float_out_write_frame(fo, 0, 3, 0.25, img, &err) == VR_OK, "%s", err.msg);
    CHECK(vr_float_out_write_frame(fo, 1, 4, 0.5, img, &err) == VR_OK, "%s", err.msg);
    CHECK(vr_float_out_write_projection(fo, proj, &err) == VR_OK, "%s", err.msg);
    CHECK(vr_float_out_close(fo, 1, &err) == VR_OK, "close: %s", err.msg);
    free(text);
}

static void test_no_temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    CHECK(d != NULL, "open %s", dir);
    if (!d)
        return;
    const struct dirent *e;
    while ((e = readdir(d)) != NULL)
        CHECK(strstr(e->d_name, ".tmp.") == NULL, "temporary left: %s", e->d_name);
    closedir(d);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_io_writers OUTPUT_FOLDER\n");
        return 2;
    }
    const char *dir = argv[1];
    static float img[NPIX * 4];
    make_image(img);
    test_rgb8_is_reference(img);
    static const float BLACK[3] = {0, 0, 0}, BG[3] = {1.0f, 0.5f, 0.25f};
    write_png(dir, "rgb8.png", img, BLACK, 3, 8);
    write_png(dir, "rgb16.png", img, BLACK, 3, 16);
    write_png(dir, "rgb8_bg.png", img, BG, 3, 8);
    write_png(dir, "rgb16_bg.png", img, BG, 3, 16);
    write_png(dir, "rgba8.png", img, BG, 4, 8);
    write_png(dir, "rgba16.png", img, BG, 4, 16);
    write_float(dir, img);
    test_refusals(dir, img);
    test_no_temporaries(dir);
    return check_report("test_io_writers");
}
