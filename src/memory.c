#include "vr/memory.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

enum { HUGE_PAGE = 2 * 1024 * 1024 };

void *vr_alloc_large(size_t bytes)
{
    if (bytes == 0)
        return NULL;
    if (bytes < HUGE_PAGE)
        return malloc(bytes);
    const size_t rounded = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    void *p = NULL;
    if (posix_memalign(&p, HUGE_PAGE, rounded) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, rounded, MADV_HUGEPAGE); /* a hint: failure is harmless */
#endif
    return p;
}

void vr_free_large(void *p)
{
    free(p);
}

void vr_release_pages(void *base, size_t from, size_t to)
{
#ifdef MADV_DONTNEED
    /* Whole huge pages only, so no huge page is split. */
    const size_t lo = (from + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    const size_t hi = to / HUGE_PAGE * HUGE_PAGE;
    if (base && hi > lo && ((uintptr_t)base % HUGE_PAGE) == 0)
        madvise((char *)base + lo, hi - lo, MADV_DONTNEED);
#else
    (void)base, (void)from, (void)to;
#endif
}

int64_t vr_proc_kb_field(const char *file, const char *key)
{
    FILE *f = fopen(file, "r");
    if (!f)
        return -1;
    char line[256];
    const size_t n = strlen(key);
    long long kib = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, n) == 0 && line[n] == ':' &&
            sscanf(line + n + 1, " %lld kB", &kib) == 1)
            break;
    fclose(f);
    return kib < 0 ? -1 : (int64_t)kib * 1024;
}
