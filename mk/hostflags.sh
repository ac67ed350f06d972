#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# mk/hostflags.sh: the flags that depend on the host, printed for the
# Makefiles' recipes (mk/config.mk runs it in backquotes, so GNU make 3.81
# as on macOS, GNU make 4 and bmake all get the same answer without any
# make-specific shell syntax).
#
#   hostflags.sh cflags PKG_CONFIG [MOD:LIB...]   -I flags
#   hostflags.sh libs PKG_CONFIG [MOD:LIB...]     -L/-l flags
#   hostflags.sh shlib SONAME        linker flags naming a shared library
#
# MOD:LIB is a pkg-config module and its library's -l name; the default is
# md2elf's dependencies, libelf:elf libzstd:zstd zlib:z
# libcrypto:crypto.  A module
# pkg-config knows gets pkg-config's flags; one it does not know (FreeBSD's
# base libelf has no .pc file, nor does elftoolchain's) gets a plain -lLIB,
# found through the compiler's paths plus LDFLAGS/CPPFLAGS.  PKG_CONFIG may
# be empty or "false" to ask no pkg-config at all.
DEFAULT_PKGS="libelf:elf libzstd:zstd zlib:z libcrypto:crypto"

# pc PKG_CONFIG: true if that pkg-config can be used.
pc()
{
	[ -n "$1" ] && [ "$1" != false ] && command -v "$1" >/dev/null 2>&1
}

# flags cflags|libs PKG_CONFIG [MOD:LIB...]
flags()
{
	what=$1
	pkgconf=$2
	shift 2
	[ $# -gt 0 ] || set -- $DEFAULT_PKGS
	out=
	for p in "$@"; do
		mod=${p%%:*}
		lib=${p#*:}
		if pc "$pkgconf" &&
		    "$pkgconf" --exists "$mod" 2>/dev/null; then
			f=$("$pkgconf" "--$what" "$mod") || exit 1
		elif [ "$what" = libs ]; then
			f=-l$lib
		else
			f=
		fi
		[ -n "$f" ] && out="${out:+$out }$f"
	done
	set -f			# one space between flags, no globbing
	echo $out
}

case $1 in
cflags|libs)
	[ $# -ge 2 ] || { echo "usage: hostflags.sh $1 PKG_CONFIG" \
	    "[MOD:LIB...]" >&2; exit 2; }
	flags "$@" ;;
shlib)	[ -n "${2-}" ] || { echo "usage: hostflags.sh shlib SONAME" >&2
	    exit 2; }
	case $(uname -s) in
	Darwin)	# Apple's ld has no -soname: the install name plays its part.
		echo "-dynamiclib -Wl,-install_name,@rpath/$2" ;;
	*)	echo "-shared -Wl,-soname,$2" ;;
	esac ;;
*)	echo "usage: hostflags.sh cflags|libs PKG_CONFIG [MOD:LIB...] |" \
	    "shlib SONAME" >&2
	exit 2 ;;
esac
