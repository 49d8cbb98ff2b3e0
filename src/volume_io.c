#include "vr/volume_io.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vr/parallel.h"

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

/* Serial checks on rank 0: everything that can be said about the input
 * without reading its data. */
static int probe_serial(const char *path, const char *dataset, int64_t dims[3],
                        VrError *err)
{
    int rc = VR_OK;
    hid_t file = H5I_INVALID_HID, dset = H5I_INVALID_HID;
    hid_t space = H5I_INVALID_HID, type = H5I_INVALID_HID;

    VR_CHECK(access(path, R_OK) == 0, VR_ERR_INPUT, err,
             "cannot read input file '%s': %s", path, strerror(errno));
    VR_CHECK(H5Fis_hdf5(path) > 0, VR_ERR_INPUT, err,
             "input file '%s' is not an HDF5 file (or is truncated)", path);
    file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    VR_CHECK(file >= 0, VR_ERR_INPUT, err,
             "cannot open input file '%s' as HDF5 (damaged or truncated?)", path);
    H5O_info_t info;
    VR_CHECK(H5Oget_info_by_name(file, dataset, &info, H5P_DEFAULT) >= 0,
             VR_ERR_INPUT, err, "dataset '%s' not found in '%s' (see --dataset)",
             dataset, path);
    VR_CHECK(info.type == H5O_TYPE_DATASET, VR_ERR_INPUT, err,
             "'%s' in '%s' is not a dataset (see --dataset)", dataset, path);
    dset = H5Dopen2(file, dataset, H5P_DEFAULT);
    VR_CHECK(dset >= 0, VR_ERR_INPUT, err, "cannot open dataset '%s' in '%s'",
             dataset, path);
    type = H5Dget_type(dset);
    VR_CHECK(type >= 0, VR_ERR_INPUT, err, "cannot read the type of '%s'", dataset);
    const H5T_class_t cls = H5Tget_class(type);
    VR_CHECK(cls == H5T_INTEGER || cls == H5T_FLOAT, VR_ERR_INPUT, err,
             "dataset '%s' in '%s' has a %s type; a numeric (integer or "
             "floating-point) type is needed", dataset, path, type_class_name(cls));
    space = H5Dget_space(dset);
    VR_CHECK(space >= 0, VR_ERR_INPUT, err, "cannot read the shape of '%s'", dataset);
    const int ndims = H5Sget_simple_extent_ndims(space);
    VR_CHECK(ndims == 3, VR_ERR_INPUT, err,
             "dataset '%s' in '%s' has %d dimensions; a 3-D dataset is needed",
             dataset, path, ndims);
    hsize_t h[3];
    H5Sget_simple_extent_dims(space, h, NULL);
    for (int a = 0; a < 3; a++)
        dims[a] = (int64_t)h[a];
    VR_CHECK(h[0] >= 2 && h[1] >= 2 && h[2] >= 2, VR_ERR_INPUT, err,
             "dataset '%s' in '%s' has shape %llu x %llu x %llu; at least 2 points "
             "along every axis are needed to interpolate",
             dataset, path, (unsigned long long)h[0], (unsigned long long)h[1],
             (unsigned long long)h[2]);
    int64_t total;
    VR_CHECK(vr_mul3_i64(dims[0], dims[1], dims[2], &total) == 0, VR_ERR_INPUT,
             err, "dataset '%s' is too large to index", dataset);

cleanup:
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    if (dset >= 0) H5Dclose(dset);
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

void vr_volume_free(VrVolume *vol)
{
    free(vol->data);
    vol->data = NULL;
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

/* Zeroes NaN and infinite voxels (they render as empty, SPEC) and counts,
 * over the owned planes only so no voxel is counted twice across ranks,
 * the NaN, infinite and non-positive ones for the warning. */
static void sanitize(VrVolume *vol)
{
    const int axis = vol->slab.axis;
    const int64_t own_lo = vol->slab.own_lo - vol->start[axis];
    const int64_t own_hi = vol->slab.own_hi - vol->start[axis];
    int64_t nan = 0, inf = 0, nonpos = 0;
    float *v = vol->data;
    for (int64_t i = 0; i < vol->count[0]; i++)
        for (int64_t j = 0; j < vol->count[1]; j++)
            for (int64_t k = 0; k < vol->count[2]; k++, v++) {
                const int64_t idx[3] = {i, j, k};
                const int owned = idx[axis] >= own_lo && idx[axis] < own_hi;
                if (isnan(*v)) {
                    *v = 0.0f;
                    nan += owned;
                } else if (isinf(*v)) {
                    *v = 0.0f;
                    inf += owned;
                } else if (*v <= 0.0f) {
                    nonpos += owned;
                }
            }
    vol->nan_voxels = nan;
    vol->inf_voxels = inf;
    vol->nonpositive = nonpos;
}

int vr_volume_read(MPI_Comm comm, const char *path, const char *dataset,
                   const int64_t dims[3], int axis, VrVolume *vol, VrError *err)
{
    int rank, nranks;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    memset(vol, 0, sizeof *vol);
    memcpy(vol->dims, dims, sizeof vol->dims);
    vr_decomp_slab(rank, nranks, dims, axis, &vol->slab);
    for (int a = 0; a < 3; a++) {
        vol->start[a] = a == axis ? vol->slab.read_lo : 0;
        vol->count[a] = a == axis ? vol->slab.read_hi - vol->slab.read_lo : dims[a];
    }
    const int64_t n = vr_volume_voxels(vol);

    /* Allocation is local: agree on it before the collective open. */
    int rc = VR_OK;
    if (n > 0) {
        vol->data = vr_test_should_fail(rank, "alloc") ? NULL
                                                       : malloc((size_t)n * sizeof(float));
        if (!vol->data)
            rc = vr_fail(err, VR_ERR_NOMEM, "cannot allocate %.1f MiB for the slab",
                         (double)n * 4.0 / 1048576.0);
    }
    rc = vr_agree(comm, rc, err);
    if (rc != VR_OK) {
        vr_volume_free(vol);
        return rc;
    }

    hid_t fapl = H5I_INVALID_HID, file = H5I_INVALID_HID, dset = H5I_INVALID_HID;
    hid_t fspace = H5I_INVALID_HID, mspace = H5I_INVALID_HID, dxpl = H5I_INVALID_HID;
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
    hsize_t start[3], count[3], one[3] = {1, 1, 1};
    for (int a = 0; a < 3; a++) {
        start[a] = (hsize_t)vol->start[a];
        count[a] = (hsize_t)vol->count[a];
    }
    fspace = H5Dget_space(dset);
    mspace = H5Screate_simple(3, n > 0 ? count : one, NULL);
    dxpl = H5Pcreate(H5P_DATASET_XFER);
    int ok = fspace >= 0 && mspace >= 0 && dxpl >= 0 &&
             H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE) >= 0;
    if (ok && n > 0)
        ok = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL) >= 0;
    else if (ok)
        ok = H5Sselect_none(fspace) >= 0 && H5Sselect_none(mspace) >= 0;
    rc = vr_agree(comm, ok ? VR_OK
                           : vr_fail(err, VR_ERR_INTERNAL,
                                     "cannot set up the hyperslab of '%s'", dataset),
                  err);
    if (rc != VR_OK)
        goto cleanup;
    /* Every rank enters the collective read; an error inside it is reported
     * afterwards, when all ranks are back. */
    float dummy;
    herr_t st = H5Dread(dset, H5T_NATIVE_FLOAT, mspace, fspace, dxpl,
                        n > 0 ? (void *)vol->data : (void *)&dummy);
    rc = st >= 0 ? VR_OK
                 : vr_fail(err, VR_ERR_INPUT,
                           "reading dataset '%s' from '%s' failed (damaged or "
                           "truncated file?)", dataset, path);
    rc = vr_agree(comm, rc, err);
    if (rc != VR_OK)
        goto cleanup;
    describe_io_mode(dxpl, &vol->io);
    sanitize(vol);
    vol->io.bytes = n * (int64_t)sizeof(float);
    vol->io.seconds_read = MPI_Wtime() - t0;

cleanup:
    if (dxpl >= 0) H5Pclose(dxpl);
    if (mspace >= 0) H5Sclose(mspace);
    if (fspace >= 0) H5Sclose(fspace);
    if (dset >= 0) H5Dclose(dset);
    if (file >= 0) H5Fclose(file);
    if (fapl >= 0) H5Pclose(fapl);
    if (rc != VR_OK)
        vr_volume_free(vol);
    return rc;
}
