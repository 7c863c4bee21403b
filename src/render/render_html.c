// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * One self-contained HTML page: the template, style and script of src/render/html/ (built
 * in as byte arrays) around the JSON report, so the page is the JSON's numbers and nothing
 * else, and opens from file:// with no network.
 */
#include <stdlib.h>
#include <string.h>
#include "render/render.h"
#include "sys/gzip.h"

/* The assets, NUL-terminated: "<!--MT:name-->" in the template is where each one goes. */
static const unsigned char html_template[] = {
#include "render/html/report.html.inc"
	0
};
static const unsigned char html_css[] = {
#include "render/html/report.css.inc"
	0
};
static const unsigned char html_js[] = {
#include "render/html/report.js.inc"
	0
};

/*
 * The JSON, gzip'd and in base64: a report's JSON repeats its keys and frames on every row,
 * so it shrinks about tenfold, and a long run's page (an hour's timeline, thousands of
 * stacks) stays a file people mail around. The page inflates it with the browser's own
 * DecompressionStream: nothing fetched. Base64 holds no '<', so nothing in it can end the
 * script element. 0 or -1.
 */
static int write_json_gz64(FILE *f, const char *json, size_t len)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char *gz;
	size_t n;
	int err;

	err = mt_gzip(json, len, 9, &gz, &n);
	for (size_t i = 0; !err && i < n; i += 3) {
		__u32 v = (__u32)gz[i] << 16 | (i + 1 < n ? (__u32)gz[i + 1] << 8 : 0) |
			  (i + 2 < n ? gz[i + 2] : 0);
		char q[4] = { b64[v >> 18 & 63], b64[v >> 12 & 63],
			      i + 1 < n ? b64[v >> 6 & 63] : '=', i + 2 < n ? b64[v & 63] : '=' };

		fwrite(q, 1, 4, f);
		if (i % 57 == 54)
			fputc('\n', f); /* 76 columns, as base64(1) */
	}
	free(gz);
	return err || ferror(f) ? -1 : 0;
}

/* The template with each marker replaced by its asset (or the JSON); 0 or -1. */
static int write_page(FILE *f, const char *json, size_t json_len)
{
	static const char mark[] = "<!--MT:";
	const char *t = (const char *)html_template, *m, *end;

	while ((m = strstr(t, mark))) {
		const char *name = m + sizeof(mark) - 1;

		end = strstr(name, "-->");
		if (!end)
			break;
		fwrite(t, 1, (size_t)(m - t), f);
		if (!strncmp(name, "css-->", 6))
			fputs((const char *)html_css, f);
		else if (!strncmp(name, "js-->", 5))
			fputs((const char *)html_js, f);
		else if (!strncmp(name, "data-->", 7) && write_json_gz64(f, json, json_len))
			return -1;
		t = end + 3;
	}
	fputs(t, f);
	return ferror(f) ? -1 : 0;
}

int mt_render_html(const struct mt_report *r, const struct mt_render_opts *o, FILE *f)
{
	struct mt_render_opts jo = *o;
	char *json = NULL;
	size_t len = 0;
	FILE *mem;
	int err;

	/* the page embeds exactly the JSON report, so its numbers are the JSON's; compact, so
	 * that a 60 s system-wide run with stacks stays under 2 MB */
	jo.compact_json = true;
	mem = open_memstream(&json, &len);
	if (!mem)
		return -1;
	err = mt_render_json(mem, r, &jo);
	if (fclose(mem) || !json)
		err = -1;
	if (!err)
		err = write_page(f, json, len);
	free(json);
	return err;
}
