#!/bin/bash
# The kernel's protocol (version 2) against the reference peer (refpeer,
# written from docs/PROTOCOL.md on OpenSSL): refpeer plays one side on a
# plain RFCOMM socket with an adapter's identity key, the kernel's rfsec
# socket (rfsec_app) the other. Interop both ways with both ciphers and a
# psk, data and rekeys both ways; then every fault refpeer can inject, each
# checking the errno section 6 gives, that the application received the
# good data and not one byte of the bad record, that a listener never
# accepts a failed handshake, and the failure reason in the peer's
# statistics. Then what version 2 promises: the close record (a cut link
# is an error, ECONNABORTED; a close reads as RFCOMM's orderly end,
# ECONNRESET), receive limits, the responder's channel,
# refusals of other versions and ciphers, no clock needed, replays, and
# concurrent connects. Last, an adapter without identity or peer entry
# (hci2), refused the same way as a wrong key.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
rfsec=$top/user/rfsec
bin=$top/build/selftests
tmp=$(mktemp -d)
params=/sys/module/rfsec/parameters
pids=()
saved_params=()

cleanup() {
	local p
	[ "$BASHPID" = "$$" ] || return 0
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${saved_params[@]}"; do echo "${p#*=}" > "$params/${p%%=*}"; done
	"$rfsec" identity del hci0 > /dev/null 2>&1
	"$rfsec" identity del hci1 > /dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

modprobe rfsec
# A clean slate: no adapter holds an identity (hci2 must not).
for h in hci0 hci1 hci2; do "$rfsec" identity del $h > /dev/null 2>&1; done
for h in hci0 hci1 hci2; do
	if [ -z "$(bt_addr $h)" ]; then
		t_skip "protocol tests" "$h is missing (needs three controllers)"
		t_done
	fi
done
a0=$(bt_addr hci0)
a1=$(bt_addr hci1)
a2=$(bt_addr hci2)

# Sets a module parameter until restore_param (or the exit).
set_param() {
	[ -w "$params/$1" ] || return 1
	saved_params+=("$1=$(cat "$params/$1")")
	echo "$2" > "$params/$1"
}
restore_param() {
	local p
	for p in "${saved_params[@]}"; do
		[ "${p%%=*}" = "$1" ] && echo "${p#*=}" > "$params/$1"
	done
}

## Identities: hci0 and hci1 know each other; hci2 has none.

for i in 0 1 2; do "$rfsec" genkey > "$tmp/k$i"; done
pub0=$("$rfsec" pubkey < "$tmp/k0")
pub1=$("$rfsec" pubkey < "$tmp/k1")
pub2=$("$rfsec" pubkey < "$tmp/k2")
"$rfsec" genkey > "$tmp/psk"
t_check "identities for hci0 and hci1, each the other's peer" sh -c "
	'$rfsec' identity set hci0 '$tmp/k0' &&
	'$rfsec' identity set hci1 '$tmp/k1' &&
	'$rfsec' peer add hci0 $a1 public-key $pub1 &&
	'$rfsec' peer add hci1 $a0 public-key $pub0"
echo "hci0 $a0 $pub0, hci1 $a1 $pub1, hci2 $a2 (no identity)" | t_diag

# Channels in turn, so that no case reuses a DLC the one before may still
# be closing. Channel 30 holds one connection between hci0 and hci1 open
# for the whole run, so that the cases do not each wait for a new ACL link
# and RFCOMM session.
chan=0
next_chan() { chan=$((chan % 29 + 1)); }

# Waits until FILE has a line "listening" (a listener is up).
wait_listening() {
	local i
	for i in $(seq 100); do
		grep -q '^listening' "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# stop_after SECONDS PID: waits for PID to end, stopping it after SECONDS.
stop_after() {
	timeout "$1" tail --pid="$2" -s 0.1 -f /dev/null
	kill "$2" 2>/dev/null
	wait "$2" 2>/dev/null
}

# The two ends of one case, their outputs in $tmp/app and $tmp/peer.
#   kresp: rfsec_app listens on hci1, refpeer connects from hci0
#   kinit: refpeer listens on hci0, rfsec_app connects from hci1
# $app_opts and $app_acts, $peer_opts and $peer_acts are arrays.
# A listener still waiting when the connecting side is done is given
# $grace seconds, then stopped (its output then ends without "accept ok").
grace=1
run_case() {
	local mode=$1 pid t0=$(ms) t1
	next_chan
	: > "$tmp/app"
	: > "$tmp/peer"
	if [ "$mode" = kresp ]; then
		timeout 60 "$bin/rfsec_app" listen -i hci1 -c $chan -t 20000 \
			"${app_opts[@]}" "${app_acts[@]}" > "$tmp/app" 2>&1 &
		pid=$!
		pids+=($pid)
		wait_listening "$tmp/app"
		timeout 60 "$bin/refpeer" connect -i "${peer_if:-hci0}" -a "$a1" \
			-c $chan -k "${peer_key:-$tmp/k0}" -p "$pub1" \
			"${peer_opts[@]}" "${peer_acts[@]}" > "$tmp/peer" 2>&1
	else
		timeout 60 "$bin/refpeer" listen -i hci0 -c $chan -t 20000 \
			-k "$tmp/k0" -p "$pub1" "${peer_opts[@]}" \
			"${peer_acts[@]}" > "$tmp/peer" 2>&1 &
		pid=$!
		pids+=($pid)
		wait_listening "$tmp/peer"
		timeout 60 "$bin/rfsec_app" connect -i hci1 -a "$a0" -c $chan \
			-t 20000 "${app_opts[@]}" "${app_acts[@]}" > "$tmp/app" 2>&1
	fi
	t1=$(ms)
	stop_after $grace $pid
	echo "case $mode ${peer_opts[*]}: channel $chan, $((t1 - t0)) ms, then $(($(ms) - t1)) ms" | t_diag
	app_opts=() app_acts=() peer_opts=() peer_acts=()
	peer_if= peer_key=
}

# closed app|peer: that side saw the other end the stream in order: the
# application read RFCOMM's orderly end (ECONNRESET: RFCOMM reports a
# peer's close so, and rfsec keeps that for an authenticated close),
# refpeer received the close record.
closed() {
	case $1 in
	app) grep -qx "end ECONNRESET" "$tmp/app" ;;
	peer) grep -qx "end close" "$tmp/peer" ;;
	esac
}
# dropped app|peer: the other side dropped the link (after a failure).
dropped() { grep -qx "end eof\|end eof-unclean\|end ECONNRESET\|end ECONNABORTED" "$tmp/$1"; }
app_has() { grep -qxF -- "$1" "$tmp/app"; }
peer_has() { grep -qxF -- "$1" "$tmp/peer"; }
show() {
	{ echo "app:"; sed 's/^/  /' "$tmp/app"; echo "refpeer:"; sed 's/^/  /' "$tmp/peer"; } | t_diag
}
# check NAME COND...: one TAP line; on failure both outputs.
check() {
	local name=$1
	shift
	if "$@"; then t_ok "$name"; else t_fail "$name"; show; fi
}
all() { local c; for c in "$@"; do eval "$c" || return 1; done; }

# Handshake failure counters of hci1's peer hci0, as "reason=N ...", and
# its unclean ends (unclean=N).
stats() {
	"$bin/rfsec_app" stats "$a1" "$a0" |
		sed -n 's/^failures //p; s/^unclean-ends /unclean=/p' | paste -sd' '
}
stat_of() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# stat_grew BEFORE REASON: the counter REASON went up by exactly one. No
# statistics at all is a failure, never a silent pass.
stat_grew() {
	local after
	after=$(stats)
	if [ -z "$1" ] || [ -z "$after" ] || [ -z "$(stat_of "$after" "$2")" ]; then
		echo "rfsec_app stats gave no counter $2: before '$1', after '$after'" | t_diag
		return 1
	fi
	[ "$(stat_of "$after" "$2")" = $(($(stat_of "$1" "$2") + 1)) ] ||
		{ echo "failures before: $1; after: $after" | t_diag; return 1; }
}

ms() { echo $(($(date +%s%N) / 1000000)); }

timeout 600 "$bin/refpeer" listen -i hci1 -c 30 -t 600000 -k "$tmp/k1" \
	-p "$pub0" readall > "$tmp/keep.l" 2>&1 &
pids+=($!)
wait_listening "$tmp/keep.l"
timeout 600 "$bin/refpeer" connect -i hci0 -a "$a1" -c 30 -k "$tmp/k0" \
	-p "$pub1" -t 600000 sleep:600000 > "$tmp/keep.c" 2>&1 &
pids+=($!)

## refpeer against itself (no kernel): the tool is sound.

refpeer_self() {
	local cipher=$1 fault=$2
	next_chan
	timeout 30 "$bin/refpeer" listen -i hci1 -c $chan -t 10000 -k "$tmp/k1" \
		-p "$pub0" read:5 send:world readall > "$tmp/app" 2>&1 &
	local pid=$!
	wait_listening "$tmp/app"
	timeout 30 "$bin/refpeer" connect -i hci0 -a "$a1" -c $chan \
		-k "$tmp/k0" -p "$pub1" -C "$cipher" ${fault:+-f $fault} \
		send:hello ${fault:+inject} read:5 > "$tmp/peer" 2>&1
	wait $pid
}
for cipher in chachapoly aesgcm; do
	refpeer_self $cipher
	check "refpeer to refpeer, $cipher: handshake and data both ways, close record" all \
		'app_has "hs ok"' 'app_has "recv hello"' 'app_has "end close"' \
		'peer_has "hs ok"' 'peer_has "recv world"'
done
refpeer_self chachapoly flip-tag
check "refpeer to refpeer: a flipped tag is caught after the good data" all \
	'app_has "recv hello"' 'app_has "end badrecord tag"'

## Interop: the kernel as responder and as initiator.

msg_i="refpeer-says-hello-to-the-kernel"
msg_k="kernel-answers-refpeer"
for cipher in chachapoly aesgcm; do
	peer_opts=(-C $cipher)
	peer_acts=(send:$msg_i read:${#msg_k})
	app_acts=(read:${#msg_i} send:$msg_k readall)
	run_case kresp
	check "kernel responder, $cipher: accepts refpeer's handshake" all \
		'peer_has "hs ok"' 'app_has "accept ok"'
	check "kernel responder, $cipher: data both ways intact, refpeer's close reads as RFCOMM's orderly end" all \
		'app_has "recv $msg_i"' 'peer_has "recv $msg_k"' \
		'closed app' 'peer_has "end ok"'
done

app_acts=(send:$msg_k read:${#msg_i})
peer_acts=(read:${#msg_k} send:$msg_i readall)
run_case kinit
check "kernel initiator, chachapoly: refpeer accepts its handshake" all \
	'app_has "connect ok"' 'peer_has "hs ok"' 'peer_has "cipher chachapoly"'
check "kernel initiator, chachapoly: data both ways intact, the kernel's close record arrives" all \
	'peer_has "recv $msg_k"' 'app_has "recv $msg_i"' \
	'app_has "end ok"' 'closed peer'

if "$rfsec" peer set hci1 "$a0" public-key "$pub0" cipher aes-256-gcm \
	> /dev/null 2>&1; then
	app_acts=(send:$msg_k read:${#msg_i})
	peer_acts=(read:${#msg_k} send:$msg_i readall)
	run_case kinit
	check "kernel initiator, aesgcm (peer cipher aes-256-gcm): interop" all \
		'peer_has "cipher aesgcm"' 'peer_has "hs ok"' \
		'peer_has "recv $msg_k"' 'app_has "recv $msg_i"'
	"$rfsec" peer set hci1 "$a0" cipher chacha20-poly1305 > /dev/null
else
	t_skip "kernel initiator, aesgcm" "'rfsec peer set ... cipher' is not available"
fi

# A psk on both sides of hci1's peer entry for hci0, both directions.
"$rfsec" peer set hci1 "$a0" public-key "$pub0" psk "$tmp/psk" > /dev/null
peer_opts=(-P "$tmp/psk")
peer_acts=(send:$msg_i read:${#msg_k})
app_acts=(read:${#msg_i} send:$msg_k readall)
run_case kresp
check "psk, kernel responder: handshake and data" all \
	'peer_has "hs ok"' 'app_has "recv $msg_i"' 'peer_has "recv $msg_k"'
peer_opts=(-P "$tmp/psk")
app_acts=(send:$msg_k read:${#msg_i})
peer_acts=(read:${#msg_k} send:$msg_i readall)
run_case kinit
check "psk, kernel initiator: handshake and data" all \
	'peer_has "hs ok"' 'peer_has "recv $msg_k"' 'app_has "recv $msg_i"'
peer_opts=(-f wrong-psk)
run_case kinit
check "psk, kernel initiator: refpeer with another psk: EKEYREJECTED" \
	app_has "connect EKEYREJECTED"
"$rfsec" peer set hci1 "$a0" psk none > /dev/null

# Bulk data in many records and rekeys in both directions: refpeer rekeys
# on its own; the kernel after every few records if that can be set.
if set_param rekey_after_records 4; then krekey=1; else krekey=; fi
peer_acts=(sendn:30000 rekey send:after-rekey read:20000)
app_acts=(read:30011 sendn:20000 readall)
run_case kresp
sent=$(sed -n 's/^sent 30000 bytes sha256 //p' "$tmp/peer")
check "rekeys: refpeer sent 30000 bytes, a rekey, 11 more; the kernel read 30011" all \
	'[ -n "$sent" ]' \
	'grep -q "^recv 30011 bytes sha256 " "$tmp/app"'
check "rekeys: 20000 bytes from the kernel arrive intact at refpeer" all \
	'grep -qx "recv 20000 bytes sha256 $(sed -n "s/^sent 20000 bytes sha256 //p" "$tmp/app")" "$tmp/peer"'
if [ -n "$krekey" ]; then
	check "rekeys: the kernel rekeyed (rekey_after_records=4) and refpeer followed" \
		peer_has "rekeyed rx"
	restore_param rekey_after_records
else
	t_skip "rekeys: the kernel rekeyed" "no writable rekey_after_records parameter"
fi
# The exact bytes refpeer sent are the pattern followed by "after-rekey".
want=$(python3 -c 'import hashlib; print(hashlib.sha256(bytes(i % 251 for i in range(30000)) + b"after-rekey").hexdigest())')
check "rekeys: the kernel received exactly the pattern then after-rekey" \
	app_has "recv 30011 bytes sha256 $want"

## Handshake faults against the kernel responder: never accepted.

# hs_fault_kresp FAULT WANT_PEER_LINE REASON
hs_fault_kresp() {
	local fault=$1 want=$2 reason=$3 before
	before=$(stats)
	peer_opts=(-f "$fault" -t 15000)
	peer_acts=(send:MUST-NOT-ARRIVE readall)
	run_case kresp
	check "kernel responder, $fault: refpeer sees '$want'" peer_has "$want"
	check "kernel responder, $fault: the listener accepts nothing" all \
		'! grep -q "^accept ok" "$tmp/app"' \
		'! grep -q MUST-NOT-ARRIVE "$tmp/app"'
	check "kernel responder, $fault: counted as $reason" \
		stat_grew "$before" "$reason"
}
# Every refusal before the initiator proved its key is the same "1 3"
# (code 1, both ciphers accepted); only the responder's counters tell.
# Garbage starts with a header of an unknown version: refused in version
# 2's format, counted as version (section 3.2).
hs_fault_kresp garbage "hs refused 1 3" version
hs_fault_kresp reserved "hs refused 1 3" malformed
hs_fault_kresp low-order "hs refused 1 3" malformed
hs_fault_kresp bad-limit "hs refused 1 3" malformed
hs_fault_kresp wrong-key "hs refused 1 3" wrong-key
hs_fault_kresp wrong-psk "hs wrong-key" closed
hs_fault_kresp close-hs "hs sent-fault" closed

# replay-hs: the first connection completes; the second replays its
# initiation, which the kernel answers but which no confirm record can
# follow: never accepted, and the genuine peer connects right after.
set_param handshake_timeout_ms 2000
before=$(stats)
grace=4
peer_opts=(-f replay-hs -n 2)
peer_acts=(send:first)
app_opts=(-n 3)
app_acts=(readall)
run_case kresp
grace=1
check "kernel responder, replayed initiation: the first connection works" all \
	'app_has "recv first"' '[ "$(grep -c "^hs ok" "$tmp/peer")" = 1 ]' \
	'peer_has "hs sent-fault"'
check "kernel responder, replayed initiation: accepted once only" \
	test "$(grep -c '^accept ok' "$tmp/app")" = 1
check "kernel responder, replayed initiation: counted as timeout (no confirm)" \
	stat_grew "$before" timeout
restore_param handshake_timeout_ms
peer_acts=(send:genuine-after-replay)
app_acts=(readall)
run_case kresp
check "kernel responder, after the replay: the genuine peer connects" all \
	'peer_has "hs ok"' 'app_has "recv genuine-after-replay"'

# No confirm record: the kernel gives up after handshake_timeout_ms.
if set_param handshake_timeout_ms 2000; then
	before=$(stats)
	grace=5
	peer_opts=(-f no-confirm -t 15000)
	peer_acts=(readall)
	run_case kresp
	grace=1
	restore_param handshake_timeout_ms
	check "kernel responder, no confirm record: never accepted, link closed" all \
		'peer_has "hs ok"' '! grep -q "^accept ok" "$tmp/app"' \
		'grep -q "^end eof\|^end ECONNRESET" "$tmp/peer"'
	check "kernel responder, no confirm record: counted as timeout" \
		stat_grew "$before" timeout
else
	t_skip "kernel responder, no confirm record" "handshake_timeout_ms not writable"
fi

## Handshake faults against the kernel initiator: connect() fails.

# hs_fault_kinit FAULT ERRNO REASON
hs_fault_kinit() {
	local fault=$1 err=$2 reason=$3 before
	before=$(stats)
	peer_opts=(-f "$fault")
	app_acts=(send:MUST-NOT-ARRIVE readall)
	run_case kinit
	check "kernel initiator, $fault: connect fails with $err" \
		app_has "connect $err"
	check "kernel initiator, $fault: nothing of the application's sent" \
		sh -c "! grep -q '^recv .*MUST-NOT-ARRIVE' '$tmp/peer'"
	check "kernel initiator, $fault: counted as $reason" \
		stat_grew "$before" "$reason"
}
# Garbage in place of the response starts with a header of another
# version: the initiator's "version" row.
hs_fault_kinit garbage EPROTONOSUPPORT version
hs_fault_kinit low-order ECONNABORTED malformed
hs_fault_kinit bad-limit ECONNABORTED malformed
hs_fault_kinit wrong-channel ECONNABORTED malformed
hs_fault_kinit wrong-psk EKEYREJECTED wrong-key
hs_fault_kinit close-hs ECONNRESET closed
hs_fault_kinit refuse1 EKEYREJECTED refused
hs_fault_kinit refuse2 EPROTONOSUPPORT cipher
# refpeer with another static key cannot decrypt the initiation: code 1.
hs_fault_kinit wrong-key EKEYREJECTED refused
if set_param handshake_timeout_ms 2000; then
	hs_fault_kinit silent ETIMEDOUT timeout
	restore_param handshake_timeout_ms
else
	t_skip "kernel initiator, silent responder" "handshake_timeout_ms not writable"
fi

# replay-hs: a second connection answered with the first one's response.
peer_opts=(-f replay-hs -n 2)
peer_acts=(readall)
next_chan
timeout 60 "$bin/refpeer" listen -i hci0 -c $chan -t 20000 -k "$tmp/k0" \
	-p "$pub1" -f replay-hs -n 2 readall > "$tmp/peer" 2>&1 &
pid=$!
wait_listening "$tmp/peer"
first=$("$bin/rfsec_app" connect -i hci1 -a "$a0" -c $chan -t 20000 send:first)
sleep 1
second=$("$bin/rfsec_app" connect -i hci1 -a "$a0" -c $chan -t 20000 send:second)
wait $pid
echo "$first" > "$tmp/app"
echo "$second" >> "$tmp/app"
check "kernel initiator, replayed response: first connects, second EKEYREJECTED" all \
	'echo "$first" | grep -qx "connect ok"' \
	'echo "$second" | grep -qx "connect EKEYREJECTED"' \
	'peer_has "recv first"'

## Record faults, both ways: the good data, nothing of the bad record,
## then EBADMSG; the kernel closes the link.

for fault in flip-type flip-version flip-length flip-ct flip-tag truncate \
	short oversize replay reorder bad-inner misplaced-confirm close-mid \
	after-close; do
	# The application acknowledges the accepted connection ("A") before
	# the bad record is sent: see "before accept()" below.
	peer_opts=(-f $fault)
	peer_acts=(send:GOOD-DATA read:1 inject readall)
	app_acts=(send:A readall)
	run_case kresp
	check "record $fault to the kernel responder: GOOD-DATA, then EBADMSG" all \
		'app_has "accept ok"' 'app_has "recv GOOD-DATA"' \
		'app_has "end EBADMSG"'
	if [ $fault != close-mid ]; then
		check "record $fault to the kernel responder: the kernel closed the link" \
			dropped peer
	fi

	# To the kernel initiator: one of each kind, to keep the run short.
	case $fault in
	flip-version | flip-tag | truncate | oversize | reorder | misplaced-confirm | close-mid | after-close) ;;
	*) continue ;;
	esac
	peer_opts=(-f $fault)
	peer_acts=(send:GOOD-DATA inject readall)
	app_acts=(readall)
	run_case kinit
	check "record $fault to the kernel initiator: GOOD-DATA, then EBADMSG" all \
		'app_has "connect ok"' 'app_has "recv GOOD-DATA"' \
		'app_has "end EBADMSG"'
done

## Version 2: the close record, receive limits, channels, refusals.

# A link cut between two records is an error (ECONNABORTED, as a link
# that went away), counted as an unclean end; after a close record the
# end reads as RFCOMM's orderly end (ECONNRESET). Both roles of the kernel.
for mode in kresp kinit; do
	if [ $mode = kresp ]; then role=responder; else role=initiator; fi
	before=$(stats)
	peer_opts=()
	peer_acts=(send:BEFORE-THE-CUT sleep:700 cut)
	app_acts=(readall)
	run_case $mode
	check "kernel $role, link cut between records: the data, then ECONNABORTED" all \
		'app_has "recv BEFORE-THE-CUT"' 'app_has "end ECONNABORTED"'
	check "kernel $role, link cut: counted as an unclean end" \
		stat_grew "$before" unclean
	before=$(stats)
	peer_acts=(send:BEFORE-THE-CLOSE sleep:1500 close sleep:700)
	app_acts=(readall)
	run_case $mode
	check "kernel $role, close record: the data, then RFCOMM's orderly end" all \
		'app_has "recv BEFORE-THE-CLOSE"' 'closed app'
	after=$(stats)
	check "kernel $role, close record: no unclean end counted" \
		test -n "$after" -a "$(stat_of "$after" unclean)" = "$(stat_of "$before" unclean)"
	# The kernel's own close: its application ends, refpeer reads the
	# close record and nothing after it.
	peer_acts=(readall)
	app_acts=(send:KERNEL-CLOSES)
	run_case $mode
	check "kernel $role, the application closes: refpeer reads the close record" all \
		'peer_has "recv KERNEL-CLOSES"' 'closed peer' \
		'! grep -q "^end eof-unclean\|^end badrecord" "$tmp/peer"'
done

# A 512-byte receive limit, honoured by the kernel as sender in both roles
# over 256 KiB (refpeer fails on any longer record), hash-checked.
for mode in kresp kinit; do
	if [ $mode = kresp ]; then role=responder; else role=initiator; fi
	peer_opts=(-L 512 -t 60000)
	peer_acts=(read:262144)
	app_acts=(sendn:262144 readall)
	run_case $mode
	sent=$(sed -n 's/^sent 262144 bytes sha256 //p' "$tmp/app")
	check "kernel $role, refpeer -L 512: 256 KiB arrive intact, no record over 512" all \
		'[ -n "$sent" ]' 'peer_has "recv 262144 bytes sha256 $sent"' \
		'! grep -q "^end badrecord" "$tmp/peer"' \
		'grep -q "^hs peer-limit 4100" "$tmp/peer"'
done
# ... and refpeer keeps to the kernel's own limit as a sender.
peer_opts=(-L 512)
peer_acts=(sendn:65536 read:2)
app_acts=(read:65536 send:OK readall)
run_case kresp
check "refpeer -L 512 sends 64 KiB to the kernel responder: intact" \
	grep -q "^recv 65536 bytes sha256 $(sed -n 's/^sent 65536 bytes sha256 //p' "$tmp/peer")" "$tmp/app"

# An initiator that cannot know its channel (Android, an HC-05 board).
peer_opts=(-U)
peer_acts=(send:from-an-unknown-channel read:2)
app_acts=(read:23 send:OK readall)
run_case kresp
check "refpeer -U (no channel, no addresses known) completes a handshake with the kernel" all \
	'peer_has "hs ok"' 'app_has "recv from-an-unknown-channel"' 'peer_has "recv OK"'

# A version-1 initiation: version 1's refusal, counted as version.
before=$(stats)
peer_opts=(-V 1)
peer_acts=(send:MUST-NOT-ARRIVE readall)
run_case kresp
check "kernel responder, a version-1 initiation: refused in version 1's format (malformed, 3)" all \
	'peer_has "hs version 1"' 'peer_has "hs refused-v1 3"' \
	'! grep -q "^accept ok" "$tmp/app"'
check "kernel responder, a version-1 initiation: counted as version" \
	stat_grew "$before" version
# A version-1 responder's refusal of the kernel's initiation.
before=$(stats)
peer_opts=(-V 1)
app_acts=(send:MUST-NOT-ARRIVE)
run_case kinit
check "kernel initiator, a version-1 responder's refusal: EPROTONOSUPPORT" all \
	'peer_has "hs refused-by-us-v1 3"' 'app_has "connect EPROTONOSUPPORT"'
check "kernel initiator, a version-1 refusal: counted as version" \
	stat_grew "$before" version

# A responder that accepts only AES-256-GCM; the kernel proposes ChaCha20.
before=$(stats)
peer_opts=(-A 2)
app_acts=(send:MUST-NOT-ARRIVE)
run_case kinit
check "kernel initiator (chachapoly) to a responder accepting only aesgcm: EPROTONOSUPPORT" all \
	'peer_has "hs refused-by-us 2"' 'app_has "connect EPROTONOSUPPORT"'
check "kernel initiator, cipher refusal: counted as cipher" \
	stat_grew "$before" cipher

# No clock needed: with the guest's clock 50 years back, both directions
# connect (version 1 refused such an initiator as a replay). Bash's
# SECONDS follows the wall clock, so the time away is taken from uptime.
now=$(date +%s)
up0=$(cut -d. -f1 /proc/uptime)
if date -s "@$((now - 50 * 365 * 86400))" > /dev/null; then
	echo "clock set to $(date -u)" | t_diag
	peer_acts=(send:from-1976 read:2)
	app_acts=(read:9 send:OK readall)
	run_case kresp
	ok1=$(all 'peer_has "hs ok"' 'app_has "recv from-1976"' && echo y)
	app_acts=(send:to-1976 read:2)
	peer_acts=(read:7 send:OK readall)
	run_case kinit
	ok2=$(all 'app_has "connect ok"' 'peer_has "recv to-1976"' && echo y)
	date -s "@$((now + $(cut -d. -f1 /proc/uptime) - up0))" > /dev/null
	echo "clock restored to $(date -u)" | t_diag
	check "clock 50 years back: refpeer connects to the kernel" test "$ok1" = y
	check "clock 50 years back: the kernel connects to refpeer" test "$ok2" = y
	check "the clock is back (after 2020)" test "$(date +%s)" -gt 1600000000
else
	t_fail "clock 50 years back: date -s failed"
fi

# 8 concurrent connects from the kernel to one peer (hci1 to hci0, whose
# rfsec listeners sit on 8 channels: RFCOMM allows one DLC per channel
# between two devices): all complete (issue 12 item 5).
lpids=() chans=()
for i in 1 2 3 4 5 6 7 8; do
	next_chan
	chans+=($chan)
	timeout 90 "$bin/rfsec_app" listen -i hci0 -c $chan -t 30000 readall \
		> "$tmp/conc.l$i" 2>&1 &
	lpids+=($!)
	pids+=($!)
	wait_listening "$tmp/conc.l$i"
done
cpids=()
for i in 1 2 3 4 5 6 7 8; do
	timeout 60 "$bin/rfsec_app" connect -i hci1 -a "$a0" -c "${chans[i - 1]}" \
		-t 30000 send:concurrent-$i > "$tmp/conc.c$i" 2>&1 &
	cpids+=($!)
done
for p in "${cpids[@]}"; do wait "$p"; done
for p in "${lpids[@]}"; do stop_after 10 "$p"; done
cat "$tmp"/conc.c* > "$tmp/app"
cat "$tmp"/conc.l* > "$tmp/peer"
check "8 concurrent connects to one peer: all 8 connect" \
	test "$(grep -c '^connect ok' "$tmp/app")" = 8
check "8 concurrent connects to one peer: its listeners got all 8" \
	test "$(grep -c '^recv concurrent-[1-8]$' "$tmp/peer")" = 8

## No identity, no peer entry: refused with ENOKEY, never accepted.

# hci1 without a peer entry for hci0.
"$rfsec" peer del hci1 "$a0" > /dev/null
peer_acts=(send:MUST-NOT-ARRIVE readall)
run_case kresp
# Version 2's responder waits for the initiation and then refuses (section
# 3.2): the same opaque refusal as for a wrong key, never a plain close.
check "hci1 without an entry for hci0: refpeer from hci0 gets the refusal '1 3'" \
	peer_has "hs refused 1 3"
check "hci1 without an entry for hci0: refpeer's handshake did not complete" \
	sh -c "! grep -q '^hs ok' '$tmp/peer'"
check "hci1 without an entry for hci0: its listener accepts nothing" \
	sh -c "! grep -q '^accept ok' '$tmp/app'"
app_acts=(send:MUST-NOT-ARRIVE)
run_case kinit
check "hci1 without an entry for hci0: rfsec connect to hci0 fails with ENOKEY" \
	app_has "connect ENOKEY"
check "hci1 without an entry for hci0: refpeer on hci0 got no initiation" \
	sh -c "! grep -q '^cipher\|^hs ok' '$tmp/peer'"
"$rfsec" peer add hci1 "$a0" public-key "$pub0" > /dev/null

# hci0 without an identity (which also removes its peers).
"$rfsec" identity del hci0 > /dev/null
app_acts=(send:MUST-NOT-ARRIVE readall)
next_chan
timeout 60 "$bin/rfsec_app" listen -i hci1 -c $chan -t 20000 readall \
	> "$tmp/peer" 2>&1 &
pid=$!
wait_listening "$tmp/peer"
"$bin/rfsec_app" connect -i hci0 -a "$a1" -c $chan -t 20000 send:x \
	> "$tmp/app" 2>&1
stop_after 1 $pid
check "hci0 without an identity: rfsec connect to hci1 fails with ENOKEY" \
	app_has "connect ENOKEY"
check "hci0 without an identity: hci1's listener accepts nothing" \
	sh -c "! grep -q '^accept ok' '$tmp/peer'"
"$rfsec" identity set hci0 "$tmp/k0" > /dev/null
"$rfsec" peer add hci0 "$a1" public-key "$pub1" > /dev/null

# hci2 has neither, but its links on the virtual air do not always work
# (btvirt mixes up connection handles with a third controller), so each
# case needs a plain RFCOMM link with hci2 to work first.
hci2_link() {
	next_chan
	timeout 6 "$bin/refpeer" listen -i "$1" -c $chan -t 5000 -k "$tmp/k1" \
		-p "$pub2" > "$tmp/probe" 2>&1 &
	local pid=$!
	wait_listening "$tmp/probe"
	timeout 6 "$bin/refpeer" connect -i "$2" -a "$(bt_addr "$1")" -c $chan \
		-t 8000 -k "$tmp/k2" -p "$pub1" > "$tmp/probe.c" 2>&1
	wait $pid
	grep -qx "connect ok" "$tmp/probe.c"
}
if hci2_link hci1 hci2; then
	next_chan
	timeout 60 "$bin/rfsec_app" listen -i hci1 -c $chan -t 20000 readall \
		> "$tmp/peer" 2>&1 &
	pid=$!
	wait_listening "$tmp/peer"
	"$bin/rfsec_app" connect -i hci2 -a "$a1" -c $chan -t 20000 send:x \
		> "$tmp/app" 2>&1
	check "hci2 (no identity) rfsec to hci1: ENOKEY" app_has "connect ENOKEY"
	timeout 30 "$bin/refpeer" connect -i hci2 -a "$a1" -c $chan -k "$tmp/k2" \
		-p "$pub1" send:x readall > "$tmp/app" 2>&1
	check "hci2 refpeer (unknown to hci1) to hci1's listener: the same refusal as a wrong key ('1 3')" \
		app_has "hs refused 1 3"
	# The precise reason stays on hci1's side: its kernel log.
	check "hci1's kernel log names the reason: no-key for $a2" \
		sh -c "dmesg | grep -qi 'handshake from $a2 on $a1 channel $chan: no-key'"
	stop_after 1 $pid
	check "hci1's listener never saw a connection from hci2" \
		sh -c "! grep -q '^accept ok' '$tmp/peer'"
else
	cat "$tmp/probe" "$tmp/probe.c" | t_diag
	for c in "hci2 (no identity) rfsec to hci1: ENOKEY" \
		"hci2 refpeer (unknown to hci1) to hci1's listener: refused" \
		"hci1's listener never saw a connection from hci2"; do
		t_skip "$c" "plain RFCOMM from hci2 to hci1 does not connect in this guest"
	done
fi
if hci2_link hci2 hci0; then
	next_chan
	timeout 30 "$bin/refpeer" listen -i hci2 -c $chan -t 5000 -k "$tmp/k2" \
		-p "$pub0" readall > "$tmp/peer" 2>&1 &
	pid=$!
	wait_listening "$tmp/peer"
	"$bin/rfsec_app" connect -i hci0 -a "$a2" -c $chan -t 20000 send:x \
		> "$tmp/app" 2>&1
	check "hci0 rfsec to hci2 (no peer entry): ENOKEY" app_has "connect ENOKEY"
	wait $pid 2>/dev/null
	check "hci2 received no initiation from hci0" \
		sh -c "! grep -q '^hs ok\|^cipher' '$tmp/peer'"
else
	cat "$tmp/probe" "$tmp/probe.c" | t_diag
	t_skip "hci0 rfsec to hci2 (no peer entry): ENOKEY" \
		"plain RFCOMM from hci0 to hci2 does not connect in this guest"
	t_skip "hci2 received no initiation from hci0" "as above"
fi
echo "proto_test took $SECONDS s" | t_diag
t_done
