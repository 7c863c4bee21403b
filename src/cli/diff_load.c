// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A recording or a JSON report, flattened into the named values of memtrace diff and of
 * run's --baseline: what is in the file decides how it is read, not its name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/diff_load.h"
#include "cli/report_load.h"
#include "record/record.h"
#include "model/diff.h"
#include "model/model.h"
#include "sys/kallsyms.h"
#include "sys/minijson.h"
#include "sys/util.h"

/* A recording: its report, as 'memtrace report' computes it, flattened. */
static int load_rec(const char *path, struct mt_dset *s)
{
	struct mt_recfile rf;
	struct mt_ksyms ks;
	struct mt_report r;
	int err;

	mt_report_init(&r);
	mt_ksyms_init(&ks);
	err = mt_report_load(path, "comparing", &rf, &r, &ks);
	if (!err) {
		/* without symbols sites keep their hex: they will not match across boots */
		if (r.pair.ksyms_why)
			mt_warn("'%s': %s: its call sites and stacks match by address", path,
				r.pair.ksyms_why);
		err = mt_dset_from_report(s, &r);
		if (err)
			mt_err("'%s': %s", path, strerror(-err));
		mt_rec_free(&rf);
	}
	mt_report_free(&r);
	mt_ksyms_free(&ks);
	return err ? -1 : 0;
}

/* A JSON report: read whole (reports are megabytes at most), parsed, flattened. */
static int load_json(const char *path, FILE *f, struct mt_dset *s)
{
	char why[160], *text = NULL;
	size_t len = 0, cap = 0, n;
	struct mj *root;
	int err;

	do {
		if (len + 65536 + 1 > cap) {
			char *t = realloc(text, cap = cap ? cap * 2 : 1 << 20);

			if (!t) {
				free(text);
				mt_err("'%s': out of memory", path);
				return -1;
			}
			text = t;
		}
		n = fread(text + len, 1, cap - len - 1, f);
		len += n;
	} while (n);
	if (ferror(f)) {
		mt_err("cannot read '%s': %s", path, strerror(errno));
		free(text);
		return -1;
	}
	text[len] = '\0';
	root = mj_parse(text, why, sizeof(why));
	free(text);
	if (!root) {
		mt_err("'%s': not valid JSON (%s)", path, why);
		return -1;
	}
	err = mt_dset_from_json(s, root, why, sizeof(why));
	mj_free(root);
	if (err)
		mt_err("'%s': %s", path, why);
	return err ? -1 : 0;
}

int mt_diff_load(const char *path, struct mt_dset *s)
{
	FILE *f = fopen(path, "r");
	int c = EOF, ret;

	if (!f) {
		mt_err("cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	/* a JSON report opens with '{'; a recording with its magic, which never does */
	do
		c = fgetc(f);
	while (c == ' ' || c == '\t' || c == '\n' || c == '\r');
	if (c == '{') {
		ungetc(c, f);
		ret = load_json(path, f, s);
		fclose(f);
		return ret;
	}
	fclose(f);
	return load_rec(path, s);
}
