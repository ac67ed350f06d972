# SPDX-License-Identifier: BSD-2-Clause
# tests/gen/testlib.sh: helpers for the atf-sh tests, sourced at the
# start of each test body.  Programs come from the build tree: the
# generator and checker in tests/gen, md2elf in ../md2elf (MD2ELF
# overrides it).

SRCDIR=$(atf_get_srcdir)
MKDUMP=$SRCDIR/gen/mkdump
CORECK=$SRCDIR/gen/coreck
MD2ELF=${MD2ELF:-$SRCDIR/../md2elf/md2elf}

for p in "$MKDUMP" "$CORECK" "$MD2ELF"; do
	[ -x "$p" ] || atf_fail "$p is not built (run make first)"
done

# gen ARGS...: mkdump into vmcore.0 with kernel, model and facts.
gen()
{
	"$MKDUMP" -v -m 64 "$@" -o vmcore.0 -k kernel -M model >facts 2>gen.err ||
	    atf_fail "mkdump $*: $(cat gen.err)"
}

# fact KEY: a value printed by mkdump -v (or coreck) in file facts (or $2).
fact()
{
	sed -n "s/^$1 //p" "${2:-facts}"
}

# roundtrip FLAVOR MKDUMP-ARGS...: generate, convert, check with coreck.
roundtrip()
{
	flavor=$1
	shift
	gen "$@"
	rm -f core.elf
	atf_check -s exit:0 -o empty -e save:md2elf.err \
	    "$MD2ELF" -q -k kernel --flavor "$flavor" -o core.elf vmcore.0
	if grep -v '^md2elf: warning: ' md2elf.err | grep -q .; then
		atf_fail "md2elf printed: $(cat md2elf.err)"
	fi
	atf_check -s exit:0 -o save:ck -e empty \
	    "$CORECK" -f "$flavor" -M model core.elf
	[ "$(fact pages)" -gt 0 ] || atf_fail "mkdump -v: no pages: $(cat facts)"
	[ "$(fact pages)" = "$(fact pages ck)" ] ||
	    atf_fail "mkdump wrote $(fact pages) pages, the core has $(fact pages ck)"
	[ "$(fact zero_pages ck)" -gt 0 ] || atf_fail "no zero pages checked"
	[ "$(fact holes_checked ck)" -gt 0 ] || atf_fail "no holes checked"
	echo "segments $(fact segments ck) pages $(fact pages ck)" \
	    "file $(fact file_size ck) allocated $(fact allocated ck)"
}

# bad PATTERN [MD2ELF-ARGS...]: md2elf on vmcore.0 must fail with exit 1,
# print one error line "md2elf: vmcore.0: ...PATTERN..." (warnings aside)
# and leave nothing in the output directory.
bad()
{
	pattern=$1
	shift
	rm -rf out
	mkdir out
	atf_check -s exit:1 -o empty -e save:err \
	    "$MD2ELF" -k kernel -o out/core.elf "$@" vmcore.0
	grep -v '^md2elf: warning: ' err >errlines || true
	[ "$(wc -l <errlines)" -eq 1 ] ||
	    atf_fail "expected one error line, got: $(cat err)"
	grep -Eq "^md2elf: vmcore\.0: .*$pattern" errlines ||
	    atf_fail "message '$(cat errlines)' does not match '$pattern'"
	[ -z "$(ls -A out)" ] || atf_fail "left behind: $(ls -A out)"
	echo "message: $(cat errlines)"
}

# trunc_pat SECTION [PAGESIZE]: pat = what md2elf says of a minidump cut
# inside SECTION (an ERE; the message buffer starts at PAGESIZE, default
# 0x1000).
trunc_pat()
{
	case $1 in
	header)	pat='offset 0: truncated minidump header' ;;
	msgbuf)	pat="offset ${2:-0x1000}: truncated message buffer" ;;
	avail)	pat='offset 0x[0-9a-f]+: truncated dump_avail' ;;
	bitmap)	pat='offset 0x[0-9a-f]+: truncated page bitmap' ;;
	pmap)	pat='offset 0x[0-9a-f]+: truncated page-table section' ;;
	pages)	pat='offset 0x[0-9a-f]+: truncated page data' ;;
	*)	atf_fail "trunc_pat: no section $1" ;;
	esac
}

# -- the debuggers: amd64_clients_test, i386_arm64_clients_test ----------
# The caller sets LLDB and GDB and, for the architecture: REGS (registers
# as LLDB names them), GREGS (the same registers as GDB names them), OSREL
# (the kernel's osreldate), READABLE and UNREADABLE (coreck -A keys of the
# addresses the debuggers must read as the model's bytes, or refuse).
# Helper variables are named _cl_*.

# Hex without leading zeros (awk function h), to compare what tools print.
NORM='function h(v) { sub(/^0x0*/, "0x", v); return v == "0x" ? "0x0" : v }'

# client_setup ARCH VERSION SEED FLAVOR MKDUMP-ARGS...: dump, kernel and
# model (gen, SEED kept in $SEED), core.elf of FLAVOR, the model's threads
# (client_model), the sample addresses in files readable and unreadable.
client_setup()
{
	_cl_arch=$1
	_cl_v=$2
	SEED=$3
	_cl_flavor=$4
	shift 4
	[ -n "$REGS" ] && [ -n "$GREGS" ] && [ -n "$OSREL" ] &&
	    [ -n "$READABLE" ] && [ -n "$UNREADABLE" ] ||
	    atf_fail "client_setup: REGS, GREGS, OSREL, READABLE or UNREADABLE unset"
	gen -a "$_cl_arch" -V "$_cl_v" -s "$SEED" "$@"
	atf_check -s exit:0 -o empty -e ignore \
	    "$MD2ELF" -q -k kernel --flavor "$_cl_flavor" -o core.elf vmcore.0
	client_model
	"$CORECK" -M model -A >samples || atf_fail "coreck -A"
	client_samples "$READABLE" >readable
	client_samples "$UNREADABLE" >unreadable
}

# client_samples KEYS: the coreck -A addresses of those keys, one a line.
client_samples()
{
	for _cl_k in $1; do
		_cl_a=$(fact "$_cl_k" samples)
		[ -n "$_cl_a" ] || atf_fail "coreck -A gives no $_cl_k address"
		echo "$_cl_a"
	done
}

# client_model: the model's threads (coreck -t) in names.want ("tid|name",
# named as a converter names them: comm or comm/td_name, 19 characters;
# sorted), crashed (its tid), regs.want ("tid reg=value..." in the order
# of $REGS, sorted: amd64's registers are the rip..r15 columns of the
# thread lines, the other architectures' the "regs" lines) and frames.want
# ("tid ret...": the return addresses of the frame-pointer chain).
client_model()
{
	"$CORECK" -M model -t >threads.txt || atf_fail "coreck -t"
	awk '$1 == "thread" {
		n = $0
		for (i = 1; i <= 13; i++)
			sub(/^[^ ]* /, "", n)
		c = n
		sub(/\/.*/, "", c)
		t = substr(n, length(c) + 2)
		d = c
		if (t != "" && t != c)
			d = c "/" t
		print $2 "|" substr(d, 1, 19)
	}' threads.txt | sort >names.want
	awk '$1 == "thread" && $4 == "crashed" { print $2 }' threads.txt \
	    >crashed
	awk '$1 == "trap" && $4 != 0 { print $2 "|" $4 }' threads.txt \
	    >sigs.want
	[ "$(wc -l <crashed)" -eq 1 ] ||
	    atf_fail "the model has $(wc -l <crashed) crashed threads"
	awk "$NORM"'
	$1 == "frames" { s = $2; for (i = 3; i <= NF; i++) s = s " " h($i)
		print s }' threads.txt >frames.want
	awk -v regs="$REGS" "$NORM"'
	$1 == "thread" {
		t[++n] = $2
		split("rip rsp rbp rbx r12 r13 r14 r15", c, " ")
		for (i = 1; i <= 8; i++)
			v[$2, c[i]] = h($(i + 5))
	}
	$1 == "regs" {
		for (i = 3; i <= NF; i++) {
			k = $i; sub(/=.*/, "", k)
			x = $i; sub(/^[^=]*=/, "", x)
			v[$2, k] = h(x)
		}
	}
	END {
		nr = split(regs, r, " ")
		for (j = 1; j <= n; j++) {
			s = t[j]
			for (i = 1; i <= nr; i++) {
				if (!((t[j], r[i]) in v))
					bad = 1
				s = s " " r[i] "=" v[t[j], r[i]]
			}
			print s
		}
		exit bad
	}' threads.txt >regs.raw || atf_fail "the model lacks some of $REGS"
	sort regs.raw >regs.want
}

# client_thread_cmds SELECT REGISTERS: debugger commands that select each
# thread 1..n of the list (n: the model's threads), print the registers
# and the backtrace.
client_thread_cmds()
{
	_cl_i=1
	while [ $_cl_i -le "$(wc -l <names.want)" ]; do
		echo "$1 $_cl_i"
		echo "$2"
		echo "bt"
		_cl_i=$((_cl_i + 1))
	done
}

# client_memory_cmds TOOL: commands of TOOL (LLDB or GDB) printing hz,
# osreldate, time_second, version and the 16 bytes at each readable
# address.
client_memory_cmds()
{
	case $1 in
	LLDB)	_cl_p='expr --' _cl_s='x/s &version'
		_cl_x='memory read -s8 -fx -c2' ;;
	*)	_cl_p='print' _cl_s='x/s (char*)&version' _cl_x='x/2gx' ;;
	esac
	echo "$_cl_p *(int*)&hz"
	echo "$_cl_p *(int*)&osreldate"
	echo "$_cl_p *(long*)&time_second"
	echo "$_cl_s"
	while read -r _cl_a; do
		echo "$_cl_x $_cl_a"
	done <readable
}

# client_check_memory TOOL OUT: what client_memory_cmds printed in OUT
# (LLDB: "(int) $N = V", GDB: "$N = V"; the bytes as "ADDR: 0x... 0x..."
# or with tabs, leading zeros of ADDR aside); then TOOL must refuse each
# unreadable address, one run each (an error ends a batch), with an error
# that names it.
client_check_memory()
{
	case $1 in
	LLDB)	_cl_i='\(int\) ' _cl_l='\(long\) '
		_cl_e='^error: .*does not contain' ;;
	*)	_cl_i= _cl_l= _cl_e='Cannot access memory at address' ;;
	esac
	grep -Eq "^$_cl_i\\\$[0-9]+ = 1000\$" "$2" ||
	    atf_fail "$1: hz is not 1000"
	grep -Eq "^$_cl_i\\\$[0-9]+ = $OSREL\$" "$2" ||
	    atf_fail "$1: osreldate is not $OSREL"
	grep -Eq "^$_cl_l\\\$[0-9]+ = $(fact dumptime)\$" "$2" ||
	    atf_fail "$1: time_second is not the dump time $(fact dumptime)"
	grep -q "md2elf model seed $SEED" "$2" || atf_fail "$1: version string"
	while read -r _cl_a; do
		_cl_w=$("$CORECK" -M model -r "$_cl_a" -l 16) ||
		    atf_fail "coreck -r $_cl_a: $_cl_w"
		awk -v a="$_cl_a" -v w="$_cl_w" "$NORM"'
		    /^0x[0-9a-f]+:[ \t]+0x/ && h($1) == h(a) ":" { $1 = ""
			if (substr($0, 2) == w) f = 1 }
		    END { exit !f }' "$2" ||
		    atf_fail "$1 did not read '$_cl_w' at $_cl_a"
	done <readable
	: >refused
	while read -r _cl_a; do
		case $1 in
		LLDB)	"$LLDB" -b -o 'target create kernel -c core.elf' \
			    -o "memory read -s8 -fx -c1 $_cl_a" ;;
		*)	"$GDB" -batch -ex 'set osabi GNU/Linux' -ex 'file kernel' \
			    -ex 'core core.elf' -ex "x/gx $_cl_a" ;;
		esac >>refused 2>&1
		awk -v a="$_cl_a" -v p="$_cl_e" "$NORM"'
		    $0 ~ p && h($NF) == h(a) { f = 1 } END { exit !f }' refused ||
		    atf_fail "$1 read $_cl_a, which is not in the dump"
	done <unreadable
	cat refused
	[ "$(grep -Ec "$_cl_e" refused)" -eq "$(wc -l <unreadable)" ] ||
	    atf_fail "$1 refused $(grep -Ec "$_cl_e" refused) reads, expected" \
	    "$(wc -l <unreadable)"
}

# client_check_threads TOOL [names]: the debugger's threads against the
# model.  list: "tid|name" in list order (the first one selected; names
# compared if asked); got.regs ("tid reg=value...") and got.frames ("tid
# ret...").
client_check_threads()
{
	_cl_n=$(wc -l <names.want)
	[ "$(wc -l <list)" -eq "$_cl_n" ] ||
	    atf_fail "$1 lists $(wc -l <list) threads, the model has $_cl_n"
	head -1 list | grep -q "^$(cat crashed)|" ||
	    atf_fail "$1: the first thread is not the crashed one $(cat crashed)"
	if [ "$2" = names ]; then
		sort list >names.got
		cmp -s names.got names.want ||
		    atf_fail "$1: names differ:" \
		    "$(diff names.want names.got | head -3 | tr '\n' ' ')"
	fi
	sort got.regs >regs.got
	cmp -s regs.got regs.want ||
	    atf_fail "$1: registers differ:" \
	    "$(diff regs.want regs.got | head -4 | tr '\n' ' ')"
	# Backtraces: every thread to which the model gives a frame chain has
	# frame #0 and then the chain's return addresses, in order (more may
	# follow); the model lists every thread and gives most of them a
	# chain, so this cannot pass by checking nothing.
	awk -v tool="$1" -v n="$_cl_n" '
	FILENAME == "got.frames" {
		g = ""
		for (i = 2; i <= NF; i++)
			g = g " " $i
		got[$1] = g
		next
	}
	{
		listed++
		if (NF < 2)
			next
		chains++
		w = ""
		for (i = 2; i <= NF; i++)
			w = w " " $i
		g = got[$1]
		if (!($1 in got) || substr(g, 1, length(w)) != w ||
		    (length(g) > length(w) &&
		    substr(g, length(w) + 1, 1) != " ")) {
			print tool ": thread " $1 ": frames \047" substr(g, 2) \
			    "\047, the model\047s return addresses \047" \
			    substr(w, 2) "\047"
			bad = 1
		}
	}
	END {
		if (listed != n) {
			print tool ": the model lists the frames of " listed + 0 \
			    " threads, it has " n
			bad = 1
		} else if (chains * 2 < n) {
			print tool ": the model gives only " chains + 0 " of " n \
			    " threads a frame chain"
			bad = 1
		} else if (!bad)
			print chains
		exit bad
	}' got.frames frames.want >frames.res || atf_fail "$(head -1 frames.res)"
	echo "$1: $_cl_n threads: registers as in the model, the backtraces" \
	    "of the $(cat frames.res) with a frame chain too"
}

# lldb_check_threads OUT: LLDB's "thread list" and client_thread_cmds
# output in OUT against the model: ids, names, stop reasons (a signal for
# the crashed thread only), registers, backtraces.
lldb_check_threads()
{
	# "* thread #1: tid = T, ..., name = 'N', stop reason = R"
	sed -n "s/^[* ] thread #[0-9]*: tid = \\([0-9]*\\), .*name = '\\(.*\\)', stop reason = \\(.*\\)\$/\\1|\\2|\\3/p" \
	    "$1" >list.full
	cut -d'|' -f1,2 list.full >list
	grep -q "^\\* thread #1: tid = $(cat crashed), .*stop reason = signal SIG" \
	    "$1" || atf_fail "LLDB: thread #1 is not the crashed, signalled one"
	# The others: the signal of a trap-frame thread (SIGSEGV for the
	# model's page faults), else none.
	[ -s sigs.want ] || atf_fail "the model has no signalled trap frame"
	awk -F'|' -v crashed="$(cat crashed)" '
	FILENAME == "sigs.want" { sig[$1] = $2; next }
	$1 != crashed {
		w = "signal 0"
		if ($1 in sig)
			w = sig[$1] == 11 ? "signal SIGSEGV" : "signal " sig[$1]
		if ($3 != w) {
			print "LLDB: thread " $1 ": stop reason " $3 ", not " w
			bad = 1
		}
	}
	END { exit bad }' sigs.want list.full >sigs.bad ||
	    atf_fail "$(head -3 sigs.bad | tr '\n' ' ')"
	: >regs.seq
	: >frames.seq
	awk -v regs="$REGS" "$NORM"'
	BEGIN { nr = split(regs, r, " ") }
	/^\(lldb\) thread select/ { if (n++) out(); split("", v); fr = "" }
	/^ +[a-z0-9]+ = 0x/ { v[$1] = h($3) }
	/^ +frame #[1-9][0-9]*: 0x/ { fr = fr " " h($3) }
	function out() { s = ""; for (i = 1; i <= nr; i++)
		s = s " " r[i] "=" v[r[i]]; print s >"regs.seq"
		print fr >"frames.seq" }
	END { if (n) out() }' "$1"
	cut -d'|' -f1 list >tids
	paste -d '' tids regs.seq >got.regs
	paste -d '' tids frames.seq >got.frames
	client_check_threads LLDB names
}

# gdb_open_cmds: GDB commands opening core.elf (Linux flavour) with kernel.
gdb_open_cmds()
{
	echo "set osabi GNU/Linux"
	echo "file kernel"
	echo "core core.elf"
}

# gdb_check_threads OUT: GDB's "info threads" and client_thread_cmds
# output in OUT against the model: ids, the crashed thread current and
# first, registers (GREGS, compared as REGS), backtraces.
gdb_check_threads()
{
	grep -q "Current thread is 1 (LWP $(cat crashed))" "$1" ||
	    atf_fail "GDB: the current thread is not the crashed one"
	sed -n 's/^[* ] *\([0-9][0-9]*\) *LWP \([0-9]*\) .*/\1 \2/p' "$1" \
	    >list.num
	[ "$(head -1 list.num)" = "1 $(cat crashed)" ] ||
	    atf_fail "GDB: thread 1 is not the crashed thread $(cat crashed)"
	sed 's/^[0-9]* \(.*\)/\1|/' list.num >list
	: >got.regs
	: >got.frames
	awk -v regs="$REGS" -v gregs="$GREGS" "$NORM"'
	BEGIN { nr = split(regs, r, " "); split(gregs, g, " ") }
	/^\[Switching to thread [0-9]+ \(LWP [0-9]+\)\]/ {
		if (tid != "") out()
		tid = $6; sub(/\)\]/, "", tid); split("", v); fr = "" }
	/^[a-z0-9]+ +0x[0-9a-f]+/ { v[$1] = h($2) }
	/^#[1-9][0-9]* +0x/ { fr = fr " " h($2) }
	function out() {
		s = tid
		for (i = 1; i <= nr; i++)
			s = s " " r[i] "=" v[g[i]]
		print s >"got.regs"
		print tid fr >"got.frames"
	}
	END { if (tid != "") out() }' "$1"
	client_check_threads GDB
}

# kdh_zero_length OFFSET: the dump length (bytes 40..47, big-endian) of
# the kerneldumpheader at OFFSET of vmcore.0 set to 0, its parity (the
# word at 508, bytewise XOR) mended to match.
kdh_zero_length()
{
	set -- "$1" $(od -An -v -tu1 -j $(($1 + 40)) -N 8 vmcore.0) \
	    $(od -An -v -tu1 -j $(($1 + 508)) -N 4 vmcore.0)
	[ $# -eq 13 ] || atf_fail "no kerneldumpheader at $1"
	_at=$1
	_p=$(printf '\\%03o\\%03o\\%03o\\%03o' $(($2 ^ $6 ^ ${10})) \
	    $(($3 ^ $7 ^ ${11})) $(($4 ^ $8 ^ ${12})) $(($5 ^ $9 ^ ${13})))
	printf '\0\0\0\0\0\0\0\0' | dd of=vmcore.0 bs=1 seek=$((_at + 40)) \
	    conv=notrunc 2>/dev/null
	printf "$_p" | dd of=vmcore.0 bs=1 seek=$((_at + 508)) conv=notrunc \
	    2>/dev/null
	[ "$(dd if=vmcore.0 bs=1 skip=$_at count=19 2>/dev/null)" = \
	    "FreeBSD Kernel Dump" ] || atf_fail "no kerneldumpheader at $_at"
}

# crash_frames TID: from coreck -t output (model.t), the addresses a
# backtrace of thread TID through its first trap frame must start with:
# its pc and return addresses, then its trap-frame thread's (id 1000TID)
# pc and return addresses; hex digits without 0x and leading zeros.
crash_frames()
{
	awk -v c="$1" '
	function h(x) { sub(/^0x0*/, "", x); return x }
	$1 == "thread" && $2 == c { pc = h($6) }
	$1 == "thread" && $2 == "1000" c { tpc = h($6) }
	$1 == "frames" && $2 == c { for (i = 3; i <= NF; i++) w = w " " h($i) }
	$1 == "frames" && $2 == "1000" c { for (i = 3; i <= NF; i++)
		tw = tw " " h($i) }
	END { print pc w " " tpc tw }' model.t
}

# mkmod ARCH NAME VALUE [DIR]: NAME.ko in DIR (default mods) whose
# NAME_counter is VALUE, NAME_hook points at NAME_func (a relocated
# pointer), NAME_name is a string, NAME_bss is in .bss, NAME_task calls
# the kernel's _sleep (mkdump puts a kernel thread asleep in the first
# module's).  Frame pointers kept, as in kernel code; ET_DYN linked with
# --emit-relocs, for mkdump to find the call.
mkmod()
{
	_d=${4:-mods}
	mkdir -p "$_d" build
	cat >build/$2.c <<EOF
int $2_counter = $3;
static int $2_helper(int x) { return x * 3 + $2_counter; }
int $2_func(int x) { return $2_helper(x) + 1; }
int (*$2_hook)(int) = $2_func;
const char $2_name[] = "$2";
int $2_bss[16];
int _sleep(const void *, void *, int, const char *, long long, long long,
    int);
void $2_task(void *arg, int pending) {
	$2_bss[pending & 15] += _sleep(arg, 0, 0, $2_name, 0, 0, 0);
}
EOF
	case $1 in
	amd64)	atf_check -s exit:0 -o ignore -e ignore clang \
		    -target x86_64-unknown-freebsd13 -mcmodel=kernel -fno-pic \
		    -mno-red-zone -ffreestanding -fno-common -O1 -g \
		    -fno-omit-frame-pointer -c build/$2.c -o build/$2.o
		atf_check -s exit:0 -o ignore -e ignore ld.lld -r \
		    -o "$_d/$2.ko" build/$2.o ;;
	i386|arm64)
		[ "$1" = i386 ] && _t=i386-unknown-freebsd13 ||
		    _t=aarch64-unknown-freebsd13
		atf_check -s exit:0 -o ignore -e ignore clang -target $_t \
		    -fPIC -fvisibility=hidden -ffreestanding -fno-common -O1 -g \
		    -fno-omit-frame-pointer -c build/$2.c -o build/$2.o
		atf_check -s exit:0 -o ignore -e ignore ld.lld -shared \
		    --build-id --emit-relocs -z max-page-size=4096 \
		    -o "$_d/$2.ko" build/$2.o ;;
	*)	atf_fail "mkmod: no architecture $1" ;;
	esac
}
