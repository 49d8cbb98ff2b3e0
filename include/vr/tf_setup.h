/* tf_setup.h — the run's transfer function, agreed by all ranks.
 *
 * vr_tf_setup (before the cube is read): rank 0 reads the --tf file and
 * broadcasts its bytes; every rank parses the same bytes (tf.h), so every
 * rank reaches the same verdict; --colormap and the other options are laid
 * over it.  vr_tf_setup_range (after the read, before the slab is
 * consumed): the data range of a colour map, reduced over the ranks
 * (data_range.h).  Then vr_tf_table_build (transfer.h) gives the kernel
 * its form. */
#ifndef VR_TF_SETUP_H
#define VR_TF_SETUP_H

#include <mpi.h>

#include "vr/config.h"
#include "vr/data_range.h"
#include "vr/error.h"
#include "vr/tf.h"
#include "vr/volume_io.h"

/* The largest --tf file read (a preset of 10^5 points is ~5 MB). */
#define VR_TF_FILE_MAX (64 << 20)

/* Collective. */
int vr_tf_setup(MPI_Comm comm, const VrConfig *cfg, VrTf *tf, VrError *err);

/* Collective.  Fixes tf's range from the data when it needs one (dr then
 * holds the figures; dr->counted < 0 when no range was measured).  An
 * empty range (a constant or all-empty field, percentiles that meet) is
 * an agreed error naming the input. */
int vr_tf_setup_range(MPI_Comm comm, const VrConfig *cfg, const VrVolume *vol, VrTf *tf,
                      VrDataRange *dr, VrError *err);

/* Collective.  For a transfer function absolute in x (the reference,
 * Gaussians, points): rank 0 warns, in one line, when its opacity stays
 * below VR_TF_INVISIBLE over the whole range of the data's x (a field in
 * other units than the function was made for renders black), naming the
 * data's range and what to use instead. */
#define VR_TF_INVISIBLE 1e-4
void vr_tf_warn_invisible(MPI_Comm comm, const VrConfig *cfg, const VrVolume *vol,
                          const VrTf *tf);

#endif
