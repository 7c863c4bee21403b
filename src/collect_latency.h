/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Reading the latency maps (lat_maps.bpf.c) of a loaded object into the model. */
#ifndef MT_COLLECT_LATENCY_H
#define MT_COLLECT_LATENCY_H

#include "loader.h"
#include "model_latency.h"

struct bpf_object;

/* Add obj's lat_stats, lat_orders, lat_procs and its still-open pairs to m (after detach). */
int mt_collect_latency(struct bpf_object *obj, struct mt_latency *m);
/* The stall part of the main object: kinds traced and their measurements. */
int mt_collect_stalls(const struct mt_loader *l, struct mt_latency *m);
/* Which stall kinds had both their events attached in this run. */
void mt_collect_stall_traced(const struct mt_loader *l, struct mt_latency *m);

#endif /* MT_COLLECT_LATENCY_H */
