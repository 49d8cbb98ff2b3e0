#include "vr/float_out.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vr/output.h"
#include "vr/volume_io.h"

struct VrFloatOut {
    char path[4096];
    char tmp[4200];
    hid_t file, rgb, trans, index, theta, proj;
    hid_t cam[7];     /* /camera datasets (vr_float_out_write_view) */
    int height, width;
    int64_t ny, nz;
    float *scratch;   /* height*width*3 floats */
    char reason[600]; /* why the last HDF5 call failed */
};

/* Records why the HDF5 call that just failed did (before any other HDF5
 * call clears the error stack). */
static void note_reason(VrFloatOut *fo)
{
    vr_hdf5_error_reason(fo->reason, sizeof fo->reason);
}

/* A contiguous dataset whose place in the file is allocated at once (so
 * the file's end of allocation covers every frame, for reserve_space) and
 * never filled: every element is written before the file is kept. */
static hid_t make_dataset(hid_t file, const char *name, hid_t type, int rank,
                          const hsize_t *dims)
{
    const hid_t space = H5Screate_simple(rank, dims, NULL);
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hid_t d = H5I_INVALID_HID;
    if (space >= 0 && dcpl >= 0 && H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY) >= 0 &&
        H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) >= 0)
        d = H5Dcreate2(file, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    return d;
}

/* Room the metadata may still take beyond what is allocated. */
#define VR_FLOAT_OUT_SLACK ((hsize_t)1 << 20)

/* Reserves on disk (fallocate) the file's allocated size plus `more` and
 * the slack, before HDF5 writes any of it.  HDF5 1.10 does not recover
 * from a metadata flush that fails: the file then stays half closed and
 * the library crashes at exit.  With the room reserved, a full disk shows
 * here, as one clear error, and the writes and the close that follow
 * cannot run out of space.  HDF5 cuts the file back to its allocated size
 * when it closes it.  File systems without fallocate are left as they
 * are.  Returns 0, or an errno. */
static int reserve_space(VrFloatOut *fo, hsize_t more)
{
    hsize_t size = 0;
    if (H5Fget_filesize(fo->file, &size) < 0)
        return 0;
    const int fd = open(fo->tmp, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int e = 0;
    if (fallocate(fd, 0, 0, (off_t)(size + more + VR_FLOAT_OUT_SLACK)) != 0)
        e = errno == EOPNOTSUPP || errno == ENOSYS ? 0 : errno;
    close(fd);
    return e;
}

/* Writes attribute `name` of obj (replacing one of that name) with the
 * given file type, space and memory type; on failure notes the reason. */
static int put_attr(VrFloatOut *fo, hid_t obj, const char *name, hid_t type,
                    hid_t space, hid_t memtype, const void *v)
{
    int ok = 1;
    const htri_t exists = H5Aexists(obj, name);
    if (exists > 0)
        ok = H5Adelete(obj, name) >= 0;
    const hid_t a = ok && exists >= 0 && space >= 0
                        ? H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT)
                        : H5I_INVALID_HID;
    ok = a >= 0 && H5Awrite(a, memtype, v) >= 0;
    if (!ok)
        note_reason(fo);
    if (a >= 0)
        H5Aclose(a);
    return ok ? 0 : -1;
}

static int set_attr(VrFloatOut *fo, hid_t obj, const char *name, hid_t type, int n,
                    const void *v)
{
    const hsize_t dim = (hsize_t)n;
    const hid_t space = H5Screate_simple(1, &dim, NULL);
    const int bad = put_attr(fo, obj, name, type, space, type, v);
    if (space >= 0)
        H5Sclose(space);
    return bad;
}

/* A scalar fixed-length string of strlen(v) bytes, NUL-terminated (what
 * h5py returns as bytes/str, and h5dump prints), UTF-8 when not ASCII. */
static int set_attr_str(VrFloatOut *fo, hid_t obj, const char *name, const char *v)
{
    const hid_t type = H5Tcopy(H5T_C_S1);
    int ascii = 1;
    for (const char *p = v; *p; p++)
        ascii &= (unsigned char)*p < 0x80;
    const int ok = type >= 0 && H5Tset_size(type, strlen(v) + 1) >= 0 &&
                   H5Tset_strpad(type, H5T_STR_NULLTERM) >= 0 &&
                   H5Tset_cset(type, ascii ? H5T_CSET_ASCII : H5T_CSET_UTF8) >= 0;
    const hid_t space = H5Screate(H5S_SCALAR);
    const int bad = ok ? put_attr(fo, obj, name, type, space, type, v) : -1;
    if (!ok)
        note_reason(fo);
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    return bad;
}

/* The run's parameters; stops at the first failure so the reason noted
 * is that failure's. */
static int write_attributes(VrFloatOut *fo, const VrConfig *cfg, const int64_t dims[3],
                            int nranks)
{
    const hid_t f = fo->file;
    const int ints[] = {cfg->image_size, fo->height, fo->width, cfg->samples,
                        cfg->angles, cfg->first_angle, cfg->last_angle, cfg->axis,
                        nranks};
    const char *names[] = {"N", "height", "width", "samples", "angles", "first_angle",
                           "last_angle", "decomposition_axis", "ranks"};
    for (int i = 0; i < 9; i++)
        if (set_attr(fo, f, names[i], H5T_NATIVE_INT, 1, &ints[i]) != 0)
            return -1;
    return set_attr(fo, f, "dims", H5T_NATIVE_INT64, 3, dims) != 0 ||
                   set_attr_str(fo, f, "input", cfg->input) != 0 ||
                   set_attr_str(fo, f, "dataset", cfg->dataset) != 0 ||
                   set_attr_str(fo, f, "composite", vr_composite_name(cfg->composite)) != 0 ||
                   set_attr_str(fo, f, "camera",
                                "per frame in /camera (SPEC Views): sample (r, s, q) at "
                                "P = C + u_r e_u + v_s e_v + w_q e_w (orthographic, fov 0) "
                                "or C + v_s e_v + (1 - v_s / d)(u_r e_u + w_q e_w), "
                                "d = |eye - C|; u, v, w linspace over widths "
                                "(W_u, W_w, depth); rays along +e_v") != 0
               ? -1
               : 0;
}

int vr_float_out_attr_text(VrFloatOut *fo, const char *name, const char *text,
                           VrError *err)
{
    const int e = reserve_space(fo, 2 * (hsize_t)strlen(text));
    if (e)
        return vr_fail(err, VR_ERR_IO, "cannot write attribute '%s' of float output "
                       "'%s': %s", name, fo->path, strerror(e));
    if (set_attr_str(fo, fo->file, name, text) != 0)
        return vr_fail(err, VR_ERR_IO, "cannot write attribute '%s' of float output "
                       "'%s': %s", name, fo->path, fo->reason);
    return VR_OK;
}

int vr_float_out_attr_doubles(VrFloatOut *fo, const char *name, const double *v, int n,
                              VrError *err)
{
    if (n < 1 || set_attr(fo, fo->file, name, H5T_NATIVE_DOUBLE, n, v) != 0)
        return vr_fail(err, VR_ERR_IO, "cannot write attribute '%s' of float output "
                       "'%s': %s", name, fo->path,
                       n < 1 ? "no values given" : fo->reason);
    return VR_OK;
}

int vr_float_out_attr_int(VrFloatOut *fo, const char *name, int v, VrError *err)
{
    if (set_attr(fo, fo->file, name, H5T_NATIVE_INT, 1, &v) != 0)
        return vr_fail(err, VR_ERR_IO, "cannot write attribute '%s' of float output "
                       "'%s': %s", name, fo->path, fo->reason);
    return VR_OK;
}

int vr_float_out_create(const char *path, const VrConfig *cfg, const int64_t dims[3],
                        int nranks, VrFloatOut **out, VrError *err)
{
    return vr_float_out_create_sized(path, cfg, dims, nranks, cfg->image_height,
                                     cfg->image_width, out, err);
}

static int create_camera_datasets(VrFloatOut *fo, hsize_t F);

int vr_float_out_create_sized(const char *path, const VrConfig *cfg,
                              const int64_t dims[3], int nranks, int height, int width,
                              VrFloatOut **out, VrError *err)
{
    int rc = VR_OK;
    hid_t fapl = H5I_INVALID_HID;
    *out = NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* our own one-line messages */
    VrFloatOut *fo = calloc(1, sizeof *fo);
    VR_CHECK(fo, VR_ERR_NOMEM, err, "cannot allocate the float output");
    fo->file = fo->rgb = fo->trans = fo->index = fo->theta = fo->proj = H5I_INVALID_HID;
    for (int i = 0; i < 7; i++)
        fo->cam[i] = H5I_INVALID_HID;
    snprintf(fo->path, sizeof fo->path, "%s", path);
    vr_output_temp_path(path, fo->tmp, sizeof fo->tmp);
    fo->height = height;
    fo->width = width;
    fo->ny = dims[1];
    fo->nz = dims[2];
    fo->scratch = malloc((size_t)height * (size_t)width * 3 * sizeof(float));
    VR_CHECK(fo->scratch, VR_ERR_NOMEM, err, "cannot allocate the float output");
    /* The 1.8 object header format: an attribute too large for the header
     * (a long transfer function text) then goes to dense storage.  No
     * sieve buffer: frames are written whole, straight to the file, so a
     * write that fails (a full disk) leaves no data that closing the file
     * would try to write again (see vr_float_out_close). */
    fapl = H5Pcreate(H5P_FILE_ACCESS);
    VR_CHECK(fapl >= 0 && H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST) >= 0 &&
                 H5Pset_sieve_buf_size(fapl, 0) >= 0,
             VR_ERR_INTERNAL, err, "cannot set up float output '%s'", path);
    fo->file = H5Fcreate(fo->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    if (fo->file < 0)
        note_reason(fo);
    VR_CHECK(fo->file >= 0, VR_ERR_IO, err, "cannot create float output '%s': %s", path,
             fo->reason);
    const hsize_t F = (hsize_t)(cfg->last_angle - cfg->first_angle + 1);
    const hsize_t H = (hsize_t)height, W = (hsize_t)width;
    const hsize_t d_rgb[4] = {F, H, W, 3}, d_t[3] = {F, H, W}, d_p[2] = {
        (hsize_t)dims[1], (hsize_t)dims[2]};
    if ((fo->rgb = make_dataset(fo->file, "rgb", H5T_IEEE_F32LE, 4, d_rgb)) < 0 ||
        (fo->trans = make_dataset(fo->file, "transmittance", H5T_IEEE_F32LE, 3, d_t)) < 0 ||
        (fo->index = make_dataset(fo->file, "angle_index", H5T_STD_I32LE, 1, &F)) < 0 ||
        (fo->theta = make_dataset(fo->file, "theta", H5T_IEEE_F64LE, 1, &F)) < 0 ||
        (fo->proj = make_dataset(fo->file, "projection", H5T_IEEE_F32LE, 2, d_p)) < 0)
        note_reason(fo);
    VR_CHECK(fo->rgb >= 0 && fo->trans >= 0 && fo->index >= 0 && fo->theta >= 0 &&
                 fo->proj >= 0,
             VR_ERR_IO, err, "cannot create the datasets of float output '%s': %s", path,
             fo->reason);
    VR_CHECK(create_camera_datasets(fo, F) == 0, VR_ERR_IO, err,
             "cannot create the camera datasets of float output '%s': %s", path, fo->reason);
    const int e = reserve_space(fo, 0);
    VR_CHECK(e == 0, VR_ERR_IO, err, "cannot create float output '%s': %s", path,
             strerror(e));
    VR_CHECK(write_attributes(fo, cfg, dims, nranks) == 0, VR_ERR_IO, err,
             "cannot write the attributes of float output '%s': %s", path, fo->reason);
    *out = fo;
    fo = NULL;
cleanup:
    if (fapl >= 0)
        H5Pclose(fapl);
    if (fo)
        vr_float_out_close(fo, 0, NULL);
    return rc;
}

/* Writes `count` elements at `start` of a dataset of the given rank; on
 * failure notes the reason. */
static int write_block(VrFloatOut *fo, hid_t dset, hid_t memtype, int rank,
                       const hsize_t *start, const hsize_t *count, const void *buf)
{
    hid_t fs = H5Dget_space(dset);
    hid_t ms = H5Screate_simple(rank, count, NULL);
    int ok = fs >= 0 && ms >= 0 &&
             H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
             H5Dwrite(dset, memtype, ms, fs, H5P_DEFAULT, buf) >= 0;
    if (!ok)
        note_reason(fo);
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    return ok ? 0 : -1;
}

int vr_float_out_write_frame(VrFloatOut *fo, int f, int angle_index, double theta,
                             const float *image, VrError *err)
{
    const hsize_t H = (hsize_t)fo->height, W = (hsize_t)fo->width, uf = (hsize_t)f;
    const int64_t npix = (int64_t)fo->height * fo->width;
    float *rgb = fo->scratch;
    for (int64_t p = 0; p < npix; p++)
        for (int c = 0; c < 3; c++)
            rgb[3 * p + c] = image[4 * p + c];
    const hsize_t s4[4] = {uf, 0, 0, 0}, c4[4] = {1, H, W, 3};
    const hsize_t s3[3] = {uf, 0, 0}, c3[3] = {1, H, W};
    const hsize_t s1 = uf, c1 = 1;
    int bad = write_block(fo, fo->rgb, H5T_NATIVE_FLOAT, 4, s4, c4, rgb);
    for (int64_t p = 0; p < npix && !bad; p++)
        rgb[p] = image[4 * p + 3];
    bad = bad || write_block(fo, fo->trans, H5T_NATIVE_FLOAT, 3, s3, c3, rgb) ||
          write_block(fo, fo->index, H5T_NATIVE_INT, 1, &s1, &c1, &angle_index) ||
          write_block(fo, fo->theta, H5T_NATIVE_DOUBLE, 1, &s1, &c1, &theta);
    if (bad)
        return vr_fail(err, VR_ERR_IO, "cannot write frame %d to float output '%s': %s",
                       angle_index, fo->path, fo->reason);
    return VR_OK;
}

static const char *const CAMERA_SETS[7] = {"centre", "e_u", "e_v", "e_w", "eye", "widths",
                                           "fov"};

static int create_camera_datasets(VrFloatOut *fo, hsize_t F)
{
    hid_t g = H5Gcreate2(fo->file, "camera", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) {
        note_reason(fo);
        return -1;
    }
    const hsize_t d3[2] = {F, 3};
    int bad = 0;
    for (int i = 0; i < 7 && !bad; i++) {
        fo->cam[i] = make_dataset(g, CAMERA_SETS[i], H5T_IEEE_F64LE, i < 6 ? 2 : 1, d3);
        bad = fo->cam[i] < 0;
    }
    if (bad)
        note_reason(fo);
    H5Gclose(g);
    return bad ? -1 : 0;
}

int vr_float_out_write_view(VrFloatOut *fo, int f, const VrView *view, VrError *err)
{
    const double widths[3] = {view->width_u, view->width_w, view->depth};
    const double *vals[7] = {view->centre, view->eu, view->ev, view->ew, view->eye, widths,
                             &view->fov};
    const hsize_t s2[2] = {(hsize_t)f, 0}, c2[2] = {1, 3};
    int bad = 0;
    for (int i = 0; i < 7 && !bad; i++)
        bad = write_block(fo, fo->cam[i], H5T_NATIVE_DOUBLE, i < 6 ? 2 : 1, s2, c2, vals[i]);
    if (bad)
        return vr_fail(err, VR_ERR_IO, "cannot write the camera of frame %d to float output "
                       "'%s': %s", view->index, fo->path, fo->reason);
    return VR_OK;
}

int vr_float_out_write_projection(VrFloatOut *fo, const float *logmean, VrError *err)
{
    const hsize_t s[2] = {0, 0}, c[2] = {(hsize_t)fo->ny, (hsize_t)fo->nz};
    if (write_block(fo, fo->proj, H5T_NATIVE_FLOAT, 2, s, c, logmean) != 0)
        return vr_fail(err, VR_ERR_IO, "cannot write the projection to float output "
                       "'%s': %s", fo->path, fo->reason);
    return VR_OK;
}

/* Empties a file that is given up, so that the metadata HDF5 still
 * writes when it closes the file finds room: a full disk is the usual
 * reason to give up. */
static void discard_contents(const char *tmp)
{
    const int fd = open(tmp, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (ftruncate(fd, 0) != 0) {
            /* nothing more to do: the file is removed afterwards anyway */
        }
        close(fd);
    }
}

int vr_float_out_close(VrFloatOut *fo, int commit, VrError *err)
{
    if (!fo)
        return VR_OK;
    int rc = VR_OK;
    for (int i = 0; i < 7; i++)
        if (fo->cam[i] >= 0)
            H5Dclose(fo->cam[i]);
    const hid_t ids[] = {fo->proj, fo->theta, fo->index, fo->trans, fo->rgb};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (ids[i] >= 0)
            H5Dclose(ids[i]);
    /* HDF5 1.10 cannot take back a close that failed: the file stays half
     * closed and the library crashes when it tries again at exit.  So the
     * metadata is flushed first, where a failure (a full disk) leaves the
     * file intact; a file given up is emptied before it is closed, so the
     * flush inside the close has room. */
    if (fo->file >= 0 && commit && H5Fflush(fo->file, H5F_SCOPE_LOCAL) < 0) {
        note_reason(fo);
        rc = vr_fail(err, VR_ERR_IO, "cannot write float output '%s': %s", fo->path,
                     fo->reason);
    }
    if (fo->file >= 0 && (!commit || rc != VR_OK))
        discard_contents(fo->tmp);
    if (fo->file >= 0 && H5Fclose(fo->file) < 0 && commit && rc == VR_OK) {
        note_reason(fo);
        rc = vr_fail(err, VR_ERR_IO, "cannot write float output '%s': %s", fo->path,
                     fo->reason);
    }
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
