#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# bench/run.sh: md2elf conversion against plain copies of the same file.
#
# For each case, tests/gen/mkdump writes an amd64 minidump (as savecore
# writes it: sparse, zero blocks not allocated), and in the same run, in
# alternation (round 1: md2elf, cp, cp --sparse=always; round 2: cp,
# cp --sparse=always, md2elf; ...), each command copies or converts it:
#   md2elf -q -o CORE DUMP   (-k KERNEL for the threads case)
#   cp DUMP COPY             coreutils: reflink, else copy_file_range
#   cp --sparse=always DUMP COPY
# warm (the dump read once before) and cold (page cache dropped before
# every run: echo 3 > /proc/sys/vm/drop_caches, root only; said when not
# possible).  Every output is removed and the disk synced before each run,
# so no run pays for another's write-back or freed blocks.  Reported: the
# median wall time of each command, md2elf / cp and md2elf / cp-sparse of
# the medians, md2elf's peak RSS (GNU time), the dump's pages, zero pages
# and PT_LOAD segments, and whether peak RSS stays flat in dump size.
#
# Cases: plain-1g, plain-4g, plain-16g (-s); dense-4g: the 4 GiB dump
# copied without holes (dd), as the issue measured, converted as it is and
# with --sparse (dense-sparse-4g: every page read, zero pages made holes,
# as cp --sparse=always does); extras (-x): zstd
# (dumpon -Z), frag (every heap page its own run), threads (100 000
# threads, converted with the kernel: the thread walk runs); xfs: the
# 4 GiB dump on an XFS loop file system with reflink=1 made here (root,
# mkfs.xfs, a loop device; said when it cannot be made), where md2elf
# clones the page data (and so does cp), as written (xfs-4g: a hole at
# every zero page, 65 000 extents) and without holes (xfs-dense-4g).
# libelf: md2elf built against elftoolchain's libelf (FreeBSD's) from its
# source tarball ($BENCH_ELFTOOLCHAIN, default
# ../shared/third_party/elftoolchain-*-libelf.tar.xz beside the tree; said
# when absent), in DIR/et, run on plain-1g, plain-4g and frag-4g: cases
# *-et, the same rows against the same cp, and peak RSS per segment count
# for both libraries.
#
# The machine may be shared: alternation and medians of -n runs (default
# 5) damp the noise; the raw times are in DIR/times.
#
# usage: run.sh [-k] [-d dir] [-s "sizes"] [-x "extras"] [-n runs]
#   -d  work directory on a real disk (default $BENCH_DIR or
#       /var/tmp/md2elf-bench); it needs about 3x the largest dump
#   -s  RAM sizes in MiB of the plain dumps (default "1024 4096 16384")
#   -x  extra cases (default "dense zstd frag threads xfs libelf"; also
#       "full": full dumps, debug.minidump=0, of 1 and 4 GiB, with -k)
#   -n  runs of each command, warm and cold (default 5)
#   -k  keep the dumps and cores
# Results: the table on stdout and in DIR/results.txt.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
md2elf=$top/md2elf/md2elf
mkdump=$top/tests/gen/mkdump
dir=${BENCH_DIR:-/var/tmp/md2elf-bench}
sizes=${BENCH_SIZES:-"1024 4096 16384"}
extras=${BENCH_EXTRAS:-"dense zstd frag threads xfs libelf"}
runs=${BENCH_RUNS:-5}
keep=false
while getopts d:kn:s:x: ch; do
	case $ch in
	d)	dir=$OPTARG ;;
	k)	keep=true ;;
	n)	runs=$OPTARG ;;
	s)	sizes=$OPTARG ;;
	x)	extras=$OPTARG ;;
	*)	echo "usage: run.sh [-k] [-d dir] [-s sizes] [-x extras]" \
		    "[-n runs]" >&2
		exit 2 ;;
	esac
done
TIME=/usr/bin/time
for p in "$md2elf" "$mkdump"; do
	[ -x "$p" ] || { echo "bench: $p is missing (make all)" >&2; exit 1; }
done
$TIME -f %e true >/dev/null 2>&1 ||
    { echo "bench: GNU time is missing (apt-get install time)" >&2; exit 1; }
mkdir -p "$dir" || exit 1
dir=$(cd "$dir" && pwd)
res=$dir/results.txt
times=$dir/times
rows=$dir/rows
: >"$res"
: >"$times"
: >"$rows"
: >"$dir/rss"

say() { echo "$*" | tee -a "$res"; }

if [ "$(id -u)" -eq 0 ] && [ -w /proc/sys/vm/drop_caches ]; then
	cold=true
else
	cold=false
	say "bench: cold runs skipped: dropping the page cache needs root" \
	    "(/proc/sys/vm/drop_caches)"
fi

freemib() { df -Pm "$1" | awk 'NR == 2 { print $4 }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }
allocated() { stat -c '%b %B' "$1" | awk '{ printf "%.0f", $1 * $2 }'; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 }
    END { h = int((NR + 1) / 2); if (NR == 0) print "-";
    else if (NR % 2) print v[h];
    else printf "%.2f\n", (v[h] + v[h + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" ||
    b == 0) print "-"; else printf "%.2f", a / b }'; }

# timed NAME TEMP CMD...: one run of CMD (its output removed and the disk
# synced first, the cache dropped when $mode is cold); appends the wall
# time to $t_NAME and md2elf's peak RSS (KiB) to $dir/rss.now.
timed() {
	_name=$1
	_out=$2
	shift 2
	rm -f "$_out"
	sync
	if [ "$mode" = cold ]; then
		echo 3 >/proc/sys/vm/drop_caches
	fi
	if ! $TIME -f '%e %M' -o "$dir/t.one" "$@" >"$dir/log.out" \
	    2>"$dir/log.err"; then
		say "bench: $case $mode: $* failed: $(tail -1 "$dir/log.err")"
		return 1
	fi
	read -r _t _rss <"$dir/t.one"
	eval "t_$_name=\"\${t_$_name} $_t\""
	[ "$_name" = md ] && echo "$_rss" >>"$dir/rss.now"
	echo "$case $mode $_name $_t $_rss" >>"$times"
	rm -f "$_out"
	return 0
}

# measure DUMP CORE KARGS: $runs rounds of the three commands, rotating
# which goes first; the medians in m_md, m_cp, m_sp.
measure() {
	_dump=$1
	_core=$2
	_kargs=$3
	t_md= t_cp= t_sp=
	: >"$dir/rss.now"
	if [ "$mode" = warm ]; then
		cat "$_dump" >/dev/null
	fi
	_i=0
	while [ $_i -lt "$runs" ]; do
		for _c in $(echo "md cp sp md cp" | cut -d' ' \
		    -f$((_i % 3 + 1))-$((_i % 3 + 3))); do
			case $_c in
			md)	timed md "$_core" "$md2elf" -q $_kargs \
				    -o "$_core" "$_dump" || return 1 ;;
			cp)	timed cp "$_dump.cp" cp "$_dump" \
				    "$_dump.cp" || return 1 ;;
			sp)	timed sp "$_dump.cp" cp --sparse=always \
				    "$_dump" "$_dump.cp" || return 1 ;;
			esac
		done
		_i=$((_i + 1))
	done
	m_md=$(echo $t_md | median)
	m_cp=$(echo $t_cp | median)
	m_sp=$(echo $t_sp | median)
	rss=$(sort -n "$dir/rss.now" | tail -1 |
	    awk '{ printf "%.1f", $1 / 1024 }')
}

# bench CASE RAM_MIB DUMP [KARGS]: facts of the conversion, then the
# measurements, warm and cold; one row in $rows.
bench() {
	case=$1
	ram=$2
	dump=$3
	kargs=${4:-}
	core=$dump.core
	rm -f "$core"
	if ! "$md2elf" $kargs -o "$core" "$dump" >"$dir/log.out" \
	    2>"$dir/log.err"; then
		say "bench: $case: md2elf failed: $(tail -1 "$dir/log.err")"
		return
	fi
	summary=$(grep 'pages,' "$dir/log.out" | sed 's/^ *//')
	pages=$(echo "$summary" | sed -n 's/^\([0-9]*\) pages.*/\1/p')
	zero=$(echo "$summary" | sed -n 's/.*, \([0-9]*\) of them zero.*/\1/p')
	segs=$(echo "$summary" | sed -n 's/.*, \([0-9]*\) segments.*/\1/p')
	say "bench: $case: $summary; dump $(mib "$(stat -c %s "$dump")")" \
	    "MiB, $(mib "$(allocated "$dump")") MiB allocated; core" \
	    "$(mib "$(allocated "$core")") MiB allocated"
	rm -f "$core"
	row="$case $ram $(mib "$(stat -c %s "$dump")")/$(mib "$(allocated \
	    "$dump")") $pages $zero $segs"
	maxrss=0
	for mode in warm cold; do
		if [ $mode = cold ] && ! $cold; then
			row="$row - - - - -"
			continue
		fi
		if ! measure "$dump" "$core" "$kargs"; then
			row="$row - - - - -"
			continue
		fi
		row="$row $m_md $m_cp $m_sp $(ratio "$m_md" "$m_cp")"
		row="$row $(ratio "$m_md" "$m_sp")"
		maxrss=$(awk -v a="$maxrss" -v b="$rss" \
		    'BEGIN { print (b > a ? b : a) }')
	done
	echo "$row $maxrss" >>"$rows"
	echo "$case $ram $maxrss $segs" >>"$dir/rss"
}

# gen CASE RAM_MIB MKDUMP_ARGS...: the dump $dir/CASE.vmcore (and
# $dir/CASE.kernel when the args ask for one); 1 if it cannot be made.
gen() {
	_case=$1
	_ram=$2
	shift 2
	_need=$((_ram / 4 * 3))	# dump + core + copy, generous
	case " $* " in
	*" -f "*) _need=$((_ram * 2)) ;;	# a full dump holds all RAM
	esac
	if [ "$(freemib "$dir")" -lt "$_need" ]; then
		say "bench: $_case: skipped, less than $_need MiB free in $dir"
		return 1
	fi
	if ! "$mkdump" -m "$_ram" "$@" -o "$dir/$_case.vmcore" \
	    >/dev/null 2>"$dir/log.err"; then
		say "bench: $_case: mkdump $* failed: $(head -1 "$dir/log.err")"
		return 1
	fi
	return 0
}

done_with() { $keep || rm -f "$@"; }

# xfs: the 4 GiB dump on an XFS reflink loop file system.
bench_xfs() {
	command -v mkfs.xfs >/dev/null ||
	    { say "bench: xfs: skipped: no mkfs.xfs (xfsprogs)"; return; }
	[ "$(id -u)" -eq 0 ] ||
	    { say "bench: xfs: skipped: mounting a loop device needs root"; \
	    return; }
	gen xfs-4g 4096 -V 3 -s 1 || return
	_sz=$(( $(stat -c %s "$dir/xfs-4g.vmcore") * 3 / 1048576 + 512 ))
	if [ "$(freemib "$dir")" -lt "$_sz" ]; then
		say "bench: xfs: skipped, less than $_sz MiB free in $dir"
		rm -f "$dir/xfs-4g.vmcore"
		return
	fi
	rm -f "$dir/xfs.img"
	truncate -s "${_sz}m" "$dir/xfs.img"
	mkdir -p "$dir/xfs"
	if ! mkfs.xfs -q -m reflink=1 "$dir/xfs.img" 2>"$dir/log.err" ||
	    ! mount -o loop "$dir/xfs.img" "$dir/xfs" 2>>"$dir/log.err"; then
		say "bench: xfs: skipped: cannot make an XFS loop file" \
		    "system: $(tail -1 "$dir/log.err")"
		rm -f "$dir/xfs.img" "$dir/xfs-4g.vmcore"
		return
	fi
	cp --sparse=always "$dir/xfs-4g.vmcore" "$dir/xfs/xfs-4g.vmcore"
	rm -f "$dir/xfs-4g.vmcore"
	bench xfs-4g 4096 "$dir/xfs/xfs-4g.vmcore"
	# The same dump without holes: one extent to share.
	dd if="$dir/xfs/xfs-4g.vmcore" of="$dir/xfs/xfs-dense-4g.vmcore" \
	    bs=1M 2>/dev/null
	rm -f "$dir/xfs/xfs-4g.vmcore"
	bench xfs-dense-4g 4096 "$dir/xfs/xfs-dense-4g.vmcore"
	umount "$dir/xfs"
	rm -f "$dir/xfs.img"
}

# libelf: the cases again with md2elf linked with elftoolchain's libelf.
bench_libelf() {
	_tar=${BENCH_ELFTOOLCHAIN:-$(ls "$top"/../shared/third_party/elftoolchain-*-libelf.tar.xz \
	    2>/dev/null | tail -1)}
	if [ -z "$_tar" ] || [ ! -r "$_tar" ]; then
		say "bench: libelf: skipped: no elftoolchain source tarball" \
		    "(\$BENCH_ELFTOOLCHAIN)"
		return
	fi
	rm -rf "$dir/et"
	mkdir -p "$dir/et/src"
	if ! sh "$top/mk/elftoolchain.sh" "$_tar" "$dir/et" \
	    >"$dir/et/flags" 2>"$dir/log.err"; then
		say "bench: libelf: skipped: elftoolchain's libelf does not" \
		    "build: $(tail -1 "$dir/log.err")"
		return
	fi
	# A copy of the tree without its objects, built with that libelf.
	(cd "$top" && tar cf - --exclude='*.o' --exclude='*.a' \
	    --exclude='*.so*' Makefile mk libmd2elf common md2elf) |
	    (cd "$dir/et/src" && tar xf -)
	if ! (cd "$dir/et/src" && for d in libmd2elf common md2elf; do
	    (cd $d && make all \
	    CPPFLAGS="$(sed -n 's/^CPPFLAGS=//p' "$dir/et/flags")" \
	    LDFLAGS="$(sed -n 's/^LDFLAGS=//p' "$dir/et/flags")") || exit 1
	    done) >"$dir/et/md2elf.log" 2>&1; then
		say "bench: libelf: skipped: md2elf does not build with" \
		    "elftoolchain's libelf: $(tail -1 "$dir/et/md2elf.log")"
		return
	fi
	_saved=$md2elf
	for _c in "plain-1g 1024 -V 3 -s 1" "plain-4g 4096 -V 3 -s 1" \
	    "frag-4g 4096 -V 3 -s 1 -F 3"; do
		set -- $_c
		_n=$1
		_r=$2
		shift 2
		gen "$_n" "$_r" "$@" || continue
		md2elf=$_saved
		bench "$_n-eu" "$_r" "$dir/$_n.vmcore"
		md2elf=$dir/et/src/md2elf/md2elf
		bench "$_n-et" "$_r" "$dir/$_n.vmcore"
		done_with "$dir/$_n.vmcore"
	done
	md2elf=$_saved
	rm -rf "$dir/et"
}

say "md2elf benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -sr)," \
    "$(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB RAM",
    $2 / 1048576 }' /proc/meminfo), work directory $dir ($(df -PT "$dir" |
    awk 'NR == 2 { print $2 }')), load average $(cut -d' ' -f1-3 \
    /proc/loadavg), $runs runs"
for s in $sizes; do
	c=plain-$((s / 1024))g
	gen $c "$s" -V 3 -s 1 || continue
	bench $c "$s" "$dir/$c.vmcore"
	if [ "$s" = 4096 ] && echo " $extras " | grep -q ' dense '; then
		dd if="$dir/$c.vmcore" of="$dir/dense-4g.vmcore" bs=1M \
		    2>/dev/null
		bench dense-4g 4096 "$dir/dense-4g.vmcore"
		bench dense-sparse-4g 4096 "$dir/dense-4g.vmcore" --sparse
		done_with "$dir/dense-4g.vmcore"
	fi
	done_with "$dir/$c.vmcore"
done
for x in $extras; do
	case $x in
	dense)	;;
	zstd)	gen zstd-4g 4096 -V 3 -s 1 -D -c zstd &&
		    bench zstd-4g 4096 "$dir/zstd-4g.vmcore"
		done_with "$dir/zstd-4g.vmcore" ;;
	frag)	gen frag-4g 4096 -V 3 -s 1 -F 3 &&
		    bench frag-4g 4096 "$dir/frag-4g.vmcore"
		done_with "$dir/frag-4g.vmcore" ;;
	threads) gen threads-4g 4096 -V 3 -s 1 -T 100000 \
		    -k "$dir/threads-4g.kernel" &&
		    bench threads-4g 4096 "$dir/threads-4g.vmcore" \
		    "-k $dir/threads-4g.kernel"
		done_with "$dir/threads-4g.vmcore" "$dir/threads-4g.kernel" ;;
	xfs)	bench_xfs ;;
	libelf)	bench_libelf ;;
	full)	for r in 1024 4096; do
			c=full-$((r / 1024))g
			gen $c $r -V 3 -s 1 -f -k "$dir/$c.kernel" &&
			    bench $c $r "$dir/$c.vmcore" "-k $dir/$c.kernel"
			done_with "$dir/$c.vmcore" "$dir/$c.kernel"
		done ;;
	*)	say "bench: unknown extra case $x" ;;
	esac
done
{
	echo
	echo "Median wall time in s of $runs runs per command, alternating;"
	echo "md/cp = md2elf / cp, md/sp = md2elf / cp --sparse=always;" \
	    "RAM, dump (apparent/allocated) and RSS (md2elf's peak) in MiB."
	printf '%-15s %5s %11s %7s %6s %6s | %-31s | %-31s | %5s\n' "" "" "" \
	    "" "" "" "warm" "cold" ""
	printf '%-15s %5s %11s %7s %6s %6s | %5s %5s %5s %6s %6s |' \
	    case RAM dump pages zero segs md2elf cp sp md/cp md/sp
	printf ' %5s %5s %5s %6s %6s | %5s\n' md2elf cp sp md/cp md/sp RSS
	while read -r c r d p z s w1 w2 w3 w4 w5 c1 c2 c3 c4 c5 m; do
		printf '%-15s %5s %11s %7s %6s %6s | %6s %5s %5s %5s %6s |' \
		    "$c" "$r" "$d" "$p" "$z" "$s" "$w1" "$w2" "$w3" "$w4" "$w5"
		printf ' %6s %5s %5s %5s %6s | %5s\n' "$c1" "$c2" "$c3" "$c4" \
		    "$c5" "$m"
	done <"$rows"
} | tee -a "$res"
# Peak RSS against dump size (plain dumps only).
awk '$1 ~ /^plain-[0-9]+g$/ { n++; r[n] = $3; m[n] = $2; s[n] = $4 }
END {
	if (n < 2) exit
	lo = r[1]; hi = r[1]
	for (i = 2; i <= n; i++) { if (r[i] < lo) lo = r[i]; if (r[i] > hi) hi = r[i] }
	printf "\npeak RSS vs dump size:"
	for (i = 1; i <= n; i++) printf " %d MiB RAM: %.1f MiB (%d segments);", m[i], r[i], s[i]
	printf "\n"
	if (hi - lo < 4)
		printf "constant memory: yes (within %.1f MiB)\n", hi - lo
	else
		printf "constant memory: no: +%.1f MiB from %d to %d MiB of RAM\n", r[n] - r[1], m[1], m[n]
}' "$dir/rss" | tee -a "$res"
# Peak RSS per segment count with each libelf (the libelf extra).
awk '$1 ~ /-(eu|et)$/ { lib = substr($1, length($1) - 1); c = substr($1, 1,
    length($1) - 3); r[c, lib] = $3; s[c] = $4; if (!(c in seen)) {
    seen[c] = 1; o[++n] = c } }
END {
	if (n == 0) exit
	printf "\npeak RSS by libelf (elfutils / elftoolchain):"
	for (i = 1; i <= n; i++) printf " %s, %d segments: %.1f / %.1f MiB;",
	    o[i], s[o[i]], r[o[i], "eu"], r[o[i], "et"]
	printf "\n"
}' "$dir/rss" | tee -a "$res"
rm -f "$dir/t.one" "$dir/rss.now" "$rows" "$dir/log.out" "$dir/log.err"
exit 0
