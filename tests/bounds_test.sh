#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# bounds_test: work and memory bounded by the input's real size.  Small
# hostile inputs that claim huge sections (a bitmap larger than dump_avail
# needs, compression bombs after a valid dump) must be refused, or read,
# within a memory limit (ulimit -v, not timed) and with one line naming
# the file and the offset; a legitimately huge but sparse bitmap costs
# only what its set bits need.

# vmcap PROG: a command that runs PROG with its virtual memory capped at
# 128 MiB, a fraction of what the claims below would cost if believed
# (PROG itself under AddressSanitizer, which reserves terabytes of address
# space).  limit_vm: MD2ELF so capped.
vmcap()
{
	if grep -q __asan_init "$1" 2>/dev/null; then
		echo "sanitizer build: no ulimit -v for $1" >&2
		echo "$1"
		return 0
	fi
	_w=$PWD/$(basename "$1").vmcap
	printf '#!/bin/sh\nulimit -v 131072 || exit 99\nexec "%s" "$@"\n' \
	    "$1" >"$_w"
	chmod +x "$_w"
	echo "$_w"
}
limit_vm()
{
	MD2ELF=$(vmcap "$MD2ELF")
}

# bitmap_avail_ARCH: a bitmap section of 64 MiB (zeros after the real
# bits) where dump_avail needs a page or four: refused before the bitmap
# is decompressed or loaded, compressed and plain.
for a in amd64:3 i386:2 i386pae:2 arm64:3 arm64-16k:3; do
	n=$(echo ${a%:*} | tr - _)
	eval "atf_test_case bitmap_avail_$n
	bitmap_avail_${n}_head() {
		atf_set descr '${a%:*}: a bitmap larger than dump_avail needs'
	}
	bitmap_avail_${n}_body() { bitmap_avail_body ${a%:*} ${a#*:}; }"
done

bitmap_avail_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -a $1 -V $2 -s 71
	need=$(fact bitmapsize)
	[ "$need" -gt 0 ] || atf_fail "no bitmapsize fact"
	limit_vm
	for c in zstd gzip none; do
		big=67108864
		[ $c = none ] && big=$((need * 16))
		gen -a $1 -V $2 -s 71 -c $c -X bigbitmap=$big
		bad "offset 0x20: bitmapsize $big exceeds the $need bytes the [0-9]+ dump_avail ranges? need \\([0-9]+ pages\\)\$"
	done
}

atf_test_case bitmap_sparse
bitmap_sparse_head()
{
	atf_set descr 'v2 (no dump_avail): a 1 GiB bitmap whose bits are' \
	    'all in its first page converts within 128 MiB of memory'
}
bitmap_sparse_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 2 -s 72 -c zstd -X bigbitmap=1073741824
	[ "$(fact bitmapsize)" -eq 1073741824 ] || atf_fail "no big bitmap"
	limit_vm
	atf_check -s exit:0 -o empty -e empty \
	    "$MD2ELF" -q -k kernel -o core.elf vmcore.0
	atf_check -s exit:0 -o save:ck -e empty "$CORECK" -M model core.elf
	[ "$(fact pages ck)" = "$(fact pages)" ] ||
	    atf_fail "core has $(fact pages ck) pages, dump $(fact pages)"
}

# zeros SIZE_MIB COMP COUNT [text]: COUNT concatenated streams (zstd
# frames, gzip members) of SIZE_MIB MiB of zeros each (of text), to
# stdout; built by doubling.
zeros()
{
	if [ "${4:-}" = text ]; then
		yes 'not a zero page' | head -c $(($1 * 1048576))
	else
		head -c $(($1 * 1048576)) /dev/zero
	fi | $2 -q -c >zeros.1
	n=1
	while [ $n -lt $3 ]; do
		cat zeros.$n zeros.$n >zeros.$((n * 2))
		rm zeros.$n
		n=$((n * 2))
	done
	cat zeros.$n
	rm zeros.$n
}

atf_test_case savecore_bitmap
savecore_bitmap_head()
{
	atf_set descr 'savecore -e of a device whose zstd dump claims a 1 GiB' \
	    'bitmap for four dump_avail ranges: the vmcore saved, the ELF' \
	    'core refused with one line, within 128 MiB of memory'
	atf_set timeout 120
}
savecore_bitmap_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	SAVECORE=$SRCDIR/../savecore/savecore
	gen -V 3 -s 71
	need=$(fact bitmapsize)
	gen -V 3 -s 71 -H device -c zstd -X bigbitmap=1073741824
	mkdir crash
	atf_check -s exit:0 -o empty -e save:err \
	    "$(vmcap "$SAVECORE")" -k -e crash ./vmcore.0
	grep -Eqx "savecore: unable to write ELF core crash/vmcore\\.0\\.elf: vmcore\\.0\\.zst: offset 0x20: bitmapsize 1073741824 exceeds the $need bytes the [0-9]+ dump_avail ranges? need \\([0-9]+ pages\\)" \
	    err || atf_fail "$(cat err)"
	[ -f crash/vmcore.0.zst ] || atf_fail "no vmcore.0.zst"
	[ ! -e crash/vmcore.0.elf ] || atf_fail "vmcore.0.elf written"
}

atf_test_case bomb_after_dump
bomb_after_dump_head()
{
	atf_set descr 'a whole dump followed by 1 TiB (zstd) or 1 GiB (gzip)' \
	    'of zeros, or 1 GiB of text: decompression stops a page after' \
	    'the pages the bitmap counts'
	atf_set timeout 120
}
bomb_after_dump_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 73
	mv vmcore.0 dump
	limit=$(printf %#x $(($(wc -c <dump) + 4096)))
	limit_vm
	for c in zstd:16384 gzip:16; do
		comp=${c%:*}
		{ $comp -q -c dump; zeros 64 $comp ${c#*:}; } >vmcore.0
		bad "offset $limit of the decompressed data: more data than the minidump header and bitmap allow \\($(($limit)) bytes\\): decompression stopped\$"
		# Not zeros (no holes in the spool: $TMPDIR would fill up).
		{ $comp -q -c dump; zeros 64 $comp 16 text; } >vmcore.0
		bad "offset $limit of the decompressed data: more data than the minidump header and bitmap allow \\($(($limit)) bytes\\): decompression stopped\$"
	done
}

atf_test_case bomb_after_header
bomb_after_header_head()
{
	atf_set descr 'a valid header page followed by 1 TiB of zeros' \
	    '(zstd): refused once dump_avail is in'
	atf_set timeout 120
}
bomb_after_header_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 74
	set -- $(fact section_avail)
	[ -n "$1" ] || atf_fail "no section_avail fact"
	avail=$(printf %#x $1)
	head -c 4096 vmcore.0 >dump
	{ zstd -q -c dump; zeros 64 zstd 16384; } >vmcore.0
	limit_vm
	bad "offset $avail: empty dump_avail section\$"
}

atf_test_case aliases
aliases_head()
{
	atf_set descr 'amd64 page directories aliasing one 2 MiB page 100 000' \
	    'times: refused before writing (not a core of 100 000' \
	    'segments); 100 times: converted'
}
aliases_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 75 -X alias=100000
	bad "the page tables map the $(fact pages) dumped pages more than 16 times over \\([0-9]+ mapped by kernel address 0x[0-9a-f]+\\): not writing a core of so many aliases"
	gen -V 3 -s 75 -X alias=100
	atf_check -s exit:0 -o empty -e empty \
	    "$MD2ELF" -q -k kernel -o core.elf vmcore.0
}

# core_size_ARCH: md2elf_core_size() is the size md2elf_write_core() gives
# the core, both flavours.
for a in amd64:3 amd64:1 i386pae:2 arm64:3 arm64-16k:3; do
	n=$(echo ${a%:*}_${a#*:} | tr - _)
	eval "atf_test_case core_size_$n
	core_size_${n}_head() {
		atf_set descr '${a%:*} v${a#*:}: md2elf_core_size is the core size'
	}
	core_size_${n}_body() { core_size_body ${a%:*} ${a#*:}; }"
done

core_size_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -a $1 -V $2 -s 76
	atf_check -s exit:0 -o save:size -e empty \
	    "$(atf_get_srcdir)/thrlist" -k kernel -s vmcore.0
	set -- $(cat size)
	for f in freebsd:$2 linux:$3; do
		rm -f core.elf
		atf_check -s exit:0 -o empty -e ignore "$MD2ELF" -q -k kernel \
		    --flavor ${f%:*} -o core.elf vmcore.0
		[ "$(wc -c <core.elf | tr -d " ")" = "${f#*:}" ] || atf_fail \
		    "${f%:*}: core of $(wc -c <core.elf | tr -d " ") bytes, estimate ${f#*:}"
	done
}

atf_test_case fifo
fifo_head()
{
	atf_set descr 'a FIFO as the dump or as the kernel: refused at once' \
	    '(opened without blocking), not waited on'
	atf_set timeout 60
}
fifo_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 77
	mkfifo f
	atf_check -s exit:1 -o empty \
	    -e inline:"md2elf: f: not a regular file or a device (a FIFO)\n" \
	    "$MD2ELF" -i f
	atf_check -s exit:1 -o empty -e match:'^md2elf: .*f: not a regular file' \
	    "$MD2ELF" -i -k f vmcore.0
}

atf_test_case messages
messages_head()
{
	atf_set descr 'a character device of no size (/dev/zero) is not an' \
	    '"empty file"; a zstd dump behind a skippable frame is read;' \
	    'bytes after a gzip stream are one warning whatever they are'
}
messages_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	atf_check -s exit:1 -o empty \
	    -e inline:"md2elf: /dev/zero: a device of size 0 (not a disk?)\n" \
	    "$MD2ELF" -i /dev/zero
	gen -V 3 -s 78
	{ printf 'P*M\030\004\000\000\000abcd'; zstd -q -c vmcore.0; } >skip.zst
	atf_check -s exit:0 -o match:'^container: +vmcore, compression zstd$' \
	    -e empty "$MD2ELF" -i skip.zst
	# Bytes after the gzip stream, even starting 0x1f: a warning (from
	# md2elf_open, handed over by md2elf_set_warn), not an error.
	for junk in 'junk' '\037junk' '\037'; do
		{ gzip -c vmcore.0; printf "$junk"; } >tr.gz
		n=$(printf "$junk" | wc -c)
		at=$(printf %#x $(($(wc -c <tr.gz) - n)))
		atf_check -s exit:0 -o ignore \
		    -e inline:"md2elf: warning: tr.gz: offset $at: ignoring $n bytes after the end of the gzip stream\n" \
		    "$MD2ELF" -i tr.gz
	done
}

atf_test_case data_size
data_size_head()
{
	atf_set descr 'md2elf_data_size: the decompressed length from the' \
	    'header and bitmap, gzip and zstd; a dump followed by 1 TiB of' \
	    'zeros (not decompressed: 128 MiB of memory, a minute at most)'
	atf_set timeout 60
}
data_size_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	THRLIST=$(atf_get_srcdir)/thrlist
	gen -V 3 -s 79
	mv vmcore.0 dump
	want=$(wc -c <dump)
	atf_check -s exit:0 -o inline:"data_size $want\n" -e empty \
	    "$THRLIST" -d dump
	for c in gzip zstd; do
		$c -q -c dump >vmcore.0
		atf_check -s exit:0 -o inline:"data_size $want\n" -e empty \
		    "$THRLIST" -d vmcore.0
	done
	{ zstd -q -c dump; zeros 64 zstd 16384; } >vmcore.0
	atf_check -s exit:0 -o inline:"data_size $want\n" -e empty \
	    "$(vmcap "$THRLIST")" -d vmcore.0
}

atf_init_test_cases()
{
	atf_add_test_case data_size
	atf_add_test_case messages
	atf_add_test_case fifo
	atf_add_test_case aliases
	for a in amd64_3 amd64_1 i386pae_2 arm64_3 arm64_16k_3; do
		atf_add_test_case core_size_$a
	done
	for a in amd64 i386 i386pae arm64 arm64_16k; do
		atf_add_test_case bitmap_avail_$a
	done
	atf_add_test_case bitmap_sparse
	atf_add_test_case bomb_after_dump
	atf_add_test_case savecore_bitmap
	atf_add_test_case bomb_after_header
}
