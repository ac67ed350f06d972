#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# bad_input_test: md2elf on broken and hostile dumps of every
# architecture: a dump truncated inside each section, bad magic, unknown
# versions, section sizes that overflow or exceed the file, each
# architecture's own header fields, broken kerneldumpheaders and
# compressed streams, page tables pointing outside the dump, hostile
# thread lists, a kernel of another architecture, outputs that cannot be
# written.  Each must fail with exit status 1 and one clear line naming
# the file (and the offset), leaving no output behind.
#
# Cases are named CASE_ARCH; ARCH is amd64, i386 (non-PAE), i386pae,
# arm64 or arm64_16k (arm64 with 16 KiB pages).
#
#	case			amd64 i386 i386pae arm64 arm64_16k
#	trunc_sections_vV	  x    x     x       x      x	(1)
#	header			  x    x     x       x      x
#	sizes_pages		  -    x     x       x      x	(2)
#	kdh_parity		  x    x     x       x      x
#	compressed_truncated	  x    x     x       x      x
#	wrong_arch_kernel	  x    -     x       -      x	(3)
#	hostile_threads		  -    -     x       -      x	(4)
#	fields			  -    x     -       -      x	(5)
#	trunc_SECTION, trunc_v1,
#	trunc_v2_pages		  x    -     -       -      -	(6)
#	bad_magic, unknown_version, sizes_exceed,
#	kdh_length_zero, no_pages, size_alignment,
#	pde_undumped, pde_undumped_force,
#	pte_outside, kdh_disagree, kdh_version,
#	kdh_length, compressed_corrupt,
#	not_a_dump, unwritable_output,
#	full_disk		  x    -     -       -      -	(7)
#
# (1) trunc_sections: every section cut in turn, from the generator's
#     section facts; versions i386 2, i386pae 1, arm64 1 and 3,
#     arm64-16k 3, amd64 3.
# (2) amd64 has the same checks as no_pages, size_alignment and
#     kdh_length_zero (their messages name amd64's offsets).
# (3) each dump arch with the kernels of two others (i386 and arm64 4K
#     share their ELF machine with i386pae and arm64-16k).
# (4) the 4-byte-pointer and the 16 KiB-page walks; threads_test:hostile
#     covers amd64, i386 and arm64.
# (5) paemode, the i386 ptesize cap; the arm64 page-size flags and the
#     direct map (fields_arm64_16k: v3, the only version with the flags).
# (6) mkdump's own truncation (-X trunc), amd64 only; trunc_sections_vV
#     does the same from the section facts on every arch.
# (7) the generator's hostile options (-X magic, version, sizes, PDE,
#     kerneldumpheader) and the container and output paths, which lie
#     above the arch layer: amd64 stands for all.

ARCHES="amd64 i386 i386pae arm64 arm64-16k"

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

# mkcase CASE ARCH DESCR BODY-ARGS...: test case CASE_ARCH running
# CASE_body ARCH BODY-ARGS...
mkcase()
{
	_c=$1
	_a=$2
	_d=$3
	shift 3
	_n=${_c}_$(echo "$_a" | tr -- - _)
	eval "atf_test_case $_n
	${_n}_head() { atf_set descr '$_a: $_d'; }
	${_n}_body() { ${_c}_body $_a $*; }"
	CASES="$CASES $_n"
}

CASES=
for c in amd64:3 i386:2 i386pae:1 arm64:3 arm64:1 arm64-16k:3; do
	a=${c%:*}
	v=${c#*:}
	eval "trunc_sections_v${v}_body() { trunc_sections_body \$1 $v; }"
	mkcase trunc_sections_v$v $a "v$v minidump cut inside each section"
done
for c in amd64:3 i386:2 i386pae:1 arm64:3 arm64-16k:3; do
	mkcase header ${c%:*} \
	    'bad magic, unknown versions, section sizes past the file' ${c#*:}
done
for a in i386 i386pae arm64 arm64-16k; do
	mkcase sizes_pages $a \
	    'no pages, data after them, size fields not page multiples'
done
for a in $ARCHES; do
	mkcase kdh_parity $a 'dump device image whose header parity is wrong'
	mkcase compressed_truncated $a 'gzip and zstd dumps cut short'
done
for a in amd64 i386pae arm64-16k; do
	mkcase wrong_arch_kernel $a \
	    'a kernel of another arch is refused (also with -F), naming both'
done
for a in i386pae arm64-16k; do
	mkcase hostile_threads $a \
	    'hostile thread lists: warnings, a core with what was found'
done
mkcase fields i386 \
    'paemode not 0 or 1, unaligned kernbase, PTEs past 4 GiB'
mkcase fields arm64-16k \
    'bad page-size code, inverted or unaligned direct map or kernbase'
fields_body()
{
	fields_$(echo "$1" | tr -- - _)_body
}

# trunc_SECTION: cut inside each section of a v3 (and v1) minidump.
for s in header msgbuf avail bitmap pmap pages; do
	eval "atf_test_case trunc_${s}_amd64
	trunc_${s}_amd64_head() {
		atf_set descr 'amd64: v3 minidump cut inside its $s section'
	}
	trunc_${s}_amd64_body() { trunc_amd64_body $s; }"
done

trunc_amd64_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 31 -X trunc="$1"
	trunc_pat "$1"
	bad "$pat"
}

atf_test_case trunc_v1_amd64
trunc_v1_amd64_head()
{
	atf_set descr 'v1 minidump cut inside its page-table section'
}
trunc_v1_amd64_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 1 -s 32 -X trunc=pmap
	trunc_pat pmap
	bad "$pat"
}

atf_test_case trunc_v2_pages_amd64
trunc_v2_pages_amd64_head()
{
	atf_set descr 'v2 minidump cut inside its page data'
}
trunc_v2_pages_amd64_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 2 -s 33 -X trunc=pages
	trunc_pat pages
	bad "$pat"
}

atf_test_case bad_magic_amd64
bad_magic_amd64_head()
{
	atf_set descr 'minidump magic of an unknown architecture'
}
bad_magic_amd64_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 34 -X magic
	bad 'offset 0: .*minidump.*amd65'
}

atf_test_case unknown_version_amd64
unknown_version_amd64_head()
{
	atf_set descr 'amd64 minidump versions 0, 4 and 0xffffffff'
}
unknown_version_amd64_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	for v in 0 4 0xffffffff; do
		gen -V 3 -s 35 -X version=$v
		bad "offset 0x18: .*version $(printf %u $v)"
	done
}

atf_test_case sizes_exceed_amd64
sizes_exceed_amd64_head()
{
	atf_set descr 'header section sizes that overflow or exceed the file'
}
sizes_exceed_amd64_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 36 -X msgbufsize=0xffffffff
	bad 'message buffer'
	gen -V 3 -s 36 -X bitmapsize=0xfffff000
	bad 'bitmap'
	gen -V 3 -s 36 -X pmapsize=0xfffff000
	bad 'page-table section'
	gen -V 3 -s 36 -X availsize=0xfffff000
	bad 'dump_avail'
	gen -V 3 -s 36 -X pmapsize=4097
	bad 'offset 0x24: page-table section size 4097'
	gen -V 2 -s 36 -X msgbufsize=0xfffff000
	bad 'message buffer'
}

atf_test_case kdh_length_zero_amd64
kdh_length_zero_amd64_head()
{
	atf_set descr 'a kerneldumpheader whose dump length is 0 (leading' \
	    'header; device image, plain and zstd): refused with its offset'
}
kdh_length_zero_amd64_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 48 -H lead
	kdh_zero_length 0
	bad 'offset 0: kerneldumpheader dump length 0: no dump data$'
	for c in none zstd; do
		gen -V 3 -s 48 -H device -c $c
		last=$(($(wc -c <vmcore.0) - 512))
		kdh_zero_length $(($(fact data_offset) - 512))
		kdh_zero_length $last
		bad "offset $(printf %#x $last): kerneldumpheader dump length 0: no dump data\$"
	done
}

atf_test_case no_pages_amd64
no_pages_amd64_head()
{
	atf_set descr 'bitmapsize 0, a bitmap with no bit set, data after the' \
	    'pages the bitmap counts: refused naming the header field'
}
no_pages_amd64_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 49 -X bitmapsize=0
	bad 'offset 0x20: bitmapsize 0: no pages in the dump$'
	atf_check -s exit:1 -o empty \
	    -e match:'offset 0x20: bitmapsize 0: no pages' "$MD2ELF" -i vmcore.0
	for v in 1 3; do
		gen -V $v -s 49
		set -- $(fact section_bitmap)
		[ "$2" -gt 0 ] || atf_fail "no section_bitmap fact"
		dd if=/dev/zero of=vmcore.0 bs=1 seek=$1 count=$2 conv=notrunc \
		    2>/dev/null
		bad "offset 0x20: bitmapsize $(fact bitmapsize): no bit set in the page bitmap, no pages in the dump\$"
	done
	# Exactly the pages counted, plus at most one page: accepted.
	gen -V 3 -s 49
	size=$(wc -c <vmcore.0)
	[ "$size" -eq "$(fact dumpsize)" ] || atf_fail "dumpsize is not the size"
	truncate -s +4096 vmcore.0
	atf_check -s exit:0 -o ignore -e empty "$MD2ELF" -i vmcore.0
	truncate -s +1 vmcore.0
	bad "offset $(printf %#x $size): 4097 bytes after the last of the $(fact pages) pages the bitmap counts \\(bitmapsize or pmapsize in the header is wrong\\?\\)\$"
}

atf_test_case size_alignment_amd64
size_alignment_amd64_head()
{
	atf_set descr 'dumpavailsize and pmapsize that are not page' \
	    'multiples (the kernel page-rounds them), a dump_avail beyond' \
	    'the cap: refused with the header field offset'
}
size_alignment_amd64_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 50 -X availsize=12345
	bad 'offset 0x40: dumpavailsize 12345 \(the dump_avail section\) is not a multiple of the 4096-byte page$'
	gen -V 3 -s 50 -X availsize=0x200000
	bad 'offset 0x40: minidump dump_avail size 2097152 exceeds the limit of 1048576 bytes$'
	for v in 1 2 3; do
		gen -V $v -s 50 -X pmapsize=4104
		bad 'offset 0x24: pmapsize 4104 \(the page-table section\) is not a multiple of the 4096-byte page$'
	done
	# msgbufsize is the buffer's own size, not rounded.
	[ $(($(fact msgbufsize) % 4096)) -ne 0 ] ||
	    atf_fail "msgbufsize $(fact msgbufsize) is a page multiple"
}

# pde_msg: what md2elf says of the hostile PDE of the last gen (an ERE):
# the offset of the entry, its number, its va and the missing page.
pde_msg()
{
	printf 'offset %#x: page-directory entry %s of the page-table ' \
	    "$(fact pde_undumped_offset)" "$(fact pde_undumped_index)"
	printf 'section \\(va %s\\) points to page-table page %s, ' \
	    "$(fact pde_undumped_va)" "$(fact pde_undumped_pt)"
	printf 'which is not in the dump'
}

atf_test_case pde_undumped_amd64
pde_undumped_amd64_head()
{
	atf_set descr 'v2/v3: a page-directory entry pointing to a page-table' \
	    'page that is not in the dump: one error naming the offset of' \
	    'the entry, its number in the page-table section, its va and' \
	    'the missing page'
}
pde_undumped_amd64_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	for v in 2 3; do
		gen -V $v -s 37 -X pde-undumped
		[ -n "$(fact pde_undumped_va)" ] || atf_fail "no PDE facts"
		bad "$(pde_msg)"
	done
}

atf_test_case pde_undumped_force_amd64
pde_undumped_force_amd64_head()
{
	atf_set descr 'the same with md2elf -F: one warning, and a core with' \
	    'everything but the 2 MiB that entry maps'
}
pde_undumped_force_amd64_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	for v in 2 3; do
		gen -V $v -s 37 -X pde-undumped
		[ -n "$(fact pde_undumped_va)" ] || atf_fail "no PDE facts"
		rm -f core.elf
		atf_check -s exit:0 -o empty -e save:err \
		    "$MD2ELF" -F -q -k kernel -o core.elf vmcore.0
		grep -v '^md2elf: warning: ' err >other || true
		[ ! -s other ] || atf_fail "md2elf printed: $(cat other)"
		grep 'page-directory entry' err >pde
		[ "$(wc -l <pde)" -eq 1 ] ||
		    atf_fail "expected one warning about the PDE: $(cat err)"
		want="^md2elf: warning: vmcore\\.0: $(pde_msg); its 2 MiB are"
		want="$want left out of the core \\(PDEs skipped: 1\\)\$"
		grep -Eq "$want" pde || atf_fail "warning: $(cat pde)"
		# Every other dumped page is in the core, none of those 2 MiB.
		atf_check -s exit:0 -o save:ck -e empty "$CORECK" \
		    -x "$(fact pde_undumped_va):0x200000" -M model core.elf
		[ "$(fact excluded_pages ck)" -gt 0 ] ||
		    atf_fail "the model maps nothing under that PDE"
		echo "v$v: $(fact excluded_pages ck) pages left out"
	done
}

atf_test_case pte_outside_amd64
pte_outside_amd64_head()
{
	atf_set descr 'PTEs to device memory, to holes between RAM ranges,' \
	    'to PG_NODUMP pages and to the highest frame (every model has' \
	    'them): not in the core, everything else is'
}
pte_outside_amd64_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	for v in 1 2 3; do
		roundtrip freebsd -V $v -s 38
		"$CORECK" -M model -A >samples
		a=$(fact kmap_undumped samples)
		[ -n "$a" ] || atf_fail "the model maps no undumped page"
		atf_check -s exit:1 -o inline:'not dumped\n' \
		    "$CORECK" -M model -r "$a"
	done
}

kdh_parity_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -a "$1" -V "$(pick 3 $1)" -s 39 -H device -X kdh-parity
	bad 'offset 0x[0-9a-f]+: kerneldumpheader parity'
}

atf_test_case kdh_disagree_amd64
kdh_disagree_amd64_head()
{
	atf_set descr 'leading and trailing headers differ'
}
kdh_disagree_amd64_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 40 -H device -X kdh-disagree
	bad 'offset 0x[0-9a-f]+: .*leading kerneldumpheader does not match'
}

atf_test_case kdh_version_amd64
kdh_version_amd64_head()
{
	atf_set descr 'kerneldumpheader of an unknown version'
}
kdh_version_amd64_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 41 -H device -X kdh-version=5
	bad 'offset 0x[0-9a-f]+: unknown kerneldumpheader version 5'
}

atf_test_case kdh_length_amd64
kdh_length_amd64_head()
{
	atf_set descr 'leading header whose dump length exceeds the file'
}
kdh_length_amd64_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 42 -H lead -X kdh-length=0x7fffffffffff
	bad 'offset (0|0x[0-9a-f]+): .*length'
}

compressed_truncated_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -a "$1" -V "$(pick 3 $1)" -s 43 -c gzip -X size=1000000
	bad 'offset 0x[0-9a-f]+: truncated gzip'
	gen -a "$1" -V "$(pick 3 $1)" -s 43 -c zstd -X size=1000000
	bad 'offset 0x[0-9a-f]+: truncated zstd'
}

atf_test_case compressed_corrupt_amd64
compressed_corrupt_amd64_head()
{
	atf_set descr 'gzip and zstd dumps with a corrupt byte'
}
compressed_corrupt_amd64_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	for c in gzip zstd; do
		gen -V 3 -s 44 -c $c
		printf '\377\377\377\377' | dd of=vmcore.0 bs=1 seek=5000 \
		    conv=notrunc 2>/dev/null
		bad "offset 0x[0-9a-f]+: .*$c"
	done
}

atf_test_case not_a_dump_amd64
not_a_dump_amd64_head()
{
	atf_set descr 'empty file, random bytes, a device image without' \
	    'its trailing header'
}
not_a_dump_amd64_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 45
	: >vmcore.0
	bad 'empty'
	dd if=/dev/urandom of=vmcore.0 bs=4096 count=50 2>/dev/null
	bad 'not a FreeBSD kernel dump'
	gen -V 3 -s 45 -H device -X size=2000000
	bad 'not a FreeBSD kernel dump'
}

atf_test_case unwritable_output_amd64
unwritable_output_amd64_head()
{
	atf_set descr 'output in a missing directory, output is a directory'
}
unwritable_output_amd64_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 46
	atf_check -s exit:1 -o empty \
	    -e match:'^md2elf: /nonexistent/dir/core\.elf: .*No such file' \
	    "$MD2ELF" -k kernel -o /nonexistent/dir/core.elf vmcore.0
	mkdir out
	atf_check -s exit:1 -o empty -e match:'^md2elf: out: ' \
	    "$MD2ELF" -k kernel -o out vmcore.0
	[ -z "$(ls -A out)" ] || atf_fail "left behind: $(ls -A out)"
	atf_check -s exit:1 -o empty -e match:'^md2elf: out: ' \
	    "$MD2ELF" -f -k kernel -o out vmcore.0
	[ -z "$(ls -A out)" ] || atf_fail "left behind: $(ls -A out)"
}

atf_test_case full_disk_amd64 cleanup
full_disk_amd64_head()
{
	atf_set descr 'the output file system fills up (a 4 MiB tmpfs): exit' \
	    '1, one line naming the input, the output and the offset where' \
	    'the disk was full, no file left'
	atf_set require.user root
}
full_disk_amd64_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 47
	mkdir mnt
	mount -t tmpfs -o size=4m tmpfs mnt 2>mount.err ||
	    atf_skip "cannot mount a tmpfs here: $(cat mount.err)"
	# Where the tmpfs fills: the same core written here has its
	# non-zero pages as data, zero pages as holes; the write fails at
	# the first data page beyond the 4 MiB (headers and notes first).
	atf_check -s exit:0 -o empty -e empty \
	    "$MD2ELF" -q -k kernel -o full.elf vmcore.0
	ps=$(getconf PAGESIZE)
	od -An -v -tx1 full.elf | awk -v lpp=$((ps / 16)) \
	    -v cap=$((4194304 / ps)) '
	    /[1-9a-f]/ { nz = 1 }
	    NR % lpp == 0 { if (nz && n++ == cap) { print NR / lpp - 1; exit }
		nz = 0 }' >page
	[ -s page ] || atf_fail "the core has no more than 4 MiB of data"
	off=$(printf '%#x' $(($(cat page) * ps)))
	atf_check -s exit:1 -o empty -e save:err \
	    "$MD2ELF" -k kernel -o mnt/core.elf vmcore.0
	want="md2elf: vmcore.0: writing the core: output offset $off: No"
	want="$want space left on device (output mnt/core.elf)"
	[ "$(cat err)" = "$want" ] ||
	    atf_fail "message '$(cat err)', expected '$want'"
	[ -z "$(ls -A mnt)" ] || atf_fail "left behind: $(ls -A mnt)"
	echo "message: $(cat err)"
}
full_disk_amd64_cleanup()
{
	umount mnt 2>/dev/null || true
}

# poke32 OFFSET VALUE: a little-endian u32 into vmcore.0.
poke32()
{
	v=$(($2))
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $((v & 255)) \
	    $(((v >> 8) & 255)) $(((v >> 16) & 255)) $(((v >> 24) & 255)))" |
	    dd of=vmcore.0 bs=1 seek=$(($1)) conv=notrunc 2>/dev/null
}

# base ARCH VERSION: one good dump to break (vmcore.0, kernel, facts) and a
# copy of its first 64 KiB (hdr.orig) to mend it between cases.
base()
{
	gen -a "$1" -V "$2" -s 91 -T 8
	head -c 65536 vmcore.0 >hdr.orig
}

# broken: vmcore.0 as it was generated (the header pages put back).
broken()
{
	dd if=hdr.orig of=vmcore.0 conv=notrunc 2>/dev/null
}

trunc_sections_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	case $1 in
	arm64-16k) pg=0x4000 ;;
	*)	pg=0x1000 ;;
	esac
	v=$2
	base "$1" "$2"
	# From the last section to the first, each cut shortens the file.
	cuts=0
	for s in pages pmap bitmap avail msgbuf header; do
		set -- $(fact section_$s)
		[ -n "$2" ] || atf_fail "mkdump -v gives no section_$s"
		[ "$2" -gt 0 ] || continue	# no dump_avail in v1
		cuts=$((cuts + 1))
		truncate -s $(($1 + $2 / 2 + 123)) vmcore.0
		trunc_pat $s $pg
		bad "$pat"
	done
	[ "$cuts" -eq $((v == 1 ? 5 : 6)) ] || atf_fail "$cuts sections cut"
}

header_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	case $1 in
	i386*)	a=i386 esz=4 bad_versions="0 3 0xffffffff" avail=48 ;;
	amd64)	a=amd64 esz=8 bad_versions="0 4 0xffffffff" avail=64 ;;
	*)	a=arm64 esz=8 bad_versions="0 4 0xffffffff" avail=72 ;;
	esac
	[ "$1" = i386pae ] && esz=8
	base "$1" "$2"
	# A magic that is almost right: the whole field (24 bytes, the name
	# then NULs) is printed, every byte that is not printable as \xNN,
	# so a corrupt padding does not print as the valid magic.
	pad=$((24 - 17 - ${#a}))	# 17: "minidump FreeBSD/"
	msg='offset 0: unsupported minidump architecture \(magic "minidump FreeBSD/'
	broken
	printf 'X' | dd of=vmcore.0 bs=1 seek=20 conv=notrunc 2>/dev/null
	bad "$msg$(echo "$a" | sed 's/^\(...\)./\1X/')$(nuls $pad)\"\)\$"
	broken
	printf 'X' | dd of=vmcore.0 bs=1 seek=23 conv=notrunc 2>/dev/null
	bad "$msg$a$(nuls $((pad - 1)))X\"\)\$"
	broken
	printf '\001' | dd of=vmcore.0 bs=1 seek=$((17 + ${#a})) conv=notrunc \
	    2>/dev/null
	bad "$msg$a\\\\x01$(nuls $((pad - 1)))\"\)\$"
	for v in $bad_versions; do
		broken
		poke32 24 $v
		bad "offset 0x18: unsupported $a minidump version $(printf %u $v)"
	done
	broken
	poke32 28 0xffffffff
	bad 'message buffer'
	broken
	poke32 32 0xfffff000
	bad 'bitmap'
	broken
	poke32 36 0xfffff000
	bad 'offset (0|0x24): .*(page-table|ptesize)'
	broken
	poke32 36 $((esz * 1000 + 1))
	bad "offset 0x24: .*$((esz * 1000 + 1)) is not a multiple"
	if [ "$2" -ge 2 ]; then
		broken
		poke32 $avail 0xfffff000
		bad 'dump_avail'
	fi
	# A file that ends inside the magic field.
	truncate -s $((18 + ${#a})) vmcore.0
	bad "$msg$a$(nuls 1)\", cut short\)\$"
}

# nuls N: N escaped NUL bytes as md2elf prints them ("\x00"), as an ERE.
nuls()
{
	i=0
	while [ $i -lt "$1" ]; do
		printf '%s' '\\x00'
		i=$((i + 1))
	done
}

sizes_pages_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	arch=$1
	for c in "$1_$(pick 3 $1)"; do
		a=${c%_*}
		case $a in
		i386*)	avail=48 ;;
		*)	avail=72 ;;
		esac
		pg=4096
		[ $a = arm64-16k ] && pg=16384
		base $a ${c##*_}
		broken
		poke32 32 0
		bad 'offset 0x20: bitmapsize 0: no pages in the dump$'
		broken
		set -- $(fact section_bitmap)
		dd if=vmcore.0 of=bitmap.orig bs=$pg skip=$(($1 / pg)) \
		    count=$(($2 / pg)) 2>/dev/null
		dd if=/dev/zero of=vmcore.0 bs=$pg seek=$(($1 / pg)) \
		    count=$(($2 / pg)) conv=notrunc 2>/dev/null
		bad "offset 0x20: bitmapsize $(fact bitmapsize): no bit set in the page bitmap, no pages in the dump\$"
		dd if=bitmap.orig of=vmcore.0 bs=$pg seek=$(($1 / pg)) \
		    conv=notrunc 2>/dev/null
		broken
		size=$(wc -c <vmcore.0)
		[ "$size" -eq "$(fact dumpsize)" ] ||
		    atf_fail "$a: dumpsize is not the size"
		truncate -s +$pg vmcore.0
		atf_check -s exit:0 -o ignore -e empty "$MD2ELF" -i vmcore.0
		truncate -s +1 vmcore.0
		bad "offset $(printf %#x $size): $((pg + 1)) bytes after the last of the $(fact pages) pages the bitmap counts \\(bitmapsize or pmapsize in the header is wrong\\?\\)\$"
		truncate -s $size vmcore.0
		poke32 $avail 12345
		bad "offset $(printf %#x $avail): dumpavailsize 12345 \\(the dump_avail section\\) is not a multiple of the $pg-byte page\$"
		broken
		poke32 36 $((pg + 8))
		bad "offset 0x24: pmapsize $((pg + 8)) \\(the page-table section\\) is not a multiple of the $pg-byte page\$"
	done
	case $arch in
	i386pae)	set -- "i386pae 2 none" ;;
	arm64-16k)	set -- "arm64-16k 3 zstd" ;;
	*)		set -- ;;
	esac
	for c in "$@"; do
		set -- $c
		gen -a $1 -V $2 -s 92 -H device -c $3
		last=$(($(wc -c <vmcore.0) - 512))
		kdh_zero_length $(($(fact data_offset) - 512))
		kdh_zero_length $last
		bad "offset $(printf %#x $last): kerneldumpheader dump length 0: no dump data\$"
	done
}

fields_i386_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	base i386 2
	broken
	poke32 44 2
	bad 'offset 0x2c: i386 minidump paemode 2 is neither 0 nor 1'
	broken
	poke32 40 0x800800
	bad 'offset 0x28: i386 minidump kernbase 0x800800 is not page-aligned'
	broken
	poke32 36 0x400000
	bad 'offset 0x24: i386 minidump ptesize 4194304 maps past the 4 GiB'
}

fields_arm64_16k_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	base arm64-16k 3
	for code in 2 3; do
		broken
		poke32 76 $code
		bad "offset 0x4c: arm64 minidump flags 0x$code: unsupported page size code $code"
	done
	broken
	poke32 68 0xffff9000		# dmapend below dmapbase
	bad 'offset 0x40: arm64 minidump direct map ends .* before it starts'
	broken
	poke32 48 0x40001000		# dmapphys not 16 KiB aligned
	bad 'offset 0x30: arm64 minidump direct map base .* not page-aligned'
	broken
	poke32 40 0x800
	bad 'offset 0x28: arm64 minidump kernbase 0xffff000000000800 is not page-aligned'
}

hostile_threads_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	case $1 in
	i386pae)	set -- "i386pae 1 c" "i386pae 1 d" ;;
	arm64-16k)	set -- "arm64-16k 3 d" ;;
	esac
	for a in "$@"; do
		set -- $a
		case $3 in
		c) w="-W proccycle -W tdcycle -W hugehash" ;;
		d) w="-W dangling -W undumped" ;;
		esac
		{
			gen -a "$1" -V "$2" -s 98 -T 24 $w
			rm -f core.elf
			atf_check -s exit:0 -o empty -e save:err \
			    "$MD2ELF" -q -k kernel -o core.elf vmcore.0
			cat err
			grep -v '^md2elf: warning: vmcore\.0: threads: ' err | grep . &&
			    atf_fail "$1 $w: not just thread warnings"
			case $w in
			*proccycle*)
				grep -q 'seen before (cycle) after' err &&
				grep -q 'cycle in the thread list' err &&
				grep -q 'pidhash claims 10000000' err ;;
			*)
				grep -q 'allproc: process .* is not in the dump' err &&
				grep -q 'thread .* is not in the dump' err ;;
			esac || atf_fail "$1 $w: warnings missing"
			atf_check -s exit:0 -o save:ck -e empty \
			    "$CORECK" -W -M model core.elf
			[ "$(fact threads_known ck)" -ge 20 ] ||
			    atf_fail "$1 $w: only $(fact threads_known ck) threads"
		}
	done
}

wrong_arch_kernel_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	for k in amd64 i386pae arm64-16k; do
		v=1
		[ $k = arm64-16k ] && v=3
		"$MKDUMP" -a $k -V $v -m 64 -s 97 -T 8 -o vmcore.$k \
		    -k kernel.$k 2>gen.err || atf_fail "mkdump: $(cat gen.err)"
	done
	case $1 in
	i386pae)	set -- "i386pae amd64 EM_X86_64 i386" \
			    "i386pae arm64-16k EM_AARCH64 i386" ;;
	arm64-16k)	set -- "arm64-16k i386pae EM_386 arm64" \
			    "arm64-16k amd64 EM_X86_64 arm64" ;;
	amd64)		set -- "amd64 arm64-16k EM_AARCH64 amd64" \
			    "amd64 i386pae EM_386 amd64" ;;
	esac
	for pair in "$@"; do
		set -- $pair
		ln -sf vmcore.$1 vmcore.0
		ln -sf kernel.$2 kernel
		bad "kernel kernel is $3 .* but the dump is $4"
		bad "kernel kernel is $3 .* but the dump is $4" -F
	done
}

atf_init_test_cases()
{
	for s in header msgbuf avail bitmap pmap pages; do
		atf_add_test_case trunc_${s}_amd64
	done
	for c in trunc_v1 trunc_v2_pages bad_magic unknown_version \
	    sizes_exceed pde_undumped pde_undumped_force pte_outside \
	    kdh_disagree kdh_version kdh_length kdh_length_zero no_pages \
	    size_alignment compressed_corrupt not_a_dump unwritable_output \
	    full_disk; do
		atf_add_test_case ${c}_amd64
	done
	for c in $CASES; do
		atf_add_test_case $c
	done
}
