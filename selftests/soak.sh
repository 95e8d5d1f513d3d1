#!/bin/bash
# The soak (soak.list): 30 connections at once, each 1,000 cycles of
# connect, hash-checked transfer, close (build/soak.cycles on the host
# overrides the count, for shorter runs; outside make soak, 10), with mixed ciphers (hci0 proposes
# ChaCha20-Poly1305 to hci1, hci1 AES-256-GCM to hci0) and a rekey every
# 4 KiB. The kernel's slab memory, rfsec's module size and sockets, and
# its counters are recorded before and after; afterwards no connection
# may be left open, the handshakes counted must cover every cycle, and
# the rekeys must have happened.
top=$(cd "$(dirname "$0")/.." && pwd)
rfsec=$top/user/rfsec
. "$top/selftests/lib.sh"
param=/sys/module/rfsec/parameters/rekey_after_bytes

cycles=$([ -n "$RFSEC_SOAK" ] && echo 1000 || echo 10)
[ -s "$top/build/soak.cycles" ] && cycles=$(cat "$top/build/soak.cycles")

# counters: the sums over every peer of every identity, from 'rfsec show -j'.
counters() {
	"$rfsec" show -j | python3 -c '
import json, sys
keys = ("handshakes", "rekeys", "tx_bytes", "rx_bytes", "tx_records", "rx_records", "connections")
sums = dict.fromkeys(keys, 0)
fails = 0
for i in json.load(sys.stdin)["identities"]:
    for p in i["peers"]:
        for k in keys:
            sums[k] += p[k]
        fails += sum(p["handshake_failures"].values())
print(" ".join("%s=%d" % (k, sums[k]) for k in keys), "handshake_failures=%d" % fails)'
}

memory() {
	echo "slab_kb=$(awk '/^Slab:/ { print $2 }' /proc/meminfo)" \
	     "rfsec_module_bytes=$(awk '$1 == "rfsec" { print $2 }' /proc/modules)" \
	     "rfsec_sockets=$("$rfsec" version dump | cut -f4)"
}

get() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

a1=$(bt_addr hci1)
pub1=$("$rfsec" show -j | python3 -c '
import json, sys
print([i["public_key"] for i in json.load(sys.stdin)["identities"] if i["name"] == "hci1"][0])')
flip_ciphers() {
	local n=0 c
	while :; do
		c=chacha20-poly1305
		[ $((n % 2)) = 1 ] && c=aes-256-gcm
		"$rfsec" peer set hci0 "$a1" public-key "$pub1" cipher "$c" || return 1
		n=$((n + 1))
		echo "$n" > /tmp/soak.flips
		sleep 2
	done
}
flip_ciphers &
flipper=$!
old_limit=$(cat "$param")
echo 4096 > "$param"

sync
before_mem=$(memory)
before=$(counters)
echo "# before: $before_mem $before"
start=$(date +%s)
"$top/build/selftests/soak" -c "$cycles" -j 30 -t 3000 > /tmp/soak.out 2>&1
rc=$?
# The program's TAP lines are this script's checks.
while read -r line; do
	case "$line" in
	"ok "*) t_ok "${line#ok [0-9]* }" ;;
	"not ok "*) t_fail "${line#not ok [0-9]* }" ;;
	"1.."*) ;;
	*) echo "$line" ;;
	esac
done < /tmp/soak.out
[ "$rc" = 0 ] || echo "# soak exited with status $rc"
kill "$flipper"
wait "$flipper" 2> /dev/null
flips=$(cat /tmp/soak.flips 2> /dev/null || echo 0)
if [ "$flips" -ge 2 ]; then
	t_ok "the cipher hci0 proposes switched $flips times during the soak"
else
	t_fail "the cipher hci0 proposes switched $flips times during the soak"
fi
echo "$old_limit" > "$param"
sleep 5
after_mem=$(memory)
after=$(counters)
echo "# after ($(($(date +%s) - start)) s): $after_mem $after"

completed=$(sed -n 's/.* \([0-9]*\) completed.*/\1/p' /tmp/soak.out)
hs=$(($(get "$after" handshakes) - $(get "$before" handshakes)))
rk=$(($(get "$after" rekeys) - $(get "$before" rekeys)))
slab=$(($(get "$after_mem" slab_kb) - $(get "$before_mem" slab_kb)))
echo "# slab grew by ${slab} kB over the soak"
# Both ends of each connection count a handshake with their peer.
if [ -n "$completed" ] && [ "$hs" -ge $((2 * completed)) ]; then
	t_ok "rfsec counted $hs handshakes for $completed completed cycles (two ends each)"
else
	t_fail "rfsec counted $hs handshakes for ${completed:-no} completed cycles (two ends each)"
fi
if [ "$rk" -gt 0 ]; then
	t_ok "rfsec counted $rk rekeys with the limit at 4 KiB"
else
	t_fail "rfsec counted $rk rekeys with the limit at 4 KiB"
fi
if [ "$(get "$after" connections)" = 0 ]; then
	t_ok "no connection is left open afterwards"
else
	t_fail "no connection is left open afterwards ($(get "$after" connections) are)"
fi
t_done
