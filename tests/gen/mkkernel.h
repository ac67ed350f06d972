/*
 * mkkernel.h: writing the model's kernel as an ELF executable (mkkernel.c).
 */
#ifndef GEN_MKKERNEL_H
#define GEN_MKKERNEL_H

#include <stddef.h>

#include "model.h"

/* Write the kernel ELF for m to path; -1 with a message in err. */
int	mkkernel_write(const struct model *m, const char *path, char *err,
	    size_t errlen);

#endif /* !GEN_MKKERNEL_H */
