#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# amd64_threads_test: kernel threads in md2elf cores.  The generator's world
# (allproc, pid hash, struct proc/thread in direct-map pages, kernel stacks
# with frame-pointer chains, dumppcb/dumptid, stoppcbs[] + stopped_cpus)
# must come out as one NT_PRSTATUS per thread with the model's registers,
# the crashed thread first; md2elf -t and -i report the model's facts; the
# kernel must match the dump; hostile thread lists end with a warning and
# a core holding what could be found.

threads_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V "$1" -s "$((80 + $1))" -m 128 -T 300
	for flavor in freebsd linux; do
		rm -f core.elf
		atf_check -s exit:0 -o empty -e ignore "$MD2ELF" -q -k kernel \
		    --flavor $flavor -o core.elf vmcore.0
		atf_check -s exit:0 -o save:ck -e empty \
		    "$CORECK" -T -f $flavor -M model core.elf
		# The world's threads, and one per kernel-mode trap frame.
		[ "$(fact trap_threads ck)" -gt 0 ] &&
		[ "$(fact threads ck)" -eq $((300 + $(fact trap_threads ck))) ] ||
		    atf_fail "$flavor: $(fact threads ck) threads," \
		    "$(fact trap_threads ck) of them trap frames"
	done
}

for v in 1 2 3; do
	eval "atf_test_case threads_v$v
	threads_v${v}_head() {
		atf_set descr 'v$v: every thread with the model registers, both' \
		    'flavours'
	}
	threads_v${v}_body() { threads_body $v; }"
done

atf_test_case list
list_head()
{
	atf_set descr 'md2elf -t lists the model threads: crashed first,' \
	    'CPU marks, pc symbols'
}
list_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 84 -T 40
	atf_check -s exit:0 -o save:list.all -e ignore "$MD2ELF" -t -k kernel \
	    vmcore.0
	# Trap frames are listed under their thread, the first the crashed
	# thread's page fault, naming the trap-frame thread of the core.
	sed -n '3p' list.all | grep -q '^        --- trap 12 (page fault), fault address 0x18, pc 0x[0-9a-f]* in ifhwioctl+0xc, .* (thread 1[0-9]\{9\}) ---$' ||
	    atf_fail "no page fault under the crashed thread: $(head -4 list.all)"
	grep -v '^        ---' list.all >list
	"$CORECK" -M model -t >model.t || atf_fail "coreck -t"
	awk '$1 == "thread" && $4 != "trap" { print $2, $3, $4, $5 }' \
	    model.t >model.threads
	[ "$(wc -l <model.threads)" -eq 40 ] ||
	    atf_fail "the model has $(wc -l <model.threads) threads, not 40"
	[ "$(grep -c ' 0x' list)" -eq 40 ] ||
	    atf_fail "$(grep -c ' 0x' list) threads listed, 40 in the model"
	crashed=$(awk '$3 == "crashed" { print $1 }' model.threads)
	[ -n "$crashed" ] || atf_fail "the model has no crashed thread"
	grep ' 0x' list | head -1 | grep -q "^\\* *1 *$crashed .*crashed.*doadump" ||
	    atf_fail "first row is not the crashed thread $crashed in doadump"
	# Every model thread by tid and pid (no pipeline: atf_fail must not
	# run in a subshell), its row naming where it stopped.
	checked=0
	while read -r tid pid kind cpu; do
		row=$(grep -E "^[* ] *[0-9]+ +$tid +$pid " list) ||
		    atf_fail "thread $tid (pid $pid) not listed"
		case $kind in
		oncpu)	echo "$row" | grep -q "CPU $cpu .*cpustop_handler" ||
			    atf_fail "thread $tid on CPU $cpu: $row" ;;
		sleep)	echo "$row" | grep -q "sched_switch" ||
			    atf_fail "thread $tid: $row" ;;
		esac
		checked=$((checked + 1))
	done <model.threads
	[ "$checked" -eq 40 ] || atf_fail "$checked rows checked"
}

atf_test_case info
info_head()
{
	atf_set descr 'md2elf -i: architecture, format, dump time, host,' \
	    'panic string, kernel version, pages'
}
info_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 2 -s 85 -H lead
	atf_check -s exit:0 -o save:info -e ignore "$MD2ELF" -i -k kernel \
	    vmcore.0
	cat info
	for want in amd64 'version 2' "$(fact hostname)" \
	    'page fault while in kernel mode (model 85)' \
	    'md2elf model seed 85' "$(fact pages)"; do
		[ -n "$want" ] || atf_fail "mkdump -v lacks a fact: $(cat facts)"
		grep -qF "$want" info || atf_fail "-i does not say '$want'"
	done
}

atf_test_case kernel_mismatch
kernel_mismatch_head()
{
	atf_set descr 'a kernel that does not match the dump is refused;' \
	    '-F forces it'
}
kernel_mismatch_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 86
	"$MKDUMP" -s 87 -k other || atf_fail "mkdump -k other"
	mkdir out
	atf_check -s exit:1 -o empty -e match:'other.*does not match' \
	    "$MD2ELF" -q -k other -o out/core.elf vmcore.0
	[ -z "$(ls -A out)" ] || atf_fail "left behind: $(ls -A out)"
	atf_check -s exit:0 -o empty -e match:'does not match' \
	    "$MD2ELF" -q -F -k other -o out/core.elf vmcore.0
}

atf_test_case kernel_nooffsets
kernel_nooffsets_head()
{
	atf_set descr 'a kernel without proc_off_*/thread_off_*: a memory-only' \
	    'core (as savecore -e writes) and one warning naming what is' \
	    'missing; -t fails with that message'
}
kernel_nooffsets_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 88
	"$MKDUMP" -s 88 -m 64 -K nooffsets -k kernel.nooff ||
	    atf_fail "mkdump -K nooffsets"
	mkdir out
	atf_check -s exit:0 -o empty -e save:err \
	    "$MD2ELF" -q -k kernel.nooff -o out/core.elf vmcore.0
	[ "$(wc -l <err)" -eq 1 ] || atf_fail "not one line: $(cat err)"
	grep -Eqx 'md2elf: warning: vmcore\.0: cannot list threads: the kernel lacks proc_off_p_pid.*thread_off_td_plist.*; writing out/core\.elf without threads' \
	    err || atf_fail "message: $(cat err)"
	atf_check -s exit:0 -o save:ck -e empty "$CORECK" -M model out/core.elf
	[ "$(fact pages ck)" = "$(fact pages)" ] ||
	    atf_fail "core has $(fact pages ck) pages, dump $(fact pages)"
	[ "$(ls -A out)" = core.elf ] || atf_fail "left behind: $(ls -A out)"
	atf_check -s exit:1 -o empty \
	    -e match:'proc_off_p_pid.*thread_off_td_plist' \
	    "$MD2ELF" -t -k kernel.nooff vmcore.0
}

atf_test_case kernel_stripped
kernel_stripped_head()
{
	atf_set descr 'a stripped kernel (.dynsym only): memory and threads'
}
kernel_stripped_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 89 -T 24
	"$MKDUMP" -s 89 -m 64 -T 24 -K stripped -k kernel.stripped ||
	    atf_fail "mkdump -K stripped"
	atf_check -s exit:0 -o empty -e ignore "$MD2ELF" -q \
	    -k kernel.stripped -o core.elf vmcore.0
	atf_check -s exit:0 -o ignore -e empty "$CORECK" -M model core.elf
	atf_check -s exit:0 -o save:list -e ignore "$MD2ELF" -t \
	    -k kernel.stripped vmcore.0
	[ "$(grep -v '^        ---' list | grep -c ' 0x')" -eq 24 ] ||
	    atf_fail "threads: $(cat list)"
}

# Hostile thread lists: exit 0, a warning, the threads that can be found.
hostile_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	what=$1
	pattern=$2
	all=$3
	gen -V 3 -s 90 -m 128 -T 64 -W "$what"
	atf_check -s exit:0 -o empty -e save:err "$MD2ELF" -q -k kernel \
	    -o core.elf vmcore.0
	cat err
	grep -Eq "^md2elf: warning: .*$pattern" err ||
	    atf_fail "no warning matching '$pattern'"
	atf_check -s exit:0 -o save:ck -e empty "$CORECK" -W -M model core.elf
	cat ck
	known=$(fact threads_known ck)
	# The world's 64 threads and one per kernel-mode trap frame.
	n=$((64 + $(fact trap_threads ck)))
	if [ "$all" = all ]; then
		[ "$known" -eq $n ] ||
		    atf_fail "$known of the $n threads found"
	else
		[ "$known" -gt 0 ] && [ "$known" -lt $n ] ||
		    atf_fail "$known threads found"
	fi
}

for h in proccycle:cycle:all tdcycle:cycle:all dangling:'not in the dump':all \
    undumped:'not in the dump':some hugehash:buckets:all \
    longlist=10000000:'(overlap|corrupt|cap)':some; do
	name=${h%%:*}
	name=${name%%=*}
	rest=${h#*:}
	eval "atf_test_case hostile_$name
	hostile_${name}_head() {
		atf_set descr 'hostile thread list: ${h%%:*}'
	}
	hostile_${name}_body() { hostile_body '${h%%:*}' '${rest%:*}' \
	    '${rest##*:}'; }"
done

atf_test_case many_threads
many_threads_head()
{
	atf_set descr '5000 threads: all in the core with their registers'
}
many_threads_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 91 -m 256 -T 5000
	atf_check -s exit:0 -o empty -e ignore "$MD2ELF" -q -k kernel \
	    -o core.elf vmcore.0
	atf_check -s exit:0 -o save:ck -e empty "$CORECK" -T -M model core.elf
	[ "$(fact trap_threads ck)" -gt 0 ] &&
	[ "$(fact threads ck)" -eq $((5000 + $(fact trap_threads ck))) ] ||
	    atf_fail "$(fact threads ck), $(fact trap_threads ck) trap frames"
}

atf_init_test_cases()
{
	atf_add_test_case threads_v1
	atf_add_test_case threads_v2
	atf_add_test_case threads_v3
	atf_add_test_case list
	atf_add_test_case info
	atf_add_test_case kernel_mismatch
	atf_add_test_case kernel_nooffsets
	atf_add_test_case kernel_stripped
	for h in proccycle tdcycle dangling undumped hugehash longlist; do
		atf_add_test_case hostile_$h
	done
	atf_add_test_case many_threads
}
