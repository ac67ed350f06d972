#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# modules_test: loaded kernel modules (klds).  Small modules are built at
# test time with clang and ld.lld (amd64: ET_REL with -mcmodel=kernel as
# FreeBSD builds them; i386 and arm64: ET_DYN), mkdump -L loads them into
# the dump as the kernel linker does (linker_files, kld_off_*, sections
# placed and relocated), then: md2elf -l lists every linker file with its
# id, address, size, name, path and the file found on this host; after a
# conversion the printed LLDB 19 and gdb-multiarch command lines resolve
# every module's functions and data at their runtime addresses and read a
# relocated pointer: on i386 and arm64 through the core's r_debug list
# alone (no command file; GDB's "info sharedlibrary" lists them), on amd64
# through CORE.lldb / CORE.gdb; missing files, files that do not match and
# hostile linker_files lists are reported and never fail the conversion.

LLDB=${LLDB:-lldb-19}
GDB=${GDB:-gdb-multiarch}

# version ARCH: the minidump version mkdump takes for ARCH.
version()
{
	[ "$1" = i386 ] && echo 2 || echo 3
}

# setup ARCH: modules alpha (in mods/), beta (under the sysroot, found
# through its recorded /boot/modules path), gamma (nowhere) loaded into
# a dump in that order; orig/ keeps what the dump was built from (the
# model file names them, for coreck).
setup()
{
	mkmod "$1" alpha 0x1234567 orig
	mkmod "$1" beta 0x2345678 orig
	mkmod "$1" gamma 0x3456789 orig
	gen -a "$1" -V "$(version "$1")" -s 77 -T 10 \
	    -L orig/alpha.ko -L orig/beta.ko -L orig/gamma.ko
	mkdir -p mods root/boot/modules
	cp orig/alpha.ko mods/alpha.ko
	cp orig/beta.ko root/boot/modules/beta.ko
	[ "$(grep -c '^module ' facts)" -eq 3 ] ||
	    atf_fail "mkdump placed: $(grep '^module ' facts)"
}

# modfact NAME FIELD: from "module ID NAME ADDRESS SIZE PATHNAME TYPE".
modfact()
{
	awk -v n="$1" -v f="$2" '$1 == "module" && $3 == n {
		split("x id name address size path type", k, " ")
		for (i = 2; i <= 7; i++) if (k[i] == f) print $i }' facts
}

# symfact NAME SYMBOL: the symbol's runtime address (mkdump -v).
symfact()
{
	awk -v n="$1.ko" -v s="$2" '$1 == "modsym" && $2 == n &&
	    $3 == s { print $4 }' facts
}

# padx ARCH ADDR: an address as wide as the architecture's (md2elf -l and
# LLDB print 32-bit addresses with 8 digits).
padx()
{
	[ "$1" = i386 ] && printf '%#010x' "$2" || printf '%#018x' "$2"
}

# Hex as md2elf -l prints sizes: no 0x, no leading zeros.
nox()
{
	printf '%x' "$1"
}

list_case()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	setup "$1"
	atf_check -s exit:0 -o save:list -e empty "$MD2ELF" -l -k kernel \
	    -M mods --sysroot root vmcore.0
	cat list
	[ "$(wc -l <list)" -eq 5 ] || atf_fail "5 lines expected: $(cat list)"
	grep -q '^ *1 0x[0-9a-f]* *[0-9a-f]* kernel (/boot/kernel/kernel): kernel$' \
	    list || atf_fail "the kernel's line: $(cat list)"
	for m in alpha beta gamma; do
		id=$(modfact $m.ko id)
		addr=$(padx "$1" "$(modfact $m.ko address)")
		size=$(nox "$(modfact $m.ko size)")
		path=$(modfact $m.ko path)
		[ -n "$id" ] && [ -n "$addr" ] || atf_fail "no facts for $m"
		case $m in
		alpha)	file=": mods/alpha.ko" ;;
		beta)	file=": root/boot/modules/beta.ko" ;;
		gamma)	file=": not found (give its directory with -M, or --sysroot)" ;;
		esac
		[ "$1" != amd64 ] && [ $m != gamma ] &&
		    file="$file (build id matches)"
		line=$(awk -v a="$addr" '$2 == a' list)
		want=$(printf '%3d %s %10s %s (%s)%s' "$id" "$addr" "$size" \
		    $m.ko "$path" "$file")
		[ "$line" = "$want" ] ||
		    atf_fail "$m: '$line', expected '$want'"
	done
	# The ids are 1, 2, 3, 4 in list order.
	[ "$(awk 'NR > 1 { printf "%s ", $1 }' list)" = "1 2 3 4 " ] ||
	    atf_fail "ids: $(cat list)"
	# Debug variants: NAME.debug before NAME in a -M directory; the
	# recorded path under the sysroot's /usr/lib/debug.
	cp orig/alpha.ko mods/alpha.ko.debug
	mkdir -p root/usr/lib/debug/boot/kernel
	cp orig/gamma.ko root/usr/lib/debug/boot/kernel/gamma.ko.debug
	atf_check -s exit:0 -o save:list2 -e empty "$MD2ELF" -l -k kernel \
	    -M mods --sysroot root vmcore.0
	grep -q ' alpha\.ko (/boot/kernel/alpha\.ko): mods/alpha\.ko\.debug' \
	    list2 || atf_fail "alpha.ko.debug: $(cat list2)"
	grep -q ' gamma\.ko (/boot/kernel/gamma\.ko): root/usr/lib/debug/boot/kernel/gamma\.ko\.debug' \
	    list2 || atf_fail "gamma under /usr/lib/debug: $(cat list2)"
}

# convert ARCH FLAVOR: the core and its command files; gamma is reported
# in one warning line, nothing else on stderr.
convert()
{
	atf_check -s exit:0 -o save:out -e save:err "$MD2ELF" -k kernel \
	    -M mods --sysroot root --flavor "$2" -o core.elf vmcore.0
	[ "$(wc -l <err)" -eq 1 ] && grep -q \
	    '^md2elf: warning: module gamma.ko: not found (give its directory with -M, or --sysroot)$' \
	    err || atf_fail "stderr: $(cat err)"
	[ -f core.elf.lldb ] && [ -f core.elf.gdb ] ||
	    atf_fail "no command files: $(ls)"
	! grep -q gamma core.elf.lldb core.elf.gdb ||
	    atf_fail "gamma in the command files"
	ls -a | grep -q '^\.core' && atf_fail "temporary files left: $(ls -a)"
	true
}

# hint_line ARCH: what the conversion says of the core's r_debug list.
hint_line()
{
	if [ "$1" = amd64 ]; then
		echo "  no r_debug list in the core (the modules are ET_REL, placed section by section, which a link_map entry cannot describe): the command files place the modules"
	else
		echo "  2 modules in the core's r_debug list: LLDB and GDB load them by themselves"
	fi
}

# The checks of one debugger's output for alpha and beta: FUNC's address,
# the relocated hook pointing at it, the counter's value.
check_syms()
{
	for m in alpha beta; do
		fa=$(symfact $m ${m}_func)
		[ -n "$fa" ] || atf_fail "no ${m}_func fact"
		case $m in
		alpha)	val=19088743 ;;		# 0x1234567
		beta)	val=36984440 ;;		# 0x2345678
		esac
		grep -q "^$m-counter: *$val\$" "$2" ||
		    atf_fail "$1: ${m}_counter is not $val: $(cat "$2")"
		grep -Eq "^$m-hook: *$fa\$" "$2" ||
		    atf_fail "$1: ${m}_hook is not $fa: $(cat "$2")"
		grep -Eq "^$m-func: *(Symbol \"${m}_func\" is a function at address )?$fa\.?\$" "$2" ||
		    atf_fail "$1: ${m}_func not at $fa: $(cat "$2")"
		# .rodata's string (read from the core) and .bss's array
		# (NOBITS: where the layout places it after the data).
		for o in name bss; do
			oa=$(symfact $m ${m}_$o)
			[ -n "$oa" ] || atf_fail "no ${m}_$o fact"
			grep -Eq "^$m-$o: *(Symbol \"${m}_$o\" is static storage at address )?$oa\.?\$" "$2" ||
			    atf_fail "$1: ${m}_$o not at $oa: $(cat "$2")"
		done
		grep -q "^$m-string: *\"$m\"\$" "$2" ||
		    atf_fail "$1: ${m}_name is not \"$m\": $(cat "$2")"
	done
}

lldb_case()
{
	arch=$1
	. "$(atf_get_srcdir)/gen/testlib.sh"
	setup "$arch"
	convert "$arch" freebsd
	grep -Fxq "$(hint_line "$arch")" out || atf_fail "$(cat out)"
	# i386, arm64: no command file needed; amd64: its sections placed.
	line=$(grep '^  lldb-19 ' out) || atf_fail "$(cat out)"
	want="  lldb-19 kernel -c core.elf"
	[ "$arch" = amd64 ] && want="$want -s core.elf.lldb"
	[ "$line" = "$want" ] || atf_fail "printed: $line"
	eval "set -- $line"
	shift
	{
		echo "image list"
		for m in alpha beta; do
			echo "image lookup -n ${m}_func"
			echo "script print('$m-counter: ' + str(lldb.target.FindFirstGlobalVariable('${m}_counter').GetValueAsSigned()))"
			echo "script print('$m-hook: ' + hex(lldb.target.FindFirstGlobalVariable('${m}_hook').GetValueAsUnsigned()))"
			echo "script print('$m-func: ' + hex(lldb.target.FindFunctions('${m}_func')[0].GetSymbol().GetStartAddress().GetLoadAddress(lldb.target)))"
			for o in name bss; do
				echo "script print('$m-$o: ' + hex(lldb.target.FindFirstGlobalVariable('${m}_$o').GetLoadAddress()))"
			done
			echo "script print('$m-string: ' + str(lldb.target.FindFirstGlobalVariable('${m}_name').GetSummary()))"
		done
	} >cmds
	"$LLDB" -b "$@" -s cmds >lldb.out 2>&1
	cat lldb.out
	for m in alpha beta; do
		a=$(padx "$arch" "$(modfact $m.ko address)")
		grep -Eq "^\[ *[0-9]+\] [0-9A-F-]+ $a .*/$m\.ko" lldb.out ||
		    atf_fail "image list: $m.ko not at $a"
		grep -q "Summary: $m.ko\`${m}_func" lldb.out ||
		    atf_fail "image lookup -n ${m}_func"
	done
	! grep -q gamma lldb.out || atf_fail "gamma loaded"
	check_syms LLDB lldb.out
	[ "$arch" = amd64 ] || hint_only_diff "$arch"
}

# hint_only_diff ARCH: coreck finds in core.elf exactly what the r_debug
# list adds to the model: one PT_LOAD at an address the kernel does not
# map, the word of DT_DEBUG's d_val (_DYNAMIC + one pointer) in its page
# (at its kernel-map and, if any, direct-map address), one segment more.
hint_only_diff()
{
	ps=8
	[ "$1" = i386 ] && ps=4
	dyn=$(readelf -sW kernel | awk '$8 == "_DYNAMIC" { print $2 }')
	[ -n "$dyn" ] || atf_fail "the kernel has no _DYNAMIC"
	# The kernel's PT_DYNAMIC is its .dynamic (program headers that a
	# section overlaps would be written over: arm64's note at 0x100).
	readelf -lW kernel | awk -v d="$dyn" -v s="$(nox $((4 * ps)))" '
	    function h(v) { sub(/^(0x)?0*/, "", v); return v }
	    $1 == "DYNAMIC" { n++; if (h($3) != h(d) || h($5) != s) bad = 1 }
	    END { exit n != 1 || bad }' ||
	    atf_fail "PT_DYNAMIC is not _DYNAMIC: $(readelf -lW kernel)"
	slot=$((0x$dyn + ps))
	hva=$(readelf -lW core.elf | awk '$1 == "LOAD"' | tail -1 |
	    awk '{ print $3 }')
	"$CORECK" -M model core.elf >ck 2>ck.err &&
	    atf_fail "coreck finds the core identical to the model"
	grep -q "PT_LOAD maps va $(printf '%#x' "$hva"), which the kernel does not map" \
	    ck.err || atf_fail "hint segment $hva: $(cat ck.err)"
	# The page's physical address, from its kernel-map line.
	page=$(printf '%#x' $((slot & ~4095)))
	pa=$(sed -n "s/.*: va $page (pa \(0x[0-9a-f]*\),.*/\1/p" ck.err |
	    head -1)
	[ -n "$pa" ] || atf_fail "DT_DEBUG's page $page unchanged: $(cat ck.err)"
	nbyte=0
	while read -r line; do
		case $line in
		*"which the kernel does not map"|*" PT_LOAD segments, expected "*)
			continue ;;
		*"(pa $pa,"*)
			b=$(echo "$line" | sed -n 's/.*: byte \([0-9]*\) is .*/\1/p')
			[ -n "$b" ] && [ "$b" -ge $((slot & 4095)) ] &&
			    [ "$b" -lt $(((slot & 4095) + ps)) ] ||
			    atf_fail "a byte outside DT_DEBUG's d_val: $line"
			nbyte=$((nbyte + 1)) ;;
		*)	atf_fail "coreck: $line" ;;
		esac
	done <ck.err
	[ "$nbyte" -ge 1 ] || atf_fail "DT_DEBUG's word unchanged: $(cat ck.err)"
}

gdb_case()
{
	arch=$1
	. "$(atf_get_srcdir)/gen/testlib.sh"
	setup "$arch"
	convert "$arch" linux
	grep -Fxq "$(hint_line "$arch")" out || atf_fail "$(cat out)"
	line=$(grep "^  gdb-multiarch " out) || atf_fail "$(cat out)"
	case $arch in
	amd64)	want=" -x core.elf.gdb" ;;
	*)	want="'core-file core.elf'" ;;
	esac
	[ "${line%"$want"}" != "$line" ] ||
	    atf_fail "the printed line does not end with $want: $line"
	eval "set -- $line"
	shift
	{
		echo "info sharedlibrary"
		for m in alpha beta; do
			echo "echo $m-func: "
			echo "info address ${m}_func"
			echo "echo $m-counter: "
			echo "output ${m}_counter"
			echo "echo \\n$m-hook: "
			echo "output/x ${m}_hook"
			echo "echo \\n$m-name: "
			echo "info address ${m}_name"
			echo "echo $m-bss: "
			echo "info address ${m}_bss"
			echo "echo $m-string: "
			echo "output ${m}_name"
			echo "echo \\n"
		done
	} >cmds
	"$GDB" -batch "$@" -x cmds >gdb.out 2>&1
	cat gdb.out
	check_syms GDB gdb.out
	# The r_debug list: each module a shared library from its .text.
	[ "$arch" = amd64 ] && return 0
	for m in alpha beta; do
		fa=$(padx "$arch" "$(symfact $m ${m}_func)")
		grep -Eq "^$fa +0x[0-9a-f]+ +Yes +/.*/$m\.ko\$" gdb.out ||
		    atf_fail "info sharedlibrary: no $m.ko from $fa"
	done
}

atf_test_case list
list_head()
{
	atf_set descr 'md2elf -l: id, address, size, name, path of every' \
	    'linker file as the dump has them, the file found (-M, the' \
	    'sysroot'"'"'s linker_path, NAME.debug first, /usr/lib/debug; build id' \
	    'checked on ET_DYN) or why not'
	atf_set require.progs clang ld.lld
}
list_body()
{
	for a in amd64 i386 arm64; do
		mkdir $a && cd $a && list_case $a && cd ..
	done
}

atf_test_case lldb
lldb_head()
{
	atf_set descr 'LLDB 19 with the printed command line: every found' \
	    'module at its address, functions and data resolved, the' \
	    'relocated pointer read from the core'
	atf_set require.progs clang ld.lld lldb-19
}
lldb_body()
{
	for a in amd64 i386 arm64; do
		mkdir $a && cd $a && lldb_case $a && cd ..
	done
}

atf_test_case gdb
gdb_head()
{
	atf_set descr 'gdb-multiarch (Linux flavour) with the printed command' \
	    'line: functions and data of every found module resolved'
	atf_set require.progs clang ld.lld gdb-multiarch
}
gdb_body()
{
	for a in amd64 i386 arm64; do
		mkdir $a && cd $a && gdb_case $a && cd ..
	done
}

# buildid FILE: FILE's GNU build id in hex.
buildid()
{
	readelf -n "$1" | sed -n 's/^ *Build ID: *//p'
}

mismatch_case()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	mkmod "$1" alpha 0x1234567
	mkmod "$1" beta 0x2345678
	gen -a "$1" -V "$(version "$1")" -s 78 -T 10 \
	    -L mods/alpha.ko -L mods/beta.ko
	# Another alpha.ko: other contents (another build id, and on amd64,
	# where modules keep no notes in memory, another size).
	printf '%s\n' 'int alpha_counter = 7;' 'int alpha_extra[64] = { 1 };' \
	    'int alpha_func(int x) { return x + alpha_extra[x & 63]; }' \
	    >build/extra.c
	mv mods/alpha.ko good.ko
	case $1 in
	amd64)	atf_check -s exit:0 -o ignore -e ignore clang \
		    -target x86_64-unknown-freebsd13 -mcmodel=kernel -fno-pic \
		    -ffreestanding -O1 -c build/extra.c -o build/extra.o
		atf_check -s exit:0 -o ignore -e ignore ld.lld -r \
		    -o mods/alpha.ko build/extra.o
		pat='mods/alpha\.ko: laid out it takes 0x[0-9a-f]+ bytes, the loaded module 0x[0-9a-f]+: not the same file\?'
		;;
	*)	[ "$1" = i386 ] && t=i386-unknown-freebsd13 ||
		    t=aarch64-unknown-freebsd13
		atf_check -s exit:0 -o ignore -e ignore clang -target $t \
		    -fPIC -fvisibility=hidden -ffreestanding -O1 \
		    -c build/extra.c -o build/extra.o
		atf_check -s exit:0 -o ignore -e ignore ld.lld -shared \
		    --build-id -z max-page-size=4096 -o mods/alpha.ko \
		    build/extra.o
		mem=$(buildid good.ko)
		file=$(buildid mods/alpha.ko)
		[ -n "$mem" ] && [ -n "$file" ] && [ "$mem" != "$file" ] ||
		    atf_fail "build ids '$mem' '$file'"
		pat="mods/alpha\\.ko does not match: build id $mem in the dump's memory, $file in the file \\(use -F to use it anyway\\)"
		;;
	esac
	atf_check -s exit:0 -o save:list -e empty "$MD2ELF" -l -k kernel \
	    -M mods vmcore.0
	grep -Eq "^ *2 0x[0-9a-f]+ +[0-9a-f]+ alpha\\.ko \\(/boot/kernel/alpha\\.ko\\): $pat\$" \
	    list || atf_fail "refused file: $(cat list)"
	grep -q '^ *3 .* beta\.ko (/boot/modules/beta\.ko): mods/beta\.ko' \
	    list || atf_fail "beta: $(cat list)"
	# The conversion goes on, without alpha, saying so in one line.
	atf_check -s exit:0 -o save:out -e save:err "$MD2ELF" -k kernel \
	    -M mods -o core.elf vmcore.0
	[ "$(wc -l <err)" -eq 1 ] &&
	    grep -Eq "^md2elf: warning: module alpha\\.ko: $pat\$" err ||
	    atf_fail "stderr: $(cat err)"
	! grep -q alpha core.elf.lldb core.elf.gdb || atf_fail "alpha used"
	grep -q 'beta.ko' core.elf.lldb || atf_fail "beta missing"
	[ "$1" = amd64 ] && return 0
	# -F: used anyway, said so.
	atf_check -s exit:0 -o save:list -e empty "$MD2ELF" -F -l -k kernel \
	    -M mods vmcore.0
	grep -Fq "alpha.ko (/boot/kernel/alpha.ko): mods/alpha.ko (does not match: build id $mem in the dump's memory, $file in the file; used anyway (forced))" \
	    list || atf_fail "-F: $(cat list)"
	atf_check -s exit:0 -o ignore -e match:'alpha.ko.*used anyway' \
	    "$MD2ELF" -F -f -k kernel -M mods -o core.elf vmcore.0
	grep -q 'alpha.ko' core.elf.lldb || atf_fail "-F: alpha not used"
}

# hostile_case ARCH VARIANT: md2elf -l and the conversion on a dump whose
# linker_files list is broken; the modules before the break are listed.
hostile_case()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	# The modules of the architecture, built once for all variants.
	if [ ! -f ../mods-$1/beta.ko ]; then
		(cd .. && mkmod "$1" alpha 0x1234567 mods-$1 &&
		    mkmod "$1" beta 0x2345678 mods-$1)
	fi
	cp -R ../mods-$1 mods
	gen -a "$1" -V "$(version "$1")" -s 79 -T 10 -W "$2" \
	    -L mods/alpha.ko -L mods/beta.ko
	atf_check -s exit:0 -o save:list -e save:err "$MD2ELF" -l -k kernel \
	    -M mods vmcore.0
	for m in alpha beta; do
		grep -q "^ *$(modfact $m.ko id) .* $m\\.ko (.*): mods/$m\\.ko" \
		    list || atf_fail "$2: $m not listed: $(cat list)"
	done
	case $2 in
	kldcycle)
		w='modules: linker_file 0x[0-9a-f]+ seen before \(cycle\) after 3 files; walk ended'
		n=4 ;;
	klddangling)
		w='modules: linker_file 0x[0-9a-f]+ is not in the dump; walk ended after 3 files'
		n=4 ;;
	kldstrings)
		w=''
		n=5
		grep -Eq '^ *3 0x0+ +\? at 0x[0-9a-f]+: its name at 0x[0-9a-f]+ is absurd \(no NUL within 1024 bytes\)$' \
		    list || atf_fail "the absurd entry: $(cat list)"
		;;
	esac
	[ "$(wc -l <list)" -eq $n ] || atf_fail "$2: $(cat list)"
	if [ -n "$w" ]; then
		[ "$(wc -l <err)" -eq 1 ] &&
		    grep -Eq "^md2elf: warning: vmcore\.0: $w\$" err ||
		    atf_fail "$2: stderr: $(cat err)"
	else
		[ ! -s err ] || atf_fail "$2: stderr: $(cat err)"
	fi
	atf_check -s exit:0 -o save:out -e save:err "$MD2ELF" -k kernel \
	    -M mods -o core.elf vmcore.0
	if [ "$1" = amd64 ]; then
		grep -q 'mods/beta.ko' core.elf.gdb ||
		    atf_fail "$2: beta not placed"
	else
		grep -q "^  2 modules in the core's r_debug list" out ||
		    atf_fail "$2: alpha and beta not in r_debug: $(cat out)"
	fi
	[ "$2" != kldstrings ] || grep -q '^md2elf: warning: module at 0x[0-9a-f]*: its name at 0x[0-9a-f]* is absurd' \
	    err || atf_fail "$2: $(cat err)"
}

atf_test_case mismatch
mismatch_head()
{
	atf_set descr 'a module file that is not the loaded one (i386, arm64:' \
	    'build id in memory; amd64: the laid-out size) is refused in one' \
	    'line, the conversion goes on without it; -F uses it, saying so'
	atf_set require.progs clang ld.lld readelf
}
mismatch_body()
{
	for a in amd64 i386 arm64; do
		mkdir $a && cd $a && mismatch_case $a && cd ..
	done
}

atf_test_case hostile
hostile_head()
{
	atf_set descr 'linker_files with a cycle, a dangling next pointer, an' \
	    'entry with absurd strings: one warning, the rest listed, the' \
	    'conversion succeeds'
	atf_set require.progs clang ld.lld
}
hostile_body()
{
	for v in kldcycle klddangling kldstrings; do
		for a in amd64 i386 arm64; do
			mkdir $a-$v && cd $a-$v && hostile_case $a $v && cd ..
		done
	done
}

atf_test_case nokld
nokld_head()
{
	atf_set descr 'a kernel without the kld_off_* symbols: -l fails naming' \
	    'them, a conversion succeeds with one summary line saying why no' \
	    'module is listed, and prints the plain command lines; one without' \
	    'DT_DEBUG: said in one line, the command files place the modules'
	atf_set require.progs clang ld.lld lldb-19
}
nokld_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	mkmod amd64 alpha 0x1234567
	gen -s 80 -T 10 -K nokld -L mods/alpha.ko
	msg="cannot list modules: the kernel lacks kld_off_address, kld_off_filename, kld_off_pathname, kld_off_next (symbols FreeBSD exports for debuggers since about 10.3)"
	atf_check -s exit:1 -o empty -e inline:"md2elf: vmcore.0: $msg\n" \
	    "$MD2ELF" -l -k kernel -M mods vmcore.0
	atf_check -s exit:0 -o save:out -e empty \
	    "$MD2ELF" -k kernel -M mods -o core.elf vmcore.0
	grep -Fxq "  no kernel modules listed: vmcore.0: $msg" out ||
	    atf_fail "$(cat out)"
	grep -q '^  lldb-19 kernel -c core.elf$' out || atf_fail "$(cat out)"
	atf_check -s exit:0 -o empty -e empty \
	    "$MD2ELF" -q -f -k kernel -M mods -o core.elf vmcore.0
	[ ! -e core.elf.lldb ] && [ ! -e core.elf.gdb ] ||
	    atf_fail "command files without a module list"
	# -l needs a kernel.
	atf_check -s exit:2 -o empty -e match:'-l needs the kernel' \
	    "$MD2ELF" -l vmcore.0
	# So do -M and --sysroot.
	atf_check -s exit:2 -o empty -e match:'-M and --sysroot need the kernel' \
	    "$MD2ELF" -M mods -o x.elf vmcore.0
	atf_check -s exit:2 -o empty -e match:'-M and --sysroot need the kernel' \
	    "$MD2ELF" --sysroot / -o x.elf vmcore.0
	[ ! -e x.elf ] || atf_fail "x.elf written"

	# A kernel without DT_DEBUG (i386): said in one line; the command
	# files place the ET_DYN modules instead, with their load bias.
	mkdir nodyn && cd nodyn
	mkmod i386 alpha 0x1234567
	gen -a i386 -V 2 -s 81 -T 10 -K nodynamic -L mods/alpha.ko
	atf_check -s exit:0 -o save:out -e empty "$MD2ELF" -k kernel \
	    -M mods -o core.elf vmcore.0
	grep -Fxq "  no r_debug list in the core (the kernel has no DT_DEBUG entry in .dynamic): the command files place the modules" \
	    out || atf_fail "$(cat out)"
	grep -q '^  lldb-19 kernel -c core.elf -s core.elf.lldb$' out ||
	    atf_fail "$(cat out)"
	a=$(modfact alpha.ko address)
	grep -q "^target modules load --file /.*/mods/alpha.ko --slide $a\$" \
	    core.elf.lldb || atf_fail "$(cat core.elf.lldb)"
	grep -q "^add-symbol-file /.*/mods/alpha.ko -o $a\$" core.elf.gdb ||
	    atf_fail "$(cat core.elf.gdb)"
	atf_check -s exit:0 -o save:lldb.out -e ignore "$LLDB" -b kernel \
	    -c core.elf -s core.elf.lldb -o 'image lookup -n alpha_func'
	grep -q 'Summary: alpha.ko`alpha_func' lldb.out ||
	    atf_fail "$(cat lldb.out)"
}

atf_test_case savecore
savecore_head()
{
	atf_set descr 'savecore -e -K -M: the ET_DYN modules found in -M are in' \
	    'the ELF core'"'"'s r_debug list (LLDB loads them), a missing one' \
	    'is reported in one line'
	atf_set require.progs clang ld.lld lldb-19
}
savecore_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	SAVECORE=${SAVECORE:-$SRCDIR/../savecore/savecore}
	mkmod arm64 alpha 0x1234567 orig
	mkmod arm64 beta 0x2345678 orig
	"$MKDUMP" -v -m 64 -a arm64 -s 82 -T 10 -H device -L orig/alpha.ko \
	    -L orig/beta.ko -o dev.img -k kernel -M model >facts 2>gen.err ||
	    atf_fail "mkdump: $(cat gen.err)"
	mkdir mods crash
	cp orig/alpha.ko mods/
	atf_check -s exit:0 -o match:'^ELF core: 1 modules in its r_debug list$' \
	    -e save:err "$SAVECORE" -v -e -K kernel -M mods crash ./dev.img
	grep -q '^savecore: vmcore.0.elf: module beta.ko: not found' err ||
	    atf_fail "$(cat err)"
	atf_check -s exit:0 -o save:lldb.out -e ignore "$LLDB" -b kernel \
	    -c crash/vmcore.0.elf -o 'image list' -o 'p/x alpha_hook'
	a=$(padx arm64 "$(modfact alpha.ko address)")
	grep -Eq "^\[ *[0-9]+\] [0-9A-F-]+ $a .*/mods/alpha\.ko" lldb.out ||
	    atf_fail "alpha.ko not at $a: $(cat lldb.out)"
	grep -q ") $(symfact alpha alpha_func) (alpha.ko\`alpha_func" \
	    lldb.out || atf_fail "alpha_hook: $(cat lldb.out)"
	# -M needs -e.
	atf_check -s exit:1 -o empty -e match:usage "$SAVECORE" -M mods crash \
	    ./dev.img
}

# -- backtraces through module code --------------------------------------
# With modules, mkdump puts kernel thread 100001 asleep in the first
# module's alpha_task (it calls _sleep), and the crash interrupts it too
# (ifhwioctl called it, it faulted): "modfn FUNC MODULE ADDRESS RETURN"
# in the facts; the threads' pcs and return addresses from coreck -t.

# bt_want TID: TID's pc and return addresses in the model (hex without 0x
# and leading zeros).
bt_want()
{
	awk -v t="$1" 'function h(x) { sub(/^0x0*/, "", x); return x }
	    $1 == "thread" && $2 == t { s = h($6) }
	    $1 == "frames" && $2 == t { for (i = 3; i <= NF; i++)
		s = s " " h($i) } END { print s }' model.t
}

# bt_setup ARCH: alpha (the module thread's) and beta in mods/; modfn,
# modmod, modva, modret, rx (modret in hex as bt_want) and off (RETURN -
# ADDRESS) from the facts; tid, the thread whose model frames return into
# the module, and ttid, the crash's trap-frame thread, interrupted there.
bt_setup()
{
	mkmod "$1" alpha 0x1234567
	mkmod "$1" beta 0x2345678
	gen -a "$1" -V "$(version "$1")" -s 83 -T 10 -L mods/alpha.ko \
	    -L mods/beta.ko
	set -- $(awk '$1 == "modfn" { print $2, $3, $4, $5 }' facts)
	[ $# -eq 4 ] || atf_fail "mkdump gives no modfn: $(cat facts)"
	modfn=$1 modmod=$2 modva=$3 modret=$4
	[ "$modfn" = alpha_task ] && [ "$modmod" = alpha.ko ] ||
	    atf_fail "modfn $modfn in $modmod"
	# (Signed arithmetic: a module's addresses share their sign.)
	ma=$(modfact alpha.ko address)
	ms=$(modfact alpha.ko size)
	[ $((ma <= modva && modva < modret && modret < ma + ms)) -eq 1 ] ||
	    atf_fail "$modfn $modva..$modret is not in alpha.ko"
	off=$(printf '%#x' $((modret - modva)))
	rx=$(echo "$modret" | sed 's/^0x0*//')
	"$CORECK" -M model -t >model.t || atf_fail "coreck -t"
	tid=$(awk -v r="$modret" '$1 == "frames" { for (i = 3; i <= NF; i++)
	    if ($i == r) print $2 }' model.t)
	[ -n "$tid" ] && [ "$(echo "$tid" | wc -l)" -eq 1 ] ||
	    atf_fail "model threads returning to $modret: '$tid'"
	crashed=$(awk '$1 == "thread" && $4 == "crashed" { print $2 }' model.t)
	ttid=$(awk -v r="$rx" -v c="$crashed" '$1 == "thread" &&
	    $2 ~ ("^[0-9]+" c "$") && $2 != c { x = $6; sub(/^0x0*/, "", x)
	    if (x == r) print $2 }' model.t)
	[ -n "$ttid" ] && [ "$(echo "$ttid" | wc -l)" -eq 1 ] ||
	    atf_fail "the crash's trap thread in $modfn: '$ttid'"
	echo "thread $tid: $(bt_want $tid); trap thread $ttid: $(bt_want $ttid)"
}

# bt_frames FILE PATTERN: the frame addresses of FILE's lines matching
# PATTERN (an ERE whose first 0x... word is the pc), as bt_want has them.
bt_frames()
{
	awk -v p="$2" 'function h(x) { sub(/^0x0*/, "", x); return x }
	    $0 ~ p { for (i = 1; i <= NF; i++) if ($i ~ /^0x[0-9a-f]+$/) {
		s = s (s == "" ? "" : " ") h($i); break } } END { print s }' "$1"
}

# bt_check TOOL TID GOT: the frames got start with TID's in the model.
bt_check()
{
	_w=$(bt_want "$2")
	case "$3" in
	"$_w"|"$_w "*) ;;
	*)	atf_fail "$1: thread $2: frames '$3', the model's '$_w'" ;;
	esac
}

bt_case()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	bt_setup "$1"
	# md2elf -t -v: the module frame named from the module's file.
	atf_check -s exit:0 -o save:t.out -e ignore "$MD2ELF" -t -v \
	    -k kernel -M mods vmcore.0
	sed -n "/^ .* $tid .*/,/^[ *] *[0-9]/p" t.out >t.thread
	bt_check "md2elf -t -v" $tid "$(bt_frames t.thread '^ +#[0-9]+ ')"
	grep -Eq "^ +#[0-9]+ +0x0*$rx in $modfn\\+$off \\($modmod\\)\$" \
	    t.thread || atf_fail "md2elf -t -v: no '$modfn+$off ($modmod)':" \
	    "$(cat t.thread)"
	# Without the module's file: the frame is there, not named.
	atf_check -s exit:0 -o save:t2.out -e ignore "$MD2ELF" -t -v \
	    -k kernel vmcore.0
	grep -Eq "^ +#[0-9]+ +0x0*$rx\$" t2.out ||
	    atf_fail "md2elf -t -v without -M: $(grep "$rx" t2.out)"
	# md2elf -r: the crash's backtrace goes on in the module after the
	# trap frame; the module thread's stack (text and JSON).
	atf_check -s exit:0 -o save:r.txt -e empty "$MD2ELF" -r -k kernel \
	    -M mods vmcore.0
	grep -A1 "^--- .*, pc 0x0*$rx, " r.txt | tail -1 >r.frame
	grep -Eq "^#[0-9]+ +0x0*$rx $modfn\\+$off in module $modmod\$" \
	    r.frame || atf_fail "md2elf -r: after the trap frame: $(cat r.frame)"
	sed -n "/^1 thread: $tid\$/,/^\$/p" r.txt | tr '\n' '|' >r.stack
	grep -q "|    _sleep|    $modfn ($modmod)|    taskqueue_run_locked|" \
	    r.stack || atf_fail "md2elf -r: $(cat r.stack)"
	atf_check -s exit:0 -o save:r.json -e empty "$MD2ELF" -r -j \
	    -k kernel -M mods vmcore.0
	# The crash's frame in JSON: {pc, function, offset, module}.
	jq -e --arg f "$modfn" --arg m "$modmod" --arg o "$off" '[.. |
	    objects | select(.module? == $m and .function? == $f and
	    .offset? == $o)] | length > 0' r.json >/dev/null ||
	    atf_fail "md2elf -r -j: no frame {$modfn, $off, $modmod}"
	jq -e --arg t "$tid" --arg f "$modfn ($modmod)" '[.. | objects |
	    select(has("stack") and has("tids")) | select(.tids |
	    map(tostring) | index($t)) | .stack | index($f)] | .[0] != null' \
	    r.json >/dev/null || atf_fail "md2elf -r -j: no '$modfn ($modmod)'"

	# LLDB 19 (FreeBSD flavour, the printed command line): both threads'
	# backtraces name the module function where the model has it.
	atf_check -s exit:0 -o save:out -e empty "$MD2ELF" -k kernel -M mods \
	    -o core.elf vmcore.0
	line=$(grep '^  lldb-19 ' out) || atf_fail "$(cat out)"
	eval "set -- $line"
	shift
	"$LLDB" -b "$@" -o 'thread list' >list.out 2>&1
	for t in $tid $ttid; do
		n=$(sed -n "s/^[* ] thread #\\([0-9]*\\): tid = $t,.*/\\1/p" \
		    list.out)
		[ -n "$n" ] || atf_fail "LLDB lists no thread $t: $(cat list.out)"
		"$LLDB" -b "$@" -o "thread backtrace $n" >lldb.out 2>&1
		sed -n '/^(lldb) thread backtrace/,$p' lldb.out >lldb.bt
		cat lldb.bt
		bt_check LLDB $t "$(bt_frames lldb.bt '^ +\*? *frame #[0-9]+: ')"
		grep -Eq "^ +\\*? *frame #[0-9]+: 0x0*$rx $modmod\`$modfn[(]" \
		    lldb.bt || atf_fail "LLDB: thread $t: no $modmod\`$modfn"
	done

	# gdb-multiarch (Linux flavour, the printed command line).
	atf_check -s exit:0 -o save:out -e empty "$MD2ELF" -k kernel -M mods \
	    --flavor linux -o core.elf -f vmcore.0
	line=$(grep "^  gdb-multiarch " out) || atf_fail "$(cat out)"
	eval "set -- $line"
	shift
	"$GDB" -batch "$@" -ex 'info threads' >ginfo.out 2>&1
	for t in $tid $ttid; do
		n=$(sed -n "s/^[* ] *\\([0-9][0-9]*\\) *LWP $t .*/\\1/p" \
		    ginfo.out)
		[ -n "$n" ] || atf_fail "GDB lists no LWP $t: $(cat ginfo.out)"
		"$GDB" -batch "$@" -ex "thread $n" -ex bt >gdb.out 2>&1
		sed -n '/^\[Switching to thread/,$p' gdb.out | sed 1,2d >gdb.bt
		cat gdb.bt
		bt_check GDB $t "$(bt_frames gdb.bt '^#[0-9]+ ')"
		grep -Eq "^#[0-9]+ +0x0*$rx in $modfn \\(" gdb.bt ||
		    atf_fail "GDB: thread $t: no $modfn at $modret"
	done
}

for a in amd64 i386 arm64; do
	eval "atf_test_case backtrace_$a
	backtrace_${a}_head() {
		atf_set descr '$a: a kernel thread asleep in a module function' \\
		    'and a crash inside it: md2elf -t -v and -r, LLDB 19 and' \\
		    'gdb-multiarch name it, the frames are the model'\"'\"'s'
		atf_set require.progs clang ld.lld jq lldb-19 gdb-multiarch
	}
	backtrace_${a}_body() { bt_case $a; }"
done

atf_init_test_cases()
{
	for a in amd64 i386 arm64; do
		atf_add_test_case backtrace_$a
	done
	atf_add_test_case savecore
	atf_add_test_case list
	atf_add_test_case lldb
	atf_add_test_case gdb
	atf_add_test_case mismatch
	atf_add_test_case hostile
	atf_add_test_case nokld
}
