/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * dense.h: compressible page contents for the model (mkdump -D, model file
 * "dense 1"): pages that look like kernel memory and a message buffer that
 * reads like a real one.  See dense.c.
 */
#ifndef GEN_DENSE_H
#define GEN_DENSE_H

#include "model.h"

/* The segment library of the model's arch (m->dense); 0 or -1. */
int		 dense_build(struct model *);
void		 dense_free(struct model *);
/* Page content of pa (hash h) from byte off to the end of the page. */
void		 dense_fill(const struct model *, uint64_t pa, uint64_t h,
		    uint8_t *buf, size_t off);
/* A filler word of a structure: mostly zero, else a small integer. */
uint64_t	 dense_word(uint64_t h);
/* True if pa is in the kernel image's text, rodata or data. */
int		 dense_image(const struct model *, uint64_t pa);
/*
 * Message buffer text: line i (i >= 0) of the log before the panic, and
 * the panic report; each returns its length (lines end with '\n').
 */
size_t		 dense_msgline(const struct model *, uint64_t i, char *buf,
		    size_t len);
size_t		 dense_panic(const struct model *, char *buf, size_t len);

#endif /* !GEN_DENSE_H */
