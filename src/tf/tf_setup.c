#include "vr/tf_setup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vr/parallel.h"

/* Splits "FILE:NAME" when FILE itself is not a file: a path may hold ':'. */
static void split_preset(const char *arg, char *file, size_t cap, const char **preset)
{
    struct stat st;
    snprintf(file, cap, "%s", arg);
    *preset = NULL;
    const char *colon = strrchr(arg, ':');
    if (stat(arg, &st) == 0 || !colon || colon == arg)
        return;
    file[colon - arg] = '\0';
    *preset = colon + 1;
}

/* Rank 0: the whole file into *text (NUL-terminated). */
static int read_file(const char *path, char **text, long *len, VrError *err)
{
    *text = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return vr_fail(err, VR_ERR_INPUT, "--tf: cannot read '%s': %s", path, strerror(errno));
    int rc = VR_OK;
    char *buf = NULL;
    long n = -1;
    if (fseek(fp, 0, SEEK_END) == 0)
        n = ftell(fp);
    VR_CHECK(n >= 0 && fseek(fp, 0, SEEK_SET) == 0, VR_ERR_INPUT, err,
             "--tf: cannot read '%s': %s", path, strerror(errno));
    VR_CHECK(n <= VR_TF_FILE_MAX, VR_ERR_INPUT, err,
             "--tf: '%s' is %ld bytes, more than a transfer function needs (at most %d)",
             path, n, VR_TF_FILE_MAX);
    buf = malloc((size_t)n + 1);
    VR_CHECK(buf, VR_ERR_NOMEM, err, "--tf: cannot allocate %ld bytes for '%s'", n, path);
    VR_CHECK(fread(buf, 1, (size_t)n, fp) == (size_t)n, VR_ERR_INPUT, err,
             "--tf: cannot read '%s': %s", path, ferror(fp) ? strerror(errno) : "cut short");
    buf[n] = '\0';
    *text = buf;
    *len = n;
    buf = NULL;
cleanup:
    free(buf);
    fclose(fp);
    return rc;
}

/* Collective: rank 0's file text on every rank (or its error). */
static int share_file(MPI_Comm comm, const char *path, char **text, long *len, VrError *err)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    int rc = rank == 0 ? read_file(path, text, len, err) : VR_OK;
    rc = vr_agree(comm, rc, err);
    if (rc != VR_OK)
        return rc;
    MPI_Bcast(len, 1, MPI_LONG, 0, comm);
    if (rank != 0) {
        *text = malloc((size_t)*len + 1);
        rc = *text ? VR_OK : vr_fail(err, VR_ERR_NOMEM, "cannot allocate %ld bytes", *len);
    }
    rc = vr_agree(comm, rc, err);
    if (rc != VR_OK)
        return rc;
    MPI_Bcast(*text, (int)*len, MPI_CHAR, 0, comm);
    (*text)[*len] = '\0';
    return VR_OK;
}

int vr_tf_setup(MPI_Comm comm, const VrConfig *cfg, VrTf *tf, VrError *err)
{
    int rc;
    const char *scale = cfg->scale[0] ? cfg->scale : NULL;
    const char *range = cfg->range[0] ? cfg->range : NULL;
    if (cfg->tf_file[0]) {
        char file[4096];
        const char *preset;
        split_preset(cfg->tf_file, file, sizeof file, &preset);
        char *text = NULL;
        long len = 0;
        rc = share_file(comm, file, &text, &len, err);
        if (rc != VR_OK)
            return rc;
        rc = vr_tf_load(text, (size_t)len, file, preset, tf, err);
        free(text);
        if (rc == VR_OK)
            rc = vr_tf_apply_options(tf, scale, range, cfg->opacity_unit,
                                     cfg->has_background ? cfg->background : NULL, err);
    } else if (cfg->colormap[0]) {
        rc = vr_tf_from_options(tf, cfg->colormap, scale, range,
                                cfg->opacity[0] ? cfg->opacity : NULL, err);
        if (rc == VR_OK)
            rc = vr_tf_apply_options(tf, NULL, NULL, cfg->opacity_unit,
                                     cfg->has_background ? cfg->background : NULL, err);
    } else {
        rc = vr_tf_reference(tf, err);
        if (rc == VR_OK)
            rc = vr_tf_apply_options(tf, scale, NULL, cfg->opacity_unit,
                                     cfg->has_background ? cfg->background : NULL, err);
    }
    /* Every rank parsed the same bytes and options: the verdict is already
     * the same everywhere; agreeing costs one reduction and guards it. */
    return vr_agree(comm, rc, err);
}

int vr_tf_setup_range(MPI_Comm comm, const VrConfig *cfg, const VrVolume *vol, VrTf *tf,
                      VrDataRange *dr, VrError *err)
{
    memset(dr, 0, sizeof *dr);
    dr->counted = -1;
    if (!vr_tf_needs_range(tf))
        return VR_OK;
    int rc = vr_data_range(comm, vol, tf->scale, tf->range_mode, tf->percentiles, dr, err);
    if (rc != VR_OK)
        return rc;
    char what[5200];
    snprintf(what, sizeof what, "dataset '%s' in '%s'", cfg->dataset, cfg->input);
    if (dr->counted == 0)
        return vr_agree(comm,
                        vr_fail(err, VR_ERR_INPUT,
                                "%s has no voxel a colour map can show (every voxel is %s): "
                                "no data range; give --range LO:HI",
                                what, tf->scale == VR_SCALE_LINEAR
                                          ? "NaN or infinite"
                                          : "zero, negative, NaN or infinite under the log scale"),
                        err);
    return vr_agree(comm, vr_tf_resolve_range(tf, dr->lo, dr->hi, what, err), err);
}

void vr_tf_warn_invisible(MPI_Comm comm, const VrConfig *cfg, const VrVolume *vol,
                          const VrTf *tf)
{
    if (tf->kind == VR_TF_COLORMAP || cfg->quiet)
        return;
    VrDataRange dr;
    VrError ignored;
    if (vr_data_range(comm, vol, tf->scale, VR_RANGE_AUTO, NULL, &dr, &ignored) != VR_OK ||
        dr.counted == 0)
        return;
    /* The largest opacity over [min, max] of x, at 4096 points and at
     * the function's own peaks or points inside the range. */
    double amax = 0.0, rgba[4];
    for (int i = 0; i <= 4096; i++) {
        vr_tf_eval_x(tf, dr.min + (dr.max - dr.min) * (double)i / 4096.0, rgba);
        amax = rgba[3] > amax ? rgba[3] : amax;
    }
    for (int i = 0; i < tf->ngauss; i++)
        if (tf->gauss[i].centre >= dr.min && tf->gauss[i].centre <= dr.max) {
            vr_tf_eval_x(tf, tf->gauss[i].centre, rgba);
            amax = rgba[3] > amax ? rgba[3] : amax;
        }
    for (int i = 0; i < tf->npoints; i++)
        if (tf->points[i].x >= dr.min && tf->points[i].x <= dr.max)
            amax = tf->points[i].rgba[3] > amax ? tf->points[i].rgba[3] : amax;
    int rank;
    MPI_Comm_rank(comm, &rank);
    if (rank != 0 || amax >= VR_TF_INVISIBLE)
        return;
    fprintf(stderr,
            "volrender_mpi: warning: %s rho of dataset '%s' in '%s' spans [%.4g, %.4g], "
            "where the transfer function's opacity is at most %.2g: the frames will be "
            "(nearly) empty; use --colormap NAME (it follows the data's own range) or a "
            "--tf file made for these units\n",
            vr_scale_name(tf->scale), cfg->dataset, cfg->input, dr.min, dr.max, amax);
    fflush(stderr);
}
