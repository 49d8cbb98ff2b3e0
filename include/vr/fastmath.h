/* fastmath.h — branch-free single-precision log and exp for the kernel.
 *
 * Written so the compiler can vectorise loops that call them (no libm
 * calls, no branches, only bit tricks and polynomials).  Accuracy, checked
 * by tests/unit/test_transfer.c over the range the kernel uses:
 *   vr_fast_logf(x), x > 0 normal:  |error| < 2e-7 absolute
 *   vr_fast_expf(x), x in [-87, 0]: relative error < 2e-7
 * Inputs outside those ranges are the caller's to mask. */
#ifndef VR_FASTMATH_H
#define VR_FASTMATH_H

#include <stdint.h>

/* Type punning through a union is defined in C11 (and, unlike memcpy,
 * keeps GCC's if-conversion and vectoriser happy). */
typedef union {
    float f;
    int32_t i;
} VrFloatBits;

static inline float vr_bits_to_float(int32_t i)
{
    VrFloatBits u;
    u.i = i;
    return u.f;
}

static inline int32_t vr_float_to_bits(float f)
{
    VrFloatBits u;
    u.f = f;
    return u.i;
}

/* ln x = e ln 2 + ln m, m in [sqrt(1/2), sqrt(2)); ln m by the odd series
 * 2 atanh(t), t = (m - 1) / (m + 1), |t| < 0.172, to t^9. */
static inline float vr_fast_logf(float x)
{
    const int32_t bits = vr_float_to_bits(x);
    /* Subtracting the bits of sqrt(1/2) puts m in [sqrt(1/2), sqrt(2)). */
    const int32_t shifted = bits - 0x3f3504f3;
    const int32_t e = shifted >> 23;
    const float m = vr_bits_to_float((shifted & 0x007fffff) + 0x3f3504f3);
    const float t = (m - 1.0f) / (m + 1.0f);
    const float t2 = t * t;
    const float p = 2.0f + t2 * (0.6666666667f + t2 * (0.4f + t2 * (0.2857142857f +
                    t2 * 0.2222222222f)));
    return (float)e * 0.69314718056f + t * p;
}

/* e^x = 2^n e^r, n = round(x / ln 2), r = x - n ln 2 in [-ln2/2, ln2/2]
 * (ln 2 split in two for an exact reduction), e^r by its degree-6 Taylor
 * polynomial.  x is clamped to [-87, 0] so 2^n stays a normal float. */
static inline float vr_fast_expf(float x)
{
    x = x < -87.0f ? -87.0f : x;
    x = x > 0.0f ? 0.0f : x;
    /* Round to nearest by the 1.5 * 2^23 trick: no libm call, vectorises. */
    const float n = (x * 1.44269504089f + 12582912.0f) - 12582912.0f;
    const float r = (x - n * 0.693145751953125f) - n * 1.428606765330187e-06f;
    const float p = 1.0f + r * (1.0f + r * (0.5f + r * (0.1666666667f +
                    r * (0.0416666667f + r * (0.0083333333f + r * 0.0013888889f)))));
    return p * vr_bits_to_float(((int32_t)n + 127) << 23);
}

#endif
