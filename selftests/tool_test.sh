#!/bin/bash
# The rfsec tool beyond keys: peer ciphers, show (text and JSON), monitor,
# scan, save and restore (with corrupt and unreadable state), and the
# errors people really hit: malformed addresses, absent or down adapters,
# no privileges, the module not loaded.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
rfsec=$top/user/rfsec
tmp=$(mktemp -d)
mon_pids=()
modprobe_path=$(cat /proc/sys/kernel/modprobe)
cleanup() {
	local p
	for p in "${mon_pids[@]}"; do kill "$p" 2> /dev/null; done
	echo "$modprobe_path" > /proc/sys/kernel/modprobe
	modprobe rfsec 2> /dev/null
	for a in hci0 hci1 hci2; do
		RFSEC_STATE_DIR='' "$rfsec" identity del "$a" > /dev/null 2>&1
	done
	hciconfig hci2 up 2> /dev/null && hciconfig hci2 piscan 2> /dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# lib.sh's helpers under the short names this file has always used.
capture() { t_capture "$@"; }
rc_is() { t_rc_is "$@"; }
out_has() { t_out_has "$@"; }
err_has() { t_err_has "$@"; }
rc_err() { t_rc_err "$@"; }
show() { t_show; }
wait_for() { t_wait_for "$@"; }
# The state of the kernel, from show -j, without the statistics.
config_of() {
	"$rfsec" show -j | python3 -c '
import json, sys
d = json.load(sys.stdin)
for i in sorted(d["identities"], key=lambda i: i["adapter"]):
    print(i["adapter"], i["public_key"])
    for p in sorted(i["peers"], key=lambda p: p["address"]):
        print(" ", p["address"], p["public_key"], p["policy"], p["cipher"],
              p["preshared_key"])'
}
# Reloads the module (no rfsec socket is open during this test).
reload() { rmmod rfsec && modprobe rfsec; }

modprobe rfsec
export RFSEC_STATE_DIR=$tmp/state
state=$RFSEC_STATE_DIR
a0=$(bt_addr hci0)
a1=$(bt_addr hci1)
a2=$(bt_addr hci2)
echo "hci0 $a0, hci1 $a1, hci2 $a2" | t_diag
for n in 0 1 2 3; do
	"$rfsec" genkey > "$tmp/k$n"
	"$rfsec" pubkey < "$tmp/k$n" > "$tmp/p$n"
done
pub0=$(cat "$tmp/p0")
pub1=$(cat "$tmp/p1")
pub3=$(cat "$tmp/p3")
"$rfsec" genkey > "$tmp/psk"
psk=$(cat "$tmp/psk")
P1=00:11:22:33:44:01
P2=00:11:22:33:44:02
P3=00:11:22:33:44:03

## Help and the man page

cmds=$("$rfsec" --help | sed -n 's/^  \([a-z]*\) .*/\1/p')
missing=
for c in $cmds; do
	"$rfsec" "$c" --help > "$tmp/out" 2>&1 &&
		grep -q "Usage: rfsec $c" "$tmp/out" || missing+=" $c(--help)"
	grep -q "^\.SS $c\b" "$top/docs/rfsec.8" || missing+=" $c(man)"
done
t_check "every command has --help and a section in rfsec(8)" \
	test -z "$missing"
echo "commands:" $cmds "; missing:${missing:- none}" | t_diag
if command -v man > /dev/null; then
	MANWIDTH=80 man --warnings -l "$top/docs/rfsec.8" > "$tmp/out" 2> "$tmp/err"
	t_check "rfsec(8) renders without warnings" \
		sh -c "[ ! -s '$tmp/err' ] && grep -q '^NAME' '$tmp/out'"
	t_diag < "$tmp/err"
else
	t_skip "rfsec(8) renders" "man is not installed"
fi

## identity set stores the private key

capture "$rfsec" identity set hci0 "$tmp/k0"
t_check "identity set hci0 exits 0" rc_is 0
show
t_check "identity set stores the key in \$RFSEC_STATE_DIR/ADDR/identity" \
	cmp -s "$tmp/k0" "$state/$a0/identity"
t_check "the state folders are mode 0700, the identity file 0600" \
	test "$(stat -c %a "$state") $(stat -c %a "$state/$a0") $(stat -c %a "$state/$a0/identity")" = "700 700 600"
capture "$rfsec" identity set hci1 - < "$tmp/k1"
t_check "identity set hci1 - stores it too" \
	sh -c "[ \$(cat '$tmp/rc') = 0 ] && cmp -s '$tmp/k1' '$state/$a1/identity'"
capture env RFSEC_STATE_DIR= "$rfsec" identity set hci2 "$tmp/k2"
t_check "RFSEC_STATE_DIR empty: identity set stores nothing" \
	sh -c "[ \$(cat '$tmp/rc') = 0 ] && [ ! -e '$state/$a2' ]"
show

## peer ciphers; peer add keeps the peers file

capture "$rfsec" peer add hci0 "$P1" public-key "$pub1" psk "$tmp/psk" \
	cipher aes-256-gcm
if rc_is 0; then
	cipher_ok=1
	t_ok "peer add ... cipher aes-256-gcm exits 0"
	capture "$rfsec" peer list hci0
	t_check "peer list shows the cipher the kernel reports" \
		out_has "$a0 $P1 public-key $pub1 psk yes policy require connections 0 handshakes 0 cipher aes-256-gcm"
	show
else
	cipher_ok=
	show
	t_skip "peer add ... cipher aes-256-gcm" \
		"the kernel does not accept RFSEC_A_PEER_CIPHER yet"
	t_skip "peer list shows the cipher" "no cipher support in the kernel"
	"$rfsec" peer add hci0 "$P1" public-key "$pub1" psk "$tmp/psk"
fi
capture "$rfsec" peer add hci0 "$P1" public-key "$pub1" cipher des
t_check "unknown cipher: exit 2 with a message" \
	rc_err 2 "unknown cipher 'des'"
t_check "the peers file records the peer with its pre-shared key" \
	grep -qF "$P1 public-key $pub1 psk $psk policy require" "$state/$a0/peers"
t_check "the peers file is mode 0600" \
	test "$(stat -c %a "$state/$a0/peers")" = 600
capture "$rfsec" peer add hci0 "$P2" policy allow-plaintext
t_check "peer add allow-plaintext without a key exits 0" rc_is 0
capture "$rfsec" peer add hci0 "$a1" public-key "$pub1"
capture "$rfsec" peer add hci1 "$a0" public-key "$pub0"
t_check "peers of hci1 added" rc_is 0
capture "$rfsec" peer add hci1 "$P3" public-key "$pub3"
capture "$rfsec" peer del hci1 "$P3"
t_check "peer del removes the peer from the peers file" \
	sh -c "[ \$(cat '$tmp/rc') = 0 ] && ! grep -q '^$P3' '$state/$a1/peers' && grep -q '^$a0 ' '$state/$a1/peers'"

## show

capture "$rfsec" show
t_check "show exits 0" rc_is 0
t_check "show: each adapter with its hciN name, state and public key" \
	sh -c "grep -qxF 'adapter: $a0 (hci0, up)' '$tmp/out' && grep -qxF '  public key: $pub0' '$tmp/out' && grep -qxF 'adapter: $a2 (hci2, up)' '$tmp/out'"
t_check "show: the peer with its key, policy and pre-shared key" \
	sh -c "grep -qxF '  peer: $P1' '$tmp/out' && grep -qxF '    public key: $pub1' '$tmp/out' && grep -qxF '    preshared key: yes' '$tmp/out' && grep -qxF '    policy: allow-plaintext' '$tmp/out'"
t_check "show: never a handshake, no traffic, no failures" \
	sh -c "grep -qxF '    latest handshake: never' '$tmp/out' && grep -qxF '    transfer: 0 B received, 0 B sent' '$tmp/out' && grep -qxF '    handshake failures: none' '$tmp/out'"
if [ -n "$cipher_ok" ]; then
	t_check "show: the cipher" out_has "    cipher: aes-256-gcm"
else
	t_skip "show: the cipher" "no cipher support in the kernel"
fi
t_check "show: no private or pre-shared key in the output" \
	sh -c "! grep -qF -e '$(cat "$tmp/k0")' -e '$psk' -e '$(cat "$tmp/k1")' '$tmp/out'"
show

capture "$rfsec" show -j
t_check "show -j exits 0" rc_is 0
cp "$tmp/out" "$tmp/show.json"
t_check "show -j: valid JSON with the documented fields" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
ids = {i["adapter"]: i for i in d["identities"]}
i0 = ids[sys.argv[2]]
assert i0["name"] == "hci0" and i0["present"] is True and i0["up"] is True
assert i0["public_key"] == sys.argv[3]
peers = {p["address"]: p for p in i0["peers"]}
p1 = peers[sys.argv[4]]
assert p1["public_key"] == sys.argv[5] and p1["preshared_key"] is True
assert p1["policy"] == "require" and p1["last_handshake"] == 0
assert p1["last_handshake_ns"] == "0"
for k in ("handshakes", "rx_bytes", "tx_bytes", "rx_records", "tx_records",
          "rekeys", "connections", "unclean_ends", "ratchets"):
    assert p1[k] == 0, k
assert set(p1["handshake_failures"]) == {"no-key", "wrong-key", "malformed",
    "replay", "timeout", "refused", "closed", "cipher", "version"}
assert peers[sys.argv[6]]["public_key"] is None
assert "cipher" in p1
' "$tmp/show.json" "$a0" "$pub0" "$P1" "$pub1" "$P2"
t_check "show -j: no private or pre-shared key" \
	sh -c "! grep -qF -e '$(cat "$tmp/k0")' -e '$psk' '$tmp/show.json'"
capture "$rfsec" show hci1 -j
t_check "show hci1 -j: only hci1's identity" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [i["adapter"] for i in d["identities"]] == [sys.argv[2]]
assert [p["address"] for p in d["identities"][0]["peers"]] == [sys.argv[3]]
' "$tmp/out" "$a1" "$a0"
show

## monitor

"$rfsec" monitor > "$tmp/mon.txt" 2> "$tmp/mon.err" &
mon_txt=$!
"$rfsec" monitor -j > "$tmp/mon.json" 2> "$tmp/mon.jerr" &
mon_json=$!
mon_pids=("$mon_txt" "$mon_json")
# The monitors subscribe asynchronously: change until both have seen one.
seen=
for _ in $(seq 30); do
	"$rfsec" peer set hci0 "$P3" public-key "$pub3" > /dev/null
	if grep -qF "$P3" "$tmp/mon.txt" && grep -qF "$P3" "$tmp/mon.json"; then
		seen=1
		break
	fi
	"$rfsec" peer del hci0 "$P3" > /dev/null
	sleep 0.3
done
t_check "monitor: sees a peer being added" test -n "$seen"
# The key is base64: matched as a fixed string, the timestamp as a pattern.
mon_line() {
	grep -F " peer added $a0 $P3 public-key $pub3 psk no policy require" \
		"$tmp/mon.txt" |
		grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}[+-][0-9]{2}:[0-9]{2} peer added '
}
t_check "monitor: the line has a timestamp, change, adapter, peer and key" \
	mon_line
"$rfsec" peer del hci0 "$P3"
t_check "monitor: sees the peer removed" \
	wait_for "$tmp/mon.txt" "peer removed $a0 $P3"
"$rfsec" identity set hci2 "$tmp/k3"
t_check "monitor: sees an identity updated, with its new public key" \
	wait_for "$tmp/mon.txt" "identity updated $a2 public-key $pub3"
wait_for "$tmp/mon.json" '"event":"identity"' > /dev/null
kill -INT "$mon_txt"
wait "$mon_txt"
t_check "monitor: SIGINT ends it with exit 0" test $? = 0
kill -TERM "$mon_json"
wait "$mon_json"
t_check "monitor -j: SIGTERM ends it with exit 0" test $? = 0
mon_pids=()
t_check "monitor -j: one JSON object per line, with the documented fields" \
	python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert ev, "no events"
added = [e for e in ev if e["event"] == "peer" and e["change"] == "added"]
assert added and added[0]["peer"] == sys.argv[2] and added[0]["adapter"] == sys.argv[3]
assert added[0]["public_key"] == sys.argv[4] and added[0]["preshared_key"] is False
assert added[0]["policy"] == "require" and "cipher" in added[0]
ids = [e for e in ev if e["event"] == "identity"]
assert ids and ids[-1]["change"] == "updated" and ids[-1]["public_key"] == sys.argv[5]
assert all("time" in e for e in ev)
' "$tmp/mon.json" "$P3" "$a0" "$pub3" "$pub3"
cat "$tmp/mon.txt" "$tmp/mon.err" | tail -n 4 | t_diag

# Piped: each line arrives at once, and the monitor ends once its reader
# has gone (at the next event).
("$rfsec" monitor | head -n 1 > "$tmp/mon.head") &
piped=$!
mon_pids=("$piped")
for _ in $(seq 30); do
	"$rfsec" peer set hci0 "$P3" public-key "$pub3" > /dev/null
	"$rfsec" peer del hci0 "$P3" > /dev/null
	[ -s "$tmp/mon.head" ] && break
	sleep 0.3
done
"$rfsec" peer set hci0 "$P3" public-key "$pub3" > /dev/null
"$rfsec" peer del hci0 "$P3" > /dev/null
ended=
for _ in $(seq 50); do
	kill -0 "$piped" 2> /dev/null || { ended=1; break; }
	sleep 0.2
done
[ -n "$ended" ] && mon_pids=()
t_check "monitor | head -n 1: the line comes through the pipe" \
	grep -qF "$P3" "$tmp/mon.head"
t_check "monitor | head -n 1: the monitor ends once head has gone" \
	test -n "$ended"

## scan

# btvirt's controllers have no names until they are given one.
hciconfig hci1 name "rfsec test one" 2>&1 | t_diag
capture "$rfsec" scan -i hci0 --timeout 4
show
if rc_is 0 && grep -qF "$a1" "$tmp/out"; then
	t_ok "scan -i hci0: finds the other virtual controller hci1"
	t_check "scan: hci1, a peer of hci0, is marked 'peer'" \
		grep -qE "^$a1  peer  " "$tmp/out"
	if grep -qF "$a2" "$tmp/out"; then
		t_check "scan: hci2, not a peer of hci0, is marked '-'" \
			grep -qE "^$a2  -     " "$tmp/out"
	else
		t_skip "scan: hci2 is marked '-'" "the inquiry did not find hci2"
	fi
	t_check "scan: each line has a name (or '(no name)')" \
		sh -c "! grep -qvE '^([0-9A-F]{2}:){5}[0-9A-F]{2}  (peer|-   )  .+' '$tmp/out'"
	t_check "scan: hci1's name, read from the remote device" \
		grep -qxF "$a1  peer  rfsec test one" "$tmp/out"
elif rc_is 0; then
	t_skip "scan -i hci0 finds hci1" "the inquiry found nothing on btvirt"
else
	t_fail "scan -i hci0 exits 0"
fi
capture "$rfsec" scan --timeout 0
t_check "scan --timeout 0: exit 2 with a message" \
	rc_err 2 "bad timeout '0'"

## Errors people hit

capture "$rfsec" show 00:11:22:33:44
t_check "malformed adapter address: exit 2, says so" \
	rc_err 2 "malformed adapter address '00:11:22:33:44' (expected XX:XX:XX:XX:XX:XX)"
capture "$rfsec" peer add hci0 00:11:22:33:44:5G public-key "$pub1"
t_check "malformed peer address: exit 2, says so" \
	rc_err 2 "malformed peer address '00:11:22:33:44:5G'"
capture "$rfsec" show hci9
t_check "absent adapter hci9 (show): exit 1, no such controller" \
	rc_err 1 "unknown adapter 'hci9' (no such Bluetooth controller"
capture "$rfsec" scan -i hci9
t_check "absent adapter hci9 (scan): exit 1, no such controller" \
	rc_err 1 "unknown adapter 'hci9'"
capture "$rfsec" scan -i 00:11:22:33:44:55
t_check "scan with an address no adapter has: exit 1, says so" \
	rc_err 1 "no Bluetooth adapter with the address 00:11:22:33:44:55 is present"
hciconfig hci2 down
capture "$rfsec" scan -i hci2
t_check "adapter down (scan): exit 1, says it is down and how to fix it" \
	rc_err 1 "adapter hci2 ($a2) is down (try: btmgmt --index 2 power on)"
capture "$rfsec" identity set hci2 "$tmp/k2"
t_check "adapter down: its identity can still be set by hciN" rc_is 0
show
capture "$rfsec" show hci2
t_check "show: a down adapter is shown as down" \
	out_has "adapter: $a2 (hci2, down)"
hciconfig hci2 up
hciconfig hci2 piscan
capture as_nobody "$rfsec" peer add hci0 "$P3" public-key "$pub3"
t_check "not root: exit 1, need CAP_NET_ADMIN" \
	rc_err 1 "permission denied (need CAP_NET_ADMIN; try sudo)"
capture as_nobody "$rfsec" show -j
t_check "not root: show is refused (who is trusted is for admins), says why" \
	eval 'rc_err 1 "permission denied (need CAP_NET_ADMIN; try sudo)" && ! out_has "$P3"'
capture as_nobody timeout 5 "$rfsec" monitor
t_check "not root: monitor is refused, says why" \
	rc_err 1 "permission denied: the events name trusted devices, so only CAP_NET_ADMIN may watch them (try sudo)"
capture as_nobody "$rfsec" save
t_check "not root: save is refused before it reads who is trusted" \
	rc_err 1 "permission denied (need CAP_NET_ADMIN; try sudo)"
show

## save, reload the module, restore

capture "$rfsec" save
t_check "save exits 0 and reports each identity" \
	sh -c "[ \$(cat '$tmp/rc') = 0 ] && grep -qxF 'saved $a0: identity and 3 peers' '$tmp/out'"
show
t_check "save keeps the pre-shared key it cannot read from the kernel" \
	grep -qF "$P1 public-key $pub1 psk $psk " "$state/$a0/peers"
config_of > "$tmp/before"
cat "$tmp/before" | t_diag
"$rfsec" monitor > "$tmp/mon2.txt" 2>&1 &
mon_pids=($!)
sleep 1
reload
t_check "rmmod and modprobe: the kernel has forgotten everything" \
	test -z "$(config_of)"
capture "$rfsec" restore
t_check "restore exits 0" rc_is 0
show
config_of > "$tmp/after"
t_check "restore: identities (public keys) and peers are back as saved" \
	cmp -s "$tmp/before" "$tmp/after"
diff "$tmp/before" "$tmp/after" | t_diag
capture "$rfsec" peer list hci0
t_check "restore: the pre-shared key is back" \
	out_has "$a0 $P1 public-key $pub1 psk yes"
t_check "monitor: follows the module through rmmod and modprobe" \
	sh -c "grep -q 'module-unloaded' '$tmp/mon2.txt' && grep -q 'module-loaded' '$tmp/mon2.txt'"
t_check "monitor: sees the restore after the reload" \
	wait_for "$tmp/mon2.txt" "identity added $a0 public-key $pub0"
kill "${mon_pids[0]}"
wait "${mon_pids[0]}" 2> /dev/null
mon_pids=()
cat "$tmp/mon2.txt" | t_diag

## Corrupt and unreadable state is refused, untouched, not applied

cp -a "$state" "$tmp/bad"
bad=$tmp/bad
sed -i "3a $P3 public-key not-a-key" "$bad/$a0/peers"
sum=$(md5sum < "$bad/$a0/peers")
reload
capture env RFSEC_STATE_DIR="$bad" "$rfsec" restore
t_check "corrupt peers file: restore exits 1, names the file and line" \
	rc_err 1 "$bad/$a0/peers:4: bad public-key"
show
t_check "corrupt peers file: nothing of that adapter is applied" \
	sh -c "! '$rfsec' identity show hci0 > /dev/null 2>&1"
t_check "corrupt peers file: the other adapters are restored" \
	sh -c "'$rfsec' identity show hci1 | grep -qF '$pub1'"
t_check "corrupt peers file: left untouched" \
	test "$(md5sum < "$bad/$a0/peers")" = "$sum"
"$rfsec" identity set hci0 "$tmp/k0" > /dev/null
capture env RFSEC_STATE_DIR="$bad" "$rfsec" peer add hci0 "$P3" public-key "$pub3"
t_check "peer add with a corrupt peers file: exit 1, says it is not stored" \
	sh -c "[ \$(cat '$tmp/rc') = 1 ] && grep -qF 'not stored' '$tmp/err' && grep -qF '$bad/$a0/peers:4' '$tmp/err'"
t_check "peer add with a corrupt peers file: the file is left untouched" \
	test "$(md5sum < "$bad/$a0/peers")" = "$sum"
capture env RFSEC_STATE_DIR="$bad" "$rfsec" save
t_check "save with a corrupt peers file: exit 1, file left untouched" \
	sh -c "[ \$(cat '$tmp/rc') = 1 ] && [ \"\$(md5sum < '$bad/$a0/peers')\" = '$sum' ]"
show
echo "garbage" > "$bad/$a1/identity"
capture env RFSEC_STATE_DIR="$bad" "$rfsec" restore
t_check "corrupt identity file: refused with the file and line" \
	rc_err 1 "$bad/$a1/identity:1: not a private key"

rm -rf "$bad"
cp -a "$state" "$bad"
rm "$bad/$a1/peers"
mkdir "$bad/$a1/peers"
reload
capture env RFSEC_STATE_DIR="$bad" "$rfsec" restore
t_check "unreadable peers file (a folder): refused, named, exit 1" \
	rc_err 1 "cannot read $bad/$a1/peers: Is a directory; refused"
t_check "unreadable peers file: that adapter's identity is not applied" \
	sh -c "! '$rfsec' identity show hci1 > /dev/null 2>&1 && '$rfsec' identity show hci0 > /dev/null"
show
rm -rf "$bad"
cp -a "$state" "$bad"
chown -R 65534:65534 "$bad"
chmod 000 "$bad/$a0/identity"
chmod 711 "$tmp"	# nobody may pass through to $bad
capture as_nobody env RFSEC_STATE_DIR="$bad" "$rfsec" restore
chmod 700 "$tmp"
t_check "unreadable identity file (mode 000, not root): refused, named" \
	rc_err 1 "cannot read $bad/$a0/identity: Permission denied; refused"
show

capture "$rfsec" identity del hci2
t_check "identity del removes the adapter's state folder" \
	sh -c "[ \$(cat '$tmp/rc') = 0 ] && [ ! -e '$state/$a2' ]"

## The module not loaded (and not loadable)

echo /bin/false > /proc/sys/kernel/modprobe
rmmod rfsec
capture "$rfsec" show
t_check "module not loaded: exit 1, says so and how to load it" \
	rc_err 1 "the rfsec kernel module is not loaded (try: modprobe rfsec)"
capture timeout 3 "$rfsec" monitor
t_check "module not loaded (monitor): says so and waits for it" \
	rc_err 124 "the rfsec module is not loaded; waiting for it"
capture "$rfsec" restore
t_check "module not loaded (restore): the same message" \
	rc_err 1 "the rfsec kernel module is not loaded"
echo "$modprobe_path" > /proc/sys/kernel/modprobe
modprobe rfsec
capture "$rfsec" restore
t_check "modprobe, restore: back again" rc_is 0
show

## A real connection: handshake-done, and show's statistics

# hci0 and hci1 hold each other as peers (restored above). A module that
# takes RFSEC_A_PEER_CIPHER has the handshake: the connection must run it.
"$rfsec" monitor -j > "$tmp/mon3.json" 2>&1 &
mon_pids=($!)
sleep 1
"$rfsec" run -- rctest -i hci1 -r -P 14 > "$tmp/rctest.srv" 2>&1 &
srv=$!
sleep 1
timeout 60 "$rfsec" run -- rctest -i hci0 -s -P 14 -N 5 -b 500 -L 10 "$a1" \
	> "$tmp/rctest.cli" 2>&1
cli_rc=$?
sleep 1
kill "$srv" 2> /dev/null
wait "$srv" 2> /dev/null
wait_for "$tmp/mon3.json" '"handshake-done"' > /dev/null
kill "${mon_pids[0]}"
wait "${mon_pids[0]}" 2> /dev/null
mon_pids=()
"$rfsec" show -j > "$tmp/show3.json"
if [ -n "$cipher_ok" ]; then
	t_check "rctest through rfsec run, hci0 to hci1, exits 0" \
		test "$cli_rc" = 0
	t_check "monitor -j: handshake-done for hci0's peer hci1, with a cipher" \
		python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
done = [e for e in ev if e["event"] == "handshake-done"]
assert any(e["adapter"] == sys.argv[2] and e["peer"] == sys.argv[3] and
           e["cipher"] in ("chacha20-poly1305", "aes-256-gcm")
           for e in done), done
' "$tmp/mon3.json" "$a0" "$a1"
	t_check "show -j: a handshake, its time and the bytes sent and received" \
		python3 -c '
import json, sys, time
d = json.load(open(sys.argv[1]))
ids = {i["adapter"]: i for i in d["identities"]}
p = {q["address"]: q for q in ids[sys.argv[2]]["peers"]}[sys.argv[3]]
assert p["handshakes"] >= 1, p
assert abs(int(p["last_handshake_ns"]) / 1e9 - time.time()) < 600, p
assert p["tx_bytes"] >= 2000 and p["tx_records"] >= 1, p
q = {q["address"]: q for q in ids[sys.argv[3]]["peers"]}[sys.argv[2]]
assert q["handshakes"] >= 1 and q["rx_bytes"] >= 2000, q
' "$tmp/show3.json" "$a0" "$a1"
	capture "$rfsec" show hci0
	t_check "show: the latest handshake in seconds ago, not never" \
		sh -c "grep -A5 '  peer: $a1' '$tmp/out' | grep -qE '    latest handshake: (now|[0-9]+ seconds? ago|1 minute.* ago)'"
	show

	# hci1 now expects another key of hci0: the handshake must fail.
	"$rfsec" peer set hci1 "$a0" public-key "$pub3"
	"$rfsec" monitor -j > "$tmp/mon4.json" 2>&1 &
	mon_pids=($!)
	sleep 1
	"$rfsec" run -- rctest -i hci1 -r -P 15 > "$tmp/rctest.srv" 2>&1 &
	srv=$!
	sleep 1
	timeout 60 "$rfsec" run -- rctest -i hci0 -s -P 15 -N 1 -b 100 "$a1" \
		> "$tmp/rctest.cli" 2>&1
	sleep 1
	kill "$srv" 2> /dev/null
	wait "$srv" 2> /dev/null
	wait_for "$tmp/mon4.json" '"handshake-failed"' > /dev/null
	kill "${mon_pids[0]}"
	wait "${mon_pids[0]}" 2> /dev/null
	mon_pids=()
	t_check "monitor -j: handshake-failed between hci0 and hci1, with a named reason" \
		python3 -c '
import json, sys
names = {"no-key", "wrong-key", "malformed", "replay", "timeout", "refused",
         "closed", "cipher", "version"}
ev = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
bad = [e for e in ev if e["event"] == "handshake-failed"]
assert bad and all(e["reason"] in names for e in bad), ev
assert {(e["adapter"], e["peer"]) for e in bad} <= {(sys.argv[2], sys.argv[3]),
                                                    (sys.argv[3], sys.argv[2])}
' "$tmp/mon4.json" "$a0" "$a1"
	"$rfsec" show -j > "$tmp/show4.json"
	capture "$rfsec" show
	t_check "show: handshake failures counted by reason" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
n = 0
for i in d["identities"]:
    for p in i["peers"]:
        for reason, count in p["handshake_failures"].items():
            if count:
                n += count
                assert "%s %d" % (reason, count) in text, (reason, text)
assert n >= 1
' "$tmp/show4.json" "$tmp/out"
	grep -e 'peer:' -e 'failures' "$tmp/out" | t_diag
	grep -v '"event":"peer"\|"event":"identity"' "$tmp/mon4.json" | t_diag
else
	t_skip "rctest through rfsec run with a handshake" \
		"the module has no handshake yet (it refuses RFSEC_A_PEER_CIPHER)"
fi
t_diag < "$tmp/rctest.cli"
grep -v '"event":"peer"\|"event":"identity"' "$tmp/mon3.json" | t_diag

## Cleanup

for a in hci0 hci1; do
	capture "$rfsec" identity del "$a"
	t_check "identity del $a exits 0" rc_is 0
done
capture "$rfsec" show
t_check "show is empty after the cleanup" \
	sh -c "[ \$(cat '$tmp/rc') = 0 ] && [ ! -s '$tmp/out' ]"
t_done
