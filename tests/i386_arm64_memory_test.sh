#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# i386_arm64_memory_test: i386 (non-PAE and PAE) and arm64 (4 KiB and
# 16 KiB pages) minidumps of every format version, with a process/thread
# world, converted by md2elf in both flavours and checked by coreck page by
# page (every dumped page at its kernel-map address and, on arm64, its
# direct-map address; nothing else mapped; zero pages as holes; segment
# count; file size) and thread by thread (NT_PRSTATUS ids, signal,
# registers of the right pcb layout, names); md2elf -i reports the format.

# arch_version: the cases.
CASES="i386_1 i386_2 i386pae_1 i386pae_2 arm64_1 arm64_2 arm64_3 arm64-16k_3"

for c in $CASES; do
	n=$(echo "$c" | tr -- - _)
	eval "atf_test_case $n
	${n}_head() {
		atf_set descr '${c%_*} minidump v${c##*_}: memory and threads,' \
		    'both flavours'
	}
	${n}_body() { case_body ${c%_*} ${c##*_}; }"
done

# convert ARCH VERSION MKDUMP-ARGS...: generate, convert in both flavours,
# check both with coreck -T.
convert()
{
	arch=$1
	v=$2
	shift 2
	gen -a "$arch" -V "$v" -T 16 "$@"
	[ "$(fact pages)" -gt 0 ] || atf_fail "mkdump -v: no pages: $(cat facts)"
	rm -f core.freebsd core.linux
	for f in freebsd linux; do
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
		[ "$(fact trap_threads ck.$f)" -gt 0 ] &&
		[ "$(fact threads ck.$f)" -eq \
		    $((16 + $(fact trap_threads ck.$f))) ] ||
		    atf_fail "$(fact threads ck.$f) threads in the $f core"
	done
	[ "$(fact zero_pages ck.freebsd)" -gt 0 ] ||
	    atf_fail "no zero pages checked"
	[ "$(fact holes_checked ck.freebsd)" -gt 0 ] ||
	    atf_fail "no holes checked"
	echo "segments $(fact segments ck.freebsd) pages $(fact pages ck.freebsd)" \
	    "kmap $(fact kmap_pages ck.freebsd) dmap $(fact dmap_pages ck.freebsd)"
}

case_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	arch=$1
	v=$2
	convert "$arch" "$v" -s $((60 + v))
	# Device memory, holes, PG_NODUMP pages and the highest frame are
	# mapped but not dumped (coreck saw no PT_LOAD for them).
	"$CORECK" -M model -A >samples
	u=$(fact kmap_undumped samples)
	[ -n "$u" ] || atf_fail "the model maps no undumped page"
	atf_check -s exit:1 -o inline:'not dumped\n' "$CORECK" -M model -r "$u"
	atf_check -s exit:0 -o save:info -e empty "$MD2ELF" -i vmcore.0
	cat info
	case $arch in
	i386*)	a=i386 ;;
	*)	a=arm64 ;;
	esac
	grep -q "^architecture: *$a\$" info || atf_fail "architecture"
	case $arch in
	i386pae) pat="minidump version $v (PAE)" ;;
	*)	pat="minidump version $v\$" ;;
	esac
	grep -q "^format: *$pat" info || atf_fail "format line"
	case $arch in
	arm64-16k) ps=16384 ;;
	*)	ps=4096 ;;
	esac
	grep -q "^page size: *$ps bytes" info || atf_fail "page size"
	case $arch in
	arm64*)
		grep -q "^direct map: *0xffffa00000000000-0xffffff0000000000" \
		    info || atf_fail "direct map"
		grep -q "(physical 0x40000000)" info ||
		    atf_fail "direct map physical base"
		[ "$(fact dmap_pages ck.freebsd)" -eq "$(fact pages)" ] ||
		    atf_fail "not every page checked at its direct-map address"
		;;
	*)
		if grep -q "^direct map" info; then
			atf_fail "i386 has no direct map"
		fi
		[ "$(fact dmap_runs ck.freebsd)" -eq 0 ] ||
		    atf_fail "direct-map segments on i386"
		;;
	esac
}

atf_test_case containers
containers_head()
{
	atf_set descr 'i386 PAE and arm64 dumps on a dump device, after a' \
	    'leading header, gzip and zstd; the header names the arch'
}
containers_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	for args in "i386pae 2 -H device -c zstd" "i386 1 -H lead" \
	    "arm64 3 -H lead -c gzip" "arm64-16k 3 -H device -B 4096" \
	    "arm64 2 -H device -c gzip"; do
		convert $args -s 69
		atf_check -s exit:0 -o save:info -e empty "$MD2ELF" -i vmcore.0
		case $args in
		i386*) grep -q "^architecture: *i386$" info ;;
		*) grep -q "^architecture: *arm64$" info ;;
		esac || atf_fail "$args: $(cat info)"
	done
}

atf_test_case pae_high
pae_high_head()
{
	atf_set descr 'PAE: the RAM above 4 GiB (2 MiB pages at the end of' \
	    'the KVA, 64-bit frames) is dumped and in the core'
}
pae_high_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	convert i386pae 2 -s 70
	# The model maps its 8 MiB high range (at 5 GiB) at the end of the
	# page-table section's KVA: KERNBASE + pmapsize / 4 KiB * 2 MiB.
	end=$((0x800000 + $(fact pmapsize) / 4096 * 0x200000))
	for off in 0x800000 0x400000 0x1000; do
		va=$(printf '%#x' $((end - off)))
		"$CORECK" -M model -r "$va" -l 16 >bytes ||
		    atf_fail "$va is not dumped in the model: $(cat bytes)"
	done
	# p_paddr of an ELF32 core is 0 where the page is above 4 GiB.
	atf_check -s exit:0 -o save:ph -e empty readelf -lW core.freebsd
	awk '$1 == "LOAD" && $4 == "0x00000000" { n++ } END { exit !n }' ph ||
	    atf_fail "no PT_LOAD with p_paddr 0: $(grep LOAD ph | head)"
}

atf_init_test_cases()
{
	for c in $CASES; do
		atf_add_test_case $(echo "$c" | tr -- - _)
	done
	atf_add_test_case containers
	atf_add_test_case pae_high
}
