// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* memtrace check's trial of the optional call hooks: an empty fentry or kprobe program. */
#include <errno.h>
#include <stdbool.h>
#include <bpf/libbpf.h>
#include "check.skel.h"
#include "collect/check_hook.h"

/* One empty program of check.bpf.c, loaded and attached on its own. */
int mt_check_call_hook(bool fentry, const char **stage)
{
	struct check_bpf *s = check_bpf__open();
	struct bpf_program *want;
	struct bpf_link *link;
	int err;

	*stage = "open";
	if (!s)
		return -errno ? -errno : -ENOMEM;
	want = fentry ? s->progs.check_fentry : s->progs.check_kprobe;
	bpf_program__set_autoload(fentry ? s->progs.check_kprobe : s->progs.check_fentry, false);
	*stage = "load";
	err = check_bpf__load(s);
	if (!err) {
		*stage = "attach";
		link = bpf_program__attach(want);
		err = libbpf_get_error(link);
		if (!err)
			bpf_link__destroy(link);
	}
	check_bpf__destroy(s);
	return err;
}
