#!/bin/bash
# Gives hci0 and hci1 fresh identities and makes each the other's peer,
# so that rfsec connections between them run the handshake; "down" removes
# both identities again. run_tests.sh calls it around the tests marked
# "keys" in tests.list. RFSEC_TEST_CIPHER picks the cipher both propose.
top=$(cd "$(dirname "$0")/.." && pwd)
rfsec=$top/user/rfsec
. "$top/selftests/lib.sh"

case "${1:-up}" in
up)
	a0=$(bt_addr hci0)
	a1=$(bt_addr hci1)
	k0=$("$rfsec" genkey) && k1=$("$rfsec" genkey) || exit 1
	p0=$(echo "$k0" | "$rfsec" pubkey) && p1=$(echo "$k1" | "$rfsec" pubkey) || exit 1
	cipher=()
	[ -n "$RFSEC_TEST_CIPHER" ] && cipher=(cipher "$RFSEC_TEST_CIPHER")
	echo "$k0" | "$rfsec" identity set hci0 - &&
	echo "$k1" | "$rfsec" identity set hci1 - &&
	"$rfsec" peer add hci0 "$a1" public-key "$p1" "${cipher[@]}" &&
	"$rfsec" peer add hci1 "$a0" public-key "$p0" "${cipher[@]}"
	;;
down)
	"$rfsec" identity del hci0 2> /dev/null
	"$rfsec" identity del hci1 2> /dev/null
	true
	;;
*)
	echo "usage: keys_setup.sh up|down" >&2
	exit 2
	;;
esac
