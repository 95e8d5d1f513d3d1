#!/bin/bash
# Installs, by Debian package name, everything that building rfsec, booting
# test guests and running the selftests needs. Idempotent: a second run only
# refreshes the package lists and installs nothing.
#
# Kernel images are never installed here (that would touch the host's boot
# set-up); kernels.sh downloads and extracts them into the build tree.
#
#   deps.sh          what make check, demo and bench need
#   deps.sh debug    also what building the debug kernels needs
#   deps.sh deb      only what building and checking the Debian packages
#                    needs (make deb, also on a real machine of any
#                    architecture: no test bed; make soak installs the
#                    packages in its guests, which use the host's dkms)
set -euo pipefail

if [ "${1:-}" = deb ]; then
	pkgs=(gcc make libc6-dev pkgconf libbluetooth-dev libmnl-dev libssl-dev
	      dpkg-dev debhelper dh-dkms dkms lintian git)
else
pkgs=(
	gcc gcc-12 make libc6-dev pkg-config bc xz-utils sparse git perl python3
	procps iproute2 man-db
	linux-headers-amd64 dwarves
	linux-source-6.1
	qemu-system-x86 busybox-static kmod cpio
	bluez bluez-test-tools libbluetooth-dev python3-bluez
	libmnl-dev libssl-dev python3-cryptography
	golang-go
)

# make check-debug builds Debian's own kernel sources with debug options.
if [ "${1:-}" = debug ]; then
	pkgs+=(linux-source-6.12 flex bison libelf-dev libssl-dev bc rsync patch)
fi
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing ${missing[*]}; installing them needs root (run with sudo)" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	echo "deps: installing ${missing[*]}"
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
echo "deps: all build and test packages are installed"
