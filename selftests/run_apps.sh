#!/bin/bash
# Unmodified RFCOMM programs through `rfsec run`, server on hci1 and client
# on hci0: BlueZ's rctest, a PyBluez echo written as tutorials write it, and
# clients that no preload library could reach: statically linked C, Go,
# syscall(SYS_socket), a shell script's static child, a forked and exec'd
# child. Each must move its data intact over rfsec sockets, which the kernel
# counts (`rfsec version dump`) while the programs run, each connection
# must run a handshake (keys are set: the data is encrypted), and no client
# may ever hold plain RFCOMM.
#
# RFSEC_RUN replaces the wrapper: RFSEC_RUN= runs the same programs on plain
# RFCOMM, the oracle that shows these checks hold for RFCOMM itself (the
# checks that sockets are rfsec sockets are then skipped).
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
rfsec=$top/user/rfsec
py=/usr/bin/python3	# Debian's, with python3-bluez
srv_addr=$(bt_addr hci1)
tmp=$(mktemp -d)

if [ "${RFSEC_RUN+set}" ]; then
	read -r -a wrap <<< "$RFSEC_RUN"
else
	wrap=("$rfsec" run -v --)	# -v: each socket converted is reported
fi
plain=$([ ${#wrap[@]} = 0 ] && echo 1)
[ "$plain" ] && echo "plain RFCOMM: RFSEC_RUN is empty" | t_diag

rfsec_sockets() { "$rfsec" version dump 2> /dev/null | cut -f4; }

# Waits up to 10 s for TEXT in FILE: a server saying it listens.
wait_for() {
	local _
	for _ in $(seq 100); do
		grep -q "$1" "$2" && return 0
		sleep 0.1
	done
	return 1
}

# Waits for the rfsec sockets of an earlier test to go, so that the counts
# below are this test's (closing RFCOMM can take a moment).
wait_no_sockets() {
	local _
	for _ in $(seq 50); do
		[ "$(rfsec_sockets)" = 0 ] && return
		sleep 0.1
	done
}

# The most rfsec sockets seen while process $1 runs.
max_sockets_while() {
	local max=0 n
	while kill -0 "$1" 2> /dev/null; do
		n=$(rfsec_sockets)
		[ "${n:-0}" -gt "$max" ] && max=$n
		sleep 0.05
	done
	echo "$max"
}

# check_rfsec NAME COMMAND...: a check that only means something with rfsec.
check_rfsec() {
	if [ "$plain" ]; then
		t_skip "$1" "plain RFCOMM"
	else
		t_check "$@"
	fi
}

stop() {
	kill "$1" 2> /dev/null
	wait "$1" 2> /dev/null
}

# echo_server CHANNEL OUTPUT: a PyBluez echo server through the wrapper,
# listening when this returns; its process is $srv_pid.
echo_server() {
	"${wrap[@]}" "$py" "$top/selftests/pybluez_echo.py" server "$1" \
		> "$2" 2>&1 &
	srv_pid=$!
	wait_for "Waiting for connection" "$2"
}

# The echo server ends by itself once its client has gone.
echo_server_done() {
	for _ in $(seq 100); do
		kill -0 "$srv_pid" 2> /dev/null || break
		sleep 0.1
	done
	stop "$srv_pid"
}

## BlueZ's rctest

chan=15
frames=50
size=1000
wait_no_sockets
"${wrap[@]}" rctest -i hci1 -r -P "$chan" > "$tmp/rctest.srv" 2>&1 &
srv_pid=$!
wait_for "Waiting for connection" "$tmp/rctest.srv"
listening=$(rfsec_sockets)
# One frame every 20 ms: the transfer lasts long enough to be seen.
timeout 60 "${wrap[@]}" rctest -i hci0 -s -P "$chan" -N "$frames" -b "$size" \
	-C 1 -D 20 -L 10 "$srv_addr" > "$tmp/rctest.cli" 2>&1 &
cli_pid=$!
during=$(max_sockets_while "$cli_pid")
wait "$cli_pid"
cli_rc=$?
sleep 1
stop "$srv_pid"
t_diag < "$tmp/rctest.cli"
grep -v " bytes in " "$tmp/rctest.srv" | t_diag

check_rfsec "rctest server's listening socket is an rfsec socket ($listening)" \
	test "${listening:-0}" -ge 1
check_rfsec "during the transfer: listener, connection, client are rfsec sockets ($during)" \
	test "$during" -ge 3
check_rfsec "rfsec run made rctest's RFCOMM sockets rfsec sockets, both sides" \
	eval 'grep -q "made an rfsec socket" "$tmp/rctest.srv" && grep -q "made an rfsec socket" "$tmp/rctest.cli"'
t_check "rctest client sent $frames frames of $size bytes to $srv_addr" \
	test "$cli_rc" = 0
got=$(sed -n 's/.*: \([0-9]*\) bytes in .*/\1/p' "$tmp/rctest.srv" |
	awk '{ s += $1 } END { print s + 0 }')
# As in rctest.sh: RFCOMM may drop the tail of the last frame when rctest
# shuts down right after its last send(); all frames but the last arrive.
t_check "rctest server received $got of $((frames * size)) bytes (at least $(((frames - 1) * size)))" \
	test "$got" -ge $(((frames - 1) * size)) -a "$got" -le $((frames * size))
t_check "rctest server saw no sequence mismatch" \
	eval '! grep -qi "missmatch\|mismatch" "$tmp/rctest.srv"'

## A PyBluez echo

chan=16
chunks=64
size=1000
wait_no_sockets
echo_server "$chan" "$tmp/echo.srv"
listening=$(rfsec_sockets)
# 20 ms between chunks, as for rctest: the echo lasts long enough to be seen.
timeout 60 "${wrap[@]}" "$py" "$top/selftests/pybluez_echo.py" client \
	"$srv_addr" "$chan" "$chunks" "$size" 20 > "$tmp/echo.cli" 2>&1 &
cli_pid=$!
during=$(max_sockets_while "$cli_pid")
wait "$cli_pid"
cli_rc=$?
echo_server_done
t_diag < "$tmp/echo.cli"
t_diag < "$tmp/echo.srv"

check_rfsec "PyBluez server's listening socket is an rfsec socket ($listening)" \
	test "${listening:-0}" -ge 1
check_rfsec "during the echo: listener, connection, client are rfsec sockets ($during)" \
	test "$during" -ge 3
check_rfsec "rfsec run made PyBluez's RFCOMM sockets rfsec sockets, both sides" \
	eval 'grep -q "made an rfsec socket" "$tmp/echo.srv" && grep -q "made an rfsec socket" "$tmp/echo.cli"'
t_check "PyBluez client: $chunks chunks of $size bytes came back intact" \
	eval 'test "$cli_rc" = 0 && grep -qx "echo intact" "$tmp/echo.cli"'
sent=$(sed -n 's/^sent \([0-9]* bytes sha256 [0-9a-f]*\)$/\1/p' "$tmp/echo.cli")
received=$(sed -n 's/^received \([0-9]* bytes sha256 [0-9a-f]*\)$/\1/p' "$tmp/echo.srv")
t_check "PyBluez server received exactly what the client sent ($((chunks * size)) bytes, same SHA-256)" \
	test -n "$sent" -a "$sent" = "$received" -a "${sent%% *}" = $((chunks * size))

## Clients the C library's socket() never sees

cli_addr=$(bt_addr hci0)
build=$top/build/selftests
# The handshakes hci1 has run with hci0: one more per encrypted connection.
handshakes() {
	"$build/rfsec_app" stats "$srv_addr" "$cli_addr" 2> /dev/null |
		sed -n 's/^handshakes //p'
}

# client_echo NAME CHANNEL CLIENT...: CLIENT (run_client.c's protocol,
# through rfsec run) echoes 32000 bytes through a PyBluez server.
client_echo() {
	local name=$1 chan=$2 bytes=32000 want before after
	shift 2
	wait_no_sockets
	echo_server "$chan" "$tmp/c.srv"
	before=$(handshakes)
	timeout 60 "${wrap[@]}" "$@" connect "$cli_addr" "$srv_addr" "$chan" \
		"$bytes" > "$tmp/c.cli" 2>&1
	cli_rc=$?
	echo_server_done
	after=$(handshakes)
	t_diag < "$tmp/c.cli"
	t_diag < "$tmp/c.srv"
	check_rfsec "$name: the client's socket is an rfsec socket (SO_PROTOCOL 7)" \
		grep -qx proto=7 "$tmp/c.cli"
	t_check "$name: never plain RFCOMM under rfsec run" \
		eval '[ "$plain" ] || ! grep -qx proto=3 "$tmp/c.cli"'
	t_check "$name: $bytes bytes came back intact" \
		eval 'test "$cli_rc" = 0 && grep -qx "echo intact" "$tmp/c.cli"'
	want=$("$py" -c 'import hashlib, sys
n = int(sys.argv[1])
print(hashlib.sha256(bytes((i * 31 + 7) & 255 for i in range(n))).hexdigest())' "$bytes")
	t_check "$name: the server received exactly those bytes (SHA-256)" \
		grep -qx "received $bytes bytes sha256 $want" "$tmp/c.srv"
	check_rfsec "$name: the connection ran a handshake (hci1 with hci0: $before -> $after)" \
		test "${after:-0}" -gt "${before:-0}"
}

client_echo "static C client" 17 "$build/run_client_static"
client_echo "Go client (syscall.Socket)" 18 "$build/run_go_client"
client_echo "syscall(SYS_socket) client" 19 "$build/run_client" -m syscall
printf '#!/bin/sh\n# A script that starts a static child and waits for it.\n"$@"\necho "child exited $?"\n' \
	> "$tmp/script.sh"
chmod 755 "$tmp/script.sh"
client_echo "shell script starting a static child" 20 \
	"$tmp/script.sh" "$build/run_client_static"
client_echo "fork and exec of a client" 21 \
	"$build/run_spawn" "$build/run_client"

wait_no_sockets
t_check "no rfsec socket is left over" test "$(rfsec_sockets)" = 0
rm -rf "$tmp"
t_done
