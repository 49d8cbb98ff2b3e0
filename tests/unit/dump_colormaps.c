/* dump_colormaps.c — prints every colour map table and the bytes
 * vr_colormap_bytes gives on two grids of x, for tests/py/check_colormaps.py
 * to compare with matplotlib.  Output:
 *   names <vr_colormap_names()>
 *   table NAME        then 256 lines "r g b" (%.17g)
 *   bytes NAME        then one line "r g b" per grid x (see grid_x)
 * for each NAME given on the command line. */
#include <stdio.h>

#include "vr/tf.h"

/* The grids, also computed by the Python side: i / 2048 - 1/16 for i in
 * 0..2304 (every k / 256 exactly, and its neighbours), then (i - 500) /
 * 4000 for i in 0..5000. */
static int grid_x(int i, double *x)
{
    if (i <= 2304) {
        *x = i / 2048.0 - 0.0625;
        return 1;
    }
    i -= 2305;
    if (i <= 5000) {
        *x = (i - 500) / 4000.0;
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    printf("names %s\n", vr_colormap_names());
    for (int a = 1; a < argc; a++) {
        const double (*t)[3] = vr_colormap_table(argv[a]);
        if (!t) {
            fprintf(stderr, "dump_colormaps: unknown colour map '%s'\n", argv[a]);
            return 1;
        }
        printf("table %s\n", argv[a]);
        for (int k = 0; k < 256; k++)
            printf("%.17g %.17g %.17g\n", t[k][0], t[k][1], t[k][2]);
        printf("bytes %s\n", argv[a]);
        double x;
        for (int i = 0; grid_x(i, &x); i++) {
            unsigned char rgb[3];
            vr_colormap_bytes(t, x, rgb);
            printf("%d %d %d\n", rgb[0], rgb[1], rgb[2]);
        }
    }
    return 0;
}
