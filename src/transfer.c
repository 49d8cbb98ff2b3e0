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
