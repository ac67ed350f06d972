#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# threads_test: kernel threads, from the library's walk to the core.
# The thread walk of libmd2elf (threads.c) against the generator's
# process/thread world (allproc, pid hash, struct proc/thread in
# direct-map pages, kernel stacks with frame-pointer chains,
# dumppcb/dumptid, stoppcbs[] + stopped_cpus): thrlist prints what the
# library finds (crashed thread first, registers from the struct reg it
# built, where they came from); "coreck -t" prints the model's threads in
# the same format.  Hostile lists (cycles, dangling and undumped
# pointers, lists claiming millions of threads, a huge pid hash) end with
# a warning and keep every thread still reachable; a kernel without the
# exported offsets is refused naming them; a stripped kernel; the message
# buffer in dmesg order (LP64 and ILP32).  In md2elf's cores (core_*):
# one NT_PRSTATUS per thread with the model's registers, the crashed
# thread first; md2elf -t and -i report the model's facts; the kernel
# must match the dump.
#
# Cases are named CASE_ARCH (CASE_vV_ARCH where the version matters);
# ARCH is amd64, i386 (non-PAE), i386pae, arm64 or arm64_16k.
#
#	case			amd64 i386 i386pae arm64  arm64_16k
#	world			 v3    v2    v2    v2,v3    v3	(1)
#	hostile			  x     x     x      x      -	(2)
#	msgbuf			  x     x     -      x      -	(3)
#	info			  x     x     x      x      x
#	kernel_mismatch		  x     x     x      x      x
#	kernel_nooffsets	  x     x     x      x      x
#	core_vV			 v1-3   -     -      -      -	(4)
#	scale, widelist, many_threads,
#	core_hostile_*		  x     -     -      -      -	(5)
#	list			  x     -     -      -      -	(6)
#	no_offsets, stripped, kernel_stripped,
#	wrong_kernel		  x     -     -      -      -	(7)
#
# (1) amd64: 300 threads and the allproc order; elsewhere 80 threads
#     with every register of each pcb layout.
# (2) the hostile lists depend on pointer size (ILP32, LP64), not on page
#     size: arm64 4K stands for arm64-16k (bad_input_test runs the
#     16 KiB walk with dangling and undumped pointers).
# (3) struct msgbuf on LP64 and ILP32; PAE and 16 KiB pages change
#     neither.
# (4) NT_PRSTATUS of 300 threads in both flavours, every version; the
#     other arches' cores are checked thread by thread in
#     memory_test:world_vV_ARCH.
# (5) big worlds (20000, 300000, 5000 threads) and every hostile option
#     through md2elf: the caps are arch-independent, amd64 stands for
#     all (and keeps the suite fast).
# (6) trap frames are named by amd64 trap numbers (trap 12, page fault).
# (7) kernel-file handling (symbols, build id) above the arch layer.

# norm: thrlist / coreck -t lines, normalised for comparison and sorted:
# "thread" lines (on i386 and arm64 without the amd64-only RBX..R15
# fields) into $1, "regs" lines into $1.r.
norm()
{
	awk -v a="$ARCH" -v r="$1.r" '$2 >= 1000000000 { next }
	    $1 == "thread" { if (a != "amd64")
	    $9 = $10 = $11 = $12 = $13 = "-"; print; next }
	    $1 == "regs" { print | ("sort >" r) }' | sort >"$1"
	[ -f "$1.r" ] || : >"$1.r"
}

# model_threads: the model's threads into exp (and exp.r), without the
# trap-frame threads (ids from 1000000000) md2elf_threads() does not list.
model_threads()
{
	"$CORECK" -M model -t >model.t 2>coreck.err ||
	    atf_fail "coreck -t failed: $(head -3 coreck.err)"
	norm exp <model.t
}

# walk [THRLIST-ARGS...]: the library's threads into got (as printed) and
# got.s (+ got.s.r, normalised); warnings into warn; thrlist must succeed.
walk()
{
	"$THRLIST" -k kernel "$@" vmcore.0 >got 2>warn ||
	    atf_fail "thrlist: $(cat got warn)"
	norm got.s <got
	grep -v '^warning: ' warn | grep -q . &&
	    atf_fail "thrlist printed: $(cat warn)"
	return 0
}

# expect_warning PATTERN: one of the warnings matches.
expect_warning()
{
	grep -Eq "^warning: vmcore\.0: threads: .*$1" warn ||
	    atf_fail "no warning matching '$1' in: $(cat warn)"
	echo "warning: $(grep -E "$1" warn | head -1)"
}

# setup [ARCH]: test library, thrlist, the architecture of gen_arch.
setup()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	THRLIST=$SRCDIR/thrlist
	[ -x "$THRLIST" ] || atf_fail "$THRLIST is not built (run make first)"
	ARCH=${1:-amd64}
}

# gen_arch VERSION MKDUMP-ARGS...: gen for $ARCH.
gen_arch()
{
	v=$1
	shift
	gen -a "$ARCH" -V "$v" "$@"
}

# same_threads: the library found exactly the model's threads.
same_threads()
{
	diff exp got.s >diffs || atf_fail "threads differ: $(head -5 diffs)"
	diff exp.r got.s.r >diffs ||
	    atf_fail "registers differ: $(head -5 diffs)"
}

atf_test_case world_v3_amd64
world_v3_amd64_head()
{
	atf_set descr 'every thread of a 300-thread amd64 world: ids, pids,' \
	    'names, CPUs, register source and registers; crashed thread first'
}
world_v3_amd64_body()
{
	setup amd64
	gen_arch 3 -T 300 -s 31
	model_threads
	walk
	[ -s warn ] && atf_fail "unexpected warnings: $(cat warn)"
	[ "$(wc -l <exp)" -eq 300 ] || atf_fail "model has $(wc -l <exp)"
	same_threads
	grep -qx 'threads 300' got || atf_fail "count: $(tail -1 got)"
	# The crashed thread first, and only it.
	crashed=$(awk '$4 == "crashed" { print $2 }' exp)
	[ -n "$crashed" ] || atf_fail "model has no crashed thread"
	[ "$(head -1 got | awk '{ print $2, $4 }')" = "$crashed crashed" ] ||
	    atf_fail "first thread: $(head -1 got)"
	[ "$(grep -c ' crashed ' got)" -eq 1 ] || atf_fail "several crashed"
	# Threads of other CPUs have their stoppcbs registers.
	[ "$(grep -c ' oncpu ' got)" -eq "$(grep -c ' oncpu ' exp)" ] ||
	    atf_fail "on-CPU threads differ"
	[ "$(grep -c ' oncpu ' got)" -ge 1 ] || atf_fail "no on-CPU thread"
	# allproc order after the crashed thread: newest (highest pid) first.
	grep '^thread ' got | sed -n '2,$p' | awk '{ if (NR > 1 && $3 > last)
	    bad = 1; last = $3 } END { exit bad }' ||
	    atf_fail "not in allproc order"
	echo "threads $(grep -c '^thread ' got), crashed $crashed," \
	    "on CPU $(grep -c ' oncpu ' got)"
}

# The same on the other architectures (ILP32 lists, other pcb layouts).
for c in i386:2 i386pae:2 arm64:2 arm64:3 arm64-16k:3; do
	a=${c%:*}
	v=${c#*:}
	n=v${v}_$(echo "$a" | tr - _)
	eval "atf_test_case world_$n
	world_${n}_head() {
		atf_set descr '$a v$v: every thread, registers of its pcb layout'
	}
	world_${n}_body() { world_arch_body $a $v; }"
done

world_arch_body()
{
	setup "$1"
	gen_arch "$2" -m 128 -T 80 -s 43
	model_threads
	walk
	[ -s warn ] && atf_fail "unexpected warnings: $(cat warn)"
	[ "$(wc -l <exp)" -eq 80 ] || atf_fail "model has $(wc -l <exp)"
	[ "$(wc -l <exp.r)" -eq 80 ] || atf_fail "no registers in the model"
	same_threads
	crashed=$(awk '$4 == "crashed" { print $2 }' exp)
	[ "$(head -1 got | awk '{ print $2, $4 }')" = "$crashed crashed" ] ||
	    atf_fail "first thread: $(head -1 got)"
	echo "$(grep -c '^thread ' got) threads, $(grep -c ' oncpu ' got) on" \
	    "other CPUs, $(head -1 exp.r | wc -w) registers each"
}

atf_test_case scale_amd64
scale_amd64_head()
{
	atf_set descr '20000 threads: all found, memory stays small'
	atf_set timeout 300
}
scale_amd64_body()
{
	setup amd64
	gen_arch 3 -m 256 -T 20000 -s 32
	model_threads
	t0=$(date +%s)
	walk
	t1=$(date +%s)
	[ "$(wc -l <exp)" -eq 20000 ] || atf_fail "model has $(wc -l <exp)"
	same_threads
	echo "20000 threads in $((t1 - t0)) s"
}

# Hostile lists on each architecture: exit 0, a warning, every thread
# that can still be reached, nothing invented.
for a in amd64 i386 i386pae arm64; do
	n=$(echo "$a" | tr - _)
	eval "atf_test_case hostile_$n
	hostile_${n}_head() {
		atf_set descr '$a: allproc cycle, thread list cycle, dangling' \
		    'and undumped pointers, 10M-bucket pid hash, a list' \
		    'claiming 10 million threads'
		atf_set timeout 300
	}
	hostile_${n}_body() { hostile_arch_body $a; }"
done

hostile_arch_body()
{
	setup "$1"
	case $ARCH in
	amd64|arm64)	v=3 ;;
	*)		v=2 ;;
	esac
	seed=50
	for w in proccycle tdcycle dangling undumped hugehash \
	    longlist=10000000; do
		seed=$((seed + 1))
		rm -f vmcore.0 kernel model
		gen_arch $v -m 192 -T 60 -s $seed -W $w
		model_threads
		[ "$(wc -l <exp)" -eq 60 ] ||
		    atf_fail "$w: the model has $(wc -l <exp) threads"
		walk
		comm -23 exp got.s >missing
		comm -13 exp got.s >extra
		case $w in
		proccycle)
			expect_warning 'allproc: process 0x[0-9a-f]+ seen before \(cycle\)' ;;
		tdcycle)
			expect_warning 'thread 0x[0-9a-f]+ seen before \(cycle in the thread list\)' ;;
		dangling)
			expect_warning 'allproc: process 0x[0-9a-f]+ is not in the dump' ;;
		hugehash)
			expect_warning 'pidhash claims 10000000 buckets' ;;
		undumped)
			expect_warning 'pid 0: thread 0x[0-9a-f]+ is not in the dump'
			# The kernel process keeps its first thread only.
			nk=$(awk '$3 == 0' exp | wc -l)
			[ "$(wc -l <missing)" -eq $((nk - 1)) ] ||
			    atf_fail "$w: missing $(wc -l <missing), expected $((nk - 1))"
			awk '$3 != 0 { exit 1 }' missing ||
			    atf_fail "$w: lost other threads"
			: >missing ;;
		longlist=*)
			expect_warning 'would overlap thread 0x[0-9a-f]+ \(corrupt thread list\)'
			pid=$(sed -n 's/^warning: vmcore\.0: threads: pid \([0-9]*\): thread .* would overlap.*/\1/p' warn)
			[ -n "$pid" ] || atf_fail "no pid in: $(cat warn)"
			[ -s missing ] || atf_fail "$w: nothing missing"
			awk -v p="$pid" '$3 != p { exit 1 }' missing ||
			    atf_fail "$w: lost threads of other processes"
			[ "$(wc -l <extra)" -le 1 ] ||
			    atf_fail "$w: $(wc -l <extra) threads invented"
			: >missing
			: >extra ;;
		esac
		[ -s missing ] && atf_fail "$w: missing $(cat missing)"
		[ -s extra ] && atf_fail "$w: extra $(cat extra)"
		crashed=$(awk '$4 == "crashed" { print $2 }' exp)
		[ "$(head -1 got | awk '{ print $2, $4 }')" = "$crashed crashed" ] ||
		    atf_fail "$w: first thread: $(head -1 got)"
		echo "$w: $(grep -c '^thread ' got) of $(wc -l <exp) threads"
	done
}

atf_test_case widelist_amd64
widelist_amd64_head()
{
	atf_set descr 'a process with 300000 real-looking threads: its list' \
	    'ends at the per-process cap (65536) with a warning and the' \
	    'walk goes on: every thread of the other processes is found,' \
	    'crashed thread first'
	atf_set timeout 300
}
widelist_amd64_body()
{
	setup amd64
	gen_arch 3 -m 512 -T 60 -s 44 -W widelist=300000
	model_threads
	walk
	expect_warning 'pid [0-9]+: more than 65536 threads in its list; rest of the list skipped \(cap\)$'
	pid=$(sed -n 's/^warning: vmcore\.0: threads: pid \([0-9]*\): more than 65536 threads .*/\1/p' warn)
	[ -n "$pid" ] || atf_fail "no pid in: $(cat warn)"
	grep -q 'walk ended' warn && atf_fail "the walk ended: $(cat warn)"
	# Exactly the first 65536 entries of the huge list, tids from 200000.
	awk -v p="$pid" '$1 == "thread" && $3 == p && /\/widelist$/ {
	    n++; if ($2 < 200000 || $2 > 265535) bad++ }
	    END { exit !(n == 65536 && !bad) }' got ||
	    atf_fail "not the first 65536 entries of the list of pid $pid"
	# Every model thread of the other processes is found, right (the
	# model's threads of pid $pid are behind the huge list's head), also
	# those listed after the huge list; nothing else is reported.
	awk -v p="$pid" '$3 != p' exp >exp.other
	[ "$(wc -l <exp.other)" -ge 50 ] ||
	    atf_fail "the model has $(wc -l <exp.other) other threads"
	comm -23 exp.other got.s >missing
	[ -s missing ] && atf_fail "missing: $(head -3 missing)"
	comm -13 exp got.s | grep -v "^thread [0-9]* $pid .*/widelist\$" >extra
	[ -s extra ] && atf_fail "not in the model: $(head -3 extra)"
	awk '/\/widelist$/ { w = NR } $1 == "thread" && w && NR > w { n++ }
	    END { print n + 0 }' got >after
	[ "$(cat after)" -ge 10 ] ||
	    atf_fail "only $(cat after) threads listed after the huge list"
	grep -qx "threads $(($(wc -l <exp.other) + 65536))" got ||
	    atf_fail "count: $(tail -1 got)"
	crashed=$(awk '$4 == "crashed" { print $2 }' exp)
	[ "$(head -1 got | awk '{ print $2, $4 }')" = "$crashed crashed" ] ||
	    atf_fail "first thread: $(head -1 got)"
	echo "pid $pid: 65536 list entries; $(wc -l <exp.other) other" \
	    "threads, $(cat after) of them after the list"
}

atf_test_case no_offsets_amd64
no_offsets_amd64_head()
{
	atf_set descr 'a kernel without the proc_off_*/thread_off_* symbols:' \
	    'the walk is refused naming every one; only the dumping thread'
}
no_offsets_amd64_body()
{
	setup amd64
	gen_arch 3 -T 20 -s 39
	"$MKDUMP" -m 64 -T 20 -s 39 -K nooffsets -k kernel.nooff ||
	    atf_fail "mkdump -K nooffsets"
	model_threads
	crashed=$(awk '$4 == "crashed" { print $2 }' exp)
	[ -n "$crashed" ] || atf_fail "model has no crashed thread"
	# The walk is refused; only the dumping thread, from dumppcb.
	atf_check -s exit:0 -o save:got -e save:err "$THRLIST" \
	    -k kernel.nooff vmcore.0
	for s in proc_off_p_pid proc_off_p_comm proc_off_p_list \
	    proc_off_p_threads thread_off_td_tid thread_off_td_name \
	    thread_off_td_oncpu thread_off_td_pcb thread_off_td_plist; do
		grep -q "$s" err || atf_fail "$s not named: $(cat err)"
	done
	grep -q "cannot list threads.*only the dumping thread (tid $crashed), from dumppcb" \
	    err || atf_fail "message: $(cat err)"
	grep -qx 'threads 1' got || atf_fail "count: $(tail -1 got)"
	[ "$(head -1 got | awk '{ print $2, $4 }')" = "$crashed crashed" ] ||
	    atf_fail "first thread: $(head -1 got)"
	echo "message: $(cat err)"
}

atf_test_case stripped_amd64
stripped_amd64_head()
{
	atf_set descr 'a stripped kernel (.dynsym only, no local dumppcb):' \
	    'every thread; the crashed one first, from its own pcb'
}
stripped_amd64_body()
{
	setup amd64
	gen_arch 3 -T 40 -s 45
	"$MKDUMP" -m 64 -T 40 -s 45 -K stripped -k kernel ||
	    atf_fail "mkdump -K stripped"
	model_threads
	walk
	expect_warning 'dumppcb missing; using the thread.s own pcb'
	crashed=$(awk '$4 == "crashed" { print $2 }' exp)
	# thrlist names the source: the crashed thread's registers come
	# from td_pcb; every other thread is exact.
	[ "$(head -1 got | awk '{ print $2, $4 }')" = "$crashed sleep" ] ||
	    atf_fail "first thread: $(head -1 got)"
	[ -n "$crashed" ] || atf_fail "model has no crashed thread"
	grep -v " $crashed " exp >exp.o
	grep -v " $crashed " got.s >got.o
	[ "$(wc -l <exp.o)" -eq 39 ] || atf_fail "model has $(wc -l <exp.o) others"
	diff exp.o got.o >diffs || atf_fail "threads differ: $(head -5 diffs)"
}

atf_test_case wrong_kernel_amd64
wrong_kernel_amd64_head()
{
	atf_set descr "another model's kernel is refused (build id), -F" \
	    'forces it with a warning'
}
wrong_kernel_amd64_body()
{
	setup amd64
	"$MKDUMP" -m 64 -T 20 -s 41 -k kernel.other >/dev/null 2>&1 ||
	    atf_fail "mkdump"
	gen_arch 3 -T 20 -s 40
	atf_check -s exit:1 -o empty -e save:err "$THRLIST" -k kernel.other \
	    vmcore.0
	grep -q 'kernel kernel.other does not match the dump: build id' err ||
	    atf_fail "message: $(cat err)"
	atf_check -s exit:0 -o save:out -e save:err "$THRLIST" -F \
	    -k kernel.other vmcore.0
	grep -q 'used anyway: forced' err || atf_fail "warning: $(cat err)"
}

# The message buffer on LP64 and ILP32 (struct msgbuf layouts).
for c in amd64:3 i386:2 arm64:3; do
	a=${c%:*}
	v=${c#*:}
	eval "atf_test_case msgbuf_$a
	msgbuf_${a}_head() {
		atf_set descr '$a: message buffer in dmesg order, through' \
		    'msgbufp and from the dump section alone'
	}
	msgbuf_${a}_body() { msgbuf_body $a $v; }"
done

msgbuf_body()
{
	setup "$1"
	gen_arch "$2" -T 20 -s 42
	atf_check -s exit:0 -o save:m.kernel -e empty "$THRLIST" -m -k kernel \
	    vmcore.0
	atf_check -s exit:0 -o save:m.section -e empty "$THRLIST" -m vmcore.0
	cmp m.kernel m.section || atf_fail "kernel and section texts differ"
	[ "$(wc -c <m.kernel)" -eq "$(fact msgbufsize)" ] ||
	    atf_fail "$(wc -c <m.kernel) bytes, ring is $(fact msgbufsize)"
	[ "$(tail -1 m.kernel)" = "time = $(fact dumptime)" ] ||
	    atf_fail "last line: $(tail -1 m.kernel)"
	[ "$(tail -2 m.kernel | head -1)" = "cpuid = 0" ] ||
	    atf_fail "cpuid line: $(tail -2 m.kernel | head -1)"
	tail -3 m.kernel | head -1 | grep -q 'panic: page fault' ||
	    atf_fail "panic line: $(tail -3 m.kernel | head -1)"
	# Between the partial first line and the panic: consecutive lines.
	n=$(wc -l <m.kernel)
	sed -n "2,$((n - 3))p" m.kernel >body
	awk '{ if ($0 !~ /^md2elf model line [0-9]+ seed 42 hash [0-9a-f]+$/)
	    exit 1; if (NR > 1 && $4 != last + 1) exit 1; last = $4 }' body ||
	    atf_fail "lines out of order or damaged"
	[ "$(wc -l <body)" -gt 1000 ] || atf_fail "only $(wc -l <body) lines"
	echo "$(wc -l <body) lines in order"
}

# --- md2elf cores ----------------------------------------------------

core_threads_body()
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
	eval "atf_test_case core_v${v}_amd64
	core_v${v}_amd64_head() {
		atf_set descr 'amd64 v$v core: every thread with the model' \
		    'registers, both flavours'
	}
	core_v${v}_amd64_body() { core_threads_body $v; }"
done

atf_test_case list_amd64
list_amd64_head()
{
	atf_set descr 'md2elf -t lists the model threads: crashed first,' \
	    'CPU marks, pc symbols'
}
list_amd64_body()
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

# pick V ARCH: V if ARCH has that minidump version, else its latest.
pick()
{
	case $2 in
	amd64|arm64)	_vs="1 2 3" ;;
	i386|i386pae)	_vs="1 2" ;;
	arm64-16k)	_vs="3" ;;
	esac
	for _v in $_vs; do
		[ "$_v" = "$1" ] && { echo "$1"; return; }
	done
	echo "$_v"
}

for a in amd64 i386 i386pae arm64 arm64-16k; do
	n=$(echo "$a" | tr - _)
	eval "atf_test_case info_$n
	info_${n}_head() {
		atf_set descr '$a: md2elf -i: architecture, format, dump time,' \
		    'host, panic string, kernel version, pages'
	}
	info_${n}_body() { info_body $a; }
	atf_test_case kernel_mismatch_$n
	kernel_mismatch_${n}_head() {
		atf_set descr '$a: a kernel that does not match the dump is' \
		    'refused; -F forces it'
	}
	kernel_mismatch_${n}_body() { kernel_mismatch_body $a; }
	atf_test_case kernel_nooffsets_$n
	kernel_nooffsets_${n}_head() {
		atf_set descr '$a: a kernel without proc_off_*/thread_off_*:' \
		    'one warning naming what is missing; the core and -t' \
		    'hold only the dumping thread, from dumppcb'
	}
	kernel_nooffsets_${n}_body() { kernel_nooffsets_body $a; }"
done

info_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	v=$(pick 2 $1)
	gen -a $1 -V $v -s 85 -H lead
	atf_check -s exit:0 -o save:info -e ignore "$MD2ELF" -i -k kernel \
	    vmcore.0
	cat info
	grep -q "^architecture: *${1%%[-p]*}\$" info ||
	    atf_fail "-i does not say architecture ${1%%[-p]*}"
	for want in "version $v" "$(fact hostname)" \
	    'page fault while in kernel mode (model 85)' \
	    'md2elf model seed 85' "$(fact pages)"; do
		[ -n "$want" ] || atf_fail "mkdump -v lacks a fact: $(cat facts)"
		grep -qF "$want" info || atf_fail "-i does not say '$want'"
	done
}

kernel_mismatch_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -a $1 -V $(pick 3 $1) -s 86
	"$MKDUMP" -a $1 -V $(pick 3 $1) -s 87 -k other ||
	    atf_fail "mkdump -k other"
	mkdir out
	atf_check -s exit:1 -o empty -e match:'other.*does not match' \
	    "$MD2ELF" -q -k other -o out/core.elf vmcore.0
	[ -z "$(ls -A out)" ] || atf_fail "left behind: $(ls -A out)"
	atf_check -s exit:0 -o empty -e match:'does not match' \
	    "$MD2ELF" -q -F -k other -o out/core.elf vmcore.0
}

kernel_nooffsets_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -a $1 -V $(pick 3 $1) -s 88
	"$MKDUMP" -a $1 -V $(pick 3 $1) -s 88 -m 64 -K nooffsets \
	    -k kernel.nooff ||
	    atf_fail "mkdump -K nooffsets"
	mkdir out
	atf_check -s exit:0 -o empty -e save:err \
	    "$MD2ELF" -q -k kernel.nooff -o out/core.elf vmcore.0
	[ "$(wc -l <err)" -eq 1 ] || atf_fail "not one line: $(cat err)"
	crashed=$("$CORECK" -M model -t | awk '$4 == "crashed" { print $2 }')
	[ -n "$crashed" ] || atf_fail "model has no crashed thread"
	grep -Eqx "md2elf: warning: vmcore\\.0: cannot list threads: the kernel lacks proc_off_p_pid.*thread_off_td_plist.*; only the dumping thread \\(tid $crashed\\), from dumppcb" \
	    err || atf_fail "message: $(cat err)"
	atf_check -s exit:0 -o save:ck -e empty "$CORECK" -M model out/core.elf
	[ "$(fact pages ck)" = "$(fact pages)" ] ||
	    atf_fail "core has $(fact pages ck) pages, dump $(fact pages)"
	[ "$(ls -A out)" = core.elf ] || atf_fail "left behind: $(ls -A out)"
	atf_check -s exit:0 -o save:list \
	    -e match:'proc_off_p_pid.*thread_off_td_plist' \
	    "$MD2ELF" -t -k kernel.nooff vmcore.0
	[ "$(grep -v '^        ---' list | grep -c ' 0x')" -eq 1 ] &&
	    grep -Eq "^\* +1 +$crashed .*crashed" list ||
	    atf_fail "-t: $(cat list)"
}

atf_test_case kernel_stripped_amd64
kernel_stripped_amd64_head()
{
	atf_set descr 'a stripped kernel (.dynsym only): memory and threads'
}
kernel_stripped_amd64_body()
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

# Hostile thread lists in md2elf: exit 0, a warning, the threads that can be found.
core_hostile_body()
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
	eval "atf_test_case core_hostile_${name}_amd64
	core_hostile_${name}_amd64_head() {
		atf_set descr 'amd64 core, hostile thread list: ${h%%:*}'
	}
	core_hostile_${name}_amd64_body() { core_hostile_body '${h%%:*}' '${rest%:*}' \
	    '${rest##*:}'; }"
done

atf_test_case many_threads_amd64
many_threads_amd64_head()
{
	atf_set descr '5000 threads: all in the core with their registers'
}
many_threads_amd64_body()
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
	atf_add_test_case world_v3_amd64
	for n in v2_i386 v2_i386pae v2_arm64 v3_arm64 v3_arm64_16k; do
		atf_add_test_case world_$n
	done
	atf_add_test_case scale_amd64
	for n in amd64 i386 i386pae arm64; do
		atf_add_test_case hostile_$n
	done
	atf_add_test_case widelist_amd64
	atf_add_test_case no_offsets_amd64
	atf_add_test_case stripped_amd64
	atf_add_test_case wrong_kernel_amd64
	for a in amd64 i386 arm64; do
		atf_add_test_case msgbuf_$a
	done
	for v in 1 2 3; do
		atf_add_test_case core_v${v}_amd64
	done
	atf_add_test_case list_amd64
	for n in amd64 i386 i386pae arm64 arm64_16k; do
		atf_add_test_case info_$n
		atf_add_test_case kernel_mismatch_$n
		atf_add_test_case kernel_nooffsets_$n
	done
	atf_add_test_case kernel_stripped_amd64
	for h in proccycle tdcycle dangling undumped hugehash longlist; do
		atf_add_test_case core_hostile_${h}_amd64
	done
	atf_add_test_case many_threads_amd64
}
