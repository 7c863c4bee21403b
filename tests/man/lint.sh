#!/bin/bash
# Every man page under man/ must be mandoc -Tlint clean (warnings and worse; style notes such as a stale mandoc.db depend on the machine), so a
# broken macro is caught here and not by a user's `man`.
set -u
cd "$(dirname "$0")/../.." || exit 1
fail=0
for p in man/*.[1-9]; do
	out=$(mandoc -Tlint -Wwarning "$p" 2>&1)
	if [ -n "$out" ]; then
		echo "FAIL mandoc -Tlint $p:"; echo "$out"; fail=1
	else
		echo "ok   mandoc -Tlint $p"
	fi
done
exit $fail
