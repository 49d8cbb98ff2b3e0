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

/* Keep up to n freed large buffers (0 to VR_MEMORY_KEEP_MAX; 0, the
 * default, frees them and drops any kept) for the next vr_alloc_large of
 * the same size.  A time series allocates the same slab and kernel layout
 * for every snapshot: a kept buffer's pages are already backed, so the
 * next snapshot skips the kernel's zero fill of fresh pages (on this
 * project's VMs 7 % of a 256^3 series' CPU time, a third of its render
 * time).  A kept buffer holds stale data: vr_alloc_large never promised
 * zeros.  Not thread-safe, like the allocations it serves. */
enum { VR_MEMORY_KEEP_MAX = 4 };
void vr_memory_keep_freed(int n);

/* Gives the whole pages inside bytes [from, to) of a vr_alloc_large buffer
 * back to the system: they read as zero afterwards (a kept buffer's given
 * back pages are faulted in again when it is reused).  For buffers consumed
 * front to back, so that what is allocated next reuses memory already
 * faulted in (on a virtual machine, fresh memory can cost seconds). */
void vr_release_pages(void *base, size_t from, size_t to);

/* The "KEY: N kB" line of a /proc file (e.g. "/proc/self/status",
 * "VmHWM"), in bytes; -1 if the file or the key is missing. */
int64_t vr_proc_kb_field(const char *file, const char *key);

#endif
