#!/bin/bash
# Runs the whole selftest suite on every supported kernel line (or the ones
# given): fetches each kernel, builds rfsec.ko for it, boots a guest, and
# judges the results. Prints a summary per kernel and, last,
# "N passed, N failed" for all of them. Exits non-zero on any failure.
#   check.sh [LINE...]
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
vm=$top/selftests/vm
lines=${*:-$("$vm/kernels.sh" lines)}
total_pass=0 total_fail=0 total_skip=0
summary=()

# Kernel log lines that fail a run whatever the tests said.
bad_log='WARNING:|BUG:|Oops|general protection|refcount_t:|list_add corruption|list_del corruption|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU|UBSAN:|KASAN:|Kernel panic|hung_task|INFO: task .* blocked'

mkdir -p "$top/build/kmod"
make -s -C "$top" selftests user || exit 1

# Style holds for every kernel; checked once on the host.
if "$top/selftests/lint.sh"; then
	total_pass=$((total_pass + 1))
else
	total_fail=$((total_fail + 1))
fi

for line in $lines; do
	pass=0 fail=0 skip=0
	echo "=== kernel line $line"
	if ! ver=$("$vm/kernels.sh" fetch "$line"); then
		summary+=("$line: could not fetch the kernel")
		total_fail=$((total_fail + 1))
		continue
	fi
	# W=1 and sparse (C=2 checks every file, even unchanged ones).
	if ! make -s -C "$top" kmod KVER="$ver" C=2 > "$top/build/kmod/$ver.log" 2>&1; then
		cat "$top/build/kmod/$ver.log"
		echo "not ok - $ver: rfsec.ko builds"
		summary+=("$ver: module build failed")
		total_fail=$((total_fail + 1))
		continue
	fi
	if grep -E 'warning:|error:' "$top/build/kmod/$ver.log"; then
		echo "[$ver] not ok - rfsec.ko builds with no compiler or sparse warning (W=1, C=2)"
		fail=$((fail + 1))
	else
		echo "[$ver] ok - rfsec.ko builds with no compiler or sparse warning (W=1, C=2)"
		pass=$((pass + 1))
	fi
	res=$top/build/results/$ver
	start=$(date +%s)
	"$vm/run-guest.sh" -t "${RFSEC_GUEST_TIMEOUT:-2400}" "$ver" tests
	guest_rc=$?
	secs=$(($(date +%s) - start))

	while read -r t _; do
		tap=$res/$t.tap
		if [ ! -f "$tap" ]; then
			echo "not ok - $t did not run"
			fail=$((fail + 1))
			continue
		fi
		sed "s/^/[$ver] /" "$tap"
		p=$(grep -c '^ok ' "$tap" | head -n1)
		s=$(grep -c '^ok .*# SKIP' "$tap" | head -n1)
		f=$(grep -c '^not ok ' "$tap" | head -n1)
		rc=$(cat "$res/$t.rc" 2>/dev/null || echo missing)
		if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
			echo "[$ver] not ok - $t exited with status $rc"
			f=1
		fi
		pass=$((pass + p - s)) skip=$((skip + s)) fail=$((fail + f))
	done < <(grep -v -e '^#' -e '^$' "$top/selftests/tests.list")

	if [ -f "$res/finished" ]; then
		if [ "$(cat "$res/rmmod.rc")" = 0 ]; then
			echo "[$ver] ok - rmmod rfsec at the end of the run"
			pass=$((pass + 1))
		else
			echo "[$ver] not ok - rmmod rfsec at the end of the run: $(cat "$res/rmmod.err")"
			fail=$((fail + 1))
		fi
		if grep -E "$bad_log" "$res/dmesg.txt" > "$res/dmesg.bad"; then
			echo "[$ver] not ok - kernel log is clean; it has:"
			sed 's/^/[kernel log] /' "$res/dmesg.bad" | head -n 40
			fail=$((fail + 1))
		else
			echo "[$ver] ok - kernel log is clean (no WARNING, BUG, Oops, corruption or lockdep report)"
			pass=$((pass + 1))
		fi
	else
		echo "[$ver] not ok - guest finished its run (status $guest_rc); see $res/console.log"
		fail=$((fail + 1))
	fi
	summary+=("$ver: $pass passed, $fail failed, $skip skipped (guest ${secs}s)")
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
done

echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" = 0 ]
