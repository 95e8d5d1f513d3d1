#!/bin/bash
# The demonstration, run inside a guest by `make demo`: two virtual
# Bluetooth controllers pair with rfsec, an unmodified RFCOMM program runs
# encrypted, and a capture of the air shows the difference. guest-init.sh
# keeps its output in demo.log.
top=$(cd "$(dirname "$0")/.." && pwd)
rfsec=$top/user/rfsec
tmp=$(mktemp -d)

say() { printf '\n== %s\n' "$*"; }
indent() { sed "s/^/  $1/"; }
addr() { hciconfig "$1" | sed -n 's/.*BD Address: \([0-9A-F:]*\).*/\1/p'; }
a0=$(addr hci0)
a1=$(addr hci1)
marker="Meet at the north gate at 0700"

say "A guest running Linux $(uname -r) with virtual Bluetooth controllers"
echo "hci0 is $a0 and hci1 is $a1, on one virtual air (btvirt)."
"$rfsec" version | indent

say "1. Pairing: hci1 waits, hci0 connects; both show a six-digit code"
echo "Each side would ask its user to compare the codes; --yes answers for them."
"$rfsec" pair --accept -i hci1 --yes > "$tmp/pair1" 2>&1 &
acc=$!
sleep 1
"$rfsec" pair "$a1" -i hci0 --yes 2>&1 | indent "hci0: "
wait "$acc"
indent "hci1: " < "$tmp/pair1"
echo "Both identities (public keys only; private keys never leave the kernel):"
"$rfsec" identity show | indent

# send_marker CHANNEL [rfsec run --]: BlueZ's rctest would send a fixed
# pattern, so a three-line Python RFCOMM client and server carry the marker.
cat > "$tmp/chat.py" <<'PY'
import socket, sys, time
mode, addr, chan = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_BLUETOOTH, socket.SOCK_STREAM, socket.BTPROTO_RFCOMM)
if mode == "server":
    s.bind((addr, chan)); s.listen(1); open(sys.argv[4], "w").close()
    c, peer = s.accept()
    print("received from %s: %s" % (peer[0], c.recv(1000).decode().strip()))
else:
    s.bind((addr, 0)); s.connect((sys.argv[4], chan))
    s.send((sys.argv[5] + "\n").encode()); time.sleep(0.5)
PY
send_marker() {
	local chan=$1 cap=$tmp/air.$1
	shift
	rm -f "$tmp/ready"
	btmon -w "$cap" > /dev/null 2>&1 &
	local mon=$!
	sleep 1
	"$@" python3 "$tmp/chat.py" server "$a1" "$chan" "$tmp/ready" 2>&1 | indent "server: " &
	for _ in $(seq 50); do [ -e "$tmp/ready" ] && break; sleep 0.1; done
	"$@" python3 "$tmp/chat.py" client "$a0" "$chan" "$a1" "$marker" 2>&1 | indent "client: "
	wait %2 2> /dev/null
	sleep 1
	kill -INT "$mon"
	wait "$mon" 2> /dev/null
	local n
	n=$(grep -a -c -F -- "$marker" "$cap")
	if [ "$n" -gt 0 ]; then
		echo "btmon captured the air: \"$marker\" is there in clear text."
		grep -a -o -F -- "$marker" "$cap" | head -1 | indent "seen on the air: "
	else
		echo "btmon captured the air ($(wc -c < "$cap") bytes): \"$marker\" is nowhere in it."
	fi
}

say "2. An ordinary RFCOMM program, as it is: plain RFCOMM"
send_marker 11

say "3. The same program through 'rfsec run': encrypted end to end"
send_marker 12 "$rfsec" run --

say "4. BlueZ's unmodified rctest through 'rfsec run', 20 blocks of 1000 bytes"
"$rfsec" run -- rctest -i hci1 -r -P 13 > "$tmp/srv.log" 2>&1 &
srv=$!
sleep 1
"$rfsec" run -- rctest -i hci0 -s -P 13 -N 20 -b 1000 "$a1" 2>&1 | indent "client: "
sleep 1
kill "$srv" 2> /dev/null
wait "$srv" 2> /dev/null
got=$(sed -n 's/.*: \([0-9]*\) bytes in .*/\1/p' "$tmp/srv.log" | awk '{ s += $1 } END { print s + 0 }')
echo "server: received $got bytes over rfsec"

say "5. What the kernel counted (rfsec show)"
"$rfsec" show | indent

say "6. A controller without keys is refused"
"$rfsec" run -- rctest -i hci1 -r -P 14 > "$tmp/srv3.log" 2>&1 &
srv=$!
sleep 1
a2=$(addr hci2)
if [ -n "$a2" ]; then
	"$rfsec" run -- rctest -i hci2 -s -P 14 -N 1 "$a1" 2>&1 | head -3 | indent "hci2 client: "
	echo "kernel log: $(dmesg | grep -oE 'handshake (to|from) .*' | tail -2 | tr '\n' ';')"
else
	echo "(no third controller in this guest)"
fi
kill "$srv" 2> /dev/null
wait "$srv" 2> /dev/null
rm -rf "$tmp"
