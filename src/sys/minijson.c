// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sys/minijson.h"

struct parser {
	const char *s, *p;
	const char *why;
	int depth;
};

static void ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
}

static struct mj *node(enum mj_type t)
{
	struct mj *j = calloc(1, sizeof(*j));

	if (j)
		j->type = t;
	return j;
}

static int add_kid(struct mj *j, struct mj *k)
{
	struct mj **n = realloc(j->kids, (j->n + 1) * sizeof(struct mj *));

	if (!n)
		return -1;
	j->kids = n;
	j->kids[j->n++] = k;
	return 0;
}

/* A string's contents after the opening quote; \uXXXX outside ASCII becomes '?'. */
static char *string(struct parser *ps)
{
	size_t cap = 16, len = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	while (*ps->p != '"') {
		char c = *ps->p++;

		if (c == '\0' || (unsigned char)c < 0x20) {
			ps->why = "bad string";
			free(out);
			return NULL;
		}
		if (c == '\\') {
			c = *ps->p++;
			switch (c) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case '"':
			case '\\':
			case '/':
				break;
			case 'u': {
				unsigned int u;

				if (sscanf(ps->p, "%4x", &u) != 1) {
					ps->why = "bad \\u escape";
					free(out);
					return NULL;
				}
				ps->p += 4;
				c = u < 0x80 ? (char)u : '?';
				break;
			}
			default:
				ps->why = "bad escape";
				free(out);
				return NULL;
			}
		}
		if (len + 2 > cap) {
			char *n = realloc(out, cap *= 2);

			if (!n) {
				free(out);
				return NULL;
			}
			out = n;
		}
		out[len++] = c;
	}
	ps->p++;
	out[len] = '\0';
	return out;
}

static struct mj *value(struct parser *ps);

static struct mj *container(struct parser *ps, bool obj)
{
	struct mj *j = node(obj ? MJ_OBJ : MJ_ARR);
	char close = obj ? '}' : ']';

	if (!j || ++ps->depth > 64) {
		ps->why = "too deep";
		mj_free(j);
		return NULL;
	}
	ws(ps);
	if (*ps->p == close) {
		ps->p++;
		ps->depth--;
		return j;
	}
	for (;;) {
		char *key = NULL;
		struct mj *k;

		ws(ps);
		if (obj) {
			if (*ps->p != '"') {
				ps->why = "expected a key";
				goto fail;
			}
			ps->p++;
			key = string(ps);
			if (!key)
				goto fail;
			ws(ps);
			if (*ps->p++ != ':') {
				ps->why = "expected ':'";
				free(key);
				goto fail;
			}
		}
		k = value(ps);
		if (!k) {
			free(key);
			goto fail;
		}
		k->key = key;
		if (add_kid(j, k)) {
			mj_free(k);
			goto fail;
		}
		ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == close) {
			ps->p++;
			ps->depth--;
			return j;
		}
		ps->why = obj ? "expected ',' or '}'" : "expected ',' or ']'";
		goto fail;
	}
fail:
	mj_free(j);
	return NULL;
}

static struct mj *value(struct parser *ps)
{
	struct mj *j;

	ws(ps);
	switch (*ps->p) {
	case '{':
		ps->p++;
		return container(ps, true);
	case '[':
		ps->p++;
		return container(ps, false);
	case '"':
		ps->p++;
		j = node(MJ_STR);
		if (j && !(j->str = string(ps))) {
			mj_free(j);
			return NULL;
		}
		return j;
	}
	if (!strncmp(ps->p, "true", 4) || !strncmp(ps->p, "false", 5)) {
		j = node(MJ_BOOL);
		if (j)
			j->num = *ps->p == 't';
		ps->p += *ps->p == 't' ? 4 : 5;
		return j;
	}
	if (!strncmp(ps->p, "null", 4)) {
		ps->p += 4;
		return node(MJ_NULL);
	}
	if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) {
		const char *start = ps->p;
		char *end;

		j = node(MJ_NUM);
		if (!j)
			return NULL;
		j->dbl = strtod(start, &end);
		if (end == start) {
			ps->why = "bad number";
			mj_free(j);
			return NULL;
		}
		/* counts are u64: read the integer part exactly, not through a double */
		j->num = *start == '-' ? strtoll(start, NULL, 10) :
					 (long long)strtoull(start, NULL, 10);
		j->str = strndup(start, end - start);
		ps->p = end;
		return j;
	}
	ps->why = "unexpected character";
	return NULL;
}

struct mj *mj_parse(const char *text, char *err, size_t errlen)
{
	struct parser ps = { .s = text, .p = text };
	struct mj *j = value(&ps);

	if (j) {
		ws(&ps);
		if (*ps.p) {
			ps.why = "trailing text";
			mj_free(j);
			j = NULL;
		}
	}
	if (!j && err)
		snprintf(err, errlen, "%s at offset %ld", ps.why ? ps.why : "out of memory",
			 (long)(ps.p - ps.s));
	return j;
}

void mj_free(struct mj *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->n; i++)
		mj_free(j->kids[i]);
	free(j->kids);
	free(j->key);
	free(j->str);
	free(j);
}

struct mj *mj_get(struct mj *j, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && j; k = strtok_r(NULL, ".", &save)) {
		struct mj *found = NULL;

		if (j->type != MJ_OBJ)
			return NULL;
		for (size_t i = 0; i < j->n && !found; i++)
			if (!strcmp(j->kids[i]->key, k))
				found = j->kids[i];
		j = found;
	}
	return j;
}

struct mj *mj_at(struct mj *j, size_t i)
{
	return j && j->type == MJ_ARR && i < j->n ? j->kids[i] : NULL;
}

bool mj_int(struct mj *j, const char *path, long long *v)
{
	struct mj *n = mj_get(j, path);

	if (!n || (n->type != MJ_NUM && n->type != MJ_BOOL))
		return false;
	*v = n->num;
	return true;
}

const char *mj_str(struct mj *j, const char *path)
{
	struct mj *n = mj_get(j, path);

	return n && n->type == MJ_STR ? n->str : NULL;
}
