#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# demo_test: the bundled sample of `make demo` (demo/): the mkdump command
# line written in demo/README makes it again byte for byte, md2elf
# converts it into cores that coreck -T accepts, and mk/demo.sh shows the
# crash report as text and JSON.

# flat FILE: its lines on one line (atf_fail takes one line).
flat()
{
	tr '\n' ' ' <"$1"
}

# The source tree's demo directory.
demodir()
{
	echo "$(atf_get_srcdir)/../demo"
}

atf_test_case regenerate
regenerate_head()
{
	atf_set descr 'the mkdump command of demo/README makes the committed' \
	    'dump (decompressed), kernel and model again, byte for byte'
	atf_set require.progs zstd
}
regenerate_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	demo=$(demodir)
	for f in README vmcore.0.zst kernel.zst model; do
		[ -f "$demo/$f" ] || atf_fail "demo/$f is missing"
	done
	# The one mkdump line of the README, run as written from a copy of
	# the top of the tree (tests/gen/mkdump, demo/).
	grep '^ *tests/gen/mkdump ' "$demo/README" >cmd
	[ "$(wc -l <cmd)" -eq 1 ] ||
	    atf_fail "demo/README has no single mkdump command line"
	grep -q ' -D ' cmd ||
	    atf_fail "the command does not use -D: $(flat cmd)"
	mkdir -p top/tests/gen top/demo
	ln -s "$MKDUMP" top/tests/gen/mkdump
	(cd top && sh -e ../cmd) >gen.out 2>&1 ||
	    atf_fail "$(flat cmd): $(flat gen.out)"
	for f in vmcore.0.zst kernel model; do
		[ -f "top/demo/$f" ] || atf_fail "the command made no demo/$f"
	done
	# The zstd encoding depends on the libzstd version (level 3 may
	# compress differently elsewhere): compare the minidumps.
	atf_check -s exit:0 zstd -q -d -f "$demo/vmcore.0.zst" -o committed.raw
	atf_check -s exit:0 zstd -q -d -f top/demo/vmcore.0.zst -o new.raw
	cmp -s committed.raw new.raw ||
	    atf_fail "demo/vmcore.0.zst differs from what mkdump makes now:" \
	    "$(cmp committed.raw new.raw 2>&1)"
	atf_check -s exit:0 zstd -q -d -f "$demo/kernel.zst" -o kernel
	cmp -s kernel top/demo/kernel ||
	    atf_fail "demo/kernel.zst differs from what mkdump makes now:" \
	    "$(cmp kernel top/demo/kernel 2>&1)"
	cmp -s "$demo/model" top/demo/model ||
	    atf_fail "demo/model differs:" \
	    "$(diff "$demo/model" top/demo/model | tr '\n' ' ')"
	grep -q '^dense 1$' top/demo/model ||
	    atf_fail "the model file does not record -D"
	# Small enough to live in the repository.
	for f in vmcore.0.zst kernel.zst; do
		s=$(wc -c <"$demo/$f")
		[ "$s" -lt 2097152 ] || atf_fail "demo/$f is $s bytes"
	done
}

atf_test_case convert
convert_head()
{
	atf_set descr 'md2elf converts the sample (both flavours), coreck -T' \
	    'accepts the cores; -i, -t and -d show the panic of the README'
	atf_set require.progs zstd
}
convert_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	demo=$(demodir)
	atf_check -s exit:0 zstd -q -d -f "$demo/kernel.zst" -o kernel
	for fl in freebsd linux; do
		atf_check -s exit:0 -o empty -e empty "$MD2ELF" -q -k kernel \
		    --flavor $fl -o core.$fl "$demo/vmcore.0.zst"
		atf_check -s exit:0 -o save:ck.$fl -e empty \
		    "$CORECK" -T -f $fl -M "$demo/model" core.$fl
		[ "$(fact trap_threads ck.$fl)" -gt 0 ] &&
		[ "$(fact threads ck.$fl)" -eq \
		    $((48 + $(fact trap_threads ck.$fl))) ] ||
		    atf_fail "$fl: $(fact threads ck.$fl) threads, expected" \
		    "48 and $(fact trap_threads ck.$fl) trap frames"
		[ "$(fact threads_known ck.$fl)" = "$(fact threads ck.$fl)" ] ||
		    atf_fail "$fl: $(fact threads_known ck.$fl) known threads"
		[ "$(fact pages ck.$fl)" = 12012 ] ||
		    atf_fail "$fl: $(fact pages ck.$fl) pages, expected 12012"
	done
	atf_check -s exit:0 -o save:info -e empty \
	    "$MD2ELF" -i -k kernel "$demo/vmcore.0.zst"
	grep -q '^panicstr: *page fault while in kernel mode$' info ||
	    atf_fail "md2elf -i: $(flat info)"
	grep -q '^container: *vmcore, compression zstd$' info ||
	    atf_fail "md2elf -i: $(flat info)"
	atf_check -s exit:0 -o save:thr -e empty \
	    "$MD2ELF" -t -k kernel "$demo/vmcore.0.zst"
	pat='^\* +1 +100047 +307 +nginx +crashed .* in doadump\+0x15$'
	sed -n 2p thr | grep -Eq "$pat" ||
	    atf_fail "md2elf -t: crashed thread: $(sed -n 2p thr)"
	[ "$(sed 1d thr | grep -vc '^        ---')" -eq 48 ] ||
	    atf_fail "md2elf -t printed $(sed 1d thr | wc -l) threads"
	# nginx's page fault, under it.
	sed -n 3p thr | grep -q '^        --- trap 12 (page fault), fault address 0x18, pc 0x[0-9a-f]* in ifhwioctl+0xc, .* (thread 1000100047) ---$' ||
	    atf_fail "md2elf -t: no page fault: $(sed -n 3p thr)"
	atf_check -s exit:0 -o save:msg -e empty \
	    "$MD2ELF" -d -k kernel "$demo/vmcore.0.zst"
	grep -q '^Fatal trap 12: page fault while in kernel mode$' msg ||
	    atf_fail "no Fatal trap line in the message buffer"
	grep -q '^current process		= 307 (nginx)$' msg ||
	    atf_fail "no current process line in the message buffer"
	grep -q '^panic: page fault while in kernel mode$' msg ||
	    atf_fail "no panic line in the message buffer"
}

atf_test_case script
script_head()
{
	atf_set descr 'make demo (mk/demo.sh, debuggers left out) shows the' \
	    'crash report as text (what crashed, the backtrace through the' \
	    'trap, the other sections) and as JSON with the same facts'
	atf_set require.progs zstd jq
}
script_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	demo=$(demodir)
	atf_check -s exit:0 -o save:demo.out -e empty env LLDB=no-lldb \
	    GDB=no-gdb DEMO_OUT="$PWD/out" sh "$demo/../mk/demo.sh"
	[ -z "$(ls -A "$demo" | grep -v -e README -e kernel.zst -e model \
	    -e vmcore.0.zst -e '^out$')" ] || atf_fail "demo/: $(ls "$demo")"
	# The text report: sections 1 and 2 whole, then the other headings.
	atf_check -s exit:0 -o save:want.txt -e empty "$MD2ELF" -r \
	    -k out/kernel "$demo/vmcore.0.zst"
	sed '/^3\. /q' want.txt >want.top
	grep '^[4-6]\. ' want.txt >>want.top
	[ "$(grep -c '^#' want.top)" -ge 10 ] && grep -q '^--- trap 12 ' \
	    want.top || atf_fail "the report: $(flat want.top)"
	sed -n '/^1\. What crashed$/,/^6\. /p' demo.out >got.top
	cmp -s want.top got.top ||
	    atf_fail "text report: $(diff want.top got.top | head -5 | flat /dev/stdin)"
	# The JSON: the same fingerprint and trap as the text.
	sed -n '/^{$/,/^}$/p' demo.out >got.json
	[ "$(jq -r .schema got.json)" = 1 ] || atf_fail "JSON: $(flat got.json)"
	[ "$(jq -r .fingerprint.hash got.json)" = \
	    "$(sed -n 's/^fingerprint: //p' want.txt)" ] ||
	    atf_fail "JSON fingerprint"
	[ "$(jq -r '.trap.fault_address' got.json)" = 0x18 ] &&
	[ "$(jq -r '.trap.what' got.json)" = "page fault" ] ||
	    atf_fail "JSON trap: $(jq -c .trap got.json)"
	[ "$(jq -r '.group_sizes' got.json | tr ' ' '\n' |
	    awk '{ s += $1 } END { print s }')" = 48 ] ||
	    atf_fail "JSON groups: $(jq -r .group_sizes got.json)"
	# Short: the demo without the debuggers fits a few screens.
	[ "$(wc -l <demo.out)" -le 200 ] ||
	    atf_fail "the demo prints $(wc -l <demo.out) lines"
}

atf_init_test_cases()
{
	atf_add_test_case script
	atf_add_test_case regenerate
	atf_add_test_case convert
}
