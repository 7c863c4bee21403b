/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The HEADER chunk's "key value" lines <-> the report's run facts and zones. */
#ifndef MT_RECORD_HEADER_H
#define MT_RECORD_HEADER_H

#include "model/model.h"
#include "record/record.h"

/* Kernel, layout, scope, calibration and zones: what is known before tracing starts. */
void mt_rec_header_put_run(struct mt_buf *b, const struct mt_run_info *ri,
			   const struct mt_zone_table *z);
/* What is known only at the end: duration, missed runs. */
void mt_rec_header_put_end(struct mt_buf *b, const struct mt_run_info *ri);
/* The run's scope: kind, cgroup, command and, once it ended, its exit (mt_scope_report). */
void mt_rec_header_put_scope(struct mt_buf *b, const struct mt_scope_report *s);
/* Pairing options (what was tracked), the min age shown and the end time (end). */
void mt_rec_header_put_pair(struct mt_buf *b, const struct mt_pair_report *p);
/* The class sections' facts that are no map: --class and why kmap is not traced. */
void mt_rec_header_put_classes(struct mt_buf *b, const struct mt_classes_report *x);
/* Fill r->run and r->zones from a parsed file; -EINVAL if the header is missing. */
int mt_rec_header_get(const struct mt_recfile *rf, struct mt_report *r);

#endif /* MT_RECORD_HEADER_H */
