/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * kerneldumpheader.c: decoding of the 512-byte struct kerneldumpheader that
 * the kernel writes before and after a dump on the dump device (header
 * versions 1 to 4, all big-endian), and its parity check; the decoder is
 * public as md2elf_kdh_decode() for programs that read dump devices
 * themselves (savecore).
 */
#include <stdio.h>
#include <string.h>

#include "md2elf_private.h"

/* Field offsets that differ between header versions. */
struct kdh_layout {
	int	 keysize;	/* -1: no such field */
	int	 blocksize;
	int	 dumptime;
	int	 dumpextent;	/* -1: none */
	int	 compression;	/* -1: none */
	int	 hostname;
	int	 versionstring;
	int	 panicstring;
	int	 panicsize;
};

static const struct kdh_layout kdh_layouts[] = {
	/* version 1 (FreeBSD <= 11) */
	{ -1, 56, 48, -1, -1, 60, 124, 316, 192 },
	/* version 2 */
	{ 56, 60, 48, -1, -1, 64, 128, 320, 188 },
	/* version 3 */
	{ 64, 68, 56, 48, 72, 73, 137, 329, 179 },
	/* version 4 (FreeBSD >= 12) */
	{ 56, 60, 48, 496, 495, 64, 128, 320, 175 },
};

/* Copy a NUL-padded field of n bytes into dst (n + 1 bytes), terminated. */
static void
kdh_str(char *dst, const uint8_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n && src[i] != '\0'; i++)
		dst[i] = (char)src[i];
	dst[i] = '\0';
}

bool
m2e_kdh_parity_ok(const uint8_t *raw)
{
	uint32_t x;
	int i;

	x = 0;
	for (i = 0; i < KDH_SIZE; i += 4)
		x ^= be32dec_(raw + i);
	return (x == 0);
}

int
m2e_kdh_decode(const uint8_t *raw, struct md2elf_kdh *h, char *err,
    size_t errlen)
{
	const struct kdh_layout *l;

	memset(h, 0, sizeof(*h));
	if (strncmp((const char *)raw, KDH_MAGIC, 20) != 0 &&
	    strncmp((const char *)raw, KDH_MAGIC_TEXT, 20) != 0 &&
	    strncmp((const char *)raw, KDH_MAGIC_CLEARED, 20) != 0) {
		snprintf(err, errlen, "no kerneldumpheader magic");
		return (-1);
	}
	kdh_str(h->magic, raw, 20);
	kdh_str(h->arch, raw + 20, 12);
	h->version = be32dec_(raw + 32);
	if (h->version < 1 || h->version > 4) {
		snprintf(err, errlen, "unknown kerneldumpheader version %u "
		    "(known: 1 to 4)", h->version);
		return (-1);
	}
	l = &kdh_layouts[h->version - 1];
	h->archver = be32dec_(raw + 36);
	h->dumplength = be64dec_(raw + 40);
	h->dumptime = (int64_t)be64dec_(raw + l->dumptime);
	h->keysize = l->keysize >= 0 ? be32dec_(raw + l->keysize) : 0;
	h->blocksize = be32dec_(raw + l->blocksize);
	kdh_str(h->hostname, raw + l->hostname, 64);
	kdh_str(h->versionstring, raw + l->versionstring, 192);
	kdh_str(h->panicstring, raw + l->panicstring, l->panicsize);
	h->compression = l->compression >= 0 ? raw[l->compression] :
	    MD2ELF_COMP_NONE;
	h->dumpextent = l->dumpextent >= 0 ? be64dec_(raw + l->dumpextent) :
	    h->dumplength;
	h->parity = be32dec_(raw + 508);
	h->parity_ok = m2e_kdh_parity_ok(raw);
	return (0);
}

int
md2elf_kdh_decode(const void *raw, struct md2elf_kdh *h, char *errbuf)
{
	char msg[MD2ELF_ERRBUF_SIZE];

	return (m2e_kdh_decode(raw, h, errbuf != NULL ? errbuf : msg,
	    MD2ELF_ERRBUF_SIZE));
}
