/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Map reads of the class sections (kernel virtual, bus, user virtual, high memory, zones). */
#ifndef MT_COLLECT_CLASSES_H
#define MT_COLLECT_CLASSES_H

#include "loader.h"

int mt_collect_classes(const struct mt_loader *l, struct mt_report *r, int ncpu);
/* GFP bit and migratetype names from the running kernel's BTF (defaults where absent). */
void mt_classes_names_from_btf(struct mt_classes_report *x);

#endif /* MT_COLLECT_CLASSES_H */
