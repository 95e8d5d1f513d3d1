#!/bin/bash
# Proof on the air: btmon records everything the controllers carry while
# an ordinary RFCOMM program sends a known marker from hci0 to hci1, once
# as it is and once through `rfsec run`. The marker must be in the first
# capture and nowhere in the second, which must still hold the same
# traffic (as ciphertext).
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
rfsec=$top/user/rfsec
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2> /dev/null; rm -rf "$tmp"' EXIT

a0=$(bt_addr hci0)
a1=$(bt_addr hci1)
marker="rfsec-btmon-marker-7f3a"

# An ordinary PyBluez-style program: the server prints what it received.
cat > "$tmp/app.py" <<'PY'
import socket, sys, time
mode, addr, chan = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_BLUETOOTH, socket.SOCK_STREAM,
                  socket.BTPROTO_RFCOMM)
if mode == "server":
    s.bind((addr, chan))
    s.listen(1)
    open(sys.argv[5], "w").close()
    s.settimeout(60)
    c, _ = s.accept()
    c.settimeout(20)
    got = b""
    while len(got) < int(sys.argv[4]):
        d = c.recv(4096)
        if not d:
            break
        got += d
    sys.stdout.write(got.decode())
else:
    # A fresh socket per attempt: a failed RFCOMM connect leaves its
    # socket unusable (EBADFD).
    for attempt in range(10):
        s = socket.socket(socket.AF_BLUETOOTH, socket.SOCK_STREAM,
                          socket.BTPROTO_RFCOMM)
        s.bind((addr, 0))
        try:
            s.connect((sys.argv[4], chan))
            break
        except OSError as e:
            sys.stderr.write("connect: %s, retrying\n" % e)
            s.close()
            time.sleep(0.5)
    else:
        sys.exit("connect failed")
    # Writes of varying size, so that some copy of the marker sits whole
    # in one ACL fragment whatever the fragment size.
    for i in range(40):
        s.send((sys.argv[5] + "." * i + "\n").encode())
        time.sleep(0.01)
    time.sleep(0.5)
    s.close()
PY
total=$(python3 -c "print(sum(len('$marker') + i + 1 for i in range(40)))")

# capture NAME CHANNEL [rfsec run --]: one transfer under btmon.
capture() {
	local name=$1 chan=$2
	shift 2
	btmon -w "$tmp/$name.btsnoop" > /dev/null 2>&1 &
	local mon=$!
	sleep 1
	"$@" python3 "$tmp/app.py" server "$a1" "$chan" "$total" "$tmp/$name.ready" \
		> "$tmp/$name.out" 2> "$tmp/$name.err" &
	local srv=$!
	for _ in $(seq 100); do
		[ -e "$tmp/$name.ready" ] && break
		sleep 0.1
	done
	"$@" python3 "$tmp/app.py" client "$a0" "$chan" "$a1" "$marker" 2>> "$tmp/$name.err"
	wait "$srv"
	sleep 1
	kill -INT "$mon"
	wait "$mon" 2> /dev/null
}

count() { grep -a -o -F -- "$marker" "$1" | wc -l; }

capture plain 21
n_plain=$(count "$tmp/plain.btsnoop")
t_check "plain RFCOMM: the server got all $total bytes" \
	test "$(wc -c < "$tmp/plain.out")" = "$total"
t_check "plain RFCOMM: the marker is readable in the btmon capture ($n_plain times)" \
	test "$n_plain" -gt 0

"$top/selftests/keys_setup.sh" up > "$tmp/keys.log" 2>&1
t_check "keys for hci0 and hci1 set" test $? = 0
capture rfsec 22 "$rfsec" run --
n_rfsec=$(count "$tmp/rfsec.btsnoop")
t_check "through rfsec run: the server got all $total bytes, the marker intact" \
	sh -c "test \"\$(wc -c < '$tmp/rfsec.out')\" = '$total' && grep -q -F -- '$marker' '$tmp/rfsec.out'"
t_check "through rfsec run: the marker is nowhere in the btmon capture" \
	test "$n_rfsec" = 0
size_plain=$(wc -c < "$tmp/plain.btsnoop")
size_rfsec=$(wc -c < "$tmp/rfsec.btsnoop")
echo "capture sizes: plain $size_plain bytes, rfsec $size_rfsec bytes" | t_diag
t_check "the rfsec capture holds the transfer (at least as large as the plain one)" \
	test "$size_rfsec" -ge "$size_plain"
"$rfsec" peer list hci1 | t_diag
t_check "hci1 counted a completed handshake with hci0" \
	sh -c "'$top/build/selftests/rfsec_app' stats '$a1' '$a0' | grep -q 'handshakes [1-9]'"
cat "$tmp/plain.err" "$tmp/rfsec.err" | t_diag
"$top/selftests/keys_setup.sh" down
t_done
