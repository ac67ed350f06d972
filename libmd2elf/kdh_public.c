/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * kdh_public.c: md2elf_kdh_decode(), the public face of the kerneldumpheader
 * decoder in kerneldumpheader.c, for programs that read dump devices
 * themselves (savecore).
 */
#include <stdio.h>
#include <string.h>

#include "md2elf_private.h"

int
md2elf_kdh_decode(const void *raw, struct md2elf_kdh *out, char *errbuf)
{
	struct m2e_kdh h;
	char msg[MD2ELF_ERRBUF_SIZE];

	memset(out, 0, sizeof(*out));
	if (m2e_kdh_decode(raw, &h, msg, sizeof(msg)) != 0) {
		if (errbuf != NULL)
			snprintf(errbuf, MD2ELF_ERRBUF_SIZE, "%s", msg);
		return (-1);
	}
	memcpy(out->magic, h.magic, sizeof(out->magic));
	memcpy(out->arch, h.arch, sizeof(out->arch));
	out->version = h.version;
	out->archver = h.archver;
	out->dumplength = h.dumplength;
	out->dumptime = h.dumptime;
	out->keysize = h.keysize;
	out->blocksize = h.blocksize;
	memcpy(out->hostname, h.hostname, sizeof(out->hostname));
	memcpy(out->versionstring, h.versionstring,
	    sizeof(out->versionstring));
	memcpy(out->panicstring, h.panicstring, sizeof(out->panicstring));
	out->compression = h.compression;
	out->dumpextent = h.dumpextent;
	out->parity = h.parity;
	out->parity_ok = m2e_kdh_parity_ok(raw);
	return (0);
}
