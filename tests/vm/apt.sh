# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Sourced by the tests/vm scripts: apt with a private configuration under CACHE/apt/ARCH
# (its own sources, lists and cache; no dpkg status; the architecture named, not added to
# dpkg), so the machine's own apt state is never touched. Adding i386 to the system's dpkg
# breaks its apt-get update here: never do that.
#   apt_private CACHE ARCH   sets apt_opts (for apt-get/apt-cache "${apt_opts[@]}")
#   apt_update               refreshes the private lists; false when the archive is away
#   apt_fetch DIR PKG...     downloads PKG... into DIR

apt_private() {
	local cache=$1 arch=$2 mirror=http://deb.debian.org/debian
	local security=http://deb.debian.org/debian-security suites key uri _

	# the machine's own mirrors, from its deb822 sources: the Debian one and the security one
	if [ -r /etc/apt/sources.list.d/debian.sources ]; then
		while read -r key uri _; do
			[ "$key" = URIs: ] || continue
			case $uri in
			*security*) security=$uri ;;
			*) mirror=$uri ;;
			esac
		done </etc/apt/sources.list.d/debian.sources
	fi
	aptdir=$cache/apt/$arch
	mkdir -p "$aptdir/etc" "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
	# amd64: the kernels; i386: the 686-pae kernel, its -dbg, and the guest's userland
	suites=trixie-backports
	[ "$arch" = i386 ] && suites=bookworm
	cat >"$aptdir/etc/vmtest.sources" <<EOT
Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $mirror
Suites: $suites
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOT
	apt_opts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$aptdir/etc"
		  -o Dir::State::Lists="$aptdir/lists" -o Dir::Cache="$aptdir/cache"
		  -o Dir::State::status=/dev/null -o APT::Architectures::="$arch"
		  -o APT::Architecture="$arch" -o APT::Sandbox::User=root)
}

# A mirror caught mid-sync fails one suite's index with a size mismatch: try again, then
# go on with the suites that did update (true when any package list is there).
apt_update() {
	local i

	for i in 1 2; do
		apt-get "${apt_opts[@]}" -qq update >&2 2>/dev/null && return 0
		sleep 5
	done
	apt-get "${apt_opts[@]}" -qq update >&2 ||
		echo "  APT      $aptdir: some suites did not update, going on with the others" >&2
	ls "$aptdir"/lists/*_Packages* >/dev/null 2>&1
}

apt_fetch() {
	local dir=$1
	shift
	(cd "$dir" && apt-get "${apt_opts[@]}" -qq download "$@" >&2)
}
