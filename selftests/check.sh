#!/bin/bash
# Runs the whole selftest suite on every supported kernel line (or the ones
# given): fetches each kernel, builds rfsec.ko for it, boots one guest per
# kernel, all side by side, and judges the results. Prints a summary per
# kernel with how long its guest took and, last, "N passed, N failed" for all
# of them. Exits non-zero on any failure.
#   check.sh [LINE...]
# RFSEC_SUITE=soak runs soak.list instead of tests.list (make soak);
# RFSEC_FLAVOUR=debug runs on the debug kernels (make check-debug).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
vm=$top/selftests/vm
lines=${*:-$("$vm/kernels.sh" lines)}
suite=${RFSEC_SUITE:-tests}
list=$top/selftests/$suite.list
total_pass=0 total_fail=0 total_skip=0
summary=()

# Kernel log lines that fail a run whatever the tests said. Debian's kernels
# have no KASAN, lockdep, kmemleak, UBSAN or debug objects, so on them only
# the first group can ever match; the debug kernels (make check-debug) can
# raise every one.
bad_log='WARNING:|BUG:|Oops|general protection|refcount_t:|list_add corruption|list_del corruption|Kernel panic|hung_task|INFO: task .* blocked'
# (kmemleak's "N new suspected memory leaks" is judged from its report,
# judge_kmemleak below, which tells rfsec's leaks from known ones.)
bad_log+='|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU|UBSAN:|KASAN:|ODEBUG:'

mkdir -p "$top/build/kmod"
make -s -C "$top" selftests user || exit 1

# Style holds for every kernel; checked once on the host.
if "$top/selftests/lint.sh"; then
	total_pass=$((total_pass + 1))
else
	total_fail=$((total_fail + 1))
fi

# The packages package_test.sh installs in the guests, when the list runs
# it: built and judged by lintian here, once.
if grep -q '^package_test.sh' "$list"; then
	if make -s -C "$top" deb > "$top/build/deb.log" 2>&1; then
		echo "ok - make deb: rfsec and rfsec-dkms built, lintian reports no error or warning"
		total_pass=$((total_pass + 1))
	else
		tail -n 30 "$top/build/deb.log" | sed 's/^/# /'
		echo "not ok - make deb: rfsec and rfsec-dkms built, lintian reports no error or warning"
		total_fail=$((total_fail + 1))
	fi
fi

# judge_tap VER TEST: prints the test's TAP and sets p/s/f. A test passes only
# if it printed its whole plan ("1..N" and N results) and exited 0.
judge_tap() {
	local ver=$1 t=$2 res=$top/build/results/$1 tap plan n rc list=$list
	[ "$ver" = host ] && list=/dev/null
	tap=$res/$t.tap
	p=0 s=0 f=0
	if [ ! -f "$tap" ]; then
		echo "[$ver] not ok - $t did not run"
		f=1
		return
	fi
	sed "s/^/[$ver] /" "$tap"
	p=$(grep -c '^ok ' "$tap")
	s=$(grep -c '^ok .*# SKIP' "$tap")
	f=$(grep -c '^not ok ' "$tap")
	n=$((p + f))
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$tap" | tail -n 1)
	rc=$(cat "$res/$t.rc" 2>/dev/null || echo missing)
	if [ -z "$plan" ] || [ "$plan" != "$n" ]; then
		echo "[$ver] not ok - $t printed ${n} results against a plan of ${plan:-none}"
		f=$((f + 1))
	fi
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "[$ver] not ok - $t exited with status $rc"
		f=1
	fi
	# The most skips a test may report (tests.list's skips=N, 0 by default):
	# a skip count that grows must be seen, not absorbed.
	local allowed
	allowed=$(awk -v t="$t" '$1 == t { for (i = 2; i <= NF; i++)
		if ($i ~ /^skips=/) { sub(/^skips=/, "", $i); print $i } }' "$list")
	if [ "$s" -gt "${allowed:-0}" ]; then
		echo "[$ver] not ok - $t skipped $s checks, more than the ${allowed:-0} its list allows"
		f=$((f + 1))
	fi
	p=$((p - s))
	if [ "$f" != 0 ] && [ -s "$res/$t.state" ]; then
		echo "[$ver] # the Bluetooth stack after $t failed:"
		sed "s/^/[$ver] #   /" "$res/$t.state"
	fi
}

# kmemleak's report of a debug run. A leaked object whose allocation
# backtrace passes through a function that selftests/vm/debug/known-leaks
# lists for this kernel line is a known leak of Debian's own Bluetooth core
# (each listed with its plain-RFCOMM reproducer in docs/TESTING.md): shown
# and counted as one skip, never as a pass. Any other leak fails.
judge_kmemleak() {
	local ver=$1 res=$2 line known=$top/selftests/vm/debug/known-leaks
	p=0 s=0 f=0
	rm -f "$res/kmemleak.unknown" "$res/kmemleak.known"
	if [ ! -s "$res/kmemleak.txt" ]; then
		echo "[$ver] ok - kmemleak found no leak"
		p=1
		return
	fi
	line=$(echo "$ver" | sed 's/^\([0-9]*\.[0-9]*\).*/\1/')
	awk -v line="$line" -v out="$res/kmemleak" '
		FNR == NR {
			if ($1 == line) funcs[$2] = 1
			next
		}
		/^unreferenced object/ { n++ }
		{ obj[n] = obj[n] $0 "\n" }
		/\[<[0-9a-f]*>\]/ {
			fn = $2; sub(/\+.*/, "", fn); sub(/\.(part|isra|constprop)\.[0-9]*$/, "", fn)
			if (fn in funcs) { hit[n] = 1; site[n] = fn }
		}
		END {
			for (i = 1; i <= n; i++) {
				if (hit[i]) { nk++; sites[site[i]]++ }
				else printf "%s", obj[i] > (out ".unknown")
			}
			for (k in sites) printf "%d in %s\n", sites[k], k > (out ".known")
		}' <(grep -v '^#' "$known" 2> /dev/null) "$res/kmemleak.txt"
	if [ -s "$res/kmemleak.unknown" ]; then
		echo "[$ver] not ok - kmemleak found no leak; it reports:"
		sed 's/^/[kmemleak] /' "$res/kmemleak.unknown" | head -n 60
		f=1
	else
		echo "[$ver] ok - kmemleak found no leak but the Bluetooth core's known ones # SKIP $(sort -rn "$res/kmemleak.known" | paste -sd, -) (known-leaks)"
		s=1
	fi
}

# The protocol's vectors and its two userspace implementations need no
# module: checked once, here, at native speed.
if [ "$suite" = tests ]; then
	mkdir -p "$top/build/results/host"
	for t in vectors_test vectors_check.py; do
		case "$t" in
		*.py) cmd=$top/selftests/$t ;;
		*) cmd=$top/build/selftests/$t ;;
		esac
		timeout -k 5 300 "$cmd" > "$top/build/results/host/$t.tap" 2>&1 < /dev/null
		echo $? > "$top/build/results/host/$t.rc"
		judge_tap host "$t"
		total_pass=$((total_pass + p)) total_skip=$((total_skip + s))
		total_fail=$((total_fail + f))
	done
fi

# Build everything first, then boot every guest at once: each guest is one
# QEMU process, and the kernels are independent.
vers=() pids=() starts=()
for line in $lines; do
	echo "=== kernel line $line: fetch and build"
	if ! ver=$("$vm/kernels.sh" fetch "$line"); then
		summary+=("$line: could not fetch the kernel")
		total_fail=$((total_fail + 1))
		continue
	fi
	# W=1 and sparse (C=2 checks every file, even unchanged ones).
	log=$top/build/kmod/$ver.log
	if ! make -s -C "$top" kmod KVER="$ver" C=2 > "$log" 2>&1; then
		cat "$log"
		echo "not ok - $ver: rfsec.ko builds"
		summary+=("$ver: module build failed")
		total_fail=$((total_fail + 1))
		continue
	fi
	vers+=("$ver")
done

for ver in "${vers[@]}"; do
	echo "=== $ver: guest started"
	"$vm/run-guest.sh" -t "${RFSEC_GUEST_TIMEOUT:-2700}" -L "$suite" \
		"$ver" tests > "$top/build/kmod/$ver.guest.log" 2>&1 &
	pids+=($!)
	starts+=("$(date +%s)")
done

for i in "${!vers[@]}"; do
	ver=${vers[$i]}
	wait "${pids[$i]}"
	guest_rc=$?
	secs=$(($(date +%s) - ${starts[$i]}))
	res=$top/build/results/$ver
	pass=0 fail=0 skip=0
	echo "=== $ver: results (guest ${secs}s)"
	cat "$top/build/kmod/$ver.guest.log"

	if grep -E 'warning:|error:' "$top/build/kmod/$ver.log"; then
		echo "[$ver] not ok - rfsec.ko builds with no compiler or sparse warning (W=1, C=2)"
		fail=$((fail + 1))
	else
		echo "[$ver] ok - rfsec.ko builds with no compiler or sparse warning (W=1, C=2)"
		pass=$((pass + 1))
	fi

	while read -r t _; do
		judge_tap "$ver" "$t"
		pass=$((pass + p)) skip=$((skip + s)) fail=$((fail + f))
		[ -f "$res/$t.secs" ] && echo "[$ver] # $t took $(cat "$res/$t.secs")s"
	done < <(grep -v -e '^#' -e '^$' "$list")

	if [ -f "$res/finished" ]; then
		if [ "$(cat "$res/rmmod.rc")" = 0 ]; then
			echo "[$ver] ok - rmmod rfsec at the end of the run"
			pass=$((pass + 1))
		else
			echo "[$ver] not ok - rmmod rfsec at the end of the run: $(cat "$res/rmmod.err")"
			fail=$((fail + 1))
		fi
		# The guest logs the kernel's messages as they come (dmesg -w), so a
		# report cannot scroll out of the ring before the end of the run.
		if grep -E "$bad_log" "$res/dmesg.txt" > "$res/dmesg.bad"; then
			echo "[$ver] not ok - kernel log is clean; it has:"
			sed 's/^/[kernel log] /' "$res/dmesg.bad" | head -n 40
			fail=$((fail + 1))
		else
			echo "[$ver] ok - kernel log has no report of the classes this kernel can raise"
			pass=$((pass + 1))
		fi
		if [ -f "$res/kmemleak.txt" ]; then
			judge_kmemleak "$ver" "$res"
			pass=$((pass + p)) skip=$((skip + s)) fail=$((fail + f))
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

echo "=== summary ($suite)"
printf '%s\n' "${summary[@]}"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" = 0 ]
