// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "collect/alloclat.h"
#include "alloclat.skel.h"
#include "collect/alloclat_pick.h"
#include "collect/collect_latency.h"
#include "collect/detach.h"
#include "collect/kernel_info.h"
#include "sys/util.h"

/* Per slot: the fentry/fexit and kprobe/kretprobe programs. */
#define P(name) offsetof(struct alloclat_bpf, progs.name)
static const struct {
	size_t entry, exit, kp, krp;
} slot_progs[MT_CALL_SLOTS] = {
	[MT_CALL_KMALLOC] = { P(kmalloc_entry), P(kmalloc_exit), P(kmalloc_kp), P(kmalloc_krp) },
	[MT_CALL_KMALLOC_CACHE] = { P(kmalloc_cache_entry), P(kmalloc_cache_exit),
				    P(kmalloc_cache_kp), P(kmalloc_cache_krp) },
	[MT_CALL_KMEM_CACHE_ALLOC] = { P(kmem_cache_alloc_entry), P(kmem_cache_alloc_exit),
				       P(kmem_cache_alloc_kp), P(kmem_cache_alloc_krp) },
	[MT_CALL_PAGE_ALLOC] = { P(page_alloc_entry), P(page_alloc_exit), P(page_alloc_kp),
				 P(page_alloc_krp) },
	[MT_CALL_VMALLOC] = { P(vmalloc_entry), P(vmalloc_exit), P(vmalloc_kp), P(vmalloc_krp) },
};

static struct bpf_program *prog(struct alloclat_bpf *s, size_t off)
{
	return *(struct bpf_program **)((char *)s + off);
}

static bool in_btf(const char *name, void *ctx)
{
	return btf__find_by_name_kind(ctx, name, BTF_KIND_FUNC) > 0;
}

/* /proc/kallsyms text symbols (what kprobes attach to), scanned once for every candidate. */
struct ksyms {
	const char *name[MT_CALL_SLOTS * 4];
	bool found[MT_CALL_SLOTS * 4];
	int n;
};

static void ksyms_scan(struct ksyms *k)
{
	char line[512], sym[256], type;
	unsigned long long addr;
	FILE *f;

	memset(k, 0, sizeof(*k));
	for (int s = 0; s < MT_CALL_SLOTS; s++)
		for (const char *const *c = mt_alloclat_candidates(s); *c; c++)
			if (k->n < (int)(sizeof(k->name) / sizeof(k->name[0])))
				k->name[k->n++] = *c;
	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, sym) != 3 ||
		    (type != 't' && type != 'T'))
			continue;
		for (int i = 0; i < k->n; i++)
			if (!k->found[i] && !strcmp(sym, k->name[i]))
				k->found[i] = true;
	}
	fclose(f);
}

static bool in_kallsyms(const char *name, void *ctx)
{
	const struct ksyms *k = ctx;

	for (int i = 0; i < k->n; i++)
		if (!strcmp(k->name[i], name))
			return k->found[i];
	return false;
}

/* Where libbpf attaches kprobes: the kprobe PMU, or legacy tracefs kprobe_events. */
static bool kprobes_configured(void)
{
	return access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0 ||
	       access("/sys/kernel/tracing/kprobe_events", F_OK) == 0 ||
	       access("/sys/kernel/debug/tracing/kprobe_events", F_OK) == 0;
}

/* An errno's name, with the kernel-internal ENOTSUPP (524) that libc does not name. */
static const char *errname(int e)
{
	if (e == 524)
		return "ENOTSUPP";
	return strerrorname_np(e) ?: "error";
}

/* How many arguments the kernel's BTF gives a function; -1 when unknown. */
static int btf_nargs(const struct btf *btf, const char *func)
{
	int id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;

	t = t ? btf__type_by_id(btf, t->type) : NULL;
	return t && btf_is_func_proto(t) ? btf_vlen(t) : -1;
}

static void add_why(struct mt_alloclat *a, const char *hook, const char *fmt, const char *arg)
{
	size_t l = strlen(a->why);

	snprintf(a->why + l, sizeof(a->why) - l, "%s%s: ", l ? "; " : "", hook);
	l = strlen(a->why);
	snprintf(a->why + l, sizeof(a->why) - l, fmt, arg);
}

static struct alloclat_bpf *open_skel(const struct mt_loader_opts *o, int pid_filter_fd)
{
	struct alloclat_bpf *s = alloclat_bpf__open();
	struct bpf_program *p;

	if (!s)
		return NULL;
	MT_SET_RODATA(s->rodata, o);
	/* one pid filter for both objects: forks followed by the main one count here too */
	if (pid_filter_fd >= 0 && bpf_map__reuse_fd(s->maps.pid_filter, pid_filter_fd)) {
		alloclat_bpf__destroy(s);
		return NULL;
	}
	/* shared definitions this object does not use: keep them tiny */
	bpf_map__set_max_entries(s->maps.procs, 1);
	bpf_map__set_max_entries(s->maps.caches, 1);
	bpf_object__for_each_program(p, s->obj)
	{
		bpf_program__set_autoload(p, false);
	}
	return s;
}

static int fill_pids(struct alloclat_bpf *s, const struct mt_loader_opts *o, int pid_filter_fd)
{
	__u8 one = 1;

	if (pid_filter_fd >= 0)
		return 0; /* shared: already filled */
	for (int i = 0; i < o->nr_pids; i++)
		if (bpf_map_update_elem(bpf_map__fd(s->maps.pid_filter), &o->pids[i], &one,
					BPF_ANY))
			return -errno;
	return 0;
}

/* Append "slot (func): what" to a "; "-separated list. */
static void add_slot_why(char *buf, size_t len, int slot, const char *func, const char *what)
{
	size_t l = strlen(buf);

	snprintf(buf + l, len - l, "%s%s (%s): %s", l ? "; " : "", mt_call_slot_name(slot), func,
		 what);
}

/*
 * Attach each slot's fentry/fexit pair on its own: a kernel may refuse one function and
 * take the others. 6.1's x86 trampoline takes at most 6 arguments (12 since 6.5), and
 * __vmalloc_node_range has 9: its attach fails with ENOTSUPP. With partial, the slots that
 * attached are kept and the others named in a->missing; without, any refusal fails the
 * hook (*could_partial then says some slots did attach), so that kprobes, which take any
 * function, are tried for all of them first.
 */
static int try_fentry(struct mt_alloclat *a, const struct mt_loader_opts *o, int pf_fd,
		      bool partial, bool *could_partial)
{
	struct btf *vmlinux = btf__parse(mt_vmlinux_btf_path(), NULL);
	int err, hooked = 0, nargs[MT_CALL_SLOTS] = {};
	char missing[sizeof(a->missing)] = "";

	*could_partial = false;
	if (libbpf_get_error(vmlinux)) {
		add_why(a, "fentry", "%s", "no kernel BTF");
		return -ENOENT;
	}
	if (!mt_alloclat_pick_all(in_btf, vmlinux, a->func)) {
		btf__free(vmlinux);
		add_why(a, "fentry", "%s", "no allocator function in the kernel's BTF");
		return -ENOENT;
	}
	for (int s = 0; s < MT_CALL_SLOTS; s++)
		nargs[s] = a->func[s] ? btf_nargs(vmlinux, a->func[s]) : -1;
	btf__free(vmlinux);
	a->skel = open_skel(o, pf_fd);
	if (!a->skel) {
		add_why(a, "fentry", "%s at open", errname(errno));
		return -errno;
	}
	for (int s = 0; s < MT_CALL_SLOTS; s++) {
		if (!a->func[s])
			continue;
		bpf_program__set_autoload(prog(a->skel, slot_progs[s].entry), true);
		bpf_program__set_autoload(prog(a->skel, slot_progs[s].exit), true);
		bpf_program__set_attach_target(prog(a->skel, slot_progs[s].entry), 0, a->func[s]);
		bpf_program__set_attach_target(prog(a->skel, slot_progs[s].exit), 0, a->func[s]);
	}
	err = alloclat_bpf__load(a->skel);
	if (err) {
		add_why(a, "fentry", err == -EPERM ? "%s at load (lockdown?)" : "%s at load",
			errname(-err));
		return err;
	}
	err = fill_pids(a->skel, o, pf_fd);
	if (err) {
		add_why(a, "fentry", "%s filling the pid filter", errname(-err));
		return err;
	}
	for (int s = 0; s < MT_CALL_SLOTS; s++) {
		struct bpf_link *in, *out = NULL;
		char what[96];

		if (!a->func[s])
			continue;
		in = bpf_program__attach(prog(a->skel, slot_progs[s].entry));
		err = libbpf_get_error(in);
		if (!err) {
			out = bpf_program__attach(prog(a->skel, slot_progs[s].exit));
			err = libbpf_get_error(out);
		}
		if (!err) {
			a->links[2 * (size_t)s] = in;
			a->links[2 * (size_t)s + 1] = out;
			hooked++;
			continue;
		}
		if (!libbpf_get_error(in))
			bpf_link__destroy(in);
		if (err == -EPERM)
			snprintf(what, sizeof(what), "EPERM at attach (lockdown?)");
		else if (err == -524 && nargs[s] > 6)
			snprintf(what, sizeof(what), "ENOTSUPP at attach (%d args, max 6 here)",
				 nargs[s]);
		else
			snprintf(what, sizeof(what), "%s at attach", errname(-err));
		add_slot_why(missing, sizeof(missing), s, a->func[s], what);
		a->unhooked[s] = true;
		a->func[s] = NULL;
	}
	if (!hooked || (missing[0] && !partial)) {
		add_why(a, "fentry", "%s", missing);
		*could_partial = hooked > 0;
		return err ? err : -EOPNOTSUPP;
	}
	if (missing[0])
		snprintf(a->missing, sizeof(a->missing), "%s", missing);
	a->hook = MT_HOOK_FENTRY;
	return 0;
}

static int try_kprobe(struct mt_alloclat *a, const struct mt_loader_opts *o, int pf_fd)
{
	struct ksyms ks;
	int err, n = 0;

	ksyms_scan(&ks);
	if (!mt_alloclat_pick_all(in_kallsyms, &ks, a->func)) {
		add_why(a, "kprobe", "%s", "no allocator function in /proc/kallsyms");
		return -ENOENT;
	}
	a->skel = open_skel(o, pf_fd);
	if (!a->skel) {
		add_why(a, "kprobe", "%s at open", errname(errno));
		return -errno;
	}
	for (int s = 0; s < MT_CALL_SLOTS; s++) {
		if (!a->func[s])
			continue;
		bpf_program__set_autoload(prog(a->skel, slot_progs[s].kp), true);
		bpf_program__set_autoload(prog(a->skel, slot_progs[s].krp), true);
	}
	/* loaded (so verified) even where kprobes cannot attach: the programs stay proven */
	err = alloclat_bpf__load(a->skel);
	if (!err)
		err = fill_pids(a->skel, o, pf_fd);
	if (err) {
		add_why(a, "kprobe", "%s at load", errname(-err));
		return err;
	}
	if (!kprobes_configured()) {
		add_why(a, "kprobe", "%s", "CONFIG_KPROBES off");
		return -EOPNOTSUPP;
	}
	for (int s = 0; s < MT_CALL_SLOTS; s++) {
		struct bpf_link *in, *out;

		if (!a->func[s])
			continue;
		in = bpf_program__attach_kprobe(prog(a->skel, slot_progs[s].kp), false, a->func[s]);
		err = libbpf_get_error(in);
		if (err)
			break;
		a->links[n++] = in;
		out = bpf_program__attach_kprobe(prog(a->skel, slot_progs[s].krp), true,
						 a->func[s]);
		err = libbpf_get_error(out);
		if (err)
			break;
		a->links[n++] = out;
	}
	if (err) {
		add_why(a, "kprobe", "%s at attach", errname(-err));
		return err;
	}
	a->hook = MT_HOOK_KPROBE;
	return 0;
}

/* The kprobe links, all at once: each waits for a grace period as it goes (detach.c). */
static void destroy_links(struct mt_alloclat *a)
{
	struct bpf_link **slots[sizeof(a->links) / sizeof(a->links[0])];

	for (size_t i = 0; i < sizeof(a->links) / sizeof(a->links[0]); i++)
		slots[i] = &a->links[i];
	mt_links_destroy(slots, sizeof(a->links) / sizeof(a->links[0]));
}

static void teardown(struct mt_alloclat *a)
{
	destroy_links(a);
	alloclat_bpf__destroy(a->skel);
	a->skel = NULL;
	memset(a->func, 0, sizeof(a->func));
	memset(a->unhooked, 0, sizeof(a->unhooked));
	a->missing[0] = '\0';
}

/*
 * Best available: fentry on every allocator; else kprobes on every allocator; else fentry
 * on those it can hook (the others named). Forced: that hook alone, on what it can hook.
 */
int mt_alloclat_start(struct mt_alloclat *a, const struct mt_loader_opts *o, int force_hook,
		      int pid_filter_fd)
{
	bool partial_fentry = false;
	int err = -ENOENT;

	memset(a, 0, sizeof(*a));
	if (force_hook != MT_HOOK_KPROBE) {
		err = try_fentry(a, o, pid_filter_fd, force_hook == MT_HOOK_FENTRY,
				 &partial_fentry);
		if (!err)
			return 0;
		teardown(a);
	}
	if (force_hook != MT_HOOK_FENTRY) {
		err = try_kprobe(a, o, pid_filter_fd);
		if (!err)
			return 0;
		teardown(a);
	}
	if (partial_fentry) {
		bool unused;

		err = try_fentry(a, o, pid_filter_fd, true, &unused);
		if (!err)
			return 0;
		teardown(a);
	}
	a->hook = MT_HOOK_NONE;
	return err;
}

void mt_alloclat_detach(struct mt_alloclat *a)
{
	destroy_links(a);
	if (a->skel)
		mt_skel_detach(a->skel->skeleton);
}

int mt_alloclat_collect(struct mt_alloclat *a, struct mt_latency *m)
{
	m->calls_requested = true;
	m->call_hook = a->hook;
	snprintf(m->call_why, sizeof(m->call_why), "%s", a->why);
	snprintf(m->call_missing, sizeof(m->call_missing), "%s", a->missing);
	memcpy(m->call_unhooked, a->unhooked, sizeof(m->call_unhooked));
	for (int s = 0; s < MT_CALL_SLOTS; s++) {
		snprintf(m->call_func[s], sizeof(m->call_func[s]), "%s",
			 a->func[s] ? a->func[s] : "");
		if (a->func[s] && a->hook != MT_HOOK_NONE)
			m->traced[mt_call_slot_kind(s)] = true;
	}
	if (!a->skel || a->hook == MT_HOOK_NONE)
		return 0;
	return mt_collect_latency(a->skel->obj, m);
}

void mt_alloclat_destroy(struct mt_alloclat *a)
{
	teardown(a);
}
