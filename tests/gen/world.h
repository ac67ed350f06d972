/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * world.h: the process/thread world of the model (world.c): processes and
 * threads in direct-map pages, kernel stacks with frame-pointer chains,
 * pcbs, dumppcb/stoppcbs, the pid hash, and the kernel functions whose
 * return addresses the stacks hold.
 */
#ifndef GEN_WORLD_H
#define GEN_WORLD_H

#include "model.h"

int	world_build(struct model *, char *err, size_t errlen);
void	world_page(const struct model *, uint64_t pa, uint8_t *buf);
void	world_free(struct model *);
/* After modules_build(): the kernel thread whose stack passes through a
   module function (the caller's code, the thread's return addresses). */
int	world_modules(struct model *, char *err, size_t errlen);
/* -W stacks: the tid of corrupt stack k (loop, unmapped, undumped, trap
   frame off the stack, deep), -1 if none. */
int32_t	world_stack_tid(const struct model *, int k);
/* Kernel address space the world needs (kernel stacks, hostile lists). */
uint64_t world_kva_pages(const struct model_params *);

#endif /* !GEN_WORLD_H */
