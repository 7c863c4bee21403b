// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* memtrace run: what it writes at the end (text, JSON, OpenMetrics, folded) and its verdict. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cmds.h"
#include "cli/diff_load.h"
#include "cli/run_opts.h"
#include "model/diff.h"
#include "model/metrics.h"
#include "render/render.h"
#include "sys/kallsyms.h"
#include "sys/util.h"

/* The JSON file's directory must be writable before we trace for minutes. */
int check_json_target(const char *path)
{
	struct mt_atomic_file af;
	int err;

	if (!path || !strcmp(path, "-"))
		return 0;
	err = mt_atomic_open(&af, path);
	if (err) {
		fprintf(stderr, "memtrace %s: cannot write '%s': %s\n", run_cmd_name, path,
			mt_output_strerror(err));
		return MT_EXIT_USAGE;
	}
	mt_atomic_abort(&af);
	return 0;
}

/* One output's renderer: a format and what it needs besides the report. */
struct output {
	enum {
		OUT_JSON,
		OUT_OPENMETRICS,
		OUT_FOLDED,
		OUT_HTML,
		OUT_PPROF
	} kind;
	const struct mt_render_opts *ro;
	bool outstanding; /* folded: by bytes outstanding, not allocated */
};

struct output_of {
	const struct mt_report *r;
	const struct output *o;
};

static int render_to(FILE *f, const void *ctx)
{
	const struct output_of *w = ctx;

	switch (w->o->kind) {
	case OUT_JSON:
		return mt_render_json(f, w->r, w->o->ro);
	case OUT_OPENMETRICS:
		return mt_render_openmetrics(f, w->r, w->o->ro);
	case OUT_FOLDED:
		return mt_render_folded(f, w->r, w->o->ro, w->o->outstanding) < 0;
	case OUT_HTML:
		return mt_render_html(w->r, w->o->ro, f);
	case OUT_PPROF:
		return mt_render_pprof(f, w->r, w->o->ro);
	}
	return -1;
}

static int write_output(const char *path, const struct mt_report *r, const struct output *o)
{
	struct output_of w = { r, o };

	return mt_write_output(path, render_to, &w);
}

int mt_write_openmetrics(const char *path, const struct mt_report *r,
			 const struct mt_render_opts *ro)
{
	struct output o = { .kind = OUT_OPENMETRICS, .ro = ro };

	return write_output(path, r, &o);
}

int mt_write_json(const char *path, const struct mt_report *r, const struct mt_render_opts *ro)
{
	struct output o = { .kind = OUT_JSON, .ro = ro };

	return write_output(path, r, &o);
}

int mt_write_html(const char *path, const struct mt_report *r, const struct mt_render_opts *ro)
{
	struct output o = { .kind = OUT_HTML, .ro = ro };

	return write_output(path, r, &o);
}

int mt_write_pprof(const char *path, const struct mt_report *r, const struct mt_render_opts *ro)
{
	struct output o = { .kind = OUT_PPROF, .ro = ro };

	return write_output(path, r, &o);
}

bool mt_output_is_stdout(const char *path)
{
	return path && !strcmp(path, "-");
}

int mt_write_report(const struct mt_report *r, const struct mt_render_opts *ro, bool text,
		    const struct mt_outputs *out)
{
	const char *json = out->json, *openmetrics = out->openmetrics, *html = out->html;
	int ret = MT_EXIT_OK, err;

	/* a machine-readable output on stdout replaces the text report there */
	if (text && !mt_output_is_stdout(json) && !mt_output_is_stdout(openmetrics) &&
	    !mt_output_is_stdout(html) && !mt_output_is_stdout(out->pprof)) {
		mt_render_text(stdout, r, ro);
		if (fflush(stdout) || ferror(stdout)) {
			mt_err("failed to write the report: %s", strerror(errno));
			ret = MT_EXIT_ERROR;
		}
	}
	if (json && (err = mt_write_json(json, r, ro))) {
		mt_err("failed to write JSON to '%s': %s", json, mt_output_strerror(err));
		ret = MT_EXIT_ERROR;
	}
	if (openmetrics && (err = mt_write_openmetrics(openmetrics, r, ro))) {
		mt_err("failed to write metrics to '%s': %s", openmetrics, mt_output_strerror(err));
		ret = MT_EXIT_ERROR;
	}
	if (html && (err = mt_write_html(html, r, ro))) {
		mt_err("failed to write HTML to '%s': %s", html, mt_output_strerror(err));
		ret = MT_EXIT_ERROR;
	}
	if (out->pprof && (err = mt_write_pprof(out->pprof, r, ro))) {
		mt_err("failed to write the pprof profile to '%s': %s", out->pprof,
		       mt_output_strerror(err));
		ret = MT_EXIT_ERROR;
	}
	return ret;
}

int write_folded(const char *path, const struct mt_report *r, const struct mt_render_opts *ro,
		 bool outstanding)
{
	struct output o = { .kind = OUT_FOLDED, .ro = ro, .outstanding = outstanding };
	int err = write_output(path, r, &o);

	if (err)
		mt_err("failed to write folded stacks to '%s': %s", path, mt_output_strerror(err));
	return err;
}

/* Names for call sites and frames; without them the report prints [unknown] (or, with
 * --raw-addresses, addresses). */
void load_ksyms(struct mt_ksyms *ks, struct mt_pair_report *p)
{
	int err = mt_ksyms_load(ks, "/proc/kallsyms");

	if (err) {
		mt_warn("failed to read /proc/kallsyms: %s; call sites are left unnamed",
			strerror(-err));
		p->ksyms_why = "/proc/kallsyms unreadable";
		return;
	}
	if (ks->zero_addrs) {
		p->ksyms_why = "/proc/kallsyms hides addresses (kptr_restrict): run as root";
		return;
	}
	p->ksyms = ks;
}

static struct mt_dset baseline;
static bool have_baseline;

static void baseline_free(void)
{
	mt_dset_free(&baseline);
}

int run_baseline_load(const char *path)
{
	mt_dset_init(&baseline);
	atexit(baseline_free);
	if (mt_diff_load(path, &baseline))
		return MT_EXIT_ERROR;
	have_baseline = true;
	return 0;
}

struct mt_dset *run_baseline(void)
{
	return have_baseline ? &baseline : NULL;
}

/* "cache.kmalloc-64.allocs is 3004, baseline 2004, limit 3004" and what moved */
static void rel_verdict(const struct mt_ci_result *c)
{
	char v[64], b[64], t[64];

	fprintf(stderr, "memtrace: fail-if %s: %s is %s, baseline %s, limit %s\n", c->expr.text,
		c->expr.metric, mt_metric_fmt(v, sizeof(v), c->unit, c->value),
		mt_metric_fmt(b, sizeof(b), c->unit, mt_round_ll(c->base)),
		mt_metric_fmt(t, sizeof(t), c->unit, c->threshold));
	if (c->movers[0])
		fprintf(stderr, "memtrace: moved most: %s\n", c->movers);
}

int run_verdict(const struct mt_report *r)
{
	const struct mt_scope_report *s = &r->scope;
	int ret = MT_EXIT_OK;

	for (size_t i = 0; i < r->ci.nr; i++) {
		const struct mt_ci_result *c = &r->ci.res[i];
		char v[64];

		if (!c->failed)
			continue;
		if (c->measured && c->expr.rel)
			rel_verdict(c);
		else if (c->measured)
			fprintf(stderr, "memtrace: fail-if %s: %s is %s\n", c->expr.text,
				c->expr.metric, mt_metric_fmt(v, sizeof(v), c->unit, c->value));
		else
			fprintf(stderr, "memtrace: fail-if %s: not measured in this run\n",
				c->expr.text);
		ret = MT_EXIT_FAIL_IF;
	}
	if (s->kind == MT_SCOPE_COMMAND && s->command_exited && (s->signal || s->exit_code)) {
		if (s->signal)
			fprintf(stderr, "memtrace: command killed by signal %d (%s)\n", s->signal,
				strsignal(s->signal));
		else
			fprintf(stderr, "memtrace: command exited with status %d\n", s->exit_code);
		ret = MT_EXIT_COMMAND;
	}
	return ret;
}
