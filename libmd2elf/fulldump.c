/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * fulldump.c: full (non-mini) dumps, debug.minidump=0: the ELF file of
 * physical memory sys/kern/kern_dump.c's dumpsys_generic() writes (an ELF
 * header with OS ABI ELFOSABI_STANDALONE, one PT_LOAD per dump_avail chunk
 * with p_paddr the chunk's physical start, the chunks' pages back to back
 * from the page-rounded end of the headers).  The chunks are read into a
 * small sorted array; a page's index from the first data byte is its rank,
 * so the minidump layer's readers, the run merger and the core writer work
 * on a full dump unchanged (pages section = all chunks).
 *
 * Kernel virtual addresses need the kernel's page tables, which only the
 * kernel's symbols locate (KPML4phys on amd64, IdlePDPT/IdlePTD on i386):
 * they are found when a kernel is set (m2e_full_setkernel) and walked on
 * demand, one table page at a time, by full_amd64.c and full_i386.c.
 * The handle's architecture is a copy of the minidump one (registers,
 * names) with the full-dump kvtop and walk.  arm64 full dumps are refused:
 * nothing says where their page tables are (libkvm has no reader either).
 */
#include <stdlib.h>
#include <string.h>

#include <gelf.h>

#include "full_int.h"
#include "kernel_int.h"

/* ELF header fields (Elf32/Elf64_Ehdr), native (little-endian) order. */
#define	EH_CLASS	4
#define	EH_DATA		5
#define	EH_TYPE		16
#define	EH_MACHINE	18
#define	EH64_PHOFF	32
#define	EH64_PHENTSIZE	54
#define	EH64_PHNUM	56
#define	EH64_SIZE	64
#define	EH32_PHOFF	28
#define	EH32_PHENTSIZE	42
#define	EH32_PHNUM	44
#define	EH32_SIZE	52
/* Program header fields. */
#define	PH64_SIZE	56
#define	PH64_OFFSET	8
#define	PH64_PADDR	24
#define	PH64_FILESZ	32
#define	PH64_MEMSZ	40
#define	PH32_SIZE	32
#define	PH32_OFFSET	4
#define	PH32_PADDR	12
#define	PH32_FILESZ	16
#define	PH32_MEMSZ	20

/*
 * At most this many chunks: the kernel writes one per dump_avail pair
 * (DUMPSYS_MD_PA_NPAIRS, 20 on x86); far more means a hostile header.
 */
#define	FULL_MAXCHUNKS	4096
/* Relocations of the kernel image tried: 2 TiB of RAM at 2 MiB steps. */
#define	FULL_MAXCAND	(1ULL << 20)
#define	FULL_RELOC	(2ULL << 20)	/* the loader places kernels at 2 MiB */
#define	FULL_4G		(1ULL << 32)

static const struct m2e_fullops *const full_ops[] = {
	&m2e_full_amd64,
	&m2e_full_i386,
	NULL
};

static int
full_kvtop(md2elf_t *d, uint64_t va, uint64_t *pa)
{
	const struct m2e_full *f = d->full;

	if (f->ops->dmapend != 0 && va >= f->ops->dmapbase &&
	    va < f->ops->dmapend) {
		*pa = va - f->ops->dmapbase;
		return (0);
	}
	if (!f->pt.ok)
		return (-1);
	return (f->ops->xlate(d, &f->pt, va, pa));
}

static int
full_walk(md2elf_t *d, m2e_visit_fn *fn, void *arg)
{
	struct m2e_full *f = d->full;

	if (!f->pt.ok)
		return (m2e_err(d, "a full dump's kernel map needs the "
		    "kernel (its page tables are found through its symbols)"));
	return (f->ops->walk(d, &f->pt, fn, arg));
}

static void
full_fini(md2elf_t *d)
{
	struct m2e_full *f = d->full;

	d->full = NULL;
	d->arch = NULL;
	if (f != NULL) {
		free(f->chunks);
		free(f);
	}
}

/* Program header i (at file offset at) into f->chunks; -1 with error. */
static int
full_chunk_add(md2elf_t *d, struct m2e_full *f, bool c64, const uint8_t *p,
    unsigned i, uint64_t at, uint64_t *expect)
{
	uint64_t off, pa, filesz, memsz, end;
	uint32_t type;

	end = i > 0 ? f->chunks[i - 1].end : 0;
	type = le32dec_(p);
	if (type != PT_LOAD)
		return (m2e_err_at(d, at, "full dump program header %u has "
		    "type %u, not PT_LOAD", i, type));
	if (c64) {
		pa = le64dec_(p + PH64_PADDR);
		filesz = le64dec_(p + PH64_FILESZ);
		memsz = le64dec_(p + PH64_MEMSZ);
		off = le64dec_(p + PH64_OFFSET);
	} else {
		pa = le32dec_(p + PH32_PADDR);
		filesz = le32dec_(p + PH32_FILESZ);
		memsz = le32dec_(p + PH32_MEMSZ);
		off = le32dec_(p + PH32_OFFSET);
	}
	if (filesz != memsz || ((pa | filesz) & (FULL_PAGE - 1)) != 0 ||
	    filesz == 0 || pa + filesz < pa)
		return (m2e_err_at(d, at, "full dump program header %u: "
		    "physical chunk [%#jx, +%#jx) (memsz %#jx) is not a whole "
		    "number of pages", i, (uintmax_t)pa, (uintmax_t)filesz,
		    (uintmax_t)memsz));
	/*
	 * An ELFCLASS32 header holds the low 32 bits of a PAE chunk above
	 * 4 GiB (and of offsets past 4 GiB); dump_avail ascends, so the high
	 * bits are those that keep the order (the kernel's dump_avail, once
	 * a kernel is set, places the rest: full_fix_high).
	 */
	if (!c64 && i > 0 && pa < end)
		pa += (end - pa + FULL_4G - 1) & ~(FULL_4G - 1);
	if (!c64 && off != *expect && off == (*expect & (FULL_4G - 1)))
		off = *expect;
	if (i > 0 && pa < end)
		return (m2e_err_at(d, at, "full dump program header %u: "
		    "physical chunk at %#jx overlaps or precedes the one before "
		    "(ending at %#jx)", i, (uintmax_t)pa, (uintmax_t)end));
	/* The kernel writes the chunks back to back. */
	if (off != *expect)
		return (m2e_err_at(d, at, "full dump program header %u: data "
		    "at offset %#jx, but the chunks before end at %#jx", i,
		    (uintmax_t)off, (uintmax_t)*expect));
	if (filesz > d->len || *expect > d->len - filesz)
		return (m2e_err_at(d, *expect, "truncated full dump (chunk %u "
		    "[%#jx, %#jx) needs %ju bytes, %s %ju)", i, (uintmax_t)pa,
		    (uintmax_t)(pa + filesz),
		    (uintmax_t)(d->filebase + *expect + filesz),
		    d->decompressed ? "decompressed data has" : "file has",
		    (uintmax_t)(d->filebase + d->len)));
	f->chunks[i].pa = f->chunks[i].hdrpa = pa;
	f->chunks[i].end = pa + filesz;
	f->chunks[i].rank = (*expect - d->md.off_pages) >> FULL_PAGESHIFT;
	*expect += filesz;
	return (0);
}

/* The program headers into f->chunks; -1 with error. */
static int
full_chunks(md2elf_t *d, struct m2e_full *f, bool c64, uint64_t phoff,
    unsigned phnum)
{
	uint8_t *ph;
	uint64_t phsz, expect;
	unsigned i;
	int rc;

	phsz = c64 ? PH64_SIZE : PH32_SIZE;
	if ((ph = malloc(phnum * phsz)) == NULL ||
	    (f->chunks = calloc(phnum, sizeof(*f->chunks))) == NULL) {
		free(ph);
		return (m2e_err(d, "out of memory"));
	}
	if (m2e_read(d, ph, phnum * phsz, phoff, "full dump program headers")
	    != 0) {
		free(ph);
		return (-1);
	}
	expect = (phoff + phnum * phsz + FULL_PAGE - 1) & ~(FULL_PAGE - 1);
	d->md.off_pages = expect;
	rc = 0;
	for (i = 0; i < phnum && rc == 0; i++)
		rc = full_chunk_add(d, f, c64, ph + i * phsz, i,
		    phoff + i * phsz, &expect);
	free(ph);
	if (rc != 0)
		return (-1);
	f->nchunks = phnum;
	d->md.npages = (expect - d->md.off_pages) >> FULL_PAGESHIFT;
	/* The dump length is exactly the headers and the chunks. */
	if (d->len - expect > FULL_PAGE)
		return (m2e_err_at(d, expect, "%ju bytes after the last of the "
		    "%u chunks the program headers describe",
		    (uintmax_t)(d->len - expect), phnum));
	return (0);
}

int
m2e_full_probe(md2elf_t *d, const uint8_t *hdr, size_t hdrlen)
{
	const struct m2e_fullops *const *op;
	struct m2e_full *f;
	uint64_t phoff;
	unsigned machine, phentsize, phnum, ehsize;
	bool c64;

	if (hdrlen < EH32_SIZE || (hdr[EH_CLASS] != ELFCLASS32 &&
	    hdr[EH_CLASS] != ELFCLASS64))
		return (m2e_err_at(d, EH_CLASS, "full dump with a bad ELF "
		    "header (class %u, %zu bytes)", hdrlen > EH_CLASS ?
		    hdr[EH_CLASS] : 0, hdrlen));
	if (hdr[EH_DATA] != ELFDATA2LSB)
		return (m2e_err_at(d, EH_DATA, "big-endian full dump: only "
		    "little-endian (amd64, i386) full dumps are supported"));
	c64 = hdr[EH_CLASS] == ELFCLASS64;
	ehsize = c64 ? EH64_SIZE : EH32_SIZE;
	if (hdrlen < ehsize)
		return (m2e_err_at(d, 0, "truncated full dump ELF header "
		    "(need %u bytes, have %zu)", ehsize, hdrlen));
	machine = hdr[EH_MACHINE] | hdr[EH_MACHINE + 1] << 8;
	if (machine == EM_AARCH64)
		return (m2e_err_at(d, EH_MACHINE, "an arm64 full dump "
		    "(debug.minidump=0): not supported, its kernel page "
		    "tables cannot be found (libkvm cannot read these "
		    "either); dump with debug.minidump=1"));
	for (op = full_ops; *op != NULL; op++)
		if ((*op)->elfmachine == machine &&
		    (*op)->elfclass == hdr[EH_CLASS])
			break;
	if (*op == NULL)
		return (m2e_err_at(d, EH_MACHINE, "full dump of ELF machine %u "
		    "(class %u): only amd64 and i386 full dumps are supported",
		    machine, hdr[EH_CLASS]));
	phoff = c64 ? le64dec_(hdr + EH64_PHOFF) : le32dec_(hdr + EH32_PHOFF);
	phentsize = c64 ? (hdr[EH64_PHENTSIZE] | hdr[EH64_PHENTSIZE + 1] << 8) :
	    (hdr[EH32_PHENTSIZE] | hdr[EH32_PHENTSIZE + 1] << 8);
	phnum = c64 ? (hdr[EH64_PHNUM] | hdr[EH64_PHNUM + 1] << 8) :
	    (hdr[EH32_PHNUM] | hdr[EH32_PHNUM + 1] << 8);
	if (phentsize != (c64 ? PH64_SIZE : PH32_SIZE))
		return (m2e_err_at(d, c64 ? EH64_PHENTSIZE : EH32_PHENTSIZE,
		    "full dump program header size %u (expected %u)",
		    phentsize, c64 ? PH64_SIZE : PH32_SIZE));
	if (phnum == 0 || phnum > FULL_MAXCHUNKS)
		return (m2e_err_at(d, c64 ? EH64_PHNUM : EH32_PHNUM, "full dump "
		    "with %u program headers (1 to %u accepted: one per "
		    "physical memory chunk)", phnum, FULL_MAXCHUNKS));
	if (phoff < ehsize || phoff > d->len ||
	    (uint64_t)phnum * phentsize > d->len - phoff)
		return (m2e_err_at(d, c64 ? EH64_PHOFF : EH32_PHOFF, "full dump "
		    "program headers at %#jx (%u of %u bytes) lie outside the "
		    "%ju bytes of dump data", (uintmax_t)phoff, phnum,
		    phentsize, (uintmax_t)d->len));
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return (m2e_err(d, "out of memory"));
	f->ops = *op;
	f->arch = *(*op)->base;
	f->arch.init = NULL;
	f->arch.fini = full_fini;
	f->arch.kvtop = full_kvtop;
	f->arch.walk = full_walk;
	d->full = f;
	d->arch = &f->arch;
	d->format = "full";
	d->md.pagesize = FULL_PAGE;
	d->md.pageshift = FULL_PAGESHIFT;
	d->md.dmapbase = (*op)->dmapbase;
	d->md.dmapend = (*op)->dmapend;
	d->md.dmapphys = 0;
	if (d->has_kdh && strcmp(d->kdh.arch, f->arch.machine_arch) != 0)
		m2e_warn(d, "the kerneldumpheader says architecture \"%s\" "
		    "but the full dump is for %s", d->kdh.arch,
		    f->arch.machine_arch);
	return (full_chunks(d, f, c64, phoff, phnum));
}

/* The chunk holding pa, or NULL; *next: the first chunk above pa. */
static const struct m2e_fchunk *
full_chunk(const struct m2e_full *f, uint64_t pa, size_t *next)
{
	size_t lo, hi, mid;

	lo = 0;
	hi = f->nchunks;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (f->chunks[mid].end <= pa)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (next != NULL)
		*next = lo;
	if (lo < f->nchunks && pa >= f->chunks[lo].pa)
		return (&f->chunks[lo]);
	return (NULL);
}

int
m2e_full_pa_rank(md2elf_t *d, uint64_t pa, uint64_t *rank)
{
	const struct m2e_fchunk *c;

	if ((c = full_chunk(d->full, pa, NULL)) == NULL)
		return (-1);
	*rank = c->rank + ((pa - c->pa) >> FULL_PAGESHIFT);
	return (0);
}

int
m2e_full_pa_runs(md2elf_t *d, uint64_t pa, uint64_t n, m2e_visit_fn *fn,
    void *arg)
{
	const struct m2e_full *f = d->full;
	const struct m2e_fchunk *c;
	struct m2e_runs r;
	uint64_t end, s, e;
	size_t i;
	int rc;

	m2e_runs_init(&r, d, fn, arg);
	pa &= ~(FULL_PAGE - 1);
	end = n > (UINT64_MAX - pa) >> FULL_PAGESHIFT ? UINT64_MAX :
	    pa + (n << FULL_PAGESHIFT);
	full_chunk(f, pa, &i);
	for (; i < f->nchunks && f->chunks[i].pa < end; i++) {
		c = &f->chunks[i];
		s = c->pa > pa ? c->pa : pa;
		e = c->end < end ? c->end : end;
		rc = m2e_runs_add(&r, s, s, c->rank + ((s - c->pa) >>
		    FULL_PAGESHIFT), (e - s) >> FULL_PAGESHIFT);
		if (rc != 0)
			return (rc);
	}
	return (m2e_runs_end(&r));
}

int
m2e_full_find(md2elf_t *d, uint64_t va, uint64_t kernbase,
    m2e_fulltry_fn *try, struct m2e_fullpt *pt)
{
	const struct m2e_full *f = d->full;
	uint64_t pa, phase, ncand;
	size_t i;

	if (va >= kernbase && try(d, va, va - kernbase, pt) == 0)
		return (0);
	if (va != va - kernbase && try(d, va, va, pt) == 0)
		return (0);
	/* The image relocated by a multiple of 2 MiB. */
	phase = (va - kernbase) & (FULL_RELOC - 1);
	ncand = 0;
	for (i = 0; i < f->nchunks; i++) {
		pa = (f->chunks[i].pa & ~(FULL_RELOC - 1)) + phase;
		if (pa < f->chunks[i].pa)
			pa += FULL_RELOC;
		for (; pa < f->chunks[i].end; pa += FULL_RELOC) {
			if (++ncand > FULL_MAXCAND)
				return (-1);
			if (pa != va - kernbase && pa != va &&
			    try(d, va, pa, pt) == 0)
				return (0);
			if (pa + FULL_RELOC < pa)
				break;
		}
	}
	return (-1);
}

void
m2e_full_walk_start(md2elf_t *d)
{
	d->full->tables = 0;
	d->full->nmissing = 0;
}

void
m2e_full_walk_end(md2elf_t *d)
{
	const struct m2e_full *f = d->full;

	if (f->nmissing > 0)
		m2e_warn(d, "the page-table entry for va %#jx points to "
		    "page-table page %#jx, which is not in the dump; what it "
		    "maps is left out of the core (entries skipped: %ju)",
		    (uintmax_t)f->miss_va, (uintmax_t)f->miss_pa,
		    (uintmax_t)f->nmissing);
}

int
m2e_full_table(md2elf_t *d, uint64_t pa, uint8_t *page, uint64_t va,
    const char *what)
{
	struct m2e_full *f = d->full;
	uint64_t rank;

	if (m2e_full_pa_rank(d, pa, &rank) != 0) {
		if ((d->openflags & MD2ELF_OPEN_FORCE) == 0)
			return (m2e_err_forcible(d, "the page-table entry "
			    "for va %#jx points to %s page %#jx, which is not "
			    "in the dump (outside every chunk)",
			    (uintmax_t)va, what, (uintmax_t)pa));
		if (f->nmissing++ == 0) {
			f->miss_va = va;
			f->miss_pa = pa;
		}
		return (1);
	}
	/*
	 * Real page-table pages are distinct pages of the dump: more table
	 * reads than pages means the tables loop back on themselves.
	 */
	if (++f->tables > d->md.npages)
		return (m2e_err(d, "the kernel page tables reference more "
		    "table pages than the %ju pages of the dump (a loop, at va "
		    "%#jx)", (uintmax_t)d->md.npages, (uintmax_t)va));
	return (m2e_read(d, page, FULL_PAGE, d->md.off_pages +
	    (rank << FULL_PAGESHIFT), "page-table page"));
}

static int
chunk_cmp(const void *a, const void *b)
{
	const struct m2e_fchunk *x = a, *y = b;

	return (x->pa < y->pa ? -1 : x->pa > y->pa);
}

/* Chunks at hdrpa again (the kernel that moved them was refused). */
static void
full_chunks_reset(struct m2e_full *f)
{
	size_t i;

	for (i = 0; i < f->nchunks; i++) {
		f->chunks[i].end = f->chunks[i].hdrpa +
		    (f->chunks[i].end - f->chunks[i].pa);
		f->chunks[i].pa = f->chunks[i].hdrpa;
	}
	qsort(f->chunks, f->nchunks, sizeof(*f->chunks), chunk_cmp);
}

/*
 * ELFCLASS32 with PAE: a chunk above 4 GiB has only the low 32 bits of
 * its address in p_paddr (kern_dump.c stores a vm_paddr_t in Elf32_Addr).
 * The kernel's dump_avail (64-bit vm_paddr_t pairs, the list the chunks
 * were made from) gives the whole address of the chunk of the same size
 * and low bits.  -1 with the error set if the result overlaps.
 */
static int
full_fix_high(md2elf_t *d, struct m2e_kernel *k, const struct m2e_fullpt *pt)
{
	struct m2e_full *f = d->full;
	const struct ksym *da;
	uint8_t b[16];
	uint64_t s, e, pa;
	size_t i, j;
	bool moved;

	if (f->arch.elfclass != ELFCLASS32 || !pt->pae ||
	    (da = m2e_ksym_byname(k, "dump_avail")) == NULL)
		return (0);
	moved = false;
	for (j = 0; j <= FULL_MAXCHUNKS; j++) {
		if (f->ops->xlate(d, pt, da->value + j * 16, &pa) != 0 ||
		    m2e_read_pa(d, pa, b, sizeof(b)) != 0)
			break;
		s = le64dec_(b);
		e = le64dec_(b + 8);
		if (s == 0 && e == 0)
			break;
		if (e <= s || s < FULL_4G)
			continue;
		for (i = 0; i < f->nchunks; i++)
			if ((f->chunks[i].hdrpa & (FULL_4G - 1)) ==
			    (s & (FULL_4G - 1)) &&
			    f->chunks[i].end - f->chunks[i].pa == e - s &&
			    f->chunks[i].pa != s) {
				f->chunks[i].pa = s;
				f->chunks[i].end = e;
				moved = true;
			}
	}
	if (!moved)
		return (0);
	qsort(f->chunks, f->nchunks, sizeof(*f->chunks), chunk_cmp);
	for (i = 1; i < f->nchunks; i++)
		if (f->chunks[i].pa < f->chunks[i - 1].end) {
			full_chunks_reset(f);
			return (m2e_err(d, "the kernel's dump_avail puts chunk "
			    "%#jx over chunk %#jx", (uintmax_t)f->chunks[i].pa,
			    (uintmax_t)f->chunks[i - 1].pa));
		}
	return (0);
}

int
m2e_full_setkernel(md2elf_t *d, struct m2e_kernel *k)
{
	struct m2e_full *f = d->full;
	struct m2e_fullpt pt;

	memset(&pt, 0, sizeof(pt));
	f->saved = f->pt;
	full_chunks_reset(f);
	if (k != NULL && (f->ops->findpt(d, k, &pt) != 0 ||
	    full_fix_high(d, k, &pt) != 0)) {
		m2e_full_undo(d);
		return (-1);
	}
	f->pt = pt;
	d->md.pae = pt.pae;
	d->md.kernbase = pt.kvmin;
	return (0);
}

void
m2e_full_undo(md2elf_t *d)
{
	/* The kernel still set, if any, placed the chunks: again. */
	m2e_quiet(d);	/* the error being reported stays */
	full_chunks_reset(d->full);
	if (d->kern != NULL && d->full->saved.ok)
		(void)full_fix_high(d, d->kern, &d->full->saved);
	(void)m2e_unquiet(d);
	d->full->pt = d->full->saved;
	d->md.pae = d->full->pt.pae;
	d->md.kernbase = d->full->pt.kvmin;
}

/* The sections of a full dump: its ELF headers, then the chunks. */
int
m2e_full_sections(md2elf_t *d, struct md2elf_section *sec, size_t max)
{
	struct md2elf_section all[2];
	size_t i;

	all[0] = (struct md2elf_section){ "header", 0, d->md.off_pages,
	    d->md.off_pages };
	all[1] = (struct md2elf_section){ "pages", d->md.off_pages,
	    d->md.npages * FULL_PAGE, d->md.npages * FULL_PAGE };
	for (i = 0; i < 2 && i < max; i++)
		sec[i] = all[i];
	return (2);
}
