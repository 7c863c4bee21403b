// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* An output file of any command: stdout for "-", else an atomic 0600 file (util.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "sys/util.h"

int mt_write_output(const char *path, int (*render)(FILE *f, const void *ctx), const void *ctx)
{
	struct mt_atomic_file af;
	int err;

	if (!strcmp(path, "-"))
		return render(stdout, ctx) || fflush(stdout) ? -EIO : 0;
	err = mt_atomic_open(&af, path);
	if (err)
		return err;
	if (render(af.f, ctx)) {
		mt_atomic_abort(&af);
		return -EIO;
	}
	return mt_atomic_commit(&af);
}
