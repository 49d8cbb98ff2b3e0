#include "vr/error.h"

#include <stdarg.h>
#include <stdio.h>

int vr_fail(VrError *err, int status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return status;
}

int vr_exit_code(int status)
{
    if (status == VR_OK)
        return 0;
    return status == VR_ERR_USAGE ? 2 : 1;
}
