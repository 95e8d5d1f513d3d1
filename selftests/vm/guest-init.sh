#!/bin/bash
# Runs as the guest's init once the host's root is mounted: brings up
# Bluetooth with virtual controllers, runs one job (tests, demo or shell),
# then checks that rfsec unloads, saves the kernel log and powers off. On a
# kernel with kmemleak (the debug kernels), the job's leaks go to
# /out/kmemleak.txt (empty: none). /out/uptimes.txt says when each stage
# was reached (seconds since the kernel started).
# Variables from the kernel command line: rfsec_top, rfsec_mode,
# rfsec_controllers, rfsec_only.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=linux
top=${rfsec_top:?}
mode=${rfsec_mode:-tests}
n=${rfsec_controllers:-2}

# A private /tmp, unless the checkout itself lives there (CI may clone
# anywhere); the overlay keeps the guest's writes in memory either way.
case "$top" in
/tmp/*) ;;
*) mount -t tmpfs -o mode=1777 tmpfs /tmp ;;
esac
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /out /dev/pts
mount -t 9p -o trans=virtio,version=9p2000.L out /out
mount -t devpts devpts /dev/pts
# What udev makes on a real system: bash's <(...), which DKMS uses, needs
# /dev/fd.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
for f in 0:stdin 1:stdout 2:stderr; do
	[ -e "/dev/${f#*:}" ] || ln -s "/proc/self/fd/${f%%:*}" "/dev/${f#*:}"
done
echo 1 > /proc/sys/kernel/sysrq
stage() { echo "$1 $(cut -d' ' -f1 /proc/uptime)" >> /out/uptimes.txt; }
stage init
# The kernel log as it comes: a report early in a long run cannot scroll out
# of the ring before it is read.
dmesg -w > /out/dmesg.txt 2>&1 &
dmesg_pid=$!
hostname rfsec-guest
ip link set lo up 2>/dev/null

poweroff_now() {
	sync
	echo o > /proc/sysrq-trigger
	sleep 30
}

log() { echo "guest: $*"; }

bt_up() {
	local i
	modprobe -a bluetooth rfcomm hci_vhci || return 1
	btvirt -l"$n" > /tmp/btvirt.log 2>&1 &
	btvirt_pid=$!
	# Up to 60 s: a debug kernel under TCG is slow to register them.
	for i in $(seq 600); do
		[ -e "/sys/class/bluetooth/hci$((n - 1))" ] && break
		sleep 0.1
	done
	for i in $(seq 0 $((n - 1))); do
		hciconfig "hci$i" up || return 1
		hciconfig "hci$i" piscan || return 1
	done
}

if ! bt_up; then
	log "bringing up $n virtual controllers failed"
	cat /tmp/btvirt.log
fi
stage bluetooth
modprobe rfsec || log "modprobe rfsec failed"
stage rfsec
uname -r > /out/kernel

# kmemleak (debug kernels): what leaked before the job is not the job's. A
# clear only forgets objects a scan has already reported, so scan first.
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
kmemleak=/sys/kernel/debug/kmemleak
if [ -e "$kmemleak" ]; then
	echo scan > "$kmemleak"
	cat "$kmemleak" > /out/kmemleak-boot.txt
	echo clear > "$kmemleak"
	stage kmemleak-clear
fi

case "$mode" in
tests)
	"$top/selftests/run_tests.sh" /out ;;
bench)
	"$top/selftests/bench.sh" /out ;;
demo)
	"$top/selftests/demo.sh" > /out/demo.log 2>&1 ;;
script)
	# For debugging: -T names a script on the host, run as root here.
	bash "$rfsec_only" /out > /out/script.log 2>&1 ;;
shell)
	echo "rfsec guest shell: hci0..hci$((n - 1)) are up, rfsec is loaded; the"
	echo "repository is at $top. 'exit' powers the guest off."
	setsid -c bash -l < /dev/ttyS0 > /dev/ttyS0 2>&1 ;;
esac

# The end of every run: the module must unload, and the log must be kept.
kill "$btvirt_pid" 2>/dev/null
if grep -q '^rfsec ' /proc/modules; then
	rmmod rfsec 2> /out/rmmod.err
	echo $? > /out/rmmod.rc
else
	echo "rfsec was not loaded at the end of the run" > /out/rmmod.err
	echo 1 > /out/rmmod.rc
fi
stage job-end
# kmemleak reports only objects older than 5 s when a scan runs: scan twice.
if [ -e "$kmemleak" ]; then
	echo scan > "$kmemleak"
	sleep 6
	echo scan > "$kmemleak"
	cat "$kmemleak" > /out/kmemleak.txt
	stage kmemleak-scan
fi
sleep 1	# the last lines reach dmesg -w
kill "$dmesg_pid" 2>/dev/null
touch /out/finished
poweroff_now
