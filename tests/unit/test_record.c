// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The record file (src/record/record_*.c) and the recorded map source (src/record/mapsrc_rec.c), with no
 * BPF and no root: a golden recording made on this machine reports the numbers its live
 * run printed; synthetic files round-trip through writer, reader and collector; every cut
 * and every flipped byte gives a clear error or a partial report marked truncated.
 *
 * Fixtures are read relative to the repository root; MT_FIXTURES overrides the directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "collect/collect.h"
#include "record/mapsrc_rec.h"
#include "record/record.h"
#include "record/record_header.h"
#include "render/render.h"

#define GOLDEN "record-mix-2000"

static const char *fixture(const char *name)
{
	static char path[512];
	const char *dir = getenv("MT_FIXTURES");

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/fixtures", name);
	return path;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		fail_msg("%s: %s (run from the repository root or set MT_FIXTURES)", path,
			 strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	*len = n;
	return buf;
}

/* What `memtrace report` does: header -> run facts, maps -> collector. */
static int report_from(const struct mt_recfile *rf, struct mt_report *r)
{
	struct mt_mapsrc src;
	int err;

	mt_report_init(r);
	err = mt_rec_header_get(rf, r);
	if (err)
		return err;
	mt_mapsrc_rec_init(&src, rf);
	return mt_collect(&src, r);
}

static struct json_object *json_of(const struct mt_report *r)
{
	/* the golden JSON is what the live run printed: every address as it was */
	struct mt_render_opts ro = { .top = 5, .raw_addresses = true };
	struct json_object *j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(mt_render_json(f, r, &ro), 0);
	fclose(f);
	j = json_tokener_parse(buf);
	free(buf);
	assert_non_null(j);
	return j;
}

/*
 * Every key of want is in got with the same value, recursively; got may have more keys.
 * Features merged later add JSON keys (schema_version stays 1, keys are only added), and
 * the golden JSON was written before them: what it has must still come back the same.
 */
static bool json_subset(struct json_object *want, struct json_object *got, const char *path)
{
	if (json_object_get_type(want) != json_object_get_type(got)) {
		print_error("%s: type differs\n", path);
		return false;
	}
	if (json_object_is_type(want, json_type_object)) {
		json_object_object_foreach(want, k, v)
		{
			struct json_object *g;
			char sub[512];

			snprintf(sub, sizeof(sub), "%s.%s", path, k);
			if (!json_object_object_get_ex(got, k, &g)) {
				print_error("%s: missing\n", sub);
				return false;
			}
			if (!json_subset(v, g, sub))
				return false;
		}
		return true;
	}
	if (json_object_is_type(want, json_type_array)) {
		size_t n = json_object_array_length(want);

		if (n != json_object_array_length(got)) {
			print_error("%s: %zu elements, want %zu\n", path,
				    json_object_array_length(got), n);
			return false;
		}
		for (size_t i = 0; i < n; i++) {
			char sub[512];

			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			if (!json_subset(json_object_array_get_idx(want, i),
					 json_object_array_get_idx(got, i), sub))
				return false;
		}
		return true;
	}
	if (!json_object_equal(want, got)) {
		print_error("%s: %s, want %s\n", path, json_object_to_json_string(got),
			    json_object_to_json_string(want));
		return false;
	}
	return true;
}

/* ---- golden file: recorded here from `workload mix 2000` under `memtrace record -p` ---- */

static void test_golden_reports_live_numbers(void **state)
{
	struct json_object *live, *rep;
	struct mt_recfile rf;
	struct mt_report r;

	assert_int_equal(mt_rec_load(fixture(GOLDEN ".rec"), &rf), 0);
	assert_false(rf.truncated);
	assert_int_equal(rf.major, MT_REC_MAJOR);
	assert_int_equal(report_from(&rf, &r), 0);
	assert_int_equal(r.run.nr_pids, 1);
	assert_int_equal(r.run.page_size, 4096);
	assert_true(r.run.class_traced[MT_CLASS_LOGICAL]);
	assert_true(r.run.class_traced[MT_CLASS_PHYSICAL]);
	assert_true(mt_rec_find_map(&rf, "stats") && mt_rec_find_map(&rf, "procs") &&
		    mt_rec_find_map(&rf, "caches") && mt_rec_find_map(&rf, "pid_filter"));
	assert_non_null(mt_rec_find_section(&rf, ".rodata"));
	assert_string_equal(mt_rec_get(&rf, "event.kmem:kmalloc"), "1");

	/* 2,000 eventfd+close: 4 slab objects each, plus the few the process made around them
	 * (the live run printed these numbers; the file must give them back exactly) */
	assert_int_equal(r.tot.cls[MT_CLASS_LOGICAL].allocs, 8004);
	assert_int_equal(r.tot.cls[MT_CLASS_LOGICAL].frees, 8004);
	assert_int_equal(r.tot.cls[MT_CLASS_LOGICAL].null_frees, 2004);
	assert_int_equal(r.tot.cls[MT_CLASS_PHYSICAL].allocs, 2009);
	assert_int_equal(r.nr_procs, 1);
	assert_string_equal(r.procs[0].comm, "workload");
	assert_string_equal(r.caches[0].name, "dentry");
	assert_int_equal(r.caches[0].allocs, 2000);

	/* and field by field, the JSON the live run wrote in the same invocation */
	live = json_object_from_file(fixture(GOLDEN ".json"));
	assert_non_null(live);
	rep = json_of(&r);
	assert_true(json_subset(live, rep, "report"));
	json_object_put(live);
	json_object_put(rep);
	mt_report_free(&r);
	mt_rec_free(&rf);
}

/* ---- synthetic files through writer, reader and map source ---- */

#define NCPU 3

static char *build_file(size_t *len, bool end)
{
	struct mt_rec_writer w;
	struct mt_rec_map_hdr h;
	struct mt_run_info ri = {};
	struct mt_zone_table z = {};
	struct mt_stats st[NCPU] = {};
	struct mt_proc pr[NCPU] = {};
	struct mt_buf b = {};
	char *buf = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);
	/* deliberately unsorted: the kernel's iteration order must survive */
	__u32 tgids[3] = { 300, 100, 200 };

	assert_non_null(f);
	assert_int_equal(mt_rec_begin(&w, f), 0);
	snprintf(ri.release, sizeof(ri.release), "6.1.0-test");
	snprintf(ri.arch, sizeof(ri.arch), "x86_64");
	snprintf(ri.attach, sizeof(ri.attach), "tracepoint");
	ri.page_size = 4096;
	ri.page_shift = 12;
	ri.nr_pids = 2;
	ri.pids[0] = 100;
	ri.pids[1] = 200;
	ri.class_traced[MT_CLASS_LOGICAL] = true;
	ri.duration_s = 1.0 / 3;
	ri.missed_runs = 7;
	z.nr = 1;
	z.z[0] = (struct mt_zone){ 0, "Normal", 0x100000, 0x540000, 0x500000 };
	mt_rec_header_put_run(&b, &ri, &z);
	mt_rec_header_put_end(&b, &ri);
	mt_buf_printf(&b, "event.kmem:kmalloc 1\nevent.kmem:kfree 0\n");
	assert_int_equal(mt_rec_chunk(&w, MT_CHUNK_HEADER, b.p, b.len), 0);
	mt_buf_free(&b);

	for (int c = 0; c < NCPU; c++) {
		st[c].cls[MT_CLASS_LOGICAL].allocs = 10 * (c + 1);
		st[c].lost[MT_LOSS_CACHE_FULL] = c;
	}
	h = (struct mt_rec_map_hdr){
		BPF_MAP_TYPE_PERCPU_ARRAY, 4, sizeof(st[0]), 1, NCPU, sizeof(st[0]), 1
	};
	mt_rec_map_begin(&b, "stats", &h);
	mt_buf_u32(&b, 0);
	mt_buf_put(&b, st, sizeof(st));
	assert_int_equal(mt_rec_chunk(&w, MT_CHUNK_MAP, b.p, b.len), 0);
	mt_buf_free(&b);

	h = (struct mt_rec_map_hdr){
		BPF_MAP_TYPE_PERCPU_HASH, 4, sizeof(pr[0]), 64, NCPU, sizeof(pr[0]), 3
	};
	mt_rec_map_begin(&b, "procs", &h);
	mt_buf_put(&b, tgids, sizeof(tgids));
	for (int i = 0; i < 3; i++) {
		for (int c = 0; c < NCPU; c++) {
			memset(&pr[c], 0, sizeof(pr[c]));
			if (c == 1)
				snprintf(pr[c].comm, sizeof(pr[c].comm), "p%u", tgids[i]);
			pr[c].allocs[MT_CLASS_LOGICAL] = tgids[i] + c;
			pr[c].bytes[MT_CLASS_LOGICAL] = 1000 * (i + 1);
		}
		mt_buf_put(&b, pr, sizeof(pr));
	}
	assert_int_equal(mt_rec_chunk(&w, MT_CHUNK_MAP, b.p, b.len), 0);
	mt_buf_free(&b);

	mt_buf_u32(&b, 5);
	mt_buf_put(&b, ".bss", 5); /* a name with a NUL in it is corrupt */
	mt_buf_free(&b);
	mt_buf_u32(&b, 4);
	mt_buf_put(&b, ".bss", 4);
	mt_buf_put(&b, "\x2a\0\0\0\x07\0\0\0", 8);
	assert_int_equal(mt_rec_chunk(&w, MT_CHUNK_SECTION, b.p, b.len), 0);
	mt_buf_free(&b);
	mt_buf_u32(&b, 14);
	mt_buf_put(&b, "/proc/zoneinfo", 14);
	mt_buf_put(&b, "Node 0, zone Normal\n", 20);
	assert_int_equal(mt_rec_chunk(&w, MT_CHUNK_FILE, b.p, b.len), 0);
	mt_buf_free(&b);
	assert_int_equal(mt_rec_chunk(&w, 99, "future", 6), 0); /* unknown: skipped */
	if (end)
		assert_int_equal(mt_rec_end(&w), 0);
	fclose(f);
	*len = blen;
	return buf;
}

static void test_round_trip(void **state)
{
	struct mt_recfile rf;
	struct mt_mapsrc src;
	struct mt_report r;
	__u32 key, prev, order[3], got[2];
	size_t len;
	char *buf = build_file(&len, true);
	int n = 0;

	assert_int_equal(mt_rec_parse(buf, len, &rf), 0);
	free(buf); /* the parsed file owns copies */
	assert_false(rf.truncated);
	assert_int_equal(rf.chunks, 7);
	assert_non_null(mt_rec_find_file(&rf, "/proc/zoneinfo"));
	assert_string_equal(mt_rec_find_file(&rf, "/proc/zoneinfo")->data, "Node 0, zone Normal\n");
	assert_null(mt_rec_find_file(&rf, "/proc/meminfo"));
	mt_mapsrc_rec_init(&src, &rf);

	/* iteration in recorded order, then -ENOENT; a missing prev restarts */
	for (int err = mt_mapsrc_next_key(&src, "procs", NULL, &key); !err;
	     err = mt_mapsrc_next_key(&src, "procs", &prev, &key)) {
		assert_true(n < 3);
		order[n++] = key;
		prev = key;
	}
	assert_int_equal(n, 3);
	assert_int_equal(order[0], 300);
	assert_int_equal(order[1], 100);
	assert_int_equal(order[2], 200);
	prev = 12345;
	assert_int_equal(mt_mapsrc_next_key(&src, "procs", &prev, &key), 0);
	assert_int_equal(key, 300);
	assert_int_equal(mt_mapsrc_next_key(&src, "nomap", NULL, &key), -ENOENT);
	assert_int_equal(mt_mapsrc_vals_size(&src, "procs"), NCPU * sizeof(struct mt_proc));
	assert_int_equal(mt_mapsrc_vals_size(&src, "nomap"), 0);
	key = 999;
	{
		struct mt_proc v[NCPU];

		assert_int_equal(mt_mapsrc_lookup(&src, "procs", &key, v), -ENOENT);
		key = 200;
		assert_int_equal(mt_mapsrc_lookup(&src, "procs", &key, v), 0);
		assert_string_equal(v[1].comm, "p200");
		assert_int_equal(v[2].allocs[MT_CLASS_LOGICAL], 202);
	}
	assert_int_equal(mt_mapsrc_global(&src, ".bss", got, sizeof(got)), 8);
	assert_int_equal(got[0], 42);
	assert_int_equal(got[1], 7);
	assert_int_equal(mt_mapsrc_global(&src, ".data", got, sizeof(got)), -ENOENT);
	assert_true(mt_mapsrc_event_traced(&src, "kmem", "kmalloc"));
	assert_false(mt_mapsrc_event_traced(&src, "kmem", "kfree"));
	assert_false(mt_mapsrc_event_traced(&src, "kmem", "nope"));

	assert_int_equal(report_from(&rf, &r), 0);
	assert_string_equal(r.run.release, "6.1.0-test");
	assert_int_equal(r.run.nr_pids, 2);
	assert_int_equal(r.run.pids[1], 200);
	assert_true(r.run.duration_s == 1.0 / 3); /* bit for bit */
	assert_int_equal(r.run.missed_runs, 7);
	assert_true(r.run.class_traced[MT_CLASS_LOGICAL]);
	assert_false(r.run.class_traced[MT_CLASS_PHYSICAL]);
	assert_int_equal(r.zones.nr, 1);
	assert_string_equal(r.zones.z[0].name, "Normal");
	assert_int_equal(r.zones.z[0].spanned, 0x540000);
	assert_int_equal(r.tot.cls[MT_CLASS_LOGICAL].allocs, 60);
	assert_int_equal(r.tot.lost[MT_LOSS_CACHE_FULL], 3);
	assert_int_equal(r.nr_procs, 3);
	assert_int_equal(r.procs[0].tgid, 200); /* most bytes first: 3 x 3000 */
	assert_int_equal(r.procs[0].allocs[MT_CLASS_LOGICAL], 603);
	assert_string_equal(r.procs[0].comm, "p200");
	assert_int_equal(r.nr_caches, 0); /* no caches map in this file: empty */
	mt_report_free(&r);
	mt_rec_free(&rf);
}

/* A struct that grew or shrank between versions reads, new fields as zero. */
static void test_value_size_mismatch(void **state)
{
	struct mt_rec_writer w;
	struct mt_rec_map_hdr h = { BPF_MAP_TYPE_PERCPU_ARRAY, 4, 16, 1, 2, 16, 1 };
	struct mt_buf b = {};
	struct mt_recfile rf;
	struct mt_report r;
	__u64 vals[4] = { 5, 6, 7, 8 }; /* two CPUs, only cls[0].allocs and .frees */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct mt_mapsrc src;

	mt_rec_begin(&w, f);
	mt_buf_printf(&b, "memtrace_version 0.0.1\n");
	mt_rec_chunk(&w, MT_CHUNK_HEADER, b.p, b.len);
	mt_buf_free(&b);
	mt_rec_map_begin(&b, "stats", &h);
	mt_buf_u32(&b, 0);
	mt_buf_put(&b, vals, sizeof(vals));
	mt_rec_chunk(&w, MT_CHUNK_MAP, b.p, b.len);
	mt_buf_free(&b);
	mt_rec_end(&w);
	fclose(f);
	assert_int_equal(mt_rec_parse(buf, len, &rf), 0);
	free(buf);
	mt_report_init(&r);
	mt_mapsrc_rec_init(&src, &rf);
	assert_int_equal(mt_collect(&src, &r), 0);
	assert_int_equal(r.tot.cls[0].allocs, 12);
	assert_int_equal(r.tot.cls[0].frees, 14);
	assert_int_equal(r.tot.events, 0);
	mt_report_free(&r);
	mt_rec_free(&rf);
}

/* ---- damaged files ---- */

/* Offsets where chunks start, walking the framing of a good file. */
static size_t chunk_starts(const char *buf, size_t len, size_t *off, size_t max)
{
	size_t n = 0, o = MT_REC_FILE_HDR;

	while (o + MT_REC_CHUNK_HDR <= len && n < max) {
		const unsigned char *p = (const unsigned char *)buf + o + 12;

		off[n++] = o;
		o += MT_REC_CHUNK_HDR + (p[0] | p[1] << 8 | p[2] << 16 | (size_t)p[3] << 24);
	}
	if (n < max)
		off[n++] = o; /* the end */
	return n;
}

/* Every prefix: too short is "not a recording"; otherwise truncated, and a report that
 * holds exactly the maps whose chunks are complete. */
static void test_every_cut(void **state)
{
	size_t len, starts[64], ns;
	char *full = slurp(fixture(GOLDEN ".rec"), &len);

	ns = chunk_starts(full, len, starts, 64);
	assert_int_equal(starts[ns - 1], len);
	for (size_t cut = 0; cut < len; cut++) {
		struct mt_recfile rf;
		struct mt_report r;
		char *copy = malloc(cut + 1); /* exact size, so ASan sees any overread */
		int err;
		unsigned int complete = 0;

		memcpy(copy, full, cut);
		err = mt_rec_parse(copy, cut, &rf);
		free(copy);
		if (cut < MT_REC_FILE_HDR) {
			assert_int_equal(err, -EINVAL);
			assert_non_null(strstr(rf.why, "not a memtrace recording"));
			continue;
		}
		assert_int_equal(err, 0);
		assert_true(rf.truncated);
		assert_non_null(strstr(rf.why, cut == starts[0] ? "no END chunk" : "cut"));
		for (size_t i = 1; i < ns; i++)
			complete += starts[i] <= cut;
		assert_int_equal(rf.chunks, complete);
		err = report_from(&rf, &r);
		if (complete == 0) {
			assert_int_equal(err, -EINVAL); /* no header: nothing to report */
		} else {
			assert_int_equal(err, 0);
			/* all or nothing per map */
			assert_true(r.tot.cls[MT_CLASS_LOGICAL].allocs == 0 ||
				    r.tot.cls[MT_CLASS_LOGICAL].allocs == 8004);
			assert_true(r.nr_procs == 0 || r.nr_procs == 1);
		}
		mt_report_free(&r);
		mt_rec_free(&rf);
	}
	free(full);
}

/* Every byte flipped: a clear error, or a report marked truncated; never a crash. */
static void test_every_flipped_byte(void **state)
{
	size_t len;
	char *full = slurp(fixture(GOLDEN ".rec"), &len);

	for (size_t i = 0; i < len; i++) {
		char *copy = malloc(len);
		struct mt_recfile rf;
		struct mt_report r;
		int err;

		memcpy(copy, full, len);
		copy[i] ^= 0x5a;
		err = mt_rec_parse(copy, len, &rf);
		free(copy);
		if (i < 8) {
			assert_int_equal(err, -EINVAL);
		} else if (i < MT_REC_FILE_HDR) {
			/* version and flags: an older or newer version, or flags we ignore */
			assert_true(err == 0 || err == -EPROTONOSUPPORT || err == -EINVAL);
			if (!err)
				mt_rec_free(&rf);
			continue;
		} else {
			assert_int_equal(err, 0);
			assert_true(rf.truncated);
			/* a flipped length that points past the end reads as a cut */
			if (!strstr(rf.why, "corrupt") && !strstr(rf.why, "cut inside a chunk"))
				fail_msg("byte %zu flipped: %s", i, rf.why);
			report_from(&rf, &r);
			mt_report_free(&r);
		}
		mt_rec_free(&rf);
	}
	free(full);
}

static void test_newer_major_refused(void **state)
{
	size_t len;
	char *buf = slurp(fixture(GOLDEN ".rec"), &len);
	struct mt_recfile rf;

	buf[8] = MT_REC_MAJOR + 1;
	buf[10] = 3;
	assert_int_equal(mt_rec_parse(buf, len, &rf), -EPROTONOSUPPORT);
	assert_non_null(strstr(rf.why, "format 2.3, newer than this memtrace reads (1.x)"));
	/* a newer minor of our major reads */
	buf[8] = MT_REC_MAJOR;
	buf[10] = MT_REC_MINOR + 1;
	assert_int_equal(mt_rec_parse(buf, len, &rf), 0);
	assert_false(rf.truncated);
	mt_rec_free(&rf);
	free(buf);
}

static void test_load_errors(void **state)
{
	struct mt_recfile rf;
	char path[] = "/tmp/mt-test-record.XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello, world\n", 13), 13);
	close(fd);
	assert_int_equal(mt_rec_load(path, &rf), -EINVAL);
	assert_non_null(strstr(rf.why, "not a memtrace recording"));
	unlink(path);
	assert_int_equal(mt_rec_load(path, &rf), -ENOENT);
	assert_int_equal(mt_rec_load("/tmp", &rf), -EISDIR);
	assert_int_equal(mt_rec_load("/dev/zero", &rf), -ENODEV);
	assert_int_equal(mt_rec_parse("", 0, &rf), -EINVAL);
}

/* A file without an END chunk is reported, and marked truncated. */
static void test_no_end_chunk(void **state)
{
	struct mt_recfile rf;
	struct mt_report r;
	size_t len;
	char *buf = build_file(&len, false);

	assert_int_equal(mt_rec_parse(buf, len, &rf), 0);
	free(buf);
	assert_true(rf.truncated);
	assert_non_null(strstr(rf.why, "no END chunk"));
	assert_int_equal(report_from(&rf, &r), 0);
	assert_int_equal(r.tot.cls[MT_CLASS_LOGICAL].allocs, 60);
	mt_report_free(&r);
	mt_rec_free(&rf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_reports_live_numbers),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_value_size_mismatch),
		cmocka_unit_test(test_every_cut),
		cmocka_unit_test(test_every_flipped_byte),
		cmocka_unit_test(test_newer_major_refused),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_no_end_chunk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
