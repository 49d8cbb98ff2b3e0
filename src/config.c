#include "vr/config.h"

#include <math.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "vr/tf.h"

void vr_config_defaults(VrConfig *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    strcpy(cfg->input, "datacube.hdf5");
    strcpy(cfg->dataset, "density");
    strcpy(cfg->output_dir, ".");
    strcpy(cfg->prefix, "volumerender");
    cfg->image_size = 180;
    cfg->image_width = cfg->image_height = 180;
    vr_camera_config_defaults(&cfg->camera);
    cfg->samples = 0;  /* 0 = same as image_size */
    cfg->angles = 10;
    cfg->first_angle = 0;
    cfg->last_angle = -1; /* -1 = angles - 1 */
    cfg->axis = 1;
    cfg->composite = VR_COMPOSITE_BSWAP;
    cfg->radix = 8; /* VR_RADIX_DEFAULT, IceT's */
    cfg->png_channels = 3;
    cfg->png_depth = 8;
    cfg->read_ahead = 1;
    cfg->batch = 1;
    cfg->sparse = 1;
}

int vr_config_drop_idle(const VrConfig *cfg)
{
    return cfg->sparse && cfg->decomp != VR_DECOMP_EQUAL;
}

const char *vr_composite_name(VrCompositeMethod m)
{
    return m == VR_COMPOSITE_TREE ? "tree" : m == VR_COMPOSITE_RADIXK ? "radixk" : "bswap";
}

void vr_config_print_usage(FILE *out)
{
    fputs(
"Usage: mpirun -np P volrender_mpi [options]\n"
"\n"
"Renders an orbit of a 3-D HDF5 scalar cube (default: the reference job,\n"
"dataset 'density' of ./datacube.hdf5, 10 angles, 180 x 180 frames).\n"
"\n"
"Input and output:\n"
"  -i, --input FILE        HDF5 file to read (default datacube.hdf5); give it\n"
"                          several times, as a quoted glob ('snap_*.h5',\n"
"                          natural order) or as @LIST (a file of paths) to\n"
"                          render a time series: each snapshot's files go\n"
"                          to OUTDIR/<file name without extension>/\n"
"      --no-read-ahead     series: do not read the next snapshot while one\n"
"                          renders\n"
"  -d, --dataset PATH      3-D numeric dataset inside it, groups allowed\n"
"                          (default density)\n"
"  -o, --output-dir DIR    where frames go; created if missing (default .)\n"
"  -p, --prefix NAME       frame names NAME<n>.png (default volumerender)\n"
"  -f, --float-output FILE also write the unclipped float frames (rgb,\n"
"                          transmittance) and the projection to one HDF5\n"
"                          file, with camera and transfer-function attributes\n"
"  -t, --timing FILE       append one JSON record of phase timings, memory\n"
"                          and parameters to FILE (JSON Lines)\n"
"      --resume            skip angles whose frame already exists (for a\n"
"                          job requeued after its time limit; not with\n"
"                          --float-output)\n"
"\n"
"Camera:\n"
"  -N, --size N|WxH        image is N x N pixels (default 180), or W\n"
"                          columns x H rows\n"
"  -s, --samples S         samples per ray (default N, or max(W, H))\n"
"  -a, --angles A          frames of the orbit (default 10: about x, 0 to\n"
"                          90 degrees exclusive)\n", out);
    vr_camera_print_usage(out);
    fputs(
"      --first-angle I     first frame (angle or view) to render (default 0)\n"
"      --last-angle I      last angle index to render, inclusive\n"
"                          (default A-1)\n"
"\n"
"Transfer function (default: the reference's three Gaussians in ln rho):\n"
"      --tf FILE[:NAME]    JSON transfer function: the project's format\n"
"                          (examples/tf/) or a ParaView colour-map preset\n"
"                          file (NAME picks a preset, else the first)\n"
"      --colormap NAME     colour map over the data range: viridis, magma,\n"
"                          inferno, plasma, cividis, turbo, gray, ... and\n"
"                          NAME_r reversed; opacity from --opacity\n"
"      --scale S           x = ln rho (default), log10 rho or linear rho\n"
"      --range R           data range of x for a colour map: auto (min and\n"
"                          max of the data, default), LO:HI, or pA:pB\n"
"                          percentiles (e.g. p1:p99.5)\n"
"      --opacity O         opacity over the range, t in [0, 1]: T:A,T:A,...\n"
"                          points, ramp[:AMAX] (0 to AMAX) or flat:A\n"
"                          (default 0:0,0.2:0,0.5:0.05,1:0.5)\n"
"      --opacity-unit L    opacity per L world units instead of per sample:\n"
"                          a sample dt apart has 1 - (1 - a)^(dt / L)\n"
"      --background R,G,B  background colour in [0, 1] (default 0,0,0)\n"
"      --tf-export FILE    write the transfer function used (range\n"
"                          resolved) as a ParaView preset file\n"
"\n"
"Pictures:\n"
"      --png rgb|rgba      rgba: alpha = 1 - transmittance, straight colour,\n"
"                          transparent where no sample was hit (default rgb)\n"
"      --png-depth 8|16    bits per channel (default 8)\n"
"      --projection-range R       auto, LO:HI or pA:pB (default -5:5)\n"
"      --projection-colormap NAME (default viridis)\n"
"      --projection-scale S       ln (default), log10 or linear of the mean\n"
"\n"
"Parallel:\n"
"      --axis 0|1|2        cube axis split across ranks (default 1: depth\n"
"                          compositing for the orbit about x)\n"
"      --decomp D          equal (default; also slab): slabs of equal\n"
"                          plane counts; balanced: slabs cut where the\n"
"                          cost model gives every rank nearly the same\n"
"                          samples over the run's views; kd: k-d blocks\n"
"                          (any number of ranks, beyond the planes of an\n"
"                          axis), every cut placed by the cost model (same\n"
"                          picture, within rounding)\n"
"      --plan P            print the job's figures at P ranks (blocks,\n"
"                          samples per rank, memory, compositing bytes and\n"
"                          rounds) from the file's shape alone, render\n"
"                          nothing; one process (with -t FILE: also as a\n"
"                          JSON line)\n"
"      --batch K           render K frames (1 to 64), then composite them:\n"
"                          ranks wait for each other once per K frames, so\n"
"                          a run follows its whole-run balance, not every\n"
"                          frame's slowest rank (K - 1 more images per rank;\n"
"                          default 1)\n"
"  -c, --composite METHOD  bswap (binary swap, default), radixk (radix-k:\n"
"                          groups of up to --radix ranks per round) or tree\n"
"                          (ordered reduction); all give the same image\n"
"      --radix K           radixk's largest group, 2 to 64 (default 8)\n"
"      --dense             composite whole images (default: sparse, each\n"
"                          rank sends only the rectangle holding its\n"
"                          colour, and with balanced or kd ranks with\n"
"                          none drop out of the frame; the same picture)\n"
"\n"
"Other:\n"
"      --max-memory MIB    memory one rank may use; the job is refused\n"
"                          before reading if its estimate is larger\n"
"                          (default: the host's available memory, shared\n"
"                          by its ranks)\n"
"  -q, --quiet             only errors and warnings\n"
"  -h, --help              this text\n"
"  -V, --version           version and exit\n"
"\n"
"Threads per rank follow OMP_NUM_THREADS.\n", out);
}

/* Parses a whole decimal integer in [lo, hi]; rejects "", " 12", "12abc",
 * "1e9" (strtol alone would skip leading blanks). */
static int parse_int(const char *opt, const char *text, long lo, long hi,
                     int *out, VrError *err)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (text[0] == '\0' || isspace((unsigned char)text[0]) || *end != '\0')
        return vr_fail(err, VR_ERR_USAGE,
                       "option %s: '%s' is not a whole number (accepted: %ld to %ld)",
                       opt, vr_shown(text).text, lo, hi);
    if (errno == ERANGE || v < lo || v > hi)
        return vr_fail(err, VR_ERR_USAGE,
                       "option %s: %s is out of range (accepted: %ld to %ld)",
                       opt, vr_shown(text).text, lo, hi);
    *out = (int)v;
    return VR_OK;
}

/* Parses a whole finite decimal number in (lo, hi]. */
static int parse_double(const char *opt, const char *text, double lo, double hi,
                        const char *accepted, double *out, VrError *err)
{
    char *end = NULL;
    errno = 0;
    const double v = strtod(text, &end);
    if (text[0] == '\0' || isspace((unsigned char)text[0]) || *end != '\0' ||
        errno == ERANGE || !isfinite(v))
        return vr_fail(err, VR_ERR_USAGE, "option %s: '%s' is not a number (accepted: %s)",
                       opt, vr_shown(text).text, accepted);
    if (!(v > lo && v <= hi))
        return vr_fail(err, VR_ERR_USAGE, "option %s: %s is out of range (accepted: %s)",
                       opt, vr_shown(text).text, accepted);
    *out = v;
    return VR_OK;
}

/* "R,G,B", each in [0, 1]. */
static int parse_rgb(const char *opt, const char *text, double rgb[3], VrError *err)
{
    char buf[128];
    if (strlen(text) >= sizeof buf)
        return vr_fail(err, VR_ERR_USAGE, "option %s: the value is too long", opt);
    strcpy(buf, text);
    char *save = NULL, *tok = strtok_r(buf, ",", &save);
    int n = 0;
    for (; tok; tok = strtok_r(NULL, ",", &save), n++) {
        if (n == 3 || parse_double(opt, tok, -1e-300, 1.0, "R,G,B, each 0 to 1", &rgb[n], err))
            return vr_fail(err, VR_ERR_USAGE,
                           "option %s: '%s' is not R,G,B with each of R, G, B from 0 to 1",
                           opt, vr_shown(text).text);
    }
    if (n != 3 || text[strlen(text) - 1] == ',')
        return vr_fail(err, VR_ERR_USAGE,
                       "option %s: '%s' is not R,G,B with each of R, G, B from 0 to 1", opt,
                       vr_shown(text).text);
    for (int c = 0; c < 3; c++)
        rgb[c] = rgb[c] < 0.0 ? 0.0 : rgb[c]; /* -0 */
    return VR_OK;
}

static int copy_text(const char *opt, const char *text, char *dst, size_t cap,
                     VrError *err)
{
    size_t n = strlen(text);
    if (n == 0)
        return vr_fail(err, VR_ERR_USAGE, "option %s: the value is empty", opt);
    if (n >= cap)
        return vr_fail(err, VR_ERR_USAGE,
                       "option %s: the value is too long (%zu characters, at most %zu)",
                       opt, n, cap - 1);
    memcpy(dst, text, n + 1);
    return VR_OK;
}

typedef enum {
    OPT_INPUT, OPT_DATASET, OPT_OUTDIR, OPT_PREFIX, OPT_FLOAT, OPT_TIMING,
    OPT_RESUME, OPT_SIZE, OPT_SAMPLES, OPT_ANGLES, OPT_FIRST, OPT_LAST,
    OPT_AXIS, OPT_DECOMP, OPT_BATCH, OPT_PLAN, OPT_COMPOSITE, OPT_MAX_MEMORY, OPT_QUIET, OPT_HELP, OPT_VERSION,
    OPT_TF, OPT_COLORMAP, OPT_SCALE, OPT_RANGE, OPT_OPACITY, OPT_OPACITY_UNIT,
    OPT_BACKGROUND, OPT_TF_EXPORT, OPT_PNG, OPT_PNG_DEPTH, OPT_PROJ_RANGE,
    OPT_PROJ_COLORMAP, OPT_PROJ_SCALE, OPT_NO_READ_AHEAD, OPT_RADIX, OPT_DENSE
} OptId;

/* One option.  Integer options give their range [lo, hi]; the others say
 * in `accepts` what a value looks like, for the "needs a value" message. */
typedef struct {
    const char *long_name;
    char short_name;
    int takes_value;
    OptId id;
    long lo, hi;
    const char *accepts;
} OptSpec;

static const OptSpec OPTIONS[] = {
    {"input", 'i', 1, OPT_INPUT, 0, 0, "an HDF5 file"},
    {"dataset", 'd', 1, OPT_DATASET, 0, 0, "a dataset path in the input file"},
    {"output-dir", 'o', 1, OPT_OUTDIR, 0, 0, "a folder"},
    {"prefix", 'p', 1, OPT_PREFIX, 0, 0, "a file name prefix"},
    {"float-output", 'f', 1, OPT_FLOAT, 0, 0, "an HDF5 file to write"},
    {"timing", 't', 1, OPT_TIMING, 0, 0, "a file to append to"},
    {"resume", 0, 0, OPT_RESUME, 0, 0, NULL},
    {"size", 'N', 1, OPT_SIZE, 2, VR_MAX_IMAGE, NULL},
    {"samples", 's', 1, OPT_SAMPLES, 2, VR_MAX_SAMPLES, NULL},
    {"angles", 'a', 1, OPT_ANGLES, 1, VR_MAX_ANGLES, NULL},
    {"first-angle", 0, 1, OPT_FIRST, 0, VR_MAX_ANGLES, NULL},
    {"last-angle", 0, 1, OPT_LAST, 0, VR_MAX_ANGLES, NULL},
    {"axis", 0, 1, OPT_AXIS, 0, 2, NULL},
    {"decomp", 0, 1, OPT_DECOMP, 0, 0, "equal, balanced or kd"},
    {"batch", 0, 1, OPT_BATCH, 1, VR_MAX_BATCH, NULL},
    {"plan", 0, 1, OPT_PLAN, 1, VR_MAX_PLAN_RANKS, NULL},
    {"composite", 'c', 1, OPT_COMPOSITE, 0, 0, "bswap, radixk or tree"},
    {"radix", 0, 1, OPT_RADIX, 2, 64, NULL},
    {"dense", 0, 0, OPT_DENSE, 0, 0, NULL},
    {"max-memory", 0, 1, OPT_MAX_MEMORY, 1, VR_MAX_MEMORY_MIB, NULL},
    {"tf", 0, 1, OPT_TF, 0, 0, "a JSON transfer-function file, or FILE:NAME"},
    {"colormap", 0, 1, OPT_COLORMAP, 0, 0, "a colour map name, e.g. viridis"},
    {"scale", 0, 1, OPT_SCALE, 0, 0, "ln, log10 or linear"},
    {"range", 0, 1, OPT_RANGE, 0, 0, "auto, LO:HI or pA:pB"},
    {"opacity", 0, 1, OPT_OPACITY, 0, 0, "T:A,T:A,..., ramp[:AMAX] or flat:A"},
    {"opacity-unit", 0, 1, OPT_OPACITY_UNIT, 0, 0, "a length > 0 in world units"},
    {"background", 0, 1, OPT_BACKGROUND, 0, 0, "R,G,B in [0, 1]"},
    {"tf-export", 0, 1, OPT_TF_EXPORT, 0, 0, "a JSON file to write"},
    {"png", 0, 1, OPT_PNG, 0, 0, "rgb or rgba"},
    {"png-depth", 0, 1, OPT_PNG_DEPTH, 0, 0, "8 or 16"},
    {"projection-range", 0, 1, OPT_PROJ_RANGE, 0, 0, "auto, LO:HI or pA:pB"},
    {"projection-colormap", 0, 1, OPT_PROJ_COLORMAP, 0, 0, "a colour map name"},
    {"projection-scale", 0, 1, OPT_PROJ_SCALE, 0, 0, "ln, log10 or linear"},
    {"no-read-ahead", 0, 0, OPT_NO_READ_AHEAD, 0, 0, NULL},
    {"quiet", 'q', 0, OPT_QUIET, 0, 0, NULL},
    {"help", 'h', 0, OPT_HELP, 0, 0, NULL},
    {"version", 'V', 0, OPT_VERSION, 0, 0, NULL},
};
enum { N_OPTIONS = sizeof OPTIONS / sizeof OPTIONS[0] };

/* Finds the option named by arg ("--name", "--name=value" or "-x");
 * sets *inline_value to the text after '=' if any. */
static const OptSpec *find_option(const char *arg, const char **inline_value)
{
    *inline_value = NULL;
    if (arg[0] == '-' && arg[1] == '-') {
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        for (int i = 0; i < N_OPTIONS; i++) {
            if (strlen(OPTIONS[i].long_name) == len &&
                strncmp(OPTIONS[i].long_name, name, len) == 0) {
                if (eq)
                    *inline_value = eq + 1;
                return &OPTIONS[i];
            }
        }
        return NULL;
    }
    if (arg[0] == '-' && arg[1] != '\0' && arg[2] == '\0') {
        for (int i = 0; i < N_OPTIONS; i++)
            if (OPTIONS[i].short_name == arg[1])
                return &OPTIONS[i];
    }
    return NULL;
}

/* "option --size needs a value (accepted: 2 to 32768)" */
static int fail_missing_value(const OptSpec *o, VrError *err)
{
    if (o->accepts)
        return vr_fail(err, VR_ERR_USAGE, "option --%s needs a value (%s)",
                       o->long_name, o->accepts);
    return vr_fail(err, VR_ERR_USAGE, "option --%s needs a value (accepted: %ld to %ld)",
                   o->long_name, o->lo, o->hi);
}

static int *int_field(VrConfig *cfg, OptId id)
{
    switch (id) {
    case OPT_SIZE: return &cfg->image_size;
    case OPT_SAMPLES: return &cfg->samples;
    case OPT_ANGLES: return &cfg->angles;
    case OPT_FIRST: return &cfg->first_angle;
    case OPT_LAST: return &cfg->last_angle;
    case OPT_AXIS: return &cfg->axis;
    case OPT_PLAN: return &cfg->plan_ranks;
    case OPT_BATCH: return &cfg->batch;
    case OPT_MAX_MEMORY: return &cfg->max_memory_mib;
    case OPT_RADIX: return &cfg->radix;
    default: return NULL;
    }
}

/* -N: "N" (N x N) or "WxH" (W columns, H rows), each 2 to VR_MAX_IMAGE. */
static int parse_image_size(VrConfig *cfg, const char *opt, const char *v, VrError *err)
{
    const char *x = strchr(v, 'x');
    int W, H;
    if (!x) {
        int rc = parse_int(opt, v, 2, VR_MAX_IMAGE, &W, err);
        if (rc != VR_OK)
            return rc;
        H = W;
    } else {
        char wtext[32], htext[32];
        const size_t wl = (size_t)(x - v);
        if (wl == 0 || wl >= sizeof wtext || strlen(x + 1) >= sizeof htext)
            return vr_fail(err, VR_ERR_USAGE,
                           "option %s: '%s' is not N or WxH (accepted: 2 to %d each)", opt,
                           vr_shown(v).text, VR_MAX_IMAGE);
        memcpy(wtext, v, wl);
        wtext[wl] = '\0';
        strcpy(htext, x + 1);
        int rc = parse_int(opt, wtext, 2, VR_MAX_IMAGE, &W, err);
        if (rc == VR_OK)
            rc = parse_int(opt, htext, 2, VR_MAX_IMAGE, &H, err);
        if (rc != VR_OK)
            return rc;
    }
    cfg->image_width = W;
    cfg->image_height = H;
    cfg->image_size = W > H ? W : H;
    return VR_OK;
}

static int apply_option(VrConfig *cfg, const OptSpec *o, const char *opt,
                        const char *v, VrError *err)
{
    if (o->id == OPT_SIZE)
        return parse_image_size(cfg, opt, v, err);
    if (o->id == OPT_ANGLES)
        cfg->angles_given = 1;
    if (o->id == OPT_LAST)
        cfg->last_angle_given = 1;
    int *number = int_field(cfg, o->id);
    if (number)
        return parse_int(opt, v, o->lo, o->hi, number, err);
    switch (o->id) {
    case OPT_INPUT:
        if (cfg->ninput_args == VR_MAX_INPUT_ARGS)
            return vr_fail(err, VR_ERR_USAGE, "option %s: given more than %d times; put "
                           "the paths in a list and give -i @LIST", opt, VR_MAX_INPUT_ARGS);
        if (cfg->ninput_args == 0) {
            int rc = copy_text(opt, v, cfg->input, sizeof cfg->input, err);
            if (rc != VR_OK)
                return rc;
        } else if (strlen(v) == 0 || strlen(v) >= sizeof cfg->input) {
            return copy_text(opt, v, cfg->input, sizeof cfg->input, err);
        }
        cfg->input_args[cfg->ninput_args++] = v;
        return VR_OK;
    case OPT_NO_READ_AHEAD: cfg->read_ahead = 0; return VR_OK;
    case OPT_DENSE: cfg->sparse = 0; return VR_OK;
    case OPT_DATASET: return copy_text(opt, v, cfg->dataset, sizeof cfg->dataset, err);
    case OPT_OUTDIR: return copy_text(opt, v, cfg->output_dir, sizeof cfg->output_dir, err);
    case OPT_PREFIX:
        if (strchr(v, '/'))
            return vr_fail(err, VR_ERR_USAGE,
                           "option %s: '%s' contains '/'; use --output-dir for the folder",
                           opt, vr_shown(v).text);
        return copy_text(opt, v, cfg->prefix, sizeof cfg->prefix, err);
    case OPT_FLOAT: return copy_text(opt, v, cfg->float_output, sizeof cfg->float_output, err);
    case OPT_TIMING: return copy_text(opt, v, cfg->timing, sizeof cfg->timing, err);
    case OPT_DECOMP:
        if (strcmp(v, "equal") == 0 || strcmp(v, "slab") == 0)
            cfg->decomp = VR_DECOMP_EQUAL;
        else if (strcmp(v, "balanced") == 0)
            cfg->decomp = VR_DECOMP_BALANCED;
        else if (strcmp(v, "kd") == 0)
            cfg->decomp = VR_DECOMP_KD;
        else
            return vr_fail(err, VR_ERR_USAGE,
                           "option %s: unknown decomposition '%s' (accepted: equal or slab, "
                           "balanced, kd)",
                           opt, vr_shown(v).text);
        return VR_OK;
    case OPT_COMPOSITE:
        if (strcmp(v, "bswap") == 0)
            cfg->composite = VR_COMPOSITE_BSWAP;
        else if (strcmp(v, "tree") == 0)
            cfg->composite = VR_COMPOSITE_TREE;
        else if (strcmp(v, "radixk") == 0)
            cfg->composite = VR_COMPOSITE_RADIXK;
        else
            return vr_fail(err, VR_ERR_USAGE,
                           "option %s: unknown method '%s' (accepted: bswap, radixk, "
                           "tree)",
                           opt, vr_shown(v).text);
        return VR_OK;
    case OPT_TF: return copy_text(opt, v, cfg->tf_file, sizeof cfg->tf_file, err);
    case OPT_COLORMAP:
        if (!vr_colormap_table(v))
            return vr_fail(err, VR_ERR_USAGE,
                           "option %s: unknown colour map '%s' (accepted: %s)",
                           opt, vr_shown(v).text, vr_colormap_names());
        return copy_text(opt, v, cfg->colormap, sizeof cfg->colormap, err);
    case OPT_PROJ_COLORMAP:
        if (!vr_colormap_table(v))
            return vr_fail(err, VR_ERR_USAGE,
                           "option %s: unknown colour map '%s' (accepted: %s)",
                           opt, vr_shown(v).text, vr_colormap_names());
        return copy_text(opt, v, cfg->projection_colormap, sizeof cfg->projection_colormap,
                         err);
    case OPT_SCALE:
    case OPT_PROJ_SCALE: {
        VrScale sc;
        int rc = vr_tf_parse_scale(v, opt, &sc, err);
        if (rc != VR_OK)
            return rc;
        char *dst = o->id == OPT_SCALE ? cfg->scale : cfg->projection_scale;
        return copy_text(opt, v, dst, sizeof cfg->scale, err);
    }
    case OPT_RANGE:
    case OPT_PROJ_RANGE: {
        VrRangeMode mode;
        double range[2], pct[2];
        int rc = vr_tf_parse_range(v, opt, &mode, range, pct, err);
        if (rc != VR_OK)
            return rc;
        char *dst = o->id == OPT_RANGE ? cfg->range : cfg->projection_range;
        return copy_text(opt, v, dst, sizeof cfg->range, err);
    }
    case OPT_OPACITY: return copy_text(opt, v, cfg->opacity, sizeof cfg->opacity, err);
    case OPT_OPACITY_UNIT:
        return parse_double(opt, v, 0.0, 1e30, "a length > 0 in world units, at most 1e30",
                            &cfg->opacity_unit, err);
    case OPT_BACKGROUND:
        cfg->has_background = 1;
        return parse_rgb(opt, v, cfg->background, err);
    case OPT_TF_EXPORT: return copy_text(opt, v, cfg->tf_export, sizeof cfg->tf_export, err);
    case OPT_PNG:
        if (strcmp(v, "rgb") == 0)
            cfg->png_channels = 3;
        else if (strcmp(v, "rgba") == 0)
            cfg->png_channels = 4;
        else
            return vr_fail(err, VR_ERR_USAGE, "option %s: '%s' is not rgb or rgba", opt,
                           vr_shown(v).text);
        return VR_OK;
    case OPT_PNG_DEPTH:
        if (strcmp(v, "8") == 0)
            cfg->png_depth = 8;
        else if (strcmp(v, "16") == 0)
            cfg->png_depth = 16;
        else
            return vr_fail(err, VR_ERR_USAGE, "option %s: '%s' is not 8 or 16", opt,
                           vr_shown(v).text);
        return VR_OK;
    case OPT_RESUME: cfg->resume = 1; return VR_OK;
    case OPT_QUIET: cfg->quiet = 1; return VR_OK;
    case OPT_HELP: cfg->want_help = 1; return VR_OK;
    case OPT_VERSION: cfg->want_version = 1; return VR_OK;
    default: break;
    }
    return vr_fail(err, VR_ERR_INTERNAL, "option %s: not handled", opt);
}

/* Cross-option rules, applied once every option is known. */
static int validate(VrConfig *cfg, VrError *err)
{
    int crc = vr_camera_check_options(&cfg->camera, cfg->angles_given, err);
    if (crc != VR_OK)
        return crc;
    /* With --views the frames are the file's views, counted when it is
     * read (vr_camera_setup): until then any frame index may be asked for. */
    if (cfg->camera.views_file[0])
        cfg->angles = VR_MAX_ANGLES;
    if (cfg->samples == 0)
        cfg->samples = cfg->image_size;
    if (cfg->last_angle < 0)
        cfg->last_angle = cfg->angles - 1;
    if (cfg->first_angle >= cfg->angles)
        return vr_fail(err, VR_ERR_USAGE,
                       "option --first-angle: %d is not below --angles %d "
                       "(accepted: 0 to %d)",
                       cfg->first_angle, cfg->angles, cfg->angles - 1);
    if (cfg->last_angle >= cfg->angles || cfg->last_angle < cfg->first_angle)
        return vr_fail(err, VR_ERR_USAGE,
                       "option --last-angle: %d is outside %d to %d "
                       "(--first-angle to --angles minus one)",
                       cfg->last_angle, cfg->first_angle, cfg->angles - 1);
    if (cfg->tf_file[0] && cfg->colormap[0])
        return vr_fail(err, VR_ERR_USAGE,
                       "options --tf and --colormap exclude each other (a colour map "
                       "with its opacity goes in the --tf file, or on the command line "
                       "without --tf)");
    if (cfg->opacity[0] && !cfg->colormap[0])
        return vr_fail(err, VR_ERR_USAGE,
                       "option --opacity needs --colormap (a --tf file gives its own "
                       "\"opacity\")");
    if (cfg->range[0] && !cfg->colormap[0] && !cfg->tf_file[0])
        return vr_fail(err, VR_ERR_USAGE,
                       "option --range needs --colormap or a --tf colour map (the "
                       "reference transfer function has no data range)");
    /* The float file is written whole by one run (temporary, then rename);
     * a resumed run renders only some frames, so it could not complete it. */
    if (cfg->resume && cfg->float_output[0])
        return vr_fail(err, VR_ERR_USAGE,
                       "option --resume cannot be combined with --float-output "
                       "(the float file holds one whole run; render the missing "
                       "angles into another file with --first-angle/--last-angle)");
    return VR_OK;
}

/* argv joined by blanks, words with blanks or quotes single-quoted, for
 * the provenance of the pictures; cut (with "...") if too long. */
static void join_command_line(VrConfig *cfg, int argc, char *const argv[])
{
    size_t n = 0, cap = sizeof cfg->command_line;
    cfg->command_line[0] = '\0';
    for (int i = 0; i < argc && n + 4 < cap; i++) {
        const char *a = argv[i];
        const int quote = a[0] == '\0' || strpbrk(a, " \t'\"\\$") != NULL;
        char word[1200];
        snprintf(word, sizeof word, quote ? "%s'%s'" : "%s%s", i ? " " : "", vr_shown(a).text);
        size_t w = strlen(word);
        if (n + w + 4 >= cap) {
            memcpy(cfg->command_line + n, "...", 4);
            return;
        }
        memcpy(cfg->command_line + n, word, w + 1);
        n += w;
    }
}

int vr_config_parse(VrConfig *cfg, int argc, char *const argv[], VrError *err)
{
    join_command_line(cfg, argc, argv);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = NULL;
        int used = 0;
        int crc = vr_camera_parse_option(&cfg->camera, arg, i + 1 < argc ? argv[i + 1] : NULL,
                                         &used, err);
        if (crc != VR_OK)
            return crc;
        if (used) {
            i += used - 1;
            continue;
        }
        const OptSpec *o = find_option(arg, &value);
        if (!o)
            return vr_fail(err, VR_ERR_USAGE,
                           "unknown option '%s' (see --help)", vr_shown(arg).text);
        if (!o->takes_value && value)
            return vr_fail(err, VR_ERR_USAGE,
                           "option --%s takes no value", o->long_name);
        if (o->takes_value && !value) {
            if (i + 1 >= argc)
                return fail_missing_value(o, err);
            value = argv[++i];
        }
        char opt[64];
        snprintf(opt, sizeof opt, "--%s", o->long_name);
        int rc = apply_option(cfg, o, opt, value ? value : "", err);
        if (rc != VR_OK)
            return rc;
    }
    return validate(cfg, err);
}
