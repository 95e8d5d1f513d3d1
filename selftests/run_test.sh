#!/bin/bash
# `rfsec run` as a seccomp supervisor: every way a program can make an
# RFCOMM socket gives an rfsec socket with the flags it asked for, or fails;
# none gives plain RFCOMM (SO_PROTOCOL 3). Every other socket is left alone.
# The program keeps rfsec run's process (ID, signals, exit status), the
# supervisor serves the program's children and leaves when they have all
# gone, and without rfsec nothing falls back to plaintext.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
rfsec=$top/user/rfsec
probe=$top/selftests/run_probe.py
client=$top/build/selftests/run_client
static=$top/build/selftests/run_client_static
spawn=$top/build/selftests/run_spawn
goclient=$top/build/selftests/run_go_client
py=/usr/bin/python3	# Debian's, whatever python3 comes first in PATH
tmp=$(mktemp -d)

# Runs "$@", keeping its stdout, stderr and exit code in $tmp/{out,err,rc}.
capture() {
	"$@" > "$tmp/out" 2> "$tmp/err"
	echo $? > "$tmp/rc"
}

rc_is() { test "$(cat "$tmp/rc")" = "$1"; }
out_is() { test "$(cat "$tmp/out")" = "$1"; }
out_has() { grep -qF -- "$1" "$tmp/out"; }
err_has() { grep -qF -- "$1" "$tmp/err"; }
show() { cat "$tmp/out" "$tmp/err" | t_diag; }
# refused TEXT: exit code 1, TEXT on stderr, and the program did not run
# (every program these tests refuse would print "ran").
refused() { rc_is 1 && err_has "$1" && ! out_has ran; }
# The supervisors alive now (the only processes named rfsec in this guest).
supervisors() { pgrep -x rfsec; }
# within TENTHS COMMAND...: waits up to TENTHS tenths of a second for
# COMMAND to succeed.
within() {
	local n=$1 _
	shift
	for _ in $(seq "$n"); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
no_supervisor_left() { within 50 eval '[ -z "$(supervisors)" ]'; }
wait_file() { within 100 test -s "$1"; }

## The command line

capture "$rfsec" run --help
t_check "rfsec run --help exits 0 and says it encrypts" \
	eval 'rc_is 0 && out_has "Usage: rfsec run" && out_has "encrypted"'
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
capture "$rfsec" run sh -c 'echo ran; exit 7'
t_check "'--' is optional; the program's exit code is rfsec run's" \
	eval 'rc_is 7 && out_is ran'
capture "$rfsec" run -- sh -c 'echo ran -v' -v
t_check "options after PROGRAM are PROGRAM's" out_is "ran -v"

## The program is rfsec run's process

"$rfsec" run -- sh -c 'echo $$' > "$tmp/pid" &
pid=$!
wait "$pid"
t_check "the program has rfsec run's process ID ($pid)" \
	test "$(cat "$tmp/pid")" = "$pid"
# (In a subshell: bash would report the death on the test's output.)
(capture "$rfsec" run -- sh -c 'kill -TERM $$') 2> /dev/null
t_check "a program killed by SIGTERM: 143, as without rfsec run" rc_is 143
"$rfsec" run -- sleep 30 &
pid=$!
sleep 0.5
kill -USR1 "$pid"
wait "$pid" 2> /dev/null
rc=$?
t_check "SIGUSR1 sent to rfsec run's PID reaches the program: 138 ($rc)" \
	test "$rc" = 138
t_check "the supervisors leave when their programs have" no_supervisor_left
# Python's subprocess reads a program's output to its end before reaping
# it (bash reaps as it reads, so \$(...) cannot show this).
timeout 30 "$py" -c 'import subprocess, sys
r = subprocess.run([sys.argv[1], "run", "--", "echo", "ran"],
                   capture_output=True, timeout=20)
sys.exit(r.stdout != b"ran\n")' "$rfsec" 2> "$tmp/err"
rc=$?
t_diag < "$tmp/err"
t_check "subprocess.run(capture_output=True) returns: the supervisor lets go of stderr ($rc)" \
	test "$rc" = 0

## Programs that preloading could not reach run, and are converted

# ldconfig is statically linked on Debian.
capture "$rfsec" run -- /sbin/ldconfig --version
t_check "a static program runs (ldconfig --version)" \
	eval 'rc_is 0 && out_has ldconfig'

# probe NAME EXPECTED COMMAND...: COMMAND's "proto=" or "errno=" line.
probe() {
	local name=$1 want=$2
	shift 2
	capture "$@"
	show
	t_check "$name: $want" eval 'grep -qx -- "$want" "$tmp/out"'
	t_check "$name: never plain RFCOMM" eval '! grep -qx proto=3 "$tmp/out"'
}
probe "C, socket() (dynamic)" proto=7 "$rfsec" run -- "$client" probe
probe "C, socket() (static)" proto=7 "$rfsec" run -- "$static" probe
probe "C, syscall(SYS_socket) (static)" proto=7 \
	"$rfsec" run -- "$static" -m syscall probe
probe "Go, syscall.Socket" proto=7 "$rfsec" run -- "$goclient" probe
probe "a shell script's static child" proto=7 \
	"$rfsec" run -- sh -c '"$1" probe; echo child exited $?' _ "$static"
probe "a fork()ed and exec()ed static child" proto=7 \
	"$rfsec" run -- "$spawn" "$static" probe
probe "rfsec run inside rfsec run" proto=7 \
	"$rfsec" run -- "$rfsec" run -- "$static" probe

# i386 and x32 system calls, made by a 64-bit program.
capture "$static" -m int80 probe
if grep -qx proto=3 "$tmp/out"; then
	probe "i386 socket (int \$0x80)" proto=7 \
		"$rfsec" run -- "$static" -m int80 probe
else
	t_skip "i386 socket (int \$0x80)" "this kernel has no i386 system calls ($(cat "$tmp/out"))"
fi
probe "i386 socketcall(SYS_SOCKET): refused" errno=ENOSYS \
	"$rfsec" run -- "$static" -m socketcall probe
capture "$static" -m x32 probe
echo "x32 socket without rfsec run: $(cat "$tmp/out")" | t_diag
probe "x32 socket" proto=7 "$rfsec" run -- "$static" -m x32 probe

capture "$client" uring
echo "io_uring_setup without rfsec run: $(cat "$tmp/out")" | t_diag
capture "$rfsec" run -- "$client" uring
t_check "io_uring_setup is refused under rfsec run (ENOSYS)" out_is errno=ENOSYS

## RFCOMM sockets become rfsec sockets with their flags; nothing else changes

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
t_check "the supervisor said nothing (no error, no -v)" \
	test ! -s "$tmp/run.err"

capture "$rfsec" run -- "$py" "$probe" --threads 16 rfcomm
show
t_check "16 threads' simultaneous socket() calls all become rfsec" \
	out_has "rfcomm x16 proto=7 nonblock=0 cloexec=0"

capture "$rfsec" run -v -- "$py" "$probe" rfcomm inet
t_check "-v reports each socket made an rfsec socket, only those" \
	test "$(grep -c 'RFCOMM socket made an rfsec socket' "$tmp/err")" = 1

# What the filter costs a socket it lets through (measured, not judged:
# the emulated CPU's timing is too noisy for a bound).
for round in 1 2 3; do
	a=$("$client" bench-unix 3000)
	b=$("$rfsec" run -- "$client" bench-unix 3000)
	echo "AF_UNIX socket()+close(), round $round: without rfsec run ${a#*=} ns, with ${b#*=} ns" | t_diag
done

## The supervisor serves the program's children, and fails closed

# A child that outlives the program still gets rfsec sockets.
"$rfsec" run -- sh -c '(sleep 1; "$1" probe > "$2") & exit 0' _ "$static" \
	"$tmp/late"
wait_file "$tmp/late"
t_check "a child making its socket after the program has exited: proto=7" \
	test "$(cat "$tmp/late")" = proto=7
t_check "and the supervisor left after it" no_supervisor_left

# A caller killed while the supervisor has not answered yet.
rm -f "$tmp/go" "$tmp/go2" "$tmp/first" "$tmp/second"
"$rfsec" run -- sh -c 'while [ ! -e "$2/go" ]; do sleep 0.1; done
	"$1" probe > "$2/first"
	while [ ! -e "$2/go2" ]; do sleep 0.1; done
	"$1" probe > "$2/second"' _ "$static" "$tmp" 2> "$tmp/killed.err" &
main=$!
sleep 0.5
sup=$(supervisors)
kill -STOP $sup
touch "$tmp/go"
sleep 1
caller=$(pgrep -P "$main" -f run_client_static)
echo "supervisor $sup stopped, caller $caller waiting" | t_diag
kill -KILL $caller
kill -CONT $sup
touch "$tmp/go2"
wait "$main"
t_diag < "$tmp/killed.err"
t_check "the caller killed mid-call got nothing, the supervisor went on: proto=7" \
	test -z "$(cat "$tmp/first" 2> /dev/null)" -a \
	"$(cat "$tmp/second" 2> /dev/null)" = proto=7

# The supervisor killed: its program's RFCOMM sockets fail.
rm -f "$tmp/go" "$tmp/first"
"$rfsec" run -- sh -c 'while [ ! -e "$2/go" ]; do sleep 0.1; done
	"$1" probe > "$2/first"' _ "$static" "$tmp" &
main=$!
sleep 0.5
kill -KILL $(supervisors)
touch "$tmp/go"
wait "$main"
t_check "without its supervisor, socket(RFCOMM) fails (ENOSYS), no plaintext" \
	test "$(cat "$tmp/first")" = errno=ENOSYS

## Without rfsec, nothing falls back to plaintext

modprobe_path=$(cat /proc/sys/kernel/modprobe)
restore() {
	echo "$modprobe_path" > /proc/sys/kernel/modprobe
	modprobe rfsec
}
trap restore EXIT

# A program already running when rfsec goes away.
rm -f "$tmp/go" "$tmp/first"
"$rfsec" run -- sh -c 'while [ ! -e "$2/go" ]; do sleep 0.1; done
	"$1" probe > "$2/first"' _ "$static" "$tmp" 2> "$tmp/gone.err" &
main=$!
sleep 0.5
# Sockets closed above may still be on their way out and pin the module.
echo /bin/false > /proc/sys/kernel/modprobe
for _ in $(seq 50); do
	rmmod rfsec 2> /dev/null && break
	sleep 0.1
done
t_check "rfsec is unloaded and cannot be autoloaded" \
	sh -c '! grep -q "^rfsec " /proc/modules'
touch "$tmp/go"
wait "$main"
t_diag < "$tmp/gone.err"
t_check "rfsec gone while the program runs: socket() fails (EPROTONOSUPPORT)" \
	test "$(cat "$tmp/first")" = errno=EPROTONOSUPPORT
t_check "and the supervisor says why, once" \
	test "$(grep -c "run_client_stat.*cannot make an rfsec socket (Protocol not supported); refusing plaintext RFCOMM" "$tmp/gone.err")" = 1

capture "$rfsec" run -- echo ran
show
t_check "rfsec run refuses (1), says why, and does not run the program" \
	refused "rfsec run: rfsec sockets are not available: Protocol not supported; is the rfsec module installed? (modprobe rfsec)"
capture "$static" probe
t_check "RFCOMM itself still works: the refusal is rfsec run's" \
	out_is proto=3

restore
trap - EXIT
t_check "autoloading restored and rfsec loaded again" \
	grep -q '^rfsec ' /proc/modules
capture "$rfsec" run -- "$static" probe
t_check "rfsec run works again afterwards" out_is proto=7

t_check "no supervisor is left" no_supervisor_left
rm -rf "$tmp"
t_done
