/* libFuzzer target for the option parser (vr_config_parse).
 *
 * The input is a command line: its bytes split at NUL into arguments
 * (argv[0] is the program).  Whatever the arguments, the parser must not
 * crash, read or write out of bounds (ASan), hit undefined behaviour
 * (UBSan), or break its contract: on success every field is within its
 * documented range; on failure the status is VR_ERR_USAGE with one
 * non-empty line of message.  A broken contract aborts, which libFuzzer
 * reports like a crash.
 *
 * Built two ways: by tests/fuzz/run_fuzz.sh with clang -fsanitize=fuzzer
 * (libFuzzer supplies main), and with -DVR_FUZZ_REPLAY_MAIN by CTest, where
 * main() below replays the files named on the command line (the seed
 * corpus) through the same checks. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vr/composite.h"
#include "vr/config.h"

enum { MAX_ARGS = 64, MAX_BYTES = 16384 };

static void require(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "fuzz_config: contract broken: %s\n", what);
        abort();
    }
}

static int terminated(const char *s, size_t cap) { return memchr(s, '\0', cap) != NULL; }

static void check_config(const VrConfig *c)
{
    require(terminated(c->input, sizeof c->input) && c->input[0], "input");
    require(terminated(c->dataset, sizeof c->dataset) && c->dataset[0], "dataset");
    require(terminated(c->output_dir, sizeof c->output_dir) && c->output_dir[0], "output_dir");
    require(terminated(c->prefix, sizeof c->prefix) && c->prefix[0] &&
                !strchr(c->prefix, '/'), "prefix");
    require(terminated(c->float_output, sizeof c->float_output), "float_output");
    require(terminated(c->timing, sizeof c->timing), "timing");
    require(c->image_size >= 2 && c->image_size <= VR_MAX_IMAGE, "image_size");
    require(c->samples >= 2 && c->samples <= VR_MAX_SAMPLES, "samples");
    require(c->angles >= 1 && c->angles <= VR_MAX_ANGLES, "angles");
    require(c->first_angle >= 0 && c->first_angle <= c->last_angle &&
                c->last_angle < c->angles, "angle range");
    require(c->axis >= 0 && c->axis <= 2, "axis");
    require(c->composite == VR_COMPOSITE_BSWAP || c->composite == VR_COMPOSITE_TREE ||
                c->composite == VR_COMPOSITE_RADIXK,
            "composite");
    require(c->radix >= 2 && c->radix <= VR_RADIX_MAX, "radix");
    require(c->decomp == VR_DECOMP_EQUAL || c->decomp == VR_DECOMP_BALANCED, "decomp");
    require(c->max_memory_mib >= 0 && c->max_memory_mib <= VR_MAX_MEMORY_MIB, "max_memory");
    require(!(c->resume && c->float_output[0]), "resume with float output");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_BYTES)
        return 0;
    /* A private NUL-terminated copy, so the last argument ends too. */
    char buf[MAX_BYTES + 1];
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = (char *)"volrender_mpi";
    for (size_t at = 0; at <= size && argc <= MAX_ARGS; at += strlen(buf + at) + 1)
        argv[argc++] = buf + at;
    argv[argc] = NULL;
    if (size == 0)
        argc = 1; /* no arguments at all: the defaults */

    VrConfig cfg;
    VrError err;
    memset(&err, 0, sizeof err);
    vr_config_defaults(&cfg);
    const int rc = vr_config_parse(&cfg, argc, argv, &err);
    require(terminated(err.msg, sizeof err.msg), "message terminated");
    if (rc == VR_OK) {
        check_config(&cfg);
    } else {
        require(rc == VR_ERR_USAGE, "status is VR_ERR_USAGE");
        require(err.msg[0] != '\0' && !strchr(err.msg, '\n'), "one line of message");
    }
    return 0;
}

#ifdef VR_FUZZ_REPLAY_MAIN
int main(int argc, char **argv)
{
    int replayed = 0;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            fprintf(stderr, "fuzz_config: cannot read %s\n", argv[i]);
            return 1;
        }
        static uint8_t data[MAX_BYTES];
        const size_t n = fread(data, 1, sizeof data, f);
        fclose(f);
        LLVMFuzzerTestOneInput(data, n);
        replayed++;
    }
    printf("fuzz_config: %d input(s) replayed, contract held\n", replayed);
    return replayed > 0 ? 0 : 1;
}
#endif
