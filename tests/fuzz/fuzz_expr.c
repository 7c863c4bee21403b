// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: the --fail-if expression parser (src/model/expr.c) never crashes, and what it
 * accepts is well formed and means what it says.
 *
 * An input starting with 'N' is a number to check against a reference: the remaining bytes
 * become "m > DIGITS[.DIGITS]UNIT" and the parser must accept it exactly when the value is
 * a whole number of the unit's base (bytes, ns) within a long long, with up to 16 fraction
 * digits, and give the same value as exact 128-bit arithmetic. Any other input is parsed as
 * written; when accepted: the metric is a valid dotted name, the operator and unit are known,
 * the text is the input, the same expression written canonically ("m OP VALUE[B|ns]") parses
 * to the same thing, the metric table's bind and the value formatter do not crash.
 */
#include <limits.h>
#include <stdint.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/expr.h"
#include "model/metrics.h"

static const struct {
	const char *name;
	long long mult;
} units[] = {
	{ "", 1 },
	{ "B", 1 },
	{ "KiB", 1LL << 10 },
	{ "MiB", 1LL << 20 },
	{ "GiB", 1LL << 30 },
	{ "TiB", 1LL << 40 },
	{ "ns", 1 },
	{ "us", 1000 },
	{ "ms", 1000000 },
	{ "s", 1000000000 },
};

static void check_accepted(const char *in, const struct mt_expr *e)
{
	const char *base = e->unit == MT_UNIT_BYTES ? "B" : e->unit == MT_UNIT_TIME ? "ns" : "";
	char canon[MT_EXPR_TEXT_LEN + 96], err[256], buf[64];
	size_t n = strlen(e->metric);
	struct mt_expr again;

	if (!n || e->metric[0] == '.' || e->metric[n - 1] == '.' || strstr(e->metric, ".."))
		abort();
	/* a cache, site or process name is the kernel's own: anything but space and operators */
	for (size_t i = 0; i < n; i++)
		if (mt_expr_named_metric(e->metric) ?
			    (isspace((unsigned char)e->metric[i]) || strchr("<>=!", e->metric[i])) :
			    !strchr("abcdefghijklmnopqrstuvwxyz0123456789_.", e->metric[i]))
			abort();
	if (e->op > MT_CMP_NE || e->unit > MT_UNIT_TIME || strcmp(e->text, in))
		abort();
	if (e->rel)
		snprintf(canon, sizeof(canon), "%s %s base %c %llu%s", e->metric, mt_cmp_str(e->op),
			 e->value < 0 ? '-' : '+',
			 e->value < 0 ? -(unsigned long long)e->value :
					(unsigned long long)e->value,
			 base);
	else
		snprintf(canon, sizeof(canon), "%s %s %lld%s", e->metric, mt_cmp_str(e->op),
			 e->value, base);
	/*
	 * The canonical spelling parses back to the same condition; not checked for "base * F"
	 * (F is a double, its text not canonical) or when the spelling, with its spaces, is
	 * longer than a terse input may be.
	 */
	if (!(e->rel && e->factor != 1) && strlen(canon) < MT_EXPR_TEXT_LEN &&
	    (mt_expr_parse(canon, &again, err, sizeof(err)) || strcmp(again.metric, e->metric) ||
	     again.op != e->op || again.value != e->value || again.unit != e->unit ||
	     again.rel != e->rel))
		abort();
	(void)mt_metric_bind(e, err, sizeof(err));
	if (strlen(mt_metric_fmt(buf, sizeof(buf), e->unit, e->value)) >= sizeof(buf))
		abort();
	if (mt_expr_holds(e->value, e->op, e->value) !=
	    (e->op == MT_CMP_GE || e->op == MT_CMP_LE || e->op == MT_CMP_EQ))
		abort();
}

/* "m > NUMBER UNIT" from bytes: the parser against exact arithmetic. */
static void check_number(const uint8_t *data, size_t size)
{
	char in[MT_EXPR_TEXT_LEN + 64] = "m > ", num[96], err[256];
	unsigned __int128 whole = 0, frac = 0, div = 1, total;
	size_t len = 0, fdigits = 0;
	bool dot = false, big = false, ok;
	struct mt_expr e;
	long long mult;
	int u;

	if (!size)
		return;
	u = data[0] % (int)(sizeof(units) / sizeof(units[0]));
	mult = units[u].mult;
	for (size_t i = 1; i < size && len < 80; i++) {
		char c = (char)('0' + data[i] % 10);

		/* one decimal point, never first or last (those are other errors) */
		if (data[i] >= 250 && !dot && len && i + 1 < size && len + 1 < 80)
			c = '.';
		num[len++] = c;
		if (c == '.') {
			dot = true;
		} else if (dot) {
			fdigits++;
			frac = frac * 10 + (unsigned)(c - '0');
			div *= 10;
		} else if (whole < ((unsigned __int128)1 << 100)) {
			whole = whole * 10 + (unsigned)(c - '0');
		} else {
			big = true;
		}
	}
	if (!len)
		return;
	num[len] = '\0';
	snprintf(in + 4, sizeof(in) - 4, "%s%s", num, units[u].name);
	if (strlen(in) >= MT_EXPR_TEXT_LEN)
		return; /* "expression too long", checked elsewhere */
	/* whole * mult <= LLONG_MAX (else out of range anyway) keeps all this in 128 bits */
	ok = !big && fdigits <= 16 && whole * (unsigned __int128)mult <= LLONG_MAX;
	if (ok) {
		total = whole * (unsigned __int128)mult * div + frac * (unsigned __int128)mult;
		ok = total % div == 0 && total / div <= (unsigned __int128)LLONG_MAX;
	}
	if (mt_expr_parse(in, &e, err, sizeof(err)) != (ok ? 0 : -1)) {
		fprintf(stderr, "'%s': parser says %s, exact arithmetic says %s\n", in,
			mt_expr_parse(in, &e, err, sizeof(err)) ? err : "ok", ok ? "ok" : "error");
		abort();
	}
	if (ok && (unsigned __int128)e.value != total / div) {
		fprintf(stderr, "'%s': parser says %lld, exact arithmetic says %llu\n", in, e.value,
			(unsigned long long)(total / div));
		abort();
	}
	if (ok)
		check_accepted(in, &e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[512], err[256];
	struct mt_expr e;

	if (size && data[0] == 'N') {
		check_number(data + 1, size - 1);
		return 0;
	}
	if (size >= sizeof(in))
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	err[0] = '\0';
	if (mt_expr_parse(in, &e, err, sizeof(err)) == 0)
		check_accepted(in, &e);
	else if (!err[0])
		abort(); /* every error says what is wrong */
	return 0;
}
