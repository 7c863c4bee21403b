/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Fill a struct mt_layout from this running kernel (BPF events when root). */
#ifndef MT_LAYOUT_PROBE_H
#define MT_LAYOUT_PROBE_H

#include "model/layout.h"

void mt_layout_probe(struct mt_layout *l);
/* The arch constants of the running kernel: mt_layout_arch_init() for this machine, with
 * x86_64's 5-level paging detected at run time (no privileges needed). */
void mt_layout_arch_probe(struct mt_layout *l);

#endif /* MT_LAYOUT_PROBE_H */
