#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The layering rule of docs/architecture.md, checked on every #include of src/:
#   cli     -> anything
#   collect -> collect, record, model, sys  (the only layer that may include libbpf or a skeleton)
#   record  -> record, model, sys
#   render  -> render, model, sys
#   model   -> model, sys
#   sys     -> sys
# Headers of include/ (shared with bpf/) may be included anywhere; a generated FILE.inc counts
# as the src/ file it is made from. Then no cycle between
# modules (a module is a .c and its .h): tsort finds one if there is one.
# usage: tests/layering.sh (from the repository root); exit 1 on any finding
cd "$(dirname "$0")/.." || exit 2
rc=0
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT

allowed() {	# allowed FROM_LAYER HEADER_PATH
	case $1 in
	cli) return 0 ;;
	collect) case $2 in collect/* | record/* | model/* | sys/*) return 0 ;; esac ;;
	record) case $2 in record/* | model/* | sys/*) return 0 ;; esac ;;
	render) case $2 in render/* | model/* | sys/*) return 0 ;; esac ;;
	model) case $2 in model/* | sys/*) return 0 ;; esac ;;
	sys) case $2 in sys/*) return 0 ;; esac ;;
	esac
	return 1
}

for f in src/*/*.c src/*/*.h; do
	layer=${f#src/}
	layer=${layer%%/*}
	mod=${f#src/}
	mod=${mod%.*}
	case $layer in cli | collect | record | render | model | sys) ;;
	*) echo "layering: $f: folder '$layer' is not a layer of docs/architecture.md"; rc=1 ;;
	esac
	n=0
	while IFS= read -r line; do
		n=$((n + 1))
		case $line in '#include'*) ;; *) continue ;; esac
		inc=$(printf '%s\n' "$line" | sed -n 's/^#include *[<"]\([^">]*\)[">].*/\1/p')
		case $line in
		'#include <bpf/'* | *'.skel.h"'*)
			if [ "$layer" != collect ]; then
				echo "layering: $f:$n: $inc: only src/collect/ knows BPF"
				rc=1
			fi
			continue ;;
		'#include <'*) continue ;;
		esac
		if [ -f "include/$inc" ]; then
			continue
		fi
		# an asset the Makefile turns into a C array ($(OUTPUT)/LAYER/...inc): its layer
		# is that of the file it is made from
		case $inc in *.inc) [ -f "src/${inc%.inc}" ] && inc=${inc%.inc} ;; esac
		if [ ! -f "src/$inc" ]; then
			echo "layering: $f:$n: \"$inc\" is neither src/LAYER/FILE nor include/FILE"
			rc=1
			continue
		fi
		if ! allowed "$layer" "$inc"; then
			echo "layering: $f:$n: $layer may not include $inc"
			rc=1
		fi
		to=${inc%.*}
		[ "$to" != "$mod" ] && echo "$mod $to" >>"$edges"
	done <"$f"
done

cycle=$(tsort "$edges" 2>&1 >/dev/null)
if [ -n "$cycle" ]; then
	echo "layering: include cycle between modules:"
	printf '%s\n' "$cycle" | sed 's/^tsort: /  /'
	rc=1
fi
[ $rc -eq 0 ] && echo "layering: $(wc -l <"$edges") includes follow the layers, no cycle"
exit $rc
