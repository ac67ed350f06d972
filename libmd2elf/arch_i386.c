/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * arch_i386.c: FreeBSD/i386 minidumps (format versions 1 and 2, PAE and
 * non-PAE page tables) and i386 register contexts.
 *
 * Header (little-endian): magic[24], version, msgbufsize, bitmapsize,
 * ptesize, kernbase, paemode (u32 each from offset 24), and in version 2
 * dumpavailsize at 48.  The page-table section is a flat array of PTEs, one
 * per 4 KiB page of KVA starting at kernbase (4-byte entries without PAE,
 * 8-byte ones with PAE); the kernel has already expanded large pages into
 * synthetic page-table pages.  There is no direct map on i386.
 */
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md2elf_private.h"

/* struct minidumphdr (sys/i386/include/minidump.h): after char magic[24]. */
#define	I386_MDH_VERSION	24
#define	I386_MDH_MSGBUFSIZE	28
#define	I386_MDH_BITMAPSIZE	32
#define	I386_MDH_PTESIZE	36	/* the PTE section's size */
#define	I386_MDH_KERNBASE	40
#define	I386_MDH_PAEMODE	44
#define	I386_MDH_AVAILSIZE	48	/* version 2 */
#define	I386_HDR_V1		48	/* header bytes, version 1 */
#define	I386_HDR_V2		52	/* version 2: + dumpavailsize */
#define	I386_PAGE_SHIFT		12
#define	I386_PAGE_SIZE		4096u
#define	I386_PG_V		0x1u
#define	I386_FRAME		0xfffff000u
#define	I386_FRAME_PAE		0x000ffffffffff000ull
#define	I386_VA_LIMIT		0x100000000ull	/* 32-bit address space */

/* FreeBSD struct reg (i386): 19 x u32. */
#define	R_FS		0
#define	R_ES		4
#define	R_DS		8
#define	R_EDI		12
#define	R_ESI		16
#define	R_EBP		20
#define	R_ISP		24
#define	R_EBX		28
#define	R_EDX		32
#define	R_ECX		36
#define	R_EAX		40
#define	R_TRAPNO	44
#define	R_ERR		48
#define	R_EIP		52
#define	R_CS		56
#define	R_EFLAGS	60
#define	R_ESP		64
#define	R_SS		68
#define	R_GS		72
#define	I386_GREGSZ	76
#define	I386_FPREGSZ	176
#define	I386_LINUX_GREGSZ	68	/* Linux elf_gregset_t: 17 x u32 */

/*
 * struct trapframe (sys/i386/include/frame.h): the struct reg layout up to
 * tf_eflags; tf_esp and tf_ss only when the trap crossed from user mode
 * (or vm86), so a kernel-mode frame's interrupted %esp is the address
 * where tf_esp would be.  The entry stubs call C code either with the
 * frame right above the callee's frame record (an IPI handler, no
 * argument) or after pushing a pointer to it ("pushl %esp": calltrap,
 * Xint0x80_syscall, most vectors; fork_trampoline pushes two more
 * arguments first), a word that holds its own address + 4.
 */
#define	TF_KERN_SIZE	64		/* up to tf_eflags */
#define	TF_SIZE		72		/* with tf_esp, tf_ss */
#define	TF_ARG0		8		/* first argument word above fr */
#define	TF_MAXARGS	3
#define	SEL_RPL_MASK	3
#define	PSL_VM		0x00020000

/* Kernel selectors, as kgdb supplies them. */
#define	I386_SEL_CODE	0x20
#define	I386_SEL_DATA	0x28
#define	I386_SEL_PRIV	0x08
#define	I386_PSL_KERN	0x202	/* IF and the reserved bit, as on amd64 */

/*
 * The pcb layout (offsets of edi, esi, ebp, esp, ebx, eip) of
 * __FreeBSD_version 1001505 and later, which starts with the registers.
 * Older kernels (pcb_cr3 or cr0-cr4 first) lack the proc_off_* and
 * thread_off_* symbols the thread walk needs, so their layouts are not
 * decoded.
 */
struct i386_pcb_layout {
	const char	*name;
	unsigned	 edi, esi, ebp, esp, ebx, eip;
};
static const struct i386_pcb_layout i386_pcb_c = { "C", 0, 4, 8, 12, 16, 20 };

static int
i386_init(md2elf_t *d, const uint8_t *hdr, size_t hdrlen)
{
	struct m2e_minidump *md = &d->md;
	uint32_t version, paemode, kernbase;
	unsigned esz;
	uint64_t nptes;
	bool has_avail;

	if (hdrlen < I386_HDR_V1)
		return (m2e_err_at(d, 0, "i386 minidump header truncated "
		    "(%zu bytes)", hdrlen));
	version = le32dec_(hdr + I386_MDH_VERSION);
	if (version != 1 && version != 2)
		return (m2e_err_at(d, I386_MDH_VERSION,
		    "unsupported i386 minidump version "
		    "%u (known: 1, 2)", version));
	if (version == 2 && hdrlen < I386_HDR_V2)
		return (m2e_err_at(d, 0, "i386 minidump v2 header truncated "
		    "(%zu bytes)", hdrlen));
	paemode = le32dec_(hdr + I386_MDH_PAEMODE);
	if (paemode > 1)
		return (m2e_err_at(d, I386_MDH_PAEMODE,
		    "i386 minidump paemode %u is neither 0 nor 1", paemode));
	kernbase = le32dec_(hdr + I386_MDH_KERNBASE);
	if ((kernbase & (I386_PAGE_SIZE - 1)) != 0)
		return (m2e_err_at(d, I386_MDH_KERNBASE,
		    "i386 minidump kernbase %#x is not "
		    "page-aligned", kernbase));

	md->version = version;
	md->pae = paemode != 0;
	md->pagesize = I386_PAGE_SIZE;
	md->pageshift = I386_PAGE_SHIFT;
	md->msgbufsize = le32dec_(hdr + I386_MDH_MSGBUFSIZE);
	md->bitmapsize = le32dec_(hdr + I386_MDH_BITMAPSIZE);
	md->pmapsize = le32dec_(hdr + I386_MDH_PTESIZE);
	md->availsize = version >= 2 ? le32dec_(hdr + I386_MDH_AVAILSIZE) : 0;
	md->availoff = I386_MDH_AVAILSIZE;
	md->kernbase = kernbase;
	md->dmapbase = md->dmapend = md->dmapphys = 0;

	esz = paemode ? 8 : 4;
	if (md->pmapsize % esz != 0)
		return (m2e_err_at(d, I386_MDH_PTESIZE,
		    "i386 minidump ptesize %ju is not a "
		    "multiple of the %u-byte PTE size", (uintmax_t)md->pmapsize,
		    esz));
	nptes = md->pmapsize / esz;
	if (nptes > (I386_VA_LIMIT - kernbase) >> I386_PAGE_SHIFT)
		return (m2e_err_at(d, I386_MDH_PTESIZE,
		    "i386 minidump ptesize %ju maps "
		    "past the 4 GiB address space from kernbase %#x",
		    (uintmax_t)md->pmapsize, kernbase));

	has_avail = version >= 2 && md->availsize != 0;
	if (m2e_md_load(d, has_avail) != 0)
		return (-1);

	md->ptesize = esz;
	md->nptes = nptes;
	return (0);
}

/* PTE idx: 0 and the page frame if valid, -1 if not (an m2e_flat_fn). */
static int
i386_pte(const md2elf_t *d, uint64_t idx, uint64_t *frame)
{
	const uint8_t *p;
	uint64_t pte;

	if (idx >= d->md.nptes)
		return (-1);
	p = d->md.pmap + idx * d->md.ptesize;
	if (d->md.pae) {
		pte = le64dec_(p);
		if ((pte & I386_PG_V) == 0)
			return (-1);
		*frame = pte & I386_FRAME_PAE;
	} else {
		pte = le32dec_(p);
		if ((pte & I386_PG_V) == 0)
			return (-1);
		*frame = pte & I386_FRAME;
	}
	return (0);
}

static int
i386_kvtop(md2elf_t *d, uint64_t va, uint64_t *pa)
{
	if (va >= I386_VA_LIMIT)
		return (-1);
	return (m2e_flat_kvtop(d, i386_pte, va, pa));
}

/*
 * Every valid PTE whose page is in the dump, merged into runs that are
 * contiguous in va, in pa and in the page section.
 */
static int
i386_walk(md2elf_t *d, m2e_visit_fn *fn, void *arg)
{
	return (m2e_flat_walk(d, d->md.nptes, i386_pte, fn, arg));
}

static const struct i386_pcb_layout *
i386_pcb_layout(int osreldate)
{
	(void)osreldate;
	return (&i386_pcb_c);
}

static int
i386_pcb_regs(md2elf_t *d, const uint8_t *pcb, size_t pcblen, int osreldate,
    uint8_t *greg, struct m2e_frame *fr)
{
	const struct i386_pcb_layout *l;
	uint32_t eip, esp, ebp;

	l = i386_pcb_layout(osreldate);
	if (pcblen < (size_t)l->eip + 4)
		return (m2e_err(d, "i386 pcb of %zu bytes is too small for "
		    "pcb layout %s (osreldate %d)", pcblen, l->name,
		    osreldate));
	memset(greg, 0, I386_GREGSZ);
	eip = le32dec_(pcb + l->eip);
	esp = le32dec_(pcb + l->esp);
	ebp = le32dec_(pcb + l->ebp);
	le32enc_(greg + R_EDI, le32dec_(pcb + l->edi));
	le32enc_(greg + R_ESI, le32dec_(pcb + l->esi));
	le32enc_(greg + R_EBX, le32dec_(pcb + l->ebx));
	le32enc_(greg + R_EBP, ebp);
	le32enc_(greg + R_ESP, esp);
	le32enc_(greg + R_EIP, eip);
	le32enc_(greg + R_CS, I386_SEL_CODE);
	le32enc_(greg + R_EFLAGS, I386_PSL_KERN);
	le32enc_(greg + R_DS, I386_SEL_DATA);
	le32enc_(greg + R_ES, I386_SEL_DATA);
	le32enc_(greg + R_GS, I386_SEL_DATA);
	le32enc_(greg + R_SS, I386_SEL_DATA);
	le32enc_(greg + R_FS, I386_SEL_PRIV);
	if (fr != NULL) {
		fr->pc = eip;
		fr->sp = esp;
		fr->fp = ebp;
	}
	return (0);
}

/* FreeBSD struct reg -> Linux i386 user_regs_struct (pr_reg). */
static void
i386_linux_regs(const uint8_t *g, uint8_t *l)
{
	static const int map[17] = {
		R_EBX, R_ECX, R_EDX, R_ESI, R_EDI, R_EBP, R_EAX,
		R_DS, R_ES, R_FS, R_GS, -1 /* orig_eax */, R_EIP, R_CS,
		R_EFLAGS, R_ESP, R_SS
	};
	int i;

	for (i = 0; i < 17; i++)
		le32enc_(l + i * 4, map[i] < 0 ? 0xffffffffu :
		    le32dec_(g + map[i]));
}

static const struct m2e_stub i386_stubs[] = {
	{ "calltrap", M2E_STUB_TRAP },
	{ "Xint0x80_syscall", M2E_STUB_SYSCALL },
	{ "Xlcall_syscall", M2E_STUB_SYSCALL },
	{ "fork_trampoline", M2E_STUB_FORK },
	{ "X*", M2E_STUB_INTR },
	{ NULL, 0 }
};

static int
i386_trapframe(md2elf_t *d, const struct m2e_stub *s, uint64_t fr,
    uint64_t savedfp, int osreldate, struct md2elf_trapinfo *ti,
    uint8_t *greg)
{
	uint8_t tf[TF_SIZE], w[4 * TF_MAXARGS];
	uint32_t cs, eflags, trapno;
	int i;

	memset(ti, 0, sizeof(*ti));
	ti->stub = s->name;
	ti->syscall = -1;
	ti->tf = fr + TF_ARG0;
	if (m2e_read_va(d, fr + TF_ARG0, w, sizeof(w)) == 0)
		for (i = 0; i < TF_MAXARGS; i++)
			if (le32dec_(w + 4 * i) == fr + TF_ARG0 + 4 * i + 4) {
				ti->tf = le32dec_(w + 4 * i);
				break;
			}
	if (m2e_read_va(d, ti->tf, tf, TF_KERN_SIZE) != 0)
		return (-1);
	cs = le32dec_(tf + R_CS);
	eflags = le32dec_(tf + R_EFLAGS);
	ti->user = (cs & SEL_RPL_MASK) != 0 || (eflags & PSL_VM) != 0;
	memset(greg, 0, I386_GREGSZ);
	memcpy(greg, tf, TF_KERN_SIZE);
	if (ti->user) {
		if (m2e_read_va(d, ti->tf + TF_KERN_SIZE, tf + TF_KERN_SIZE,
		    TF_SIZE - TF_KERN_SIZE) != 0)
			return (-1);
		memcpy(greg + R_ESP, tf + R_ESP, 8);
	} else {
		le32enc_(greg + R_ESP, (uint32_t)(ti->tf + TF_KERN_SIZE));
		le32enc_(greg + R_SS, I386_SEL_DATA);
	}
	le32enc_(greg + R_GS, I386_SEL_DATA);
	ti->pc = le32dec_(greg + R_EIP);
	ti->sp = le32dec_(greg + R_ESP);
	ti->fp = le32dec_(greg + R_EBP);
	trapno = le32dec_(tf + R_TRAPNO);
	ti->trapno = trapno;
	m2e_stub_trap(s, ti);
	if (s->kind == M2E_STUB_TRAP) {
		m2e_x86_trap(trapno, ti);
		ti->has_addr = 0;	/* %cr2 is not in the frame */
	} else if (s->kind == M2E_STUB_SYSCALL)
		ti->syscall = (int)le32dec_(tf + R_EAX);
	(void)savedfp;
	(void)osreldate;
	return (0);
}

const struct m2e_arch m2e_arch_i386 = {
	.name = "i386",
	.machine_arch = "i386",
	.elfclass = ELFCLASS32,
	.elfmachine = EM_386,
	.ptrsize = 4,
	.init = i386_init,
	.kvtop = i386_kvtop,
	.walk = i386_walk,
	.gregsz = I386_GREGSZ,
	.fpregsz = I386_FPREGSZ,
	.linux_gregsz = I386_LINUX_GREGSZ,
	.pcb_regs = i386_pcb_regs,
	.linux_regs = i386_linux_regs,
	.stubs = i386_stubs,
	.trapframe = i386_trapframe,
};
