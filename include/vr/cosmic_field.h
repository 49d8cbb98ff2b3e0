/* cosmic_field.h — a synthetic, deterministic "cosmic web" density field.
 *
 * The field is the Voronoi model of the large-scale structure: jittered,
 * weighted seed points (one per cell of a coarse periodic lattice) are void
 * centres; the faces between their cells (a power diagram, so voids vary
 * in size) are walls, the edges are filaments, and a catalogue of compact
 * halos sits on the vertices as knots, a heavy-tailed few of them very
 * dense.  A smooth domain warp bends the straight geometry, low-frequency
 * noise makes whole regions richer or poorer, and small-scale noise gives
 * the voids texture.  ln(density) spans about -6 (void centres) through
 * -3 (voids and walls), 2..4 (filaments) to 8..11 (the heaviest knots);
 * about 5 voids span the box (fewer on cubes under ~160 voxels, so that
 * features stay several voxels wide).
 *
 * Every voxel is a pure function of (seed, i, j, k, shape): there are no
 * sums over other voxels, so any decomposition of the cube into slabs, at
 * any rank count, yields bit-identical data (for one build of the code).
 * The field is periodic on the box.  No MPI, no HDF5, no I/O: it can be
 * unit tested alone. */
#ifndef VR_COSMIC_FIELD_H
#define VR_COSMIC_FIELD_H

#include <stddef.h>
#include <stdint.h>

/* The tables below are internal to cosmic_field.c; they are in the header
 * only so that a VrCosmicField can live on the caller's stack. */

/* Where voxel index m falls on a lattice axis: nodes lo and hi, weight w. */
typedef struct {
    int32_t lo, hi;
    float w;
} VrLatticeStep;

/* A periodic lattice of random node values (comps floats per node). */
typedef struct {
    int32_t cells[3];      /* lattice period along each axis, >= 1 */
    int32_t comps;         /* floats per node */
    double scale[3];       /* lattice cells per voxel along each axis */
    float *values;         /* cells[0]*cells[1]*cells[2]*comps, row-major */
    VrLatticeStep *zstep;  /* shape[2] entries: the fastest axis, cached */
} VrLattice;

/* One Voronoi seed as seen from the padded table: absolute position in
 * site-lattice units, power-diagram weight, and its wrapped cell index. */
typedef struct {
    float x, y, z, weight;
    uint32_t id;
} VrSite;

/* A knot: centre in site-lattice units (inside the box), peak ln-density
 * increment, and 1 / radius^2. */
typedef struct {
    float x, y, z, amp, inv_r2;
} VrHalo;

typedef struct {
    uint64_t seed;
    int64_t shape[3];   /* nx, ny, nz; the cube is [nx][ny][nz], k fastest */
    VrLattice sites;    /* seed jitter (3 comps) and weight (1 comp) */
    VrSite *padded;     /* sites plus periodic images two cells deep */
    int32_t padded_dims[3];
    ptrdiff_t neighbour[27]; /* offsets of the 3x3x3 cells in padded */
    VrHalo *halos;      /* knots on diagram vertices, grouped by site cell */
    int32_t *halo_start; /* halos of cell c: [halo_start[c], [c+1]) */
    int32_t halo_count;
    VrLattice flow;     /* domain warp (3 comps) and richness (1 comp) */
    VrLattice detail;   /* small-scale texture (1 comp) */
    VrLattice fine;     /* its next octave (1 comp) */
} VrCosmicField;

/* Builds the lookup tables (a few hundred kB plus O(nz)) for a cube of
 * shape nx x ny x nz, each 1 .. 2^24.  Returns 0, or -1 if a dimension is
 * out of range or memory runs out (f is then left freed).  The fields of f
 * are read-only afterwards; fill may run concurrently on one f. */
int vr_cosmic_field_init(VrCosmicField *f, uint64_t seed, int64_t nx,
                         int64_t ny, int64_t nz);

/* Releases the tables; f may be zero-initialised or already freed. */
void vr_cosmic_field_free(VrCosmicField *f);

/* ln(density) of voxel (i, j, k); the value fill stores is exactly
 * exp of this (expf for float, exp for double). */
float vr_cosmic_field_ln_density(const VrCosmicField *f, int64_t i,
                                 int64_t j, int64_t k);

/* Density of planes i0 .. i1-1 (0 <= i0 <= i1 <= nx) into out, which holds
 * (i1-i0)*ny*nz values laid out [i-i0][j][k]. */
void vr_cosmic_field_fill(const VrCosmicField *f, int64_t i0, int64_t i1,
                          float *out);
void vr_cosmic_field_fill_f64(const VrCosmicField *f, int64_t i0, int64_t i1,
                              double *out);

#endif
