// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The JSON report (src/render/render_json.c) and the writer under it (src/sys/json_writer.c). The
 * document is read back with json-c in strict mode, as a consumer would, and every value
 * checked against the model the test built; the writer is also checked on its own for
 * nesting, escaping and the values JSON cannot hold.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sys/json_writer.h"
#include "render/render.h"

/* ---- helpers ---- */

/*
 * Parse text strictly (no trailing commas, no single quotes, valid UTF-8); only whitespace
 * may follow the document. Fails the test if it does not parse.
 */
static struct json_object *parse_strict(const char *text)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;
	size_t len = strlen(text), end;

	assert_non_null(tok);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (!o)
		fail_msg("JSON does not parse: %s\n%s",
			 json_tokener_error_desc(json_tokener_get_error(tok)), text);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	for (; end < len; end++)
		if (text[end] != '\n' && text[end] != ' ')
			fail_msg("trailing bytes after the document at %zu", end);
	return o;
}

/* The member at a dotted path ("run.lost.total"); fails the test if any step is missing. */
static struct json_object *get(struct json_object *o, const char *path)
{
	char buf[256], *save = NULL, *k;

	snprintf(buf, sizeof(buf), "%s", path);
	for (k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save)) {
		if (!json_object_is_type(o, json_type_object))
			fail_msg("%s: '%s' is not inside an object", path, k);
		if (!json_object_object_get_ex(o, k, &o))
			fail_msg("%s: no member '%s'", path, k);
	}
	return o;
}

static bool has(struct json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
}

static int64_t get_i64(struct json_object *o, const char *path)
{
	struct json_object *v = get(o, path);

	if (!json_object_is_type(v, json_type_int))
		fail_msg("%s is not an integer", path);
	return json_object_get_int64(v);
}

static const char *get_str(struct json_object *o, const char *path)
{
	struct json_object *v = get(o, path);

	if (!json_object_is_type(v, json_type_string))
		fail_msg("%s is not a string", path);
	return json_object_get_string(v);
}

static struct json_object *get_arr(struct json_object *o, const char *path, size_t want_len)
{
	struct json_object *v = get(o, path);

	if (!json_object_is_type(v, json_type_array))
		fail_msg("%s is not an array", path);
	assert_int_equal(json_object_array_length(v), want_len);
	return v;
}

static struct json_object *idx(struct json_object *arr, size_t i)
{
	return json_object_array_get_idx(arr, i);
}

/* Render r as JSON into a string; the renderer must report balanced nesting. */
static char *render_raw(const struct mt_report *r, bool raw)
{
	/* JSON ignores --top: every row is kept */
	struct mt_render_opts o = { .top = 1, .raw_addresses = raw };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(mt_render_json(f, r, &o), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

static char *render(const struct mt_report *r)
{
	return render_raw(r, false);
}

static void add_proc(struct mt_report *r, __u32 tgid, const char *comm, int cls, __u64 allocs,
		     __u64 bytes)
{
	struct mt_proc v;

	memset(&v, 0, sizeof(v));
	memcpy(v.comm, comm, strnlen(comm, MT_COMM_LEN));
	v.allocs[cls] = allocs;
	v.bytes[cls] = bytes;
	assert_int_equal(mt_report_add_proc(r, tgid, &v, 1), 0);
}

static void add_cache(struct mt_report *r, __u64 key, const char *name, __u64 allocs, __u64 bytes,
		      __u32 size)
{
	struct mt_cache v;

	memset(&v, 0, sizeof(v));
	snprintf(v.name, sizeof(v.name), "%s", name);
	v.allocs = allocs;
	v.bytes_alloc = bytes;
	v.bytes_req = bytes / 2;
	v.object_size = size;
	v.size = size;
	assert_int_equal(mt_report_add_cache(r, key, &v, 1), 0);
}

/*
 * A run that traced slab and pages. Untraced kernel-virtual counters are set on purpose:
 * the renderer must go by class_traced, not by whether numbers happen to be there.
 */
static void build_report(struct mt_report *r)
{
	struct mt_run_info *ri = &r->run;
	struct mt_stats *t = &r->tot;

	mt_report_init(r);
	snprintf(ri->release, sizeof(ri->release), "6.18.44-test");
	snprintf(ri->arch, sizeof(ri->arch), "x86_64");
	ri->page_size = 4096;
	ri->page_shift = 12;
	snprintf(ri->btf, sizeof(ri->btf), "/sys/kernel/btf/vmlinux");
	snprintf(ri->attach, sizeof(ri->attach), "tp_btf");
	ri->duration_s = 2.5;
	ri->class_traced[MT_CLASS_LOGICAL] = true;
	ri->class_traced[MT_CLASS_PHYSICAL] = true;
	ri->vmemmap_base = 0xffffea0000000000ULL;
	ri->page_offset_base = 0; /* calibration did not find it */
	ri->kfree_sized = true;
	ri->missed_runs = 3;

	t->events = 1234567;
	t->lost[MT_LOSS_RINGBUF] = 10;
	t->lost[MT_LOSS_PROC_FULL] = 20;
	t->cls[MT_CLASS_LOGICAL] = (struct mt_counts){
		.allocs = 100,
		.frees = 40,
		.bytes_req = 5000,
		.bytes_alloc = 6400,
		.bytes_freed = 2560,
		.frees_unsized = 2,
		.failures = 1,
		.null_frees = 9,
	};
	t->cls[MT_CLASS_PHYSICAL] = (struct mt_counts){
		.allocs = 10,
		.frees = 30,
		.bytes_req = 40960,
		.bytes_alloc = 40960,
		.bytes_freed = 122880,
	};
	t->cls[MT_CLASS_VIRTUAL].allocs = 99;
	t->size_hist[MT_CLASS_LOGICAL][0] = 2;
	t->size_hist[MT_CLASS_LOGICAL][3] = 60;
	t->size_hist[MT_CLASS_LOGICAL][6] = 38;
	t->size_hist[MT_CLASS_PHYSICAL][12] = 8;
	t->size_hist[MT_CLASS_PHYSICAL][14] = 2;
	t->size_hist[MT_CLASS_VIRTUAL][5] = 99;
	t->order_allocs[0] = 8;
	t->order_allocs[2] = 2;
	t->order_frees[0] = 30;

	r->zones.nr = 2;
	r->zones.z[0] = (struct mt_zone){ .node = 0,
					  .name = "DMA32",
					  .start_pfn = 4096,
					  .spanned = 1044480,
					  .present = 782336 };
	r->zones.z[1] = (struct mt_zone){ .node = 0,
					  .name = "Normal",
					  .start_pfn = 1048576,
					  .spanned = 5505024,
					  .present = 5505024 };
	t->zone_allocs[0] = 5;
	t->zone_allocs[1] = 7;
	t->zone_allocs[MT_ZONE_UNKNOWN] = 4;
	t->zone_frees[1] = 40;
	t->zone_frees[MT_ZONE_UNKNOWN] = 2;

	add_proc(r, 100, "bash", MT_CLASS_LOGICAL, 10, 640);
	add_proc(r, 200, "kworker/0:1", MT_CLASS_PHYSICAL, 2, 8192);
	add_cache(r, 0xffff888100042a00ULL, "dentry", 10, 1920, 192);
	add_cache(r, 64 | MT_CACHE_KEY_KMALLOC, "", 50, 3200, 0);
	mt_report_finish(r);
}

/* ---- the report ---- */

static void test_top_level(void **state)
{
	struct mt_report r;
	struct json_object *j;
	char *text;

	build_report(&r);
	text = render(&r);
	j = parse_strict(text);
	assert_true(json_object_is_type(j, json_type_object));
	assert_int_equal(get_i64(j, "schema_version"), 1);
	assert_string_equal(get_str(j, "memtrace_version"), MEMTRACE_VERSION);
	/* pretty: one member per line, so the text is more than one line */
	assert_non_null(strchr(text, '\n'));
	assert_true(strchr(text, '\n') < text + strlen(text) - 1);
	json_object_put(j);
	free(text);
	mt_report_free(&r);
}

static void test_kernel_and_run(void **state)
{
	struct json_object *j, *v;
	struct mt_report r;
	char *text;

	build_report(&r);
	text = render(&r);
	j = parse_strict(text);
	/* by default the bases (KASLR's secret) are null, and run.raw_addresses says why */
	assert_true(json_object_object_get_ex(get(j, "kernel"), "vmemmap_base", &v));
	assert_null(v);
	assert_false(json_object_get_boolean(get(j, "run.raw_addresses")));
	assert_null(strstr(text, "0xffff"));
	json_object_put(j);
	free(text);
	text = render_raw(&r, true);
	j = parse_strict(text);
	assert_true(json_object_get_boolean(get(j, "run.raw_addresses")));
	assert_string_equal(get_str(j, "kernel.release"), "6.18.44-test");
	assert_string_equal(get_str(j, "kernel.arch"), "x86_64");
	assert_int_equal(get_i64(j, "kernel.page_size"), 4096);
	assert_int_equal(get_i64(j, "kernel.page_shift"), 12);
	assert_string_equal(get_str(j, "kernel.vmemmap_base"), "0xffffea0000000000");
	/* an unknown base is null, not 0 or "0x0" */
	assert_true(json_object_object_get_ex(get(j, "kernel"), "page_offset_base", &v));
	assert_null(v);
	assert_true(json_object_get_boolean(get(j, "kernel.kfree_sized")));
	assert_true(json_object_is_type(get(j, "kernel.kfree_sized"), json_type_boolean));

	assert_string_equal(get_str(j, "run.attach"), "tp_btf");
	assert_true(fabs(json_object_get_double(get(j, "run.duration_s")) - 2.5) < 1e-9);
	get_arr(j, "run.pids", 0); /* system-wide: an empty list */
	assert_int_equal(get_i64(j, "run.events"), 1234567);
	/* 3 missed runs + 10 ring buffer + 20 process table + 0 cache table */
	assert_int_equal(get_i64(j, "run.lost.total"), 33);
	assert_int_equal(get_i64(j, "run.lost.missed_runs"), 3);
	assert_int_equal(get_i64(j, "run.lost.ringbuf"), 10);
	assert_int_equal(get_i64(j, "run.lost.process_table_full"), 20);
	assert_int_equal(get_i64(j, "run.lost.cache_table_full"), 0);
	/* and one key per pairing loss (src/model/model_pair.h), 0 when pairing is off */
	assert_int_equal(json_object_object_length(get(j, "run.lost")),
			 2 + MT_LOSS_MAX + MT_PLOSS_MAX);
	json_object_put(j);
	free(text);
	mt_report_free(&r);
}

static void test_classes(void **state)
{
	struct json_object *j, *cls;
	struct mt_report r;
	char *text;

	build_report(&r);
	text = render(&r);
	j = parse_strict(text);
	cls = get(j, "classes");
	/* all six classes appear, traced or not, so consumers need not guess */
	assert_int_equal(json_object_object_length(cls), MT_CLASS_MAX);

	assert_true(json_object_get_boolean(get(cls, "kernel_logical.traced")));
	assert_int_equal(get_i64(cls, "kernel_logical.allocs"), 100);
	assert_int_equal(get_i64(cls, "kernel_logical.frees"), 40);
	assert_int_equal(get_i64(cls, "kernel_logical.bytes_requested"), 5000);
	assert_int_equal(get_i64(cls, "kernel_logical.bytes_allocated"), 6400);
	assert_int_equal(get_i64(cls, "kernel_logical.bytes_freed"), 2560);
	assert_int_equal(get_i64(cls, "kernel_logical.net_bytes"), 6400 - 2560);
	assert_int_equal(get_i64(cls, "kernel_logical.frees_unsized"), 2);
	assert_int_equal(get_i64(cls, "kernel_logical.failures"), 1);
	assert_int_equal(get_i64(cls, "kernel_logical.null_frees"), 9);
	/* more freed than allocated: a negative number, not a wrapped unsigned one */
	assert_int_equal(get_i64(cls, "physical.net_bytes"), 40960 - 122880);
	assert_true(get_i64(cls, "physical.net_bytes") < 0);

	/* untraced: the flag and nothing else, even though kernel_virtual has counts */
	for (int k = MT_CLASS_VIRTUAL; k < MT_CLASS_MAX; k++) {
		struct json_object *c = get(cls, mt_class_key(k));

		assert_false(json_object_get_boolean(get(c, "traced")));
		assert_true(json_object_is_type(get(c, "traced"), json_type_boolean));
		assert_false(has(c, "allocs"));
		assert_false(has(c, "size_histogram"));
		/* and why: an untraced class is never a measurement of zero */
		assert_string_equal(json_object_get_string(get(c, "availability")), "unavailable");
		if (k != MT_CLASS_HIGH)
			assert_int_equal(json_object_object_length(c), 2);
	}
	json_object_put(j);
	free(text);
	mt_report_free(&r);
}

static void assert_bucket(struct json_object *b, __u64 low, __u64 high, __u64 count)
{
	assert_int_equal(get_i64(b, "low"), low);
	assert_int_equal(get_i64(b, "high"), high);
	assert_int_equal(get_i64(b, "count"), count);
	assert_int_equal(json_object_object_length(b), 3);
}

static void test_size_histogram(void **state)
{
	struct json_object *j, *h;
	struct mt_report r;
	char *text;

	build_report(&r);
	text = render(&r);
	j = parse_strict(text);
	/* non-empty slots only, in slot order; ranges worked out as [2^i, 2^(i+1) - 1] */
	h = get_arr(j, "classes.kernel_logical.size_histogram", 3);
	assert_bucket(idx(h, 0), 0, 1, 2);
	assert_bucket(idx(h, 1), 8, 15, 60);
	assert_bucket(idx(h, 2), 64, 127, 38);
	h = get_arr(j, "classes.physical.size_histogram", 2);
	assert_bucket(idx(h, 0), 4096, 8191, 8);
	assert_bucket(idx(h, 1), 16384, 32767, 2);
	json_object_put(j);
	free(text);

	/* a traced class with nothing in it: an empty array, not a missing key */
	memset(r.tot.size_hist[MT_CLASS_PHYSICAL], 0, sizeof(r.tot.size_hist[0]));
	text = render(&r);
	j = parse_strict(text);
	get_arr(j, "classes.physical.size_histogram", 0);
	json_object_put(j);
	free(text);
	mt_report_free(&r);
}

static void test_slab(void **state)
{
	struct json_object *j, *c;
	struct mt_report r;
	char *text;

	build_report(&r);
	text = render(&r);
	j = parse_strict(text);
	assert_int_equal(get_i64(j, "slab.bytes_requested"), 5000);
	assert_int_equal(get_i64(j, "slab.bytes_allocated"), 6400);
	assert_int_equal(get_i64(j, "slab.fragmentation_bytes"), 1400);
	/* sorted by bytes allocated: kmalloc-64 (3200) before dentry (1920) */
	c = get_arr(j, "slab.caches", 2);
	assert_string_equal(get_str(idx(c, 0), "name"), "kmalloc-64");
	assert_string_equal(get_str(idx(c, 0), "kind"), "kmalloc");
	assert_int_equal(get_i64(idx(c, 0), "size"), 64);
	assert_int_equal(get_i64(idx(c, 0), "allocs"), 50);
	assert_int_equal(get_i64(idx(c, 0), "bytes_allocated"), 3200);
	assert_int_equal(get_i64(idx(c, 0), "bytes_requested"), 1600);
	assert_string_equal(get_str(idx(c, 1), "name"), "dentry");
	assert_string_equal(get_str(idx(c, 1), "kind"), "cache");
	assert_int_equal(get_i64(idx(c, 1), "object_size"), 192);
	assert_int_equal(get_i64(idx(c, 1), "bytes_allocated"), 1920);
	json_object_put(j);
	free(text);
	mt_report_free(&r);
}

static void test_pages(void **state)
{
	struct json_object *j, *z, *o;
	struct mt_report r;
	char *text;

	build_report(&r);
	text = render(&r);
	j = parse_strict(text);
	/* orders with any activity only */
	o = get_arr(j, "pages.orders", 2);
	assert_int_equal(get_i64(idx(o, 0), "order"), 0);
	assert_int_equal(get_i64(idx(o, 0), "allocs"), 8);
	assert_int_equal(get_i64(idx(o, 0), "frees"), 30);
	assert_int_equal(get_i64(idx(o, 1), "order"), 2);
	assert_int_equal(get_i64(idx(o, 1), "allocs"), 2);
	assert_int_equal(get_i64(idx(o, 1), "frees"), 0);

	z = get_arr(j, "pages.zones", 2);
	assert_int_equal(get_i64(idx(z, 0), "node"), 0);
	assert_string_equal(get_str(idx(z, 0), "zone"), "DMA32");
	assert_int_equal(get_i64(idx(z, 0), "start_pfn"), 4096);
	/* end is exclusive: start + spanned = 4096 + 1044480 */
	assert_int_equal(get_i64(idx(z, 0), "end_pfn"), 1048576);
	assert_int_equal(get_i64(idx(z, 0), "present_pages"), 782336);
	assert_int_equal(get_i64(idx(z, 0), "pages_allocated"), 5);
	assert_int_equal(get_i64(idx(z, 0), "pages_freed"), 0);
	assert_string_equal(get_str(idx(z, 1), "zone"), "Normal");
	assert_int_equal(get_i64(idx(z, 1), "end_pfn"), 6553600);
	assert_int_equal(get_i64(idx(z, 1), "pages_allocated"), 7);
	assert_int_equal(get_i64(idx(z, 1), "pages_freed"), 40);
	/* pages outside every zone come from slot MT_ZONE_UNKNOWN, not from slot nr */
	assert_int_equal(get_i64(j, "pages.unknown_zone.pages_allocated"), 4);
	assert_int_equal(get_i64(j, "pages.unknown_zone.pages_freed"), 2);
	json_object_put(j);
	free(text);
	mt_report_free(&r);
}

static void test_processes(void **state)
{
	struct json_object *j, *p;
	struct mt_report r;
	char *text;

	build_report(&r);
	text = render(&r);
	j = parse_strict(text);
	/* JSON keeps every row whatever --top says (render() passes top = 1) */
	p = get_arr(j, "processes", 2);
	assert_int_equal(get_i64(idx(p, 0), "tgid"), 200);
	assert_string_equal(get_str(idx(p, 0), "comm"), "kworker/0:1");
	assert_int_equal(get_i64(idx(p, 0), "classes.physical.allocs"), 2);
	assert_int_equal(get_i64(idx(p, 0), "classes.physical.bytes_allocated"), 8192);
	assert_int_equal(get_i64(idx(p, 1), "tgid"), 100);
	assert_string_equal(get_str(idx(p, 1), "comm"), "bash");
	assert_int_equal(get_i64(idx(p, 1), "classes.kernel_logical.bytes_allocated"), 640);
	/* per-process classes: the traced ones only */
	assert_int_equal(json_object_object_length(get(idx(p, 1), "classes")), 2);
	assert_false(has(get(idx(p, 1), "classes"), "kernel_virtual"));
	json_object_put(j);
	free(text);
	mt_report_free(&r);
}

/* Nothing traced: the sections of untraced classes are left out, and it still parses. */
static void test_nothing_traced(void **state)
{
	struct json_object *j;
	struct mt_report r;
	char *text;

	mt_report_init(&r);
	r.run.nr_pids = 2;
	r.run.pids[0] = 12;
	r.run.pids[1] = 34;
	text = render(&r);
	j = parse_strict(text);
	assert_false(has(j, "slab"));
	assert_false(has(j, "pages"));
	get_arr(j, "processes", 0);
	assert_int_equal(get_i64(j, "run.lost.total"), 0);
	assert_int_equal(json_object_get_int64(idx(get_arr(j, "run.pids", 2), 0)), 12);
	assert_int_equal(json_object_get_int64(idx(get(j, "run.pids"), 1)), 34);
	assert_null(get(j, "kernel.vmemmap_base"));
	for (int k = 0; k < MT_CLASS_MAX; k++) {
		char path[64];

		snprintf(path, sizeof(path), "classes.%s.traced", mt_class_key(k));
		assert_false(json_object_get_boolean(get(j, path)));
	}
	json_object_put(j);
	free(text);
	mt_report_free(&r);
}

/* Counters are 64-bit: the largest one must come back whole, not as a double. */
static void test_u64_max(void **state)
{
	struct json_object *j;
	struct mt_report r;
	char *text;

	build_report(&r);
	r.tot.events = UINT64_MAX;
	text = render(&r);
	assert_non_null(strstr(text, "18446744073709551615"));
	j = parse_strict(text);
	assert_true(json_object_is_type(get(j, "run.events"), json_type_int));
	assert_true(json_object_get_uint64(get(j, "run.events")) == UINT64_MAX);
	json_object_put(j);
	free(text);
	mt_report_free(&r);
}

/*
 * comm and cache names are whatever bytes the kernel had: quotes, backslashes, control
 * characters, bytes that are not UTF-8. The document must still parse, strictly, and the
 * ASCII must come back exactly.
 */
static void test_hostile_names(void **state)
{
	const char comm[] = "a\"b\\c\x01"
			    "d\xff"
			    "e";
	struct json_object *j, *p, *c;
	struct mt_report r;
	const char *s;
	char *text;

	build_report(&r);
	add_proc(&r, 999999, comm, MT_CLASS_LOGICAL, 1, 1 << 20); /* sorts first */
	add_cache(&r, 0xffff888100099000ULL, "tab\there\nnl\x7f", 1, 1 << 20, 8);
	mt_report_finish(&r);
	text = render(&r);

	/* escaped in the text itself: no raw control or high byte but the newlines */
	for (const unsigned char *q = (const unsigned char *)text; *q; q++)
		assert_true(*q == '\n' || (*q >= 0x20 && *q < 0x7f));
	assert_non_null(strstr(text, "\"a\\\"b\\\\c\\u0001d"));

	j = parse_strict(text);
	p = get_arr(j, "processes", 3);
	assert_int_equal(get_i64(idx(p, 0), "tgid"), 999999);
	s = get_str(idx(p, 0), "comm");
	/* the ASCII part, byte for byte */
	assert_memory_equal(s,
			    "a\"b\\c\x01"
			    "d",
			    7);
	/* 0xff became the code point U+00FF (UTF-8 c3 bf): a stand-in, but a valid one */
	assert_memory_equal(s + 7,
			    "\xc3\xbf"
			    "e",
			    3);
	assert_int_equal(json_object_get_string_len(get(idx(p, 0), "comm")), 10);

	c = get_arr(j, "slab.caches", 3);
	assert_string_equal(get_str(idx(c, 0), "name"), "tab\there\nnl\x7f");
	json_object_put(j);
	free(text);
	mt_report_free(&r);
}

/* ---- json_writer on its own ---- */

static char *write_doc(void (*fn)(struct jw *w), bool pretty, int *end)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct jw w;

	assert_non_null(f);
	jw_init(&w, f, pretty);
	fn(&w);
	*end = jw_end(&w);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void doc_empty_obj(struct jw *w)
{
	jw_obj_begin(w, NULL);
	jw_obj_end(w);
}

static void doc_empty_arr(struct jw *w)
{
	jw_arr_begin(w, NULL);
	jw_arr_end(w);
}

static void doc_nested(struct jw *w)
{
	jw_obj_begin(w, NULL);
	jw_arr_begin(w, "a");
	jw_u64(w, NULL, 1);
	jw_u64(w, NULL, 2);
	jw_obj_begin(w, NULL);
	jw_null(w, "b");
	jw_obj_end(w);
	jw_arr_end(w);
	jw_str(w, "c", "x");
	jw_i64(w, "d", -5);
	jw_bool(w, "e", true);
	jw_hex(w, "f", 0xff);
	jw_obj_begin(w, "g");
	jw_obj_end(w);
	jw_str(w, "h", NULL);
	jw_obj_end(w);
}

static void doc_small(struct jw *w)
{
	jw_obj_begin(w, NULL);
	jw_u64(w, "a", 1);
	jw_arr_begin(w, "b");
	jw_u64(w, NULL, 2);
	jw_arr_end(w);
	jw_obj_end(w);
}

static void test_jw_empty(void **state)
{
	int end;
	char *t;

	/* pretty or not, an empty container has nothing to put a newline between */
	for (int pretty = 0; pretty < 2; pretty++) {
		t = write_doc(doc_empty_obj, pretty, &end);
		assert_int_equal(end, 0);
		assert_string_equal(t, "{}\n");
		free(t);
		t = write_doc(doc_empty_arr, pretty, &end);
		assert_int_equal(end, 0);
		assert_string_equal(t, "[]\n");
		free(t);
	}
}

static void test_jw_compact(void **state)
{
	int end;
	char *t = write_doc(doc_nested, false, &end);

	assert_int_equal(end, 0);
	/* written out by hand from RFC 8259's grammar: no spaces, commas between members */
	assert_string_equal(t, "{\"a\":[1,2,{\"b\":null}],\"c\":\"x\",\"d\":-5,\"e\":true,"
			       "\"f\":\"0xff\",\"g\":{},\"h\":\"\"}\n");
	json_object_put(parse_strict(t));
	free(t);
}

static void test_jw_pretty(void **state)
{
	struct json_object *j;
	int end;
	char *t = write_doc(doc_small, true, &end);

	assert_int_equal(end, 0);
	/* the layout Python's json.dumps(indent=2) gives for {"a": 1, "b": [2]} */
	assert_string_equal(t, "{\n  \"a\": 1,\n  \"b\": [\n    2\n  ]\n}\n");
	free(t);

	/* the bigger document, pretty, parses to the same values as compact */
	t = write_doc(doc_nested, true, &end);
	assert_int_equal(end, 0);
	j = parse_strict(t);
	assert_int_equal(json_object_array_length(get(j, "a")), 3);
	assert_null(get(idx(get(j, "a"), 2), "b"));
	assert_int_equal(get_i64(j, "d"), -5);
	assert_string_equal(get_str(j, "f"), "0xff");
	assert_string_equal(get_str(j, "h"), "");
	json_object_put(j);
	free(t);
}

static void doc_numbers(struct jw *w)
{
	jw_arr_begin(w, NULL);
	jw_dbl(w, NULL, NAN);
	jw_dbl(w, NULL, INFINITY);
	jw_dbl(w, NULL, -INFINITY);
	jw_dbl(w, NULL, 0.5);
	jw_i64(w, NULL, LLONG_MIN);
	jw_u64(w, NULL, ULLONG_MAX);
	jw_arr_end(w);
}

static void test_jw_numbers(void **state)
{
	int end;
	char *t = write_doc(doc_numbers, false, &end);

	assert_int_equal(end, 0);
	/* JSON has no NaN or Infinity: null is the only thing a parser will take */
	assert_string_equal(t, "[null,null,null,0.5,-9223372036854775808,18446744073709551615]\n");
	json_object_put(parse_strict(t));
	free(t);
}

/* Every byte from 1 to 127 goes out escaped as needed and comes back as itself. */
static void test_jw_escape_roundtrip(void **state)
{
	char in[128], *text = NULL;
	struct json_object *j;
	size_t len = 0;
	struct jw w;
	FILE *f;

	for (int i = 1; i < 128; i++)
		in[i - 1] = (char)i;
	in[127] = '\0';
	f = open_memstream(&text, &len);
	assert_non_null(f);
	jw_init(&w, f, false);
	jw_obj_begin(&w, NULL);
	jw_str(&w, in, in); /* as a key too */
	jw_obj_end(&w);
	assert_int_equal(jw_end(&w), 0);
	assert_int_equal(fclose(f), 0);

	j = parse_strict(text);
	assert_int_equal(json_object_object_length(j), 1);
	json_object_object_foreach(j, key, val)
	{
		assert_string_equal(key, in);
		assert_string_equal(json_object_get_string(val), in);
	}
	json_object_put(j);
	free(text);
}

static void doc_unclosed(struct jw *w)
{
	jw_obj_begin(w, NULL);
	jw_arr_begin(w, "a");
	jw_arr_end(w);
}

static void doc_overclosed(struct jw *w)
{
	jw_obj_begin(w, NULL);
	jw_obj_end(w);
	jw_obj_end(w);
}

static void test_jw_unbalanced(void **state)
{
	int end;
	char *t;

	t = write_doc(doc_unclosed, false, &end);
	assert_int_equal(end, -1);
	free(t);
	t = write_doc(doc_overclosed, false, &end);
	assert_int_equal(end, -1);
	free(t);
}

static int nest_levels;

static void doc_deep(struct jw *w)
{
	for (int i = 0; i < nest_levels; i++)
		jw_arr_begin(w, NULL);
	for (int i = 0; i < nest_levels; i++)
		jw_arr_end(w);
}

/* JW_MAX_DEPTH levels of state: the top level plus 31 open containers fit, 32 do not. */
static void test_jw_depth(void **state)
{
	struct json_object *j;
	int end;
	char *t;

	nest_levels = JW_MAX_DEPTH - 1;
	t = write_doc(doc_deep, false, &end);
	assert_int_equal(end, 0);
	j = parse_strict(t);
	json_object_put(j);
	free(t);

	nest_levels = JW_MAX_DEPTH;
	t = write_doc(doc_deep, false, &end);
	assert_int_equal(end, -1); /* reported, not silently mis-nested */
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_top_level),
		cmocka_unit_test(test_kernel_and_run),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_size_histogram),
		cmocka_unit_test(test_slab),
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_processes),
		cmocka_unit_test(test_nothing_traced),
		cmocka_unit_test(test_u64_max),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_jw_empty),
		cmocka_unit_test(test_jw_compact),
		cmocka_unit_test(test_jw_pretty),
		cmocka_unit_test(test_jw_numbers),
		cmocka_unit_test(test_jw_escape_roundtrip),
		cmocka_unit_test(test_jw_unbalanced),
		cmocka_unit_test(test_jw_depth),
	};

	return cmocka_run_group_tests_name("JSON report and writer", tests, NULL, NULL);
}
