#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/fuzz/mkcorpus.sh: make the seed corpora of the fuzz harnesses from
# mkdump's output (small models, shrunk by mkseed), in DIR:
#   DIR/dump/     dumps: amd64 minidump versions 1-3, savecore's vmcore,
#                 leading kerneldumpheader, device images, gzip, zstd
#   DIR/kdh/      kerneldumpheaders with the start of their data, a device
#   DIR/kernel/   the small kernel ELF
#   DIR/decomp/   gzip and zstd streams (one or more members or frames, a
#                 skippable frame, trailing bytes) after the two bytes that
#                 pick the decompressor and the piece size
#   DIR/savecore/ dump device images (mkseed's, scdev's: textdump, header
#                 version 1, encrypted, gzip members) followed by the byte
#                 of savecore options fuzz_savecore.c reads
#   DIR/dump*.vmcore, DIR/kernel*.elf: valid pairs (amd64, i386, arm64)
#                 the kernel harness (M2E_FUZZ_DUMP) and the dump harness
#                 (M2E_FUZZ_KERNEL) use; DIR/env sets both (sh syntax)
# usage: mkcorpus.sh [-q] DIR [dump] [kdh] [kernel] [decomp] [savecore]
#   (only the sets named, default all; the pair is always made; run from
#   anywhere: finds ../gen/mkdump, ../scdev and mkseed next to itself)
set -e
quiet=false
[ "$1" = "-q" ] && { quiet=true; shift; }
[ $# -ge 1 ] || { echo "usage: mkcorpus.sh [-q] DIR [dump] [kdh] [kernel] [decomp] [savecore]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
mkdump=${MKDUMP:-$here/../gen/mkdump}
mkseed=${MKSEED:-$here/mkseed}
scdev=${SCDEV:-$here/../scdev}
mkdir -p "$1" && out=$(cd "$1" && pwd) || exit 1
shift
sets=${*:-dump kdh kernel decomp savecore}
want() { case " $sets " in *" $1 "*) return 0 ;; esac; return 1; }
[ -x "$mkdump" ] || { echo "mkcorpus: no $mkdump (make -C tests)" >&2; exit 1; }
[ -x "$mkseed" ] || { echo "mkcorpus: no $mkseed (make -C tests/fuzz)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/md2elf-corpus.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out/dump" "$out/kdh" "$out/kernel"

seed() {	# name mkseed-args...
	name=$1
	shift
	"$mkseed" "$@" -o "$out/dump/$name" >"$tmp/log" ||
	    { cat "$tmp/log" >&2; exit 1; }
	$quiet || echo "mkcorpus: dump/$name: $(cat "$tmp/log")"
}

# Version 3: the pair (dump.vmcore, kernel.elf) and the small kernel.  The
# model's process/thread world is kept by following pointers (-P).
"$mkdump" -V 3 -m 64 -s 3 -k "$tmp/k3" -o "$tmp/d3"
seed v3 -P -n 96 -k "$tmp/k3" -K "$tmp/ks3" "$tmp/d3"
cp "$tmp/ks3" "$out/kernel/kernel-v3"
cp "$tmp/ks3" "$out/kernel.elf"
cp "$out/dump/v3" "$out/dump.vmcore"
# i386 and arm64 pairs (the kernel harness picks the dump by e_machine).
pairs=
if want dump || want kernel; then
	pairs="i386:2 arm64:3"
fi
for a in $pairs; do
	arch=${a%:*}
	v=${a#*:}
	"$mkdump" -a $arch -V $v -m 64 -s 4 -k "$tmp/k-$arch" -o "$tmp/d-$arch"
	seed $arch-v$v -P -n 64 -k "$tmp/k-$arch" -K "$tmp/ks-$arch" \
	    "$tmp/d-$arch"
	cp "$tmp/ks-$arch" "$out/kernel/kernel-$arch"
	cp "$tmp/ks-$arch" "$out/kernel-$arch.elf"
	cp "$out/dump/$arch-v$v" "$out/dump-$arch.vmcore"
done
[ -f "$out/dump-arm64.vmcore" ] && cat >"$out/env" <<EOF
M2E_FUZZ_DUMP=$out/dump.vmcore:$out/dump-i386.vmcore:$out/dump-arm64.vmcore
M2E_FUZZ_KERNEL=$out/kernel.elf:$out/kernel-i386.elf:$out/kernel-arm64.elf
export M2E_FUZZ_DUMP M2E_FUZZ_KERNEL
EOF
if want dump; then
	for v in 1 2; do
		"$mkdump" -V $v -m 64 -s $v -k "$tmp/k$v" -o "$tmp/d$v"
		seed v$v -k "$tmp/k$v" "$tmp/d$v"
	done
	# A fragmented heap (many runs), compressions, containers.
	"$mkdump" -V 3 -m 64 -s 7 -F 3 -o "$tmp/f3"
	seed v3-frag -n 64 "$tmp/f3"
	seed v3-gzip -k "$tmp/k3" -c gzip "$tmp/d3"
	seed v3-zstd -k "$tmp/k3" -c zstd "$tmp/d3"
	seed v2-zstd -k "$tmp/k2" -c zstd "$tmp/d2"
	seed v1-gzip -k "$tmp/k1" -c gzip "$tmp/d1"
	# A bitmap far larger than its bits (1 MiB, 33 pages), compressed.
	"$mkdump" -V 2 -m 64 -s 2 -X bigbitmap=1048576 -o "$tmp/b2"
	seed v2-bigbitmap-zstd -c zstd "$tmp/b2"
	# The other architectures: every format version, PAE, 16 KiB pages.
	for a in i386:1 i386pae:2 arm64:1 arm64:2 arm64-16k:3; do
		arch=${a%:*}
		v=${a#*:}
		"$mkdump" -a $arch -V $v -m 64 -s 6 -k "$tmp/k-$arch-$v" \
		    -o "$tmp/d-$arch-$v"
		seed $arch-v$v -P -n 40 -k "$tmp/k-$arch-$v" "$tmp/d-$arch-$v"
	done
	seed arm64-v3-zstd -c zstd -k "$tmp/k-arm64" "$tmp/d-arm64"
	seed i386-v2-lead-gzip -H lead -c gzip -k "$tmp/k-i386" "$tmp/d-i386"
fi
if want dump || want kdh || want savecore; then
	seed v3-lead -k "$tmp/k3" -H lead "$tmp/d3"
	seed v3-lead-zstd -k "$tmp/k3" -H lead -c zstd "$tmp/d3"
	seed v3-lead4k-gzip -k "$tmp/k3" -H lead -B 4096 -c gzip "$tmp/d3"
	seed v3-device -k "$tmp/k3" -H device "$tmp/d3"
	seed v3-device4k-zstd -k "$tmp/k3" -H device -B 4096 -c zstd "$tmp/d3"
fi
# Hostile thread lists (cycles, dangling pointers), world kept (-P).
if want dump; then
	"$mkdump" -V 3 -m 64 -s 5 -T 24 -W proccycle -W dangling \
	    -k "$tmp/kh" -o "$tmp/h3"
	seed v3-hostile-world -P -n 96 -k "$tmp/kh" "$tmp/h3"
fi

# Header harness: each header with the first 8 KiB after it; a device.
if want kdh; then
	for f in v3-lead v3-lead-zstd v3-lead4k-gzip; do
		dd if="$out/dump/$f" of="$out/kdh/$f" bs=8192 count=1 \
		    2>/dev/null
	done
	cp "$out/dump/v3-device4k-zstd" "$out/kdh/"
fi
# Decompressor harness: byte 0 even gzip, odd zstd; byte 1 the pieces.
if want decomp; then
	mkdir -p "$out/decomp"
	seq 1 3000 >"$tmp/a"
	{ seq 5000 9000; dd if=/dev/zero bs=4096 count=16 2>/dev/null; } \
	    >"$tmp/b"
	{ printf '\000\007'; gzip -c "$tmp/a"; } >"$out/decomp/gz"
	{ printf '\000\200'; gzip -c "$tmp/a"; gzip -1 -c "$tmp/b"; } \
	    >"$out/decomp/gz-members"
	{ printf '\002\000'; gzip -c "$tmp/b"; printf '\037junk'; } \
	    >"$out/decomp/gz-trailing"
	{ printf '\001\037'; zstd -q -c "$tmp/a"; } >"$out/decomp/zst"
	{ printf '\001\001'; zstd -q -c "$tmp/a"; zstd -q -1 -c "$tmp/b"; } \
	    >"$out/decomp/zst-frames"
	{ printf '\003\377P*M\030\004\000\000\000abcd'; zstd -q -c "$tmp/b"; } \
	    >"$out/decomp/zst-skippable"
fi
# savecore harness: a device image, then the options byte (bit 0 clear
# the device, 1 -u, 2 -f, 3 -z, 4 -e, 5 -v).
if want savecore; then
	[ -x "$scdev" ] || { echo "mkcorpus: no $scdev (make -C tests)" >&2; exit 1; }
	mkdir -p "$out/savecore"
	sc() {	# name options-octal file
		{ cat "$3"; printf "\\$2"; } >"$out/savecore/$1"
	}
	sc v3-device-elf 021 "$out/dump/v3-device"
	sc v3-device4k-zstd-u 003 "$out/dump/v3-device4k-zstd"
	sc v3-device4k-zstd-kept 000 "$out/dump/v3-device4k-zstd"
	seq 1 30000 | head -c 131072 >"$tmp/text"
	"$scdev" -T -o "$tmp/td.img" "$tmp/text"
	sc textdump 001 "$tmp/td.img"
	"$scdev" -V 1 -o "$tmp/v1.img" "$tmp/text"
	sc version1-z 010 "$tmp/v1.img"
	"$scdev" -H "$(printf 'h\033ost')" -P "$(printf 'oops\n  Dump')" \
	    -o "$tmp/text.img" "$tmp/text"
	sc text-v 041 "$tmp/text.img"
	"$scdev" -K 256 -o "$tmp/enc.img" "$tmp/text"
	sc encrypted 001 "$tmp/enc.img"
	{ gzip -c "$tmp/text"; gzip -c "$tmp/text"; } >"$tmp/gz2"
	"$scdev" -c 1 -o "$tmp/gz2.img" "$tmp/gz2"
	sc gzip-members-u 043 "$tmp/gz2.img"
fi
$quiet || echo "mkcorpus: $(ls "$out/dump" | wc -l) dumps, $(ls "$out/kdh" |
    wc -l) headers, $(ls "$out/kernel" | wc -l) kernel in $out"
exit 0
