/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * modules.h: loaded kernel modules in the model (modules.c): module files
 * placed in kernel memory as the kernel linker places them, the
 * linker_files list and the symbols debuggers use to walk it.
 */
#ifndef GEN_MODULES_H
#define GEN_MODULES_H

#include <stdio.h>

#include "model.h"

int	modules_build(struct model *, char *err, size_t errlen);
/* "module ID NAME ADDRESS SIZE PATHNAME TYPE", "modsym NAME SYM VA". */
void	modules_facts(const struct model *, FILE *);
void	modules_free(struct model *);

#endif /* !GEN_MODULES_H */
