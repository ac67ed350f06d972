#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# amd64_clients_test: md2elf cores opened in the real debuggers.  LLDB 19
# on the FreeBSD flavour and GDB (gdb-multiarch) on the Linux flavour read
# kernel variables by name (from the core, not the kernel file), kernel
# heap, 1 GiB-page and direct-map addresses, refuse addresses that are not
# in the dump, list every thread with its id and name, and give each
# thread the registers and the frame-pointer backtrace of the model.

LLDB=${LLDB:-lldb-19}
GDB=${GDB:-gdb-multiarch}

# amd64_env: the test library and what its client helpers need.
amd64_env()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	REGS="rip rsp rbp rbx r12 r13 r14 r15"
	GREGS=$REGS
	OSREL=1302000
	READABLE="dmap_dumped heap_dumped gib_dumped"
	UNREADABLE="kmap_undumped dmap_undumped kmap_unmapped"
}

atf_test_case lldb_memory
lldb_memory_head()
{
	atf_set descr 'LLDB 19: variables by name, heap, 1 GiB page and' \
	    'direct-map addresses; undumped memory is an error'
	atf_set require.progs "$LLDB"
}
lldb_memory_body()
{
	lldb_memory 3 51
}

atf_test_case lldb_memory_v1
lldb_memory_v1_head()
{
	atf_set descr 'LLDB 19 on a version 1 minidump (no 1 GiB pages)'
	atf_set require.progs "$LLDB"
}
lldb_memory_v1_body()
{
	lldb_memory 1 52
}

# lldb_memory VERSION SEED
lldb_memory()
{
	amd64_env
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

atf_test_case lldb_threads
lldb_threads_head()
{
	atf_set descr 'LLDB 19: thread list (ids, names, crashed thread),' \
	    'registers and backtraces of every thread'
	atf_set require.progs "$LLDB"
}
lldb_threads_body()
{
	amd64_env
	client_setup amd64 3 53 freebsd -T 24
	{
		echo "target create kernel -c core.elf"
		echo "thread list"
		client_thread_cmds "thread select" "register read $REGS"
	} >cmds
	"$LLDB" -b -s cmds >lldb.out 2>&1
	lldb_check_threads lldb.out
}

atf_test_case gdb_memory
gdb_memory_head()
{
	atf_set descr 'GDB (Linux flavour, set osabi GNU/Linux): variables' \
	    'by name and addresses; undumped memory is an error'
	atf_set require.progs "$GDB"
}
gdb_memory_body()
{
	amd64_env
	client_setup amd64 3 54 linux -T 16
	{
		gdb_open_cmds
		client_memory_cmds GDB
	} >cmds
	"$GDB" -batch -x cmds >gdb.out 2>&1
	cat gdb.out
	client_check_memory GDB gdb.out
}

atf_test_case gdb_threads
gdb_threads_head()
{
	atf_set descr 'GDB (Linux flavour): info threads, thread N, bt and' \
	    'info registers for every thread'
	atf_set require.progs "$GDB"
}
gdb_threads_body()
{
	amd64_env
	client_setup amd64 2 55 linux -T 24
	{
		gdb_open_cmds
		echo "info threads"
		client_thread_cmds thread "info registers $GREGS"
	} >cmds
	"$GDB" -batch -x cmds >gdb.out 2>&1
	gdb_check_threads gdb.out
}

atf_test_case pn_xnum
pn_xnum_head()
{
	atf_set descr 'more than 65535 segments (PN_XNUM): LLDB and GDB read' \
	    'memory and threads'
	atf_set require.progs "$LLDB" "$GDB"
}
pn_xnum_body()
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

atf_init_test_cases()
{
	atf_add_test_case lldb_memory
	atf_add_test_case lldb_memory_v1
	atf_add_test_case lldb_threads
	atf_add_test_case gdb_memory
	atf_add_test_case gdb_threads
	atf_add_test_case pn_xnum
}
