#include "vr/float_out.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vr/output.h"
#include "vr/transfer.h"

struct VrFloatOut {
    char path[4096];
    char tmp[4200];
    hid_t file, rgb, trans, index, theta, proj;
    int N;
    int64_t ny, nz;
    float *scratch; /* N*N*3 floats */
};

static hid_t make_dataset(hid_t file, const char *name, hid_t type, int rank,
                          const hsize_t *dims)
{
    hid_t space = H5Screate_simple(rank, dims, NULL);
    if (space < 0)
        return H5I_INVALID_HID;
    hid_t d = H5Dcreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Sclose(space);
    return d;
}

static int set_attr(hid_t obj, const char *name, hid_t type, int n, const void *v)
{
    hsize_t dim = (hsize_t)n;
    hid_t space = H5Screate_simple(1, &dim, NULL);
    hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    int ok = a >= 0 && H5Awrite(a, type, v) >= 0;
    if (a >= 0) H5Aclose(a);
    H5Sclose(space);
    return ok ? 0 : -1;
}

static int set_attr_str(hid_t obj, const char *name, const char *v)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, strlen(v) + 1);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    int ok = a >= 0 && H5Awrite(a, type, v) >= 0;
    if (a >= 0) H5Aclose(a);
    H5Sclose(space);
    H5Tclose(type);
    return ok ? 0 : -1;
}

static int write_attributes(hid_t f, const VrConfig *cfg, const int64_t dims[3],
                            int nranks)
{
    const int ints[] = {cfg->image_size, cfg->samples, cfg->angles, cfg->first_angle,
                        cfg->last_angle, cfg->axis, nranks};
    const char *names[] = {"N", "samples", "angles", "first_angle", "last_angle",
                           "decomposition_axis", "ranks"};
    int bad = 0;
    for (int i = 0; i < 7; i++)
        bad |= set_attr(f, names[i], H5T_NATIVE_INT, 1, &ints[i]);
    bad |= set_attr(f, "dims", H5T_NATIVE_INT64, 3, dims);
    bad |= set_attr_str(f, "input", cfg->input);
    bad |= set_attr_str(f, "dataset", cfg->dataset);
    bad |= set_attr_str(f, "composite", vr_composite_name(cfg->composite));
    bad |= set_attr_str(f, "camera",
                        "orthographic orbit about x; theta_n = (pi/2) n / angles; "
                        "X = u, Y = v cos - w sin, Z = v sin + w cos; rays along +v");
    bad |= set_attr_str(f, "transfer_function",
                        "L = ln(rho); e_b = exp(-(L - centre_b)^2 / width2_b); "
                        "[r g b a] = mix . e");
    bad |= set_attr(f, "tf_centre", H5T_NATIVE_DOUBLE, 3, VR_TF_CENTRE);
    bad |= set_attr(f, "tf_width2", H5T_NATIVE_DOUBLE, 3, VR_TF_WIDTH2);
    bad |= set_attr(f, "tf_mix", H5T_NATIVE_DOUBLE, 12, VR_TF_MIX);
    return bad;
}

int vr_float_out_create(const char *path, const VrConfig *cfg, const int64_t dims[3],
                        int nranks, VrFloatOut **out, VrError *err)
{
    int rc = VR_OK;
    *out = NULL;
    VrFloatOut *fo = calloc(1, sizeof *fo);
    VR_CHECK(fo, VR_ERR_NOMEM, err, "cannot allocate the float output");
    fo->file = fo->rgb = fo->trans = fo->index = fo->theta = fo->proj = H5I_INVALID_HID;
    snprintf(fo->path, sizeof fo->path, "%s", path);
    vr_output_temp_path(path, fo->tmp, sizeof fo->tmp);
    fo->N = cfg->image_size;
    fo->ny = dims[1];
    fo->nz = dims[2];
    fo->scratch = malloc((size_t)fo->N * (size_t)fo->N * 3 * sizeof(float));
    VR_CHECK(fo->scratch, VR_ERR_NOMEM, err, "cannot allocate the float output");
    fo->file = H5Fcreate(fo->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    VR_CHECK(fo->file >= 0, VR_ERR_IO, err, "cannot create float output '%s'", path);
    const hsize_t F = (hsize_t)(cfg->last_angle - cfg->first_angle + 1);
    const hsize_t N = (hsize_t)fo->N;
    const hsize_t d_rgb[4] = {F, N, N, 3}, d_t[3] = {F, N, N}, d_p[2] = {
        (hsize_t)dims[1], (hsize_t)dims[2]};
    fo->rgb = make_dataset(fo->file, "rgb", H5T_IEEE_F32LE, 4, d_rgb);
    fo->trans = make_dataset(fo->file, "transmittance", H5T_IEEE_F32LE, 3, d_t);
    fo->index = make_dataset(fo->file, "angle_index", H5T_STD_I32LE, 1, &F);
    fo->theta = make_dataset(fo->file, "theta", H5T_IEEE_F64LE, 1, &F);
    fo->proj = make_dataset(fo->file, "projection", H5T_IEEE_F32LE, 2, d_p);
    VR_CHECK(fo->rgb >= 0 && fo->trans >= 0 && fo->index >= 0 && fo->theta >= 0 &&
                 fo->proj >= 0,
             VR_ERR_IO, err, "cannot create the datasets of float output '%s'", path);
    VR_CHECK(write_attributes(fo->file, cfg, dims, nranks) == 0, VR_ERR_IO, err,
             "cannot write the attributes of float output '%s'", path);
    *out = fo;
    fo = NULL;
cleanup:
    if (fo)
        vr_float_out_close(fo, 0, NULL);
    return rc;
}

/* Writes `count` elements at `start` of a dataset of the given rank. */
static int write_block(hid_t dset, hid_t memtype, int rank, const hsize_t *start,
                       const hsize_t *count, const void *buf)
{
    hid_t fs = H5Dget_space(dset);
    hid_t ms = H5Screate_simple(rank, count, NULL);
    int ok = fs >= 0 && ms >= 0 &&
             H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
             H5Dwrite(dset, memtype, ms, fs, H5P_DEFAULT, buf) >= 0;
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    return ok ? 0 : -1;
}

int vr_float_out_write_frame(VrFloatOut *fo, int f, int angle_index, double theta,
                             const float *image, VrError *err)
{
    const hsize_t N = (hsize_t)fo->N, uf = (hsize_t)f;
    const int64_t npix = (int64_t)fo->N * fo->N;
    float *rgb = fo->scratch;
    for (int64_t p = 0; p < npix; p++)
        for (int c = 0; c < 3; c++)
            rgb[3 * p + c] = image[4 * p + c];
    const hsize_t s4[4] = {uf, 0, 0, 0}, c4[4] = {1, N, N, 3};
    const hsize_t s3[3] = {uf, 0, 0}, c3[3] = {1, N, N};
    const hsize_t s1 = uf, c1 = 1;
    int bad = write_block(fo->rgb, H5T_NATIVE_FLOAT, 4, s4, c4, rgb);
    for (int64_t p = 0; p < npix; p++)
        rgb[p] = image[4 * p + 3];
    bad |= write_block(fo->trans, H5T_NATIVE_FLOAT, 3, s3, c3, rgb);
    bad |= write_block(fo->index, H5T_NATIVE_INT, 1, &s1, &c1, &angle_index);
    bad |= write_block(fo->theta, H5T_NATIVE_DOUBLE, 1, &s1, &c1, &theta);
    if (bad)
        return vr_fail(err, VR_ERR_IO, "cannot write frame %d to float output '%s'",
                       angle_index, fo->path);
    return VR_OK;
}

int vr_float_out_write_projection(VrFloatOut *fo, const float *logmean, VrError *err)
{
    const hsize_t s[2] = {0, 0}, c[2] = {(hsize_t)fo->ny, (hsize_t)fo->nz};
    if (write_block(fo->proj, H5T_NATIVE_FLOAT, 2, s, c, logmean) != 0)
        return vr_fail(err, VR_ERR_IO, "cannot write the projection to '%s'", fo->path);
    return VR_OK;
}

int vr_float_out_close(VrFloatOut *fo, int commit, VrError *err)
{
    if (!fo)
        return VR_OK;
    const hid_t ids[] = {fo->proj, fo->theta, fo->index, fo->trans, fo->rgb};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (ids[i] >= 0)
            H5Dclose(ids[i]);
    int rc = VR_OK;
    if (fo->file >= 0 && H5Fclose(fo->file) < 0)
        rc = vr_fail(err, VR_ERR_IO, "cannot close float output '%s'", fo->path);
    if (fo->file >= 0) {
        if (commit && rc == VR_OK)
            rc = vr_output_commit(fo->tmp, fo->path, err);
        else
            remove(fo->tmp);
    }
    free(fo->scratch);
    free(fo);
    return rc;
}
