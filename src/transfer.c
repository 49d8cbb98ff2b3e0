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

VrSample vr_transfer_sample(float rho)
{
    VrSample s = {0.0f, 0.0f, 0.0f, 0.0f};
    if (!(rho > 0.0f) || isinf(rho))
        return s;
    const float L = logf(rho);
    const float d1 = L - 9.0f, d2 = L - 3.0f, d3 = L + 3.0f;
    const float e1 = expf(-d1 * d1);
    const float e2 = expf(-d2 * d2 * 10.0f);
    const float e3 = expf(-d3 * d3 * 2.0f);
    s.a = 0.6f * e1 + 0.1f * e2 + 0.01f * e3;
    s.ar = s.a * (1.0f * e1 + 0.1f * e2 + 0.1f * e3);
    s.ag = s.a * (1.0f * e1 + 1.0f * e2 + 0.1f * e3);
    s.ab = s.a * (0.1f * e1 + 0.1f * e2 + 1.0f * e3);
    return s;
}
