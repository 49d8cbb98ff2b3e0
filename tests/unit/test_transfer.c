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
