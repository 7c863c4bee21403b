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
};

struct mt_ci_report {
	struct mt_ci_result *res;
	size_t nr;
	size_t failed;
};

void mt_ci_free(struct mt_ci_report *ci);

#endif /* MT_MODEL_CI_H */
