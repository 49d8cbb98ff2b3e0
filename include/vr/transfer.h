/* transfer.h — the reference transfer function: density -> colour, opacity.
 *
 * With L = ln(rho) and three Gaussian bumps in L centred at 9, 3 and -3
 * (widths^2 1.0, 0.1, 0.5), r g b a are fixed mixtures of the bumps (SPEC).
 * rho <= 0 (and NaN) is transparent. */
#ifndef VR_TRANSFER_H
#define VR_TRANSFER_H

#include "vr/fastmath.h"

/* Premultiplied sample: colour already multiplied by opacity. */
typedef struct {
    float ar, ag, ab; /* a * r, a * g, a * b */
    float a;          /* opacity */
} VrSample;

/* Exact (double precision) transfer function; writes r, g, b, a. */
void vr_transfer_eval(double rho, double rgba[4]);

/* The float kernel's version: the same function in single precision with
 * the vectorisable log and exp of fastmath.h, already premultiplied.
 * Within 2e-6 of vr_transfer_eval (tests/unit/test_transfer.c).  Inline so
 * the kernel's loop over pixels vectorises through it. */
static inline VrSample vr_transfer_sample(float rho)
{
    /* rho <= 0 (and NaN, inf) is transparent: compute on a safe value, then
     * mask.  Below 1e-30 or above 1e30 every bump is under 1e-38 anyway. */
    const int ok = (rho > 1e-30f) & (rho < 1e30f);
    const float inside = ok ? 1.0f : 0.0f;
    const float L = vr_fast_logf(ok ? rho : 1.0f);
    const float d1 = L - 9.0f, d2 = L - 3.0f, d3 = L + 3.0f;
    const float e1 = vr_fast_expf(-d1 * d1);
    const float e2 = vr_fast_expf(-10.0f * d2 * d2);
    const float e3 = vr_fast_expf(-2.0f * d3 * d3);
    VrSample s;
    s.a = inside * (0.6f * e1 + 0.1f * e2 + 0.01f * e3);
    s.ar = s.a * (1.0f * e1 + 0.1f * e2 + 0.1f * e3);
    s.ag = s.a * (1.0f * e1 + 1.0f * e2 + 0.1f * e3);
    s.ab = s.a * (0.1f * e1 + 0.1f * e2 + 1.0f * e3);
    return s;
}

/* The parameters, for the float output's attributes: centres, widths^2
 * and the 4 x 3 mixing matrix (rows r g b a, columns bump 1..3). */
extern const double VR_TF_CENTRE[3];
extern const double VR_TF_WIDTH2[3];
extern const double VR_TF_MIX[4][3];

#endif
