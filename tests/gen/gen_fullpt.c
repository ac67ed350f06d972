/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * gen_fullpt.c: the i386 kernel page tables of a full-dump model.  A
 * minidump carries its own flat PTE section, so the i386 model has no
 * tables in memory; a full dump has only memory, so with the model's
 * `full' parameter they are built from the kernel map as pmap_cold() and
 * pmap_enter() leave them: a page directory (4 with PAE, under a PDPT),
 * PS entries for the image's and the high range's large pages, page-table
 * pages for 4 KiB mappings, all in pages allocated after the world.
 */
#include <stdlib.h>
#include <string.h>

#include "fulldump.h"
#include "gen_common.h"

#define	I386_PG_V	0x001ULL
#define	I386_PG_RW	0x002ULL
#define	I386_PG_A	0x020ULL
#define	I386_PG_M	0x040ULL
#define	I386_PG_PS	0x080ULL
#define	I386_BITS	(I386_PG_V | I386_PG_RW | I386_PG_A | I386_PG_M)
#define	I386_NPD_PAE	4

/* Set 4- or 8-byte entry idx of the table page at pa. */
static void
pt_set(struct model *m, uint64_t pa, unsigned esz, uint64_t idx, uint64_t e)
{
	struct ptpage *p;

	p = (struct ptpage *)(uintptr_t)model_ptfind(m, pa);
	if (esz == 8)
		p->e[idx] = e;
	else if (idx & 1)
		p->e[idx / 2] = (p->e[idx / 2] & 0xffffffffULL) | e << 32;
	else
		p->e[idx / 2] = (p->e[idx / 2] & ~0xffffffffULL) |
		    (e & 0xffffffffULL);
}

/* A fresh zeroed table page; UINT64_MAX if out of memory. */
static uint64_t
pt_new(struct model *m, int level)
{
	struct ptpage *p;
	uint64_t pa;

	if ((pa = model_alloc(m, 1, 0)) == UINT64_MAX ||
	    (p = model_ptpage(m, pa)) == NULL)
		return (UINT64_MAX);
	p->level = level;
	return (pa);
}

/* Kernel-map runs by va (the world adds some after the arch's build). */
static int
kmap_va_cmp(const void *a, const void *b)
{
	const struct kmap *x = a, *y = b;

	return (x->va < y->va ? -1 : x->va > y->va);
}

int
gen_i386_fullpt(struct model *m, uint64_t kvabase, uint64_t kvaend, bool pae,
    uint64_t pdpt_pa, uint64_t *root)
{
	const struct kmap *k;
	uint64_t pd[I386_NPD_PAE], nb, va0, s, pt, i, e;
	uint8_t page[4096];
	unsigned esz;
	size_t j;
	bool large, small;
	int n;

	qsort(m->map, m->nmap, sizeof(*m->map), kmap_va_cmp);
	esz = pae ? 8 : 4;
	nb = pae ? 0x200000 : 0x400000;
	n = pae ? I386_NPD_PAE : 1;
	for (i = 0; i < (uint64_t)n; i++)
		if ((pd[i] = pt_new(m, 2)) == UINT64_MAX)
			return (-1);
	if (pae) {
		if (model_ptpage(m, pdpt_pa) == NULL)
			return (-1);
		for (i = 0; i < I386_NPD_PAE; i++)
			pt_set(m, pdpt_pa, 8, i, pd[i] | I386_PG_V);
		*root = pdpt_pa;
	} else
		*root = pd[0];
	for (s = kvabase / nb; s < kvaend / nb; s++) {
		va0 = s * nb;
		large = small = false;
		e = 0;
		for (j = gen_kmap_from(m, va0); j < m->nmap; j++) {
			k = &m->map[j];
			if (k->va >= va0 + nb)
				break;
			if (k->kind != MK_4K) {
				large = true;
				e = (k->pa + (va0 - k->va)) | I386_BITS |
				    I386_PG_PS;
			} else
				small = true;
		}
		if (!large && !small)
			continue;
		if (!large) {
			if ((pt = pt_new(m, 1)) == UINT64_MAX)
				return (-1);
			gen_flat_pmap_page(m, va0, nb, esz, I386_BITS, 0, 0,
			    page);
			for (i = 0; i < 4096 / esz; i++)
				pt_set(m, pt, esz, i, esz == 8 ?
				    (uint64_t)page[i * 8] |
				    (uint64_t)page[i * 8 + 1] << 8 |
				    (uint64_t)page[i * 8 + 2] << 16 |
				    (uint64_t)page[i * 8 + 3] << 24 |
				    (uint64_t)page[i * 8 + 4] << 32 |
				    (uint64_t)page[i * 8 + 5] << 40 |
				    (uint64_t)page[i * 8 + 6] << 48 |
				    (uint64_t)page[i * 8 + 7] << 56 :
				    (uint64_t)page[i * 4] |
				    (uint64_t)page[i * 4 + 1] << 8 |
				    (uint64_t)page[i * 4 + 2] << 16 |
				    (uint64_t)page[i * 4 + 3] << 24);
			e = pt | I386_BITS;
		}
		pt_set(m, pd[pae ? s >> 9 : 0], esz, pae ? s & 511 : s, e);
	}
	return (0);
}
