#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# mk/check.sh: run the Kyua suite in tests/, print Kyua's report (details of
# failures included) and end with the line "N passed, N failed, N skipped".
# Exits non-zero if any test failed or broke, or if no test ran.
cd "$(dirname "$0")/../tests" || exit 1
db=$(mktemp /tmp/md2elf-kyua.XXXXXX) || exit 1
trap 'rm -f "$db"' EXIT

# Test programs run side by side, one per CPU ($JOBS overrides): most of a
# case's time is spent waiting for the debuggers and the disk.
jobs=${JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}
kyua -v parallelism="$jobs" test --results-file="$db" "$@"
kyua report --results-file="$db" --verbose \
    --results-filter=broken,failed | sed -e '/^===> Execution context/,$d'
summary=$(kyua report --results-file="$db" | grep '^Test cases:')
echo "$summary"
total=$(echo "$summary" | sed -n 's/.*: \([0-9]*\) total.*/\1/p')
skipped=$(echo "$summary" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p')
xfail=$(echo "$summary" | sed -n 's/.* \([0-9]*\) expected failures.*/\1/p')
broken=$(echo "$summary" | sed -n 's/.* \([0-9]*\) broken.*/\1/p')
failed=$(echo "$summary" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
: ${total:=0} ${skipped:=0} ${xfail:=0} ${broken:=0} ${failed:=0}
bad=$((broken + failed))
passed=$((total - skipped - bad))
echo "$passed passed, $bad failed, $skipped skipped"
[ "$bad" -eq 0 ] && [ "$total" -gt 0 ]
