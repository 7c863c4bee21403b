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
#include "collect/collect.h"
#include "collect/collect_classes.h"
#include "model/diff.h"
#include "model/report_join.h"
#include "record/mapsrc_rec.h"
#include "record/record_header.h"
#include "sys/kallsyms.h"
#include "sys/minijson.h"
#include "sys/util.h"

static void set_ksyms(struct mt_recfile *rf, struct mt_report *r, struct mt_ksyms *ks)
{
	FILE *f = rf->kallsyms ? fmemopen(rf->kallsyms, rf->kallsyms_len, "r") : NULL;

	if (!f)
		return;
	/* without symbols sites keep their hex: they will not match across boots */
	if (!mt_ksyms_parse(ks, f) && !ks->zero_addrs)
		r->pair.ksyms = ks;
	else
		mt_warn("the kallsyms of '%s' are unusable: its call sites match by address",
			r->run.recorded);
	fclose(f);
}

static int load_rec(const char *path, struct mt_dset *s)
{
	struct mt_recfile rf;
	struct mt_mapsrc src;
	struct mt_ksyms ks;
	struct mt_report r;
	int err = mt_rec_load(path, &rf);

	if (err) {
		if (err == -EINVAL || err == -EPROTONOSUPPORT)
			mt_err("'%s': %s", path, rf.why);
		else
			mt_err("cannot read '%s': %s", path,
			       err == -ENODEV ? "not a regular file" : strerror(-err));
		return -1;
	}
	mt_report_init(&r);
	mt_ksyms_init(&ks);
	if (mt_rec_header_get(&rf, &r)) {
		mt_err("'%s': a recording without a readable header", path);
		err = -EINVAL;
		goto out;
	}
	snprintf(r.run.recorded, sizeof(r.run.recorded), "%s", path);
	if (rf.truncated)
		mt_warn("'%s' is truncated (%s): comparing what it holds", path, rf.why);
	set_ksyms(&rf, &r, &ks);
	mt_mapsrc_rec_init(&src, &rf);
	mt_classes_names_from_btf(&r.x);
	err = mt_collect(&src, &r);
	mt_lat_finish(&r.lat);
	if (!err)
		err = mt_pair_finish(&r);
	if (err) {
		mt_err("'%s': recorded maps unreadable: %s", path, strerror(-err));
		goto out;
	}
	err = mt_dset_from_report(s, &r);
	if (err)
		mt_err("'%s': %s", path, strerror(-err));
out:
	mt_report_free(&r);
	mt_ksyms_free(&ks);
	mt_rec_free(&rf);
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
