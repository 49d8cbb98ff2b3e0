/* parallel.h — the error agreement between ranks (tiers 2 and 3).
 *
 * vr_agree is called before every collective step that could otherwise
 * hang on a rank that failed alone: all ranks leave it with the same
 * verdict and the same message, so they can clean up and exit alike. */
#ifndef VR_PARALLEL_H
#define VR_PARALLEL_H

#include <mpi.h>

#include "vr/error.h"

/* Collective.  Returns VR_OK everywhere if every rank passed VR_OK;
 * otherwise every rank gets the status and the message (into err) of the
 * lowest-numbered failing rank, prefixed with that rank when it is not 0. */
int vr_agree(MPI_Comm comm, int status, VrError *err);

/* Tier 3, for failures inside a collective phase: prints
 * "volrender[rank]: error: ..." to stderr, flushes and aborts the job. */
_Noreturn void vr_fatal(MPI_Comm comm, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Test hook: returns 1 when the environment variable VR_TEST_FAIL names
 * this rank and phase ("RANK:PHASE"), so tests can inject a failure that
 * real runs never see. */
int vr_test_should_fail(int rank, const char *phase);

#endif
