// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Run facts as text lines, so a reader of any version parses what it knows and ignores the
 * rest, and a human can read them after inflating the chunk.
 * Doubles are printed with %.17g: they read back bit for bit, so a report matches run's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "record/record_header.h"

void mt_rec_header_put_run(struct mt_buf *b, const struct mt_run_info *ri,
			   const struct mt_zone_table *z)
{
	mt_buf_printf(b, "memtrace_version %s\nformat %d.%d\n", MEMTRACE_VERSION, MT_REC_MAJOR,
		      MT_REC_MINOR);
	mt_buf_printf(b, "release %s\narch %s\npage_size %u\npage_shift %u\nbtf %s\nattach %s\n",
		      ri->release, ri->arch, ri->page_size, ri->page_shift, ri->btf, ri->attach);
	mt_buf_printf(b, "pids ");
	for (int i = 0; i < ri->nr_pids; i++)
		mt_buf_printf(b, "%s%u", i ? "," : "", ri->pids[i]);
	mt_buf_printf(b, "\n");
	for (int k = 0; k < MT_CLASS_MAX; k++)
		mt_buf_printf(b, "class_traced.%s %d\n", mt_class_key(k), ri->class_traced[k]);
	mt_buf_printf(b, "vmemmap_base 0x%llx\npage_offset_base 0x%llx\nkfree_sized %d\n",
		      (unsigned long long)ri->vmemmap_base,
		      (unsigned long long)ri->page_offset_base, ri->kfree_sized);
	for (int i = 0; i < z->nr; i++)
		mt_buf_printf(b, "zone %d %s %llu %llu %llu\n", z->z[i].node, z->z[i].name,
			      (unsigned long long)z->z[i].start_pfn,
			      (unsigned long long)z->z[i].spanned,
			      (unsigned long long)z->z[i].present);
	mt_buf_printf(b, "zones_skipped %d\n", z->skipped);
}

void mt_rec_header_put_end(struct mt_buf *b, const struct mt_run_info *ri)
{
	mt_buf_printf(b, "duration_s %.17g\nmissed_runs %llu\nstart_ns %llu\nstart_time_ns %llu\n",
		      ri->duration_s, (unsigned long long)ri->missed_runs,
		      (unsigned long long)ri->start_ns, (unsigned long long)ri->start_wall_ns);
	mt_buf_printf(
		b, "self.included %d\nself.cpu_s %.17g\nself.max_rss %llu\nself.map_bytes %llu\n",
		ri->self_included, ri->self_cpu_s, (unsigned long long)ri->self_max_rss,
		(unsigned long long)ri->self_map_bytes);
}

void mt_rec_header_put_scope(struct mt_buf *b, const struct mt_scope_report *s)
{
	mt_buf_printf(b,
		      "scope.kind %d\nscope.cgroup %s\nscope.cgroup_id %llu\n"
		      "scope.command %s\nscope.command_pid %u\nscope.command_exited %d\n"
		      "scope.exit_code %d\nscope.signal %d\nscope.per_thread %d\n",
		      (int)s->kind, s->cgroup, (unsigned long long)s->cgroup_id, s->command,
		      s->command_pid, s->command_exited, s->exit_code, s->signal, s->per_thread);
}

void mt_rec_header_put_classes(struct mt_buf *b, const struct mt_classes_report *x)
{
	mt_buf_printf(b, "classes.class_mask %u\nclasses.kmap_why %s\n", x->class_mask,
		      x->kmap_why);
}

void mt_rec_header_put_pair(struct mt_buf *b, const struct mt_pair_report *p)
{
	mt_buf_printf(
		b,
		"pair.pairs %d\npair.stacks %d\npair.sites %d\n"
		"pair.outstanding_entries %u\npair.stack_entries %u\npair.site_entries %u\npair.min_age_ns %llu\n"
		"pair.end_ns %llu\npair.stack_sample %u\n",
		p->opts.pairs, p->opts.stacks, p->opts.sites, p->opts.outstanding_entries,
		p->opts.stack_entries, p->opts.site_entries, (unsigned long long)p->min_age_ns,
		(unsigned long long)p->end_ns, mt_pair_stack_sample(p));
}

static void str(const struct mt_recfile *rf, const char *key, char *dst, size_t len)
{
	const char *v = mt_rec_get(rf, key);

	snprintf(dst, len, "%s", v ? v : "");
}

static unsigned long long num(const struct mt_recfile *rf, const char *key)
{
	const char *v = mt_rec_get(rf, key);

	return v ? strtoull(v, NULL, 0) : 0;
}

static void zones(const struct mt_recfile *rf, struct mt_zone_table *z)
{
	memset(z, 0, sizeof(*z));
	for (size_t i = 0; i < rf->nr_kv; i++) {
		struct mt_zone *e = &z->z[z->nr];
		unsigned long long start, spanned, present;
		char name[16];
		int node;

		if (strcmp(rf->kv[i].key, "zone") != 0 || z->nr == MT_MAX_ZONE_RANGES)
			continue;
		if (sscanf(rf->kv[i].value, "%d %15s %llu %llu %llu", &node, name, &start, &spanned,
			   &present) != 5)
			continue;
		e->node = node;
		snprintf(e->name, sizeof(e->name), "%s", name);
		e->start_pfn = start;
		e->spanned = spanned;
		e->present = present;
		z->nr++;
	}
	z->skipped = (int)num(rf, "zones_skipped");
}

int mt_rec_header_get(const struct mt_recfile *rf, struct mt_report *r)
{
	struct mt_run_info *ri = &r->run;
	const char *v;

	if (!mt_rec_get(rf, "memtrace_version"))
		return -EINVAL;
	str(rf, "release", ri->release, sizeof(ri->release));
	str(rf, "arch", ri->arch, sizeof(ri->arch));
	ri->page_size = (__u32)num(rf, "page_size");
	ri->page_shift = (__u32)num(rf, "page_shift");
	str(rf, "btf", ri->btf, sizeof(ri->btf));
	str(rf, "attach", ri->attach, sizeof(ri->attach));
	v = mt_rec_get(rf, "duration_s");
	ri->duration_s = v ? strtod(v, NULL) : 0;
	ri->nr_pids = 0;
	v = mt_rec_get(rf, "pids");
	while (v && *v && ri->nr_pids < (int)(sizeof(ri->pids) / sizeof(ri->pids[0]))) {
		char *end;
		unsigned long pid = strtoul(v, &end, 10);

		if (end == v)
			break;
		ri->pids[ri->nr_pids++] = (__u32)pid;
		v = *end == ',' ? end + 1 : end;
	}
	for (int k = 0; k < MT_CLASS_MAX; k++) {
		char key[64];

		snprintf(key, sizeof(key), "class_traced.%s", mt_class_key(k));
		ri->class_traced[k] = num(rf, key) != 0;
	}
	ri->vmemmap_base = num(rf, "vmemmap_base");
	ri->page_offset_base = num(rf, "page_offset_base");
	ri->kfree_sized = num(rf, "kfree_sized") != 0;
	ri->missed_runs = num(rf, "missed_runs");
	ri->start_ns = num(rf, "start_ns");
	/* recordings before start_time_ns have the second only (start_time) */
	ri->start_wall_ns = num(rf, "start_time_ns");
	if (!ri->start_wall_ns)
		ri->start_wall_ns = num(rf, "start_time") * 1000000000ULL;
	/* absent in recordings made before memtrace left itself out */
	ri->self_included = num(rf, "self.included") != 0;
	v = mt_rec_get(rf, "self.cpu_s");
	ri->self_cpu_s = v ? strtod(v, NULL) : 0;
	ri->self_max_rss = num(rf, "self.max_rss");
	ri->self_map_bytes = num(rf, "self.map_bytes");
	zones(rf, &r->zones);
	r->scope.kind = (enum mt_scope_kind)num(rf, "scope.kind");
	str(rf, "scope.cgroup", r->scope.cgroup, sizeof(r->scope.cgroup));
	r->scope.cgroup_id = num(rf, "scope.cgroup_id");
	str(rf, "scope.command", r->scope.command, sizeof(r->scope.command));
	r->scope.command_pid = (__u32)num(rf, "scope.command_pid");
	r->scope.command_exited = num(rf, "scope.command_exited") != 0;
	v = mt_rec_get(rf, "scope.exit_code");
	r->scope.exit_code = v ? atoi(v) : 0;
	r->scope.signal = (int)num(rf, "scope.signal");
	r->scope.per_thread = num(rf, "scope.per_thread") != 0;
	r->pair.opts.pairs = num(rf, "pair.pairs") != 0;
	r->pair.opts.stacks = num(rf, "pair.stacks") != 0;
	r->pair.opts.sites = num(rf, "pair.sites") != 0;
	r->pair.opts.outstanding_entries = (__u32)num(rf, "pair.outstanding_entries");
	r->pair.opts.stack_entries = (__u32)num(rf, "pair.stack_entries");
	r->pair.opts.site_entries = (__u32)num(rf, "pair.site_entries");
	/* absent in recordings made before --stack-sample: every stack was walked */
	r->pair.opts.stack_sample = (__u32)num(rf, "pair.stack_sample");
	r->pair.min_age_ns = num(rf, "pair.min_age_ns");
	r->x.class_mask = (__u32)num(rf, "classes.class_mask");
	str(rf, "classes.kmap_why", r->x.kmap_why, sizeof(r->x.kmap_why));
	r->pair.end_ns = num(rf, "pair.end_ns");
	return 0;
}
