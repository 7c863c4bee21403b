/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* memtrace record's file: opened before tracing, header first, maps after detach. */
#ifndef MT_RECORDER_H
#define MT_RECORDER_H

#include <stdbool.h>
#include <stdio.h>
#include "collect/calib.h"
#include "collect/loader.h"
#include "model/model.h"
#include "record/record.h"

struct mt_recorder {
	char *path; /* the file the user named */
	char *tmp;  /* -f: the new file's name until it is complete; else NULL */
	FILE *f;
	struct mt_rec_writer w;
	bool started; /* the trace began: a partial file is a truncated recording */
};

/* Before anything loads: refuse an existing path without force. 0 or an exit code. */
int mt_recorder_open(struct mt_recorder *rc, const char *path, bool force);
/* After attach: the HEADER (r->run, r->zones, options, events) and KALLSYMS chunks. */
int mt_recorder_start(struct mt_recorder *rc, const struct mt_report *r, const struct mt_loader *l,
		      const struct mt_calib *calib, int argc, char **argv, bool kallsyms);
/* After detach and collect: every map, the end facts, END; then the file is in place. */
int mt_recorder_finish(struct mt_recorder *rc, const struct mt_loader *l,
		       const struct mt_report *r);
/* On failure: removes a file nothing was traced into; keeps a started one (truncated). */
void mt_recorder_abort(struct mt_recorder *rc);

#endif /* MT_RECORDER_H */
