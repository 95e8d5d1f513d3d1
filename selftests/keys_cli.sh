#!/bin/bash
# The key commands of the rfsec tool: genkey and pubkey against RFC 7748's
# test vector, identities of two adapters, peers, and the errors a user
# sees for bad input and without privileges.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
rfsec=$top/user/rfsec
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Runs "$@", keeping its stdout, stderr and exit code in $tmp/{out,err,rc}.
capture() {
	"$@" > "$tmp/out" 2> "$tmp/err"
	echo $? > "$tmp/rc"
}
rc_is() { test "$(cat "$tmp/rc")" = "$1"; }
out_is() { test "$(cat "$tmp/out")" = "$1"; }
out_has() { grep -qF -- "$1" "$tmp/out"; }
# The peer list line, and the cipher a module with the handshake adds.
out_is_peer() {
	test "$(sed 's/ cipher chacha20-poly1305$//' "$tmp/out")" = "$1"
}
err_has() { grep -qF -- "$1" "$tmp/err"; }
show() { cat "$tmp/out" "$tmp/err" | t_diag; }

hex2b64() {
	if command -v xxd > /dev/null; then
		echo "$1" | xxd -r -p | base64 -w0
	else
		python3 -c 'import base64,sys; print(base64.b64encode(bytes.fromhex(sys.argv[1])).decode(), end="")' "$1"
	fi
}


modprobe rfsec

## genkey and pubkey

alice_priv=$(hex2b64 77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a)
alice_pub=$(hex2b64 8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a)
bob_priv=$(hex2b64 5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb)
bob_pub=$(hex2b64 de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f)

capture "$rfsec" pubkey <<< "$alice_priv"
t_check "pubkey: RFC 7748 Alice's private key gives her public key" \
	sh -c "[ \"\$(cat '$tmp/rc')\" = 0 ] && [ \"\$(cat '$tmp/out')\" = '$alice_pub' ]"
show

capture "$rfsec" genkey
key=$(cat "$tmp/out")
t_check "genkey: exits 0 with 44 base64 characters" \
	sh -c "rc=\$(cat '$tmp/rc'); [ \$rc = 0 ] && echo '$key' | grep -qxE '[A-Za-z0-9+/]{43}='"
t_check "genkey: the key is clamped as RFC 7748 says" \
	sh -c "b=\$(echo '$key' | base64 -d | od -An -tu1 -v | tr -s ' \n' '  '); set -- \$b; [ \$((\$1 & 7)) = 0 ] && [ \$((\${32} & 128)) = 0 ] && [ \$((\${32} & 64)) = 64 ]"
t_check "genkey: two keys differ" \
	test "$("$rfsec" genkey)" != "$("$rfsec" genkey)"
capture "$rfsec" pubkey <<< "$key"
t_check "genkey | pubkey: round trip gives a public key" \
	sh -c "[ \"\$(cat '$tmp/rc')\" = 0 ] && grep -qxE '[A-Za-z0-9+/]{43}=' '$tmp/out'"

capture "$rfsec" pubkey <<< "${alice_priv%=}"
t_check "pubkey: 43 characters are refused (exit 1)" \
	sh -c "[ \"\$(cat '$tmp/rc')\" = 1 ] && grep -q 'bad private key' '$tmp/err'"
capture "$rfsec" pubkey <<< "${alice_priv%?=}p="
t_check "pubkey: a non-canonical last character is refused" rc_is 1
capture "$rfsec" pubkey <<< "${alice_priv:0:20}*${alice_priv:21}"
t_check "pubkey: a character outside base64 is refused" rc_is 1
capture "$rfsec" pubkey extra
t_check "pubkey: an argument is a usage error (exit 2)" rc_is 2
for cmd in genkey pubkey identity peer; do
	capture "$rfsec" $cmd --help
	t_check "$cmd --help: exits 0 and prints its usage" \
		sh -c "[ \"\$(cat '$tmp/rc')\" = 0 ] && grep -q 'Usage: rfsec $cmd' '$tmp/out'"
done

## Identities of two adapters

a0=$(bt_addr hci0)
a1=$(bt_addr hci1)
echo "hci0 $a0, hci1 $a1" | t_diag
echo "$alice_priv" > "$tmp/alice.key"
echo "$bob_priv" > "$tmp/bob.key"

capture "$rfsec" identity set hci0 "$tmp/alice.key"
t_check "identity set hci0 FILE exits 0" rc_is 0
show
capture "$rfsec" identity set hci1 - < "$tmp/bob.key"
t_check "identity set hci1 - (stdin) exits 0" rc_is 0
show
capture "$rfsec" identity show hci0
t_check "identity show hci0: its address and Alice's public key" \
	out_is "$a0 $alice_pub"
show
capture "$rfsec" identity show "$a1"
t_check "identity show ADDR of hci1: Bob's public key" out_is "$a1 $bob_pub"
show
capture "$rfsec" identity show
t_check "identity show: both adapters, independent keys" \
	sh -c "[ \"\$(cat '$tmp/rc')\" = 0 ] && grep -qxF '$a0 $alice_pub' '$tmp/out' && grep -qxF '$a1 $bob_pub' '$tmp/out' && [ \$(wc -l < '$tmp/out') = 2 ]"
show

## Peers

peer=00:11:22:33:44:55
capture "$rfsec" peer add hci0 "$peer" public-key "$bob_pub"
t_check "peer add hci0 PEER public-key KEY exits 0" rc_is 0
show
capture "$rfsec" peer list hci0
t_check "peer list hci0: the peer, its key, no psk, policy require" \
	out_is_peer "$a0 $peer public-key $bob_pub psk no policy require connections 0 handshakes 0"
show
"$rfsec" genkey > "$tmp/psk"
capture "$rfsec" peer set hci0 "$peer" public-key "$bob_pub" psk "$tmp/psk" \
	policy allow-plaintext
t_check "peer set with psk and policy exits 0" rc_is 0
capture "$rfsec" peer list hci0
t_check "peer list: psk yes, policy allow-plaintext" \
	out_has "$a0 $peer public-key $bob_pub psk yes policy allow-plaintext"
show
capture "$rfsec" peer add hci1 "$peer" policy allow-plaintext
t_check "peer add without a key, policy allow-plaintext" rc_is 0
capture "$rfsec" peer list hci1
t_check "peer list hci1: public-key (none), independent of hci0" \
	out_is_peer "$a1 $peer public-key (none) psk no policy allow-plaintext connections 0 handshakes 0"
show
capture "$rfsec" peer list
t_check "peer list: both adapters' peers" \
	sh -c "[ \$(wc -l < '$tmp/out') = 2 ]"
capture "$rfsec" peer add hci0 "$peer"
t_check "peer add without a key under require: usage error" \
	sh -c "[ \"\$(cat '$tmp/rc')\" = 2 ] && grep -q 'needs a public key' '$tmp/err'"
capture "$rfsec" peer set hci0 "$peer" public-key "$alice_pub" psk none
t_check "peer with the adapter's own key: refused, kernel says why" \
	sh -c "[ \"\$(cat '$tmp/rc')\" = 1 ] && grep -q 'kernel:' '$tmp/err'"
show
capture "$rfsec" peer del hci1 "$peer"
t_check "peer del hci1 PEER exits 0" rc_is 0
capture "$rfsec" peer list hci1
t_check "peer list hci1 is empty after del" \
	sh -c "[ \"\$(cat '$tmp/rc')\" = 0 ] && [ ! -s '$tmp/out' ]"
capture "$rfsec" peer del hci1 "$peer"
t_check "peer del of a missing peer: exit 1 with the kernel's message" \
	sh -c "[ \"\$(cat '$tmp/rc')\" = 1 ] && grep -q 'kernel:' '$tmp/err'"
show

## Errors

capture "$rfsec" identity set 00:11:22:33:44 "$tmp/alice.key"
t_check "malformed adapter address: exit 2 with a message" \
	sh -c "[ \"\$(cat '$tmp/rc')\" = 2 ] && grep -q 'malformed adapter address' '$tmp/err'"
capture "$rfsec" peer add hci0 00:11:22:33:44:ZZ public-key "$bob_pub"
t_check "malformed peer address: exit 2 with a message" \
	sh -c "[ \"\$(cat '$tmp/rc')\" = 2 ] && grep -q 'malformed peer address' '$tmp/err'"
capture "$rfsec" identity set hci9 "$tmp/alice.key"
t_check "unknown adapter hci9: exit 1 with a message" \
	sh -c "[ \"\$(cat '$tmp/rc')\" = 1 ] && grep -q \"unknown adapter 'hci9'\" '$tmp/err'"
echo "not a key" > "$tmp/bad.key"
capture "$rfsec" identity set hci0 "$tmp/bad.key"
t_check "bad private key file: exit 1 with a message" \
	sh -c "[ \"\$(cat '$tmp/rc')\" = 1 ] && grep -q 'bad private key' '$tmp/err'"
capture "$rfsec" peer add hci0 "$peer" public-key "${bob_pub%?=}"
t_check "bad public key on the command line: exit 2 with a message" \
	sh -c "[ \"\$(cat '$tmp/rc')\" = 2 ] && grep -q 'bad public key' '$tmp/err'"
capture "$rfsec" identity show 66:55:44:33:22:11
t_check "identity show of an adapter without identity: exit 1, kernel's message" \
	sh -c "[ \"\$(cat '$tmp/rc')\" = 1 ] && grep -q 'kernel:' '$tmp/err'"
show
capture "$rfsec" identity frob
t_check "unknown identity subcommand: exit 2" rc_is 2

capture as_nobody "$rfsec" identity set hci0 - < "$tmp/bob.key"
t_check "unprivileged identity set: exit 1, permission denied" \
	sh -c "[ \"\$(cat '$tmp/rc')\" = 1 ] && grep -qF 'permission denied (need CAP_NET_ADMIN; try sudo)' '$tmp/err'"
show
capture as_nobody "$rfsec" peer del hci0 "$peer"
t_check "unprivileged peer del: exit 1, permission denied" \
	sh -c "[ \"\$(cat '$tmp/rc')\" = 1 ] && grep -qF 'permission denied' '$tmp/err'"
capture as_nobody "$rfsec" identity show hci0
t_check "unprivileged identity show: exit 1, permission denied, nothing shown" \
	sh -c "[ \"\$(cat '$tmp/rc')\" = 1 ] && grep -qF 'permission denied (need CAP_NET_ADMIN; try sudo)' '$tmp/err' && ! grep -qF '$alice_pub' '$tmp/out'"
show

## Cleanup

capture "$rfsec" identity del hci0
t_check "identity del hci0 exits 0" rc_is 0
capture "$rfsec" identity del hci1
t_check "identity del hci1 exits 0" rc_is 0
capture "$rfsec" identity show
t_check "identity show is empty after del" \
	sh -c "[ \"\$(cat '$tmp/rc')\" = 0 ] && [ ! -s '$tmp/out' ]"
show
t_done
