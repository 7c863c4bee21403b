/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Reading the latency maps (lat_maps.bpf.c) of a loaded object into the model. */
#ifndef MT_COLLECT_LATENCY_H
#define MT_COLLECT_LATENCY_H

#include "mapsrc.h"
#include "model_latency.h"

struct bpf_object;

/* The stall maps of the main object into m, through a map source (live or recorded): on
 * when any stall event attached. Plain C, in collect_stalls.c. */
struct mt_report;
int mt_collect_stalls_report(const struct mt_mapsrc *s, struct mt_report *r);

/* Add obj's lat_stats, lat_orders, lat_procs and its still-open pairs to m (after detach). */
int mt_collect_latency(struct bpf_object *obj, struct mt_latency *m);
/* The stall part of the main object: kinds traced and their measurements. */
/* Which stall kinds had both their events attached in this run. */

#endif /* MT_COLLECT_LATENCY_H */
