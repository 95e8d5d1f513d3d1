#!/bin/bash
# Boots one Debian kernel under QEMU with the host's root file system and the
# rfsec module built for that kernel, and runs one job in it:
#   run-guest.sh [-t SECONDS] [-n CONTROLLERS] [-T TEST,TEST...] [-o OUTDIR]
#                [-L LIST] [-s SCALE] VERSION tests|demo|shell|bench|script
# (script: -T names a host script the guest runs as root, output in
# OUTDIR/script.log; for debugging)
# Results, the kernel log and the console log land in OUTDIR, by default
# build/results/VERSION/. -T runs only the named tests of the list; -L names
# the list: tests (selftests/tests.list, the default), soak or fuzz. -s
# multiplies the list's time limits (a machine shared with other guests
# runs slower).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
timeout_s=900
controllers=3
only=
out=
list=tests
while getopts "t:n:T:o:L:s:" opt; do
	case "$opt" in
	t) timeout_s=$OPTARG ;;
	n) controllers=$OPTARG ;;
	T) only=$OPTARG ;;
	o) out=$OPTARG ;;
	L) list=$OPTARG ;;
	s) scale=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
ver=${1:?usage: run-guest.sh [-t S] [-n N] [-T TESTS] [-o DIR] VERSION MODE}
mode=${2:-tests}

kdir=$("$here/kernels.sh" kdir "$ver")
root=$(cd "$kdir/../../.." && pwd)
ko=$top/build/kmod/$ver/kernel/rfsec.ko
out=${out:-$top/build/results/$ver}
[ -f "$root/boot/vmlinuz-$ver" ] || { echo "run-guest: kernel $ver is not fetched" >&2; exit 1; }
[ -f "$ko" ] || { echo "run-guest: $ko is not built" >&2; exit 1; }

# The module goes where the guest's modprobe looks, so that the
# bt-proto-7 and genl family aliases load it on first use.
install -D -m 644 "$ko" "$root/lib/modules/$ver/updates/rfsec.ko"
depmod -b "$root" "$ver"

initrd=$root/../initramfs.gz
if [ ! -f "$initrd" ] || [ "$here/initramfs-init" -nt "$initrd" ] ||
   [ "$here/mkinitramfs.sh" -nt "$initrd" ]; then
	"$here/mkinitramfs.sh" "$ver" "$initrd"
fi

rm -rf "$out"
mkdir -p "$out"
cmdline="console=ttyS0 panic=-1 loglevel=5 rfsec_script=$here/guest-init.sh"
cmdline+=" rfsec_modules=$root/lib/modules rfsec_top=$top rfsec_mode=$mode"
cmdline+=" rfsec_controllers=$controllers rfsec_only=$only rfsec_list=$list"
[ -n "${scale:-}" ] && cmdline+=" rfsec_scale=$scale"

# The debug kernels (debug-kernel.sh, versions *-rfsec-debug) need more
# memory (KASAN's shadow and quarantine, kmemleak's and SLUB debugging's
# metadata), and every KASAN report, not only the first. They boot on q35:
# the default machine's ACPI _PRT method loops over 128 entries, which their
# AML interpreter takes over 30 s per PCI device for (AE_AML_LOOP_TIMEOUT,
# a minute lost per boot); q35's returns a fixed table.
# RFSEC_GUEST_MEM (MiB) overrides the memory; RFSEC_DEBUG_CMDLINE adds to
# their command line (e.g. debug_pagealloc=on).
mem=2048 machine=()
case "$ver" in
*-rfsec-debug)
	mem=4096 machine=(-M q35)
	cmdline+=" kasan_multi_shot ${RFSEC_DEBUG_CMDLINE:-}" ;;
esac
mem=${RFSEC_GUEST_MEM:-$mem}

qemu=(qemu-system-x86_64 "${machine[@]}" -accel tcg -cpu max -m "$mem" -smp 2
	-nographic -no-reboot -nodefaults -serial mon:stdio
	-kernel "$root/boot/vmlinuz-$ver" -initrd "$initrd" -append "$cmdline"
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$out,mount_tag=out,security_model=none")

if [ "$mode" = shell ]; then
	exec "${qemu[@]}"
fi

set +e
timeout --foreground -k 10 "$timeout_s" "${qemu[@]}" < /dev/null > "$out/console.log" 2>&1
rc=$?
set -e
if [ $rc = 124 ] || [ $rc = 137 ]; then
	echo "run-guest: $ver did not finish within ${timeout_s}s; last console lines:" >&2
	tail -n 40 "$out/console.log" >&2
	echo "timeout" > "$out/guest-status"
	exit 1
fi
if [ ! -f "$out/finished" ]; then
	echo "run-guest: $ver stopped before its job finished (qemu exit $rc); last console lines:" >&2
	tail -n 40 "$out/console.log" >&2
	exit 1
fi
