#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# savecore_test: savecore(8) against dump device images with known ground
# truth: mkdump's device images (and scdev's textdump, encrypted and
# header version 1 images) are saved and compared byte for byte with the
# plain vmcore of the same dump (mkdump -H none); info.N, bounds, -m, the
# .last links, the clearing of the device's trailing header (and nothing
# else), -C, -c, -f, -k, compressed dumps (kept, -u, -z), sparse output,
# minfree, -e (the ELF core checked by coreck; core.txt.N in
# savecore_report_test), fstab, the usage errors.

SEED=7

setup()
{
	SRCDIR=$(atf_get_srcdir)
	MKDUMP=$SRCDIR/gen/mkdump
	CORECK=$SRCDIR/gen/coreck
	SCDEV=$SRCDIR/scdev
	SAVECORE=${SAVECORE:-$SRCDIR/../savecore/savecore}
	for p in "$MKDUMP" "$CORECK" "$SCDEV" "$SAVECORE"; do
		[ -x "$p" ] || atf_fail "$p is not built (run make first)"
	done
	TZ=UTC
	export TZ
	mkdir crash
}

# mkdev [MKDUMP-ARGS...]: dev.img, a dump device image (remembered as orig),
# with kernel, model and facts; ref: the same dump as a plain vmcore.
# Saving such a dump for real (without -k) makes savecore fsync 55 MiB,
# which costs seconds on a busy disk: most cases use -k or small images.
mkdev()
{
	"$MKDUMP" -v -m 64 -s $SEED -H device "$@" -o dev.img -k kernel \
	    -M model >facts 2>gen.err || atf_fail "mkdump $*: $(cat gen.err)"
	[ -f ref ] || "$MKDUMP" -m 64 -s $SEED -H none -o ref 2>gen.err ||
	    atf_fail "mkdump -H none: $(cat gen.err)"
	snap dev.img orig
}

# mksmall: dev.img, a small device image of the data in file small (256 KiB:
# text, a zero run, text) written by scdev, remembered as orig.  For the tests
# about numbering and device handling, where a big dump only costs time.
mksmall()
{
	if [ ! -f small ]; then
		{ seq 1 30000; dd if=/dev/zero bs=4096 count=8 2>/dev/null;
		    seq 30000 60000; } | head -c 262144 >small
	fi
	"$SCDEV" -o dev.img small || atf_fail "scdev"
	snap dev.img orig
}

# File facts, with GNU stat (-c) or BSD stat (-f): the size, the permission
# bits in octal, the bytes allocated (st_blocks is in 512-byte units on the
# BSDs; GNU says the unit with %B).
fsize()
{
	stat -c %s "$1" 2>/dev/null || stat -f %z "$1"
}
fmode()
{
	stat -c %a "$1" 2>/dev/null || stat -f %Lp "$1"
}
falloc()
{
	set -- "$1" "$(stat -c '%b %B' "$1" 2>/dev/null ||
	    stat -f '%b 512' "$1")"
	echo $(( ${2% *} * ${2#* } ))
}

fact()
{
	sed -n "s/^$1 //p" "${2:-facts}"
}

# The trailing header of image $1 (block size $2, default 512): its offset,
# a field as text (OFF LEN), a big-endian number (OFF LEN).
lasthd()
{
	echo $(( $(fsize "$1") - ${2:-512} ))
}
hstr()
{
	dd if="$1" bs=1 skip=$(( $(lasthd "$1" "${4:-512}") + $2 )) count=$3 \
	    2>/dev/null | tr -d '\000'
}
hnum()
{
	printf '%d' 0x$(od -An -tx1 -v -j $(( $(lasthd "$1" "${4:-512}") + $2 )) \
	    -N $3 "$1" | tr -d ' \n')
}

# snap IMG NAME [full]: remember image IMG as NAME: its last 4 KiB (the
# trailing header) in NAME.tail and, if full, the checksum of the rest.
# No copy of the whole image: the test writes as little as it can.
snap()
{
	rm -f "$2.sum"
	size=$(fsize "$1")
	[ -z "$3" ] || head -c $((size - 4096)) "$1" | cksum >"$2.sum"
	tail -c 4096 "$1" >"$2.tail"
}

# unchanged IMG NAME: IMG is as it was when remembered as NAME.
unchanged()
{
	size=$(fsize "$1")
	{ [ ! -f "$2.sum" ] || head -c $((size - 4096)) "$1" | cksum |
	    cmp -s - "$2.sum"; } && tail -c 4096 "$1" | cmp -s - "$2.tail"
}

# restore IMG NAME: put the remembered last 4 KiB back.
restore()
{
	dd if="$2.tail" of="$1" bs=512 seek=$(( ($(fsize "$1") - 4096) / 512 )) \
	    conv=notrunc 2>/dev/null
	unchanged "$1" "$2" || atf_fail "$1 cannot be restored"
}

# check_cleared IMG NAME [BLOCKSIZE]: IMG differs from what was remembered
# as NAME only in the trailing header's magic, now "Cleared Kernel Dump".
check_cleared()
{
	bs=${3:-512}
	[ "$(hstr "$1" 0 20 "$bs")" = "Cleared Kernel Dump" ] ||
	    atf_fail "trailing magic is '$(hstr "$1" 0 20 "$bs")'"
	size=$(fsize "$1")
	[ ! -f "$2.sum" ] || head -c $((size - 4096)) "$1" | cksum |
	    cmp -s - "$2.sum" || atf_fail "$1 changed before its last 4 KiB"
	tail -c 4096 "$1" >now.tail
	cmp -l "$2.tail" now.tail >diffs || true
	[ -s diffs ] || atf_fail "$1 was not modified"
	while read off a b; do
		[ "$off" -gt $((4096 - bs)) ] && [ "$off" -le $((4096 - bs + 20)) ] ||
		    atf_fail "byte $off of the last 4 KiB of $1 changed"
	done <diffs
}

# Nothing but the names $@ (and no temporary file) in directory crash.
check_files()
{
	want=$(for f in "$@"; do echo "$f"; done | sort)
	got=$(ls -A crash | sort)
	[ "$got" = "$want" ] || atf_fail "crash holds '$(echo $got)', expected '$(echo $want)'"
}

# Symbolic link crash/$1 points to $2.
check_link()
{
	[ -L "crash/$1" ] && [ "$(readlink "crash/$1")" = "$2" ] ||
	    atf_fail "crash/$1 is not a link to $2"
}

# The info file savecore should write for image $1 (block size $2) saved
# from device name $3 as number $4 with status $5 (magic $6 if forced).
expected_info()
{
	img=$1 bs=$2
	comp=none
	case $(hnum "$img" 495 1 "$bs") in
	1)	comp=gzip ;;
	2)	comp=zstd ;;
	esac
	t=$(hnum "$img" 48 8 "$bs")
	parity=$(od -An -tu4 -j $(( $(lasthd "$img" "$bs") + 508 )) -N 4 \
	    "$img" | tr -d ' ')
	printf 'Dump header from device: %s\n' "$3"
	printf '  Architecture: %s\n' "$(hstr "$img" 20 12 "$bs")"
	printf '  Architecture Version: %d\n' "$(hnum "$img" 36 4 "$bs")"
	printf '  Dump Length: %d\n' "$(hnum "$img" 40 8 "$bs")"
	printf '  Blocksize: %d\n' "$(hnum "$img" 60 4 "$bs")"
	printf '  Compression: %s\n' "$comp"
	printf '  Dumptime: %s\n' "$(date -u -d "@$t" '+%Y-%m-%d %H:%M:%S +0000')"
	printf '  Hostname: %s\n' "$(hstr "$img" 64 64 "$bs")"
	printf '  Magic: %s\n' "${6:-$(hstr "$img" 0 20 "$bs")}"
	printf '  Version String: %s\n' "$(hstr "$img" 128 192 "$bs")"
	printf '  Panic String: %s\n' "$(hstr "$img" 320 175 "$bs")"
	printf '  Dump Parity: %s\n' "$parity"
	printf '  Bounds: %d\n' "$4"
	printf '  Dump Status: %s\n' "$5"
}

atf_test_case save
save_head()
{
	atf_set descr 'a device image saved as vmcore.0, byte-identical to' \
	    'the plain vmcore, sparse, with info.0, bounds, links, messages;' \
	    'the trailing magic cleared and nothing else; a second run finds' \
	    'no dump'
}
save_body()
{
	setup
	mkdev
	snap dev.img orig full
	panic=$(hstr dev.img 320 175)
	printf 'savecore: reboot after panic: %s\nsavecore: writing core to crash/vmcore.0\n' \
	    "$panic" >want.err
	atf_check -s exit:0 -o empty -e file:want.err \
	    "$SAVECORE" crash ./dev.img
	cmp crash/vmcore.0 ref || atf_fail "vmcore.0 differs from the dump"
	check_files bounds info.0 info.last vmcore.0 vmcore.last
	check_link info.last info.0
	check_link vmcore.last vmcore.0
	[ "$(cat crash/bounds)" = 1 ] || atf_fail "bounds: $(cat crash/bounds)"
	[ "$(fmode crash/vmcore.0)" = 600 ] ||
	    atf_fail "vmcore.0 mode $(fmode crash/vmcore.0)"
	[ "$(fmode crash/info.0)" = 600 ] || atf_fail "info.0 mode"
	# Sparse: the zero 4 KiB blocks of the dump are holes.
	size=$(fsize crash/vmcore.0)
	alloc=$(falloc crash/vmcore.0)
	refalloc=$(falloc ref)
	[ "$alloc" -le $((refalloc + 65536)) ] && [ "$alloc" -lt $((size * 9 / 10)) ] ||
	    atf_fail "vmcore.0: $alloc bytes allocated for $size (mkdump's: $refalloc)"
	echo "vmcore.0: $size bytes, $alloc allocated"
	check_cleared dev.img orig

	# The dump is gone: nothing found, nothing written.
	snap dev.img cleared full
	atf_check -s exit:0 -o empty -e empty "$SAVECORE" crash ./dev.img
	atf_check -s exit:0 -o match:'^magic mismatch on last dump header on ./dev.img$' \
	    -e inline:'savecore: no dumps found\n' "$SAVECORE" -v crash ./dev.img
	unchanged dev.img cleared || atf_fail "a cleared device was modified"
	check_files bounds info.0 info.last vmcore.0 vmcore.last
	[ "$(cat crash/bounds)" = 1 ] || atf_fail "bounds: $(cat crash/bounds)"

	# md2elf on the device savecore cleared (whose parity savecore left
	# as it was): "already saved", not a parity error; -F converts it.
	md2elf=$SRCDIR/../md2elf/md2elf
	atf_check -s exit:1 -o empty -e match:"^md2elf: \./dev\.img: offset 0x[0-9a-f]+: the dump header is marked \"Cleared Kernel Dump\": savecore\(8\) already saved this dump \(use -F to force\)\$" \
	    "$md2elf" -q -o cleared.elf ./dev.img
	[ ! -e cleared.elf ] || atf_fail "md2elf left cleared.elf"
	# (With a warning: the cleared trailing header no longer matches.)
	atf_check -s exit:0 -o empty \
	    -e match:'^md2elf: warning: \./dev\.img: offset 0x[0-9a-f]+: the leading kerneldumpheader does not match the trailing one$' \
	    "$md2elf" -q -F -o cleared.elf ./dev.img
	atf_check -s exit:0 -o ignore -e ignore "$CORECK" -M model cleared.elf
}

atf_test_case info
info_head()
{
	atf_set descr 'info.N: every field as in the header, Dump Status good;' \
	    'with -v the same on stdout with the progress messages; -vv'
}
info_body()
{
	setup
	mkdev
	expected_info dev.img 512 ./dev.img 0 good >want.info
	atf_check -s exit:0 -o save:out -e ignore "$SAVECORE" -v -k crash ./dev.img
	diff -u want.info crash/info.0 || atf_fail "info.0 differs"
	[ "$(hstr orig.tail 64 64)" = "$(fact hostname)" ] ||
	    atf_fail "the test reads the header wrong"
	grep -q "^  Dumptime: $(date -u -d @$(fact dumptime) '+%Y-%m-%d %H:%M:%S') +0000$" \
	    crash/info.0 || atf_fail "Dumptime: $(grep Dumptime crash/info.0)"
	for line in 'unable to open bounds file, using 0' \
	    'checking for kernel dump on device ./dev.img' \
	    "mediasize = $(fsize dev.img) bytes" 'sectorsize = 512 bytes' \
	    'Checking for available free space' 'bounds number: 1' \
	    'dump saved'; do
		grep -qxF "$line" out || atf_fail "-v did not print '$line'"
	done
	grep -q 'clearing' out && atf_fail "-k cleared"
	sed -n '/^Dump header from device/,/Dump Status/p' out >printed
	diff -u want.info printed || atf_fail "-v printed another header"
	unchanged dev.img orig || atf_fail "-k modified the device"

	# -vv: both headers.
	atf_check -s exit:0 -o save:out -e ignore "$SAVECORE" -vv -k crash ./dev.img
	grep -q '^First dump headers:$' out && grep -q '^Last dump headers:$' out ||
	    atf_fail "-vv: $(cat out)"
	[ "$(grep -c '^  Dump Status: unknown$' out)" = 2 ] || atf_fail "-vv: $(cat out)"
	grep -qx '  Bounds: 1' crash/info.1 || atf_fail "info.1"
}

atf_test_case bounds
bounds_head()
{
	atf_set descr 'consecutive numbers from the bounds file, info.last and' \
	    'vmcore.last follow; two devices in one run; bad bounds files'
}
bounds_body()
{
	setup
	mksmall
	for n in 0 1 2; do
		atf_check -s exit:0 -o empty -e ignore "$SAVECORE" -k crash ./dev.img
		cmp crash/vmcore.$n small || atf_fail "vmcore.$n differs"
		[ "$(cat crash/bounds)" = $((n + 1)) ] || atf_fail "bounds $(cat crash/bounds)"
		grep -qx "  Bounds: $n" crash/info.$n || atf_fail "info.$n"
		check_link info.last info.$n
		check_link vmcore.last vmcore.$n
	done
	unchanged dev.img orig || atf_fail "-k modified the device"
	# Two devices: consecutive numbers in one run.
	cp dev.img dev2.img
	atf_check -s exit:0 -o ignore -e match:'2 cores saved in crash' \
	    "$SAVECORE" -v crash ./dev.img ./dev2.img
	cmp crash/vmcore.3 small && cmp crash/vmcore.4 small || atf_fail "two devices"
	grep -qx 'Dump header from device: ./dev2.img' crash/info.4 || atf_fail "info.4"
	check_cleared dev.img orig
	check_cleared dev2.img orig

	# Unusable bounds files count from 0.
	echo junk >crash/bounds
	restore dev.img orig
	atf_check -s exit:0 -o empty \
	    -e match:'^savecore: invalid value found in bounds, using 0$' \
	    "$SAVECORE" crash ./dev.img
	cmp crash/vmcore.0 small || atf_fail "vmcore.0 after a bad bounds file"
	: >crash/bounds
	restore dev.img orig
	atf_check -s exit:0 -o empty \
	    -e match:'^savecore: bounds file is empty, using 0$' \
	    "$SAVECORE" crash ./dev.img
	[ "$(cat crash/bounds)" = 1 ] || atf_fail "bounds $(cat crash/bounds)"
}

atf_test_case maxdumps
maxdumps_head()
{
	atf_set descr '-m: numbers wrap at maxdumps, the old dump N and its' \
	    'files (.gz, .zst, textdump, .elf) are replaced; bad values'
}
maxdumps_body()
{
	setup
	mksmall
	for n in 0 1 0 1; do
		atf_check -s exit:0 -o empty -e ignore "$SAVECORE" -k -m 2 crash ./dev.img
		[ "$(cat crash/bounds)" = $((n + 1)) ] ||
		    atf_fail "bounds $(cat crash/bounds), expected $((n + 1))"
		check_link vmcore.last vmcore.$n
	done
	check_files bounds info.0 info.1 info.last vmcore.0 vmcore.1 vmcore.last
	# Number 0 again: its older files go, whatever their kind.
	echo 2 >crash/bounds
	for f in vmcore.0.gz vmcore.0.zst textdump.tar.0 textdump.tar.0.gz \
	    vmcore.0.elf livecore.0; do
		echo old >crash/$f
	done
	atf_check -s exit:0 -o empty -e ignore "$SAVECORE" -k -m 2 crash ./dev.img
	check_files bounds info.0 info.1 info.last vmcore.0 vmcore.1 vmcore.last
	cmp crash/vmcore.0 small || atf_fail "vmcore.0 differs"
	# A number beyond a lowered maximum wraps too.
	echo 7 >crash/bounds
	atf_check -s exit:0 -o empty -e ignore "$SAVECORE" -k -m 2 crash ./dev.img
	[ "$(cat crash/bounds)" = 1 ] || atf_fail "bounds $(cat crash/bounds)"

	for m in 0 -1 x; do
		atf_check -s exit:1 -o empty \
		    -e inline:'savecore: Invalid maxdump value\n' \
		    "$SAVECORE" -m $m crash ./dev.img
	done
}

atf_test_case check
check_head()
{
	atf_set descr '-C: exit 0 and "A dump exists on DEV" at the first valid' \
	    'dump, 1 otherwise; never writes'
}
check_body()
{
	setup
	mksmall
	snap dev.img orig full
	atf_check -s exit:0 -o inline:'A dump exists on ./dev.img\n' -e empty \
	    "$SAVECORE" -C ./dev.img
	unchanged dev.img orig || atf_fail "-C modified the device"
	check_files
	# No dump on the first device, one on the second.
	dd if=/dev/zero of=zero.img bs=64k count=16 2>/dev/null
	atf_check -s exit:0 -o inline:'A dump exists on ./dev.img\n' -e empty \
	    "$SAVECORE" -C ./zero.img ./dev.img
	atf_check -s exit:1 -o empty -e empty "$SAVECORE" -C ./zero.img
	atf_check -s exit:1 -o match:'^No dump exists$' -e empty \
	    "$SAVECORE" -C -v ./zero.img
	# Cleared: no dump.
	atf_check -s exit:0 -o empty -e empty "$SAVECORE" -c ./dev.img
	atf_check -s exit:1 -o empty -e empty "$SAVECORE" -C ./dev.img
	# A dump that fails its checks does not count.
	mkdev -X kdh-parity
	atf_check -s exit:1 -o empty \
	    -e inline:'savecore: parity error on last dump header on ./dev.img\n' \
	    "$SAVECORE" -C ./dev.img
	unchanged dev.img orig || atf_fail "-C modified the device"
}

atf_test_case clear
clear_head()
{
	atf_set descr '-c clears the trailing header without saving, even a' \
	    'dump with a bad parity; -c -f also a cleared one'
}
clear_body()
{
	setup
	mksmall
	snap dev.img orig full
	cd crash
	atf_check -s exit:0 -o inline:'checking for kernel dump on device ../dev.img\nmediasize = '$(fsize ../dev.img)' bytes\nsectorsize = 512 bytes\nclearing dump header\n' \
	    -e inline:'savecore: no unsaved dumps found\n' "$SAVECORE" -c -v ../dev.img
	cd ..
	check_files
	check_cleared dev.img orig
	atf_check -s exit:1 -o empty -e empty "$SAVECORE" -C ./dev.img
	# Nothing to clear: the device is left alone.
	snap dev.img cleared full
	atf_check -s exit:0 -o empty -e empty "$SAVECORE" -c ./dev.img
	unchanged dev.img cleared || atf_fail "-c rewrote a cleared header"
	atf_check -s exit:0 -o empty -e empty "$SAVECORE" -c -f ./dev.img
	check_cleared dev.img orig

	mkdev -X kdh-parity
	atf_check -s exit:0 -o empty -e empty "$SAVECORE" -c ./dev.img
	check_cleared dev.img orig
	check_files
}

atf_test_case force
force_head()
{
	atf_set descr '-f saves a cleared dump, one with a bad parity, with' \
	    'disagreeing headers, of an unknown version (Dump Status bad);' \
	    'without -f none is saved and the device is untouched'
}
force_body()
{
	setup
	# A cleared dump is saved with -f (and cleared again).
	mkdev
	atf_check -s exit:0 -o empty -e empty "$SAVECORE" -c ./dev.img
	snap dev.img cleared
	atf_check -s exit:0 -o empty -e empty "$SAVECORE" crash ./dev.img
	check_files
	atf_check -s exit:0 -o match:'^forcing magic on ./dev.img$' -e ignore \
	    "$SAVECORE" -v -k -f crash ./dev.img
	cmp crash/vmcore.0 ref || atf_fail "forced vmcore.0 differs"
	expected_info orig.tail 512 ./dev.img 0 bad >want.info
	diff -u want.info crash/info.0 || atf_fail "info.0 of a forced dump"
	unchanged dev.img cleared || atf_fail "-k changed the header"

	# Bad parity: an error (exit 1) unless -f.
	mkdev -X kdh-parity
	atf_check -s exit:1 -o empty \
	    -e inline:'savecore: parity error on last dump header on ./dev.img\n' \
	    "$SAVECORE" crash ./dev.img
	unchanged dev.img orig || atf_fail "a failed save modified the device"
	[ ! -e crash/vmcore.1 ] || atf_fail "saved without -f"
	atf_check -s exit:0 -o empty -e match:'parity error on last dump header' \
	    "$SAVECORE" -f crash ./dev.img
	cmp crash/vmcore.1 ref || atf_fail "forced vmcore.1 differs"
	expected_info orig.tail 512 ./dev.img 1 bad >want.info
	diff -u want.info crash/info.1 || atf_fail "info.1"
	check_cleared dev.img orig

	# Leading and trailing headers disagree.
	mkdev -X kdh-disagree
	atf_check -s exit:1 -o empty \
	    -e inline:'savecore: first and last dump headers disagree on ./dev.img\n' \
	    "$SAVECORE" crash ./dev.img
	unchanged dev.img orig || atf_fail "a failed save modified the device"
	atf_check -s exit:0 -o empty -e match:'disagree' \
	    "$SAVECORE" -f -k crash ./dev.img
	cmp crash/vmcore.2 ref || atf_fail "forced vmcore.2 differs"
	grep -qx '  Dump Status: bad' crash/info.2 || atf_fail "info.2 status"

	# Unknown header version: not a dump (exit 0) unless -f.
	mkdev -X kdh-version=3
	atf_check -s exit:0 -o empty \
	    -e inline:'savecore: unknown version (3) in last dump header on ./dev.img\n' \
	    "$SAVECORE" crash ./dev.img
	atf_check -s exit:0 -o empty -e match:'unknown version' \
	    "$SAVECORE" -f -k crash ./dev.img
	cmp crash/vmcore.3 ref || atf_fail "forced vmcore.3 differs"

	# A bad magic cannot be forced.
	mkdev -X kdh-magic
	atf_check -s exit:0 -o empty -e empty "$SAVECORE" crash ./dev.img
	atf_check -s exit:0 -o empty \
	    -e inline:'savecore: unable to force dump - bad magic\n' \
	    "$SAVECORE" -f crash ./dev.img
	unchanged dev.img orig || atf_fail "a bad magic was modified"
	[ "$(cat crash/bounds)" = 4 ] || atf_fail "bounds $(cat crash/bounds)"
}

atf_test_case compressed
compressed_head()
{
	atf_set descr 'kernel-compressed dumps kept as vmcore.N.gz / .zst' \
	    '(identical after decompression), -u decompressed to a sparse' \
	    'vmcore.N identical to the plain dump, -z ignored'
	atf_set require.progs gzip zstd
}
compressed_body()
{
	setup
	mkdev -c gzip
	atf_check -s exit:0 -o empty \
	    -e match:'^savecore: writing core to crash/vmcore.0.gz$' \
	    "$SAVECORE" -k crash ./dev.img
	check_files bounds info.0 info.last vmcore.0.gz vmcore.last.gz
	check_link vmcore.last.gz vmcore.0.gz
	[ "$(fsize crash/vmcore.0.gz)" = "$(hnum orig.tail 40 8)" ] ||
	    atf_fail "vmcore.0.gz is not dumplength bytes"
	gzip -dc crash/vmcore.0.gz | cmp - ref || atf_fail "vmcore.0.gz"
	expected_info orig.tail 512 ./dev.img 0 good >want.info
	diff -u want.info crash/info.0 || atf_fail "info.0"
	grep -qx '  Compression: gzip' crash/info.0 || atf_fail "Compression"
	# -u: decompressed, sparse.
	atf_check -s exit:0 -o match:'^dump to be uncompressed$' \
	    -e match:'^savecore: writing core to crash/vmcore.1$' \
	    "$SAVECORE" -v -k -u crash ./dev.img
	check_link vmcore.last vmcore.1
	[ ! -e crash/vmcore.last.gz ] || atf_fail "old link left"
	cmp crash/vmcore.1 ref || atf_fail "-u of gzip differs"
	alloc=$(falloc crash/vmcore.1)
	refalloc=$(falloc ref)
	[ "$alloc" -le $((refalloc + 65536)) ] ||
	    atf_fail "-u of gzip not sparse: $alloc allocated, mkdump's $refalloc"
	grep -qx '  Compression: gzip' crash/info.1 || atf_fail "Compression"

	mkdev -c zstd
	atf_check -s exit:0 -o match:'^dump is already compressed$' \
	    -e match:'^savecore: writing core to crash/vmcore.2.zst$' \
	    "$SAVECORE" -v -z -k crash ./dev.img
	check_link vmcore.last.zst vmcore.2.zst
	zstd -qdc crash/vmcore.2.zst | cmp - ref || atf_fail "vmcore.2.zst"
	grep -qx '  Compression: zstd' crash/info.2 || atf_fail "Compression"
	atf_check -s exit:0 -o empty -e ignore "$SAVECORE" -u crash ./dev.img
	cmp crash/vmcore.3 ref || atf_fail "-u of zstd differs"
	alloc=$(falloc crash/vmcore.3)
	[ "$alloc" -le $((refalloc + 65536)) ] ||
	    atf_fail "-u of zstd not sparse: $alloc allocated, mkdump's $refalloc"
	check_cleared dev.img orig

	# -u on an uncompressed dump: a plain save.
	mksmall
	atf_check -s exit:0 -o empty -e ignore "$SAVECORE" -u crash ./dev.img
	cmp crash/vmcore.4 small || atf_fail "-u of a plain dump"
}

atf_test_case corrupt_stream
corrupt_stream_head()
{
	atf_set descr '-u on a damaged compressed stream: an error, no' \
	    'vmcore, the dump stays on the device'
}
corrupt_stream_body()
{
	setup
	mkdev -c zstd
	# Damage the middle of the compressed data.
	len=$(hnum dev.img 40 8)
	start=$(( $(lasthd dev.img) - $(hnum dev.img 496 8) ))
	printf 'XXXXXXXXXXXXXXXX' | dd of=dev.img bs=1 seek=$((start + len / 2)) \
	    conv=notrunc 2>/dev/null
	atf_check -s exit:1 -o empty \
	    -e match:'^savecore: decompression failed: \./dev\.img: offset 0x[0-9a-f]+: zstd data error: ' \
	    "$SAVECORE" -u crash ./dev.img
	# Nothing saved: no info.0, no bounds (the number is taken again).
	check_files
	unchanged dev.img orig || atf_fail "the device was cleared"
	# Without -u it is saved as it is.
	atf_check -s exit:0 -o empty -e ignore "$SAVECORE" -k crash ./dev.img
	dd if=dev.img bs=512 skip=$((start / 512)) count=$(( (len + 511) / 512 )) \
	    2>/dev/null | head -c $len >want.zst
	cmp crash/vmcore.0.zst want.zst || atf_fail "vmcore.0.zst differs"
	# Cut short: the end of the stream is missing.
	mkdev -c gzip -X kdh-length=20000000
	start=$(( $(lasthd dev.img) - $(hnum dev.img 496 8) ))
	atf_check -s exit:1 -o empty \
	    -e match:"^savecore: decompression failed: \\./dev\\.img: offset $(printf %#x $((start + 20000000))): truncated gzip stream \\(the compressed data ends inside a member\\)\$" \
	    "$SAVECORE" -u crash ./dev.img
	[ ! -e crash/vmcore.1 ] || atf_fail "a partial vmcore.1 stayed"
	[ "$(cat crash/bounds)" = 1 ] || atf_fail "bounds $(cat crash/bounds)"
	ls -A crash | grep -q '^\.' && atf_fail "left behind: $(ls -A crash)"
	unchanged dev.img orig || atf_fail "the device was cleared"
}

atf_test_case multi_member
multi_member_head()
{
	atf_set descr '-u on a device holding two gzip members (cat a.gz' \
	    'b.gz) or two zstd frames: both saved whole; bytes after the' \
	    'last member that are not gzip: an error, the dump stays'
	atf_set require.progs gzip zstd
}
multi_member_body()
{
	setup
	{ seq 1 200000; dd if=/dev/zero bs=65536 count=40 2>/dev/null; } >a
	{ dd if=/dev/zero bs=65536 count=8 2>/dev/null; seq 300000 900000; } >b
	cat a b >want
	n=0
	for c in gzip:1 zstd:2; do
		comp=${c%:*}
		{ $comp -q -c a; $comp -q -c b; } >data
		"$SCDEV" -c ${c#*:} -o dev.img data || atf_fail "scdev"
		snap dev.img orig
		atf_check -s exit:0 -o empty -e ignore "$SAVECORE" -u crash \
		    ./dev.img
		cmp crash/vmcore.$n want ||
		    atf_fail "$comp: vmcore.$n is not both members"
		check_cleared dev.img orig
		n=$((n + 1))
	done
	# Trailing bytes that are not another member.
	{ gzip -q -c a; gzip -q -c b; echo garbage; } >data
	"$SCDEV" -c 1 -o dev.img data || atf_fail "scdev"
	snap dev.img orig
	start=$(( $(lasthd dev.img) - $(hnum dev.img 496 8) ))
	at=$(printf %#x $((start + $(wc -c <data) - 8)))
	atf_check -s exit:1 -o empty \
	    -e match:"^savecore: decompression failed: \\./dev\\.img: offset $at: 8 bytes after the end of the gzip stream are not gzip data\$" \
	    "$SAVECORE" -u crash ./dev.img
	[ ! -e crash/vmcore.$n ] || atf_fail "a partial vmcore.$n stayed"
	unchanged dev.img orig || atf_fail "the device was cleared"
}

atf_test_case minfree_written
minfree_written_head()
{
	atf_set descr 'minfree holds for what is written, not only for the' \
	    'length on the device: -u of 96 MiB that gzip made 100 KB,' \
	    'into a 64 MiB tmpfs with 16 MiB reserved: stopped, nothing' \
	    'saved, the device kept'
	atf_set require.user root
	atf_set require.progs gzip
}
minfree_written_body()
{
	setup
	mount -t tmpfs -o size=64m tmpfs crash 2>mount.err ||
	    atf_skip "cannot mount a tmpfs here: $(cat mount.err)"
	yes 'not a hole, but it compresses well' | head -c 100663296 |
	    gzip -q -c >data
	"$SCDEV" -c 1 -o dev.img data || atf_fail "scdev"
	snap dev.img orig
	echo 16384 >crash/minfree
	atf_check -s exit:1 -o empty -e save:err \
	    "$SAVECORE" -u crash ./dev.img
	umount_rc=0
	grep -Eqx 'savecore: no dump: not enough free space on device for vmcore\.0 after [0-9]+ bytes \([0-9]+kB available; 16384kB reserved\)' err ||
	    umount_rc=1
	ls -A crash >left
	umount crash
	[ $umount_rc -eq 0 ] || atf_fail "message: $(cat err)"
	grep -v '^minfree$' left | grep -q '^vmcore' &&
	    atf_fail "left behind: $(cat left)"
	unchanged dev.img orig || atf_fail "the device was cleared"
	echo "$(cat err)"
}

atf_test_case escaped_text
escaped_text_head()
{
	atf_set descr 'hostname and panic string with a newline, escape and' \
	    'carriage-return bytes: escaped (vis(3) C style) in info.N, -v' \
	    'and the messages; no forged line'
}
escaped_text_body()
{
	setup
	mksmall
	host=$(printf 'h\rost\\x')
	panic=$(printf 'oops\n  Dump Status: good\033[2J')
	"$SCDEV" -H "$host" -P "$panic" -o dev.img small || atf_fail "scdev"
	atf_check -s exit:0 -o save:out -e save:err \
	    "$SAVECORE" -v -k crash ./dev.img
	for f in crash/info.0 out; do
		grep -qx '  Hostname: h\\rost\\\\x' $f ||
		    atf_fail "$f: hostname not escaped: $(grep Hostname $f)"
		grep -qx '  Panic String: oops\\n  Dump Status: good\\033\[2J' $f ||
		    atf_fail "$f: panic string not escaped: $(grep -a Panic $f)"
		[ "$(grep -c '^  Dump Status:' $f)" = 1 ] ||
		    atf_fail "$f: a forged Dump Status line"
	done
	# (-v's progress counter ends its lines with \r: not in out.)
	for f in crash/info.0 err; do
		tr -d '\n' <$f | LC_ALL=C grep -q '[^ -~]' &&
		    atf_fail "$f: control bytes printed"
	done
	grep -qx 'savecore: reboot after panic: oops\\n  Dump Status: good\\033\[2J' err ||
	    atf_fail "message not escaped: $(cat err)"
}

atf_test_case fifos
fifos_head()
{
	atf_set descr 'FIFOs named bounds and minfree in the crash directory,' \
	    'a FIFO as the -K kernel or as the device: no hang'
	atf_set timeout 60
}
fifos_body()
{
	setup
	mksmall
	mkfifo crash/bounds crash/minfree kfifo dfifo
	atf_check -s exit:0 -o empty -e save:err \
	    "$SAVECORE" -k -e -K kfifo crash ./dev.img
	grep -qx 'savecore: bounds is not a regular file: ignored' err ||
	    atf_fail "bounds: $(cat err)"
	grep -qx 'savecore: minfree is not a regular file: ignored' err ||
	    atf_fail "minfree: $(cat err)"
	cmp crash/vmcore.0 small || atf_fail "vmcore.0"
	# As savecore(8): a device it cannot use is reported, not an error.
	atf_check -s exit:0 -o empty \
	    -e inline:"savecore: couldn't find media and/or sector size of ./dfifo: Inappropriate ioctl for device\n" \
	    "$SAVECORE" crash ./dfifo
}

atf_test_case device_messages
device_messages_head()
{
	atf_set descr 'a device smaller than a sector, a dump extent larger' \
	    'than the device: one line naming the device and the offset'
}
device_messages_body()
{
	setup
	head -c 100 /dev/zero >tiny.img
	atf_check -s exit:0 -o empty \
	    -e inline:"savecore: ./tiny.img: offset 0: 100 bytes, less than a 512-byte sector: no dump header\n" \
	    "$SAVECORE" -k crash ./tiny.img
	mkdev -X kdh-extent=0x100000000
	last=$(printf %#x $(lasthd dev.img))
	atf_check -s exit:1 -o empty \
	    -e inline:"savecore: ./dev.img: offset $last: the last dump header's extent of 4294967296 bytes (and headers) does not fit before it\n" \
	    "$SAVECORE" -k crash ./dev.img
}

atf_test_case elf_space
elf_space_head()
{
	atf_set descr '-e -K of a zstd dump into a 64 MiB tmpfs that holds' \
	    'the vmcore.N.zst but not its decompressed data: no ELF core and' \
	    'no crash report, a line each, nothing decompressed into the' \
	    'directory, vmcore.N.zst and info.N saved'
	atf_set require.user root
	atf_set require.progs zstd
}
elf_space_body()
{
	setup
	mount -t tmpfs -o size=64m tmpfs crash 2>mount.err ||
	    atf_skip "cannot mount a tmpfs here: $(cat mount.err)"
	mkdev -c zstd
	need=$(( ($(fsize ref) + 1023) / 1024 ))
	"$SAVECORE" -k -e -K kernel crash ./dev.img >out 2>err
	rc=$?
	ls -A crash >left
	cp crash/info.0 info.0 2>/dev/null
	umount crash
	[ $rc -eq 0 ] || atf_fail "exit $rc: $(cat err)"
	grep -Eqx "savecore: no ELF core: not enough free space on device \(need at least ${need}kB to decompress vmcore\.0\.zst; [0-9]+kB available; 0kB reserved\)" err ||
	    atf_fail "message: $(cat err)"
	grep -qx 'savecore: no crash report crash/core.txt.0: not enough free space to decompress the dump' err ||
	    atf_fail "message: $(cat err)"
	grep -q '^vmcore.0.elf$' left && atf_fail "an ELF core was written"
	grep -q '^core.txt.0$' left && atf_fail "a crash report was written"
	grep -q '^vmcore.0.zst$' left || atf_fail "no vmcore.0.zst: $(cat left)"
	expected_info dev.img 512 ./dev.img 0 good >want.info
	diff -u want.info info.0 || atf_fail "info.0 differs"
	[ "$(grep -c . err)" -eq 4 ] || atf_fail "messages: $(cat err)"
	cat err
}

atf_test_case elf_minfree
elf_minfree_head()
{
	atf_set descr '-e into a 64 MiB tmpfs that holds vmcore.N but not the' \
	    'ELF core: refused before writing, the need being the exact' \
	    'core size (program headers and notes included); no partial' \
	    'vmcore.N.elf, no temporary file'
	atf_set require.user root
}
elf_minfree_body()
{
	setup
	mkdev
	md2elf=$SRCDIR/../md2elf/md2elf
	"$md2elf" -q -o ref.elf ref || atf_fail "md2elf"
	need=$(( ($(fsize ref.elf) + 1023) / 1024 ))
	rm ref.elf
	mount -t tmpfs -o size=64m tmpfs crash 2>mount.err ||
	    atf_skip "cannot mount a tmpfs here: $(cat mount.err)"
	"$SAVECORE" -k -e crash ./dev.img >out 2>err
	rc=$?
	cmp -s crash/vmcore.0 ref
	same=$?
	ls -A crash >left
	umount crash
	[ $rc -eq 0 ] || atf_fail "exit $rc: $(cat err)"
	[ $same -eq 0 ] || atf_fail "vmcore.0 differs"
	grep -Eqx "savecore: no ELF core: not enough free space on device \(need at least ${need}kB for vmcore\.0\.elf; [0-9]+kB available; 0kB reserved\)" err ||
	    atf_fail "message (need ${need}kB): $(cat err)"
	grep -q '^vmcore.0.elf$' left && atf_fail "an ELF core was written"
	grep -q '^\.' left && atf_fail "left: $(cat left)"
	true
}

atf_test_case elf_no_offsets
elf_no_offsets_head()
{
	atf_set descr "-e -K with the dump's kernel lacking the thread" \
	    'offsets: the dumping thread from dumppcb, or without dumppcb a' \
	    'memory-only vmcore.N.elf (checked by coreck); one line saying so'
}
elf_no_offsets_body()
{
	setup
	mkdev -K nooffsets
	atf_check -s exit:0 -o empty -e save:err \
	    "$SAVECORE" -k -e -K kernel crash ./dev.img
	grep -Eqx 'savecore: vmcore\.0\.elf: .*cannot list threads: the kernel lacks proc_off_p_pid.*; only the dumping thread \(tid [0-9]+\), from dumppcb' err ||
	    atf_fail "message: $(cat err)"
	[ -s crash/core.txt.0 ] || atf_fail "no crash report"
	# The crashed thread's registers (and its trap frames') are the
	# model's; its name is unknown without td_name.
	atf_check -s exit:1 -o save:ck -e save:ck.err "$CORECK" -W -M model \
	    crash/vmcore.0.elf
	[ "$(fact threads_known ck)" -ge 2 ] || atf_fail "coreck: $(cat ck)"
	[ "$(fact errors ck)" = 1 ] && grep -q 'NT_THRMISC name "" does not' \
	    ck.err || atf_fail "coreck: $(cat ck.err)"
	rm -rf crash
	mkdir crash
	mkdev -K nooffsets -K nodumppcb
	atf_check -s exit:0 -o empty -e save:err \
	    "$SAVECORE" -k -e -K kernel crash ./dev.img
	grep -Eqx 'savecore: vmcore\.0: cannot list threads: the kernel lacks proc_off_p_pid.*; writing vmcore\.0\.elf without threads' err ||
	    atf_fail "message: $(cat err)"
	atf_check -s exit:0 -o ignore -e empty "$CORECK" -M model \
	    crash/vmcore.0.elf
	check_link vmcore.last.elf vmcore.0.elf
}

atf_test_case leftovers
leftovers_head()
{
	atf_set descr 'temporaries of savecore naming left by a killed run are' \
	    'removed by the next (nothing else is), which takes the number'
}
leftovers_body()
{
	setup
	mksmall
	for f in .vmcore.0.Ab12Cd .info.0.xYz789 .bounds.q1w2e3 \
	    .vmcore.0.elf.ZZZZZZ; do
		echo stale >crash/$f
	done
	for f in .vmcore.0.keep .other.abcdef vmcore.x.abcdef .vmcore.0.ab-cde; do
		echo mine >crash/$f
	done
	mkdir crash/.info.1.dirdir
	atf_check -s exit:0 -o empty -e save:err "$SAVECORE" -k crash ./dev.img
	for f in .vmcore.0.Ab12Cd .info.0.xYz789 .bounds.q1w2e3 \
	    .vmcore.0.elf.ZZZZZZ; do
		grep -qx "savecore: removed $f, left by an interrupted run" err ||
		    atf_fail "no message for $f: $(cat err)"
	done
	check_files bounds info.0 info.last vmcore.0 vmcore.last \
	    .vmcore.0.keep .other.abcdef vmcore.x.abcdef .vmcore.0.ab-cde \
	    .info.1.dirdir
	cmp crash/vmcore.0 small || atf_fail "vmcore.0"
}

atf_test_case leftovers_space
leftovers_space_head()
{
	atf_set descr 'a 40 MiB leftover of a killed run in a 64 MiB tmpfs:' \
	    'removed before the space check, so a 30 MiB dump fits'
	atf_set require.user root
}
leftovers_space_body()
{
	setup
	mount -t tmpfs -o size=64m tmpfs crash 2>mount.err ||
	    atf_skip "cannot mount a tmpfs here: $(cat mount.err)"
	# 30 MiB without a zero block (savecore writes zero blocks as holes).
	seq 1 5000000 | head -c 31457280 >data
	"$SCDEV" -o dev.img data || { umount crash; atf_fail "scdev"; }
	[ "$(fsize data)" -eq 31457280 ] || { umount crash; atf_fail "data"; }
	head -c 41943040 /dev/urandom >crash/.vmcore.0.Ab12Cd
	"$SAVECORE" -k crash ./dev.img >out 2>err
	rc=$?
	cmp -s crash/vmcore.0 data
	same=$?
	ls -A crash >left
	umount crash
	[ $rc -eq 0 ] || atf_fail "exit $rc: $(cat err)"
	grep -qx 'savecore: removed .vmcore.0.Ab12Cd, left by an interrupted run' \
	    err || atf_fail "$(cat err)"
	[ $same -eq 0 ] || atf_fail "vmcore.0 is not the dump: $(cat left)"
	grep -q '^\.' left && atf_fail "left: $(cat left)"
	true
}

atf_test_case interrupted
interrupted_head()
{
	atf_set descr 'SIGTERM and SIGHUP while saving: exit by the signal,' \
	    'no temporary file, no info.N, bounds unchanged, the device kept'
}
interrupted_body()
{
	setup
	{ seq 1 3000000; seq 1 3000000; } >data
	"$SCDEV" -o dev.img data || atf_fail "scdev"
	snap dev.img orig
	# (SIGINT: ignored by background jobs of a non-interactive shell.)
	for sig in TERM HUP; do
		"$SAVECORE" -v crash ./dev.img >out 2>err &
		pid=$!
		i=0
		while ! ls -A crash | grep -q '^\.vmcore\.0\.' &&
		    [ $i -lt 5000 ]; do
			i=$((i + 1))
		done
		kill -STOP $pid
		ls -A crash | grep -q '^\.vmcore\.0\.' ||
		    atf_fail "no temporary file appeared: $(ls -A crash)"
		kill -0 $pid 2>/dev/null ||
		    atf_skip "savecore ended before it was stopped"
		kill -$sig $pid
		kill -CONT $pid
		rc=0
		wait $pid || rc=$?
		[ $rc -gt 128 ] || atf_fail "SIG$sig: exit status $rc"
		[ -z "$(ls -A crash)" ] || atf_fail "SIG$sig: left $(ls -A crash)"
		unchanged dev.img orig || atf_fail "SIG$sig: the device changed"
	done
}

atf_test_case concurrent
concurrent_head()
{
	atf_set descr 'four savecore runs at once into one directory: four' \
	    'numbers, each dump saved whole'
}
concurrent_body()
{
	setup
	for i in 0 1 2 3; do
		{ seq $i 4 200000; } >data$i
		"$SCDEV" -o dev$i.img data$i || atf_fail "scdev"
	done
	for i in 0 1 2 3; do
		"$SAVECORE" -k crash ./dev$i.img 2>err$i &
	done
	wait
	[ "$(cat crash/bounds)" = 4 ] || atf_fail "bounds $(cat crash/bounds)"
	for n in 0 1 2 3; do
		found=
		for i in 0 1 2 3; do
			cmp -s crash/vmcore.$n data$i && found=$i
		done
		[ -n "$found" ] || atf_fail "vmcore.$n is none of the dumps"
		grep -q "^  Dump Length: $(fsize data$found)$" crash/info.$n ||
		    atf_fail "info.$n does not describe vmcore.$n"
		rm data$found
	done
}

atf_test_case gzip_output
gzip_output_head()
{
	atf_set descr '-z: vmcore.N.gz through a gzip writer, identical once' \
	    'decompressed'
	atf_set require.progs gzip
}
gzip_output_body()
{
	setup
	mkdev
	atf_check -s exit:0 -o empty \
	    -e match:'^savecore: writing compressed core to crash/vmcore.0.gz$' \
	    "$SAVECORE" -z -k crash ./dev.img
	check_files bounds info.0 info.last vmcore.0.gz vmcore.last.gz
	check_link vmcore.last.gz vmcore.0.gz
	gzip -t crash/vmcore.0.gz || atf_fail "not a gzip file"
	gzip -dc crash/vmcore.0.gz | cmp - ref || atf_fail "vmcore.0.gz differs"
	grep -qx '  Compression: none' crash/info.0 || atf_fail "Compression"
}

atf_test_case textdump
textdump_head()
{
	atf_set descr 'a textdump: its blocks put back in order in' \
	    'textdump.tar.N (the tar written by the kernel), -z; an uneven' \
	    'length is refused'
	atf_set require.progs tar gzip
}
textdump_body()
{
	setup
	mkdir td
	echo "panic: scdev" >td/panic.txt
	seq 1 5000 >td/msgbuf.txt
	echo "FreeBSD 14.1-RELEASE" >td/version.txt
	(cd td && tar cf ../td.tar panic.txt msgbuf.txt version.txt)
	"$SCDEV" -T -o dev.img td.tar || atf_fail "scdev"
	snap dev.img orig full
	atf_check -s exit:0 -o match:'^textdump magic on last dump header on ./dev.img$' \
	    -e inline:'savecore: reboot\nsavecore: writing core to crash/textdump.tar.0\nsavecore: 1 cores saved in crash\n' \
	    "$SAVECORE" -v crash ./dev.img
	check_files bounds info.0 info.last textdump.tar.0 textdump.tar.last
	check_link textdump.tar.last textdump.tar.0
	cmp crash/textdump.tar.0 td.tar || atf_fail "textdump.tar.0 differs"
	tar tf crash/textdump.tar.0 >list || atf_fail "not a tar"
	grep -qx 'msgbuf.txt' list || atf_fail "$(cat list)"
	expected_info orig.tail 512 ./dev.img 0 good >want.info
	diff -u want.info crash/info.0 || atf_fail "info.0"
	check_cleared dev.img orig

	restore dev.img orig
	atf_check -s exit:0 -o empty \
	    -e match:'writing compressed core to crash/textdump.tar.1.gz' \
	    "$SAVECORE" -z -e crash ./dev.img
	check_link textdump.tar.last.gz textdump.tar.1.gz
	gzip -dc crash/textdump.tar.1.gz | cmp - td.tar || atf_fail "gz differs"

	head -c 1000 td.tar >odd.tar
	"$SCDEV" -T -o dev.img odd.tar || atf_fail "scdev"
	atf_check -s exit:1 -o empty \
	    -e match:'^savecore: textdump uneven multiple of 512 on ./dev.img$' \
	    "$SAVECORE" crash ./dev.img
	[ ! -e crash/textdump.tar.2 ] || atf_fail "saved an uneven textdump"
}

atf_test_case encrypted
encrypted_head()
{
	atf_set descr 'an encrypted dump: vmcore_encrypted.N (the data as' \
	    'stored) and key.N (the key block), their links; -e skips it'
}
encrypted_body()
{
	setup
	mksmall
	"$SCDEV" -K 1024 -o dev.img small || atf_fail "scdev"
	snap dev.img orig full
	atf_check -s exit:0 -o empty -e save:err "$SAVECORE" -e crash ./dev.img
	grep -qx 'savecore: writing encrypted core to crash/vmcore_encrypted.0' err &&
	    grep -q '^savecore: vmcore_encrypted.0 is encrypted: no ELF core' err ||
	    atf_fail "$(cat err)"
	check_files bounds info.0 info.last key.0 key.last vmcore_encrypted.0 \
	    vmcore_encrypted.last
	check_link key.last key.0
	check_link vmcore_encrypted.last vmcore_encrypted.0
	cmp crash/vmcore_encrypted.0 small || atf_fail "vmcore_encrypted.0 differs"
	# The key block sits between the leading header and the data.
	start=$(( $(lasthd dev.img) - $(hnum dev.img 496 8) ))
	dd if=dev.img bs=512 skip=$(((start - 1024) / 512)) count=2 2>/dev/null >key.want
	cmp crash/key.0 key.want || atf_fail "key.0 differs"
	[ "$(od -An -tx1 -N 4 crash/key.0 | tr -d ' ')" = 4b4a4948 ] ||
	    atf_fail "key.0 is not the key block"
	[ "$(fmode crash/key.0)" = 600 ] || atf_fail "key.0 mode"
	check_cleared dev.img orig
}

atf_test_case encrypted_elf
encrypted_elf_head()
{
	atf_set descr '-e --key: an encrypted dump (AES-256-CBC; ChaCha20' \
	    'with zstd) saved as FreeBSD does (vmcore_encrypted.N, key.N) and' \
	    'converted to the vmcore.N.elf of its plaintext, with -K the' \
	    'core.txt.N of md2elf -r --key; -e without' \
	    '--key says what to pass; another key: no ELF core, one line'
	atf_set require.progs openssl
}
encrypted_elf_body()
{
	setup
	openssl genrsa -out priv.pem 2048 2>/dev/null &&
	    openssl rsa -in priv.pem -pubout -out pub.pem 2>/dev/null &&
	    openssl genrsa -out other.pem 2048 2>/dev/null ||
	    atf_fail "openssl cannot make RSA keys"
	# The plaintext dump's core, the ground truth.
	"$MKDUMP" -m 64 -s $SEED -H none -o ref -k kernel 2>gen.err ||
	    atf_fail "mkdump: $(cat gen.err)"
	"$SRCDIR/../md2elf/md2elf" -q -k kernel -o ref.elf ref ||
	    atf_fail "md2elf ref"
	mkdev -E aes:pub.pem
	atf_check -s exit:0 -o empty -e save:err \
	    "$SAVECORE" -k -e -K kernel --key priv.pem crash ./dev.img
	grep -qx 'savecore: writing encrypted core to crash/vmcore_encrypted.0' err &&
	    grep -qx 'savecore: writing ELF core to crash/vmcore.0.elf' err ||
	    atf_fail "$(cat err)"
	check_files bounds core.txt.0 info.0 info.last key.0 key.last \
	    vmcore_encrypted.0 vmcore_encrypted.last vmcore.0.elf \
	    vmcore.last.elf
	# The crash report: md2elf -r's of the device with the key.
	"$SRCDIR/../md2elf/md2elf" -r -k kernel --key priv.pem dev.img \
	    >want.dev || atf_fail "md2elf -r"
	sed 's/dev\.img: /vmcore_encrypted.0: /' want.dev >want.txt
	cmp -s want.txt crash/core.txt.0 ||
	    atf_fail "core.txt.0 is not md2elf -r's report:" \
	    "$(diff want.txt crash/core.txt.0 | head -5 | tr '\n' ' ')"
	# key.N: the dumpkeysize bytes after the leading header.
	ks=$(hnum dev.img 56 4)
	start=$(( $(lasthd dev.img) - $(hnum dev.img 496 8) ))
	dd if=dev.img bs=512 skip=$(((start - ks) / 512)) count=$((ks / 512)) \
	    2>/dev/null >key.want
	cmp crash/key.0 key.want || atf_fail "key.0 is not the key block"
	cmp crash/vmcore.0.elf ref.elf ||
	    atf_fail "vmcore.0.elf is not the plaintext dump's core"
	atf_check -s exit:0 -o ignore -e empty "$CORECK" -T -M model \
	    crash/vmcore.0.elf
	ls -A crash | grep -q '^\.' && atf_fail "left behind: $(ls -A crash)"

	# ChaCha20 over zstd, as the kernel allows (no -u: still encrypted).
	mkdev -E chacha:pub.pem -c zstd
	atf_check -s exit:0 -o empty -e save:err \
	    "$SAVECORE" -k -e -K kernel --key priv.pem crash ./dev.img
	grep -qx 'savecore: writing ELF core to crash/vmcore.1.elf' err ||
	    atf_fail "$(cat err)"
	cmp crash/vmcore.1.elf ref.elf ||
	    atf_fail "vmcore.1.elf is not the plaintext dump's core"

	# Without --key: saved, no ELF core, what to pass.
	mkdev -E aes:pub.pem
	atf_check -s exit:0 -o empty -e save:err \
	    "$SAVECORE" -k -e crash ./dev.img
	grep -qx 'savecore: vmcore_encrypted.2 is encrypted: no ELF core (give the dump device.s RSA private key with --key FILE)' err ||
	    atf_fail "$(cat err)"
	[ ! -e crash/vmcore.2.elf ] || atf_fail "an ELF core without the key"
	# Another key: one line, no ELF core, the saved files stay.
	atf_check -s exit:0 -o empty -e save:err \
	    "$SAVECORE" -k -e --key other.pem crash ./dev.img
	grep -Ev '^savecore: (writing encrypted core|reboot after panic)' err \
	    >errlines
	[ "$(wc -l <errlines)" -eq 1 ] &&
	    grep -q '^savecore: unable to write ELF core crash/vmcore.3.elf: .*RSA private key .*other.pem cannot decrypt the dump key' errlines ||
	    atf_fail "$(cat err)"
	[ ! -e crash/vmcore.3.elf ] && [ -f crash/vmcore_encrypted.3 ] &&
	    [ -f crash/key.3 ] || atf_fail "files: $(ls crash)"
	ls -A crash | grep -q '^\.' && atf_fail "left behind: $(ls -A crash)"
	# ChaCha20 over zstd again: vmcore_encrypted.last.zst (linked to the
	# name without .zst, as FreeBSD links it) replaced, not "File exists"
	# (FreeBSD's savecore does not remove it).
	mkdev -E chacha:pub.pem -c zstd
	atf_check -s exit:0 -o empty -e save:err \
	    "$SAVECORE" -k -e --key priv.pem crash ./dev.img
	grep -q 'unable to create symlink' err && atf_fail "$(cat err)"
	check_link vmcore_encrypted.last.zst vmcore_encrypted.4
	check_link vmcore.last.elf vmcore.4.elf
	# --key without -e is a usage error.
	atf_check -s exit:1 -o empty -e match:'^usage: savecore' \
	    "$SAVECORE" -k --key priv.pem crash ./dev.img
}

atf_test_case version1
version1_head()
{
	atf_set descr 'a header version 1 dump (FreeBSD 11) is saved, its' \
	    'info.0 from the version 1 layout'
}
version1_body()
{
	setup
	mksmall
	"$SCDEV" -V 1 -o dev.img small || atf_fail "scdev"
	snap dev.img orig full
	atf_check -s exit:0 -o empty \
	    -e inline:'savecore: reboot after panic: scdev v1 panic\nsavecore: writing core to crash/vmcore.0\n' \
	    "$SAVECORE" crash ./dev.img
	cmp crash/vmcore.0 small || atf_fail "vmcore.0 differs"
	grep -qx '  Hostname: old.example.org' crash/info.0 &&
	    grep -qx '  Blocksize: 512' crash/info.0 &&
	    grep -qx '  Dump Status: good' crash/info.0 &&
	    grep -qx '  Version String: FreeBSD 11.4-RELEASE #0 r362335: GENERIC' \
	    crash/info.0 || atf_fail "info.0: $(cat crash/info.0)"
	check_cleared dev.img orig
}

atf_test_case blocksize4096
blocksize4096_head()
{
	atf_set descr 'an image of a 4096-byte-sector device: found in the last' \
	    '4 KiB, saved, cleared there'
}
blocksize4096_body()
{
	setup
	mkdev -B 4096
	atf_check -s exit:0 -o match:'^sectorsize = 4096 bytes$' -e ignore \
	    "$SAVECORE" -v -k crash ./dev.img
	cmp crash/vmcore.0 ref || atf_fail "vmcore.0 differs"
	grep -qx '  Blocksize: 4096' crash/info.0 || atf_fail "Blocksize"
	mksmall
	"$SCDEV" -B 4096 -o dev.img small || atf_fail "scdev"
	snap dev.img orig full
	atf_check -s exit:0 -o ignore -e ignore "$SAVECORE" crash ./dev.img
	cmp crash/vmcore.1 small || atf_fail "vmcore.1 differs"
	check_cleared dev.img orig 4096
}

atf_test_case blockdev cleanup
blockdev_head()
{
	atf_set descr 'a loop block device: size and sector size (512 and 4096)' \
	    'from the kernel, saved, cleared through the device'
	atf_set require.user root
	atf_set require.progs losetup
}
blockdev_body()
{
	setup
	mksmall
	snap dev.img orig full
	losetup -f --show dev.img >loopdev 2>err || atf_skip "losetup: $(cat err)"
	dev=$(cat loopdev)
	atf_check -s exit:0 -o inline:"A dump exists on $dev\n" -e empty \
	    "$SAVECORE" -C "$dev"
	atf_check -s exit:0 -o save:out -e ignore "$SAVECORE" -v crash "$dev"
	grep -qx "mediasize = $(fsize dev.img) bytes" out &&
	    grep -qx 'sectorsize = 512 bytes' out || atf_fail "$(cat out)"
	cmp crash/vmcore.0 small || atf_fail "vmcore.0 differs"
	grep -qx "Dump header from device: $dev" crash/info.0 || atf_fail "info.0"
	atf_check -s exit:1 -o empty -e empty "$SAVECORE" -C "$dev"
	losetup -d "$dev" || atf_fail "losetup -d"
	rm loopdev
	check_cleared dev.img orig

	# A 4096-byte-sector device (an image found at 512 would not do).
	"$SCDEV" -B 4096 -o dev.img small || atf_fail "scdev"
	snap dev.img orig full
	losetup -f --show -b 4096 dev.img >loopdev 2>err || {
		rm -f loopdev
		echo "no 4096-byte sectors: $(cat err)"
		return
	}
	dev=$(cat loopdev)
	atf_check -s exit:0 -o save:out -e ignore "$SAVECORE" -v crash "$dev"
	grep -qx 'sectorsize = 4096 bytes' out || atf_fail "$(cat out)"
	cmp crash/vmcore.1 small || atf_fail "vmcore.1 differs"
	losetup -d "$dev" || atf_fail "losetup -d"
	rm loopdev
	check_cleared dev.img orig 4096
}
blockdev_cleanup()
{
	[ ! -f loopdev ] || losetup -d "$(cat loopdev)"
}

atf_test_case minfree
minfree_head()
{
	atf_set descr 'not enough free space above minfree: nothing saved,' \
	    'exit 1, device untouched; an invalid minfree is ignored'
}
minfree_body()
{
	setup
	mkdev
	echo 9000000000000 >crash/minfree
	atf_check -s exit:1 -o empty -e save:err "$SAVECORE" crash ./dev.img
	need=$(( $(hnum dev.img 40 8) / 1024 + 2 ))
	grep -Eqx "savecore: no dump: not enough free space on device \(need at least ${need}kB for dump; [0-9]+kB available; 9000000000000kB reserved\)" err ||
	    atf_fail "$(cat err)"
	check_files minfree
	unchanged dev.img orig || atf_fail "the device was modified"

	echo 'ten' >crash/minfree
	atf_check -s exit:0 -o empty \
	    -e match:"^savecore: .minfree. didn't contain a valid size \(.ten.\)\. Defaulting to 0$" \
	    "$SAVECORE" -k crash ./dev.img
	cmp crash/vmcore.0 ref || atf_fail "vmcore.0 differs"
	echo '1024 ' >crash/minfree
	atf_check -s exit:0 -o empty -e not-match:'minfree' "$SAVECORE" -k crash ./dev.img
}

atf_test_case elf
elf_head()
{
	atf_set descr '-e writes vmcore.N.elf that coreck accepts (memory only;' \
	    'with -K the threads too), also from a kept .zst; a failure is a' \
	    'warning and the vmcore stays'
}
elf_body()
{
	setup
	mkdev
	atf_check -s exit:0 -o empty \
	    -e inline:"savecore: reboot after panic: $(hstr dev.img 320 175)\nsavecore: writing core to crash/vmcore.0\nsavecore: writing ELF core to crash/vmcore.0.elf\n" \
	    "$SAVECORE" -e crash ./dev.img
	check_files bounds info.0 info.last vmcore.0 vmcore.last vmcore.0.elf \
	    vmcore.last.elf
	check_link vmcore.last.elf vmcore.0.elf
	atf_check -s exit:0 -o ignore -e empty "$CORECK" -M model crash/vmcore.0.elf
	cmp crash/vmcore.0 ref || atf_fail "vmcore.0 differs"
	check_cleared dev.img orig

	# A kept compressed dump, the kernel given (relative to the caller).
	mkdev -c zstd
	atf_check -s exit:0 -o save:sc.out \
	    -e match:'writing ELF core to crash/vmcore.1.elf' \
	    "$SAVECORE" -v -k -e -K kernel crash ./dev.img
	atf_check -s exit:0 -o save:ck -e empty "$CORECK" -T -M model crash/vmcore.1.elf
	# The 16 threads of the world and one per kernel-mode trap frame.
	grep -Eq "^ELF core: [0-9]+ pages \([0-9]+ zero\), [0-9]+ segments, $((16 + $(fact trap_threads ck))) threads\$" sc.out ||
	    atf_fail "savecore: $(cat sc.out)"
	check_link vmcore.last.elf vmcore.1.elf
	check_link vmcore.last.zst vmcore.1.zst
	ls -A crash | grep -q '^\.' && atf_fail "left behind: $(ls -A crash)"

	# A kernel that cannot be read: memory only, a warning.
	atf_check -s exit:0 -o empty -e match:'without threads' \
	    "$SAVECORE" -k -e -K nokernel crash ./dev.img
	atf_check -s exit:0 -o ignore -e empty "$CORECK" -M model crash/vmcore.2.elf

	# A vmcore that is no minidump: the warning, the vmcore kept.
	mkdev -X kdh-length=1000
	atf_check -s exit:0 -o empty \
	    -e match:'^savecore: unable to write ELF core crash/vmcore.3.elf: ' \
	    "$SAVECORE" -k -e crash ./dev.img
	[ "$(fsize crash/vmcore.3)" = 1000 ] || atf_fail "vmcore.3"
	[ ! -e crash/vmcore.3.elf ] || atf_fail "vmcore.3.elf written"
	ls -A crash | grep -q '^\.' && atf_fail "left behind: $(ls -A crash)"
	# The .last links are the last dump's: no ELF core among them.
	[ ! -e crash/vmcore.last.elf ] || atf_fail "vmcore.last.elf stayed"
	check_link vmcore.last vmcore.3
	# A new dump with an old number replaces the old ELF core.
	echo 2 >crash/bounds
	mksmall
	atf_check -s exit:0 -o empty -e ignore "$SAVECORE" -k crash ./dev.img
	[ ! -e crash/vmcore.2.elf ] || atf_fail "an old vmcore.2.elf stayed"
	cmp crash/vmcore.2 small || atf_fail "vmcore.2 differs"
}

atf_test_case fstab
fstab_head()
{
	atf_set descr 'no device argument: the swap and dump entries of fstab' \
	    '($PATH_FSTAB), UUID= and LABEL= through /dev/disk/by-*'
}
fstab_body()
{
	setup
	mksmall
	cat >fstab <<EOT
# comment
/dev/root / ext4 defaults 0 1
UUID=0000-SCTEST none swap sw 0 0
LABEL=sctest none swap sw 0 0
$PWD/dev.img none dump sw 0 0
EOT
	PATH_FSTAB=$PWD/fstab
	export PATH_FSTAB
	atf_check -s exit:0 -o inline:"A dump exists on $PWD/dev.img\n" \
	    -e ignore "$SAVECORE" -C
	atf_check -s exit:0 -o empty -e save:err "$SAVECORE" crash
	grep -qx 'savecore: /dev/disk/by-uuid/0000-SCTEST: No such file or directory' err &&
	    grep -qx 'savecore: /dev/disk/by-label/sctest: No such file or directory' err ||
	    atf_fail "$(cat err)"
	cmp crash/vmcore.0 small || atf_fail "vmcore.0 differs"
	grep -qx "Dump header from device: $PWD/dev.img" crash/info.0 || atf_fail "info.0"
	check_cleared dev.img orig
}

atf_test_case devices
devices_head()
{
	atf_set descr 'device names: bare names are in /dev, open errors are' \
	    'logged and the run goes on; no dump is exit 0; chdir errors'
}
devices_body()
{
	setup
	mksmall
	atf_check -s exit:0 -o empty \
	    -e inline:'savecore: /dev/sctest-nodev: No such file or directory\n' \
	    "$SAVECORE" crash sctest-nodev
	atf_check -s exit:0 -o ignore -e match:'^savecore: ./nodev: No such file or directory$' \
	    "$SAVECORE" crash ./nodev ./dev.img
	cmp crash/vmcore.0 small || atf_fail "vmcore.0 differs"
	# Relative device paths are from where savecore was started.
	restore dev.img orig
	atf_check -s exit:0 -o empty -e ignore "$SAVECORE" crash ../$(basename "$PWD")/dev.img
	cmp crash/vmcore.1 small || atf_fail "vmcore.1 differs"
	# No dump at all.
	dd if=/dev/zero of=zero.img bs=64k count=16 2>/dev/null
	atf_check -s exit:0 -o empty -e empty "$SAVECORE" crash ./zero.img
	atf_check -s exit:0 -o ignore -e inline:'savecore: no dumps found\n' \
	    "$SAVECORE" -v crash ./zero.img
	atf_check -s exit:1 -o empty \
	    -e inline:'savecore: chdir(nodir): No such file or directory\n' \
	    "$SAVECORE" nodir ./dev.img
	# A tiny image: no header to read.
	printf 'x' >tiny.img
	atf_check -s exit:0 -o empty \
	    -e inline:'savecore: ./tiny.img: offset 0: 1 byte, less than a 512-byte sector: no dump header\n' \
	    "$SAVECORE" crash ./tiny.img
}

atf_test_case usage
usage_head()
{
	atf_set descr 'illegal option combinations: usage, exit 1'
}
usage_body()
{
	setup
	for args in "-C -c" "-C -f" "-C -k" "-c -z" "-c -k" "-C -m 2" \
	    "-c -m 2" "-z -u" "-Z" "-e -C" "-e -c" "-K kernel" "-x" "-L -u"; do
		atf_check -s exit:1 -o empty -e match:'^usage: savecore -c' \
		    "$SAVECORE" $args crash
	done
	atf_check -s exit:1 -o empty \
	    -e inline:'savecore: live dumps (-L) are not supported on this system\n' \
	    "$SAVECORE" -L crash
	check_files
}

atf_init_test_cases()
{
	atf_add_test_case save
	atf_add_test_case info
	atf_add_test_case bounds
	atf_add_test_case maxdumps
	atf_add_test_case check
	atf_add_test_case clear
	atf_add_test_case force
	atf_add_test_case compressed
	atf_add_test_case corrupt_stream
	atf_add_test_case multi_member
	atf_add_test_case minfree_written
	atf_add_test_case escaped_text
	atf_add_test_case fifos
	atf_add_test_case device_messages
	atf_add_test_case elf_space
	atf_add_test_case elf_minfree
	atf_add_test_case elf_no_offsets
	atf_add_test_case leftovers
	atf_add_test_case leftovers_space
	atf_add_test_case interrupted
	atf_add_test_case concurrent
	atf_add_test_case gzip_output
	atf_add_test_case textdump
	atf_add_test_case encrypted
	atf_add_test_case encrypted_elf
	atf_add_test_case version1
	atf_add_test_case blocksize4096
	atf_add_test_case blockdev
	atf_add_test_case minfree
	atf_add_test_case elf
	atf_add_test_case fstab
	atf_add_test_case devices
	atf_add_test_case usage
}
