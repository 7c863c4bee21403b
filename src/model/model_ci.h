/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* CI mode: the --fail-if conditions of a run and their verdicts, for the text and JSON report. */
#ifndef MT_MODEL_CI_H
#define MT_MODEL_CI_H

#include <stdbool.h>
#include <stddef.h>
#include "model/expr.h"

struct mt_ci_result {
	struct mt_expr expr;
	enum mt_unit_kind unit; /* the metric's unit */
	bool measured;		/* false: the metric was not measured in this run */
	long long value;	/* the metric's value when measured */
	bool failed;		/* the condition holds (or could not be measured) */
	double base;		/* expr.rel: the metric in the baseline run */
	long long threshold;	/* what value was compared with: expr.value, or from base */
	char movers[320];	/* expr.rel and failed: what moved most (mt_diff_movers) */
};

struct mt_ci_report {
	struct mt_ci_result *res;
	size_t nr;
	size_t failed;
};

void mt_ci_free(struct mt_ci_report *ci);

/* v to the nearest whole number (no libm in the binary) */
static inline long long mt_round_ll(double v)
{
	return (long long)(v >= 0 ? v + 0.5 : v - 0.5);
}

#endif /* MT_MODEL_CI_H */
