/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* memtrace check's trial of the optional call hooks (fentry, kprobe). */
#ifndef MT_CHECK_HOOK_H
#define MT_CHECK_HOOK_H

#include <stdbool.h>

/*
 * Load and attach one empty program of check.bpf.c on its own: fentry when fentry, else a
 * kprobe. 0 or -errno; *stage names the step that failed ("open", "load", "attach").
 */
int mt_check_call_hook(bool fentry, const char **stage);

#endif /* MT_CHECK_HOOK_H */
