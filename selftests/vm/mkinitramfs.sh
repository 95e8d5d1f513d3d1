#!/bin/bash
# Builds the guest's initramfs for one extracted kernel: busybox and the
# virtio, 9p and overlay modules that let the guest mount the host's root
# (none, if the kernel has them built in).
#   mkinitramfs.sh VERSION OUTPUT
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ver=$1 out=$2
root=$(dirname "$("$here/kernels.sh" kdir "$ver")")/../..
root=$(cd "$root" && pwd)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,dev,proc,sys,mods,lower,rw,newroot}
cp /bin/busybox "$work/bin/busybox"
cp "$here/initramfs-init" "$work/init"
chmod 755 "$work/init"

# Dependency order as modprobe resolves it; busybox insmod cannot read .xz.
# A module the kernel has built in (the debug kernels have all of them) shows
# as "builtin NAME" and needs nothing.
: > "$work/mods/order"
for m in virtio_pci 9pnet_virtio 9p overlay; do
	deps=$(modprobe -d "$root" -S "$ver" --show-depends "$m") ||
		{ echo "mkinitramfs: $ver has no $m" >&2; exit 1; }
	sed -n 's/^insmod \([^ ]*\).*/\1/p' <<< "$deps"
done | awk '!seen[$0]++' | while read -r ko; do
	name=$(basename "$ko")
	case "$name" in
	*.xz) xz -dc "$ko" > "$work/mods/${name%.xz}"; name=${name%.xz} ;;
	*) cp "$ko" "$work/mods/$name" ;;
	esac
	echo "$name" >> "$work/mods/order"
done

(cd "$work" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out"
