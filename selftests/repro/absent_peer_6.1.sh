#!/bin/bash
# Runs absent_peer_6.1.py in a test guest (plain RFCOMM between btvirt's
# controllers, no rfsec socket), with btmon recording what the controller
# said. From the top of the checkout:
#   make kmod KVER=VERSION       # run-guest.sh boots with rfsec.ko built
#   selftests/vm/run-guest.sh -n 2 -T "$PWD/selftests/repro/absent_peer_6.1.sh" \
#       VERSION script
# Output in build/results/VERSION/: script.log (the rounds, the kernel's
# reports), absent_peer.btmon.txt (the HCI traffic), dmesg.txt.
# REPRO_PROTO=l2cap in the guest's environment (or editing the line below)
# runs the same connect over a plain L2CAP socket: the same use-after-free,
# from close() instead of krfcommd.
out=${1:-/tmp}
here=$(cd "$(dirname "$0")" && pwd)
btmon -w "$out/absent_peer.btsnoop" > /dev/null 2>&1 &
btmon_pid=$!
sleep 2
timeout 120 python3 "$here/absent_peer_6.1.py" "${REPRO_PROTO:-rfcomm}" 1
sleep 1
kill "$btmon_pid"
wait "$btmon_pid"
btmon -r "$out/absent_peer.btsnoop" > "$out/absent_peer.btmon.txt" 2>&1
