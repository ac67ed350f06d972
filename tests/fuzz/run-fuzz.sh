#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/fuzz/run-fuzz.sh: run the libFuzzer harnesses built by `make fuzz`.
# usage: run-fuzz.sh DIR SECONDS [HARNESS...]
#   DIR      where `make fuzz` put them (lf): DIR/fuzz_*, DIR/corpus/
#   SECONDS  per harness (libFuzzer -max_total_time)
# New inputs go to DIR/work/HARNESS/, crashes to DIR/crashes/HARNESS/.
# $FUZZ_JOBS runs that many libFuzzer workers per harness (default 1);
# $FUZZ_ARGS adds libFuzzer options.  Exits non-zero if a harness crashed.
set -u
[ $# -ge 2 ] || { echo "usage: run-fuzz.sh DIR SECONDS [HARNESS...]" >&2; exit 2; }
dir=$(cd "$1" && pwd) || exit 2
secs=$2
shift 2
[ $# -gt 0 ] || set -- fuzz_dump fuzz_kdh fuzz_kernel fuzz_decomp fuzz_savecore
jobs=${FUZZ_JOBS:-1}
. "$dir/corpus/env" || exit 2
# The harnesses' temporary files: memory if possible (much faster).
[ -d /dev/shm ] && [ -w /dev/shm ] && { TMPDIR=/dev/shm; export TMPDIR; }
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
bad=0
for h in "$@"; do
	case $h in
	fuzz_dump)	seeds=$dir/corpus/dump ;;
	fuzz_kdh)	seeds=$dir/corpus/kdh ;;
	fuzz_kernel)	seeds=$dir/corpus/kernel ;;
	fuzz_decomp)	seeds=$dir/corpus/decomp ;;
	fuzz_savecore)	seeds=$dir/corpus/savecore
			# savecore as the suite builds it (not instrumented).
			M2E_FUZZ_SAVECORE=${M2E_FUZZ_SAVECORE:-$dir/../../../savecore/savecore}
			export M2E_FUZZ_SAVECORE ;;
	*)		echo "run-fuzz: unknown harness $h" >&2; exit 2 ;;
	esac
	mkdir -p "$dir/work/$h" "$dir/crashes/$h"
	echo "run-fuzz: $h for $secs s ($jobs job(s)), seeds $seeds"
	par=
	[ "$jobs" -gt 1 ] && par="-jobs=$jobs -workers=$jobs"
	# From dir: with -jobs, libFuzzer writes fuzz-N.log in the cwd.
	(cd "$dir" && "$dir/$h" -max_total_time="$secs" -timeout=20 \
	    -rss_limit_mb=3072 -print_final_stats=1 \
	    -artifact_prefix="$dir/crashes/$h/" $par ${FUZZ_ARGS:-} \
	    "$dir/work/$h" "$seeds" >"$dir/$h.log" 2>&1)
	rc=$?
	grep -E '^(#[0-9]+.*(DONE|pulse)|stat::|==[0-9]+==ERROR|SUMMARY)' \
	    "$dir/$h.log" | tail -12
	if [ $rc -ne 0 ] || ls "$dir/crashes/$h" | grep -q .; then
		echo "run-fuzz: $h: exit $rc; see $dir/$h.log, $dir/crashes/$h/"
		bad=1
	fi
done
exit $bad
