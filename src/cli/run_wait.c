// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* memtrace run: how a run ends: signals, -p processes exiting, the command's exit, -d. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cli/cmds.h"
#include "cli/run_opts.h"
#include "sys/util.h"

volatile sig_atomic_t stop_signal, nr_signals;
volatile pid_t cmd_pid; /* the command, once it runs */

/*
 * Ctrl-C at a terminal reaches the whole process group, the command included (si_code
 * SI_KERNEL): then memtrace just waits for it to end. A signal sent to memtrace alone is
 * passed on. A command that ignores them is killed at the third.
 */
void on_signal(int sig, siginfo_t *si, void *uc)
{
	stop_signal = sig;
	nr_signals++;
	if (cmd_pid <= 0)
		return;
	if (nr_signals >= 3)
		kill(cmd_pid, SIGKILL);
	else if (si->si_code != SI_KERNEL)
		kill(cmd_pid, sig);
}

/*
 * -p: the processes asked for, watched so the trace ends when the last one exits (a report
 * of nothing more to come is no use). A pidfd when the kernel has them (5.3+, process
 * leaders): readable at exit, immune to PID reuse; else /proc/PID/stat, a zombie counting
 * as exited.
 */
void watch_open(struct pid_watch *w, const __u32 *pids, int n)
{
	w->n = w->left = n;
	for (int i = 0; i < n; i++) {
		w->pid[i] = pids[i];
		w->fd[i] = (int)syscall(SYS_pidfd_open, (pid_t)pids[i], 0);
		w->exited[i] = false;
	}
}

void watch_close(struct pid_watch *w)
{
	for (int i = 0; i < w->n; i++)
		if (w->fd[i] >= 0)
			close(w->fd[i]);
	w->n = 0;
}

static bool proc_exited(__u32 pid)
{
	char path[32], buf[256], *p;
	bool gone = true;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) && p[1] == ' ')
		gone = p[2] == 'Z' || p[2] == 'X' || p[2] == 'x';
	fclose(f);
	return gone;
}

/* Sleep up to secs or until a watched process exits; one line for each that did. */
static void watch_wait(struct pid_watch *w, double secs)
{
	struct pollfd pfd[MT_MAX_CLI_PIDS];
	int nfd = 0;

	for (int i = 0; i < w->n; i++)
		if (w->fd[i] >= 0 && !w->exited[i])
			pfd[nfd++] = (struct pollfd){ .fd = w->fd[i], .events = POLLIN };
	if (nfd) {
		/* a signal cuts it short (EINTR): the caller looks at stop_signal */
		poll(pfd, (nfds_t)nfd, (int)(secs * 1000));
	} else {
		struct timespec ts = { (time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9) };

		nanosleep(&ts, NULL);
	}
	for (int i = 0, k = 0; i < w->n; i++) {
		bool now_gone;

		if (w->exited[i])
			continue;
		if (w->fd[i] >= 0)
			now_gone = pfd[k++].revents != 0;
		else
			now_gone = proc_exited(w->pid[i]);
		if (!now_gone)
			continue;
		w->exited[i] = true;
		w->left--;
		fprintf(stderr, "memtrace: process %u exited%s\n", w->pid[i],
			w->left ? "" : "; the trace ends");
	}
}

void sleep_until_done(double start, double duration, struct pid_watch *w)
{
	while (!stop_signal && (!w->n || w->left)) {
		double left = duration ? duration - (now_s() - start) : 0.2;

		if (duration && left <= 0)
			break;
		if (left > 0.2)
			left = 0.2;
		watch_wait(w, left);
	}
}

void cmd_line(char *buf, size_t len, char *const *argv)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; argv[i] && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? " " : "", argv[i]);
}

/* Wait for the command; Ctrl-C and friends are handled in on_signal. */
void wait_command(struct mt_scope_report *s)
{
	int st;

	for (;;) {
		pid_t r = waitpid(cmd_pid, &st, 0);

		if (r == cmd_pid)
			break;
		if (r < 0 && errno != EINTR) {
			mt_err("failed to wait for the command: %s", strerror(errno));
			return;
		}
	}
	cmd_pid = 0;
	s->command_exited = true;
	if (WIFSIGNALED(st)) {
		s->signal = WTERMSIG(st);
		s->exit_code = -1;
	} else {
		s->exit_code = WEXITSTATUS(st);
	}
}

void start_message(const struct run_opts *o, const struct mt_scope_report *s)
{
	const char *what = o->nr_pids ? "the given processes" :
			   o->cgroup  ? "the cgroup" :
					"system-wide";

	if (o->cmd)
		fprintf(stderr, "memtrace: tracing command '%s' (pid %u) and what it forks\n",
			o->cmd[0], s->command_pid);
	else if (o->duration)
		fprintf(stderr, "memtrace: tracing %s for %g s; Ctrl-C to stop early\n", what,
			o->duration);
	else
		fprintf(stderr, "memtrace: tracing %s; Ctrl-C to stop\n", what);
}
