/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * crypto.c: encrypted dumps (dumpon -k, kern_shutdown.c's kerneldumpcrypto):
 * the kerneldumpkey block (cipher, IV, the 64-byte dump key encrypted with
 * the dump device's RSA public key), the dump key recovered with the RSA
 * private key (OAEP padding, else the PKCS#1 v1.5 padding of older dumpon),
 * and the dump data decrypted where it is read (m2e_data_pread): nothing
 * decrypted goes to disk.  The kernel encrypts the data as one stream, as
 * decryptcore(8) decrypts it: AES-256-CBC from the key block's IV (each
 * write chained to the last), or ChaCha20 with the IV's first 8 bytes as
 * nonce and a 64-bit block counter from 0.  Both allow random access: a
 * CBC block needs only the ciphertext block before it as its IV, and
 * ChaCha20 byte s is keystream block s / 64.  A read that continues the
 * last one goes on with the cipher's state; any other sets the IV (or the
 * counter) afresh.  Memory: one CR_BUFSZ buffer, whatever the dump size.
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
#define	CR_BUFSZ	(256 * 1024)	/* decrypted at once, a 64 multiple */
#define	CR_AESBLK	16		/* AES block, the CBC IV's size */
#define	CR_CHACHABLK	64		/* ChaCha20 keystream block */
#define	CR_NONCE	8		/* ChaCha20 nonce: kdk_iv[0..8) */
#define	CR_NOPOS	UINT64_MAX	/* the cipher's state continues nowhere */

/* The encrypted data of a dump: [off, off + len) of fd. */
struct m2e_crypt {
	int		 fd;
	uint64_t	 off, len;
	int		 enc;
	uint8_t		 iv[CR_AESBLK];	/* AES: kdk_iv; ChaCha20: the nonce */
	EVP_CIPHER_CTX	*ctx;
	uint64_t	 pos;		/* stream offset the state is at */
	uint8_t		*buf;		/* CR_BUFSZ bytes */
};

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

/* Point the cipher at stream offset s (AES: a block boundary). */
static int
cr_seek(struct m2e_crypt *c, uint64_t s)
{
	uint8_t iv[CR_AESBLK], skip[CR_CHACHABLK];
	uint64_t ctr;
	int outl;

	c->pos = CR_NOPOS;
	errno = EIO;		/* a short read, or OpenSSL refusing */
	if (c->enc == KDK_ENC_AES) {
		if (s == 0)
			memcpy(iv, c->iv, sizeof(iv));
		else if (m2e_pread_full(c->fd, iv, sizeof(iv), c->off + s -
		    CR_AESBLK, NULL) != (ssize_t)sizeof(iv))
			return (-1);
	} else {
		/* OpenSSL: the 64-bit block counter (LE), then the nonce. */
		ctr = s / CR_CHACHABLK;
		le64enc_(iv, ctr);
		memcpy(iv + 8, c->iv, CR_NONCE);
	}
	if (EVP_DecryptInit_ex(c->ctx, NULL, NULL, NULL, iv) != 1)
		return (-1);
	/* ChaCha20 inside a block: the keystream up to s, thrown away. */
	if (c->enc == KDK_ENC_CHACHA && s % CR_CHACHABLK != 0) {
		memset(skip, 0, sizeof(skip));
		if (EVP_DecryptUpdate(c->ctx, skip, &outl, skip,
		    (int)(s % CR_CHACHABLK)) != 1)
			return (-1);
	}
	c->pos = s;
	return (0);
}

/*
 * Up to n plaintext bytes at stream offset s into out (n > 0, s < len);
 * the count (fewer only where the file ends), -1 with errno.
 */
static ssize_t
cr_piece(struct m2e_crypt *c, uint8_t *out, size_t n, uint64_t s)
{
	uint64_t a;
	size_t skip, want;
	ssize_t r;
	int outl;

	/* AES works on whole blocks: from the block holding s. */
	a = c->enc == KDK_ENC_AES ? s & ~(uint64_t)(CR_AESBLK - 1) : s;
	skip = (size_t)(s - a);
	want = n + skip < CR_BUFSZ ? n + skip : CR_BUFSZ;
	if (c->enc == KDK_ENC_AES)
		want = (want + CR_AESBLK - 1) & ~(size_t)(CR_AESBLK - 1);
	if (want > c->len - a)
		want = (size_t)(c->len - a);
	if (a != c->pos && cr_seek(c, a) != 0)
		return (-1);
	if ((r = m2e_pread_full(c->fd, c->buf, want, c->off + a, NULL)) < 0) {
		c->pos = CR_NOPOS;
		return (-1);
	}
	if (c->enc == KDK_ENC_AES)
		r &= ~(ssize_t)(CR_AESBLK - 1);
	if ((size_t)r <= skip) {
		c->pos = CR_NOPOS;
		return (0);
	}
	if (EVP_DecryptUpdate(c->ctx, c->buf, &outl, c->buf, (int)r) != 1 ||
	    outl != (int)r) {
		c->pos = CR_NOPOS;
		errno = EIO;
		return (-1);
	}
	c->pos = a + (uint64_t)r;
	if ((size_t)r - skip < n)
		n = (size_t)r - skip;
	memcpy(out, c->buf + skip, n);
	return ((ssize_t)n);
}

ssize_t
m2e_data_pread(md2elf_t *d, int fd, void *buf, size_t n, uint64_t off)
{
	struct m2e_crypt *c;
	uint8_t *p;
	uint64_t lo, hi, at;
	size_t got, k;
	ssize_t r;

	c = d->crypt;
	if (c == NULL || fd != c->fd)
		return (m2e_pread_full(fd, buf, n, off, NULL));
	lo = c->off;
	hi = c->off + c->len;
	p = buf;
	for (got = 0; got < n; got += (size_t)r) {
		at = off + got;
		if (at < lo || at >= hi) {
			/* The headers around the data are in the clear. */
			k = n - got;
			if (at < lo && k > lo - at)
				k = (size_t)(lo - at);
			r = m2e_pread_full(fd, p + got, k, at, NULL);
		} else
			r = cr_piece(c, p + got, n - got < hi - at ?
			    n - got : (size_t)(hi - at), at - lo);
		if (r < 0)
			return (-1);
		if (r == 0)
			break;
	}
	return ((ssize_t)got);
}

bool
m2e_data_encrypted(const md2elf_t *d, int fd)
{
	return (d->crypt != NULL && d->crypt->fd == fd);
}

int
m2e_crypt_open(md2elf_t *d, const struct m2e_dumpkey *k, const char *privkey,
    int fd, uint64_t off, uint64_t len)
{
	struct m2e_crypt *c;
	uint8_t key[KDK_KEYSIZE];

	if (k->enc == KDK_ENC_AES && len % CR_AESBLK != 0)
		return (m2e_err(d, "offset %#jx: AES-256-CBC dump data of %ju "
		    "bytes, not whole 16-byte blocks", (uintmax_t)off,
		    (uintmax_t)len));
	if (cr_dumpkey(d, k, privkey, key) != 0)
		return (-1);
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->buf = malloc(CR_BUFSZ)) == NULL ||
	    (c->ctx = EVP_CIPHER_CTX_new()) == NULL) {
		OPENSSL_cleanse(key, sizeof(key));
		if (c != NULL)
			free(c->buf);
		free(c);
		return (m2e_err(d, "out of memory"));
	}
	c->fd = fd;
	c->off = off;
	c->len = len;
	c->enc = k->enc;
	memcpy(c->iv, k->iv, sizeof(c->iv));
	c->pos = CR_NOPOS;
	if (EVP_DecryptInit_ex(c->ctx, k->enc == KDK_ENC_AES ?
	    EVP_aes_256_cbc() : EVP_chacha20(), NULL, key, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(c->ctx, 0) != 1) {
		OPENSSL_cleanse(key, sizeof(key));
		d->crypt = c;
		m2e_crypt_close(d);
		return (m2e_err(d, "cannot set up %s decryption",
		    m2e_cipher_name(k->enc)));
	}
	OPENSSL_cleanse(key, sizeof(key));
	d->crypt = c;
	d->encryption = m2e_cipher_name(k->enc);
	return (0);
}

void
m2e_crypt_close(md2elf_t *d)
{
	struct m2e_crypt *c;

	if ((c = d->crypt) == NULL)
		return;
	d->crypt = NULL;
	EVP_CIPHER_CTX_free(c->ctx);
	if (c->buf != NULL) {
		OPENSSL_cleanse(c->buf, CR_BUFSZ);
		free(c->buf);
	}
	free(c);
}
