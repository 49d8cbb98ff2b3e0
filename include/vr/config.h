/* config.h — the run's parameters and the command-line parser.
 *
 * The parser is pure (no MPI, no I/O besides the help text it may be asked
 * to print), so every rank can parse the same argv and reach the same
 * verdict, and so it can be unit tested and fuzzed. */
#ifndef VR_CONFIG_H
#define VR_CONFIG_H

#include <stdio.h>

#include "vr/camera.h"
#include "vr/decomp.h"
#include "vr/error.h"

typedef enum {
    VR_COMPOSITE_BSWAP = 0,
    VR_COMPOSITE_TREE = 1,
    VR_COMPOSITE_RADIXK = 2
} VrCompositeMethod;

/* Upper bounds of the numeric options.  They keep every size product far
 * from overflow (an N x N image of 4 floats is at most 2^30 pixels, so
 * pixel counts fit MPI's int counts); the memory estimate refuses smaller
 * but still unaffordable jobs. */
enum {
    VR_MAX_IMAGE = 32768,
    VR_MAX_SAMPLES = 1 << 20,
    VR_MAX_ANGLES = 1 << 20,
    VR_MAX_BATCH = 64,      /* --batch: frames rendered before compositing */
    VR_MAX_MEMORY_MIB = 1 << 30,
    VR_MAX_INPUT_ARGS = 1024,
    VR_MAX_PLAN_RANKS = 1 << 20
};

typedef struct {
    char input[4096];        /* HDF5 file (the first -i; the snapshot being
                                rendered, in a series) */
    const char *input_args[VR_MAX_INPUT_ARGS]; /* every -i value, in argv */
    int ninput_args;         /* 0: the default input */
    int read_ahead;          /* series: read the next snapshot while this
                                one renders (default 1; --no-read-ahead) */
    char dataset[1024];      /* dataset path inside it */
    char output_dir[4096];   /* created if missing */
    char prefix[256];        /* frame name prefix */
    char float_output[4096]; /* "" = none; else HDF5 file of float frames */
    char timing[4096];       /* "" = none; else JSON Lines file to append to */
    int image_size;          /* N: image is N x N; with -N WxH, max(W, H) */
    int image_width;         /* W: image columns (-N WxH; else N) */
    int image_height;        /* H: image rows */
    VrCameraConfig camera;   /* orbit or views file (camera.h) */
    int angles_given;        /* -a given */
    int last_angle_given;    /* --last-angle given */
    int samples;             /* samples per ray; N by default */
    int angles;              /* angles in the full orbit */
    int first_angle;         /* first angle index rendered */
    int last_angle;          /* last angle index rendered (inclusive) */
    int axis;                /* decomposition axis: 0, 1 or 2 */
    VrDecompKind decomp;     /* --decomp equal (default) | balanced */
    int batch;               /* --batch K: render K frames, then composite them (1) */
    int plan_ranks;          /* --plan P: print the job's plan for P ranks and
                                render nothing (planner.h); 0 = render */
    VrCompositeMethod composite;
    int radix;               /* --radix: group size of radixk */
    int sparse;              /* 1: sparse images (default); --dense: 0 */
    /* Transfer function and picture (tf.h; "" / 0 = not given). */
    char tf_file[4096];      /* --tf FILE or FILE:NAME (a ParaView preset) */
    char colormap[64];       /* --colormap NAME */
    char scale[16];          /* --scale ln|log10|linear */
    char range[128];         /* --range auto|LO:HI|pA:pB */
    char opacity[1024];      /* --opacity T:A,...|ramp[:AMAX]|flat:A */
    double opacity_unit;     /* --opacity-unit L (world units) */
    int has_background;
    double background[3];    /* --background R,G,B */
    char tf_export[4096];    /* --tf-export FILE: the TF used, as a preset */
    int png_channels;        /* --png rgb (3, default) or rgba (4) */
    int png_depth;           /* --png-depth 8 (default) or 16 */
    char projection_range[128];    /* --projection-range; "" = [-5, 5] */
    char projection_colormap[64];  /* --projection-colormap; "" = viridis */
    char projection_scale[16];     /* --projection-scale; "" = ln */
    char command_line[4096];       /* argv joined, for provenance */
    int max_memory_mib;      /* 0 = the host's available memory; else the
                                memory one rank may use, in MiB */
    int resume;              /* skip frames whose PNG already exists */
    int quiet;
    int want_help;           /* --help given: print usage, exit 0 */
    int want_version;        /* --version given */
} VrConfig;

/* Fills cfg with the reference defaults (SPEC). */
void vr_config_defaults(VrConfig *cfg);

/* Parses argv[1..argc-1] over the defaults.  Returns VR_OK or
 * VR_ERR_USAGE with one sentence in err naming the option and what is
 * accepted.  Never prints, never exits. */
int vr_config_parse(VrConfig *cfg, int argc, char *const argv[], VrError *err);

/* Writes the --help text. */
void vr_config_print_usage(FILE *out);

/* 1 if ranks with nothing to add drop out of a frame's compositing:
 * sparse images with a decomposition other than equal (equal slabs keep
 * the compositing of earlier releases, bit for bit: every rank takes part,
 * sending only what its content rectangle holds). */
int vr_config_drop_idle(const VrConfig *cfg);

/* Name of a compositing method ("bswap", "tree", "radixk"). */
const char *vr_composite_name(VrCompositeMethod m);

#endif
