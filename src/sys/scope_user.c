// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/magic.h>
#include "sys/scope_user.h"

int mt_cgroup_resolve(const char *path, __u64 *id, __u32 *level, char *err, size_t errlen)
{
	struct {
		struct file_handle fh;
		__u64 id;
	} h = { .fh.handle_bytes = sizeof(__u64) };
	char real[PATH_MAX], *slash;
	struct statfs sfs;
	struct stat st, up;
	int mount_id;

	if (!realpath(path, real) || stat(real, &st)) {
		snprintf(err, errlen, "cannot use cgroup '%s': %s", path, strerror(errno));
		return -1;
	}
	if (statfs(real, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen,
			 "'%s' is not a cgroup v2 directory (the v2 hierarchy is "
			 "where cgroup2 is mounted, e.g. /sys/fs/cgroup/unified)",
			 path);
		return -1;
	}
	/* the kernfs id; on 64-bit it is also the inode number, the fallback */
	if (name_to_handle_at(AT_FDCWD, real, &h.fh, &mount_id, 0) == 0 &&
	    h.fh.handle_bytes == sizeof(__u64))
		*id = h.id;
	else
		*id = st.st_ino;
	/* depth: parents on the same cgroup2 mount */
	*level = 0;
	while ((slash = strrchr(real, '/')) && slash != real) {
		*slash = '\0';
		if (stat(real, &up) || up.st_dev != st.st_dev || statfs(real, &sfs) ||
		    sfs.f_type != CGROUP2_SUPER_MAGIC)
			break;
		(*level)++;
	}
	return 0;
}

int mt_cmd_find(const char *file)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];
	struct stat st;

	if (strchr(file, '/'))
		return access(file, X_OK) == 0 && !stat(file, &st) && !S_ISDIR(st.st_mode) ? 0 : -1;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)(len ? len : 1), len ? path : ".", file);
		if (access(buf, X_OK) == 0 && !stat(buf, &st) && !S_ISDIR(st.st_mode))
			return 0;
		path += len + (path[len] == ':');
	}
	return -1;
}

int mt_cmd_spawn(char *const argv[], struct mt_cmd *c)
{
	int go[2], ex[2];
	char b;

	if (pipe2(go, O_CLOEXEC))
		return -errno;
	if (pipe2(ex, O_CLOEXEC)) {
		close(go[0]);
		close(go[1]);
		return -errno;
	}
	c->pid = fork();
	if (c->pid < 0) {
		int e = -errno;

		close(go[0]), close(go[1]), close(ex[0]), close(ex[1]);
		return e;
	}
	if (c->pid == 0) {
		close(go[1]);
		close(ex[0]);
		/* wait until memtrace traces us: EOF means it gave up, so run nothing */
		if (read(go[0], &b, 1) != 1)
			_exit(127);
		execvp(argv[0], argv);
		b = (char)errno;
		if (write(ex[1], &b, 1) != 1)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(ex[1]);
	c->go = go[1];
	c->exec_err = ex[0];
	return 0;
}

int mt_cmd_release(struct mt_cmd *c)
{
	ssize_t n;
	char e = 0;

	n = write(c->go, "g", 1);
	close(c->go);
	c->go = -1;
	if (n != 1)
		return -EPIPE;
	/* the child's end is close-on-exec: EOF means the exec happened */
	do {
		n = read(c->exec_err, &e, 1);
	} while (n < 0 && errno == EINTR);
	close(c->exec_err);
	c->exec_err = -1;
	return n == 1 ? -(int)(unsigned char)e : 0;
}

void mt_cmd_abort(struct mt_cmd *c)
{
	if (c->go >= 0)
		close(c->go);
	if (c->exec_err >= 0)
		close(c->exec_err);
	c->go = c->exec_err = -1;
	if (c->pid > 0)
		waitpid(c->pid, NULL, 0);
}
