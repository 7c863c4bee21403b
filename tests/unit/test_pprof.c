// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * --pprof (src/render/render_pprof.c): a model of synthetic stack and call-site rows written
 * as a profile, gunzipped and decoded back with protobuf-c. The heap profile's sample types
 * in Go's order, the totals of the model's rows, labels, function names without glue frames,
 * one mapping per module with [kernel.kallsyms] first, addresses only with --raw-addresses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/model.h"
#include "model/report_join.h"
#include "render/render.h"

#if MT_PPROF
#include <zlib.h>
#include <profile.pb-c.h>

typedef Perftools__Profiles__Profile pb_profile;

#define NCPU 2
#define SEC 1000000000ULL

static const char *syms = "ffffffff81000000 T bpf_trace_run4\n"
			  "ffffffff81000100 T __kmalloc_cache_noprof\n"
			  "ffffffff81000200 t do_eventfd\n"
			  "ffffffff81000300 T __x64_sys_eventfd2\n"
			  "ffffffff81000400 T do_syscall_64\n"
			  "ffffffff81000500 T alloc_pipe_info\n"
			  "ffffffffc0000000 t bpf_prog_0123_kmalloc_btf\t[bpf]\n"
			  "ffffffffc0100000 t ext4_alloc_inode\t[ext4]\n";

#define A_GLUE 0xffffffff81000010ULL
#define A_ALLOC 0xffffffff81000120ULL
#define A_EVENTFD 0xffffffff81000241ULL
#define A_SYS 0xffffffff81000310ULL
#define A_ENTRY 0xffffffff81000420ULL
#define A_PIPE 0xffffffff81000533ULL
#define A_JIT 0xffffffffc0000044ULL
#define A_EXT4 0xffffffffc0100080ULL

struct fixture {
	struct mt_report r;
	struct mt_ksyms ks;
};

static void obj(struct mt_report *r, __u64 addr, int cls, __u64 size, __u64 site, __s32 stack)
{
	struct mt_obj_key k = { .addr = addr, .cls = cls };
	struct mt_obj o = { .ts_ns = r->pair.end_ns - SEC,
			    .size = size,
			    .call_site = site,
			    .tgid = 100,
			    .stack_id = stack };

	assert_int_equal(mt_pair_add_obj(&r->pair, &k, &o), 0);
}

static void site(struct mt_report *r, __u64 addr, int cls, __u64 allocs, __u64 bytes)
{
	struct mt_site_key k = { .call_site = addr, .cls = cls };
	struct mt_site v[NCPU] = { { allocs, bytes, bytes } };

	assert_int_equal(mt_pair_add_site(&r->pair, &k, v, NCPU), 0);
}

static void stack_agg(struct mt_report *r, __s32 id, int cls, __u64 allocs, __u64 bytes)
{
	struct mt_stack_key k = { .stack_id = id, .cls = cls };
	struct mt_stack_agg v[NCPU] = { { allocs, bytes } };

	assert_int_equal(mt_pair_add_stack_agg(&r->pair, &k, v, NCPU), 0);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct mt_proc procs[NCPU] = { { .comm = "workload" } };
	__u64 eventfd_stack[MT_STACK_DEPTH] = { A_JIT, A_GLUE, A_ALLOC, A_EVENTFD, A_SYS, A_ENTRY };
	__u64 ext4_stack[MT_STACK_DEPTH] = { A_JIT, A_GLUE, A_ALLOC, A_EXT4, A_PIPE, A_ENTRY };
	struct mt_report *r;
	FILE *f;

	if (!fx)
		return -1;
	r = &fx->r;
	mt_report_init(r);
	f = fmemopen((void *)syms, strlen(syms), "r");
	mt_ksyms_init(&fx->ks);
	if (!f || mt_ksyms_parse(&fx->ks, f))
		return -1;
	fclose(f);
	r->pair.ksyms = &fx->ks;
	r->pair.opts = (struct mt_pair_opts){ .pairs = true, .stacks = true, .sites = true };
	r->pair.end_ns = 1000 * SEC;
	r->run.start_wall_ns = 1765000000123456789ULL;
	r->run.duration_s = 2.5;
	r->run.class_traced[MT_CLASS_LOGICAL] = r->run.class_traced[MT_CLASS_PHYSICAL] = true;
	mt_report_add_proc(r, 100, procs, NCPU);
	/* outstanding: 3 eventfd contexts, 1 ext4 inode, 2 pages whose stack was lost */
	obj(r, 0xffff888000001000ULL, MT_CLASS_LOGICAL, 64, A_EVENTFD, 7);
	obj(r, 0xffff888000002000ULL, MT_CLASS_LOGICAL, 64, A_EVENTFD, 7);
	obj(r, 0xffff888000003000ULL, MT_CLASS_LOGICAL, 64, A_EVENTFD, 7);
	obj(r, 0xffff888000004000ULL, MT_CLASS_LOGICAL, 1024, A_EXT4, 9);
	obj(r, 0x1234, MT_CLASS_PHYSICAL, 4096, 0, -1);
	obj(r, 0x1235, MT_CLASS_PHYSICAL, 8192, 0, -1);
	site(r, A_EVENTFD, MT_CLASS_LOGICAL, 10, 640);
	site(r, A_EXT4, MT_CLASS_LOGICAL, 2, 2048);
	site(r, 0, MT_CLASS_PHYSICAL, 5, 5 * 4096);
	stack_agg(r, 7, MT_CLASS_LOGICAL, 10, 640);
	stack_agg(r, 9, MT_CLASS_LOGICAL, 2, 2048);
	stack_agg(r, -1, MT_CLASS_PHYSICAL, 5, 5 * 4096);
	assert_int_equal(mt_pair_add_frames(&r->pair, 7, eventfd_stack, MT_STACK_DEPTH), 0);
	assert_int_equal(mt_pair_add_frames(&r->pair, 9, ext4_stack, MT_STACK_DEPTH), 0);
	assert_int_equal(mt_pair_finish(r), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	mt_report_free(&fx->r);
	mt_ksyms_free(&fx->ks);
	free(fx);
	return 0;
}

/* Render, check the gzip wrapper, inflate, decode. */
static pb_profile *decode(const struct mt_report *r, bool raw)
{
	struct mt_render_opts o = { .top = 10, .raw_addresses = raw };
	static unsigned char out[1 << 20];
	z_stream z = {};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	pb_profile *p;

	assert_non_null(f);
	assert_int_equal(mt_render_pprof(f, r, &o), 0);
	assert_int_equal(fclose(f), 0);
	assert_true(len > 18);
	assert_int_equal((unsigned char)buf[0], 0x1f); /* gzip magic */
	assert_int_equal((unsigned char)buf[1], 0x8b);
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)buf;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = sizeof(out);
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	p = perftools__profiles__profile__unpack(NULL, z.total_out, out);
	inflateEnd(&z);
	free(buf);
	assert_non_null(p);
	return p;
}

static const char *str(const pb_profile *p, int64_t i)
{
	assert_true(i >= 0 && (size_t)i < p->n_string_table);
	return p->string_table[i];
}

static const char *fn_of_loc(const pb_profile *p, uint64_t loc_id)
{
	for (size_t i = 0; i < p->n_location; i++) {
		if (p->location[i]->id != loc_id)
			continue;
		assert_int_equal(p->location[i]->n_line, 1);
		for (size_t j = 0; j < p->n_function; j++)
			if (p->function[j]->id == p->location[i]->line[0]->function_id)
				return str(p, p->function[j]->name);
	}
	fail_msg("no location %llu", (unsigned long long)loc_id);
	return NULL;
}

static const char *label(const pb_profile *p, const Perftools__Profiles__Sample *s, const char *key)
{
	for (size_t i = 0; i < s->n_label; i++)
		if (!strcmp(str(p, s->label[i]->key), key))
			return str(p, s->label[i]->str);
	return NULL;
}

/* The sample whose leaf is function name, or NULL. */
static const Perftools__Profiles__Sample *by_leaf(const pb_profile *p, size_t frame,
						  const char *name)
{
	for (size_t i = 0; i < p->n_sample; i++)
		if (p->sample[i]->n_location_id > frame &&
		    !strcmp(fn_of_loc(p, p->sample[i]->location_id[frame]), name))
			return p->sample[i];
	return NULL;
}

static void test_heap_profile_shape(void **state)
{
	struct fixture *fx = *state;
	static const char *const want[4][2] = { { "alloc_objects", "count" },
						{ "alloc_space", "bytes" },
						{ "inuse_objects", "count" },
						{ "inuse_space", "bytes" } };
	pb_profile *p = decode(&fx->r, false);

	assert_int_equal(p->n_sample_type, 4);
	for (int i = 0; i < 4; i++) {
		assert_string_equal(str(p, p->sample_type[i]->type), want[i][0]);
		assert_string_equal(str(p, p->sample_type[i]->unit), want[i][1]);
	}
	assert_string_equal(str(p, p->default_sample_type), "inuse_space");
	assert_non_null(p->period_type);
	assert_string_equal(str(p, p->period_type->type), "space");
	assert_string_equal(str(p, p->period_type->unit), "bytes");
	assert_int_equal(p->period, 1);
	assert_string_equal(p->string_table[0], "");
	assert_int_equal(p->time_nanos, 1765000000123456789LL);
	assert_int_equal(p->duration_nanos, 2500000000LL);
	assert_non_null(strstr(str(p, p->drop_frames), "__kmalloc.*"));
	assert_true(p->n_comment >= 1);
	assert_non_null(strstr(str(p, p->comment[0]), "memtrace"));
	perftools__profiles__profile__free_unpacked(p, NULL);
}

/* One sample per stack row, values and totals as the model has them. */
static void test_stack_samples(void **state)
{
	struct fixture *fx = *state;
	const struct mt_pair_report *pr = &fx->r.pair;
	pb_profile *p = decode(&fx->r, false);
	const Perftools__Profiles__Sample *s;
	long long tot[4] = {}, want[4] = {};

	assert_int_equal(p->n_sample, pr->nr_stacks);
	for (size_t i = 0; i < pr->nr_stacks; i++) {
		want[0] += pr->stacks[i].allocs;
		want[1] += pr->stacks[i].bytes;
		want[2] += pr->stacks[i].out_count;
		want[3] += pr->stacks[i].out_bytes;
	}
	for (size_t i = 0; i < p->n_sample; i++) {
		assert_int_equal(p->sample[i]->n_value, 4);
		for (int v = 0; v < 4; v++)
			tot[v] += p->sample[i]->value[v];
		/* no glue, no BPF program in any frame */
		for (size_t j = 0; j < p->sample[i]->n_location_id; j++)
			assert_null(strstr(fn_of_loc(p, p->sample[i]->location_id[j]), "bpf_"));
	}
	assert_int_equal(tot[0], 17);
	assert_int_equal(tot[1], 640 + 2048 + 5 * 4096);
	assert_int_equal(tot[2], 6);
	assert_int_equal(tot[3], 3 * 64 + 1024 + 4096 + 8192);
	for (int v = 0; v < 4; v++)
		assert_int_equal(tot[v], want[v]);

	/* leaf first: the allocator, then its caller, then up to the syscall entry */
	s = by_leaf(p, 1, "do_eventfd");
	assert_non_null(s);
	assert_int_equal(s->n_location_id, 4);
	assert_string_equal(fn_of_loc(p, s->location_id[0]), "__kmalloc_cache_noprof");
	assert_string_equal(fn_of_loc(p, s->location_id[3]), "do_syscall_64");
	assert_int_equal(s->value[0], 10);
	assert_int_equal(s->value[1], 640);
	assert_int_equal(s->value[2], 3);
	assert_int_equal(s->value[3], 192);
	assert_string_equal(label(p, s, "class"), "kernel_logical");
	assert_string_equal(label(p, s, "allocator"), "slab");

	s = by_leaf(p, 0, "[stack not recorded]");
	assert_non_null(s);
	assert_int_equal(s->n_location_id, 1);
	assert_int_equal(s->value[1], 5 * 4096);
	assert_int_equal(s->value[3], 4096 + 8192);
	assert_string_equal(label(p, s, "class"), "physical");
	perftools__profiles__profile__free_unpacked(p, NULL);
}

/* [kernel.kallsyms] first, one mapping per module, each function in its module's mapping;
 * no address unless --raw-addresses. */
static void test_mappings_and_addresses(void **state)
{
	struct fixture *fx = *state;
	pb_profile *p = decode(&fx->r, false);
	uint64_t ext4 = 0;

	assert_int_equal(p->n_mapping, 2);
	assert_string_equal(str(p, p->mapping[0]->filename), "[kernel.kallsyms]");
	assert_string_equal(str(p, p->mapping[1]->filename), "[ext4]");
	assert_true(p->mapping[0]->has_functions);
	assert_int_equal(p->mapping[0]->memory_start, 0);
	ext4 = p->mapping[1]->id;
	for (size_t i = 0; i < p->n_location; i++) {
		const char *fn = fn_of_loc(p, p->location[i]->id);

		assert_int_equal(p->location[i]->address, 0);
		if (!strcmp(fn, "ext4_alloc_inode"))
			assert_int_equal(p->location[i]->mapping_id, ext4);
		else
			assert_int_equal(p->location[i]->mapping_id, p->mapping[0]->id);
	}
	perftools__profiles__profile__free_unpacked(p, NULL);

	p = decode(&fx->r, true);
	for (size_t i = 0; i < p->n_location; i++) {
		const char *fn = fn_of_loc(p, p->location[i]->id);

		if (!strcmp(fn, "do_eventfd"))
			assert_int_equal(p->location[i]->address, A_EVENTFD);
		if (!strcmp(fn, "ext4_alloc_inode"))
			assert_int_equal(p->location[i]->address, A_EXT4);
	}
	assert_int_equal(p->mapping[1]->memory_start, A_EXT4);
	assert_int_equal(p->mapping[1]->memory_limit, A_EXT4 + 1);
	perftools__profiles__profile__free_unpacked(p, NULL);
}

/* Without stacks: a one-frame sample per call site, a kind without one named for it. */
static void test_site_samples(void **state)
{
	struct fixture *fx = *state;
	const Perftools__Profiles__Sample *s;
	pb_profile *p;
	long long bytes = 0, out = 0;

	fx->r.pair.opts.stacks = false;
	p = decode(&fx->r, false);
	assert_int_equal(p->n_sample, fx->r.pair.nr_sites);
	for (size_t i = 0; i < p->n_sample; i++) {
		assert_int_equal(p->sample[i]->n_location_id, 1);
		bytes += p->sample[i]->value[1];
		out += p->sample[i]->value[3];
	}
	assert_int_equal(bytes, 640 + 2048 + 5 * 4096);
	assert_int_equal(out, 3 * 64 + 1024 + 4096 + 8192);
	s = by_leaf(p, 0, "do_eventfd");
	assert_non_null(s);
	assert_int_equal(s->value[0], 10);
	assert_int_equal(s->value[2], 3);
	s = by_leaf(p, 0, "[pages]");
	assert_non_null(s);
	assert_int_equal(s->value[1], 5 * 4096);
	assert_string_equal(label(p, s, "class"), "physical");
	perftools__profiles__profile__free_unpacked(p, NULL);
	fx->r.pair.opts.stacks = true;
}

/* An empty report is still a valid profile, with its sample types. */
static void test_empty(void **state)
{
	struct mt_report r;
	pb_profile *p;

	mt_report_init(&r);
	p = decode(&r, false);
	assert_int_equal(p->n_sample, 0);
	assert_int_equal(p->n_sample_type, 4);
	assert_int_equal(p->n_mapping, 1);
	perftools__profiles__profile__free_unpacked(p, NULL);
	mt_report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_heap_profile_shape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stack_samples, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mappings_and_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_site_samples, setup, teardown),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests_name("pprof", tests, NULL, NULL);
}

#else /* !MT_PPROF: a build without protobuf-c has no renderer to test */

static void test_not_built(void **state)
{
	skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_not_built) };

	return cmocka_run_group_tests_name("pprof", tests, NULL, NULL);
}

#endif
