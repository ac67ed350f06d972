#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# i386_arm64_bad_input_test: the broken-dump cases of amd64_bad_input_test
# for i386 (non-PAE, PAE) and arm64 (4 KiB, 16 KiB pages) minidumps, plus
# their own header fields (paemode, the arm64 page-size flags, the direct
# map, kernbase) and a dump given with another architecture's kernel.
# Each must fail with exit status 1 and one clear line naming the file
# and the offset, leaving no output behind.

ARCHES="i386_2 i386pae_1 arm64_3 arm64_1 arm64-16k_3"

for c in $ARCHES; do
	n=$(echo "$c" | tr -- - _)
	eval "atf_test_case trunc_$n
	trunc_${n}_head() {
		atf_set descr '${c%_*} v${c##*_} minidump cut inside each section'
	}
	trunc_${n}_body() { trunc_body ${c%_*} ${c##*_}; }
	atf_test_case header_$n
	header_${n}_head() {
		atf_set descr '${c%_*} v${c##*_}: bad magic, unknown versions,' \
		    'section sizes that overflow or exceed the file'
	}
	header_${n}_body() { header_body ${c%_*} ${c##*_}; }"
done

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

trunc_body()
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

atf_test_case sizes_pages
sizes_pages_head()
{
	atf_set descr 'i386, i386 PAE, arm64 4K/16K: bitmapsize 0, a bitmap' \
	    'with no bit set, data after the counted pages, size fields the' \
	    'kernel page-rounds that are not page multiples, a device image' \
	    'whose kerneldumpheader dump length is 0'
}
sizes_pages_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	for c in i386_2 i386pae_2 arm64_3 arm64-16k_3; do
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
	for c in "i386pae 2 none" "arm64-16k 3 zstd"; do
		set -- $c
		gen -a $1 -V $2 -s 92 -H device -c $3
		last=$(($(wc -c <vmcore.0) - 512))
		kdh_zero_length $(($(fact data_offset) - 512))
		kdh_zero_length $last
		bad "offset $(printf %#x $last): kerneldumpheader dump length 0: no dump data\$"
	done
}

atf_test_case i386_fields
i386_fields_head()
{
	atf_set descr 'i386: paemode other than 0 or 1, unaligned kernbase,' \
	    'a PTE array that maps past 4 GiB'
}
i386_fields_body()
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

atf_test_case arm64_fields
arm64_fields_head()
{
	atf_set descr 'arm64: an undefined page-size code in the v3 flags, a' \
	    'direct map that ends before it starts or is not page-aligned,' \
	    'an unaligned kernbase'
}
arm64_fields_body()
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

atf_test_case compressed
compressed_head()
{
	atf_set descr 'i386 and arm64 gzip and zstd dumps cut short, on a' \
	    'device with a bad header parity'
}
compressed_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -a i386pae -V 2 -s 95 -c gzip -X size=1000000
	bad 'offset 0x[0-9a-f]+: truncated gzip'
	gen -a arm64 -V 3 -s 95 -c zstd -X size=1000000
	bad 'offset 0x[0-9a-f]+: truncated zstd'
	gen -a arm64-16k -V 3 -s 95 -H device -X kdh-parity
	bad 'offset 0x[0-9a-f]+: kerneldumpheader parity'
}

atf_test_case hostile_threads
hostile_threads_head()
{
	atf_set descr 'i386 (4-byte pointers) and arm64 thread lists with' \
	    'cycles, dangling and undumped pointers and an absurd pid hash:' \
	    'warnings, a core with the threads that could be found'
}
hostile_threads_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	for a in "i386pae 1 c" "i386pae 1 d" "arm64-16k 3 d"; do
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

atf_test_case wrong_arch_kernel
wrong_arch_kernel_head()
{
	atf_set descr 'a dump given with the kernel of another architecture' \
	    'is refused (also with -F), naming both'
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
	for pair in "i386pae amd64 EM_X86_64 i386" \
	    "i386pae arm64-16k EM_AARCH64 i386" \
	    "arm64-16k i386pae EM_386 arm64" \
	    "arm64-16k amd64 EM_X86_64 arm64" \
	    "amd64 arm64-16k EM_AARCH64 amd64" "amd64 i386pae EM_386 amd64"; do
		set -- $pair
		ln -sf vmcore.$1 vmcore.0
		ln -sf kernel.$2 kernel
		bad "kernel kernel is $3 .* but the dump is $4"
		bad "kernel kernel is $3 .* but the dump is $4" -F
	done
}

atf_init_test_cases()
{
	for c in $ARCHES; do
		n=$(echo "$c" | tr -- - _)
		atf_add_test_case trunc_$n
		atf_add_test_case header_$n
	done
	atf_add_test_case sizes_pages
	atf_add_test_case i386_fields
	atf_add_test_case arm64_fields
	atf_add_test_case compressed
	atf_add_test_case hostile_threads
	atf_add_test_case wrong_arch_kernel
}
