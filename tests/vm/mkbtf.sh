#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# BTF for a kernel built without it (Debian's 686-pae): generated with pahole from the
# vmlinux in the kernel's -dbg package (about 765 MB to download, a few minutes in all),
# written to KERNELDIR/btf (about 4 MB, reproducible), which mkinitramfs.sh installs at
# /boot/vmlinux-RELEASE, where libbpf looks when /sys/kernel/btf/vmlinux is missing.
#
# usage: tests/vm/mkbtf.sh CACHE KERNELDIR [ARCH]     (ARCH: i386, the default)
set -euo pipefail

cache=$(cd "$1" && pwd)
kdir=$2
arch=${3:-i386}
[ -s "$kdir/btf" ] && exit 0
rel=$(cat "$kdir/release")
command -v pahole >/dev/null || { echo "mkbtf: pahole missing (apt-get install dwarves)" >&2; exit 1; }

. "$(dirname "$0")/apt.sh"
apt_private "$cache" "$arch"
mkdir -p "$cache/debs"
echo "  BTF      $rel: downloading linux-image-$rel-dbg" >&2
apt_update || true
apt_fetch "$cache/debs" "linux-image-$rel-dbg"
tmp=$(mktemp -d "$cache/dbg.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for deb in "$cache/debs/linux-image-$rel-dbg_"*.deb; do
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "./usr/lib/debug/boot/vmlinux-$rel"
	rm -f "$deb"
done
echo "  BTF      $rel: pahole" >&2
pahole --btf_encode_detached="$kdir/btf.tmp" "$tmp/usr/lib/debug/boot/vmlinux-$rel" >&2
mv "$kdir/btf.tmp" "$kdir/btf"
echo "  BTF      $rel: $(du -h "$kdir/btf" | cut -f1)" >&2
