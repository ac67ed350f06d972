#! /usr/bin/env atf-sh
# amd64_clients_test: md2elf cores opened in the real debuggers.  LLDB 19
# on the FreeBSD flavour and GDB (gdb-multiarch) on the Linux flavour read
# kernel variables by name (from the core, not the kernel file), kernel
# heap, 1 GiB-page and direct-map addresses, refuse addresses that are not
# in the dump, list every thread with its id and name, and give each
# thread the registers and the frame-pointer backtrace of the model.

LLDB=${LLDB:-lldb-19}
GDB=${GDB:-gdb-multiarch}

# Threads of the model: "tid kind rip rsp rbp rbx r12 r13 r14 r15" and
# "tid name" (as a converter names them: comm or comm/td_name, 19 chars).
model_threads()
{
	"$CORECK" -M model -t >threads.txt || atf_fail "coreck -t"
	awk '$1 == "thread" { print $2, $4, $6, $7, $8, $9, $10, $11, $12,
	    $13 }' threads.txt >regs.want
	awk '$1 == "thread" {
		n = $0
		for (i = 1; i <= 13; i++)
			sub(/^[^ ]* /, "", n)
		c = n
		sub(/\/.*/, "", c)
		t = substr(n, length(c) + 2)
		d = c
		if (t != "" && t != c)
			d = c "/" t
		print $2 "|" substr(d, 1, 19)
	}' threads.txt | sort >names.want
	awk '$1 == "frames" { $1 = ""; print substr($0, 2) }' threads.txt \
	    >frames.want
}

atf_test_case lldb_memory
lldb_memory_head()
{
	atf_set descr 'LLDB 19: variables by name, heap, 1 GiB page and' \
	    'direct-map addresses; undumped memory is an error'
	atf_set require.progs lldb-19
}
lldb_memory_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	lldb_memory 3 51
}

atf_test_case lldb_memory_v1
lldb_memory_v1_head()
{
	atf_set descr 'LLDB 19 on a version 1 minidump (no 1 GiB pages)'
	atf_set require.progs lldb-19
}
lldb_memory_v1_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	lldb_memory 1 52
}

lldb_memory()
{
	seed=$2
	gen -V "$1" -s "$seed" -T 16
	atf_check -s exit:0 -o empty -e ignore \
	    "$MD2ELF" -q -k kernel -o core.elf vmcore.0
	"$CORECK" -M model -A >samples
	set -- $(fact dmap_dumped samples) $(fact heap_dumped samples) \
	    $(fact gib_dumped samples)
	cmds="-o 'target create kernel -c core.elf'"
	cmds="$cmds -o 'expr -- *(int*)&hz'"
	cmds="$cmds -o 'expr -- *(long*)&time_second'"
	cmds="$cmds -o 'expr -- *(int*)&osreldate'"
	cmds="$cmds -o 'x/s &version'"
	for a in "$@"; do
		cmds="$cmds -o 'memory read -s8 -fx -c2 $a'"
	done
	eval "$LLDB -b $cmds" >lldb.out 2>&1
	# A failing command ends a batch: one run per unreadable address.
	for a in $(fact kmap_undumped samples) $(fact dmap_undumped samples) \
	    $(fact kmap_unmapped samples); do
		"$LLDB" -b -o 'target create kernel -c core.elf' \
		    -o "memory read -s8 -fx -c1 $a" >>lldb.out 2>&1
	done
	cat lldb.out
	grep -q '^(int) \$[0-9]* = 1000$' lldb.out || atf_fail "hz is not 1000"
	grep -q "^(long) \\\$[0-9]* = $(fact dumptime)\$" lldb.out ||
	    atf_fail "time_second is not the dump time $(fact dumptime)"
	grep -q '^(int) \$[0-9]* = 1302000$' lldb.out ||
	    atf_fail "osreldate is not 1302000"
	grep -q "md2elf model seed $seed" lldb.out ||
	    atf_fail "version string"
	for a in "$@"; do
		want="$a: $("$CORECK" -M model -r "$a" -l 16)"
		grep -qx "$want" lldb.out || atf_fail "LLDB did not read '$want'"
	done
	[ "$(grep -c '^error: .*does not contain' lldb.out)" -eq 3 ] ||
	    atf_fail "LLDB read memory that is not in the dump"
}

atf_test_case lldb_threads
lldb_threads_head()
{
	atf_set descr 'LLDB 19: thread list (ids, names, crashed thread),' \
	    'registers and backtraces of every thread'
	atf_set require.progs lldb-19
}
lldb_threads_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 53 -T 24
	atf_check -s exit:0 -o empty -e ignore \
	    "$MD2ELF" -q -k kernel -o core.elf vmcore.0
	model_threads
	n=$(wc -l <regs.want)
	{
		echo "target create kernel -c core.elf"
		echo "thread list"
		i=1
		while [ $i -le "$n" ]; do
			echo "thread select $i"
			echo "register read rip rsp rbp rbx r12 r13 r14 r15"
			echo "bt"
			i=$((i + 1))
		done
	} >cmds
	"$LLDB" -b -s cmds >lldb.out 2>&1
	# thread list: "* thread #1: tid = T, ..., name = 'N', stop reason = R"
	sed -n "s/^[* ] thread #[0-9]*: tid = \\([0-9]*\\), .*name = '\\(.*\\)', stop reason = \\(.*\\)\$/\\1|\\2|\\3/p" \
	    lldb.out >list
	[ "$(wc -l <list)" -eq "$n" ] ||
	    atf_fail "LLDB lists $(wc -l <list) threads, the model has $n"
	crashed=$(awk '$2 == "crashed" { print $1 }' regs.want)
	head -1 list | grep -q "^$crashed|.*|signal SIG" ||
	    atf_fail "thread #1 is not the crashed thread $crashed: $(head -1 list)"
	[ "$(grep -c '|signal 0$' list)" -eq $((n - 1)) ] ||
	    atf_fail "other threads have a signal"
	cut -d'|' -f1,2 list | sort >names.got
	cmp -s names.got names.want ||
	    atf_fail "names differ: $(diff names.want names.got | head -3)"
	# Registers and backtraces, thread by thread in list order.
	awk '
	function emit() {
		print idx, reg["rip"], reg["rsp"], reg["rbp"], reg["rbx"], \
		    reg["r12"], reg["r13"], reg["r14"], reg["r15"]
		print "F" idx fr
	}
	/^\(lldb\) thread select/ {
		if (idx != "")
			emit()
		idx = $4
		fr = ""
	}
	/^ +(rip|rsp|rbp|rbx|r1[2-5]) = / { reg[$1] = $3 }
	/^ +frame #[1-9][0-9]*: 0x/ { fr = fr " " $3 }
	END { if (idx != "") emit() }' lldb.out >got.raw
	i=1
	while [ $i -le "$n" ]; do
		tid=$(sed -n "${i}p" list | cut -d'|' -f1)
		want=$(awk -v t="$tid" '$1 == t { $1 = ""; $2 = "";
		    print substr($0, 3) }' regs.want)
		got=$(awk -v i="$i" '$1 == i { $1 = ""; print substr($0, 2) }' \
		    got.raw)
		[ "$got" = "$want" ] ||
		    atf_fail "thread $tid: LLDB has '$got', the model '$want'"
		wantf=$(awk -v t="$tid" '$1 == t { $1 = "";
		    print substr($0, 2) }' frames.want)
		gotf=$(awk -v i="F$i" '$1 == i { $1 = "";
		    print substr($0, 2) }' got.raw)
		case "$gotf" in
		"$wantf"*) ;;
		*) atf_fail "thread $tid: LLDB frames '$gotf', the model's" \
		    "return addresses '$wantf'" ;;
		esac
		i=$((i + 1))
	done
	echo "$n threads checked"
}

atf_test_case gdb_memory
gdb_memory_head()
{
	atf_set descr 'GDB (Linux flavour, set osabi GNU/Linux): variables' \
	    'by name and addresses; undumped memory is an error'
	atf_set require.progs gdb-multiarch
}
gdb_memory_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 54 -T 16
	atf_check -s exit:0 -o empty -e ignore \
	    "$MD2ELF" -q -k kernel --flavor linux -o core.elf vmcore.0
	"$CORECK" -M model -A >samples
	set -- $(fact dmap_dumped samples) $(fact heap_dumped samples) \
	    $(fact gib_dumped samples)
	{
		echo "set osabi GNU/Linux"
		echo "file kernel"
		echo "core core.elf"
		echo "print *(int*)&hz"
		echo "print *(long*)&time_second"
		echo "x/s (char*)&version"
		for a in "$@"; do
			echo "x/2gx $a"
		done
	} >cmds
	"$GDB" -batch -x cmds >gdb.out 2>&1
	# An error ends a batch: one run per unreadable address.
	for a in $(fact kmap_undumped samples) $(fact dmap_undumped samples) \
	    $(fact kmap_unmapped samples); do
		"$GDB" -batch -ex 'set osabi GNU/Linux' -ex 'file kernel' \
		    -ex 'core core.elf' -ex "x/gx $a" >>gdb.out 2>&1
	done
	cat gdb.out
	grep -q '^\$[0-9]* = 1000$' gdb.out || atf_fail "hz is not 1000"
	grep -q "^\\\$[0-9]* = $(fact dumptime)\$" gdb.out ||
	    atf_fail "time_second is not the dump time"
	grep -q "md2elf model seed 54" gdb.out || atf_fail "version string"
	for a in "$@"; do
		want=$(printf '%s:\t%s\t%s' "$a" $("$CORECK" -M model -r "$a" \
		    -l 16))
		grep -qF "$want" gdb.out || atf_fail "GDB did not read '$want'"
	done
	[ "$(grep -c 'Cannot access memory' gdb.out)" -eq 3 ] ||
	    atf_fail "GDB read memory that is not in the dump"
}

atf_test_case gdb_threads
gdb_threads_head()
{
	atf_set descr 'GDB (Linux flavour): info threads, thread N, bt and' \
	    'info registers for every thread'
	atf_set require.progs gdb-multiarch
}
gdb_threads_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 2 -s 55 -T 24
	atf_check -s exit:0 -o empty -e ignore \
	    "$MD2ELF" -q -k kernel --flavor linux -o core.elf vmcore.0
	model_threads
	n=$(wc -l <regs.want)
	{
		echo "set osabi GNU/Linux"
		echo "file kernel"
		echo "core core.elf"
		echo "info threads"
		i=1
		while [ $i -le "$n" ]; do
			echo "thread $i"
			echo "echo REGS\\n"
			echo "info registers rip rsp rbp rbx r12 r13 r14 r15"
			echo "echo BT\\n"
			echo "bt"
			i=$((i + 1))
		done
	} >cmds
	"$GDB" -batch -x cmds >gdb.out 2>&1
	sed -n 's/^[* ] *\([0-9]*\) *LWP \([0-9]*\) .*/\1 \2/p' gdb.out >list
	[ "$(wc -l <list)" -eq "$n" ] ||
	    atf_fail "GDB lists $(wc -l <list) threads, the model has $n"
	crashed=$(awk '$2 == "crashed" { print $1 }' regs.want)
	[ "$(head -1 list)" = "1 $crashed" ] ||
	    atf_fail "thread 1 is not the crashed thread $crashed"
	grep -q "Current thread is 1 (LWP $crashed)" gdb.out ||
	    atf_fail "the current thread is not the crashed one"
	awk '
	function emit() {
		print tid, reg["rip"], reg["rsp"], reg["rbp"], reg["rbx"], \
		    reg["r12"], reg["r13"], reg["r14"], reg["r15"]
		print "F" tid fr
	}
	/^\[Switching to thread [0-9]+ \(LWP [0-9]+\)\]/ {
		if (tid != "")
			emit()
		tid = $6
		sub(/\)\]/, "", tid)
		fr = ""
	}
	/^(rip|rsp|rbp|rbx|r1[2-5]) +0x/ { reg[$1] = $2 }
	/^#[1-9][0-9]* +0x/ { fr = fr " " $2 }
	END { if (tid != "") emit() }' gdb.out >got.raw
	# GDB prints registers without leading zeros; the model pads.
	norm='{
		printf "%s", $1
		for (i = first; i <= NF; i++) {
			v = $i
			sub(/^0x0*/, "0x", v)
			if (v == "0x")
				v = "0x0"
			printf " %s", v
		}
		printf "\n"
	}'
	awk -v first=3 "$norm" regs.want | sort >want.norm
	grep -v '^F' got.raw | awk -v first=2 "$norm" | sort >got.norm
	cmp -s want.norm got.norm ||
	    atf_fail "registers differ: $(diff want.norm got.norm | head -5)"
	while read -r tid rest; do
		gotf=$(awk -v t="F$tid" '$1 == t { $1 = "";
		    print substr($0, 2) }' got.raw)
		case "$gotf" in
		"$rest"*) ;;
		*) atf_fail "thread $tid: GDB frames '$gotf', the model's" \
		    "return addresses '$rest'" ;;
		esac
	done <frames.want
	echo "$n threads checked"
}

atf_test_case pn_xnum
pn_xnum_head()
{
	atf_set descr 'more than 65535 segments (PN_XNUM): LLDB and GDB read' \
	    'memory and threads'
	atf_set require.progs lldb-19 gdb-multiarch
}
pn_xnum_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 56 -m 1024 -F 3 -T 16
	[ $(($(fact kmap_runs) + $(fact dmap_runs))) -gt 65535 ] ||
	    atf_fail "the model has only $(fact kmap_runs) + $(fact dmap_runs) runs"
	"$CORECK" -M model -A >samples
	a=$(fact dmap_dumped samples)
	want=$("$CORECK" -M model -r "$a" -l 16)
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
	[ "$(grep -c '^[* ] thread #' lldb.out)" -eq 16 ] ||
	    atf_fail "LLDB: threads"
	rm core.elf
	atf_check -s exit:0 -o empty -e ignore \
	    "$MD2ELF" -q -k kernel --flavor linux -o core.elf vmcore.0
	"$GDB" -batch -ex 'set osabi GNU/Linux' -ex 'file kernel' \
	    -ex 'core core.elf' -ex "x/2gx $a" -ex 'print *(int*)&hz' \
	    -ex 'info threads' >gdb.out 2>&1
	grep -qF "$(printf '%s:\t%s\t%s' "$a" $want)" gdb.out ||
	    atf_fail "GDB: $(cat gdb.out)"
	grep -q '^\$[0-9]* = 1000$' gdb.out || atf_fail "GDB: hz"
	[ "$(grep -c '^[* ] *[0-9]* *LWP ' gdb.out)" -eq 16 ] ||
	    atf_fail "GDB: threads"
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
