# TAP helpers for the shell selftests: each check prints one "ok"/"not ok"
# line; t_done prints the plan and exits non-zero if anything failed.
_t_n=0
_t_failed=0

t_ok() { _t_n=$((_t_n + 1)); echo "ok $_t_n $*"; }
t_fail() { _t_n=$((_t_n + 1)); _t_failed=$((_t_failed + 1)); echo "not ok $_t_n $*"; }
t_skip() { _t_n=$((_t_n + 1)); echo "ok $_t_n $1 # SKIP $2"; }
t_diag() { sed 's/^/# /'; }

# t_check NAME COMMAND...: passes when COMMAND succeeds.
t_check() {
	local name=$1
	shift
	if "$@"; then t_ok "$name"; else t_fail "$name"; fi
}

t_done() {
	echo "1..$_t_n"
	[ "$_t_failed" = 0 ]
	exit $?
}

# Address of a local controller, as hciconfig prints it.
bt_addr() {
	hciconfig "$1" | sed -n 's/.*BD Address: \([0-9A-F:]*\).*/\1/p'
}

# as_nobody COMMAND...: runs COMMAND as the unprivileged user nobody. A new
# user's clone often sits in a 0700 home folder that nobody cannot enter, so
# any program from the checkout named on the line runs from a world-readable
# copy instead.
_t_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
as_nobody() {
	local args=() a
	for a in "$@"; do
		case "$a" in
		"$_t_top"/*)
			if [ -f "$a" ] && [ -x "$a" ]; then
				if [ -z "${_t_nobody_dir:-}" ]; then
					_t_nobody_dir=$(mktemp -d /tmp/rfsec-nobody.XXXXXX) &&
						chmod 755 "$_t_nobody_dir" || return 1
				fi
				install -m 755 "$a" "$_t_nobody_dir/" || return 1
				a=$_t_nobody_dir/$(basename "$a")
			fi ;;
		esac
		args+=("$a")
	done
	setpriv --reuid=65534 --regid=65534 --clear-groups "${args[@]}"
}

# Helpers for tests that run the tool: each needs $tmp, a private folder.
# capture COMMAND...: its output, errors and exit code in $tmp/{out,err,rc}.
t_capture() {
	"$@" > "$tmp/out" 2> "$tmp/err"
	echo $? > "$tmp/rc"
}
t_rc_is() { test "$(cat "$tmp/rc")" = "$1"; }
t_out_has() { grep -qF -- "$1" "$tmp/out"; }
t_err_has() { grep -qF -- "$1" "$tmp/err"; }
# t_rc_err CODE TEXT: exit code CODE and TEXT on stderr.
t_rc_err() { t_rc_is "$1" && t_err_has "$2"; }
t_show() { cat "$tmp/out" "$tmp/err" | t_diag; }
# t_wait_for FILE TEXT: up to 10 s for TEXT to appear in FILE.
t_wait_for() {
	local _
	for _ in $(seq 50); do
		grep -qF -- "$2" "$1" 2> /dev/null && return 0
		sleep 0.2
	done
	return 1
}
