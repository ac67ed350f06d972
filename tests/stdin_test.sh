#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# stdin_test: md2elf - reads the dump from standard input (a pipe: one
# pass, spooled to a temporary file in $TMPDIR that is never left behind):
# minidumps and full dumps, plain, gzip, zstd, with a leading header or as
# a whole dump device, of amd64, i386 and arm64 give the core the same
# file gives, byte for byte; a cut pipe gets one line naming the offset
# and leaves no output; -i reads a pipe; a conversion needs -o.

# pipe_same MKDUMP-ARGS...: generate; convert the file and the same bytes
# through a pipe; the cores must be identical and pass coreck; nothing may
# be left in TMPDIR.
pipe_same()
{
	gen "$@"
	rm -rf tmp core.file core.pipe
	mkdir tmp
	atf_check -s exit:0 -o empty -e empty \
	    "$MD2ELF" -q -k kernel -o core.file vmcore.0
	cat vmcore.0 | TMPDIR=$PWD/tmp "$MD2ELF" -q -k kernel -o core.pipe - \
	    2>err || atf_fail "$*: md2elf -: $(cat err)"
	[ -s err ] && atf_fail "$*: md2elf - printed: $(cat err)"
	cmp core.file core.pipe || atf_fail "$*: the cores differ"
	[ -z "$(ls -A tmp)" ] || atf_fail "left in TMPDIR: $(ls -A tmp)"
	atf_check -s exit:0 -o ignore -e empty "$CORECK" -M model core.pipe
	echo "$*: $(wc -c <core.pipe) bytes, identical"
}

atf_test_case minidumps
minidumps_head()
{
	atf_set descr 'minidumps through a pipe: the core of the file'
}
minidumps_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	pipe_same -a amd64 -V 3
	pipe_same -a amd64 -V 3 -c zstd -H device
	pipe_same -a i386 -V 2 -H lead -c gzip
	pipe_same -a arm64 -V 3 -H device -B 4096
}

atf_test_case fulldumps
fulldumps_head()
{
	atf_set descr 'full dumps through a pipe: the core of the file'
}
fulldumps_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	pipe_same -f -a amd64 -c gzip
	pipe_same -f -a i386 -V 2 -H device
}

atf_test_case regular
regular_head()
{
	atf_set descr 'standard input that is a file is read in place'
}
regular_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -a amd64 -c zstd
	atf_check -s exit:0 -o empty -e empty \
	    "$MD2ELF" -q -k kernel -o core.file vmcore.0
	"$MD2ELF" -q -k kernel -o core.redir - <vmcore.0 2>err ||
	    atf_fail "md2elf - <vmcore.0: $(cat err)"
	cmp core.file core.redir || atf_fail "the cores differ"
}

atf_test_case truncated
truncated_head()
{
	atf_set descr 'a pipe cut short: one line with the offset, no output'
}
truncated_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -a amd64
	size=$(fact dumpsize)
	cut=$((size / 2))
	rm -rf out && mkdir out
	head -c $cut vmcore.0 | "$MD2ELF" -k kernel -o out/core.elf - 2>err
	[ $? -eq 1 ] || atf_fail "exit status: $(cat err)"
	grep -v '^md2elf: warning: ' err >errlines || true
	[ "$(wc -l <errlines)" -eq 1 ] || atf_fail "$(cat err)"
	grep -Eq "^md2elf: stdin: offset 0x[0-9a-f]+: truncated page data \\(need $size bytes, file has $cut\\)" \
	    errlines || atf_fail "message: $(cat errlines)"
	[ -z "$(ls -A out)" ] || atf_fail "left behind: $(ls -A out)"
	# A compressed stream cut short.
	gen -a amd64 -c zstd
	head -c 100000 vmcore.0 | "$MD2ELF" -k kernel -o out/core.elf - 2>err
	[ $? -eq 1 ] || atf_fail "exit status: $(cat err)"
	grep -q '^md2elf: stdin: offset 0x[0-9a-f]*: truncated zstd stream' err ||
	    atf_fail "message: $(cat err)"
	[ -z "$(ls -A out)" ] || atf_fail "left behind: $(ls -A out)"
	# Nothing that looks like a dump.
	head -c 100000 /dev/zero | "$MD2ELF" -i - 2>err
	[ $? -eq 1 ] || atf_fail "exit status: $(cat err)"
	grep -q '^md2elf: stdin: not a FreeBSD kernel dump: .*100000 bytes of standard input' err ||
	    atf_fail "message: $(cat err)"
}

atf_test_case usage
usage_head()
{
	atf_set descr '-i and -t read a pipe; converting one needs -o'
}
usage_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -a amd64 -H device -c gzip
	cat vmcore.0 | "$MD2ELF" -i - >info || atf_fail "md2elf -i -"
	grep -q '^container: *device, compression gzip' info ||
	    atf_fail "$(cat info)"
	cat vmcore.0 | "$MD2ELF" -t -k kernel - >threads ||
	    atf_fail "md2elf -t -"
	atf_check -s exit:0 -o save:threads.file -e empty \
	    "$MD2ELF" -t -k kernel vmcore.0
	[ "$(grep -c "^[ *] *[0-9]" threads)" -ge "$(fact threads model)" ] ||
	    atf_fail "threads: $(cat threads)"
	cmp threads threads.file || atf_fail "-t of the pipe and of the file"

	atf_check -s exit:2 -o empty \
	    -e match:'reading the dump from standard input \(-\) needs -o' \
	    "$MD2ELF" -k kernel -
}

atf_init_test_cases()
{
	atf_add_test_case minidumps
	atf_add_test_case fulldumps
	atf_add_test_case regular
	atf_add_test_case truncated
	atf_add_test_case usage
}
