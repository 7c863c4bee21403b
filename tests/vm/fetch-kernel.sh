#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Fetch one Debian kernel for the VM tests and unpack what the guest needs, cached.
#
# usage: tests/vm/fetch-kernel.sh CACHE NAME     prints the kernel's directory on stdout
#   NAME: 6.1 | 6.12 | 7.x      x86_64 (bookworm-security, bookworm-security, trixie-backports)
#         6.1-686-pae           i386 HIGHMEM (bookworm-security); no built-in BTF
# The newest package of the series is taken; set MT_VM_PKG_<NAME with . and - as _>=PACKAGE to
# pin one (e.g. MT_VM_PKG_6_12=linux-image-6.12.117+deb12-amd64-unsigned).
#
# apt runs with a private configuration under CACHE/apt/ARCH (sources, lists, cache, no dpkg
# status): the machine's own apt state and dpkg architectures are never touched. The result,
# CACHE/kernels/RELEASE/{vmlinux,config,release,modules/}, is reused until a newer package of
# the series appears; with the archive unreachable the cached kernel of the series is used.
set -euo pipefail

cache=$1
name=$2
mkdir -p "$cache/debs"
cache=$(cd "$cache" && pwd)

case $name in
6.1) arch=amd64 pat='linux-image-6\.1\.0-[0-9]+-amd64-unsigned' ;;
6.12) arch=amd64 pat='linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned' ;;
7.x) arch=amd64 pat='linux-binary-7\.[0-9]+\.[0-9]+\+deb13-amd64' ;;
6.1-686-pae) arch=i386 pat='linux-image-6\.1\.0-[0-9]+-686-pae-unsigned' ;;
*) echo "fetch-kernel: unknown kernel '$name' (6.1, 6.12, 7.x, 6.1-686-pae)" >&2; exit 2 ;;
esac

log() { echo "  KERNEL   $name: $*" >&2; }

. "$(dirname "$0")/apt.sh"
apt_private "$cache" "$arch"

# The newest package of the series (or the pinned one); empty when the archive is unreachable.
pin_var=MT_VM_PKG_$(echo "$name" | tr '.-' '__')
pkg=${!pin_var:-}
if [ -z "$pkg" ] && apt_update; then
	pkg=$(apt-cache "${apt_opts[@]}" pkgnames linux- | grep -E "^$pat\$" | sort -V | tail -n 1)
fi
rel=
if [ -n "$pkg" ]; then
	# the kernel release is in the package name: linux-image-REL-unsigned, linux-binary-REL
	rel=${pkg#linux-image-}
	rel=${rel#linux-binary-}
	rel=${rel%-unsigned}
	dir=$cache/kernels/$rel
else
	relpat=${pat#linux-*-}
	dir=$(ls -d "$cache"/kernels/* 2>/dev/null | grep -E "/${relpat%-unsigned}\$" | sort -V |
	      tail -n 1 || true)
	[ -n "$dir" ] || { echo "fetch-kernel: archive unreachable, nothing cached for $name" >&2; exit 1; }
	log "archive unreachable: using cached $(basename "$dir")"
fi
if [ -s "$dir/vmlinux" ]; then
	echo "$dir"
	exit 0
fi

# Not cached: download, unpack the image, the config and the few modules the DMA test loads.
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp/x"
pkgs=("$pkg")
case $pkg in
linux-binary-*) pkgs+=("linux-base-$rel" "linux-modules-$rel") ;;
esac
# the AHCI disk and the e1000 NIC of the DMA tests, with what they depend on
mods=('*/e1000/e1000.ko*' '*/ata/libata.ko*' '*/ata/ahci.ko*' '*/ata/libahci.ko*'
      '*/scsi/scsi_mod.ko*' '*/scsi/scsi_common.ko*' '*/scsi/sd_mod.ko*' '*/lib/crc-t10dif.ko*'
      '*/lib/crc64-rocksoft.ko*' '*/lib/crc64.ko*' '*/block/t10-pi.ko*'
      '*/crypto/crct10dif_common.ko*' '*/crypto/crct10dif_generic.ko*')
log "downloading ${pkgs[*]}"
apt_fetch "$cache/debs" "${pkgs[@]}" ||
	{ [ ${#pkgs[@]} -gt 1 ] && apt_fetch "$cache/debs" "${pkgs[@]:0:2}"; }
for p in "${pkgs[@]}"; do
	for deb in "$cache/debs/${p}_"*.deb; do
		[ -e "$deb" ] || continue
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir.tmp/x" --wildcards --no-anchored \
			'vmlinuz*' 'boot/config-*' "modules/$rel/config" "${mods[@]}" 2>/dev/null || true
		rm -f "$deb"
	done
done
vmlinuz=$(find "$dir.tmp/x" -name 'vmlinuz*' -type f | head -n 1)
config=$(find "$dir.tmp/x" \( -name "config-$rel" -o -path "*/$rel/config" \) -type f | head -n 1)
[ -n "$vmlinuz" ] || { echo "fetch-kernel: no vmlinuz in $pkg" >&2; exit 1; }

# Direct boot wants the uncompressed ELF inside the bzImage: find the compressed payload by
# its magic and decompress it (the technique of the kernel's scripts/extract-vmlinux).
extract() {
	local magic=$1 off
	shift
	for off in $(LC_ALL=C grep -obUaP "$magic" "$vmlinuz" | cut -d: -f1); do
		tail -c +$((off + 1)) "$vmlinuz" | "$@" >"$dir.tmp/vmlinux" 2>/dev/null || true
		[ "$(head -c 4 "$dir.tmp/vmlinux" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] && return 0
	done
	return 1
}
extract '\x28\xb5\x2f\xfd' zstd -dc || extract '\xfd\x37\x7a\x58\x5a\x00' xz -dc ||
	extract '\x1f\x8b\x08' gzip -dc ||
	{ echo "fetch-kernel: could not extract vmlinux from $vmlinuz" >&2; exit 1; }
[ -n "$config" ] && cp "$config" "$dir.tmp/config"
mkdir -p "$dir.tmp/modules"
find "$dir.tmp/x" -name '*.ko*' -exec cp {} "$dir.tmp/modules/" \;
for m in "$dir.tmp"/modules/*.ko.xz; do [ -e "$m" ] && xz -d "$m"; done
for m in "$dir.tmp"/modules/*.ko.zst; do [ -e "$m" ] && zstd -q -d --rm "$m"; done
rm -rf "$dir.tmp/x"
echo "$rel" >"$dir.tmp/release"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
log "$rel ready ($(du -sh "$dir" | cut -f1))"
echo "$dir"
