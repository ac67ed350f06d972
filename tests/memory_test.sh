#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# amd64_memory_test: amd64 minidumps of every version (1, 2, 3) in every
# container (savecore's vmcore, leading kerneldumpheader, dump device
# image, gzip, zstd) converted by md2elf and checked page by page against
# the generator's model by coreck: every dumped page at its kernel-map and
# direct-map addresses, nothing else mapped, zero pages as holes, segment
# count and file size.

# One test case per version and container.
for v in 1 2 3; do
	for c in plain lead device gzip zstd; do
		eval "atf_test_case v${v}_${c}
		v${v}_${c}_head() {
			atf_set descr 'amd64 minidump v${v} (${c}) round trip'
		}
		v${v}_${c}_body() { container_body ${v} ${c}; }"
	done
done

container_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	case $2 in
	plain)	args="" ;;
	lead)	args="-H lead" ;;
	device)	args="-H device" ;;
	gzip)	args="-c gzip" ;;
	zstd)	args="-c zstd" ;;
	esac
	roundtrip freebsd -V "$1" -s "$((10 + $1))" $args
}

atf_test_case device_zstd
device_zstd_head()
{
	atf_set descr 'zstd-compressed dump on a device with 4 KiB blocks'
}
device_zstd_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	roundtrip freebsd -V 3 -s 21 -c zstd -H device -B 4096
}

atf_test_case device_gzip_small
device_gzip_small_head()
{
	atf_set descr 'gzip-compressed v2 dump on a device smaller than the' \
	    'uncompressed dump (extent = what was left)'
}
device_gzip_small_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	roundtrip freebsd -V 2 -s 22 -c gzip -H device -X smalldev
}

atf_test_case lead_gzip
lead_gzip_head()
{
	atf_set descr 'gzip-compressed v1 dump after a leading header'
}
lead_gzip_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	roundtrip freebsd -V 1 -s 23 -c gzip -H lead
}

atf_test_case linux_flavour
linux_flavour_head()
{
	atf_set descr 'Linux flavour core: same memory, ELFOSABI_NONE'
}
linux_flavour_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	roundtrip linux -V 3 -s 24
}

atf_test_case fragmented
fragmented_head()
{
	atf_set descr 'every heap page its own mapping: thousands of segments'
}
fragmented_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	roundtrip freebsd -V 2 -s 25 -F 3 -m 256
	[ "$(fact segments ck)" -gt 5000 ] ||
	    atf_fail "only $(fact segments ck) segments"
}

atf_test_case default_output
default_output_head()
{
	atf_set descr 'output next to the input as vmcore.N.elf; no' \
	    'overwrite without -f'
}
default_output_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 26
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

atf_test_case no_kernel
no_kernel_head()
{
	atf_set descr 'without -k: memory only, said on stderr'
}
no_kernel_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 27
	atf_check -s exit:0 -o ignore -e match:'kernel.*memory only' \
	    "$MD2ELF" -o core.elf vmcore.0
	atf_check -s exit:0 -o ignore -e empty "$CORECK" -M model core.elf
}

atf_init_test_cases()
{
	for v in 1 2 3; do
		for c in plain lead device gzip zstd; do
			atf_add_test_case v${v}_${c}
		done
	done
	atf_add_test_case device_zstd
	atf_add_test_case device_gzip_small
	atf_add_test_case lead_gzip
	atf_add_test_case linux_flavour
	atf_add_test_case fragmented
	atf_add_test_case default_output
	atf_add_test_case no_kernel
}
