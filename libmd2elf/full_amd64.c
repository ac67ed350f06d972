/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * full_amd64.c: the kernel page tables of an amd64 full dump: found
 * through KPML4phys (the variable holding the PML4's physical address) as
 * libkvm's kvm_amd64.c does, but without assuming the image is loaded at
 * KERNBASE's physical 0 (13.x+ kernels may be loaded anywhere 2 MiB
 * aligned); translated with the 4-level walk (1 GiB and 2 MiB pages), and
 * the kernel map walked table page by table page from the top half of the
 * address space, leaving out the direct map (written from the chunks,
 * as for a minidump) and a PML4 slot that maps the PML4 itself.
 * 5-level paging (LA57) is refused.
 */
#include <string.h>

#include <gelf.h>

#include "full_int.h"
#include "kernel_int.h"

#define	A64_NPTE	512
#define	A64_PG_V	0x001ULL
#define	A64_PG_PS	0x080ULL
#define	A64_FRAME	0x000ffffffffff000ULL
#define	A64_FRAME_2M	0x000fffffffe00000ULL
#define	A64_FRAME_1G	0x000fffffc0000000ULL
#define	A64_L4SHIFT	39
#define	A64_L3SHIFT	30
#define	A64_L2SHIFT	21
/* The 4-level layout: kernel half, direct map (DMPML4I.. + NDMPML4E). */
#define	A64_KHALF	0xffff800000000000ULL
#define	A64_DMAP_MIN	0xfffff80000000000ULL
#define	A64_DMAP_MAX	0xfffffc0000000000ULL

/* Entry idx of the table page at pa (8 bytes); -1 if not in the dump. */
static int
a64_entry(md2elf_t *d, uint64_t pa, uint64_t idx, uint64_t *e)
{
	uint8_t b[8];

	if (m2e_read_pa(d, pa + idx * 8, b, sizeof(b)) != 0)
		return (-1);
	*e = le64dec_(b);
	return (0);
}

static int
a64_xlate(md2elf_t *d, const struct m2e_fullpt *pt, uint64_t va,
    uint64_t *pa)
{
	uint64_t e;

	if (a64_entry(d, pt->root, (va >> A64_L4SHIFT) & 511, &e) != 0 ||
	    (e & A64_PG_V) == 0)
		return (-1);
	if (a64_entry(d, e & A64_FRAME, (va >> A64_L3SHIFT) & 511, &e) != 0 ||
	    (e & A64_PG_V) == 0)
		return (-1);
	if ((e & A64_PG_PS) != 0) {
		*pa = (e & A64_FRAME_1G) | (va & ((1ULL << A64_L3SHIFT) - 1));
		return (0);
	}
	if (a64_entry(d, e & A64_FRAME, (va >> A64_L2SHIFT) & 511, &e) != 0 ||
	    (e & A64_PG_V) == 0)
		return (-1);
	if ((e & A64_PG_PS) != 0) {
		*pa = (e & A64_FRAME_2M) | (va & ((1ULL << A64_L2SHIFT) - 1));
		return (0);
	}
	if (a64_entry(d, e & A64_FRAME, (va >> FULL_PAGESHIFT) & 511, &e) != 0 ||
	    (e & A64_PG_V) == 0)
		return (-1);
	*pa = (e & A64_FRAME) | (va & (FULL_PAGE - 1));
	return (0);
}

/* KPML4phys read at pa: do its tables map the variable back to pa? */
static int
a64_try(md2elf_t *d, uint64_t va, uint64_t pa, struct m2e_fullpt *pt)
{
	uint8_t b[8];
	uint64_t root, got;

	if (m2e_read_pa(d, pa, b, sizeof(b)) != 0)
		return (-1);
	root = le64dec_(b);
	if ((root & (FULL_PAGE - 1)) != 0 || m2e_full_pa_rank(d, root,
	    &got) != 0)
		return (-1);
	memset(pt, 0, sizeof(*pt));
	pt->root = root;
	if (a64_xlate(d, pt, va, &got) != 0 || got != pa)
		return (-1);
	pt->ok = true;
	pt->kvmin = A64_KHALF;
	return (0);
}

static int
a64_findpt(md2elf_t *d, struct m2e_kernel *k, struct m2e_fullpt *pt)
{
	const struct ksym *kb, *kp, *la;

	kb = m2e_ksym_byname(k, "kernbase");
	kp = m2e_ksym_byname(k, "KPML4phys");
	if (kb == NULL || kp == NULL)
		return (m2e_err(d, "kernel %s has no %s symbol: the page "
		    "tables of a full dump cannot be found without it",
		    k->path, kb == NULL ? "kernbase" : "KPML4phys"));
	if (m2e_full_find(d, kp->value, kb->value, a64_try, pt) != 0)
		return (m2e_err(d, "no physical page of the dump holds a "
		    "KPML4phys whose page tables map it (kernel %s: KPML4phys "
		    "at %#jx, kernbase %#jx): wrong kernel, or a damaged dump",
		    k->path, (uintmax_t)kp->value,
		    (uintmax_t)kb->value));
	/* la57 != 0: five-level page tables, another layout. */
	if ((la = m2e_ksym_byname(k, "la57")) != NULL) {
		uint64_t pa;
		uint8_t b[4];

		if (a64_xlate(d, pt, la->value, &pa) == 0 &&
		    m2e_read_pa(d, pa, b, sizeof(b)) == 0 && le32dec_(b) != 0)
			return (m2e_err(d, "the kernel uses 5-level page "
			    "tables (la57): not supported in full dumps"));
	}
	return (0);
}

struct a64_walk {
	md2elf_t	*d;
	struct m2e_runs	 runs;
	uint64_t	 bva, bpa;	/* a large page being split */
};

static int
a64_large_run(void *arg, uint64_t va, uint64_t pa, uint64_t rank,
    uint64_t n)
{
	struct a64_walk *w = arg;

	return (m2e_runs_add(&w->runs, w->bva + (pa - w->bpa), pa, rank, n));
}

/* A 1 GiB or 2 MiB page: its pages in the dump. */
static int
a64_large(struct a64_walk *w, uint64_t va, uint64_t pa, uint64_t size)
{
	w->bva = va;
	w->bpa = pa;
	return (m2e_md_pa_runs(w->d, pa, size >> FULL_PAGESHIFT,
	    a64_large_run, w));
}

/*
 * The table page at pa of level (3 PDP, 2 PD, 1 PT) mapping from va.
 * Non-zero stops the walk (error set).
 */
static int
a64_walk_table(struct a64_walk *w, uint64_t pa, int level, uint64_t va)
{
	static const char *const names[] = { "", "page-table",
	    "page-directory", "page-directory-pointer" };
	uint8_t page[FULL_PAGE];
	uint64_t i, e, eva, rank, shift;
	int rc;

	rc = m2e_full_table(w->d, pa, page, va, names[level]);
	if (rc != 0)
		return (rc < 0 ? -1 : 0);
	shift = FULL_PAGESHIFT + 9 * (level - 1);
	for (i = 0; i < A64_NPTE; i++) {
		e = le64dec_(page + i * 8);
		if ((e & A64_PG_V) == 0)
			continue;
		eva = va + (i << shift);
		if (level == 1) {
			if (m2e_full_pa_rank(w->d, e & A64_FRAME, &rank) != 0)
				continue;
			rc = m2e_runs_add(&w->runs, eva, e & A64_FRAME, rank,
			    1);
		} else if ((e & A64_PG_PS) != 0)
			rc = a64_large(w, eva, e & (level == 3 ? A64_FRAME_1G :
			    A64_FRAME_2M), 1ULL << shift);
		else
			rc = a64_walk_table(w, e & A64_FRAME, level - 1, eva);
		if (rc != 0)
			return (rc);
	}
	return (0);
}

static int
a64_walk(md2elf_t *d, const struct m2e_fullpt *pt, m2e_visit_fn *fn,
    void *arg)
{
	struct a64_walk w;
	uint8_t pml4[FULL_PAGE];
	uint64_t i, e, va;
	int rc;

	memset(&w, 0, sizeof(w));
	w.d = d;
	m2e_runs_init(&w.runs, d, fn, arg);
	m2e_full_walk_start(d);
	if ((rc = m2e_full_table(d, pt->root, pml4, pt->kvmin, "PML4")) != 0)
		return (-1);
	for (i = (pt->kvmin >> A64_L4SHIFT) & 511; i < A64_NPTE; i++) {
		e = le64dec_(pml4 + i * 8);
		va = A64_KHALF | (i - 256) << A64_L4SHIFT;
		/* The direct map, and a slot mapping the PML4 itself. */
		if ((e & A64_PG_V) == 0 || (va >= A64_DMAP_MIN &&
		    va < A64_DMAP_MAX) || (e & A64_FRAME) == pt->root)
			continue;
		if ((rc = a64_walk_table(&w, e & A64_FRAME, 3, va)) != 0)
			return (rc);
	}
	if ((rc = m2e_runs_end(&w.runs)) != 0)
		return (rc);
	m2e_full_walk_end(d);
	return (0);
}

const struct m2e_fullops m2e_full_amd64 = {
	.elfmachine = EM_X86_64,
	.elfclass = ELFCLASS64,
	.base = &m2e_arch_amd64,
	.dmapbase = A64_DMAP_MIN,
	.dmapend = A64_DMAP_MAX,
	.findpt = a64_findpt,
	.xlate = a64_xlate,
	.walk = a64_walk,
};
