#!/bin/bash
# Runs absent_peer_6.1.py in a test guest (between btvirt's controllers, no
# rfsec socket), first over RFCOMM, then over plain L2CAP, with btmon
# recording what the controller said. From the top of the checkout:
#   make kmod KVER=VERSION       # run-guest.sh boots with rfsec.ko built
#   selftests/vm/run-guest.sh -n 2 -T "$PWD/selftests/repro/absent_peer_6.1.sh" \
#       VERSION script
# Output in build/results/VERSION/: script.log (the rounds, the kernel's
# reports), absent_peer.btmon.txt (the HCI traffic), dmesg.txt.
# On Debian's 6.1 kernel the RFCOMM round kills krfcommd (kernel BUG); on
# the debug kernel KASAN reports and the L2CAP round runs too.
out=${1:-/tmp}
here=$(cd "$(dirname "$0")" && pwd)
btmon -w "$out/absent_peer.btsnoop" > /dev/null 2>&1 &
btmon_pid=$!
sleep 2
for proto in rfcomm l2cap; do
	timeout 120 python3 "$here/absent_peer_6.1.py" "$proto" 1
done
sleep 1
kill "$btmon_pid"
wait "$btmon_pid"
btmon -r "$out/absent_peer.btsnoop" > "$out/absent_peer.btmon.txt" 2>&1
