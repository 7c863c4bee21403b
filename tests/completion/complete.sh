#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Drives completion/memtrace.bash as bash does (COMP_WORDS, COMP_CWORD, the function
# `complete -p memtrace` registered) and checks COMPREPLY.
set -u
cd "$(dirname "$0")/../.." || exit 1
source "${COMPLETION:-completion/memtrace.bash}"
fn=$(complete -p memtrace | sed -n 's/.*-F \([^ ]*\) memtrace$/\1/p')
bad=0 n=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
touch "$tmp/a.rec" "$tmp/b.json"
# expect WORDS... = WANT...: COMPREPLY (sorted) must equal WANT (sorted)
expect() {
	local words=() want=() got
	while [ "$1" != = ]; do words+=("$1"); shift; done; shift
	want=("$@")
	COMP_WORDS=(memtrace "${words[@]}"); COMP_CWORD=${#words[@]}; COMPREPLY=()
	"$fn" memtrace "${words[-1]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | xargs)
	n=$((n + 1))
	if [ "$got" != "$(printf '%s\n' "${want[@]}" | sort | xargs)" ]; then
		echo "FAIL complete 'memtrace ${words[*]}': got '$got', want '${want[*]}'"; bad=$((bad + 1))
	fi
}
[ -n "$fn" ] || { echo "FAIL complete: no function registered for memtrace"; exit 1; }
expect r = run record report
expect d = diff
expect top --sort "" = bytes allocs frees net
expect top --sort a = allocs
expect run --class "" = logical physical virtual bus user high
expect run --class p = physical
expect run --class logical,v = logical,virtual
expect record --class user,high,b = user,high,bus
expect diff --mi = --min-bytes --min-count --min-rel
expect diff --f = --folded
expect top --li = --listen
expect check --j = --json
expect addr --p = --phys
expect record --no-k = --no-kallsyms
expect run --fail = --fail-if
expect record --fail =
expect run --json "$tmp/a" = "$tmp/a.rec"
expect record -o "$tmp/" = "$tmp/a.rec" "$tmp/b.json"
expect run --baseline "$tmp/b" = "$tmp/b.json"
expect report "$tmp/a" = "$tmp/a.rec"
expect diff "$tmp/a.rec" "$tmp/b" = "$tmp/b.json"
expect diff --base "$tmp/a" = "$tmp/a.rec"
expect layout "$tmp/a" =
if [ "$bad" -ne 0 ]; then echo "complete: $bad of $n failed"; exit 1; fi
echo "complete: $n completions as expected"
