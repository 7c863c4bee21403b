// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * src/sys/kallsyms.c on fixtures: a slice of a real x86_64 /proc/kallsyms read as root, the
 * same slice as a non-root reader sees it (every address 0), and hand-made edge cases
 * (data symbols, malformed lines, several names at one address, modules, unsorted input,
 * addresses before the first and far past the last symbol).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "sys/kallsyms.h"

static void load(struct mt_ksyms *ks, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "tests/fixtures/%s", name);
	mt_ksyms_init(ks);
	assert_int_equal(mt_ksyms_load(ks, path), 0);
}

static const char *fmt(const struct mt_ksyms *ks, __u64 addr, bool off)
{
	static char buf[256];

	return mt_ksyms_fmt(ks, addr, off, buf, sizeof(buf));
}

static void test_real_slice(void **state)
{
	struct mt_ksyms ks;

	load(&ks, "kallsyms-x86_64.txt");
	assert_false(ks.zero_addrs);
	/* 5 + 41 text lines + 3 [bpf] ones; the 4 data symbols are not kept */
	assert_int_equal(ks.n, 49);
	assert_string_equal(fmt(&ks, 0xffffffff81755dd0ULL + 0x41, true), "do_eventfd+0x41");
	assert_string_equal(fmt(&ks, 0xffffffff81755dd0ULL, true), "do_eventfd+0x0");
	assert_string_equal(fmt(&ks, 0xffffffff81756210ULL + 0x9f, false), "eventfd_release");
	/* the __pfx_ padding before a function is its own symbol */
	assert_string_equal(fmt(&ks, 0xffffffff81755dc8ULL, true), "__pfx_do_eventfd+0x8");
	/* JIT-ed BPF programs are listed as module [bpf] */
	assert_string_equal(fmt(&ks, 0xffffffffc0002b6cULL + 0x10, true),
			    "bpf_prog_72a3ade19c07e834_kmalloc_btf+0x10 [bpf]");
	/* below the first symbol: unknown, printed as an address */
	assert_null(mt_ksyms_find(&ks, 0xffffffff80ffffffULL));
	assert_string_equal(fmt(&ks, 0xffffffff80ffffffULL, true), "0xffffffff80ffffff");
	mt_ksyms_free(&ks);
}

static void test_nonroot_hides_everything(void **state)
{
	struct mt_ksyms ks;

	load(&ks, "kallsyms-nonroot.txt");
	assert_true(ks.zero_addrs);
	assert_int_equal(ks.n, 0);
	assert_null(mt_ksyms_find(&ks, 0xffffffff81755e11ULL));
	assert_string_equal(fmt(&ks, 0xffffffff81755e11ULL, true), "0xffffffff81755e11");
	mt_ksyms_free(&ks);
}

static void test_edge_cases(void **state)
{
	struct mt_ksyms ks;

	load(&ks, "kallsyms-edge.txt");
	assert_false(ks.zero_addrs);
	/* kept: first, unsorted, second, alias, weak, two module ones, semi;colon */
	assert_int_equal(ks.n, 8);
	for (size_t i = 1; i < ks.n; i++)
		assert_true(ks.syms[i - 1].addr <= ks.syms[i].addr);
	assert_string_equal(fmt(&ks, 0xffffffff81000050ULL, true), "first_func+0x50");
	/* the unsorted line still counts: 0x80.. belongs to unsorted_func */
	assert_string_equal(fmt(&ks, 0xffffffff81000090ULL, true), "unsorted_func+0x10");
	/* a data symbol never claims code: 0x110 is still in unsorted_func */
	assert_string_equal(fmt(&ks, 0xffffffff81000110ULL, true), "unsorted_func+0x90");
	/* two names at one address: the same one every time (the first by name) */
	assert_string_equal(fmt(&ks, 0xffffffff81000204ULL, true), "a_second_alias+0x4");
	assert_string_equal(fmt(&ks, 0xffffffff81000300ULL, true), "weak_func+0x0");
	assert_string_equal(fmt(&ks, 0xffffffffc0100090ULL, true), "mod_func2+0x10 [my_mod]");
	assert_string_equal(fmt(&ks, 0xffffffffc0100004ULL, false), "mod_func [my_mod]");
	/* far past the last symbol (more than MT_KSYM_MAX_OFFSET): not in it */
	assert_null(mt_ksyms_find(&ks, 0xffffffffc0100080ULL + MT_KSYM_MAX_OFFSET));
	assert_non_null(mt_ksyms_find(&ks, 0xffffffffc0100080ULL + MT_KSYM_MAX_OFFSET - 1));
	/* an empty table finds nothing */
	{
		struct mt_ksyms empty;

		mt_ksyms_init(&empty);
		assert_null(mt_ksyms_find(&empty, 0xffffffff81000050ULL));
		assert_string_equal(fmt(NULL, 0x10, true), "0x10");
	}
	mt_ksyms_free(&ks);
}

/* Lines the hand-written splitter must take apart as sscanf did, or better. */
static void test_line_shapes(void **state)
{
	static const char text[] =
		"ffffffff81000000 T\tspaced_out   \t [tab_mod]\n" /* any blanks between */
		"ffffffff81000100 t unclosed [half_mod\n"	  /* module without ] */
		"ffffffff81000200 t empty_mod []\n"		  /* [] is no module */
		"ffffffff8100030 t short_hex\n"			  /* 15 digits: fine */
		"12345678901234567 T seventeen_digits\n"	  /* too long: skipped */
		"ffffffff8100040g T not_hex\n"			  /* skipped */
		"ffffffff81000500 T\n"				  /* no name: skipped */
		"ffffffff81000600\n";				  /* no type: skipped */
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	struct mt_ksyms ks;

	(void)state;
	assert_non_null(f);
	mt_ksyms_init(&ks);
	assert_int_equal(mt_ksyms_parse(&ks, f), 0);
	fclose(f);
	assert_int_equal(ks.n, 4);
	assert_string_equal(fmt(&ks, 0xffffffff81000004ULL, true), "spaced_out+0x4 [tab_mod]");
	assert_string_equal(fmt(&ks, 0xffffffff81000104ULL, true), "unclosed+0x4 [half_mod]");
	assert_string_equal(fmt(&ks, 0xffffffff81000204ULL, true), "empty_mod+0x4");
	assert_string_equal(fmt(&ks, 0x0ffffffff8100034ULL, true), "short_hex+0x4");
	mt_ksyms_free(&ks);
}

static void test_missing_file(void **state)
{
	struct mt_ksyms ks;

	mt_ksyms_init(&ks);
	assert_true(mt_ksyms_load(&ks, "tests/fixtures/no-such-file") < 0);
	mt_ksyms_free(&ks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_slice),
		cmocka_unit_test(test_nonroot_hides_everything),
		cmocka_unit_test(test_edge_cases),
		cmocka_unit_test(test_line_shapes),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests_name("kallsyms", tests, NULL, NULL);
}
