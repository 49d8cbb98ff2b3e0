#include "vr/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

VrShown vr_shown(const char *text)
{
    VrShown s;
    size_t n = 0;
    if (!text)
        text = "(null)";
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (n >= 120) {
            memcpy(s.text + n, "...", 4);
            return s;
        }
        if (*p < 0x20 || *p == 0x7f)
            n += (size_t)snprintf(s.text + n, sizeof s.text - n, "\\x%02x", *p);
        else
            s.text[n++] = (char)*p;
    }
    s.text[n] = '\0';
    return s;
}
