/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The timeline's sampler: a thread that reads the live maps into a report every interval
 * while the trace runs (the same collector as the end of the run) and hands each snapshot
 * to the model's timeline. Deadlines are absolute (start + n * interval), so the points do
 * not drift by the time a snapshot takes.
 */
#ifndef MT_TIMELINE_SAMPLER_H
#define MT_TIMELINE_SAMPLER_H

#include "collect/loader.h"
#include "model/model.h"

struct mt_sampler;

/*
 * Start sampling l every interval_s seconds; start is the trace's start (now_s() clock,
 * CLOCK_MONOTONIC) and base the report's run facts each snapshot starts from. NULL on
 * failure (errno set).
 */
struct mt_sampler *mt_sampler_start(const struct mt_loader *l, const struct mt_report *base,
				    double start, double interval_s);
/*
 * Stop the thread and move its timeline into *out (initialised by the caller's report).
 * Returns the first error a snapshot met (-errno), 0 if none; the points before it stay.
 */
int mt_sampler_stop(struct mt_sampler *s, struct mt_timeline *out);

#endif /* MT_TIMELINE_SAMPLER_H */
