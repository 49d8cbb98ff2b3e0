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
 * seeds happen to be nearest.
 *
 * All the randomness lives in small periodic tables built once by init
 * from the seed; evaluating a voxel only reads them, which keeps it pure
 * and fast (no hashing in the inner loop except near knots). */
#include "vr/cosmic_field.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the recipe --------------------------------------------------------
 * Lattice periods are given per box side of the longest axis, so a 512^3
 * cube shows the same universe as a 256^3 one at twice the resolution.
 * MIN_CELL_VOXELS keeps every feature a few voxels wide on small cubes, so
 * trilinear interpolation of the result still looks smooth. */
#define VOID_CELLS 5.0      /* voids across the box */
#define FLOW_CELLS 3.0      /* bends of walls and filaments, superclusters */
#define DETAIL_CELLS 24.0   /* texture inside voids */
#define FINE_CELLS 48.0
#define MIN_CELL_VOXELS 4.0
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
#define LN_FIL 4.2f         /* filaments on top of walls: ~3 in total */
#define FIL_WIDTH 0.13f
#define LN_KNOT_MIN 2.5f    /* knots on top of filaments */
#define LN_KNOT_SPAN 5.5f
#define KNOT_POWER 3.0f     /* heavy tail: few knots get near the top */
#define KNOT_RADIUS 0.05f  /* in void cells, grows with mass */
#define KNOT_REACH 1.2f     /* gap beyond which no halo is near */
#define KNOT_TIE 0.13f      /* fade where the vertex changes identity */
#define REGION_AMP 0.6f     /* superclusters vs. underdense regions */
#define DETAIL_AMP 0.45f

/* ---- hashing (init only, and knot identities) ------------------------- */

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

static int32_t lattice_period(double nominal, int64_t n, int64_t nmax)
{
    double c = nominal * (double)n / (double)nmax;
    double cap = (double)n / MIN_CELL_VOXELS;
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
static int lattice_init(VrLattice *l, const VrCosmicField *f, double nominal,
                        int32_t comps, uint64_t salt, float lo, float span)
{
    int64_t nmax = f->shape[0];
    for (int a = 1; a < 3; a++)
        if (f->shape[a] > nmax)
            nmax = f->shape[a];
    for (int a = 0; a < 3; a++) {
        l->cells[a] = lattice_period(nominal, f->shape[a], nmax);
        l->scale[a] = (double)l->cells[a] / (double)f->shape[a];
    }
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
        l->values[n] = lo + span * hash_unit(hash_node(f->seed, salt, n));
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

#define NEAREST 5

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

/* Mass of the knot at the vertex shared by the four nearest seeds: a hash
 * of the unordered set, so it is the same from every side of the knot. */
static float knot_mass(uint64_t seed, const Nearest *nb)
{
    uint32_t s[4] = {nb->site[0]->id, nb->site[1]->id, nb->site[2]->id,
                     nb->site[3]->id};
    for (int a = 1; a < 4; a++)
        for (int b = a; b > 0 && s[b - 1] > s[b]; b--) {
            uint32_t t = s[b];
            s[b] = s[b - 1];
            s[b - 1] = t;
        }
    uint64_t h = seed ^ 0x6b6e6f74ULL;
    for (int a = 0; a < 4; a++)
        h = splitmix64(h + s[a]);
    return hash_unit(h);
}

static float gauss(float x, float width)
{
    float t = x / width;
    return expf(-t * t);
}

/* ---- the model --------------------------------------------------------- */

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

/* Offset from x to the power-diagram vertex of the four nearest seeds,
 * where all four power distances agree: a 3x3 linear system relative to
 * the nearest seed.  Returns 0 when the seeds are too close to coplanar
 * for the vertex to be meaningful. */
static int vertex_offset(const Nearest *nb, const float x[3], float out[3])
{
    const VrSite *s0 = nb->site[0];
    float t[3][3], rhs[3];
    for (int r = 0; r < 3; r++) {
        const VrSite *s = nb->site[r + 1];
        t[r][0] = s->x - s0->x;
        t[r][1] = s->y - s0->y;
        t[r][2] = s->z - s0->z;
        rhs[r] = 0.5f * (t[r][0] * t[r][0] + t[r][1] * t[r][1] +
                         t[r][2] * t[r][2] - s->weight + s0->weight);
    }
    float c0 = t[1][1] * t[2][2] - t[1][2] * t[2][1];
    float c1 = t[1][2] * t[2][0] - t[1][0] * t[2][2];
    float c2 = t[1][0] * t[2][1] - t[1][1] * t[2][0];
    float det = t[0][0] * c0 + t[0][1] * c1 + t[0][2] * c2;
    if (fabsf(det) < 1e-3f)
        return 0;
    /* Cramer's rule, column by column. */
    float v[3];
    v[0] = (rhs[0] * c0 + t[0][1] * (t[1][2] * rhs[2] - rhs[1] * t[2][2]) +
            t[0][2] * (rhs[1] * t[2][1] - t[1][1] * rhs[2])) / det;
    v[1] = (t[0][0] * (rhs[1] * t[2][2] - t[1][2] * rhs[2]) +
            rhs[0] * c1 + t[0][2] * (t[1][0] * rhs[2] - rhs[1] * t[2][0])) /
           det;
    v[2] = (t[0][0] * (t[1][1] * rhs[2] - rhs[1] * t[2][1]) +
            t[0][1] * (rhs[1] * t[2][0] - t[1][0] * rhs[2]) + rhs[0] * c2) /
           det;
    out[0] = s0->x + v[0] - x[0];
    out[1] = s0->y + v[1] - x[1];
    out[2] = s0->z + v[2] - x[2];
    return 1;
}

/* A compact, round halo at the vertex of the four nearest seeds. */
static float knot_term(const VrCosmicField *f, const Nearest *nb,
                       const float x[3])
{
    float gap = nb->p[3] - nb->p[0];
    if (gap >= KNOT_REACH)
        return 0.0f;
    float off[3];
    if (!vertex_offset(nb, x, off))
        return 0.0f;
    /* The vertex, hence the halo, belongs to the set of four nearest
     * seeds; fading out where the fourth and fifth tie, and as the gap
     * approaches the reach (where the halo has already died off, the gap
     * growing at most ~5x the distance), keeps the field continuous.
     * The 3-sigma cut below is a discontinuity of at most 1e-4 * 8. */
    float d2 = off[0] * off[0] + off[1] * off[1] + off[2] * off[2];
    const float rmax = KNOT_RADIUS * 1.4f;
    if (d2 > 9.0f * rmax * rmax)
        return 0.0f;
    float tie = (nb->p[4] - nb->p[3]) / KNOT_TIE;
    float fade = tie >= 1.0f ? 1.0f : smooth(tie);
    fade *= 1.0f - smooth(gap / KNOT_REACH);
    float mass = powf(knot_mass(f->seed, nb), KNOT_POWER);
    float radius = KNOT_RADIUS * (0.8f + 0.6f * mass);
    float r2 = d2 / (radius * radius);
    return fade * (LN_KNOT_MIN + LN_KNOT_SPAN * mass) * expf(-r2);
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
    ln += knot_term(f, &nb, x);
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
     * the spans are equal, so scale the weight after. */
    const float j0 = 0.5f - SITE_JITTER;
    int rc = lattice_init(&f->sites, f, VOID_CELLS, 4, 1, j0,
                          2.0f * SITE_JITTER);
    if (rc == 0) {
        size_t n = (size_t)f->sites.cells[0] * (size_t)f->sites.cells[1] *
                   (size_t)f->sites.cells[2];
        for (size_t s = 0; s < n; s++) {
            float *w = &f->sites.values[s * 4 + 3];
            *w = (*w - j0) / (2.0f * SITE_JITTER) * SITE_WEIGHT;
        }
        rc = sites_pad(f);
    }
    if (rc == 0)
        rc = lattice_init(&f->flow, f, FLOW_CELLS, 4, 2, -1.0f, 2.0f);
    if (rc == 0)
        rc = lattice_init(&f->detail, f, DETAIL_CELLS, 1, 3, -1.0f, 2.0f);
    if (rc == 0)
        rc = lattice_init(&f->fine, f, FINE_CELLS, 1, 4, -1.0f, 2.0f);
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
    f->padded = NULL;
}

float vr_cosmic_field_ln_density(const VrCosmicField *f, int64_t i,
                                 int64_t j, int64_t k)
{
    Row r;
    row_prepare(f, i, j, &r);
    return ln_at(f, &r, k);
}

void vr_cosmic_field_fill(const VrCosmicField *f, int64_t i0, int64_t i1,
                          float *out)
{
    const int64_t ny = f->shape[1], nz = f->shape[2];
    Row r;
    size_t n = 0;
    for (int64_t i = i0; i < i1; i++)
        for (int64_t j = 0; j < ny; j++) {
            row_prepare(f, i, j, &r);
            for (int64_t k = 0; k < nz; k++)
                out[n++] = expf(ln_at(f, &r, k));
        }
}

void vr_cosmic_field_fill_f64(const VrCosmicField *f, int64_t i0, int64_t i1,
                              double *out)
{
    const int64_t ny = f->shape[1], nz = f->shape[2];
    Row r;
    size_t n = 0;
    for (int64_t i = i0; i < i1; i++)
        for (int64_t j = 0; j < ny; j++) {
            row_prepare(f, i, j, &r);
            for (int64_t k = 0; k < nz; k++)
                out[n++] = exp((double)ln_at(f, &r, k));
        }
}
