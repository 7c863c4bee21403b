// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* memtrace run: trace until Ctrl-C or the duration, then print the report. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "collect/alloclat.h"
#include "collect/calib.h"
#include "sys/kallsyms.h"
#include "collect/collect_latency.h"
#include "cli/cmds.h"
#include "cli/run_opts.h"
#include "collect/kernel_info.h"
#include "collect/live_report.h"
#include "collect/loader.h"
#include "collect/probe.h"
#include "collect/timeline_sampler.h"
#include "model/metrics.h"
#include "render/render.h"
#include "cli/recorder.h"
#include "sys/scope_user.h"
#include "sys/util.h"
#include "sys/zones.h"

int mt_trace_prepare(struct mt_report *r, struct mt_zone_table *zones, struct mt_calib *calib)
{
	const char *what;
	int err;

	if (mt_check_privileges(&what)) {
		mt_err("insufficient privileges: %s", what);
		return MT_EXIT_ERROR;
	}
	mt_kernel_info(&r->run);
	if (!mt_find_vmlinux_btf(r->run.btf, sizeof(r->run.btf))) {
		mt_err("kernel lacks BTF (%s): memtrace needs CONFIG_DEBUG_INFO_BTF=y",
		       mt_vmlinux_btf_path());
		return MT_EXIT_ERROR;
	}
	err = mt_ensure_tracefs();
	if (err)
		mt_warn("failed to mount tracefs: %s; classic tracepoints unavailable",
			strerror(-err));
	err = mt_zones_load("/proc/zoneinfo", zones);
	if (err) {
		mt_warn("failed to read /proc/zoneinfo: %s; pages will show no zone",
			strerror(-err));
		memset(zones, 0, sizeof(*zones));
	}
	if (mt_calibrate(calib, r->run.page_shift))
		mt_info("calibration failed (%s): pages via classic tracepoints", calib->why);
	else if (!calib->page_offset_base)
		mt_info("direct map base unknown (%s): kfree sizes unknown", calib->why);
	return 0;
}

static int trace_cmd(int argc, char **argv, const char *name)
{
	struct mt_recorder rec = {};
	struct mt_render_opts ro = {};
	struct mt_loader_opts lo = {};
	struct mt_cmd cmd = { .pid = -1, .go = -1, .exec_err = -1 };
	struct sigaction sa = {};
	struct run_opts o = {};
	struct mt_loader l = {};
	struct mt_alloclat al = {};
	struct mt_sampler *sampler;
	struct mt_timeline tl;
	struct mt_report r;
	struct mt_calib calib;
	struct mt_zone_table zones;
	__u32 pids[MT_MAX_CLI_PIDS + 1];
	struct mt_ksyms ksyms;
	double start;
	int ret, err;

	run_cmd_name = name;
	ret = run_parse(argc, argv, &o);
	if (ret >= 0)
		return ret;
	ret = check_json_target(o.json);
	if (!ret)
		ret = check_json_target(o.folded);
	if (!ret)
		ret = check_json_target(o.folded_out);
	if (!ret)
		ret = check_json_target(o.openmetrics);
	if (!ret)
		ret = check_json_target(o.html);
	if (!ret)
		ret = check_json_target(o.pprof);
	/* a baseline that cannot be read fails before anything is attached */
	if (!ret && o.baseline)
		ret = run_baseline_load(o.baseline);
	if (!ret && o.output)
		ret = mt_recorder_open(&rec, o.output, o.force);
	if (ret)
		return ret;
	mt_report_init(&r);
	mt_ksyms_init(&ksyms);
	ret = mt_trace_prepare(&r, &zones, &calib);
	if (ret) {
		mt_recorder_abort(&rec);
		return ret;
	}

	memcpy(pids, o.pids, sizeof(o.pids));
	lo.force_tracepoint = o.force_tracepoint;
	lo.no_stalls = o.no_stalls;
	lo.pids = pids;
	lo.nr_pids = o.nr_pids;
	lo.calib = &calib;
	lo.zones = &zones;
	lo.page_shift = r.run.page_shift;
	lo.filter_cgroup = o.cgroup != NULL;
	lo.cgroup_id = o.cgroup_id;
	lo.cgroup_level = o.cgroup_level;
	lo.per_thread = o.per_thread;
	r.scope.per_thread = o.per_thread;
	r.scope.kind = o.cmd	 ? MT_SCOPE_COMMAND :
		       o.cgroup	 ? MT_SCOPE_CGROUP :
		       o.nr_pids ? MT_SCOPE_PIDS :
				   MT_SCOPE_SYSTEM;
	if (o.cgroup) {
		snprintf(r.scope.cgroup, sizeof(r.scope.cgroup), "%s", o.cgroup);
		r.scope.cgroup_id = o.cgroup_id;
	}
	if (o.cmd) {
		/* forked now, with default signal handling; it waits until it is traced */
		err = mt_cmd_spawn(o.cmd, &cmd);
		if (err) {
			mt_err("failed to start '%s': %s", o.cmd[0], strerror(-err));
			mt_recorder_abort(&rec);
			return MT_EXIT_ERROR;
		}
		pids[lo.nr_pids++] = (__u32)cmd.pid;
		lo.follow_forks = true;
		r.scope.command_pid = (__u32)cmd.pid;
		cmd_line(r.scope.command, sizeof(r.scope.command), o.cmd);
	}
	lo.pair = o.pair;
	r.pair.opts = o.pair;
	r.pair.min_age_ns = (__u64)(o.min_age * 1e9);
	lo.class_mask = o.class_mask;
	lo.include_self = o.include_self;
	lo.max_procs = o.max_procs;
	lo.reap = true;
	r.x.class_mask = o.class_mask;

	/* handlers before attach: a Ctrl-C from here on ends the trace, never the process */
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO; /* no SA_RESTART: waitpid() returns to look at it */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (mt_loader_start(&l, &lo)) {
		mt_cmd_abort(&cmd);
		mt_recorder_abort(&rec);
		return MT_EXIT_ERROR;
	}
	/* what is known before tracing goes to the file first: a cut file still has it */
	r.zones = zones;
	r.run.nr_pids = o.nr_pids;
	memcpy(r.run.pids, o.pids, sizeof(o.pids));
	r.run.vmemmap_base = calib.vmemmap_base;
	r.run.page_offset_base = calib.page_offset_base;
	r.run.kfree_sized = calib.vmemmap_base && calib.page_offset_base;
	memcpy(r.run.class_traced, l.class_traced, sizeof(l.class_traced));
	snprintf(r.run.attach, sizeof(r.run.attach), "%s", l.attach);
	if (o.output && mt_recorder_start(&rec, &r, &l, &calib, argc, argv, !o.no_kallsyms)) {
		mt_cmd_abort(&cmd);
		mt_loader_destroy(&l);
		mt_recorder_abort(&rec);
		return MT_EXIT_ERROR;
	}
	if (o.latency &&
	    mt_alloclat_start(&al, &lo, o.force_call_hook, mt_loader_pid_filter_fd(&l)))
		mt_warn("allocator call latency unavailable: %s", al.why);
	else if (o.latency && al.missing[0])
		mt_warn("allocator call latency: not every allocator hooked with %s: %s",
			al.hook == MT_HOOK_FENTRY ? "fentry" : "kprobe", al.missing);

	start = now_s();
	start_message(&o, &r.scope);
	/* the timeline's points from here on; the last one comes from the final report */
	mt_timeline_init(&tl, o.interval ? o.interval : 1.0);
	sampler = mt_sampler_start(&l, &r, start, tl.interval_s);
	if (!sampler)
		mt_warn("no timeline: cannot start its thread: %s", strerror(errno));
	if (o.cmd) {
		if (stop_signal) {
			mt_err("interrupted before the command started");
			mt_sampler_stop(sampler, &tl);
			mt_timeline_free(&tl);
			mt_cmd_abort(&cmd);
			mt_alloclat_destroy(&al);
			mt_loader_destroy(&l);
			mt_recorder_abort(&rec);
			return MT_EXIT_ERROR;
		}
		cmd_pid = cmd.pid;
		err = mt_cmd_release(&cmd);
		if (err) {
			mt_err("cannot execute '%s': %s", o.cmd[0], strerror(-err));
			waitpid(cmd.pid, NULL, 0);
			mt_sampler_stop(sampler, &tl);
			mt_timeline_free(&tl);
			mt_alloclat_destroy(&al);
			mt_loader_destroy(&l);
			mt_recorder_abort(&rec);
			return MT_EXIT_ERROR;
		}
		wait_command(&r.scope);
	} else {
		struct pid_watch watch;

		watch_open(&watch, o.pids, o.nr_pids);
		sleep_until_done(start, o.duration, &watch);
		watch_close(&watch);
	}
	err = mt_sampler_stop(sampler, &tl);
	if (err)
		mt_warn("the timeline stops at %.1f s: a snapshot failed: %s", tl.last_t_s,
			strerror(-err));
	mt_loader_detach(&l);
	r.pair.end_ns = (__u64)(now_s() * 1e9);
	mt_alloclat_detach(&al);
	r.run.duration_s = now_s() - start;
	/*
	 * Read at the end, not before tracing (60 ms of start-up): memtrace's own JIT-ed
	 * programs, the top frames of every stack, are still loaded and listed, so they can
	 * be recognised and left out, and modules loaded during the run are named too.
	 */
	if (o.pair.sites || o.pair.stacks)
		load_ksyms(&ksyms, &r.pair);

	err = mt_loader_collect(&l, &r);
	/* stalls came with the map source (mt_collect); call latency has its own object */
	if (!err && o.latency)
		err = mt_alloclat_collect(&al, &r.lat);
	mt_lat_finish(&r.lat);
	mt_alloclat_destroy(&al);
	/* the last point from the final report: the points sum to its totals */
	if (!err && sampler && mt_timeline_take(&tl, &r, r.run.duration_s))
		mt_warn("the timeline lacks its last point: out of memory");
	r.tl = tl;
	if (!err && o.output)
		err = mt_recorder_finish(&rec, &l, &r) ? -ECANCELED : 0;
	mt_loader_destroy(&l);
	if (err) {
		if (err != -ECANCELED)
			mt_err("failed to read BPF maps: %s", strerror(-err));
		mt_recorder_abort(&rec);
		mt_report_free(&r);
		mt_ksyms_free(&ksyms);
		return MT_EXIT_ERROR;
	}
	mt_ci_evaluate(&r, o.fail_if, (size_t)o.nr_fail_if, run_baseline());

	ro.top = o.top;
	ro.raw_addresses = o.raw_addresses;
	/* record writes the file (and --json if asked), not the text report */
	ret = mt_write_report(&r, &ro,
			      !o.output && !mt_output_is_stdout(o.folded) &&
				      !mt_output_is_stdout(o.folded_out),
			      &(struct mt_outputs){ o.json, o.openmetrics, o.html, o.pprof });
	if (ret == MT_EXIT_OK)
		ret = run_verdict(&r);
	if (o.folded && write_folded(o.folded, &r, &ro, false))
		ret = MT_EXIT_ERROR;
	if (o.folded_out && write_folded(o.folded_out, &r, &ro, true))
		ret = MT_EXIT_ERROR;
	mt_report_free(&r);
	mt_ksyms_free(&ksyms);
	return ret;
}

int do_run(int argc, char **argv)
{
	return trace_cmd(argc, argv, "run");
}

int do_record(int argc, char **argv)
{
	return trace_cmd(argc, argv, "record");
}
