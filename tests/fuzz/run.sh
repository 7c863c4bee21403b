#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Run libFuzzer targets for a bounded time each; a crash fails the run and leaves its input
# under OUTPUT/fuzz/crash-* (add it to tests/fuzz/corpus/<target>/ with the fix, so it
# stays a regression input).
# usage: tests/fuzz/run.sh OUTPUT_DIR SECONDS [TARGET...]   (default: every target)
out=${1:-build}
secs=${2:-20}
shift 2 2>/dev/null
targets=$*
[ -n "$targets" ] || targets=$(for s in tests/fuzz/fuzz_*.c; do basename "$s" .c; done)
rc=0
for name in $targets; do
	t="$out/fuzz/$name"
	work="$out/fuzz/work-$name"
	mkdir -p "$work"
	cp -n "tests/fuzz/corpus/$name"/* "$work"/ 2>/dev/null
	echo "== fuzz $name ($secs s)"
	if "$t" -max_total_time="$secs" -artifact_prefix="$out/fuzz/crash-$name-" \
		-print_final_stats=1 "$work" >"$out/fuzz/$name.log" 2>&1; then
		grep 'stat::number_of_executed_units' "$out/fuzz/$name.log"
	else
		tail -n 30 "$out/fuzz/$name.log"
		rc=1
	fi
done
exit $rc
