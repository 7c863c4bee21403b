// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * One self-contained HTML page: the template, style and script of src/render/html/ (built
 * in as byte arrays) around the JSON report, so the page is the JSON's numbers and nothing
 * else, and opens from file:// with no network.
 */
#include <stdlib.h>
#include <string.h>
#include "render/render.h"

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
 * JSON inside <script type="application/json">: the HTML parser ends the element at the
 * first "</script" and enters its escaped states at "<!--", whatever JSON thinks of them.
 * '<' only ever occurs inside JSON strings, where "<\/" and "\u003c" read back as they were.
 * U+2028 and U+2029 are escaped too: older JavaScript parsers took them for line ends.
 */
static int write_json_safe(FILE *f, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		const unsigned char *u = (const unsigned char *)s + i;

		if (u[0] == '<' && i + 1 < len && u[1] == '/') {
			fputs("<\\/", f);
			i++;
		} else if (u[0] == '<' && i + 1 < len && u[1] == '!') {
			fputs("\\u003c", f);
		} else if (u[0] == 0xe2 && i + 2 < len && u[1] == 0x80 &&
			   (u[2] == 0xa8 || u[2] == 0xa9)) {
			fputs(u[2] == 0xa8 ? "\\u2028" : "\\u2029", f);
			i += 2;
		} else {
			fputc(u[0], f);
		}
	}
	return ferror(f) ? -1 : 0;
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
		else if (!strncmp(name, "data-->", 7) && write_json_safe(f, json, json_len))
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
