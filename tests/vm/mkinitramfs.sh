#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Build the VM-test initramfs: busybox-static, tests/vm/init, static memtrace, workload and
# vmcheck, optional detached BTF files and modules. One image serves every kernel of an
# arch: per-kernel files go under /boot and /lib/modules/RELEASE.
#
# usage: tests/vm/mkinitramfs.sh OUT.cpio.gz BUSYBOX MEMTRACE WORKLOAD VMCHECK [KERNELDIR...]
#   the three programs static, for the guest's arch; each KERNELDIR (from fetch-kernel.sh)
#   contributes modules/*.ko and, when present, btf (-> /boot/vmlinux-RELEASE).
set -euo pipefail

out=$1 busybox=$2
shift 2
progs=("$1" "$2" "$3")
shift 3
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,dev,proc,sys,tmp,boot,lib/modules}
cp "$busybox" "$root/bin/busybox"
for p in "${progs[@]}"; do
	cp "$p" "$root/bin/$(basename "$p")"
done
cp "$(dirname "$0")/init" "$root/init"
chmod 0755 "$root/init" "$root"/bin/*
for k in "$@"; do
	rel=$(cat "$k/release")
	if [ -d "$k/modules" ]; then
		mkdir -p "$root/lib/modules/$rel"
		cp "$k"/modules/*.ko "$root/lib/modules/$rel/" 2>/dev/null || true
	fi
	[ -e "$k/btf" ] && cp "$k/btf" "$root/boot/vmlinux-$rel"
done
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
