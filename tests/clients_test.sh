#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# clients_test: md2elf cores opened in the real debuggers: LLDB 19 on the
# FreeBSD flavour, GDB (gdb-multiarch, "set osabi GNU/Linux" before the
# kernel) on the Linux flavour.  Each reads kernel variables by name
# (from the core, not the kernel file), kernel heap, direct-map and
# block-mapped (1 GiB page / L1 block) addresses, refuses addresses that
# are not in the dump, lists every thread with its id and name (the
# crashed one first), and gives each thread the pc, sp, fp and
# callee-saved registers of the model's pcb and the model's
# frame-pointer backtrace.
#
# Cases are named CASE_vV_ARCH (CASE_ARCH where the version is fixed);
# ARCH is amd64, i386 (non-PAE), i386pae, arm64 or arm64_16k.
#
#	case			amd64 i386 i386pae arm64  arm64_16k
#	lldb_memory		 v1,3   -    -       -      -	(1)
#	lldb_threads		 v3     -    -       -      -	(1)
#	gdb_memory		 v3     -    -       -      -	(1)
#	gdb_threads		 v2     -    -       -      -	(1)
#	lldb (memory+threads)	  -    v2    v1    v2,v3    v3
#	gdb (memory+threads)	  -     -    v2     v1      v3	(2)
#	pn_xnum			  x     -    -       -      -	(3)
#
# (1) amd64 runs memory and threads as separate cases (more threads,
#     -T 24); the other arches run both in one debugger session per
#     case, which keeps the suite fast.
# (2) one case per pcb layout and page size: i386 shares GDB's i386
#     target with i386pae, arm64 v3 4K shares it with v3 16K.
# (3) more than 65535 segments takes a 1 GiB fragmented model; the
#     extended program-header numbering is arch-independent ELF code.

LLDB=${LLDB:-lldb-19}
GDB=${GDB:-gdb-multiarch}

# client_env ARCH: the test library and what its client helpers need
# for the architecture (registers as LLDB and GDB name them, the
# kernel's osreldate, the coreck -A keys to read and to be refused).
client_env()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	case $1 in
	amd64)
		REGS="rip rsp rbp rbx r12 r13 r14 r15"
		GREGS=$REGS
		OSREL=1302000
		READABLE="dmap_dumped heap_dumped gib_dumped"
		UNREADABLE="kmap_undumped dmap_undumped kmap_unmapped"
		;;
	i386*)
		REGS="eip esp ebp ebx esi edi"
		GREGS=$REGS
		OSREL=1302000
		READABLE="heap_dumped"
		UNREADABLE="kmap_undumped kmap_unmapped"
		;;
	arm64*)
		REGS="x19 x20 x21 x22 x23 x24 x25 x26 x27 x28 fp lr sp pc"
		GREGS="x19 x20 x21 x22 x23 x24 x25 x26 x27 x28 x29 x30 sp pc"
		# FreeBSD 14's pcb from minidump v3 on, 13's before.
		OSREL=1302000
		[ "$2" -ge 3 ] && OSREL=1401000
		READABLE="heap_dumped dmap_dumped gib_dumped"
		# The model has no L1 block with 16 KiB pages.
		[ $1 = arm64-16k ] && READABLE="heap_dumped dmap_dumped"
		UNREADABLE="kmap_undumped kmap_unmapped dmap_undumped"
		;;
	esac
}

atf_test_case lldb_memory_v3_amd64
lldb_memory_v3_amd64_head()
{
	atf_set descr 'LLDB 19: variables by name, heap, 1 GiB page and' \
	    'direct-map addresses; undumped memory is an error'
	atf_set require.progs "$LLDB"
}
lldb_memory_v3_amd64_body()
{
	lldb_memory 3 51
}

atf_test_case lldb_memory_v1_amd64
lldb_memory_v1_amd64_head()
{
	atf_set descr 'LLDB 19 on a version 1 minidump (no 1 GiB pages)'
	atf_set require.progs "$LLDB"
}
lldb_memory_v1_amd64_body()
{
	lldb_memory 1 52
}

# lldb_memory VERSION SEED: the amd64 memory case.
lldb_memory()
{
	client_env amd64
	[ "$1" = 1 ] && READABLE="dmap_dumped heap_dumped"	# no 1 GiB pages
	client_setup amd64 "$1" "$2" freebsd -T 16
	{
		echo "target create kernel -c core.elf"
		client_memory_cmds LLDB
	} >cmds
	"$LLDB" -b -s cmds >lldb.out 2>&1
	cat lldb.out
	client_check_memory LLDB lldb.out
}

atf_test_case lldb_threads_v3_amd64
lldb_threads_v3_amd64_head()
{
	atf_set descr 'LLDB 19: thread list (ids, names, crashed thread),' \
	    'registers and backtraces of every thread'
	atf_set require.progs "$LLDB"
}
lldb_threads_v3_amd64_body()
{
	client_env amd64
	client_setup amd64 3 53 freebsd -T 24
	{
		echo "target create kernel -c core.elf"
		echo "thread list"
		client_thread_cmds "thread select" "register read $REGS"
	} >cmds
	"$LLDB" -b -s cmds >lldb.out 2>&1
	lldb_check_threads lldb.out
}

atf_test_case gdb_memory_v3_amd64
gdb_memory_v3_amd64_head()
{
	atf_set descr 'GDB (Linux flavour, set osabi GNU/Linux): variables' \
	    'by name and addresses; undumped memory is an error'
	atf_set require.progs "$GDB"
}
gdb_memory_v3_amd64_body()
{
	client_env amd64
	client_setup amd64 3 54 linux -T 16
	{
		gdb_open_cmds
		client_memory_cmds GDB
	} >cmds
	"$GDB" -batch -x cmds >gdb.out 2>&1
	cat gdb.out
	client_check_memory GDB gdb.out
}

atf_test_case gdb_threads_v2_amd64
gdb_threads_v2_amd64_head()
{
	atf_set descr 'GDB (Linux flavour): info threads, thread N, bt and' \
	    'info registers for every thread'
	atf_set require.progs "$GDB"
}
gdb_threads_v2_amd64_body()
{
	client_env amd64
	client_setup amd64 2 55 linux -T 24
	{
		gdb_open_cmds
		echo "info threads"
		client_thread_cmds thread "info registers $GREGS"
	} >cmds
	"$GDB" -batch -x cmds >gdb.out 2>&1
	gdb_check_threads gdb.out
}

atf_test_case pn_xnum_amd64
pn_xnum_amd64_head()
{
	atf_set descr 'more than 65535 segments (PN_XNUM): LLDB and GDB read' \
	    'memory and threads'
	atf_set require.progs "$LLDB" "$GDB"
}
pn_xnum_amd64_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 56 -m 1024 -F 3 -T 16
	[ $(($(fact kmap_runs) + $(fact dmap_runs))) -gt 65535 ] ||
	    atf_fail "the model has only $(fact kmap_runs) + $(fact dmap_runs) runs"
	"$CORECK" -M model -A >samples
	a=$(fact dmap_dumped samples)
	[ -n "$a" ] || atf_fail "coreck -A gives no dmap_dumped address"
	want=$("$CORECK" -M model -r "$a" -l 16) || atf_fail "coreck -r $a"
	atf_check -s exit:0 -o empty -e ignore \
	    "$MD2ELF" -q -k kernel -o core.elf vmcore.0
	atf_check -s exit:0 -o save:ck -e empty \
	    "$CORECK" -T -M model core.elf
	[ "$(fact phnum ck)" -gt 65535 ] || atf_fail "phnum $(fact phnum ck)"
	"$LLDB" -b -o 'target create kernel -c core.elf' \
	    -o "memory read -s8 -fx -c2 $a" -o 'expr -- *(int*)&hz' \
	    -o 'thread list' >lldb.out 2>&1
	grep -qx "$a: $want" lldb.out || atf_fail "LLDB: $(cat lldb.out)"
	grep -q '^(int) \$[0-9]* = 1000$' lldb.out || atf_fail "LLDB: hz"
	[ "$(grep -c '^[* ] thread #' lldb.out)" -eq \
	    $((16 + $(fact trap_threads ck))) ] || atf_fail "LLDB: threads"
	rm core.elf
	atf_check -s exit:0 -o empty -e ignore \
	    "$MD2ELF" -q -k kernel --flavor linux -o core.elf vmcore.0
	"$GDB" -batch -ex 'set osabi GNU/Linux' -ex 'file kernel' \
	    -ex 'core core.elf' -ex "x/2gx $a" -ex 'print *(int*)&hz' \
	    -ex 'info threads' >gdb.out 2>&1
	grep -qF "$(printf '%s:\t%s\t%s' "$a" $want)" gdb.out ||
	    atf_fail "GDB: $(cat gdb.out)"
	grep -q '^\$[0-9]* = 1000$' gdb.out || atf_fail "GDB: hz"
	[ "$(grep -c '^[* ] *[0-9]* *LWP ' gdb.out)" -eq \
	    $((16 + $(fact trap_threads ck))) ] || atf_fail "GDB: threads"
}

# lldb_case ARCH VERSION SEED: threads and memory in LLDB 19.
lldb_case()
{
	client_env "$1" "$2"
	client_setup "$1" "$2" "$3" freebsd -T 12
	[ "$(wc -l <names.want)" -ge 12 ] ||
	    atf_fail "only $(wc -l <names.want) threads in the model"
	{
		echo "target create kernel -c core.elf"
		client_memory_cmds LLDB
		echo "thread list"
		client_thread_cmds "thread select" "register read $REGS"
	} >cmds
	"$LLDB" -b -s cmds >lldb.out 2>&1
	client_check_memory LLDB lldb.out
	lldb_check_threads lldb.out
}

# gdb_case ARCH VERSION SEED: threads and memory in GDB, Linux flavour.
gdb_case()
{
	client_env "$1" "$2"
	client_setup "$1" "$2" "$3" linux -T 12
	[ "$(wc -l <names.want)" -ge 12 ] ||
	    atf_fail "only $(wc -l <names.want) threads in the model"
	{
		gdb_open_cmds
		client_memory_cmds GDB
		echo "info threads"
		client_thread_cmds thread "info registers $GREGS"
	} >cmds
	"$GDB" -batch -x cmds >gdb.out 2>&1
	client_check_memory GDB gdb.out
	gdb_check_threads gdb.out
}

# lldb_vV_ARCH, gdb_vV_ARCH: threads and memory in one session.
CASES=
for c in lldb:i386:2:81 lldb:i386pae:1:82 lldb:arm64:2:83 lldb:arm64:3:84 \
    lldb:arm64-16k:3:85 gdb:i386pae:2:86 gdb:arm64:1:87 gdb:arm64-16k:3:88; do
	IFS=: read t a v s <<EOT
$c
EOT
	n=${t}_v${v}_$(echo "$a" | tr -- - _)
	case $t in
	lldb)	d="LLDB 19 (FreeBSD flavour)" p='$LLDB' ;;
	gdb)	d="GDB (Linux flavour, set osabi GNU/Linux)" p='$GDB' ;;
	esac
	eval "atf_test_case $n
	${n}_head() {
		atf_set descr '$a v$v, $d: threads, registers, backtraces,' \
		    'variables, heap and mapped addresses; undumped memory' \
		    'is an error'
		atf_set require.progs \"$p\"
	}
	${n}_body() { ${t}_case $a $v $s; }"
	CASES="$CASES $n"
done

atf_init_test_cases()
{
	for c in lldb_memory_v3_amd64 lldb_memory_v1_amd64 lldb_threads_v3_amd64 \
	    gdb_memory_v3_amd64 gdb_threads_v2_amd64 pn_xnum_amd64 $CASES; do
		atf_add_test_case $c
	done
}
