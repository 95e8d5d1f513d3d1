#!/bin/bash
# Runs, inside the guest, every selftest named in tests.list, in order. Each
# test's TAP output goes to OUT/NAME.tap and its exit code to OUT/NAME.rc.
# $rfsec_only (comma-separated names) limits the run to those tests.
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: run_tests.sh OUTDIR}
cd /tmp || exit 1
grep -v -e '^#' -e '^$' "$top/selftests/tests.list" | while read -r t limit; do
	case ",$rfsec_only," in
	,,|*",$t,"*) ;;
	*) continue ;;
	esac
	case "$t" in
	*.sh | *.py) cmd=$top/selftests/$t ;;
	*) cmd=$top/build/selftests/$t ;;
	esac
	echo "guest: running $t"
	timeout -k 5 "${limit:-300}" "$cmd" > "$out/$t.tap" 2>&1 < /dev/null
	echo $? > "$out/$t.rc"
done
