// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: the /proc/kallsyms parser never crashes, keeps the table sorted, and
 * every lookup returns the last symbol at or below the address, within MT_KSYM_MAX_OFFSET.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sys/kallsyms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mt_ksyms ks;
	FILE *f = fmemopen((void *)data, size, "r");
	char buf[64];

	if (!f)
		return 0;
	mt_ksyms_init(&ks);
	if (mt_ksyms_parse(&ks, f) == 0) {
		for (size_t i = 0; i < ks.n; i++) {
			const struct mt_ksym *s;
			__u64 probe = ks.syms[i].addr + (i & 0xff);

			if (i && ks.syms[i - 1].addr > ks.syms[i].addr)
				abort();
			if (probe < ks.syms[i].addr)
				continue; /* wrapped past 2^64 */
			if (!ks.syms[i].addr || !ks.syms[i].name)
				abort();
			s = mt_ksyms_find(&ks, probe);
			if (!s || s->addr > probe || probe - s->addr >= MT_KSYM_MAX_OFFSET)
				abort();
			/* a short buffer truncates, never overflows */
			if (strlen(mt_ksyms_fmt(&ks, probe, true, buf, sizeof(buf))) >= sizeof(buf))
				abort();
		}
		if (ks.n && mt_ksyms_find(&ks, ks.syms[0].addr - 1))
			abort();
	}
	mt_ksyms_free(&ks);
	fclose(f);
	return 0;
}
