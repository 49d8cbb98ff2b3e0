/* check.h — the smallest test harness: CHECK counts failures and prints
 * where; a test's main returns check_report(). */
#ifndef VR_TEST_CHECK_H
#define VR_TEST_CHECK_H

#include <stdio.h>

static int check_failures = 0;
static int check_count = 0;

#define CHECK(cond, ...)                                                      \
    do {                                                                      \
        check_count++;                                                        \
        if (!(cond)) {                                                        \
            check_failures++;                                                 \
            if (check_failures <= 20) {                                       \
                fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__,        \
                        __LINE__, #cond);                                     \
                fprintf(stderr, __VA_ARGS__);                                 \
                fputc('\n', stderr);                                          \
            }                                                                 \
        }                                                                     \
    } while (0)

static inline int check_report(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures ? 1 : 0;
}

/* Deterministic pseudo-random numbers in [0, 1). */
static unsigned long long check_rng_state = 0x9e3779b97f4a7c15ull;
static inline double check_rand(void)
{
    check_rng_state = check_rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(check_rng_state >> 11) * (1.0 / 9007199254740992.0);
}

#endif
