#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Run every test binary, sum cmocka's verdicts, print the closing "N passed, N failed" line.
# usage: tests/run.sh OUTPUT_DIR   (from the repository root; `make test` calls it)
# Unit tests need nothing; the same unit tests run again under ASan+UBSan; the CLI test runs
# the binary, then its ASan+UBSan build; live tests load BPF and need root (they skip,
# saying why, without it); each libFuzzer target runs for FUZZ_SECONDS (default 20).
out=${1:-build}
passed=0 failed=0 skipped=0 broken=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run() {
	name=$1
	shift
	printf '== %s\n' "$name"
	"$@" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	skipped=$((skipped + ${s:-0}))
	# a binary that crashed or printed no verdict is a failure, never a silent pass
	if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
		failed=$((failed + 1))
		broken="$broken $name(exit $rc)"
	elif [ -z "$p$f$s" ]; then
		failed=$((failed + 1))
		broken="$broken $name(no verdict)"
	fi
}

for t in "$out"/tests/test_*; do
	case $t in *.d) continue ;; esac
	[ -x "$t" ] && run "unit $(basename "$t")" "$t"
done
for t in "$out"/san/tests/test_*; do
	case $t in *.d) continue ;; esac
	[ -x "$t" ] && run "asan+ubsan $(basename "$t")" \
		env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 "$t"
done
export MEMTRACE="$out/memtrace" WORKLOAD="$out/tests/workload" MT_NPM_DIR="$out/npm"
run "cli" "$out/tests/cli"
# the same bad invocations against the ASan+UBSan build of the binary
[ -x "$out/san/memtrace" ] && run "asan+ubsan cli" \
	env MEMTRACE="$out/san/memtrace" ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1 "$out/tests/cli"
for t in "$out"/tests/live_*; do
	case $t in *.d) continue ;; esac
	[ -x "$t" ] && run "$(basename "$t")" "$t"
done

# the layering rule of docs/architecture.md: one test
printf '== layering\n'
if tests/layering.sh; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
	broken="$broken layering"
fi

# --help, the man pages and the bash completion agree (option by option); the completion
# completes what it should: one test each
for t in man/sync.sh completion/complete.sh; do
	printf '== %s\n' "$t"
	if MEMTRACE="$out/memtrace" "tests/$t"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		broken="$broken $t"
	fi
done

# the --html page in headless Chromium: no console error, its numbers equal the JSON's
printf '== html\n'
MEMTRACE="$out/memtrace" tests/html/check.sh "$out"
rc=$?
if [ "$rc" -eq 0 ]; then
	passed=$((passed + 1))
elif [ "$rc" -eq 77 ]; then
	skipped=$((skipped + 1))
else
	failed=$((failed + 1))
	broken="$broken html"
fi

# fuzz targets, bounded in time: each target is one test, passed when nothing crashed
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	[ -x "$out/fuzz/$name" ] || continue
	if tests/fuzz/run.sh "$out" "${FUZZ_SECONDS:-20}" "$name"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		broken="$broken fuzz-$name"
	fi
done

[ -n "$broken" ] && printf 'broken:%s\n' "$broken"
printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
[ "$failed" -eq 0 ]
