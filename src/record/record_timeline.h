/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The TIMELINE chunk (docs/record-format.md): the run's timeline points as text lines, so
 * that `report FILE` has the timeline `run` had.
 */
#ifndef MT_RECORD_TIMELINE_H
#define MT_RECORD_TIMELINE_H

#include "model/model_timeline.h"
#include "record/record.h"

/* The points of tl into b (the chunk's payload). */
void mt_rec_timeline_put(struct mt_buf *b, const struct mt_timeline *tl);
/*
 * A chunk's payload back into tl (initialised here). 0; -EINVAL on a malformed line (tl
 * then empty); -ENOMEM.
 */
int mt_rec_timeline_parse(const char *p, size_t len, struct mt_timeline *tl);

#endif /* MT_RECORD_TIMELINE_H */
