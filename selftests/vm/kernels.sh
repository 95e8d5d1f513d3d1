#!/bin/bash
# Resolves the current Debian kernel of a supported line from its metapackage,
# downloads the image and header packages and extracts them into the build
# tree. Nothing is installed on the host.
#
#   kernels.sh lines           the supported kernel lines, one per line
#   kernels.sh version LINE    the exact version (e.g. 6.1.0-56-amd64)
#   kernels.sh fetch LINE      download and extract; prints the version
#   kernels.sh kdir VERSION    the header tree to build modules against
# With RFSEC_FLAVOUR=debug, version and fetch are those of the debug kernel
# built from Debian's linux-source-LINE (debug-kernel.sh builds it, or reuses
# its cached build); kdir knows a debug kernel by its version whatever the
# flavour.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${RFSEC_KCACHE:-$top/build/kernels}
lines="6.1 6.12"

metapackage() {
	case "$1" in
	6.1) echo linux-image-amd64 ;;
	6.12) echo linux-image-6.12-amd64 ;;
	*) echo "kernels: unsupported kernel line '$1' (supported: $lines)" >&2
	   return 1 ;;
	esac
}

# First hard dependency of a package that matches a pattern.
dep_matching() {
	apt-cache depends "$1" 2>/dev/null |
		sed -n 's/^ *|\{0,1\}Depends: //p' | grep -E "$2" | head -n 1
}

version_of_line() {
	local meta img
	meta=$(metapackage "$1")
	img=$(dep_matching "$meta" '^linux-image-[0-9]')
	if [ -z "$img" ]; then
		echo "kernels: cannot resolve $meta (run selftests/vm/deps.sh)" >&2
		return 1
	fi
	echo "${img#linux-image-}"
}

fetch() {
	local ver=$1 dir=$cache/$1 hdr common kbuild tmp
	if [ -e "$dir/.complete" ]; then
		return 0
	fi
	hdr=linux-headers-$ver
	common=$(dep_matching "$hdr" '^linux-headers-.*-common')
	kbuild=$(dep_matching "$hdr" '^linux-kbuild-')
	rm -rf "$dir"
	mkdir -p "$dir/debs" "$dir/root"
	tmp=$(mktemp -d)
	chmod 755 "$tmp"	# apt's sandbox user must be able to write here
	(cd "$tmp" && apt-get download -q "linux-image-$ver" "$hdr" \
		"$common" "$kbuild" >/dev/null 2>&1) || {
		echo "kernels: download of $ver failed (stale package lists? run selftests/vm/deps.sh)" >&2
		rm -rf "$tmp"
		return 1
	}
	mv "$tmp"/*.deb "$dir/debs/"
	rmdir "$tmp"
	for deb in "$dir"/debs/*.deb; do
		dpkg-deb -x "$deb" "$dir/root"
	done
	rm -rf "$dir/debs"
	# The header package names its common half by absolute path.
	sed -i "s|/usr/src/|$dir/root/usr/src/|" \
		"$dir/root/usr/src/linux-headers-$ver/Makefile"
	depmod -b "$dir/root" "$ver"
	touch "$dir/.complete"
}

flavour=${RFSEC_FLAVOUR:-debian}
case "$flavour" in
debian | debug) ;;
*) echo "kernels: unknown RFSEC_FLAVOUR '$flavour' (debian or debug)" >&2
   exit 2 ;;
esac

case "${1:-}" in
lines)
	printf '%s\n' $lines ;;
version)
	if [ "$flavour" = debug ]; then
		exec "$here/debug-kernel.sh" version "$2"
	fi
	version_of_line "$2" ;;
fetch)
	if [ "$flavour" = debug ]; then
		exec "$here/debug-kernel.sh" build "$2"
	fi
	ver=$(version_of_line "$2")
	fetch "$ver"
	echo "$ver" ;;
kdir)
	case "$2" in
	*-rfsec-debug) exec "$here/debug-kernel.sh" kdir "$2" ;;
	esac
	echo "$cache/$2/root/usr/src/linux-headers-$2" ;;
*)
	echo "usage: $0 lines | version LINE | fetch LINE | kdir VERSION" >&2
	exit 2 ;;
esac
