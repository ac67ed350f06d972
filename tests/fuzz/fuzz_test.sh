#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/fuzz/fuzz_test.sh: the fuzz harnesses under the suite's compiler and
# sanitizers (CI: gcc with ASan+UBSan).  Each case makes the seed corpora
# from mkdump's output (mkcorpus.sh), then runs a replay driver: every seed
# must be accepted as it is (-A), then deterministic mutations of each seed
# go through the harness, whose invariants and the sanitizers abort on a
# bug.  Some mutations must be rejected (the mutations reach the checks).
# M2E_FUZZ_MUTATIONS overrides the number of mutations per seed.

corpus()
{
	sh "$(atf_get_srcdir)/mkcorpus.sh" -q "$PWD/corpus" "$1" ||
	    atf_fail "cannot make the seed corpora"
}

# replay HARNESS MUTATIONS DIR: run it, check the summary line.  The
# temporary files (input, core, decompressed data) go to memory if possible.
replay()
{
	n=${M2E_FUZZ_MUTATIONS:-$2}
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then
		TMPDIR=/dev/shm
		export TMPDIR
	fi
	"$(atf_get_srcdir)/replay_$1" -A -q -n "$n" "$3" >out 2>err
	rc=$?
	cat out
	tail -20 err >&2
	[ $rc -eq 0 ] || atf_fail "replay_$1 failed (exit $rc): $(tail -3 err)"
	grep -q "^replay: [0-9]* inputs" out ||
	    atf_fail "replay_$1: no summary line"
	rejected=$(sed -n 's/.*accepted, \([0-9]*\) rejected.*/\1/p' out)
	[ "${rejected:-0}" -gt 0 ] ||
	    atf_fail "replay_$1: no mutation was rejected"
}

atf_test_case dump
dump_head()
{
	atf_set "descr" "Dump harness: open, info, reads, msgbuf, threads" \
	    "and core of mutated minidumps in every container"
	atf_set "timeout" "600"
}
dump_body()
{
	corpus dump
	. corpus/env
	replay dump 600 corpus/dump
}

atf_test_case kdh
kdh_head()
{
	atf_set "descr" "kerneldumpheader harness: decoder and containers"
	atf_set "timeout" "600"
}
kdh_body()
{
	corpus kdh
	replay kdh 3000 corpus/kdh
}

atf_test_case kernel
kernel_head()
{
	atf_set "descr" "Kernel harness: mutated kernel ELF files set on" \
	    "a valid dump, symbols, msgbuf, threads and core"
	atf_set "timeout" "600"
}
kernel_body()
{
	corpus kernel
	. corpus/env
	replay kernel 4000 corpus/kernel
}

atf_test_case decomp
decomp_head()
{
	atf_set "descr" "Decompressor harness: gzip and zstd streams fed in" \
	    "pieces and whole agree; one-line messages with the offset"
	atf_set "timeout" "600"
}
decomp_body()
{
	corpus decomp
	replay decomp 3000 corpus/decomp
}

atf_test_case savecore
savecore_head()
{
	atf_set "descr" "savecore harness: mutated dump device images saved" \
	    "by savecore(8) with options the input picks: exit 0 or 1, one" \
	    "escaped line per message, the device changed only in its" \
	    "trailing magic and only after a complete save"
	atf_set "timeout" "600"
}
savecore_body()
{
	corpus savecore
	M2E_FUZZ_SAVECORE=$(atf_get_srcdir)/../../savecore/savecore
	[ -x "$M2E_FUZZ_SAVECORE" ] || atf_fail "savecore is not built"
	export M2E_FUZZ_SAVECORE
	replay savecore 80 corpus/savecore
}

atf_init_test_cases()
{
	atf_add_test_case dump
	atf_add_test_case kdh
	atf_add_test_case kernel
	atf_add_test_case decomp
	atf_add_test_case savecore
}
