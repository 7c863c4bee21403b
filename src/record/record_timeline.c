// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The TIMELINE chunk, text lines:
 *   interval SECS
 *   point T_S DT_S STALLS STALL_NS LOST        (starts a point; the lines below belong to it)
 *   class KEY ALLOCS FREES BYTES_ALLOCATED BYTES_FREED NET_BYTES NET_OBJECTS
 *   proc ALLOCS BYTES NAME                     (NAME last, bytes outside '!'..'~' and '%'
 *   cache ALLOCS BYTES NAME                     written as %XX)
 * The reader is strict: a line it does not know, or a number it cannot read, refuses the
 * whole chunk (the recording may be damaged), and report goes on without a timeline.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/model_classes.h"
#include "record/record_timeline.h"

static void put_name(struct mt_buf *b, const char *name)
{
	for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
		if (*c <= ' ' || *c > '~' || *c == '%')
			mt_buf_printf(b, "%%%02X", *c);
		else
			mt_buf_put(b, c, 1);
	}
}

static void put_named(struct mt_buf *b, const char *tag, const struct mt_tl_named *n,
		      unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++) {
		mt_buf_printf(b, "%s %llu %llu ", tag, (unsigned long long)n[i].allocs,
			      (unsigned long long)n[i].bytes);
		put_name(b, n[i].name);
		mt_buf_put(b, "\n", 1);
	}
}

void mt_rec_timeline_put(struct mt_buf *b, const struct mt_timeline *tl)
{
	mt_buf_printf(b, "interval %.9g\n", tl->interval_s);
	for (size_t i = 0; i < tl->nr; i++) {
		const struct mt_tl_point *p = &tl->p[i];

		mt_buf_printf(b, "point %.9g %.9g %llu %llu %llu\n", p->t_s, p->dt_s,
			      (unsigned long long)p->stalls, (unsigned long long)p->stall_ns,
			      (unsigned long long)p->lost);
		for (int k = 0; k < MT_CLASS_MAX; k++) {
			const struct mt_tl_class *c = &p->cls[k];

			if (!c->allocs && !c->frees && !c->bytes_alloc && !c->bytes_freed &&
			    !c->net_bytes && !c->net_objs)
				continue;
			mt_buf_printf(b, "class %s %llu %llu %llu %llu %lld %lld\n",
				      mt_class_key(k), (unsigned long long)c->allocs,
				      (unsigned long long)c->frees,
				      (unsigned long long)c->bytes_alloc,
				      (unsigned long long)c->bytes_freed, (long long)c->net_bytes,
				      (long long)c->net_objs);
		}
		put_named(b, "proc", p->procs, p->nr_procs);
		put_named(b, "cache", p->caches, p->nr_caches);
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int get_name(const char *s, char *out, size_t size)
{
	size_t n = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		int c = (unsigned char)*s;

		if (c == '%') {
			int hi = hexval(s[1]), lo = hi < 0 ? -1 : hexval(s[2]);

			if (lo < 0)
				return -EINVAL;
			c = hi << 4 | lo;
			s += 2;
		} else if (c <= ' ' || c > '~') {
			return -EINVAL;
		}
		if (!c || n + 1 >= size)
			return -EINVAL;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return 0;
}

static int class_of(const char *key)
{
	for (int k = 0; k < MT_CLASS_MAX; k++)
		if (!strcmp(mt_class_key(k), key))
			return k;
	return -1;
}

/* "ALLOCS BYTES NAME" of a proc or cache line, appended to the point's list of them. */
static int named_line(const char *s, struct mt_tl_named *list, unsigned int *nr)
{
	unsigned long long a, b;
	int n = 0;

	if (sscanf(s, "%llu %llu %n", &a, &b, &n) != 2 || !n || *nr >= MT_TL_TOP)
		return -EINVAL;
	list[*nr] = (struct mt_tl_named){ .allocs = a, .bytes = b };
	if (get_name(s + n, list[*nr].name, MT_TL_NAME_LEN))
		return -EINVAL;
	(*nr)++;
	return 0;
}

/* One line (NUL-terminated) into the point being read; *pt is NULL before the first. */
static int line(char *s, struct mt_timeline *tl, struct mt_tl_point *pt, bool *have_pt,
		bool *have_interval)
{
	unsigned long long a, b, c, d;
	long long f, g;
	char key[32];
	double t, dt;
	int n = 0, k;

	if (sscanf(s, "interval %lf%n", &t, &n) == 1 && !s[n]) {
		if (*have_interval || !(t > 0 && t <= 1e9))
			return -EINVAL;
		tl->interval_s = t;
		*have_interval = true;
		return 0;
	}
	if (sscanf(s, "point %lf %lf %llu %llu %llu%n", &t, &dt, &a, &b, &c, &n) == 5 && !s[n]) {
		if (!(t >= 0 && t <= 1e9 && dt >= 0 && dt <= 1e9))
			return -EINVAL;
		if (*have_pt && mt_timeline_append(tl, pt))
			return -ENOMEM;
		*pt = (struct mt_tl_point){ .t_s = t,
					    .dt_s = dt,
					    .stalls = a,
					    .stall_ns = b,
					    .lost = c,
					    .samples = 1 };
		*have_pt = true;
		return 0;
	}
	if (!*have_pt)
		return -EINVAL;
	if (sscanf(s, "class %31s %llu %llu %llu %llu %lld %lld%n", key, &a, &b, &c, &d, &f, &g,
		   &n) == 7 &&
	    !s[n]) {
		k = class_of(key);
		if (k < 0)
			return -EINVAL;
		pt->cls[k] = (struct mt_tl_class){ a, b, c, d, f, g };
		return 0;
	}
	if (!strncmp(s, "proc ", 5))
		return named_line(s + 5, pt->procs, &pt->nr_procs);
	if (!strncmp(s, "cache ", 6))
		return named_line(s + 6, pt->caches, &pt->nr_caches);
	return -EINVAL;
}

int mt_rec_timeline_parse(const char *p, size_t len, struct mt_timeline *tl)
{
	struct mt_tl_point pt = {};
	bool have_pt = false, have_interval = false;
	char buf[512];
	int err = 0;

	mt_timeline_init(tl, 0);
	tl->max_points = (size_t)-1; /* the recording's points as they were */
	while (len && !err) {
		const char *nl = memchr(p, '\n', len);
		size_t n = nl ? (size_t)(nl - p) : len;

		if (!nl || n >= sizeof(buf) || memchr(p, '\0', n)) {
			err = -EINVAL; /* every line ends in a newline, none is this long */
			break;
		}
		memcpy(buf, p, n);
		buf[n] = '\0';
		err = line(buf, tl, &pt, &have_pt, &have_interval);
		p += n + 1;
		len -= n + 1;
	}
	if (!err && !have_interval)
		err = -EINVAL;
	if (!err && have_pt)
		err = mt_timeline_append(tl, &pt) ? -ENOMEM : 0;
	if (err) {
		mt_timeline_free(tl);
		mt_timeline_init(tl, 0);
	}
	tl->max_points = 0;
	return err;
}
