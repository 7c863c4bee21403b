// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The timeline (src/model/model_timeline.c, timeline_take.c): synthetic cumulative reports
 * snapshot by snapshot; the points' counts sum to the last report's totals, per class and
 * per name; an exec'd process's old name never goes negative; the top per point; merging
 * once there are too many points keeps the sums; the JSON section; the record chunk's round
 * trip and its refusal of damage.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/model.h"
#include "model/model_timeline.h"
#include "record/record_timeline.h"
#include "render/render.h"

/* The k-th cumulative report of a run where each interval adds a known amount. */
static void report_at(struct mt_report *r, int k)
{
	struct mt_proc p = {};
	struct mt_cache c = {};

	mt_report_init(r);
	r->run.class_traced[MT_CLASS_LOGICAL] = true;
	r->run.class_traced[MT_CLASS_PHYSICAL] = true;
	/* interval i adds 10*i slab objects of 64 bytes and i pages; frees lag one interval */
	for (int i = 1; i <= k; i++) {
		r->tot.cls[MT_CLASS_LOGICAL].allocs += 10 * i;
		r->tot.cls[MT_CLASS_LOGICAL].bytes_alloc += 640 * i;
		r->tot.cls[MT_CLASS_PHYSICAL].allocs += i;
		r->tot.cls[MT_CLASS_PHYSICAL].bytes_alloc += 4096 * i;
		if (i > 1) {
			r->tot.cls[MT_CLASS_LOGICAL].frees += 10 * (i - 1);
			r->tot.cls[MT_CLASS_LOGICAL].bytes_freed += 640 * (i - 1);
		}
	}
	r->tot.lost[MT_LOSS_RINGBUF] = k >= 3 ? 7 : 0; /* a loss in the third interval */
	r->lat.tot.k[0].count = k;		       /* one stall per interval */
	r->lat.tot.k[0].total_ns = 1000ULL * k;
	/* two cc1 processes (one name), a make, all slab */
	snprintf(p.comm, sizeof(p.comm), "cc1");
	p.allocs[MT_CLASS_LOGICAL] = 3ULL * k;
	p.bytes[MT_CLASS_LOGICAL] = 300ULL * k;
	assert_int_equal(mt_report_add_proc(r, 100, &p, 1), 0);
	assert_int_equal(mt_report_add_proc(r, 101, &p, 1), 0);
	snprintf(p.comm, sizeof(p.comm), "make");
	p.allocs[MT_CLASS_LOGICAL] = 1ULL * k;
	p.bytes[MT_CLASS_LOGICAL] = 1000ULL * k;
	assert_int_equal(mt_report_add_proc(r, 50, &p, 1), 0);
	snprintf(c.name, sizeof(c.name), "kmalloc-64");
	c.allocs = 10ULL * k;
	c.bytes_alloc = 640ULL * k;
	assert_int_equal(mt_report_add_cache(r, 1, &c, 1), 0);
	mt_report_finish(r);
}

static void take_n(struct mt_timeline *tl, int n, struct mt_report *last)
{
	for (int k = 1; k <= n; k++) {
		struct mt_report r;

		report_at(&r, k);
		assert_int_equal(mt_timeline_take(tl, &r, (double)k), 0);
		if (k == n)
			*last = r;
		else
			mt_report_free(&r);
	}
}

static const struct mt_tl_named *find(const struct mt_tl_named *n, unsigned int nr,
				      const char *name)
{
	for (unsigned int i = 0; i < nr; i++)
		if (!strcmp(n[i].name, name))
			return &n[i];
	return NULL;
}

/* Every count of every point summed equals the report's; the levels are the last one's. */
static void assert_sums(const struct mt_timeline *tl, const struct mt_report *r)
{
	__u64 stalls = 0, lost = 0, cc1 = 0, make = 0, cache = 0;
	double dt = 0;

	for (int k = 0; k < MT_CLASS_MAX; k++) {
		__u64 a = 0, f = 0, ba = 0, bf = 0;

		for (size_t i = 0; i < tl->nr; i++) {
			a += tl->p[i].cls[k].allocs;
			f += tl->p[i].cls[k].frees;
			ba += tl->p[i].cls[k].bytes_alloc;
			bf += tl->p[i].cls[k].bytes_freed;
		}
		assert_int_equal(a, r->tot.cls[k].allocs);
		assert_int_equal(f, r->tot.cls[k].frees);
		assert_int_equal(ba, r->tot.cls[k].bytes_alloc);
		assert_int_equal(bf, r->tot.cls[k].bytes_freed);
		assert_int_equal(tl->p[tl->nr - 1].cls[k].net_bytes,
				 (__s64)r->tot.cls[k].bytes_alloc -
					 (__s64)r->tot.cls[k].bytes_freed);
	}
	for (size_t i = 0; i < tl->nr; i++) {
		const struct mt_tl_named *n = find(tl->p[i].procs, tl->p[i].nr_procs, "cc1");

		cc1 += n ? n->bytes : 0;
		n = find(tl->p[i].procs, tl->p[i].nr_procs, "make");
		make += n ? n->bytes : 0;
		n = find(tl->p[i].caches, tl->p[i].nr_caches, "kmalloc-64");
		cache += n ? n->allocs : 0;
		stalls += tl->p[i].stalls;
		lost += tl->p[i].lost;
		dt += tl->p[i].dt_s;
	}
	assert_int_equal(cc1, 600 * (__u64)tl->last_t_s); /* by name: both pids */
	assert_int_equal(make, 1000 * (__u64)tl->last_t_s);
	assert_int_equal(cache, r->caches[0].allocs);
	assert_int_equal(stalls, r->lat.tot.k[0].count);
	assert_int_equal(lost, mt_report_lost_total(r));
	assert_true(dt > tl->last_t_s - 1e-9 && dt < tl->last_t_s + 1e-9);
}

static void test_sums(void **state)
{
	struct mt_timeline tl;
	struct mt_report last;

	(void)state;
	mt_timeline_init(&tl, 1.0);
	take_n(&tl, 6, &last);
	assert_int_equal(tl.nr, 6);
	assert_sums(&tl, &last);
	/* the third interval's loss is in the third point, nowhere else */
	assert_int_equal(tl.p[2].lost, 7);
	assert_int_equal(tl.p[3].lost, 0);
	/* interval 4 alone: 40 objects, 4 pages */
	assert_int_equal(tl.p[3].cls[MT_CLASS_LOGICAL].allocs, 40);
	assert_int_equal(tl.p[3].cls[MT_CLASS_PHYSICAL].bytes_alloc, 4 * 4096);
	assert_int_equal(tl.p[3].cls[MT_CLASS_LOGICAL].frees, 30);
	assert_true(tl.p[3].t_s == 4.0 && tl.p[3].dt_s == 1.0);
	/* cc1 (two pids, 600 B per interval) above make (1000 B): by name, most bytes first */
	assert_string_equal(tl.p[0].procs[0].name, "make");
	assert_string_equal(tl.p[0].procs[1].name, "cc1");
	assert_int_equal(tl.p[0].procs[1].bytes, 600);
	mt_report_free(&last);
	mt_timeline_free(&tl);
}

/* A process that exec'd has a new name: the old one's count shrinks, shown as none. */
static void test_exec_rename(void **state)
{
	struct mt_timeline tl;
	struct mt_report r;
	struct mt_proc p = {};

	(void)state;
	mt_timeline_init(&tl, 1.0);
	mt_report_init(&r);
	snprintf(p.comm, sizeof(p.comm), "sh");
	p.allocs[MT_CLASS_LOGICAL] = 5;
	p.bytes[MT_CLASS_LOGICAL] = 500;
	assert_int_equal(mt_report_add_proc(&r, 7, &p, 1), 0);
	assert_int_equal(mt_timeline_take(&tl, &r, 1.0), 0);
	mt_report_free(&r);

	mt_report_init(&r);
	snprintf(p.comm, sizeof(p.comm), "make");
	p.allocs[MT_CLASS_LOGICAL] = 8;
	p.bytes[MT_CLASS_LOGICAL] = 800;
	assert_int_equal(mt_report_add_proc(&r, 7, &p, 1), 0);
	assert_int_equal(mt_timeline_take(&tl, &r, 2.0), 0);
	mt_report_free(&r);

	assert_int_equal(tl.nr, 2);
	assert_int_equal(tl.p[0].nr_procs, 1);
	assert_string_equal(tl.p[0].procs[0].name, "sh");
	assert_int_equal(tl.p[1].nr_procs, 1); /* "sh" went to zero: not listed, not negative */
	assert_string_equal(tl.p[1].procs[0].name, "make");
	assert_int_equal(tl.p[1].procs[0].bytes, 800);
	mt_timeline_free(&tl);
}

/* Seven names in an interval: the five with most bytes, in order. */
static void test_top(void **state)
{
	struct mt_timeline tl;
	struct mt_report r;

	(void)state;
	mt_timeline_init(&tl, 1.0);
	mt_report_init(&r);
	for (int i = 0; i < 7; i++) {
		struct mt_cache c = {};

		snprintf(c.name, sizeof(c.name), "cache-%d", i);
		c.allocs = 1;
		c.bytes_alloc = (__u64)((i * 3) % 7 + 1) * 100; /* 100, 400, 700, 300, ... */
		assert_int_equal(mt_report_add_cache(&r, (__u64)i + 1, &c, 1), 0);
	}
	assert_int_equal(mt_timeline_take(&tl, &r, 1.0), 0);
	assert_int_equal(tl.p[0].nr_caches, MT_TL_TOP);
	for (unsigned int i = 0; i < MT_TL_TOP; i++)
		assert_int_equal(tl.p[0].caches[i].bytes, (7 - i) * 100);
	assert_string_equal(tl.p[0].caches[0].name, "cache-2");
	mt_report_free(&r);
	mt_timeline_free(&tl);
}

/* Past max_points, pairs merge: fewer, longer points, the same sums, evenly spaced. */
static void test_merge(void **state)
{
	struct mt_timeline tl;
	struct mt_report last;

	(void)state;
	mt_timeline_init(&tl, 1.0);
	tl.max_points = 4;
	take_n(&tl, 13, &last);
	assert_true(tl.nr <= 4);
	assert_true(tl.interval_s == 4.0);
	assert_int_equal(tl.nr, 4); /* 4+4+4 merged, the 13th alone */
	assert_true(tl.p[0].t_s == 4.0 && tl.p[0].dt_s == 4.0);
	assert_true(tl.p[2].t_s == 12.0);
	assert_true(tl.p[3].t_s == 13.0 && tl.p[3].dt_s == 1.0);
	assert_sums(&tl, &last);
	mt_report_free(&last);
	mt_timeline_free(&tl);
}

static char *render_json(const struct mt_report *r)
{
	struct mt_render_opts o = {};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(mt_render_json(f, r, &o), 0);
	fclose(f);
	return buf;
}

static void test_json(void **state)
{
	struct json_object *o, *tl, *pts, *p, *v;
	struct mt_report last;
	char *text;

	(void)state;
	report_at(&last, 3);
	mt_timeline_init(&last.tl, 0.5);
	for (int k = 1; k <= 3; k++) {
		struct mt_report r;

		report_at(&r, k);
		assert_int_equal(mt_timeline_take(&last.tl, &r, k * 0.5), 0);
		mt_report_free(&r);
	}
	text = render_json(&last);
	o = json_tokener_parse(text);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "timeline", &tl));
	assert_true(json_object_object_get_ex(tl, "interval_s", &v));
	assert_true(json_object_get_double(v) == 0.5);
	assert_true(json_object_object_get_ex(tl, "points", &pts));
	assert_int_equal(json_object_array_length(pts), 3);
	p = json_object_array_get_idx(pts, 2);
	assert_true(json_object_object_get_ex(p, "classes", &v));
	assert_true(json_object_object_get_ex(v, "kernel_logical", &v));
	assert_true(json_object_object_get_ex(v, "allocs", &v));
	assert_int_equal(json_object_get_int64(v), 30);
	assert_true(json_object_object_get_ex(p, "lost", &v));
	assert_int_equal(json_object_get_int64(v), 7);
	assert_true(json_object_object_get_ex(p, "processes", &v));
	assert_int_equal(json_object_array_length(v), 2);
	json_object_put(o);
	free(text);

	/* no points: null, so a consumer tells "none taken" from "nothing happened" */
	mt_timeline_free(&last.tl);
	text = render_json(&last);
	o = json_tokener_parse(text);
	assert_true(json_object_object_get_ex(o, "timeline", &tl));
	assert_true(json_object_is_type(tl, json_type_null));
	json_object_put(o);
	free(text);
	mt_report_free(&last);
}

static void test_record_round_trip(void **state)
{
	struct mt_timeline tl, back;
	struct mt_report last;
	struct mt_buf b = {};
	char *text;

	(void)state;
	mt_timeline_init(&tl, 1.0);
	take_n(&tl, 5, &last);
	/* a name with a space, a percent sign and a byte past ASCII survives */
	snprintf(tl.p[1].procs[0].name, MT_TL_NAME_LEN, "a b%%c\xc3\xa9");
	mt_rec_timeline_put(&b, &tl);
	assert_false(b.oom);
	assert_int_equal(mt_rec_timeline_parse(b.p, b.len, &back), 0);
	assert_int_equal(back.nr, tl.nr);
	assert_true(back.interval_s == tl.interval_s);
	for (size_t i = 0; i < tl.nr; i++) {
		const struct mt_tl_point *x = &tl.p[i], *y = &back.p[i];

		assert_true(x->t_s == y->t_s && x->dt_s == y->dt_s);
		assert_memory_equal(x->cls, y->cls, sizeof(x->cls));
		assert_int_equal(x->stalls, y->stalls);
		assert_int_equal(x->lost, y->lost);
		assert_int_equal(x->nr_procs, y->nr_procs);
		assert_int_equal(x->nr_caches, y->nr_caches);
		for (unsigned int j = 0; j < x->nr_procs; j++) {
			assert_string_equal(x->procs[j].name, y->procs[j].name);
			assert_int_equal(x->procs[j].bytes, y->procs[j].bytes);
		}
	}
	mt_timeline_free(&back);

	/* damage: a flipped letter, a cut line, a number that is not one */
	text = strndup(b.p, b.len);
	*strstr(text, "class ") = 'k';
	assert_int_equal(mt_rec_timeline_parse(text, b.len, &back), -EINVAL);
	assert_int_equal(back.nr, 0);
	assert_int_equal(mt_rec_timeline_parse(b.p, b.len - 1, &back), -EINVAL);
	memcpy(text, b.p, b.len);
	*strstr(text, "point ") = 'x';
	assert_int_equal(mt_rec_timeline_parse(text, b.len, &back), -EINVAL);
	assert_int_equal(mt_rec_timeline_parse("interval 1\nproc 1 2 x\n", 23, &back), -EINVAL);
	assert_int_equal(mt_rec_timeline_parse("point 1 1 0 0 0\n", 16, &back), -EINVAL);
	assert_int_equal(mt_rec_timeline_parse("interval nan\n", 13, &back), -EINVAL);
	free(text);
	mt_buf_free(&b);
	mt_report_free(&last);
	mt_timeline_free(&tl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sums), cmocka_unit_test(test_exec_rename),
		cmocka_unit_test(test_top),  cmocka_unit_test(test_merge),
		cmocka_unit_test(test_json), cmocka_unit_test(test_record_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
