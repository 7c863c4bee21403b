// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The latency maps, linked into memtrace.bpf.o (stalls) and alloclat.bpf.lo (calls). */
#include "latency.bpf.h"

struct mt_lat_stats_map lat_stats SEC(".maps");
struct mt_lat_open_map lat_open SEC(".maps");
struct mt_lat_orders_map lat_orders SEC(".maps");
struct mt_lat_procs_map lat_procs SEC(".maps");

const volatile struct mt_lat_ostats lat_zero_ostats = {};
const volatile struct mt_lat_proc lat_zero_proc = {};
