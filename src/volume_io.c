#include "vr/volume_io.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vr/memory.h"
#include "vr/parallel.h"

#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

static const char *type_class_name(H5T_class_t c)
{
    switch (c) {
    case H5T_STRING: return "string";
    case H5T_COMPOUND: return "compound";
    case H5T_ENUM: return "enum";
    case H5T_ARRAY: return "array";
    case H5T_VLEN: return "variable-length";
    case H5T_OPAQUE: return "opaque";
    case H5T_REFERENCE: return "reference";
    case H5T_BITFIELD: return "bitfield";
    case H5T_TIME: return "time";
    default: return "non-numeric";
    }
}

int vr_volume_check_shape(const char *path, const char *dataset, int ndims,
                          const int64_t *dims, VrError *err)
{
    if (ndims != 3) {
        char shape[128] = "";
        for (int a = 0; a < ndims && a < 8; a++)
            snprintf(shape + strlen(shape), sizeof shape - strlen(shape), "%s%lld",
                     a ? " x " : " (", (long long)dims[a]);
        if (ndims > 0)
            strncat(shape, ")", sizeof shape - strlen(shape) - 1);
        return vr_fail(err, VR_ERR_INPUT,
                       "dataset '%s' in '%s' has %d dimension(s)%s; a 3-D dataset "
                       "is needed", dataset, path, ndims, shape);
    }
    if (dims[0] < 2 || dims[1] < 2 || dims[2] < 2)
        return vr_fail(err, VR_ERR_INPUT,
                       "dataset '%s' in '%s' has shape %lld x %lld x %lld; at least 2 "
                       "points along every axis are needed to interpolate",
                       dataset, path, (long long)dims[0], (long long)dims[1],
                       (long long)dims[2]);
    /* Slab bytes (4 per voxel) and resampled planes (at most 8 per voxel)
     * must stay far from INT64_MAX; PNG sizes and MPI counts are ints. */
    int64_t total;
    if (dims[0] > INT32_MAX || dims[1] > INT32_MAX || dims[2] > INT32_MAX ||
        vr_mul3_i64(dims[0], dims[1], dims[2], &total) != 0 || total > VR_MAX_VOXELS)
        return vr_fail(err, VR_ERR_INPUT,
                       "dataset '%s' in '%s' has shape %lld x %lld x %lld, too large "
                       "(accepted: at most 2^31-1 points per axis and 2^59 in all)",
                       dataset, path, (long long)dims[0], (long long)dims[1],
                       (long long)dims[2]);
    return VR_OK;
}

typedef struct {
    char desc[512];
    int found;
} InnermostError;

static herr_t keep_innermost(unsigned n, const H5E_error2_t *e, void *data)
{
    InnermostError *in = data;
    if (n != 0)
        return 0;
    in->found = 1;
    if (e->desc && e->desc[0])
        snprintf(in->desc, sizeof in->desc, "%s", e->desc);
    else if (H5Eget_msg(e->min_num, NULL, in->desc, sizeof in->desc) < 0)
        in->desc[0] = '\0';
    return 1; /* the innermost is all we need */
}

void vr_hdf5_error_reason(char *out, size_t cap)
{
    InnermostError in = {"", 0};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, &in);
    /* The file drivers put ", errno = N, error message = '...'" in the
     * entry of a failed system call. */
    const char *e = strstr(in.desc, "errno = ");
    const int code = e ? atoi(e + 8) : 0;
    if (code > 0)
        snprintf(out, cap, "%s", strerror(code));
    else if (in.desc[0])
        snprintf(out, cap, "HDF5: %s", in.desc);
    else
        snprintf(out, cap, "HDF5 gave no reason");
}

/* Up to a few dataset paths of a file, for the "not found" message. */
typedef struct {
    char text[400];
    int found;
} DatasetList;

static herr_t list_dataset(hid_t group, const char *name, const H5L_info_t *info,
                           void *data)
{
    DatasetList *list = data;
    if (info->type != H5L_TYPE_HARD)
        return 0;
    hid_t obj = H5Oopen(group, name, H5P_DEFAULT);
    if (obj < 0)
        return 0;
    const int is_dataset = H5Iget_type(obj) == H5I_DATASET;
    H5Oclose(obj);
    if (!is_dataset)
        return 0;
    if (++list->found > 5) {
        strncat(list->text, ", ...", sizeof list->text - strlen(list->text) - 1);
        return 1; /* enough: stop visiting */
    }
    snprintf(list->text + strlen(list->text), sizeof list->text - strlen(list->text),
             "%s%s", list->found > 1 ? ", " : "", name);
    return 0;
}

/* "; datasets in the file: a, b/c" or "; the file has no datasets". */
static void describe_datasets(hid_t file, char *out, size_t cap)
{
    DatasetList list = {"", 0};
    H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, list_dataset, &list);
    if (list.found == 0)
        snprintf(out, cap, "; the file has no datasets");
    else
        snprintf(out, cap, "; datasets in the file: %s", list.text);
}

/* The directory part of path ("." if none), for external link files,
 * which HDF5 also looks for next to the file that holds the link. */
static void parent_dir(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, cap, ".");
    else
        snprintf(out, cap, "%.*s", slash == path ? 1 : (int)(slash - path), path);
}

/* Why the link `name` (a soft or external link that HDF5 cannot follow)
 * leads nowhere; VR_OK if it is not such a link. */
static int explain_link(hid_t file, const char *path, const char *dataset,
                        const char *name, VrError *err)
{
    H5L_info_t info;
    if (H5Lget_info(file, name, &info, H5P_DEFAULT) < 0 || info.type == H5L_TYPE_HARD)
        return VR_OK;
    if (H5Oexists_by_name(file, name, H5P_DEFAULT) > 0)
        return VR_OK; /* it leads somewhere: the checks that follow judge that */
    const char *what = strcmp(name, dataset) == 0 ? "dataset" : "group";
    char val[2048] = "";
    const size_t size = info.u.val_size < sizeof val ? info.u.val_size : sizeof val;
    if (H5Lget_val(file, name, val, size, H5P_DEFAULT) < 0)
        return VR_OK;
    val[sizeof val - 1] = '\0';
    if (info.type == H5L_TYPE_SOFT)
        return vr_fail(err, VR_ERR_INPUT,
                       "%s '%s' in '%s' is a soft link to '%s', which does not exist "
                       "(see --dataset)", what, name, path, val);
    if (info.type != H5L_TYPE_EXTERNAL)
        return vr_fail(err, VR_ERR_INPUT,
                       "%s '%s' in '%s' is a user-defined link that HDF5 cannot follow "
                       "(see --dataset)", what, name, path);
    unsigned flags;
    const char *target_file = NULL, *target_obj = NULL;
    if (H5Lunpack_elink_val(val, size, &flags, &target_file, &target_obj) < 0)
        return VR_OK;
    /* HDF5 tries the name as given (relative to the working folder), then
     * in the folder of the file holding the link. */
    char beside[8200], dir[4096];
    parent_dir(path, dir, sizeof dir);
    snprintf(beside, sizeof beside, "%s/%s", dir, target_file);
    const int as_given = access(target_file, R_OK) == 0 ? 0 : errno;
    const int next_to = access(beside, R_OK) == 0 ? 0 : errno;
    if (as_given && next_to) {
        /* the more telling reason: one that is not "no such file" */
        const int e = as_given != ENOENT ? as_given : next_to;
        return vr_fail(err, VR_ERR_INPUT,
                       "%s '%s' in '%s' is an external link to '%s:%s', whose file "
                       "cannot be opened: %s (see --dataset)",
                       what, name, path, target_file, target_obj, strerror(e));
    }
    return vr_fail(err, VR_ERR_INPUT,
                   "%s '%s' in '%s' is an external link to '%s:%s', which does not "
                   "exist in that file (see --dataset)",
                   what, name, path, target_file, target_obj);
}

/* Walks dataset's path one component at a time ("a", "a/b", "a/b/c") and
 * explains the first soft or external link that leads nowhere, so the
 * message says more than "not found". */
static int check_links(hid_t file, const char *path, const char *dataset, VrError *err)
{
    char name[1024];
    if (snprintf(name, sizeof name, "%s", dataset) >= (int)sizeof name)
        return VR_OK;
    for (char *p = name + (name[0] == '/');; p++) {
        const int end = *p == '\0';
        if (*p != '/' && !end)
            continue;
        const char saved = *p;
        *p = '\0';
        if (name[0] && strcmp(name, "/") != 0) {
            if (H5Lexists(file, name, H5P_DEFAULT) <= 0)
                return VR_OK; /* missing: "not found" says it */
            const int rc = explain_link(file, path, dataset, name, err);
            if (rc != VR_OK)
                return rc;
        }
        *p = saved;
        if (end)
            return VR_OK;
    }
}

/* Opens the input file on one process; the messages say what --input
 * needs. */
static int open_input(const char *path, hid_t *file, VrError *err)
{
    struct stat st;
    if (stat(path, &st) != 0 || access(path, R_OK) != 0)
        return vr_fail(err, VR_ERR_INPUT, "cannot read input file '%s': %s (see --input)",
                       path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return vr_fail(err, VR_ERR_INPUT,
                       "input '%s' is a folder; --input needs an HDF5 file", path);
    /* The signature is in the first bytes: without it the file is not HDF5
     * at all; with it, a failed open means damage, most often truncation. */
    if (H5Fis_hdf5(path) <= 0)
        return vr_fail(err, VR_ERR_INPUT,
                       "input file '%s' is not an HDF5 file (see --input)", path);
    *file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (*file < 0)
        return vr_fail(err, VR_ERR_INPUT,
                       "input file '%s' is damaged or truncated: HDF5 cannot open it "
                       "(see --input)", path);
    return VR_OK;
}

/* Serial checks on rank 0: everything that can be said about the input
 * without reading its data. */
static int probe_serial(const char *path, const char *dataset, int64_t dims[3],
                        VrError *err)
{
    int rc = VR_OK;
    hid_t file = H5I_INVALID_HID, obj = H5I_INVALID_HID;
    hid_t space = H5I_INVALID_HID, type = H5I_INVALID_HID;
    char known[480] = "";

    rc = open_input(path, &file, err);
    if (rc != VR_OK)
        goto cleanup;
    rc = check_links(file, path, dataset, err);
    if (rc != VR_OK)
        goto cleanup;
    obj = H5Oopen(file, dataset, H5P_DEFAULT);
    if (obj < 0 || H5Iget_type(obj) != H5I_DATASET)
        describe_datasets(file, known, sizeof known);
    VR_CHECK(obj >= 0, VR_ERR_INPUT, err, "dataset '%s' not found in '%s'%s (see --dataset)",
             dataset, path, known);
    VR_CHECK(H5Iget_type(obj) == H5I_DATASET, VR_ERR_INPUT, err,
             "'%s' in '%s' is a group, not a dataset%s (see --dataset)", dataset, path,
             known);
    type = H5Dget_type(obj);
    VR_CHECK(type >= 0, VR_ERR_INPUT, err, "cannot read the type of dataset '%s' in '%s'",
             dataset, path);
    const H5T_class_t cls = H5Tget_class(type);
    VR_CHECK(cls == H5T_INTEGER || cls == H5T_FLOAT, VR_ERR_INPUT, err,
             "dataset '%s' in '%s' has a %s type; a numeric (integer or "
             "floating-point) type is needed", dataset, path, type_class_name(cls));
    space = H5Dget_space(obj);
    VR_CHECK(space >= 0, VR_ERR_INPUT, err, "cannot read the shape of dataset '%s' in '%s'",
             dataset, path);
    const int ndims = H5Sget_simple_extent_ndims(space);
    VR_CHECK(ndims >= 0, VR_ERR_INPUT, err, "cannot read the shape of dataset '%s' in '%s'",
             dataset, path);
    hsize_t h[H5S_MAX_RANK];
    int64_t d[H5S_MAX_RANK];
    H5Sget_simple_extent_dims(space, h, NULL);
    for (int a = 0; a < ndims; a++)
        d[a] = h[a] > (hsize_t)INT64_MAX ? INT64_MAX : (int64_t)h[a];
    rc = vr_volume_check_shape(path, dataset, ndims, d, err);
    if (rc == VR_OK)
        memcpy(dims, d, 3 * sizeof *dims);

cleanup:
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    if (obj >= 0) H5Oclose(obj);
    if (file >= 0) H5Fclose(file);
    return rc;
}

int vr_volume_probe(MPI_Comm comm, const char *path, const char *dataset,
                    int64_t dims[3], VrError *err)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* our own one-line messages */
    int rc = VR_OK;
    if (rank == 0)
        rc = probe_serial(path, dataset, dims, err);
    rc = vr_agree(comm, rc, err);
    if (rc != VR_OK)
        return rc;
    MPI_Bcast(dims, 3, MPI_INT64_T, 0, comm);
    return VR_OK;
}

int64_t vr_volume_voxels(const VrVolume *vol)
{
    return vol->count[0] * vol->count[1] * vol->count[2];
}

void vr_volume_owned_box(const VrVolume *vol, int64_t lo[3], int64_t hi[3])
{
    const VrBlock *b = &vol->slab;
    for (int a = 0; a < 3; a++) {
        lo[a] = b->own_lo[a] - vol->start[a];
        hi[a] = b->own_hi[a] - vol->start[a];
    }
    if (vr_block_empty(b) || !vol->data)
        hi[0] = lo[0];
}

void vr_volume_free(VrVolume *vol)
{
    vr_free_large(vol->data);
    vol->data = NULL;
    free(vol->sums);
    vol->sums = NULL;
}

static void describe_io_mode(hid_t dxpl, VrIoReport *io)
{
    H5D_mpio_actual_io_mode_t mode = H5D_MPIO_NO_COLLECTIVE;
    uint32_t local_cause = 0, global_cause = 0;
    H5Pget_mpio_actual_io_mode(dxpl, &mode);
    H5Pget_mpio_no_collective_cause(dxpl, &local_cause, &global_cause);
    switch (mode) {
    case H5D_MPIO_NO_COLLECTIVE: strcpy(io->mode, "independent"); break;
    case H5D_MPIO_CHUNK_INDEPENDENT: strcpy(io->mode, "chunk-independent"); break;
    case H5D_MPIO_CHUNK_COLLECTIVE: strcpy(io->mode, "chunk-collective"); break;
    case H5D_MPIO_CHUNK_MIXED: strcpy(io->mode, "chunk-mixed"); break;
    case H5D_MPIO_CONTIGUOUS_COLLECTIVE: strcpy(io->mode, "collective"); break;
    default: strcpy(io->mode, "unknown"); break;
    }
    io->cause[0] = '\0';
    static const struct { uint32_t bit; const char *why; } CAUSES[] = {
        {H5D_MPIO_SET_INDEPENDENT, "independent transfer requested"},
        {H5D_MPIO_DATATYPE_CONVERSION, "datatype conversion needed"},
        {H5D_MPIO_DATA_TRANSFORMS, "data transforms"},
        {H5D_MPIO_MPI_OPT_TYPES_ENV_VAR_DISABLED, "MPI derived types disabled"},
        {H5D_MPIO_NOT_SIMPLE_OR_SCALAR_DATASPACES, "dataspace not simple"},
        {H5D_MPIO_NOT_CONTIGUOUS_OR_CHUNKED_DATASET, "layout not contiguous or chunked"},
        {H5D_MPIO_PARALLEL_FILTERED_WRITES_DISABLED, "filtered dataset"},
        {H5D_MPIO_ERROR_WHILE_CHECKING_COLLECTIVE_POSSIBLE, "HDF5 could not tell"},
    };
    for (size_t i = 0; i < sizeof CAUSES / sizeof CAUSES[0]; i++) {
        if ((local_cause | global_cause) & CAUSES[i].bit) {
            if (io->cause[0])
                strncat(io->cause, "; ", sizeof io->cause - strlen(io->cause) - 1);
            strncat(io->cause, CAUSES[i].why, sizeof io->cause - strlen(io->cause) - 1);
        }
    }
}

/* Whether a line of n voxels holds one that is not finite and positive
 * (most lines hold none: one vector test per 16 voxels). */
static int line_needs_fill(const float *v, int64_t n)
{
    int64_t k = 0;
#if defined(__AVX512F__)
    const __m512 zero = _mm512_setzero_ps(), big = _mm512_set1_ps(3.4028235e38f);
    for (; k + 16 <= n; k += 16) {
        const __m512 x = _mm512_loadu_ps(v + k);
        const __mmask16 good = _mm512_cmp_ps_mask(x, zero, _CMP_GT_OQ) &
                               _mm512_cmp_ps_mask(x, big, _CMP_LE_OQ);
        if (good != 0xffff)
            return 1;
    }
#endif
    for (; k < n; k++)
        if (!(v[k] > 0.0f && v[k] <= 3.4028235e38f))
            return 1;
    return 0;
}

/* Folds into *mn, *mx the line's voxels that a data range counts: the
 * finite positive ones (positive), or the non-NaN ones (the infinities
 * are NaN by now).  Min and max are exact whatever the order. */
static void line_extremes(const float *v, int64_t n, int positive, float *mn, float *mx)
{
    float lmn = *mn, lmx = *mx;
    int64_t k = 0;
#if defined(__AVX512F__)
    const __m512 zero = _mm512_setzero_ps(), inf = _mm512_set1_ps(INFINITY);
    const __m512 ninf = _mm512_set1_ps(-INFINITY);
    __m512 vmn = _mm512_set1_ps(lmn), vmx = _mm512_set1_ps(lmx);
    for (; k + 16 <= n; k += 16) {
        const __m512 x = _mm512_loadu_ps(v + k);
        const __mmask16 ok = positive ? _mm512_cmp_ps_mask(x, zero, _CMP_GT_OQ) &
                                            _mm512_cmp_ps_mask(x, inf, _CMP_LT_OQ)
                                      : _mm512_cmp_ps_mask(x, x, _CMP_EQ_OQ);
        vmn = _mm512_min_ps(_mm512_mask_blend_ps(ok, inf, x), vmn);
        vmx = _mm512_max_ps(_mm512_mask_blend_ps(ok, ninf, x), vmx);
    }
    lmn = _mm512_reduce_min_ps(vmn);
    lmx = _mm512_reduce_max_ps(vmx);
#endif
    for (; k < n; k++) {
        const int ok = positive ? v[k] > 0.0f && v[k] < INFINITY : v[k] == v[k];
        lmn = ok && v[k] < lmn ? v[k] : lmn;
        lmx = ok && v[k] > lmx ? v[k] : lmx;
    }
    *mn = lmn;
    *mx = lmx;
}

/* Sets NaN and infinite voxels to `fill` (0, empty under a log scale, as
 * the reference reads them; NaN under a linear one, so that every sample
 * they touch is empty, SPEC) and counts, over the owned planes only so no
 * voxel is counted twice across ranks, the NaN, infinite and non-positive
 * ones for the warning.  The same pass, while each line of z is in cache,
 * adds the owned voxels into the projection's sums (vol->sums, in x order
 * for every sum, as a pass of its own would) and takes the extremes the
 * data range needs: three passes over the slab in one. */
static void sanitize(VrVolume *vol, float fill)
{
    const int64_t cx = vol->count[0], ny = vol->count[1], nz = vol->count[2];
    const int positive = !(fill != fill); /* log scale: the extremes of v > 0 */
    int64_t olo[3], ohi[3];
    vr_volume_owned_box(vol, olo, ohi);
    double *const sums = vol->sums;
    const int64_t snz = vol->dims[2];
    int64_t nan = 0, inf = 0, nonpos = 0;
    float mn = INFINITY, mx = -INFINITY;
    /* Threads split the lines of y (each thread goes through every x in
     * order, over its own lines of y: each sum is added to by one thread,
     * in x order).  The common case (a finite positive voxel) is one test
     * per voxel. */
#pragma omp parallel reduction(+ : nan, inf, nonpos) reduction(min : mn) reduction(max : mx)
    {
        int64_t j0 = 0, j1 = ny;
#ifdef _OPENMP
        const int64_t nt = omp_get_num_threads(), t = omp_get_thread_num();
        j0 = ny * t / nt;
        j1 = ny * (t + 1) / nt;
#endif
        for (int64_t i = 0; i < cx; i++)
            for (int64_t j = j0; j < j1; j++) {
                float *v = vol->data + (i * ny + j) * nz;
                if (line_needs_fill(v, nz)) {
                    for (int64_t k = 0; k < nz; k++) {
                        if (v[k] > 0.0f && v[k] <= 3.4028235e38f)
                            continue;
                        const int owned = i >= olo[0] && i < ohi[0] && j >= olo[1] &&
                                          j < ohi[1] && k >= olo[2] && k < ohi[2];
                        if (isnan(v[k])) {
                            v[k] = fill;
                            nan += owned;
                        } else if (isinf(v[k])) {
                            v[k] = fill;
                            inf += owned;
                        } else {
                            nonpos += owned;
                        }
                    }
                }
                line_extremes(v, nz, positive, &mn, &mx);
                if (sums && i >= olo[0] && i < ohi[0] && j >= olo[1] && j < ohi[1]) {
                    double *dst = sums + (vol->start[1] + j) * snz + vol->start[2];
                    for (int64_t k = olo[2]; k < ohi[2]; k++)
                        dst[k] += v[k] == v[k] ? (double)v[k] : 0.0; /* NaN: 0 */
                }
            }
    }
    vol->nan_voxels = nan;
    vol->inf_voxels = inf;
    vol->nonpositive = nonpos;
    vol->extremes = positive ? 2 : 1;
    vol->ext_min = mn;
    vol->ext_max = mx;
    const int64_t owned = (ohi[0] - olo[0]) * (ohi[1] - olo[1]) * (ohi[2] - olo[2]);
    vol->ext_counted = owned - nan - inf - (positive ? nonpos : 0);
}

/* How a block splits into pieces: axis `axis` is cut into runs of `run`
 * indices, the axes after it are whole, and every index of the axes before
 * it starts a new line of `per_line` pieces.  The axis is the outermost one
 * whose single index (the product of the later extents) fits in a piece, so
 * pieces are as large as allowed and each is contiguous in C order. */
typedef struct {
    int axis;
    int64_t run, per_line, lines;
} PieceSplit;

static PieceSplit split_block(const int64_t count[3], int64_t max_elems)
{
    PieceSplit s;
    /* count[a] <= 2^31 (vr_volume_check_shape): the products cannot overflow. */
    const int64_t inner[3] = {count[1] * count[2], count[2], 1};
    s.axis = inner[0] <= max_elems ? 0 : inner[1] <= max_elems ? 1 : 2;
    s.run = max_elems / inner[s.axis];
    if (s.run > count[s.axis])
        s.run = count[s.axis];
    s.per_line = (count[s.axis] + s.run - 1) / s.run;
    s.lines = 1;
    for (int b = 0; b < s.axis; b++)
        s.lines *= count[b];
    return s;
}

int64_t vr_volume_read_pieces(const int64_t count[3], int64_t max_elems)
{
    if (count[0] <= 0 || count[1] <= 0 || count[2] <= 0 || max_elems <= 0)
        return 0;
    const PieceSplit s = split_block(count, max_elems);
    return s.lines * s.per_line;
}

void vr_volume_read_piece(const int64_t count[3], int64_t max_elems, int64_t i,
                          VrReadPiece *piece)
{
    const PieceSplit s = split_block(count, max_elems);
    int64_t line = i / s.per_line;
    const int64_t first = (i % s.per_line) * s.run;
    for (int b = 2; b >= 0; b--) {
        if (b > s.axis) {
            piece->start[b] = 0;
            piece->count[b] = count[b];
        } else if (b == s.axis) {
            piece->start[b] = first;
            piece->count[b] = count[b] - first < s.run ? count[b] - first : s.run;
        } else { /* the line index, in C order over the axes before */
            piece->start[b] = line % count[b];
            piece->count[b] = 1;
            line /= count[b];
        }
    }
    piece->offset = (piece->start[0] * count[1] + piece->start[1]) * count[2] +
                    piece->start[2];
}

/* Elements one H5Dread may move: small enough that no byte count inside
 * HDF5 or MPI-IO nears 2^31, even for 8-byte file types.  Tests lower it
 * through VR_TEST_READ_ELEMS to exercise the piecewise path on small cubes. */
static int64_t read_piece_elems(void)
{
    const char *text = getenv("VR_TEST_READ_ELEMS");
    char *end = NULL;
    const long long v = text ? strtoll(text, &end, 10) : 0;
    if (text && end != text && *end == '\0' && v > 0)
        return (int64_t)v;
    return VR_READ_PIECE_ELEMS;
}

/* How pieces reach the slab.  A memory type that differs from the file
 * type (even by byte order alone) makes HDF5 1.10 convert during the read
 * and quietly fall back to independent I/O; so every piece is read in the
 * file's own type (no conversion: the read stays collective) and converted
 * to float afterwards with H5Tconvert, the same conversion H5Dread would
 * have done.  A native float file is read straight into the slab. */
typedef struct {
    hid_t mem_type;    /* H5T_NATIVE_FLOAT, or the file type */
    int convert;       /* 1: H5Tconvert mem_type -> H5T_NATIVE_FLOAT after */
    size_t elem_size;  /* bytes of one element of mem_type */
    void *scratch;     /* elements wider than float: one piece's worth */
} PieceReader;

/* Reads piece i of this rank's slab (or nothing, when i is past its last
 * piece) in one collective H5Dread, then converts it to float in the slab.
 * Elements of at most 4 bytes are read into the piece's own place in the
 * slab (it holds n floats, so n of them fit) and converted there in place;
 * wider ones go through the scratch buffer.  Returns 1 on success. */
static int read_piece(MPI_Comm comm, hid_t dset, hid_t dxpl, VrVolume *vol,
                      const PieceReader *rd, int64_t max_elems, int64_t i,
                      int64_t mine)
{
    VrReadPiece pc = {{0, 0, 0}, {1, 1, 1}, 0};
    if (i < mine)
        vr_volume_read_piece(vol->count, max_elems, i, &pc);
    hsize_t start[3], count[3];
    for (int a = 0; a < 3; a++) {
        start[a] = (hsize_t)(vol->start[a] + pc.start[a]);
        count[a] = (hsize_t)pc.count[a];
    }
    hid_t fspace = H5Dget_space(dset);
    hid_t mspace = H5Screate_simple(3, count, NULL);
    /* The other ranks are about to enter the collective read: a rank that
     * cannot join it must end the job (tier 3), not return alone. */
    if (fspace < 0 || mspace < 0)
        vr_fatal(comm, "cannot create the HDF5 dataspaces of this rank's slab");
    int ok = i < mine
        ? H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL) >= 0
        : 0;
    if (!ok) { /* nothing to read, or a bad selection: join with nothing */
        H5Sselect_none(fspace);
        H5Sselect_none(mspace);
    }
    double dummy; /* room for one element of any numeric type up to 8 bytes */
    float *dest = vol->data + pc.offset;
    void *buf = !ok ? (void *)&dummy
                    : rd->convert && rd->elem_size > sizeof(float) ? rd->scratch
                                                                   : (void *)dest;
    const herr_t st = H5Dread(dset, rd->mem_type, mspace, fspace, dxpl, buf);
    H5Sclose(mspace);
    H5Sclose(fspace);
    if (st < 0 || !ok)
        return st >= 0 && i >= mine;
    if (rd->convert) {
        const size_t n = (size_t)(pc.count[0] * pc.count[1] * pc.count[2]);
        if (H5Tconvert(rd->mem_type, H5T_NATIVE_FLOAT, n, buf, NULL, H5P_DEFAULT) < 0)
            return 0;
        if (buf != (void *)dest)
            memcpy(dest, buf, n * sizeof(float));
    }
    return 1;
}

/* Every rank calls H5Dread the same number of times (collective), with an
 * empty selection once its own pieces are done; the verdict of each read
 * is agreed before the next. */
static int read_slab_pieces(MPI_Comm comm, hid_t dset, hid_t dxpl, VrVolume *vol,
                            const char *path, const char *dataset, VrError *err)
{
    int64_t max_elems = read_piece_elems();
    PieceReader rd = {H5T_NATIVE_FLOAT, 0, sizeof(float), NULL};
    hid_t ftype = H5Dget_type(dset);
    int rc = VR_OK;
    if (ftype < 0)
        rc = vr_fail(err, VR_ERR_INPUT, "cannot read the type of dataset '%s' in '%s'",
                     dataset, path);
    else if (H5Tequal(ftype, H5T_NATIVE_FLOAT) <= 0) {
        rd.mem_type = ftype;
        rd.convert = 1;
        rd.elem_size = H5Tget_size(ftype);
        /* Wide elements go through the scratch: smaller pieces keep it
         * at VR_WIDE_PIECE_ELEMS x 8 bytes (64 MiB).  Every rank sees the
         * same type, so all agree on the number of pieces. */
        if (rd.elem_size > sizeof(float) && max_elems > VR_WIDE_PIECE_ELEMS)
            max_elems = VR_WIDE_PIECE_ELEMS;
        /* The largest piece holds at most max_elems elements, and never
         * more than the slab. */
        int64_t piece = vr_volume_voxels(vol);
        if (piece > max_elems)
            piece = max_elems;
        if (rd.elem_size == 0)
            rc = vr_fail(err, VR_ERR_INPUT, "cannot read the type of dataset '%s' in "
                         "'%s'", dataset, path);
        else if (rd.elem_size > sizeof(float) && piece > 0) {
            rd.scratch = vr_alloc_large((size_t)piece * rd.elem_size);
            if (!rd.scratch)
                rc = vr_fail(err, VR_ERR_NOMEM,
                             "cannot allocate %.3g MiB to convert dataset '%s' to "
                             "float; use more ranks",
                             (double)piece * (double)rd.elem_size / 1048576.0, dataset);
        }
    }
    int64_t mine = vr_volume_read_pieces(vol->count, max_elems), most = 0;
    MPI_Allreduce(&mine, &most, 1, MPI_INT64_T, MPI_MAX, comm);
    /* Local failures: agree before the first collective read. */
    rc = vr_agree(comm, rc, err);
    for (int64_t i = 0; i < most && rc == VR_OK; i++) {
        rc = read_piece(comm, dset, dxpl, vol, &rd, max_elems, i, mine)
                 ? VR_OK
                 : vr_fail(err, VR_ERR_INPUT,
                           "reading dataset '%s' from '%s' failed (damaged or "
                           "truncated file?)", dataset, path);
        rc = vr_agree(comm, rc, err);
    }
    vr_free_large(rd.scratch);
    if (ftype >= 0)
        H5Tclose(ftype);
    return rc;
}

int vr_volume_read(MPI_Comm comm, const char *path, const char *dataset,
                   const int64_t dims[3], const VrBlock *slab, int keep_nan, VrVolume *vol,
                   VrError *err)
{
    int rank, nranks;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    memset(vol, 0, sizeof *vol);
    memcpy(vol->dims, dims, sizeof vol->dims);
    vol->slab = *slab;
    vr_decomp_block(&vol->slab, dims, vol->start, vol->count);
    const int64_t n = vr_volume_voxels(vol);

    /* Allocation is local: agree on it before the collective open. */
    int rc = VR_OK;
    if (n > 0) {
        vol->data = vr_test_should_fail(rank, "alloc") ? NULL
                                                       : vr_alloc_large((size_t)n * sizeof(float));
        if (!vol->data)
            rc = vr_fail(err, VR_ERR_NOMEM,
                         "cannot allocate %.3g MiB for this rank's block of '%s' (%lld x "
                         "%lld x %lld points); use more ranks",
                         (double)n * 4.0 / 1048576.0, dataset, (long long)vol->count[0],
                         (long long)vol->count[1], (long long)vol->count[2]);
    }
    rc = vr_agree(comm, rc, err);
    if (rc != VR_OK) {
        vr_volume_free(vol);
        return rc;
    }

    hid_t fapl = H5I_INVALID_HID, file = H5I_INVALID_HID, dset = H5I_INVALID_HID;
    hid_t dxpl = H5I_INVALID_HID;
    double t0 = MPI_Wtime();
    fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0 && H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL) >= 0)
        file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    if (file >= 0)
        dset = H5Dopen2(file, dataset, H5P_DEFAULT);
    /* The probe succeeded on rank 0, so an open failing here is a file
     * system that differs between ranks: agree before reading. */
    rc = vr_agree(comm, dset >= 0 ? VR_OK
                                  : vr_fail(err, VR_ERR_INPUT,
                                            "cannot open '%s' in '%s' through MPI-IO",
                                            dataset, path),
                  err);
    if (rc != VR_OK)
        goto cleanup;
    vol->io.seconds_open = MPI_Wtime() - t0;

    t0 = MPI_Wtime();
    dxpl = H5Pcreate(H5P_DATASET_XFER);
    /* Collective reads, except where some rank's block is cut along two
     * or more axes (k-d blocks): there Open MPI 4.1's default MPI-IO
     * (OMPIO, fcoll vulcan or dynamic) was seen to return zeros for part
     * of a block (the last x plane of a 12 x 27 x 44 block at the cube's
     * far corner; ROMIO and fcoll two_phase or individual read it right),
     * so those reads are independent.  Every rank must choose the same. */
    int cuts = 0;
    for (int a = 0; a < 3; a++)
        cuts += slab->own_lo[a] > 0 || slab->own_hi[a] < dims[a];
    int multi = cuts >= 2, any_multi = 0;
    MPI_Allreduce(&multi, &any_multi, 1, MPI_INT, MPI_MAX, comm);
    const H5FD_mpio_xfer_t xfer = any_multi ? H5FD_MPIO_INDEPENDENT : H5FD_MPIO_COLLECTIVE;
    rc = vr_agree(comm, dxpl >= 0 && H5Pset_dxpl_mpio(dxpl, xfer) >= 0
                            ? VR_OK
                            : vr_fail(err, VR_ERR_INTERNAL,
                                      "cannot set up the collective read of '%s'", dataset),
                  err);
    if (rc == VR_OK)
        rc = read_slab_pieces(comm, dset, dxpl, vol, path, dataset, err);
    if (rc != VR_OK)
        goto cleanup;
    vol->io.seconds_read = MPI_Wtime() - t0;
    describe_io_mode(dxpl, &vol->io);
    /* The projection's sums (if they cannot be had here, the projection
     * makes them itself, or says why not). */
    vol->sums = calloc((size_t)(dims[1] * dims[2]), sizeof *vol->sums);
    sanitize(vol, keep_nan ? NAN : 0.0f);
    vol->io.bytes = n * (int64_t)sizeof(float);

cleanup:
    if (dxpl >= 0) H5Pclose(dxpl);
    if (dset >= 0) H5Dclose(dset);
    if (file >= 0) H5Fclose(file);
    if (fapl >= 0) H5Pclose(fapl);
    if (rc != VR_OK)
        vr_volume_free(vol);
    return rc;
}
