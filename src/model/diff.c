// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * memtrace diff, the comparison: named values of several baseline runs against one new run,
 * flagged only beyond the baseline's own spread and a minimum size (noise is not news).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/diff.h"
#include "sys/util.h"

static const char *const sec_keys[MT_DSEC_MAX] = {
	[MT_DSEC_CLASS] = "class", [MT_DSEC_CACHE] = "cache",  [MT_DSEC_SITE] = "site",
	[MT_DSEC_STACK] = "stack", [MT_DSEC_PROC] = "process", [MT_DSEC_OUT] = "outstanding",
};

const char *mt_diff_sec_key(int sec)
{
	return sec >= 0 && sec < MT_DSEC_MAX ? sec_keys[sec] : "?";
}

bool mt_diff_metric_is_bytes(const char *metric)
{
	return strstr(metric, "bytes") != NULL;
}

void mt_dset_init(struct mt_dset *s)
{
	memset(s, 0, sizeof(*s));
}

void mt_dset_free(struct mt_dset *s)
{
	free(s->v);
	mt_dset_init(s);
}

int mt_dset_add(struct mt_dset *s, int sec, const char *name, const char *metric, double v)
{
	struct mt_dval *d = mt_push(&s->v, &s->n, &s->cap, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->sec = sec;
	/* a name longer than the buffer (a deep stack) is cut: its key stays stable */
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->metric, sizeof(d->metric), "%s", metric);
	d->v = v;
	s->sorted = false;
	return 0;
}

static int key_cmp(int sa, const char *na, const char *ma, int sb, const char *nb, const char *mb)
{
	int c;

	if (sa != sb)
		return sa < sb ? -1 : 1;
	c = strcmp(na, nb);
	return c ? c : strcmp(ma, mb);
}

static int dval_cmp(const void *a, const void *b)
{
	const struct mt_dval *x = a, *y = b;

	return key_cmp(x->sec, x->name, x->metric, y->sec, y->name, y->metric);
}

void mt_dset_finish(struct mt_dset *s)
{
	size_t i, o = 0;

	if (s->sorted)
		return;
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), dval_cmp);
	for (i = 0; i < s->n; i++) {
		if (o && !dval_cmp(&s->v[o - 1], &s->v[i]))
			s->v[o - 1].v += s->v[i].v;
		else if (o++ != i)
			s->v[o - 1] = s->v[i];
	}
	s->n = o;
	s->sorted = true;
}

const struct mt_dval *mt_dset_find(const struct mt_dset *s, int sec, const char *name,
				   const char *metric)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct mt_dval *d = &s->v[mid];
		int c = key_cmp(sec, name, metric, d->sec, d->name, d->metric);

		if (!c)
			return d;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static double dabs(double x)
{
	return x < 0 ? -x : x;
}

static double dmax(double a, double b)
{
	return a > b ? a : b;
}

static double val_of(const struct mt_dset *s, const struct mt_dval *k)
{
	const struct mt_dval *d = mt_dset_find(s, k->sec, k->name, k->metric);

	return d ? d->v : 0;
}

static int row_cmp(const void *a, const void *b)
{
	const struct mt_diff_row *x = a, *y = b;
	double dx = dabs(x->delta), dy = dabs(y->delta);
	bool bx = mt_diff_metric_is_bytes(x->metric), by = mt_diff_metric_is_bytes(y->metric);

	if (x->flagged != y->flagged)
		return x->flagged ? -1 : 1;
	if (bx != by)
		return bx ? -1 : 1;
	if (dx != dy)
		return dx > dy ? -1 : 1;
	return key_cmp(x->sec, x->name, x->metric, y->sec, y->name, y->metric);
}

size_t mt_diff_stack_begin(char *name, size_t len, const char *kind, bool recorded)
{
	int n = snprintf(name, len, "%s%s", kind, recorded ? "" : MT_STACK_UNRECORDED);

	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

size_t mt_diff_stack_frame(char *name, size_t len, size_t at, const char *frame)
{
	int n;

	if (at + 1 >= len)
		return at;
	n = snprintf(name + at, len - at, ";%s", frame);
	for (char *c = name + at + 1; *c; c++)
		if (*c == ';' || *c == '\n')
			*c = '_';
	return n < 0 ? at : at + (size_t)n < len ? at + (size_t)n : len - 1;
}

/*
 * A stack that hit a full or colliding stack table is counted under its kind's "[stack not
 * recorded]" row: in a run where that row holds X, any real stack of the kind may be short
 * by up to X. So a stack row must move by more than the most any set lost, on top of the
 * spread, to be news; the unrecorded row itself is a loss, never a change.
 */
static double stack_unrecorded(const struct mt_dval *k, const struct mt_dset *bases, int nr_base,
			       const struct mt_dset *newv)
{
	char name[MT_DIFF_NAME_LEN];
	const char *semi = strchr(k->name, ';');
	double most = 0;

	if (!semi)
		return 0;
	snprintf(name, sizeof(name), "%.*s%s", (int)(semi - k->name), k->name, MT_STACK_UNRECORDED);
	for (int i = 0; i <= nr_base; i++) {
		const struct mt_dval *d =
			mt_dset_find(i < nr_base ? &bases[i] : newv, k->sec, name, k->metric);

		most = d ? dmax(most, d->v) : most;
	}
	return most;
}

/* Every key of any set, once: the rows of the diff. */
static int add_row(struct mt_diff *d, size_t *cap, const struct mt_dval *k,
		   const struct mt_dset *bases, int nr_base, const struct mt_dset *newv,
		   const struct mt_diff_opts *o)
{
	struct mt_diff_row *r;
	double sum = 0, spread = 0, min;

	r = mt_push(&d->rows, &d->n, cap, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->sec = k->sec;
	r->name = k->name;
	r->metric = k->metric;
	for (int i = 0; i < nr_base; i++)
		sum += val_of(&bases[i], k);
	r->mean = sum / nr_base;
	for (int i = 0; i < nr_base; i++)
		spread = dmax(spread, dabs(val_of(&bases[i], k) - r->mean));
	r->spread = spread;
	r->newv = val_of(newv, k);
	r->delta = r->newv - r->mean;
	r->rel = r->mean != 0 ? r->delta / r->mean : (r->delta != 0 ? HUGE_VAL : 0);
	min = mt_diff_metric_is_bytes(k->metric) ? o->min_bytes : o->min_count;
	if (k->sec == MT_DSEC_STACK && strstr(k->name, MT_STACK_UNRECORDED)) {
		d->nr_unrecorded += r->delta != 0;
		r->flagged = false;
		return 0;
	}
	if (k->sec == MT_DSEC_STACK)
		spread += stack_unrecorded(k, bases, nr_base, newv);
	r->flagged = dabs(r->delta) > spread && dabs(r->delta) >= min && r->delta != 0 &&
		     dabs(r->delta) >= o->min_rel * dabs(r->mean);
	d->nr_flagged += r->flagged;
	return 0;
}

static bool seen_before(const struct mt_dval *k, const struct mt_dset *sets, int upto)
{
	for (int i = 0; i < upto; i++)
		if (mt_dset_find(&sets[i], k->sec, k->name, k->metric))
			return true;
	return false;
}

int mt_diff_compute(struct mt_diff *d, struct mt_dset *bases, int nr_base, struct mt_dset *newv,
		    const struct mt_diff_opts *o)
{
	size_t cap = 0;
	int err;

	memset(d, 0, sizeof(*d));
	if (nr_base < 1 || nr_base > MT_DIFF_MAX_BASE)
		return -EINVAL;
	d->nr_base = nr_base;
	for (int i = 0; i < nr_base; i++)
		mt_dset_finish(&bases[i]);
	mt_dset_finish(newv);
	/* keys of the bases first (in order), then the ones only the new run has */
	for (int i = 0; i < nr_base; i++) {
		for (size_t j = 0; j < bases[i].n; j++) {
			if (seen_before(&bases[i].v[j], bases, i))
				continue;
			err = add_row(d, &cap, &bases[i].v[j], bases, nr_base, newv, o);
			if (err)
				goto fail;
		}
	}
	for (size_t j = 0; j < newv->n; j++) {
		if (seen_before(&newv->v[j], bases, nr_base))
			continue;
		err = add_row(d, &cap, &newv->v[j], bases, nr_base, newv, o);
		if (err)
			goto fail;
	}
	if (d->n)
		qsort(d->rows, d->n, sizeof(*d->rows), row_cmp);
	return 0;
fail:
	mt_diff_free(d);
	return err;
}

void mt_diff_free(struct mt_diff *d)
{
	free(d->rows);
	memset(d, 0, sizeof(*d));
}
