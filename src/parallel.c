#include "vr/parallel.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vr_agree(MPI_Comm comm, int status, VrError *err)
{
    int rank, nranks;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    int mine = status == VR_OK ? nranks : rank;
    int first = nranks;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm);
    if (first == nranks)
        return VR_OK;
    int agreed = status;
    MPI_Bcast(&agreed, 1, MPI_INT, first, comm);
    VrError local = {{0}};
    char text[sizeof local.msg + 32];
    if (rank == first && err)
        local = *err;
    MPI_Bcast(local.msg, (int)sizeof local.msg, MPI_CHAR, first, comm);
    if (err) {
        if (first != 0) {
            snprintf(text, sizeof text, "rank %d: %s", first, local.msg);
            snprintf(err->msg, sizeof err->msg, "%.*s", (int)sizeof err->msg - 1, text);
        } else {
            *err = local;
        }
    }
    return agreed;
}

_Noreturn void vr_fatal(MPI_Comm comm, const char *fmt, ...)
{
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "volrender[%d]: error: %s\n", rank, msg);
    fflush(stderr);
    MPI_Abort(comm, 1);
    exit(1); /* not reached: MPI_Abort does not return */
}

int vr_test_should_fail(int rank, const char *phase)
{
    const char *spec = getenv("VR_TEST_FAIL");
    if (!spec || !*spec)
        return 0;
    char *end = NULL;
    long r = strtol(spec, &end, 10);
    if (end == spec || *end != ':')
        return 0;
    return r == rank && strcmp(end + 1, phase) == 0;
}

void vr_print_error(const VrError *err)
{
    /* A control character in a name the message quotes (a file name may
     * hold a newline) is shown as '?', so the message stays one line. */
    char line[sizeof err->msg];
    size_t n = 0;
    for (; err->msg[n] && n + 1 < sizeof line; n++)
        line[n] = (unsigned char)err->msg[n] < 0x20 ? '?' : err->msg[n];
    line[n] = '\0';
    fprintf(stderr, "volrender_mpi: error: %s\n", line);
    fflush(stderr);
}

int vr_test_record_exit(int rank, int code)
{
    const char *dir = getenv("VR_TEST_EXIT_LOG");
    if (dir && *dir) {
        char path[4200];
        snprintf(path, sizeof path, "%.4000s/exit.%d", dir, rank);
        FILE *f = fopen(path, "w");
        if (f) {
            fprintf(f, "%d\n", code);
            fclose(f);
        }
    }
    return code;
}
