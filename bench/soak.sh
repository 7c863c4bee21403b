#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The soak mode of the benchmark (`make bench SOAK=SECS`, as root): `memtrace top --listen`
# for SECS seconds while short processes run without a pause (the test workload's spawn
# mode: fork, exec, 20 eventfds, exit), sampled every EVERY (10) seconds: memtrace's RSS and
# anonymous memory (/proc), the kernel memory of its BPF maps and its lost events (its own
# metrics endpoint), and the processes run so far. memtrace's own memory must stay flat
# however many processes come and go; the last line gives the end against the second sample
# (the first still holds start-up: BTF, calibration).
set -u
OUTPUT=${OUTPUT:-build}
SECS=${SOAK:?SOAK=SECS}
EVERY=${EVERY:-10}
MT=$OUTPUT/memtrace
WL=$OUTPUT/tests/workload
PORT=${PORT:-19466}
BATCH=1000

die() { echo "bench soak: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (BPF)"
for f in "$MT" "$WL"; do [ -x "$f" ] || die "$f missing: run 'make bench'"; done
TMP=$(mktemp -d /dev/shm/memtrace-soak.XXXXXX)
MTPID= WLPID=
# SIGTERM: a background job of a script ignores SIGINT
trap '[ -n "$WLPID" ] && kill "$WLPID" 2>/dev/null; [ -n "$MTPID" ] && kill -TERM "$MTPID" 2>/dev/null;
	wait 2>/dev/null; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

# One scrape of memtrace's /metrics, with bash's own /dev/tcp (no curl needed).
metric() {
	( exec 3<>"/dev/tcp/127.0.0.1/$PORT" || exit 1
	  printf 'GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
	  tr -d '\r' <&3 ) 2>/dev/null |
		awk -v m="$1" '$1 == m { v = $2 } END { print v == "" ? "?" : v }'
}

kib() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$MTPID/status"; }

"$MT" top -i 1 --listen "127.0.0.1:$PORT" >"$TMP/top.out" 2>"$TMP/top.err" &
MTPID=$!
for _ in $(seq 100); do
	grep -q "memtrace: " "$TMP/top.err" 2>/dev/null && break
	metric memtrace_events_total >/dev/null 2>&1 && break
	sleep 0.2
done
sleep 3
# short processes, BATCH at a time, until killed; each batch appends one line
(while :; do "$WL" spawn $BATCH || exit 1; echo >>"$TMP/batches"; done) &
WLPID=$!

echo "memtrace soak: top --listen for ${SECS} s with short processes running (fork+exec+exit)"
printf '%8s %12s %10s %10s %14s %12s\n' "t (s)" "processes" "RSS KiB" "anon KiB" \
	"BPF maps KiB" "table full"
start=$EPOCHSECONDS first_rss= rss=
while :; do
	t=$((EPOCHSECONDS - start))
	kill -0 "$MTPID" 2>/dev/null || die "memtrace top exited: $(tail -1 "$TMP/top.err")"
	n=0
	[ -f "$TMP/batches" ] && n=$(($(wc -l <"$TMP/batches") * BATCH))
	rss=$(kib VmRSS)
	maps=$(metric memtrace_self_bpf_map_bytes)
	full=$(metric 'memtrace_lost_events_total{reason="process_table_full"}')
	# the first sample still holds start-up (BTF, calibration): the second is the baseline
	[ -n "$first_rss" ] || [ "$t" -lt "$EVERY" ] || first_rss=$rss
	printf '%8d %12d %10s %10s %14s %12s\n' "$t" "$n" "$rss" "$(kib RssAnon)" \
		"$([ "$maps" = "?" ] && echo "?" || echo $((${maps%.*} / 1024)))" "$full"
	[ "$t" -ge "$SECS" ] && break
	sleep "$EVERY"
done
awk -v a="$first_rss" -v b="$rss" \
	'BEGIN { printf "RSS at the end / after start-up (second sample): %.3f (%d KiB -> %d KiB)\n",
		 b / a, a, b }'
