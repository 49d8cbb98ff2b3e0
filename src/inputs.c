#include "vr/inputs.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vr/parallel.h"

int vr_natural_compare(const char *a, const char *b)
{
    while (*a && *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            /* Compare the digit runs as numbers: skip leading zeros, then the
             * longer run is larger, else the first differing digit decides. */
            const char *ea = a, *eb = b;
            while (*a == '0' && isdigit((unsigned char)a[1]))
                a++;
            while (*b == '0' && isdigit((unsigned char)b[1]))
                b++;
            size_t na = 0, nb = 0;
            while (isdigit((unsigned char)a[na]))
                na++;
            while (isdigit((unsigned char)b[nb]))
                nb++;
            if (na != nb)
                return na < nb ? -1 : 1;
            const int c = strncmp(a, b, na);
            if (c != 0)
                return c;
            a += na;
            b += nb;
            /* Equal numbers: fewer leading zeros first, so the order is total. */
            const long za = (long)(a - ea) - (long)na, zb = (long)(b - eb) - (long)nb;
            if (za != zb)
                return za < zb ? -1 : 1;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return (unsigned char)*a < (unsigned char)*b ? -1 : (*a != *b);
}

void vr_input_stem(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    const char *dot = strrchr(name, '.');
    size_t n = dot && dot != name ? (size_t)(dot - name) : strlen(name);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, name, n);
    out[n] = '\0';
}

void vr_inputs_free(VrInputs *in)
{
    if (!in)
        return;
    for (int i = 0; i < in->count; i++) {
        free(in->path[i]);
        free(in->stem[i]);
    }
    free(in->path);
    free(in->stem);
    memset(in, 0, sizeof *in);
}

static int add_path(VrInputs *in, const char *path, VrError *err)
{
    if (in->count % 64 == 0) {
        char **p = realloc(in->path, (size_t)(in->count + 64) * sizeof *p);
        if (p)
            in->path = p;
        char **s = realloc(in->stem, (size_t)(in->count + 64) * sizeof *s);
        if (s)
            in->stem = s;
        if (!p || !s)
            return vr_fail(err, VR_ERR_NOMEM, "cannot allocate the list of inputs");
    }
    char stem[1024];
    vr_input_stem(path, stem, sizeof stem);
    in->path[in->count] = strdup(path);
    in->stem[in->count] = strdup(stem);
    if (!in->path[in->count] || !in->stem[in->count]) {
        free(in->path[in->count]);
        free(in->stem[in->count]);
        return vr_fail(err, VR_ERR_NOMEM, "cannot allocate the list of inputs");
    }
    in->count++;
    return VR_OK;
}

static int compare_paths(const void *a, const void *b)
{
    return vr_natural_compare(*(const char *const *)a, *(const char *const *)b);
}

static int expand_glob(VrInputs *in, const char *pattern, VrError *err)
{
    glob_t g;
    const int r = glob(pattern, 0, NULL, &g);
    if (r == GLOB_NOMATCH)
        return vr_fail(err, VR_ERR_INPUT, "option -i: the pattern '%s' matches no file",
                       pattern);
    if (r != 0) {
        globfree(&g);
        return vr_fail(err, VR_ERR_INPUT, "option -i: cannot match the pattern '%s': %s",
                       pattern, r == GLOB_NOSPACE ? "out of memory" : "a folder cannot be read");
    }
    qsort(g.gl_pathv, g.gl_pathc, sizeof *g.gl_pathv, compare_paths);
    int rc = VR_OK;
    for (size_t i = 0; i < g.gl_pathc && rc == VR_OK; i++)
        rc = add_path(in, g.gl_pathv[i], err);
    globfree(&g);
    return rc;
}

static int expand_list(VrInputs *in, const char *list, VrError *err)
{
    FILE *f = fopen(list, "r");
    if (!f)
        return vr_fail(err, VR_ERR_INPUT, "option -i: cannot read the list '%s': %s", list,
                       strerror(errno));
    char line[4200];
    int rc = VR_OK, found = 0, lineno = 0;
    while (rc == VR_OK && fgets(line, sizeof line, f)) {
        lineno++;
        size_t n = strlen(line);
        if (n == sizeof line - 1 && line[n - 1] != '\n') {
            rc = vr_fail(err, VR_ERR_INPUT, "option -i: line %d of the list '%s' is too long "
                         "(at most %zu characters)", lineno, list, sizeof line - 2);
            break;
        }
        while (n > 0 && isspace((unsigned char)line[n - 1]))
            line[--n] = '\0';
        const char *p = line;
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0' || *p == '#')
            continue;
        rc = add_path(in, p, err);
        found++;
    }
    if (rc == VR_OK && ferror(f))
        rc = vr_fail(err, VR_ERR_INPUT, "option -i: cannot read the list '%s': %s", list,
                     strerror(errno));
    fclose(f);
    if (rc == VR_OK && found == 0)
        rc = vr_fail(err, VR_ERR_INPUT, "option -i: the list '%s' holds no path (one a "
                     "line; blank lines and lines starting with # are skipped)", list);
    return rc;
}

int vr_inputs_expand(const char *const *args, int nargs, VrInputs *in, VrError *err)
{
    memset(in, 0, sizeof *in);
    int rc = VR_OK;
    in->series = nargs > 1;
    for (int a = 0; a < nargs && rc == VR_OK; a++) {
        const char *arg = args[a];
        if (arg[0] == '@') {
            in->series = 1;
            rc = expand_list(in, arg + 1, err);
        } else if (strpbrk(arg, "*?[")) {
            in->series = 1;
            rc = expand_glob(in, arg, err);
        } else {
            rc = add_path(in, arg, err);
        }
    }
    /* One folder per stem: two snapshots must not share one. */
    for (int i = 0; rc == VR_OK && in->series && i < in->count; i++)
        for (int j = i + 1; j < in->count; j++)
            if (strcmp(in->stem[i], in->stem[j]) == 0) {
                rc = vr_fail(err, VR_ERR_INPUT,
                             "inputs '%s' and '%s' have the same name '%s': their frames "
                             "would go to one folder; rename one",
                             in->path[i], in->path[j], in->stem[i]);
                break;
            }
    if (rc != VR_OK)
        vr_inputs_free(in);
    return rc;
}

int vr_inputs_share(MPI_Comm comm, const char *const *args, int nargs, VrInputs *in,
                    VrError *err)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    int rc = rank == 0 ? vr_inputs_expand(args, nargs, in, err) : VR_OK;
    rc = vr_agree(comm, rc, err);
    if (rc != VR_OK)
        return rc;
    /* The list as count, series, then the paths end to end with their NULs. */
    long bytes = 0;
    int head[2] = {in->count, in->series};
    if (rank == 0)
        for (int i = 0; i < in->count; i++)
            bytes += (long)strlen(in->path[i]) + 1;
    MPI_Bcast(head, 2, MPI_INT, 0, comm);
    MPI_Bcast(&bytes, 1, MPI_LONG, 0, comm);
    char *text = malloc((size_t)bytes);
    rc = vr_agree(comm, text ? VR_OK : vr_fail(err, VR_ERR_NOMEM, "cannot allocate the "
                                                "list of inputs"), err);
    if (rc != VR_OK) {
        free(text);
        return rc;
    }
    if (rank == 0) {
        char *p = text;
        for (int i = 0; i < in->count; i++) {
            const size_t n = strlen(in->path[i]) + 1;
            memcpy(p, in->path[i], n);
            p += n;
        }
    }
    for (long off = 0; off < bytes; off += 1 << 30) {
        const long n = bytes - off < (1 << 30) ? bytes - off : (1 << 30);
        MPI_Bcast(text + off, (int)n, MPI_CHAR, 0, comm);
    }
    if (rank != 0) {
        memset(in, 0, sizeof *in);
        const char *p = text;
        for (int i = 0; i < head[0] && rc == VR_OK; i++) {
            rc = add_path(in, p, err);
            p += strlen(p) + 1;
        }
        in->series = head[1];
    }
    free(text);
    return vr_agree(comm, rc, err);
}
