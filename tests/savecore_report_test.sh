#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# savecore_report_test: savecore -e -K writes the crash report core.txt.N
# next to vmcore.N (the text of md2elf -r on the dump device), for amd64,
# i386 and arm64 dump devices, checked against the generator's model (the
# panic, the crashed thread's frames through its trap frame, the process
# and thread counts); info.N stays as savecore writes it without -e; no
# report without -e or without -K; a failing report (unusable kernel, a
# kernel without the thread offsets, a name that cannot be written) is one
# line, and vmcore.N and info.N are saved as without it, exit status 0.

# sc_setup: the programs, UTC, the dump directory crash.
sc_setup()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	SAVECORE=${SAVECORE:-$SRCDIR/../savecore/savecore}
	[ -x "$SAVECORE" ] || atf_fail "$SAVECORE is not built (run make first)"
	TZ=UTC
	export TZ
	mkdir crash
}

# mkdev ARCH VERSION [MKDUMP-ARGS...]: dev.img, a dump device image of a
# machine with 40 threads, with kernel, model and facts.
mkdev()
{
	_a=$1
	_v=$2
	shift 2
	"$MKDUMP" -v -m 64 -s 11 -a "$_a" -V "$_v" -T 40 -H device "$@" \
	    -o dev.img -k kernel -M model >facts 2>gen.err ||
	    atf_fail "mkdump: $(cat gen.err)"
}

# same_dump N M: vmcore.N and vmcore.M are the same dump, info.N and info.M
# the same but for their Bounds.
same_dump()
{
	cmp -s crash/vmcore.$1 crash/vmcore.$2 ||
	    atf_fail "vmcore.$2 differs from vmcore.$1"
	sed '/^  Bounds: /d' crash/info.$1 >info.a
	sed '/^  Bounds: /d' crash/info.$2 >info.b
	cmp -s info.a info.b ||
	    atf_fail "info.$2 is not info.$1: $(diff info.a info.b | tr '\n' ' ')"
	grep -qx "  Bounds: $2" crash/info.$2 || atf_fail "info.$2: Bounds"
}

# No temporary file left in crash.
no_temps()
{
	! ls -A crash | grep -q '^\.' || atf_fail "left: $(ls -A crash)"
}

arch_body()
{
	sc_setup
	mkdev "$1" "$2"
	# Without -e: no report; the reference vmcore.0 and info.0.
	atf_check -s exit:0 -o empty -e ignore "$SAVECORE" -k crash ./dev.img
	[ ! -e crash/core.txt.0 ] || atf_fail "core.txt.0 without -e"
	atf_check -s exit:0 -o empty -e save:err \
	    "$SAVECORE" -k -e -K kernel crash ./dev.img
	grep -qx 'savecore: writing crash report to crash/core.txt.1' err ||
	    atf_fail "stderr: $(cat err)"
	! grep -q 'no crash report' err || atf_fail "stderr: $(cat err)"
	same_dump 0 1
	[ "$(ls crash | tr '\n' ' ')" = "bounds core.txt.1 info.0 info.1 info.last vmcore.0 vmcore.1 vmcore.1.elf vmcore.last vmcore.last.elf " ] ||
	    atf_fail "crash holds $(ls crash | tr '\n' ' ')"
	no_temps
	[ "$(ls -l crash/core.txt.1 | cut -c1-10)" = "-rw-------" ] ||
	    atf_fail "core.txt.1 mode"
	# The report of md2elf -r on the device, byte for byte: the host and
	# the dump time come from the device's kerneldumpheader, which the
	# saved vmcore.1 has not.  Messages name the file read.
	"$MD2ELF" -r -k kernel dev.img >want.dev || atf_fail "md2elf -r"
	sed 's/dev\.img: /vmcore.1: /' want.dev >want.txt
	grep -qx "host:        $(fact hostname)" crash/core.txt.1 ||
	    atf_fail "host: $(grep '^host:' crash/core.txt.1)"
	! grep -q 'unknown (no dump header)' crash/core.txt.1 ||
	    atf_fail "core.txt.1 has no dump time"
	cmp -s want.txt crash/core.txt.1 ||
	    atf_fail "core.txt.1 is not md2elf -r's report:" \
	    "$(diff want.txt crash/core.txt.1 | head -5 | tr '\n' ' ')"
	# The model's facts: the panic, the crashed thread and its frames
	# through the trap frame, every thread and process.
	"$CORECK" -M model -t >model.t || atf_fail "coreck -t"
	r=crash/core.txt.1
	c=$(awk '$1 == "thread" && $4 == "crashed" { print $2 }' model.t)
	cpid=$(awk -v c="$c" '$1 == "thread" && $2 == c { print $3 }' model.t)
	[ -n "$c" ] || atf_fail "no crashed thread in the model"
	grep -qx 'panic:       page fault while in kernel mode (model 11)' $r ||
	    atf_fail "panic: $(grep '^panic' $r)"
	grep -q "^2\. The crashed thread: tid $c, pid $cpid, " $r ||
	    atf_fail "crashed: $(grep '^2\.' $r)"
	w=$(crash_frames "$c")
	[ "$(echo "$w" | wc -w)" -ge 10 ] || atf_fail "model frames: $w"
	got=$(sed -n '/^2\. /,/^3\. /p' $r |
	    sed -n 's/^#[0-9]* *0x0*\([0-9a-f]*\) .*/\1/p' | tr '\n' ' ')
	case "$got" in
	"$w"*) ;;
	*) atf_fail "backtrace '$got', the model '$w'" ;;
	esac
	sed -n '/^2\. /,/^3\. /p' $r | grep -q '^--- .*, pc 0x[0-9a-f]*, sp .* ---$' ||
	    atf_fail "no trap frame line in the crashed backtrace"
	grep -qx '4\. All 40 threads by stack ([0-9]* groups)' $r ||
	    atf_fail "$(grep '^4\.' $r)"
	awk '$1 == "thread" && $4 != "trap" { n[$3]++ }
	    END { for (p in n) print p, n[p] }' model.t | sort >procs.want
	sed -n '/^5\. /,/^6\. /p' $r |
	    awk 'NF >= 3 && $1 ~ /^[0-9]+$/ { print $1, $NF }' | sort \
	    >procs.got
	cmp -s procs.want procs.got ||
	    atf_fail "processes: $(diff procs.want procs.got | head -4)"
}

for c in amd64:3 i386:2 arm64:3; do
	a=${c%:*}
	v=${c#*:}
	eval "atf_test_case report_$a
	report_${a}_head() {
		atf_set descr '$a: -e -K writes core.txt.N, md2elf -r'\"'\"'s' \
		    'report, with the model'\"'\"'s facts; info.N as without -e'
	}
	report_${a}_body() { arch_body $a $v; }"
done

atf_test_case failing
failing_head()
{
	atf_set descr 'a report that cannot be made or written is one line;' \
	    'vmcore.N, info.N and the ELF core are saved as without it, exit' \
	    '0; no report without -K'
}
failing_body()
{
	sc_setup
	mkdev amd64 3
	atf_check -s exit:0 -o empty -e ignore "$SAVECORE" -k crash ./dev.img
	# -e without -K: no report, said with -v.
	atf_check -s exit:0 -o match:'^no crash report core\.txt\.1: it needs the kernel \(-K\)$' \
	    -e not-match:'crash report' "$SAVECORE" -v -k -e crash ./dev.img
	same_dump 0 1
	# A kernel that cannot be read.
	atf_check -s exit:0 -o empty -e save:err \
	    "$SAVECORE" -k -e -K nokernel crash ./dev.img
	[ "$(grep -c 'crash report' err)" = 1 ] &&
	    grep -qx 'savecore: no crash report crash/core.txt.2: the kernel (-K) cannot be used' err ||
	    atf_fail "stderr: $(cat err)"
	same_dump 0 2
	[ -f crash/vmcore.2.elf ] || atf_fail "no vmcore.2.elf"
	# A name that cannot be written: core.txt.3 is a directory.
	mkdir crash/core.txt.3
	atf_check -s exit:0 -o empty -e save:err \
	    "$SAVECORE" -k -e -K kernel crash ./dev.img
	grep -qx 'savecore: no crash report crash/core.txt.3: Is a directory' err ||
	    atf_fail "stderr: $(cat err)"
	[ "$(grep -c 'crash report' err)" = 2 ] || atf_fail "stderr: $(cat err)"
	same_dump 0 3
	[ -f crash/vmcore.3.elf ] || atf_fail "no vmcore.3.elf"
	rmdir crash/core.txt.3
	no_temps
	# The dump's kernel without the thread offsets and dumppcb: no
	# report (no thread can be found), a memory-only ELF core.
	mkdev amd64 3 -K nooffsets -K nodumppcb
	atf_check -s exit:0 -o empty -e save:err \
	    "$SAVECORE" -k -e -K kernel crash ./dev.img
	grep -Eqx 'savecore: no crash report crash/core\.txt\.4: .*lacks proc_off_p_pid.*' err ||
	    atf_fail "stderr: $(cat err)"
	[ "$(grep -c 'crash report' err)" = 1 ] || atf_fail "stderr: $(cat err)"
	same_dump 0 4
	[ -f crash/vmcore.4.elf ] || atf_fail "no vmcore.4.elf"
	[ "$(ls crash | grep -c core.txt)" = 0 ] ||
	    atf_fail "a report: $(ls crash)"
	no_temps
	# An old core.txt.N goes with the dump it described.
	echo 1 >crash/bounds
	echo stale >crash/core.txt.1
	atf_check -s exit:0 -o empty -e ignore "$SAVECORE" -k crash ./dev.img
	[ ! -e crash/core.txt.1 ] || atf_fail "an old core.txt.1 stayed"
}

atf_init_test_cases()
{
	for a in amd64 i386 arm64; do
		atf_add_test_case report_$a
	done
	atf_add_test_case failing
}
