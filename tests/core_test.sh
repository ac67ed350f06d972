#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# core_test: the ELF core writer beyond the memory round trips: more than
# 65535 program headers (PN_XNUM) read by LLDB 19 and GDB, the "md2elf"
# note carrying the kernel's build id, the notes of a core written without
# a kernel, --no-dmap.  The page copy's paths: copy_test.

LLDB=${LLDB:-lldb-19}
GDB=${GDB:-gdb-multiarch}

# Little-endian integers of a file: uN FILE OFFSET (decimal), x64 (hex).
u16() { od -An -tu2 -j "$2" -N2 "$1" | tr -d ' \n'; }
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' \n'; }
u64() { od -An -tu8 -j "$2" -N8 "$1" | tr -d ' \n'; }
x64() { od -An -tx8 -j "$2" -N8 "$1" | tr -d ' \n'; }

# phdr CORE INDEX: "type offset vaddr" of program header INDEX (ELF64).
phdr()
{
	_p=$(($(u64 "$1" 32) + $2 * 56))
	echo "$(u32 "$1" "$_p") $(u64 "$1" $((_p + 8))) $(x64 "$1" $((_p + 16)))"
}

# want CORE INDEX: the two 64-bit words at the start of segment INDEX, as
# the debuggers print them ("0x... 0x...").  va CORE INDEX: its address.
want()
{
	set -- $(phdr "$1" "$2") "$1"
	[ "$1" = 1 ] || atf_fail "program header is of type $1, not PT_LOAD"
	echo "0x$(x64 "$4" "$2") 0x$(x64 "$4" $(($2 + 8)))"
}
va()
{
	set -- $(phdr "$1" "$2")
	echo "$3"
}

atf_test_case pn_xnum
pn_xnum_head()
{
	atf_set descr 'more than 65535 PT_LOADs: PN_XNUM, section 0 sh_info;' \
	    'LLDB 19 and GDB read segments past the 65535th'
	atf_set require.progs "$LLDB" "$GDB"
}
pn_xnum_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 61 -F 3 -m 1024
	runs=$(($(fact kmap_runs) + $(fact dmap_runs)))
	[ "$runs" -gt 65535 ] || atf_fail "the model has only $runs runs"
	for f in freebsd linux; do
		atf_check -s exit:0 -o empty -e empty "$MD2ELF" -q -k kernel \
		    --flavor $f -o $f.elf vmcore.0
		atf_check -s exit:0 -o save:ck.$f -e empty \
		    "$CORECK" -f $f -M model $f.elf
		n=$(fact phnum ck.$f)
		[ "$n" -eq $((runs + 1)) ] || atf_fail "$n program headers"
		[ "$(u16 $f.elf 56)" = 65535 ] || atf_fail "e_phnum not PN_XNUM"
		shoff=$(u64 $f.elf 40)
		[ "$(u32 $f.elf $((shoff + 44)))" = "$n" ] ||
		    atf_fail "section 0 sh_info is not $n"
	done
	# Two segments beyond the 65535th: one in the middle, and the last
	# one that does not start with zeros.
	last=$((n - 1))
	while [ "$(want freebsd.elf $last)" = "0x0000000000000000 \
0x0000000000000000" ] && [ $last -gt $((n - 100)) ]; do
		last=$((last - 1))
	done
	[ "$(want freebsd.elf $last)" != "0x0000000000000000 \
0x0000000000000000" ] || atf_fail "the last 100 segments start with zeros"
	for i in 65600 $last; do
		w=$(want freebsd.elf $i)
		VA=$(va freebsd.elf $i)
		printf 'target create kernel -c freebsd.elf\nmemory read -s8 ' \
		    >lldb.cmd
		printf -- '-fx -c2 0x%s\n' "$VA" >>lldb.cmd
		atf_check -s exit:0 -o save:lldb.out -e ignore \
		    "$LLDB" -b -s lldb.cmd
		got=$(awk -v a="0x$VA:" '$1 == a { print $2, $3 }' lldb.out)
		[ "$got" = "$w" ] ||
		    atf_fail "LLDB at 0x$VA: '$got', file has '$w'"
		w=$(want linux.elf $i)
		[ "$(va linux.elf $i)" = "$VA" ] || atf_fail "flavours differ"
		atf_check -s exit:0 -o save:gdb.out -e ignore "$GDB" -batch \
		    -ex 'set osabi GNU/Linux' -ex 'file kernel' \
		    -ex 'core-file linux.elf' -ex "x/2gx 0x$VA"
		got=$(grep "^0x$VA" gdb.out | awk '{ print $(NF - 1), $NF }')
		[ "$got" = "$w" ] ||
		    atf_fail "GDB at 0x$VA: '$got', file has '$w'"
		echo "segment $i at 0x$VA: $w"
	done
}

atf_test_case buildid_note
buildid_note_head()
{
	atf_set descr 'the "md2elf" note (type 0x6d326501) holds the build id' \
	    'of the kernel given with -k; none without -k'
	atf_set require.progs readelf
}
buildid_note_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 63
	want=$(readelf -nW kernel | sed -n 's/.*Build ID: *//p')
	[ -n "$want" ] || atf_fail "the test kernel has no build id"
	for f in freebsd linux; do
		atf_check -s exit:0 -o empty -e empty "$MD2ELF" -q -k kernel \
		    --flavor $f -o $f.elf vmcore.0
		readelf -nW $f.elf >notes
		# readelf -W prints the bytes on the same line, else the next.
		got=$(awk '$1 == "md2elf" && /0x6d326501/ { n = NR + 1 }
		    (n != 0 && NR <= n) && /description data:/ {
		    sub(/.*description data: */, ""); gsub(/ /, ""); print;
		    exit }' notes)
		[ "$got" = "$want" ] ||
		    atf_fail "$f: note has '$got', kernel build id is '$want'"
	done
	atf_check -s exit:0 -o empty -e empty "$MD2ELF" -q -o nok.elf vmcore.0
	readelf -nW nok.elf >notes || atf_fail "readelf -n nok.elf"
	grep -q 'NT_PRSTATUS' notes || atf_fail "readelf shows no notes"
	! grep -q md2elf notes || atf_fail "an md2elf note without -k"
}

atf_test_case no_kernel_notes
no_kernel_notes_head()
{
	atf_set descr 'without a kernel: one NT_PRSTATUS (tid 0, no signal,' \
	    'zero registers), no AUXV; LLDB and GDB open the core'
	atf_set require.progs "$LLDB" "$GDB" readelf
}
no_kernel_notes_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 64
	atf_check -s exit:0 -o empty -e empty "$MD2ELF" -q -o fb.elf vmcore.0
	atf_check -s exit:0 -o empty -e empty "$MD2ELF" -q --flavor linux \
	    -o lx.elf vmcore.0
	readelf -nW fb.elf >fb.notes
	[ "$(grep -c 'FreeBSD .*NT_PRSTATUS' fb.notes)" -eq 1 ] ||
	    atf_fail "NT_PRSTATUS notes: $(cat fb.notes)"
	[ "$(grep -c 'FreeBSD .*NT_PRPSINFO' fb.notes)" -eq 1 ] ||
	    atf_fail "no NT_PRPSINFO"
	! grep -q 'AUXV\|THRMISC' fb.notes || atf_fail "$(cat fb.notes)"
	readelf -nW lx.elf >lx.notes
	[ "$(grep -c 'CORE .*NT_PRSTATUS' lx.notes)" -eq 1 ] ||
	    atf_fail "NT_PRSTATUS notes: $(cat lx.notes)"
	! grep -q 'AUXV\|FreeBSD' lx.notes || atf_fail "$(cat lx.notes)"
	# The descriptor: pr_cursig 0 at 36, pr_pid 0 at 40, pr_reg zeros.
	set -- $(phdr fb.elf 0)
	off=$2
	[ "$(u32 fb.elf $((off + 4)))" = 120 ] || atf_fail "first: not psinfo"
	st=$((off + 12 + 8 + 120))
	[ "$(u32 fb.elf $((st + 8)))" = 1 ] || atf_fail "second: not prstatus"
	[ "$(u32 fb.elf $((st + 4)))" = 224 ] || atf_fail "prstatus size"
	d=$((st + 20))
	[ "$(u32 fb.elf $((d + 36)))" = 0 ] || atf_fail "pr_cursig"
	[ "$(u32 fb.elf $((d + 40)))" = 0 ] || atf_fail "pr_pid"
	[ -z "$(od -An -v -tx1 -j $((d + 48)) -N176 fb.elf | tr -d ' 0\n')" ] ||
	    atf_fail "registers are not zero"

	w=$(want fb.elf 1)
	VA=$(va fb.elf 1)
	printf 'target create --core fb.elf\nthread list\nmemory read -s8 ' \
	    >lldb.cmd
	printf -- '-fx -c2 0x%s\n' "$VA" >>lldb.cmd
	atf_check -s exit:0 -o save:lldb.out -e ignore "$LLDB" -b -s lldb.cmd
	grep -q 'thread #1: tid = 0,' lldb.out || atf_fail "$(cat lldb.out)"
	! grep -q 'thread #2' lldb.out || atf_fail "$(cat lldb.out)"
	got=$(awk -v a="0x$VA:" '$1 == a { print $2, $3 }' lldb.out)
	[ "$got" = "$w" ] || atf_fail "LLDB at 0x$VA: '$got', file has '$w'"
	w=$(want lx.elf 1)
	[ "$(va lx.elf 1)" = "$VA" ] || atf_fail "flavours differ"
	atf_check -s exit:0 -o save:gdb.out -e ignore "$GDB" -batch \
	    -ex 'set osabi GNU/Linux' -ex 'set architecture i386:x86-64' \
	    -ex 'core-file lx.elf' -ex 'info threads' -ex "x/2gx 0x$VA"
	[ "$(grep -c '^[* ] [0-9]' gdb.out)" -eq 1 ] ||
	    atf_fail "GDB threads: $(cat gdb.out)"
	got=$(grep "^0x$VA" gdb.out | awk '{ print $(NF - 1), $NF }')
	[ "$got" = "$w" ] || atf_fail "GDB at 0x$VA: '$got', file has '$w'"
}

atf_test_case prpsinfo_fname
prpsinfo_fname_head()
{
	atf_set descr 'NT_PRPSINFO pr_fname is the base name of the -k kernel' \
	    '(cut to 15 bytes in Linux fname[16], 16 in FreeBSD fname[17]),' \
	    '"kernel" without one; GDB given kernel.debug does not warn that' \
	    'the core may not match it'
	atf_set require.progs "$GDB"
}
prpsinfo_fname_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 66 -T 8
	mkdir dir
	cp kernel kernel.debug
	cp kernel dir/kernel.full.with.a.long.name
	# pr_fname of core $1: at 16 (FreeBSD, 17 bytes) or 40 (Linux, 16
	# bytes) in the first note's descriptor (amd64).
	fname()
	{
		set -- $(phdr "$1" 0) "$1" "$2"
		case $5 in
		freebsd) set -- $(($2 + 20 + 16)) 17 "$4" ;;
		linux) set -- $(($2 + 20 + 40)) 16 "$4" ;;
		esac
		dd if="$3" bs=1 skip="$1" count="$2" 2>/dev/null | tr -d '\000'
	}
	for f in freebsd linux; do
		for k in kernel.debug:kernel.debug \
		    dir/kernel.full.with.a.long.name:kernel.full.with \
		    :kernel; do
			want=${k#*:}
			k=${k%%:*}
			[ $f = linux ] && [ $want = kernel.full.with ] &&
			    want=kernel.full.wit
			rm -f $f.elf
			atf_check -s exit:0 -o empty -e empty "$MD2ELF" -q \
			    ${k:+-k "$k"} --flavor $f -o $f.elf vmcore.0
			[ "$(u32 $f.elf $(($(phdr $f.elf 0 | cut -d' ' -f2) + \
			    8)))" = 3 ] || atf_fail "$f: first note not psinfo"
			got=$(fname $f.elf $f)
			[ "$got" = "$want" ] ||
			    atf_fail "$f -k '$k': pr_fname '$got', not '$want'"
		done
	done
	atf_check -s exit:0 -o empty -e empty "$MD2ELF" -q -k kernel.debug \
	    --flavor linux -o core.elf vmcore.0
	atf_check -s exit:0 -o save:gdb.out -e save:gdb.err "$GDB" -batch \
	    -ex 'set osabi GNU/Linux' -ex 'file kernel.debug' \
	    -ex 'core-file core.elf' -ex 'info threads'
	[ "$(grep -c '^[* ] *[0-9][0-9]* *LWP [0-9]\{6\} ' gdb.out)" -eq 8 ] ||
	    atf_fail "GDB did not read the core: $(cat gdb.out gdb.err)"
	! grep -q 'may not match' gdb.out gdb.err ||
	    atf_fail "GDB: $(grep 'may not match' gdb.out gdb.err)"
}

atf_test_case no_dmap
no_dmap_head()
{
	atf_set descr 'md2elf --no-dmap: exactly the kernel-map segments' \
	    '(mkdump kmap_runs), every kernel-map page right (coreck -K),' \
	    'no direct-map address in the core'
}
no_dmap_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	for c in amd64:3:freebsd arm64:3:linux; do
		set -- $(echo $c | tr : ' ')
		gen -a $1 -V $2 -s 65
		[ "$(fact dmap_runs)" -gt 0 ] || atf_fail "$1: no direct map"
		atf_check -s exit:0 -o save:out -e empty "$MD2ELF" -k kernel \
		    --flavor $3 --no-dmap -o nd.elf vmcore.0
		atf_check -s exit:0 -o save:ck -e empty \
		    "$CORECK" -K -T -f $3 -M model nd.elf
		[ "$(fact segments ck)" = "$(fact kmap_runs)" ] ||
		    atf_fail "$1: $(fact segments ck) segments, kmap_runs" \
		    "$(fact kmap_runs)"
		grep -q "^  $(fact pages) pages, .* $(fact kmap_runs) segments," \
		    out || atf_fail "$1: summary: $(cat out)"
		[ "$(fact kmap_pages ck)" -gt 0 ] || atf_fail "no pages checked"
		# The checks can fail: direct-map pages are missing from this
		# core, and a default core has them.
		atf_check -s exit:1 -o ignore -e match:'not in any PT_LOAD' \
		    "$CORECK" -f $3 -M model nd.elf
		atf_check -s exit:0 -o empty -e empty "$MD2ELF" -q -k kernel \
		    --flavor $3 -o d.elf vmcore.0
		atf_check -s exit:1 -o ignore -e match:'direct-map va .* \(-K\)' \
		    "$CORECK" -K -f $3 -M model d.elf
		rm -f nd.elf d.elf
	done
}

atf_init_test_cases()
{
	atf_add_test_case pn_xnum
	atf_add_test_case buildid_note
	atf_add_test_case no_kernel_notes
	atf_add_test_case prpsinfo_fname
	atf_add_test_case no_dmap
}
