#!/bin/bash
# The demonstration, run inside a guest by `make demo`: what rfsec does today
# on two virtual Bluetooth controllers. guest-init.sh keeps its output.
top=$(cd "$(dirname "$0")/.." && pwd)

say() { printf '\n== %s\n' "$*"; }
a0=$(hciconfig hci0 | sed -n 's/.*BD Address: \([0-9A-F:]*\).*/\1/p')
a1=$(hciconfig hci1 | sed -n 's/.*BD Address: \([0-9A-F:]*\).*/\1/p')

say "A guest running Linux $(uname -r) with two virtual controllers"
echo "hci0 $a0 and hci1 $a1, on one virtual air (btvirt)"

say "The rfsec module is loaded and answers over generic netlink"
"$top/user/rfsec" version

say "An unmodified RFCOMM program (BlueZ's rctest) from hci0 to hci1"
rctest -i hci1 -r -P 3 > /tmp/srv.log 2>&1 &
srv=$!
sleep 1
rctest -i hci0 -s -P 3 -N 20 -b 1000 "$a1" 2>&1 | sed 's/^/  client: /'
sleep 1
kill "$srv" 2>/dev/null
wait "$srv" 2>/dev/null
got=$(sed -n 's/.*: \([0-9]*\) bytes in .*/\1/p' /tmp/srv.log | awk '{ s += $1 } END { print s + 0 }')
echo "  server: received $got bytes"

say "Not yet"
echo "This traffic is plain RFCOMM. rfsec's encrypted sockets, pairing and"
echo "'rfsec run' arrive with the next milestones (see README.md)."
