/*
 * world.c: the model's process/thread world (see world.h).
 */
#include <stdio.h>
#include <string.h>

#include "world.h"

int
world_build(struct model *m, char *err, size_t errlen)
{
	if (m->p.nthreads == 0)
		return (0);
	snprintf(err, errlen, "threads: not yet");
	return (-1);
}

void
world_page(const struct model *m, uint64_t pa, uint8_t *buf)
{
	(void)m;
	(void)pa;
	memset(buf, 0, GPAGE);
}

void
world_free(struct model *m)
{
	(void)m;
}
