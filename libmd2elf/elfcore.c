/*
 * elfcore.c: md2elf_write_core(), the ELF core writer.
 *
 * Layout of the core (all offsets chosen here, ELF_F_LAYOUT):
 *
 *   ELF header | program headers: PT_NOTE, PT_LOAD... sorted by p_vaddr |
 *   notes (section 1, SHT_NOTE) | ".shstrtab" (section 2) |
 *   section headers | pad to the page size |
 *   page data: the minidump's page section verbatim, page of rank r at
 *   data + r * pagesize, all-zero pages left as holes (copy.c)
 *
 * Every kernel-map mapping (arch->walk) and every direct-map alias of a
 * dumped page is a PT_LOAD (p_vaddr KVA, p_paddr PA) pointing at that
 * page's one copy; runs contiguous in virtual address, physical address
 * and rank are one segment.  With 65535 or more program headers libelf
 * writes PN_XNUM and the real count in section 0's sh_info.
 *
 * Why the notes are a section's Elf_Data (and not pwrite()n by us): then
 * libelf writes every byte in front of the page data in one elf_update():
 * elftoolchain's elf_update() truncates the file and rewrites all it
 * knows about from offset 0, and elfutils fills the gaps between the
 * extents it knows with zeros, so bytes we wrote ourselves in that area
 * would be lost or would have to be written afterwards around libelf.  The
 * section table is needed for PN_XNUM anyway; LLDB and GDB read cores by
 * their program headers and ignore the sections.  The note data is given
 * as ELF_T_BYTE, already in the target's (little-endian) byte order.
 * elf_update() runs first, on the empty file; the page data, which libelf
 * knows nothing of, is written after it (beyond every libelf extent).
 */
#include <sys/stat.h>

#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "md2elf_private.h"

#define	ELFCORE_MAXSEGS	(1ULL << 23)	/* PT_LOADs: 8 Mi, ~700 MiB RAM */

static const char elfcore_shstrtab[] = "\0.note\0.shstrtab";
#define	SHSTR_NOTE	1
#define	SHSTR_SHSTRTAB	7

struct seg {
	uint64_t	 va, pa, rank, n;	/* n pages */
};

struct segs {
	md2elf_t	*d;
	struct seg	*v;
	size_t		 n, cap;
	unsigned	 ps;
	int		 err;		/* 1: out of memory, 2: too many */
	uint64_t	 kva, kpa;	/* kernel-map mapping being added */
};

static int
segs_add(struct segs *s, uint64_t va, uint64_t pa, uint64_t rank, uint64_t n)
{
	struct seg *last, *nv;
	size_t ncap;

	if (s->n > 0) {
		last = &s->v[s->n - 1];
		if (last->va + last->n * s->ps == va &&
		    last->pa + last->n * s->ps == pa &&
		    last->rank + last->n == rank) {
			last->n += n;
			return (0);
		}
	}
	if (s->n >= ELFCORE_MAXSEGS) {
		s->err = 2;
		return (-1);
	}
	if (s->n == s->cap) {
		ncap = s->cap != 0 ? s->cap * 2 : 1024;
		if ((nv = realloc(s->v, ncap * sizeof(*nv))) == NULL) {
			s->err = 1;
			return (-1);
		}
		s->v = nv;
		s->cap = ncap;
	}
	s->v[s->n].va = va;
	s->v[s->n].pa = pa;
	s->v[s->n].rank = rank;
	s->v[s->n].n = n;
	s->n++;
	return (0);
}

/* A dumped run inside the kernel-map mapping being added. */
static int
segs_kmap_run(void *arg, uint64_t pa, uint64_t rank, uint64_t n)
{
	struct segs *s;

	s = arg;
	return (segs_add(s, s->kva + (pa - s->kpa), pa, rank, n) != 0);
}

/* A kernel-map mapping: one segment per run of dumped pages. */
static int
segs_kmap(void *arg, uint64_t va, uint64_t pa, uint64_t len)
{
	struct segs *s;

	s = arg;
	s->kva = va;
	s->kpa = pa;
	return (m2e_md_pa_runs(s->d, pa, len / s->ps, segs_kmap_run, s));
}

/* A run of dumped pages: its direct-map alias, clipped to the map. */
static int
segs_dmap(void *arg, uint64_t pa, uint64_t rank, uint64_t n)
{
	struct segs *s;
	const struct m2e_minidump *md;
	uint64_t size, lo, hi, end, skip;

	s = arg;
	md = &s->d->md;
	size = md->dmapend - md->dmapbase;
	lo = md->dmapphys;
	hi = lo + size;
	if (hi < lo)			/* wraps: up to the top */
		hi = UINT64_MAX;
	end = pa + n * s->ps;
	if (end <= lo || pa >= hi)
		return (0);
	if (pa < lo) {
		skip = (lo - pa + s->ps - 1) / s->ps;
		pa += skip * s->ps;
		rank += skip;
		n -= skip;
	}
	if (end > hi)
		n -= (end - hi + s->ps - 1) / s->ps;
	if (n == 0)
		return (0);
	return (segs_add(s, md->dmapbase + (pa - lo), pa, rank, n) != 0);
}

static int
seg_cmp(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;

	if (x->va != y->va)
		return (x->va < y->va ? -1 : 1);
	return (0);
}

/*
 * Sort by va, merge what became adjacent, drop what overlaps an earlier
 * segment (both debuggers want disjoint ranges).  Ranges are compared by
 * their last byte: a page at the top of the address space ends at 2^64.
 */
static void
segs_sort(struct segs *s)
{
	struct seg *p, *c;
	uint64_t plast, skip, dropped;
	size_t i, out;

	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof(*s->v), seg_cmp);
	dropped = 0;
	out = 1;
	for (i = 1; i < s->n; i++) {
		p = &s->v[out - 1];
		c = &s->v[i];
		plast = p->va + p->n * s->ps - 1;
		if (c->va <= plast) {
			skip = (plast - c->va) / s->ps + 1;
			if (skip >= c->n) {
				dropped += c->n;
				continue;
			}
			dropped += skip;
			c->va += skip * s->ps;
			c->pa += skip * s->ps;
			c->rank += skip;
			c->n -= skip;
		}
		if (plast + 1 == c->va && p->pa + p->n * s->ps == c->pa &&
		    p->rank + p->n == c->rank) {
			p->n += c->n;
			continue;
		}
		s->v[out++] = *c;
	}
	s->n = out;
	if (dropped > 0)
		m2e_warn(s->d, "%s: %ju page mappings overlap others and are "
		    "left out of the core", s->d->path, (uintmax_t)dropped);
}

static int
segs_collect(md2elf_t *d, const struct md2elf_write_opts *o, struct segs *s)
{
	const struct m2e_minidump *md;
	int rc;

	md = &d->md;
	memset(s, 0, sizeof(*s));
	s->d = d;
	s->ps = md->pagesize;
	rc = d->arch->walk(d, segs_kmap, s);
	if (rc == 0 && !o->no_dmap && md->dmapend > md->dmapbase)
		rc = m2e_md_runs(d, segs_dmap, s);
	if (s->err == 1)
		return (m2e_err(d, "out of memory for %zu segments", s->n));
	if (s->err == 2)
		return (m2e_err(d, "more than %ju separate mappings: not "
		    "writing a core with that many segments",
		    (uintmax_t)ELFCORE_MAXSEGS));
	if (rc < 0)
		return (-1);
	segs_sort(s);
	return (0);
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

/* ELF header, program headers, notes and section table, via libelf. */
static int
elfcore_headers(md2elf_t *d, int fd, enum md2elf_flavor flavor,
    const struct segs *s, const struct m2e_notes *notes, uint64_t *datap)
{
	const struct m2e_arch *a;
	Elf *e;
	Elf_Scn *nscn, *sscn;
	Elf_Data *nd, *sd;
	GElf_Ehdr eh;
	GElf_Phdr ph;
	GElf_Shdr sh;
	uint64_t ehsz, phsz, shsz, phoff, noteoff, stroff, shoff, data;
	uint64_t phnum, i, end, lim;
	int error;

	a = d->arch;
	ehsz = a->elfclass == ELFCLASS64 ? 64 : 52;
	phsz = a->elfclass == ELFCLASS64 ? 56 : 32;
	shsz = a->elfclass == ELFCLASS64 ? 64 : 40;
	phnum = 1 + s->n;
	phoff = ehsz;
	noteoff = roundup_(phoff + phnum * phsz, 8);
	stroff = noteoff + notes->len;
	shoff = roundup_(stroff + sizeof(elfcore_shstrtab), 8);
	data = roundup_(shoff + 3 * shsz, s->ps);
	end = data + d->md.npages * s->ps;
	lim = a->elfclass == ELFCLASS64 ? UINT64_MAX : UINT32_MAX;
	if (end > lim || end < data)
		return (m2e_err(d, "the core would be %ju bytes: too large for "
		    "an ELFCLASS32 file", (uintmax_t)end));
	*datap = data;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return (m2e_err(d, "libelf: %s", elf_errmsg(-1)));
	if ((e = elf_begin(fd, ELF_C_WRITE, NULL)) == NULL)
		return (elfcore_elferr(d, "elf_begin", data, 0));
	if (gelf_newehdr(e, (int)a->elfclass) == 0)
		goto fail;
	elf_flagelf(e, ELF_C_SET, ELF_F_LAYOUT);

	/* Section 1: the notes; section 2: the section names. */
	if ((nscn = elf_newscn(e)) == NULL || (nd = elf_newdata(nscn)) == NULL)
		goto fail;
	nd->d_buf = notes->buf;
	nd->d_size = notes->len;
	nd->d_off = 0;
	nd->d_align = 4;
	nd->d_type = ELF_T_BYTE;
	nd->d_version = EV_CURRENT;
	if (gelf_getshdr(nscn, &sh) == NULL)
		goto fail;
	sh.sh_name = SHSTR_NOTE;
	sh.sh_type = SHT_NOTE;
	sh.sh_flags = 0;
	sh.sh_addr = 0;
	sh.sh_offset = noteoff;
	sh.sh_size = notes->len;
	sh.sh_addralign = 4;
	sh.sh_entsize = 0;
	if (gelf_update_shdr(nscn, &sh) == 0)
		goto fail;
	if ((sscn = elf_newscn(e)) == NULL || (sd = elf_newdata(sscn)) == NULL)
		goto fail;
	sd->d_buf = (void *)(uintptr_t)elfcore_shstrtab;
	sd->d_size = sizeof(elfcore_shstrtab);
	sd->d_off = 0;
	sd->d_align = 1;
	sd->d_type = ELF_T_BYTE;
	sd->d_version = EV_CURRENT;
	if (gelf_getshdr(sscn, &sh) == NULL)
		goto fail;
	sh.sh_name = SHSTR_SHSTRTAB;
	sh.sh_type = SHT_STRTAB;
	sh.sh_offset = stroff;
	sh.sh_size = sizeof(elfcore_shstrtab);
	sh.sh_addralign = 1;
	if (gelf_update_shdr(sscn, &sh) == 0)
		goto fail;

	/* Program headers; libelf applies PN_XNUM when phnum >= 65535. */
	if (gelf_newphdr(e, (size_t)phnum) == 0)
		goto fail;
	memset(&ph, 0, sizeof(ph));
	ph.p_type = PT_NOTE;
	ph.p_flags = PF_R;
	ph.p_offset = noteoff;
	ph.p_filesz = notes->len;
	ph.p_align = 4;
	if (gelf_update_phdr(e, 0, &ph) == 0)
		goto fail;
	for (i = 0; i < s->n; i++) {
		ph.p_type = PT_LOAD;
		ph.p_flags = PF_R | PF_W | PF_X;
		ph.p_offset = data + s->v[i].rank * s->ps;
		ph.p_vaddr = s->v[i].va;
		/* An ELF32 p_paddr cannot hold a PAE address. */
		ph.p_paddr = s->v[i].pa <= lim ? s->v[i].pa : 0;
		ph.p_filesz = ph.p_memsz = s->v[i].n * s->ps;
		ph.p_align = s->ps;
		if (gelf_update_phdr(e, (int)(i + 1), &ph) == 0)
			goto fail;
	}

	if (gelf_getehdr(e, &eh) == NULL)
		goto fail;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = flavor == MD2ELF_FLAVOR_LINUX ? ELFOSABI_NONE :
	    ELFOSABI_FREEBSD;
	eh.e_type = ET_CORE;
	eh.e_machine = (GElf_Half)a->elfmachine;
	eh.e_version = EV_CURRENT;
	eh.e_entry = 0;
	eh.e_phoff = phoff;
	eh.e_shoff = shoff;
	eh.e_flags = 0;
	eh.e_ehsize = (GElf_Half)ehsz;
	eh.e_phentsize = (GElf_Half)phsz;
	eh.e_shentsize = (GElf_Half)shsz;
	eh.e_shstrndx = 2;
	if (gelf_update_ehdr(e, &eh) == 0)
		goto fail;

	errno = 0;
	if (elf_update(e, ELF_C_WRITE) < 0) {
		error = errno;
		elfcore_elferr(d, "elf_update", data, error);
		elf_end(e);
		return (-1);
	}
	elf_end(e);
	return (0);
fail:
	elfcore_elferr(d, "libelf", data, 0);
	elf_end(e);
	return (-1);
}

int
md2elf_write_core(md2elf_t *d, int fd, const struct md2elf_write_opts *opts,
    struct md2elf_write_stats *stats)
{
	struct md2elf_write_opts defopts;
	struct md2elf_write_stats st;
	struct segs s;
	struct m2e_notes notes;
	struct stat sb;
	uint64_t data, total;
	int rc;

	data = 0;
	memset(&st, 0, sizeof(st));
	if (stats != NULL)
		*stats = st;
	if (opts == NULL) {
		memset(&defopts, 0, sizeof(defopts));
		opts = &defopts;
	}
	if (d->arch == NULL || d->md.pagesize == 0 || d->md.bitmap == NULL)
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

	if (segs_collect(d, opts, &s) != 0) {
		free(s.v);
		return (-1);
	}
	if (m2e_notes_build(d, opts->flavor, &notes) != 0) {
		free(s.v);
		return (-1);
	}
	rc = elfcore_headers(d, fd, opts->flavor, &s, &notes, &data);
	st.segments = s.n;
	st.threads = notes.threads;
	free(s.v);
	m2e_notes_free(&notes);
	if (rc != 0)
		return (-1);

	total = d->md.npages * d->md.pagesize;
	if (opts->progress != NULL)
		opts->progress(opts->progress_arg, 0, total);
	if (m2e_copy_pages(d, fd, data, opts->progress, opts->progress_arg,
	    &st.zero_pages) != 0)
		return (-1);
	/* The size covers trailing holes. */
	if (ftruncate(fd, (off_t)(data + total)) != 0)
		return (m2e_err(d, "writing the core: output offset %#jx: %s",
		    (uintmax_t)(data + total), strerror(errno)));
	st.pages = d->md.npages;
	st.file_size = data + total;
	if (stats != NULL)
		*stats = st;
	return (0);
}
