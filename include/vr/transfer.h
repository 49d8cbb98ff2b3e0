/* transfer.h — the reference transfer function: density -> colour, opacity.
 *
 * With L = ln(rho) and three Gaussian bumps in L centred at 9, 3 and -3
 * (widths^2 1.0, 0.1, 0.5), r g b a are fixed mixtures of the bumps (SPEC).
 * rho <= 0 (and NaN) is transparent. */
#ifndef VR_TRANSFER_H
#define VR_TRANSFER_H

/* Premultiplied sample: colour already multiplied by opacity. */
typedef struct {
    float ar, ag, ab; /* a * r, a * g, a * b */
    float a;          /* opacity */
} VrSample;

/* Exact (double precision) transfer function; writes r, g, b, a. */
void vr_transfer_eval(double rho, double rgba[4]);

/* The float kernel's version; same function, single precision, already
 * premultiplied.  Within 2e-6 of vr_transfer_eval (see test_transfer). */
VrSample vr_transfer_sample(float rho);

/* The parameters, for the float output's attributes: centres, widths^2
 * and the 4 x 3 mixing matrix (rows r g b a, columns bump 1..3). */
extern const double VR_TF_CENTRE[3];
extern const double VR_TF_WIDTH2[3];
extern const double VR_TF_MIX[4][3];

#endif
