#!/bin/bash
# The benchmark, run inside a guest by `make bench` (guest-init.sh, mode
# bench): plain RFCOMM against rfsec in alternating rounds, once with
# ChaCha20-Poly1305 and once with AES-256-GCM proposed by every peer, then
# the record overhead measured from the peers' counters. The report goes
# to OUTDIR/bench.txt.
#   bench.sh OUTDIR [BENCH ARGUMENTS]
# Without arguments, the arguments are read from build/bench.args if that
# file exists (`make bench BENCH_ARGS=...` writes it); see bench.c for them.
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: bench.sh OUTDIR [-s BYTES] [-r ROUNDS] [-w WRITE,...]}
shift
if [ $# = 0 ] && [ -s "$top/build/bench.args" ]; then
	read -r -a args < "$top/build/bench.args"
	set -- "${args[@]}"
fi
cd /tmp || exit 1
echo "guest: bench $*"
{
	for cipher in chacha20-poly1305 aes-256-gcm; do
		echo "=== rfsec with $cipher (every peer proposes it)"
		RFSEC_TEST_CIPHER=$cipher "$top/selftests/keys_setup.sh" up ||
			echo "bench: setting keys failed"
		"$top/build/selftests/bench" "$@" 2>&1
		echo
		echo "records hci0 sent to hci1 with $cipher (from the peer's counters):"
		"$top/user/rfsec" show -j hci0 | python3 -c '
import json, sys
d = json.load(sys.stdin)
for ident in d.get("identities", d if isinstance(d, list) else []):
    for p in ident.get("peers", []):
        s = p.get("stats", p)
        b, r = s.get("tx_bytes", 0), s.get("tx_records", 0)
        if r:
            print("  %s: %d application bytes in %d records, %.1f bytes per record;"
                  " 21 bytes of overhead each (4 header, 1 inner type, 16 tag):"
                  " %.2f%% on the wire" % (p.get("address", "?"), b, r, b / r,
                                           100.0 * 21 * r / (b + 21 * r)))
' 2>&1
		"$top/selftests/keys_setup.sh" down
		echo
	done
} | tee "$out/bench.txt"
