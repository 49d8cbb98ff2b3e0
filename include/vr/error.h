/* error.h — status codes and the check macro every module uses.
 *
 * Tier 1 of the error policy: a module function returns VR_OK (0) or a
 * negative VrStatus, having written one human sentence into a caller-owned
 * VrError.  Callers above decide whether the failure is collective (agree
 * across ranks, then exit alike) or fatal mid-collective (vr_fatal). */
#ifndef VR_ERROR_H
#define VR_ERROR_H

#include <stddef.h>

typedef enum {
    VR_OK = 0,
    VR_ERR_USAGE = -1,   /* bad command line: exit status 2 */
    VR_ERR_INPUT = -2,   /* input file or dataset unusable */
    VR_ERR_IO = -3,      /* output could not be written */
    VR_ERR_NOMEM = -4,   /* allocation failed or would exceed the limit */
    VR_ERR_MPI = -5,     /* an MPI call failed */
    VR_ERR_INTERNAL = -6
} VrStatus;

/* One error message, owned by the caller, filled by the failing function. */
typedef struct {
    char msg[1024];
} VrError;

/* Formats into err (which may be NULL) and returns status, so a failing
 * function can say `return vr_fail(err, VR_ERR_INPUT, "...", ...)`. */
int vr_fail(VrError *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* User text made fit for a one-line message: control characters as
 * \xHH, cut after 120 characters with "...".  NULL shows as "(null)". */
typedef struct {
    char text[136];
} VrShown;
VrShown vr_shown(const char *text);

/* Exit status for a VrStatus: 0 ok, 2 usage, 1 anything else. */
int vr_exit_code(int status);

/* Checks cond; on failure records the message and jumps to `cleanup`
 * with `rc` set.  Every function that uses it declares `int rc` and has
 * exactly one `cleanup:` label. */
#define VR_CHECK(cond, status, err, ...)                                     \
    do {                                                                     \
        if (!(cond)) {                                                       \
            rc = vr_fail((err), (status), __VA_ARGS__);                      \
            goto cleanup;                                                    \
        }                                                                    \
    } while (0)

#endif
