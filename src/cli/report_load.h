/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef MT_REPORT_LOAD_H
#define MT_REPORT_LOAD_H

struct mt_recfile;
struct mt_report;
struct mt_ksyms;

/*
 * The report of a recording, computed by the code 'memtrace run' uses: the file read into
 * rf, its header, its maps through the recorded map source, call sites and stacks named by
 * its own kallsyms when it has usable ones (else r->pair.ksyms_why says why). A truncated
 * file reports what it holds, with a warning saying what doing ("reporting") with it.
 * r and ks initialized by the caller, who frees them and rf (rf only after a 0). 0, or
 * MT_EXIT_ERROR after one line on stderr.
 */
int mt_report_load(const char *path, const char *doing, struct mt_recfile *rf, struct mt_report *r,
		   struct mt_ksyms *ks);

#endif /* MT_REPORT_LOAD_H */
