#!/bin/bash
# The ratchet (docs/PROTOCOL.md 4.2) between two rfsec sockets: with a
# proposal every second, a transfer both ways at once crosses several fresh
# Diffie-Hellman exchanges and arrives intact (hash-checked), and both
# peers count them; with the ratchet off and a key age limit of a second, a
# receiver ends the connection that keeps one key too long (EBADMSG).
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/selftests
rfsec=$top/user/rfsec
params=/sys/module/rfsec/parameters
tmp=$(mktemp -d)
chan=21
saved=()

cleanup() {
	local p
	for p in "${saved[@]}"; do echo "${p#*=}" > "$params/${p%%=*}"; done
	rm -rf "$tmp"
}
trap cleanup EXIT

set_param() {
	saved+=("$1=$(cat "$params/$1")")
	echo "$2" > "$params/$1"
}

modprobe rfsec
a0=$(bt_addr hci0)
a1=$(bt_addr hci1)
for p in ratchet_after_seconds key_max_age_seconds; do
	if [ ! -w "$params/$p" ]; then
		t_skip "ratchet tests" "no writable module parameter $p"
		t_done
	fi
done

# json_counter ADAPTER PEER KEY: a peer's counter from show -j.
json_counter() {
	"$rfsec" show -j | python3 -c '
import json, sys
d = json.load(sys.stdin)
for i in d["identities"]:
    if i["adapter"] == sys.argv[1]:
        for p in i["peers"]:
            if p["address"] == sys.argv[2]:
                print(p[sys.argv[3]])
' "$1" "$2" "$3"
}

# transfer BYTES: hci1 listens, hci0 connects; each sends BYTES of the
# pattern to the other and reads the other's, at the same time. Outputs in
# $tmp/srv and $tmp/cli.
transfer() {
	chan=$((chan + 1))
	timeout 120 "$bin/rfsec_app" listen -i hci1 -c $chan -t 60000 \
		sendn:"$1" read:"$1" > "$tmp/srv" 2>&1 &
	local pid=$!
	timeout 10 sh -c "until grep -q listening '$tmp/srv'; do sleep 0.1; done"
	timeout 120 "$bin/rfsec_app" connect -i hci0 -a "$a1" -c $chan \
		-t 60000 sendn:"$1" read:"$1" > "$tmp/cli" 2>&1
	wait "$pid"
	{ echo "server:"; cat "$tmp/srv"; echo "client:"; cat "$tmp/cli"; } | t_diag
}

# both_ways_intact BYTES: each side received exactly what the other sent.
both_ways_intact() {
	local s c
	s=$(sed -n "s/^sent $1 bytes sha256 //p" "$tmp/srv")
	c=$(sed -n "s/^sent $1 bytes sha256 //p" "$tmp/cli")
	[ -n "$s" ] && [ -n "$c" ] &&
		grep -qx "recv $1 bytes sha256 $s" "$tmp/cli" &&
		grep -qx "recv $1 bytes sha256 $c" "$tmp/srv"
}

## Several ratchets across one transfer, both directions.
before0=$(json_counter "$a0" "$a1" ratchets)
before1=$(json_counter "$a1" "$a0" ratchets)
set_param ratchet_after_seconds 1
t0=$(date +%s%N)
transfer 2097152
secs=$((($(date +%s%N) - t0) / 1000000000))
t_check "ratchet every second: 2 MiB each way intact ($secs s)" both_ways_intact 2097152
after0=$(json_counter "$a0" "$a1" ratchets)
after1=$(json_counter "$a1" "$a0" ratchets)
n0=$((after0 - before0)) n1=$((after1 - before1))
echo "ratchets: initiator $n0, responder $n1 over $secs s" | t_diag
t_check "the transfer crossed at least 2 ratchets (initiator counted $n0)" test "$n0" -ge 2
t_check "both ends counted the same ratchets ($n0, $n1; one may be in flight)" \
	test $((n0 - n1)) -le 1 -a $((n1 - n0)) -le 1

## A peer that keeps its keys too long: the receiver ends it.
set_param ratchet_after_seconds 0
set_param key_max_age_seconds 1
transfer 2097152
t_check "no ratchet and a 1 s key age limit: a receiver ends with EBADMSG" \
	grep -qx "end EBADMSG" "$tmp/srv" "$tmp/cli"
t_check "and the transfer did not complete under the stale key" \
	sh -c "! grep -q '^recv 2097152 bytes' '$tmp/srv' '$tmp/cli'"
t_done
