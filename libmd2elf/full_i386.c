/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * full_i386.c: the kernel page tables of an i386 full dump, PAE or not,
 * found as libkvm's kvm_i386.c does (IdlePDPT: a PAE kernel's four-entry
 * page-directory-pointer table; else IdlePTD: the 4 KiB page directory),
 * but trying both the classic physical address of the variable (va -
 * kernbase) and the 12+ layout where the kernel's VA is its PA, and
 * keeping the tables only if they map the variable back to where it was
 * read.  The kernel map is walked from kernbase to 4 GiB, leaving out the
 * recursive slots (a page-directory entry pointing to a page directory).
 */
#include <string.h>

#include <gelf.h>

#include "full_int.h"
#include "kernel_int.h"

#define	I386_PG_V		0x001ULL
#define	I386_PG_PS		0x080ULL
#define	I386_FRAME		0xfffff000ULL
#define	I386_FRAME_4M		0xffc00000ULL
#define	I386_FRAME_PAE		0x000ffffffffff000ULL
#define	I386_FRAME_PAE_2M	0x000fffffffe00000ULL
#define	I386_PDRSHIFT		22
#define	I386_PDRSHIFT_PAE	21
#define	I386_VA_END		0x100000000ULL
#define	I386_KERNBASE_OLD	0xc0000000ULL	/* kernels without kernbase */
#define	I386_NPDPTE		4

/* An entry of esz bytes at pa; -1 if not in the dump. */
static int
i386_entry(md2elf_t *d, uint64_t pa, unsigned esz, uint64_t *e)
{
	uint8_t b[8];

	if (m2e_read_pa(d, pa, b, esz) != 0)
		return (-1);
	*e = esz == 8 ? le64dec_(b) : le32dec_(b);
	return (0);
}

static int
i386_xlate(md2elf_t *d, const struct m2e_fullpt *pt, uint64_t va,
    uint64_t *pa)
{
	uint64_t e, pd, idx;

	if (va >= I386_VA_END)
		return (-1);
	if (pt->pae) {
		idx = va >> I386_PDRSHIFT_PAE;
		if ((pd = pt->pd[idx >> 9]) == 0 ||
		    i386_entry(d, pd + (idx & 511) * 8, 8, &e) != 0 ||
		    (e & I386_PG_V) == 0)
			return (-1);
		if ((e & I386_PG_PS) != 0) {
			*pa = (e & I386_FRAME_PAE_2M) |
			    (va & ((1ULL << I386_PDRSHIFT_PAE) - 1));
			return (0);
		}
		if (i386_entry(d, (e & I386_FRAME_PAE) +
		    ((va >> FULL_PAGESHIFT) & 511) * 8, 8, &e) != 0 ||
		    (e & I386_PG_V) == 0)
			return (-1);
		*pa = (e & I386_FRAME_PAE) | (va & (FULL_PAGE - 1));
		return (0);
	}
	if (i386_entry(d, pt->root + (va >> I386_PDRSHIFT) * 4, 4, &e) != 0 ||
	    (e & I386_PG_V) == 0)
		return (-1);
	if ((e & I386_PG_PS) != 0) {
		*pa = (e & I386_FRAME_4M) | (va & ((1ULL << I386_PDRSHIFT) - 1));
		return (0);
	}
	if (i386_entry(d, (e & I386_FRAME) + ((va >> FULL_PAGESHIFT) & 1023) *
	    4, 4, &e) != 0 || (e & I386_PG_V) == 0)
		return (-1);
	*pa = (e & I386_FRAME) | (va & (FULL_PAGE - 1));
	return (0);
}

/* IdlePDPT read at pa: its four PDPTEs, then the check. */
static int
i386_try_pae(md2elf_t *d, uint64_t va, uint64_t pa, struct m2e_fullpt *pt)
{
	uint64_t pdpt, e, got;
	int i, n;

	if (i386_entry(d, pa, 4, &pdpt) != 0 || (pdpt & 31) != 0)
		return (-1);
	memset(pt, 0, sizeof(*pt));
	pt->pae = true;
	pt->root = pdpt;
	for (i = n = 0; i < I386_NPDPTE; i++) {
		if (i386_entry(d, pdpt + i * 8, 8, &e) != 0)
			return (-1);
		if ((e & I386_PG_V) == 0)
			continue;
		pt->pd[i] = e & I386_FRAME_PAE;
		if (pt->pd[i] == 0 || m2e_full_pa_rank(d, pt->pd[i], &got) != 0)
			return (-1);
		n++;
	}
	if (n == 0 || i386_xlate(d, pt, va, &got) != 0 || got != pa)
		return (-1);
	pt->ok = true;
	return (0);
}

/* IdlePTD read at pa: the page directory, then the check. */
static int
i386_try_nopae(md2elf_t *d, uint64_t va, uint64_t pa, struct m2e_fullpt *pt)
{
	uint64_t ptd, got;

	if (i386_entry(d, pa, 4, &ptd) != 0 || (ptd & (FULL_PAGE - 1)) != 0 ||
	    m2e_full_pa_rank(d, ptd, &got) != 0)
		return (-1);
	memset(pt, 0, sizeof(*pt));
	pt->root = ptd;
	if (i386_xlate(d, pt, va, &got) != 0 || got != pa)
		return (-1);
	pt->ok = true;
	return (0);
}

static int
i386_findpt(md2elf_t *d, struct m2e_kernel *k, struct m2e_fullpt *pt)
{
	const struct ksym *kb, *pdpt, *ptd;
	uint64_t kernbase;

	kb = m2e_ksym_byname(k, "kernbase");
	kernbase = kb != NULL ? kb->value : I386_KERNBASE_OLD;
	pdpt = m2e_ksym_byname(k, "IdlePDPT");
	ptd = m2e_ksym_byname(k, "IdlePTD");
	if (pdpt == NULL && ptd == NULL)
		return (m2e_err(d, "kernel %s has neither IdlePDPT nor "
		    "IdlePTD: the page tables of a full dump cannot be found "
		    "without them", k->path));
	if ((pdpt == NULL || m2e_full_find(d, pdpt->value, kernbase,
	    i386_try_pae, pt) != 0) && (ptd == NULL ||
	    m2e_full_find(d, ptd->value, kernbase, i386_try_nopae, pt) != 0))
		return (m2e_err(d, "no physical page of the dump holds an "
		    "%s whose page tables map it (kernel %s, kernbase %#jx): "
		    "wrong kernel, or a damaged dump",
		    pdpt != NULL && ptd != NULL ? "IdlePDPT or IdlePTD" :
		    pdpt != NULL ? "IdlePDPT" : "IdlePTD", k->path,
		    (uintmax_t)kernbase));
	pt->kvmin = kernbase;
	return (0);
}

/* Is frame one of the page directories (a recursive mapping)? */
static bool
i386_is_pd(const struct m2e_fullpt *pt, uint64_t frame)
{
	int i;

	if (!pt->pae)
		return (frame == pt->root);
	for (i = 0; i < I386_NPDPTE; i++)
		if (pt->pd[i] != 0 && frame == pt->pd[i])
			return (true);
	return (false);
}

struct i386_walk {
	md2elf_t	*d;
	struct m2e_runs	 runs;
	uint64_t	 bva, bpa;
};

static int
i386_large_run(void *arg, uint64_t va, uint64_t pa, uint64_t rank,
    uint64_t n)
{
	struct i386_walk *w = arg;

	return (m2e_runs_add(&w->runs, w->bva + (pa - w->bpa), pa, rank, n));
}

/* The page-table page at pa mapping from va (esz-byte entries). */
static int
i386_walk_pt(struct i386_walk *w, uint64_t pa, unsigned esz, uint64_t va)
{
	uint8_t page[FULL_PAGE];
	uint64_t i, e, frame, rank;
	int rc;

	rc = m2e_full_table(w->d, pa, page, va, "page-table");
	if (rc != 0)
		return (rc < 0 ? -1 : 0);
	for (i = 0; i < FULL_PAGE / esz; i++) {
		e = esz == 8 ? le64dec_(page + i * 8) : le32dec_(page + i * 4);
		if ((e & I386_PG_V) == 0)
			continue;
		frame = e & (esz == 8 ? I386_FRAME_PAE : I386_FRAME);
		if (m2e_full_pa_rank(w->d, frame, &rank) != 0)
			continue;
		if ((rc = m2e_runs_add(&w->runs, va + (i << FULL_PAGESHIFT),
		    frame, rank, 1)) != 0)
			return (rc);
	}
	return (0);
}

static int
i386_walk(md2elf_t *d, const struct m2e_fullpt *pt, m2e_visit_fn *fn,
    void *arg)
{
	struct i386_walk w;
	uint8_t pd[FULL_PAGE];
	uint64_t idx, n, e, va, frame, big, cur;
	unsigned esz, shift;
	int rc;

	memset(&w, 0, sizeof(w));
	w.d = d;
	m2e_runs_init(&w.runs, d, fn, arg);
	m2e_full_walk_start(d);
	esz = pt->pae ? 8 : 4;
	shift = pt->pae ? I386_PDRSHIFT_PAE : I386_PDRSHIFT;
	n = I386_VA_END >> shift;
	big = 1ULL << shift;
	cur = UINT64_MAX;	/* the page directory in pd[] */
	for (idx = pt->kvmin >> shift; idx < n; idx++) {
		frame = pt->pae ? pt->pd[idx >> 9] : pt->root;
		if (frame == 0)
			continue;
		if (frame != cur) {
			rc = m2e_full_table(d, frame, pd, idx << shift,
			    "page-directory");
			if (rc < 0)
				return (-1);
			if (rc > 0)
				continue;
			cur = frame;
		}
		e = esz == 8 ? le64dec_(pd + (idx & 511) * 8) :
		    le32dec_(pd + idx * 4);
		if ((e & I386_PG_V) == 0)
			continue;
		va = idx << shift;
		if ((e & I386_PG_PS) != 0) {
			w.bva = va;
			w.bpa = e & (pt->pae ? I386_FRAME_PAE_2M :
			    I386_FRAME_4M);
			rc = m2e_md_pa_runs(d, w.bpa, big >> FULL_PAGESHIFT,
			    i386_large_run, &w);
		} else {
			frame = e & (pt->pae ? I386_FRAME_PAE : I386_FRAME);
			if (i386_is_pd(pt, frame))
				continue;
			rc = i386_walk_pt(&w, frame, esz, va);
		}
		if (rc != 0)
			return (rc);
	}
	if ((rc = m2e_runs_end(&w.runs)) != 0)
		return (rc);
	m2e_full_walk_end(d);
	return (0);
}

const struct m2e_fullops m2e_full_i386 = {
	.elfmachine = EM_386,
	.elfclass = ELFCLASS32,
	.base = &m2e_arch_i386,
	.findpt = i386_findpt,
	.xlate = i386_xlate,
	.walk = i386_walk,
};
