#! /usr/bin/env atf-sh
# threads_test: the thread walk of libmd2elf (threads.c) against the
# generator's process/thread world.  thrlist prints what the library finds
# (crashed thread first, registers from the struct reg it built, where they
# came from); "coreck -t" prints the model's threads in the same format.
# Also: hostile lists (cycles, dangling and undumped pointers, a list
# claiming 10 million threads, a huge pid hash) end with a warning and keep
# every thread that is still reachable; a kernel without the exported
# offsets is refused naming them; the message buffer in dmesg order.

# model_threads: the model's "thread ..." lines, sorted.
model_threads()
{
	"$CORECK" -M model -t >model.t 2>coreck.err ||
	    atf_fail "coreck -t failed: $(head -3 coreck.err)"
	grep '^thread ' model.t | sort >exp
}

# walk [THRLIST-ARGS...]: the library's threads into got (sorted: got.s),
# warnings into warn; thrlist must succeed.
walk()
{
	"$THRLIST" -k kernel "$@" vmcore.0 >got 2>warn ||
	    atf_fail "thrlist: $(cat got warn)"
	grep '^thread ' got | sort >got.s
	grep -v '^warning: ' warn | grep -q . &&
	    atf_fail "thrlist printed: $(cat warn)"
	return 0
}

# expect_warning PATTERN: one of the warnings matches.
expect_warning()
{
	grep -Eq "^warning: threads: .*$1" warn ||
	    atf_fail "no warning matching '$1' in: $(cat warn)"
	echo "warning: $(grep -E "$1" warn | head -1)"
}

setup()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	THRLIST=$SRCDIR/thrlist
	[ -x "$THRLIST" ] || atf_fail "$THRLIST is not built (run make first)"
}

atf_test_case world
world_head()
{
	atf_set descr 'every thread of a 300-thread world: ids, pids, names,' \
	    'CPUs, register source and registers; crashed thread first'
}
world_body()
{
	setup
	gen -T 300 -s 31
	model_threads
	walk
	[ -s warn ] && atf_fail "unexpected warnings: $(cat warn)"
	[ "$(wc -l <exp)" -eq 300 ] || atf_fail "model has $(wc -l <exp)"
	diff exp got.s >diffs || atf_fail "threads differ: $(head -5 diffs)"
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
	sed -n '2,$p' got | awk '$1 == "thread" { if (NR > 1 && $3 > last)
	    bad = 1; last = $3 } END { exit bad }' ||
	    atf_fail "not in allproc order"
	echo "threads $(grep -c '^thread ' got), crashed $crashed," \
	    "on CPU $(grep -c ' oncpu ' got)"
}

atf_test_case scale
scale_head()
{
	atf_set descr '20000 threads: all found, memory stays small'
	atf_set timeout 300
}
scale_body()
{
	setup
	gen -m 256 -T 20000 -s 32
	model_threads
	t0=$(date +%s)
	walk
	t1=$(date +%s)
	diff exp got.s >diffs || atf_fail "threads differ: $(head -5 diffs)"
	echo "20000 threads in $((t1 - t0)) s"
}

atf_test_case proccycle
proccycle_head()
{
	atf_set descr 'allproc loops back: walk ends with a warning, the pid' \
	    'hash finds nothing new, every thread is there once'
}
proccycle_body()
{
	setup
	gen -T 60 -s 33 -W proccycle
	model_threads
	walk
	expect_warning 'allproc: process 0x[0-9a-f]+ seen before \(cycle\)'
	diff exp got.s >diffs || atf_fail "threads differ: $(head -5 diffs)"
}

atf_test_case tdcycle
tdcycle_head()
{
	atf_set descr 'a thread list loops back: that list ends, nothing lost'
}
tdcycle_body()
{
	setup
	gen -T 60 -s 34 -W tdcycle
	model_threads
	walk
	expect_warning 'thread 0x[0-9a-f]+ seen before \(cycle in the thread'
	diff exp got.s >diffs || atf_fail "threads differ: $(head -5 diffs)"
}

atf_test_case dangling
dangling_head()
{
	atf_set descr 'p_list points to unmapped memory: allproc ends there,' \
	    'the pid hash finds the rest'
}
dangling_body()
{
	setup
	gen -T 60 -s 35 -W dangling
	model_threads
	walk
	expect_warning 'allproc: process 0x[0-9a-f]+ is not in the dump'
	diff exp got.s >diffs || atf_fail "threads differ: $(head -5 diffs)"
}

atf_test_case undumped
undumped_head()
{
	atf_set descr 'a td_plist points to a page not in the dump: the rest' \
	    'of that thread list is lost, nothing else'
}
undumped_body()
{
	setup
	gen -T 60 -s 36 -W undumped
	model_threads
	walk
	expect_warning 'pid 0: thread 0x[0-9a-f]+ is not in the dump'
	comm -13 exp got.s >extra
	comm -23 exp got.s >missing
	[ -s extra ] && atf_fail "extra threads: $(cat extra)"
	# The kernel process keeps its first thread only.
	nk=$(awk '$3 == 0' exp | wc -l)
	[ "$(wc -l <missing)" -eq $((nk - 1)) ] ||
	    atf_fail "missing $(wc -l <missing), expected $((nk - 1))"
	awk '$3 != 0 { exit 1 }' missing || atf_fail "lost other threads"
	[ "$(awk '$3 == 0' got.s | head -1)" = "$(awk '$3 == 0' exp |
	    head -1)" ] || atf_fail "first kernel thread lost"
}

atf_test_case hugehash
hugehash_head()
{
	atf_set descr 'pidhash claims 10 million buckets: hash walk skipped'
}
hugehash_body()
{
	setup
	gen -T 60 -s 37 -W hugehash
	model_threads
	walk
	expect_warning 'pidhash claims 10000000 buckets'
	diff exp got.s >diffs || atf_fail "threads differ: $(head -5 diffs)"
}

atf_test_case longlist
longlist_head()
{
	atf_set descr 'a process claims 10 million threads (a list through' \
	    'overlapping memory): the list ends at once with a warning'
	atf_set timeout 300
}
longlist_body()
{
	setup
	gen -m 192 -T 60 -s 38 -W longlist=10000000
	model_threads
	crashed=$(awk '$4 == "crashed" { print $2 }' exp)
	walk
	expect_warning 'would overlap thread 0x[0-9a-f]+ \(corrupt thread list\)'
	# The process whose list is replaced loses its threads, no other.
	pid=$(sed -n 's/^warning: threads: pid \([0-9]*\): thread .* would overlap.*/\1/p' warn)
	[ -n "$pid" ] || atf_fail "no pid in: $(cat warn)"
	comm -23 exp got.s >missing
	[ -s missing ] || atf_fail "nothing missing"
	awk -v p="$pid" '$3 != p && $4 != "crashed" { exit 1 }' missing ||
	    atf_fail "lost threads of other processes: $(cat missing)"
	# The crashed thread is still first with its dumppcb registers (if
	# its process is the broken one: found as CPU 0's curthread).
	if awk -v p="$pid" '$4 == "crashed" && $3 == p { f = 1 } END { exit !f }' exp; then
		expect_warning "dumping thread \\(tid $crashed\\) is not in the process"
	fi
	[ "$(head -1 got | awk '{ print $2, $4, $5 }')" = "$crashed crashed 0" ] ||
	    atf_fail "first thread: $(head -1 got)"
	exp_regs=$(awk '$4 == "crashed" { print $6, $7, $8, $9, $10, $11, $12, $13 }' exp)
	[ "$(head -1 got | awk '{ print $6, $7, $8, $9, $10, $11, $12, $13 }')" = "$exp_regs" ] ||
	    atf_fail "crashed registers: $(head -1 got)"
	n=$(grep -c '^thread ' got)
	[ "$n" -le "$(wc -l <exp)" ] || atf_fail "$n threads from the long list"
	echo "threads $n of $(wc -l <exp), pid $pid broken"
}

atf_test_case no_offsets
no_offsets_head()
{
	atf_set descr 'a kernel without thread_off_td_pcb and proc_off_p_comm' \
	    'is refused, naming both'
}
no_offsets_body()
{
	setup
	gen -T 20 -s 39
	# Rename the symbols in the string table (same length).
	LC_ALL=C sed -e 's/thread_off_td_pcb/thread_off_td_pcX/' \
	    -e 's/proc_off_p_comm/proc_off_p_coXX/' kernel >kernel.old
	mv kernel.old kernel
	atf_check -s exit:1 -o empty -e save:err "$THRLIST" -k kernel vmcore.0
	grep -q 'thread_off_td_pcb' err && grep -q 'proc_off_p_comm' err ||
	    atf_fail "message: $(cat err)"
	grep -q 'cannot list threads' err || atf_fail "message: $(cat err)"
	echo "message: $(cat err)"
}

atf_test_case wrong_kernel
wrong_kernel_head()
{
	atf_set descr "another model's kernel is refused (build id), -F" \
	    'forces it with a warning'
}
wrong_kernel_body()
{
	setup
	"$MKDUMP" -m 64 -T 20 -s 41 -k kernel.other >/dev/null 2>&1 ||
	    atf_fail "mkdump"
	gen -T 20 -s 40
	atf_check -s exit:1 -o empty -e save:err "$THRLIST" -k kernel.other \
	    vmcore.0
	grep -q 'kernel kernel.other does not match the dump: build id' err ||
	    atf_fail "message: $(cat err)"
	atf_check -s exit:0 -o save:out -e save:err "$THRLIST" -F \
	    -k kernel.other vmcore.0
	grep -q 'used anyway: forced' err || atf_fail "warning: $(cat err)"
}

atf_test_case msgbuf
msgbuf_head()
{
	atf_set descr 'message buffer in dmesg order, through msgbufp and' \
	    'from the dump section alone'
}
msgbuf_body()
{
	setup
	gen -T 20 -s 42
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

atf_init_test_cases()
{
	atf_add_test_case world
	atf_add_test_case scale
	atf_add_test_case proccycle
	atf_add_test_case tdcycle
	atf_add_test_case dangling
	atf_add_test_case undumped
	atf_add_test_case hugehash
	atf_add_test_case longlist
	atf_add_test_case no_offsets
	atf_add_test_case wrong_kernel
	atf_add_test_case msgbuf
}
