#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# mk/elftoolchain.sh: build elftoolchain's libelf (FreeBSD's base libelf)
# from its source tarball in a scratch directory, to build and test md2elf
# against it on a host whose own libelf is elfutils' (.ci/run's elftoolchain
# leg; by hand, to compare the two libraries).
#
# usage: elftoolchain.sh TARBALL DIR
#   Extracts TARBALL (an elftoolchain source tarball with common/ and
#   libelf/, e.g. ../shared/third_party/elftoolchain-r3945-libelf.tar.xz)
#   into DIR, builds common/ (m4 generates
#   sys/elfdefinitions.h) and libelf/ with bmake, and prints the make
#   variables that build md2elf with it, e.g.
#     make CPPFLAGS="-I.../libelf -I.../common" \
#         LDFLAGS="-L.../libelf -Wl,-rpath,.../libelf"
#   (the library's soname is elfutils' libelf.so.1: the rpath picks it;
#   check with ldd).  On Darwin only the static libelf.a is built, and the
#   -L alone makes -lelf take it.  Needs bmake, m4, a C compiler.  The
#   build log is DIR/build.log.
set -u
[ $# -eq 2 ] || { echo "usage: elftoolchain.sh TARBALL DIR" >&2; exit 2; }
tarball=$1
dir=$2
for p in bmake m4; do
	command -v $p >/dev/null 2>&1 ||
	    { echo "elftoolchain: $p is needed to build libelf" >&2; exit 1; }
done
[ -r "$tarball" ] ||
    { echo "elftoolchain: $tarball: not readable" >&2; exit 1; }
mkdir -p "$dir" && dir=$(cd "$dir" && pwd) || exit 1
log=$dir/build.log
# tar -t lists on stdout with GNU tar and bsdtar alike (-xv does not), and
# both find the compression themselves.
top=$(tar -tf "$tarball" 2>"$log" | sed -n '1s|/.*||p')
[ -n "$top" ] && tar -xf "$tarball" -C "$dir" 2>>"$log" &&
    [ -d "$dir/$top/libelf" ] ||
    { echo "elftoolchain: $tarball: no libelf/ inside" >&2; exit 1; }
src=$dir/$top
# No profiled library, no manual pages, no tests (both spellings of the
# knobs: NetBSD's mk files and bmake's own).  LD_shared: Debian's bmake
# passes "-soname libelf.so.1" (with a space), which binutils' ld refuses.
case $(uname -s) in
Darwin)	darwin=true
	set -- MKPIC=no MK_PIC=no ;;
*)	darwin=false
	set -- LD_shared='-shared -Wl,-soname,libelf.so.1' ;;
esac
if ! { (cd "$src/common" && bmake) &&
    (cd "$src/libelf" && bmake MKDOC=no MKTESTS=no MKPROFILE=no \
    MK_PROFILE=no "$@"); } >>"$log" 2>&1; then
	tail -20 "$log" >&2
	echo "elftoolchain: the build failed (log: $log)" >&2
	exit 1
fi
lib=libelf.so.1
$darwin && lib=libelf.a
[ -f "$src/libelf/$lib" ] && [ -s "$src/common/sys/elfdefinitions.h" ] ||
    { echo "elftoolchain: no $lib after the build" >&2; exit 1; }
echo "CPPFLAGS=-I$src/libelf -I$src/common"
if $darwin; then
	echo "LDFLAGS=-L$src/libelf"
else
	echo "LDFLAGS=-L$src/libelf -Wl,-rpath,$src/libelf"
fi
