/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * arch_arm64.c: FreeBSD/arm64 minidumps (format versions 1, 2 and 3, 4 KiB
 * and 16 KiB pages) and arm64 register contexts.
 *
 * Header (little-endian): magic[24], version, msgbufsize, bitmapsize,
 * pmapsize (u32), kernbase, dmapphys, dmapbase, dmapend (u64 from 40),
 * dumpavailsize (u32 at 72, version 2 and later), flags (u32 at 76,
 * version 3: bits 0-1 give the page size).  The page-table section is a
 * flat array of 8-byte level-3 descriptors, one per page of KVA starting
 * at kernbase; the kernel has already expanded L1/L2 blocks into synthetic
 * L3 pages.  The direct map [dmapbase, dmapend) maps dmapphys upwards and
 * lies above kernbase, so it is tested first.
 */
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef EM_AARCH64
#define	EM_AARCH64	183
#endif

#include "md2elf_private.h"

/* struct minidumphdr (sys/arm64/include/minidump.h): after char magic[24]. */
#define	ARM64_MDH_VERSION	24
#define	ARM64_MDH_MSGBUFSIZE	28
#define	ARM64_MDH_BITMAPSIZE	32
#define	ARM64_MDH_PMAPSIZE	36
#define	ARM64_MDH_KERNBASE	40
#define	ARM64_MDH_DMAPPHYS	48
#define	ARM64_MDH_DMAPBASE	56
#define	ARM64_MDH_DMAPEND	64
#define	ARM64_MDH_AVAILSIZE	72	/* version 2 */
#define	ARM64_MDH_FLAGS		76	/* version 3: the page size */
#define	ARM64_HDR_V1		72
#define	ARM64_HDR_V2		76	/* + dumpavailsize */
#define	ARM64_HDR_V3		80	/* + flags */
#define	ARM64_FLAG_PS_MASK	0x3u
#define	ARM64_FLAG_PS_4K	0x0u
#define	ARM64_FLAG_PS_16K	0x1u
#define	ARM64_ATTR_MASK		0xfffc000000000fffull
#define	ARM64_DESCR_MASK	0x3ull
#define	ARM64_L3_PAGE		0x3ull

/* FreeBSD struct reg (arm64): x0-x29, lr, sp, elr, spsr. */
#define	R_X(n)		((n) * 8)
#define	R_LR		240
#define	R_SP		248
#define	R_ELR		256
#define	R_SPSR		264
#define	ARM64_GREGSZ	272
#define	ARM64_FPREGSZ	528	/* fp_q[32] (16 each), fp_sr, fp_cr, aligned */
#define	ARM64_LINUX_GREGSZ	272	/* x0-x30, sp, pc, pstate */
#define	ARM64_SPSR_KERN	0x3c5	/* EL1h, D, A, I, F masked */

/*
 * pcb layouts.  FreeBSD 14 (__FreeBSD_version 1400084) and later save
 * pcb_x[12] = x19..x30 at 0 and pcb_sp at 96; FreeBSD 12 and 13 save
 * pcb_x[31] = x0..x30 at 0, pcb_pc at 248 (not filled by a context
 * switch) and pcb_sp at 256.  Either way the saved x30 is the pc.
 */
#define	ARM64_OSREL_PCB_NEW	1400084

/*
 * struct trapframe (sys/arm64/include/frame.h).  Up to 13.x: tf_sp, tf_lr,
 * tf_elr, u32 tf_spsr, u32 tf_esr, tf_x[30] (272 bytes); 14.x adds tf_far
 * and widens spsr and esr (288 bytes).  exception.S's save_registers
 * points x29 at the end of the frame (where it keeps a frame record
 * {x29, lr} of the interrupted code) before calling C code, so the frame
 * is TF_SIZE below the frame pointer the callee saved.  The first release
 * with tf_far is taken to be the one whose pcb changed (UNVERIFIED).
 */
#define	ARM64_OSREL_TF_FAR	ARM64_OSREL_PCB_NEW
#define	TF_SP		0
#define	TF_LR		8
#define	TF_ELR		16
#define	TF_SPSR		24
#define	TF13_ESR	28
#define	TF13_X		32
#define	TF13_SIZE	272
#define	TF14_ESR	32
#define	TF14_FAR	40
#define	TF14_X		48
#define	TF14_SIZE	288
#define	PSR_M_MASK	0xfu		/* the mode: 0 EL0t, 4 EL1t, 5 EL1h */
#define	ESR_EC(esr)	(((esr) >> 26) & 0x3f)
#define	EC_SVC64	0x15
#define	SIGILL_		4
#define	SIGTRAP_	5
#define	SIGBUS_		10
#define	SIGSEGV_	11
#define	PCB_NEW_X19		0
#define	PCB_NEW_SP		96
#define	PCB_NEW_MIN		104
#define	PCB_OLD_SP		256
#define	PCB_OLD_MIN		264

static int
arm64_init(md2elf_t *d, const uint8_t *hdr, size_t hdrlen)
{
	struct m2e_minidump *md = &d->md;
	uint32_t version, flags;
	uint64_t nptes, pmask;
	bool has_avail;

	if (hdrlen < ARM64_HDR_V1)
		return (m2e_err_at(d, 0, "arm64 minidump header truncated "
		    "(%zu bytes)", hdrlen));
	version = le32dec_(hdr + ARM64_MDH_VERSION);
	if (version < 1 || version > 3)
		return (m2e_err_at(d, ARM64_MDH_VERSION,
		    "unsupported arm64 minidump version "
		    "%u (known: 1, 2, 3)", version));
	if ((version == 2 && hdrlen < ARM64_HDR_V2) ||
	    (version == 3 && hdrlen < ARM64_HDR_V3))
		return (m2e_err_at(d, 0, "arm64 minidump v%u header truncated "
		    "(%zu bytes)", version, hdrlen));

	md->version = version;
	md->pagesize = 4096;
	md->pageshift = 12;
	if (version >= 3) {
		flags = le32dec_(hdr + ARM64_MDH_FLAGS);
		switch (flags & ARM64_FLAG_PS_MASK) {
		case ARM64_FLAG_PS_4K:
			break;
		case ARM64_FLAG_PS_16K:
			md->pagesize = 16384;
			md->pageshift = 14;
			break;
		default:
			return (m2e_err_at(d, ARM64_MDH_FLAGS,
			    "arm64 minidump flags %#x: "
			    "unsupported page size code %u", flags,
			    flags & ARM64_FLAG_PS_MASK));
		}
	}
	pmask = md->pagesize - 1;
	md->msgbufsize = le32dec_(hdr + ARM64_MDH_MSGBUFSIZE);
	md->bitmapsize = le32dec_(hdr + ARM64_MDH_BITMAPSIZE);
	md->pmapsize = le32dec_(hdr + ARM64_MDH_PMAPSIZE);
	md->kernbase = le64dec_(hdr + ARM64_MDH_KERNBASE);
	md->dmapphys = le64dec_(hdr + ARM64_MDH_DMAPPHYS);
	md->dmapbase = le64dec_(hdr + ARM64_MDH_DMAPBASE);
	md->dmapend = le64dec_(hdr + ARM64_MDH_DMAPEND);
	md->availsize = version >= 2 ? le32dec_(hdr + ARM64_MDH_AVAILSIZE) : 0;
	md->availoff = 72;

	if ((md->kernbase & pmask) != 0)
		return (m2e_err_at(d, ARM64_MDH_KERNBASE,
		    "arm64 minidump kernbase %#jx is "
		    "not page-aligned", (uintmax_t)md->kernbase));
	if (md->dmapend < md->dmapbase)
		return (m2e_err_at(d, ARM64_MDH_DMAPEND,
		    "arm64 minidump direct map ends "
		    "(%#jx) before it starts (%#jx)", (uintmax_t)md->dmapend,
		    (uintmax_t)md->dmapbase));
	if (md->dmapend != md->dmapbase &&
	    ((md->dmapbase & pmask) != 0 || (md->dmapphys & pmask) != 0))
		return (m2e_err_at(d, ARM64_MDH_DMAPPHYS,
		    "arm64 minidump direct map base "
		    "%#jx or physical base %#jx is not page-aligned",
		    (uintmax_t)md->dmapbase, (uintmax_t)md->dmapphys));
	if (md->dmapend - md->dmapbase > UINT64_MAX - md->dmapphys)
		return (m2e_err_at(d, ARM64_MDH_DMAPPHYS,
		    "arm64 minidump direct map of %#jx "
		    "bytes from physical %#jx overflows",
		    (uintmax_t)(md->dmapend - md->dmapbase),
		    (uintmax_t)md->dmapphys));
	if (md->dmapend == md->dmapbase)
		md->dmapbase = md->dmapend = md->dmapphys = 0;
	if (md->pmapsize % 8 != 0)
		return (m2e_err_at(d, ARM64_MDH_PMAPSIZE,
		    "arm64 minidump pmapsize %ju is not "
		    "a multiple of 8", (uintmax_t)md->pmapsize));
	nptes = md->pmapsize / 8;
	if (nptes > (UINT64_MAX - md->kernbase) >> md->pageshift)
		return (m2e_err_at(d, ARM64_MDH_PMAPSIZE,
		    "arm64 minidump pmapsize %ju maps "
		    "past the end of the address space from kernbase %#jx",
		    (uintmax_t)md->pmapsize, (uintmax_t)md->kernbase));

	has_avail = version >= 2 && md->availsize != 0;
	if (m2e_md_load(d, has_avail) != 0)
		return (-1);

	md->ptesize = 8;
	md->nptes = nptes;
	return (0);
}

static bool
arm64_in_dmap(const md2elf_t *d, uint64_t va)
{
	return (va >= d->md.dmapbase && va < d->md.dmapend);
}

/*
 * L3 descriptor idx: 0 and the page frame if it maps a page, -1 if not (an
 * m2e_flat_fn).
 */
static int
arm64_l3(const md2elf_t *d, uint64_t idx, uint64_t *frame)
{
	uint64_t e;

	if (idx >= d->md.nptes)
		return (-1);
	e = le64dec_(d->md.pmap + idx * d->md.ptesize);
	if ((e & ARM64_DESCR_MASK) != ARM64_L3_PAGE)
		return (-1);
	*frame = e & ~ARM64_ATTR_MASK & ~(uint64_t)(d->md.pagesize - 1);
	return (0);
}

static int
arm64_kvtop(md2elf_t *d, uint64_t va, uint64_t *pa)
{
	if (arm64_in_dmap(d, va)) {
		*pa = va - d->md.dmapbase + d->md.dmapphys;
		return (0);
	}
	return (m2e_flat_kvtop(d, arm64_l3, va, pa));
}

/*
 * Every L3 page descriptor whose page is in the dump, outside the direct
 * map (which shadows it), merged into runs that are contiguous in va, in
 * pa and in the page section.
 */
static int
arm64_walk(md2elf_t *d, m2e_visit_fn *fn, void *arg)
{
	return (m2e_flat_walk(d, d->md.nptes, arm64_l3, fn, arg));
}

/* A saved kernel stack pointer: in the upper half, 16-byte aligned. */
static bool
arm64_kernel_sp(uint64_t sp)
{
	return ((sp >> 48) == 0xffff && (sp & 15) == 0);
}

/*
 * Which layout: osreldate decides; pcb_size (pcblen) must be large enough
 * for it.  Without osreldate, take the one whose pcb_sp looks like a
 * kernel stack pointer, preferring the current layout.
 */
static int
arm64_pcb_new(md2elf_t *d, const uint8_t *pcb, size_t pcblen, int osreldate)
{
	bool newok, oldok;

	if (osreldate >= ARM64_OSREL_PCB_NEW) {
		if (pcblen < PCB_NEW_MIN)
			return (m2e_err(d, "arm64 pcb_size %zu is too small "
			    "for the FreeBSD 14 pcb layout (osreldate %d)",
			    pcblen, osreldate));
		return (1);
	}
	if (osreldate > 0) {
		if (pcblen < PCB_OLD_MIN)
			return (m2e_err(d, "arm64 pcb_size %zu is too small "
			    "for the FreeBSD 12/13 pcb layout (osreldate %d)",
			    pcblen, osreldate));
		return (0);
	}
	newok = pcblen >= PCB_NEW_MIN &&
	    arm64_kernel_sp(le64dec_(pcb + PCB_NEW_SP));
	oldok = pcblen >= PCB_OLD_MIN &&
	    arm64_kernel_sp(le64dec_(pcb + PCB_OLD_SP));
	if (oldok && !newok)
		return (0);
	if (pcblen < PCB_NEW_MIN)
		return (m2e_err(d, "arm64 pcb of %zu bytes is too small",
		    pcblen));
	return (1);
}

static int
arm64_pcb_regs(md2elf_t *d, const uint8_t *pcb, size_t pcblen, int osreldate,
    uint8_t *greg, struct m2e_frame *fr)
{
	uint64_t lr, sp, fp;
	int i, isnew;

	if ((isnew = arm64_pcb_new(d, pcb, pcblen, osreldate)) < 0)
		return (-1);
	memset(greg, 0, ARM64_GREGSZ);
	if (isnew) {
		/* x19..x29 */
		for (i = 19; i <= 29; i++)
			le64enc_(greg + R_X(i),
			    le64dec_(pcb + PCB_NEW_X19 + (i - 19) * 8));
		lr = le64dec_(pcb + PCB_NEW_X19 + 11 * 8);
		sp = le64dec_(pcb + PCB_NEW_SP);
	} else {
		/* x0..x29 */
		for (i = 0; i <= 29; i++)
			le64enc_(greg + R_X(i), le64dec_(pcb + i * 8));
		lr = le64dec_(pcb + 30 * 8);
		sp = le64dec_(pcb + PCB_OLD_SP);
	}
	fp = le64dec_(greg + R_X(29));
	le64enc_(greg + R_LR, lr);
	le64enc_(greg + R_SP, sp);
	le64enc_(greg + R_ELR, lr);
	le64enc_(greg + R_SPSR, ARM64_SPSR_KERN);
	if (fr != NULL) {
		fr->pc = lr;
		fr->sp = sp;
		fr->fp = fp;
	}
	return (0);
}

/* FreeBSD struct reg -> Linux user_pt_regs: x0-x30, sp, pc, pstate. */
static void
arm64_linux_regs(const uint8_t *g, uint8_t *l)
{
	int i;

	for (i = 0; i < 30; i++)
		le64enc_(l + i * 8, le64dec_(g + R_X(i)));
	le64enc_(l + 30 * 8, le64dec_(g + R_LR));
	le64enc_(l + 31 * 8, le64dec_(g + R_SP));
	le64enc_(l + 32 * 8, le64dec_(g + R_ELR));
	le64enc_(l + 33 * 8, le64dec_(g + R_SPSR));
}

static const struct m2e_stub arm64_stubs[] = {
	{ "handle_el1h_sync", M2E_STUB_TRAP },
	{ "handle_el1h_irq", M2E_STUB_INTR },
	{ "handle_el0_sync", M2E_STUB_TRAP },
	{ "handle_el0_irq", M2E_STUB_INTR },
	{ "handle_el0_error", M2E_STUB_TRAP },
	{ "handle_serror", M2E_STUB_TRAP },
	{ "fork_trampoline", M2E_STUB_FORK },
	{ NULL, 0 }
};

/* Exception classes of ESR_EL1 (armreg.h) and trap_el1()'s signals. */
static const struct {
	uint32_t	 ec;
	const char	*label, *what;
	int		 signo, far;
} arm64_ecs[] = {
	{ 0x00, "unknown", "unknown exception", SIGILL_, 0 },
	{ 0x15, "svc", "syscall", 0, 0 },
	{ 0x20, "iabort", "instruction abort (EL0)", SIGSEGV_, 1 },
	{ 0x21, "iabort", "instruction abort", SIGSEGV_, 1 },
	{ 0x22, "pcalign", "PC alignment fault", SIGBUS_, 1 },
	{ 0x24, "dabort", "data abort (EL0)", SIGSEGV_, 1 },
	{ 0x25, "dabort", "data abort", SIGSEGV_, 1 },
	{ 0x26, "spalign", "SP alignment fault", SIGBUS_, 0 },
	{ 0x30, "bkpt", "breakpoint (EL0)", SIGTRAP_, 0 },
	{ 0x31, "bkpt", "breakpoint", SIGTRAP_, 0 },
	{ 0x32, "step", "software step (EL0)", SIGTRAP_, 0 },
	{ 0x33, "step", "software step", SIGTRAP_, 0 },
	{ 0x34, "watch", "watchpoint (EL0)", SIGTRAP_, 1 },
	{ 0x35, "watch", "watchpoint", SIGTRAP_, 1 },
	{ 0x3c, "brk", "BRK instruction", SIGTRAP_, 0 },
};

static int
arm64_trapframe(md2elf_t *d, const struct m2e_stub *s, uint64_t fr,
    uint64_t savedfp, int osreldate, struct md2elf_trapinfo *ti,
    uint8_t *greg)
{
	uint8_t tf[TF14_SIZE];
	uint64_t size, xoff, spsr, esr, far;
	bool f14;
	size_t i;

	memset(ti, 0, sizeof(*ti));
	ti->stub = s->name;
	ti->syscall = -1;
	f14 = osreldate == 0 || osreldate >= ARM64_OSREL_TF_FAR;
	size = f14 ? TF14_SIZE : TF13_SIZE;
	xoff = f14 ? TF14_X : TF13_X;
	ti->tf = savedfp - size;
	if (savedfp < size || ti->tf <= fr)
		return (m2e_err(d, "frame pointer %#jx saved at %#jx leaves "
		    "no room for a trap frame", (uintmax_t)savedfp,
		    (uintmax_t)fr));
	if (m2e_read_va(d, ti->tf, tf, size) != 0)
		return (-1);
	if (f14) {
		spsr = le64dec_(tf + TF_SPSR);
		esr = le64dec_(tf + TF14_ESR);
		far = le64dec_(tf + TF14_FAR);
	} else {
		spsr = le32dec_(tf + TF_SPSR);
		esr = le32dec_(tf + TF13_ESR);
		far = 0;
	}
	memset(greg, 0, ARM64_GREGSZ);
	for (i = 0; i < 30; i++)
		le64enc_(greg + R_X(i), le64dec_(tf + xoff + 8 * i));
	le64enc_(greg + R_LR, le64dec_(tf + TF_LR));
	le64enc_(greg + R_SP, le64dec_(tf + TF_SP));
	le64enc_(greg + R_ELR, le64dec_(tf + TF_ELR));
	le64enc_(greg + R_SPSR, spsr);
	ti->pc = le64dec_(tf + TF_ELR);
	ti->sp = le64dec_(tf + TF_SP);
	ti->fp = le64dec_(greg + R_X(29));
	ti->user = (spsr & PSR_M_MASK) == 0;
	ti->trapno = (uint32_t)esr;
	m2e_stub_trap(s, ti);
	if (s->kind != M2E_STUB_TRAP)
		return (0);
	ti->what = "exception";
	snprintf(ti->label, sizeof(ti->label), "esr %#x",
	    (unsigned)ESR_EC(esr));
	for (i = 0; i < sizeof(arm64_ecs) / sizeof(arm64_ecs[0]); i++)
		if (arm64_ecs[i].ec == ESR_EC(esr)) {
			ti->what = arm64_ecs[i].what;
			ti->signo = arm64_ecs[i].signo;
			ti->has_addr = arm64_ecs[i].far && f14;
			snprintf(ti->label, sizeof(ti->label), "%s",
			    arm64_ecs[i].label);
		}
	if (ti->has_addr)
		ti->addr = far;
	if (ESR_EC(esr) == EC_SVC64)
		ti->syscall = (int)le64dec_(tf + xoff + 8 * 8);
	return (0);
}

const struct m2e_arch m2e_arch_arm64 = {
	.name = "arm64",
	.machine_arch = "aarch64",
	.elfclass = ELFCLASS64,
	.elfmachine = EM_AARCH64,
	.ptrsize = 8,
	.init = arm64_init,
	.kvtop = arm64_kvtop,
	.walk = arm64_walk,
	.gregsz = ARM64_GREGSZ,
	.fpregsz = ARM64_FPREGSZ,
	.linux_gregsz = ARM64_LINUX_GREGSZ,
	.pcb_regs = arm64_pcb_regs,
	.linux_regs = arm64_linux_regs,
	.stubs = arm64_stubs,
	.trapframe = arm64_trapframe,
};
