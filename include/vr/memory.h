/* memory.h — allocation of the large buffers (slab, resampled planes).
 *
 * They are touched page by page once and then read many times, so they are
 * aligned to 2 MiB and offered to the kernel for transparent huge pages:
 * first-touch page faults drop by ~500x (about 30 ms for a 256^3 cube).
 * Where huge pages are off the hint is ignored and nothing changes. */
#ifndef VR_MEMORY_H
#define VR_MEMORY_H

#include <stddef.h>

/* Like malloc (NULL on failure, or for 0 bytes).  Free with vr_free_large. */
void *vr_alloc_large(size_t bytes);

/* Accepts NULL. */
void vr_free_large(void *p);

#endif
