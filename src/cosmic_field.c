/* cosmic_field.c — the Voronoi cosmic-web model behind cosmic_field.h.
 *
 * Geometry: the seeds carry weights, so the tessellation is a power
 * diagram (Laguerre): cells stay convex with flat walls but vary in size,
 * like real voids.  With p1 <= p2 <= ... the power distances d^2 - weight
 * from a point to the seeds, p2-p1 vanishes on the walls (cell faces),
 * p3-p1 on the filaments (edges, where three cells meet) and p4-p1 at the
 * knots (vertices, where four meet).  Each gap grows linearly with the
 * distance from its feature, and order statistics are continuous functions
 * of position, so profiles built on the gaps are continuous whichever
 * seeds happen to be nearest.  Knots are an explicit catalogue of halos
 * placed exactly on diagram vertices, found once by init, so each is a
 * round, compact profile summed in wherever it is near.
 *
 * All the randomness lives in small periodic tables built once by init
 * from the seed; evaluating a voxel only reads them, which keeps it pure
 * (no state, no dependence on which voxels are computed together) and
 * fast: about 0.1 us per voxel. */
#include "vr/cosmic_field.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the recipe --------------------------------------------------------
 * Lattice periods are given per box side of the longest axis, so a 512^3
 * cube shows the same universe as a 256^3 one at twice the resolution.
 * Small cubes get fewer, larger cells instead (the *_MIN_VOXELS), so
 * filaments and knots stay a few voxels wide and trilinear interpolation
 * of the result still looks smooth. */
#define VOID_CELLS 5.0      /* voids across the box */
#define VOID_MIN_VOXELS 32.0
#define FLOW_CELLS 3.0      /* bends of walls and filaments, superclusters */
#define DETAIL_CELLS 24.0   /* texture inside voids */
#define FINE_CELLS 48.0
#define DETAIL_MIN_VOXELS 4.0
#define ROW_MAX 256         /* floats in one z row of a lattice */
#define PAD 2               /* periodic images around the site table */

#define SITE_JITTER 0.40f   /* < 0.5 keeps the 3x3x3 search exact enough */
#define SITE_WEIGHT 0.35f   /* power weights in [0, this): void sizes vary */
#define WARP_AMP 0.30f      /* in void cells; must stay below 1 (PAD) */

/* ln(density) levels.  Widths are in units of the power-distance gap,
 * about twice the distance from the feature in void cells. */
#define LN_VOID_FLOOR -5.8f /* deepest void centres */
#define LN_VOID_RISE 2.8f   /* void centre -> wall */
#define VOID_SCALE 0.35f
#define LN_WALL 1.8f        /* walls on top of the void profile */
#define WALL_WIDTH 0.10f
#define LN_FIL 4.5f         /* filaments on top of walls: ~3 in total */
#define FIL_WIDTH 0.13f
#define LN_KNOT_MIN 2.5f    /* knots on top of filaments */
#define LN_KNOT_SPAN 5.2f
#define KNOT_POWER 3.0f     /* heavy tail: few knots get near the top */
#define KNOT_RADIUS 0.06f   /* 1/e radius in void cells, grows with mass */
#define KNOT_RADIUS_MAX (KNOT_RADIUS * 1.4f)
#define KNOT_CUT 3.0f       /* profile ends at this many radii */
#define HALO_STARTS 4       /* vertex searches per void cell */
#define SNAP_STEPS 12
#define REGION_AMP 0.6f     /* superclusters vs. underdense regions */
#define DETAIL_AMP 0.45f

/* ---- hashing (init only) ---------------------------------------------- */

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* Uniform in [0, 1) from 24 bits, exact in float. */
static float hash_unit(uint64_t h)
{
    return (float)(h >> 40) * (1.0f / 16777216.0f);
}

static uint64_t hash_node(uint64_t seed, uint64_t salt, uint64_t index)
{
    return splitmix64(splitmix64(seed ^ splitmix64(salt)) + index);
}

/* ---- periodic lattices ------------------------------------------------- */

/* Coordinates stay within a couple of periods of the box (the warp is
 * bounded), so a loop beats the integer division of %. */
static int32_t wrap(int32_t i, int32_t n)
{
    while (i < 0)
        i += n;
    while (i >= n)
        i -= n;
    return i;
}

static float smooth(float t)
{
    return t * t * (3.0f - 2.0f * t);
}

/* How a lattice is drawn: nominal cells across the box, the smallest
 * cell in voxels, floats per node, the random stream, the value range. */
typedef struct {
    double cells, min_voxels;
    int32_t comps;
    uint64_t salt;
    float lo, span;
} LayerSpec;

static const LayerSpec SITES_SPEC = {VOID_CELLS, VOID_MIN_VOXELS, 4, 1,
                                     0.5f - SITE_JITTER, 2.0f * SITE_JITTER};
static const LayerSpec FLOW_SPEC = {FLOW_CELLS, VOID_MIN_VOXELS, 4, 2,
                                    -1.0f, 2.0f};
static const LayerSpec DETAIL_SPEC = {DETAIL_CELLS, DETAIL_MIN_VOXELS, 1, 3,
                                      -1.0f, 2.0f};
static const LayerSpec FINE_SPEC = {FINE_CELLS, DETAIL_MIN_VOXELS, 1, 4,
                                    -1.0f, 2.0f};

static int32_t lattice_period(const LayerSpec *spec, int64_t n, int64_t nmax)
{
    double c = spec->cells * (double)n / (double)nmax;
    double cap = (double)n / spec->min_voxels;
    if (c > cap)
        c = cap;
    c = floor(c + 0.5);
    return c < 1.0 ? 1 : (int32_t)c;
}

/* Lattice coordinate of voxel index m along axis a: voxel centres, so the
 * period of the lattice is exactly the box. */
static float lattice_coord(const VrLattice *l, int a, int64_t m)
{
    return (float)(((double)m + 0.5) * l->scale[a]);
}

static VrLatticeStep lattice_step(const VrLattice *l, int a, int64_t m)
{
    float x = lattice_coord(l, a, m);
    float fl = floorf(x);
    int32_t i = (int32_t)fl;
    VrLatticeStep s = {wrap(i, l->cells[a]), wrap(i + 1, l->cells[a]),
                       smooth(x - fl)};
    return s;
}

/* Node values are uniform in [lo, lo+span), one stream per salt. */
static int lattice_init(VrLattice *l, const VrCosmicField *f,
                        const LayerSpec *spec)
{
    int64_t nmax = f->shape[0];
    for (int a = 1; a < 3; a++)
        if (f->shape[a] > nmax)
            nmax = f->shape[a];
    for (int a = 0; a < 3; a++) {
        l->cells[a] = lattice_period(spec, f->shape[a], nmax);
        l->scale[a] = (double)l->cells[a] / (double)f->shape[a];
    }
    const int32_t comps = spec->comps;
    l->comps = comps;
    if (l->cells[2] * comps > ROW_MAX)
        return -1;
    size_t count = (size_t)l->cells[0] * (size_t)l->cells[1] *
                   (size_t)l->cells[2] * (size_t)comps;
    l->values = malloc(count * sizeof *l->values);
    l->zstep = malloc((size_t)f->shape[2] * sizeof *l->zstep);
    if (!l->values || !l->zstep)
        return -1;
    for (size_t n = 0; n < count; n++)
        l->values[n] = spec->lo + spec->span *
                       hash_unit(hash_node(f->seed, spec->salt, n));
    for (int64_t k = 0; k < f->shape[2]; k++)
        l->zstep[k] = lattice_step(l, 2, k);
    return 0;
}

static void lattice_free(VrLattice *l)
{
    free(l->values);
    free(l->zstep);
    l->values = NULL;
    l->zstep = NULL;
}

/* Value noise is separable: blending the lattice over x and y once per
 * row of the cube leaves a 1-D row of nodes along z, so each voxel costs
 * one lerp per component instead of eight corner reads. */
static void layer_row(const VrLattice *l, int64_t i, int64_t j, float *row)
{
    VrLatticeStep sx = lattice_step(l, 0, i);
    VrLatticeStep sy = lattice_step(l, 1, j);
    const size_t nzc = (size_t)l->cells[2] * (size_t)l->comps;
    const size_t ny = (size_t)l->cells[1];
    const float *v00 = l->values + ((size_t)sx.lo * ny + (size_t)sy.lo) * nzc;
    const float *v01 = l->values + ((size_t)sx.lo * ny + (size_t)sy.hi) * nzc;
    const float *v10 = l->values + ((size_t)sx.hi * ny + (size_t)sy.lo) * nzc;
    const float *v11 = l->values + ((size_t)sx.hi * ny + (size_t)sy.hi) * nzc;
    for (size_t q = 0; q < nzc; q++) {
        float a = v00[q] + sy.w * (v01[q] - v00[q]);
        float b = v10[q] + sy.w * (v11[q] - v10[q]);
        row[q] = a + sx.w * (b - a);
    }
}

static void layer_at(const VrLattice *l, const float *row, int64_t k,
                     float *out)
{
    const VrLatticeStep s = l->zstep[k];
    const int32_t c = l->comps;
    const float *a = row + s.lo * c, *b = row + s.hi * c;
    for (int32_t q = 0; q < c; q++)
        out[q] = a[q] + s.w * (b[q] - a[q]);
}

/* ---- the power diagram ------------------------------------------------- */

/* The 27 neighbour cells, nearest first so most later candidates are
 * rejected by a single comparison. */
static const int8_t NEIGHBOURS[27][3] = {
    {0, 0, 0},   {-1, 0, 0},  {1, 0, 0},   {0, -1, 0},  {0, 1, 0},
    {0, 0, -1},  {0, 0, 1},   {-1, -1, 0}, {-1, 1, 0},  {1, -1, 0},
    {1, 1, 0},   {-1, 0, -1}, {-1, 0, 1},  {1, 0, -1},  {1, 0, 1},
    {0, -1, -1}, {0, -1, 1},  {0, 1, -1},  {0, 1, 1},   {-1, -1, -1},
    {-1, -1, 1}, {-1, 1, -1}, {-1, 1, 1},  {1, -1, -1}, {1, -1, 1},
    {1, 1, -1},  {1, 1, 1}};

/* Images PAD cells deep on every side let the 27-cell search index the
 * table directly, with no wrapping in the inner loop. */
static int sites_pad(VrCosmicField *f)
{
    const VrLattice *l = &f->sites;
    int32_t *pd = f->padded_dims;
    for (int a = 0; a < 3; a++)
        pd[a] = l->cells[a] + 2 * PAD;
    f->padded = malloc((size_t)pd[0] * (size_t)pd[1] * (size_t)pd[2] *
                       sizeof *f->padded);
    if (!f->padded)
        return -1;
    for (int n = 0; n < 27; n++)
        f->neighbour[n] =
            ((ptrdiff_t)NEIGHBOURS[n][0] * pd[1] + NEIGHBOURS[n][1]) * pd[2] +
            NEIGHBOURS[n][2];
    VrSite *out = f->padded;
    for (int32_t a = 0; a < pd[0]; a++)
        for (int32_t b = 0; b < pd[1]; b++)
            for (int32_t c = 0; c < pd[2]; c++) {
                int32_t ca = wrap(a - PAD, l->cells[0]);
                int32_t cb = wrap(b - PAD, l->cells[1]);
                int32_t cc = wrap(c - PAD, l->cells[2]);
                uint32_t id = (uint32_t)((ca * l->cells[1] + cb) *
                                         l->cells[2] + cc);
                const float *v = l->values + (size_t)id * 4;
                VrSite s = {(float)(a - PAD) + v[0], (float)(b - PAD) + v[1],
                            (float)(c - PAD) + v[2], v[3], id};
                *out++ = s;
            }
    return 0;
}

#define NEAREST 4

typedef struct {
    float p[NEAREST];             /* power distances, ascending */
    const VrSite *site[NEAREST];  /* the seeds (images), same order */
} Nearest;

static void nearest_insert(Nearest *nb, float p, const VrSite *site)
{
    int s = NEAREST - 1;
    while (s > 0 && nb->p[s - 1] > p) {
        nb->p[s] = nb->p[s - 1];
        nb->site[s] = nb->site[s - 1];
        s--;
    }
    nb->p[s] = p;
    nb->site[s] = site;
}

/* The NEAREST seeds of lowest power distance to x (site-lattice units,
 * within one cell of the box) among the 27 cells around it; with the
 * jitter and weights used, seeds further out practically never win. */
static void power_nearest(const VrCosmicField *f, const float x[3],
                          Nearest *nb)
{
    for (int s = 0; s < NEAREST; s++) {
        nb->p[s] = INFINITY;
        nb->site[s] = NULL;
    }
    const int32_t *pd = f->padded_dims;
    const VrSite *centre =
        f->padded +
        ((size_t)((int32_t)floorf(x[0]) + PAD) * (size_t)pd[1] +
         (size_t)((int32_t)floorf(x[1]) + PAD)) * (size_t)pd[2] +
        (size_t)((int32_t)floorf(x[2]) + PAD);
    for (int n = 0; n < 27; n++) {
        const VrSite *s = centre + f->neighbour[n];
        float ex = s->x - x[0], ey = s->y - x[1], ez = s->z - x[2];
        float p = ex * ex + ey * ey + ez * ez - s->weight;
        if (p < nb->p[NEAREST - 1])
            nearest_insert(nb, p, s);
    }
}

/* ---- the halo catalogue ------------------------------------------------ */

/* The diagram vertex of four seeds, where their power distances agree: a
 * 3x3 linear system relative to the first seed.  Returns 0 when the seeds
 * are too close to coplanar for the vertex to be meaningful. */
static int vertex_of(const Nearest *nb, float out[3])
{
    const VrSite *s0 = nb->site[0];
    double t[3][3], rhs[3];
    for (int r = 0; r < 3; r++) {
        const VrSite *s = nb->site[r + 1];
        t[r][0] = (double)s->x - s0->x;
        t[r][1] = (double)s->y - s0->y;
        t[r][2] = (double)s->z - s0->z;
        rhs[r] = 0.5 * (t[r][0] * t[r][0] + t[r][1] * t[r][1] +
                        t[r][2] * t[r][2] - s->weight + s0->weight);
    }
    double det = t[0][0] * (t[1][1] * t[2][2] - t[1][2] * t[2][1]) -
                 t[0][1] * (t[1][0] * t[2][2] - t[1][2] * t[2][0]) +
                 t[0][2] * (t[1][0] * t[2][1] - t[1][1] * t[2][0]);
    if (fabs(det) < 1e-3)
        return 0;
    /* Cramer's rule: replace column c by rhs. */
    for (int c = 0; c < 3; c++) {
        double m[3][3];
        for (int r = 0; r < 3; r++)
            for (int q = 0; q < 3; q++)
                m[r][q] = q == c ? rhs[r] : t[r][q];
        double dc = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                    m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                    m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
        const float base = c == 0 ? s0->x : c == 1 ? s0->y : s0->z;
        out[c] = base + (float)(dc / det);
    }
    return 1;
}

/* Back into the box; a vertex of nearly coplanar seeds can lie far out. */
static void wrap_point(const int32_t cells[3], float y[3])
{
    for (int a = 0; a < 3; a++) {
        const float n = (float)cells[a];
        y[a] = fmodf(y[a], n);
        if (y[a] < 0.0f)
            y[a] += n;
        if (y[a] >= n) /* -tiny + n rounds to n */
            y[a] = 0.0f;
    }
}

/* The four seed identities, sorted: the name of a vertex. */
static void vertex_key(const Nearest *nb, uint32_t key[4])
{
    for (int a = 0; a < 4; a++)
        key[a] = nb->site[a]->id;
    for (int a = 1; a < 4; a++)
        for (int b = a; b > 0 && key[b - 1] > key[b]; b--) {
            uint32_t t = key[b];
            key[b] = key[b - 1];
            key[b - 1] = t;
        }
}

/* Walks from y to the vertex of its four nearest seeds until the vertex
 * reached has those same four as its nearest, i.e. is a true vertex of the
 * diagram.  Returns 1 with y at the vertex and its key, else 0. */
static int snap_to_vertex(const VrCosmicField *f, float y[3], uint32_t key[4])
{
    Nearest nb;
    power_nearest(f, y, &nb);
    for (int step = 0; step < SNAP_STEPS; step++) {
        uint32_t want[4];
        vertex_key(&nb, want);
        if (!vertex_of(&nb, y))
            return 0;
        wrap_point(f->sites.cells, y);
        power_nearest(f, y, &nb);
        vertex_key(&nb, key);
        if (memcmp(key, want, sizeof want) == 0)
            return 1;
    }
    return 0;
}

typedef struct {
    uint32_t key[4];
    VrHalo halo;
} Candidate;

static int halo_cell(const VrCosmicField *f, const VrHalo *h)
{
    const int32_t *c = f->sites.cells;
    int32_t a = wrap((int32_t)floorf(h->x), c[0]);
    int32_t b = wrap((int32_t)floorf(h->y), c[1]);
    int32_t d = wrap((int32_t)floorf(h->z), c[2]);
    return (a * c[1] + b) * c[2] + d;
}

/* Power diagrams have many very short edges; halos on both ends would
 * merge into one over-bright blob, so the first found keeps the place. */
static int too_close(const VrCosmicField *f, const VrHalo *h, const float y[3])
{
    const float min_sep = 2.0f * KNOT_RADIUS_MAX;
    float d2 = 0.0f;
    const float pos[3] = {h->x, h->y, h->z};
    for (int a = 0; a < 3; a++) {
        const float n = (float)f->sites.cells[a];
        float d = fabsf(pos[a] - y[a]);
        if (d > 0.5f * n)
            d = n - d; /* nearest periodic image */
        d2 += d * d;
    }
    return d2 < min_sep * min_sep;
}

/* Searches from HALO_STARTS random points per cell and keeps each vertex
 * found once: vertices with large basins, a deterministic subset. */
static int32_t find_halos(const VrCosmicField *f, Candidate *out)
{
    const int32_t *c = f->sites.cells;
    const int32_t ncells = c[0] * c[1] * c[2];
    int32_t count = 0;
    for (int32_t n = 0; n < ncells * HALO_STARTS; n++) {
        int32_t cell = n / HALO_STARTS;
        int32_t cz = cell % c[2], cy = (cell / c[2]) % c[1];
        int32_t cx = cell / (c[1] * c[2]);
        uint64_t h = hash_node(f->seed, 6, (uint64_t)n);
        float y[3] = {(float)cx + hash_unit(h), (float)cy + hash_unit(h << 20),
                      (float)cz + hash_unit(h << 40)};
        Candidate cand;
        if (!snap_to_vertex(f, y, cand.key))
            continue;
        int seen = 0;
        for (int32_t q = 0; q < count && !seen; q++)
            seen = too_close(f, &out[q].halo, y);
        if (seen)
            continue;
        uint64_t m = f->seed ^ 0x6b6e6f74ULL;
        for (int a = 0; a < 4; a++)
            m = splitmix64(m + cand.key[a]);
        float mass = powf(hash_unit(m), KNOT_POWER);
        float radius = KNOT_RADIUS * (0.8f + 0.6f * mass);
        VrHalo halo = {y[0], y[1], y[2], LN_KNOT_MIN + LN_KNOT_SPAN * mass,
                       1.0f / (radius * radius)};
        cand.halo = halo;
        out[count++] = cand;
    }
    return count;
}

/* Bins the halos by site cell (a compressed row table) so a voxel only
 * looks at the few cells its halo reach touches. */
static int halos_init(VrCosmicField *f)
{
    const int32_t *c = f->sites.cells;
    const int32_t ncells = c[0] * c[1] * c[2];
    Candidate *cand = malloc((size_t)ncells * HALO_STARTS * sizeof *cand);
    f->halo_start = calloc((size_t)ncells + 1, sizeof *f->halo_start);
    if (!cand || !f->halo_start) {
        free(cand);
        return -1;
    }
    int32_t count = find_halos(f, cand);
    f->halos = malloc((size_t)(count > 0 ? count : 1) * sizeof *f->halos);
    if (!f->halos) {
        free(cand);
        return -1;
    }
    for (int32_t n = 0; n < count; n++)
        f->halo_start[halo_cell(f, &cand[n].halo) + 1]++;
    for (int32_t q = 0; q < ncells; q++)
        f->halo_start[q + 1] += f->halo_start[q];
    int32_t *fillpos = f->halo_start; /* reuse as cursors, then restore */
    for (int32_t n = 0; n < count; n++)
        f->halos[fillpos[halo_cell(f, &cand[n].halo)]++] = cand[n].halo;
    for (int32_t q = ncells; q > 0; q--)
        f->halo_start[q] = f->halo_start[q - 1];
    f->halo_start[0] = 0;
    f->halo_count = count;
    free(cand);
    return 0;
}

/* Sum of the halo profiles at x.  Each is a Gaussian shifted to reach
 * zero exactly at KNOT_CUT radii, so the sum is continuous. */
static float halo_term(const VrCosmicField *f, const float x[3])
{
    static const float tail = 1.2340980e-04f; /* exp(-KNOT_CUT^2) */
    const float reach = KNOT_CUT * KNOT_RADIUS_MAX;
    const int32_t *c = f->sites.cells;
    int32_t lo[3], hi[3];
    for (int a = 0; a < 3; a++) {
        lo[a] = (int32_t)floorf(x[a] - reach);
        hi[a] = (int32_t)floorf(x[a] + reach);
    }
    float sum = 0.0f;
    for (int32_t a = lo[0]; a <= hi[0]; a++)
        for (int32_t b = lo[1]; b <= hi[1]; b++)
            for (int32_t d = lo[2]; d <= hi[2]; d++) {
                int32_t wa = wrap(a, c[0]), wb = wrap(b, c[1]);
                int32_t wd = wrap(d, c[2]);
                int32_t cell = (wa * c[1] + wb) * c[2] + wd;
                /* Halos are stored in the box; this cell may be an image. */
                float sx = (float)(a - wa) - x[0], sy = (float)(b - wb) - x[1];
                float sz = (float)(d - wd) - x[2];
                for (int32_t h = f->halo_start[cell];
                     h < f->halo_start[cell + 1]; h++) {
                    const VrHalo *o = &f->halos[h];
                    float ex = o->x + sx, ey = o->y + sy, ez = o->z + sz;
                    float r2 = (ex * ex + ey * ey + ez * ez) * o->inv_r2;
                    if (r2 < KNOT_CUT * KNOT_CUT)
                        sum += o->amp * (expf(-r2) - tail) / (1.0f - tail);
                }
            }
    return sum;
}

/* ---- the model --------------------------------------------------------- */

static float gauss(float x, float width)
{
    float t = x / width;
    return expf(-t * t);
}

/* Everything about a voxel that depends only on its row (i, j). */
typedef struct {
    float site_x, site_y;
    float flow[ROW_MAX], detail[ROW_MAX], fine[ROW_MAX];
} Row;

static void row_prepare(const VrCosmicField *f, int64_t i, int64_t j, Row *r)
{
    r->site_x = lattice_coord(&f->sites, 0, i);
    r->site_y = lattice_coord(&f->sites, 1, j);
    layer_row(&f->flow, i, j, r->flow);
    layer_row(&f->detail, i, j, r->detail);
    layer_row(&f->fine, i, j, r->fine);
}

static float ln_at(const VrCosmicField *f, const Row *r, int64_t k)
{
    float flow[4], tex1, tex2;
    layer_at(&f->flow, r->flow, k, flow);
    layer_at(&f->detail, r->detail, k, &tex1);
    layer_at(&f->fine, r->fine, k, &tex2);

    float x[3] = {r->site_x + WARP_AMP * flow[0],
                  r->site_y + WARP_AMP * flow[1],
                  lattice_coord(&f->sites, 2, k) + WARP_AMP * flow[2]};
    Nearest nb;
    power_nearest(f, x, &nb);

    float wall_gap = nb.p[1] - nb.p[0];
    float wall = gauss(wall_gap, WALL_WIDTH);
    float ln = LN_VOID_FLOOR + LN_VOID_RISE * expf(-wall_gap / VOID_SCALE);
    ln += LN_WALL * wall;
    ln += LN_FIL * gauss(nb.p[2] - nb.p[0], FIL_WIDTH);
    ln += halo_term(f, x);
    ln += REGION_AMP * flow[3];
    /* Texture is for the voids; structures stay clean. */
    return ln + (1.0f - 0.7f * wall) * DETAIL_AMP * (tex1 + 0.5f * tex2);
}

/* ---- public API -------------------------------------------------------- */

int vr_cosmic_field_init(VrCosmicField *f, uint64_t seed, int64_t nx,
                         int64_t ny, int64_t nz)
{
    memset(f, 0, sizeof *f);
    /* Indices go through float lattice coordinates: keep them exact. */
    const int64_t limit = (int64_t)1 << 24;
    if (nx < 1 || ny < 1 || nz < 1 || nx > limit || ny > limit || nz > limit)
        return -1;
    f->seed = seed;
    f->shape[0] = nx;
    f->shape[1] = ny;
    f->shape[2] = nz;
    /* Sites: jitter in the first three components, weight in the last;
     * lattice_init draws all four from one range, so rescale the weight. */
    int rc = lattice_init(&f->sites, f, &SITES_SPEC);
    if (rc == 0) {
        size_t n = (size_t)f->sites.cells[0] * (size_t)f->sites.cells[1] *
                   (size_t)f->sites.cells[2];
        for (size_t s = 0; s < n; s++) {
            float *w = &f->sites.values[s * 4 + 3];
            *w = (*w - SITES_SPEC.lo) / SITES_SPEC.span * SITE_WEIGHT;
        }
        rc = sites_pad(f);
    }
    if (rc == 0)
        rc = halos_init(f);
    if (rc == 0)
        rc = lattice_init(&f->flow, f, &FLOW_SPEC);
    if (rc == 0)
        rc = lattice_init(&f->detail, f, &DETAIL_SPEC);
    if (rc == 0)
        rc = lattice_init(&f->fine, f, &FINE_SPEC);
    if (rc != 0) {
        vr_cosmic_field_free(f);
        return -1;
    }
    return 0;
}

void vr_cosmic_field_free(VrCosmicField *f)
{
    lattice_free(&f->sites);
    lattice_free(&f->flow);
    lattice_free(&f->detail);
    lattice_free(&f->fine);
    free(f->padded);
    free(f->halos);
    free(f->halo_start);
    f->padded = NULL;
    f->halos = NULL;
    f->halo_start = NULL;
    f->halo_count = 0;
}

float vr_cosmic_field_ln_density(const VrCosmicField *f, int64_t i,
                                 int64_t j, int64_t k)
{
    Row r;
    row_prepare(f, i, j, &r);
    return ln_at(f, &r, k);
}

/* Rows are independent, so threads (when built with OpenMP) may take any
 * of them in any order without changing a bit of the result.  Exactly one
 * of out32, out64 is used. */
static void fill_rows(const VrCosmicField *f, int64_t i0, int64_t i1, float *out32,
                      double *out64)
{
    const int64_t ny = f->shape[1], nz = f->shape[2];
    const int64_t rows = (i1 - i0) * ny;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (int64_t r = 0; r < rows; r++) {
        Row row;
        row_prepare(f, i0 + r / ny, r % ny, &row);
        const size_t at = (size_t)r * (size_t)nz;
        for (int64_t k = 0; k < nz; k++) {
            const float ln = ln_at(f, &row, k);
            if (out64)
                out64[at + (size_t)k] = exp((double)ln);
            else
                out32[at + (size_t)k] = expf(ln);
        }
    }
}

void vr_cosmic_field_fill(const VrCosmicField *f, int64_t i0, int64_t i1, float *out)
{
    fill_rows(f, i0, i1, out, NULL);
}

void vr_cosmic_field_fill_f64(const VrCosmicField *f, int64_t i0, int64_t i1,
                              double *out)
{
    fill_rows(f, i0, i1, NULL, out);
}
