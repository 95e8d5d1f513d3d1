#!/bin/bash
# Builds a debug kernel (KASAN, lockdep, kmemleak, UBSAN, ...) from Debian's
# linux-source-LINE package with the configuration in debug/ and installs it
# into a tree shaped like the ones kernels.sh extracts from Debian's packages:
#   ROOT/boot/vmlinuz-VER, ROOT/lib/modules/VER/, ROOT/usr/src/linux-headers-VER
# (a link to the build tree, which external modules build against).
#
#   debug-kernel.sh build LINE     build, or reuse a cached build; prints VER
#   debug-kernel.sh version LINE   prints VER (e.g. 6.12.117-rfsec-debug)
#   debug-kernel.sh kdir VER       the header tree of VER's current build
#   debug-kernel.sh key LINE       the cache key of LINE's current recipe
#   debug-kernel.sh config LINE    only configure and check the fragments
#
# The cache lives outside the clone, so every clone on a machine shares it:
#   ${RFSEC_DEBUG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rfsec/debug-kernels}
#   LINE/src-SRCKEY/   the package's source, extracted and patched
#   LINE/KEY/obj/      the build tree (make O=)
#   LINE/KEY/root/     the installed tree run-guest.sh boots
# KEY hashes the source package's version, the configuration fragments, the
# patches and $recipe below: change any of them and the kernel is rebuilt.
# RFSEC_DEBUG_KEY=KEY pins an earlier build (for comparing two configurations).
# Progress goes to stderr; only VER goes to stdout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${RFSEC_DEBUG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rfsec/debug-kernels}
localversion=-rfsec-debug
lines="6.1 6.12"
# Bump when the build steps below change in a way the kernel would show.
recipe=1

msg() { echo "debug-kernel: $*" >&2; }
die() { msg "$*"; exit 1; }

check_line() {
	case " $lines " in
	*" $1 "*) ;;
	*) die "unsupported kernel line '$1' (supported: $lines)" ;;
	esac
}

# The Debian package version of linux-source-LINE, e.g. 6.12.117-1~deb12u1.
pkg_version() {
	local v
	v=$(dpkg-query -W -f='${Version}' "linux-source-$1" 2>/dev/null) || v=
	[ -n "$v" ] && [ -f "/usr/src/linux-source-$1.tar.xz" ] ||
		die "linux-source-$1 is not installed (run selftests/vm/deps.sh debug)"
	echo "$v"
}

kernel_version() {
	local v
	v=$(pkg_version "$1")
	echo "${v%%-*}$localversion"
}

line_of_version() {
	local l
	for l in $lines; do
		[ "$(kernel_version "$l")" = "$1" ] && { echo "$l"; return; }
	done
	die "$1 is not the version of a debug kernel line (have: $(for l in $lines; do kernel_version "$l"; done | tr '\n' ' '))"
}

fragments() {
	echo "$here/debug/debug.config"
	[ ! -f "$here/debug/debug-$1.config" ] || echo "$here/debug/debug-$1.config"
}

patches() {
	find "$here/debug" -maxdepth 1 -name '*.patch' | LC_ALL=C sort
}

hash_of() { sha256sum | cut -c1-12; }

src_key() {
	{ echo "$(pkg_version "$1")"; patches | while read -r p; do
		basename "$p"; cat "$p"; done; } | hash_of
}

build_key() {
	if [ -n "${RFSEC_DEBUG_KEY:-}" ]; then
		echo "$RFSEC_DEBUG_KEY"
		return
	fi
	{ echo "recipe $recipe $localversion"; src_key "$1"
	  fragments "$1" | while read -r f; do basename "$f"; cat "$f"; done
	} | hash_of
}

# The extracted, patched source; shared by every build of the same source.
prepare_source() {
	local line=$1 dir tmp p
	dir=$cache/$line/src-$(src_key "$line")
	if [ -e "$dir/.complete" ]; then
		echo "$dir/linux-source-$line"
		return
	fi
	msg "extracting /usr/src/linux-source-$line.tar.xz"
	rm -rf "$dir"
	tmp=$dir.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -C "$tmp" -xf "/usr/src/linux-source-$line.tar.xz"
	[ -f "$tmp/linux-source-$line/Makefile" ] ||
		die "the tarball has no linux-source-$line/ folder"
	for p in $(patches); do
		msg "applying $(basename "$p")"
		patch -d "$tmp/linux-source-$line" -p1 --forward --batch \
			--no-backup-if-mismatch < "$p" >&2 ||
			die "$(basename "$p") does not apply to linux-source-$line"
	done
	mv "$tmp" "$dir"
	touch "$dir/.complete"
	echo "$dir/linux-source-$line"
}

# Every option a fragment sets must hold in the final .config: "CONFIG_X=v"
# exactly, "# CONFIG_X is not set" as unset or absent. A later fragment (the
# line's own) overrides an earlier one, as it does for Kconfig.
verify_config() {
	local config=$1 frag line sym bad=0
	local -A want from
	local -a order=()
	shift
	for frag in "$@"; do
		while IFS= read -r line; do
			case "$line" in
			CONFIG_*=*) sym=${line%%=*} ;;
			"# CONFIG_"*" is not set") sym=${line#\# }; sym=${sym%% *} ;;
			*) continue ;;
			esac
			[ -n "${want[$sym]+set}" ] || order+=("$sym")
			want[$sym]=$line from[$sym]=$(basename "$frag")
		done < "$frag"
	done
	for sym in "${order[@]}"; do
		line=${want[$sym]}
		case "$line" in
		CONFIG_*)
			grep -qxF -- "$line" "$config" && continue
			msg "${from[$sym]}: wants $line, .config has: $(grep -E "^(# )?$sym[= ]" "$config" || echo 'nothing (dependencies not met)')" ;;
		*)
			grep -q "^$sym=" "$config" || continue
			msg "${from[$sym]}: wants $sym unset, .config has: $(grep "^$sym=" "$config")" ;;
		esac
		bad=1
	done
	return $bad
}

# allnoconfig with the fragments forced (everything they do not name is off),
# then olddefconfig, then the check that every requested value holds.
configure() {
	local line=$1 src=$2 dir=$3 obj=$3/obj ver frags kver
	ver=$(kernel_version "$line")
	mkdir -p "$obj"
	mapfile -t frags < <(fragments "$line")
	cat "${frags[@]}" > "$obj/rfsec-debug.config"
	echo "CONFIG_LOCALVERSION=\"$localversion\"" >> "$obj/rfsec-debug.config"
	# LOCALVERSION= (set, empty): no "+" for a source that is in git.
	local mk=(make -C "$src" O="$obj" LOCALVERSION= -j"$(nproc)")
	msg "configuring $ver in $obj"
	{ "${mk[@]}" KCONFIG_ALLCONFIG="$obj/rfsec-debug.config" allnoconfig &&
	  "${mk[@]}" olddefconfig; } > "$dir/config.log" 2>&1 ||
		{ tail -n 30 "$dir/config.log" >&2; die "configuring $ver failed"; }
	verify_config "$obj/.config" "${frags[@]}" ||
		die "the configuration of $ver lacks options the fragments ask for (above)"
	kver=$("${mk[@]}" -s kernelrelease)
	[ "$kver" = "$ver" ] ||
		die "the source builds $kver, not $ver (is linux-source-$line's version ${ver%"$localversion"}?)"
}

build() {
	local line=$1 ver key dir src obj root start secs
	ver=$(kernel_version "$line")
	key=$(build_key "$line")
	dir=$cache/$line/$key
	if [ -e "$dir/.complete" ]; then
		msg "reusing cached debug kernel $ver ($dir)"
		echo "$ver"
		return
	fi
	start=$(date +%s)
	src=$(prepare_source "$line")
	obj=$dir/obj root=$dir/root
	configure "$line" "$src" "$dir"
	local mk=(make -C "$src" O="$obj" LOCALVERSION= -j"$(nproc)")
	msg "building $ver with -j$(nproc): bzImage and modules (log: $dir/build.log)"
	"${mk[@]}" bzImage modules > "$dir/build.log" 2>&1 ||
		{ grep -E 'error|Error' "$dir/build.log" | head -n 30 >&2
		  tail -n 20 "$dir/build.log" >&2; die "building $ver failed"; }
	rm -rf "$root"
	mkdir -p "$root/boot" "$root/usr/src"
	"${mk[@]}" INSTALL_MOD_PATH="$root" DEPMOD=/bin/true modules_install \
		>> "$dir/build.log" 2>&1 || die "installing the modules of $ver failed"
	# What an external module build needs (Module.symvers, scripts) is in obj.
	rm -f "$root/lib/modules/$ver/build" "$root/lib/modules/$ver/source"
	ln -s "../../../usr/src/linux-headers-$ver" "$root/lib/modules/$ver/build"
	# ROOT/usr/src/../../../obj is KEY/obj.
	ln -sfn ../../../obj "$root/usr/src/linux-headers-$ver"
	[ -f "$root/usr/src/linux-headers-$ver/Module.symvers" ] ||
		die "no Module.symvers in the build tree of $ver"
	cp "$obj/arch/x86/boot/bzImage" "$root/boot/vmlinuz-$ver"
	cp "$obj/System.map" "$root/boot/System.map-$ver"
	cp "$obj/.config" "$root/boot/config-$ver"
	depmod -b "$root" "$ver"
	secs=$(($(date +%s) - start))
	echo "$secs" > "$dir/build-seconds"
	touch "$dir/.complete"
	msg "built debug kernel $ver in $((secs / 60)) min $((secs % 60)) s ($dir)"
	echo "$ver"
}

# One build of a line at a time, across clones.
locked_build() {
	mkdir -p "$cache"
	exec 9> "$cache/$1.lock"
	if ! flock -n 9; then
		msg "another build of $1 is running; waiting for it"
		flock 9
	fi
	build "$1"
}

case "${1:-}" in
build)
	check_line "${2:?usage: debug-kernel.sh build LINE}"
	locked_build "$2" ;;
version)
	check_line "${2:?usage: debug-kernel.sh version LINE}"
	kernel_version "$2" ;;
kdir)
	line=$(line_of_version "${2:?usage: debug-kernel.sh kdir VER}")
	echo "$cache/$line/$(build_key "$line")/root/usr/src/linux-headers-$2" ;;
config)
	# Only configure and check, in a scratch folder: for editing the fragments.
	check_line "${2:?usage: debug-kernel.sh config LINE}"
	scratch=$cache/$2/config-check
	rm -rf "$scratch"
	configure "$2" "$(prepare_source "$2")" "$scratch"
	msg "the fragments hold; the configuration is $scratch/obj/.config" ;;
key)
	check_line "${2:?usage: debug-kernel.sh key LINE}"
	build_key "$2" ;;
*)
	echo "usage: $0 build LINE | version LINE | kdir VER | key LINE | config LINE" >&2
	exit 2 ;;
esac
