#include "vr/transfer.h"

#include <math.h>

const double VR_TF_CENTRE[3] = {9.0, 3.0, -3.0};
const double VR_TF_WIDTH2[3] = {1.0, 0.1, 0.5};
const double VR_TF_MIX[4][3] = {
    {1.0, 0.1, 0.1},  /* r */
    {1.0, 1.0, 0.1},  /* g */
    {0.1, 0.1, 1.0},  /* b */
    {0.6, 0.1, 0.01}, /* a */
};

void vr_transfer_eval(double rho, double rgba[4])
{
    double e[3] = {0.0, 0.0, 0.0};
    if (rho > 0.0 && isfinite(rho)) {
        const double L = log(rho);
        for (int b = 0; b < 3; b++) {
            const double d = L - VR_TF_CENTRE[b];
            e[b] = exp(-d * d / VR_TF_WIDTH2[b]);
        }
    }
    for (int c = 0; c < 4; c++)
        rgba[c] = VR_TF_MIX[c][0] * e[0] + VR_TF_MIX[c][1] * e[1] +
                  VR_TF_MIX[c][2] * e[2];
}

/* exp(-(L - c)^2 / w) of bump b. */
static double bump(int b, double L)
{
    const double d = L - VR_TF_CENTRE[b];
    return exp(-d * d / VR_TF_WIDTH2[b]);
}

void vr_transfer16_consts(VrTransfer16Consts *k)
{
    for (int i = 0; i < VR_LOG_TABLE; i++) {
        k->inv[i] = (float)(1.0 / (1.0 + (i + 0.5) / VR_LOG_TABLE));
        k->logc[i] = (float)-log((double)k->inv[i]);
    }
    for (int l = 0; l < 16; l++) {
        const int b = l < 3 ? l : 0; /* lanes past 2 are never indexed */
        k->neg_centre[l] = (float)-VR_TF_CENTRE[b];
        k->y_scale[l] = (float)(-1.0 / (log(2.0) * VR_TF_WIDTH2[b]));
        for (int c = 0; c < 4; c++) /* a, r, g, b: rows 3, 0, 1, 2 of the mix */
            k->mix[c][l] = (float)VR_TF_MIX[(c + 3) % 4][b];
    }
    /* Between neighbouring centres c0 > c1 the bumps are equally far, in
     * widths, where (c0 - L) / sqrt(w0) = (L - c1) / sqrt(w1). */
    k->dropped = 0.0;
    for (int b = 0; b < 2; b++) {
        const double s0 = sqrt(VR_TF_WIDTH2[b]), s1 = sqrt(VR_TF_WIDTH2[b + 1]);
        const double L = (VR_TF_CENTRE[b] * s1 + VR_TF_CENTRE[b + 1] * s0) / (s0 + s1);
        k->split[b] = (float)L;
        for (int o = 0; o < 3; o++) /* every bump there: the largest is dropped on one side */
            if (bump(o, L) > k->dropped)
                k->dropped = bump(o, L);
    }
}
