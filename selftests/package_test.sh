#!/bin/bash
# The Debian packages as a user installs them (make deb builds them on the
# host before the guest starts): dpkg -i both, DKMS builds rfsec.ko for
# this guest's kernel, socket(AF_BLUETOOTH, SOCK_STREAM, 7) loads it, the
# installed tool pairs hci0 with hci1 and an unmodified PyBluez echo runs
# encrypted through the installed `rfsec run`, systemd-analyze accepts the
# unit, and dpkg --purge leaves no file behind. The guest's root is an
# overlay in memory: nothing reaches the host.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
kver=$(uname -r)
tmp=$(mktemp -d)
py=/usr/bin/python3
rfsec=/usr/sbin/rfsec
version=$(sed -n 's/^#define RFSEC_VERSION "\(.*\)"/\1/p' "$top/kernel/version.h")
tool_deb=$(ls "$top"/build/deb/rfsec_"$version"_*.deb 2> /dev/null)
dkms_deb=$top/build/deb/rfsec-dkms_${version}_all.deb

if [ ! -f "$dkms_deb" ] || [ ! -f "$tool_deb" ]; then
	t_fail "the packages of rfsec $version are built (make deb)"
	t_done
fi

# Where a package's files and its maintainer scripts' work can land (the
# packages' own file lists, systemd's enablement links, DKMS's tree, the
# state rfsec save writes, depmod's indexes), minus what belongs to others:
# dpkg's database and DKMS's signing key, which DKMS makes on its first
# build and keeps for every module. (All of /usr over 9p takes minutes.)
snapshot() {
	{
		find /etc /var/lib /usr/sbin /usr/lib/rfsec /lib/systemd \
			/lib/modules/"$kver" /usr/share/man/man8 \
			/usr/share/bash-completion/completions -xdev \
			\( -path /var/lib/dpkg -o -path /var/lib/dkms/mok.key \
			   -o -path /var/lib/dkms/mok.pub \) -prune -o -print
		find /usr/share/doc /usr/src -maxdepth 1
	} 2> /dev/null | sort
}

# DKMS builds against /lib/modules/KVER/build. Debian's 6.1 headers are on
# the host; other kernels' are only in the test bed's extracted copy, which
# the guest's /usr/src gets (as linux-headers-KVER would put them there).
kdir=$("$top/selftests/vm/kernels.sh" kdir "$kver" 2> /dev/null)
if [ ! -e "/lib/modules/$kver/build/Makefile" ] && [ -n "$kdir" ]; then
	for d in "$(dirname "$kdir")"/linux-headers-*; do
		[ -e "/usr/src/$(basename "$d")" ] || ln -s "$d" /usr/src/
	done
	[ -e "/lib/modules/$kver/build" ] ||
		ln -s "/usr/src/linux-headers-$kver" "/lib/modules/$kver/build"
fi
t_check "headers for $kver where DKMS looks" test -e "/lib/modules/$kver/build/Makefile"

# The test bed's own module is hidden under a name neither depmod nor DKMS
# takes for a module: DKMS will not install over a module of the same
# version it finds, and a depmod of the test's own would cost minutes over
# 9p (DKMS's own depmod then drops the stale entry). It is not brought
# back: this test runs last in its list, and the run's final rmmod unloads
# the packaged module. State an earlier test saved moves aside, since the
# purge rightly removes /var/lib/rfsec, and comes back at the end.
for _ in $(seq 50); do
	rmmod rfsec 2> /dev/null && break
	sleep 0.1
done
mods=/lib/modules/$kver
for f in "$mods"/updates/rfsec.ko*; do
	[ -e "$f" ] && mv "$f" "$f.testbed"
done
[ -e /var/lib/rfsec ] && mv /var/lib/rfsec "$tmp/state-before"
t_check "the test bed's rfsec is unloaded and hidden" \
	eval '! grep -q "^rfsec " /proc/modules && ! ls "$mods"/updates/rfsec.ko "$mods"/updates/rfsec.ko.xz > /dev/null 2>&1'

snapshot > "$tmp/before"
start=$(date +%s)
dpkg -i "$dkms_deb" "$tool_deb" > "$tmp/install.log" 2>&1
rc=$?
t_diag < "$tmp/install.log"
t_check "dpkg -i rfsec-dkms rfsec: exit 0 ($(($(date +%s) - start)) s, DKMS build included)" \
	test "$rc" = 0
ko=$(modinfo -n rfsec 2> /dev/null)
t_check "DKMS built rfsec.ko for $kver ($ko)" \
	eval 'case "$ko" in /lib/modules/$kver/updates/dkms/rfsec.ko*) true ;; *) false ;; esac'

"$py" -c 'import socket
s = socket.socket(socket.AF_BLUETOOTH, socket.SOCK_STREAM, 7)
print(s.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL))' > "$tmp/sock" 2>&1
t_diag < "$tmp/sock"
t_check "socket(AF_BLUETOOTH, SOCK_STREAM, 7) loads it: an rfsec socket (protocol 7)" \
	eval 'grep -qx 7 "$tmp/sock" && grep -q "^rfsec " /proc/modules'
t_check "the loaded module is DKMS's build (same srcversion)" \
	test -n "$ko" -a "$(cat /sys/module/rfsec/srcversion 2> /dev/null)" = \
	"$(modinfo -F srcversion "$ko" 2> /dev/null)"

t_check "systemd-analyze verify accepts the installed unit" \
	eval 'systemd-analyze verify /lib/systemd/system/rfsec.service > "$tmp/verify" 2>&1'
t_diag < "$tmp/verify"

# Pairing and a transfer with the installed tool and its rfsec run.
a1=$(bt_addr hci1)
timeout 60 "$rfsec" pair --accept -i hci1 --yes --timeout 40 \
	> "$tmp/accept.out" 2>&1 &
acc_pid=$!
sleep 1
timeout 60 "$rfsec" pair "$a1" -i hci0 --yes > "$tmp/pair.out" 2>&1
pair_rc=$?
wait "$acc_pid"
acc_rc=$?
t_diag < "$tmp/pair.out"
t_check "rfsec pair: both sides installed each other's key" \
	test "$pair_rc" = 0 -a "$acc_rc" = 0
"$rfsec" save > "$tmp/save.out" 2>&1
t_check "rfsec save keeps them in /var/lib/rfsec" \
	eval 'test -n "$(ls -A /var/lib/rfsec 2> /dev/null)"'

# PyBluez lets the kernel choose the client's adapter, which would be
# hci2, the last registered: only hci0 and hci1 are paired.
hciconfig hci2 down 2> /dev/null
chan=19
"$rfsec" run -- "$py" "$top/selftests/pybluez_echo.py" server "$chan" \
	> "$tmp/echo.srv" 2>&1 &
srv_pid=$!
for _ in $(seq 100); do
	grep -q "Waiting for connection" "$tmp/echo.srv" && break
	sleep 0.1
done
timeout 60 "$rfsec" run -- "$py" "$top/selftests/pybluez_echo.py" client \
	"$a1" "$chan" 32 1000 > "$tmp/echo.cli" 2>&1
cli_rc=$?
for _ in $(seq 100); do
	kill -0 "$srv_pid" 2> /dev/null || break
	sleep 0.1
done
kill "$srv_pid" 2> /dev/null
wait "$srv_pid" 2> /dev/null
t_diag < "$tmp/echo.cli"
t_check "PyBluez echo through the installed rfsec run: 32 KB back intact" \
	eval 'test "$cli_rc" = 0 && grep -qx "echo intact" "$tmp/echo.cli"'
hciconfig hci2 up 2> /dev/null
"$rfsec" show hci1 > "$tmp/show" 2>&1
t_diag < "$tmp/show"
t_check "rfsec show counts the echo's handshake and records on hci1" \
	eval 'grep -q "handshakes: [1-9]" "$tmp/show" && grep -q "records: [1-9][0-9]* received" "$tmp/show"'

# Purge: the keys in the kernel go with the module's users; what is on
# disk must all go.
"$rfsec" identity del hci0 > /dev/null 2>&1
"$rfsec" identity del hci1 > /dev/null 2>&1
dpkg -L rfsec rfsec-dkms > "$tmp/files" 2> /dev/null
dpkg --purge rfsec rfsec-dkms > "$tmp/purge.log" 2>&1
rc=$?
t_diag < "$tmp/purge.log"
t_check "dpkg --purge rfsec rfsec-dkms: exit 0" test "$rc" = 0
snapshot > "$tmp/after"
while read -r f; do
	[ -e "$f" ] && [ ! -d "$f" ] && echo "$f"
done < "$tmp/files" > "$tmp/left"
t_diag < "$tmp/left"
t_check "no file of either package's list is left ($(wc -l < "$tmp/files") listed)" \
	test ! -s "$tmp/left"
diff "$tmp/before" "$tmp/after" > "$tmp/diff"
t_diag < "$tmp/diff"
t_check "dpkg --purge left no file behind, and took none of others' ($(grep -c '^[<>]' "$tmp/diff") differences)" \
	test ! -s "$tmp/diff"

[ -e "$tmp/state-before" ] && mv "$tmp/state-before" /var/lib/rfsec
t_done
