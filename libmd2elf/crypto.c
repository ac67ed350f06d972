/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * crypto.c: encrypted dumps (dumpon -k, kern_shutdown.c's kerneldumpcrypto):
 * the kerneldumpkey block (cipher, IV, the 64-byte dump key encrypted with
 * the dump device's RSA public key), the dump key recovered with the RSA
 * private key (OAEP padding, else the PKCS#1 v1.5 padding of older dumpon),
 * and the dump data decrypted in one pass, as decryptcore(8) does
 * (AES-256-CBC from the IV, or ChaCha20 with a zero 64-bit block counter
 * and the IV's first 8 bytes as nonce), into an unlinked sparse temporary
 * file in $TMPDIR like the decompressed data: nothing stays on disk.
 * OpenSSL libcrypto (EVP) does the cryptography.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "md2elf_private.h"

/* struct kerneldumpkey (packed): what follows the leading header. */
#define	KDK_ENCRYPTION	0
#define	KDK_IV		1
#define	KDK_IVSIZE	32
#define	KDK_EKSIZE	33		/* big-endian (dump byte order) */
#define	KDK_EK		37
#define	KDK_ENC_AES	1		/* KERNELDUMP_ENC_AES_256_CBC */
#define	KDK_ENC_CHACHA	2		/* KERNELDUMP_ENC_CHACHA20 */
#define	KDK_KEYSIZE	64		/* KERNELDUMP_KEY_MAX_SIZE */
/* The RSA modulus: at most 16384 bits (OpenSSL's own limit). */
#define	KDK_MAXEK	2048
#define	CR_BUFSZ	(1024 * 1024)
#define	CR_HOLE		4096

const char *
m2e_cipher_name(int enc)
{
	switch (enc) {
	case KDK_ENC_AES:
		return ("AES-256-CBC");
	case KDK_ENC_CHACHA:
		return ("ChaCha20");
	default:
		return ("unknown");
	}
}

int
m2e_dumpkey_parse(md2elf_t *d, const uint8_t *raw, size_t len, uint64_t off,
    const char *where, struct m2e_dumpkey *k)
{
	memset(k, 0, sizeof(*k));
	if (len < KDK_EK)
		return (m2e_err(d, "%soffset %#jx: truncated kerneldumpkey "
		    "(need %d bytes, have %zu)", where, (uintmax_t)off, KDK_EK,
		    len));
	k->enc = raw[KDK_ENCRYPTION];
	if (k->enc != KDK_ENC_AES && k->enc != KDK_ENC_CHACHA)
		return (m2e_err(d, "%soffset %#jx: unknown dump encryption "
		    "%d in the kerneldumpkey (1 AES-256-CBC, 2 ChaCha20)",
		    where, (uintmax_t)off, k->enc));
	memcpy(k->iv, raw + KDK_IV, KDK_IVSIZE);
	k->eksize = be32dec_(raw + KDK_EKSIZE);
	if (k->eksize == 0 || k->eksize > KDK_MAXEK)
		return (m2e_err(d, "%soffset %#jx: kerneldumpkey with an "
		    "encrypted key of %u bytes (1 to %d: an RSA modulus)", where,
		    (uintmax_t)(off + KDK_EKSIZE), k->eksize, KDK_MAXEK));
	if (k->eksize > len - KDK_EK)
		return (m2e_err(d, "%soffset %#jx: truncated kerneldumpkey "
		    "(its %u-byte encrypted key needs %u bytes, have %zu)",
		    where, (uintmax_t)off, k->eksize, KDK_EK + k->eksize, len));
	memcpy(k->ek, raw + KDK_EK, k->eksize);
	return (0);
}

/* The 64-byte dump key from the RSA private key in PEM file path. */
static int
cr_dumpkey(md2elf_t *d, const struct m2e_dumpkey *k, const char *path,
    uint8_t *key)
{
	EVP_PKEY *pk;
	EVP_PKEY_CTX *ctx;
	FILE *f;
	size_t n;
	int pad, ok, bits;
	static const int pads[] = { RSA_PKCS1_OAEP_PADDING, RSA_PKCS1_PADDING };

	if ((f = fopen(path, "r")) == NULL)
		return (m2e_err(d, "RSA private key %s: %s", path,
		    strerror(errno)));
	pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (pk == NULL)
		return (m2e_err(d, "RSA private key %s: not a PEM private key "
		    "(%s)", path, ERR_reason_error_string(ERR_get_error())));
	bits = EVP_PKEY_get_bits(pk);
	if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA ||
	    EVP_PKEY_get_size(pk) != (int)k->eksize) {
		EVP_PKEY_free(pk);
		return (m2e_err(d, "RSA private key %s (%d bits) is not the "
		    "dump's: its key was encrypted with a %u-bit RSA key", path,
		    bits, k->eksize * 8));
	}
	ok = 0;
	for (pad = 0; pad < 2 && !ok; pad++) {
		ctx = EVP_PKEY_CTX_new(pk, NULL);
		n = KDK_MAXEK;
		{
			uint8_t out[KDK_MAXEK];

			ok = ctx != NULL && EVP_PKEY_decrypt_init(ctx) > 0 &&
			    EVP_PKEY_CTX_set_rsa_padding(ctx, pads[pad]) > 0 &&
			    EVP_PKEY_decrypt(ctx, out, &n, k->ek, k->eksize) > 0 &&
			    n == KDK_KEYSIZE;
			if (ok)
				memcpy(key, out, KDK_KEYSIZE);
			OPENSSL_cleanse(out, sizeof(out));
		}
		EVP_PKEY_CTX_free(ctx);
	}
	EVP_PKEY_free(pk);
	ERR_clear_error();
	if (!ok)
		return (m2e_err(d, "RSA private key %s cannot decrypt the dump "
		    "key (neither OAEP nor PKCS#1 v1.5 padding gives %d bytes): "
		    "not the key of the dump device", path, KDK_KEYSIZE));
	return (0);
}

static bool
cr_zero(const uint8_t *p, size_t n)
{
	return (n > 0 && p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

int
m2e_decrypt(md2elf_t *d, const struct m2e_dumpkey *k, const char *privkey,
    int infd, uint64_t off, uint64_t len, int *outfd)
{
	EVP_CIPHER_CTX *ctx;
	uint8_t key[KDK_KEYSIZE], iv[16], *buf;
	const char *tmpdir;
	char *tmpl;
	uint64_t done;
	size_t n, tl, i, c;
	ssize_t r;
	int fd, outl, rc;

	if (k->enc == KDK_ENC_AES && len % 16 != 0)
		return (m2e_err_at(d, 0, "AES-256-CBC dump data of %ju bytes, "
		    "not whole 16-byte blocks", (uintmax_t)len));
	if (cr_dumpkey(d, k, privkey, key) != 0)
		return (-1);
	tmpdir = getenv("TMPDIR");
	if (tmpdir == NULL || tmpdir[0] == '\0')
		tmpdir = "/tmp";
	tl = strlen(tmpdir) + sizeof("/md2elf.XXXXXX");
	buf = malloc(CR_BUFSZ);
	tmpl = malloc(tl);
	ctx = EVP_CIPHER_CTX_new();
	fd = -1;
	rc = -1;
	if (buf == NULL || tmpl == NULL || ctx == NULL) {
		m2e_err(d, "out of memory");
		goto out;
	}
	snprintf(tmpl, tl, "%s/md2elf.XXXXXX", tmpdir);
	if ((fd = mkstemp(tmpl)) < 0) {
		m2e_err(d, "cannot create a temporary file in %s: %s", tmpdir,
		    strerror(errno));
		goto out;
	}
	(void)unlink(tmpl);
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (k->enc == KDK_ENC_CHACHA) {
		/* OpenSSL: 64-bit block counter 0, then the 8-byte nonce. */
		memset(iv, 0, 8);
		memcpy(iv + 8, k->iv, 8);
	} else
		memcpy(iv, k->iv, 16);
	if (EVP_DecryptInit_ex(ctx, k->enc == KDK_ENC_AES ?
	    EVP_aes_256_cbc() : EVP_chacha20(), NULL, key, iv) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1) {
		m2e_err(d, "cannot set up %s decryption",
		    m2e_cipher_name(k->enc));
		goto out;
	}
	for (done = 0; done < len; done += n) {
		n = len - done < CR_BUFSZ ? (size_t)(len - done) : CR_BUFSZ;
		r = m2e_pread_full(infd, buf, n, off + done, NULL);
		if (r < 0) {
			m2e_err_at(d, done, "cannot read the encrypted dump: "
			    "%s", strerror(errno));
			goto out;
		}
		if ((size_t)r < n) {
			m2e_err_at(d, done + (uint64_t)r, "truncated encrypted "
			    "dump data (need %ju bytes, file has %ju)",
			    (uintmax_t)(d->filebase + len),
			    (uintmax_t)(d->filebase + done + (uint64_t)r));
			goto out;
		}
		if (EVP_DecryptUpdate(ctx, buf, &outl, buf, (int)n) != 1 ||
		    (size_t)outl != n) {
			m2e_err_at(d, done, "%s decryption failed",
			    m2e_cipher_name(k->enc));
			goto out;
		}
		/* Zero pages of plaintext stay holes. */
		for (i = 0; i < n; i += c) {
			c = CR_HOLE - (size_t)((done + i) % CR_HOLE);
			if (c > n - i)
				c = n - i;
			if (c == CR_HOLE && cr_zero(buf + i, c))
				continue;
			if (m2e_pwrite_full(fd, buf + i, c, done + i,
			    NULL) != 0) {
				m2e_err(d, "cannot decrypt into %s: %s (at %ju "
				    "bytes)", tmpdir, strerror(errno),
				    (uintmax_t)(done + i));
				goto out;
			}
		}
	}
	if (ftruncate(fd, (off_t)len) != 0) {
		m2e_err(d, "cannot decrypt into %s: %s (%ju bytes)", tmpdir,
		    strerror(errno), (uintmax_t)len);
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	if (buf != NULL) {
		OPENSSL_cleanse(buf, CR_BUFSZ);
		free(buf);
	}
	free(tmpl);
	EVP_CIPHER_CTX_free(ctx);
	if (rc != 0) {
		if (fd >= 0)
			close(fd);
		return (-1);
	}
	*outfd = fd;
	return (0);
}
