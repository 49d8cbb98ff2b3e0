/* colormap_data.h — the generated colour map tables (colormap_data.c,
 * written by scripts/gen_colormaps.py); read through vr_colormap_table. */
#ifndef VR_TF_COLORMAP_DATA_H
#define VR_TF_COLORMAP_DATA_H

typedef struct {
    const char *name;
    const double (*table)[3];    /* 256 entries, matplotlib's NAME */
    const double (*reversed)[3]; /* 256 entries, matplotlib's NAME_r */
} VrColormapData;

extern const VrColormapData VR_COLORMAPS[];
extern const int VR_NCOLORMAPS;

#endif
