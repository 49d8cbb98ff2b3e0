#include "vr/read_ahead.h"

#include <fcntl.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

void vr_read_ahead_layout(MPI_Comm comm, const char *path, const char *dataset,
                          VrDataLayout *out)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    int64_t v[2] = {-1, 0};
    if (rank == 0) {
        H5E_auto2_t fn;
        void *data;
        H5Eget_auto2(H5E_DEFAULT, &fn, &data);
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        const hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        const hid_t d = f >= 0 ? H5Dopen2(f, dataset, H5P_DEFAULT) : -1;
        if (d >= 0) {
            const hid_t t = H5Dget_type(d);
            const haddr_t off = H5Dget_offset(d); /* HADDR_UNDEF unless contiguous */
            if (t >= 0 && off != HADDR_UNDEF) {
                v[0] = (int64_t)off;
                v[1] = (int64_t)H5Tget_size(t);
            }
            if (t >= 0)
                H5Tclose(t);
            H5Dclose(d);
        }
        if (f >= 0)
            H5Fclose(f);
        H5Eset_auto2(H5E_DEFAULT, fn, data);
    }
    MPI_Bcast(v, 2, MPI_INT64_T, 0, comm);
    out->offset = v[0];
    out->elem_bytes = v[1];
}

/* One readahead(2) call reads at most the device's read-ahead window
 * (max of read_ahead_kb and max_sectors_kb: 128 KiB by default, 8 MiB on
 * some VMs) and silently drops the rest of the range, so the ranges go in
 * pieces no larger than the smallest common window. */
#define READ_AHEAD_CALL_BYTES ((int64_t)128 << 10)

/* At most this much is read ahead at a time (see read_ahead_main). */
#define READ_AHEAD_PACE_BYTES ((int64_t)1 << 20)

/* This thread's reads at the idle I/O priority (Linux ioprio_set; where
 * the block layer's scheduler honours it, e.g. mq-deadline and bfq): the
 * rank's own I/O meanwhile, the frames it writes and the file system's
 * journal commits behind their renames, goes first instead of queueing
 * behind a slab's worth of reads (measured here: renames 0.5 -> 2.1 ms
 * each with the read-ahead at the default priority). */
static void lower_io_priority(void)
{
#ifdef SYS_ioprio_set
    enum { WHO_PROCESS = 1, CLASS_IDLE = 3, CLASS_SHIFT = 13 };
    (void)syscall(SYS_ioprio_set, WHO_PROCESS, 0, CLASS_IDLE << CLASS_SHIFT);
#endif
}

static void *read_ahead_main(void *arg)
{
    VrReadAhead *ra = arg;
    lower_io_priority(); /* a hint: failure changes nothing else */
    const int fd = open(ra->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL; /* the read will report the file itself */
    /* No read-ahead of the kernel's own on top (its window can be MiBs). */
    posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
    /* readahead(2) returns once the reads are queued: in this thread, that
     * is while the rank renders.  After every READ_AHEAD_PACE_BYTES, one
     * byte at the end is read, which waits for that stretch to arrive, so
     * no more than that is ever queued ahead of the rank's own I/O. */
    int64_t queued = 0;
    for (int64_t i = 0; i < ra->nranges; i++) {
        const int64_t end = ra->ranges[i][0] + ra->ranges[i][1];
        for (int64_t at = ra->ranges[i][0]; at < end; at += READ_AHEAD_CALL_BYTES) {
            const int64_t len = end - at < READ_AHEAD_CALL_BYTES ? end - at
                                                                 : READ_AHEAD_CALL_BYTES;
            if (readahead(fd, (off_t)at, (size_t)len) != 0) {
                close(fd);
                return NULL;
            }
            queued += len;
            if (queued >= READ_AHEAD_PACE_BYTES || at + len == end) {
                char byte;
                if (pread(fd, &byte, 1, (off_t)(at + len - 1)) != 1)
                    break;
                queued = 0;
            }
        }
    }
    close(fd);
    return NULL;
}

int vr_read_ahead_start(VrReadAhead *ra, const char *path, const VrDataLayout *layout,
                        const int64_t dims[3], const VrBlock *slab)
{
    memset(ra, 0, sizeof *ra);
    if (layout->offset < 0 || vr_block_empty(slab))
        return 0;
    int64_t start[3], count[3];
    vr_decomp_block(slab, dims, start, count);
    const int64_t e = layout->elem_bytes, plane = dims[1] * dims[2];
    /* The block in C order: one range when it holds whole x planes;
     * otherwise one per x plane, from its first row's first point to its
     * last row's last (the rows of a block cut along z are too short to
     * name one by one). */
    const int whole_planes = count[1] == dims[1] && count[2] == dims[2];
    const int64_t n = whole_planes ? 1 : count[0];
    ra->ranges = malloc((size_t)n * sizeof *ra->ranges);
    if (!ra->ranges)
        return 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t first, elems;
        if (whole_planes) {
            first = start[0] * plane;
            elems = count[0] * plane;
        } else {
            first = (start[0] + i) * plane + start[1] * dims[2] + start[2];
            elems = (count[1] - 1) * dims[2] + count[2];
        }
        ra->ranges[i][0] = layout->offset + first * e;
        ra->ranges[i][1] = elems * e;
        ra->bytes += elems * e;
    }
    ra->nranges = n;
    snprintf(ra->path, sizeof ra->path, "%s", path);
    if (pthread_create(&ra->thread, NULL, read_ahead_main, ra) != 0) {
        free(ra->ranges);
        memset(ra, 0, sizeof *ra);
        return 0;
    }
    ra->running = 1;
    return 1;
}

void vr_read_ahead_finish(VrReadAhead *ra)
{
    if (ra->running)
        pthread_join(ra->thread, NULL);
    free(ra->ranges);
    memset(ra, 0, sizeof *ra);
}
