#include "vr/memory.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

enum { HUGE_PAGE = 2 * 1024 * 1024 };

/* The huge-page blocks handed out and not yet freed, with their sizes
 * (so a freed one can be kept for an allocation of the same size), and
 * the freed ones kept for reuse (vr_memory_keep_freed). */
typedef struct {
    void *p;
    size_t bytes;
} Block;
enum { LIVE_MAX = 64 };
static Block live[LIVE_MAX], kept[VR_MEMORY_KEEP_MAX];
static int nlive, nkept, keep_max;

void vr_memory_keep_freed(int n)
{
    keep_max = n < 0 ? 0 : n > VR_MEMORY_KEEP_MAX ? VR_MEMORY_KEEP_MAX : n;
    while (nkept > keep_max)
        free(kept[--nkept].p);
}

static void *handed_out(void *p, size_t bytes)
{
    if (nlive < LIVE_MAX) /* else untracked: freed, never kept */
        live[nlive++] = (Block){p, bytes};
    return p;
}

void *vr_alloc_large(size_t bytes)
{
    if (bytes == 0)
        return NULL;
    if (bytes < HUGE_PAGE)
        return malloc(bytes);
    const size_t rounded = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    for (int i = 0; i < nkept; i++)
        if (kept[i].bytes == rounded) {
            void *p = kept[i].p;
            kept[i] = kept[--nkept];
            return handed_out(p, rounded);
        }
    void *p = NULL;
    if (posix_memalign(&p, HUGE_PAGE, rounded) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, rounded, MADV_HUGEPAGE); /* a hint: failure is harmless */
#endif
    return handed_out(p, rounded);
}

void vr_free_large(void *p)
{
    if (!p)
        return;
    for (int i = 0; i < nlive; i++)
        if (live[i].p == p) {
            const Block b = live[i];
            live[i] = live[--nlive];
            if (keep_max == 0)
                break;
            if (nkept == keep_max) { /* the oldest goes */
                free(kept[0].p);
                kept[0] = kept[--nkept];
            }
            kept[nkept++] = b;
            return;
        }
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
