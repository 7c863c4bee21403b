#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# --help, the man pages and the bash completion must agree. For every command that
# `memtrace --help` lists: each long option `memtrace CMD --help` prints must be an
# option (an .It entry) of man/memtrace-CMD.8 and be offered by the completion for
# `memtrace CMD --<TAB>`, and each option the page or the completion offers must be
# printed by --help. Lists come from the binary and the files at test time; every
# mismatch is one line naming the command, the option and where it is missing.
# usage: tests/man/sync.sh [MEMTRACE]   (default build/memtrace; from anywhere)
set -u
cd "$(dirname "$0")/../.." || exit 1
bin=${1:-${MEMTRACE:-build/memtrace}}
comp=${COMPLETION:-completion/memtrace.bash}
mandir=${MANDIR:-man}
[ -x "$bin" ] || { echo "FAIL sync: no binary $bin (make all)"; exit 1; }
bad=0
miss() { echo "FAIL sync: $*"; bad=$((bad + 1)); }

# the commands of `memtrace --help`: the indented words of its Commands: section
cmds=$("$bin" --help | awk '/^Commands:/ { on = 1; next } on && /^$/ { exit }
	on && /^  [a-z]/ { print $1 }')
[ -n "$cmds" ] || { echo "FAIL sync: no commands in '$bin --help'"; exit 1; }

# long options of `memtrace CMD --help`: lines whose option column starts within 6
# columns (continuation lines of a description are indented further), cut at the
# two-space gap before the description; every --word left is an option.
help_opts() {
	"$bin" "$1" --help | grep -E '^ {1,6}-' | sed -E 's/([^ ])  +.*/\1/' |
		grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}
# options a man page documents: the Fl -word of its .It lines
man_opts() {
	sed -n 's/^\.It //p' "$1" | grep -oE 'Fl -[a-z][a-z0-9-]*' | sed 's/^Fl -/--/' | sort -u
}
# what the completion offers: run its function as bash would for `memtrace ARGS...`
complete_words() {
	bash -c 'source "$1"; shift; COMP_WORDS=(memtrace "$@"); COMP_CWORD=$(($# ))
		_memtrace; printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" "$@" | sort -u
}
compare() { # NAME-A LIST-A NAME-B LIST-B CMD: what A has and B lacks
	comm -23 <(echo "$2") <(echo "$4") | while read -r o; do
		[ -n "$o" ] && echo "$5: $o in $1 but not in $3"
	done
}

comp_cmds=$(complete_words "" | grep -v '^-')
out=$(compare "'memtrace --help'" "$(echo "$cmds" | sort -u)" "the completion" "$comp_cmds" commands
	compare "the completion" "$comp_cmds" "'memtrace --help'" "$(echo "$cmds" | sort -u)" commands)
[ -n "$out" ] && while read -r l; do miss "$l"; done <<<"$out"

for c in $cmds; do
	page=$mandir/memtrace-$c.8
	h=$(help_opts "$c")
	[ -n "$h" ] || miss "$c: '$bin $c --help' prints no long option"
	grep -q "^\.Xr memtrace-$c 8" "$mandir/memtrace.8" ||
		miss "$c: memtrace-$c(8) not in SEE ALSO of $mandir/memtrace.8"
	grep -q "^\.It Cm $c\$" "$mandir/memtrace.8" ||
		miss "$c: no '.It Cm $c' in the COMMANDS of $mandir/memtrace.8"
	if [ -f "$page" ]; then
		m=$(man_opts "$page")
		out=$(compare "'memtrace $c --help'" "$h" "$page" "$m" "$c"
			compare "$page" "$m" "'memtrace $c --help'" "$h" "$c")
		[ -n "$out" ] && while read -r l; do miss "$l"; done <<<"$out"
	else
		miss "$c: no man page $page"
	fi
	k=$(complete_words "$c" -- | grep '^-')
	out=$(compare "'memtrace $c --help'" "$h" "the completion ($comp)" "$k" "$c"
		compare "the completion ($comp)" "$k" "'memtrace $c --help'" "$h" "$c")
	[ -n "$out" ] && while read -r l; do miss "$l"; done <<<"$out"
	[ "$bad" -eq 0 ] && echo "ok   sync $c: $(echo $h | wc -w) options in --help, $page, completion"
done
if [ "$bad" -ne 0 ]; then
	echo "sync: $bad mismatches between --help, $mandir/ and $comp"
	exit 1
fi
echo "sync: --help, man pages and completion agree"
