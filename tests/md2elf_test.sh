#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# md2elf_test: the md2elf(1) program around the conversion: what it prints
# after converting (counts that match the core, the debugger command
# lines), quiet stderr when it is not a terminal, the input left untouched,
# the temporary output removed when the conversion is killed, -d, and the
# usage errors (exit status 2).

LLDB=${LLDB:-lldb-19}
GDB=${GDB:-gdb-multiarch}

# The counts md2elf prints: "P pages, Z of them zero (holes), S segments,
# T thread(s)".
summary_counts()
{
	sed -n 's/^  \([0-9]*\) pages, \([0-9]*\) of them zero (holes), '\
'\([0-9]*\) segments, \([0-9]*\) threads*$/\1 \2 \3 \4/p' "$1"
}

# clear_magic FILE: the kerneldumpheader at the start of FILE says "Cleared
# Kernel Dump" instead of "FreeBSD Kernel Dump", its parity word kept right
# (the 128 words XOR to zero, so each of the 4 byte lanes does).
clear_magic()
{
	set -- "$1" $(od -An -v -tu1 -N7 "$1") \
	    $(printf Cleared | od -An -v -tu1) \
	    $(od -An -v -tu1 -j508 -N4 "$1")
	f=$1
	shift
	l0=0 l1=0 l2=0 l3=0
	i=0
	while [ $i -lt 7 ]; do
		eval "o=\${$((i + 1))} n=\${$((i + 8))}"
		eval "l$((i % 4))=\$((l$((i % 4)) ^ o ^ n))"
		i=$((i + 1))
	done
	eval "p0=\${15} p1=\${16} p2=\${17} p3=\${18}"
	printf Cleared | dd of="$f" conv=notrunc 2>/dev/null
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $((p0 ^ l0)) \
	    $((p1 ^ l1)) $((p2 ^ l2)) $((p3 ^ l3)))" |
	    dd of="$f" bs=1 seek=508 conv=notrunc 2>/dev/null
}

# utc SECONDS: the time as md2elf -i prints it.
utc()
{
	date -u -d "@$1" '+%Y-%m-%d %H:%M:%S UTC' 2>/dev/null ||
	    date -u -r "$1" '+%Y-%m-%d %H:%M:%S UTC'
}

# refused KERNEL MESSAGE-ERE [ARGS...]: md2elf -k KERNEL ARGS vmcore.0
# fails with exit 1, nothing on stdout and one error line (warnings aside)
# "md2elf: vmcore.0: MESSAGE", saved in file msg.
refused()
{
	k=$1
	pattern=$2
	shift 2
	atf_check -s exit:1 -o empty -e save:err \
	    "$MD2ELF" -q -k "$k" -o core.elf "$@" vmcore.0
	grep -v '^md2elf: warning: ' err >msg || true
	[ "$(wc -l <msg)" -eq 1 ] || atf_fail "expected one line: $(cat err)"
	grep -Eq "^md2elf: vmcore\.0: $pattern\$" msg ||
	    atf_fail "message '$(cat msg)' does not match '$pattern'"
	[ ! -e core.elf ] || atf_fail "core.elf written"
	echo "message: $(cat msg)"
}

# forced: the same conversion with -F succeeds.
forced()
{
	atf_check -s exit:0 -o empty -e ignore \
	    "$MD2ELF" -q -F -k "${1:-kernel}" -o core.elf vmcore.0
	rm -f core.elf
}

atf_test_case summary
summary_head()
{
	atf_set descr 'after converting: pages, holes, segments, threads as' \
	    'in the core, and lldb-19 / gdb command lines that work'
	atf_set require.progs "$LLDB" "$GDB"
}
summary_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 91 -T 25
	# Not a terminal: no progress bar, nothing on stderr.
	atf_check -s exit:0 -o save:out -e empty \
	    "$MD2ELF" -k kernel -o core.elf vmcore.0
	atf_check -s exit:0 -o save:ck -e empty "$CORECK" -T -M model core.elf
	want="$(fact pages ck) $(fact zero_pages ck) $(fact segments ck)"
	want="$want $((25 + $(fact trap_threads ck)))"
	[ "$(summary_counts out)" = "$want" ] ||
	    atf_fail "printed '$(summary_counts out)', core has '$want'"
	grep -q '^md2elf: wrote core.elf (FreeBSD flavour)$' out ||
	    atf_fail "$(cat out)"
	grep -q '^  lldb-19 kernel -c core.elf$' out || atf_fail "$(cat out)"
	grep -q 'MiB of memory in .* s (.* MiB/s)' out || atf_fail "$(cat out)"

	# The printed command lines work as they are, odd names included.
	cp kernel "k'1"
	printf 'thread list\n' >lldb.cmd
	atf_check -s exit:0 -o save:out -e empty "$MD2ELF" -k "k'1" \
	    -o "my 'core'.elf" vmcore.0
	line=$(grep '^  lldb-19 ' out) || atf_fail "$(cat out)"
	eval "set -- $line"
	shift
	atf_check -s exit:0 -o save:lldb.out -e ignore \
	    "$LLDB" -b -s lldb.cmd "$@"
	[ "$(grep -c 'thread #' lldb.out)" -eq \
	    $((25 + $(fact trap_threads ck))) ] ||
	    atf_fail "the printed lldb command: $(cat lldb.out)"
	atf_check -s exit:0 -o save:out -e empty "$MD2ELF" -k "k'1" \
	    --flavor linux -o 'my "core".elf' vmcore.0
	grep -q '^md2elf: wrote my "core".elf (Linux flavour)$' out ||
	    atf_fail "$(cat out)"
	# gdb-multiarch: Debian's gdb reads only the host's architecture.
	line=$(grep "^  gdb-multiarch -ex 'set osabi GNU/Linux' -ex 'file " \
	    out) || atf_fail "$(cat out)"
	eval "set -- $line"
	shift
	atf_check -s exit:0 -o save:gdb.out -e ignore \
	    "$GDB" -batch "$@" -ex 'info threads'
	[ "$(grep -c '^[* ] *[0-9][0-9]* *LWP [0-9]\{6\} ' gdb.out)" -eq 25 ] ||
	    atf_fail "the printed gdb command: $(cat gdb.out)"
	# The same on arm64, which a host-only gdb cannot read.
	gen -a arm64 -V 2 -s 90 -T 9
	atf_check -s exit:0 -o save:out -e empty "$MD2ELF" -k kernel \
	    --flavor linux -o arm64.elf vmcore.0
	line=$(grep "^  gdb-multiarch -ex 'set osabi GNU/Linux' -ex 'file " \
	    out) || atf_fail "$(cat out)"
	eval "set -- $line"
	shift
	atf_check -s exit:0 -o save:gdb.out -e save:gdb.err \
	    "$GDB" -batch "$@" -ex 'info threads' -ex 'info registers pc'
	[ "$(grep -c '^[* ] *[0-9][0-9]* *LWP [0-9]\{6\} ' gdb.out)" -eq 9 ] ||
	    atf_fail "the printed gdb command, arm64: $(cat gdb.out gdb.err)"
	! grep -q "general-purpose registers" gdb.err ||
	    atf_fail "arm64: $(cat gdb.err)"

	# Without a kernel: one thread, said on stderr; -q prints nothing.
	atf_check -s exit:0 -o save:out -e match:'memory only' \
	    "$MD2ELF" -o nok.elf vmcore.0
	[ "$(summary_counts out | cut -d' ' -f4)" = 1 ] ||
	    atf_fail "$(cat out)"
	grep -q 'lldb-19 KERNEL -c nok.elf' out || atf_fail "$(cat out)"
	atf_check -s exit:0 -o empty -e empty "$MD2ELF" -q -o q.elf vmcore.0
}

atf_test_case input_untouched
input_untouched_head()
{
	atf_set descr 'the dump is only read: same bytes and time stamps,' \
	    'a read-only dump converts; the output cannot be the input'
}
input_untouched_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 92 -c zstd
	touch -t 200001010000 vmcore.0
	touch -t 200001010001 ref
	chmod 0444 vmcore.0
	before=$(cksum vmcore.0; ls -l vmcore.0)
	atf_check -s exit:0 -o empty -e empty \
	    "$MD2ELF" -q -k kernel -o core.elf vmcore.0
	atf_check -s exit:1 -o empty -e match:'the output is the input' \
	    "$MD2ELF" -q -f -k kernel -o vmcore.0 vmcore.0
	ln -s vmcore.0 link
	atf_check -s exit:1 -o empty -e match:'the output is the input' \
	    "$MD2ELF" -q -f -k kernel -o link vmcore.0
	after=$(cksum vmcore.0; ls -l vmcore.0)
	[ "$before" = "$after" ] || atf_fail "input changed: $after"
	[ -z "$(find vmcore.0 -newer ref)" ] || atf_fail "input modified"
	[ "$(ls | grep -c '^\.')" -eq 0 ] || atf_fail "left: $(ls -A)"
}

atf_test_case output_not_regular
output_not_regular_head()
{
	atf_set descr 'an output that exists and is not a regular file (a' \
	    'symbolic link, a FIFO, a device node, a directory) is refused' \
	    'with or without -f, and left as it was'
}
output_not_regular_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 88
	echo target >target
	ln -s target link
	ln -s missing dangling
	mkfifo fifo
	mkdir dir
	nodes="link dangling fifo dir"
	# A device node (the null device) if this user may make one.
	if mknod nulldev c 1 3 2>/dev/null; then
		nodes="$nodes nulldev"
	else
		echo "mknod not permitted: no device node case"
	fi
	ls -ld target $nodes >before
	for o in $nodes; do
		for f in "" -f; do
			atf_check -s exit:1 -o empty -e save:err \
			    "$MD2ELF" -q $f -k kernel -o $o vmcore.0
			[ "$(cat err)" = "md2elf: $o: exists and is not a \
regular file" ] || atf_fail "-o $o $f: $(cat err)"
		done
	done
	ls -ld target $nodes >after
	cmp -s before after || atf_fail "changed: $(diff before after)"
	[ "$(ls -A | grep -c '^\.')" -eq 0 ] || atf_fail "left: $(ls -A)"
	[ -L link ] && [ -L dangling ] && [ -p fifo ] && [ -d dir ] ||
	    atf_fail "$(ls -lA)"
	[ "$(cat target)" = target ] || atf_fail "target changed"
	[ ! -e missing ] || atf_fail "created the dangling link's target"
	case $nodes in
	*nulldev*)
		[ -c nulldev ] || atf_fail "nulldev: $(ls -l nulldev)" ;;
	esac
	# A regular file is still overwritten with -f.
	echo old >core.elf
	atf_check -s exit:1 -o empty -e match:'exists \(use -f' \
	    "$MD2ELF" -q -k kernel -o core.elf vmcore.0
	atf_check -s exit:0 -o empty -e empty \
	    "$MD2ELF" -q -f -k kernel -o core.elf vmcore.0
	[ "$(od -An -c -N4 core.elf | tr -d ' ')" = '177ELF' ] ||
	    atf_fail "core.elf not overwritten"
}

# stopped_run OUTDIR ARGS...: md2elf ARGS in the background, stopped once
# its temporary file exists in OUTDIR; its pid in $pid.  Skips the case if
# the conversion ended first.
stopped_run()
{
	_dir=$1
	shift
	"$MD2ELF" "$@" 2>run.err &
	pid=$!
	i=0
	while [ -z "$(ls -A "$_dir" | grep '^\.md2elf\.')" ] && [ $i -lt 2000 ]
	do
		i=$((i + 1))
	done
	kill -STOP $pid
	[ -n "$(ls -A "$_dir" | grep '^\.md2elf\.')" ] ||
	    atf_fail "no temporary file appeared: $(ls -A "$_dir")"
	if ! kill -0 $pid 2>/dev/null; then
		atf_skip "the conversion ended before it was stopped"
	fi
}

atf_test_case output_exclusive
output_exclusive_head()
{
	atf_set descr 'an output created by someone else while converting' \
	    'is not overwritten (the final name is created exclusively):' \
	    'one line, exit 1, the temporary file removed; with -f it is' \
	    'replaced; six runs at once to one output: one core, five' \
	    '"exists" errors'
}
output_exclusive_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 102 -m 512
	mkdir out
	stopped_run out -q -k kernel -o out/core.elf vmcore.0
	echo other >out/core.elf
	kill -CONT $pid
	rc=0
	wait $pid || rc=$?
	[ $rc -eq 1 ] || atf_fail "exit $rc: $(cat run.err)"
	[ "$(cat run.err)" = "md2elf: out/core.elf: created by another \
program meanwhile (use -f to overwrite it)" ] || atf_fail "$(cat run.err)"
	[ "$(cat out/core.elf)" = other ] || atf_fail "core.elf overwritten"
	[ "$(ls -A out)" = core.elf ] || atf_fail "left: $(ls -A out)"
	# -f: replaced, as documented.
	rm out/core.elf
	stopped_run out -q -f -k kernel -o out/core.elf vmcore.0
	echo other >out/core.elf
	kill -CONT $pid
	wait $pid || atf_fail "-f: exit $?: $(cat run.err)"
	atf_check -s exit:0 -o ignore -e empty "$CORECK" -M model out/core.elf
	[ "$(ls -A out)" = core.elf ] || atf_fail "left: $(ls -A out)"
	# Six at once.
	rm out/core.elf
	pids=
	for i in 1 2 3 4 5 6; do
		"$MD2ELF" -q -k kernel -o out/core.elf vmcore.0 2>err.$i &
		pids="$pids $!"
	done
	ok=0
	for p in $pids; do
		wait $p && ok=$((ok + 1))
	done
	[ $ok -eq 1 ] || atf_fail "$ok runs succeeded: $(cat err.* | tr '\n' ' ')"
	[ "$(cat err.* | grep -Ec '^md2elf: out/core\.elf: (exists \(use -f to overwrite it\)|created by another program meanwhile \(use -f to overwrite it\))$')" -eq 5 ] ||
	    atf_fail "messages: $(cat err.* | tr '\n' ' ')"
	atf_check -s exit:0 -o ignore -e empty "$CORECK" -M model out/core.elf
	[ "$(ls -A out)" = core.elf ] || atf_fail "left: $(ls -A out)"
}

atf_test_case output_long_name
output_long_name_head()
{
	atf_set descr 'outputs named with 248 to 255 bytes (NAME_MAX) are' \
	    'written through a short temporary name: the core, its command' \
	    'files, the report; 256 bytes: refused before converting'
}
output_long_name_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 103
	mkdir out
	for n in 248 251 255; do
		name=$(printf "%0${n}d" 0 | tr 0 c)
		atf_check -s exit:0 -o empty -e empty \
		    "$MD2ELF" -q -k kernel -o "out/$name" vmcore.0
		atf_check -s exit:0 -o ignore -e empty "$CORECK" -M model \
		    "out/$name"
		atf_check -s exit:0 -o empty -e empty \
		    "$MD2ELF" -r -f -k kernel -o "out/$name" vmcore.0
		grep -q '^panic:' "out/$name" || atf_fail "$n: no report"
		rm "out/$name"
		[ -z "$(ls -A out)" ] || atf_fail "$n: left $(ls -A out)"
	done
	name=$(printf "%0256d" 0 | tr 0 c)
	atf_check -s exit:1 -o empty \
	    -e inline:"md2elf: out/$name: File name too long\n" \
	    "$MD2ELF" -q -k kernel -o "out/$name" vmcore.0
	[ -z "$(ls -A out)" ] || atf_fail "left $(ls -A out)"
}

atf_test_case interrupted
interrupted_head()
{
	atf_set descr 'SIGTERM and SIGHUP during a conversion: exit by the' \
	    'signal and no temporary file left'
}
interrupted_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 93 -m 1024
	mkdir out
	for sig in TERM HUP; do
		"$MD2ELF" -q -k kernel -o out/core.elf vmcore.0 &
		pid=$!
		# Stop it once its temporary file exists, then signal it.
		i=0
		while [ -z "$(ls -A out)" ] && [ $i -lt 2000 ]; do
			i=$((i + 1))
		done
		kill -STOP $pid
		[ -n "$(ls -A out)" ] || atf_fail "no temporary file appeared"
		[ ! -e out/core.elf ] ||
		    atf_skip "the conversion ended before it was stopped"
		echo "stopped with $(ls -A out)"
		kill -$sig $pid
		kill -CONT $pid
		rc=0
		wait $pid || rc=$?
		[ $rc -gt 128 ] || atf_fail "SIG$sig: exit status $rc"
		[ -z "$(ls -A out)" ] || atf_fail "SIG$sig: left $(ls -A out)"
	done
}

atf_test_case msgbuf
msgbuf_head()
{
	atf_set descr 'md2elf -d prints the message buffer as the library' \
	    'gives it (via msgbufp with -k, the dump section without), like' \
	    'dmesg(8) without the partial first line of a wrapped ring, and' \
	    'all of a ring that has not wrapped'
}
msgbuf_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	THRLIST=$SRCDIR/thrlist
	gen -V 3 -s 94
	atf_check -s exit:0 -o save:lib -e empty "$THRLIST" -m -k kernel vmcore.0
	atf_check -s exit:0 -o save:d.k -e empty "$MD2ELF" -d -k kernel vmcore.0
	atf_check -s exit:0 -o save:d.s -e empty "$MD2ELF" -d vmcore.0
	# The model's ring has wrapped (it starts mid-line): md2elf drops
	# that line through its newline and ends the text with a newline.
	[ "$(wc -c <lib)" -eq "$(fact msgbufsize)" ] || atf_fail "not full"
	head -1 lib | grep -Eqv '^md2elf model line [0-9]+ seed 94 ' ||
	    atf_fail "the ring's first line is whole: $(head -1 lib)"
	sed 1d lib >want
	[ -n "$(tail -c1 want)" ] && echo >>want
	cmp want d.k || atf_fail "-d -k is not the library's text less its" \
	    "first line"
	cmp want d.s || atf_fail "-d is not the library's text less its" \
	    "first line"
	line='^md2elf model line [0-9]+ seed 94 hash [0-9a-f]{16}$'
	head -1 d.s | grep -Eq "$line" ||
	    atf_fail "-d starts with '$(head -1 d.s)'"
	grep -q 'panic: page fault' d.s || atf_fail "no panic line"

	# A ring that has not wrapped (msg_wseq < msg_size, NULs from the
	# write position on): all of its text, the first line included.
	set -- $(fact section_msgbuf)
	off=$1
	size=$(fact msgbufsize)
	p=1000
	dd if=/dev/zero of=vmcore.0 bs=1 seek=$((off + p)) \
	    count=$((size - p)) conv=notrunc 2>/dev/null
	# struct msgbuf after the text: msg_ptr, msg_magic, msg_size, msg_wseq.
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $((p & 255)) \
	    $((p >> 8 & 255)) 0 0)" |
	    dd of=vmcore.0 bs=1 seek=$((off + size + 16)) conv=notrunc \
	    2>/dev/null
	atf_check -s exit:0 -o save:d.n -e empty "$MD2ELF" -d vmcore.0
	tail -c +$((off + 1)) vmcore.0 | head -c $p >want
	[ -n "$(tail -c1 want)" ] && echo >>want
	cmp want d.n || atf_fail "unwrapped ring: -d printed $(head -2 d.n)"
}

atf_test_case threads_fail
threads_fail_head()
{
	atf_set descr 'md2elf -t prints nothing on stdout (not even the' \
	    'table header) when the kernel is refused or the thread walk' \
	    'fails before the first thread; a good walk prints header and rows'
}
threads_fail_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 95 -T 9 -K nooffsets -K nodumppcb
	atf_check -s exit:1 -o empty -e match:'lacks proc_off_p_pid' \
	    "$MD2ELF" -t -k kernel vmcore.0
	"$MKDUMP" -s 96 -k other || atf_fail "mkdump -k other"
	atf_check -s exit:1 -o empty -e match:'other does not match' \
	    "$MD2ELF" -t -k other vmcore.0
	gen -V 3 -s 95 -T 9
	atf_check -s exit:0 -o save:out -e empty "$MD2ELF" -t -k kernel vmcore.0
	head -1 out | grep -Eq '^  Id +TID +PID +Name +State +PC *$' ||
	    atf_fail "header: $(head -1 out)"
	[ "$(sed 1d out | grep -vc '^        ---')" -eq 9 ] ||
	    atf_fail "$(cat out)"
}

atf_test_case threads_pc_width
threads_pc_width_head()
{
	atf_set descr 'md2elf -t prints PCs as wide as the dump'"'"'s' \
	    'addresses: 8 hex digits on i386, 16 on amd64 and arm64'
}
threads_pc_width_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	for a in i386:2:8 i386pae:2:8 amd64:3:16 arm64:2:16; do
		set -- $(echo $a | tr : ' ')
		gen -a $1 -V $2 -s 87 -T 8
		atf_check -s exit:0 -o save:out -e empty \
		    "$MD2ELF" -t -k kernel vmcore.0
		sed 1d out | grep -v '^        ---' >rows
		[ "$(wc -l <rows)" -eq 8 ] || atf_fail "$1: $(cat out)"
		n=$(grep -Ec " 0x[0-9a-f]{$3}( in |\$)" rows)
		[ "$n" -eq 8 ] || atf_fail "$1: want $3 digits: $(cat rows)"
		! grep -Eq "0x[0-9a-f]{$(($3 + 1))}" rows ||
		    atf_fail "$1: wider than $3 digits: $(cat rows)"
	done
}

atf_test_case force_messages
force_messages_head()
{
	atf_set descr 'the refusals -F gets past end with "(use -F to force)":' \
	    'header parity, a cleared header, a block size that disagrees' \
	    'with where the header lies, disagreeing headers, an undumped' \
	    'page-table page, a mismatched kernel; other errors do not'
}
force_messages_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	F=' \(use -F to force\)'
	gen -V 3 -s 97 -H device -X kdh-parity
	refused kernel "offset 0x[0-9a-f]+: kerneldumpheader parity error$F"
	forced
	gen -V 3 -s 97 -H lead
	clear_magic vmcore.0
	refused kernel "offset 0: the dump header is marked \"Cleared Kernel \
Dump\": savecore\\(8\\) already saved this dump$F"
	forced
	gen -V 3 -s 97 -H device
	dd if=/dev/zero bs=3584 count=1 >>vmcore.0 2>/dev/null
	refused kernel "offset 0x[0-9a-f]+: the trailing header says block \
size 512 but lies 4096 bytes before the end of the file$F"
	gen -V 3 -s 97 -H device -X kdh-disagree
	refused kernel "offset 0x[0-9a-f]+: the leading kerneldumpheader does \
not match the trailing one at offset 0x[0-9a-f]+$F"
	forced
	gen -V 3 -s 97 -X pde-undumped
	refused kernel "offset 0x[0-9a-f]+: page-directory entry [0-9]+ .*, \
which is not in the dump$F"
	forced
	"$MKDUMP" -s 98 -k other || atf_fail "mkdump -k other"
	refused other "kernel other does not match the dump: build id [0-9a-f]+ \
in the dump's memory, [0-9a-f]+ in the file$F"
	forced other
	# Not forcible: no hint.
	"$MKDUMP" -a i386 -V 2 -s 98 -k i386k || atf_fail "mkdump -k i386k"
	refused i386k "kernel i386k is EM_386 .* but the dump is amd64"
	refused i386k "kernel i386k is EM_386 .* but the dump is amd64" -F
	gen -V 3 -s 97 -H device -X kdh-version=5
	refused kernel "offset 0x[0-9a-f]+: unknown kerneldumpheader \
version 5 \\(known: 1 to 4\\)"
}

atf_test_case escaped_text
escaped_text_head()
{
	atf_set descr 'the dump'"'"'s text with escape, carriage-return,' \
	    'newline and backslash bytes: -i and -v escape the header'"'"'s' \
	    'host name, version and panic string and the in-memory panicstr' \
	    '(vis(3) C style); -d escapes the message buffer as dmesg(8)' \
	    '(vis(3) default style); no raw control byte, no forged line'
	atf_set require.progs perl
}
escaped_text_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -V 3 -s 101 -H lead
	# "page fault" (header, panicstr, message buffer) becomes p ESC [ 2 J
	# CR LF \ x y; the header's host name h CR o s t LF \ x; the header's
	# parity word made right again (its 128 words XOR to zero).
	perl -0777 -pi -e 's/page fault/p\x1b[2J\r\n\\xy/g;
	    substr($_, 64, 64) = "h\rost\n\\x" . ("\0" x 56);
	    my $x = 0; $x ^= $_ for unpack("N127", substr($_, 0, 508));
	    substr($_, 508, 4) = pack("N", $x);' vmcore.0
	atf_check -s exit:0 -o save:info -e save:err \
	    "$MD2ELF" -v -i -k kernel vmcore.0
	tail='while in kernel mode (model 101)'
	for l in 'hostname:       h\rost\n\\x' \
	    "panic string:   p\\033[2J\\r\\n\\\\xy $tail" \
	    "panicstr:       p\\033[2J\\r\\n\\\\xy $tail"; do
		grep -Fqx "$l" info || atf_fail "no line '$l': $(cat info)"
	done
	grep -Eqx 'version: +FreeBSD 13\.2-RELEASE .* \(md2elf model seed 101\)' \
	    info || atf_fail "version: $(grep ^version info)"
	grep -Fq 'md2elf: vmcore.0: kerneldumpheader: host h\rost\n\\x, FreeBSD ' \
	    err || atf_fail "-v: $(cat err)"
	for f in info err; do
		tr -d '\n' <$f | LC_ALL=C grep -q '[^ -~]' &&
		    atf_fail "$f: control bytes printed"
	done
	[ "$(grep -c '^panic' info)" -eq 2 ] || atf_fail "$(cat info)"
	# -d: ESC and CR as \^[ and \^M, the backslash \134, the newline kept
	# (dmesg(8) prints the buffer's lines).
	atf_check -s exit:0 -o save:d -e empty "$MD2ELF" -d vmcore.0
	grep -q 'panic: p\\^\[\[2J\\^M$' d || atf_fail "-d: $(grep -A1 'panic:' d)"
	grep -A1 'panic: p' d | tail -1 | grep -Fqx "\\134xy $tail" ||
	    atf_fail "-d: $(grep -A1 'panic:' d)"
	tr -d '\n' <d | LC_ALL=C grep -q '[^ -~]' &&
	    atf_fail "-d: control bytes printed"
	true
}

atf_test_case info_time_host
info_time_host_head()
{
	atf_set descr 'md2elf -i on a saved vmcore (no kerneldumpheader): the' \
	    'dump time from time_second in memory with -k (8 bytes on amd64,' \
	    '4 on i386), the host name unknown; with a header both from it'
}
info_time_host_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	for a in amd64:3 i386:2; do
		gen -a ${a%:*} -V ${a#*:} -s 99
		want="$(utc "$(fact dumptime)")"
		atf_check -s exit:0 -o save:info -e empty \
		    "$MD2ELF" -i -k kernel vmcore.0
		grep -qx "dump time: *$want (time_second)" info ||
		    atf_fail "$a: want $want: $(grep 'dump time' info)"
		grep -qx 'hostname: *unknown (no dump header)' info ||
		    atf_fail "$a: $(grep hostname info)"
	done
	atf_check -s exit:0 -o save:info -e empty "$MD2ELF" -i vmcore.0
	grep -qx 'dump time: *unknown (no dump header; -k reads time_second)' \
	    info || atf_fail "without -k: $(grep 'dump time' info)"
	gen -V 3 -s 99 -H lead
	atf_check -s exit:0 -o save:info -e empty \
	    "$MD2ELF" -i -k kernel vmcore.0
	grep -qx "dump time: *$(utc "$(fact dumptime)")" info ||
	    atf_fail "header: $(grep 'dump time' info)"
	grep -qx "hostname: *$(fact hostname)" info ||
	    atf_fail "header: $(grep hostname info)"
}

atf_test_case verbose
verbose_head()
{
	atf_set descr 'md2elf -v: on stderr, before converting, the container,' \
	    'compression, format and version, architecture, page size, pages' \
	    'and every section as mkdump laid it out, and the kernel'
}
verbose_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	for c in "-V 3 -c zstd -H lead:kerneldumpheader:zstd" \
	    "-V 1:vmcore:none" "-V 2 -c gzip -H device:device:gzip"; do
		args=${c%%:*}
		c=${c#*:}
		gen $args -s 89
		atf_check -s exit:0 -o empty -e save:err \
		    "$MD2ELF" -v -q -k kernel -o core.elf vmcore.0
		rm -f core.elf
		v=$(fact version)
		for want in "container ${c%:*}, compression ${c#*:}" \
		    "amd64 minidump version $v, page size 4096, $(fact pages) \
pages \\([0-9.]+ MiB\\)" \
		    "kernel kernel: [0-9]+ symbols, osreldate 1302000, build \
id [0-9a-f]{40}"; do
			grep -Eqx "md2elf: vmcore\.0: $want" err ||
			    atf_fail "$args: no '$want' in: $(cat err)"
		done
		for s in header msgbuf avail bitmap pmap pages; do
			set -- $(fact section_$s)
			line="md2elf: vmcore.0: section $s at offset"
			line="$line $(printf '%#x' $1), $2 bytes"
			grep -Fq "$line (" err ||
			    atf_fail "$args: no '$line' in: $(cat err)"
		done
		grep -q 'section msgbuf .*('"$(fact msgbufsize)"' used)$' err ||
		    atf_fail "$args: msgbuf used: $(cat err)"
		[ "$(grep -c 'section ' err)" -eq 6 ] || atf_fail "$(cat err)"
	done
}

atf_test_case usage
usage_head()
{
	atf_set descr 'usage errors exit 2, other errors 1 with one line' \
	    'naming the file'
}
usage_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	atf_check -s exit:2 -o empty -e match:'^usage: md2elf' "$MD2ELF"
	atf_check -s exit:2 -o empty -e match:'^usage: md2elf' "$MD2ELF" a b
	atf_check -s exit:2 -o empty -e match:'unknown flavor "bsd"' \
	    "$MD2ELF" --flavor bsd x
	atf_check -s exit:2 -o empty -e match:'-t needs the kernel' \
	    "$MD2ELF" -t x
	atf_check -s exit:2 -o empty -e match:'^usage:' "$MD2ELF" -i -t x
	atf_check -s exit:2 -o empty -e match:'^usage:' "$MD2ELF" -Z x
	atf_check -s exit:1 -o empty \
	    -e match:'^md2elf: nonexistent: .*No such file' \
	    "$MD2ELF" nonexistent
	[ ! -e nonexistent.elf ] || atf_fail "output for a missing input"
}

atf_init_test_cases()
{
	atf_add_test_case summary
	atf_add_test_case input_untouched
	atf_add_test_case output_not_regular
	atf_add_test_case interrupted
	atf_add_test_case output_exclusive
	atf_add_test_case output_long_name
	atf_add_test_case msgbuf
	atf_add_test_case threads_fail
	atf_add_test_case threads_pc_width
	atf_add_test_case force_messages
	atf_add_test_case info_time_host
	atf_add_test_case escaped_text
	atf_add_test_case verbose
	atf_add_test_case usage
}
