#!/bin/bash
# What the tool refuses to trust (issue 14, item 5): state files and folders
# that another user could have written are refused with the file named and
# never applied, by 'rfsec restore' and by the unit that runs it at boot;
# RFSEC_STATE_DIR is ignored by a set-user-ID run (secure_getenv); a
# temporary file that a crash left is removed, not fatal.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
rfsec=$top/user/rfsec
tmp=$(mktemp -d)
boot=/var/lib/rfsec
aside=
cleanup() {
	for a in hci0 hci1 hci2; do
		RFSEC_STATE_DIR='' "$rfsec" identity del "$a" > /dev/null 2>&1
	done
	rm -rf "$boot"
	[ -n "$aside" ] && mv "$aside" "$boot"
	rm -rf "$tmp"
}
trap cleanup EXIT

# Nothing of the state is in the kernel.
nothing_applied() { [ -z "$("$rfsec" identity show 2> /dev/null)" ]; }
forget() {
	for a in hci0 hci1 hci2; do
		RFSEC_STATE_DIR='' "$rfsec" identity del "$a" > /dev/null 2>&1
	done
}

modprobe rfsec
a0=$(bt_addr hci0)
a1=$(bt_addr hci1)
"$rfsec" genkey > "$tmp/k0"
"$rfsec" genkey > "$tmp/k1"
pub1=$("$rfsec" pubkey < "$tmp/k1")

# A good state: hci0's identity and one peer, saved in $good.
good=$tmp/good
export RFSEC_STATE_DIR=$good
"$rfsec" identity set hci0 "$tmp/k0" > /dev/null
"$rfsec" peer add hci0 "$a1" public-key "$pub1" > /dev/null
forget
t_capture "$rfsec" restore
t_check "a state of mode 0700/0600 owned by root restores" \
	eval 't_rc_is 0 && "$rfsec" identity show hci0 > /dev/null 2>&1'
t_show
forget

# restore_with CHANGE: a copy of the good state, CHANGE applied to it (with
# $s the copy), restored.
restore_with() {
	rm -rf "$tmp/s"
	cp -a "$good" "$tmp/s"
	s=$tmp/s
	eval "$1"
	t_capture env RFSEC_STATE_DIR="$s" "$rfsec" restore
	t_show
}

restore_with 'chmod g+w "$s/$a0/peers"'
t_check "group-writable peers file: restore exits 1 and names the file" \
	t_rc_err 1 "$s/$a0/peers is writable by its group (mode 0620"
t_check "group-writable peers file: nothing of that adapter applied" \
	nothing_applied
restore_with 'chmod o+w "$s/$a0/identity"'
t_check "world-writable identity file: refused, named" \
	t_rc_err 1 "$s/$a0/identity is writable by every user"
t_check "world-writable identity file: nothing applied" nothing_applied
restore_with 'chown 65534 "$s/$a0/peers"'
t_check "peers file owned by another user: refused, named" \
	t_rc_err 1 "$s/$a0/peers belongs to uid 65534, not to root; refused"
t_check "peers file of another user: nothing applied" nothing_applied
restore_with 'chmod 770 "$s/$a0"'
t_check "group-writable adapter folder: refused, named" \
	t_rc_err 1 "$s/$a0 is writable by its group (mode 0770"
t_check "group-writable adapter folder: nothing applied" nothing_applied
restore_with 'chmod 777 "$s"'
t_check "world-writable state folder: refused, named" \
	t_rc_err 1 "$s is writable by every user (mode 0777"
t_check "world-writable state folder: nothing applied" nothing_applied
restore_with 'chmod 640 "$s/$a0/peers"'
t_check "group-readable (not writable) peers file: restored, with a warning" \
	eval 't_rc_is 0 && t_err_has "is readable by others" && ! nothing_applied'
forget
# The same refusal on the paths that write: they read the file first.
restore_with 'chmod g+w "$s/$a0/peers"'
"$rfsec" identity set hci0 "$tmp/k0" > /dev/null 2>&1
sum=$(md5sum < "$s/$a0/peers")
t_capture env RFSEC_STATE_DIR="$s" "$rfsec" peer set hci0 "$a1" policy allow-plaintext
t_check "peer set with a group-writable peers file: not stored, file named" \
	eval 't_rc_is 1 && t_err_has "$s/$a0/peers is writable by its group"'
t_check "peer set with a group-writable peers file: the file is untouched" \
	test "$(md5sum < "$s/$a0/peers")" = "$sum"
t_show
forget

## At boot: the unit's own command, on the state at its own path

# No systemd runs in the guest: this is the unit's ExecStart, as the unit
# runs it (its environment has no RFSEC_STATE_DIR; ExecStartPre loads the
# module, which is loaded here).
unit=$top/systemd/rfsec.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
t_check "the unit's ExecStart is 'rfsec restore'" \
	eval '[ "${exec_start##*/}" = "rfsec restore" ]'
if [ -e "$boot" ]; then
	aside=$tmp/var-lib-rfsec
	mv "$boot" "$aside"
fi
cp -a "$good" "$boot"
chmod g+w "$boot/$a0/peers"
env -u RFSEC_STATE_DIR "$rfsec" ${exec_start#* } > "$tmp/out" 2> "$tmp/err"
echo $? > "$tmp/rc"
t_show
t_check "at boot: a group-writable peers file fails the unit, named" \
	t_rc_err 1 "$boot/$a0/peers is writable by its group"
t_check "at boot: nothing of that adapter applied" nothing_applied
chmod g-w "$boot/$a0/peers"
t_capture env -u RFSEC_STATE_DIR "$rfsec" ${exec_start#* }
t_check "at boot: the same state, mode fixed, restores" \
	eval 't_rc_is 0 && ! nothing_applied'
forget

## A temporary file left by a crash

restore_with 'echo garbage > "$s/$a0/peers.tmp"; echo junk > "$s/$a0/identity.tmp"'
t_check "stale peers.tmp and identity.tmp: restore exits 0, says it removed them" \
	eval 't_rc_is 0 && t_err_has "removed $s/$a0/peers.tmp, left by an interrupted write"'
t_check "stale temporary files: gone after restore" \
	eval '[ ! -e "$s/$a0/peers.tmp" ] && [ ! -e "$s/$a0/identity.tmp" ]'
echo garbage > "$s/$a0/peers.tmp"
t_capture env RFSEC_STATE_DIR="$s" "$rfsec" peer set hci0 "$a1" policy allow-plaintext
t_check "stale peers.tmp: peer set still stores the peer" \
	eval 't_rc_is 0 && grep -q "^$a1 .*policy allow-plaintext" "$s/$a0/peers" && [ ! -e "$s/$a0/peers.tmp" ]'
t_show
forget

## secure_getenv: a set-user-ID run ignores RFSEC_STATE_DIR

suid=$tmp/suid
mkdir "$suid"
chmod 711 "$tmp"
install -m 4755 "$rfsec" "$suid/rfsec"
chmod 755 "$suid"
evil=/tmp/rfsec-evil.$$
rm -rf "$evil" "$boot"
setpriv --reuid=65534 --regid=65534 --clear-groups \
	env RFSEC_STATE_DIR="$evil" "$suid/rfsec" identity set hci1 - \
	< "$tmp/k1" > "$tmp/out" 2> "$tmp/err"
echo $? > "$tmp/rc"
t_show
if t_rc_is 0; then
	t_check "set-user-ID run: RFSEC_STATE_DIR ignored, nothing in it" \
		test ! -e "$evil"
	t_check "set-user-ID run: the key went to the default $boot" \
		test -s "$boot/$a1/identity"
else
	t_skip "set-user-ID run ignores RFSEC_STATE_DIR" \
		"the set-user-ID bit is not honoured where the copy lives"
	t_skip "set-user-ID run: the key went to the default" "as above"
fi
rm -rf "$evil"
chmod 700 "$tmp"

t_done
