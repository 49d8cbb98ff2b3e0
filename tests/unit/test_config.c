/* The option parser: SPEC's defaults, every option, and the exact message
 * for each kind of bad value. */
#include <string.h>

#include "check.h"
#include "vr/config.h"

static int parse(VrConfig *cfg, VrError *err, const char *a1, const char *a2,
                 const char *a3, const char *a4)
{
    char *argv[6] = {(char *)"volrender_mpi", (char *)a1, (char *)a2, (char *)a3,
                     (char *)a4, NULL};
    int argc = 1;
    while (argc < 5 && argv[argc])
        argc++;
    vr_config_defaults(cfg);
    memset(err, 0, sizeof *err);
    return vr_config_parse(cfg, argc, argv, err);
}

static void expect_error(const char *a1, const char *a2, const char *a3,
                         const char *a4, const char *message)
{
    VrConfig cfg;
    VrError err;
    const int rc = parse(&cfg, &err, a1, a2, a3, a4);
    CHECK(rc == VR_ERR_USAGE, "%s %s: rc %d", a1, a2 ? a2 : "", rc);
    CHECK(strcmp(err.msg, message) == 0, "message\n  got:  %s\n  want: %s", err.msg,
          message);
}

int main(void)
{
    VrConfig cfg;
    VrError err;
    CHECK(parse(&cfg, &err, NULL, NULL, NULL, NULL) == VR_OK, "no options");
    CHECK(strcmp(cfg.input, "datacube.hdf5") == 0 && strcmp(cfg.dataset, "density") == 0,
          "default input");
    CHECK(cfg.image_size == 180 && cfg.samples == 180 && cfg.angles == 10 &&
              cfg.first_angle == 0 && cfg.last_angle == 9,
          "SPEC defaults");
    CHECK(strcmp(cfg.prefix, "volumerender") == 0 && strcmp(cfg.output_dir, ".") == 0,
          "default names");
    CHECK(cfg.composite == VR_COMPOSITE_BSWAP && cfg.axis == 1, "default method, axis");
    CHECK(cfg.decomp == VR_DECOMP_EQUAL, "default decomposition: equal slabs");
    CHECK(parse(&cfg, &err, "--decomp", "balanced", NULL, NULL) == VR_OK &&
              cfg.decomp == VR_DECOMP_BALANCED, "--decomp balanced");
    CHECK(parse(&cfg, &err, "--decomp=equal", NULL, NULL, NULL) == VR_OK &&
              cfg.decomp == VR_DECOMP_EQUAL, "--decomp=equal");

    CHECK(parse(&cfg, &err, "-N", "64", "--samples=100", "--axis=0") == VR_OK, "%s",
          err.msg);
    CHECK(cfg.image_size == 64 && cfg.samples == 100 && cfg.axis == 0, "values");
    CHECK(parse(&cfg, &err, "--angles", "36", "--first-angle=4", "--last-angle=7") ==
              VR_OK, "%s", err.msg);
    CHECK(cfg.angles == 36 && cfg.first_angle == 4 && cfg.last_angle == 7, "angles");
    CHECK(parse(&cfg, &err, "-c", "tree", "-d", "sim/fields/rho") == VR_OK, "%s", err.msg);
    CHECK(cfg.composite == VR_COMPOSITE_TREE && strcmp(cfg.dataset, "sim/fields/rho") == 0,
          "method, dataset");
    CHECK(parse(&cfg, &err, "--help", NULL, NULL, NULL) == VR_OK && cfg.want_help, "help");
    CHECK(parse(&cfg, &err, "-q", "--resume", NULL, NULL) == VR_OK && cfg.quiet &&
              cfg.resume, "flags");

    expect_error("--size", "12abc", NULL, NULL, "option --size: '12abc' is not a whole number (accepted: 2 to 32768)");
    expect_error("-N", "1e999", NULL, NULL, "option --size: '1e999' is not a whole number (accepted: 2 to 32768)");
    expect_error("-N", "", NULL, NULL, "option --size: '' is not a whole number (accepted: 2 to 32768)");
    expect_error("-N", "1", NULL, NULL,
                 "option --size: 1 is out of range (accepted: 2 to 32768)");
    expect_error("-N", "99999999999999999999", NULL, NULL,
                 "option --size: 99999999999999999999 is out of range (accepted: 2 to 32768)");
    expect_error("--angles", "0", NULL, NULL,
                 "option --angles: 0 is out of range (accepted: 1 to 1048576)");
    expect_error("--angles", "-3", NULL, NULL,
                 "option --angles: -3 is out of range (accepted: 1 to 1048576)");
    expect_error("--axis", "3", NULL, NULL,
                 "option --axis: 3 is out of range (accepted: 0 to 2)");
    expect_error("--composite", "radix", NULL, NULL,
                 "option --composite: unknown method 'radix' (accepted: bswap, radixk, tree)");
    CHECK(parse(&cfg, &err, "--plan", "65536", NULL, NULL) == VR_OK && cfg.plan_ranks == 65536,
          "--plan 65536");
    expect_error("--plan", "0", NULL, NULL,
                 "option --plan: 0 is out of range (accepted: 1 to 1048576)");
    expect_error("--decomp", "k-d", NULL, NULL,
                 "option --decomp: unknown decomposition 'k-d' (accepted: equal or slab, balanced, kd)");
    expect_error("--decomp", NULL, NULL, NULL,
                 "option --decomp needs a value (equal, balanced or kd)");
    expect_error("--bogus", NULL, NULL, NULL, "unknown option '--bogus' (see --help)");
    expect_error("extra", NULL, NULL, NULL, "unknown option 'extra' (see --help)");
    expect_error("--input", NULL, NULL, NULL, "option --input needs a value (an HDF5 file)");
    expect_error("--input=", NULL, NULL, NULL, "option --input: the value is empty");
    expect_error("--quiet=yes", NULL, NULL, NULL, "option --quiet takes no value");
    expect_error("--first-angle", "10", NULL, NULL,
                 "option --first-angle: 10 is not below --angles 10 (accepted: 0 to 9)");
    expect_error("--first-angle", "5", "--last-angle", "3",
                 "option --last-angle: 3 is outside 5 to 9 (--first-angle to --angles "
                 "minus one)");
    expect_error("--prefix", "a/b", NULL, NULL,
                 "option --prefix: 'a/b' contains '/'; use --output-dir for the folder");
    expect_error("-N", NULL, NULL, NULL,
                 "option --size needs a value (accepted: 2 to 32768)");
    expect_error("--composite", NULL, NULL, NULL,
                 "option --composite needs a value (bswap, radixk or tree)");
    expect_error("--size", " 12", NULL, NULL,
                 "option --size: ' 12' is not a whole number (accepted: 2 to 32768)");
    expect_error("--axis", "x", NULL, NULL,
                 "option --axis: 'x' is not a whole number (accepted: 0 to 2)");
    expect_error("--max-memory", "0", NULL, NULL,
                 "option --max-memory: 0 is out of range (accepted: 1 to 1073741824)");
    expect_error("--resume", "-f", "out.h5", NULL,
                 "option --resume cannot be combined with --float-output (the float "
                 "file holds one whole run; render the missing angles into another "
                 "file with --first-angle/--last-angle)");
    /* User text is shown on one line, and not at any length. */
    expect_error("--size", "1\n2", NULL, NULL,
                 "option --size: '1\\x0a2' is not a whole number (accepted: 2 to 32768)");
    expect_error("--colour\x1b[31m", NULL, NULL, NULL,
                 "unknown option '--colour\\x1b[31m' (see --help)");
    {
        char longer[300];
        memset(longer, 'x', sizeof longer - 1);
        longer[sizeof longer - 1] = '\0';
        CHECK(parse(&cfg, &err, "-c", longer, NULL, NULL) == VR_ERR_USAGE &&
                  strlen(err.msg) < 220 && strstr(err.msg, "...' (accepted: bswap, radixk, tree)"),
              "long value shown shortened: %s", err.msg);
    }
    CHECK(parse(&cfg, &err, "--max-memory=512", NULL, NULL, NULL) == VR_OK &&
              cfg.max_memory_mib == 512, "max-memory: %s", err.msg);
    CHECK(parse(&cfg, &err, NULL, NULL, NULL, NULL) == VR_OK && cfg.max_memory_mib == 0,
          "max-memory default");
    return check_report("test_config");
}
