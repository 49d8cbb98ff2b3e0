/* The transfer function: the float kernel's version against the double
 * one over the whole useful density range, the special values, and the
 * peak colours SPEC implies. */
#include <math.h>

#include "check.h"
#include "vr/transfer.h"

int main(void)
{
    double worst = 0.0, worst_L = 0.0;
    for (int i = 0; i <= 200000; i++) {
        const double L = -12.0 + 28.0 * i / 200000.0;
        const float rho = (float)exp(L);
        double ref[4];
        vr_transfer_eval((double)rho, ref);
        const VrSample s = vr_transfer_sample(rho);
        const double got[4] = {s.ar, s.ag, s.ab, s.a};
        const double want[4] = {ref[3] * ref[0], ref[3] * ref[1], ref[3] * ref[2], ref[3]};
        for (int c = 0; c < 4; c++) {
            const double d = fabs(got[c] - want[c]);
            if (d > worst) {
                worst = d;
                worst_L = L;
            }
        }
    }
    CHECK(worst < 2e-6, "float transfer function off by %g at L = %g", worst, worst_L);
    printf("float transfer function: max abs error %.3g (at L = %.3f)\n", worst, worst_L);

    /* The 16-lane version evaluates only the nearest bump of each sample:
     * the ones it drops must be negligible (see VrTransfer16Consts). */
    VrTransfer16Consts tc;
    vr_transfer16_consts(&tc);
    CHECK(tc.dropped < 1e-9, "a dropped bump reaches %g", tc.dropped);
    CHECK(fabsf(tc.split[0] - VR_TF_SPLIT0) < 1e-4f && fabsf(tc.split[1] - VR_TF_SPLIT1) < 1e-4f,
          "VR_TF_SPLIT0/1 (%g, %g) are not the split points %g, %g", (double)VR_TF_SPLIT0,
          (double)VR_TF_SPLIT1, (double)tc.split[0], (double)tc.split[1]);
    printf("16-lane transfer function: dropped bumps below %.3g (splits at L = %.4f, %.4f)\n",
           tc.dropped, (double)tc.split[0], (double)tc.split[1]);
#if defined(__AVX512F__)
    /* The kernel's 16-lane version (built with -march=native on AVX-512
     * machines) over the same densities, 16 at a time. */
    {
        const VrTransfer16 k = vr_transfer16_init();
        double worst16 = 0.0, worst16_L = 0.0;
        for (int i0 = 0; i0 <= 200000; i0 += 16) {
            float rho[16];
            double Ls[16];
            for (int l = 0; l < 16; l++) {
                Ls[l] = -12.0 + 28.0 * (i0 + l) / 200000.0;
                rho[l] = (float)exp(Ls[l]);
            }
            const VrSample16 v = vr_transfer_sample16(&k, _mm512_loadu_ps(rho));
            float got[4][16];
            _mm512_storeu_ps(got[0], v.ar);
            _mm512_storeu_ps(got[1], v.ag);
            _mm512_storeu_ps(got[2], v.ab);
            _mm512_storeu_ps(got[3], v.a);
            for (int l = 0; l < 16 && i0 + l <= 200000; l++) {
                double ref[4];
                vr_transfer_eval((double)rho[l], ref);
                const double want[4] = {ref[3] * ref[0], ref[3] * ref[1], ref[3] * ref[2], ref[3]};
                for (int c = 0; c < 4; c++) {
                    const double d = fabs(got[c][l] - want[c]);
                    if (d > worst16) {
                        worst16 = d;
                        worst16_L = Ls[l];
                    }
                }
            }
        }
        CHECK(worst16 < 2e-6, "AVX-512 transfer function off by %g at L = %g", worst16,
              worst16_L);
        printf("AVX-512 transfer function: max abs error %.3g (at L = %.3f)\n", worst16,
               worst16_L);
        /* Special values are transparent, ordinary ones are not. */
        const float sp[16] = {0.0f, -1.0f, -INFINITY, INFINITY, NAN, 1e-38f, 1e31f, -5.0f,
                              1.0f, 20.0f, 8000.0f, 0.05f, -0.0f, -NAN, 1e-30f, 3e38f};
        const VrSample16 v = vr_transfer_sample16(&k, _mm512_loadu_ps(sp));
        float a[16], ar[16];
        _mm512_storeu_ps(a, v.a);
        _mm512_storeu_ps(ar, v.ar);
        for (int l = 0; l < 16; l++) {
            const int opaque = l >= 8 && l < 12;
            CHECK(opaque ? a[l] > 0.0f : a[l] == 0.0f && ar[l] == 0.0f,
                  "AVX-512 lane %d (rho = %g): a = %g", l, (double)sp[l], (double)a[l]);
        }
    }
#endif

    const float specials[] = {0.0f, -1.0f, -INFINITY, INFINITY, NAN, 1e-38f};
    for (int i = 0; i < 6; i++) {
        const VrSample s = vr_transfer_sample(specials[i]);
        CHECK(s.a == 0.0f && s.ar == 0.0f && s.ag == 0.0f && s.ab == 0.0f,
              "rho = %g is not transparent", (double)specials[i]);
    }
    double rgba[4];
    vr_transfer_eval(exp(9.0), rgba); /* the dense peak: yellow-white, a = 0.6 */
    CHECK(fabs(rgba[3] - 0.6) < 1e-6 && fabs(rgba[0] - 1.0) < 1e-6 &&
              fabs(rgba[1] - 1.0) < 1e-6 && fabs(rgba[2] - 0.1) < 1e-6,
          "peak at L = 9: %g %g %g %g", rgba[0], rgba[1], rgba[2], rgba[3]);
    vr_transfer_eval(exp(3.0), rgba); /* filaments: green, a = 0.1 */
    CHECK(fabs(rgba[1] - 1.0) < 1e-3 && fabs(rgba[3] - 0.1) < 1e-3, "peak at L = 3");
    vr_transfer_eval(exp(-3.0), rgba); /* voids: blue, a = 0.01 */
    CHECK(fabs(rgba[2] - 1.0) < 1e-6 && fabs(rgba[3] - 0.01) < 1e-6, "peak at L = -3");
    vr_transfer_eval(0.0, rgba);
    CHECK(rgba[0] == 0 && rgba[1] == 0 && rgba[2] == 0 && rgba[3] == 0, "rho = 0");
    return check_report("test_transfer");
}
