#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Static analysis of src/ with the analyzers Debian ships: cppcheck and clang-tidy.
# Zero findings, or the run fails. Checks chosen and left out, and why:
# - clang-tidy bugprone-* and clang-analyzer-*: real bugs (leaks, bad strcmp, UB).
#   Left out: easily-swappable-parameters and narrowing-conversions (style, hundreds of
#   hits in any C code using __u64), reserved-identifier (the kernel's own __u64 naming),
#   assignment-in-if-condition (kernel idiom), DeprecatedOrUnsafeBufferHandling (wants
#   Annex K *_s functions glibc does not have).
# - Findings inside build/*.skel.h are bpftool's generated code, not ours: the analyzer
#   cannot see that the skeleton's open() hands its allocation to obj->skeleton.
# usage: tests/lint.sh OUTPUT_DIR (the skeleton headers must be built)
out=${1:-build}
rc=0
flags="-Iinclude -Isrc -I$out -I$out/proto -D_GNU_SOURCE -DMEMTRACE_VERSION=\"lint\" -DMT_PPROF=1 -std=gnu11"

echo "== cppcheck"
cppcheck --enable=warning,performance,portability --error-exitcode=1 --inline-suppr -q \
	--suppress=missingIncludeSystem -DMT_PPROF=1 -Iinclude -Isrc -I"$out" src/*/*.c || rc=1

echo "== clang-tidy"
checks='-*,bugprone-*,clang-analyzer-*,-bugprone-easily-swappable-parameters'
checks="$checks,-bugprone-reserved-identifier,-bugprone-narrowing-conversions"
checks="$checks,-bugprone-assignment-in-if-condition"
checks="$checks,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling"
# shellcheck disable=SC2086
findings=$(clang-tidy --quiet --checks="$checks" src/*/*.c -- $flags 2>/dev/null |
	grep -E '^[^ ].*: (warning|error):' | grep -v '\.skel\.h:')
if [ -n "$findings" ]; then
	echo "$findings"
	rc=1
fi
[ $rc -eq 0 ] && echo "lint: no findings"
exit $rc
