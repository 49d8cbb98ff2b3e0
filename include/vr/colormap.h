/* colormap.h — the viridis colour map, for the projection image. */
#ifndef VR_COLORMAP_H
#define VR_COLORMAP_H

/* Colour of x in [0, 1] (clipped; NaN gives the lowest colour), exactly as
 * matplotlib's viridis with bytes=True. */
void vr_colormap_viridis(double x, unsigned char rgb[3]);

#endif
