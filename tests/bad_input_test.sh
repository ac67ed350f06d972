#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# amd64_bad_input_test: md2elf on broken and hostile amd64 dumps: a dump
# truncated inside each section, bad magic, unknown versions, section
# sizes that overflow or exceed the file, broken kerneldumpheaders and
# compressed streams, page tables pointing outside the dump, outputs that
# cannot be written.  Each must fail with exit status 1 and one clear
# line naming the file (and the offset), leaving no output behind.

# trunc_SECTION: cut inside each section of a v3 (and v1) minidump.
for s in header msgbuf avail bitmap pmap pages; do
	eval "atf_test_case trunc_$s
	trunc_${s}_head() {
		atf_set descr 'v3 minidump cut inside its $s section'
	}
	trunc_${s}_body() { trunc_body $s; }"
done

trunc_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 31 -X trunc="$1"
	trunc_pat "$1"
	bad "$pat"
}

atf_test_case trunc_v1
trunc_v1_head()
{
	atf_set descr 'v1 minidump cut inside its page-table section'
}
trunc_v1_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 1 -s 32 -X trunc=pmap
	trunc_pat pmap
	bad "$pat"
}

atf_test_case trunc_v2_pages
trunc_v2_pages_head()
{
	atf_set descr 'v2 minidump cut inside its page data'
}
trunc_v2_pages_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 2 -s 33 -X trunc=pages
	trunc_pat pages
	bad "$pat"
}

atf_test_case bad_magic
bad_magic_head()
{
	atf_set descr 'minidump magic of an unknown architecture'
}
bad_magic_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 34 -X magic
	bad 'offset 0: .*minidump.*amd65'
}

atf_test_case unknown_version
unknown_version_head()
{
	atf_set descr 'amd64 minidump versions 0, 4 and 0xffffffff'
}
unknown_version_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	for v in 0 4 0xffffffff; do
		gen -V 3 -s 35 -X version=$v
		bad "offset 0x18: .*version $(printf %u $v)"
	done
}

atf_test_case sizes_exceed
sizes_exceed_head()
{
	atf_set descr 'header section sizes that overflow or exceed the file'
}
sizes_exceed_body()
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

atf_test_case kdh_length_zero
kdh_length_zero_head()
{
	atf_set descr 'a kerneldumpheader whose dump length is 0 (leading' \
	    'header; device image, plain and zstd): refused with its offset'
}
kdh_length_zero_body()
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

atf_test_case no_pages
no_pages_head()
{
	atf_set descr 'bitmapsize 0, a bitmap with no bit set, data after the' \
	    'pages the bitmap counts: refused naming the header field'
}
no_pages_body()
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

atf_test_case size_alignment
size_alignment_head()
{
	atf_set descr 'dumpavailsize and pmapsize that are not page' \
	    'multiples (the kernel page-rounds them), a dump_avail beyond' \
	    'the cap: refused with the header field offset'
}
size_alignment_body()
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

atf_test_case pde_undumped
pde_undumped_head()
{
	atf_set descr 'v2/v3: a page-directory entry pointing to a page-table' \
	    'page that is not in the dump: one error naming the offset of' \
	    'the entry, its number in the page-table section, its va and' \
	    'the missing page'
}
pde_undumped_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	for v in 2 3; do
		gen -V $v -s 37 -X pde-undumped
		[ -n "$(fact pde_undumped_va)" ] || atf_fail "no PDE facts"
		bad "$(pde_msg)"
	done
}

atf_test_case pde_undumped_force
pde_undumped_force_head()
{
	atf_set descr 'the same with md2elf -F: one warning, and a core with' \
	    'everything but the 2 MiB that entry maps'
}
pde_undumped_force_body()
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

atf_test_case pte_outside
pte_outside_head()
{
	atf_set descr 'PTEs to device memory, to holes between RAM ranges,' \
	    'to PG_NODUMP pages and to the highest frame (every model has' \
	    'them): not in the core, everything else is'
}
pte_outside_body()
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

atf_test_case kdh_parity
kdh_parity_head()
{
	atf_set descr 'dump device image whose header parity is wrong'
}
kdh_parity_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 39 -H device -X kdh-parity
	bad 'offset 0x[0-9a-f]+: kerneldumpheader parity'
}

atf_test_case kdh_disagree
kdh_disagree_head()
{
	atf_set descr 'leading and trailing headers differ'
}
kdh_disagree_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 40 -H device -X kdh-disagree
	bad 'offset 0x[0-9a-f]+: .*leading kerneldumpheader does not match'
}

atf_test_case kdh_version
kdh_version_head()
{
	atf_set descr 'kerneldumpheader of an unknown version'
}
kdh_version_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 41 -H device -X kdh-version=5
	bad 'offset 0x[0-9a-f]+: unknown kerneldumpheader version 5'
}

atf_test_case kdh_length
kdh_length_head()
{
	atf_set descr 'leading header whose dump length exceeds the file'
}
kdh_length_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 42 -H lead -X kdh-length=0x7fffffffffff
	bad 'offset (0|0x[0-9a-f]+): .*length'
}

atf_test_case compressed_truncated
compressed_truncated_head()
{
	atf_set descr 'gzip and zstd dumps cut short'
}
compressed_truncated_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 43 -c gzip -X size=1000000
	bad 'offset 0x[0-9a-f]+: truncated gzip'
	gen -V 3 -s 43 -c zstd -X size=1000000
	bad 'offset 0x[0-9a-f]+: truncated zstd'
}

atf_test_case compressed_corrupt
compressed_corrupt_head()
{
	atf_set descr 'gzip and zstd dumps with a corrupt byte'
}
compressed_corrupt_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	for c in gzip zstd; do
		gen -V 3 -s 44 -c $c
		printf '\377\377\377\377' | dd of=vmcore.0 bs=1 seek=5000 \
		    conv=notrunc 2>/dev/null
		bad "offset 0x[0-9a-f]+: .*$c"
	done
}

atf_test_case not_a_dump
not_a_dump_head()
{
	atf_set descr 'empty file, random bytes, a device image without' \
	    'its trailing header'
}
not_a_dump_body()
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

atf_test_case unwritable_output
unwritable_output_head()
{
	atf_set descr 'output in a missing directory, output is a directory'
}
unwritable_output_body()
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

atf_test_case full_disk cleanup
full_disk_head()
{
	atf_set descr 'the output file system fills up (a 4 MiB tmpfs): exit' \
	    '1, one line naming the input, the output and the offset where' \
	    'the disk was full, no file left'
	atf_set require.user root
}
full_disk_body()
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
full_disk_cleanup()
{
	umount mnt 2>/dev/null || true
}

atf_init_test_cases()
{
	for s in header msgbuf avail bitmap pmap pages; do
		atf_add_test_case trunc_$s
	done
	atf_add_test_case trunc_v1
	atf_add_test_case trunc_v2_pages
	atf_add_test_case bad_magic
	atf_add_test_case unknown_version
	atf_add_test_case sizes_exceed
	atf_add_test_case pde_undumped
	atf_add_test_case pde_undumped_force
	atf_add_test_case pte_outside
	atf_add_test_case kdh_parity
	atf_add_test_case kdh_disagree
	atf_add_test_case kdh_version
	atf_add_test_case kdh_length
	atf_add_test_case kdh_length_zero
	atf_add_test_case no_pages
	atf_add_test_case size_alignment
	atf_add_test_case compressed_truncated
	atf_add_test_case compressed_corrupt
	atf_add_test_case not_a_dump
	atf_add_test_case unwritable_output
	atf_add_test_case full_disk
}
