# tests/gen/testlib.sh: helpers for the amd64 atf-sh tests, sourced at the
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
