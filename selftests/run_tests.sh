#!/bin/bash
# Runs, inside the guest, every selftest named in tests.list (or the list
# named by $rfsec_list), in order. Each test's TAP output goes to
# OUT/NAME.tap, its exit code to OUT/NAME.rc, its duration to OUT/NAME.secs.
# $rfsec_only (comma-separated names) limits the run to those tests. A test
# marked "keys" runs with hci0 and hci1 holding identities and each other as
# peers (keys_setup.sh), so that its rfsec connections are encrypted.
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: run_tests.sh OUTDIR}
cd /tmp || exit 1
# The soak list runs the long variants of the tests that have them, the
# fuzz list the long runs of the fuzzers.
[ "${rfsec_list:-tests}" = soak ] && export RFSEC_SOAK=1
[ "${rfsec_list:-tests}" = fuzz ] && export RFSEC_FUZZ=1
# The lists' time limits are for Debian's kernels; the debug kernels (KASAN,
# lockdep, kmemleak under software emulation) run the suite about three
# times slower (measured: 2108 s against 636-806 s).
case "$(uname -r)" in
*-rfsec-debug) scale=4 ;;
*) scale=1 ;;
esac
# run-guest.sh -s: a machine shared with other guests.
[ -n "${rfsec_scale:-}" ] && scale=$rfsec_scale
grep -v -e '^#' -e '^$' "$top/selftests/${rfsec_list:-tests}.list" |
while read -r t limit flags; do
	case ",$rfsec_only," in
	,,|*",$t,"*) ;;
	*) continue ;;
	esac
	case "$t" in
	*.sh | *.py) cmd=$top/selftests/$t ;;
	*) cmd=$top/build/selftests/$t ;;
	esac
	echo "guest: running $t"
	case " $flags " in
	*" keys "*) "$top/selftests/keys_setup.sh" up > "$out/$t.keys.log" 2>&1 ;;
	esac
	start=$(date +%s)
	timeout -k 5 $((${limit:-300} * scale)) "$cmd" > "$out/$t.tap" 2>&1 < /dev/null
	rc=$?
	echo $rc > "$out/$t.rc"
	echo $(($(date +%s) - start)) > "$out/$t.secs"
	# What the Bluetooth stack held when a test failed (links, L2CAP
	# channels, RFCOMM sessions and channels), for check.sh to show.
	if [ "$rc" != 0 ]; then
		{
			hcitool con
			for f in l2cap rfcomm rfcomm_dlc; do
				echo "== $f"
				cat "/sys/kernel/debug/bluetooth/$f"
			done
		} > "$out/$t.state" 2>&1
	fi
	case " $flags " in
	*" keys "*) "$top/selftests/keys_setup.sh" down ;;
	esac
done
