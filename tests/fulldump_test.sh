#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# fulldump_test: full dumps (debug.minidump=0, the ELF file of physical
# memory kern_dump.c writes) of amd64 and i386 (PAE and not), as written
# by mkdump -f from the same memory model as the minidumps: converted with
# the kernel (whose symbols locate the page tables) in both flavours,
# plain, gzip, zstd and on a dump device, and checked by coreck page by
# page and thread by thread; the same notes as the core of the equivalent
# minidump; an amd64 image loaded elsewhere than va - KERNBASE (mkdump
# -R) is found; md2elf -i, -v and -r name the format; hostile program
# headers and page tables, truncation, no kernel and arm64 get one clear
# line.

# arch: the round-trip cases (mkdump -a).
ARCHES="amd64 i386 i386pae"

for a in $ARCHES; do
	eval "atf_test_case roundtrip_$a
	roundtrip_${a}_head() {
		atf_set descr '$a full dump: memory and threads, both flavours,' \
		    'plain, gzip, zstd, dump device'
	}
	roundtrip_${a}_body() { roundtrip_body $a; }"
done

# convert MKDUMP-ARGS...: a full dump, converted in both flavours, each
# core checked by coreck -T (16 threads).
convert()
{
	gen -f -T 16 "$@"
	[ "$(fact format)" = full ] || atf_fail "mkdump -f: $(cat facts)"
	[ "$(fact pages)" -gt 0 ] || atf_fail "mkdump -v: no pages"
	for f in freebsd linux; do
		rm -f core.$f
		atf_check -s exit:0 -o empty -e save:md2elf.err \
		    "$MD2ELF" -q -k kernel --flavor $f -o core.$f vmcore.0
		if grep -q . md2elf.err; then
			atf_fail "md2elf printed: $(cat md2elf.err)"
		fi
		atf_check -s exit:0 -o save:ck.$f -e empty \
		    "$CORECK" -T -f $f -M model core.$f
		[ "$(fact pages)" = "$(fact pages ck.$f)" ] ||
		    atf_fail "mkdump wrote $(fact pages) pages, the core has" \
		    "$(fact pages ck.$f)"
		# 16 threads and one more per trap frame on their stacks.
		[ "$(fact trap_threads ck.$f)" -gt 0 ] &&
		[ "$(fact threads ck.$f)" -eq \
		    $((16 + $(fact trap_threads ck.$f))) ] ||
		    atf_fail "$(fact threads ck.$f) threads in the $f core"
	done
	[ "$(fact zero_pages ck.freebsd)" -gt 0 ] ||
	    atf_fail "no zero pages checked"
	[ "$(fact kmap_pages ck.freebsd)" -gt 0 ] ||
	    atf_fail "no kernel-map page checked"
	echo "$*: segments $(fact segments ck.freebsd)" \
	    "pages $(fact pages ck.freebsd) kmap $(fact kmap_pages ck.freebsd)"
}

roundtrip_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	a=$1
	case $a in
	amd64)	v=3 ;;
	*)	v=2 ;;
	esac
	s=80
	case $a in
	amd64)	variants='plain,-c gzip,-c zstd,-H device' ;;
	i386)	variants='plain,-H device -c zstd' ;;
	*)	variants='-H lead -c gzip' ;;
	esac
	IFS=,
	set -- $variants
	unset IFS
	for args in "$@"; do
		[ "$args" = plain ] && args=
		s=$((s + 1))
		convert -a $a -V $v -s $s $args
	done
	# Every RAM page is in a full dump: PG_NODUMP pages too, and the
	# kernel map reaches them (coreck -T checked them at their va).
	atf_check -s exit:0 -o save:info -e empty "$MD2ELF" -i vmcore.0
	grep -q "^format: *full" info || atf_fail "format: $(cat info)"
	grep -q "^architecture: *i*[a-z0-9]*${a%pae}\$" info ||
	    atf_fail "architecture: $(cat info)"
}

atf_test_case pae_high
pae_high_head()
{
	atf_set descr 'i386 PAE full dump: the ELF32 program headers cut the' \
	    'chunk above 4 GiB to 32 bits; the kernel dump_avail places it'
}
pae_high_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -f -a i386pae -V 2 -s 90
	atf_check -s exit:0 -o save:ph -e empty readelf -lW vmcore.0
	# The high range (at 5 GiB): in the dump at 1 GiB.
	grep -q '^ *LOAD .* 0x40000000 0x40000000 ' ph ||
	    atf_fail "no chunk cut to 0x40000000: $(grep LOAD ph)"
	atf_check -s exit:0 -o empty -e empty \
	    "$MD2ELF" -q -k kernel -o core.elf vmcore.0
	# coreck reads the high range at its kernel-map address (mapped to
	# 5 GiB): read at 1 GiB, every page of it would differ.
	atf_check -s exit:0 -o save:ck -e empty "$CORECK" -T -M model core.elf
	# The core's segments above 4 GiB have p_paddr 0 (ELF32).
	atf_check -s exit:0 -o save:cph -e empty readelf -lW core.elf
	awk '$1 == "LOAD" && $4 == "0x00000000" { n++ } END { exit !n }' cph ||
	    atf_fail "no PT_LOAD above 4 GiB in the core"
}

atf_test_case same_as_minidump
same_as_minidump_head()
{
	atf_set descr 'amd64 and i386: the core of a full dump has the notes' \
	    'of the core of the minidump of the same model, byte for byte'
}
same_as_minidump_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	for a in "amd64 3" "i386 2"; do
		set -- $a
		for f in freebsd linux; do
			for k in mini full; do
				rm -f core.$k
				if [ $k = full ]; then
					gen -a $1 -V $2 -s 95 -f
				else
					gen -a $1 -V $2 -s 95
				fi
				atf_check -s exit:0 -o empty -e empty \
				    "$MD2ELF" -q -k kernel --flavor $f \
				    -o core.$k vmcore.0
				cp kernel kernel.$k
				readelf -lW core.$k | awk '$1 == "NOTE" {
				    print $2, $5 }' >note.$k
				[ -s note.$k ] || atf_fail "no PT_NOTE"
				off=$(($(cut -d' ' -f1 note.$k)))
				len=$(($(cut -d' ' -f2 note.$k)))
				dd if=core.$k of=notes.$k bs=1 skip=$off \
				    count=$len 2>/dev/null
				[ "$(wc -c <notes.$k)" -eq "$len" ] ||
				    atf_fail "notes of core.$k"
			done
			# i386: the full model's kernel adds IdlePTD.
			[ $1 = i386 ] || cmp -s kernel.mini kernel.full ||
			    atf_fail "$1: the kernels differ"
			cmp notes.mini notes.full ||
			    atf_fail "$1 $f: the notes differ"
			readelf -nW core.full | grep -c NT_PRSTATUS
		done
	done
}

atf_test_case relocated
relocated_head()
{
	atf_set descr 'amd64 kernel image loaded at a physical address other' \
	    'than va - KERNBASE (13.x+ loaders; libkvm bug freebsd-src#1706):' \
	    'KPML4phys found where the image is, the core right (coreck -T),' \
	    'its kernel segment at that address, the notes of the minidump'
}
relocated_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	for r in 0x200000 0x2a00000; do
		for k in mini full; do
			if [ $k = full ]; then
				gen -a amd64 -m 128 -R $r -s 41 -T 16 -f
			else
				gen -a amd64 -m 128 -R $r -s 41 -T 16
			fi
			rm -f core.$k
			atf_check -s exit:0 -o empty -e empty \
			    "$MD2ELF" -q -k kernel -o core.$k vmcore.0
			atf_check -s exit:0 -o save:ck -e empty "$CORECK" -T \
			    -M model core.$k
			[ "$(fact threads_known ck)" -ge 16 ] ||
			    atf_fail "$r $k: $(cat ck)"
			# The image's segment: KERNBASE at physical r.
			readelf -lW core.$k | awk '$1 == "LOAD" &&
			    $3 == "0xffffffff80000000" { print $4 }' >seg
			[ "$(($(cat seg)))" -eq "$((r))" ] ||
			    atf_fail "$r $k: the image segment is at '$(cat seg)'"
			readelf -nW core.$k | grep -v "^Displaying notes" >notes.$k
		done
		cmp notes.mini notes.full || atf_fail "$r: the notes differ"
		echo "$r: image at $r, $(fact pages ck) pages"
	done
	# Not 2 MiB aligned: the generator refuses it (no such loader).
	"$MKDUMP" -a amd64 -m 128 -R 0x2100000 -o x -k xk 2>err &&
	    atf_fail "mkdump -R 0x2100000 accepted"
	grep -q 'aligned' err || atf_fail "$(cat err)"
}

atf_test_case bad_headers
bad_headers_head()
{
	atf_set descr 'hostile full-dump program headers and truncation:' \
	    'one line naming the offset, exit 1, nothing written'
}
bad_headers_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -f -X ph-num=0
	bad 'offset 0x38: full dump with 0 program headers'
	gen -f -X ph-num=5000
	bad 'offset 0x38: full dump with 5000 program headers'
	gen -f -X ph-type
	bad 'offset 0x78: full dump program header 1 has type 4, not PT_LOAD'
	gen -f -X ph-overlap
	bad 'offset 0x78: .*program header 1: physical chunk at 0x9e000 overlaps'
	gen -f -X ph-offset
	bad 'offset 0x78: .*program header 1: data at offset 0xa0000, but the chunks before end at 0x9f000'
	gen -f -X ph-unaligned
	bad 'offset 0x40: .*program header 0: physical chunk \[0x1000, \+0x9d800\).*not a whole number of pages'
	gen -f -a i386 -V 2 -X ph-type
	bad 'offset 0x54: full dump program header 1 has type 4, not PT_LOAD'
	gen -f -X trunc=header
	bad 'offset 0x20: full dump program headers at 0x40 \(4 of 56 bytes\) lie outside the 144 bytes'
	gen -f -X trunc=pages
	size=$(wc -c <vmcore.0)
	bad "truncated full dump \\(chunk [0-9]+ .* needs [0-9]+ bytes, file has $size\\)"
	gen -f -H lead -X trunc=pages
	bad "truncated"
	gen -f -a arm64 -V 3
	bad 'offset 0x12: an arm64 full dump \(debug.minidump=0\): not supported'
	atf_check -s exit:1 -o empty -e match:'an arm64 full dump' \
	    "$MD2ELF" -i vmcore.0
}

atf_test_case bad_tables
bad_tables_head()
{
	atf_set descr 'full dumps: page tables pointing outside the dump,' \
	    'a kernel without the symbols, no kernel: one clear line'
}
bad_tables_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -f -T 0 -X pt-outside
	bad 'the page-table entry for va 0xffff960000000000 points to page-directory-pointer page 0x7ff0000000, which is not in the dump'
	# -F: the entry is left out, with a warning; the rest converts.
	rm -f core.elf
	atf_check -s exit:0 -o empty -e match:'warning: .*va 0xffff960000000000.*left out of the core' \
	    "$MD2ELF" -q -F -k kernel -o core.elf vmcore.0
	# The core holds the PML4 as dumped: only its slot 300 differs.
	atf_check -s exit:1 -o save:ck -e save:ck.err \
	    "$CORECK" -M model core.elf
	[ "$(fact errors ck)" -eq 2 ] || atf_fail "coreck: $(cat ck.err)"
	[ "$(grep -c 'byte 2400 is 0x3, the model has 0' ck.err)" -eq 2 ] ||
	    atf_fail "coreck: $(cat ck.err)"
	# The kernel of another model: its symbols find the page tables (the
	# layout is the same) and its build id is not the one in memory.
	gen -f -s 7
	mv kernel kernel.7
	gen -f -s 8 -m 96
	bad 'kernel kernel.7 does not match the dump: build id' -k kernel.7
	# A kernel whose KPML4phys is not in the image: no tables.
	gen -f -s 8 -m 96 -X kpml4-zero
	bad 'no physical page of the dump holds a KPML4phys whose page tables map it'
	# Without a kernel the kernel map cannot be found.
	rm -rf out && mkdir out
	atf_check -s exit:1 -o empty -e match:"vmcore.0: a full dump's kernel map needs the kernel" \
	    "$MD2ELF" -o out/core.elf vmcore.0
	[ -z "$(ls -A out)" ] || atf_fail "left behind: $(ls -A out)"
}

atf_test_case info
info_head()
{
	atf_set descr 'md2elf -i tells a full dump, its chunks and pages,' \
	    'with and without the kernel (the message buffer through msgbufp)'
}
info_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -f -H device -c zstd
	atf_check -s exit:0 -o save:info -e empty "$MD2ELF" -i vmcore.0
	cat info
	grep -q '^format: *full' info || atf_fail "format"
	grep -q '^architecture: *amd64$' info || atf_fail "architecture"
	grep -q "^dumped pages: *$(fact pages) " info || atf_fail "pages"
	grep -q 'compression zstd' info || atf_fail "compression"
	grep -qx 'message buffer: in memory (msgbufp: needs the kernel, -k)' \
	    info || atf_fail "$(grep '^message' info)"
	atf_check -s exit:0 -o save:info.k -e empty "$MD2ELF" -i -k kernel \
	    vmcore.0
	grep -q '^kernel version: *FreeBSD' info.k ||
	    atf_fail "kernel version read through the page tables"
	grep -q '^panicstr: *page fault' info.k || atf_fail "panicstr"
	# The buffer's length: the same model's minidump has it in its
	# message-buffer section, read without the kernel.
	"$MKDUMP" -m 64 -o mini.0 2>gen.err || atf_fail "$(cat gen.err)"
	atf_check -s exit:0 -o save:msg -e empty "$SRCDIR/thrlist" -m mini.0
	n=$(wc -c <msg | tr -d ' ')
	[ "$n" -gt 1000 ] || atf_fail "thrlist -m: $n bytes"
	grep -qx "message buffer: $n bytes (in memory, msgbufp)" info.k ||
	    atf_fail "$(grep '^message' info.k), thrlist -m: $n bytes"
}

report_arch_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	v=3
	[ "$1" = amd64 ] || v=2
	gen -f -a "$1" -V $v -T 24 -s 31
	"$CORECK" -M model -t >model.t || atf_fail "coreck -t"
	c=$(awk '$1 == "thread" && $4 == "crashed" { print $2 }' model.t)
	# md2elf -v: the format line names a full dump, no minidump version.
	atf_check -s exit:0 -o empty -e save:v.err "$MD2ELF" -v -q -k kernel \
	    -o core.elf vmcore.0
	grep -Eqx "md2elf: vmcore\.0: ${1%pae} full dump \(debug\.minidump=0\)( \(PAE\))?, page size 4096, $(fact pages) pages \([0-9.]+ MiB\)" \
	    v.err || atf_fail "-v: $(grep 'page size' v.err)"
	! grep -q 'version 0' v.err || atf_fail "-v: $(cat v.err)"
	# md2elf -r: the same, and the model's crashed thread and frames.
	atf_check -s exit:0 -o save:r.txt -e empty "$MD2ELF" -r -k kernel \
	    vmcore.0
	grep -qx "arch:        ${1%pae}, full dump (debug.minidump=0)" r.txt ||
	    atf_fail "-r: $(grep '^arch' r.txt)"
	grep -qx 'panic:       page fault while in kernel mode (model 31)' \
	    r.txt || atf_fail "-r: $(grep '^panic' r.txt)"
	w=$(crash_frames "$c")
	got=$(sed -n '/^2\. /,/^3\. /p' r.txt |
	    sed -n 's/^#[0-9]* *0x0*\([0-9a-f]*\) .*/\1/p' | tr '\n' ' ')
	case "$got" in
	"$w"*) ;;
	*) atf_fail "backtrace '$got', the model '$w'" ;;
	esac
	# JSON: format "full", format_version null (md2elf(1)), schema 1.
	atf_check -s exit:0 -o save:r.json -e empty "$MD2ELF" -r -j -k kernel \
	    vmcore.0
	[ "$(jq -c '[.format, .format_version, .crashed.tid]' r.json)" = \
	    "[\"full\",null,$c]" ] ||
	    atf_fail "JSON: $(jq -c '[.format, .format_version]' r.json)"
	jq -r -f "$(atf_get_srcdir)/report_schema.jq" r.json >schema.out ||
	    atf_fail "not JSON"
	[ ! -s schema.out ] || atf_fail "schema: $(head -3 schema.out)"
}

for a in amd64 i386; do
	eval "atf_test_case report_$a
	report_${a}_head() {
		atf_set descr '$a full dump: md2elf -r and -v name the format' \
		    '(no minidump version), JSON format_version null; the' \
		    'crashed thread as in the model'
		atf_set require.progs jq
	}
	report_${a}_body() { report_arch_body $a; }"
done

atf_init_test_cases()
{
	atf_add_test_case report_amd64
	atf_add_test_case report_i386
	for a in $ARCHES; do
		atf_add_test_case roundtrip_$a
	done
	atf_add_test_case pae_high
	atf_add_test_case same_as_minidump
	atf_add_test_case relocated
	atf_add_test_case bad_headers
	atf_add_test_case bad_tables
	atf_add_test_case info
}
