/* The "over" operator on premultiplied (r, g, b, T) pixels. */
#include "vr/composite.h"

void vr_over(const float *front, const float *back, float *out, int64_t npixels)
{
    for (int64_t p = 0; p < npixels; p++) {
        const float *f = front + 4 * p, *b = back + 4 * p;
        const float t = f[3];
        const float r = f[0] + t * b[0], g = f[1] + t * b[1],
                    bl = f[2] + t * b[2], tt = t * b[3];
        out[4 * p + 0] = r;
        out[4 * p + 1] = g;
        out[4 * p + 2] = bl;
        out[4 * p + 3] = tt;
    }
}
