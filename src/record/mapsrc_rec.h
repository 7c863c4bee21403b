/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The recorded map source (no BPF): reads the maps and sections of a parsed record file. */
#ifndef MT_MAPSRC_REC_H
#define MT_MAPSRC_REC_H

#include "model/mapsrc.h"
#include "record/record.h"

/* rf must outlive s. */
void mt_mapsrc_rec_init(struct mt_mapsrc *s, const struct mt_recfile *rf);

#endif /* MT_MAPSRC_REC_H */
