/*
 * coreck.c: checks an ELF core against the memory model it was made from,
 * independently of libmd2elf (libelf for the headers, pread for the data).
 *
 * usage: coreck [-qS] [-f freebsd|linux] [-n segments] -M model core
 *        coreck -M model -r address [-l length]
 *        coreck -M model -A
 *
 * Checks: the ELF header of the flavour (class, data, EI_OSABI, ET_CORE,
 * e_machine); every PT_LOAD page maps a kernel-map or direct-map address
 * of a dumped model page, with p_paddr its physical address; every dumped
 * page reads back byte-identical at each of its kernel-map addresses and
 * at its direct-map address, so pages that are not dumped are not readable;
 * all-zero pages are holes in the file; the PT_LOAD count (the model's
 * coalesced runs, or -n) and the file size.  -S only prints the segment
 * count.  Prints the numbers; exit 0 if all is good, 1 with the first
 * mismatches, 2 on usage or I/O errors.
 *
 * -r prints the model's bytes at a kernel or direct-map address as 64-bit
 * little-endian words ("0x%016x ..."), or "unmapped" / "not dumped" (exit
 * 1); -A prints sample addresses for client tests as "key address" lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gelf.h>
#include <libelf.h>

#include "model.h"

#define	MAXREPORT	10

struct seg {
	uint64_t	 va, pa, off, filesz, memsz;
};

struct ck {
	const struct model *m;
	int		 fd;
	const char	*path;
	struct seg	*segs;
	size_t		 nsegs;
	size_t		 last;
	uint64_t	 fsize;
	unsigned	 errors;
	int		 quiet;
	uint64_t	 pages, kpages, dpages, zero, holes;
	uint8_t		*want, *got;
};

static void
bad(struct ck *c, const char *fmt, ...)
{
	va_list ap;

	if (c->errors++ < MAXREPORT) {
		fprintf(stderr, "coreck: %s: ", c->path);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	} else if (c->errors == MAXREPORT + 1)
		fprintf(stderr, "coreck: %s: more errors follow\n", c->path);
}

static int
seg_cmp(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;

	if (x->va != y->va)
		return (x->va < y->va ? -1 : 1);
	return (0);
}

/* The segment holding va, or NULL. */
static const struct seg *
seg_find(struct ck *c, uint64_t va)
{
	size_t lo, hi, mid;
	const struct seg *s;

	if (c->last < c->nsegs) {
		s = &c->segs[c->last];
		if (va >= s->va && va - s->va < s->memsz)
			return (s);
	}
	lo = 0;
	hi = c->nsegs;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		s = &c->segs[mid];
		if (va < s->va)
			hi = mid;
		else if (va - s->va >= s->memsz)
			lo = mid + 1;
		else {
			c->last = mid;
			return (s);
		}
	}
	return (NULL);
}

static bool
allzero(const uint8_t *p)
{
	size_t i;

	for (i = 0; i < GPAGE; i++)
		if (p[i] != 0)
			return (false);
	return (true);
}

/* Is [off, off + GPAGE) a hole in the file? */
static bool
is_hole(struct ck *c, uint64_t off)
{
	off_t d;

	d = lseek(c->fd, (off_t)off, SEEK_DATA);
	if (d < 0)
		return (errno == ENXIO);
	return ((uint64_t)d >= off + GPAGE);
}

/* Check that va reads back as the model's page pa (content in c->want). */
static void
check_page(struct ck *c, uint64_t va, uint64_t pa, bool zero)
{
	const struct seg *s;
	uint64_t off;
	size_t i;

	s = seg_find(c, va);
	if (s == NULL) {
		bad(c, "va %#" PRIx64 " (pa %#" PRIx64 ") is dumped but not "
		    "in any PT_LOAD", va, pa);
		return;
	}
	if (va - s->va + GPAGE > s->filesz) {
		bad(c, "va %#" PRIx64 " is beyond p_filesz of its PT_LOAD",
		    va);
		return;
	}
	off = s->off + (va - s->va);
	if (pread(c->fd, c->got, GPAGE, (off_t)off) != (ssize_t)GPAGE) {
		bad(c, "va %#" PRIx64 ": cannot read file offset %#" PRIx64,
		    va, off);
		return;
	}
	if (memcmp(c->got, c->want, GPAGE) != 0) {
		for (i = 0; i < GPAGE && c->got[i] == c->want[i]; i++)
			;
		bad(c, "va %#" PRIx64 " (pa %#" PRIx64 ", file offset %#"
		    PRIx64 "): byte %zu is %#x, the model has %#x", va, pa,
		    off, i, c->got[i], c->want[i]);
		return;
	}
	if (zero) {
		if (is_hole(c, off))
			c->holes++;
		else
			bad(c, "va %#" PRIx64 " (pa %#" PRIx64 "): zero page "
			    "at file offset %#" PRIx64 " is not a hole", va,
			    pa, off);
	}
}

/* Every PT_LOAD page must be a dumped model page at the right pa. */
static void
check_segments(struct ck *c)
{
	const struct model *m = c->m;
	const struct seg *s;
	uint64_t va, pa, i;
	size_t j;

	for (j = 0; j < c->nsegs; j++) {
		s = &c->segs[j];
		if (j > 0 && c->segs[j - 1].va + c->segs[j - 1].memsz > s->va)
			bad(c, "PT_LOADs at %#" PRIx64 " and %#" PRIx64
			    " overlap", c->segs[j - 1].va, s->va);
		if (s->va % GPAGE != 0 || s->memsz % GPAGE != 0 ||
		    s->filesz != s->memsz || s->off % GPAGE != 0)
			bad(c, "PT_LOAD at %#" PRIx64 ": offset %#" PRIx64
			    " filesz %#" PRIx64 " memsz %#" PRIx64 " are not "
			    "whole pages", s->va, s->off, s->filesz,
			    s->memsz);
		if (s->off + s->filesz > c->fsize)
			bad(c, "PT_LOAD at %#" PRIx64 " ends beyond the file",
			    s->va);
		for (i = 0; i < s->memsz; i += GPAGE) {
			va = s->va + i;
			if (m->arch->dmapend != 0 && va >= m->arch->dmapbase &&
			    va < m->arch->dmapend)
				pa = va - m->arch->dmapbase;
			else if (model_kvtop(m, va, &pa) != 0) {
				bad(c, "PT_LOAD maps va %#" PRIx64 ", which "
				    "the kernel does not map", va);
				continue;
			}
			if (!model_dumped(m, pa)) {
				bad(c, "PT_LOAD maps va %#" PRIx64 " (pa %#"
				    PRIx64 "), which is not in the dump", va,
				    pa);
				continue;
			}
			if (s->pa + i != pa) {
				bad(c, "PT_LOAD at va %#" PRIx64 ": p_paddr "
				    "gives pa %#" PRIx64 ", the page is at %#"
				    PRIx64, va, s->pa + i, pa);
			}
		}
	}
}

static void
check_memory(struct ck *c)
{
	const struct model *m = c->m;
	const struct kmap *k;
	uint64_t pfn, i, pa;
	size_t j;
	bool zero;

	/* Kernel map. */
	for (j = 0; j < m->nmap; j++) {
		k = &m->map[j];
		for (i = 0; i < k->npages; i++) {
			pa = k->pa + i * GPAGE;
			if (!model_dumped(m, pa))
				continue;
			model_page(m, pa, c->want);
			zero = allzero(c->want);
			check_page(c, k->va + i * GPAGE, pa, zero);
			c->kpages++;
		}
	}
	/* Direct map: every dumped page. */
	for (pfn = 0; pfn < m->npfn; pfn++) {
		if ((m->pst[pfn] & PS_DUMP) == 0)
			continue;
		c->pages++;
		model_page(m, pfn * GPAGE, c->want);
		zero = allzero(c->want);
		if (zero)
			c->zero++;
		if (m->arch->dmapend != 0) {
			check_page(c, m->arch->dmapbase + pfn * GPAGE,
			    pfn * GPAGE, zero);
			c->dpages++;
		}
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: coreck [-qS] [-f freebsd|linux] "
	    "[-n segments] -M model core\n"
	    "       coreck -M model -r address [-l length]\n"
	    "       coreck -M model -A\n");
	exit(2);
}

/* Model address translation: kernel map or direct map. */
static int
model_va(const struct model *m, uint64_t va, uint64_t *pa)
{
	if (m->arch->dmapend != 0 && va >= m->arch->dmapbase &&
	    va < m->arch->dmapend) {
		*pa = va - m->arch->dmapbase;
		return (0);
	}
	return (model_kvtop(m, va, pa));
}

static int
print_bytes(const struct model *m, uint64_t va, uint64_t len)
{
	uint8_t b[8];
	uint64_t pa, i, w;
	int k;

	for (i = 0; i < len; i += 8) {
		if (model_va(m, va + i, &pa) != 0) {
			printf("unmapped\n");
			return (1);
		}
		if (!model_dumped(m, pa)) {
			printf("not dumped\n");
			return (1);
		}
	}
	for (i = 0; i < len; i += 8) {
		model_va(m, va + i, &pa);
		model_read_pa(m, pa, b, 8);
		w = 0;
		for (k = 7; k >= 0; k--)
			w = w << 8 | b[k];
		printf("%s0x%016" PRIx64, i ? " " : "", w);
	}
	printf("\n");
	return (0);
}

static bool
nonzero_page(const struct model *m, uint64_t pa, uint8_t *buf)
{
	model_page(m, pa, buf);
	return (!allzero(buf));
}

/* Sample addresses for client tests. */
static int
print_samples(const struct model *m)
{
	uint8_t *buf;
	uint64_t pfn, va, pa, i, prev;
	size_t j;
	int found;

	buf = malloc(GPAGE);
	if (buf == NULL)
		return (2);
	found = 0;
	for (pfn = m->arch->kern_end_pa / GPAGE; pfn < m->npfn; pfn++) {
		if (!(found & 1) && (m->pst[pfn] & PS_DUMP) &&
		    nonzero_page(m, pfn * GPAGE, buf)) {
			printf("dmap_dumped %#" PRIx64 "\n",
			    m->arch->dmapbase + pfn * GPAGE + 0x40);
			found |= 1;
		}
		if (!(found & 2) && (m->pst[pfn] & (PS_RAM | PS_DUMP)) ==
		    PS_RAM) {
			printf("dmap_undumped %#" PRIx64 "\n",
			    m->arch->dmapbase + pfn * GPAGE);
			found |= 2;
		}
	}
	prev = 0;
	for (j = 0; j < m->nmap; j++) {
		if (m->map[j].kind != MK_4K)
			continue;
		for (i = 0; i < m->map[j].npages; i++) {
			va = m->map[j].va + i * GPAGE;
			pa = m->map[j].pa + i * GPAGE;
			if (!(found & 4) &&
			    model_dumped(m, pa) && nonzero_page(m, pa, buf)) {
				printf("heap_dumped %#" PRIx64 "\n", va + 8);
				found |= 4;
			}
			if (!(found & 8) && !model_dumped(m, pa)) {
				printf("kmap_undumped %#" PRIx64 "\n", va);
				found |= 8;
			}
			if (!(found & 16) && prev != 0 && va > prev + GPAGE &&
			    model_va(m, prev + GPAGE, &pa) != 0) {
				printf("kmap_unmapped %#" PRIx64 "\n",
				    prev + GPAGE);
				found |= 16;
			}
			prev = va;
		}
	}
	for (j = 0; j < m->nmap; j++) {
		if (m->map[j].kind != MK_1G)
			continue;
		for (i = 0; i < m->map[j].npages; i++) {
			pa = m->map[j].pa + i * GPAGE;
			if (model_dumped(m, pa) && nonzero_page(m, pa, buf)) {
				printf("gib_dumped %#" PRIx64 "\n",
				    m->map[j].va + i * GPAGE + 0x100);
				break;
			}
		}
	}
	free(buf);
	return (0);
}

int
main(int argc, char **argv)
{
	struct ck c;
	struct model *m;
	struct stat sb;
	const char *mfile, *flavor, *raddr;
	uint64_t rlen;
	int samples;
	char err[512];
	GElf_Ehdr eh;
	GElf_Phdr ph;
	Elf *e;
	size_t phnum, i, nload, nnote;
	uint64_t kr, dr, kp, expect, maxsize, notesz, alloc;
	int ch, loose;
	long nexp;

	mfile = NULL;
	flavor = "freebsd";
	loose = 0;
	nexp = -1;
	raddr = NULL;
	rlen = 8;
	samples = 0;
	memset(&c, 0, sizeof(c));
	while ((ch = getopt(argc, argv, "Af:l:M:n:qr:S")) != -1) {
		switch (ch) {
		case 'f':
			flavor = optarg;
			if (strcmp(flavor, "freebsd") != 0 &&
			    strcmp(flavor, "linux") != 0)
				usage();
			break;
		case 'A':
			samples = 1;
			break;
		case 'l':
			rlen = strtoull(optarg, NULL, 0);
			if (rlen == 0 || rlen % 8 != 0)
				usage();
			break;
		case 'M':
			mfile = optarg;
			break;
		case 'r':
			raddr = optarg;
			break;
		case 'n':
			nexp = strtol(optarg, NULL, 0);
			break;
		case 'q':
			c.quiet = 1;
			break;
		case 'S':
			loose = 1;
			break;
		default:
			usage();
		}
	}
	if (mfile == NULL || optind + ((raddr || samples) ? 0 : 1) != argc)
		usage();
	m = model_load(mfile, err, sizeof(err));
	if (m == NULL) {
		fprintf(stderr, "coreck: %s\n", err);
		return (2);
	}
	if (raddr != NULL)
		return (print_bytes(m, strtoull(raddr, NULL, 0), rlen));
	if (samples)
		return (print_samples(m));
	c.path = argv[optind];
	c.m = m;
	c.want = malloc(GPAGE);
	c.got = malloc(GPAGE);
	c.fd = open(c.path, O_RDONLY);
	if (c.want == NULL || c.got == NULL || c.fd < 0 ||
	    fstat(c.fd, &sb) != 0) {
		fprintf(stderr, "coreck: %s: %s\n", c.path, strerror(errno));
		return (2);
	}
	c.fsize = (uint64_t)sb.st_size;
	if (elf_version(EV_CURRENT) == EV_NONE ||
	    (e = elf_begin(c.fd, ELF_C_READ, NULL)) == NULL ||
	    elf_kind(e) != ELF_K_ELF || gelf_getehdr(e, &eh) == NULL ||
	    elf_getphdrnum(e, &phnum) != 0) {
		fprintf(stderr, "coreck: %s: not an ELF file: %s\n", c.path,
		    elf_errmsg(-1));
		return (1);
	}
	/* ELF header per flavour. */
	if (eh.e_ident[EI_CLASS] != m->arch->elfclass)
		bad(&c, "EI_CLASS %d, expected %u", eh.e_ident[EI_CLASS],
		    m->arch->elfclass);
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		bad(&c, "EI_DATA %d, expected ELFDATA2LSB",
		    eh.e_ident[EI_DATA]);
	if (eh.e_ident[EI_OSABI] != (strcmp(flavor, "freebsd") == 0 ?
	    ELFOSABI_FREEBSD : ELFOSABI_NONE))
		bad(&c, "EI_OSABI %d is wrong for the %s flavour",
		    eh.e_ident[EI_OSABI], flavor);
	if (eh.e_type != ET_CORE)
		bad(&c, "e_type %d, expected ET_CORE", eh.e_type);
	if (eh.e_machine != m->arch->elfmachine)
		bad(&c, "e_machine %d, expected %u", eh.e_machine,
		    m->arch->elfmachine);
	/* Program headers. */
	c.segs = calloc(phnum + 1, sizeof(*c.segs));
	if (c.segs == NULL) {
		fprintf(stderr, "coreck: out of memory\n");
		return (2);
	}
	nload = nnote = 0;
	notesz = 0;
	for (i = 0; i < phnum; i++) {
		if (gelf_getphdr(e, (int)i, &ph) == NULL) {
			fprintf(stderr, "coreck: %s: program header %zu: %s\n",
			    c.path, i, elf_errmsg(-1));
			return (1);
		}
		if (ph.p_type == PT_NOTE) {
			nnote++;
			notesz += ph.p_filesz;
			continue;
		}
		if (ph.p_type != PT_LOAD)
			continue;
		c.segs[nload].va = ph.p_vaddr;
		c.segs[nload].pa = ph.p_paddr;
		c.segs[nload].off = ph.p_offset;
		c.segs[nload].filesz = ph.p_filesz;
		c.segs[nload].memsz = ph.p_memsz;
		nload++;
	}
	c.nsegs = nload;
	qsort(c.segs, c.nsegs, sizeof(*c.segs), seg_cmp);
	if (nnote != 1)
		bad(&c, "%zu PT_NOTE headers, expected 1", nnote);
	check_segments(&c);
	check_memory(&c);
	/* Counts and sizes. */
	model_runs(m, &kr, &dr, &kp);
	expect = nexp >= 0 ? (uint64_t)nexp : kr + dr;
	if (!loose && nload != expect)
		bad(&c, "%zu PT_LOAD segments, expected %" PRIu64
		    " (kernel map %" PRIu64 " + direct map %" PRIu64 ")",
		    nload, expect, kr, dr);
	if (c.fsize < c.pages * GPAGE)
		bad(&c, "file size %" PRIu64 " is smaller than the %" PRIu64
		    " dumped pages", c.fsize, c.pages);
	maxsize = c.pages * GPAGE + 4 * GPAGE + notesz +
	    (phnum + 2) * sizeof(Elf64_Phdr);
	if (c.fsize > maxsize)
		bad(&c, "file size %" PRIu64 " exceeds pages + headers (%"
		    PRIu64 "): page data is duplicated?", c.fsize, maxsize);
	alloc = (uint64_t)sb.st_blocks * 512;
	if (c.zero > 0 && alloc > (c.pages - c.zero) * GPAGE +
	    (c.fsize - c.pages * GPAGE) + 1024 * 1024)
		bad(&c, "%" PRIu64 " bytes allocated for %" PRIu64
		    " non-zero pages: the file is not sparse", alloc,
		    c.pages - c.zero);
	if (!c.quiet)
		printf("segments %zu\nsegments_expected %" PRIu64 "\n"
		    "kmap_runs %" PRIu64 "\ndmap_runs %" PRIu64 "\n"
		    "pages %" PRIu64 "\nzero_pages %" PRIu64 "\n"
		    "holes_checked %" PRIu64 "\nkmap_pages %" PRIu64 "\n"
		    "dmap_pages %" PRIu64 "\nfile_size %" PRIu64 "\n"
		    "allocated %" PRIu64 "\nphnum %zu\nerrors %u\n",
		    nload, expect, kr, dr, c.pages, c.zero, c.holes, c.kpages,
		    c.dpages, c.fsize, alloc, phnum, c.errors);
	elf_end(e);
	close(c.fd);
	model_free(m);
	if (c.errors != 0)
		return (1);
	return (0);
}
