#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# copy_test: the paths of the page copy (libmd2elf/copy.c): clone
# (FICLONERANGE) on a file system that shares blocks, copy_file_range,
# read + pwrite with zero pages as holes, and the choice between them
# (MD2ELF_COPY, --sparse, a dense source, a dump device image, a source
# not on a block boundary, a refused copy_file_range).  Every path must
# write the same bytes with the same holes as the source's; strace shows
# which system calls wrote the data.

# trace NAME ARGS...: run md2elf ARGS under strace; NAME.tr the trace of
# the calls that write page data, NAME.out md2elf's summary line.
trace()
{
	_n=$1
	shift
	atf_check -s exit:0 -o save:$_n.out -e ignore strace -f -o $_n.tr \
	    -e trace=ioctl,copy_file_range,pwrite64 "$@"
	grep 'pages,' $_n.out >$_n.sum || atf_fail "$_n: no summary line"
}

# count NAME WHAT: calls in NAME.tr: clone_ok clone_refused cfr_ok pwrite.
count()
{
	case $2 in
	clone_ok)	grep 'FICLONERANGE' $1.tr | grep -c '= 0$' ;;
	clone_refused)	grep 'FICLONERANGE' $1.tr | grep -c '= -1 ' ;;
	cfr_ok)		grep '^[0-9]* *copy_file_range(' $1.tr |
			    grep -c '= [1-9][0-9]*$' ;;
	pwrite)		grep -c '^[0-9]* *pwrite64(' $1.tr ;;
	esac
}

# pwbytes NAME [FROM]: bytes written with pwrite in NAME.tr (at file
# offsets FROM and up: the page data).
pwbytes()
{
	sed -n 's/^[0-9]* *pwrite64(.*, \([0-9]*\)) = \([0-9]*\)$/\1 \2/p' \
	    $1.tr | awk -v from=${2:-0} '$1 >= from { s += $2 }
	    END { print s + 0 }'
}

# dataoff CORE: the file offset of the page data (first PT_LOAD).
dataoff()
{
	readelf -lW "$1" | awk '$1 == "LOAD" { print $2; exit }'
}

# no_leak_check: none under ptrace (LeakSanitizer refuses it) in the
# sanitizer run.
no_leak_check()
{
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	export ASAN_OPTIONS
}

# strace_ok: skip when strace cannot trace; no leak check.
strace_ok()
{
	strace -f -o /dev/null true 2>st.err ||
	    atf_skip "strace cannot trace here: $(cat st.err)"
	no_leak_check
}

# allocated FILE: the bytes FILE has on disk.
allocated()
{
	echo $(($(stat -c '%b * %B' "$1")))
}

# sparse FILE: 0 if FILE is sparse (allocated less than its size).
sparse()
{
	[ "$(allocated "$1")" -lt "$(stat -c %s "$1")" ]
}

atf_test_case paths
paths_head()
{
	atf_set descr 'MD2ELF_COPY=auto, rw and copy_file_range write the' \
	    'same sparse core, each through its system calls; a dense' \
	    'source: auto copies it as it is, rw and --sparse read it and' \
	    'leave its zero pages as holes; an unknown MD2ELF_COPY is refused'
	atf_set require.progs strace readelf
}
paths_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	strace_ok
	gen -V 2 -s 62 -m 128
	sparse vmcore.0 || atf_fail "mkdump wrote a dense vmcore"
	fstype=$(stat -f -c %T .)
	for m in rw auto copy_file_range; do
		trace $m env MD2ELF_COPY=$m "$MD2ELF" -k kernel -o $m.elf \
		    vmcore.0
		atf_check -s exit:0 -o save:$m.ck -e empty \
		    "$CORECK" -M model $m.elf
		[ "$(fact holes_checked $m.ck)" -gt 0 ] ||
		    atf_fail "$m: no holes checked"
		cmp rw.elf $m.elf || atf_fail "$m: the core differs from rw's"
		cmp rw.sum $m.sum || atf_fail "$m: '$(cat $m.sum)'," \
		    "rw: '$(cat rw.sum)'"
		echo "$m: clone $(count $m clone_ok) ok" \
		    "$(count $m clone_refused) refused," \
		    "copy_file_range $(count $m cfr_ok), pwrite" \
		    "$(count $m pwrite) ($(pwbytes $m) bytes)"
	done
	hdr=$(($(dataoff rw.elf)))
	[ "$hdr" -gt 0 ] || atf_fail "no PT_LOAD in rw.elf"
	# rw: no clone, no copy_file_range, the data written with pwrite.
	[ "$(count rw clone_ok)$(count rw clone_refused)$(count rw cfr_ok)" \
	    = 000 ] || atf_fail "MD2ELF_COPY=rw cloned or used copy_file_range"
	[ "$(pwbytes rw $hdr)" -gt $(($(fact pages) * 4096 / 2)) ] ||
	    atf_fail "rw: $(pwbytes rw $hdr) bytes of page data written"
	# copy_file_range: the data in the kernel, pwrite for the headers.
	[ "$(count copy_file_range cfr_ok)" -gt 0 ] ||
	    atf_fail "MD2ELF_COPY=copy_file_range: none succeeded"
	[ "$(count copy_file_range clone_ok)" -eq 0 ] &&
	    [ "$(count copy_file_range clone_refused)" -eq 0 ] ||
	    atf_fail "MD2ELF_COPY=copy_file_range tried a clone"
	[ "$(pwbytes copy_file_range $hdr)" -eq 0 ] ||
	    atf_fail "copy_file_range: $(pwbytes copy_file_range $hdr)" \
	    "bytes of page data written with pwrite"
	# auto: a clone first; refused here (unless this file system
	# shares blocks), then copy_file_range: the page data not read.
	if [ "$(count auto clone_ok)" -eq 0 ]; then
		[ "$(count auto clone_refused)" -eq 1 ] ||
		    atf_fail "auto: $(count auto clone_refused) refused clones"
		[ "$(count auto cfr_ok)" -gt 0 ] ||
		    atf_fail "auto did not use copy_file_range on $fstype"
	fi
	[ "$(pwbytes auto $hdr)" -eq 0 ] ||
	    atf_fail "auto wrote $(pwbytes auto $hdr) bytes of page data"

	# A source without holes (copied densely): auto copies it as it is,
	# the same bytes, no holes ("0 of them zero"); rw and --sparse read
	# it and leave its zero pages as holes, as rw did the sparse source.
	dd if=vmcore.0 of=dense.0 bs=1M 2>/dev/null
	! sparse dense.0 || atf_fail "dd left dense.0 sparse"
	trace denseauto "$MD2ELF" -k kernel -o denseauto.elf dense.0
	cmp rw.elf denseauto.elf || atf_fail "denseauto.elf differs"
	grep -q ' 0 of them zero' denseauto.sum ||
	    atf_fail "dense, auto: '$(cat denseauto.sum)'"
	[ "$(pwbytes denseauto $hdr)" -eq 0 ] ||
	    atf_fail "dense, auto: $(pwbytes denseauto $hdr) bytes pwritten"
	# Its zero pages are allocated: the core takes that much more disk.
	zero=$(sed -n 's/.*, \([0-9]*\) of them zero.*/\1/p' rw.sum)
	[ "$zero" -gt 0 ] || atf_fail "no zero pages in '$(cat rw.sum)'"
	[ $(($(allocated denseauto.elf) - $(allocated rw.elf))) -ge \
	    $((zero * 4096)) ] || atf_fail "dense, auto: $(allocated \
	    denseauto.elf) bytes allocated, rw $(allocated rw.elf)"
	for m in rw sparse sparsecfr; do
		case $m in
		rw)	trace dense$m env MD2ELF_COPY=rw "$MD2ELF" -k kernel \
			    -o dense$m.elf dense.0 ;;
		sparse)	trace dense$m "$MD2ELF" --sparse -k kernel \
			    -o dense$m.elf dense.0 ;;
		sparsecfr) # --sparse wins over MD2ELF_COPY
			trace dense$m env MD2ELF_COPY=copy_file_range \
			    "$MD2ELF" --sparse -k kernel -o dense$m.elf dense.0 ;;
		esac
		[ "$(count dense$m clone_ok)$(count dense$m clone_refused)" \
		    = 00 ] && [ "$(count dense$m cfr_ok)" -eq 0 ] ||
		    atf_fail "dense, $m: cloned or copied in the kernel"
		cmp rw.elf dense$m.elf || atf_fail "dense$m.elf differs"
		cmp rw.sum dense$m.sum || atf_fail "dense, $m:" \
		    "'$(cat dense$m.sum)', rw: '$(cat rw.sum)'"
		atf_check -s exit:0 -o save:dense$m.ck -e empty \
		    "$CORECK" -M model dense$m.elf
	done

	# A dump device image (a kerneldumpheader in front), dense like a
	# device: read, zero pages left as holes, as savecore saves it.
	"$MKDUMP" -m 128 -V 2 -s 62 -H lead -o lead.img || atf_fail "mkdump"
	dd if=lead.img of=lead.0 bs=1M 2>/dev/null
	! sparse lead.0 || atf_fail "dd left lead.0 sparse"
	for m in auto copy_file_range; do
		trace lead$m env MD2ELF_COPY=$m "$MD2ELF" -k kernel \
		    -o lead$m.elf lead.0
		[ "$(count lead$m clone_ok)$(count lead$m clone_refused)" = \
		    00 ] && [ "$(count lead$m cfr_ok)" -eq 0 ] || atf_fail \
		    "$m: a device image was cloned or copied in the kernel"
		cmp rw.elf lead$m.elf || atf_fail "lead$m.elf differs"
		cmp rw.sum lead$m.sum || atf_fail "lead, $m: '$(cat lead$m.sum)'"
	done

	atf_check -s exit:1 -o empty -e inline:"md2elf: vmcore.0:\
 MD2ELF_COPY=cp: not auto, clone, copy_file_range or rw (output x.elf)\n" \
	    env MD2ELF_COPY=cp "$MD2ELF" -q -o x.elf vmcore.0
	[ ! -e x.elf ] || atf_fail "x.elf left behind"
}

atf_test_case clone cleanup
clone_head()
{
	atf_set descr 'on XFS with reflink (a loop file system): the page' \
	    'data shared with FICLONERANGE, nothing written, the same bytes' \
	    'and holes as the rw core, shared extents (amd64, i386, arm64' \
	    '16K pages); a dense source cloned, zero pages and all, or read' \
	    'with MD2ELF_COPY=rw; a source not on a block boundary goes rw'
	atf_set require.user root
	atf_set require.progs strace readelf mkfs.xfs filefrag
}
clone_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	strace_ok
	truncate -s 512m xfs.img
	mkfs.xfs -q -m reflink=1 xfs.img 2>mkfs.err ||
	    atf_skip "mkfs.xfs -m reflink=1: $(cat mkfs.err)"
	mkdir mnt
	mount -o loop xfs.img mnt 2>mount.err ||
	    atf_skip "cannot mount an XFS loop file system: $(cat mount.err)"
	for a in amd64:3 i386:2 arm64-16k:3; do
		arch=${a%:*}
		gen -a $arch -V ${a#*:} -s 65 -m 128
		atf_check -s exit:0 -o ignore -e empty env MD2ELF_COPY=rw \
		    "$MD2ELF" -k kernel -o $arch.rw.elf vmcore.0
		MD2ELF_COPY=rw "$MD2ELF" -k kernel -o $arch.rw.elf -f \
		    vmcore.0 | grep 'pages,' >$arch.rw.sum
		cp --sparse=always vmcore.0 mnt/$arch.vmcore
		sparse mnt/$arch.vmcore || atf_fail "$arch: dense on XFS"
		trace $arch "$MD2ELF" -k kernel -o mnt/$arch.elf \
		    mnt/$arch.vmcore
		hdr=$(($(dataoff $arch.rw.elf)))
		echo "$arch: clone $(count $arch clone_ok) ok," \
		    "$(count $arch clone_refused) refused, pwrite" \
		    "$(pwbytes $arch) bytes, $(pwbytes $arch $hdr) of page data"
		[ "$(count $arch clone_ok)" -gt 0 ] &&
		    [ "$(count $arch clone_refused)" -eq 0 ] ||
		    atf_fail "$arch: the clone did not take everything"
		[ "$(count $arch cfr_ok)" -eq 0 ] &&
		    [ "$(pwbytes $arch $hdr)" -eq 0 ] ||
		    atf_fail "$arch: page data written, not shared"
		cmp $arch.rw.elf mnt/$arch.elf ||
		    atf_fail "$arch: the cloned core differs"
		cmp $arch.rw.sum $arch.sum || atf_fail "$arch:" \
		    "'$(cat $arch.sum)', rw: '$(cat $arch.rw.sum)'"
		atf_check -s exit:0 -o save:$arch.ck -e empty \
		    "$CORECK" -M model mnt/$arch.elf
		[ "$(fact holes_checked $arch.ck)" -gt 0 ] ||
		    atf_fail "$arch: no holes checked"
		filefrag -v mnt/$arch.elf | grep -q shared ||
		    atf_fail "$arch: no shared extent in the core"
		rm -f mnt/$arch.elf mnt/$arch.vmcore
	done

	# amd64 again (vmcore.0 is arm64-16k's now).
	gen -V 3 -s 66 -m 128
	MD2ELF_COPY=rw "$MD2ELF" -k kernel -o rw.elf vmcore.0 >rw.out
	grep 'pages,' rw.out >rw.sum
	# Dense on XFS: auto shares it all, zero pages too ("0 of them
	# zero": no holes); rw reads it and leaves zero pages unwritten.
	dd if=vmcore.0 of=mnt/dense.0 bs=1M 2>/dev/null
	! sparse mnt/dense.0 || atf_fail "dd left mnt/dense.0 sparse"
	trace dense "$MD2ELF" -k kernel -o mnt/dense.elf mnt/dense.0
	[ "$(count dense clone_ok)" -gt 0 ] &&
	    [ "$(pwbytes dense $(($(dataoff rw.elf))))" -eq 0 ] ||
	    atf_fail "the dense source was not cloned"
	cmp rw.elf mnt/dense.elf || atf_fail "dense: the core differs"
	grep -q ' 0 of them zero' dense.sum ||
	    atf_fail "dense: '$(cat dense.sum)'"
	trace denserw env MD2ELF_COPY=rw "$MD2ELF" -k kernel \
	    -o mnt/denserw.elf mnt/dense.0
	[ "$(count denserw clone_ok)$(count denserw clone_refused)" = 00 ] ||
	    atf_fail "MD2ELF_COPY=rw cloned"
	cmp rw.elf mnt/denserw.elf || atf_fail "denserw: the core differs"
	cmp rw.sum denserw.sum || atf_fail "denserw: '$(cat denserw.sum)'"

	# A kerneldumpheader in front (512 bytes): not on a block boundary.
	"$MKDUMP" -m 128 -V 3 -s 66 -H lead -o mnt/lead.0 ||
	    atf_fail "mkdump -H lead"
	trace lead "$MD2ELF" -k kernel -o mnt/lead.elf mnt/lead.0
	[ "$(count lead clone_ok)$(count lead clone_refused)" = 00 ] ||
	    atf_fail "an unaligned source was cloned"
	cmp rw.elf mnt/lead.elf || atf_fail "lead: the core differs"
	cmp rw.sum lead.sum || atf_fail "lead: '$(cat lead.sum)'"
}
clone_cleanup()
{
	umount mnt 2>/dev/null || true
}

atf_test_case refused cleanup
refused_head()
{
	atf_set descr 'copy_file_range refused (EXDEV: the core on another' \
	    'file system, a tmpfs): the copy goes on with read + pwrite, the' \
	    'same bytes and holes as MD2ELF_COPY=rw'
	atf_set require.user root
	atf_set require.progs strace readelf
}
refused_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	strace_ok
	gen -V 3 -s 63 -m 128
	mkdir mnt
	mount -t tmpfs -o size=256m tmpfs mnt 2>mount.err ||
	    atf_skip "cannot mount a tmpfs here: $(cat mount.err)"
	[ "$(stat -c %d .)" != "$(stat -c %d mnt)" ] ||
	    atf_skip "mnt is on the work directory's file system"
	trace rw env MD2ELF_COPY=rw "$MD2ELF" -k kernel -o rw.elf vmcore.0
	trace x env MD2ELF_COPY=copy_file_range "$MD2ELF" -k kernel \
	    -o mnt/x.elf vmcore.0
	grep '^[0-9]* *copy_file_range(' x.tr | grep -q '= -1 EXDEV' ||
	    atf_skip "copy_file_range across file systems was not refused" \
	    "with EXDEV: $(grep copy_file_range x.tr | head -1)"
	hdr=$(($(dataoff rw.elf)))
	[ "$(count x cfr_ok)" -eq 0 ] ||
	    atf_fail "copy_file_range copied across file systems"
	[ "$(pwbytes x $hdr)" -eq "$(pwbytes rw $hdr)" ] || atf_fail \
	    "page data: $(pwbytes x $hdr) bytes pwritten, rw $(pwbytes rw $hdr)"
	cmp rw.elf mnt/x.elf || atf_fail "the core differs from rw's"
	cmp rw.sum x.sum || atf_fail "'$(cat x.sum)', rw: '$(cat rw.sum)'"
	atf_check -s exit:0 -o ignore -e empty "$CORECK" -M model mnt/x.elf
}
refused_cleanup()
{
	umount mnt 2>/dev/null || true
}

atf_test_case nospace cleanup
nospace_head()
{
	atf_set descr 'a dense vmcore whose copy as it is does not fit but' \
	    'whose sparse core does (a tmpfs holding both): copy_file_range' \
	    'runs out of space, the copy starts again the rw way and writes' \
	    'the rw core, zero pages as holes'
	atf_set require.user root
	atf_set require.progs strace readelf
}
nospace_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	strace_ok
	gen -V 3 -s 64 -m 128
	trace rw env MD2ELF_COPY=rw "$MD2ELF" -k kernel -o rw.elf vmcore.0
	dd if=vmcore.0 of=dense.0 bs=1M 2>/dev/null
	"$MD2ELF" -q -k kernel -o asis.elf dense.0 || atf_fail "md2elf dense.0"
	# Room for the dump and halfway between the two cores.
	d=$(allocated dense.0) s=$(allocated rw.elf) a=$(allocated asis.elf)
	[ "$a" -gt "$s" ] || atf_fail "the dense core is not larger"
	mkdir mnt
	mount -t tmpfs -o size=$(((d + (s + a) / 2) / 1048576 + 1))m tmpfs \
	    mnt 2>mount.err ||
	    atf_skip "cannot mount a tmpfs here: $(cat mount.err)"
	cp dense.0 mnt/ || atf_fail "cp dense.0"
	(cd mnt && trace ../x "$MD2ELF" -k ../kernel -o x.elf dense.0)
	grep '^[0-9]* *copy_file_range(' x.tr | grep -q '= -1 ENOSPC' ||
	    atf_fail "copy_file_range did not run out of space"
	cmp rw.elf mnt/x.elf || atf_fail "the core differs from rw's"
	cmp rw.sum x.sum || atf_fail "'$(cat x.sum)', rw: '$(cat rw.sum)'"
	atf_check -s exit:0 -o ignore -e empty "$CORECK" -M model mnt/x.elf
	[ "$(ls mnt)" = "dense.0
x.elf" ] || atf_fail "in mnt: $(ls mnt)"
}
nospace_cleanup()
{
	umount mnt 2>/dev/null || true
}

atf_test_case shrank
shrank_head()
{
	atf_set descr 'the dump cut short while its pages are copied (gdb' \
	    'stops md2elf at m2e_copy_pages and truncates it): exit 1, the' \
	    'message names the new end of file, nothing left, on each path'
	atf_set require.progs gdb-multiarch
}
shrank_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	no_leak_check		# gdb traces md2elf
	gen -V 3 -s 65
	size=$(wc -c <vmcore.0)
	# In the middle of a page, and into the last pages (a hole there
	# must not pass for the rest of the dump).
	for cut in $((size / 2 + 100)) $((size - 5000)); do
		for m in auto copy_file_range rw; do
			cp --sparse=always vmcore.0 shr.0
			MD2ELF_COPY=$m gdb-multiarch -q -batch -nx \
			    -ex 'set breakpoint pending on' \
			    -ex 'break m2e_copy_pages' -ex run \
			    -ex "shell truncate -s $cut shr.0" -ex continue \
			    --args "$MD2ELF" -q -o o.elf shr.0 >gdb.out 2>&1
			grep -q 'exited with code 01' gdb.out ||
			    atf_fail "$m, cut at $cut: $(tail -3 gdb.out)"
			printf 'md2elf: shr.0: offset %#x: page data truncated %s\n' \
			    $cut '(end of file) (output o.elf)' >want
			grep -qxF "$(cat want)" gdb.out || atf_fail "$m, cut" \
			    "at $cut: $(grep md2elf: gdb.out), want $(cat want)"
			[ ! -e o.elf ] || atf_fail "$m: o.elf left behind"
			! ls -A | grep -q '^\.' || atf_fail "left: $(ls -A)"
		done
	done
}

atf_test_case full_disk cleanup
full_disk_head()
{
	atf_set descr 'the output fills up on each path (a 4 MiB tmpfs):' \
	    'exit 1, the message names the output offset, nothing left'
	atf_set require.user root
}
full_disk_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 67
	mkdir mnt
	mount -t tmpfs -o size=4m tmpfs mnt 2>mount.err ||
	    atf_skip "cannot mount a tmpfs here: $(cat mount.err)"
	for m in auto clone copy_file_range rw; do
		atf_check -s exit:1 -o empty -e save:$m.err env MD2ELF_COPY=$m \
		    "$MD2ELF" -k kernel -o mnt/core.elf vmcore.0
		grep -Eq '^md2elf: vmcore\.0: writing the core: output offset '\
'0x[0-9a-f]+: No space left on device \(output mnt/core\.elf\)$' $m.err ||
		    atf_fail "$m: $(cat $m.err)"
		[ -z "$(ls -A mnt)" ] || atf_fail "$m: left behind: $(ls -A mnt)"
		echo "$m: $(cat $m.err)"
	done
}
full_disk_cleanup()
{
	umount mnt 2>/dev/null || true
}

atf_init_test_cases()
{
	atf_add_test_case paths
	atf_add_test_case clone
	atf_add_test_case refused
	atf_add_test_case nospace
	atf_add_test_case shrank
	atf_add_test_case full_disk
}
