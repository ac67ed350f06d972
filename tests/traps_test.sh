#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# traps_test: backtraces through trap frames (libmd2elf's unwind.c and the
# arch decoders' trap frames) against the generator's stacks, which hold
# the trap frames as each architecture's exception.S leaves them: the
# crashed thread's page fault, the NMI (amd64) or IPI that stopped the
# other CPUs, a thread preempted by an interrupt inside a page fault (two
# nested kernel-mode frames), system calls from user mode, kernel threads'
# first frames.  Checked: one trap-frame thread per kernel-mode frame,
# right after its owner, with every register of the frame, its id, name
# and signal (coreck -T, both flavours); md2elf -t listing the frames under
# each thread and -t -v the whole backtraces.  Hostile stacks (a loop, a
# pointer into unmapped and into undumped memory, a trap frame running
# off the stack, a chain deeper than 256 frames) end their walk with one
# warning each, naming the thread; the conversion goes on.

# convert: both flavours, checked by coreck -T; no warning.
convert()
{
	for f in freebsd linux; do
		atf_check -s exit:0 -o empty -e empty "$MD2ELF" -q -k kernel \
		    --flavor $f -o core.$f vmcore.0
		atf_check -s exit:0 -o save:ck.$f -e empty \
		    "$CORECK" -T -f $f -M model core.$f
	done
}

# The crashed thread's rows of md2elf -t -v: its frames, then its trap
# frames, against the model (coreck -t).
traps_arch_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	a=$1
	gen -a "$a" -V "$2" -s 61 -T 40
	convert
	"$CORECK" -M model -t >model.t || atf_fail "coreck -t"
	nt=$(awk '$1 == "trap"' model.t | wc -l)
	[ "$nt" -ge 3 ] || atf_fail "the model has $nt trap-frame threads"
	[ "$(fact trap_threads ck.freebsd)" -eq "$nt" ] &&
	[ "$(fact threads ck.freebsd)" -eq $((40 + nt)) ] ||
	    atf_fail "$(fact threads ck.freebsd) threads in the core"
	# Two nested frames on one stack: trap 2 of some thread.
	grep -q '^trap 2[0-9]\{9\} ' model.t ||
	    atf_fail "the model has no nested trap frame"
	crashed=$(awk '$1 == "thread" && $4 == "crashed" { print $2 }' model.t)
	case $a in
	arm64*)	label="dabort"; fault=", fault address 0x18" ;;
	i386*)	label="trap 12 (page fault)"; fault="" ;;
	*)	label="trap 12 (page fault)"; fault=", fault address 0x18" ;;
	esac
	[ "$a" = arm64 ] && [ "$2" -lt 3 ] && fault=""	# 13.x: no tf_far
	case $a in
	arm64*) label="data abort (handle_el1h_sync)" ;;
	esac
	atf_check -s exit:0 -o save:t -e empty "$MD2ELF" -t -k kernel vmcore.0
	sed -n 3p t | grep -qF -- "--- $label$fault, pc " ||
	    atf_fail "no '$label$fault' under the crashed thread: $(sed -n 3p t)"
	sed -n 3p t | grep -q "in ifhwioctl+0xc, .* (thread 1000$crashed) ---\$" ||
	    atf_fail "the page fault's context: $(sed -n 3p t)"
	sed -n 4p t | grep -q -- '^        --- syscall 54, user pc ' ||
	    atf_fail "no system call under the page fault: $(sed -n 4p t)"
	# -t -v: the crashed thread's return addresses, then its trap-frame
	# thread's pc and return addresses, in order, as the model has them.
	atf_check -s exit:0 -o save:tv -e ignore "$MD2ELF" -t -v -k kernel \
	    vmcore.0
	crash_frames "$crashed" >want
	sed -n '/^\* /,/^  2 /p' tv |
	    sed -n 's/^        #[0-9]* *0x0*\([0-9a-f]*\) .*/\1/p' |
	    tr '\n' ' ' >got
	# The whole walk: the model's frames are a prefix, in order.
	w=$(cat want)
	g=$(cat got)
	[ -n "$w" ] && [ "$(echo "$w" | wc -w)" -ge 10 ] ||
	    atf_fail "the model's frames: '$w'"
	case "$g" in
	"$w"*) ;;
	*) atf_fail "md2elf -t -v: '$g', the model: '$w'" ;;
	esac
}

for c in amd64:1 amd64:3 i386:2 i386pae:2 arm64:2 arm64:3 arm64-16k:3; do
	a=${c%:*}
	v=${c#*:}
	n=$(echo "${a}_v$v" | tr - _)
	eval "atf_test_case traps_$n
	traps_${n}_head() {
		atf_set descr '$a v$v: a thread per kernel-mode trap frame with' \
		    'its registers, signal and name; md2elf -t and -t -v'
	}
	traps_${n}_body() { traps_arch_body $a $v; }"
done

# Hostile stacks: the conversion goes on, one warning per corrupt stack,
# naming its thread and what is wrong; every thread and the trap-frame
# threads of the intact stacks are in the core.
hostile_arch_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -a "$1" -V "$2" -s 62 -T 40 -W stacks
	for f in freebsd linux; do
		atf_check -s exit:0 -o empty -e save:err.$f "$MD2ELF" -q \
		    -k kernel --flavor $f -o core.$f vmcore.0
		atf_check -s exit:0 -o save:ck.$f -e empty \
		    "$CORECK" -T -f $f -M model core.$f
		[ "$(fact trap_threads ck.$f)" -gt 0 ] ||
		    atf_fail "no trap-frame thread"
		[ "$(wc -l <err.$f)" -eq 5 ] ||
		    atf_fail "$f: not 5 warnings: $(cat err.$f)"
	done
	w="^md2elf: warning: vmcore\.0: backtrace: tid"
	for k in "loop:frame pointer 0x[0-9a-f]* after 0x[0-9a-f]* goes back down the stack (a loop)" \
	    "unmapped:frame record at 0x[0-9a-f]* unreadable: kernel address 0x[0-9a-f]* is not mapped in the dump" \
	    "undumped:frame record at 0x[0-9a-f]* unreadable: kernel address 0x[0-9a-f]* (physical 0x[0-9a-f]*) is not in the dump" \
	    "tfoff:trap frame of [a-z_0-9]* unreadable: .*" \
	    "deep:more than 256 frames; the rest is left out"; do
		tid=$(fact "stack_${k%%:*}_tid")
		[ -n "$tid" ] && [ "$tid" -gt 0 ] ||
		    atf_fail "mkdump: no stack_${k%%:*}_tid"
		grep -q "$w $tid: ${k#*:}\$" err.freebsd ||
		    atf_fail "${k%%:*}: no warning for tid $tid: $(cat err.freebsd)"
	done
	# md2elf -t: every thread listed, the same warnings.
	atf_check -s exit:0 -o save:t -e save:terr "$MD2ELF" -t -k kernel \
	    vmcore.0
	[ "$(grep -c '^[* ] [0-9]' t)" -eq 40 ] || atf_fail "$(cat t)"
	[ "$(grep -c "$w" terr)" -eq 5 ] || atf_fail "-t: $(cat terr)"
}

for c in amd64:3 i386:2 i386pae:2 arm64:3 arm64-16k:3; do
	a=${c%:*}
	v=${c#*:}
	n=$(echo "${a}_v$v" | tr - _)
	eval "atf_test_case hostile_$n
	hostile_${n}_head() {
		atf_set descr '$a v$v: corrupt stacks end their walks with a' \
		    'warning naming the thread; the conversion goes on'
	}
	hostile_${n}_body() { hostile_arch_body $a $v; }"
done

atf_init_test_cases()
{
	for n in amd64_v1 amd64_v3 i386_v2 i386pae_v2 arm64_v2 arm64_v3 \
	    arm64_16k_v3; do
		atf_add_test_case traps_$n
		[ "$n" = amd64_v1 ] || [ "$n" = arm64_v2 ] ||
		    atf_add_test_case hostile_$n
	done
}
