/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * arch_amd64.c: FreeBSD/amd64 minidumps (versions 1, 2 and 3): the header,
 * kernel virtual to physical translation (direct map, then the kernel map
 * from the page-table section and the dumped page-table pages), the walk
 * of all kernel-map mappings, and the register sets (pcb -> struct reg,
 * struct reg -> Linux elf_gregset_t).
 *
 * Version 1: the page-table section is a flat array of PTEs, one per 4 KiB
 * of KVA from kernbase.  Versions 2 and 3: it is an array of PDEs, one per
 * 2 MiB of KVA from kernbase (1 GiB pages arrive as 2 MiB PS entries); the
 * last-level page-table pages are ordinary dumped pages.  The kernel dumps
 * every page-table page its PDEs reference, so a PDE whose page is missing
 * means a corrupt dump: an error, or with MD2ELF_OPEN_FORCE one warning
 * and the 2 MiB it maps left out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gelf.h>

#include "md2elf_private.h"

#define	AMD64_PAGE	4096ULL
#define	AMD64_PAGESHIFT	12
#define	AMD64_NBPDR	(1ULL << 21)
#define	AMD64_PDRSHIFT	21
#define	AMD64_NPTEPG	512
#define	AMD64_PG_V	0x001ULL
#define	AMD64_PG_PS	0x080ULL
#define	AMD64_PG_FRAME	0x000ffffffffff000ULL
#define	AMD64_PS_FRAME	0x000fffffffe00000ULL

/* struct pcb: r15 r14 r13 r12 rbp rsp rbx rip, 8 bytes each, first. */
#define	AMD64_PCB_REGS	64

/* struct minidumphdr offsets. */
#define	MDH_VERSION	24
#define	MDH_MSGBUFSIZE	28
#define	MDH_BITMAPSIZE	32
#define	MDH_PMAPSIZE	36
#define	MDH_KERNBASE	40
#define	MDH_DMAPBASE	48
#define	MDH_DMAPEND	56
#define	MDH_AVAILSIZE	64
#define	MDH_SIZE_V12	64
#define	MDH_SIZE_V3	68

/* Register offsets in FreeBSD's amd64 struct reg. */
#define	REG_R15		0
#define	REG_R14		8
#define	REG_R13		16
#define	REG_R12		24
#define	REG_R11		32
#define	REG_R10		40
#define	REG_R9		48
#define	REG_R8		56
#define	REG_RDI		64
#define	REG_RSI		72
#define	REG_RBP		80
#define	REG_RBX		88
#define	REG_RDX		96
#define	REG_RCX		104
#define	REG_RAX		112
#define	REG_TRAPNO	120
#define	REG_FS		124
#define	REG_GS		126
#define	REG_ERR		128
#define	REG_ES		132
#define	REG_DS		134
#define	REG_RIP		136
#define	REG_CS		144
#define	REG_RFLAGS	152
#define	REG_RSP		160
#define	REG_SS		168
#define	REG_SIZE	176

#define	LINUX_REG_SIZE	(27 * 8)

/*
 * struct trapframe (sys/x86/include/frame.h), 192 bytes.  Every entry stub
 * (calltrap, nmi_calltrap, fast_syscall_common, the interrupt vectors,
 * fork_trampoline) calls C code with %rsp at the frame, so it begins just
 * above the callee's frame record {rbp, return address}.
 */
#define	TF_RDI		0
#define	TF_RSI		8
#define	TF_RDX		16
#define	TF_RCX		24
#define	TF_R8		32
#define	TF_R9		40
#define	TF_RAX		48
#define	TF_RBX		56
#define	TF_RBP		64
#define	TF_R10		72
#define	TF_R11		80
#define	TF_R12		88
#define	TF_R13		96
#define	TF_R14		104
#define	TF_R15		112
#define	TF_TRAPNO	120
#define	TF_FS		124
#define	TF_GS		126
#define	TF_ADDR		128
#define	TF_FLAGS	136
#define	TF_ES		140
#define	TF_DS		142
#define	TF_ERR		144
#define	TF_RIP		152
#define	TF_CS		160
#define	TF_RFLAGS	168
#define	TF_RSP		176
#define	TF_SS		184
#define	TF_SIZE		192
#define	TF_ABOVE_FR	16		/* frame record to trap frame */
#define	SEL_RPL_MASK	3
#define	SEL_UPL		3

static int
amd64_init(md2elf_t *d, const uint8_t *hdr, size_t hdrlen)
{
	struct m2e_minidump *md;
	uint64_t n, granule, room, kend;
	unsigned shift;

	md = &d->md;
	if (hdrlen < MDH_SIZE_V12)
		return (m2e_err_at(d, 0, "truncated amd64 minidump header "
		    "(need %d bytes, have %zu)", MDH_SIZE_V12, hdrlen));
	md->version = le32dec_(hdr + MDH_VERSION);
	if (md->version < 1 || md->version > 3)
		return (m2e_err_at(d, MDH_VERSION, "unsupported amd64 minidump "
		    "version %u (known: 1, 2, 3)", md->version));
	if (md->version >= 3 && hdrlen < MDH_SIZE_V3)
		return (m2e_err_at(d, 0, "truncated amd64 minidump header "
		    "(need %d bytes, have %zu)", MDH_SIZE_V3, hdrlen));
	md->pagesize = AMD64_PAGE;
	md->pageshift = AMD64_PAGESHIFT;
	md->msgbufsize = le32dec_(hdr + MDH_MSGBUFSIZE);
	md->bitmapsize = le32dec_(hdr + MDH_BITMAPSIZE);
	md->pmapsize = le32dec_(hdr + MDH_PMAPSIZE);
	md->kernbase = le64dec_(hdr + MDH_KERNBASE);
	md->dmapbase = le64dec_(hdr + MDH_DMAPBASE);
	md->dmapend = le64dec_(hdr + MDH_DMAPEND);
	md->dmapphys = 0;
	md->availsize = md->version >= 3 ? le32dec_(hdr + MDH_AVAILSIZE) : 0;
	md->availoff = MDH_AVAILSIZE;

	if (md->dmapend < md->dmapbase)
		return (m2e_err_at(d, MDH_DMAPBASE, "direct map [%#jx, %#jx) "
		    "ends before it starts", (uintmax_t)md->dmapbase,
		    (uintmax_t)md->dmapend));
	/* Readers take a page's offset from the va: pages must align. */
	if (((md->dmapbase | md->dmapend) & (AMD64_PAGE - 1)) != 0)
		return (m2e_err_at(d, MDH_DMAPBASE, "direct map [%#jx, %#jx) "
		    "is not page aligned", (uintmax_t)md->dmapbase,
		    (uintmax_t)md->dmapend));
	/* v1: a PTE per 4 KiB page; v2, v3: a PDE per 2 MiB. */
	shift = md->version == 1 ? AMD64_PAGESHIFT : AMD64_PDRSHIFT;
	granule = 1ULL << shift;
	if ((md->kernbase & (granule - 1)) != 0)
		return (m2e_err_at(d, MDH_KERNBASE, "kernbase %#jx is not "
		    "aligned to %ju bytes", (uintmax_t)md->kernbase,
		    (uintmax_t)granule));
	if (md->pmapsize % 8 != 0)
		return (m2e_err_at(d, MDH_PMAPSIZE, "page-table section size "
		    "%ju is not a multiple of 8", (uintmax_t)md->pmapsize));
	/* The entries must not describe KVA beyond 2^64. */
	n = md->pmapsize / 8;
	room = ((0 - md->kernbase) >> shift) + (md->kernbase == 0 ?
	    (1ULL << (64 - shift)) : 0);
	if (n > room)
		return (m2e_err_at(d, MDH_PMAPSIZE, "page-table section of "
		    "%ju entries describes addresses beyond 2^64 from kernbase "
		    "%#jx", (uintmax_t)n, (uintmax_t)md->kernbase));
	/*
	 * kvtop() tries the direct map first: a kernel map under it could
	 * not be read, yet would be written to the core.  FreeBSD's are
	 * disjoint.  kend == 0: the kernel map reaches 2^64.
	 */
	kend = md->kernbase + (n << shift);
	if (n > 0 && md->dmapend > md->dmapbase &&
	    md->dmapend > md->kernbase && (kend == 0 || md->dmapbase < kend))
		return (m2e_err_at(d, MDH_DMAPBASE, "direct map [%#jx, %#jx) "
		    "overlaps the kernel map [%#jx, %#jx)",
		    (uintmax_t)md->dmapbase, (uintmax_t)md->dmapend,
		    (uintmax_t)md->kernbase, (uintmax_t)kend));
	return (m2e_md_load(d, md->version >= 3));
}

/* The 4 KiB PTE for va under a non-PS PDE; -1 if not available. */
static int
amd64_pte(md2elf_t *d, uint64_t pde, uint64_t va, uint64_t *pte)
{
	uint8_t b[8];
	uint64_t off;

	if (m2e_md_pa_off(d, pde & AMD64_PG_FRAME, &off) != 0)
		return (-1);
	off += ((va >> AMD64_PAGESHIFT) & (AMD64_NPTEPG - 1)) * 8;
	if (m2e_read(d, b, sizeof(b), off, "page-table page") != 0)
		return (-1);
	*pte = le64dec_(b);
	return (0);
}

/* Version 1: PTE idx of the flat section (an m2e_flat_fn). */
static int
amd64_pte1(const md2elf_t *d, uint64_t idx, uint64_t *frame)
{
	uint64_t e;

	if (d->md.pmap == NULL || idx >= d->md.pmapsize / 8)
		return (-1);
	e = le64dec_(d->md.pmap + idx * 8);
	if ((e & AMD64_PG_V) == 0)
		return (-1);
	*frame = e & AMD64_PG_FRAME;
	return (0);
}

static int
amd64_kvtop(md2elf_t *d, uint64_t va, uint64_t *pa)
{
	const struct m2e_minidump *md;
	uint64_t idx, e, pte;

	md = &d->md;
	if (md->dmapend != 0 && va >= md->dmapbase && va < md->dmapend) {
		*pa = va - md->dmapbase + md->dmapphys;
		return (0);
	}
	if (va < md->kernbase || md->pmap == NULL)
		return (-1);
	if (md->version == 1)
		return (m2e_flat_kvtop(d, amd64_pte1, va, pa));
	idx = (va - md->kernbase) >> AMD64_PDRSHIFT;
	if (idx >= md->pmapsize / 8)
		return (-1);
	e = le64dec_(md->pmap + idx * 8);
	if ((e & AMD64_PG_V) == 0)
		return (-1);
	if ((e & AMD64_PG_PS) != 0) {
		*pa = (e & AMD64_PS_FRAME) | (va & (AMD64_NBPDR - 1));
		return (0);
	}
	if (amd64_pte(d, e, va, &pte) != 0 || (pte & AMD64_PG_V) == 0)
		return (-1);
	*pa = (pte & AMD64_PG_FRAME) | (va & (AMD64_PAGE - 1));
	return (0);
}

/*
 * Walk state: the pending run, merged while va, pa and the page's place in
 * the page section all continue.
 */
struct amd64_walk {
	md2elf_t	*d;
	struct m2e_runs	 runs;
	uint64_t	 bva, bpa;	/* va and pa of the current large page */
	uint8_t		*seen;		/* page-table pages walked, by rank */
	bool		 warned;
	/* Forced: PDEs whose page-table page is missing, the first one. */
	uint64_t	 nmissing, miss_pde, miss_va, miss_pa;
};

/* m2e_visit_fn for the dumped parts of a large page. */
static int
amd64_large_run(void *arg, uint64_t va, uint64_t pa, uint64_t rank,
    uint64_t n)
{
	struct amd64_walk *w = arg;

	return (m2e_runs_add(&w->runs, w->bva + (pa - w->bpa), pa, rank, n));
}

/*
 * The 512 PTEs of the page-table page at pt_pa, mapping from va, which
 * PDE number pde of the page-table section references.
 */
static int
amd64_walk_pt(struct amd64_walk *w, uint64_t pde, uint64_t pt_pa,
    uint64_t va)
{
	md2elf_t *d;
	uint8_t pt[AMD64_PAGE];
	uint64_t j, pte, pa, rank;
	int rc;

	d = w->d;
	/* The kernel dumps every page-table page its PDEs reference. */
	if (m2e_md_pa_rank(d, pt_pa, &rank) != 0) {
		if ((d->openflags & MD2ELF_OPEN_FORCE) == 0)
			return (m2e_err_at_forcible(d,
			    d->md.off_pmap + pde * 8,
			    "page-directory entry %ju of the page-table "
			    "section (va %#jx) points to page-table page "
			    "%#jx, which is not in the dump", (uintmax_t)pde,
			    (uintmax_t)va, (uintmax_t)pt_pa));
		if (w->nmissing++ == 0) {
			w->miss_pde = pde;
			w->miss_va = va;
			w->miss_pa = pt_pa;
		}
		return (0);
	}
	/* Kernel page-table pages are not shared; walk each once. */
	if (w->seen[rank / 8] & (1 << (rank % 8))) {
		if (!w->warned)
			m2e_warn(d, "page-table page at %#jx is used by more "
			    "than one page-directory entry; ignoring repeats",
			    (uintmax_t)pt_pa);
		w->warned = true;
		return (0);
	}
	w->seen[rank / 8] |= 1 << (rank % 8);
	if (m2e_read(d, pt, sizeof(pt), d->md.off_pages +
	    rank * AMD64_PAGE, "page-table page") != 0)
		return (-1);
	for (j = 0; j < AMD64_NPTEPG; j++) {
		pte = le64dec_(pt + j * 8);
		if ((pte & AMD64_PG_V) == 0)
			continue;
		pa = pte & AMD64_PG_FRAME;
		if (m2e_md_pa_rank(d, pa, &rank) != 0)
			continue;
		if ((rc = m2e_runs_add(&w->runs, va + j * AMD64_PAGE, pa, rank,
		    1)) != 0)
			return (rc);
	}
	return (0);
}

static int
amd64_walk(md2elf_t *d, m2e_visit_fn *fn, void *arg)
{
	const struct m2e_minidump *md;
	struct amd64_walk w;
	uint64_t i, n, e;
	int rc;

	md = &d->md;
	n = md->pmap != NULL ? md->pmapsize / 8 : 0;
	/* init keeps the kernel map out of the direct map. */
	if (md->version == 1)
		return (m2e_flat_walk(d, n, amd64_pte1, fn, arg));
	memset(&w, 0, sizeof(w));
	w.d = d;
	m2e_runs_init(&w.runs, d, fn, arg);
	if ((w.seen = calloc(md->npages / 8 + 1, 1)) == NULL)
		return (m2e_err(d, "out of memory"));
	rc = 0;
	for (i = 0; i < n && rc == 0; i++) {
		e = le64dec_(md->pmap + i * 8);
		if ((e & AMD64_PG_V) == 0)
			continue;
		w.bva = md->kernbase + (i << AMD64_PDRSHIFT);
		if ((e & AMD64_PG_PS) != 0) {
			w.bpa = e & AMD64_PS_FRAME;
			rc = m2e_md_pa_runs(d, w.bpa, AMD64_NPTEPG,
			    amd64_large_run, &w);
		} else
			rc = amd64_walk_pt(&w, i, e & AMD64_PG_FRAME, w.bva);
	}
	free(w.seen);
	if (rc == 0 && w.nmissing > 0)
		m2e_warn_at(d, md->off_pmap + w.miss_pde * 8, "page-directory "
		    "entry %ju of the page-table section (va %#jx) points to "
		    "page-table page %#jx, which is not in the dump; its 2 MiB "
		    "are left out of the core (PDEs skipped: %ju)",
		    (uintmax_t)w.miss_pde, (uintmax_t)w.miss_va,
		    (uintmax_t)w.miss_pa, (uintmax_t)w.nmissing);
	if (rc == 0)
		rc = m2e_runs_end(&w.runs);
	return (rc);
}

static int
amd64_pcb_regs(md2elf_t *d, const uint8_t *pcb, size_t pcblen, int osreldate,
    uint8_t *greg, struct m2e_frame *f)
{
	/* One layout: FreeBSD 9.0 and later (older ones have no offsets). */
	(void)osreldate;
	if (pcblen < AMD64_PCB_REGS)
		return (m2e_err(d, "amd64 pcb of %zu bytes is too short "
		    "(need %d)", pcblen, AMD64_PCB_REGS));
	memset(greg, 0, REG_SIZE);
	le64enc_(greg + REG_R15, le64dec_(pcb));
	le64enc_(greg + REG_R14, le64dec_(pcb + 8));
	le64enc_(greg + REG_R13, le64dec_(pcb + 16));
	le64enc_(greg + REG_R12, le64dec_(pcb + 24));
	le64enc_(greg + REG_RBP, le64dec_(pcb + 32));
	le64enc_(greg + REG_RSP, le64dec_(pcb + 40));
	le64enc_(greg + REG_RBX, le64dec_(pcb + 48));
	le64enc_(greg + REG_RIP, le64dec_(pcb + 56));
	le64enc_(greg + REG_CS, 0x20);
	le64enc_(greg + REG_RFLAGS, 0x202);
	le64enc_(greg + REG_SS, 0x28);
	if (f != NULL) {
		f->pc = le64dec_(greg + REG_RIP);
		f->sp = le64dec_(greg + REG_RSP);
		f->fp = le64dec_(greg + REG_RBP);
	}
	return (0);
}

static uint16_t
le16dec_(const uint8_t *p)
{
	return ((uint16_t)(p[0] | p[1] << 8));
}

/* FreeBSD struct reg -> Linux x86-64 user_regs_struct (27 x u64). */
static void
amd64_linux_regs(const uint8_t *g, uint8_t *l)
{
	static const int from[] = {
		REG_R15, REG_R14, REG_R13, REG_R12, REG_RBP, REG_RBX,
		REG_R11, REG_R10, REG_R9, REG_R8, REG_RAX, REG_RCX,
		REG_RDX, REG_RSI, REG_RDI, -1 /* orig_rax */, REG_RIP,
		REG_CS, REG_RFLAGS, REG_RSP, REG_SS
	};
	size_t i;

	memset(l, 0, LINUX_REG_SIZE);
	for (i = 0; i < sizeof(from) / sizeof(from[0]); i++)
		le64enc_(l + i * 8, from[i] < 0 ? UINT64_MAX :
		    le64dec_(g + from[i]));
	/* 21 fs_base, 22 gs_base stay 0; then ds, es, fs, gs. */
	le64enc_(l + 23 * 8, le16dec_(g + REG_DS));
	le64enc_(l + 24 * 8, le16dec_(g + REG_ES));
	le64enc_(l + 25 * 8, le16dec_(g + REG_FS));
	le64enc_(l + 26 * 8, le16dec_(g + REG_GS));
}

static const struct m2e_stub amd64_stubs[] = {
	{ "calltrap", M2E_STUB_TRAP },
	{ "nmi_calltrap", M2E_STUB_TRAP },
	{ "mchk_calltrap", M2E_STUB_TRAP },
	{ "dblfault_handler", M2E_STUB_TRAP },
	{ "fast_syscall_common", M2E_STUB_SYSCALL },
	{ "fast_syscall", M2E_STUB_SYSCALL },
	{ "Xfast_syscall", M2E_STUB_SYSCALL },
	{ "Xfast_syscall_pti", M2E_STUB_SYSCALL },
	{ "fork_trampoline", M2E_STUB_FORK },
	{ "X*", M2E_STUB_INTR },
	{ NULL, 0 }
};

static int
amd64_trapframe(md2elf_t *d, const struct m2e_stub *s, uint64_t fr,
    uint64_t savedfp, int osreldate, struct md2elf_trapinfo *ti,
    uint8_t *greg)
{
	static const struct { int tf, reg; } q[] = {
		{ TF_RDI, REG_RDI }, { TF_RSI, REG_RSI }, { TF_RDX, REG_RDX },
		{ TF_RCX, REG_RCX }, { TF_R8, REG_R8 }, { TF_R9, REG_R9 },
		{ TF_RAX, REG_RAX }, { TF_RBX, REG_RBX }, { TF_RBP, REG_RBP },
		{ TF_R10, REG_R10 }, { TF_R11, REG_R11 }, { TF_R12, REG_R12 },
		{ TF_R13, REG_R13 }, { TF_R14, REG_R14 }, { TF_R15, REG_R15 },
		{ TF_ERR, REG_ERR }, { TF_RIP, REG_RIP }, { TF_CS, REG_CS },
		{ TF_RFLAGS, REG_RFLAGS }, { TF_RSP, REG_RSP }, { TF_SS, REG_SS },
	};
	uint8_t tf[TF_SIZE];
	uint32_t trapno;
	size_t i;

	memset(ti, 0, sizeof(*ti));
	ti->stub = s->name;
	ti->tf = fr + TF_ABOVE_FR;
	ti->syscall = -1;
	if (m2e_read_va(d, ti->tf, tf, sizeof(tf)) != 0)
		return (-1);
	memset(greg, 0, REG_SIZE);
	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++)
		le64enc_(greg + q[i].reg, le64dec_(tf + q[i].tf));
	trapno = le32dec_(tf + TF_TRAPNO);
	le32enc_(greg + REG_TRAPNO, trapno);
	memcpy(greg + REG_FS, tf + TF_FS, 2);
	memcpy(greg + REG_GS, tf + TF_GS, 2);
	memcpy(greg + REG_ES, tf + TF_ES, 2);
	memcpy(greg + REG_DS, tf + TF_DS, 2);
	ti->pc = le64dec_(tf + TF_RIP);
	ti->sp = le64dec_(tf + TF_RSP);
	ti->fp = le64dec_(tf + TF_RBP);
	ti->user = (le64dec_(tf + TF_CS) & SEL_RPL_MASK) == SEL_UPL;
	ti->trapno = trapno;
	m2e_stub_trap(s, ti);
	if (s->kind == M2E_STUB_TRAP) {
		m2e_x86_trap(trapno, ti);
		if (ti->has_addr)
			ti->addr = le64dec_(tf + TF_ADDR);
	} else if (s->kind == M2E_STUB_SYSCALL)
		ti->syscall = (int)le64dec_(tf + TF_RAX);
	(void)savedfp;
	(void)osreldate;
	return (0);
}

const struct m2e_arch m2e_arch_amd64 = {
	.name = "amd64",
	.machine_arch = "amd64",
	.elfclass = ELFCLASS64,
	.elfmachine = EM_X86_64,
	.ptrsize = 8,
	.init = amd64_init,
	.kvtop = amd64_kvtop,
	.walk = amd64_walk,
	.gregsz = REG_SIZE,
	.fpregsz = 512,
	.linux_gregsz = LINUX_REG_SIZE,
	.pcb_regs = amd64_pcb_regs,
	.linux_regs = amd64_linux_regs,
	.stubs = amd64_stubs,
	.trapframe = amd64_trapframe,
};
