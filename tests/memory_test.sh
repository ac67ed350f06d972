#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# memory_test: minidumps of every architecture, format version and
# container (savecore's vmcore, leading kerneldumpheader, dump device
# image, gzip, zstd) converted by md2elf and checked page by page against
# the generator's model by coreck: every dumped page at its kernel-map and
# direct-map addresses, nothing else mapped, zero pages as holes, segment
# count and file size; with a process/thread world, thread by thread too
# (NT_PRSTATUS ids, signal, registers of the right pcb layout, names).
#
# Cases are named CASE_ARCH; ARCH is amd64, i386 (non-PAE), i386pae,
# arm64 or arm64_16k (arm64 with 16 KiB pages).  Versions per arch are
# the ones mkdump (and FreeBSD) writes: amd64 1-3, i386/i386pae 1-2,
# arm64 1-3, arm64-16k 3 only.
#
#	case			amd64 i386 i386pae arm64 arm64_16k
#	vV_plain		  x    x     x       x      x
#	vV_CONTAINER		  x    -     -       -      -	(0)
#	world_vV		  x    x     x       x      x
#	containers		  -    x     x       x      x	(1)
#	device_zstd		  x    x     x       x      x
#	device_gzip_small	  x    x     x       x      x
#	lead_gzip		  x    x     x       x      x
#	linux_flavour		  x    x     x       x      x
#	fragmented		  x    x     x       x      x	(2)
#	default_output		  x    -     -       -      -	(4)
#	no_kernel		  x    x     x       x      x
#	pae_high		  -    -     x       -      -	(3)
#
# (0) lead, device, gzip, zstd: every version in every container on
#     amd64; the containers are read above the arch layer, so the other
#     arches get each container once, with threads, in containers and
#     device_zstd, device_gzip_small, lead_gzip (and each version's own
#     layout in vV_plain); this keeps the suite fast.
# (1) the vV_CONTAINER and device_* cases already cover amd64 in every
#     container; containers adds threads and md2elf -i on combined
#     containers for the other arches.
# (2) more than 5000 segments only where the direct map splits every heap
#     page (amd64, arm64); elsewhere the model's segment count is checked.
# (3) RAM above 4 GiB exists only with PAE.
# (4) naming the output and refusing to overwrite it is above the arch
#     layer.

ARCHES="amd64 i386 i386pae arm64 arm64-16k"

# versions ARCH: the minidump versions of ARCH.
versions()
{
	case $1 in
	amd64|arm64)	echo 1 2 3 ;;
	i386|i386pae)	echo 1 2 ;;
	arm64-16k)	echo 3 ;;
	esac
}

# pick V ARCH: V if ARCH has that version, else its latest.
pick()
{
	for _v in $(versions "$2"); do
		[ "$_v" = "$1" ] && { echo "$1"; return; }
	done
	echo "$_v"
}

# name ARCH: ARCH as a case-name suffix.
name()
{
	echo "$1" | tr -- - _
}

# mkcase CASE ARCH DESCR BODY-ARGS...: test case CASE_ARCH running
# CASE_body ARCH BODY-ARGS...
mkcase()
{
	_c=$1
	_a=$2
	_d=$3
	shift 3
	_n=${_c}_$(name "$_a")
	eval "atf_test_case $_n
	${_n}_head() { atf_set descr '$_a: $_d'; }
	${_n}_body() { ${_c}_body $_a $*; }"
	CASES="$CASES $_n"
}

CASES=
for a in $ARCHES; do
	for v in $(versions $a); do
		# The containers are read above the arch layer: every
		# version in each on amd64, plain elsewhere (containers_ARCH
		# and device_*, lead_gzip put each arch in each container).
		cs=plain
		[ $a = amd64 ] && cs="plain lead device gzip zstd"
		for c in $cs; do
			mkcase v${v}_${c} $a \
			    "minidump v${v} (${c}) round trip" ${v} ${c}
		done
		mkcase world_v$v $a \
		    "minidump v$v: memory and threads, both flavours" $v
	done
	[ $a = amd64 ] ||
	    mkcase containers $a 'combined containers; the header names the arch'
	mkcase device_zstd $a \
	    'zstd-compressed dump on a device with 4 KiB blocks'
	mkcase device_gzip_small $a \
	    'gzip-compressed dump on a device smaller than the uncompressed dump (extent = what was left)'
	mkcase lead_gzip $a 'gzip-compressed v1 dump after a leading header'
	mkcase linux_flavour $a 'Linux flavour core: same memory, ELFOSABI_NONE'
	mkcase fragmented $a \
	    'every heap page its own mapping: thousands of segments'
	[ $a = amd64 ] && mkcase default_output $a \
	    'output next to the input as vmcore.N.elf; no overwrite without -f'
	mkcase no_kernel $a 'without -k: memory only, said on stderr'
done
mkcase pae_high i386pae \
    'the RAM above 4 GiB (2 MiB pages at the end of the KVA, 64-bit frames) is dumped and in the core'

# The container matrix: ARCH VERSION CONTAINER.
for v in 1 2 3; do
	for c in plain lead device gzip zstd; do
		eval "v${v}_${c}_body() { container_body \$1 ${v} ${c}; }"
	done
done

container_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	case $3 in
	plain)	args="" ;;
	lead)	args="-H lead" ;;
	device)	args="-H device" ;;
	gzip)	args="-c gzip" ;;
	zstd)	args="-c zstd" ;;
	esac
	roundtrip freebsd -a "$1" -V "$2" -s "$((10 + $2))" $args
}

device_zstd_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	roundtrip freebsd -a "$1" -V "$(pick 3 $1)" -s 21 -c zstd -H device \
	    -B 4096
}

device_gzip_small_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	roundtrip freebsd -a "$1" -V "$(pick 2 $1)" -s 22 -c gzip -H device \
	    -X smalldev
}

lead_gzip_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	roundtrip freebsd -a "$1" -V "$(pick 1 $1)" -s 23 -c gzip -H lead
}

linux_flavour_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	roundtrip linux -a "$1" -V "$(pick 3 $1)" -s 24
}

fragmented_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	roundtrip freebsd -a "$1" -V "$(pick 2 $1)" -s 25 -F 3 -m 256
	[ "$(fact segments ck)" = "$(fact segments_expected ck)" ] ||
	    atf_fail "$(fact segments ck) segments, the model has" \
	    "$(fact segments_expected ck)"
	case $1 in
	amd64|arm64)
		[ "$(fact segments ck)" -gt 5000 ] ||
		    atf_fail "only $(fact segments ck) segments"
		;;
	esac
}

default_output_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -a "$1" -V "$(pick 3 $1)" -s 26
	mkdir d
	mv vmcore.0 d/vmcore.7
	atf_check -s exit:0 -o empty -e ignore "$MD2ELF" -q -k kernel d/vmcore.7
	atf_check -s exit:0 -o ignore -e empty "$CORECK" -M model d/vmcore.7.elf
	cp d/vmcore.7.elf before.elf
	atf_check -s exit:1 -o empty -e match:'vmcore\.7\.elf.*-f' \
	    "$MD2ELF" -q -k kernel d/vmcore.7
	cmp -s before.elf d/vmcore.7.elf || atf_fail "overwritten without -f"
	atf_check -s exit:0 -o empty -e ignore \
	    "$MD2ELF" -q -f -k kernel d/vmcore.7
	atf_check -s exit:0 -o ignore -e empty "$CORECK" -M model d/vmcore.7.elf
	[ "$(ls d)" = "vmcore.7
vmcore.7.elf" ] || atf_fail "unexpected files: $(ls d)"
}

no_kernel_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -a "$1" -V "$(pick 3 $1)" -s 27
	atf_check -s exit:0 -o ignore -e match:'kernel.*memory only' \
	    "$MD2ELF" -o core.elf vmcore.0
	atf_check -s exit:0 -o ignore -e empty "$CORECK" -M model core.elf
}

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

# world_vV_body ARCH: memory and threads of a version-V dump.
for v in 1 2 3; do
	eval "world_v${v}_body() { world_body \$1 $v; }"
done

world_body()
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
	arm64*)	a=arm64 ;;
	*)	a=$arch ;;
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
	# The direct map: FreeBSD's DMAP_MIN_ADDRESS-DMAP_MAX_ADDRESS and
	# the physical address at its start (vmparam.h); none on i386.
	case $arch in
	amd64)	dmap="0xfffff80000000000-0xfffffc0000000000 (physical 0)" ;;
	arm64*)	dmap="0xffffa00000000000-0xffffff0000000000 (physical 0x40000000)" ;;
	*)	dmap= ;;
	esac
	if [ -n "$dmap" ]; then
		grep -q "^direct map: *$dmap" info || atf_fail "direct map"
		[ "$(fact dmap_pages ck.freebsd)" -eq "$(fact pages)" ] ||
		    atf_fail "not every page checked at its direct-map address"
	else
		if grep -q "^direct map" info; then
			atf_fail "i386 has no direct map"
		fi
		[ "$(fact dmap_runs ck.freebsd)" -eq 0 ] ||
		    atf_fail "direct-map segments on i386"
	fi
}

# containers_body ARCH: the combined containers of ARCH, with threads.
containers_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	case $1 in
	i386pae)	set -- "i386pae 2 -H device -c zstd" ;;
	i386)		set -- "i386 1 -H lead" ;;
	arm64)		set -- "arm64 3 -H lead -c gzip" \
			    "arm64 2 -H device -c gzip" ;;
	arm64-16k)	set -- "arm64-16k 3 -H device -B 4096" ;;
	esac
	for args in "$@"; do
		convert $args -s 69
		atf_check -s exit:0 -o save:info -e empty "$MD2ELF" -i vmcore.0
		case $args in
		i386*) grep -q "^architecture: *i386$" info ;;
		*) grep -q "^architecture: *arm64$" info ;;
		esac || atf_fail "$args: $(cat info)"
	done
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
		atf_add_test_case $c
	done
}
