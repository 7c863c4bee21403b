/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A minimal JSON reader for the in-guest tests: the guest image has no json-c, and the test
 * driver must stay one small static binary (also for i386). It parses a whole document into
 * a tree and answers dotted-path queries; anything malformed is a parse error, and a missing
 * key is reported as missing, never read as 0.
 */
#ifndef MT_MINIJSON_H
#define MT_MINIJSON_H

#include <stdbool.h>
#include <stddef.h>

enum mj_type {
	MJ_NULL,
	MJ_BOOL,
	MJ_NUM,
	MJ_STR,
	MJ_ARR,
	MJ_OBJ
};

struct mj {
	enum mj_type type;
	char *key;	  /* member name inside an object, else NULL */
	char *str;	  /* MJ_STR: the decoded string; MJ_NUM: the number's text */
	long long num;	  /* MJ_NUM (integer part), MJ_BOOL (0/1) */
	double dbl;	  /* MJ_NUM */
	struct mj **kids; /* MJ_ARR elements, MJ_OBJ members */
	size_t n;
};

/* Parse text; NULL on malformed input (with *err set to a short reason and offset). */
struct mj *mj_parse(const char *text, char *err, size_t errlen);
void mj_free(struct mj *j);
/* The node at a dotted path ("run.lost.total"), NULL when any part is absent. */
struct mj *mj_get(struct mj *j, const char *path);
/* Array element i, NULL when out of range or not an array. */
struct mj *mj_at(struct mj *j, size_t i);
/* The integer at path; false (and *v untouched) when absent or not a number. */
bool mj_int(struct mj *j, const char *path, long long *v);
/* The string at path, NULL when absent or not a string. */
const char *mj_str(struct mj *j, const char *path);

#endif /* MT_MINIJSON_H */
