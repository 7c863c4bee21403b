#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Cost per program run, the quiet way: with kernel.bpf_stats_enabled=1 the kernel times every
# run of every BPF program (run_time_ns, run_cnt in `bpftool prog show`). Attach the floor's
# empty programs and memtrace together on the same events, drive a workload, and print ns per
# run of each program, the floor's and memtrace's side by side: both see the same events at
# the same moments, so a loaded machine shifts both alike (ops/s on 2 shared cores does not).
# The stats' own clock reads (two per run) are in both; the difference is memtrace's work.
#
# usage (root): bench/prog_ns.sh [MODE [SECS [memtrace run options...]]]
#   MODE slab (default), page, vmalloc or mix; SECS of workload (default 3).
#   e.g. bench/prog_ns.sh slab 3 --outstanding --stacks
#   PEER='CMD ARGS' also runs another tracer on the same events in the same window and lists
#   its programs too (after the floor, before memtrace), e.g.
#   PEER='/tmp/peers/memleak/memleak 600' bench/prog_ns.sh slab 3 --outstanding --stacks
set -u
OUTPUT=${OUTPUT:-build}
MODE=${1:-slab}
SECS=${2:-3}
shift 2 2>/dev/null || shift $#
MT=$OUTPUT/memtrace
WL=$OUTPUT/bench/workload
FLOOR=$OUTPUT/bench/floor
TMP=$(mktemp -d)
FPID="" MPID="" PPID_=""
PEER=${PEER:-}
cleanup() {
	[ -n "$MPID" ] && kill -INT "$MPID" 2>/dev/null && wait "$MPID" 2>/dev/null
	[ -n "$PPID_" ] && kill -INT "$PPID_" 2>/dev/null && wait "$PPID_" 2>/dev/null
	[ -n "$FPID" ] && kill -INT "$FPID" 2>/dev/null && wait "$FPID" 2>/dev/null
	[ -n "${STATS_WAS:-}" ] && sysctl -qw kernel.bpf_stats_enabled="$STATS_WAS"
	rm -rf "$TMP"
}
trap cleanup EXIT
die() { echo "prog_ns: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root"
for f in "$MT" "$WL" "$FLOOR"; do [ -x "$f" ] || die "$f missing: run 'make bench-bins all'"; done
command -v jq >/dev/null || die "needs jq"
STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1

wait_for() {	# file pattern seconds
	for _ in $(seq $(($3 * 10))); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# Program ids loaded now; bpftool here cannot name the owning process, so the programs of
# the floor and of memtrace are the ids that appear while each of them starts.
ids() { bpftool prog show -j 2>/dev/null | jq -r '.[].id' | sort; }
ids >"$TMP/ids0"
# every event the workloads fire that memtrace traces, page faults and vmalloc included
FLOOR_EVENTS=""
for e in kmem/kmalloc kmem/kmem_cache_alloc kmem/kfree kmem/kmem_cache_free kmem/mm_page_alloc \
	kmem/mm_page_free vmalloc/alloc_vmap_area vmalloc/free_vmap_area_noflush \
	exceptions/page_fault_user exceptions/page_fault_kernel; do
	[ -d "/sys/kernel/tracing/events/$e" ] && FLOOR_EVENTS+=" ${e#*/}"
done
# shellcheck disable=SC2086
"$FLOOR" $FLOOR_EVENTS 2>"$TMP/floor.err" &
FPID=$!
wait_for "$TMP/floor.err" "floor: attached" 20 || die "floor did not attach: $(cat "$TMP/floor.err")"
ids >"$TMP/ids1"
if [ -n "$PEER" ]; then
	# shellcheck disable=SC2086
	$PEER >/dev/null 2>"$TMP/peer.err" &
	PPID_=$!
	# a peer says nothing when attached: wait until its programs stop appearing
	n=0
	for _ in $(seq 100); do
		sleep 0.2
		m=$(ids | wc -l)
		[ "$m" -gt "$(wc -l <"$TMP/ids1")" ] && [ "$m" = "$n" ] && break
		n=$m
	done
	kill -0 "$PPID_" 2>/dev/null || die "peer did not start: $(cat "$TMP/peer.err")"
	sleep 1
fi
"$MT" run "$@" >/dev/null 2>"$TMP/mt.err" &
MPID=$!
wait_for "$TMP/mt.err" "memtrace: tracing" 60 || die "memtrace did not start: $(cat "$TMP/mt.err")"
ids >"$TMP/ids2"
comm -13 "$TMP/ids0" "$TMP/ids2" >"$TMP/ours"

progs() {
	bpftool prog show -j 2>/dev/null | jq -r '.[] |
		"\(.id) \(.name) \(.run_cnt // 0) \(.run_time_ns // 0)"' |
		sort | join - "$TMP/ours"
}
progs >"$TMP/a"
"$WL" "$MODE" -d "$SECS" >"$TMP/wl"
progs >"$TMP/b"
echo "mode $MODE, ${SECS}s: $(cat "$TMP/wl"); memtrace run $*${PEER:+; peer: $PEER}"
printf '%-18s %12s %10s\n' program runs ns/run
join <(sort "$TMP/a") <(sort "$TMP/b") | awk '
	{ n = $6 - $3; t = $7 - $4; if (n > 1000) printf "%-18s %12d %10.1f\n", $2, n, t / n }' |
	sort -k1,1
