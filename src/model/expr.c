// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The --fail-if expression parser: plain C, no allocation, every error says what is wrong. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/expr.h"

struct unit {
	const char *name;
	enum mt_unit_kind kind;
	long long mult;
};

static const struct unit units[] = {
	{ "B", MT_UNIT_BYTES, 1 },	     { "KiB", MT_UNIT_BYTES, 1LL << 10 },
	{ "MiB", MT_UNIT_BYTES, 1LL << 20 }, { "GiB", MT_UNIT_BYTES, 1LL << 30 },
	{ "TiB", MT_UNIT_BYTES, 1LL << 40 }, { "ns", MT_UNIT_TIME, 1 },
	{ "us", MT_UNIT_TIME, 1000 },	     { "ms", MT_UNIT_TIME, 1000000 },
	{ "s", MT_UNIT_TIME, 1000000000 },
};

/* Spellings people type that would be ambiguous (1000 or 1024?) or wrong: say what to use. */
static const struct {
	const char *bad, *use;
} hints[] = {
	{ "k", "KiB" },	  { "K", "KiB" },   { "KB", "KiB" }, { "kB", "KiB" },  { "kb", "KiB" },
	{ "kib", "KiB" }, { "M", "MiB" },   { "MB", "MiB" }, { "mb", "MiB" },  { "mib", "MiB" },
	{ "G", "GiB" },	  { "GB", "GiB" },  { "gb", "GiB" }, { "gib", "GiB" }, { "b", "B" },
	{ "T", "TiB" },	  { "TB", "TiB" },  { "sec", "s" },  { "secs", "s" },  { "msec", "ms" },
	{ "usec", "us" }, { "nsec", "ns" }, { "µs", "us" },  { "S", "s" },     { "MS", "ms" },
};

static const char *const ops[] = {
	[MT_CMP_GT] = ">",  [MT_CMP_GE] = ">=", [MT_CMP_LT] = "<",
	[MT_CMP_LE] = "<=", [MT_CMP_EQ] = "==", [MT_CMP_NE] = "!=",
};

bool mt_expr_named_metric(const char *name)
{
	return !strncmp(name, "cache.", 6) || !strncmp(name, "site.", 5) ||
	       !strncmp(name, "process.", 8);
}

const char *mt_cmp_str(enum mt_cmp op)
{
	return op <= MT_CMP_NE ? ops[op] : "?";
}

bool mt_expr_holds(long long lhs, enum mt_cmp op, long long rhs)
{
	switch (op) {
	case MT_CMP_GT:
		return lhs > rhs;
	case MT_CMP_GE:
		return lhs >= rhs;
	case MT_CMP_LT:
		return lhs < rhs;
	case MT_CMP_LE:
		return lhs <= rhs;
	case MT_CMP_EQ:
		return lhs == rhs;
	case MT_CMP_NE:
		return lhs != rhs;
	}
	return false;
}

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		snprintf(err, errlen, __VA_ARGS__);                                                \
		return -1;                                                                         \
	} while (0)

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static unsigned long long gcd(unsigned long long a, unsigned long long b)
{
	while (b) {
		unsigned long long t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* Digits with an optional fraction, scaled exactly by mult: "1.5" KiB is 1536 bytes. */
static int scale(const char *num, size_t len, long long mult, long long *out)
{
	unsigned long long whole = 0, frac = 0, div = 1;
	size_t i = 0;

	for (; i < len && num[i] != '.'; i++) {
		if (whole > (ULLONG_MAX - 9) / 10)
			return -1;
		whole = whole * 10 + (unsigned)(num[i] - '0');
	}
	for (i++; i < len; i++) {
		if (div > ULLONG_MAX / 10 / 1024)
			return -1;
		frac = frac * 10 + (unsigned)(num[i] - '0');
		div *= 10;
	}
	if (whole > (unsigned long long)LLONG_MAX / (unsigned long long)mult)
		return -1;
	whole *= (unsigned long long)mult;
	/*
	 * The fraction must come out whole in the base unit: 0.5B is not a size. frac * mult
	 * can pass 2^64 ("7.040820000000s"), so divide first: with g = gcd(mult, div),
	 * frac * mult / div is whole exactly when div / g divides frac, and is then
	 * (frac / (div / g)) * (mult / g), below mult.
	 */
	if (frac) {
		unsigned long long g = gcd((unsigned long long)mult, div);

		if (frac % (div / g))
			return -2;
		whole += frac / (div / g) * ((unsigned long long)mult / g);
	}
	if (whole > (unsigned long long)LLONG_MAX)
		return -1;
	*out = (long long)whole;
	return 0;
}

int mt_expr_parse(const char *s, struct mt_expr *e, char *err, size_t errlen)
{
	const char *p = s, *name, *op, *num, *unit;
	size_t nlen, numlen, ulen;
	bool neg = false, dot = false;
	long long mult = 1;
	int r;

	memset(e, 0, sizeof(*e));
	if (strlen(s) >= sizeof(e->text))
		FAIL("expression too long (at most %zu characters)", sizeof(e->text) - 1);
	snprintf(e->text, sizeof(e->text), "%s", s);

	p = skip_ws(p);
	name = p;
	while (islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_' || *p == '.')
		p++;
	/* cache, site and process names are the kernel's own: TCPv6, kmalloc-rcl-64, f+0x34 */
	if (p > name && mt_expr_named_metric(name))
		while (*p && !isspace((unsigned char)*p) && !strchr("<>=!", *p))
			p++;
	nlen = (size_t)(p - name);
	if (!nlen)
		FAIL("expected a metric name at '%s'", *p ? p : "(end)");
	if (isupper((unsigned char)*p))
		FAIL("metric names are lowercase: '%.*s'", (int)(nlen + 1), name);
	/* a table metric's name is short; one naming a kernel object may run to a symbol's */
	if (nlen >= sizeof(e->metric) || (!mt_expr_named_metric(name) && nlen >= 64))
		FAIL("metric name too long");
	if (name[0] == '.' || name[nlen - 1] == '.' || memmem(name, nlen, "..", 2))
		FAIL("malformed metric name '%.*s'", (int)nlen, name);
	memcpy(e->metric, name, nlen);

	p = skip_ws(p);
	op = p;
	if (p[0] == '>' && p[1] == '=')
		e->op = MT_CMP_GE, p += 2;
	else if (p[0] == '<' && p[1] == '=')
		e->op = MT_CMP_LE, p += 2;
	else if (p[0] == '=' && p[1] == '=')
		e->op = MT_CMP_EQ, p += 2;
	else if (p[0] == '!' && p[1] == '=')
		e->op = MT_CMP_NE, p += 2;
	else if (p[0] == '>')
		e->op = MT_CMP_GT, p += 1;
	else if (p[0] == '<')
		e->op = MT_CMP_LT, p += 1;
	else if (p[0] == '=')
		FAIL("'=' is not a comparison: use '=='");
	else
		FAIL("expected one of > >= < <= == != after '%s', got '%s'", e->metric,
		     *p ? p : "(end)");
	if (*p == '=' || *p == '>' || *p == '<' || *p == '!')
		FAIL("unknown operator '%.*s'", (int)strspn(op, "<>=!"), op);

	p = skip_ws(p);
	e->factor = 1;
	if (!strncmp(p, "base", 4) && !isalnum((unsigned char)p[4]) && p[4] != '_') {
		e->rel = true;
		p = skip_ws(p + 4);
		if (!*p)
			return 0;
		if (*p == '*') {
			char *end;

			p = skip_ws(p + 1);
			e->factor = strtod(p, &end);
			if (end == p || !isdigit((unsigned char)*p) || e->factor != e->factor)
				FAIL("expected a factor after 'base *', got '%s'",
				     *p ? p : "(end)");
			p = skip_ws(end);
			if (*p)
				FAIL("unexpected '%s' at the end", p);
			return 0;
		}
		if (*p != '+' && *p != '-')
			FAIL("expected '* FACTOR', '+ NUMBER' or '- NUMBER' after 'base', got '%s'",
			     p);
		neg = *p++ == '-';
		p = skip_ws(p);
	} else if (*p == '-' || *p == '+') {
		neg = *p++ == '-';
	}
	num = p;
	while (isdigit((unsigned char)*p) || (*p == '.' && !dot)) {
		dot |= *p == '.';
		p++;
	}
	numlen = (size_t)(p - num);
	if (!numlen || !isdigit((unsigned char)num[0]) || !isdigit((unsigned char)num[numlen - 1]))
		FAIL("expected a number or 'base' after '%s', got '%s'", mt_cmp_str(e->op),
		     *num ? num : "(end)");

	p = skip_ws(p);
	unit = p;
	while (isalpha((unsigned char)*p) || (unsigned char)*p >= 0x80)
		p++;
	ulen = (size_t)(p - unit);
	e->unit = MT_UNIT_NONE;
	if (ulen) {
		size_t i;

		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strlen(units[i].name) == ulen && !memcmp(units[i].name, unit, ulen))
				break;
		if (i == sizeof(units) / sizeof(units[0])) {
			for (size_t h = 0; h < sizeof(hints) / sizeof(hints[0]); h++)
				if (strlen(hints[h].bad) == ulen &&
				    !memcmp(hints[h].bad, unit, ulen))
					FAIL("unknown unit '%.*s' (use %s)", (int)ulen, unit,
					     hints[h].use);
			FAIL("unknown unit '%.*s' (bytes: B KiB MiB GiB TiB; time: ns us ms s)",
			     (int)ulen, unit);
		}
		e->unit = units[i].kind;
		mult = units[i].mult;
	}
	p = skip_ws(p);
	if (*p)
		FAIL("unexpected '%s' at the end", p);

	r = scale(num, numlen, mult, &e->value);
	if (r == -2)
		FAIL("'%.*s%.*s' is not a whole number%s", (int)numlen, num, (int)ulen, unit,
		     e->unit == MT_UNIT_TIME  ? " of nanoseconds" :
		     e->unit == MT_UNIT_BYTES ? " of bytes" :
						"");
	if (r)
		FAIL("number '%.*s' out of range", (int)numlen, num);
	if (neg)
		e->value = -e->value;
	return 0;
}
