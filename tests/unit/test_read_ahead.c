/* test_read_ahead.c — the read-ahead of the next snapshot brings its whole
 * block into the page cache.
 *
 * A 40 MiB file is written, flushed and evicted (posix_fadvise DONTNEED);
 * then the read-ahead of a rank's block runs and mincore(2) must find every
 * page of that block resident.  readahead(2) stops at the device's
 * read-ahead window (128 KiB to a few MiB), so a read-ahead that names a
 * block in one call leaves most of it on disk.  Where eviction has no
 * effect (tmpfs, some overlay file systems), the test is skipped (77). */
#include "check.h"
#include "vr/read_ahead.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PATH "read_ahead_probe.bin"
#define HEADER ((int64_t)4096) /* where element 0 is, as in an HDF5 file */

static const int64_t dims[3] = {40, 512, 512}; /* float32: 40 MiB */

static int64_t file_bytes(void) { return HEADER + dims[0] * dims[1] * dims[2] * 4; }

static int write_file(void)
{
    const int fd = open(PATH, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    enum { CHUNK = 1 << 20 };
    unsigned char *buf = malloc(CHUNK);
    int64_t left = file_bytes();
    while (buf && left > 0) {
        for (int i = 0; i < CHUNK; i++)
            buf[i] = (unsigned char)(check_rand() * 256.0);
        const size_t n = left < CHUNK ? (size_t)left : CHUNK;
        if (write(fd, buf, n) != (ssize_t)n)
            break;
        left -= (int64_t)n;
    }
    free(buf);
    const int ok = left == 0 && fsync(fd) == 0;
    close(fd);
    return ok ? 0 : -1;
}

static void evict(void)
{
    const int fd = open(PATH, O_RDONLY);
    if (fd >= 0) {
        posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        close(fd);
    }
}

/* Fraction of the pages of [off, off + len) in the page cache. */
static double resident(const unsigned char *vec, long page, int64_t off, int64_t len)
{
    const int64_t first = off / page, last = (off + len - 1) / page;
    int64_t in = 0;
    for (int64_t p = first; p <= last; p++)
        in += vec[p] & 1;
    return (double)in / (double)(last - first + 1);
}

/* Residency of the whole file's pages into vec. */
static int probe(unsigned char *vec)
{
    const int fd = open(PATH, O_RDONLY);
    if (fd < 0)
        return -1;
    void *map = mmap(NULL, (size_t)file_bytes(), PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return -1;
    const int rc = mincore(map, (size_t)file_bytes(), vec);
    munmap(map, (size_t)file_bytes());
    return rc;
}

/* Lowest residency over the byte ranges of rank's block; waits up to 5 s
 * for reads still in flight. */
static double block_residency(const VrReadAhead *ra, unsigned char *vec, long page)
{
    double worst = 0.0;
    for (int tries = 0; tries < 50; tries++) {
        if (probe(vec) != 0)
            return -1.0;
        worst = 1.0;
        for (int64_t i = 0; i < ra->nranges; i++) {
            const double r = resident(vec, page, ra->ranges[i][0], ra->ranges[i][1]);
            if (r < worst)
                worst = r;
        }
        if (worst == 1.0)
            break;
        nanosleep(&(struct timespec){0, 100000000L}, NULL);
    }
    return worst;
}

int main(void)
{
    const long page = sysconf(_SC_PAGESIZE);
    unsigned char *vec = malloc((size_t)((file_bytes() + page - 1) / page));
    if (!vec || write_file() != 0) {
        fprintf(stderr, "test_read_ahead: cannot write %s in the working folder\n", PATH);
        return 1;
    }
    evict();
    if (probe(vec) != 0 || resident(vec, page, 0, file_bytes()) > 0.1) {
        printf("test_read_ahead: SKIP: posix_fadvise(DONTNEED) does not evict pages on "
               "this file system\n");
        unlink(PATH);
        free(vec);
        return 77;
    }
    const VrDataLayout layout = {HEADER, 4};
    /* One range (a slab of x planes), a range per x plane (y), whole
     * planes (z), at 1 and 3 ranks. */
    const int cases[][3] = {{0, 0, 1}, {0, 2, 3}, {1, 1, 3}, {2, 0, 3}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const int axis = cases[c][0], rank = cases[c][1], nranks = cases[c][2];
        evict();
        VrBlock slab;
        vr_decomp_slab(rank, nranks, dims, axis, &slab);
        VrReadAhead ra;
        const int started = vr_read_ahead_start(&ra, PATH, &layout, dims, &slab);
        CHECK(started == 1, "axis %d rank %d/%d: read-ahead did not start", axis, rank,
              nranks);
        if (!started)
            continue;
        /* finish() frees the ranges: look while the thread may still run,
         * after joining it. */
        pthread_join(ra.thread, NULL);
        ra.running = 0;
        /* Every page was asked for.  A VM's proactive reclaim (kdamond)
         * may take a few back before they are counted: 98.8 % was seen
         * once in CI.  The bug this guards against, one readahead(2) call
         * for the whole range, brought in 8 MiB of a 32 MiB slab (25 %). */
        const double r = block_residency(&ra, vec, page);
        CHECK(r >= 0.95,
              "axis %d rank %d/%d: %.1f %% of the block's pages (%.1f MiB asked for) in the "
              "page cache after the read-ahead",
              axis, rank, nranks, 100.0 * r, (double)ra.bytes / 1048576.0);
        vr_read_ahead_finish(&ra);
    }
    unlink(PATH);
    free(vec);
    return check_report("test_read_ahead");
}
