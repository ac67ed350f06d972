/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * gen_arm64.c: the arm64 part of the test generator's model ("arm64" with
 * 4 KiB pages, "arm64-16k" with 16 KiB pages): RAM from 1 GiB up as on
 * QEMU's virt board, the direct map of it (dmapphys = 1 GiB), the kernel
 * image by L2 blocks, 4 KiB (16 KiB) L3 module, heap and world pages,
 * device and PG_NODUMP mappings, an L1 block (an L2 block with 16 KiB
 * pages) over the high RAM range; the minidump header of versions 1, 2 and
 * 3 and the flat L3 section as sys/arm64/arm64/minidump_machdep.c writes
 * them (blocks expanded into synthetic L3 pages); the real symbol
 * addresses of a FreeBSD 13 arm64 kernel plus the thread symbols a newer
 * kernel exports; both pcb layouts (12.x/13.x for versions 1 and 2, 14 and
 * later for version 3, told apart by osreldate); arm64 machine code.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "world.h"
#include "gen_arm64.h"
#include "gen_common.h"

#define	KVA_MIN		0xffff000000000000ULL	/* VM_MIN_KERNEL_ADDRESS */
#define	DMAP_MIN	0xffffa00000000000ULL
#define	DMAP_MAX	0xffffff0000000000ULL
#define	PHYS_BASE	0x40000000ULL		/* RAM and DMAP_MIN_PHYSADDR */
#define	KERN_END_PA	(PHYS_BASE + 0x2000000ULL)
#define	GIB		0x40000000ULL

/* L3 descriptor bits. */
#define	L3_PAGE		0x3ULL
#define	ATTR_IDX_WB	(0ULL << 2)
#define	ATTR_SH_IS	(3ULL << 8)
#define	ATTR_AF		(1ULL << 10)
#define	ATTR_NG		(1ULL << 11)
#define	ATTR_DBM	(1ULL << 51)
#define	ATTR_PXN	(1ULL << 53)
#define	ATTR_UXN	(1ULL << 54)
#define	ATTR_SW_WIRED	(1ULL << 55)

#define	NOTE_VA		0xffff000000000100ULL
#define	TEXT_VA		0xffff000000000800ULL	/* the real entry point */
#define	RODATA_VA	0xffff000000800000ULL
#define	DATA_VA		0xffff000000a00000ULL
#define	BSS_VA		0xffff000000c35000ULL	/* real .bss */
#define	BSS_END		0xffff000001000000ULL

#define	PCB_SIZE	0x560		/* real sizeof(dumppcb), 13.x */

/*
 * Symbols of a FreeBSD 13 arm64 kernel (addresses as published with LLVM's
 * LLDB FreeBSDKernel tests), then those a newer kernel has, at free
 * addresses of the same sections.
 */
static const struct gsym arm64_syms[] = {
	{ "kernbase", KVA_MIN, 0, GS_NOTYPE, 1, SEC_ABS },
	{ "dumppcb", 0xffff000000df3790ULL, PCB_SIZE, GS_OBJECT, 0, SEC_BSS },
	{ "hz", 0xffff000000e2651cULL, 4, GS_OBJECT, 1, SEC_BSS },
	/* Newer-kernel symbols at free addresses. */
	{ "btext", TEXT_VA, 0x40, GS_FUNC, 1, SEC_TEXT },
	GEN_OFFSET_SYMS(RODATA_VA),
	{ "version", DATA_VA + 0x1000, 256, GS_OBJECT, 1, SEC_DATA },
	{ "osreldate", DATA_VA + 0x1200, 4, GS_OBJECT, 1, SEC_DATA },
	{ "time_second", DATA_VA + 0x1208, 8, GS_OBJECT, 1, SEC_DATA },
	{ "panicstr", 0xffff000000fc0000ULL, 8, GS_OBJECT, 1, SEC_BSS },
	{ "msgbufp", 0xffff000000fc0008ULL, 8, GS_OBJECT, 1, SEC_BSS },
	{ "stopped_cpus", 0xffff000000fc0020ULL, 32, GS_OBJECT, 1, SEC_BSS },
	{ "mp_maxid", 0xffff000000fc0040ULL, 4, GS_OBJECT, 1, SEC_BSS },
	{ "mp_ncpus", 0xffff000000fc0044ULL, 4, GS_OBJECT, 1, SEC_BSS },
	{ "pidhashtbl", 0xffff000000fc0048ULL, 8, GS_OBJECT, 1, SEC_BSS },
	{ "pidhash", 0xffff000000fc0050ULL, 8, GS_OBJECT, 1, SEC_BSS },
	{ "allproc", 0xffff000000fc0058ULL, 8, GS_OBJECT, 1, SEC_BSS },
	{ "dumptid", 0xffff000000fc0060ULL, 4, GS_OBJECT, 1, SEC_BSS },
	{ "cpuid_to_pcpu", 0xffff000000fc0080ULL, 0x800, GS_OBJECT, 1,
	    SEC_BSS },
	{ "__pcpu", 0xffff000000fc1000ULL, 0x2000, GS_OBJECT, 1, SEC_BSS },
	{ "stoppcbs", 0xffff000000fc4000ULL, 256 * PCB_SIZE, GS_OBJECT, 1,
	    SEC_BSS },
	{ "panic_buf", 0xffff000000ff0000ULL, 256, GS_OBJECT, 0, SEC_BSS },
};

struct a64m {
	uint64_t	 l2size;	/* KVA per L3 table (2 MiB, 32 MiB) */
};

static uint64_t
l2size(void)
{
	return (GPAGE / 8 * GPAGE);
}

static int
arm64_map4k(struct model *m, uint64_t va, uint64_t pa)
{
	if (va < KVA_MIN || va >= DMAP_MIN)
		return (-1);
	return (model_map(m, va, pa, 1, MK_4K));
}

static int
arm64_build(struct model *m, char *err, size_t errlen)
{
	uint64_t cur, i, heap, hole, l2, blk;

	l2 = l2size();
	m->archdata = calloc(1, sizeof(struct a64m));
	if (m->archdata == NULL)
		goto nomem;
	/* The image: L2 blocks from VM_MIN_KERNEL_ADDRESS. */
	for (i = 0; i < KERN_END_PA - PHYS_BASE; i += l2)
		if (model_map(m, KVA_MIN + i, PHYS_BASE + i, l2 / GPAGE,
		    MK_2M) != 0)
			goto nomem;
	/* Preloaded modules: L3 pages right after the image. */
	cur = KVA_MIN + (KERN_END_PA - PHYS_BASE);
	if (gen_map_heap(m, &cur, 200 + m->p.seed % 64, 0x30d, l2, true) != 0)
		goto nomem;
	/* The kernel heap, with a hole of two invalid L2 entries. */
	cur = gen_roundup2(cur, l2) + l2;
	heap = gen_ram_pages(m) * 6 / 100;
	if (gen_map_heap(m, &cur, heap / 2, 0x4ea9, l2, true) != 0)
		goto nomem;
	cur = gen_roundup2(cur, l2) + 2 * l2;
	if (gen_map_heap(m, &cur, heap - heap / 2, 0x4eaa, l2, true) != 0)
		goto nomem;
	/*
	 * Device memory (never dumped): the GIC and UART of QEMU's virt
	 * board, a page in a hole between RAM ranges and the highest frame
	 * an L3 descriptor holds; then PG_NODUMP RAM.
	 */
	hole = m->avail[3];
	{
		const uint64_t dev[] = { 0x08000000ULL, 0x09000000ULL,
		    gen_roundup2(hole + 1, GPAGE),
		    ~0xfffc000000000fffULL & ~(GPAGE - 1) };

		for (i = 0; i < 4; i++, cur += GPAGE)
			if (arm64_map4k(m, cur, dev[i]) != 0)
				goto nomem;
	}
	if (gen_map_nodump(m, &cur) != 0)
		goto nomem;
	cur += 4 * GPAGE;
	if (gen_map_misc(m, &cur) != 0)
		goto nomem;
	/* Kernel stacks: one guard page and one stack page per thread. */
	cur = gen_roundup2(cur, l2);
	m->kstack_va = cur;
	cur += world_kva_pages(&m->p) * GPAGE;
	/*
	 * The high RAM range: an L1 block (1 GiB) with 4 KiB pages, an L2
	 * block (32 MiB) with 16 KiB pages.
	 */
	blk = GPAGE == 4096 ? GIB : l2;
	cur = gen_roundup2(cur, blk);
	if (model_map(m, cur, model_high_base(m), blk / GPAGE,
	    blk == GIB ? MK_1G : MK_2M) != 0)
		goto nomem;
	cur += blk;
	m->kva_end = gen_roundup2(cur, l2);
	return (0);
nomem:
	snprintf(err, errlen, "model needs more RAM (%" PRIu64 " MiB is too "
	    "small for this layout)", m->p.ram_mib);
	return (-1);
}

/* __FreeBSD_version of the model kernel: 13.2 for v1/v2, 14.1 for v3. */
static uint32_t
osreldate(const struct model *m)
{
	return (m->p.version >= 3 ? 1401000 : 1302000);
}

static int
arm64_finish(struct model *m, char *err, size_t errlen)
{
	const struct gsym *s;

	if (gen_finish_image(m, NOTE_VA, BSS_VA, BSS_END, &s) != 0)
		goto fail;
	if (gen_patch_sym(m, "hz", 1000, 4) != 0 ||
	    gen_patch_sym(m, "osreldate", osreldate(m), 4) != 0 ||
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
arm64_pmap_size(const struct model *m)
{
	return ((m->kva_end - KVA_MIN) / l2size() * GPAGE);
}

/*
 * One L3 table per L2 entry from VM_MIN_KERNEL_ADDRESS: the real L3
 * descriptors of page mappings (with upper attributes the reader must
 * mask), synthetic ones (pa | ATTR_AF | shareability | L3_PAGE) for
 * blocks, zeros for an invalid entry.
 */
static void
arm64_pmap_page(const struct model *m, uint64_t i, uint8_t *page)
{
	gen_flat_pmap_page(m, KVA_MIN, l2size(), 8,
	    ATTR_AF | ATTR_SH_IS | ATTR_IDX_WB | L3_PAGE,
	    ATTR_NG | ATTR_DBM | ATTR_PXN | ATTR_UXN | ATTR_SW_WIRED, i, page);
}

static void
arm64_header(const struct model *m, uint8_t *page)
{
	gen_header_start(m, page, "minidump FreeBSD/arm64", 64,
	    model_sparse(m));
	gen_put32(page + 36, (uint32_t)arm64_pmap_size(m));
	gen_put64(page + 40, KVA_MIN);
	gen_put64(page + 48, m->arch->dmapphys);
	gen_put64(page + 56, DMAP_MIN);
	gen_put64(page + 64, DMAP_MAX);
	if (m->p.version >= 2)
		gen_put32(page + 72, (uint32_t)GPAGE);
	if (m->p.version >= 3)
		gen_put32(page + 76, GPAGE == 16384 ? 1 : 0);
}

uint64_t
arm64_model_xreg(const struct model *m, const struct gthread *t, int n)
{
	switch (n) {
	case 19:
		return (t->rbx);
	case 20:
		return (t->r12);
	case 21:
		return (t->r13);
	case 22:
		return (t->r14);
	case 23:
		return (t->r15);
	case 29:
		return (t->rbp);
	case 30:
		return (t->lr != 0 ? t->lr : t->rip);
	default:
		return (model_hash(m->p.seed ^ (0xa6400 + (uint64_t)n),
		    (uint64_t)(uint32_t)t->tid));
	}
}

bool
arm64_model_newpcb(const struct model *m)
{
	return (osreldate(m) >= 1400084);
}

/*
 * The pcb: FreeBSD 14 and later save x19..x30 (pcb_x[12]) and pcb_sp at
 * 96; 12.x/13.x save pcb_x[31] (x0..x30), pcb_pc (left 0) at 248, pcb_sp
 * at 256.
 */
static void
arm64_pcb(const struct model *m, const struct gthread *t, uint8_t *b)
{
	int n;

	memset(b, 0, PCB_SIZE);
	if (arm64_model_newpcb(m)) {
		for (n = 19; n <= 30; n++)
			gen_put64(b + (n - 19) * 8, arm64_model_xreg(m, t, n));
		gen_put64(b + 96, t->rsp);
	} else {
		for (n = 0; n <= 30; n++)
			gen_put64(b + n * 8, arm64_model_xreg(m, t, n));
		gen_put64(b + 256, t->rsp);
	}
}

/*
 * struct trapframe (sys/arm64/include/frame.h): tf_sp, tf_lr, tf_elr, then
 * u32 tf_spsr and tf_esr and tf_x[30] up to 13.x (272 bytes); 14.x widens
 * spsr and esr and adds tf_far (288 bytes), as the model's pcb follows
 * 14.x.  save_registers puts the frame TF_SIZE + 16 below the stack (and
 * 128 bytes lower for an exception from EL1), keeps a frame record {x29,
 * lr} of the interrupted code right above it and points x29 there before
 * calling C code.
 */
#define	TF_X_OLD	32
#define	TF_X_NEW	48
#define	SPSR_EL1H	0x60000005ULL
#define	ESR_DABORT	0x96000047ULL	/* EC 0x25, IL, write, L3 fault */
#define	ESR_SVC		0x56000000ULL	/* EC 0x15, IL */

static uint64_t
arm64_tf_size(const struct model *m)
{
	return (arm64_model_newpcb(m) ? 288 : 272);
}

static uint64_t
arm64_tf_place(const struct model *m, struct gtrap *g, uint64_t sp)
{
	uint64_t size = arm64_tf_size(m);
	bool el0 = g->kind == GT_SYSCALL || g->kind == GT_KTHREAD;

	g->tf = (sp - (el0 ? 0 : 128) - 16 - size) & ~(uint64_t)15;
	g->fr = g->tf - 32;	/* the callee's stp x29, x30, [sp, #-32]! */
	return (g->tf + size);
}

static void
arm64_tfbytes(const struct model *m, const struct gtrap *g, uint8_t *b,
    uint64_t va)
{
	const struct gthread *c = g->ctx;
	uint64_t size = arm64_tf_size(m), xo;
	uint8_t *p = b + (g->tf - va);
	bool nw = arm64_model_newpcb(m);
	int n;

	memset(p, 0, size + 16);
	if (g->kind == GT_KTHREAD)
		return;
	xo = nw ? TF_X_NEW : TF_X_OLD;
	if (g->kind == GT_SYSCALL) {
		for (n = 0; n < 29; n++)
			gen_put64(p + xo + 8 * n, model_hash(m->p.seed ^
			    (0x5e0 + (uint64_t)n), g->upc));
		gen_put64(p + xo + 8 * 8, (uint64_t)g->syscall);
		gen_put64(p + xo + 8 * 29, g->ufp);
		gen_put64(p + 0, g->usp);
		gen_put64(p + 8, g->upc + 0x40);	/* lr */
		gen_put64(p + 16, g->upc);
		if (nw)
			gen_put64(p + 32, ESR_SVC);	/* spsr 0: EL0t */
		else
			gen_put32(p + 28, (uint32_t)ESR_SVC);
		gen_put64(p + size, g->ufp);
		gen_put64(p + size + 8, g->upc + 0x40);
		return;
	}
	for (n = 0; n <= 29; n++)
		gen_put64(p + xo + 8 * n, arm64_model_xreg(m, c, n));
	gen_put64(p + 0, c->rsp);
	gen_put64(p + 8, arm64_model_xreg(m, c, 30));
	gen_put64(p + 16, c->rip);
	if (nw) {
		gen_put64(p + 24, SPSR_EL1H);
		gen_put64(p + 32, g->kind == GT_FAULT ? ESR_DABORT : 0);
		gen_put64(p + 40, g->addr);
	} else {
		gen_put32(p + 24, (uint32_t)SPSR_EL1H);
		gen_put32(p + 28, g->kind == GT_FAULT ?
		    (uint32_t)ESR_DABORT : 0);
	}
	gen_put64(p + size, c->rbp);
	gen_put64(p + size + 8, arm64_model_xreg(m, c, 30));
}

/*
 * What the core must say for thread t, at its place in the FreeBSD struct
 * reg (x0-x29, lr, sp, elr, spsr) and the Linux pr_reg (x0-x30, sp, pc,
 * pstate): the pcb's registers (x0-x18 only in the 12.x/13.x layout, which
 * saves them), pc = the saved lr.
 */
static int
arm64_regs(const struct model *m, const struct gthread *t, struct gen_reg *r)
{
	static const char *const xn[] = { "x0", "x1", "x2", "x3", "x4", "x5",
	    "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
	    "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23", "x24",
	    "x25", "x26", "x27", "x28", "fp", "lr" };
	int i, n;

	n = 0;
	for (i = arm64_model_newpcb(m) && !t->trap ? 19 : 0; i <= 30;
	    i++, n++) {
		r[n].name = xn[i];
		r[n].off = r[n].loff = (uint32_t)i * 8;
		r[n].size = 8;
		r[n].value = arm64_model_xreg(m, t, i);
	}
	r[n].name = "sp";
	r[n].off = r[n].loff = 248;
	r[n].size = 8;
	r[n].value = t->rsp;
	n++;
	r[n].name = "pc";
	r[n].off = r[n].loff = 256;
	r[n].size = 8;
	r[n].value = t->rip;
	return (n + 1);
}

/*
 * stp x29, x30, [sp, #-32]!; mov x29, sp; bl at 0x10 + 0x10 k; nops;
 * ldp x29, x30, [sp], #32; ret.
 */
static void
arm64_funccode(uint64_t va, uint64_t size, const uint64_t *calls,
    int ncalls, uint8_t *b)
{
	uint64_t site, i;
	int k;

	for (i = 0; i + 4 <= size; i += 4)
		gen_put32(b + i, 0xd503201f);		/* nop */
	gen_put32(b + 0, 0xa9be7bfd);
	gen_put32(b + 4, 0x910003fd);
	for (k = 0; k < ncalls; k++) {
		site = 0x10 + 0x10 * (uint64_t)k;
		gen_put32(b + site, 0x94000000 |
		    (uint32_t)(((calls[k] - (va + site)) >> 2) & 0x3ffffff));
	}
	gen_put32(b + size - 8, 0xa8c27bfd);
	gen_put32(b + size - 4, 0xd65f03c0);
}

#define	ARM64_COMMON							\
	.machine_arch = "aarch64",					\
	.kdh_archver = 1,						\
	.ptrsize = 8,							\
	.elfclass = 2,		/* ELFCLASS64 */			\
	.elfmachine = 183,	/* EM_AARCH64 */			\
	.elfosabi = 0,		/* as the real arm64 kernel */		\
	.dmapbase = DMAP_MIN,						\
	.dmapend = DMAP_MAX,						\
	.dmapphys = PHYS_BASE,						\
	.phys_base = PHYS_BASE,						\
	.sec_start = { 0, NOTE_VA, TEXT_VA, RODATA_VA, DATA_VA, BSS_VA }, \
	.sec_end = { 0, NOTE_VA + 36, RODATA_VA, DATA_VA, BSS_VA, BSS_END }, \
	.kern_pa_off = KVA_MIN - PHYS_BASE,				\
	.kern_end_pa = KERN_END_PA,					\
	.entry = TEXT_VA,						\
	.syms = arm64_syms,						\
	.nsyms = sizeof(arm64_syms) / sizeof(arm64_syms[0]),		\
	.build = arm64_build,						\
	.map4k = arm64_map4k,						\
	.finish = arm64_finish,						\
	.header = arm64_header,						\
	.pmap_size = arm64_pmap_size,					\
	.pmap_page = arm64_pmap_page,					\
	.pcb = arm64_pcb,						\
	.pcb_size = PCB_SIZE,						\
	.funccode = arm64_funccode,					\
	.call_off0 = 0x10,						\
	.call_stride = 0x10,						\
	.call_len = 4,							\
	.hostile = NULL,						\
	.sparse_minver = 2,						\
	.availsize_off = 72,						\
	.regs = arm64_regs,						\
	.tf_place = arm64_tf_place,					\
	.tfbytes = arm64_tfbytes,					\
	.gregsz = 272,							\
	.linux_gregsz = 272

const struct gen_arch gen_arch_arm64 = {
	.name = "arm64",
	ARM64_COMMON,
	.minver = 1,
	.maxver = 3,
};

/* 16 KiB pages: minidump version 3 only. */
const struct gen_arch gen_arch_arm64_16k = {
	.name = "arm64-16k",
	ARM64_COMMON,
	.minver = 3,
	.maxver = 3,
	.pagesize = 16384,
};
