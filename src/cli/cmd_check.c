// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * memtrace check: a CI preflight. Every fact is learned by doing, not by reading version
 * numbers: each tracepoint is looked up, each of memtrace's programs is loaded and attached
 * on its own (one skeleton load per program), and each optional attach type is tried with
 * an empty program. Exit 0 when the core set works: privileges, BTF, and every kmem event
 * traceable through at least one of its programs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include "cli/cmds.h"
#include "sys/json_writer.h"
#include "collect/check_hook.h"
#include "collect/kernel_info.h"
#include "collect/loader.h"
#include "collect/probe.h"
#include "sys/util.h"

#define MAX_ROWS 224 /* 3 rows per event (tracepoint, fast, classic) and a few more */

struct row {
	/* "core", "scope" (-- CMD), "class" (beyond kmem), "stall" (latency), "optional" */
	const char *kind;
	char name[96];
	int state; /* 1 works, 0 does not, -1 not applicable */
	char detail[96];
};

struct check {
	struct row rows[MAX_ROWS];
	int n;
	bool core_ok;
};

static struct row *add(struct check *c, const char *kind, int state, const char *name,
		       const char *detail)
{
	struct row *r = &c->rows[c->n < MAX_ROWS ? c->n++ : MAX_ROWS - 1];

	r->kind = kind;
	r->state = state;
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->detail, sizeof(r->detail), "%s", detail ? detail : "");
	return r;
}

static const char *why(int err, const char *stage)
{
	static char buf[96];

	const char *name = strerrorname_np(-err);

	snprintf(buf, sizeof(buf), "%s: %s%s", stage, name ? name : strerror(-err),
		 err == -EPERM			      ? " (lockdown or privileges?)" :
		 err == -ENOENT || err == -EOPNOTSUPP ? " (not configured?)" :
							"");
	return buf;
}

static void run_checks(struct check *c)
{
	struct mt_zone_table zones = {};
	struct mt_calib calib = {};
	struct mt_loader_opts o = { .calib = &calib, .zones = &zones, .page_shift = 12 };
	int fast_ok = 0, fast_n = 0, raw_ok = 0, raw_n = 0, err;
	bool priv, btf, core_events = true;
	struct utsname u;
	const char *what, *stage = "";
	struct mt_probe p;
	char name[96];

	priv = !mt_check_privileges(&what);
	add(c, "core", priv, "privileges", priv ? "CAP_BPF and CAP_PERFMON (or root)" : what);
	btf = mt_have_kernel_btf();
	add(c, "core", btf, "kernel BTF",
	    btf ? mt_vmlinux_btf_path() : "missing: memtrace needs CONFIG_DEBUG_INFO_BTF=y");
	err = mt_ensure_tracefs();
	add(c, "optional", !err, "tracefs", err ? strerror(-err) : "mounted");
	mt_probe_open(&p);
	for (size_t i = 0; i < mt_loader_nr_events(); i++) {
		struct mt_loader_event_info e;
		const char *kind;
		bool tp, bt, any = false;

		mt_loader_event_info(i, &e);
		if (e.kprobe)
			continue; /* the "hook kmap" row below */
		/* kmem events are the core set; vmalloc, percpu, faults, DMA are class sections */
		kind = e.follow						       ? "scope" :
		       e.stall						       ? "stall" :
		       e.cls == MT_CLASS_LOGICAL || e.cls == MT_CLASS_PHYSICAL ? "core" :
										 "class";
		tp = mt_tracepoint_exists(e.group, e.name);
		snprintf(name, sizeof(name), "tracepoint %s:%s", e.group, e.name);
		if (!tp && e.alt) {
			/* dma_map_page on 6.18, dma_map_phys on 6.12: one of the two is absent */
			add(c, kind, -1, name, "absent (another kernel's name)");
			continue;
		}
		add(c, kind, tp, name, tp ? "present" : "absent");
		bt = mt_probe_btf_tracepoint(&p, e.name);
		if (e.fast_sec) {
			snprintf(name, sizeof(name), "  %s/%s", e.fast_sec, e.name);
			err = !bt   ? -ENOENT :
			      !priv ? -EPERM :
				      mt_loader_try_one(i, true, &o, &stage);
			add(c, kind, !err, name,
			    !bt ? "no btf_trace_ type in kernel BTF" :
			    err ? why(err, stage) :
				  "loads and attaches");
			any |= !err;
			if (!strcmp(e.fast_sec, "raw_tp"))
				raw_n++, raw_ok += !err;
			else
				fast_n++, fast_ok += !err;
		}
		if (e.classic_sec) {
			snprintf(name, sizeof(name), "  %s/%s/%s", e.classic_sec, e.group, e.name);
			err = !tp   ? -ENOENT :
			      !priv ? -EPERM :
				      mt_loader_try_one(i, false, &o, &stage);
			add(c, kind, !err, name,
			    !tp ? "tracepoint absent" :
			    err ? why(err, stage) :
				  "loads and attaches");
			any |= !err;
		}
		if (!strcmp(kind, "core") && !any)
			core_events = false;
	}
	mt_probe_close(&p);

	snprintf(name, sizeof(name), "%d of %d programs", fast_ok, fast_n);
	add(c, "optional", fast_n && fast_ok == fast_n, "hook tp_btf", name);
	snprintf(name, sizeof(name), "%d of %d programs", raw_ok, raw_n);
	add(c, "optional", raw_n && raw_ok == raw_n, "hook raw_tp", name);
	err = priv ? mt_check_call_hook(true, &stage) : -EPERM;
	add(c, "optional", !err, "hook fentry", err ? why(err, stage) : "fentry/kfree attaches");
	err = priv ? mt_check_call_hook(false, &stage) : -EPERM;
	add(c, "optional", !err, "hook kprobe", err ? why(err, stage) : "kprobe/kfree attaches");
	uname(&u);
	if (strstr(u.machine, "64")) {
		add(c, "optional", -1, "hook kmap", "64-bit: no highmem, kmap=page_address");
	} else {
		/* the same run-time probe as memtrace run's kmap kprobes (bpf/kmap.bpf.c) */
		static const char *const fns[] = {
			"kmap_high",
			"kunmap_high",
			"__kmap_local_pfn_prot",
			"kunmap_local_indexed",
		};
		char kwhy[128] = "";
		int usable = 0;

		for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
			usable += mt_kprobe_usable(fns[i], kwhy, sizeof(kwhy));
		snprintf(name, sizeof(name), "%d of 4 kprobes usable%s%.60s", usable,
			 kwhy[0] ? ": " : "", kwhy);
		add(c, "optional", usable == 4, "hook kmap", name);
	}
	c->core_ok = priv && btf && core_events;
}

static void print_text(const struct check *c)
{
	printf("%-34s %-6s %s\n", "check", "result", "detail");
	for (int i = 0; i < c->n; i++) {
		const struct row *r = &c->rows[i];

		printf("%-34.34s %-6s %.*s\n", r->name,
		       r->state < 0 ? "n/a" :
		       r->state	    ? "ok" :
				      "NO",
		       38, r->detail);
	}
	printf("core set (privileges, BTF, every kmem event): %s\n",
	       c->core_ok ? "works" : "DOES NOT WORK");
}

static int print_json(const struct check *c)
{
	struct jw w;

	jw_init(&w, stdout, true);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "memtrace_version", MEMTRACE_VERSION);
	jw_bool(&w, "core_ok", c->core_ok);
	jw_arr_begin(&w, "checks");
	for (int i = 0; i < c->n; i++) {
		const struct row *r = &c->rows[i];
		const char *n = r->name;

		while (*n == ' ')
			n++;
		jw_obj_begin(&w, NULL);
		jw_str(&w, "name", n);
		jw_str(&w, "kind", r->kind);
		if (r->state < 0)
			jw_null(&w, "ok");
		else
			jw_bool(&w, "ok", r->state);
		jw_str(&w, "detail", r->detail);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	return jw_end(&w);
}

void usage_check(void)
{
	printf("Usage: memtrace check [--json] [-v]\n"
	       "\n"
	       "CI preflight: what this kernel lets memtrace hook. Checks privileges and BTF, looks up\n"
	       "each tracepoint memtrace uses, loads and attaches each of its programs on its own, and\n"
	       "tries each optional attach type (tp_btf, raw_tp, fentry, kprobe; kmap on 32-bit).\n"
	       "\n"
	       "Options:\n"
	       "      --json            the same as one JSON document on stdout\n"
	       "  -v, --verbose         libbpf's messages while loading\n"
	       "  -h, --help            this help\n"
	       "\n"
	       "Exit status: 0 the core set works (privileges, BTF, every kmem event through at least\n"
	       "one program); 1 it does not; 2 bad command line.\n"
	       "\n"
	       "Example:\n"
	       "  sudo memtrace check --json | jq '.checks[] | select(.ok == false)'\n");
}

int do_check(int argc, char **argv)
{
	static struct check c;
	bool json = false;
	int ret;

	ret = mt_parse_json_opts(argc, argv, "check", usage_check, &json);
	if (ret >= 0)
		return ret;
	memset(&c, 0, sizeof(c));
	run_checks(&c);
	if (json ? print_json(&c) : (print_text(&c), 0))
		return MT_EXIT_ERROR;
	return c.core_ok ? MT_EXIT_OK : MT_EXIT_ERROR;
}
