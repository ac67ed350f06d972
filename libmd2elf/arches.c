/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * arches.c: the architectures md2elf_open() probes, in order.
 */
#include <stddef.h>

#include "md2elf_private.h"

const struct m2e_arch *const m2e_arches[] = {
	&m2e_arch_amd64,
	&m2e_arch_i386,
	&m2e_arch_arm64,
	NULL
};
