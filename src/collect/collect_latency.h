/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Reading the latency maps (lat_maps.bpf.c) of a loaded object into the model. */
#ifndef MT_COLLECT_LATENCY_H
#define MT_COLLECT_LATENCY_H

#include "model/mapsrc.h"
#include "model/model_latency.h"

struct bpf_object;

/* Add obj's lat_stats, lat_orders, lat_procs and its still-open pairs to m (after detach). */
int mt_collect_latency(struct bpf_object *obj, struct mt_latency *m);

#endif /* MT_COLLECT_LATENCY_H */
