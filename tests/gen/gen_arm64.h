/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * gen_arm64.h: what the arm64 model (gen_arm64.c) tells checkers about the
 * registers it puts in pcbs.
 */
#ifndef GEN_ARM64_H
#define GEN_ARM64_H

#include "model.h"

/* Register xN (0..30) of thread t as the model's pcb holds it. */
uint64_t	arm64_model_xreg(const struct model *, const struct gthread *,
		    int n);
/* True if the model kernel uses the FreeBSD 14 pcb layout. */
bool		arm64_model_newpcb(const struct model *);

#endif /* !GEN_ARM64_H */
