/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * gen_amd64.c: the amd64 part of the test generator's model: the kernel
 * address space (2 MiB kernel image pages, 4 KiB module and heap pages, MMIO
 * and PG_NODUMP mappings, a 1 GiB page on v2/v3), 4-level page tables, the
 * minidump header and page-table section of versions 1, 2 and 3 exactly as
 * sys/amd64/amd64/minidump_machdep.c writes them, the real symbol addresses
 * of a FreeBSD 13 amd64 kernel, and the amd64 pcb layout.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "world.h"
#include "gen_common.h"

#define	KERNBASE	0xffffffff80000000ULL
#define	VM_MIN_KERNEL	0xfffffe0000000000ULL
#define	DMAP_MIN	0xfffff80000000000ULL
#define	DMAP_MAX	0xfffffc0000000000ULL
#define	NBPDR		0x200000ULL
#define	NBPDP		0x40000000ULL
#define	NKPT		32
#define	KERN_END_PA	0x2000000ULL	/* 2 MiB pages map [0, 32 MiB) */
#define	BOOT_PT_PA	0x1e00000ULL	/* bootstrap page tables */

#define	PG_V		0x001ULL
#define	PG_RW		0x002ULL
#define	PG_A		0x020ULL
#define	PG_M		0x040ULL
#define	PG_PS		0x080ULL
#define	PG_G		0x100ULL
#define	PG_NX		(1ULL << 63)
#define	PG_FRAME	0x000ffffffffff000ULL
#define	PG_PS_FRAME	0x000fffffffe00000ULL

/* Sections of the model kernel: real .rodata/.bss starts, see kernel.yaml. */
#define	NOTE_VA		0xffffffff80201000ULL
#define	TEXT_VA		0xffffffff80201100ULL
#define	RODATA_VA	0xffffffff81152d30ULL
#define	DATA_VA		0xffffffff815d0000ULL
#define	BSS_VA		0xffffffff819ba380ULL
#define	BSS_END		0xffffffff81e00000ULL

/*
 * Symbols of a FreeBSD 13 amd64 kernel (addresses as published with LLVM's
 * LLDB FreeBSDKernel tests), followed by symbols a newer kernel has, placed
 * at free addresses of the same sections.
 */
static const struct gsym amd64_syms[] = {
	{ "kernbase", KERNBASE, 0, GS_NOTYPE, 1, SEC_ABS },
	{ "KPML4phys", 0xffffffff81d47eb8ULL, 8, GS_OBJECT, 1, SEC_BSS },
	{ "dumppcb", 0xffffffff81ca6868ULL, 0x140, GS_OBJECT, 0, SEC_BSS },
	{ "hz", 0xffffffff81cd4c0cULL, 4, GS_OBJECT, 1, SEC_BSS },
	{ "proc_off_p_comm", 0xffffffff815ca624ULL, 4, GS_OBJECT, 1,
	    SEC_RODATA },
	{ "proc_off_p_hash", 0xffffffff815ca62cULL, 4, GS_OBJECT, 1,
	    SEC_RODATA },
	{ "proc_off_p_list", 0xffffffff815ca628ULL, 4, GS_OBJECT, 1,
	    SEC_RODATA },
	{ "proc_off_p_pid", 0xffffffff815ca620ULL, 4, GS_OBJECT, 1,
	    SEC_RODATA },
	{ "proc_off_p_threads", 0xffffffff815ca630ULL, 4, GS_OBJECT, 1,
	    SEC_RODATA },
	{ "thread_off_td_name", 0xffffffff815ca638ULL, 4, GS_OBJECT, 1,
	    SEC_RODATA },
	{ "thread_off_td_oncpu", 0xffffffff815ca63cULL, 4, GS_OBJECT, 1,
	    SEC_RODATA },
	{ "thread_off_td_pcb", 0xffffffff815ca640ULL, 4, GS_OBJECT, 1,
	    SEC_RODATA },
	{ "thread_off_td_plist", 0xffffffff815ca644ULL, 4, GS_OBJECT, 1,
	    SEC_RODATA },
	{ "thread_off_td_tid", 0xffffffff815ca634ULL, 4, GS_OBJECT, 1,
	    SEC_RODATA },
	{ "dumptid", 0xffffffff81ca69a8ULL, 4, GS_OBJECT, 1, SEC_BSS },
	{ "pcb_size", 0xffffffff815ca590ULL, 4, GS_OBJECT, 1, SEC_RODATA },
	{ "stoppcbs", 0xffffffff81d23e20ULL, 0x14000, GS_OBJECT, 1, SEC_BSS },
	{ "allproc", 0xffffffff81c9a2f0ULL, 8, GS_OBJECT, 1, SEC_BSS },
	/* Newer-kernel symbols at free addresses. */
	{ "btext", 0xffffffff8037c000ULL, 0x40, GS_FUNC, 1, SEC_TEXT },
	{ "version", 0xffffffff815d1000ULL, 256, GS_OBJECT, 1, SEC_DATA },
	{ "osreldate", 0xffffffff815d1200ULL, 4, GS_OBJECT, 1, SEC_DATA },
	{ "time_second", 0xffffffff815d1208ULL, 8, GS_OBJECT, 1, SEC_DATA },
	{ "panicstr", 0xffffffff81d50000ULL, 8, GS_OBJECT, 1, SEC_BSS },
	{ "msgbufp", 0xffffffff81d50008ULL, 8, GS_OBJECT, 1, SEC_BSS },
	{ "stopped_cpus", 0xffffffff81d50020ULL, 32, GS_OBJECT, 1, SEC_BSS },
	{ "mp_maxid", 0xffffffff81d50040ULL, 4, GS_OBJECT, 1, SEC_BSS },
	{ "mp_ncpus", 0xffffffff81d50044ULL, 4, GS_OBJECT, 1, SEC_BSS },
	{ "pidhashtbl", 0xffffffff81d50048ULL, 8, GS_OBJECT, 1, SEC_BSS },
	{ "pidhash", 0xffffffff81d50050ULL, 8, GS_OBJECT, 1, SEC_BSS },
	{ "cpuid_to_pcpu", 0xffffffff81d50080ULL, 0x800, GS_OBJECT, 1,
	    SEC_BSS },
	{ "__pcpu", 0xffffffff81d51000ULL, 0x2000, GS_OBJECT, 1, SEC_BSS },
	{ "panic_buf", 0xffffffff81d53000ULL, 256, GS_OBJECT, 0, SEC_BSS },
};

struct a64 {
	uint64_t	 boot_next;	/* bootstrap page-table bump pointer */
	uint64_t	 kernel_vm_end;
	uint64_t	 heap_va;	/* first heap page */
	uint64_t	 gib_va;	/* the 1 GiB page (v2/v3), else 0 */
	/* For hostile variants: a PT page and a free slot in it. */
	uint64_t	 hostile_pt_pa;
	int		 hostile_pt_idx;
	uint64_t	 hostile_pd_va;	/* a PDE slot with a PT page */
};

static uint64_t
kvabase(const struct model *m)
{
	return (m->p.version == 1 ? KERNBASE : VM_MIN_KERNEL);
}

/* A new table page: bootstrap area first, then the free list. */
static uint64_t
table_alloc(struct model *m, int level)
{
	struct a64 *a = m->archdata;
	struct ptpage *p;
	uint64_t pa;

	if (a->boot_next < m->p.kernphys + KERN_END_PA) {
		pa = a->boot_next;
		a->boot_next += GPAGE;
	} else {
		pa = model_alloc(m, 1, 0);
		if (pa == UINT64_MAX)
			return (pa);
	}
	p = model_ptpage(m, pa);
	if (p == NULL)
		return (UINT64_MAX);
	p->level = level;
	return (pa);
}

/*
 * The entry for va at a level (4: PML4 .. 1: PT), creating the tables above
 * it.  Returns NULL if memory ran out or a large page is in the way.
 */
static uint64_t *
pt_entry(struct model *m, uint64_t va, int level)
{
	struct ptpage *t;
	uint64_t pa, *e;
	int l, idx;

	pa = m->kpml4;
	for (l = 4; ; l--) {
		t = model_ptpage(m, pa);
		if (t == NULL)
			return (NULL);
		idx = (int)((va >> (12 + 9 * (l - 1))) & 511);
		e = &t->e[idx];
		if (l == level)
			return (e);
		if (*e & PG_PS)
			return (NULL);
		if ((*e & PG_V) == 0) {
			pa = table_alloc(m, l - 1);
			if (pa == UINT64_MAX)
				return (NULL);
			/* model_ptpage may have moved the array. */
			t = model_ptpage(m, m->kpml4);
			e = pt_entry(m, va, l);
			if (e == NULL)
				return (NULL);
			*e = pa | PG_V | PG_RW | PG_A | PG_M;
		}
		pa = *e & PG_FRAME;
	}
}

static int
map_page(struct model *m, uint64_t va, uint64_t pa, int kind)
{
	uint64_t *e, bits;

	bits = PG_V | PG_RW | PG_A | PG_M | PG_G;
	switch (kind) {
	case MK_4K:
		e = pt_entry(m, va, 1);
		if (e == NULL)
			return (-1);
		*e = pa | bits | PG_NX;
		return (model_map(m, va, pa, 1, MK_4K));
	case MK_2M:
		e = pt_entry(m, va, 2);
		if (e == NULL)
			return (-1);
		*e = pa | bits | PG_PS;
		return (model_map(m, va, pa, NBPDR / GPAGE, MK_2M));
	default:
		e = pt_entry(m, va, 3);
		if (e == NULL)
			return (-1);
		*e = pa | bits | PG_PS | PG_NX;
		return (model_map(m, va, pa, NBPDP / GPAGE, MK_1G));
	}
}

static int
amd64_map4k(struct model *m, uint64_t va, uint64_t pa)
{
	return (map_page(m, va, pa, MK_4K));
}

static int
amd64_build(struct model *m, char *err, size_t errlen)
{
	struct a64 *a;
	uint64_t cur, i, heap, hole;

	a = calloc(1, sizeof(*a));
	if (a == NULL)
		goto nomem;
	m->archdata = a;
	a->boot_next = m->p.kernphys + BOOT_PT_PA;
	m->kpml4 = table_alloc(m, 4);
	/*
	 * Kernel image and bootstrap data: 2 MiB pages from physical 0, or
	 * from where a 13.x+ loader put the image (kernphys).
	 */
	for (i = 0; i < KERN_END_PA / NBPDR; i++)
		if (map_page(m, KERNBASE + i * NBPDR, m->p.kernphys +
		    i * NBPDR, MK_2M) != 0)
			goto nomem;
	/* Preloaded modules: 4 KiB pages right after the image. */
	cur = KERNBASE + KERN_END_PA;
	if (gen_map_heap(m, &cur, 200 + m->p.seed % 64, 0x30d, NBPDR,
	    false) != 0)
		goto nomem;
	if (cur > KERNBASE + NKPT * NBPDR) {
		snprintf(err, errlen, "model bug: module region too large");
		return (-1);
	}
	/* The kernel heap. */
	heap = gen_ram_pages(m) * 6 / 100;
	cur = m->p.version == 1 ? KERNBASE + 2 * NKPT * NBPDR :
	    VM_MIN_KERNEL + NBPDR;
	a->heap_va = cur;
	if (gen_map_heap(m, &cur, heap / 2, 0x4ea9, NBPDR,
	    false) != 0)
		goto nomem;
	/* A hole: a whole invalid PDPE on v2/v3, two invalid PDEs on v1. */
	if (m->p.version == 1)
		cur = ((cur + NBPDR - 1) & ~(NBPDR - 1)) + 2 * NBPDR;
	else
		cur = ((cur + NBPDP - 1) & ~(NBPDP - 1)) + NBPDP;
	if (gen_map_heap(m, &cur, heap - heap / 2, 0x4eaa, NBPDR,
	    false) != 0)
		goto nomem;
	/*
	 * Device memory (not RAM: never dumped): the local APIC, HPET, I/O
	 * APIC, a page in a hole between RAM ranges and the highest frame a
	 * PTE can hold; then PG_NODUMP RAM.
	 */
	hole = m->avail[3];	/* end of the second range: a hole follows */
	{
		const uint64_t dev[] = { 0xfee00000ULL, 0xfed00000ULL,
		    0xfec00000ULL, hole + GPAGE, PG_FRAME };

		for (i = 0; i < 5; i++, cur += GPAGE)
			if (map_page(m, cur, dev[i], MK_4K) != 0)
				goto nomem;
	}
	if (gen_map_nodump(m, &cur) != 0)
		goto nomem;
	/* Remember a free PTE slot for hostile variants. */
	a->hostile_pt_idx = (int)((cur >> 12) & 511);
	{
		uint64_t *e = pt_entry(m, cur - GPAGE, 2);

		if (e == NULL)
			goto nomem;
		a->hostile_pt_pa = *e & PG_FRAME;
		a->hostile_pd_va = cur - GPAGE;
		if (a->hostile_pt_idx == 0) {
			/* The slot is in the next PT: use the previous one. */
			a->hostile_pt_idx = -1;
		}
	}
	cur += 4 * GPAGE;
	/* Pages for the world's heap objects (pid hash table etc.). */
	if (gen_map_misc(m, &cur) != 0)
		goto nomem;
	/* Kernel stacks: one guard page and one stack page per thread. */
	cur = (cur + NBPDR - 1) & ~(NBPDR - 1);
	m->kstack_va = cur;
	cur += world_kva_pages(&m->p) * GPAGE;
	if (m->p.version >= 2) {
		cur = (cur + NBPDP - 1) & ~(NBPDP - 1);
		a->gib_va = cur;
		if (map_page(m, cur, model_high_base(m), MK_1G) != 0)
			goto nomem;
		cur += NBPDP;
		if (cur >= KERNBASE - NBPDP) {
			snprintf(err, errlen, "model does not fit in the kernel"
			    " address space");
			return (-1);
		}
		a->kernel_vm_end = cur;
		m->kva_end = KERNBASE + NKPT * NBPDR;
	} else {
		a->kernel_vm_end = (cur + NBPDR - 1) & ~(NBPDR - 1);
		if (a->kernel_vm_end < cur || a->kernel_vm_end > 0xffffffffff000000ULL) {
			snprintf(err, errlen, "model does not fit in the v1 "
			    "kernel address space (try less RAM or threads)");
			return (-1);
		}
		m->kva_end = a->kernel_vm_end;
	}
	return (0);
nomem:
	snprintf(err, errlen, "model needs more RAM (%" PRIu64 " MiB is too "
	    "small for this layout)", m->p.ram_mib);
	return (-1);
}

static int
amd64_finish(struct model *m, char *err, size_t errlen)
{
	const struct gsym *s;
	size_t i;

	/* v2/v3: the kernel's walk adds last-level page-table pages. */
	if (m->p.version >= 2)
		for (i = 0; i < m->npt; i++)
			if (m->pt[i].level == 1)
				model_setstate(m, m->pt[i].pa, 1, PS_EXPLICIT);
	if (gen_finish_image(m, NOTE_VA, BSS_VA, BSS_END, &s) != 0)
		goto fail;
	if (gen_patch_sym(m, "KPML4phys", m->kpml4, 8) != 0 ||
	    gen_patch_sym(m, "hz", 1000, 4) != 0 ||
	    gen_patch_sym(m, "osreldate", 1302000, 4) != 0 ||
	    gen_patch_sym(m, "time_second", (uint64_t)m->dumptime, 8) != 0 ||
	    gen_patch_sym(m, "panicstr", s->va, 8) != 0 ||
	    gen_patch_sym(m, "msgbufp", model_msgbufp(m), 8) != 0)
		goto fail;
	return (0);
fail:
	snprintf(err, errlen, "model bug: cannot patch the kernel image");
	return (-1);
}

static uint64_t
amd64_pmap_size(const struct model *m)
{
	if (m->p.version == 1)
		return ((m->kva_end - KERNBASE) / NBPDR * GPAGE);
	return ((m->kva_end - VM_MIN_KERNEL + NBPDP - 1) / NBPDP * GPAGE);
}

/* The model's page-table entry for va at a level, 0 if none (const). */
static uint64_t
pt_lookup(const struct model *m, uint64_t va, int level)
{
	const struct ptpage *t;
	uint64_t e, pa;
	int l;

	pa = m->kpml4;
	for (l = 4; ; l--) {
		t = model_ptfind(m, pa);
		if (t == NULL)
			return (0);
		e = t->e[(va >> (12 + 9 * (l - 1))) & 511];
		if (l == level || (e & PG_V) == 0 || (e & PG_PS))
			return (l == level ? e : 0);
		pa = e & PG_FRAME;
	}
}

static void
amd64_pmap_page(const struct model *m, uint64_t i, uint8_t *page)
{
	const struct ptpage *t;
	uint64_t va, e, pa;
	int k;

	memset(page, 0, GPAGE);
	if (m->p.version == 1) {
		/* One page of PTEs per 2 MiB of KVA from KERNBASE. */
		va = KERNBASE + i * NBPDR;
		e = pt_lookup(m, va, 2);
		if ((e & (PG_V | PG_PS)) == (PG_V | PG_PS)) {
			pa = e & PG_PS_FRAME;
			for (k = 0; k < 512; k++)
				gen_put64(page + 8 * k, (pa + (uint64_t)k * GPAGE) |
				    PG_V | PG_RW | PG_A | PG_M);
		} else if (e & PG_V) {
			t = model_ptfind(m, e & PG_FRAME);
			for (k = 0; t != NULL && k < 512; k++)
				gen_put64(page + 8 * k, t->e[k]);
		}
		return;
	}
	/* One page of PDEs per 1 GiB of KVA from VM_MIN_KERNEL_ADDRESS. */
	va = VM_MIN_KERNEL + i * NBPDP;
	e = pt_lookup(m, va, 3);
	if ((e & PG_V) == 0)
		return;
	if (e & PG_PS) {
		for (k = 0; k < 512; k++)
			gen_put64(page + 8 * k, e + (uint64_t)k * NBPDR);
		return;
	}
	t = model_ptfind(m, e & PG_FRAME);
	if (t == NULL || (m->p.version >= 3 &&
	    (m->pst[t->pa / GPAGE] & (PS_RAM | PS_NODUMP)) != PS_RAM))
		return;
	for (k = 0; k < 512; k++)
		gen_put64(page + 8 * k, t->e[k]);
}

static void
amd64_header(const struct model *m, uint8_t *page)
{
	gen_header_start(m, page, "minidump FreeBSD/amd64", 64,
	    m->p.version >= 3);
	gen_put32(page + 36, (uint32_t)amd64_pmap_size(m));
	gen_put64(page + 40, kvabase(m));
	gen_put64(page + 48, DMAP_MIN);
	gen_put64(page + 56, DMAP_MAX);
	if (m->p.version >= 3)
		gen_put32(page + 64, (uint32_t)GPAGE);
}

/*
 * push %rbp; mov %rsp,%rbp; sub $0x20,%rsp; nops with "call rel32" sites;
 * leave; ret.  What a frame-pointer kernel function looks like to an
 * unwinder that inspects the prologue.
 */
static void
amd64_funccode(uint64_t va, uint64_t size, const uint64_t *calls,
    int ncalls, uint8_t *b)
{
	static const uint8_t pro[] = { 0x55, 0x48, 0x89, 0xe5, 0x48, 0x83,
	    0xec, 0x20 };
	uint64_t site;
	int32_t rel;
	int k;

	memset(b, 0x90, size);
	memcpy(b, pro, sizeof(pro));
	for (k = 0; k < ncalls; k++) {
		site = 0x10 + 0x10 * (uint64_t)k;
		rel = (int32_t)(calls[k] - (va + site + 5));
		b[site] = 0xe8;
		gen_put32(b + site + 1, (uint32_t)rel);
	}
	b[size - 2] = 0xc9;
	b[size - 1] = 0xc3;
}

static void
amd64_pcb(const struct model *m, const struct gthread *t, uint8_t *b)
{
	memset(b, 0, 0x140);
	gen_put64(b + 0, t->r15);
	gen_put64(b + 8, t->r14);
	gen_put64(b + 16, t->r13);
	gen_put64(b + 24, t->r12);
	gen_put64(b + 32, t->rbp);
	gen_put64(b + 40, t->rsp);
	gen_put64(b + 48, t->rbx);
	gen_put64(b + 56, t->rip);
	gen_put64(b + 104, m->kpml4);		/* pcb_cr3 */
}

/*
 * struct trapframe (sys/x86/include/frame.h), 192 bytes: the entry stubs
 * call C code with %rsp at it, so the callee's frame record is right below.
 * The hardware aligns the stack to 16 bytes before pushing.
 */
#define	TF_SIZE		192
enum { TR_RDI, TR_RSI, TR_RDX, TR_RCX, TR_R8, TR_R9, TR_RAX, TR_R10, TR_R11 };
static const uint32_t tf_scratch[] = { 0, 8, 16, 24, 32, 40, 48, 72, 80 };

static uint64_t
amd64_tf_place(const struct model *m, struct gtrap *g, uint64_t sp)
{
	(void)m;
	g->tf = (sp & ~(uint64_t)15) - TF_SIZE;
	g->fr = g->tf - 16;
	if (g->kind == GT_SYSCALL)
		return (g->ufp);
	if (g->kind == GT_KTHREAD)
		return (0);		/* cpu_fork: pcb_rbp 0 */
	return (g->ctx->rbp);
}

static void
amd64_tfbytes(const struct model *m, const struct gtrap *g, uint8_t *b,
    uint64_t va)
{
	const struct gthread *c = g->ctx;
	uint8_t *p = b + (g->tf - va);
	int i;

	memset(p, 0, TF_SIZE);
	if (g->kind == GT_KTHREAD)
		return;			/* thread0's zeroed frame, copied */
	if (g->kind == GT_SYSCALL) {
		for (i = 0; i < 9; i++)
			gen_put64(p + tf_scratch[i], model_hash(m->p.seed ^
			    (0x5e0 + (uint64_t)i), g->upc));
		gen_put64(p + 48, (uint64_t)g->syscall);	/* rax */
		gen_put64(p + 64, g->ufp);
		gen_put64(p + 152, g->upc);
		gen_put64(p + 160, 0x43);		/* user %cs */
		gen_put64(p + 168, 0x202);
		gen_put64(p + 176, g->usp);
		gen_put64(p + 184, 0x3b);
		return;
	}
	for (i = 0; i < 9; i++)
		gen_put64(p + tf_scratch[i], gen_treg(m, c, i));
	gen_put64(p + 56, c->rbx);
	gen_put64(p + 64, c->rbp);
	gen_put64(p + 88, c->r12);
	gen_put64(p + 96, c->r13);
	gen_put64(p + 104, c->r14);
	gen_put64(p + 112, c->r15);
	gen_put32(p + 120, g->kind == GT_FAULT ? 12 : g->kind == GT_NMI ?
	    19 : 0);				/* tf_trapno */
	p[124] = 0x13;				/* tf_fs */
	p[126] = 0x1b;				/* tf_gs */
	gen_put64(p + 128, g->addr);		/* tf_addr */
	p[140] = 0x3b;				/* tf_es */
	p[142] = 0x3b;				/* tf_ds */
	gen_put64(p + 152, c->rip);
	gen_put64(p + 160, 0x20);		/* kernel %cs */
	gen_put64(p + 168, 0x10286);
	gen_put64(p + 176, c->rsp);
	gen_put64(p + 184, 0x28);
}

/*
 * A trap-frame thread's registers: the whole frame, at their places in the
 * FreeBSD struct reg and the Linux user_regs_struct.
 */
static int
amd64_tregs(const struct model *m, const struct gthread *t,
    struct gen_reg *r)
{
	static const struct { const char *name; uint32_t off, loff; int tr; }
	    l[] = {
		{ "rip", 136, 128, -1 }, { "rsp", 160, 152, -2 },
		{ "rbp", 80, 32, -3 }, { "rbx", 88, 40, -4 },
		{ "r12", 24, 24, -5 }, { "r13", 16, 16, -6 },
		{ "r14", 8, 8, -7 }, { "r15", 0, 0, -8 },
		{ "rax", 112, 80, TR_RAX }, { "rcx", 104, 88, TR_RCX },
		{ "rdx", 96, 96, TR_RDX }, { "rsi", 72, 104, TR_RSI },
		{ "rdi", 64, 112, TR_RDI }, { "r8", 56, 72, TR_R8 },
		{ "r9", 48, 64, TR_R9 }, { "r10", 40, 56, TR_R10 },
		{ "r11", 32, 48, TR_R11 }, { "cs", 144, 136, -9 },
		{ "rflags", 152, 144, -10 }, { "ss", 168, 160, -11 },
	};
	const uint64_t v[] = { t->rip, t->rsp, t->rbp, t->rbx, t->r12,
	    t->r13, t->r14, t->r15, 0x20, 0x10286, 0x28 };
	int i;

	for (i = 0; i < (int)(sizeof(l) / sizeof(l[0])); i++) {
		r[i].name = l[i].name;
		r[i].off = l[i].off;
		r[i].loff = l[i].loff;
		r[i].size = 8;
		r[i].value = l[i].tr >= 0 ? gen_treg(m, t, l[i].tr) :
		    v[-l[i].tr - 1];
	}
	return (i);
}

/*
 * Hostile variants: where a free PTE slot (next to the device mappings) is
 * written: in a page-table page dumped as data (v2/v3, *pmap_idx set to
 * UINT64_MAX) or in the page-table section (v1); or (what 1, v2/v3) the PDE
 * of that slot in the page-table section.
 */
static int
amd64_hostile(const struct model *m, int what, uint64_t *pa,
    uint64_t *pmap_idx, int *idx)
{
	const struct a64 *a = m->archdata;

	if (a == NULL || a->hostile_pt_idx < 0)
		return (-1);
	if (what == 0) {
		*pa = a->hostile_pt_pa;
		*idx = a->hostile_pt_idx;
		*pmap_idx = m->p.version == 1 ?
		    (a->hostile_pd_va - KERNBASE) / NBPDR : UINT64_MAX;
		return (0);
	}
	if (m->p.version == 1)
		return (-1);
	*pa = 0;
	*pmap_idx = (a->hostile_pd_va - VM_MIN_KERNEL) / NBPDP;
	*idx = (int)((a->hostile_pd_va >> 21) & 511);
	return (0);
}

const struct gen_arch gen_arch_amd64 = {
	.name = "amd64",
	.machine_arch = "amd64",
	.kdh_archver = 2,
	.minver = 1,
	.maxver = 3,
	.ptrsize = 8,
	.elfclass = 2,		/* ELFCLASS64 */
	.elfmachine = 62,	/* EM_X86_64 */
	.elfosabi = 9,		/* ELFOSABI_FREEBSD */
	.dmapbase = DMAP_MIN,
	.dmapend = DMAP_MAX,
	.sec_start = { 0, NOTE_VA, TEXT_VA, RODATA_VA, DATA_VA, BSS_VA },
	.sec_end = { 0, NOTE_VA + 36, RODATA_VA, DATA_VA, BSS_VA, BSS_END },
	.kern_pa_off = KERNBASE,
	.kern_end_pa = KERN_END_PA,
	.entry = 0xffffffff8037c000ULL,
	.syms = amd64_syms,
	.nsyms = sizeof(amd64_syms) / sizeof(amd64_syms[0]),
	.build = amd64_build,
	.map4k = amd64_map4k,
	.finish = amd64_finish,
	.header = amd64_header,
	.pmap_size = amd64_pmap_size,
	.pmap_page = amd64_pmap_page,
	.pcb = amd64_pcb,
	.hostile = amd64_hostile,
	.funccode = amd64_funccode,
	.call_off0 = 0x10,
	.call_stride = 0x10,
	.call_len = 5,
	.pcb_size = 0x140,
	.tf_place = amd64_tf_place,
	.tfbytes = amd64_tfbytes,
	.tregs = amd64_tregs,
};
