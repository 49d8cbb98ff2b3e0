/* test_memory.c — vr_memory_keep_freed: a freed large buffer comes back to
 * the next allocation of its size (pages already backed), others do not,
 * and turning keeping off frees what was kept. */
#include "check.h"
#include "vr/memory.h"

#include <stdint.h>
#include <string.h>

int main(void)
{
    const size_t mib = 1 << 20;
    /* Off (the default): nothing is kept. */
    char *a = vr_alloc_large(5 * mib);
    CHECK(a != NULL, "5 MiB");
    CHECK(((uintptr_t)a % (2 * mib)) == 0, "huge-page aligned");
    vr_free_large(a);

    vr_memory_keep_freed(2);
    char *b = vr_alloc_large(5 * mib);
    memset(b, 7, 5 * mib);
    vr_free_large(b);
    char *c = vr_alloc_large(6 * mib); /* the same 6 MiB rounding: reused */
    CHECK(c == b, "a kept buffer of the same rounded size is reused (%p, %p)", (void *)c,
          (void *)b);
    CHECK(c[0] == 7 && c[5 * mib - 1] == 7, "reused, not cleared");
    char *d = vr_alloc_large(9 * mib); /* another size: a new buffer */
    CHECK(d != c, "another size is not served from the kept one");
    vr_free_large(c);
    vr_free_large(d);
    /* Both kept; a third pushes the oldest out. */
    char *e = vr_alloc_large(3 * mib);
    CHECK(e != c && e != d, "3 MiB (4 MiB rounded) is neither kept buffer");
    vr_free_large(e);
    char *f = vr_alloc_large(10 * mib);
    CHECK(f == d, "10 MiB is the kept 9 MiB buffer (both round to 10 MiB)");
    vr_free_large(f);
    /* Small allocations are never kept. */
    char *g = vr_alloc_large(1000);
    vr_free_large(g);
    vr_memory_keep_freed(0);
    char *h = vr_alloc_large(6 * mib);
    CHECK(h != NULL, "allocation after keeping is off");
    vr_free_large(h);
    return check_report("test_memory");
}
