// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The --html page (src/render/render_html.c): the report it embeds, base64 of gzip, inflates
 * to exactly the JSON report; the page fetches nothing (a CSP of default-src 'none', no
 * src= or href= to anywhere); a report string that holds "</script>" cannot end the
 * element early.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "render/render.h"

static char *render(const struct mt_report *r, bool html, size_t *len)
{
	struct mt_render_opts o = { .top = 5, .compact_json = !html };
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	assert_non_null(f);
	assert_int_equal(html ? mt_render_html(r, &o, f) : mt_render_json(f, r, &o), 0);
	fclose(f);
	return buf;
}

static int b64val(int c)
{
	const char *t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(t, c) : NULL;

	return p ? (int)(p - t) : -1;
}

/* The memtrace-data element's text, decoded and inflated. */
static char *embedded(const char *page, size_t *out_len)
{
	const char *start = strstr(page, "id=\"memtrace-data\" data-encoding=\"gzip+base64\">");
	const char *end;
	unsigned char *gz, *json;
	size_t n = 0;
	unsigned int acc = 0, bits = 0;
	z_stream zs = {};
	size_t cap = 1 << 24;

	assert_non_null(start);
	start = strchr(start, '>') + 1;
	end = strstr(start, "</script>");
	assert_non_null(end);
	gz = malloc((size_t)(end - start));
	for (const char *p = start; p < end; p++) {
		int v = b64val(*p);

		if (*p == '\n' || *p == '=')
			continue;
		assert_true(v >= 0); /* nothing but base64 and line ends in the element */
		acc = acc << 6 | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			gz[n++] = (unsigned char)(acc >> bits);
		}
	}
	json = malloc(cap);
	assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
	zs.next_in = gz;
	zs.avail_in = (uInt)n;
	zs.next_out = json;
	zs.avail_out = (uInt)cap;
	assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
	*out_len = zs.total_out;
	inflateEnd(&zs);
	free(gz);
	return (char *)json;
}

static void test_embeds_the_json(void **state)
{
	struct mt_report r;
	struct mt_proc p = {};
	char *page, *json, *back;
	size_t plen, jlen, blen;

	(void)state;
	mt_report_init(&r);
	r.run.class_traced[MT_CLASS_LOGICAL] = true;
	r.tot.cls[MT_CLASS_LOGICAL].allocs = 12345;
	r.tot.cls[MT_CLASS_LOGICAL].bytes_alloc = 999;
	/* a process name that would end the script element, were it not encoded */
	snprintf(p.comm, sizeof(p.comm), "</script><b>");
	p.allocs[MT_CLASS_LOGICAL] = 3;
	assert_int_equal(mt_report_add_proc(&r, 42, &p, 1), 0);
	mt_report_finish(&r);

	page = render(&r, true, &plen);
	json = render(&r, false, &jlen);
	back = embedded(page, &blen);
	assert_int_equal(blen, jlen);
	assert_memory_equal(back, json, jlen);
	/* the name is only in the encoded data: never as markup */
	assert_null(strstr(page, "<b>"));
	/* nothing fetched: the CSP forbids it, and nothing asks */
	assert_non_null(strstr(page, "default-src 'none'"));
	assert_null(strstr(page, "src=\"http"));
	assert_null(strstr(page, "href=\"http"));
	assert_null(strstr(page, "@import"));
	free(page);
	free(json);
	free(back);
	mt_report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_embeds_the_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
