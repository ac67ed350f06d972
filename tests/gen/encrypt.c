/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * encrypt.c: mkdump's encrypted dumps.  The dump key is 64 bytes (dumpon
 * makes it random; here a function of the seed), RSA-encrypted with the
 * given public key (OAEP, or PKCS#1 v1.5 for "aes-pkcs1") into the
 * kerneldumpkey (cipher byte, 32-byte IV, big-endian encrypted-key size,
 * the encrypted key), which goes after the leading header padded to the
 * block size.  The data is encrypted as the kernel's kerneldumpcrypto
 * does: AES-256-CBC over the whole stream from the IV (each 4 KiB write
 * chained to the last), or ChaCha20 with the IV's first 8 bytes as nonce
 * and a block counter from 0.  OpenSSL libcrypto (EVP).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "dumpout.h"
#include "encrypt.h"
#include "model.h"

#define	KDK_HDR		37		/* before the encrypted key */
#define	KDK_KEYSIZE	64
#define	CHUNK		(1024 * 1024)

struct dumpcrypt {
	int		 enc;		/* 1 AES-256-CBC, 2 ChaCha20 */
	uint8_t		 key[KDK_KEYSIZE];
	uint8_t		 iv[32];
	uint8_t		*ek;
	size_t		 eklen;
};

struct dumpcrypt *
dumpcrypt_new(const char *spec, uint64_t seed, char *err, size_t errlen)
{
	struct dumpcrypt *c;
	const char *path;
	EVP_PKEY *pk;
	EVP_PKEY_CTX *ctx;
	FILE *f;
	int pad, i;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return (NULL);
	}
	pad = RSA_PKCS1_OAEP_PADDING;
	if (strncmp(spec, "aes:", 4) == 0) {
		c->enc = 1;
		path = spec + 4;
	} else if (strncmp(spec, "aes-pkcs1:", 10) == 0) {
		c->enc = 1;
		pad = RSA_PKCS1_PADDING;
		path = spec + 10;
	} else if (strncmp(spec, "chacha:", 7) == 0) {
		c->enc = 2;
		path = spec + 7;
	} else {
		snprintf(err, errlen, "-E %s: aes:, aes-pkcs1: or chacha: and "
		    "the RSA public key (PEM)", spec);
		free(c);
		return (NULL);
	}
	for (i = 0; i < KDK_KEYSIZE; i++)
		c->key[i] = (uint8_t)(model_hash(seed, 0xe0000 + i) >> 17);
	for (i = 0; i < 32; i++)
		c->iv[i] = (uint8_t)(model_hash(seed, 0xe1000 + i) >> 23);
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(c);
		return (NULL);
	}
	pk = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	ctx = pk != NULL ? EVP_PKEY_CTX_new(pk, NULL) : NULL;
	c->eklen = pk != NULL ? (size_t)EVP_PKEY_get_size(pk) : 0;
	c->ek = malloc(c->eklen + 1);
	if (ctx == NULL || c->ek == NULL ||
	    EVP_PKEY_encrypt_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, pad) <= 0 ||
	    EVP_PKEY_encrypt(ctx, c->ek, &c->eklen, c->key, KDK_KEYSIZE) <= 0) {
		snprintf(err, errlen, "%s: cannot RSA-encrypt the dump key "
		    "with this public key", path);
		EVP_PKEY_CTX_free(ctx);
		EVP_PKEY_free(pk);
		dumpcrypt_free(c);
		return (NULL);
	}
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return (c);
}

void
dumpcrypt_free(struct dumpcrypt *c)
{
	if (c == NULL)
		return;
	free(c->ek);
	free(c);
}

int
dumpcrypt_is_aes(const struct dumpcrypt *c)
{
	return (c->enc == 1);
}

uint32_t
dumpcrypt_keysize(const struct dumpcrypt *c, uint32_t bsize)
{
	return ((uint32_t)((KDK_HDR + c->eklen + bsize - 1) / bsize * bsize));
}

/* The key block, keysize bytes. */
static void
kdk_encode(const struct dumpcrypt *c, uint8_t *b, uint32_t keysize)
{
	memset(b, 0, keysize);
	b[0] = (uint8_t)c->enc;
	memcpy(b + 1, c->iv, 32);
	b[33] = (uint8_t)(c->eklen >> 24);
	b[34] = (uint8_t)(c->eklen >> 16);
	b[35] = (uint8_t)(c->eklen >> 8);
	b[36] = (uint8_t)c->eklen;
	memcpy(b + KDK_HDR, c->ek, c->eklen);
}

int
dumpcrypt_apply(struct dumpcrypt *c, const char *path, uint64_t keyoff,
    uint32_t keysize, const char *keypath, uint64_t dataoff, uint64_t len,
    uint32_t keytrunc, char *err, size_t errlen)
{
	EVP_CIPHER_CTX *ctx;
	uint8_t *buf, *kb, iv[16];
	uint64_t done;
	size_t n;
	ssize_t r;
	int fd, kfd, outl, rc;

	rc = -1;
	buf = malloc(CHUNK);
	kb = malloc(keysize);
	ctx = EVP_CIPHER_CTX_new();
	fd = open(path, O_RDWR);
	if (buf == NULL || kb == NULL || ctx == NULL || fd < 0) {
		snprintf(err, errlen, "%s: %s", path, fd < 0 ? strerror(errno) :
		    "out of memory");
		goto out;
	}
	kdk_encode(c, kb, keysize);
	n = keytrunc != 0 && keytrunc < keysize ? keytrunc : keysize;
	if (keypath != NULL) {
		kfd = gen_create(keypath, O_WRONLY, 0600);
		if (kfd < 0 || write(kfd, kb, n) != (ssize_t)n) {
			snprintf(err, errlen, "%s: %s", keypath,
			    strerror(errno));
			if (kfd >= 0)
				close(kfd);
			goto out;
		}
		close(kfd);
	} else {
		if (n < keysize)
			memset(kb + n, 0, keysize - n);
		if (pwrite(fd, kb, keysize, (off_t)keyoff) !=
		    (ssize_t)keysize) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
	}
	if (c->enc == 2) {
		memset(iv, 0, 8);
		memcpy(iv + 8, c->iv, 8);
	} else
		memcpy(iv, c->iv, 16);
	if (EVP_EncryptInit_ex(ctx, c->enc == 1 ? EVP_aes_256_cbc() :
	    EVP_chacha20(), NULL, c->key, iv) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1) {
		snprintf(err, errlen, "cannot set up the cipher");
		goto out;
	}
	for (done = 0; done < len; done += n) {
		n = len - done < CHUNK ? (size_t)(len - done) : CHUNK;
		r = pread(fd, buf, n, (off_t)(dataoff + done));
		if (r != (ssize_t)n ||
		    EVP_EncryptUpdate(ctx, buf, &outl, buf, (int)n) != 1 ||
		    (size_t)outl != n ||
		    pwrite(fd, buf, n, (off_t)(dataoff + done)) != (ssize_t)n) {
			snprintf(err, errlen, "%s: cannot encrypt at %ju",
			    path, (uintmax_t)(dataoff + done));
			goto out;
		}
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	EVP_CIPHER_CTX_free(ctx);
	free(buf);
	free(kb);
	return (rc);
}
