/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * --fail-if expressions: "METRIC OP NUMBER[UNIT]", e.g. "classes.physical.net_bytes > 64KiB",
 * "lost > 0", "stall.direct_reclaim.p99 >= 10ms"; or relative to a baseline run:
 * "METRIC OP base", "METRIC OP base * FACTOR", "METRIC OP base + NUMBER[UNIT]" (or -), e.g.
 * "outstanding.bytes > base * 1.05", "cache.kmalloc-64.allocs > base + 1000". Parsed strictly: a typo is a usage error
 * before anything is attached, never a condition that silently never trips.
 */
#ifndef MT_EXPR_H
#define MT_EXPR_H

#include <stdbool.h>
#include <stddef.h>

enum mt_unit_kind {
	MT_UNIT_NONE,  /* a plain number */
	MT_UNIT_BYTES, /* B, KiB, MiB, GiB, TiB: value in bytes */
	MT_UNIT_TIME,  /* ns, us, ms, s: value in nanoseconds */
};

enum mt_cmp {
	MT_CMP_GT,
	MT_CMP_GE,
	MT_CMP_LT,
	MT_CMP_LE,
	MT_CMP_EQ,
	MT_CMP_NE
};

#define MT_EXPR_NAME_LEN 192 /* cache.NAME.M, site.SYMBOL+0xOFF.M */
#define MT_EXPR_TEXT_LEN 128

struct mt_expr {
	char metric[MT_EXPR_NAME_LEN]; /* lowercase letters, digits, '_' and '.' */
	enum mt_cmp op;
	long long value;	     /* in the unit's base: bytes or nanoseconds; rel: addend */
	bool rel;		     /* compared with base * factor + value */
	double factor;		     /* rel: 1 unless "base * FACTOR" */
	enum mt_unit_kind unit;	     /* the unit the literal was written with */
	char text[MT_EXPR_TEXT_LEN]; /* as written, for messages */
};

/* 0, or -1 with the reason in err ("unknown unit 'MB' (use MiB)"). Metric not looked up. */
int mt_expr_parse(const char *s, struct mt_expr *e, char *err, size_t errlen);
bool mt_expr_holds(long long lhs, enum mt_cmp op, long long rhs);
/* Metrics named after a kernel object (cache.kmalloc-64.allocs): any character but space. */
bool mt_expr_named_metric(const char *name);
const char *mt_cmp_str(enum mt_cmp op);

#endif /* MT_EXPR_H */
