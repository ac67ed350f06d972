#! /usr/bin/env atf-sh
# SPDX-License-Identifier: BSD-2-Clause
# crypto_test: encrypted dumps (dumpon -k) as the kernel's kerneldumpcrypto
# writes them (mkdump -E, with an RSA key pair made at test time by
# openssl(1)): AES-256-CBC and ChaCha20 (with zstd and gzip), on a dump
# device, after a leading header, and saved as vmcore_encrypted.N with its
# key.N; the old PKCS#1 v1.5 key padding; minidumps and full dumps.  With
# the private key md2elf writes the core of the same dump unencrypted,
# byte for byte, decrypting where it reads (no temporary file, TMPDIR
# missing, but the decompressor's for a compressed one, which it does not
# leave either), its reads at random offsets (page tables, threads) and
# in sequence (the page copy) decrypting alike; without it, with another
# key, or with a cut key block it says what is wrong in one line.

# keys: an RSA key pair (priv.pem, pub.pem) and another private key.
keys()
{
	openssl genrsa -out priv.pem 2048 2>/dev/null &&
	    openssl rsa -in priv.pem -pubout -out pub.pem 2>/dev/null &&
	    openssl genrsa -out other.pem 2048 2>/dev/null ||
	    atf_fail "openssl cannot make RSA keys"
}

# same CIPHER MKDUMP-ARGS...: the dump encrypted with CIPHER and the same
# dump in clear give byte-identical cores, which coreck accepts.
same()
{
	cipher=$1
	shift
	gen "$@"
	rm -f core.clear core.enc
	atf_check -s exit:0 -o empty -e empty \
	    "$MD2ELF" -q -k kernel -o core.clear vmcore.0
	gen -E "$cipher:pub.pem" "$@"
	dk=
	[ -f vmcore.0.key ] && dk="--dumpkey vmcore.0.key"
	# Decrypted where read: no temporary file at all (TMPDIR does not
	# exist) unless the data is compressed too (the decompressor's).
	rm -rf tmp
	case " $* " in
	*" -c "*)	mkdir tmp ;;
	esac
	# (not under atf-check, which makes its own files in TMPDIR)
	TMPDIR=$PWD/tmp "$MD2ELF" -q -k kernel --key priv.pem $dk \
	    -o core.enc vmcore.0 >out 2>err ||
	    atf_fail "$cipher $*: md2elf exit $?: $(cat err)"
	[ -s out ] || [ -s err ] && atf_fail "$cipher $*: $(cat out err)"
	[ ! -d tmp ] || [ -z "$(ls -A tmp)" ] ||
	    atf_fail "left in TMPDIR: $(ls -A tmp)"
	cmp core.clear core.enc || atf_fail "$cipher $*: the cores differ"
	atf_check -s exit:0 -o save:ck -e empty "$CORECK" -T -M model core.enc
	atf_check -s exit:0 -o save:info -e empty \
	    "$MD2ELF" -i --key priv.pem $dk vmcore.0
	case $cipher in
	chacha)	name=ChaCha20 ;;
	*)	name=AES-256-CBC ;;
	esac
	grep -q "^encryption: *$name (dumpon -k)" info ||
	    atf_fail "md2elf -i: $(cat info)"
	rm -f vmcore.0.key
	echo "$cipher $*: identical, $(fact pages ck) pages"
}

atf_test_case aes
aes_head()
{
	atf_set descr 'AES-256-CBC: device, leading header, saved with' \
	    'key.N, PKCS#1 v1.5 padding; amd64, i386, arm64'
}
aes_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	keys
	same aes -a amd64 -H device
	same aes -a i386 -V 2 -H lead
	same aes -a arm64 -V 3 -H device -B 4096
	same aes -a amd64
	same aes-pkcs1 -a amd64 -H lead
}

atf_test_case chacha
chacha_head()
{
	atf_set descr 'ChaCha20, alone and after zstd and gzip compression;' \
	    'a full dump'
}
chacha_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	keys
	same chacha -a amd64 -H device -c zstd
	same chacha -a i386pae -V 2 -H lead -c gzip
	same chacha -a amd64 -c zstd
	same chacha -f -a amd64 -H device
}

atf_test_case bad_keys
bad_keys_head()
{
	atf_set descr 'no key, another key, a smaller key, a cut key block:' \
	    'one line, exit 1, no output'
}
bad_keys_body()
{
	. "$(atf_get_srcdir)/gen/testlib.sh"
	keys
	gen -E chacha:pub.pem -H device -c zstd
	# The key block lies after the leading header at 128 KiB.
	bad 'offset 0x20200: the dump is encrypted with ChaCha20 \(dumpon -k\): reading it needs the dump device.s RSA private key \(--key FILE\)'
	atf_check -s exit:1 -o empty -e match:'encrypted with ChaCha20' \
	    "$MD2ELF" -i vmcore.0
	bad 'RSA private key other.pem cannot decrypt the dump key' \
	    --key other.pem
	openssl genrsa -out small.pem 1024 2>/dev/null
	bad 'RSA private key small.pem \(1024 bits\) is not the dump.s: its key was encrypted with a 2048-bit RSA key' \
	    --key small.pem
	bad 'RSA private key missing.pem: No such file' --key missing.pem
	bad 'RSA private key pub.pem: not a PEM private key' --key pub.pem
	# The key block cut inside the size field (the rest zero).
	gen -E aes:pub.pem -H lead -X key-trunc=34
	bad 'offset 0x221: kerneldumpkey with an encrypted key of 0 bytes' \
	    --key priv.pem
	# A saved key.N cut short.
	gen -E aes:pub.pem -X key-trunc=20
	bad 'dump key file vmcore.0.key: offset 0: truncated kerneldumpkey \(need 37 bytes, have 20\)' \
	    --key priv.pem --dumpkey vmcore.0.key
	gen -E aes:pub.pem -X key-trunc=100
	bad 'dump key file vmcore.0.key: offset 0: truncated kerneldumpkey \(its 256-byte encrypted key needs 293 bytes, have 100\)' \
	    --key priv.pem --dumpkey vmcore.0.key
	# Without key.N the ciphertext is no dump.
	bad 'not a FreeBSD kernel dump' --key priv.pem
	# key.N for a dump with its own key block.
	gen -E aes:pub.pem -X key-trunc=0
	mv vmcore.0.key key.0
	gen -E aes:pub.pem -H device
	bad 'the dump has its own key block' --key priv.pem --dumpkey key.0
}

atf_init_test_cases()
{
	atf_add_test_case aes
	atf_add_test_case chacha
	atf_add_test_case bad_keys
}
