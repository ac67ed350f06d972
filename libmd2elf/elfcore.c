/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * elfcore.c: md2elf_write_core(), the ELF core writer.
 *
 * Layout (elfcore_layout()): ELF header | program headers: PT_NOTE, then
 * PT_LOADs ascending in p_vaddr | notes (section 1) | .shstrtab (section
 * 2) | section headers | pad to the page size | page data: the page
 * section verbatim, rank r at data + r * pagesize, zero pages as holes
 * (copy.c) | the modules' r_debug hint (modhint.c), its own last PT_LOAD.
 *
 * Invariants: every kernel-map mapping and direct-map alias of a dumped
 * page is a PT_LOAD (p_vaddr KVA, p_paddr PA) pointing at the page's one
 * copy; runs contiguous in va, pa and rank are one segment, never merged
 * across pages not in the dump; segments are disjoint (an overlap is
 * dropped, with a warning).  65535 or more program headers: e_phnum is
 * PN_XNUM, the count in section 0's sh_info.  Memory does not grow with
 * the segments: gen_run() merges the kernel map and direct map streams
 * as they come, twice (count pass, then emit pass: both must agree), and
 * the headers are converted by libelf (elf*_xlatetof) a chunk at a time
 * and written with pwrite(), no elf_update().  Measurements: bench/RESULTS.
 */
#include <sys/stat.h>

#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "md2elf_private.h"

/* A sanity cap: debuggers hold every program header in memory. */
#define	ELFCORE_MAXSEGS	(1ULL << 23)	/* PT_LOADs: 8 Mi */
/*
 * Mappings per dumped page, on average, beyond which page tables are taken
 * for hostile: each mapping costs a program header, and a few thousand
 * bytes of page directory aliasing one large page would otherwise make a
 * core of millions of segments.  A FreeBSD kernel maps a page in the kernel
 * map once or a few times (and once in the direct map).
 */
#define	ELFCORE_MAXALIAS	16
#define	ELFCORE_CHUNK	512		/* program headers per write */

static const char elfcore_shstrtab[] = "\0.note\0.shstrtab";
#define	SHSTR_NOTE	1
#define	SHSTR_SHSTRTAB	7
#define	ELFCORE_NSECT	3		/* null, .note, .shstrtab */

/* The program-header table, written a chunk at a time. */
struct phw {
	md2elf_t	*d;
	int		 fd;
	unsigned	 elfclass;
	uint64_t	 off;		/* file offset of the buffered entries */
	uint64_t	 room;		/* entries the table has left */
	size_t		 n;		/* entries buffered */
	union {
		Elf32_Phdr	 p32[ELFCORE_CHUNK];
		Elf64_Phdr	 p64[ELFCORE_CHUNK];
	} mem;
	unsigned char	 file[ELFCORE_CHUNK * sizeof(Elf64_Phdr)];
};

/* The segment generator's state. */
struct gen {
	md2elf_t	*d;
	uint64_t	 ps;
	unsigned	 shift;
	uint64_t	 va, pa, rank, n;	/* pending segment, n pages */
	uint64_t	 nsegs;		/* segments handed out */
	uint64_t	 vlo, vhi;	/* span of the segments' va */
	bool		 vtop;		/* a segment ends at 2^64 */
	uint64_t	 mapped;	/* pages they map */
	uint64_t	 dropped;	/* pages overlapping earlier ones */
	/* Direct map: pa pages [dlo, dhi) at va dbase; pages < dnext done. */
	bool		 dmap;
	uint64_t	 dbase, dlo, dhi, dnext;
	uint64_t	 kva, kpa;	/* kernel-map mapping being split */
	/* Emit pass: where segments go (NULL: count only). */
	struct phw	*w;
	uint64_t	 data;		/* file offset of the page data */
	uint64_t	 lim;		/* largest p_paddr of the class */
};

static int
elfcore_pwrite(md2elf_t *d, int fd, const void *buf, size_t len,
    uint64_t off)
{
	size_t done;

	if (m2e_pwrite_full(fd, buf, len, off, &done) != 0)
		return (m2e_err(d, "writing the core: output offset %#jx: %s",
		    (uintmax_t)(off + done), strerror(errno)));
	return (0);
}

/* Convert the buffered program headers (libelf) and write them. */
static int
phw_flush(struct phw *w)
{
	Elf_Data src, dst;
	Elf_Data *r;
	size_t len;

	if (w->n == 0)
		return (0);
	memset(&src, 0, sizeof(src));
	memset(&dst, 0, sizeof(dst));
	src.d_type = ELF_T_PHDR;
	src.d_version = dst.d_version = EV_CURRENT;
	src.d_buf = &w->mem;
	dst.d_buf = w->file;
	if (w->elfclass == ELFCLASS64) {
		src.d_size = w->n * sizeof(Elf64_Phdr);
		len = elf64_fsize(ELF_T_PHDR, w->n, EV_CURRENT);
		dst.d_size = len;
		r = len != 0 && len <= sizeof(w->file) ?
		    elf64_xlatetof(&dst, &src, ELFDATA2LSB) : NULL;
	} else {
		src.d_size = w->n * sizeof(Elf32_Phdr);
		len = elf32_fsize(ELF_T_PHDR, w->n, EV_CURRENT);
		dst.d_size = len;
		r = len != 0 && len <= sizeof(w->file) ?
		    elf32_xlatetof(&dst, &src, ELFDATA2LSB) : NULL;
	}
	if (r == NULL)
		return (m2e_err(w->d, "writing the core: output offset "
		    "%#jx: program headers: %s", (uintmax_t)w->off,
		    elf_errmsg(-1)));
	if (elfcore_pwrite(w->d, w->fd, w->file, len, w->off) != 0)
		return (-1);
	w->off += len;
	w->n = 0;
	return (0);
}

static int
phw_add(struct phw *w, const GElf_Phdr *ph)
{
	Elf32_Phdr *p32;
	Elf64_Phdr *p64;

	if (w->room == 0)
		return (m2e_err(w->d, "writing the core: more program headers "
		    "than counted (the mappings changed between passes)"));
	if (w->elfclass == ELFCLASS64) {
		p64 = &w->mem.p64[w->n];
		p64->p_type = ph->p_type;
		p64->p_flags = ph->p_flags;
		p64->p_offset = ph->p_offset;
		p64->p_vaddr = ph->p_vaddr;
		p64->p_paddr = ph->p_paddr;
		p64->p_filesz = ph->p_filesz;
		p64->p_memsz = ph->p_memsz;
		p64->p_align = ph->p_align;
	} else {
		/* The caller checked that every value fits. */
		p32 = &w->mem.p32[w->n];
		p32->p_type = (Elf32_Word)ph->p_type;
		p32->p_flags = (Elf32_Word)ph->p_flags;
		p32->p_offset = (Elf32_Off)ph->p_offset;
		p32->p_vaddr = (Elf32_Addr)ph->p_vaddr;
		p32->p_paddr = (Elf32_Addr)ph->p_paddr;
		p32->p_filesz = (Elf32_Word)ph->p_filesz;
		p32->p_memsz = (Elf32_Word)ph->p_memsz;
		p32->p_align = (Elf32_Word)ph->p_align;
	}
	w->room--;
	if (++w->n == ELFCORE_CHUNK)
		return (phw_flush(w));
	return (0);
}

/* Hand the pending segment out: count it, and in the emit pass write it. */
static int
gen_flush(struct gen *g)
{
	GElf_Phdr ph;

	if (g->n == 0)
		return (0);
	if (g->nsegs >= ELFCORE_MAXSEGS)
		return (m2e_err(g->d, "more than %ju separate mappings: not "
		    "writing a core with that many segments",
		    (uintmax_t)ELFCORE_MAXSEGS));
	if (g->nsegs == 0 || g->va < g->vlo)
		g->vlo = g->va;
	if (g->va + g->n * g->ps == 0)
		g->vtop = true;
	else if (g->va + g->n * g->ps > g->vhi)
		g->vhi = g->va + g->n * g->ps;
	g->mapped += g->n;
	if (g->mapped / ELFCORE_MAXALIAS > g->d->md.npages)
		return (m2e_err(g->d, "the page tables map the %ju dumped pages "
		    "more than %d times over (%ju mapped by kernel address "
		    "%#jx): not writing a core of so many aliases",
		    (uintmax_t)g->d->md.npages,
		    ELFCORE_MAXALIAS, (uintmax_t)g->mapped, (uintmax_t)g->va));
	g->nsegs++;
	if (g->w == NULL)
		return (0);
	memset(&ph, 0, sizeof(ph));
	ph.p_type = PT_LOAD;
	ph.p_flags = PF_R | PF_W | PF_X;
	ph.p_offset = g->data + g->rank * g->ps;
	ph.p_vaddr = g->va;
	/* An ELF32 p_paddr cannot hold a PAE address. */
	ph.p_paddr = g->pa <= g->lim ? g->pa : 0;
	ph.p_filesz = ph.p_memsz = g->n * g->ps;
	ph.p_align = g->ps;
	return (phw_add(g->w, &ph));
}

/*
 * The next n pages at va -> pa, page section rank, in ascending va: drop
 * what overlaps the pending segment, merge what continues it, else hand
 * the pending segment out.  Ranges are compared by their last byte: a
 * page at the top of the address space ends at 2^64.
 */
static int
gen_add(struct gen *g, uint64_t va, uint64_t pa, uint64_t rank, uint64_t n)
{
	uint64_t plast, skip;

	if (g->n != 0) {
		plast = g->va + g->n * g->ps - 1;
		if (va <= plast) {
			skip = (plast - va) / g->ps + 1;
			if (skip >= n) {
				g->dropped += n;
				return (0);
			}
			g->dropped += skip;
			va += skip * g->ps;
			pa += skip * g->ps;
			rank += skip;
			n -= skip;
		}
		if (plast + 1 == va && g->pa + g->n * g->ps == pa &&
		    g->rank + g->n == rank) {
			g->n += n;
			return (0);
		}
		if (gen_flush(g) != 0)
			return (-1);
	}
	g->va = va;
	g->pa = pa;
	g->rank = rank;
	g->n = n;
	return (0);
}

/* A dumped run of the direct map's physical range: its alias. */
static int
gen_dmap_run(void *arg, uint64_t va, uint64_t pa, uint64_t rank,
    uint64_t n)
{
	struct gen *g;

	g = arg;
	return (gen_add(g, g->dbase + (pa - (g->dlo << g->shift)), pa, rank,
	    n));
}

/* Hand out the direct-map segments below va that are not out yet. */
static int
gen_dmap_upto(struct gen *g, uint64_t va)
{
	uint64_t pages, limit;
	int rc;

	if (!g->dmap || va <= g->dbase)
		return (0);
	pages = (va - g->dbase) >> g->shift;
	limit = pages < g->dhi - g->dlo ? g->dlo + pages : g->dhi;
	if (limit <= g->dnext)
		return (0);
	rc = m2e_md_pa_runs(g->d, g->dnext << g->shift, limit - g->dnext,
	    gen_dmap_run, g);
	g->dnext = limit;
	return (rc);
}

/* A dumped run inside the kernel-map mapping being split. */
static int
gen_kmap_run(void *arg, uint64_t pva, uint64_t pa, uint64_t rank,
    uint64_t n)
{
	struct gen *g;
	uint64_t va;

	g = arg;
	va = g->kva + (pa - g->kpa);
	if (gen_dmap_upto(g, va) != 0)
		return (-1);
	return (gen_add(g, va, pa, rank, n));
}

/* A kernel-map mapping: one segment per run of dumped pages. */
static int
gen_kmap(void *arg, uint64_t va, uint64_t pa, uint64_t rank, uint64_t n)
{
	struct gen *g;

	g = arg;
	g->kva = va;
	g->kpa = pa;
	return (m2e_md_pa_runs(g->d, pa, n, gen_kmap_run, g));
}

/*
 * Generate every PT_LOAD segment in ascending va: the count pass (w NULL)
 * or the emit pass.  0, or -1 with the error set.
 */
static int
gen_run(md2elf_t *d, const struct md2elf_write_opts *o, struct gen *g,
    struct phw *w, uint64_t data)
{
	const struct m2e_minidump *md;
	uint64_t size, top;
	int rc;

	md = &d->md;
	memset(g, 0, sizeof(*g));
	g->d = d;
	g->ps = md->pagesize;
	g->shift = md->pageshift;
	g->w = w;
	g->data = data;
	g->lim = d->arch->elfclass == ELFCLASS64 ? UINT64_MAX : UINT32_MAX;
	if (!o->no_dmap && md->dmapend > md->dmapbase) {
		g->dmap = true;
		g->dbase = md->dmapbase;
		g->dlo = g->dnext = md->dmapphys >> g->shift;
		size = (md->dmapend - md->dmapbase) >> g->shift;
		/* Pages past 2^64 of physical address space: none. */
		top = 1ULL << (64 - g->shift);
		g->dhi = size < top - g->dlo ? g->dlo + size : top;
	}
	rc = d->arch->walk(d, gen_kmap, g);
	if (rc == 0)
		rc = gen_dmap_upto(g, UINT64_MAX);
	if (rc == 0)
		rc = gen_flush(g);
	return (rc != 0 ? -1 : 0);
}

static int
elfcore_elferr(md2elf_t *d, const char *what, uint64_t size, int error)
{
	return (m2e_err(d, "writing the core: output offset 0 (%ju bytes of "
	    "headers): %s: %s%s%s", (uintmax_t)size, what, elf_errmsg(-1),
	    error != 0 ? ": " : "", error != 0 ? strerror(error) : ""));
}

static uint64_t
roundup_(uint64_t x, uint64_t a)
{
	return ((x + a - 1) / a * a);
}

/* Where everything in front of the page data goes. */
struct layout {
	unsigned	 elfclass;
	uint64_t	 ehsz, phsz, shsz;
	uint64_t	 phnum, phoff, noteoff, stroff, shoff, data;
};

static int
elfcore_layout(md2elf_t *d, uint64_t nsegs, const struct m2e_notes *notes,
    struct layout *l)
{
	uint64_t end, lim;

	l->elfclass = d->arch->elfclass;
	l->ehsz = l->elfclass == ELFCLASS64 ? 64 : 52;
	l->phsz = l->elfclass == ELFCLASS64 ? 56 : 32;
	l->shsz = l->elfclass == ELFCLASS64 ? 64 : 40;
	l->phnum = 1 + nsegs;
	l->phoff = l->ehsz;
	l->noteoff = roundup_(l->phoff + l->phnum * l->phsz, 8);
	l->stroff = l->noteoff + notes->len;
	l->shoff = roundup_(l->stroff + sizeof(elfcore_shstrtab), 8);
	l->data = roundup_(l->shoff + ELFCORE_NSECT * l->shsz,
	    d->md.pagesize);
	end = l->data + d->md.npages * d->md.pagesize;
	lim = l->elfclass == ELFCLASS64 ? UINT64_MAX : UINT32_MAX;
	if (end > lim || end < l->data)
		return (m2e_err(d, "the core would be %ju bytes: too large for "
		    "an ELFCLASS32 file", (uintmax_t)end));
	return (0);
}

/*
 * xlatetof(): n native (EV_CURRENT) entries of type t at src, of the
 * file's class, to their little-endian file representation in file (room
 * bytes); the file size, or 0 if libelf refused.
 */
static size_t
elfcore_xlate(unsigned elfclass, Elf_Type t, void *src, size_t srclen,
    size_t n, unsigned char *file, size_t room)
{
	Elf_Data s, f;
	Elf_Data *r;
	size_t len;

	memset(&s, 0, sizeof(s));
	memset(&f, 0, sizeof(f));
	s.d_type = t;
	s.d_version = f.d_version = EV_CURRENT;
	s.d_buf = src;
	s.d_size = srclen;
	f.d_buf = file;
	len = elfclass == ELFCLASS64 ? elf64_fsize(t, n, EV_CURRENT) :
	    elf32_fsize(t, n, EV_CURRENT);
	if (len == 0 || len > room)
		return (0);
	f.d_size = len;
	r = elfclass == ELFCLASS64 ? elf64_xlatetof(&f, &s, ELFDATA2LSB) :
	    elf32_xlatetof(&f, &s, ELFDATA2LSB);
	return (r != NULL ? len : 0);
}

/*
 * The ELF header, the notes (section 1), the section names (section 2)
 * and the section table, at the offsets of the layout (see the top of the
 * file): built here as native structures, converted by libelf, written
 * with pwrite().
 */
static int
elfcore_headers(md2elf_t *d, int fd, enum md2elf_flavor flavor,
    const struct layout *l, const struct m2e_notes *notes)
{
	Elf64_Ehdr eh;
	Elf64_Shdr sh[ELFCORE_NSECT];
	Elf32_Ehdr eh32;
	Elf32_Shdr sh32[ELFCORE_NSECT];
	unsigned char ehfile[sizeof(Elf64_Ehdr)];
	unsigned char shfile[ELFCORE_NSECT * sizeof(Elf64_Shdr)];
	size_t ehlen, shlen;
	int i;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return (m2e_err(d, "libelf: %s", elf_errmsg(-1)));
	memset(&eh, 0, sizeof(eh));
	eh.e_ident[EI_MAG0] = ELFMAG0;	/* elftoolchain has no ELFMAG */
	eh.e_ident[EI_MAG1] = ELFMAG1;
	eh.e_ident[EI_MAG2] = ELFMAG2;
	eh.e_ident[EI_MAG3] = ELFMAG3;
	eh.e_ident[EI_CLASS] = (unsigned char)l->elfclass;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = flavor == MD2ELF_FLAVOR_LINUX ? ELFOSABI_NONE :
	    ELFOSABI_FREEBSD;
	eh.e_type = ET_CORE;
	eh.e_machine = (Elf64_Half)d->arch->elfmachine;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = l->phoff;
	eh.e_shoff = l->shoff;
	eh.e_ehsize = (Elf64_Half)l->ehsz;
	eh.e_phentsize = (Elf64_Half)l->phsz;
	/* PN_XNUM: the real count is section 0's sh_info. */
	eh.e_phnum = (Elf64_Half)(l->phnum >= PN_XNUM ? PN_XNUM : l->phnum);
	eh.e_shentsize = (Elf64_Half)l->shsz;
	eh.e_shnum = ELFCORE_NSECT;
	eh.e_shstrndx = 2;

	memset(sh, 0, sizeof(sh));
	if (l->phnum >= PN_XNUM)
		sh[0].sh_info = (Elf64_Word)l->phnum;
	sh[1].sh_name = SHSTR_NOTE;
	sh[1].sh_type = SHT_NOTE;
	sh[1].sh_offset = l->noteoff;
	sh[1].sh_size = notes->len;
	sh[1].sh_addralign = 4;
	sh[2].sh_name = SHSTR_SHSTRTAB;
	sh[2].sh_type = SHT_STRTAB;
	sh[2].sh_offset = l->stroff;
	sh[2].sh_size = sizeof(elfcore_shstrtab);
	sh[2].sh_addralign = 1;

	if (l->elfclass == ELFCLASS64) {
		ehlen = elfcore_xlate(ELFCLASS64, ELF_T_EHDR, &eh, sizeof(eh),
		    1, ehfile, sizeof(ehfile));
		shlen = elfcore_xlate(ELFCLASS64, ELF_T_SHDR, sh, sizeof(sh),
		    ELFCORE_NSECT, shfile, sizeof(shfile));
	} else {
		/* The offsets fit: elfcore_layout checked the file's end. */
		memset(&eh32, 0, sizeof(eh32));
		memcpy(eh32.e_ident, eh.e_ident, EI_NIDENT);
		eh32.e_type = eh.e_type;
		eh32.e_machine = eh.e_machine;
		eh32.e_version = eh.e_version;
		eh32.e_phoff = (Elf32_Off)eh.e_phoff;
		eh32.e_shoff = (Elf32_Off)eh.e_shoff;
		eh32.e_ehsize = eh.e_ehsize;
		eh32.e_phentsize = eh.e_phentsize;
		eh32.e_phnum = eh.e_phnum;
		eh32.e_shentsize = eh.e_shentsize;
		eh32.e_shnum = eh.e_shnum;
		eh32.e_shstrndx = eh.e_shstrndx;
		memset(sh32, 0, sizeof(sh32));
		for (i = 0; i < ELFCORE_NSECT; i++) {
			sh32[i].sh_name = sh[i].sh_name;
			sh32[i].sh_type = sh[i].sh_type;
			sh32[i].sh_offset = (Elf32_Off)sh[i].sh_offset;
			sh32[i].sh_size = (Elf32_Word)sh[i].sh_size;
			sh32[i].sh_info = sh[i].sh_info;
			sh32[i].sh_addralign = (Elf32_Word)sh[i].sh_addralign;
		}
		ehlen = elfcore_xlate(ELFCLASS32, ELF_T_EHDR, &eh32,
		    sizeof(eh32), 1, ehfile, sizeof(ehfile));
		shlen = elfcore_xlate(ELFCLASS32, ELF_T_SHDR, sh32,
		    sizeof(sh32), ELFCORE_NSECT, shfile, sizeof(shfile));
	}
	if (ehlen != l->ehsz || shlen != ELFCORE_NSECT * l->shsz)
		return (elfcore_elferr(d, "xlatetof", l->data, 0));
	if (elfcore_pwrite(d, fd, ehfile, ehlen, 0) != 0 ||
	    elfcore_pwrite(d, fd, notes->buf, notes->len, l->noteoff) != 0 ||
	    elfcore_pwrite(d, fd, elfcore_shstrtab, sizeof(elfcore_shstrtab),
	    l->stroff) != 0 ||
	    elfcore_pwrite(d, fd, shfile, shlen, l->shoff) != 0)
		return (-1);
	return (0);
}

/*
 * The program-header table: PT_NOTE, then the emit pass's PT_LOADs, then
 * the hint's (at hoff in the file) if there is one.
 */
static int
elfcore_phdrs(md2elf_t *d, int fd, const struct md2elf_write_opts *o,
    const struct layout *l, const struct m2e_notes *notes,
    const struct m2e_hint *h, uint64_t hoff)
{
	struct phw *w;
	struct gen g;
	GElf_Phdr ph;
	md2elf_warn_fn *warn;
	int rc;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return (m2e_err(d, "out of memory"));
	w->d = d;
	w->fd = fd;
	w->elfclass = l->elfclass;
	w->off = l->phoff;
	w->room = l->phnum;
	memset(&ph, 0, sizeof(ph));
	ph.p_type = PT_NOTE;
	ph.p_flags = PF_R;
	ph.p_offset = l->noteoff;
	ph.p_filesz = notes->len;
	ph.p_align = 4;
	rc = phw_add(w, &ph);
	/* The count pass said it all: no warning twice. */
	warn = d->warn;
	d->warn = NULL;
	if (rc == 0)
		rc = gen_run(d, o, &g, w, l->data);
	d->warn = warn;
	if (rc == 0 && h->nmods > 0) {
		memset(&ph, 0, sizeof(ph));
		ph.p_type = PT_LOAD;
		ph.p_flags = PF_R;
		ph.p_offset = hoff;
		ph.p_vaddr = h->va;
		ph.p_filesz = ph.p_memsz = h->len;
		ph.p_align = d->md.pagesize;
		rc = phw_add(w, &ph);
	}
	if (rc == 0)
		rc = phw_flush(w);
	if (rc == 0 && w->room != 0)
		rc = m2e_err(d, "writing the core: %ju program headers fewer "
		    "than counted (the mappings changed between passes)",
		    (uintmax_t)w->room);
	free(w);
	return (rc);
}

int
md2elf_core_size(md2elf_t *d, const struct md2elf_write_opts *opts,
    uint64_t *size)
{
	struct md2elf_write_opts defopts;
	struct gen g;
	struct layout l;
	struct m2e_notes notes;
	md2elf_warn_fn *warn;
	int rc;

	*size = 0;
	if (opts == NULL) {
		memset(&defopts, 0, sizeof(defopts));
		opts = &defopts;
	}
	if (d->arch == NULL || d->md.pagesize == 0 || d->md.bitmap == NULL)
		return (m2e_err(d, "no minidump is open"));
	if (gen_run(d, opts, &g, NULL, 0) != 0)
		return (-1);
	/* The writer warns of what the notes lack; the estimate need not. */
	warn = d->warn;
	d->warn = NULL;
	rc = m2e_notes_build(d, opts->flavor, &notes);
	d->warn = warn;
	if (rc != 0)
		return (-1);
	rc = elfcore_layout(d, g.nsegs, &notes, &l);
	m2e_notes_free(&notes);
	if (rc != 0)
		return (-1);
	*size = l.data + d->md.npages * d->md.pagesize;
	return (0);
}

int
md2elf_write_core(md2elf_t *d, int fd, const struct md2elf_write_opts *opts,
    struct md2elf_write_stats *stats)
{
	struct md2elf_write_opts defopts;
	struct md2elf_write_stats st;
	struct gen g;
	struct layout l;
	struct m2e_notes notes;
	struct m2e_hint hint;
	struct stat sb;
	uint64_t total, rank, off, extra;
	uint8_t word[8];
	int rc;

	memset(&st, 0, sizeof(st));
	if (stats != NULL)
		*stats = st;
	if (opts == NULL) {
		memset(&defopts, 0, sizeof(defopts));
		opts = &defopts;
	}
	if (d->arch == NULL || d->md.pagesize == 0 ||
	    (d->md.bitmap == NULL && d->full == NULL))
		return (m2e_err(d, "no minidump is open"));
	if (opts->flavor != MD2ELF_FLAVOR_FREEBSD &&
	    opts->flavor != MD2ELF_FLAVOR_LINUX)
		return (m2e_err(d, "unknown core flavour %d", opts->flavor));
	if (fstat(fd, &sb) != 0)
		return (m2e_err(d, "writing the core: %s", strerror(errno)));
	if (!S_ISREG(sb.st_mode))
		return (m2e_err(d, "writing the core: the output is not a "
		    "regular file"));
	/* Holes are left unwritten: the file must start empty. */
	if (sb.st_size != 0 && ftruncate(fd, 0) != 0)
		return (m2e_err(d, "writing the core: output offset 0: %s",
		    strerror(errno)));

	/* Count pass. */
	if (gen_run(d, opts, &g, NULL, 0) != 0)
		return (-1);
	if (g.dropped > 0)
		m2e_warn(d, "%ju page mappings overlap others and are left "
		    "out of the core", (uintmax_t)g.dropped);
	/* The modules' hint: after md2elf_modules(), for ET_DYN modules. */
	m2e_hint_plan(d, &hint);
	if (hint.nmods > 0 && m2e_hint_build(d, &hint, g.vlo,
	    g.vtop ? 0 : g.vhi) != 0)
		return (-1);
	if (m2e_notes_build(d, opts->flavor, &notes) != 0) {
		m2e_hint_free(&hint);
		return (-1);
	}
	total = d->md.npages * d->md.pagesize;
	rc = elfcore_layout(d, g.nsegs + (hint.nmods > 0), &notes, &l);
	if (rc == 0 && hint.nmods > 0 && l.data + total > (l.elfclass ==
	    ELFCLASS64 ? UINT64_MAX : UINT32_MAX) - hint.len)
		rc = m2e_err(d, "the core would be too large for an "
		    "ELFCLASS32 file");
	if (rc == 0)
		rc = elfcore_headers(d, fd, opts->flavor, &l, &notes);
	if (rc == 0)
		rc = elfcore_phdrs(d, fd, opts, &l, &notes, &hint,
		    l.data + total);
	st.segments = g.nsegs + (hint.nmods > 0);
	st.threads = notes.threads;
	m2e_notes_free(&notes);
	if (rc != 0) {
		m2e_hint_free(&hint);
		return (-1);
	}

	if (opts->progress != NULL)
		opts->progress(opts->progress_arg, 0, total);
	if (m2e_copy_pages(d, fd, l.data, opts->sparse != 0, opts->progress,
	    opts->progress_arg, &st.zero_pages) != 0) {
		m2e_hint_free(&hint);
		return (-1);
	}
	/* The hint, and DT_DEBUG's d_val pointing at it. */
	extra = 0;
	if (hint.nmods > 0) {
		rc = elfcore_pwrite(d, fd, hint.buf, hint.len, l.data + total);
		if (rc == 0 && m2e_md_pa_rank(d, hint.slot_pa, &rank) != 0)
			rc = m2e_err(d, "writing the core: the DT_DEBUG page "
			    "left the dump");
		if (rc == 0) {
			off = l.data + rank * d->md.pagesize +
			    (hint.slot_pa & (d->md.pagesize - 1));
			if (d->arch->ptrsize == 8)
				le64enc_(word, hint.va);
			else
				le32enc_(word, (uint32_t)hint.va);
			rc = elfcore_pwrite(d, fd, word, d->arch->ptrsize, off);
		}
		extra = hint.len;
		m2e_hint_free(&hint);
		if (rc != 0)
			return (-1);
	}
	st.module_hint = hint.nmods;
	st.module_hint_skipped = hint.skipped;
	/* The size covers trailing holes. */
	if (ftruncate(fd, (off_t)(l.data + total + extra)) != 0)
		return (m2e_err(d, "writing the core: output offset %#jx: %s",
		    (uintmax_t)(l.data + total), strerror(errno)));
	st.pages = d->md.npages;
	st.file_size = l.data + total + extra;
	if (stats != NULL)
		*stats = st;
	return (0);
}
