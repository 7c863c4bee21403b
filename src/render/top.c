// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "render/render.h"
#include "render/top.h"
#include "sys/util.h"

static const char *const sort_names[MT_TOP_SORT_MAX] = { "bytes", "allocs", "frees", "net" };

int mt_top_sort_parse(const char *s)
{
	for (int i = 0; i < MT_TOP_SORT_MAX; i++)
		if (!strcmp(s, sort_names[i]))
			return i;
	return -1;
}

const char *mt_top_sort_name(int sort)
{
	return sort >= 0 && sort < MT_TOP_SORT_MAX ? sort_names[sort] : "?";
}

static int sort_key;

static long long key_of(const struct mt_top_delta *d)
{
	switch (sort_key) {
	case MT_TOP_SORT_ALLOCS:
		return (long long)d->allocs;
	case MT_TOP_SORT_FREES:
		return (long long)d->frees;
	case MT_TOP_SORT_NET:
		return (long long)d->bytes - (long long)d->bytes_freed;
	default:
		return (long long)d->bytes;
	}
}

static int cmp_delta(const void *a, const void *b)
{
	const struct mt_top_delta *x = a, *y = b;
	long long kx = key_of(x), ky = key_of(y);

	if (kx != ky)
		return kx < ky ? 1 : -1;
	return x->key < y->key ? -1 : x->key > y->key;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* prev's rows by key: (key, index) pairs sorted for bsearch */
struct idx {
	__u64 key;
	size_t i;
};

/* A live process and its row once ended share the key, so its rate goes on across the move. */
static __u64 proc_key(const struct mt_proc_row *p)
{
	return p->folded_key ? 1ULL << 32 | p->folded_key : p->tgid;
}

static struct idx *index_procs(const struct mt_report *r)
{
	struct idx *x = calloc(r->nr_procs + 1, sizeof(*x));

	for (size_t i = 0; x && i < r->nr_procs; i++)
		x[i] = (struct idx){ proc_key(&r->procs[i]), i };
	if (x)
		qsort(x, r->nr_procs, sizeof(*x), cmp_u64);
	return x;
}

static struct idx *index_caches(const struct mt_report *r)
{
	struct idx *x = calloc(r->nr_caches + 1, sizeof(*x));

	for (size_t i = 0; x && i < r->nr_caches; i++)
		x[i] = (struct idx){ r->caches[i].key, i };
	if (x)
		qsort(x, r->nr_caches, sizeof(*x), cmp_u64);
	return x;
}

static __u64 sub(__u64 a, __u64 b)
{
	return a > b ? a - b : 0; /* a row recreated meanwhile: never a negative rate */
}

static void sum_proc(const struct mt_proc_row *p, __u64 *a, __u64 *f, __u64 *b, __u64 *bf)
{
	*a = *f = *b = *bf = 0;
	for (int k = 0; k < MT_CLASS_MAX; k++) {
		*a += p->allocs[k];
		*f += p->frees[k];
		*b += p->bytes[k];
		*bf += p->bytes_freed[k];
	}
}

int mt_top_view_make(struct mt_top_view *v, const struct mt_report *prev,
		     const struct mt_report *cur, double dt, int sort)
{
	struct idx *pi = NULL, *ci = NULL;

	memset(v, 0, sizeof(*v));
	v->dt = dt;
	v->procs = calloc(cur->nr_procs + 1, sizeof(*v->procs));
	v->caches = calloc(cur->nr_caches + 1, sizeof(*v->caches));
	if (prev) {
		pi = index_procs(prev);
		ci = index_caches(prev);
	}
	if (!v->procs || !v->caches || (prev && (!pi || !ci))) {
		free(pi);
		free(ci);
		mt_top_view_free(v);
		return -ENOMEM;
	}
	for (int k = 0; k < MT_CLASS_MAX; k++) {
		const struct mt_counts *c = &cur->tot.cls[k], *p = prev ? &prev->tot.cls[k] : NULL;

		v->cls[k].allocs = sub(c->allocs, p ? p->allocs : 0);
		v->cls[k].frees = sub(c->frees, p ? p->frees : 0);
		v->cls[k].bytes_req = sub(c->bytes_req, p ? p->bytes_req : 0);
		v->cls[k].bytes_alloc = sub(c->bytes_alloc, p ? p->bytes_alloc : 0);
		v->cls[k].bytes_freed = sub(c->bytes_freed, p ? p->bytes_freed : 0);
		v->cls[k].failures = sub(c->failures, p ? p->failures : 0);
	}
	v->events = sub(cur->tot.events, prev ? prev->tot.events : 0);
	for (size_t i = 0; i < cur->nr_procs; i++) {
		const struct mt_proc_row *c = &cur->procs[i];
		struct mt_top_delta *d = &v->procs[v->nr_procs];
		__u64 a, f, b, bf, pa = 0, pf = 0, pb = 0, pbf = 0;
		struct idx key = { proc_key(c), 0 }, *hit;

		hit = prev ? bsearch(&key, pi, prev->nr_procs, sizeof(*pi), cmp_u64) : NULL;
		if (hit)
			sum_proc(&prev->procs[hit->i], &pa, &pf, &pb, &pbf);
		sum_proc(c, &a, &f, &b, &bf);
		*d = (struct mt_top_delta){ .key = key.key,
					    .allocs = sub(a, pa),
					    .frees = sub(f, pf),
					    .bytes = sub(b, pb),
					    .bytes_freed = sub(bf, pbf) };
		mt_proc_id(d->id, sizeof(d->id), c);
		snprintf(d->name, sizeof(d->name), "%s", c->comm);
		if (d->allocs || d->frees)
			v->nr_procs++;
	}
	for (size_t i = 0; i < cur->nr_caches; i++) {
		const struct mt_cache_row *c = &cur->caches[i], *p = NULL;
		struct mt_top_delta *d = &v->caches[v->nr_caches];
		struct idx key = { c->key, 0 }, *hit;

		hit = prev ? bsearch(&key, ci, prev->nr_caches, sizeof(*ci), cmp_u64) : NULL;
		if (hit)
			p = &prev->caches[hit->i];
		*d = (struct mt_top_delta){ .key = c->key,
					    .allocs = sub(c->allocs, p ? p->allocs : 0),
					    .frees = sub(c->frees, p ? p->frees : 0),
					    .bytes = sub(c->bytes_alloc, p ? p->bytes_alloc : 0),
					    .bytes_freed =
						    sub(c->bytes_freed, p ? p->bytes_freed : 0) };
		snprintf(d->name, sizeof(d->name), "%s", c->name);
		if (d->allocs || d->frees)
			v->nr_caches++;
	}
	free(pi);
	free(ci);
	sort_key = sort;
	qsort(v->procs, v->nr_procs, sizeof(*v->procs), cmp_delta);
	qsort(v->caches, v->nr_caches, sizeof(*v->caches), cmp_delta);
	return 0;
}

void mt_top_view_free(struct mt_top_view *v)
{
	free(v->procs);
	free(v->caches);
	memset(v, 0, sizeof(*v));
}

/* A rate as a whole count per second, with thousands separators. */
static const char *rate(char *buf, size_t len, __u64 n, double dt)
{
	return mt_fmt_count(buf, len, (unsigned long long)(dt > 0 ? n / dt + 0.5 : 0));
}

static const char *brate(char *buf, size_t len, long long n, double dt)
{
	char b[32];

	snprintf(buf, len, "%s/s", mt_fmt_bytes(b, sizeof(b), (long long)(dt > 0 ? n / dt : 0)));
	return buf;
}

static void table(FILE *f, const char *title, const struct mt_top_delta *d, size_t n, size_t rows,
		  double dt, bool pids)
{
	char a[32], fr[32], b[32], net[32];

	fprintf(f, "\n%-7s %-22s %10s %10s %12s %12s\n", pids ? "PID" : "", title, "allocs/s",
		"frees/s", "alloc/s", "net/s");
	for (size_t i = 0; i < n && i < rows; i++) {
		fprintf(f, "%-7s %-22.22s %10s %10s %12s %12s\n", pids ? d[i].id : "", d[i].name,
			rate(a, sizeof(a), d[i].allocs, dt), rate(fr, sizeof(fr), d[i].frees, dt),
			brate(b, sizeof(b), (long long)d[i].bytes, dt),
			brate(net, sizeof(net), (long long)d[i].bytes - (long long)d[i].bytes_freed,
			      dt));
	}
	if (!n)
		fprintf(f, "        (no activity)\n");
}

/*
 * Every loss since the start, on every refresh: a table that filled an hour ago still
 * makes every figure since then partial. Nothing when nothing was lost.
 */
static void losses(FILE *f, const struct mt_report *r, bool color)
{
	__u64 lost = mt_report_lost_total(r);
	char n[32], m[32];
	size_t len = 0;
	char why[160] = "";

	if (!lost)
		return;
	for (int i = 0; i < MT_LOSS_MAX && len < sizeof(why); i++)
		if (r->tot.lost[i])
			len += (size_t)snprintf(why + len, sizeof(why) - len, "%s%s %s",
						len ? ", " : "", mt_loss_name(i),
						mt_fmt_count(m, sizeof(m), r->tot.lost[i]));
	if (r->run.missed_runs && len < sizeof(why))
		len += (size_t)snprintf(why + len, sizeof(why) - len, "%smissed BPF runs %s",
					len ? ", " : "",
					mt_fmt_count(m, sizeof(m), r->run.missed_runs));
	if (mt_pair_lost_total(&r->pair) && len < sizeof(why))
		snprintf(why + len, sizeof(why) - len, "%spairing and stacks %s", len ? ", " : "",
			 mt_fmt_count(m, sizeof(m), mt_pair_lost_total(&r->pair)));
	fprintf(f, "%sLOST %s events since the start: %s%s\n", color ? "\033[1;31m" : "",
		mt_fmt_count(n, sizeof(n), lost), why, color ? "\033[0m" : "");
}

void mt_top_render(FILE *f, const struct mt_top_view *v, const struct mt_report *cur, int interval,
		   int rows, bool color)
{
	char a[32], fr[32], b[32], bf[32], ev[32];

	fprintf(f, "memtrace top: interval %d (%.2f s), %s; events/s %s\n", interval, v->dt,
		cur->run.nr_pids ? "given processes" : "system-wide",
		rate(ev, sizeof(ev), v->events, v->dt));
	losses(f, cur, color);
	fprintf(f, "%-15s %12s %12s %14s %14s\n", "class", "allocs/s", "frees/s", "alloc/s",
		"freed/s");
	for (int k = 0; k < MT_CLASS_MAX; k++) {
		const struct mt_counts *c = &v->cls[k];

		if (!cur->run.class_traced[k])
			continue;
		fprintf(f, "%-15s %12s %12s %14s %14s\n", mt_class_name(k),
			rate(a, sizeof(a), c->allocs, v->dt), rate(fr, sizeof(fr), c->frees, v->dt),
			brate(b, sizeof(b), (long long)c->bytes_alloc, v->dt),
			brate(bf, sizeof(bf), (long long)c->bytes_freed, v->dt));
	}
	table(f, "COMM", v->procs, v->nr_procs, rows, v->dt, true);
	table(f, "SLAB CACHE", v->caches, v->nr_caches, rows, v->dt, false);
}
