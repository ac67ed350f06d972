/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * gen_i386.c: the i386 part of the test generator's model (non-PAE "i386"
 * and PAE "i386pae"): the kernel address space of a FreeBSD 12+ kernel
 * (KERNBASE = KERNLOAD = 8 MiB, no direct map, the image mapped at its
 * physical address with 4 MiB or 2 MiB pages, 4 KiB module, heap, message
 * buffer and world pages, device and PG_NODUMP mappings, large pages over
 * the high RAM range, above 4 GiB with PAE), the minidump header and flat
 * PTE section of versions 1 and 2 as sys/i386/i386/minidump_machdep_base.c
 * writes them (large pages expanded into synthetic page-table pages), the
 * real symbol addresses of a FreeBSD 13 i386 kernel plus the thread
 * symbols a newer kernel exports, the pcb layout of __FreeBSD_version
 * 1001505 and later, and i386 machine code for the world's functions.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "world.h"
#include "gen_common.h"
#include "fulldump.h"

#define	KERNBASE	0x800000ULL
#define	KVA_MAX		0xff000000ULL	/* VM_MAX_KERNEL_ADDRESS */
#define	KERN_END_PA	0x2000000ULL
#define	MSGBUF_REGION	0x18000ULL	/* as model.c */

#define	PG_V		0x001ULL
#define	PG_RW		0x002ULL
#define	PG_A		0x020ULL
#define	PG_M		0x040ULL
#define	PG_G		0x100ULL
#define	PG_NX		(1ULL << 63)	/* PAE only */

#define	NOTE_VA		0x801000ULL
#define	TEXT_VA		0x801100ULL
#define	BTEXT		0x8f9000ULL	/* the real entry point */
#define	RODATA_VA	0x1500000ULL
#define	DATA_VA		0x1900000ULL
#define	BSS_VA		0x1ab7b00ULL	/* real .bss */
#define	BSS_END		0x1e00000ULL

#define	PCB_SIZE	0xc0		/* real sizeof(dumppcb) */
#define	IDLEPDPT_PA	0x1ff000ULL	/* the PDPT, in the image area */
#define	IDLEPTD_VA	0x1d97000ULL	/* full non-PAE models: IdlePTD */
#define	DUMPAVAIL_VA	0x1d98000ULL	/* full PAE models: dump_avail */

/*
 * Symbols of a FreeBSD 13 i386 kernel (addresses as published with LLVM's
 * LLDB FreeBSDKernel tests), then those a newer kernel has, at free
 * addresses of the same sections.
 */
static const struct gsym i386_syms[] = {
	{ "kernbase", KERNBASE, 0, GS_NOTYPE, 1, SEC_ABS },
	{ "dumppcb", 0x1d2d9a0ULL, PCB_SIZE, GS_OBJECT, 0, SEC_BSS },
	{ "hz", 0x1d4053cULL, 4, GS_OBJECT, 1, SEC_BSS },
	{ "IdlePDPT", 0x1d8b044ULL, 4, GS_OBJECT, 1, SEC_BSS },
	/* Newer-kernel symbols at free addresses. */
	{ "btext", BTEXT, 0x40, GS_FUNC, 1, SEC_TEXT },
	GEN_OFFSET_SYMS(RODATA_VA),
	{ "version", DATA_VA + 0x1000, 256, GS_OBJECT, 1, SEC_DATA },
	{ "osreldate", DATA_VA + 0x1200, 4, GS_OBJECT, 1, SEC_DATA },
	{ "time_second", DATA_VA + 0x1208, 4, GS_OBJECT, 1, SEC_DATA },
	{ "panicstr", 0x1d90000ULL, 4, GS_OBJECT, 1, SEC_BSS },
	{ "msgbufp", 0x1d90004ULL, 4, GS_OBJECT, 1, SEC_BSS },
	{ "stopped_cpus", 0x1d90020ULL, 16, GS_OBJECT, 1, SEC_BSS },
	{ "mp_maxid", 0x1d90040ULL, 4, GS_OBJECT, 1, SEC_BSS },
	{ "mp_ncpus", 0x1d90044ULL, 4, GS_OBJECT, 1, SEC_BSS },
	{ "pidhashtbl", 0x1d90048ULL, 4, GS_OBJECT, 1, SEC_BSS },
	{ "pidhash", 0x1d9004cULL, 4, GS_OBJECT, 1, SEC_BSS },
	{ "allproc", 0x1d90050ULL, 4, GS_OBJECT, 1, SEC_BSS },
	{ "dumptid", 0x1d90054ULL, 4, GS_OBJECT, 1, SEC_BSS },
	{ "cpuid_to_pcpu", 0x1d90080ULL, 0x80, GS_OBJECT, 1, SEC_BSS },
	{ "__pcpu", 0x1d91000ULL, 0x2000, GS_OBJECT, 1, SEC_BSS },
	{ "stoppcbs", 0x1d94000ULL, 32 * PCB_SIZE, GS_OBJECT, 1, SEC_BSS },
	{ "panic_buf", 0x1d96000ULL, 256, GS_OBJECT, 0, SEC_BSS },
};

struct i386m {
	bool		 pae;
	uint64_t	 nbpdr;		/* KVA per page-table page */
	unsigned	 esz;		/* PTE size */
};

static const struct i386m *
im(const struct model *m)
{
	return (m->archdata);
}

static int
i386_map4k(struct model *m, uint64_t va, uint64_t pa)
{
	if (va < KERNBASE || va >= KVA_MAX)
		return (-1);
	return (model_map(m, va, pa, 1, MK_4K));
}

static int
i386_build_common(struct model *m, bool pae, char *err, size_t errlen)
{
	struct i386m *a;
	uint64_t cur, pa, i, heap, hole, nb, nobj;

	a = calloc(1, sizeof(*a));
	if (a == NULL)
		goto nomem;
	m->archdata = a;
	a->pae = pae;
	a->esz = pae ? 8 : 4;
	a->nbpdr = pae ? 0x200000 : 0x400000;
	nb = a->nbpdr;
	/* The image: VA = PA, large pages from KERNBASE. */
	for (cur = KERNBASE; cur < KERN_END_PA; cur += nb)
		if (model_map(m, cur, cur, nb / GPAGE, MK_2M) != 0)
			goto nomem;
	/* Preloaded modules: 4 KiB pages right after the image. */
	cur = KERN_END_PA;
	if (gen_map_heap(m, &cur, 200 + m->p.seed % 64, 0x30d, nb, true) != 0)
		goto nomem;
	/* The message buffer: pmap_bootstrap maps it at its address. */
	cur = gen_roundup2(cur, nb);
	if (m->msgbuf_pa < cur || m->msgbuf_pa + MSGBUF_REGION > KVA_MAX) {
		snprintf(err, errlen, "model bug: message buffer at %#" PRIx64
		    " collides with the kernel map", m->msgbuf_pa);
		return (-1);
	}
	for (i = 0; i < MSGBUF_REGION; i += GPAGE)
		if (i386_map4k(m, m->msgbuf_pa + i, m->msgbuf_pa + i) != 0)
			goto nomem;
	/* The kernel heap, above the message buffer. */
	cur = gen_roundup2(m->msgbuf_pa + MSGBUF_REGION, nb) + nb;
	heap = gen_ram_pages(m) * 6 / 100;
	if (gen_map_heap(m, &cur, heap / 2, 0x4ea9, nb, true) != 0)
		goto nomem;
	/* A hole of two invalid page-directory entries. */
	cur = gen_roundup2(cur, nb) + 2 * nb;
	if (gen_map_heap(m, &cur, heap - heap / 2, 0x4eaa, nb, true) != 0)
		goto nomem;
	/*
	 * Device memory (never dumped): local APIC, HPET, I/O APIC, a page in
	 * a hole between RAM ranges, the highest frame a PTE holds; then
	 * PG_NODUMP RAM.
	 */
	hole = m->avail[3];
	{
		const uint64_t dev[] = { 0xfee00000ULL, 0xfed00000ULL,
		    0xfec00000ULL, hole + GPAGE,
		    pae ? 0x000ffffffffff000ULL : 0xfffff000ULL };

		for (i = 0; i < 5; i++, cur += GPAGE)
			if (i386_map4k(m, cur, dev[i]) != 0)
				goto nomem;
	}
	if (gen_map_nodump(m, &cur) != 0)
		goto nomem;
	cur += 4 * GPAGE;
	/* Pages for the world's heap objects (pid hash table etc.). */
	if (gen_map_misc(m, &cur) != 0)
		goto nomem;
	/* No direct map: KVA for the world's struct proc/thread pages. */
	cur += GPAGE;
	nobj = ((uint64_t)m->p.nthreads + 8) / 2 + 8;
	m->obj_va = cur;
	m->obj_end = cur + nobj * GPAGE;
	cur = m->obj_end;
	/* Kernel stacks: one guard page and one stack page per thread. */
	cur = gen_roundup2(cur, nb);
	m->kstack_va = cur;
	cur += world_kva_pages(&m->p) * GPAGE;
	/* The high RAM range, by large pages. */
	cur = gen_roundup2(cur, nb);
	pa = model_high_base(m);
	for (i = 0; i < 8 * 1024 * 1024; i += nb)
		if (model_map(m, cur + i, pa + i, nb / GPAGE, MK_2M) != 0)
			goto nomem;
	cur += 8 * 1024 * 1024;
	m->kva_end = gen_roundup2(cur, nb);
	if (m->kva_end > KVA_MAX) {
		snprintf(err, errlen, "model does not fit in the i386 kernel "
		    "address space (try less RAM or threads)");
		return (-1);
	}
	return (0);
nomem:
	snprintf(err, errlen, "model needs more RAM (%" PRIu64 " MiB is too "
	    "small for this layout)", m->p.ram_mib);
	return (-1);
}

static int
i386_build(struct model *m, char *err, size_t errlen)
{
	return (i386_build_common(m, false, err, errlen));
}

static int
i386pae_build(struct model *m, char *err, size_t errlen)
{
	return (i386_build_common(m, true, err, errlen));
}

/* dump_avail as the kernel holds it (64-bit pairs, 0-terminated). */
static size_t
gen_avail(const struct model *m, uint8_t *b)
{
	size_t i;

	memset(b, 0, sizeof(m->avail));
	for (i = 0; i < (size_t)m->navail * 2; i++)
		gen_put64(b + i * 8, m->avail[i]);
	return (sizeof(m->avail));
}

static int
i386_finish(struct model *m, char *err, size_t errlen)
{
	const struct gsym *s;
	uint8_t avail[sizeof(m->avail)];
	uint64_t root;

	/* A full dump: a non-PAE kernel finds its page directory here. */
	if (m->p.full && !im(m)->pae) {
		if (model_addsym(m, "IdlePTD", IDLEPTD_VA, 4, GS_OBJECT,
		    SEC_BSS) != 0)
			goto fail;
		m->syms[m->nsyms - 1].global = 1;
	}
	/*
	 * A full PAE dump's ELF32 headers cut chunks above 4 GiB to 32 bits;
	 * the kernel's dump_avail (64-bit vm_paddr_t pairs) has them whole.
	 */
	if (m->p.full && im(m)->pae) {
		if (model_addsym(m, "dump_avail", DUMPAVAIL_VA,
		    sizeof(m->avail), GS_OBJECT, SEC_BSS) != 0)
			goto fail;
		m->syms[m->nsyms - 1].global = 1;
	}
	if (gen_finish_image(m, NOTE_VA, BSS_VA, BSS_END, &s) != 0)
		goto fail;
	if (gen_patch_sym(m, "hz", 1000, 4) != 0 ||
	    gen_patch_sym(m, "osreldate", 1302000, 4) != 0 ||
	    gen_patch_sym(m, "time_second", (uint32_t)m->dumptime, 4) != 0 ||
	    gen_patch_sym(m, "panicstr", (uint32_t)s->va, 4) != 0 ||
	    gen_patch_sym(m, "msgbufp", (uint32_t)model_msgbufp(m), 4) != 0 ||
	    gen_patch_sym(m, "IdlePDPT", IDLEPDPT_PA, 4) != 0)
		goto fail;
	/* A full dump has no page-table section: real tables in memory. */
	if (m->p.full) {
		if (gen_i386_fullpt(m, KERNBASE, KVA_MAX, im(m)->pae,
		    IDLEPDPT_PA, &root) != 0)
			goto fail;
		if (!im(m)->pae && gen_patch_sym(m, "IdlePTD", root, 4) != 0)
			goto fail;
		if (im(m)->pae && model_patch_va(m, DUMPAVAIL_VA, avail,
		    gen_avail(m, avail)) != 0)
			goto fail;
	}
	return (0);
fail:
	snprintf(err, errlen, "model bug: cannot patch the kernel image");
	return (-1);
}

static uint64_t
i386_pmap_size(const struct model *m)
{
	return ((m->kva_end - KERNBASE) / im(m)->nbpdr * GPAGE);
}

/*
 * One page-table page per page-directory entry from KERNBASE: the real
 * PTEs of 4 KiB mappings, synthetic ones (PG_V | PG_RW | PG_A | PG_M) for
 * a large page, zeros for an invalid entry.
 */
static void
i386_pmap_page(const struct model *m, uint64_t i, uint8_t *page)
{
	const struct i386m *a = im(m);

	gen_flat_pmap_page(m, KERNBASE, a->nbpdr, a->esz,
	    PG_V | PG_RW | PG_A | PG_M, PG_G | (a->pae ? PG_NX : 0), i, page);
}

static void
i386_header(const struct model *m, uint8_t *page)
{
	bool sparse;

	sparse = model_sparse(m);
	/* BITSET of 32-bit longs (v2); bytes of the pfn bitmap (v1). */
	gen_header_start(m, page, "minidump FreeBSD/i386", 32, sparse);
	gen_put32(page + 36, (uint32_t)i386_pmap_size(m));
	gen_put32(page + 40, (uint32_t)KERNBASE);
	gen_put32(page + 44, im(m)->pae ? 1 : 0);
	if (sparse)
		gen_put32(page + 48, (uint32_t)GPAGE);
}

/*
 * The pcb (FreeBSD 10.2 and later): edi, esi, ebp, esp, ebx, eip first.
 * The model's registers map as esi = r12, edi = r13 (low 32 bits).
 */
static void
i386_pcb(const struct model *m, const struct gthread *t, uint8_t *b)
{
	(void)m;
	memset(b, 0, PCB_SIZE);
	gen_put32(b + 0, (uint32_t)t->r13);
	gen_put32(b + 4, (uint32_t)t->r12);
	gen_put32(b + 8, (uint32_t)t->rbp);
	gen_put32(b + 12, (uint32_t)t->rsp);
	gen_put32(b + 16, (uint32_t)t->rbx);
	gen_put32(b + 20, (uint32_t)t->rip);
}

/*
 * struct trapframe (sys/i386/include/frame.h): fs es ds edi esi ebp isp ebx
 * edx ecx eax trapno err eip cs eflags, then esp and ss only from user
 * mode.  Stubs push a pointer to it ("pushl %esp") before the call, none
 * (Xcpustop) or three arguments (fork_trampoline).
 */
#define	TF_KERN		64
#define	TF_USER		72
#define	TF_EFLAGS_K	0x10282

static uint64_t
i386_tf_place(const struct model *m, struct gtrap *g, uint64_t sp)
{
	bool user = g->kind == GT_SYSCALL || g->kind == GT_KTHREAD;
	int nargs;

	(void)m;
	g->tf = (sp - (user ? TF_USER : TF_KERN)) & ~(uint64_t)3;
	nargs = strcmp(g->stub, "Xcpustop") == 0 ? 0 :
	    strcmp(g->stub, "fork_trampoline") == 0 ? 3 : 1;
	g->fr = g->tf - 8 - 4 * (uint64_t)nargs;
	if (g->kind == GT_SYSCALL)
		return (g->ufp);
	if (g->kind == GT_KTHREAD)
		return (0);
	return (g->ctx->rbp);
}

static void
i386_tfbytes(const struct model *m, const struct gtrap *g, uint8_t *b,
    uint64_t va)
{
	const struct gthread *c = g->ctx;
	uint8_t *p = b + (g->tf - va);
	int i;

	memset(p, 0, g->kind == GT_SYSCALL || g->kind == GT_KTHREAD ?
	    TF_USER : TF_KERN);
	if (g->fr + 8 < g->tf)				/* "pushl %esp" */
		gen_put32(p - 4, (uint32_t)g->tf);
	if (g->kind == GT_KTHREAD)
		return;
	if (g->kind == GT_SYSCALL) {
		for (i = 0; i < 11; i++)
			gen_put32(p + 4 * i, (uint32_t)model_hash(m->p.seed ^
			    (0x5e0 + (uint64_t)i), g->upc));
		gen_put32(p + 0, 0x3b);
		gen_put32(p + 4, 0x3b);
		gen_put32(p + 8, 0x3b);
		gen_put32(p + 20, (uint32_t)g->ufp);
		gen_put32(p + 40, (uint32_t)g->syscall);	/* eax */
		gen_put32(p + 44, 0);
		gen_put32(p + 52, (uint32_t)g->upc);
		gen_put32(p + 56, 0x33);			/* user %cs */
		gen_put32(p + 60, 0x202);
		gen_put32(p + 64, (uint32_t)g->usp);
		gen_put32(p + 68, 0x3b);
		return;
	}
	gen_put32(p + 0, 0x08);
	gen_put32(p + 4, 0x28);
	gen_put32(p + 8, 0x28);
	gen_put32(p + 12, (uint32_t)c->r13);		/* edi */
	gen_put32(p + 16, (uint32_t)c->r12);		/* esi */
	gen_put32(p + 20, (uint32_t)c->rbp);
	gen_put32(p + 24, (uint32_t)g->tf + 44);	/* pushal's esp */
	gen_put32(p + 28, (uint32_t)c->rbx);
	gen_put32(p + 32, (uint32_t)gen_treg(m, c, 0));	/* edx */
	gen_put32(p + 36, (uint32_t)gen_treg(m, c, 1));	/* ecx */
	gen_put32(p + 40, (uint32_t)gen_treg(m, c, 2));	/* eax */
	gen_put32(p + 44, g->kind == GT_FAULT ? 12 : 0);
	gen_put32(p + 52, (uint32_t)c->rip);
	gen_put32(p + 56, 0x20);
	gen_put32(p + 60, TF_EFLAGS_K);
}

/*
 * What the core must say for thread t: the pcb's registers and kgdb's
 * kernel selectors, at their places in the FreeBSD struct reg (19 u32)
 * and the Linux pr_reg (ebx ecx edx esi edi ebp eax ds es fs gs orig_eax
 * eip cs eflags esp ss).
 */
static int
i386_regs(const struct model *m, const struct gthread *t, struct gen_reg *r)
{
	static const struct { const char *name; uint32_t off, loff; } l[] = {
		{ "eip", 52, 48 }, { "esp", 64, 60 }, { "ebp", 20, 20 },
		{ "ebx", 28, 0 }, { "esi", 16, 12 }, { "edi", 12, 16 },
		{ "cs", 56, 52 }, { "ss", 68, 64 }, { "ds", 8, 28 },
		{ "es", 4, 32 }, { "fs", 0, 36 }, { "gs", 72, 40 },
		{ "eflags", 60, 56 },
	};
	const uint64_t v[] = { t->rip, t->rsp, t->rbp, t->rbx, t->r12, t->r13,
	    0x20, 0x28, 0x28, 0x28, 0x08, 0x28,
	    t->trap ? TF_EFLAGS_K : 0x202 };
	/* A trap frame's scratch registers: edx, ecx, eax. */
	static const struct { const char *name; uint32_t off, loff; } x[] = {
		{ "edx", 32, 8 }, { "ecx", 36, 4 }, { "eax", 40, 24 },
	};
	int i, j;

	for (i = 0; i < (int)(sizeof(l) / sizeof(l[0])); i++) {
		r[i].name = l[i].name;
		r[i].off = l[i].off;
		r[i].loff = l[i].loff;
		r[i].size = 4;
		r[i].value = v[i] & 0xffffffffULL;
	}
	for (j = 0; t->trap && j < 3; j++, i++) {
		r[i].name = x[j].name;
		r[i].off = x[j].off;
		r[i].loff = x[j].loff;
		r[i].size = 4;
		r[i].value = gen_treg(m, t, j) & 0xffffffffULL;
	}
	return (i);
}

/*
 * push %ebp; mov %esp,%ebp; sub $0x18,%esp; calls (e8 rel32) at 0x10 +
 * 0x10 k; nops; leave; ret.
 */
static void
i386_funccode(uint64_t va, uint64_t size, const uint64_t *calls, int ncalls,
    uint8_t *b)
{
	static const uint8_t pro[] = { 0x55, 0x89, 0xe5, 0x83, 0xec, 0x18 };
	uint64_t site;
	int k;

	memset(b, 0x90, size);
	memcpy(b, pro, sizeof(pro));
	for (k = 0; k < ncalls; k++) {
		site = 0x10 + 0x10 * (uint64_t)k;
		b[site] = 0xe8;
		gen_put32(b + site + 1, (uint32_t)(calls[k] - (va + site + 5)));
	}
	b[size - 2] = 0xc9;
	b[size - 1] = 0xc3;
}

#define	I386_COMMON							\
	.machine_arch = "i386",						\
	.kdh_archver = 2,						\
	.minver = 1,							\
	.maxver = 2,							\
	.ptrsize = 4,							\
	.elfclass = 1,		/* ELFCLASS32 */			\
	.elfmachine = 3,	/* EM_386 */				\
	.elfosabi = 9,		/* ELFOSABI_FREEBSD */			\
	.dmapbase = 0,							\
	.dmapend = 0,							\
	.sec_start = { 0, NOTE_VA, TEXT_VA, RODATA_VA, DATA_VA, BSS_VA }, \
	.sec_end = { 0, NOTE_VA + 36, RODATA_VA, DATA_VA, BSS_VA, BSS_END }, \
	.kern_pa_off = 0,						\
	.kern_end_pa = KERN_END_PA,					\
	.entry = BTEXT,							\
	.syms = i386_syms,						\
	.nsyms = sizeof(i386_syms) / sizeof(i386_syms[0]),		\
	.map4k = i386_map4k,						\
	.finish = i386_finish,						\
	.header = i386_header,						\
	.pmap_size = i386_pmap_size,					\
	.pmap_page = i386_pmap_page,					\
	.pcb = i386_pcb,						\
	.pcb_size = PCB_SIZE,						\
	.funccode = i386_funccode,					\
	.call_off0 = 0x10,						\
	.call_stride = 0x10,						\
	.call_len = 5,							\
	.hostile = NULL,						\
	.sparse_minver = 2,						\
	.availsize_off = 48,						\
	.regs = i386_regs,						\
	.tf_place = i386_tf_place,					\
	.tfbytes = i386_tfbytes,					\
	.gregsz = 76,							\
	.linux_gregsz = 68

const struct gen_arch gen_arch_i386 = {
	.name = "i386",
	I386_COMMON,
	.build = i386_build,
};

/* PAE: 8-byte PTEs, 2 MiB pages, the high RAM range above 4 GiB. */
const struct gen_arch gen_arch_i386pae = {
	.name = "i386pae",
	I386_COMMON,
	.build = i386pae_build,
	.high_min = 0x140000000ULL,
};
