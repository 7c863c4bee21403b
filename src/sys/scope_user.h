/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* User side of scoping: resolving --cgroup, and starting -- CMD only once traced. */
#ifndef MT_SCOPE_USER_H
#define MT_SCOPE_USER_H

#include <linux/types.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * A cgroup v2 directory -> its id (what bpf_get_current_cgroup_id() returns: the kernfs
 * node id, from name_to_handle_at) and its depth below the v2 root. 0, or -1 with a
 * one-line reason in err.
 */
int mt_cgroup_resolve(const char *path, __u64 *id, __u32 *level, char *err, size_t errlen);

/* Is FILE an executable, directly or on $PATH (as execvp would find it)? */
int mt_cmd_find(const char *file);

struct mt_cmd {
	pid_t pid;
	int go;	      /* write end: one byte releases the child, closing it ends the child */
	int exec_err; /* read end: the child's errno if exec failed, EOF once it succeeded */
};

/* Fork a child that waits for mt_cmd_release() and then execs argv. 0 or -errno. */
int mt_cmd_spawn(char *const argv[], struct mt_cmd *c);
/* Let it exec; 0 once the exec succeeded, or the exec's -errno (the child has exited). */
int mt_cmd_release(struct mt_cmd *c);
/* Memtrace failed before release: the child exits without running anything. */
void mt_cmd_abort(struct mt_cmd *c);

#endif /* MT_SCOPE_USER_H */
