/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mkseed.c: small fuzzing seeds made from mkdump's output.
 *
 * A dump of the smallest model mkdump makes is tens of MiB (its page-table
 * section alone covers the whole kernel address space), far too large to
 * mutate.  mkseed keeps the structure and drops the bulk: it reads an
 * uncompressed amd64 minidump (versions 1 to 3) and writes a valid minidump
 * of the same version with a window of the page-table section (kernbase
 * moved to its start), one page of message buffer, the same dump_avail and
 * bitmap size, and only a few dozen of the dumped pages: page-table pages,
 * pages of the kernel's symbols, a few mapped pages.  Entries that would
 * point at pages no longer in the dump are cleared, so the seed is as
 * self-consistent as a real minidump.  The result can be compressed and
 * wrapped as the kernel does it (gzip: header, raw deflate, CRC and size;
 * zstd: a frame with a checksum and no content size; a leading
 * kerneldumpheader; a dump device image), and the
 * matching kernel ELF can be shrunk too: headers, notes, symbols and the
 * pages of its sections that hold symbols.
 *
 * Independent of libmd2elf: it parses what it needs itself.
 *
 * usage: mkseed [-P] [-c none|gzip|zstd] [-H none|lead|device]
 *            [-B blocksize] [-n maxpages] [-k kernel [-K small_kernel]]
 *            -o seed vmcore
 *   -P  also keep the pages that kept pages point at (thread lists)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <gelf.h>
#include <stdbool.h>
#include <libelf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#define	PG_V		0x001ULL
#define	PG_PS		0x080ULL
#define	PG_FRAME	0x000ffffffffff000ULL
#define	PS_FRAME	0x000fffffffe00000ULL
#define	MAXKEEP		256
#define	MAXSYMVA	512
#define	MAXWIN		16	/* page clusters per section */
#define	MAXEXTRA	32
#define	MSGMAGIC	0x063062

enum arch { A_AMD64, A_I386, A_ARM64 };

struct dump {
	uint8_t		*b;
	uint64_t	 len;
	enum arch	 arch;
	unsigned	 esz;		/* bytes per page-table entry */
	unsigned	 ptrsize;
	bool		 flat;		/* a PTE per page of KVA (not PDEs) */
	bool		 sparse;	/* bits numbered through dump_avail */
	uint32_t	 ver, msgbufsize, bitmapsize, pmapsize, availsize;
	uint64_t	 kernbase, dmapbase, dmapend, dmapphys;
	uint64_t	 off_msgbuf, off_avail, off_bitmap, off_pmap, off_pages;
	uint64_t	 nbits, nent;
	uint64_t	*rank;		/* set bits before each byte */
	uint64_t	 avail[64];	/* pairs, navail of them */
	int		 navail;
};

/* The dump's page size (arm64: 4 or 16 KiB). */
static uint64_t	 pg = 4096;
static unsigned	 pgshift = 12;

static uint64_t	 keep[MAXKEEP];	/* physical pages kept, unsorted */
static int	 nkeep;
static int	 maxkeep = 40;

static void die(const char *, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "mkseed: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static uint64_t
le64(const uint8_t *p)
{
	uint64_t v;
	int i;

	v = 0;
	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return (v);
}

static uint32_t
le32(const uint8_t *p)
{
	return ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24);
}

static void
put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void
put32(uint8_t *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t
rnd(uint64_t x)
{
	return ((x + pg - 1) & ~(pg - 1));
}

static uint8_t *
readfile(const char *path, uint64_t *len)
{
	struct stat st;
	uint8_t *b;
	ssize_t n;
	size_t got;
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0 || fstat(fd, &st) != 0)
		die("cannot open %s", path);
	if ((b = malloc((size_t)st.st_size + 1)) == NULL)
		die("out of memory for %s", path);
	for (got = 0; got < (size_t)st.st_size; got += (size_t)n)
		if ((n = read(fd, b + got, (size_t)st.st_size - got)) <= 0)
			die("cannot read %s", path);
	close(fd);
	*len = (uint64_t)st.st_size;
	return (b);
}

/* Bit of the page holding pa; -1 if it has none. */
static int64_t
pa_bit(const struct dump *d, uint64_t pa)
{
	uint64_t pfn, bits, first, n;
	int i;

	pfn = pa >> pgshift;
	if (!d->sparse)
		return (pfn < d->nbits ? (int64_t)pfn : -1);
	bits = 0;
	for (i = 0; i < d->navail; i++) {
		first = d->avail[2 * i] >> pgshift;
		n = (d->avail[2 * i + 1] + pg - 1) / pg - first;
		if (pfn >= first && pfn < first + n)
			return (bits + pfn - first < d->nbits ?
			    (int64_t)(bits + pfn - first) : -1);
		bits += n;
	}
	return (-1);
}

/* Physical page of bit b. */
static uint64_t
bit_pa(const struct dump *d, uint64_t b)
{
	uint64_t bits, first, n;
	int i;

	if (!d->sparse)
		return (b << pgshift);
	bits = 0;
	for (i = 0; i < d->navail; i++) {
		first = d->avail[2 * i] >> pgshift;
		n = (d->avail[2 * i + 1] + pg - 1) / pg - first;
		if (b < bits + n)
			return ((first + b - bits) << pgshift);
		bits += n;
	}
	return (UINT64_MAX);
}

static bool
isset(const uint8_t *bm, uint64_t b)
{
	return ((bm[b / 8] >> (b % 8)) & 1);
}

/* The page holding pa in the input dump; NULL if it is not dumped. */
static const uint8_t *
page_of(const struct dump *d, uint64_t pa)
{
	const uint8_t *bm;
	int64_t b;
	uint64_t r, i;

	if ((b = pa_bit(d, pa)) < 0)
		return (NULL);
	bm = d->b + d->off_bitmap;
	if (!isset(bm, (uint64_t)b))
		return (NULL);
	r = d->rank[b / 8];
	for (i = (uint64_t)b & ~7ULL; i < (uint64_t)b; i++)
		r += isset(bm, i);
	return (d->b + d->off_pages + r * pg);
}

static bool
kept(uint64_t pa)
{
	int i;

	for (i = 0; i < nkeep; i++)
		if (keep[i] == (pa & ~(pg - 1)))
			return (true);
	return (false);
}

static void
keep_page(const struct dump *d, uint64_t pa)
{
	pa &= ~(pg - 1);
	if (nkeep >= maxkeep || kept(pa) || page_of(d, pa) == NULL)
		return;
	keep[nkeep++] = pa;
}

/* A page-table entry of the dump's size; valid; its frame. */
static uint64_t
ent(const struct dump *d, const uint8_t *p)
{
	return (d->esz == 4 ? le32(p) : le64(p));
}

static void
put_ent(const struct dump *d, uint8_t *p, uint64_t e)
{
	if (d->esz == 4)
		put32(p, (uint32_t)e);
	else
		put64(p, e);
}

static bool
pte_valid(const struct dump *d, uint64_t e)
{
	/* arm64: an L3 page descriptor; the others: PG_V. */
	return (d->arch == A_ARM64 ? (e & 3) == 3 : (e & PG_V) != 0);
}

static uint64_t
pte_frame(const struct dump *d, uint64_t e)
{
	switch (d->arch) {
	case A_ARM64:
		return (e & ~0xfffc000000000fffULL & ~(pg - 1));
	case A_I386:
		return (d->esz == 4 ? e & 0xfffff000ULL : e & PG_FRAME);
	default:
		return (e & PG_FRAME);
	}
}

/* Keep the pages that translate va (the page-table page and the page). */
static void
keep_va(const struct dump *d, uint64_t va)
{
	const uint8_t *pt;
	uint64_t idx, e, pte;

	if (va < d->kernbase)
		return;
	if (d->flat) {
		idx = (va - d->kernbase) >> pgshift;
		if (idx >= d->nent)
			return;
		e = ent(d, d->b + d->off_pmap + idx * d->esz);
		if (pte_valid(d, e))
			keep_page(d, pte_frame(d, e));
		return;
	}
	idx = (va - d->kernbase) >> 21;
	if (idx >= d->nent)
		return;
	e = le64(d->b + d->off_pmap + idx * 8);
	if ((e & PG_V) == 0)
		return;
	if (e & PG_PS) {
		keep_page(d, (e & PS_FRAME) | (va & ((1ULL << 21) - 1)));
		return;
	}
	if ((pt = page_of(d, e & PG_FRAME)) == NULL)
		return;
	pte = le64(pt + ((va >> pgshift) & 511) * 8);
	if ((pte & PG_V) == 0)
		return;
	/* The page-table page first, so a full budget keeps pairs. */
	if (nkeep + 2 <= maxkeep || kept(e & PG_FRAME)) {
		keep_page(d, e & PG_FRAME);
		keep_page(d, pte & PG_FRAME);
	}
}

/* The kernel's pointer variables; what they point at (-P). */
static uint64_t	 ptrvar[MAXSYMVA];
static int	 nptrvar;
static uint64_t	 roots[MAXSYMVA];
static int	 nroots;
static uint64_t	 kvamax;	/* highest kernel-map address followed */

/* A kernel address's page, if it is one (direct map or kernel map). */
static void
keep_ptr(const struct dump *d, uint64_t w)
{
	/* Structures are aligned; the kernel map ends with the table. */
	if (w % d->ptrsize != 0)
		return;
	if (d->flat && (w < d->kernbase || ((w - d->kernbase) >> pgshift) >=
	    d->nent) && !(d->dmapend > d->dmapbase && w >= d->dmapbase &&
	    w < d->dmapend))
		return;
	if (d->dmapend > d->dmapbase && w >= d->dmapbase && w < d->dmapend)
		keep_page(d, w - d->dmapbase + d->dmapphys);
	else if (w >= d->kernbase) {
		keep_va(d, w);
		if (w > kvamax)
			kvamax = w;
	}
}

/* The first pointer-sized word at kernel address va (0 if unreadable). */
static uint64_t
read_ptr(const struct dump *d, uint64_t va)
{
	const uint8_t *p;
	uint64_t idx, e;

	if (!d->flat || va < d->kernbase)
		goto amd64;
	idx = (va - d->kernbase) >> pgshift;
	if (idx >= d->nent)
		return (0);
	e = ent(d, d->b + d->off_pmap + idx * d->esz);
	if (!pte_valid(d, e) ||
	    (p = page_of(d, pte_frame(d, e))) == NULL)
		return (0);
	p += va & (pg - 1) & ~(uint64_t)(d->ptrsize - 1);
	return (d->ptrsize == 4 ? le32(p) : le64(p));
amd64:
	if (va < d->kernbase || ((va - d->kernbase) >> 21) >= d->nent)
		return (0);
	e = le64(d->b + d->off_pmap + ((va - d->kernbase) >> 21) * 8);
	if ((e & PG_V) == 0)
		return (0);
	if (e & PG_PS)
		p = page_of(d, (e & PS_FRAME) | (va & ((1ULL << 21) - 1) &
		    ~(pg - 1)));
	else if ((p = page_of(d, e & PG_FRAME)) != NULL) {
		e = le64(p + ((va >> pgshift) & 511) * 8);
		p = (e & PG_V) ? page_of(d, e & PG_FRAME) : NULL;
	}
	if (p == NULL)
		return (0);
	return (le64(p + (va & (pg - 1) & ~7ULL)));
}

/*
 * Keep what the kernel's pointer variables (allproc, msgbufp...) point at,
 * then what those pages point at, breadth first, while the budget lasts:
 * every aligned word that is a direct-map or kernel-map address.  This
 * follows the process and thread lists, the pcbs and the message buffer
 * without knowing their layouts.  Starting from the variables (not from
 * their whole pages, whose other bytes are random in the model) keeps
 * random contents from being followed.
 */
static void
follow(const struct dump *d)
{
	const uint8_t *p;
	uint64_t w;
	int i, j, first;

	first = nkeep;
	for (i = 0; i < nptrvar && nroots < MAXSYMVA; i++)
		if ((w = read_ptr(d, ptrvar[i])) != 0)
			roots[nroots++] = w;
	for (i = 0; i < nroots; i++)
		keep_ptr(d, roots[i]);
	for (i = first; i < nkeep && nkeep < maxkeep; i++) {
		if ((p = page_of(d, keep[i])) == NULL)
			continue;
		for (j = 0; j < (int)(pg / d->ptrsize) && nkeep < maxkeep;
		    j++) {
			w = d->ptrsize == 4 ? le32(p + j * 4) : le64(p + j * 8);
			keep_ptr(d, w);
		}
	}
}

static void
parse(struct dump *d)
{
	const uint8_t *bm, *a;
	uint64_t i, r;

	if (d->len < 4096 || memcmp(d->b, "minidump FreeBSD/", 17) != 0)
		die("not an uncompressed minidump");
	d->ver = le32(d->b + 24);
	d->msgbufsize = le32(d->b + 28);
	d->bitmapsize = le32(d->b + 32);
	d->pmapsize = le32(d->b + 36);
	d->esz = d->ptrsize = 8;
	if (strcmp((const char *)d->b, "minidump FreeBSD/amd64") == 0) {
		d->arch = A_AMD64;
		if (d->ver < 1 || d->ver > 3)
			die("unknown amd64 minidump version %u", d->ver);
		d->flat = d->ver == 1;
		d->kernbase = le64(d->b + 40);
		d->dmapbase = le64(d->b + 48);
		d->dmapend = le64(d->b + 56);
		d->availsize = d->ver >= 3 ? le32(d->b + 64) : 0;
	} else if (strcmp((const char *)d->b, "minidump FreeBSD/i386") == 0) {
		d->arch = A_I386;
		if (d->ver < 1 || d->ver > 2)
			die("unknown i386 minidump version %u", d->ver);
		d->flat = true;
		d->esz = le32(d->b + 44) != 0 ? 8 : 4;	/* paemode */
		d->ptrsize = 4;
		d->kernbase = le32(d->b + 40);
		d->availsize = d->ver >= 2 ? le32(d->b + 48) : 0;
	} else if (strcmp((const char *)d->b, "minidump FreeBSD/arm64") == 0) {
		d->arch = A_ARM64;
		if (d->ver < 1 || d->ver > 3)
			die("unknown arm64 minidump version %u", d->ver);
		d->flat = true;
		d->kernbase = le64(d->b + 40);
		d->dmapphys = le64(d->b + 48);
		d->dmapbase = le64(d->b + 56);
		d->dmapend = le64(d->b + 64);
		d->availsize = d->ver >= 2 ? le32(d->b + 72) : 0;
		if (d->ver >= 3 && (le32(d->b + 76) & 3) == 1) {
			pg = 16384;
			pgshift = 14;
		}
	} else
		die("unknown minidump architecture %.32s", (const char *)d->b);
	d->sparse = d->availsize != 0;
	d->off_msgbuf = pg;
	d->off_avail = d->off_msgbuf + rnd(d->msgbufsize);
	d->off_bitmap = d->off_avail + rnd(d->availsize);
	d->off_pmap = d->off_bitmap + rnd(d->bitmapsize);
	d->off_pages = d->off_pmap + rnd(d->pmapsize);
	if (d->off_pages > d->len)
		die("truncated minidump");
	d->nbits = (uint64_t)d->bitmapsize * 8;
	d->nent = d->pmapsize / d->esz;
	if (d->sparse) {
		a = d->b + d->off_avail;
		for (i = 0; i < 32 && i * 16 + 16 <= d->availsize &&
		    le64(a + i * 16 + 8) != 0; i++) {
			d->avail[2 * i] = le64(a + i * 16);
			d->avail[2 * i + 1] = le64(a + i * 16 + 8);
		}
		d->navail = (int)i;
	}
	d->rank = calloc(d->bitmapsize / 8 + 2, sizeof(uint64_t) * 8);
	if (d->rank == NULL)
		die("out of memory");
	bm = d->b + d->off_bitmap;
	r = 0;
	for (i = 0; i < d->bitmapsize; i++) {
		d->rank[i] = r;
		r += (uint64_t)__builtin_popcount(bm[i]);
	}
	if (d->off_pages + r * pg > d->len)
		die("truncated page section");
}

/* The small kernel's symbols (st_value), and the build-id note's va. */
static int
kernel_vas(const char *path, uint64_t *va, int max)
{
	Elf *e;
	Elf_Scn *scn;
	Elf_Data *data;
	GElf_Shdr sh;
	GElf_Sym sym;
	int fd, n;
	size_t i;

	if ((fd = open(path, O_RDONLY)) < 0)
		die("cannot open %s", path);
	if ((e = elf_begin(fd, ELF_C_READ, NULL)) == NULL)
		die("%s: not an ELF file", path);
	n = 0;
	for (scn = NULL; (scn = elf_nextscn(e, scn)) != NULL;) {
		if (gelf_getshdr(scn, &sh) == NULL)
			continue;
		if (sh.sh_type == SHT_NOTE && (sh.sh_flags & SHF_ALLOC) &&
		    n < max)
			va[n++] = sh.sh_addr;
		if (sh.sh_type != SHT_SYMTAB ||
		    (data = elf_getdata(scn, NULL)) == NULL)
			continue;
		for (i = 1; i < sh.sh_size / sh.sh_entsize && n < max; i++) {
			if (gelf_getsym(data, (int)i, &sym) == NULL ||
			    sym.st_shndx == SHN_ABS || sym.st_value == 0)
				continue;
			/* Pointer variables: where -P starts following. */
			if (GELF_ST_TYPE(sym.st_info) == STT_OBJECT &&
			    sym.st_size == (gelf_getclass(e) == ELFCLASS32 ?
			    4 : 8) && nptrvar < MAXSYMVA)
				ptrvar[nptrvar++] = sym.st_value;
			va[n++] = sym.st_value;
		}
	}
	elf_end(e);
	close(fd);
	return (n);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y ? -1 : x > y);
}

/*
 * The pages of section sh that hold the symbols va[], as clusters [lo, hi)
 * (pages at most one page apart are one cluster), ascending; the count.
 */
static int
clusters(const GElf_Shdr *sh, const uint64_t *va, int nva, uint64_t *lo,
    uint64_t *hi, int max)
{
	uint64_t pgs[MAXSYMVA], end;
	int i, n, np;

	np = 0;
	for (i = 0; i < nva; i++)
		if (va[i] >= sh->sh_addr && va[i] - sh->sh_addr < sh->sh_size)
			pgs[np++] = va[i] & ~(pg - 1);
	qsort(pgs, (size_t)np, sizeof(pgs[0]), cmp_u64);
	end = sh->sh_addr + sh->sh_size;
	n = 0;
	for (i = 0; i < np; i++) {
		if (n > 0 && pgs[i] <= hi[n - 1] + pg) {
			if (pgs[i] + pg > hi[n - 1])
				hi[n - 1] = pgs[i] + pg;
			continue;
		}
		if (n == max)
			break;
		lo[n] = pgs[i];
		hi[n] = pgs[i] + pg;
		n++;
	}
	for (i = 0; i < n; i++) {
		if (lo[i] < sh->sh_addr)
			lo[i] = sh->sh_addr;
		if (hi[i] > end)
			hi[i] = end;
	}
	return (n);
}

/* Section os: the bytes [lo, hi) of the input section sh (data id). */
static void
window(Elf *oe, Elf_Scn *os, GElf_Shdr *sh, Elf_Data *id, uint64_t lo,
    uint64_t hi)
{
	Elf_Data *od;

	(void)oe;
	if ((od = elf_newdata(os)) == NULL)
		die("libelf: %s", elf_errmsg(-1));
	od->d_buf = (uint8_t *)id->d_buf + (lo - sh->sh_addr);
	od->d_size = hi - lo;
	od->d_type = ELF_T_BYTE;
	od->d_align = sh->sh_addralign;
	od->d_version = EV_CURRENT;
	sh->sh_addr = lo;
	sh->sh_size = hi - lo;
}

/*
 * The small kernel: the same sections in the same order (so symbols keep
 * their section indices), each allocated PROGBITS section cut down to the
 * first cluster of pages that hold symbols, the other clusters as more
 * sections of the same name at the end; PT_LOADs for those and a PT_NOTE.
 */
static void
kernel_shrink(const char *in, const char *out, const uint64_t *va, int nva)
{
	Elf *ie, *oe;
	Elf_Scn *is, *os;
	Elf_Data *id, *od;
	GElf_Ehdr eh, oh;
	GElf_Shdr sh;
	GElf_Phdr ph;
	struct {
		size_t		 scn;
		uint64_t	 lo, hi;
	} extra[MAXEXTRA];
	uint64_t wlo[MAXWIN], whi[MAXWIN];
	size_t nph, k;
	int ifd, ofd, nw, w, nextra;

	if ((ifd = open(in, O_RDONLY)) < 0)
		die("cannot open %s", in);
	if ((ofd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644)) < 0)
		die("cannot create %s", out);
	if ((ie = elf_begin(ifd, ELF_C_READ, NULL)) == NULL ||
	    gelf_getehdr(ie, &eh) == NULL)
		die("%s: not an ELF file", in);
	if ((oe = elf_begin(ofd, ELF_C_WRITE, NULL)) == NULL ||
	    gelf_newehdr(oe, gelf_getclass(ie)) == 0)
		die("%s: libelf cannot write: %s", out, elf_errmsg(-1));
	if (gelf_getehdr(oe, &oh) == NULL)
		die("%s: libelf: %s", out, elf_errmsg(-1));
	oh.e_ident[EI_DATA] = eh.e_ident[EI_DATA];
	oh.e_ident[EI_OSABI] = eh.e_ident[EI_OSABI];
	oh.e_type = eh.e_type;
	oh.e_machine = eh.e_machine;
	oh.e_version = eh.e_version;
	oh.e_entry = eh.e_entry;
	oh.e_flags = eh.e_flags;
	oh.e_shstrndx = eh.e_shstrndx;
	if (gelf_update_ehdr(oe, &oh) == 0)
		die("%s: libelf: %s", out, elf_errmsg(-1));
	nph = 0;
	nextra = 0;
	for (is = NULL; (is = elf_nextscn(ie, is)) != NULL;) {
		if (gelf_getshdr(is, &sh) == NULL ||
		    (os = elf_newscn(oe)) == NULL)
			die("%s: bad section", in);
		id = elf_getdata(is, NULL);
		if (sh.sh_type == SHT_PROGBITS && (sh.sh_flags & SHF_ALLOC) &&
		    id != NULL) {
			/* Clusters of symbol pages; the first one here. */
			nw = clusters(&sh, va, nva, wlo, whi, MAXWIN);
			if (nw == 0)
				wlo[0] = whi[0] = sh.sh_addr;
			window(oe, os, &sh, id, wlo[0], whi[0]);
			nph += whi[0] > wlo[0];
			for (w = 1; w < nw && nextra < MAXEXTRA; w++) {
				extra[nextra].scn = elf_ndxscn(is);
				extra[nextra].lo = wlo[w];
				extra[nextra].hi = whi[w];
				nextra++;
				nph++;
			}
			if (gelf_update_shdr(os, &sh) == 0)
				die("%s: libelf: %s", out, elf_errmsg(-1));
			continue;
		} else if (sh.sh_type == SHT_NOBITS) {
			if ((od = elf_newdata(os)) == NULL)
				die("%s: libelf: %s", out, elf_errmsg(-1));
			od->d_buf = NULL;
			od->d_size = sh.sh_size;
			od->d_type = ELF_T_BYTE;
			od->d_align = sh.sh_addralign;
			od->d_version = EV_CURRENT;
		} else if (id != NULL) {
			if ((od = elf_newdata(os)) == NULL)
				die("%s: libelf: %s", out, elf_errmsg(-1));
			*od = *id;
			od->d_type = ELF_T_BYTE;
			if (sh.sh_type == SHT_NOTE && (sh.sh_flags & SHF_ALLOC))
				nph++;
		}
		if (gelf_update_shdr(os, &sh) == 0)
			die("%s: libelf: %s", out, elf_errmsg(-1));
	}
	/* The other clusters: sections after all the original ones. */
	for (w = 0; w < nextra; w++) {
		if ((is = elf_getscn(ie, extra[w].scn)) == NULL ||
		    gelf_getshdr(is, &sh) == NULL ||
		    (id = elf_getdata(is, NULL)) == NULL ||
		    (os = elf_newscn(oe)) == NULL)
			die("%s: libelf: %s", out, elf_errmsg(-1));
		window(oe, os, &sh, id, extra[w].lo, extra[w].hi);
		if (gelf_update_shdr(os, &sh) == 0)
			die("%s: libelf: %s", out, elf_errmsg(-1));
	}
	if (gelf_newphdr(oe, nph) == 0 || elf_update(oe, ELF_C_NULL) < 0)
		die("%s: libelf cannot lay out: %s", out, elf_errmsg(-1));
	k = 0;
	for (os = NULL; (os = elf_nextscn(oe, os)) != NULL && k < nph;) {
		if (gelf_getshdr(os, &sh) == NULL ||
		    (sh.sh_flags & SHF_ALLOC) == 0 || sh.sh_size == 0 ||
		    (sh.sh_type != SHT_PROGBITS && sh.sh_type != SHT_NOTE))
			continue;
		memset(&ph, 0, sizeof(ph));
		ph.p_type = sh.sh_type == SHT_NOTE ? PT_NOTE : PT_LOAD;
		ph.p_flags = PF_R | ((sh.sh_flags & SHF_EXECINSTR) ? PF_X : 0) |
		    ((sh.sh_flags & SHF_WRITE) ? PF_W : 0);
		ph.p_offset = sh.sh_offset;
		ph.p_vaddr = sh.sh_addr;
		ph.p_paddr = sh.sh_addr;
		ph.p_filesz = ph.p_memsz = sh.sh_size;
		ph.p_align = sh.sh_type == SHT_NOTE ? 4 : pg;
		if (gelf_update_phdr(oe, (int)k++, &ph) == 0)
			die("%s: libelf: %s", out, elf_errmsg(-1));
	}
	if (elf_update(oe, ELF_C_WRITE) < 0)
		die("%s: libelf cannot write: %s", out, elf_errmsg(-1));
	elf_end(oe);
	elf_end(ie);
	close(ofd);
	close(ifd);
}

/* Clear the PTEs of a kept page-table page that point at dropped pages. */
static void
fix_pt(uint8_t *pt)
{
	uint64_t e;
	int j;

	for (j = 0; j < 512; j++) {
		e = le64(pt + j * 8);
		if ((e & PG_V) && !kept(e & PG_FRAME))
			put64(pt + j * 8, 0);
	}
}

enum comp { C_NONE = 0, C_GZIP = 1, C_ZSTD = 2 };
enum cont { K_NONE, K_LEAD, K_DEVICE };

struct obuf {
	uint8_t		*p;
	size_t		 len, cap;
};

static void
oput(struct obuf *o, const void *p, size_t n)
{
	if (o->len + n > o->cap) {
		o->cap = (o->len + n) * 2;
		if ((o->p = realloc(o->p, o->cap)) == NULL)
			die("out of memory");
	}
	memcpy(o->p + o->len, p, n);
	o->len += n;
}

static void
putbe(uint8_t *p, int n, uint64_t v)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

/* struct kerneldumpheader version 4 (big-endian) with its parity. */
static void
kdh_encode(uint8_t *h, uint64_t length, uint64_t extent, uint32_t bsize,
    enum comp comp)
{
	static const char version[] = "FreeBSD 14.1-RELEASE GENERIC amd64 "
	    "(mkseed)\n";
	uint32_t x;
	int i;

	memset(h, 0, 512);
	memcpy(h, "FreeBSD Kernel Dump", 19);
	memcpy(h + 20, "amd64", 5);
	putbe(h + 32, 4, 4);
	putbe(h + 36, 4, 2);		/* KERNELDUMP_AMD64_VERSION */
	putbe(h + 40, 8, length);
	putbe(h + 48, 8, 1723724118);
	putbe(h + 60, 4, bsize);
	memcpy(h + 64, "seed", 4);
	memcpy(h + 128, version, sizeof(version) - 1);
	memcpy(h + 320, "page fault (mkseed)", 19);
	h[495] = (uint8_t)comp;
	putbe(h + 496, 8, extent);
	x = 0;
	for (i = 0; i < 512; i += 4)
		x ^= (uint32_t)h[i] << 24 | (uint32_t)h[i + 1] << 16 |
		    (uint32_t)h[i + 2] << 8 | h[i + 3];
	putbe(h + 508, 4, x);
}

/* Compress as the kernel does; returns the new buffer. */
static void
compress_data(struct obuf *in, enum comp comp, struct obuf *out)
{
	ZSTD_CCtx *zc;
	z_stream z;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (comp == C_NONE) {
		*out = *in;
		memset(in, 0, sizeof(*in));
		return;
	}
	if (comp == C_GZIP) {
		memset(&z, 0, sizeof(z));
		/* windowBits 31: a 10-byte gzip header, CRC-32 and size. */
		if (deflateInit2(&z, 6, Z_DEFLATED, 31, 8,
		    Z_DEFAULT_STRATEGY) != Z_OK)
			die("zlib");
		out->cap = deflateBound(&z, in->len) + 64;
		if ((out->p = malloc(out->cap)) == NULL)
			die("out of memory");
		z.next_in = in->p;
		z.avail_in = (uInt)in->len;
		z.next_out = out->p;
		z.avail_out = (uInt)out->cap;
		if (deflate(&z, Z_FINISH) != Z_STREAM_END)
			die("zlib: deflate");
		out->len = out->cap - z.avail_out;
		deflateEnd(&z);
		return;
	}
	if ((zc = ZSTD_createCCtx()) == NULL)
		die("zstd");
	ZSTD_CCtx_setParameter(zc, ZSTD_c_checksumFlag, 1);
	ZSTD_CCtx_setParameter(zc, ZSTD_c_contentSizeFlag, 0);
	out->cap = ZSTD_compressBound(in->len);
	if ((out->p = malloc(out->cap)) == NULL)
		die("out of memory");
	n = ZSTD_compress2(zc, out->p, out->cap, in->p, in->len);
	if (ZSTD_isError(n))
		die("zstd: %s", ZSTD_getErrorName(n));
	out->len = n;
	ZSTD_freeCCtx(zc);
}

/*
 * Write the data in its container: none (savecore's vmcore.N); lead (a
 * header block, then the data); device (64 KiB never written, 64 KiB of
 * old junk, the leading header block, the data padded to the block size,
 * the trailing header in the last block).
 */
static void
emit(const char *path, struct obuf *data, enum comp comp, enum cont cont,
    uint32_t bsize)
{
	struct obuf c, f;
	uint8_t *blk;
	uint64_t extent, i;
	FILE *fp;

	compress_data(data, comp, &c);
	memset(&f, 0, sizeof(f));
	if ((blk = calloc(1, bsize)) == NULL)
		die("out of memory");
	extent = (c.len + bsize - 1) / bsize * bsize;
	if (cont == K_DEVICE) {
		for (i = 0; i < 65536; i += bsize)
			oput(&f, blk, bsize);
		for (i = 0; i < 65536; i++) {
			blk[0] = (uint8_t)(0xad ^ i ^ (i >> 8));
			oput(&f, blk, 1);
		}
		blk[0] = 0;
	}
	if (cont != K_NONE) {
		kdh_encode(blk, c.len, cont == K_DEVICE ? extent : c.len, bsize,
		    comp);
		oput(&f, blk, bsize);
	}
	oput(&f, c.p, c.len);
	if (cont == K_DEVICE) {
		for (i = c.len; i < extent; i++)
			oput(&f, "\xad", 1);
		oput(&f, blk, bsize);
	}
	if ((fp = fopen(path, "wb")) == NULL ||
	    fwrite(f.p, 1, f.len, fp) != f.len || fclose(fp) != 0)
		die("cannot write %s", path);
	free(blk);
	free(c.p);
	free(f.p);
}

int
main(int argc, char **argv)
{
	struct dump d;
	struct obuf o;
	enum comp comp;
	enum cont cont;
	const char *out, *kin, *kout;
	uint8_t *hdr, *msg, *pmap, *bm, *page;
	uint64_t symva[MAXSYMVA], lo, hi, e, i, idx, tail, mlen, total;
	uint64_t newbase, pmapsize, win;
	uint32_t bsize, msize, wseq;
	unsigned shift;
	uint8_t *c;
	bool ispt[MAXKEEP];
	int ch, nsym, j;
	bool pointers;

	comp = C_NONE;
	cont = K_NONE;
	bsize = 512;
	out = kin = kout = NULL;
	pointers = false;
	while ((ch = getopt(argc, argv, "B:c:H:k:K:n:o:P")) != -1) {
		switch (ch) {
		case 'B':
			bsize = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'c':
			comp = strcmp(optarg, "gzip") == 0 ? C_GZIP :
			    strcmp(optarg, "zstd") == 0 ? C_ZSTD : C_NONE;
			break;
		case 'H':
			cont = strcmp(optarg, "lead") == 0 ? K_LEAD :
			    strcmp(optarg, "device") == 0 ? K_DEVICE : K_NONE;
			break;
		case 'k':
			kin = optarg;
			break;
		case 'K':
			kout = optarg;
			break;
		case 'n':
			maxkeep = atoi(optarg);
			if (maxkeep < 1 || maxkeep > MAXKEEP)
				die("-n: 1 to 256");
			break;
		case 'o':
			out = optarg;
			break;
		case 'P':
			pointers = true;
			break;
		default:
			goto usage;
		}
	}
	if (out == NULL || optind + 1 != argc || (kout != NULL && kin == NULL))
		goto usage;
	if (elf_version(EV_CURRENT) == EV_NONE)
		die("libelf too old");
	memset(&d, 0, sizeof(d));
	d.b = readfile(argv[optind], &d.len);
	parse(&d);
	/* KVA per entry; entries per page of the page-table section. */
	shift = d.flat ? pgshift : 21;
	win = pg / d.esz;

	/* What to keep: the kernel's symbols, then the first mappings. */
	nsym = kin != NULL ? kernel_vas(kin, symva, MAXSYMVA) : 0;
	for (j = 0; j < nsym; j++)
		keep_va(&d, symva[j]);
	if (pointers)
		follow(&d);
	if (getenv("MKSEED_DEBUG") != NULL)
		fprintf(stderr, "kept %d, roots %d, kvamax %#jx\n", nkeep,
		    nroots, (uintmax_t)kvamax);
	lo = UINT64_MAX;
	hi = 0;
	for (j = 0; j < nsym; j++) {
		if (symva[j] < d.kernbase)
			continue;
		idx = (symva[j] - d.kernbase) >> shift;
		if (idx < d.nent && idx < lo)
			lo = idx;
		if (idx < d.nent && idx + 1 > hi)
			hi = idx + 1;
	}
	/* i386 (no direct map): also the kernel-map addresses followed. */
	if (d.arch == A_I386 && lo != UINT64_MAX && kvamax >= d.kernbase &&
	    ((kvamax - d.kernbase) >> shift) < d.nent &&
	    ((kvamax - d.kernbase) >> shift) < lo + 65536 &&
	    ((kvamax - d.kernbase) >> shift) + 1 > hi)
		hi = ((kvamax - d.kernbase) >> shift) + 1;
	if (lo == UINT64_MAX) {
		/* No kernel: the last page of entries up to the last valid. */
		for (hi = d.nent; hi > 0 && !pte_valid(&d, ent(&d, d.b +
		    d.off_pmap + (hi - 1) * d.esz)); hi--)
			;
		lo = hi > win ? hi - win : 0;
	}
	/* Whole pages of entries; v2/v3 kernbase stays 2 MiB aligned. */
	lo &= ~(win - 1);
	hi = (hi + win - 1) & ~(win - 1);
	if (hi > d.nent)
		hi = d.nent;
	for (i = lo; i < hi && nkeep < maxkeep; i++)
		keep_va(&d, d.kernbase + (i << shift));
	newbase = d.kernbase + (lo << shift);

	/* The new page-table section: the window, dangling entries cleared. */
	pmapsize = (hi - lo) * d.esz;
	if ((pmap = calloc(1, rnd(pmapsize) + pg)) == NULL)
		die("out of memory");
	for (i = lo; i < hi; i++) {
		e = ent(&d, d.b + d.off_pmap + i * d.esz);
		if (d.flat && pte_valid(&d, e) && !kept(pte_frame(&d, e)))
			e = 0;
		if (!d.flat && (e & PG_V) && (e & PG_PS) == 0 &&
		    !kept(e & PG_FRAME))
			e = 0;
		put_ent(&d, pmap + (i - lo) * d.esz, e);
	}
	/* Header, one page of message buffer, dump_avail, bitmap. */
	if ((hdr = calloc(1, pg)) == NULL || (msg = calloc(1, pg)) == NULL ||
	    (bm = calloc(1, rnd(d.bitmapsize) + 8)) == NULL ||
	    (page = malloc(pg)) == NULL)
		die("out of memory");
	memcpy(hdr, d.b, pg);
	tail = rnd(d.msgbufsize) - d.msgbufsize;
	mlen = d.msgbufsize <= pg ? d.msgbufsize : pg - tail;
	memcpy(msg, d.b + d.off_msgbuf, (size_t)mlen);
	if (d.msgbufsize > pg && tail > 0) {
		memcpy(msg + mlen, d.b + d.off_msgbuf + d.msgbufsize,
		    (size_t)tail);
		/* struct msgbuf after the text: ptr, magic, size, wseq, rseq */
		c = msg + mlen + d.ptrsize;
		if (tail >= d.ptrsize + 16 && le32(c) == MSGMAGIC) {
			msize = (uint32_t)mlen;
			wseq = le32(c + 8) % msize;
			put32(c + 4, msize);
			put32(c + 8, wseq);
			put32(c + 12, le32(c + 12) % msize);
		}
	}
	put32(hdr + 28, (uint32_t)mlen);
	put32(hdr + 36, (uint32_t)pmapsize);
	if (d.arch == A_I386)
		put32(hdr + 40, (uint32_t)newbase);
	else
		put64(hdr + 40, newbase);
	qsort(keep, (size_t)nkeep, sizeof(keep[0]), cmp_u64);
	for (j = 0; j < nkeep; j++) {
		int64_t b = pa_bit(&d, keep[j]);

		bm[b / 8] |= (uint8_t)(1 << (b % 8));
	}
	/* Which kept pages are page-table pages (their PTEs get fixed). */
	for (j = 0; j < nkeep; j++) {
		ispt[j] = false;
		for (i = 0; !d.flat && i < hi - lo; i++) {
			e = le64(pmap + i * 8);
			if ((e & PG_V) && !(e & PG_PS) &&
			    (e & PG_FRAME) == keep[j])
				ispt[j] = true;
		}
	}

	total = pg + pg + rnd(d.availsize) + rnd(d.bitmapsize) +
	    rnd(pmapsize) + (uint64_t)nkeep * pg;
	memset(&o, 0, sizeof(o));
	oput(&o, hdr, pg);
	oput(&o, msg, pg);
	if (d.availsize > 0)
		oput(&o, d.b + d.off_avail, rnd(d.availsize));
	oput(&o, bm, rnd(d.bitmapsize));
	oput(&o, pmap, rnd(pmapsize));
	/* Pages in bitmap order: kept pages sorted by bit. */
	for (i = 0; i < d.nbits; i++) {
		uint64_t pa;

		if (!isset(bm, i))
			continue;
		pa = bit_pa(&d, i);
		for (j = 0; j < nkeep && keep[j] != pa; j++)
			;
		if (j == nkeep)
			die("internal error: bit without page");
		memcpy(page, page_of(&d, pa), pg);
		if (ispt[j])
			fix_pt(page);
		oput(&o, page, pg);
	}
	if (o.len != total)
		die("internal error: %zu bytes, not %ju", o.len,
		    (uintmax_t)total);
	emit(out, &o, comp, cont, bsize);
	if (kout != NULL)
		kernel_shrink(kin, kout, symva, nsym);
	printf("pages %d kernbase %#jx pmapsize %ju bytes %ju\n", nkeep,
	    (uintmax_t)newbase, (uintmax_t)pmapsize, (uintmax_t)total);
	free(o.p);
	free(page);
	free(bm);
	free(msg);
	free(hdr);
	free(pmap);
	free(d.rank);
	free(d.b);
	return (0);
usage:
	fprintf(stderr, "usage: mkseed [-P] [-c none|gzip|zstd] "
	    "[-H none|lead|device] [-B blocksize]\n"
	    "              [-n maxpages] [-k kernel [-K small_kernel]] "
	    "-o seed vmcore\n");
	return (2);
}
