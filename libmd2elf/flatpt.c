/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * flatpt.c: what the architectures share about mappings: merging dumped
 * pages into runs contiguous in va, pa and the page section (the walk
 * callback's unit), and the flat last-level page-table section (i386,
 * arm64, amd64 version 1): one entry per page of KVA from kernbase, each
 * decoded by the architecture.
 */
#include "md2elf_private.h"

void
m2e_runs_init(struct m2e_runs *r, const md2elf_t *d, m2e_visit_fn *fn,
    void *arg)
{
	r->fn = fn;
	r->arg = arg;
	r->psz = d->md.pagesize;
	r->va = r->pa = r->rank = r->len = 0;
}

/* Hand the pending run (non-empty) to the callback. */
static int
runs_flush(struct m2e_runs *r)
{
	return (r->fn(r->arg, r->va, r->pa, r->rank, r->len / r->psz));
}

int
m2e_runs_add(struct m2e_runs *r, uint64_t va, uint64_t pa, uint64_t rank,
    uint64_t n)
{
	int rv;

	if (r->len != 0 && va == r->va + r->len && pa == r->pa + r->len &&
	    rank == r->rank + r->len / r->psz) {
		r->len += n * r->psz;
		return (0);
	}
	if (r->len != 0 && (rv = runs_flush(r)) != 0)
		return (rv);
	r->va = va;
	r->pa = pa;
	r->rank = rank;
	r->len = n * r->psz;
	return (0);
}

int
m2e_runs_end(struct m2e_runs *r)
{
	if (r->len == 0)
		return (0);
	return (runs_flush(r));
}

int
m2e_flat_kvtop(md2elf_t *d, m2e_flat_fn *entry, uint64_t va, uint64_t *pa)
{
	uint64_t frame;

	if (va < d->md.kernbase ||
	    entry(d, (va - d->md.kernbase) >> d->md.pageshift, &frame) != 0)
		return (-1);
	*pa = frame | (va & (d->md.pagesize - 1));
	return (0);
}

int
m2e_flat_walk(md2elf_t *d, uint64_t nptes, m2e_flat_fn *entry,
    m2e_visit_fn *fn, void *arg)
{
	struct m2e_runs r;
	uint64_t i, frame, rank, va;
	int rv;

	m2e_runs_init(&r, d, fn, arg);
	for (i = 0; i < nptes; i++) {
		if (entry(d, i, &frame) != 0)
			continue;
		va = d->md.kernbase + (i << d->md.pageshift);
		if ((va >= d->md.dmapbase && va < d->md.dmapend) ||
		    m2e_md_pa_rank(d, frame, &rank) != 0)
			continue;
		if ((rv = m2e_runs_add(&r, va, frame, rank, 1)) != 0)
			return (rv);
	}
	return (m2e_runs_end(&r));
}
