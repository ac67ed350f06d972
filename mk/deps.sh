#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# mk/deps.sh: install the packages md2elf needs to build and test.
# Debian/Ubuntu: apt-get (as root, only what is missing). Elsewhere: print
# the command to run.
PKGS="libelf-dev zlib1g-dev libzstd-dev libatf-dev atf-sh kyua bmake zstd gzip
lldb-19 gdb-multiarch llvm-19-tools pkg-config make gcc clang libc6-dev mandoc
time strace lld jq libssl-dev openssl xfsprogs"

if command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
	missing=""
	for p in $PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		    missing="$missing $p"
	done
	[ -z "$missing" ] && exit 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: missing packages:$missing" >&2
		echo "deps: run as root: apt-get install$missing" >&2
		exit 1
	fi
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || exit 1
	apt-get install -y -qq $missing >/dev/null || exit 1
	exit 0
fi
case "$(uname -s)" in
FreeBSD)
	echo "deps: pkg install pkgconf zstd kyua gdb" \
	    "(libelf, zlib, ATF and lldb are in base)" ;;
Darwin)
	echo "deps: brew install bmake pkg-config zstd atf kyua llvm;" \
	    "libelf: build elftoolchain's (README, Building)" ;;
*)
	echo "deps: install libelf, zlib, zstd, atf, kyua with your package manager" ;;
esac
exit 0
