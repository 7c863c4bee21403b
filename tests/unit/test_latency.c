// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Latency: the pairing of begin/end events (include/mt_latency.h, the very functions the BPF
 * handlers call) driven through synthetic event sequences; the model that sums the per-CPU
 * tables; the text and JSON sections; and the choice of allocator functions per kernel.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "collect/alloclat_pick.h"
#include "mt_hist.h"
#include "render/render.h"

/* ---- a user-space twin of lat_begin/lat_end in bpf/latency.bpf.h over a tiny table ---- */

#define TABLE 4

struct sim {
	struct mt_lat_key key[TABLE];
	struct mt_lat_open val[TABLE];
	bool used[TABLE];
	struct mt_lat_kind_stats ks[MT_LAT_KINDS];
	__u64 deltas[64]; /* measured pairs, in order */
	int nr;
};

static struct mt_lat_open *sim_lookup(struct sim *s, __u32 tid, __u32 kind)
{
	for (int i = 0; i < TABLE; i++)
		if (s->used[i] && s->key[i].tid == tid && s->key[i].kind == kind)
			return &s->val[i];
	return NULL;
}

static void sim_begin(struct sim *s, __u32 tid, __u32 kind, __u64 now, __s32 order)
{
	struct mt_lat_open *o = sim_lookup(s, tid, kind);

	for (int i = 0; !o && i < TABLE; i++) {
		if (s->used[i])
			continue;
		s->used[i] = true;
		s->key[i] = (struct mt_lat_key){ .tid = tid, .kind = kind };
		memset(&s->val[i], 0, sizeof(s->val[i]));
		o = &s->val[i];
	}
	if (!o) {
		s->ks[kind].table_full++;
		return;
	}
	if (mt_lat_push(o, now, order) == MT_PAIR_TOO_DEEP)
		s->ks[kind].too_deep++;
}

static void sim_end(struct sim *s, __u32 tid, __u32 kind, __u64 now)
{
	struct mt_lat_open *o = sim_lookup(s, tid, kind);
	__s32 order = MT_LAT_ORDER_NONE;
	__u64 delta = 0;
	int r;

	if (!o) {
		s->ks[kind].unpaired_ends++;
		return;
	}
	r = mt_lat_pop(o, now, &delta, &order);
	if (!o->depth)
		s->used[o - s->val] = false;
	if (r == MT_PAIR_NO_BEGIN)
		s->ks[kind].unpaired_ends++;
	if (r == MT_PAIR_OK) {
		s->ks[kind].count++;
		s->deltas[s->nr++] = delta;
	}
}

/* What the collector finds in the table after the run: begins that never ended. */
static __u64 sim_open_at_end(struct sim *s, __u32 kind)
{
	struct mt_latency m = {};

	for (int i = 0; i < TABLE; i++)
		if (s->used[i])
			mt_lat_add_open(&m, &s->key[i], &s->val[i]);
	return m.open_at_end[kind];
}

enum {
	K = MT_LAT_MEMCG_RECLAIM
};

static void test_pair_simple(void **state)
{
	struct sim s = {};
	struct mt_lat_open *o;

	sim_begin(&s, 100, K, 1000, 3);
	o = sim_lookup(&s, 100, K);
	assert_non_null(o);
	assert_int_equal(o->order[0], 3);
	sim_end(&s, 100, K, 251000);
	assert_int_equal(s.nr, 1);
	assert_int_equal(s.deltas[0], 250000);
	assert_null(sim_lookup(&s, 100, K)); /* freed once closed */
	assert_int_equal(sim_open_at_end(&s, K), 0);
}

/* The task was already stalled when tracing began: its end has no begin. */
static void test_end_without_begin_at_start(void **state)
{
	struct sim s = {};

	sim_end(&s, 7, K, 500);
	sim_begin(&s, 7, K, 600, 0);
	sim_end(&s, 7, K, 900);
	assert_int_equal(s.ks[K].unpaired_ends, 1);
	assert_int_equal(s.nr, 1);
	assert_int_equal(s.deltas[0], 300);
}

/* Tracing stopped while the task was stalled: the begin stays open and is counted. */
static void test_begin_without_end_at_stop(void **state)
{
	struct sim s = {};

	sim_begin(&s, 7, K, 100, 0);
	sim_end(&s, 7, K, 200);
	sim_begin(&s, 7, K, 300, 0);
	assert_int_equal(s.nr, 1);
	assert_int_equal(sim_open_at_end(&s, K), 1);
	assert_int_equal(s.ks[K].unpaired_ends, 0);
}

/* Same kind nested in one task (an interrupt's allocation inside the task's): LIFO. */
static void test_nested_same_kind(void **state)
{
	struct sim s = {};

	sim_begin(&s, 1, K, 10, 0);
	sim_begin(&s, 1, K, 20, 2);
	sim_end(&s, 1, K, 25);
	sim_end(&s, 1, K, 40);
	assert_int_equal(s.nr, 2);
	assert_int_equal(s.deltas[0], 5);  /* inner */
	assert_int_equal(s.deltas[1], 30); /* outer */
	assert_null(sim_lookup(&s, 1, K));
}

/* Different kinds nest independently (soft-limit reclaim inside direct reclaim). */
static void test_nested_other_kind(void **state)
{
	struct sim s = {};

	sim_begin(&s, 1, MT_LAT_DIRECT_RECLAIM, 100, 0);
	sim_begin(&s, 1, MT_LAT_MEMCG_SOFTLIMIT, 110, 0);
	sim_end(&s, 1, MT_LAT_MEMCG_SOFTLIMIT, 150);
	sim_end(&s, 1, MT_LAT_DIRECT_RECLAIM, 400);
	assert_int_equal(s.nr, 2);
	assert_int_equal(s.deltas[0], 40);
	assert_int_equal(s.deltas[1], 300);
}

/* Two tasks interleaved (and free to run on any CPU): each pairs with its own begin. */
static void test_interleaved_tasks(void **state)
{
	struct sim s = {};

	sim_begin(&s, 1, K, 100, 0);
	sim_begin(&s, 2, K, 150, 0);
	sim_end(&s, 1, K, 170);
	sim_begin(&s, 1, K, 180, 0);
	sim_end(&s, 2, K, 400);
	sim_end(&s, 1, K, 500);
	assert_int_equal(s.nr, 3);
	assert_int_equal(s.deltas[0], 70);
	assert_int_equal(s.deltas[1], 250);
	assert_int_equal(s.deltas[2], 320);
	assert_int_equal(s.ks[K].unpaired_ends, 0);
	assert_int_equal(sim_open_at_end(&s, K), 0);
}

/* Deeper than MT_LAT_DEPTH: the extra level is counted, never steals a timestamp. */
static void test_too_deep(void **state)
{
	struct sim s = {};

	for (int i = 0; i <= MT_LAT_DEPTH; i++)
		sim_begin(&s, 1, K, 100 * (i + 1), 0);
	for (int i = MT_LAT_DEPTH; i >= 0; i--)
		sim_end(&s, 1, K, 1000 + i);
	assert_int_equal(s.ks[K].too_deep, 1);
	assert_int_equal(s.nr, MT_LAT_DEPTH);
	for (int j = 0; j < MT_LAT_DEPTH; j++) {
		int level = MT_LAT_DEPTH - 1 - j; /* innermost remembered first */

		assert_int_equal(s.deltas[j], (__u64)(1000 + level) - 100 * (level + 1));
	}
	assert_null(sim_lookup(&s, 1, K));

	/* too deep and never ended: counted once, as too deep, not also as open */
	memset(&s, 0, sizeof(s));
	for (int i = 0; i <= MT_LAT_DEPTH; i++)
		sim_begin(&s, 1, K, 100, 0);
	assert_int_equal(s.ks[K].too_deep, 1);
	assert_int_equal(sim_open_at_end(&s, K), MT_LAT_DEPTH);
}

/* A lost end leaves its begin below; later pairs still match their own begins. */
static void test_lost_end(void **state)
{
	struct sim s = {};

	sim_begin(&s, 1, K, 10, 0);
	sim_begin(&s, 1, K, 50, 0);
	sim_end(&s, 1, K, 60);
	assert_int_equal(s.nr, 1);
	assert_int_equal(s.deltas[0], 10);
	assert_int_equal(sim_open_at_end(&s, K), 1);
}

static void test_table_full(void **state)
{
	struct sim s = {};

	for (__u32 t = 1; t <= TABLE + 1; t++)
		sim_begin(&s, t, K, 10, 0);
	assert_int_equal(s.ks[K].table_full, 1);
	for (__u32 t = 1; t <= TABLE + 1; t++)
		sim_end(&s, t, K, 20);
	assert_int_equal(s.nr, TABLE);
	assert_int_equal(s.ks[K].unpaired_ends, 1); /* the dropped begin's end */
}

static void test_clock_guard(void **state)
{
	struct mt_lat_open o = {};
	__u64 d = 99;
	__s32 order;

	assert_int_equal(mt_lat_pop(&o, 5, &d, &order), MT_PAIR_NO_BEGIN);
	mt_lat_push(&o, 100, 1);
	assert_int_equal(mt_lat_pop(&o, 50, &d, &order), MT_PAIR_OK);
	assert_int_equal(d, 0);
}

static void test_slot_us(void **state)
{
	assert_int_equal(mt_hist_slot_us(999), 0);
	assert_int_equal(mt_hist_slot_us(1000), 0);
	assert_int_equal(mt_hist_slot_us(2000), 1);
	assert_int_equal(mt_hist_slot_us(1023999), 9);
	assert_int_equal(mt_hist_slot_us(1024000), 10);
	assert_int_equal(mt_hist_slot_us(~0ULL), MT_HIST_SLOTS - 1);
}

/* ---- model ---- */

static void test_model_sums_cpus(void **state)
{
	struct mt_lat_stats cpu[2] = {};
	struct mt_latency m = {};

	cpu[0].k[K].count = 3;
	cpu[0].k[K].total_ns = 300;
	cpu[0].k[K].max_ns = 200;
	cpu[0].k[K].hist[2] = 3;
	cpu[1].k[K].count = 1;
	cpu[1].k[K].total_ns = 900;
	cpu[1].k[K].max_ns = 900;
	cpu[1].k[K].hist[9] = 1;
	cpu[1].k[K].unpaired_ends = 2;
	mt_lat_add_stats(&m, cpu, 2);
	assert_int_equal(m.tot.k[K].count, 4);
	assert_int_equal(m.tot.k[K].total_ns, 1200);
	assert_int_equal(m.tot.k[K].max_ns, 900);
	assert_int_equal(m.tot.k[K].hist[2], 3);
	assert_int_equal(m.tot.k[K].hist[9], 1);
	m.open_at_end[K] = 1;
	assert_int_equal(mt_lat_unmeasured(&m, K), 3);
}

/* Stalls and calls come from two objects: one row per process; nested kinds not re-added. */
static void test_model_procs(void **state)
{
	struct mt_lat_proc a[2] = {}, b[1] = {}, c[1] = {};
	struct mt_latency m = {};

	strcpy(a[1].comm, "stally");
	a[0].count[MT_LAT_MEMCG_RECLAIM] = 2;
	a[0].total_ns[MT_LAT_MEMCG_RECLAIM] = 1000;
	a[1].count[MT_LAT_THROTTLED] = 1;
	a[1].total_ns[MT_LAT_THROTTLED] = 400; /* inside the reclaim: not added */
	a[1].max_ns[MT_LAT_MEMCG_RECLAIM] = 700;
	strcpy(b[0].comm, "other");
	b[0].count[MT_LAT_COMPACTION] = 1;
	b[0].total_ns[MT_LAT_COMPACTION] = 5000;
	c[0].count[MT_LAT_KMALLOC] = 10;
	c[0].total_ns[MT_LAT_KMALLOC] = 99;
	assert_int_equal(mt_lat_add_proc(&m, 10, a, 2), 0);
	assert_int_equal(mt_lat_add_proc(&m, 20, b, 1), 0);
	assert_int_equal(mt_lat_add_proc(&m, 10, c, 1), 0);
	mt_lat_finish(&m);
	assert_int_equal(m.nr_procs, 2);
	assert_int_equal(m.procs[0].tgid, 20);
	assert_int_equal(m.procs[1].tgid, 10);
	assert_string_equal(m.procs[1].comm, "stally");
	assert_int_equal(m.procs[1].stall_count, 2);
	assert_int_equal(m.procs[1].stall_ns, 1000);
	assert_int_equal(m.procs[1].call_ns, 99);
	assert_int_equal(m.procs[1].count[MT_LAT_KMALLOC], 10);
	assert_int_equal(m.procs[1].max_ns[MT_LAT_MEMCG_RECLAIM], 700);
	mt_lat_free(&m);
}

/* ---- renderers ---- */

static void build(struct mt_report *r, bool calls_ok)
{
	struct mt_lat_stats st = {};
	struct mt_lat_ostats os = {};
	struct mt_lat_okey ok = { .kind = MT_LAT_DIRECT_RECLAIM,
				  .order = 2,
				  .zone = MT_ZONE_UNKNOWN };
	struct mt_lat_proc p = {};

	mt_report_init(r);
	r->zones.nr = 1;
	snprintf(r->zones.z[0].name, sizeof(r->zones.z[0].name), "Normal");
	r->lat.stalls = true;
	for (int k = 0; k < MT_LAT_STALL_KINDS; k++)
		r->lat.traced[k] = k != MT_LAT_NODE_RECLAIM;
	st.k[MT_LAT_DIRECT_RECLAIM].count = 5;
	st.k[MT_LAT_DIRECT_RECLAIM].total_ns = 5000000;
	st.k[MT_LAT_DIRECT_RECLAIM].max_ns = 3000000;
	st.k[MT_LAT_DIRECT_RECLAIM].hist[9] = 4;
	st.k[MT_LAT_DIRECT_RECLAIM].hist[11] = 1;
	st.k[MT_LAT_DIRECT_RECLAIM].unpaired_ends = 1;
	st.k[MT_LAT_THROTTLED].count = 2;
	st.k[MT_LAT_THROTTLED].total_ns = 200000;
	st.k[MT_LAT_THROTTLED].reached_timeout = 1;
	st.k[MT_LAT_THROTTLED].hist[6] = 2;
	st.k[MT_LAT_PAGE_ALLOC].count = 7;
	st.k[MT_LAT_PAGE_ALLOC].total_ns = 7000;
	st.k[MT_LAT_PAGE_ALLOC].hist[0] = 7;
	mt_lat_add_stats(&r->lat, &st, 1);
	os.count = 5;
	os.total_ns = 5000000;
	os.hist[9] = 5;
	mt_lat_add_order(&r->lat, &ok, &os, 1);
	ok = (struct mt_lat_okey){ .kind = MT_LAT_PAGE_ALLOC, .order = 0, .zone = 0 };
	mt_lat_add_order(&r->lat, &ok, &os, 1);
	strcpy(p.comm, "hog");
	p.count[MT_LAT_DIRECT_RECLAIM] = 5;
	p.total_ns[MT_LAT_DIRECT_RECLAIM] = 5000000;
	p.max_ns[MT_LAT_DIRECT_RECLAIM] = 3000000;
	p.stall_hist[9] = 5;
	mt_lat_add_proc(&r->lat, 4242, &p, 1);
	r->lat.calls_requested = true;
	if (calls_ok) {
		r->lat.call_hook = MT_HOOK_FENTRY;
		strcpy(r->lat.call_func[MT_CALL_PAGE_ALLOC], "__alloc_pages_noprof");
		r->lat.traced[MT_LAT_PAGE_ALLOC] = true;
		/* 6.1's trampoline refuses __vmalloc_node_range (9 arguments) */
		r->lat.call_unhooked[MT_CALL_VMALLOC] = true;
		strcpy(r->lat.call_missing,
		       "vmalloc (__vmalloc_node_range_noprof): ENOTSUPP at "
		       "attach (9 args, max 6 here); kmem_cache_alloc (kmem_cache_alloc): EBUSY "
		       "at attach");
	} else {
		r->lat.call_hook = MT_HOOK_NONE;
		strcpy(r->lat.call_why,
		       "fentry: EPERM at load (lockdown?); kprobe: CONFIG_KPROBES off");
	}
	mt_lat_finish(&r->lat);
}

static char *render_text(const struct mt_report *r)
{
	struct mt_render_opts o = { .top = 10 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	mt_render_text_latency(f, r, &o);
	fclose(f);
	return buf;
}

static void assert_fits_80(const char *s)
{
	for (const char *l = s; *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);

		if (n > 80)
			fail_msg("line over 80 columns: %.*s", (int)n, l);
		l += n + (nl != NULL);
	}
}

static void test_text(void **state)
{
	struct mt_report r;
	char *t;

	build(&r, false);
	t = render_text(&r);
	assert_non_null(strstr(t, "STALLS"));
	assert_non_null(strstr(t, "direct reclaim              5     5.00 ms"));
	assert_non_null(strstr(t, "not traced on this kernel: node reclaim"));
	assert_non_null(strstr(t, "  direct reclaim: 1 ends without a begin (begun before the "
				  "run?)\n"));
	assert_non_null(strstr(t, "reclaim throttled: 1 of 2 slept their whole timeout"));
	assert_non_null(strstr(t, "    4242 hog"));
	assert_non_null(strstr(t, "STALL LATENCY, direct reclaim"));
	assert_non_null(strstr(t, "ALLOCATOR CALL LATENCY"));
	assert_non_null(strstr(t, "unavailable: fentry: EPERM at load (lockdown?); kprobe: "
				  "CONFIG_KPROBES off\n"));
	assert_null(strstr(t, "CALL LATENCY, page allocator"));
	assert_fits_80(t);
	free(t);
	mt_report_free(&r);

	build(&r, true);
	t = render_text(&r);
	assert_non_null(strstr(t, "hooked with fentry/fexit:\n"));
	assert_non_null(strstr(t, "  page allocator           __alloc_pages_noprof\n"));
	assert_non_null(strstr(t, "  vmalloc                  (not hooked: below)\n"));
	assert_non_null(strstr(t, "  kmalloc                  (not in this kernel)\n"));
	assert_non_null(strstr(t, "not hooked:\n  vmalloc (__vmalloc_node_range_noprof): ENOTSUPP "
				  "at attach (9 args, max 6 here)\n  kmem_cache_alloc "
				  "(kmem_cache_alloc): EBUSY at attach\n"));
	assert_non_null(strstr(t, "CALL LATENCY, page allocator"));
	assert_non_null(strstr(t, "page allocator         0 Normal"));
	assert_fits_80(t);
	free(t);
	mt_report_free(&r);
}

static void test_text_off(void **state)
{
	struct mt_report r;
	char *t;

	mt_report_init(&r);
	t = render_text(&r);
	assert_string_equal(t, "");
	free(t);
}

static struct json_object *render_json(const struct mt_report *r)
{
	struct mt_render_opts o = { .top = 10 };
	struct json_object *j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(mt_render_json(f, r, &o), 0);
	fclose(f);
	j = json_tokener_parse(buf);
	if (!j)
		fail_msg("bad JSON: %s", buf);
	free(buf);
	return j;
}

static struct json_object *at(struct json_object *o, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(o, k, &o))
			fail_msg("no %s", path);
	return o;
}

static void test_json(void **state)
{
	struct json_object *j, *a;
	struct mt_report r;

	build(&r, false);
	j = render_json(&r);
	assert_true(json_object_get_boolean(at(j, "latency.stalls")));
	assert_true(json_object_get_boolean(at(j, "latency.calls.requested")));
	assert_true(json_object_is_type(at(j, "latency.calls.hook"), json_type_null));
	assert_true(json_object_is_type(at(j, "latency.calls.not_hooked"), json_type_null));
	assert_string_equal(json_object_get_string(at(j, "latency.calls.unavailable")),
			    "fentry: EPERM at load (lockdown?); kprobe: CONFIG_KPROBES off");
	assert_int_equal(json_object_get_int64(at(j, "latency.kinds.direct_reclaim.count")), 5);
	assert_int_equal(json_object_get_int64(at(j, "latency.kinds.direct_reclaim.total_ns")),
			 5000000);
	assert_int_equal(json_object_get_int64(at(j, "latency.kinds.direct_reclaim.unpaired_ends")),
			 1);
	assert_int_equal(json_object_get_int64(at(j, "latency.kinds.direct_reclaim.unmeasured")),
			 1);
	assert_int_equal(json_object_get_int64(at(j, "latency.kinds.throttled.reached_timeout")),
			 1);
	assert_false(json_object_get_boolean(at(j, "latency.kinds.node_reclaim.traced")));
	assert_false(json_object_get_boolean(at(j, "latency.kinds.page_alloc.traced")));
	a = at(j, "latency.kinds.direct_reclaim.histogram_us");
	assert_int_equal(json_object_array_length(a), 2);
	assert_int_equal(json_object_get_int64(at(json_object_array_get_idx(a, 0), "low")), 512);
	assert_int_equal(json_object_get_int64(at(json_object_array_get_idx(a, 0), "count")), 4);
	a = at(j, "latency.by_order");
	assert_int_equal(json_object_array_length(a), 2);
	assert_int_equal(json_object_get_int64(at(json_object_array_get_idx(a, 0), "order")), 2);
	assert_true(
		json_object_is_type(at(json_object_array_get_idx(a, 0), "zone"), json_type_null));
	assert_string_equal(json_object_get_string(at(json_object_array_get_idx(a, 1), "zone")),
			    "Normal");
	a = at(j, "latency.processes");
	assert_int_equal(json_object_array_length(a), 1);
	assert_int_equal(json_object_get_int64(at(json_object_array_get_idx(a, 0), "stall_ns")),
			 5000000);
	json_object_put(j);
	mt_report_free(&r);

	build(&r, true);
	j = render_json(&r);
	assert_string_equal(json_object_get_string(at(j, "latency.calls.hook")), "fentry");
	assert_string_equal(json_object_get_string(at(j, "latency.calls.functions.page_alloc")),
			    "__alloc_pages_noprof");
	assert_true(json_object_is_type(at(j, "latency.calls.functions.kmalloc"), json_type_null));
	assert_true(json_object_is_type(at(j, "latency.calls.functions.vmalloc"), json_type_null));
	assert_non_null(strstr(json_object_get_string(at(j, "latency.calls.not_hooked")),
			       "vmalloc (__vmalloc_node_range_noprof): ENOTSUPP"));
	assert_int_equal(json_object_get_int64(at(j, "latency.kinds.page_alloc.count")), 7);
	json_object_put(j);
	mt_report_free(&r);

	/* neither stalls nor calls: no latency key at all */
	mt_report_init(&r);
	j = render_json(&r);
	assert_false(json_object_object_get_ex(j, "latency", NULL));
	json_object_put(j);
}

/* ---- allocator function choice per kernel ---- */

static bool in_set(const char *name, void *ctx)
{
	for (const char *const *s = ctx; *s; s++)
		if (!strcmp(*s, name))
			return true;
	return false;
}

static void test_pick(void **state)
{
	static const char *const k61[] = {
		"__kmalloc",	 "kmalloc_trace",	 "kmem_cache_alloc",
		"__alloc_pages", "__vmalloc_node_range", NULL
	};
	static const char *const k612[] = {
		"__kmalloc_noprof",	"__kmalloc_cache_noprof",      "kmem_cache_alloc_noprof",
		"__alloc_pages_noprof", "__vmalloc_node_range_noprof", NULL
	};
	static const char *const k618[] = { "__kmalloc_noprof",
					    "__kmalloc_cache_noprof",
					    "kmem_cache_alloc_noprof",
					    "__alloc_pages_noprof",
					    "__alloc_frozen_pages_noprof",
					    "__vmalloc_node_range_noprof",
					    NULL };
	static const char *const none[] = { "kfree", NULL };
	const char *n[MT_CALL_SLOTS];

	assert_int_equal(mt_alloclat_pick_all(in_set, (void *)k61, n), MT_CALL_SLOTS);
	assert_string_equal(n[MT_CALL_KMALLOC], "__kmalloc");
	assert_string_equal(n[MT_CALL_KMALLOC_CACHE], "kmalloc_trace");
	assert_string_equal(n[MT_CALL_KMEM_CACHE_ALLOC], "kmem_cache_alloc");
	assert_string_equal(n[MT_CALL_PAGE_ALLOC], "__alloc_pages");
	assert_string_equal(n[MT_CALL_VMALLOC], "__vmalloc_node_range");

	assert_int_equal(mt_alloclat_pick_all(in_set, (void *)k612, n), MT_CALL_SLOTS);
	assert_string_equal(n[MT_CALL_KMALLOC], "__kmalloc_noprof");
	assert_string_equal(n[MT_CALL_KMALLOC_CACHE], "__kmalloc_cache_noprof");
	assert_string_equal(n[MT_CALL_PAGE_ALLOC], "__alloc_pages_noprof");
	assert_string_equal(n[MT_CALL_VMALLOC], "__vmalloc_node_range_noprof");

	assert_int_equal(mt_alloclat_pick_all(in_set, (void *)k618, n), MT_CALL_SLOTS);
	assert_string_equal(n[MT_CALL_PAGE_ALLOC], "__alloc_frozen_pages_noprof");

	assert_int_equal(mt_alloclat_pick_all(in_set, (void *)none, n), 0);
	for (int s = 0; s < MT_CALL_SLOTS; s++)
		assert_null(n[s]);
	assert_null(mt_alloclat_candidates(MT_CALL_SLOTS));
	assert_int_equal(mt_call_slot_kind(MT_CALL_KMALLOC_CACHE), MT_LAT_KMALLOC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pair_simple),
		cmocka_unit_test(test_end_without_begin_at_start),
		cmocka_unit_test(test_begin_without_end_at_stop),
		cmocka_unit_test(test_nested_same_kind),
		cmocka_unit_test(test_nested_other_kind),
		cmocka_unit_test(test_interleaved_tasks),
		cmocka_unit_test(test_too_deep),
		cmocka_unit_test(test_lost_end),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_clock_guard),
		cmocka_unit_test(test_slot_us),
		cmocka_unit_test(test_model_sums_cpus),
		cmocka_unit_test(test_model_procs),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_off),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_pick),
	};

	return cmocka_run_group_tests_name("latency", tests, NULL, NULL);
}
