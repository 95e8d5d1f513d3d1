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
# The soak list runs the long variants of the tests that have them.
[ "${rfsec_list:-tests}" = soak ] && export RFSEC_SOAK=1
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
	timeout -k 5 "${limit:-300}" "$cmd" > "$out/$t.tap" 2>&1 < /dev/null
	echo $? > "$out/$t.rc"
	echo $(($(date +%s) - start)) > "$out/$t.secs"
	case " $flags " in
	*" keys "*) "$top/selftests/keys_setup.sh" down ;;
	esac
done
