#! /usr/bin/env atf-sh
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

# Hex without leading zeros, for comparing what the tools print.
NORM='function h(v) { sub(/^0x0*/, "0x", v); return v == "0x" ? "0x0" : v }'

# setup ARCH VERSION SEED FLAVOR: dump, kernel, model, core.elf; the
# model's threads in names.want ("tid|name"), regs.want ("tid reg=value
# ..." in the order of $REGS) and frames.want ("tid ret...").
setup()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -a "$1" -V "$2" -s "$3" -T 12
	atf_check -s exit:0 -o empty -e ignore \
	    "$MD2ELF" -q -k kernel --flavor "$4" -o core.elf vmcore.0
	"$CORECK" -M model -t >threads.txt || atf_fail "coreck -t"
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
	awk '$1 == "thread" && $4 == "crashed" { print $2 }' threads.txt \
	    >crashed
	awk "$NORM"'
	$1 == "frames" { s = $2; for (i = 3; i <= NF; i++) s = s " " h($i)
		print s }' threads.txt >frames.want
	awk -v regs="$REGS" "$NORM"'
	$1 == "regs" {
		split("", v)
		for (i = 3; i <= NF; i++) {
			k = $i; sub(/=.*/, "", k)
			x = $i; sub(/^[^=]*=/, "", x)
			v[k] = h(x)
		}
		n = split(regs, r, " ")
		s = $2
		for (i = 1; i <= n; i++)
			s = s " " r[i] "=" v[r[i]]
		print s
	}' threads.txt | sort >regs.want
	n=$(wc -l <names.want)
	[ "$n" -ge 12 ] || atf_fail "only $n threads in the model"
	"$CORECK" -M model -A >samples
}

# check_threads OUT: the parsed debugger output against the model.
# list: "tid|name" in list order (first = selected); got.regs, got.frames.
check_threads()
{
	n=$(wc -l <names.want)
	[ "$(wc -l <list)" -eq "$n" ] ||
	    atf_fail "$(wc -l <list) threads listed, the model has $n"
	head -1 list | grep -q "^$(cat crashed)|" ||
	    atf_fail "the first thread is not the crashed one $(cat crashed)"
	if [ -n "$NAMES" ]; then
		sort list >names.got
		cmp -s names.got names.want ||
		    atf_fail "names differ: $(diff names.want names.got | head -3)"
	fi
	sort got.regs >regs.got
	cmp -s regs.got regs.want ||
	    atf_fail "registers differ: $(diff regs.want regs.got | head -4)"
	while read -r tid rest; do
		gotf=$(awk -v t="$tid" '$1 == t { $1 = ""; print substr($0, 2) }' \
		    got.frames)
		case "$gotf" in
		"$rest"*) ;;
		*) atf_fail "thread $tid: frames '$gotf', the model's return" \
		    "addresses '$rest'" ;;
		esac
	done <frames.want
	echo "$n threads: registers and backtraces as in the model"
}

# lldb_case ARCH VERSION SEED: threads and memory in LLDB 19.
lldb_case()
{
	arch=$1
	setup "$1" "$2" "$3" freebsd
	n=$(wc -l <names.want)
	set -- $(fact heap_dumped samples)
	case $arch in arm64*) set -- "$@" $(fact dmap_dumped samples) \
	    $(fact gib_dumped samples) ;; esac
	{
		echo "target create kernel -c core.elf"
		echo "expr -- *(int*)&hz"
		echo "expr -- *(int*)&osreldate"
		echo "expr -- *(long*)&time_second"
		echo "x/s &version"
		for a in "$@"; do
			echo "memory read -s8 -fx -c2 $a"
		done
		echo "thread list"
		i=1
		while [ $i -le "$n" ]; do
			echo "thread select $i"
			echo "register read $REGS"
			echo "bt"
			i=$((i + 1))
		done
	} >cmds
	"$LLDB" -b -s cmds >lldb.out 2>&1
	for a in $UNREADABLE; do
		"$LLDB" -b -o 'target create kernel -c core.elf' \
		    -o "memory read -s8 -fx -c1 $(fact $a samples)" \
		    >>lldb.out 2>&1
	done
	grep -q '^(int) \$[0-9]* = 1000$' lldb.out || atf_fail "hz"
	grep -q "^(int) \\\$[0-9]* = $OSREL\$" lldb.out ||
	    atf_fail "osreldate is not $OSREL"
	grep -q "^(long) \\\$[0-9]* = $(fact dumptime)\$" lldb.out ||
	    atf_fail "time_second is not the dump time"
	grep -q "md2elf model seed $SEED" lldb.out || atf_fail "version"
	for a in "$@"; do
		want=$("$CORECK" -M model -r "$a" -l 16)
		awk -v a="$a" -v w="$want" "$NORM"'
		    /^0x[0-9a-f]+: 0x/ && h($1) == a ":" { $1 = ""
			if (substr($0, 2) == w) f = 1 }
		    END { exit !f }' lldb.out ||
		    atf_fail "LLDB did not read '$want' at $a"
	done
	[ "$(grep -c '^error: .*does not contain' lldb.out)" -eq \
	    "$(echo $UNREADABLE | wc -w)" ] ||
	    atf_fail "LLDB read memory that is not in the dump"
	sed -n "s/^[* ] thread #[0-9]*: tid = \\([0-9]*\\), .*name = '\\(.*\\)', stop reason = .*/\\1|\\2/p" \
	    lldb.out >list
	grep -q "^\\* thread #1: tid = $(cat crashed), .*stop reason = signal SIG" \
	    lldb.out || atf_fail "thread #1 is not the crashed, signalled one"
	# Thread ids by list order.
	awk -v regs="$REGS" "$NORM"'
	BEGIN { nr = split(regs, r, " ") }
	/^\(lldb\) thread select/ { if (n++) out() ; split("", v); fr = "" }
	/^ +[a-z0-9]+ = 0x/ { v[$1] = h($3) }
	/^ +frame #[1-9][0-9]*: 0x/ { fr = fr " " h($3) }
	function out() { s = ""; for (i = 1; i <= nr; i++)
		s = s " " r[i] "=" v[r[i]]; print s >"regs.seq"
		print fr >"frames.seq" }
	END { if (n) out() }' lldb.out
	cut -d'|' -f1 list >tids
	paste -d '' tids regs.seq >got.regs
	paste -d '' tids frames.seq >got.frames
	NAMES=1 check_threads
}

# gdb_case ARCH VERSION SEED: threads and memory in GDB, Linux flavour.
gdb_case()
{
	arch=$1
	setup "$1" "$2" "$3" linux
	n=$(wc -l <names.want)
	set -- $(fact heap_dumped samples)
	case $arch in arm64*) set -- "$@" $(fact dmap_dumped samples) \
	    $(fact gib_dumped samples) ;; esac
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
		echo "info threads"
		i=1
		while [ $i -le "$n" ]; do
			echo "thread $i"
			echo "info registers $GREGS"
			echo "bt"
			i=$((i + 1))
		done
	} >cmds
	"$GDB" -batch -x cmds >gdb.out 2>&1
	for a in $UNREADABLE; do
		"$GDB" -batch -ex 'set osabi GNU/Linux' -ex 'file kernel' \
		    -ex 'core core.elf' -ex "x/gx $(fact $a samples)" \
		    >>gdb.out 2>&1
	done
	grep -q '^\$[0-9]* = 1000$' gdb.out || atf_fail "hz"
	grep -q "^\\\$[0-9]* = $(fact dumptime)\$" gdb.out ||
	    atf_fail "time_second is not the dump time"
	grep -q "md2elf model seed $SEED" gdb.out || atf_fail "version"
	for a in "$@"; do
		want=$("$CORECK" -M model -r "$a" -l 16)
		awk -v a="$a" -v w="$want" "$NORM"'
		    /^0x[0-9a-f]+:\t0x/ && h($1) == a ":" { $1 = ""
			if (substr($0, 2) == w) f = 1 }
		    END { exit !f }' gdb.out ||
		    atf_fail "GDB did not read '$want' at $a"
	done
	[ "$(grep -c 'Cannot access memory' gdb.out)" -eq \
	    "$(echo $UNREADABLE | wc -w)" ] ||
	    atf_fail "GDB read memory that is not in the dump"
	grep -q "Current thread is 1 (LWP $(cat crashed))" gdb.out ||
	    atf_fail "the current thread is not the crashed one"
	sed -n 's/^[* ] *[0-9][0-9]* *LWP \([0-9]*\) .*/\1|/p' gdb.out >list
	awk -v regs="$REGS" -v gregs="$GREGS" "$NORM"'
	BEGIN { nr = split(regs, r, " "); split(gregs, g, " ") }
	/^\[Switching to thread [0-9]+ \(LWP [0-9]+\)\]/ {
		if (tid != "") out()
		tid = $6; sub(/\)\]/, "", tid); split("", v); fr = "" }
	/^[a-z0-9]+ +0x[0-9a-f]+/ { v[$1] = h($2) }
	/^#[1-9][0-9]* +0x/ { fr = fr " " h($2) }
	function out() {
		s = tid
		for (i = 1; i <= nr; i++)
			s = s " " r[i] "=" v[g[i]]
		print s >"got.regs"
		print tid fr >"got.frames"
	}
	END { if (tid != "") out() }' gdb.out
	check_threads
}

i386_env()
{
	REGS="eip esp ebp ebx esi edi"
	GREGS=$REGS
	OSREL=1302000
	UNREADABLE="kmap_undumped kmap_unmapped"
}

arm64_env()
{
	REGS="x19 x20 x21 x22 x23 x24 x25 x26 x27 x28 fp lr sp pc"
	GREGS="x19 x20 x21 x22 x23 x24 x25 x26 x27 x28 x29 x30 sp pc"
	OSREL=$1
	UNREADABLE="kmap_undumped kmap_unmapped dmap_undumped"
}

atf_test_case lldb_i386
lldb_i386_head()
{
	atf_set descr 'LLDB 19, i386 v2: threads, eip/esp/ebp/ebx/esi/edi,' \
	    'backtraces, variables, heap; undumped memory is an error'
	atf_set require.progs lldb-19
}
lldb_i386_body()
{
	i386_env
	SEED=81
	lldb_case i386 2 $SEED
}

atf_test_case lldb_i386pae
lldb_i386pae_head()
{
	atf_set descr 'LLDB 19, i386 PAE v1: the same'
	atf_set require.progs lldb-19
}
lldb_i386pae_body()
{
	i386_env
	SEED=82
	lldb_case i386pae 1 $SEED
}

atf_test_case lldb_arm64_v2
lldb_arm64_v2_head()
{
	atf_set descr 'LLDB 19, arm64 v2 (FreeBSD 13 pcb): threads, x19-x28,' \
	    'fp, lr, sp, pc, backtraces, variables, heap, direct map, L1 block'
	atf_set require.progs lldb-19
}
lldb_arm64_v2_body()
{
	arm64_env 1302000
	SEED=83
	lldb_case arm64 2 $SEED
}

atf_test_case lldb_arm64_v3
lldb_arm64_v3_head()
{
	atf_set descr 'LLDB 19, arm64 v3 (FreeBSD 14 pcb): the same'
	atf_set require.progs lldb-19
}
lldb_arm64_v3_body()
{
	arm64_env 1401000
	SEED=84
	lldb_case arm64 3 $SEED
}

atf_test_case lldb_arm64_16k
lldb_arm64_16k_head()
{
	atf_set descr 'LLDB 19, arm64 v3 with 16 KiB pages: the same'
	atf_set require.progs lldb-19
}
lldb_arm64_16k_body()
{
	arm64_env 1401000
	SEED=85
	lldb_case arm64-16k 3 $SEED
}

atf_test_case gdb_i386
gdb_i386_head()
{
	atf_set descr 'GDB (Linux flavour), i386 PAE v2: info threads, thread N,' \
	    'info registers, bt, variables, heap; undumped memory errors'
	atf_set require.progs gdb-multiarch
}
gdb_i386_body()
{
	i386_env
	SEED=86
	gdb_case i386pae 2 $SEED
}

atf_test_case gdb_arm64_v1
gdb_arm64_v1_head()
{
	atf_set descr 'GDB (Linux flavour), arm64 v1 (FreeBSD 13 pcb)'
	atf_set require.progs gdb-multiarch
}
gdb_arm64_v1_body()
{
	arm64_env 1302000
	SEED=87
	gdb_case arm64 1 $SEED
}

atf_test_case gdb_arm64_v3
gdb_arm64_v3_head()
{
	atf_set descr 'GDB (Linux flavour), arm64 v3 16 KiB pages (FreeBSD 14' \
	    'pcb)'
	atf_set require.progs gdb-multiarch
}
gdb_arm64_v3_body()
{
	arm64_env 1401000
	SEED=88
	gdb_case arm64-16k 3 $SEED
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
