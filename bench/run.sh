#!/bin/sh
# bench/run.sh: md2elf conversion benchmarks on synthetic amd64 minidumps.
#
# For each case, tests/gen/mkdump writes a dump (as savecore writes it:
# sparse, zero blocks not allocated), then this script measures, warm (the
# page cache cannot be dropped here: every command runs twice and the second
# run is reported):
#   md2elf -o CORE DUMP      wall time, MiB/s of dump data (the
#                            uncompressed minidump), peak RSS (time -v)
#   MD2ELF_COPY=rw md2elf    the same with pwrite instead of copy_file_range
#   cp --sparse=always       and cat > /dev/null of the same dump file
# and reports the dump's pages, the zero pages left as holes, the PT_LOAD
# segments, the dump's and the core's apparent and allocated sizes.  Every
# output is removed before each timed run, so no run pays for freeing the
# previous one's blocks.  Then it checks that md2elf's peak RSS does not
# grow with the dump size.
#
# usage: run.sh [-k] [-d dir] [-s "sizes"] [-x "extras"] [-p]
#   -d  work directory on a real disk (default $BENCH_DIR or
#       /var/tmp/md2elf-bench); it needs about 2.5x the largest dump
#   -s  RAM sizes in MiB of the plain dumps (default "1024 4096 16384")
#   -x  extra cases, on a 4 GiB machine (default "zstd frag threads full"):
#       zstd (dumpon -Z; random pages, and -D pages that look like kernel
#       memory and compress like it), frag (every heap page its own run: many
#       segments), threads (100 000 threads, if mkdump has that world;
#       converted with -k KERNEL, so the thread walk and notes run),
#       full (full dumps, debug.minidump=0, of 1 and 4 GiB: every RAM
#       page, the page tables walked from KPML4phys; with -k KERNEL)
#   -p  profile the 4 GiB conversion with perf (if installed)
#   -k  keep the dumps and cores
# Results: the table on stdout and in DIR/results.txt.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
md2elf=$top/md2elf/md2elf
mkdump=$top/tests/gen/mkdump
dir=${BENCH_DIR:-/var/tmp/md2elf-bench}
sizes=${BENCH_SIZES:-"1024 4096 16384"}
extras=${BENCH_EXTRAS:-"zstd frag threads full"}
keep=false
profile=false
while getopts d:kps:x: ch; do
	case $ch in
	d)	dir=$OPTARG ;;
	k)	keep=true ;;
	p)	profile=true ;;
	s)	sizes=$OPTARG ;;
	x)	extras=$OPTARG ;;
	*)	echo "usage: run.sh [-kp] [-d dir] [-s sizes] [-x extras]" >&2
		exit 2 ;;
	esac
done
TIME=/usr/bin/time
for p in "$md2elf" "$mkdump"; do
	[ -x "$p" ] || { echo "bench: $p is missing (make all)" >&2; exit 1; }
done
$TIME -v true >/dev/null 2>&1 ||
    { echo "bench: GNU time is missing (apt-get install time)" >&2; exit 1; }
mkdir -p "$dir" || exit 1
res=$dir/results.txt
: >"$res"
log=$dir/log
rows=$dir/rows

say() { echo "$*" | tee -a "$res"; }

# Free space in MiB in dir.
freemib() { df -Pm "$dir" | awk 'NR == 2 { print $4 }'; }

# runtimed FILE CMD...: run it under time -v, stderr of time in FILE.
runtimed() {
	f=$1
	shift
	$TIME -v -o "$f" "$@" >"$log.out" 2>"$log.err"
}
wall() {	# seconds from a time -v file
	sed -n "s/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p" "$1" |
	    awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i;
	    printf "%.2f", s }'
}
rss() {		# peak RSS in MiB from a time -v file
	sed -n 's/.*Maximum resident set size (kbytes): //p' "$1" |
	    awk '{ printf "%.1f", $1 / 1024 }'
}
mib() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }
apparent() { stat -c %s "$1"; }
allocated() { stat -c '%b %B' "$1" | awk '{ printf "%.0f", $1 * $2 }'; }

# PT_LOAD count of a core (readelf copes with PN_XNUM).
segments() {
	readelf -lW "$1" 2>/dev/null | grep -c '^ *LOAD'
}

# bench NAME RAM_MIB MKDUMP_ARGS...  ($withkernel: convert with -k KERNEL)
withkernel=false
bench() {
	name=$1
	ram=$2
	shift 2
	dump=$dir/$name.vmcore
	core=$dir/$name.core
	need=$((ram / 4 * 3))	# dump + core, generous: ~0.17 x RAM each
	case " $* " in
	*" -f "*) need=$((ram * 2)) ;;	# a full dump holds all RAM
	esac
	if [ "$(freemib)" -lt "$need" ]; then
		say "bench: $name: skipped, less than $need MiB free in $dir"
		return
	fi
	rm -f "$dump" "$core" "$dump.cp"
	kargs=
	if $withkernel; then
		kargs="-k $dir/$name.kernel"
		set -- "$@" -k "$dir/$name.kernel"
	fi
	t0=$(date +%s)
	if ! "$mkdump" -v -m "$ram" "$@" -o "$dump" >"$dir/$name.facts" \
	    2>"$log.err"; then
		say "bench: $name: mkdump $* failed: $(head -1 "$log.err")"
		rm -f "$dump"
		return
	fi
	gen=$(( $(date +%s) - t0 ))
	dumpsize=$(sed -n 's/^dumpsize //p' "$dir/$name.facts")
	pages=$(sed -n 's/^pages //p' "$dir/$name.facts")
	for i in 1 2; do
		runtimed "$dir/t.cat" sh -c 'cat "$1" >/dev/null' sh "$dump"
		rm -f "$dump.cp"
		runtimed "$dir/t.cp" cp --sparse=always "$dump" "$dump.cp"
		rm -f "$dump.cp"
	done
	for i in 1 2; do
		rm -f "$core"
		MD2ELF_COPY=rw runtimed "$dir/t.rw" "$md2elf" $kargs -o "$core" \
		    "$dump"
	done
	for i in 1 2; do
		rm -f "$core"
		if ! runtimed "$dir/t.md" "$md2elf" $kargs -o "$core" "$dump"
		then
			say "bench: $name: md2elf failed: $(tail -1 "$log.err")"
			rm -f "$dump" "$core"
			return
		fi
	done
	summary=$(grep 'pages,' "$log.out")
	zero=$(echo "$summary" | sed -n 's/.*, \([0-9]*\) of them zero.*/\1/p')
	nseg=$(segments "$core")
	t=$(wall "$dir/t.md")
	rate=$(awk -v b="$dumpsize" -v t="$t" \
	    'BEGIN { printf "%.0f", (t > 0 ? b / 1048576 / t : 0) }')
	printf '%-14s %6s %6s/%-6s %8s %8s %7s %6s %6s %6s %6s/%-6s %6s %6s %6s\n' \
	    "$name" "$(mib $((ram * 1048576)))" \
	    "$(mib "$(apparent "$dump")")" "$(mib "$(allocated "$dump")")" \
	    "$pages" "${zero:-?}" "$nseg" "$t" "$rate" "$(rss "$dir/t.md")" \
	    "$(mib "$(apparent "$core")")" "$(mib "$(allocated "$core")")" \
	    "$(wall "$dir/t.rw")" "$(wall "$dir/t.cp")" "$(wall "$dir/t.cat")" \
	    >>"$rows"
	echo "$name $ram $(rss "$dir/t.md") $nseg" >>"$dir/rss"
	say "bench: $name: $(echo "$summary" | sed 's/^ *//'); mkdump ${gen} s"
	if $profile && [ "$name" = "plain-4g" ] && command -v perf >/dev/null
	then
		rm -f "$core"
		perf record -q -g -o "$dir/perf.data" "$md2elf" -q -o "$core" \
		    "$dump" >/dev/null 2>&1
		perf report -i "$dir/perf.data" --no-children --stdio -g none \
		    --percent-limit 1.5 2>/dev/null | grep -v '^#' |
		    grep -v '^$' | head -20 >"$dir/profile.txt"
	fi
	$keep || rm -f "$dump" "$core" "$dir/$name.kernel"
}

: >"$rows"
: >"$dir/rss"
rm -f "$dir/profile.txt" "$dir/perf.data"
say "md2elf benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -sr)," \
    "$(nproc) CPUs, work directory $dir ($(df -PT "$dir" |
    awk 'NR == 2 { print $2 }'))"
for s in $sizes; do
	bench "plain-$((s / 1024))g" "$s" -V 3 -s 1
done
for x in $extras; do
	case $x in
	zstd)	bench zstd-4g 4096 -V 3 -s 1 -c zstd
		bench zstd-dense-4g 4096 -V 3 -s 1 -D -c zstd ;;
	frag)	bench frag-4g 4096 -V 3 -s 1 -F 3 ;;
	threads) withkernel=true
		bench threads-4g 4096 -V 3 -s 1 -T 100000
		withkernel=false ;;
	full)	withkernel=true
		bench full-1g 1024 -V 3 -s 1 -f
		bench full-4g 4096 -V 3 -s 1 -f
		withkernel=false ;;
	*)	say "bench: unknown extra case $x" ;;
	esac
done
{
	echo
	echo "Warm page cache; each command ran twice, the second run is shown."
	echo "RAM and sizes in MiB; dump and core as apparent/allocated;" \
	    "times in s;"
	echo "MiB/s = uncompressed dump data / md2elf wall time;" \
	    "RSS = md2elf's peak RSS in MiB."
	printf '%-14s %6s %13s %8s %8s %7s %6s %6s %6s %13s %6s %6s %6s\n' \
	    case RAM dump pages zero segs md2elf MiB/s RSS core rw cp cat
	cat "$rows"
} | tee -a "$res"
# Peak RSS against dump size (plain dumps only).
awk '$1 ~ /^plain-/ { n++; r[n] = $3; m[n] = $2; s[n] = $4 }
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
		printf "constant memory: no: +%.1f MiB from %d to %d MiB of RAM, %.0f bytes per added segment\n", r[n] - r[1], m[1], m[n], (s[n] > s[1]) ? (r[n] - r[1]) * 1048576 / (s[n] - s[1]) : 0
}' "$dir/rss" | tee -a "$res"
if [ -s "$dir/profile.txt" ]; then
	echo "perf profile of plain-4g (md2elf, self time):" | tee -a "$res"
	tee -a "$res" <"$dir/profile.txt"
fi
rm -f "$dir/t.cat" "$dir/t.cp" "$dir/t.rw" "$dir/t.md" "$rows" "$log.out" \
    "$log.err"
exit 0
