// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "collect/kernel_info.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static const char *const tracefs_dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };

void mt_kernel_info(struct mt_run_info *ri)
{
	struct utsname u;
	long ps = sysconf(_SC_PAGESIZE);

	if (uname(&u) == 0) {
		snprintf(ri->release, sizeof(ri->release), "%s", u.release);
		snprintf(ri->arch, sizeof(ri->arch), "%s", u.machine);
	}
	ri->page_size = ps > 0 ? (__u32)ps : 4096;
	ri->page_shift = (__u32)__builtin_ctz(ri->page_size);
}

static bool cap_has(const __u32 eff[2], int cap)
{
	return eff[cap / 32] & (1U << (cap % 32));
}

int mt_check_privileges(const char **what)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = {};
	__u32 eff[2];

	if (syscall(SYS_capget, &hdr, data)) {
		*what = "cannot read this process's capabilities";
		return -EPERM;
	}
	eff[0] = data[0].effective;
	eff[1] = data[1].effective;
	if (cap_has(eff, CAP_SYS_ADMIN) || (cap_has(eff, CAP_BPF) && cap_has(eff, CAP_PERFMON)))
		return 0;
	*what = geteuid() ? "run as root (or with CAP_BPF and CAP_PERFMON)" :
			    "root lacks CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON, here";
	return -EPERM;
}

const char *mt_vmlinux_btf_path(void)
{
	/* test hook: point at a missing file to exercise the no-BTF path on a BTF kernel */
	const char *p = getenv("MEMTRACE_VMLINUX_BTF");

	return p && *p ? p : MT_VMLINUX_BTF;
}

bool mt_have_kernel_btf(void)
{
	return access(mt_vmlinux_btf_path(), R_OK) == 0;
}

int mt_ensure_tracefs(void)
{
	for (size_t i = 0; i < sizeof(tracefs_dirs) / sizeof(*tracefs_dirs); i++) {
		char p[128];

		snprintf(p, sizeof(p), "%s/events", tracefs_dirs[i]);
		if (access(p, F_OK) == 0)
			return 0;
	}
	if (mount("nodev", tracefs_dirs[0], "tracefs", 0, NULL))
		return -errno;
	return 0;
}

bool mt_tracepoint_exists(const char *group, const char *name)
{
	for (size_t i = 0; i < sizeof(tracefs_dirs) / sizeof(*tracefs_dirs); i++) {
		char p[256];

		snprintf(p, sizeof(p), "%s/events/%s/%s/id", tracefs_dirs[i], group, name);
		if (access(p, F_OK) == 0)
			return true;
	}
	return false;
}

bool mt_kernel_older(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma < major || (ma == major && mi < minor);
}

bool mt_kernel_is_64bit(void)
{
	struct utsname u;

	/* the kernel's width, not this binary's: a 32-bit memtrace may run on a 64-bit kernel */
	if (uname(&u))
		return sizeof(long) == 8;
	return strstr(u.machine, "64") != NULL || !strcmp(u.machine, "s390x");
}

bool mt_kprobes_configured(void)
{
	return access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0;
}

static bool ksym_exists(const char *func)
{
	char line[512], name[256], type;
	unsigned long long addr;
	bool found = false;
	FILE *f = fopen("/proc/kallsyms", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) == 3 &&
		    (type == 'T' || type == 't') && !strcmp(name, func))
			found = true;
	fclose(f);
	return found;
}

bool mt_kprobe_usable(const char *func, char *why, size_t len)
{
	if (mt_kernel_is_64bit()) {
		snprintf(why, len, "not attempted on 64-bit%s",
			 mt_kprobes_configured() ? "" : "; kprobes are not configured either");
		return false;
	}
	if (!mt_kprobes_configured()) {
		snprintf(why, len, "kprobes are not configured on this kernel: kmap not counted");
		return false;
	}
	if (!ksym_exists(func)) {
		snprintf(why, len, "%s is not in /proc/kallsyms: not counted", func);
		return false;
	}
	return true;
}
