#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# mk/demo.sh: the main job on the bundled sample.  demo/vmcore.0.zst is a
# zstd-compressed amd64 minidump (as dumpon -Z writes it) of a small FreeBSD
# machine that panicked, made by tests/gen/mkdump (demo/README says how);
# demo/kernel.zst is its kernel (ELF with the symbol table).  The demo
# inspects the dump, prints its crash report (text, then JSON), converts
# it to an ELF core in both flavours and opens the cores in LLDB and GDB.
# Files go to demo/out ($DEMO_OUT if set).
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
md2elf=$top/md2elf/md2elf
out=${DEMO_OUT:-$top/demo/out}
LLDB=${LLDB:-lldb-19}		# the debuggers' names (Debian's by default)
GDB=${GDB:-gdb-multiarch}

if [ -t 1 ]; then
	b=$(printf '\033[1m')
	n=$(printf '\033[0m')
else
	b=
	n=
fi
die() { echo "demo: $*" >&2; exit 1; }
# step TEXT...: a numbered part of the story; say: a command before its run.
step() { printf '\n%s== %s%s\n' "$b" "$*" "$n"; }
say() { printf '\n%s$ %s%s\n' "$b" "$*" "$n"; }
run() { say "$*"; "$@"; }
# short: long thread lists (LLDB "thread #N:", GDB "N LWP ...") cut to 6.
short()
{
	awk '
	function flush() {
		if (more > 0)
			printf("  ... %d more threads\n", more)
		more = 0
		k = 0
	}
	/^\[New LWP / { next }
	/^[* ] +thread #[0-9]+:/ || /^[* ] +[0-9]+ +LWP / {
		if (++k <= 6)
			print
		else
			more++
		next
	}
	{ flush(); print }
	END { flush() }'
}
# debugger NAME ARGS...: run a debugger in batch mode; show its output
# with the thread lists shortened; all of it and fail if it fails.
debugger()
{
	name=$1
	shift
	if ! "$@" >"$name.out" 2>&1; then
		cat "$name.out"
		echo "demo: $name failed (output above, also in" \
		    "$out/$name.out)" >&2
		exit 1
	fi
	short <"$name.out"
}

for f in vmcore.0.zst kernel.zst; do
	[ -f "$top/demo/$f" ] || die "demo/$f is missing"
done
[ -x "$md2elf" ] || die "$md2elf is not built (run make)"
command -v zstd >/dev/null 2>&1 || die "zstd is needed (make deps)"
rm -rf "$out"
mkdir -p "$out"
zstd -q -d -f "$top/demo/kernel.zst" -o "$out/kernel"
cp "$top/demo/vmcore.0.zst" "$out/vmcore.0.zst"
cd "$out"

printf '%s%s%s\n' "$b" "md2elf demo: a FreeBSD/amd64 machine panicked; its" "$n"
echo "crash dump and kernel are in demo/ (a synthetic sample made by"
echo "tests/gen/mkdump, see demo/README).  Working directory: $out"

step "1. The dump: a FreeBSD/amd64 kernel crash dump (minidump, zstd as" \
    "dumpon -Z writes it) and its kernel.  What is it?"
run "$md2elf" -i -k kernel vmcore.0.zst

step "2. Why did it crash?  The panic report at the end of the kernel's" \
    "message buffer (dmesg)"
say "$md2elf -d -k kernel vmcore.0.zst | sed -n '/^Fatal trap/,\$p'"
"$md2elf" -d -k kernel vmcore.0.zst | sed -n '/^Fatal trap/,$p'

step "3. The kernel's threads, like kgdb's 'info threads': * is the one" \
    "that panicked, 'CPU n' the ones the panic stopped on other CPUs;" \
    "under a thread, the trap frames on its stack (the page fault that" \
    "led to the panic, the NMI that stopped a CPU, the system call it" \
    "came from); the core has a thread for each kernel-mode one"
say "$md2elf -t -k kernel vmcore.0.zst | head -12"
"$md2elf" -t -k kernel vmcore.0.zst >threads.txt
head -12 threads.txt
echo "  ... $(grep -c '^[* ] ' threads.txt) threads in all (threads.txt)"
say "$md2elf -t -v -k kernel vmcore.0.zst | sed -n '2,/^  2 /p'" \
    "    # -v: the crashed thread's whole backtrace, through its trap frames"
"$md2elf" -t -v -k kernel vmcore.0.zst 2>/dev/null | sed -n '2,/^  2 /p' | sed '$d'
# The core's number of a thread that was running on another CPU: the
# threads as listed, each followed by its trap-frame threads.
other=$(awk '/^[* ] +[0-9]+ / { n++ } / CPU [0-9]+ / { print n; exit }
    /\(thread [0-9]+\)/ { n++ }' threads.txt)
: "${other:=3}"

step "3b. The crash report (crashinfo(8) on any host; savecore -e -K" \
    "writes it as core.txt.N): what crashed, the backtrace through the" \
    "trap frame, then more sections"
say "$md2elf -r -k kernel -o core.txt.0 vmcore.0.zst"
"$md2elf" -r -k kernel -o core.txt.0 vmcore.0.zst
say "sed '/^3\\. /q' core.txt.0; grep '^[4-6]\\. ' core.txt.0"
sed '/^3\. /q' core.txt.0
grep '^[4-6]\. ' core.txt.0
step "3c. The same report as JSON for fleet tools (schema 1, md2elf(1)):" \
    "the fingerprint tells two dumps of one bug"
say "$md2elf -r --json -k kernel -o core.json vmcore.0.zst"
"$md2elf" -r --json -k kernel -o core.json vmcore.0.zst
if command -v jq >/dev/null 2>&1; then
	q='{schema, arch, format, panic, fingerprint,
	    trap: first(.crashed.backtrace[] | select(.trap) | .trap),
	    group_sizes: ([.groups[].count] | map(tostring) | join(" ")),
	    processes: (.processes | length)}'
	say "jq '$(echo "$q" | tr -s '\t\n' '  ')' core.json"
	jq "$q" core.json
else
	say "head -c 600 core.json    # (jq is not installed: make deps)"
	head -c 600 core.json
	echo
fi

step "4. Convert it to ELF cores: the FreeBSD flavour (LLDB, FreeBSD's" \
    "gdb) and the Linux flavour (distribution GDBs)"
run "$md2elf" -f -k kernel vmcore.0.zst
run "$md2elf" -q -f --flavor linux -k kernel -o vmcore.0.linux.elf \
    vmcore.0.zst
say "ls -ls vmcore.0.zst vmcore.0.zst.elf vmcore.0.linux.elf" \
    "    # sparse: zero pages are holes"
ls -ls vmcore.0.zst vmcore.0.zst.elf vmcore.0.linux.elf

if command -v "$LLDB" >/dev/null 2>&1; then
	step "5. LLDB 19: threads, the crashed thread's backtrace, then" \
	    "thread 2, the page fault's interrupted context: the faulting" \
	    "instruction, its registers and callers; kernel variables (no" \
	    "DWARF: cast them), a process name read through allproc, thread" \
	    "$other on another CPU"
	say "$LLDB -b -o 'target create kernel -c vmcore.0.zst.elf'" \
	    "-o 'thread list' -o bt -o 'thread select 2' -o bt" \
	    "-o 'register read rip rsp rbp rax rdi rflags'" \
	    "-o 'p *(int *)&hz' -o 'x/s &version' -o 'p *(char **)&panicstr'" \
	    "-o 'p (char *)(*(char **)&allproc + *(int *)&proc_off_p_comm)'" \
	    "-o 'thread select $other' -o bt"
	debugger lldb "$LLDB" -b \
	    -o 'target create kernel -c vmcore.0.zst.elf' \
	    -o 'thread list' -o 'bt' -o 'thread select 2' -o 'bt' \
	    -o 'register read rip rsp rbp rax rdi rflags' \
	    -o 'p *(int *)&hz' -o 'x/s &version' \
	    -o 'p *(char **)&panicstr' \
	    -o 'p (char *)(*(char **)&allproc + *(int *)&proc_off_p_comm)' \
	    -o "thread select $other" -o 'bt'
else
	step "5. LLDB: $LLDB is not installed (make deps), skipped"
fi
if command -v "$GDB" >/dev/null 2>&1; then
	step "6. GDB ($GDB, the Linux flavour): the same"
	say "$GDB -nx -batch -ex 'set osabi GNU/Linux' -ex 'file" \
	    "kernel' -ex 'core-file vmcore.0.linux.elf' -ex 'info threads'" \
	    "-ex bt -ex 'thread 2' -ex bt -ex 'info registers rip rsp rbp'" \
	    "-ex 'p *(int *)&hz'" \
	    "-ex 'x/s (char *)&version' -ex 'p *(char **)&panicstr'" \
	    "-ex 'thread $other' -ex bt"
	debugger gdb "$GDB" -nx -batch -ex 'set osabi GNU/Linux' \
	    -ex 'file kernel' -ex 'core-file vmcore.0.linux.elf' \
	    -ex 'info threads' -ex 'bt' -ex 'thread 2' -ex 'bt' \
	    -ex 'info registers rip rsp rbp' \
	    -ex 'p *(int *)&hz' -ex 'x/s (char *)&version' \
	    -ex 'p *(char **)&panicstr' -ex "thread $other" -ex 'bt'
else
	step "6. GDB: $GDB is not installed (make deps), skipped"
fi

step "Done.  The files are in $out; to explore:"
echo "  cd $out"
echo "  $LLDB kernel -c vmcore.0.zst.elf"
echo "  $GDB -ex 'set osabi GNU/Linux' -ex 'file kernel'" \
    "-ex 'core-file vmcore.0.linux.elf'"
