#!/bin/bash
# Key changes in band between two rfsec sockets (docs/PROTOCOL.md 4):
# symmetric rekeys after a number of bytes, after a time, and before the
# counter limit (a test hook starts the counters 8 records below it), each
# with the data intact (hash-checked) and counted on both ends; then the
# ratchet: with a proposal due every second, transfers each way cross
# several fresh Diffie-Hellman exchanges intact, counted on both ends; with
# the ratchet off and a key age limit of two seconds, the receiver ends a
# connection whose peer keeps one key too long (EBADMSG).
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/selftests
rfsec=$top/user/rfsec
params=/sys/module/rfsec/parameters
tmp=$(mktemp -d)
chan=21
saved=()

# Each parameter's value before the test, restored at the exit.
cleanup() {
	local p
	for p in "${saved[@]}"; do echo "${p#*=}" > "$params/${p%%=*}"; done
	echo 0 > "$params/fault_once" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

set_param() {
	case " ${saved[*]}" in
	*" $1="*) ;;
	*) saved+=("$1=$(cat "$params/$1")") ;;
	esac
	echo "$2" > "$params/$1"
}

# restore_param NAME: back to its value before the test.
restore_param() {
	local p
	for p in "${saved[@]}"; do
		[ "${p%%=*}" = "$1" ] && echo "${p#*=}" > "$params/$1"
	done
}

modprobe rfsec
a0=$(bt_addr hci0)
a1=$(bt_addr hci1)
for p in ratchet_after_seconds key_max_age_seconds rekey_after_bytes \
	rekey_after_seconds fault_once; do
	if [ ! -w "$params/$p" ]; then
		t_skip "key change tests" "no writable module parameter $p"
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

# counted KEY BEFORE0 BEFORE1 MIN NAME: both ends' KEY counters grew by
# MIN or more, and by the same (give or take one in flight).
counted() {
	local n0 n1
	n0=$(($(json_counter "$a0" "$a1" "$1") - $2))
	n1=$(($(json_counter "$a1" "$a0" "$1") - $3))
	echo "$5: initiator $n0, responder $n1" | t_diag
	t_check "$5: at least $4 on the initiator ($n0) and as many on the responder ($n1)" \
		test "$n0" -ge "$4" -a $((n0 - n1)) -le 1 -a $((n1 - n0)) -le 1
}

# both_ways BYTES: server and client each received what the other sent.
both_ways() {
	intact cli srv "$1" && intact srv cli "$1"
}

## Symmetric rekeys after 16 KiB: 256 KiB each way, about 16 each.
b0=$(json_counter "$a0" "$a1" rekeys) b1=$(json_counter "$a1" "$a0" rekeys)
set_param rekey_after_bytes 16384
exchange "read:262144 sendn:262144" "sendn:262144 read:262144"
t_check "rekey every 16 KiB: 256 KiB each way intact" both_ways 262144
counted rekeys "$b0" "$b1" 20 "rekeys by bytes (sent and received, each end)"
restore_param rekey_after_bytes

## Symmetric rekeys after a second, on a paced transfer.
b0=$(json_counter "$a0" "$a1" rekeys) b1=$(json_counter "$a1" "$a0" rekeys)
set_param rekey_after_seconds 1
paced="sendn:4096 sleep:1200 sendn:4096 sleep:1200 sendn:4096"
exchange "read:12288 $paced" "$paced read:12288"
t_check "rekey every second: a paced 12 KiB each way intact" both_ways 12288
counted rekeys "$b0" "$b1" 2 "rekeys by time"

## The counter limit: counters start 8 records below 2^60; 64000 bytes each
## way (16 records) must cross it with a rekey, never reuse a counter.
b0=$(json_counter "$a0" "$a1" rekeys) b1=$(json_counter "$a1" "$a0" rekeys)
set_param rekey_after_seconds 0
echo 16 > "$params/fault_once"
exchange "read:64000 sendn:64000" "sendn:64000 read:64000"
echo 0 > "$params/fault_once"
t_check "counters 8 below the limit: 16 records each way intact" both_ways 64000
counted rekeys "$b0" "$b1" 2 "rekeys at the counter limit"

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
