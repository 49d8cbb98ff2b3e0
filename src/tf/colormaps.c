/* colormaps.c — named colour maps: matplotlib's 256-entry tables
 * (colormap_data.c) looked up by name, and matplotlib's rule for turning
 * a value into the bytes of an entry. */
#include "vr/tf.h"

#include <stdio.h>
#include <string.h>

#include "colormap_data.h"

const double (*vr_colormap_table(const char *name))[3]
{
    if (!name)
        return NULL;
    const size_t n = strlen(name);
    const int reversed = n > 2 && strcmp(name + n - 2, "_r") == 0;
    const size_t base = reversed ? n - 2 : n;
    for (int i = 0; i < VR_NCOLORMAPS; i++)
        if (strlen(VR_COLORMAPS[i].name) == base &&
            strncmp(VR_COLORMAPS[i].name, name, base) == 0)
            return reversed ? VR_COLORMAPS[i].reversed : VR_COLORMAPS[i].table;
    return NULL;
}

const char *vr_colormap_names(void)
{
    /* Spelled out (a constant, so no first-call initialisation); the unit
     * test checks that it names exactly the generated maps. */
    static const char NAMES[] =
        "viridis, magma, inferno, plasma, cividis, turbo, gray, bone, hot, "
        "coolwarm, RdBu, Blues, Greys, cubehelix (each also as NAME_r, reversed)";
    return NAMES;
}

void vr_colormap_bytes(const double (*table)[3], double x, unsigned char rgb[3])
{
    /* matplotlib (colors.py, Colormap.__call__ with bytes=True): the index
     * is int(x * 256) with x = 1 giving 255, below 0 the "under" colour and
     * above 1 the "over" colour, which are the first and last entries; the
     * byte is (entry * 255) truncated.  NaN (matplotlib's "bad", transparent
     * black) gives the lowest entry here, as the projection always had. */
    int i = 0;
    if (x >= 1.0)
        i = 255;
    else if (x > 0.0)
        i = (int)(x * 256.0);
    if (i > 255)
        i = 255;
    for (int c = 0; c < 3; c++)
        rgb[c] = (unsigned char)(table[i][c] * 255.0);
}
