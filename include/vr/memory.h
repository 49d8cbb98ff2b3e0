/* memory.h — allocation of the large buffers (slab, resampled planes).
 *
 * They are touched page by page once and then read many times, so they are
 * aligned to 2 MiB and offered to the kernel for transparent huge pages:
 * first-touch page faults drop by ~500x (about 30 ms for a 256^3 cube).
 * Where huge pages are off the hint is ignored and nothing changes. */
#ifndef VR_MEMORY_H
#define VR_MEMORY_H

#include <stddef.h>
#include <stdint.h>

/* Like malloc (NULL on failure, or for 0 bytes).  Free with vr_free_large. */
void *vr_alloc_large(size_t bytes);

/* Accepts NULL. */
void vr_free_large(void *p);

/* Gives the whole pages inside bytes [from, to) of a vr_alloc_large buffer
 * back to the system: they read as zero afterwards.  For buffers consumed
 * front to back, so that what is allocated next reuses memory already
 * faulted in (on a virtual machine, fresh memory can cost seconds). */
void vr_release_pages(void *base, size_t from, size_t to);

/* The "KEY: N kB" line of a /proc file (e.g. "/proc/self/status",
 * "VmHWM"), in bytes; -1 if the file or the key is missing. */
int64_t vr_proc_kb_field(const char *file, const char *key);

#endif
