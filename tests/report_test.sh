#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# report_test: md2elf -r, the crash report, against the generator's model
# (coreck -t): what crashed, the crashed thread's backtrace frame by frame
# through its trap frame, the threads on other CPUs, every thread in the
# groups by stack, the processes and their thread counts, the message
# buffer; the JSON form (parsed with jq) carrying the same facts; the
# fingerprint equal for two dumps of the same panic and different for
# another panic; strings from the dump escaped; -o writes a file.

# h: hex without 0x and leading zeros, as awk input normaliser.
HNORM='function h(x) { sub(/^0x0*/, "", x); return x }'

# doc_keys: the JSON names md2elf(1) documents (its .Va names from "the
# report is one JSON object" to the next subsection), one a line, sorted.
doc_keys()
{
	sed -n '/^the report is one JSON object/,/^\.Ss /p' \
	    "$(atf_get_srcdir)/../man/md2elf.1" | grep 'Va ' |
	    sed 's/.*Va //; s/[^a-z_ ,].*//' | tr ',' '\n' | tr -d ' ' |
	    grep -v '^$' | sort -u
}

# schema_check FILE: the JSON report FILE parses, validates against schema 1
# (report_schema.jq: every documented key and no other, the types, hex
# addresses, counts matching lists), and uses only names md2elf(1)
# documents.  Its keys are added to json.keys.
schema_check()
{
	jq -r -f "$(atf_get_srcdir)/report_schema.jq" "$1" >schema.out ||
	    atf_fail "$1: not JSON: $(head -c 300 "$1")"
	[ ! -s schema.out ] ||
	    atf_fail "$1: schema: $(head -3 schema.out | tr '\n' ' ')"
	doc_keys >doc.keys
	[ "$(wc -l <doc.keys)" -ge 40 ] || atf_fail "md2elf(1): $(cat doc.keys)"
	jq -r '[paths | .[] | strings] | unique[]' "$1" >>json.keys
	sort -u -o json.keys json.keys
	extra=$(comm -23 json.keys doc.keys | tr '\n' ' ')
	[ -z "$extra" ] || atf_fail "$1: not in md2elf(1): $extra"
}

# report_gen ARCH VERSION SEED: a dump, its report (text and JSON), model.
report_gen()
{
	gen -a "$1" -V "$2" -s "$3" -T 40
	"$CORECK" -M model -t >model.t || atf_fail "coreck -t"
	atf_check -s exit:0 -o save:r.txt -e empty "$MD2ELF" -r -k kernel \
	    vmcore.0
	atf_check -s exit:0 -o save:r.json -e empty "$MD2ELF" -r --json \
	    -k kernel vmcore.0
	schema_check r.json
}

text_arch_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	report_gen "$1" "$2" 71
	c=$(awk '$1 == "thread" && $4 == "crashed" { print $2 }' model.t)
	cpid=$(awk -v c="$c" '$1 == "thread" && $2 == c { print $3 }' model.t)
	[ -n "$c" ] || atf_fail "no crashed thread in the model"
	# 1. What crashed.
	grep -q "^panic:       page fault while in kernel mode (model 71)\$" \
	    r.txt || atf_fail "panic: $(grep '^panic' r.txt)"
	grep -q "^arch:        $(echo "$1" | sed 's/pae//;s/-16k//'), minidump version $2\$" \
	    r.txt || atf_fail "arch: $(grep '^arch' r.txt)"
	grep -q '^  frames:    ifhwioctl ifioctl soo_ioctl kern_ioctl sys_ioctl$' \
	    r.txt || atf_fail "fingerprint frames: $(grep frames: r.txt)"
	# 2. The crashed thread: the model's frames, then the trap frame's
	# interrupted context and its frames, in order.
	grep -q "^2. The crashed thread: tid $c, pid $cpid, " r.txt ||
	    atf_fail "crashed: $(grep '^2\.' r.txt)"
	crash_frames "$c" >want
	sed -n '/^2\. /,/^3\. /p' r.txt |
	    sed -n 's/^#[0-9]* *0x0*\([0-9a-f]*\) .*/\1/p' | tr '\n' ' ' >got
	w=$(cat want)
	[ "$(echo "$w" | wc -w)" -ge 10 ] || atf_fail "model frames: $w"
	case "$(cat got)" in
	"$w"*) ;;
	*) atf_fail "backtrace '$(cat got)', the model '$w'" ;;
	esac
	# The trap frame's line: the interrupted pc of the model's trap.
	tpc=$(awk -v c="1000$c" "$HNORM"'
	    $1 == "thread" && $2 == c { print h($6) }' model.t)
	[ -n "$tpc" ] || atf_fail "no trap frame thread in the model"
	sed -n '/^2\. /,/^3\. /p' r.txt | grep -m1 '^--- ' >trapline
	grep -Eq "^--- .*, pc 0x0*$tpc, sp 0x[0-9a-f]+, fp 0x[0-9a-f]+ ---\$" \
	    trapline || atf_fail "trap line '$(cat trapline)', pc $tpc"
	# 3. Every thread on another CPU, with its backtrace.
	for t in $(awk '$1 == "thread" && $4 == "oncpu" { print $2 }' model.t)
	do
		grep -q "^CPU [0-9]*: tid $t, " r.txt ||
		    atf_fail "on-CPU thread $t missing"
	done
	# 4. Groups: every thread once, counts adding up to 40.
	[ "$(grep -c "^4\. All 40 threads by stack" r.txt)" -eq 1 ] ||
	    atf_fail "$(grep '^4\.' r.txt)"
	n=$(sed -n 's/^\([0-9][0-9]*\) threads*:.*/\1/p' r.txt |
	    awk '{ s += $1 } END { print s }')
	[ "$n" -eq 40 ] || atf_fail "groups count $n threads"
	# The crashed thread's group first.
	sed -n '/^4\. /,/^5\. /p' r.txt | grep -m1 '^[0-9]* threads*:' |
	    grep -q " $c\$" || atf_fail "the first group is not the crashed one"
	# Each of the model's threads in one group; threads whose stacks are
	# the same in the model (pc and frames, no kernel-mode trap frame)
	# in the same group; text and JSON the same groups.
	jq -r '.groups | to_entries[] | .key as $g | .value.tids[] |
	    "\(.) \($g)"' r.json >tid.group
	[ "$(cut -d' ' -f1 tid.group | sort -u | wc -l)" -eq 40 ] &&
	[ "$(wc -l <tid.group)" -eq 40 ] || atf_fail "json groups' tids"
	awk 'NR == FNR { g[$1] = $2; next }
	    $1 == "thread" && $4 == "trap" { trap[substr($2, 5)] = 1; next }
	    $1 == "thread" { pc[$2] = $6; t[++n] = $2 }
	    $1 == "frames" { f = ""; for (i = 3; i <= NF; i++) f = f " " $i
		fr[$2] = f }
	    END { for (i = 1; i <= n; i++) {
		if (!(t[i] in g)) { print "thread " t[i] " in no group"; bad = 1
		    continue }
		if (t[i] in trap) continue
		k = pc[t[i]] fr[t[i]]
		if (k in grp && grp[k] != g[t[i]]) {
		    print "thread " t[i] " apart from its stack'"'"'s group"
		    bad = 1 }
		grp[k] = g[t[i]]; ngrp++ }
		if (ngrp < 2) { print "too few plain stacks"; bad = 1 }
		exit bad }' tid.group model.t >groups.err ||
	    atf_fail "groups: $(head -3 groups.err | tr '\n' ' ')"
	jq -r '.groups[] | "\(.count) threads*: \(.tids[:16] | map(tostring) |
	    join(" "))"' r.json | sed 's/^1 threads\*/1 thread/;
	    s/threads\*/threads/' >groups.j
	sed -n '/^4\. /,/^5\. /p' r.txt | grep '^[0-9][0-9]* threads*:' |
	    sed 's/ \.\.\. ([0-9]* more)$//' >groups.t
	cmp -s groups.j groups.t ||
	    atf_fail "text and JSON groups: $(diff groups.t groups.j | head -3)"
	# 5. Processes: the model's pids, each with its thread count.
	awk '$1 == "thread" && $4 != "trap" { n[$3]++ }
	    END { for (p in n) print p, n[p] }' model.t | sort >procs.want
	sed -n '/^5\. /,/^6\. /p' r.txt |
	    awk 'NF >= 3 && $1 ~ /^[0-9]+$/ { print $1, $NF }' | sort \
	    >procs.got
	cmp -s procs.want procs.got ||
	    atf_fail "processes: $(diff procs.want procs.got | head -4)"
	# 6. The message buffer as md2elf -d prints it.
	atf_check -s exit:0 -o save:dmesg -e empty "$MD2ELF" -d -k kernel \
	    vmcore.0
	sed -n '/^6\. Message buffer$/,$p' r.txt | sed 1,2d >msg
	cmp -s dmesg msg || atf_fail "message buffer differs"
	# JSON: the same facts.
	[ "$(jq -r '.schema' r.json)" = 1 ] || atf_fail "schema"
	[ "$(jq -r '.crashed.tid' r.json)" = "$c" ] || atf_fail "json tid"
	[ "$(jq -r '.panic' r.json)" = \
	    "page fault while in kernel mode (model 71)" ] || atf_fail "panic"
	jq -e '.version | test("^FreeBSD .*[^\n]$")' r.json >/dev/null &&
	[ "$(jq -r .version r.json)" = \
	    "$(sed -n 's/^version:     //p' r.txt)" ] || atf_fail "json version"
	jq -r '.crashed.backtrace[].pc' r.json | awk "$HNORM"'
	    { printf "%s ", h($1) }' >got.j
	case "$(cat got.j)" in
	"$w"*) ;;
	*) atf_fail "json backtrace '$(cat got.j)', the model '$w'" ;;
	esac
	[ "$(jq '[.groups[].count] | add' r.json)" -eq 40 ] ||
	    atf_fail "json groups"
	jq -r '.processes[] | "\(.pid) \(.threads)"' r.json | sort >procs.j
	cmp -s procs.want procs.j || atf_fail "json processes"
	[ "$(jq -r '.crashed.backtrace[] | select(.trap != null and
	    .trap.user == false) | .trap.label' r.json | head -1)" != "" ] ||
	    atf_fail "json: no kernel trap frame"
	[ "$(jq -r '.msgbuf' r.json)" = "$(cat dmesg)" ] ||
	    atf_fail "json msgbuf"
	[ "$(jq -r '.fingerprint.hash' r.json)" = \
	    "$(sed -n 's/^fingerprint: //p' r.txt)" ] ||
	    atf_fail "json and text fingerprints differ"
}

for c in amd64:3 i386:2 i386pae:2 arm64:3; do
	a=${c%:*}
	v=${c#*:}
	eval "atf_test_case text_$a
	text_${a}_head() {
		atf_set descr '$a: the report text and JSON hold the model facts'
		atf_set require.progs jq
	}
	text_${a}_body() { text_arch_body $a $v; }"
done

fingerprint_arch_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -a "$1" -V "$2" -s 5 -T 30 -m 96
	atf_check -s exit:0 -o save:a.json -e empty "$MD2ELF" -r -j \
	    -k kernel vmcore.0
	mv vmcore.0 a.vmcore
	mv kernel a.kernel
	gen -a "$1" -V "$2" -s 9 -T 50 -m 128
	atf_check -s exit:0 -o save:b.json -e empty "$MD2ELF" -r -j \
	    -k kernel vmcore.0
	schema_check a.json
	schema_check b.json
	fa=$(jq -r .fingerprint.hash a.json)
	fb=$(jq -r .fingerprint.hash b.json)
	[ "$(jq -r .panic a.json)" != "$(jq -r .panic b.json)" ] ||
	    atf_fail "the panic strings differ by the model's seed"
	# Other layouts: another crashed thread, its trap frame elsewhere.
	tf='[.crashed.tid, [.crashed.backtrace[] | select(.trap) |
	    .trap.frame][0]] | map(tostring) | join(" ")'
	[ "$(jq -r "$tf" a.json)" != "$(jq -r "$tf" b.json)" ] ||
	    atf_fail "the two dumps' crashed thread: $(jq -r "$tf" a.json)"
	[ -n "$fa" ] && [ "$fa" = "$fb" ] ||
	    atf_fail "same panic, fingerprints $fa and $fb"
	[ "$(jq -r .fingerprint.frames b.json)" = \
	    "ifhwioctl ifioctl soo_ioctl kern_ioctl sys_ioctl" ] ||
	    atf_fail "frames: $(jq -r .fingerprint.frames b.json)"
	# Another panic (same length, in memory and the message buffer).
	cp vmcore.0 c.vmcore
	perl -0777 -pi -e 's/page fault while in kernel mode/general protection fault!!!!!!!/g' \
	    c.vmcore
	atf_check -s exit:0 -o save:c.json -e empty "$MD2ELF" -r -j \
	    -k kernel c.vmcore
	[ "$(jq -r .fingerprint.panic c.json)" = \
	    "general protection fault!!!!!!! (model N)" ] ||
	    atf_fail "panic: $(jq -r .fingerprint.panic c.json)"
	[ "$(jq -r .fingerprint.hash c.json)" != "$fb" ] ||
	    atf_fail "another panic, the same fingerprint"
	# Another faulting function: the same dump, the function that
	# faulted named otherwise in the kernel's symbol table.
	cp kernel d.kernel
	perl -0777 -pi -e 's/\0ifhwioctl\0/\0ifhwioctX\0/g' d.kernel
	cmp -s kernel d.kernel && atf_fail "ifhwioctl not in the kernel"
	atf_check -s exit:0 -o save:d.json -e empty "$MD2ELF" -r -j \
	    -k d.kernel vmcore.0
	[ "$(jq -r .fingerprint.frames d.json)" = \
	    "ifhwioctX ifioctl soo_ioctl kern_ioctl sys_ioctl" ] ||
	    atf_fail "frames: $(jq -r .fingerprint.frames d.json)"
	[ "$(jq -r .fingerprint.panic d.json)" = \
	    "$(jq -r .fingerprint.panic b.json)" ] || atf_fail "panic changed"
	[ "$(jq -r .fingerprint.hash d.json)" != "$fb" ] ||
	    atf_fail "another faulting function, the same fingerprint"
}

for c in amd64:3 i386:2 arm64:3; do
	a=${c%:*}
	v=${c#*:}
	eval "atf_test_case fingerprint_$a
	fingerprint_${a}_head() {
		atf_set descr '$a: the same panic in two dumps of different' \
		    'layouts has one fingerprint; another panic string or' \
		    'faulting function another'
		atf_set require.progs jq perl
	}
	fingerprint_${a}_body() { fingerprint_arch_body $a $v; }"
done

escaped_arch_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -a "$1" -V "$2" -s 7 -T 30
	"$CORECK" -M model -t >model.t || atf_fail "coreck -t"
	# The crashed process's command with its last two bytes ESC and BEL
	# (p_comm and td_name).
	comm=$(awk '$1 == "thread" && $4 == "crashed" { sub(/\/.*/, "", $NF)
	    print $NF }' model.t)
	[ "${#comm}" -ge 4 ] || atf_fail "command '$comm'"
	hc=$(echo "$comm" | sed 's/..$//')
	# The panic string (in memory and the message buffer) with terminal
	# controls: ESC [ 2 J (clear the screen) and BEL.
	perl -0777 -pi -e "s/page fault/\\x1b[2J\\x07fault/g;
	    s/$comm\\0/$hc\\x1b\\x07\\0/g" vmcore.0
	atf_check -s exit:0 -o save:r.txt -e empty "$MD2ELF" -r -k kernel \
	    vmcore.0
	! grep -q "$(printf '\033')" r.txt || atf_fail "raw ESC in the report"
	! grep -q "$(printf '\007')" r.txt || atf_fail "raw BEL in the report"
	grep -qF "panic:       \\x1b[2J\\x07fault while in kernel mode (model 7)" \
	    r.txt || atf_fail "not escaped: $(grep '^panic' r.txt)"
	[ "$(sed -n '/^6\. /,$p' r.txt | grep -cF '\x1b[2J\x07fault')" -ge 1 ] ||
	    atf_fail "message buffer not escaped"
	# (libmd2elf gives names with their unprintable bytes as '?'.)
	grep -q "^2\. The crashed thread: .*, $hc??\$" r.txt ||
	    atf_fail "crashed thread's name: $(grep '^2\.' r.txt)"
	sed -n '/^5\. /,/^6\. /p' r.txt | grep -q "^ *[0-9]* $hc?? " ||
	    atf_fail "processes: $(sed -n '/^5\. /,/^6\. /p' r.txt)"
	atf_check -s exit:0 -o save:r.json -e empty "$MD2ELF" -r -j \
	    -k kernel vmcore.0
	schema_check r.json
	grep -qF '"panic": "\u001b[2J\u0007fault while' r.json ||
	    atf_fail "JSON: $(grep -o '"panic": "[^"]*"' r.json)"
	[ "$(jq -r .panic r.json | head -c 1 | od -An -tx1 | tr -d ' ')" = 1b ] ||
	    atf_fail "JSON does not decode to ESC"
	[ "$(jq -r '.crashed.name' r.json)" = "$hc??" ] &&
	[ "$(jq -r --arg c "$hc??" '[.processes[] | select(.command == $c)] |
	    length' r.json)" -ge 1 ] || atf_fail "JSON names"
	jq -r .msgbuf r.json | grep -qF "$(printf '\033[2J\007')fault" ||
	    atf_fail "JSON message buffer does not decode"
	! grep -q "$(printf '\033')" r.json || atf_fail "raw ESC in the JSON"
}

for c in amd64:3 i386:2 arm64:3; do
	a=${c%:*}
	v=${c#*:}
	eval "atf_test_case escaped_$a
	escaped_${a}_head() {
		atf_set descr '$a: strings from the dump (panic, message' \
		    'buffer, command) come out escaped: no terminal control' \
		    'byte in the text, \\\\u escapes in the JSON that decode' \
		    'to the bytes (names: ? for each)'
		atf_set require.progs jq perl
	}
	escaped_${a}_body() { escaped_arch_body $a $v; }"
done

atf_test_case output
output_head()
{
	atf_set descr '-o writes the report to a file (never over one' \
	    'without -f), -j without -r and -r without -k are usage errors'
}
output_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	gen -s 8 -T 20
	atf_check -s exit:0 -o empty -e empty "$MD2ELF" -r -k kernel \
	    -o core.txt.0 vmcore.0
	atf_check -s exit:0 -o save:r.txt -e empty "$MD2ELF" -r -k kernel \
	    vmcore.0
	cmp -s core.txt.0 r.txt || atf_fail "-o differs from stdout"
	atf_check -s exit:1 -o empty -e match:'core.txt.0: exists \(use -f to overwrite\)' \
	    "$MD2ELF" -r -k kernel -o core.txt.0 vmcore.0
	atf_check -s exit:0 -o empty -e empty "$MD2ELF" -r -f -j -k kernel \
	    -o core.txt.0 vmcore.0
	jq -e .schema core.txt.0 >/dev/null || atf_fail "-f -j: not JSON"
	[ "$(ls | grep -c 'core.txt.0.')" -eq 0 ] || atf_fail "temp left"
	atf_check -s exit:2 -o empty -e match:usage "$MD2ELF" -j vmcore.0
	atf_check -s exit:2 -o empty -e match:'-r needs the kernel' \
	    "$MD2ELF" -r vmcore.0
}

modules_arch_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	mkmod "$1" alpha 0x1234567 orig
	mkmod "$1" beta 0x2345678 orig
	gen -a "$1" -V "$2" -s 78 -T 20 -L orig/alpha.ko -L orig/beta.ko
	atf_check -s exit:0 -o save:r.txt -e empty "$MD2ELF" -r -k kernel \
	    vmcore.0
	atf_check -s exit:0 -o save:r.json -e empty "$MD2ELF" -r -j \
	    -k kernel vmcore.0
	# "module ID NAME ADDRESS SIZE PATHNAME TYPE" (mkdump -v).
	awk '$1 == "module" { print $2, $3, $4, $5, $6 }' facts >mods.want
	[ "$(wc -l <mods.want)" -eq 2 ] || atf_fail "mkdump: $(cat mods.want)"
	sed -n '/^Modules/,/^6\. /p' r.txt | awk '$1 ~ /^[0-9]+$/ {
	    p = $5; gsub(/[()]/, "", p); printf "%d %s %s %s %s\n", $1, $4,
	    $2, $3, p }' >mods.txt
	jq -r '.modules[] | "\(.id) \(.name) \(.address) \(.size) \(.path)"' \
	    r.json >mods.json
	schema_check r.json
	# amd64 (the trap frames' fields, the modules'): every name md2elf(1)
	# documents is in the reports.
	if [ "$1" = amd64 ]; then
		missing=$(comm -13 json.keys doc.keys | tr '\n' ' ')
		[ -z "$missing" ] || atf_fail "never in a report: $missing"
	fi
	for f in mods.txt mods.json; do
		while read -r id name addr size path; do
			awk -v i="$id" -v n="$name" -v a="$addr" -v s="$size" \
			    -v p="$path" 'function h(x) { sub(/^0x0*/, "", x)
			    return tolower(x) } $1 == i && $2 == n &&
			    h($3) == h(a) && h($4) == h(s) && $5 == p { f = 1 }
			    END { exit !f }' "$f" ||
			    atf_fail "$f: no '$id $name $addr $size $path':" \
			    "$(cat "$f")"
		done <mods.want
	done
}

for c in amd64:3 i386:2 arm64:3; do
	a=${c%:*}
	v=${c#*:}
	eval "atf_test_case modules_$a
	modules_${a}_head() {
		atf_set descr '$a: the report lists the loaded modules (kldstat)'
		atf_set require.progs jq clang ld.lld
	}
	modules_${a}_body() { modules_arch_body $a $v; }"
done

atf_init_test_cases()
{
	for a in amd64 i386 arm64; do
		atf_add_test_case modules_$a
	done
	for a in amd64 i386 i386pae arm64; do
		atf_add_test_case text_$a
	done
	for a in amd64 i386 arm64; do
		atf_add_test_case fingerprint_$a
		atf_add_test_case escaped_$a
	done
	atf_add_test_case output
}
