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

/* Prints the agreed error as rank 0's one line,
 * "volrender_mpi: error: <message>", on stderr.  Rank 0 only. */
void vr_print_error(const VrError *err);

/* Test hook: returns 1 when the environment variable VR_TEST_FAIL names
 * this rank and phase ("RANK:PHASE"), so tests can inject a failure that
 * real runs never see.  Phases: "alloc" (the slab allocation, agreed),
 * "angleN" (mid-orbit at angle N: the job aborts), "kill:<file name>"
 * (rank 0 is killed halfway through writing that file). */
int vr_test_should_fail(int rank, const char *phase);

/* Test hook: with VR_TEST_EXIT_LOG=DIR, writes `code` to DIR/exit.<rank>.
 * Returns code, for `return vr_test_record_exit(rank, status);` at the end
 * of main.  mpirun kills the other ranks soon after one exits non-zero,
 * which would hide a rank left hanging; with this log (and Open MPI told
 * not to abort: orte_abort_on_non_zero_status=0) a test sees that every
 * rank ended by itself with the same status. */
int vr_test_record_exit(int rank, int code);

#endif
