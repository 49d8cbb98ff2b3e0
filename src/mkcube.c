/* mkcube.c — volrender_mkcube: writes a synthetic cosmic-web density cube.
 *
 * So the renderer can run on a machine with no data.  The field itself is
 * cosmic_field.c; this file is the command line, the slab decomposition
 * and the parallel HDF5 output.  Every voxel is a pure function of the seed
 * and its global index, so the file is bit-identical at any rank count.
 *
 * Failure policy: every step that can fail on some ranks only is followed
 * by an agreement (the lowest failing rank's message is broadcast), so all
 * ranks leave together, rank 0 prints one line, nobody hangs in a
 * collective.  Output goes to a temporary name renamed into place on
 * success and removed on failure, so no half-written cube is left. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>
#include <mpi.h>

#include "vr/cosmic_field.h"

#define PROG "volrender_mkcube"
#ifdef VR_VERSION
#define PROG_VERSION VR_VERSION /* the project's, from the build */
#else
#define PROG_VERSION "1.0"
#endif
#define MSG_LEN 1024
#define PATH_LEN 4096
#define MAX_DIM ((int64_t)1 << 24) /* cosmic_field's exact-index limit */
#define CHUNK_EDGE 64              /* 1 MiB float32 chunks */

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

typedef struct {
    char output[PATH_LEN];
    char dataset[PATH_LEN];
    int64_t shape[3];
    uint64_t seed;
    int f64;          /* write float64 instead of float32 */
    int chunk;        /* chunked layout */
    int deflate;      /* -1: none, else gzip level 0..9 (implies chunk) */
    int quiet;
} Options;

typedef struct {
    char text[MSG_LEN];
} Msg;

static int msg_set(Msg *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int msg_set(Msg *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->text, sizeof m->text, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- command line ------------------------------------------------------ */

static void print_usage(FILE *out)
{
    fprintf(out,
        "Usage: mpirun -np P " PROG " [options]\n"
        "Writes a synthetic cosmic-web density cube (filaments, walls, knots,\n"
        "voids; ln(density) spans about -6 .. 11) with parallel HDF5.  The\n"
        "data depend only on the seed and shape, never on P.\n"
        "\n"
        "  -o, --output FILE    HDF5 file to write (default datacube.hdf5);\n"
        "                       replaced if it exists, written via a\n"
        "                       temporary FILE.tmp.* renamed on success\n"
        "  -d, --dataset PATH   dataset path (default density); missing\n"
        "                       groups such as sim/fields in sim/fields/rho\n"
        "                       are created\n"
        "  -s, --shape SHAPE    NXxNYxNZ, or N for an N^3 cube (default 256);\n"
        "                       each 1 .. 16777216; the cube is split among\n"
        "                       ranks along the first axis\n"
        "      --seed N         unsigned 64-bit seed (default 42)\n"
        "      --type TYPE      float32 (default) or float64\n"
        "      --chunk          chunked layout: chunks of up to 64^3, evened\n"
        "                       out over the shape (50^3 for a 200^3 cube)\n"
        "      --deflate LEVEL  chunked, shuffled and gzip-compressed at\n"
        "                       LEVEL 0 .. 9\n"
        "  -q, --quiet          no summary line\n"
        "  -V, --version        print the version and exit\n"
        "  -h, --help           print this help and exit\n"
        "\n"
        "The dataset gets attributes generator, seed, ln_density_min and\n"
        "ln_density_max.  Exit status: 0 success, 1 runtime error, 2 bad\n"
        "command line.\n");
}

/* Unsigned decimal, digits only: no sign, no spaces, no exponent. */
static int parse_u64(const char *s, uint64_t *out)
{
    if (s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = (uint64_t)v;
    return 0;
}

static int parse_range(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    uint64_t v;
    if (parse_u64(s, &v) != 0 || v < (uint64_t)lo || v > (uint64_t)hi)
        return -1;
    *out = (int64_t)v;
    return 0;
}

/* "N" or "NXxNYxNZ". */
static int parse_shape(const char *s, int64_t shape[3])
{
    char buf[96];
    if (strlen(s) >= sizeof buf)
        return -1;
    strcpy(buf, s);
    char *part[3];
    int n = 0;
    char *p = buf;
    for (;;) {
        if (n == 3)
            return -1;
        part[n++] = p;
        char *x = strchr(p, 'x');
        if (!x)
            break;
        *x = '\0';
        p = x + 1;
    }
    if (n != 1 && n != 3)
        return -1;
    for (int a = 0; a < n; a++)
        if (parse_range(part[a], 1, MAX_DIM, &shape[a]) != 0)
            return -1;
    if (n == 1)
        shape[1] = shape[2] = shape[0];
    return 0;
}

/* Leading '/' optional; no empty component (covers "", "/", "a//b", "a/"). */
static int dataset_path_ok(const char *path)
{
    const char *p = path[0] == '/' ? path + 1 : path;
    if (*p == '\0')
        return 0;
    for (; *p; p++)
        if (*p == '/' && (p[1] == '/' || p[1] == '\0'))
            return 0;
    return 1;
}

static int copy_arg(char *dst, size_t cap, const char *src, const char *opt,
                    Msg *err)
{
    if (src[0] == '\0')
        return msg_set(err, "%s needs a non-empty value", opt);
    if (strlen(src) >= cap)
        return msg_set(err, "%s value is too long (limit %zu bytes)", opt,
                       cap - 1);
    strcpy(dst, src);
    return 0;
}

enum { OPT_SEED = 256, OPT_TYPE, OPT_CHUNK, OPT_DEFLATE };

static const struct option LONG_OPTS[] = {
    {"output", required_argument, NULL, 'o'},
    {"dataset", required_argument, NULL, 'd'},
    {"shape", required_argument, NULL, 's'},
    {"seed", required_argument, NULL, OPT_SEED},
    {"type", required_argument, NULL, OPT_TYPE},
    {"chunk", no_argument, NULL, OPT_CHUNK},
    {"deflate", required_argument, NULL, OPT_DEFLATE},
    {"quiet", no_argument, NULL, 'q'},
    {"version", no_argument, NULL, 'V'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static int apply_option(Options *o, int c, const char *arg, Msg *err)
{
    int64_t v;
    switch (c) {
    case 'o':
        return copy_arg(o->output, sizeof o->output, arg, "--output", err);
    case 'd':
        if (copy_arg(o->dataset, sizeof o->dataset, arg, "--dataset", err))
            return -1;
        if (!dataset_path_ok(o->dataset))
            return msg_set(err, "invalid --dataset '%s': expected a path "
                           "like density or sim/fields/density", arg);
        return 0;
    case 's':
        if (parse_shape(arg, o->shape) != 0)
            return msg_set(err, "invalid --shape '%s': expected N or "
                           "NXxNYxNZ, integers 1 .. %" PRId64, arg, MAX_DIM);
        return 0;
    case OPT_SEED:
        if (parse_u64(arg, &o->seed) != 0)
            return msg_set(err, "invalid --seed '%s': expected an integer "
                           "0 .. 18446744073709551615", arg);
        return 0;
    case OPT_TYPE:
        if (strcmp(arg, "float32") == 0)
            o->f64 = 0;
        else if (strcmp(arg, "float64") == 0)
            o->f64 = 1;
        else
            return msg_set(err, "invalid --type '%s': expected float32 or "
                           "float64", arg);
        return 0;
    case OPT_CHUNK:
        o->chunk = 1;
        return 0;
    case OPT_DEFLATE:
        if (parse_range(arg, 0, 9, &v) != 0)
            return msg_set(err, "invalid --deflate '%s': expected a level "
                           "0 .. 9", arg);
        o->deflate = (int)v;
        o->chunk = 1;
        return 0;
    case 'q':
        o->quiet = 1;
        return 0;
    default:
        return msg_set(err, "internal: unhandled option %d", c);
    }
}

/* The option being parsed, for messages: argv[optind-1] normally, but
 * getopt has already stepped past a separate argument. */
static const char *current_arg(char *const argv[])
{
    return argv[optind - 1] ? argv[optind - 1] : "?";
}

enum { PARSE_RUN = 0, PARSE_HELP = 1, PARSE_VERSION = 2, PARSE_ERROR = -1 };

/* Pure: no MPI, no output; every rank reaches the same verdict. */
static int parse_options(Options *o, int argc, char *argv[], Msg *err)
{
    memset(o, 0, sizeof *o);
    strcpy(o->output, "datacube.hdf5");
    strcpy(o->dataset, "density");
    o->shape[0] = o->shape[1] = o->shape[2] = 256;
    o->seed = 42;
    o->deflate = -1;

    opterr = 0; /* our own messages */
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":o:d:s:qVh", LONG_OPTS, NULL)) !=
           -1) {
        if (c == 'h')
            return PARSE_HELP;
        if (c == 'V')
            return PARSE_VERSION;
        if (c == '?') {
            if (optopt)
                msg_set(err, "unrecognised option '-%c' (see --help)", optopt);
            else
                msg_set(err, "unrecognised or ambiguous option '%s' "
                        "(see --help)", current_arg(argv));
            return PARSE_ERROR;
        }
        if (c == ':') {
            msg_set(err, "option '%s' needs a value (see --help)",
                    current_arg(argv));
            return PARSE_ERROR;
        }
        if (apply_option(o, c, optarg, err) != 0)
            return PARSE_ERROR;
    }
    if (optind < argc) {
        msg_set(err, "unexpected argument '%s' (see --help)", argv[optind]);
        return PARSE_ERROR;
    }
    return PARSE_RUN;
}

/* ---- ranks ------------------------------------------------------------- */

typedef struct {
    int rank, size;
} Comm;

/* Collective.  Returns 0 if every rank passed ok; otherwise -1 on every
 * rank, with the lowest failing rank's message in err everywhere. */
static int agree(const Comm *cm, int ok, Msg *err)
{
    int mine = ok ? cm->size : cm->rank;
    int first = cm->size;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first == cm->size)
        return 0;
    MPI_Bcast(err->text, (int)sizeof err->text, MPI_CHAR, first,
              MPI_COMM_WORLD);
    if (first != 0 && cm->rank == 0) {
        Msg tagged;
        snprintf(tagged.text, sizeof tagged.text, "rank %d: %.1000s", first,
                 err->text);
        *err = tagged;
    }
    return -1;
}

/* Test hook, same convention as the renderer's: VR_TEST_FAIL="RANK:PHASE"
 * makes that rank fail that phase, so tests can check that one failing
 * rank brings every rank down cleanly.  Real runs never set it. */
static int test_fail(const Comm *cm, const char *phase)
{
    const char *spec = getenv("VR_TEST_FAIL");
    if (!spec || !*spec)
        return 0;
    char *end = NULL;
    long r = strtol(spec, &end, 10);
    return end != spec && *end == ':' && r == cm->rank &&
           strcmp(end + 1, phase) == 0;
}

/* Planes [i0, i1) of rank r: a block split with the remainder spread over
 * the first ranks; ranks beyond nx planes get none. */
static void slab_of(const Comm *cm, int64_t nx, int64_t *i0, int64_t *i1)
{
    int64_t base = nx / cm->size, extra = nx % cm->size, r = cm->rank;
    *i0 = r * base + (r < extra ? r : extra);
    *i1 = *i0 + base + (r < extra ? 1 : 0);
}

/* ---- HDF5 -------------------------------------------------------------- */

static herr_t keep_innermost(unsigned n, const H5E_error2_t *e, void *data)
{
    if (n == 0 && e->desc)
        snprintf((char *)data, MSG_LEN, "%s", e->desc);
    return 0;
}

/* The most specific message on the HDF5 error stack ("" if none), then
 * clears it: the one useful line of the library's long trace. */
static const char *h5_reason(char buf[MSG_LEN])
{
    buf[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, buf);
    H5Eclear2(H5E_DEFAULT);
    return buf;
}

static int h5_fail(Msg *err, const char *what)
{
    char why[MSG_LEN];
    h5_reason(why);
    if (why[0])
        return msg_set(err, "%s: %s", what, why);
    return msg_set(err, "%s", what);
}

/* Every HDF5 handle, closed in reverse order of creation. */
typedef struct {
    hid_t fapl, file, lcpl, dcpl, space, dset, mem, dxpl;
} H5Handles;

static void h5_init(H5Handles *h)
{
    h->fapl = h->file = h->lcpl = h->dcpl = H5I_INVALID_HID;
    h->space = h->dset = h->mem = h->dxpl = H5I_INVALID_HID;
}

/* Returns 0, or -1 if a close failed (for the file: data may be lost). */
static int h5_close_all(H5Handles *h)
{
    int rc = 0;
    if (h->dxpl >= 0 && H5Pclose(h->dxpl) < 0) rc = -1;
    if (h->mem >= 0 && H5Sclose(h->mem) < 0) rc = -1;
    if (h->dset >= 0 && H5Dclose(h->dset) < 0) rc = -1;
    if (h->space >= 0 && H5Sclose(h->space) < 0) rc = -1;
    if (h->dcpl >= 0 && H5Pclose(h->dcpl) < 0) rc = -1;
    if (h->lcpl >= 0 && H5Pclose(h->lcpl) < 0) rc = -1;
    if (h->file >= 0 && H5Fclose(h->file) < 0) rc = -1;
    if (h->fapl >= 0 && H5Pclose(h->fapl) < 0) rc = -1;
    h5_init(h);
    return rc;
}

static int h5_create_file(H5Handles *h, const char *path, Msg *err)
{
    h->fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (h->fapl < 0 || H5Pset_fapl_mpio(h->fapl, MPI_COMM_WORLD,
                                        MPI_INFO_NULL) < 0)
        return h5_fail(err, "cannot set up MPI-IO file access");
    /* Metadata written collectively scales better and keeps ranks in step. */
    if (H5Pset_coll_metadata_write(h->fapl, 1) < 0)
        return h5_fail(err, "cannot enable collective metadata writes");
    h->file = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, h->fapl);
    if (h->file < 0) {
        char what[PATH_LEN + 32];
        snprintf(what, sizeof what, "cannot create '%s'", path);
        return h5_fail(err, what);
    }
    return 0;
}

/* About CHUNK_EDGE per axis, but evened out so the last chunk along an
 * axis is not mostly padding (HDF5 stores edge chunks at full size). */
static void chunk_shape(const Options *o, hsize_t chunk[3])
{
    for (int a = 0; a < 3; a++) {
        const int64_t n = o->shape[a];
        const int64_t count = (n + CHUNK_EDGE - 1) / CHUNK_EDGE;
        chunk[a] = (hsize_t)((n + count - 1) / count);
    }
}

static int h5_create_dataset(H5Handles *h, const Options *o, Msg *err)
{
    const hsize_t dims[3] = {(hsize_t)o->shape[0], (hsize_t)o->shape[1],
                             (hsize_t)o->shape[2]};
    h->space = H5Screate_simple(3, dims, NULL);
    h->lcpl = H5Pcreate(H5P_LINK_CREATE);
    h->dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (h->space < 0 || h->lcpl < 0 || h->dcpl < 0 ||
        H5Pset_create_intermediate_group(h->lcpl, 1) < 0)
        return h5_fail(err, "cannot set up the dataset");
    if (o->chunk) {
        hsize_t chunk[3];
        chunk_shape(o, chunk);
        if (H5Pset_chunk(h->dcpl, 3, chunk) < 0)
            return h5_fail(err, "cannot set the chunk shape");
    }
    if (o->deflate >= 0) {
        if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0)
            return msg_set(err, "this HDF5 library has no deflate filter");
        /* Shuffling bytes first roughly doubles gzip's gain on floats. */
        if (H5Pset_shuffle(h->dcpl) < 0 ||
            H5Pset_deflate(h->dcpl, (unsigned)o->deflate) < 0)
            return h5_fail(err, "cannot set up deflate compression");
    } else if (H5Pset_fill_time(h->dcpl, H5D_FILL_TIME_NEVER) < 0) {
        /* Every element is written, so filling first would be wasted I/O. */
        return h5_fail(err, "cannot set the fill time");
    }
    const hid_t ftype = o->f64 ? H5T_IEEE_F64LE : H5T_IEEE_F32LE;
    h->dset = H5Dcreate2(h->file, o->dataset, ftype, h->space, h->lcpl,
                         h->dcpl, H5P_DEFAULT);
    if (h->dset < 0)
        return h5_fail(err, "cannot create the dataset");
    return 0;
}

static int attr_write(hid_t obj, const char *name, hid_t type,
                      const void *value, Msg *err)
{
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attr = space < 0 ? H5I_INVALID_HID
                           : H5Acreate2(obj, name, type, space, H5P_DEFAULT,
                                        H5P_DEFAULT);
    int ok = attr >= 0 && H5Awrite(attr, type, value) >= 0;
    if (attr >= 0 && H5Aclose(attr) < 0)
        ok = 0;
    if (space >= 0 && H5Sclose(space) < 0)
        ok = 0;
    if (!ok) {
        char what[128];
        snprintf(what, sizeof what, "cannot write attribute %s", name);
        return h5_fail(err, what);
    }
    return 0;
}

static int h5_write_attributes(const H5Handles *h, const Options *o,
                               double ln_min, double ln_max, Msg *err)
{
    const char *gen = PROG " " PROG_VERSION " (Voronoi cosmic web)";
    hid_t str = H5Tcopy(H5T_C_S1);
    if (str < 0 || H5Tset_size(str, strlen(gen) + 1) < 0) {
        if (str >= 0)
            H5Tclose(str);
        return h5_fail(err, "cannot make a string type");
    }
    int rc = attr_write(h->dset, "generator", str, gen, err);
    if (H5Tclose(str) < 0 && rc == 0)
        rc = h5_fail(err, "cannot close a string type");
    if (rc == 0)
        rc = attr_write(h->dset, "seed", H5T_NATIVE_UINT64, &o->seed, err);
    if (rc == 0)
        rc = attr_write(h->dset, "ln_density_min", H5T_NATIVE_DOUBLE,
                        &ln_min, err);
    if (rc == 0)
        rc = attr_write(h->dset, "ln_density_max", H5T_NATIVE_DOUBLE,
                        &ln_max, err);
    return rc;
}

/* One hyperslab per rank, one collective write; a rank with no planes
 * selects nothing but still takes part. */
static int h5_write_slab(H5Handles *h, const Options *o, int64_t i0,
                         int64_t i1, const void *buf, Msg *err)
{
    const hsize_t start[3] = {(hsize_t)i0, 0, 0};
    const hsize_t count[3] = {(hsize_t)(i1 - i0), (hsize_t)o->shape[1],
                              (hsize_t)o->shape[2]};
    static const hsize_t one = 1;
    int empty = i1 == i0;
    if (empty) {
        h->mem = H5Screate_simple(1, &one, NULL);
        if (h->mem < 0 || H5Sselect_none(h->mem) < 0 ||
            H5Sselect_none(h->space) < 0)
            return h5_fail(err, "cannot select an empty slab");
    } else {
        h->mem = H5Screate_simple(3, count, NULL);
        if (h->mem < 0 || H5Sselect_hyperslab(h->space, H5S_SELECT_SET, start,
                                              NULL, count, NULL) < 0)
            return h5_fail(err, "cannot select this rank's slab");
    }
    h->dxpl = H5Pcreate(H5P_DATASET_XFER);
    if (h->dxpl < 0 || H5Pset_dxpl_mpio(h->dxpl, H5FD_MPIO_COLLECTIVE) < 0)
        return h5_fail(err, "cannot set up collective transfer");
    const hid_t mtype = o->f64 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_FLOAT;
    if (H5Dwrite(h->dset, mtype, h->mem, h->space, h->dxpl, buf) < 0)
        return h5_fail(err, "cannot write the data");
    return 0;
}

/* ---- the run ----------------------------------------------------------- */

typedef struct {
    void *data;        /* this rank's slab, float or double */
    int64_t i0, i1;
    double ln_min, ln_max;
} Slab;

static int slab_compute(const Options *o, const Comm *cm, Slab *s, Msg *err)
{
    slab_of(cm, o->shape[0], &s->i0, &s->i1);
    const size_t elem = o->f64 ? sizeof(double) : sizeof(float);
    const uint64_t plane = (uint64_t)o->shape[1] * (uint64_t)o->shape[2];
    const uint64_t planes = (uint64_t)(s->i1 - s->i0);
    if (planes > 0 && plane > SIZE_MAX / elem / planes)
        return msg_set(err, "slab of %" PRIu64 " planes is too large for "
                       "this machine's address space", planes);
    const size_t n = (size_t)(planes * plane);
    /* Overcommit would let a too-large malloc succeed and the OOM killer
     * strike mid-fill; say so up front instead. */
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    const double ram =
        pages > 0 && page > 0 ? (double)pages * (double)page : 0.0;
    if (ram > 0.0 && (double)n * (double)elem > ram)
        return msg_set(err, "slab of %.1f GiB exceeds this node's %.1f GiB "
                       "of memory (use more ranks, on more nodes)",
                       (double)n * (double)elem / 1073741824.0,
                       ram / 1073741824.0);
    s->data = test_fail(cm, "slab") ? NULL : malloc(n > 0 ? n * elem : 1);
    if (!s->data)
        return msg_set(err, "out of memory for a slab of %zu bytes "
                       "(use more ranks)", n * elem);
    VrCosmicField field;
    if (vr_cosmic_field_init(&field, o->seed, o->shape[0], o->shape[1],
                             o->shape[2]) != 0)
        return msg_set(err, "out of memory building the field tables");
    double lo = INFINITY, hi = -INFINITY;
    if (o->f64) {
        double *d = s->data;
        vr_cosmic_field_fill_f64(&field, s->i0, s->i1, d);
        for (size_t q = 0; q < n; q++) {
            lo = d[q] < lo ? d[q] : lo;
            hi = d[q] > hi ? d[q] : hi;
        }
    } else {
        float *d = s->data;
        vr_cosmic_field_fill(&field, s->i0, s->i1, d);
        for (size_t q = 0; q < n; q++) {
            lo = d[q] < lo ? d[q] : lo;
            hi = d[q] > hi ? d[q] : hi;
        }
    }
    vr_cosmic_field_free(&field);
    s->ln_min = n > 0 ? log(lo) : INFINITY;
    s->ln_max = n > 0 ? log(hi) : -INFINITY;
    return 0;
}

/* Rank 0 names the temporary file; everyone needs the same name. */
static int temp_name(const Options *o, const Comm *cm, char *tmp, Msg *err)
{
    int len = 0;
    if (cm->rank == 0)
        len = snprintf(tmp, PATH_LEN, "%s.tmp.%ld", o->output,
                       (long)getpid());
    MPI_Bcast(&len, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (len >= PATH_LEN)
        return msg_set(err, "output path is too long");
    MPI_Bcast(tmp, PATH_LEN, MPI_CHAR, 0, MPI_COMM_WORLD);
    return 0;
}

/* *created tells the caller whether tmp is ours to remove on failure (a
 * file of that name that we failed to create is not). */
static int write_cube(const Options *o, const Comm *cm, const Slab *s,
                      const char *tmp, int *created, Msg *err)
{
    H5Handles h;
    h5_init(&h);
    int rc = agree(cm, h5_create_file(&h, tmp, err) == 0, err);
    *created = rc == 0;
    if (rc == 0)
        rc = agree(cm, h5_create_dataset(&h, o, err) == 0, err);
    if (rc == 0)
        rc = agree(cm, h5_write_attributes(&h, o, s->ln_min, s->ln_max,
                                           err) == 0, err);
    if (rc == 0)
        rc = agree(cm, h5_write_slab(&h, o, s->i0, s->i1, s->data, err) == 0,
                   err);
    /* Closing flushes the data: only a clean close on every rank counts. */
    int closed = h5_close_all(&h) == 0;
    if (!closed && rc == 0)
        h5_fail(err, "cannot close the output file");
    if (rc == 0)
        rc = agree(cm, closed, err);
    if (rc == 0)
        return 0;
    H5Eclear2(H5E_DEFAULT);
    return -1;
}

/* Rank 0 moves the finished file into place; all ranks learn the result. */
static int publish(const Options *o, const Comm *cm, const char *tmp,
                   Msg *err)
{
    int ok = 1;
    if (cm->rank == 0) {
        int rc = test_fail(cm, "rename") ? (errno = EIO, -1)
                                          : rename(tmp, o->output);
        if (rc != 0) {
            ok = 0;
            msg_set(err, "cannot rename '%s' to '%s': %s", tmp, o->output,
                    strerror(errno));
        }
    }
    return agree(cm, ok, err);
}

static int run(const Options *o, const Comm *cm, Msg *err)
{
    const double t0 = MPI_Wtime();
    char tmp[PATH_LEN] = "";
    Slab s = {0};
    int rc = agree(cm, temp_name(o, cm, tmp, err) == 0, err);
    if (rc == 0)
        rc = agree(cm, slab_compute(o, cm, &s, err) == 0, err);
    double ln[2] = {-s.ln_min, s.ln_max}, all[2];
    if (rc == 0) {
        /* Min and max are exact whatever the reduction order. */
        MPI_Allreduce(ln, all, 2, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        s.ln_min = -all[0];
        s.ln_max = all[1];
        int created = 0;
        rc = write_cube(o, cm, &s, tmp, &created, err);
        if (rc == 0)
            rc = publish(o, cm, tmp, err);
        if (rc != 0 && created && cm->rank == 0)
            remove(tmp);
    }
    free(s.data);
    if (rc == 0 && cm->rank == 0 && !o->quiet)
        printf(PROG ": wrote %s:%s %s %" PRId64 "x%" PRId64 "x%" PRId64
               " seed %" PRIu64 ", ln(rho) %.3f .. %.3f, %.2f s on %d rank%s\n",
               o->output, o->dataset, o->f64 ? "float64" : "float32",
               o->shape[0], o->shape[1], o->shape[2], o->seed, s.ln_min,
               s.ln_max, MPI_Wtime() - t0, cm->size, cm->size > 1 ? "s" : "");
    return rc;
}

int main(int argc, char *argv[])
{
    MPI_Init(&argc, &argv);
    Comm cm;
    MPI_Comm_rank(MPI_COMM_WORLD, &cm.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &cm.size);
    /* Our own one-line messages replace HDF5's stack dumps. */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);

    Options o;
    Msg err = {""};
    int status = EXIT_OK;
    switch (parse_options(&o, argc, argv, &err)) {
    case PARSE_HELP:
        if (cm.rank == 0)
            print_usage(stdout);
        break;
    case PARSE_VERSION:
        if (cm.rank == 0)
            printf(PROG " " PROG_VERSION "\n");
        break;
    case PARSE_ERROR:
        status = EXIT_USAGE;
        break;
    default:
        if (run(&o, &cm, &err) != 0)
            status = EXIT_RUNTIME;
        break;
    }
    if (status != EXIT_OK && cm.rank == 0)
        fprintf(stderr, PROG ": error: %s\n", err.text);
    fflush(stdout);
    fflush(stderr);
    MPI_Finalize();
    return status;
}
