#!/bin/bash
# The ratchet (docs/PROTOCOL.md 4.2) between two rfsec sockets: with a
# proposal due every second, transfers each way cross several fresh
# Diffie-Hellman exchanges and arrive intact (hash-checked), and both ends
# count them; with the ratchet off and a key age limit of two seconds, the
# receiver ends a connection whose peer keeps one key too long (EBADMSG).
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

# exchange "SERVER ACTIONS" "CLIENT ACTIONS": hci1 listens, hci0 connects,
# each runs its actions (rfsec_app runs them in order); outputs in
# $tmp/srv and $tmp/cli.
exchange() {
	chan=$((chan + 1))
	# shellcheck disable=SC2086
	timeout 120 "$bin/rfsec_app" listen -i hci1 -c $chan -t 60000 $1 \
		> "$tmp/srv" 2>&1 &
	local pid=$!
	timeout 10 sh -c "until grep -q listening '$tmp/srv'; do sleep 0.1; done"
	# shellcheck disable=SC2086
	timeout 120 "$bin/rfsec_app" connect -i hci0 -a "$a1" -c $chan \
		-t 60000 $2 > "$tmp/cli" 2>&1
	wait "$pid"
	{ echo "server:"; cat "$tmp/srv"; echo "client:"; cat "$tmp/cli"; } | t_diag
}

# intact FROM TO BYTES: TO received exactly what FROM sent.
intact() {
	local h
	h=$(sed -n "s/^sent $3 bytes sha256 //p" "$tmp/$1")
	[ -n "$h" ] && grep -qx "recv $3 bytes sha256 $h" "$tmp/$2"
}

## Several ratchets across a transfer each way, one after the other (each
## side sends, then reads); each way lasts at least 2.4 s.
before0=$(json_counter "$a0" "$a1" ratchets)
before1=$(json_counter "$a1" "$a0" ratchets)
set_param ratchet_after_seconds 1
paced="sendn:262144 sleep:1200 sendn:262144 sleep:1200 sendn:262144"
t0=$(date +%s%N)
exchange "read:786432 $paced" "$paced read:786432"
secs=$((($(date +%s%N) - t0) / 1000000000))
t_check "ratchet every second: 768 KiB client to server intact ($secs s in all)" \
	intact cli srv 786432
t_check "ratchet every second: 768 KiB server to client intact" \
	intact srv cli 786432
after0=$(json_counter "$a0" "$a1" ratchets)
after1=$(json_counter "$a1" "$a0" ratchets)
n0=$((after0 - before0)) n1=$((after1 - before1))
echo "ratchets: initiator $n0, responder $n1 over $secs s" | t_diag
t_check "the transfers crossed at least 4 ratchets (initiator counted $n0)" \
	test "$n0" -ge 4
t_check "both ends counted the same ratchets ($n0, $n1; one may be in flight)" \
	test $((n0 - n1)) -le 1 -a $((n1 - n0)) -le 1

## A peer that keeps its keys too long: the receiver ends it.
set_param ratchet_after_seconds 0
set_param key_max_age_seconds 2
exchange "read:65536" "sendn:32768 sleep:3000 sendn:32768"
t_check "no ratchet and a 2 s key age limit: the receiver ends with EBADMSG" \
	grep -qx "end EBADMSG" "$tmp/srv"
t_check "it read the 32 KiB sent in time and nothing sent after the limit" \
	grep -q "^recv 32768 bytes" "$tmp/srv"
t_done
