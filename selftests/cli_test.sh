#!/bin/bash
# The tool's command line (issue 14, item 6): every -j output validated
# against the documented schema (docs/rfsec.schema.json, docs/JSON.md),
# compact by default and indented with -p; help for every command, and
# --help anywhere on the line; --opt=value; peer add creates only and peer
# set changes only what it is given (a pre-shared key is never dropped
# silently); monitor waits for the module; genkey warns about a readable
# file; the bash completion offers adapters and peers, never connections.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
rfsec=$top/user/rfsec
schema=$top/docs/rfsec.schema.json
tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
	[ -n "${modprobe_path:-}" ] && echo "$modprobe_path" > /proc/sys/kernel/modprobe
	modprobe rfsec 2> /dev/null
	for a in hci0 hci1 hci2; do
		RFSEC_STATE_DIR='' "$rfsec" identity del "$a" > /dev/null 2>&1
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# valid DEF FILE [--lines]: FILE matches the schema's DEF.
valid() {
	python3 "$top/selftests/json_check.py" $3 "$schema" "$1" "$2" | t_diag
	[ "${PIPESTATUS[0]}" = 0 ]
}
one_line() { [ "$(wc -l < "$1")" = 1 ]; }
# same_json A B: the same value, whatever the layout.
same_json() {
	python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' "$1" "$2"
}

modprobe rfsec
export RFSEC_STATE_DIR=$tmp/state
a0=$(bt_addr hci0)
a1=$(bt_addr hci1)
for n in 0 1 2; do
	"$rfsec" genkey > "$tmp/k$n"
	"$rfsec" pubkey < "$tmp/k$n" > "$tmp/p$n"
done
pub0=$(cat "$tmp/p0")
pub1=$(cat "$tmp/p1")
pub2=$(cat "$tmp/p2")
"$rfsec" genkey > "$tmp/psk"
P1=00:11:22:33:44:01

## Help

cmds=$("$rfsec" --help | sed -n 's/^  \([a-z]*\) .*/\1/p')
bad=
for c in $cmds; do
	[ "$c" = run ] && continue	# run.c is not this test's to judge
	"$rfsec" help "$c" > "$tmp/h1" 2>&1 || bad+=" $c(help)"
	"$rfsec" "$c" --help > "$tmp/h2" 2>&1 || bad+=" $c(--help)"
	cmp -s "$tmp/h1" "$tmp/h2" || bad+=" $c(differ)"
	grep -q "Usage: rfsec $c" "$tmp/h1" || bad+=" $c(usage)"
done
t_check "rfsec help CMD is rfsec CMD --help, for every command" test -z "$bad"
echo "commands:" $cmds "; bad:${bad:- none}" | t_diag
t_capture "$rfsec" peer add hci0 "$P1" --help
t_check "--help at the end of a full command line: usage, exit 0" \
	eval 't_rc_is 0 && t_out_has "Usage: rfsec peer add|set"'
t_capture "$rfsec" show --bogus
t_check "unknown option: exit 2, named" t_rc_err 2 "unknown option '--bogus'"

## --opt=value

t_capture "$rfsec" scan --timeout=0
t_check "scan --timeout=0: the value is read (bad timeout '0')" \
	t_rc_err 2 "bad timeout '0'"
t_capture "$rfsec" scan --adapter=hci9
t_check "scan --adapter=hci9: the value is read (unknown adapter)" \
	t_rc_err 1 "unknown adapter 'hci9'"

## Keys for the listings

"$rfsec" identity set hci0 "$tmp/k0" > /dev/null
"$rfsec" identity set hci1 "$tmp/k1" > /dev/null
"$rfsec" peer add hci0 "$a1" public-key "$pub1" > /dev/null
"$rfsec" peer add hci1 "$a0" public-key "$pub0" cipher aes-256-gcm > /dev/null
"$rfsec" peer add hci0 "$P1" policy allow-plaintext > /dev/null

## Every -j output against the schema

# check_json NAME DEF COMMAND...: COMMAND -j valid, on one line; -p valid,
# indented, the same value.
check_json() {
	# Not "name": t_check's own local would hide it inside the eval.
	local what=$1 def=$2
	shift 2
	"$@" -j > "$tmp/$what.json" 2> "$tmp/err"
	t_check "$what -j: exit 0, one line, valid against the schema ($def)" \
		eval 'one_line "$tmp/$what.json" && valid $def "$tmp/$what.json"'
	"$@" -p > "$tmp/$what.pretty" 2> "$tmp/err"
	t_check "$what -p: indented, valid, the same value" \
		eval '! one_line "$tmp/$what.pretty" && valid $def "$tmp/$what.pretty" && same_json "$tmp/$what.json" "$tmp/$what.pretty"'
	cut -c 1-600 "$tmp/$what.json" | t_diag
}
check_json show show "$rfsec" show
check_json show-hci1 show "$rfsec" show hci1
check_json peer-list peer_list "$rfsec" peer list
check_json identity-show identity_show "$rfsec" identity show
check_json version version_info "$rfsec" version
check_json adapters adapters "$rfsec" adapters
check_json scan scan "$rfsec" scan -i hci0 -t 2
t_check "show -j: the documented content (peers, cipher, psk, times)" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
ids = {i["adapter"]: i for i in d["identities"]}
assert d["version"] == 1
p = {p["address"]: p for p in ids[sys.argv[2]]["peers"]}
assert p[sys.argv[3]]["public_key"] == sys.argv[4]
assert p[sys.argv[5]]["public_key"] is None
assert p[sys.argv[5]]["policy"] == "allow-plaintext"
for q in p.values():
    assert q["last_handshake"] == int(q["last_handshake_ns"]) // 10**9
' "$tmp/show.json" "$a0" "$a1" "$pub1" "$P1"
t_check "peer list -j: each peer with its adapter" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
got = sorted((p["adapter"], p["address"], p["cipher"]) for p in d["peers"])
assert (sys.argv[2], sys.argv[3], "aes-256-gcm") in got, got
assert len(got) == 3, got
' "$tmp/peer-list.json" "$a1" "$a0"
t_check "adapters -j: hci0 with its address" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert {"name": "hci0", "address": sys.argv[2], "up": True} in d["adapters"]
' "$tmp/adapters.json" "$a0"

# A time jq reads exactly: a handshake, then the seconds and the string.
python3 - "$a0" "$a1" > "$tmp/conn" 2>&1 <<'PY'
import ctypes, socket, sys, threading
libc = ctypes.CDLL(None, use_errno=True)
# Python knows RFCOMM's addresses only: an rfsec fd wrapped as RFCOMM.
def rfsec_socket():
    fd = libc.socket(socket.AF_BLUETOOTH, socket.SOCK_STREAM, 7)
    assert fd >= 0, ctypes.get_errno()
    return socket.socket(socket.AF_BLUETOOTH, socket.SOCK_STREAM,
                         socket.BTPROTO_RFCOMM, fileno=fd)
a0, a1 = sys.argv[1], sys.argv[2]
srv = rfsec_socket()
srv.bind((a1, 9)); srv.listen(1)
t = threading.Thread(target=lambda: srv.accept()[0].recv(1))
t.start()
c = rfsec_socket()
c.bind((a0, 0)); c.connect((a1, 9)); c.send(b"x"); t.join(); c.close()
print("connected")
PY
"$rfsec" show -j > "$tmp/hs.json"
t_check "after a handshake: last_handshake in seconds and _ns exact" python3 -c '
import json, sys, time
d = json.load(open(sys.argv[1]))
p = [p for i in d["identities"] if i["adapter"] == sys.argv[2]
     for p in i["peers"] if p["address"] == sys.argv[3]][0]
ns = int(p["last_handshake_ns"])
assert p["handshakes"] >= 1 and ns > 0, p
assert p["last_handshake"] == ns // 10**9 and abs(time.time() - ns / 1e9) < 600
' "$tmp/hs.json" "$a0" "$a1"
valid show "$tmp/hs.json" || t_diag < "$tmp/conn"

## peer add creates only; peer set changes only what is given

t_capture "$rfsec" peer add hci0 "$a1" public-key "$pub2"
t_check "peer add of an existing peer: exit 1, says it exists" \
	t_rc_err 1 "the peer $a1 exists (change it with 'rfsec peer set')"
t_check "peer add of an existing peer: the peer is unchanged" \
	eval '"$rfsec" peer list hci0 | grep -qF "$a0 $a1 public-key $pub1 "'
"$rfsec" peer set hci0 "$a1" psk "$tmp/psk" cipher aes-256-gcm > /dev/null
t_capture "$rfsec" peer set hci0 "$a1" policy allow-plaintext
t_check "peer set policy: keeps key, pre-shared key (from the state) and cipher" \
	eval 't_rc_is 0 && "$rfsec" peer list hci0 | grep -F "$a0 $a1 public-key $pub1 psk yes policy allow-plaintext " | grep -qF " cipher aes-256-gcm"'
t_show
t_check "peer set policy: the peers file keeps the pre-shared key" \
	grep -qF "$a1 public-key $pub1 psk $(cat "$tmp/psk") policy allow-plaintext cipher aes-256-gcm" "$RFSEC_STATE_DIR/$a0/peers"
t_capture env RFSEC_STATE_DIR= "$rfsec" peer set hci0 "$a1" policy require
t_check "peer set with a pre-shared key the tool cannot know: refused, says so" \
	t_rc_err 1 "has a pre-shared key that the kernel does not give back"
t_check "... and the peer is unchanged" \
	eval '"$rfsec" peer list hci0 | grep -qF "$a1 public-key $pub1 psk yes policy allow-plaintext"'
t_capture "$rfsec" peer set hci0 "$a1" psk none
t_check "peer set psk none: removes the pre-shared key only" \
	eval 't_rc_is 0 && "$rfsec" peer list hci0 | grep -qF "$a1 public-key $pub1 psk no policy allow-plaintext"'
t_capture "$rfsec" peer set hci0 00:11:22:33:44:09 public-key "$pub2"
t_check "peer set of a new peer adds it" \
	eval 't_rc_is 0 && "$rfsec" peer list hci0 | grep -qF "00:11:22:33:44:09 public-key $pub2 psk no policy require"'
t_capture "$rfsec" peer set hci0 "$P1" policy require
t_check "peer set policy require on a peer without a key: exit 2, says why" \
	t_rc_err 2 "needs a public key unless its policy is allow-plaintext"

## monitor: every -j line valid; it waits for the module

"$rfsec" monitor -j > "$tmp/mon.json" 2> "$tmp/mon.err" &
pids=($!)
seen=
for _ in $(seq 30); do
	"$rfsec" peer set hci0 00:11:22:33:44:0a public-key "$pub2" > /dev/null
	"$rfsec" peer del hci0 00:11:22:33:44:0a > /dev/null
	grep -qF 00:11:22:33:44:0A "$tmp/mon.json" && { seen=1; break; }
	sleep 0.3
done
"$rfsec" identity set hci2 "$tmp/k2" > /dev/null
t_wait_for "$tmp/mon.json" '"event":"identity"' > /dev/null
kill "${pids[0]}"
wait "${pids[0]}" 2> /dev/null
pids=()
t_check "monitor -j: sees the changes" test -n "$seen"
t_check "monitor -j: every line valid against the schema (monitor_event)" \
	valid monitor_event "$tmp/mon.json" --lines
head -n 3 "$tmp/mon.json" | t_diag

for a in hci0 hci1 hci2; do
	RFSEC_STATE_DIR='' "$rfsec" identity del "$a" > /dev/null 2>&1
done
# The family lookup would load the module (its alias): not while the
# monitor starts.
modprobe_path=$(cat /proc/sys/kernel/modprobe)
if rmmod rfsec; then
	echo /bin/false > /proc/sys/kernel/modprobe
	"$rfsec" monitor > "$tmp/mon2.txt" 2> "$tmp/mon2.err" &
	pids=($!)
	t_check "monitor without the module: says it waits, keeps running" \
		eval 't_wait_for "$tmp/mon2.err" "the rfsec module is not loaded; waiting for it" && kill -0 ${pids[0]}'
	echo "$modprobe_path" > /proc/sys/kernel/modprobe
	modprobe rfsec
	t_check "monitor: sees the module loaded" \
		t_wait_for "$tmp/mon2.txt" "module-loaded"
	"$rfsec" identity set hci0 "$tmp/k0" > /dev/null
	t_check "monitor: then the module's events" \
		t_wait_for "$tmp/mon2.txt" "identity added $a0"
	kill "${pids[0]}"
	wait "${pids[0]}" 2> /dev/null
	pids=()
	cat "$tmp/mon2.txt" "$tmp/mon2.err" | t_diag
else
	t_fail "rmmod rfsec (to start monitor without the module)"
fi

## genkey and a file others can read

(umask 022; "$rfsec" genkey > "$tmp/readable.key" 2> "$tmp/err")
t_check "genkey into a mode 0644 file: warns" \
	t_err_has "writing a private key to a file others can read (mode 0644"
(umask 077; "$rfsec" genkey > "$tmp/private.key" 2> "$tmp/err")
t_check "genkey into a mode 0600 file: no warning" test ! -s "$tmp/err"

## The bash completion

# A plain RFCOMM link hci0 -> hci1 makes connection nodes like hci0:256.
python3 - "$a0" "$a1" > "$tmp/link" 2>&1 <<'PY' &
import socket, sys, time
srv = socket.socket(socket.AF_BLUETOOTH, socket.SOCK_STREAM, socket.BTPROTO_RFCOMM)
srv.bind((sys.argv[2], 11)); srv.listen(1)
c = socket.socket(socket.AF_BLUETOOTH, socket.SOCK_STREAM, socket.BTPROTO_RFCOMM)
c.bind((sys.argv[1], 0)); c.connect((sys.argv[2], 11))
conn, _ = srv.accept()
print("linked", flush=True)
time.sleep(30)
PY
pids=($!)
t_wait_for "$tmp/link" linked > /dev/null
conns=$(ls -d /sys/class/bluetooth/hci*:* 2> /dev/null | tr '\n' ' ')
# bash-completion's _init_completion, reduced to what the script uses.
complete_words() {
	bash -c '
		_init_completion() {
			words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD
			cur=${words[cword]}; prev=${words[cword - 1]}
		}
		_filedir() { :; }
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_rfsec
		printf "%s\n" "${COMPREPLY[@]}"' _ "$top/user/rfsec.bash-completion" "$@"
}
complete_words "$rfsec" show "" > "$tmp/comp"
t_diag < "$tmp/comp"
if [ -n "$conns" ]; then
	t_ok "a connection node exists while completing: $conns"
else
	t_fail "a connection node exists while completing (the link did not come up)"
fi
t_check "completion of 'show': adapters by name and by address" \
	eval 'grep -qx hci0 "$tmp/comp" && grep -qxF "$a0" "$tmp/comp"'
t_check "completion of 'show': no connection node (hciN:M)" \
	eval '! grep -q "^hci[0-9]*:" "$tmp/comp"'
"$rfsec" peer add hci0 "$a1" public-key "$pub1" > /dev/null
complete_words "$rfsec" peer del hci0 "" > "$tmp/comp"
t_check "completion of 'peer del hci0': its peers" grep -qxF "$a1" "$tmp/comp"
kill "${pids[0]}" 2> /dev/null
wait "${pids[0]}" 2> /dev/null
pids=()

t_done
