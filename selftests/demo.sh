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

say "The same unmodified rctest, both ends through 'rfsec run'"
"$top/user/rfsec" run -- rctest -i hci1 -r -P 4 > /tmp/srv2.log 2>&1 &
srv=$!
sleep 1
"$top/user/rfsec" version dump | awk -F'\t' '{ print "  rfsec sockets open now (the server): " $NF }'
"$top/user/rfsec" run -- rctest -i hci0 -s -P 4 -N 20 -b 1000 "$a1" 2>&1 | sed 's/^/  client: /'
sleep 1
kill "$srv" 2>/dev/null
wait "$srv" 2>/dev/null
got=$(sed -n 's/.*: \([0-9]*\) bytes in .*/\1/p' /tmp/srv2.log | awk '{ s += $1 } END { print s + 0 }')
echo "  server: received $got bytes over rfsec sockets"

say "Not yet"
echo "rfsec sockets carry the data unchanged for now: encryption (identity keys,"
echo "the in-kernel handshake, AEAD records) and pairing are the next milestones"
echo "(see README.md)."
