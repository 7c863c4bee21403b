#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Regenerate vmlinux/<arch>/vmlinux.h from a kernel's BTF.
# CO-RE relocates every field access at load time, so one header made from a recent
# kernel serves older and newer ones; regenerate only to reach types a newer kernel adds.
# usage: vmlinux/gen.sh ARCH [BTF_FILE]
set -eu
arch=${1:?usage: gen.sh ARCH [BTF_FILE]}
btf=${2:-/sys/kernel/btf/vmlinux}
bpftool=${BPFTOOL:-bpftool}
case "$arch" in
x86|arm64|riscv|s390|powerpc|loongarch) ;;
*) echo "gen.sh: unsupported ARCH '$arch'" >&2; exit 1 ;;
esac
[ -r "$btf" ] || { echo "gen.sh: cannot read $btf: kernel lacks BTF (CONFIG_DEBUG_INFO_BTF)" >&2; exit 1; }
dir=$(dirname "$0")/$arch
mkdir -p "$dir"
tmp=$(mktemp "$dir/.vmlinux.h.XXXXXX")
trap 'rm -f "$tmp"' EXIT
"$bpftool" btf dump file "$btf" format c > "$tmp"
chmod 644 "$tmp"
mv "$tmp" "$dir/vmlinux.h"
trap - EXIT
echo "wrote $dir/vmlinux.h from $btf ($(uname -r))"
