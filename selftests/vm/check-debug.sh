#!/bin/bash
# make check-debug: the whole selftest suite, judged as make check judges it,
# on the debug kernels (debug-kernel.sh builds them from Debian's
# linux-source-6.12 and linux-source-6.1, or reuses their cached builds).
# One kernel at a time, not side by side as check.sh does for Debian's: a
# debug guest under TCG takes both cores, and its tests' timing suffers from
# a second one. Prints each kernel's summary and, last, the totals.
#   check-debug.sh [LINE...]
# RFSEC_GUEST_TIMEOUT: seconds one debug guest may take (default 14400).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
lines=${*:-"6.12 6.1"}
export RFSEC_FLAVOUR=debug
export RFSEC_GUEST_TIMEOUT=${RFSEC_GUEST_TIMEOUT:-14400}
log=$top/build/check-debug
mkdir -p "$log"
pass=0 fail=0 skip=0
summary=()
for line in $lines; do
	start=$(date +%s)
	"$top/selftests/check.sh" "$line" 2>&1 | tee "$log/$line.log"
	secs=$(($(date +%s) - start))
	# check.sh's last line: "N passed, N failed, N skipped".
	last=$(tail -n 1 "$log/$line.log")
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
		pass=$((pass + BASH_REMATCH[1])) fail=$((fail + BASH_REMATCH[2]))
		skip=$((skip + BASH_REMATCH[3]))
		summary+=("debug $line: $last (${secs}s with build)")
	else
		fail=$((fail + 1))
		summary+=("debug $line: check.sh ended without its totals (${secs}s)")
	fi
done
echo "=== check-debug summary"
printf '%s\n' "${summary[@]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
