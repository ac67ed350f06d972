#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# textdump_test: textdumps (textdump(4)) as mkdump -t writes them after
# sys/ddb/db_textdump.c (a ustar archive of ddb.txt, config.txt,
# msgbuf.txt, panic.txt, version.txt; on a device its blocks backwards
# below the trailing header with the textdump magic), on a device and as
# savecore saves them.  md2elf -i lists the files mkdump wrote, -d prints
# msgbuf.txt (the model's message buffer, which the library reads from
# the minidump of the same model), a conversion says no ELF core can be
# made; savecore turns the device into the archive mkdump -H none
# writes; damaged textdumps get one line.

# tdgen CONTAINER [MKDUMP-ARGS...]: td.img, the model's textdump.
tdgen()
{
	cont=$1
	shift
	"$MKDUMP" -v -m 64 -t -H "$cont" "$@" -o td.img -k kernel -M model \
	    >facts 2>gen.err || atf_fail "mkdump -t: $(cat gen.err)"
}

# tdbad PATTERN ARGS...: md2elf ARGS td.img fails with one line matching
# PATTERN and writes nothing.
tdbad()
{
	pattern=$1
	shift
	rm -rf out && mkdir out
	atf_check -s exit:1 -o empty -e save:err "$MD2ELF" "$@" td.img
	[ "$(wc -l <err)" -eq 1 ] || atf_fail "not one line: $(cat err)"
	grep -Eq "^md2elf: td\.img: .*$pattern" err ||
	    atf_fail "message '$(cat err)' does not match '$pattern'"
	[ -z "$(ls -A out)" ] || atf_fail "left behind: $(ls -A out)"
}

atf_test_case info
info_head()
{
	atf_set descr 'md2elf -i of a textdump on a device and saved: the' \
	    'files mkdump wrote, in order, with their sizes'
}
info_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	for cont in device none; do
		tdgen $cont -a amd64
		atf_check -s exit:0 -o save:info -e empty "$MD2ELF" -i td.img
		sed -n 's/^td_file \([^ ]*\) \([0-9]*\)$/file:           \1, \2 bytes/p' \
		    facts >want
		[ "$(wc -l <want)" -eq 5 ] || atf_fail "facts: $(cat facts)"
		grep '^file:' info | diff -u want - ||
		    atf_fail "$cont: the files differ"
		case $cont in
		device)	c=device ;;
		*)	c=textdump.tar ;;
		esac
		grep -qx "container:      $c, $(fact td_length) bytes of tar" \
		    info || atf_fail "$cont: $(cat info)"
		grep -q '^format: *textdump .*no ELF core' info ||
		    atf_fail "$cont: $(cat info)"
	done
}

atf_test_case msgbuf
msgbuf_head()
{
	atf_set descr 'md2elf -d of a textdump prints msgbuf.txt: the model' \
	    'message buffer as the library reads it from the minidump, and' \
	    'what tar extracts; amd64 and i386'
	atf_set require.progs tar
}
msgbuf_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	THRLIST=$SRCDIR/thrlist
	for a in amd64 i386; do
		gen -a $a -V 2 -s 31
		atf_check -s exit:0 -o save:lib -e empty "$THRLIST" -m vmcore.0
		[ -n "$(tail -c1 lib)" ] && echo >>lib
		tdgen device -a $a -V 2 -s 31
		atf_check -s exit:0 -o save:d.dev -e empty "$MD2ELF" -d td.img
		cmp lib d.dev || atf_fail "$a: -d is not the model's ring"
		grep -q 'panic: page fault' d.dev || atf_fail "$a: no panic line"
		tdgen none -a $a -V 2 -s 31
		atf_check -s exit:0 -o save:d.tar -e empty "$MD2ELF" -d td.img
		cmp d.dev d.tar || atf_fail "$a: device and saved differ"
		tar xOf td.img msgbuf.txt >x
		[ -n "$(tail -c1 x)" ] && echo >>x
		cmp x d.tar || atf_fail "$a: not tar's msgbuf.txt"
	done
}

atf_test_case savecore
savecore_head()
{
	atf_set descr 'savecore saves the device textdump as the archive' \
	    'mkdump -H none writes (the blocks put back in order)'
}
savecore_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	SAVECORE=$SRCDIR/../savecore/savecore
	tdgen none -s 5
	mv td.img want.tar
	tdgen device -s 5
	mkdir crash
	atf_check -s exit:0 -o empty -e match:'writing core to crash/textdump.tar.0' \
	    "$SAVECORE" -k crash ./td.img
	cmp crash/textdump.tar.0 want.tar ||
	    atf_fail "savecore's textdump.tar.0 is not mkdump's archive"
}

atf_test_case no_core
no_core_head()
{
	atf_set descr 'converting a textdump, -t, -r: one line saying no ELF' \
	    'core can be made, exit 1, no output'
}
no_core_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	for cont in device none; do
		tdgen $cont
		pat='a textdump \(ddb text output, textdump\(4\)\), not a memory dump: no ELF core can be made from it'
		tdbad "$pat" -k kernel -o out/core
		tdbad "$pat" -o out/core
		tdbad "$pat" -t -k kernel
		tdbad "$pat" -r -k kernel -o out/report
	done
}

atf_test_case damaged
damaged_head()
{
	atf_set descr 'a cut archive, a bad tar checksum, headers that' \
	    'disagree, an uneven length: one line naming the offset'
}
damaged_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	tdgen none
	len=$(fact td_length)
	# Cut inside msgbuf.txt (the third member, after two 1-block ones).
	head -c $((5 * 512 + 4096)) td.img >cut && mv cut td.img
	tdbad 'archive offset 0x800: member of 98232 bytes, the archive ends 4096 bytes on' -i
	tdgen none
	# A byte of ddb.txt's header name changed: the checksum disagrees.
	printf 'X' | dd of=td.img bs=1 seek=2 conv=notrunc 2>/dev/null
	tdbad 'archive offset 0: tar header checksum 0[0-7]+, computed 0[0-7]+' -d
	tdgen device
	size=$(wc -c <td.img)
	# The leading header (below the archive) changed.
	lead=$((size - 512 - len - 512))
	printf 'X' | dd of=td.img bs=1 seek=$((lead + 70)) conv=notrunc \
	    2>/dev/null
	tdbad "offset $(printf '%#x' $lead): the leading kerneldumpheader does not match the trailing one" -i
	[ "$len" -gt 0 ] || atf_fail "no td_length"
}

atf_init_test_cases()
{
	atf_add_test_case info
	atf_add_test_case msgbuf
	atf_add_test_case savecore
	atf_add_test_case no_core
	atf_add_test_case damaged
}
