#!/bin/bash
# `rfsec run` and librfsec-preload.so: an unmodified program's RFCOMM sockets
# become rfsec sockets with the flags it asked for, every other socket is left
# alone, programs the preload could not reach are refused, and without rfsec
# nothing falls back to plaintext RFCOMM.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
rfsec=$top/user/rfsec
lib=$top/user/librfsec-preload.so
probe=$top/selftests/run_probe.py
py=/usr/bin/python3	# Debian's, whatever python3 comes first in PATH
tmp=$(mktemp -d)

# Runs "$@", keeping its stdout, stderr and exit code in $tmp/{out,err,rc}.
capture() {
	"$@" > "$tmp/out" 2> "$tmp/err"
	echo $? > "$tmp/rc"
}

rc_is() { test "$(cat "$tmp/rc")" = "$1"; }
out_has() { grep -qF -- "$1" "$tmp/out"; }
err_has() { grep -qF -- "$1" "$tmp/err"; }
show() { cat "$tmp/out" "$tmp/err" | t_diag; }
# refused TEXT: exit code 1, TEXT on stderr, and the program did not run
# (every program these tests refuse would print "ran").
refused() { rc_is 1 && err_has "$1" && ! out_has ran; }

## The command line

capture "$rfsec" run --help
t_check "rfsec run --help exits 0 and explains" \
	eval 'rc_is 0 && out_has "Usage: rfsec run"'
capture "$rfsec" run
t_check "rfsec run without a program is a usage error (2)" rc_is 2
capture "$rfsec" run --
t_check "rfsec run -- without a program is a usage error (2)" rc_is 2
capture "$rfsec" run --bogus true
t_check "rfsec run with an unknown option is a usage error (2)" rc_is 2
capture "$rfsec" run -- /nonexistent/program
t_check "a program that does not exist: 127, as a shell says" \
	eval 'rc_is 127 && err_has "No such file"'
printf 'echo ran\n' > "$tmp/noexec" && chmod 644 "$tmp/noexec"
capture "$rfsec" run -- "$tmp/noexec"
t_check "a file that is not executable: 126, as a shell says" rc_is 126
capture "$rfsec" run -- sh -c 'exit 7'
t_check "the program's exit code is rfsec run's" rc_is 7
capture "$rfsec" run sh -c 'printf %s "$LD_PRELOAD"'
t_check "'--' is optional; LD_PRELOAD names the library beside rfsec" \
	test "$(cat "$tmp/out")" = "$(realpath "$lib")"
capture env LD_PRELOAD="$lib" "$rfsec" run -- sh -c 'printf %s "$LD_PRELOAD"'
t_check "rfsec's library goes first in LD_PRELOAD, the user's stays" \
	test "$(cat "$tmp/out")" = "$(realpath "$lib"):$lib"
cp "$lib" "$tmp/elsewhere.so"
capture env RFSEC_PRELOAD="$tmp/elsewhere.so" "$rfsec" run -- \
	sh -c 'printf %s "$LD_PRELOAD"'
t_check "RFSEC_PRELOAD chooses the library" \
	test "$(cat "$tmp/out")" = "$tmp/elsewhere.so"
capture env RFSEC_PRELOAD=/nonexistent.so "$rfsec" run -- echo ran
t_check "a missing RFSEC_PRELOAD library: refused (1), the program not run" \
	refused "RFSEC_PRELOAD=/nonexistent.so: No such file or directory"
capture env RFSEC_PRELOAD=/etc/hostname "$rfsec" run -- echo ran
t_check "an RFSEC_PRELOAD that is not a library: refused (1)" \
	refused "/etc/hostname is not a shared library"

## Programs the preload library cannot reach are refused

# ldconfig is statically linked on Debian; it would print its version.
capture "$rfsec" run -- /sbin/ldconfig --version
show
t_check "a static program is refused (1) and not run" \
	eval 'refused "/sbin/ldconfig is statically linked" && ! out_has ldconfig'
cp /bin/true "$tmp/suid" && chown nobody "$tmp/suid" && chmod 4755 "$tmp/suid"
capture "$rfsec" run -- "$tmp/suid"
show
t_check "a program set-user-ID to someone else is refused (1)" \
	refused "$tmp/suid is set-user-ID"
# An ELF file for another machine (AArch64): the loader would skip the library.
cp /bin/true "$tmp/foreign"
printf '\267\000' | dd of="$tmp/foreign" bs=1 seek=18 conv=notrunc status=none
capture "$rfsec" run -- "$tmp/foreign"
t_check "a program for another architecture is refused (1)" \
	refused "$tmp/foreign is built for another architecture"
printf '#!/sbin/ldconfig\n' > "$tmp/script" && chmod 755 "$tmp/script"
capture "$rfsec" run -- "$tmp/script"
t_check "a script whose interpreter is static is refused (1)" \
	refused "/sbin/ldconfig is statically linked"
printf '#!/bin/sh\necho script ran\n' > "$tmp/script"
capture "$rfsec" run -- "$tmp/script"
t_check "a script with a dynamic interpreter runs" \
	eval 'rc_is 0 && out_has "script ran"'

## RFCOMM sockets become rfsec sockets; nothing else changes

rfcomm_cases=(rfcomm rfcomm-nonblock rfcomm-cloexec rfcomm-nonblock-cloexec
	python-rfcomm rfcomm-raw)
other_cases=(rfcomm-seqpacket l2cap l2cap-stream hci sco inet
	inet-udp unix unix-seqpacket-nonblock)

"$py" "$probe" --count "$rfsec" "${rfcomm_cases[@]}" "${other_cases[@]}" \
	> "$tmp/plain" 2>&1
"$rfsec" run -- "$py" "$probe" --count "$rfsec" "${rfcomm_cases[@]}" \
	"${other_cases[@]}" > "$tmp/run" 2> "$tmp/run.err"
echo "without rfsec run:" | t_diag
t_diag < "$tmp/plain"
echo "with rfsec run:" | t_diag
t_diag < "$tmp/run"
t_diag < "$tmp/run.err"

field() { sed -n "s/^$1 //p" "$2"; }
flags_of() {
	case $1 in
	*nonblock-cloexec) echo "nonblock=1 cloexec=1" ;;
	*nonblock) echo "nonblock=1 cloexec=0" ;;
	*cloexec | python-*) echo "nonblock=0 cloexec=1" ;;
	*) echo "nonblock=0 cloexec=0" ;;
	esac
}
for c in "${rfcomm_cases[@]}"; do
	t_check "without rfsec run, $c is RFCOMM ($(flags_of "$c"))" \
		test "$(field "$c" "$tmp/plain")" = "proto=3 $(flags_of "$c")"
	t_check "with rfsec run, $c is rfsec, flags kept ($(flags_of "$c"))" \
		test "$(field "$c" "$tmp/run")" = "proto=7 $(flags_of "$c")"
done
for c in "${other_cases[@]}"; do
	t_check "with rfsec run, $c is untouched ($(field "$c" "$tmp/run"))" \
		test -n "$(field "$c" "$tmp/plain")" -a \
		"$(field "$c" "$tmp/run")" = "$(field "$c" "$tmp/plain")"
done
n=$(sed -n 's/^rfsec_sockets=//p' "$tmp/run")
t_check "the kernel counts the program's 6 RFCOMM sockets as rfsec sockets ($n)" \
	test "${n:-0}" -ge 6
t_check "the preload said nothing (no error, no debug output)" \
	test ! -s "$tmp/run.err"

capture "$rfsec" run -- "$py" "$probe" --threads 16 rfcomm
show
t_check "16 threads' simultaneous first socket() calls all become rfsec" \
	out_has "rfcomm x16 proto=7 nonblock=0 cloexec=0"

capture env RFSEC_PRELOAD_DEBUG=1 "$rfsec" run -- "$py" "$probe" rfcomm inet
t_check "RFSEC_PRELOAD_DEBUG=1 reports each socket made an rfsec socket, only those" \
	test "$(grep -c 'RFCOMM socket made an rfsec socket' "$tmp/err")" = 1

## Without rfsec, nothing falls back to plaintext

modprobe_path=$(cat /proc/sys/kernel/modprobe)
restore() {
	echo "$modprobe_path" > /proc/sys/kernel/modprobe
	modprobe rfsec
}
trap restore EXIT
# Sockets closed above may still be on their way out and pin the module.
echo /bin/false > /proc/sys/kernel/modprobe
for _ in $(seq 50); do
	rmmod rfsec 2>/dev/null && break
	sleep 0.1
done
t_check "rfsec is unloaded and cannot be autoloaded" \
	sh -c '! grep -q "^rfsec " /proc/modules'

capture "$rfsec" run -- echo ran
show
t_check "rfsec run refuses (1), says why, and does not run the program" \
	refused "rfsec run: rfsec sockets are not available: Protocol not supported; is the rfsec module installed? (modprobe rfsec)"

capture env LD_PRELOAD="$lib" "$py" "$probe" rfcomm python-rfcomm rfcomm-nonblock inet
show
t_check "the preload alone: socket() fails with EPROTONOSUPPORT, no fd" \
	test "$(field rfcomm "$tmp/out")" = "errno=EPROTONOSUPPORT"
t_check "the preload alone: Python's socket module gets the error too" \
	test "$(field python-rfcomm "$tmp/out")" = "errno=EPROTONOSUPPORT"
t_check "the preload alone: other sockets still work" \
	test "$(field inet "$tmp/out")" = "proto=6 nonblock=0 cloexec=0"
t_check "the preload alone: one clear message, once per process" \
	test "$(cat "$tmp/err")" = "rfsec: cannot create an rfsec socket (Protocol not supported); refusing plaintext RFCOMM"
capture "$py" "$probe" rfcomm
t_check "RFCOMM itself still works: the refusal is the preload's" \
	test "$(field rfcomm "$tmp/out")" = "proto=3 nonblock=0 cloexec=0"

restore
trap - EXIT
t_check "autoloading restored and rfsec loaded again" \
	grep -q '^rfsec ' /proc/modules
capture "$rfsec" run -- "$py" "$probe" rfcomm
t_check "rfsec run works again afterwards" \
	test "$(field rfcomm "$tmp/out")" = "proto=7 nonblock=0 cloexec=0"

rm -rf "$tmp"
t_done
