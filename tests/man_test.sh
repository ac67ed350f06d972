#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# man_test: the manual pages are lint-clean mdoc, and every option that the
# programs' usage texts name is documented in their page.

atf_test_case lint
lint_head()
{
	atf_set descr 'mandoc -Tlint -Wwarning finds nothing in man/*'
	atf_set require.progs mandoc
}
lint_body()
{
	top=$(atf_get_srcdir)/..
	n=0
	for page in "$top"/man/*.[0-9]; do
		atf_check -s exit:0 -o empty -e empty \
		    mandoc -Tlint -Wwarning "$page"
		n=$((n + 1))
	done
	[ "$n" -ge 3 ] || atf_fail "only $n manual pages in man/"
}

# options PROG: the options the usage text of PROG names, one a line
# ("-f", "--flavor").
options()
{
	"$1" -h 2>&1 | grep -v 'invalid option' |
	    grep -o -- '-[-a-zA-Z][-a-zA-Z]*' | grep -v -- '^--$' |
	    sed -e 's/^-\([a-zA-Z]\{2,\}\)$/\1/' | while read -r o; do
		case "$o" in
		--*)	echo "$o" ;;
		-?)	echo "$o" ;;
		*)	echo "$o" | sed -e 's/\(.\)/-\1\n/g' | sed -e '/^-$/d' ;;
		esac
	done | sort -u
}

# documented PAGE OPT: PAGE has an .It entry for OPT.
documented()
{
	case "$2" in
	--*)	grep -q "^\.It Fl Fl ${2#--}\( \|$\)" "$1" ;;
	*)	grep -q "^\.It Fl ${2#-}\( \|$\)" "$1" ;;
	esac
}

check_prog()
{
	prog=$1 page=$2
	opts=$(options "$prog")
	[ -n "$opts" ] || atf_fail "no options found in $prog's usage"
	for o in $opts; do
		documented "$page" "$o" ||
		    atf_fail "$(basename "$prog") $o is not documented in $(basename "$page")"
	done
	echo "$(basename "$prog"): $(echo $opts)"
}

atf_test_case options
options_head()
{
	atf_set descr 'every option in the usage of md2elf and savecore has' \
	    'its entry in md2elf.1 and savecore.8'
}
options_body()
{
	top=$(atf_get_srcdir)/..
	check_prog "$top/md2elf/md2elf" "$top/man/md2elf.1"
	check_prog "$top/savecore/savecore" "$top/man/savecore.8"
}

atf_init_test_cases()
{
	atf_add_test_case lint
	atf_add_test_case options
}
