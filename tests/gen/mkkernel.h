/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mkkernel.h: writing the model's kernel as an ELF executable (mkkernel.c).
 */
#ifndef GEN_MKKERNEL_H
#define GEN_MKKERNEL_H

#include <stddef.h>

#include "model.h"

/* Kernel variants. */
#define	KV_NOOFFSETS	0x01	/* no proc_off_* / thread_off_* symbols */
#define	KV_STRIPPED	0x02	/* no .symtab: global symbols in .dynsym */
#define	KV_NOKLD	0x04	/* no kld_off_* symbols */
#define	KV_NODYNAMIC	0x08	/* no .dynamic (no DT_DEBUG) */
#define	KV_NODUMPPCB	0x10	/* no dumppcb symbol */

/* Write the kernel ELF for m to path; -1 with a message in err. */
int	mkkernel_write(const struct model *m, const char *path, int flags,
	    char *err, size_t errlen);

#endif /* !GEN_MKKERNEL_H */
