#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# i386_arm64_clients_test: md2elf cores of i386 (non-PAE and PAE) and arm64
# (both pcb layouts, 4 KiB and 16 KiB pages) dumps in the real debuggers:
# LLDB 19 on the FreeBSD flavour, GDB (gdb-multiarch, "set osabi
# GNU/Linux" before the kernel) on the Linux flavour.  Each lists every
# thread (ids, names, the crashed one first), gives each thread the pc,
# sp, fp and callee-saved registers of the model's pcb and the model's
# frame-pointer backtrace, reads kernel variables by name and heap,
# direct-map and block-mapped addresses, and refuses addresses that are
# not in the dump.

LLDB=${LLDB:-lldb-19}
GDB=${GDB:-gdb-multiarch}

# lldb_case ARCH VERSION SEED: threads and memory in LLDB 19.
lldb_case()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
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
	. "$(atf_get_srcdir)/gen/testlib.sh"
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

# What the client helpers of gen/testlib.sh need for the architecture.
i386_env()
{
	REGS="eip esp ebp ebx esi edi"
	GREGS=$REGS
	OSREL=1302000
	READABLE="heap_dumped"
	UNREADABLE="kmap_undumped kmap_unmapped"
}

arm64_env()
{
	REGS="x19 x20 x21 x22 x23 x24 x25 x26 x27 x28 fp lr sp pc"
	GREGS="x19 x20 x21 x22 x23 x24 x25 x26 x27 x28 x29 x30 sp pc"
	OSREL=$1
	READABLE="heap_dumped dmap_dumped gib_dumped"
	UNREADABLE="kmap_undumped kmap_unmapped dmap_undumped"
}

atf_test_case lldb_i386
lldb_i386_head()
{
	atf_set descr 'LLDB 19, i386 v2: threads, eip/esp/ebp/ebx/esi/edi,' \
	    'backtraces, variables, heap; undumped memory is an error'
	atf_set require.progs "$LLDB"
}
lldb_i386_body()
{
	i386_env
	lldb_case i386 2 81
}

atf_test_case lldb_i386pae
lldb_i386pae_head()
{
	atf_set descr 'LLDB 19, i386 PAE v1: the same'
	atf_set require.progs "$LLDB"
}
lldb_i386pae_body()
{
	i386_env
	lldb_case i386pae 1 82
}

atf_test_case lldb_arm64_v2
lldb_arm64_v2_head()
{
	atf_set descr 'LLDB 19, arm64 v2 (FreeBSD 13 pcb): threads, x19-x28,' \
	    'fp, lr, sp, pc, backtraces, variables, heap, direct map, L1 block'
	atf_set require.progs "$LLDB"
}
lldb_arm64_v2_body()
{
	arm64_env 1302000
	lldb_case arm64 2 83
}

atf_test_case lldb_arm64_v3
lldb_arm64_v3_head()
{
	atf_set descr 'LLDB 19, arm64 v3 (FreeBSD 14 pcb): the same'
	atf_set require.progs "$LLDB"
}
lldb_arm64_v3_body()
{
	arm64_env 1401000
	lldb_case arm64 3 84
}

atf_test_case lldb_arm64_16k
lldb_arm64_16k_head()
{
	atf_set descr 'LLDB 19, arm64 v3 with 16 KiB pages: the same but the' \
	    'L1 block (the model has none with 16 KiB pages)'
	atf_set require.progs "$LLDB"
}
lldb_arm64_16k_body()
{
	arm64_env 1401000
	READABLE="heap_dumped dmap_dumped"
	lldb_case arm64-16k 3 85
}

atf_test_case gdb_i386
gdb_i386_head()
{
	atf_set descr 'GDB (Linux flavour), i386 PAE v2: info threads, thread N,' \
	    'info registers, bt, variables, heap; undumped memory errors'
	atf_set require.progs "$GDB"
}
gdb_i386_body()
{
	i386_env
	gdb_case i386pae 2 86
}

atf_test_case gdb_arm64_v1
gdb_arm64_v1_head()
{
	atf_set descr 'GDB (Linux flavour), arm64 v1 (FreeBSD 13 pcb)'
	atf_set require.progs "$GDB"
}
gdb_arm64_v1_body()
{
	arm64_env 1302000
	gdb_case arm64 1 87
}

atf_test_case gdb_arm64_v3
gdb_arm64_v3_head()
{
	atf_set descr 'GDB (Linux flavour), arm64 v3 16 KiB pages (FreeBSD 14' \
	    'pcb)'
	atf_set require.progs "$GDB"
}
gdb_arm64_v3_body()
{
	arm64_env 1401000
	READABLE="heap_dumped dmap_dumped"	# no L1 block with 16 KiB pages
	gdb_case arm64-16k 3 88
}

atf_init_test_cases()
{
	atf_add_test_case lldb_i386
	atf_add_test_case lldb_i386pae
	atf_add_test_case lldb_arm64_v2
	atf_add_test_case lldb_arm64_v3
	atf_add_test_case lldb_arm64_16k
	atf_add_test_case gdb_i386
	atf_add_test_case gdb_arm64_v1
	atf_add_test_case gdb_arm64_v3
}
