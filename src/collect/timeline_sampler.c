// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The timeline's sampler thread (timeline_sampler.h). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "collect/live_report.h"
#include "collect/timeline_sampler.h"
#include "sys/util.h"

struct mt_sampler {
	const struct mt_loader *l;
	struct mt_run_info run; /* the run facts each snapshot starts from */
	struct mt_zone_table zones;
	__u32 class_mask;
	double start, interval;
	struct mt_timeline tl;
	int err;
	bool stop;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
};

/* The cumulative report now, without the pairing tables: those are read once, at the end. */
static int snapshot(struct mt_sampler *s, double t)
{
	struct mt_report r;
	int err;

	mt_report_init(&r);
	r.run = s->run;
	r.zones = s->zones;
	r.x.class_mask = s->class_mask;
	r.run.duration_s = t;
	err = mt_loader_collect(s->l, &r);
	if (!err)
		err = mt_timeline_take(&s->tl, &r, t);
	mt_report_free(&r);
	return err;
}

static void *sampler_main(void *arg)
{
	struct mt_sampler *s = arg;

	pthread_mutex_lock(&s->lock);
	for (long n = 1; !s->stop; n++) {
		double at = s->start + n * s->interval;
		struct timespec ts = { .tv_sec = (time_t)at };

		ts.tv_nsec = (long)((at - (double)ts.tv_sec) * 1e9);
		while (!s->stop && pthread_cond_timedwait(&s->wake, &s->lock, &ts) != ETIMEDOUT)
			;
		if (s->stop)
			break;
		pthread_mutex_unlock(&s->lock);
		/* a snapshot that failed (a map read) ends the sampling, the points before stay */
		s->err = snapshot(s, now_s() - s->start);
		pthread_mutex_lock(&s->lock);
		if (s->err)
			break;
		/* a snapshot late past the next deadline skips it rather than sample twice */
		while (s->start + (n + 1) * s->interval < now_s())
			n++;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

struct mt_sampler *mt_sampler_start(const struct mt_loader *l, const struct mt_report *base,
				    double start, double interval_s)
{
	struct mt_sampler *s = calloc(1, sizeof(*s));
	pthread_condattr_t ca;
	int err;

	if (!s)
		return NULL;
	s->l = l;
	s->run = base->run;
	s->zones = base->zones;
	s->class_mask = base->x.class_mask;
	s->start = start;
	s->interval = interval_s;
	mt_timeline_init(&s->tl, interval_s);
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->wake, &ca);
	pthread_condattr_destroy(&ca);
	err = pthread_create(&s->thread, NULL, sampler_main, s);
	if (err) {
		pthread_cond_destroy(&s->wake);
		pthread_mutex_destroy(&s->lock);
		free(s);
		errno = err;
		return NULL;
	}
	return s;
}

int mt_sampler_stop(struct mt_sampler *s, struct mt_timeline *out)
{
	int err;

	if (!s)
		return 0;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	err = s->err;
	mt_timeline_free(out);
	*out = s->tl;
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s);
	return err;
}
