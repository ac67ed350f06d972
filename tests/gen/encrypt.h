/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * encrypt.h: mkdump's encrypted dumps (encrypt.c), as the kernel's
 * kerneldumpcrypto (kern_shutdown.c) writes them with a key configured by
 * dumpon -k: a kerneldumpkey block after the leading header and the dump
 * data (after compression) encrypted with AES-256-CBC or ChaCha20.
 */
#ifndef GEN_ENCRYPT_H
#define GEN_ENCRYPT_H

#include <stddef.h>
#include <stdint.h>

struct dumpcrypt;

/*
 * spec "aes:PUBKEY.pem", "chacha:PUBKEY.pem" or "aes-pkcs1:PUBKEY.pem"
 * (the PKCS#1 v1.5 padding of older dumpon); the 64-byte key and the IV
 * from seed.  NULL with err set on failure.
 */
struct dumpcrypt *dumpcrypt_new(const char *spec, uint64_t seed, char *err,
		    size_t errlen);
void		 dumpcrypt_free(struct dumpcrypt *);
/* 1 for AES-256-CBC (which the kernel refuses to combine with compression). */
int		 dumpcrypt_is_aes(const struct dumpcrypt *);
/* The key block's size on a device of blocksize bsize (dumpkeysize). */
uint32_t	 dumpcrypt_keysize(const struct dumpcrypt *, uint32_t bsize);
/*
 * After the container is written: the key block (keysize bytes, zero
 * padded) at keyoff of path, or into keypath if not NULL (savecore's
 * key.N beside a vmcore_encrypted.N), and [dataoff, dataoff + len) of
 * path encrypted in place.  -X key-trunc: only the first keytrunc bytes
 * of the key block are written (0: all).
 */
int		 dumpcrypt_apply(struct dumpcrypt *, const char *path,
		    uint64_t keyoff, uint32_t keysize, const char *keypath,
		    uint64_t dataoff, uint64_t len, uint32_t keytrunc, char *err,
		    size_t errlen);

#endif /* !GEN_ENCRYPT_H */
