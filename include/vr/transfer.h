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
 * Like the 16-lane version below, it evaluates only the bump nearest to L
 * (see VrTransfer16Consts: the others are below 9.5e-10 there), so one exp
 * instead of three; VR_TF_SPLIT0/1 are the split points computed there
 * (test_transfer checks they agree).  Within 2e-6 of vr_transfer_eval
 * (tests/unit/test_transfer.c).  Inline, and written with selects the
 * compiler if-converts, so the kernel's loop over pixels vectorises
 * through it. */
#define VR_TF_SPLIT0 4.44152f /* between the bumps at 9 and 3 */
#define VR_TF_SPLIT1 1.14590f /* between the bumps at 3 and -3 */
static inline VrSample vr_transfer_sample(float rho)
{
    /* rho <= 0 (and NaN, inf) is transparent: compute on a safe value, then
     * mask.  Below 1e-30 or above 1e30 every bump is under 1e-38 anyway. */
    const int ok = (rho > 1e-30f) & (rho < 1e30f);
    const float inside = ok ? 1.0f : 0.0f;
    const float L = vr_fast_logf(ok ? rho : 1.0f);
    /* One-hot choice of the nearest bump, as floats (1 or 0). */
    const float b1 = L >= VR_TF_SPLIT0 ? 1.0f : 0.0f;
    const float b3 = L < VR_TF_SPLIT1 ? 1.0f : 0.0f;
    const float b2 = 1.0f - b1 - b3;
    const float d = L - (9.0f * b1 + 3.0f * b2 - 3.0f * b3);
    const float E = inside * vr_fast_expf(-(1.0f * b1 + 10.0f * b2 + 2.0f * b3) * d * d);
    VrSample s;
    s.a = E * (0.6f * b1 + 0.1f * b2 + 0.01f * b3);
    const float aE = s.a * E;
    s.ar = aE * (1.0f * b1 + 0.1f * b2 + 0.1f * b3);
    s.ag = aE * (1.0f * b1 + 1.0f * b2 + 0.1f * b3);
    s.ab = aE * (0.1f * b1 + 0.1f * b2 + 1.0f * b3);
    return s;
}

/* Constants of the kernel's 16-lane transfer function, derived from the
 * parameters above by vr_transfer16_consts (plain C, so always built).
 *
 * The three bumps hardly overlap: where one matters the others are below
 * 1e-9.  Each lane therefore evaluates only the bump nearest to its L (in
 * units of the bump widths), and drops the other two.  Bump k (centres in
 * decreasing order) is the nearest for split[k] <= L < split[k-1]; a
 * dropped bump is never above `dropped` (9.5e-10, at the split between
 * the bumps at 9 and 3).  Through a sample's premultiplied colour and its
 * opacity (hence the transmittance of what lies behind) it moves a pixel
 * by less than 2 x 9.5e-10 per sample, < S * 1.9e-9 in all (3.4e-7 for
 * S = 180; in practice far less): well inside the 1e-5 of the reference
 * tests.  The choice is per lane, so the result does
 * not depend on how samples are grouped into vectors (rank-count
 * invariance).  Checked, with the overall accuracy, by test_transfer. */
#define VR_LOG_TABLE 32
typedef struct {
    /* ln: for the 32 equal subintervals [1 + i/32, 1 + (i+1)/32) of the
     * mantissa, inv[i] = (float)(1 / midpoint), logc[i] = (float)-ln inv[i]. */
    float inv[VR_LOG_TABLE], logc[VR_LOG_TABLE];
    /* Per bump k (lanes 0..2, the rest 0): -centre, -log2(e) / width^2 and
     * the mixing weights of a, r, g, b. */
    float neg_centre[16], y_scale[16];
    float mix[4][16];
    float split[2];
    double dropped;
} VrTransfer16Consts;
void vr_transfer16_consts(VrTransfer16Consts *k);

#if defined(__AVX512F__)
#include <immintrin.h>

/* The transfer function on 16 densities at once, written with AVX-512
 * intrinsics for the kernel (the compiler cannot find this form itself),
 * branch-free:
 *   ln rho = e ln 2 + ln m, e and m in [1, 2) from vgetexpps / vgetmantps;
 *     ln m = ln(1 + r) - ln c_i with c_i ~ 1/m read from a 32-entry table by
 *     the top 5 mantissa bits (vpermt2ps: a register lookup, no memory) and
 *     r = m c_i - 1, |r| < 1/64, so a cubic gives ln(1 + r) to 1.5e-8;
 *     no division, unlike the atanh series of vr_fast_logf.
 *   one bump per lane (see VrTransfer16Consts), its parameters picked by
 *     vpermps; L - centre formed as (e ln 2 - centre) + ln m, the first term
 *     by one fused multiply-add, so near the bump (where it matters) it is
 *     not rounded to the ulp of L itself (1e-6 for L ~ 9);
 *   exp(-(L - c)^2 / w) = 2^y with y = -(log2 e / w)(L - c)^2, 2^y =
 *     2^round(y) 2^f, |f| <= 1/2, 2^f by a degree-5 minimax polynomial
 *     (relative error 7.5e-8 in exact arithmetic) and the power of two put
 *     in by vscalefps, which underflows to 0 by itself: no clamping.
 * rho <= 0, NaN or inf give a = 0 and colour 0.
 * Accuracy against vr_transfer_eval: tests/unit/test_transfer.c. */
typedef struct {
    __m512 inv_lo, inv_hi, log_lo, log_hi; /* the two 32-entry ln tables */
    __m512 neg_centre, y_scale, mix_a, mix_r, mix_g, mix_b;
    __m512 split0, split1;
} VrTransfer16;

typedef struct {
    __m512 ar, ag, ab, a; /* premultiplied colour and opacity */
} VrSample16;

static inline VrTransfer16 vr_transfer16_init(void)
{
    VrTransfer16Consts c;
    vr_transfer16_consts(&c);
    VrTransfer16 k;
    k.inv_lo = _mm512_loadu_ps(c.inv);
    k.inv_hi = _mm512_loadu_ps(c.inv + 16);
    k.log_lo = _mm512_loadu_ps(c.logc);
    k.log_hi = _mm512_loadu_ps(c.logc + 16);
    k.neg_centre = _mm512_loadu_ps(c.neg_centre);
    k.y_scale = _mm512_loadu_ps(c.y_scale);
    k.mix_a = _mm512_loadu_ps(c.mix[0]);
    k.mix_r = _mm512_loadu_ps(c.mix[1]);
    k.mix_g = _mm512_loadu_ps(c.mix[2]);
    k.mix_b = _mm512_loadu_ps(c.mix[3]);
    k.split0 = _mm512_set1_ps(c.split[0]);
    k.split1 = _mm512_set1_ps(c.split[1]);
    return k;
}

/* 2^y for y <= 0 (see above). */
static inline __m512 vr_exp2_16(__m512 y)
{
    const __m512 n = _mm512_roundscale_ps(y, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512 f = _mm512_sub_ps(y, n);
    __m512 p = _mm512_set1_ps(1.327647196e-03f);
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(9.675541503e-03f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(5.550713275e-02f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.402211972e-01f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(6.931469671e-01f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.000000072e+00f));
    return _mm512_scalef_ps(p, n);
}

static inline VrSample16 vr_transfer_sample16(const VrTransfer16 *k, __m512 rho)
{
    /* rho <= 0, NaN and inf are transparent without a mask: clamped into
     * [1e-30, 1e30] (vmaxps returns its second operand for NaN), where
     * every bump is 0 in float (2^y underflows), as SPEC's are below 1e-38. */
    const __m512 x = _mm512_min_ps(_mm512_max_ps(rho, _mm512_set1_ps(1e-30f)),
                                   _mm512_set1_ps(1e30f));
    const __m512 e = _mm512_getexp_ps(x);
    const __m512 m = _mm512_getmant_ps(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero);
    /* vpermt2ps uses the low 5 bits of each index: the top 5 mantissa bits. */
    const __m512i i = _mm512_srli_epi32(_mm512_castps_si512(m), 18);
    const __m512 c = _mm512_permutex2var_ps(k->inv_lo, i, k->inv_hi);
    const __m512 lc = _mm512_permutex2var_ps(k->log_lo, i, k->log_hi);
    const __m512 r = _mm512_fmsub_ps(m, c, _mm512_set1_ps(1.0f));
    /* ln(1 + r) = r + r^2 (-1/2 + r/3) + O(r^4). */
    const __m512 t = _mm512_fmadd_ps(r, _mm512_set1_ps(0.333333333f), _mm512_set1_ps(-0.5f));
    const __m512 lm = _mm512_add_ps(lc, _mm512_fmadd_ps(_mm512_mul_ps(r, r), t, r));
    const __m512 L = _mm512_fmadd_ps(e, _mm512_set1_ps(0.693147180560f), lm);
    /* The nearest bump: 0 above split0, 2 below split1, else 1. */
    __m512i b = _mm512_set1_epi32(1);
    b = _mm512_mask_mov_epi32(b, _mm512_cmp_ps_mask(L, k->split0, _CMP_GE_OQ),
                              _mm512_setzero_si512());
    b = _mm512_mask_mov_epi32(b, _mm512_cmp_ps_mask(L, k->split1, _CMP_LT_OQ),
                              _mm512_set1_epi32(2));
    const __m512 d = _mm512_add_ps(
        _mm512_fmadd_ps(e, _mm512_set1_ps(0.693147180560f),
                        _mm512_permutexvar_ps(b, k->neg_centre)), lm);
    const __m512 y = _mm512_mul_ps(_mm512_mul_ps(d, d), _mm512_permutexvar_ps(b, k->y_scale));
    const __m512 E = vr_exp2_16(y);
    VrSample16 out;
    out.a = _mm512_mul_ps(E, _mm512_permutexvar_ps(b, k->mix_a));
    const __m512 aE = _mm512_mul_ps(out.a, E);
    out.ar = _mm512_mul_ps(aE, _mm512_permutexvar_ps(b, k->mix_r));
    out.ag = _mm512_mul_ps(aE, _mm512_permutexvar_ps(b, k->mix_g));
    out.ab = _mm512_mul_ps(aE, _mm512_permutexvar_ps(b, k->mix_b));
    return out;
}
#endif /* __AVX512F__ */

/* The parameters, for the float output's attributes: centres, widths^2
 * and the 4 x 3 mixing matrix (rows r g b a, columns bump 1..3). */
extern const double VR_TF_CENTRE[3];
extern const double VR_TF_WIDTH2[3];
extern const double VR_TF_MIX[4][3];

#endif
