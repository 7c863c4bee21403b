#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The guest userland for another architecture: Debian's static busybox and the static
# libraries memtrace links against (libbpf, libelf, zlib), downloaded through the private
# apt configuration (tests/vm/apt.sh: the system's dpkg never gets the architecture) and
# unpacked into CACHE/ARCH/root. Prints that directory.
#
# usage: tests/vm/fetch-userland.sh CACHE ARCH
set -euo pipefail

mkdir -p "$1"
cache=$(cd "$1" && pwd)
arch=$2
root=$cache/$arch/root
pkgs=(libbpf-dev libelf-dev zlib1g-dev busybox-static)
if [ -e "$root/.complete" ]; then
	echo "$root"
	exit 0
fi
. "$(dirname "$0")/apt.sh"
apt_private "$cache" "$arch"
echo "  USERLAND $arch: ${pkgs[*]}" >&2
apt_update
dl=$(mktemp -d "$cache/userland.XXXXXX")
trap 'rm -rf "$dl"' EXIT
apt_fetch "$dl" "${pkgs[@]}"
rm -rf "$root"
mkdir -p "$root"
for deb in "$dl"/*.deb; do
	dpkg-deb -x "$deb" "$root"
done
touch "$root/.complete"
echo "$root"
