#!/bin/bash
# Gives every local controller (hci0, hci1, ...) a fresh identity and makes
# each one a peer of every other, so that rfsec connections between them,
# whichever controller the kernel routes an unbound socket through, run
# the handshake; "down" removes the identities again. run_tests.sh calls
# it around the tests marked "keys" in tests.list. RFSEC_TEST_CIPHER picks
# the cipher every peer is proposed.
top=$(cd "$(dirname "$0")/.." && pwd)
rfsec=$top/user/rfsec
. "$top/selftests/lib.sh"

adapters=$(ls /sys/class/bluetooth 2> /dev/null | grep -E '^hci[0-9]+$' | sort -V)

case "${1:-up}" in
up)
	declare -A key pub addr
	for a in $adapters; do
		key[$a]=$("$rfsec" genkey) || exit 1
		pub[$a]=$(echo "${key[$a]}" | "$rfsec" pubkey) || exit 1
		addr[$a]=$(bt_addr "$a")
		echo "${key[$a]}" | "$rfsec" identity set "$a" - || exit 1
	done
	cipher=()
	[ -n "$RFSEC_TEST_CIPHER" ] && cipher=(cipher "$RFSEC_TEST_CIPHER")
	for a in $adapters; do
		for b in $adapters; do
			[ "$a" = "$b" ] && continue
			"$rfsec" peer add "$a" "${addr[$b]}" public-key "${pub[$b]}" \
				"${cipher[@]}" || exit 1
		done
	done
	;;
down)
	# Every identity the kernel holds, by address: a controller may have
	# gone away since "up".
	for a in $("$rfsec" identity show 2> /dev/null | awk '{ print $1 }'); do
		"$rfsec" identity del "$a" 2> /dev/null
	done
	true
	;;
*)
	echo "usage: keys_setup.sh up|down" >&2
	exit 2
	;;
esac
