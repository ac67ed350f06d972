#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# bench/hostile.sh: what small hostile inputs cost md2elf (issue 14): wall
# time and peak RSS (GNU time) of md2elf -i, and of a conversion where the
# input is accepted, on dumps made here by tests/gen/mkdump:
#   bigbitmap-v3   amd64 v3, zstd, a 1 GiB bitmap where dump_avail needs a
#                  page (refused from the header and dump_avail)
#   bigbitmap-v2   amd64 v2 (no dump_avail), zstd, a 1 GiB bitmap whose bits
#                  fill its first page (accepted: the bitmap is counted, then
#                  kept up to its last non-zero word)
#   bomb           a whole amd64 v3 dump, then 1 TiB of zeros as zstd frames
#                  (decompression stops a page past the pages counted)
#   alias          amd64 v3 whose page directory aliases one 2 MiB page
#                  100 000 times (refused before writing)
# Each command has TIMEOUT seconds (default 120); "timeout" in the table
# means it did not finish.  MD2ELF overrides the md2elf measured (e.g. an
# older build, to compare).
#
# usage: hostile.sh [-d dir]   (default $BENCH_DIR or /var/tmp/md2elf-bench)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
md2elf=${MD2ELF:-$top/md2elf/md2elf}
mkdump=$top/tests/gen/mkdump
dir=${BENCH_DIR:-/var/tmp/md2elf-bench}
limit=${TIMEOUT:-120}
while getopts d: ch; do
	case $ch in
	d)	dir=$OPTARG ;;
	*)	echo "usage: hostile.sh [-d dir]" >&2; exit 2 ;;
	esac
done
for p in "$md2elf" "$mkdump"; do
	[ -x "$p" ] || { echo "bench: $p is missing (make all)" >&2; exit 1; }
done
dir=$dir/hostile
mkdir -p "$dir" && cd "$dir" || exit 1

# measure NAME ARGS...: one row: name, exit status, seconds, peak RSS.
measure()
{
	name=$1
	shift
	rm -f core.elf
	/usr/bin/time -f '%e %M' -o t timeout "$limit" "$md2elf" "$@" \
	    >/dev/null 2>err
	rc=$?
	set -- $(tail -1 t)
	if [ $rc -eq 124 ]; then
		printf '%-24s %8s %10s %12s\n' "$name" timeout "$1" "$2"
	else
		printf '%-24s %8s %10s %12s\n' "$name" "exit $rc" "$1" "$2"
	fi
	grep -v '^Command' err | head -1 | cut -c1-150
}

"$mkdump" -m 64 -s 1 -c zstd -X bigbitmap=1073741824 -o bigbitmap-v3 \
    -k kernel || exit 1
"$mkdump" -m 64 -s 1 -V 2 -c zstd -X bigbitmap=1073741824 -o bigbitmap-v2 ||
    exit 1
"$mkdump" -m 64 -s 1 -V 3 -o dump || exit 1
head -c 67108864 /dev/zero | zstd -q -c >z.1
n=1
while [ $n -lt 16384 ]; do
	cat z.$n z.$n >z.$((n * 2)) && rm z.$n
	n=$((n * 2))
done
{ zstd -q -c dump; cat z.$n; } >bomb && rm z.$n
"$mkdump" -m 64 -s 1 -V 3 -X alias=100000 -o alias || exit 1

printf '%-24s %8s %10s %12s\n' case status seconds "max RSS KiB"
measure "bigbitmap-v3 -i" -i bigbitmap-v3
measure "bigbitmap-v2 -i" -i bigbitmap-v2
measure "bigbitmap-v2 convert" -q -k kernel -o core.elf bigbitmap-v2
measure "bomb -i" -i bomb
measure "alias convert" -q -k kernel -o core.elf alias
rm -f core.elf t err
