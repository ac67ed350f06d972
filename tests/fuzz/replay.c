/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * replay.c: a plain driver for the fuzz harnesses, for any compiler (the
 * test suite runs it under gcc's ASan+UBSan).  It runs the harness's
 * LLVMFuzzerTestOneInput() on every input file given (directories: every
 * regular file in them, sorted by name), then on N deterministic mutations
 * of each: bit flips, byte runs, truncations, and corruptions aimed at the
 * fields that matter, found by parsing what the input is: the amd64
 * minidump header, dump_avail, bitmap, page-table section, page-table
 * pages and message buffer; kerneldumpheaders (parity recomputed, so the
 * corruption gets past the parity check); ELF headers, section headers,
 * symbols, notes and program headers.
 *
 * usage: replay [-Aq] [-n mutations] [-s seed] [-t seconds] path...
 *   -A  fail unless every unmutated input is accepted by the harness
 *   -n  mutations per input (default 200)
 *   -s  seed of the mutations (default 1)
 *   -t  stop mutating after this many seconds (default: no limit)
 *   -q  print only the summary
 * Exit status: 0, or 1 if -A is not met; a harness that finds a bug
 * aborts (sanitizer report or "fuzz: invariant: ...").  With -v each
 * mutation is described before it runs, so a crash can be replayed.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

#define	PAGE		4096ULL
#define	MAXGROW		65536
#define	MAXINPUTS	1024

static uint64_t	rng;
static bool	verbose;

static uint64_t
rnd64(void)
{
	uint64_t z;

	z = (rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31));
}

static uint64_t
below(uint64_t n)
{
	return (n == 0 ? 0 : rnd64() % n);
}

static uint64_t
getle(const uint8_t *p, int n)
{
	uint64_t v;
	int i;

	v = 0;
	for (i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return (v);
}

static void
putle(uint8_t *p, int n, uint64_t v)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t
getbe(const uint8_t *p, int n)
{
	uint64_t v;
	int i;

	v = 0;
	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return (v);
}

static void
putbe(uint8_t *p, int n, uint64_t v)
{
	int i;

	for (i = 0; i < n; i++)
		p[n - 1 - i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

/* A value a careless decoder mishandles, or one near the original. */
static uint64_t
interesting(uint64_t orig, int bytes)
{
	static const uint64_t v[] = { 0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100,
	    0xfff, 0x1000, 0x1001, 0x1fff, 0xffff, 0x10000, 0x200000,
	    0x7fffffff, 0x80000000, 0xfffff000, 0xfffffff8, 0xffffffff,
	    0x100000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
	    0xfffffffffffff000ULL, 0xffffffffffffffffULL,
	    0x000ffffffffff000ULL, 0xfffff80000000000ULL,
	    0xfffffe0000000000ULL, 0xffffffff80000000ULL };
	uint64_t x, mask;

	mask = bytes >= 8 ? ~0ULL : (1ULL << (8 * bytes)) - 1;
	switch (below(6)) {
	case 0:
		x = orig + below(9) - 4;
		break;
	case 1:
		x = orig + (below(2) ? PAGE : -PAGE);
		break;
	case 2:
		x = orig * 2 + below(2);
		break;
	case 3:
		x = orig ^ (1ULL << below((uint64_t)bytes * 8));
		break;
	case 4:
		x = rnd64();
		break;
	default:
		x = v[below(sizeof(v) / sizeof(v[0]))];
		break;
	}
	return (x & mask);
}

struct buf {
	uint8_t		*p;
	size_t		 len, cap;
};

/* Set an integer field at off (if it fits), little- or big-endian. */
static void
field(struct buf *b, uint64_t off, int n, bool be)
{
	uint64_t v;

	if (off > b->len || (uint64_t)n > b->len - off)
		return;
	v = be ? getbe(b->p + off, n) : getle(b->p + off, n);
	v = interesting(v, n);
	if (verbose)
		fprintf(stderr, "  field %#jx/%d = %#jx\n", (uintmax_t)off, n,
		    (uintmax_t)v);
	if (be)
		putbe(b->p + off, n, v);
	else
		putle(b->p + off, n, v);
}

/* Generic mutations. */
static void
mut_generic(struct buf *b)
{
	size_t i, n, off, len;

	if (b->len == 0)
		return;
	switch (below(8)) {
	case 0:
	case 1:	/* bit flips */
		n = 1 + below(8);
		for (i = 0; i < n; i++) {
			off = below(b->len);
			b->p[off] ^= (uint8_t)(1 << below(8));
		}
		if (verbose)
			fprintf(stderr, "  %zu bit flips\n", n);
		break;
	case 2:	/* a run of one byte value */
		off = below(b->len);
		len = 1 + below(64);
		if (len > b->len - off)
			len = b->len - off;
		memset(b->p + off, below(4) == 0 ? 0xff : below(2) ? 0 :
		    (int)below(256), len);
		if (verbose)
			fprintf(stderr, "  run %#zx+%zu\n", off, len);
		break;
	case 3:	/* truncation */
		b->len = below(b->len);
		if (verbose)
			fprintf(stderr, "  truncate %zu\n", b->len);
		break;
	case 4:	/* truncation at a page boundary, +- a little */
		off = (size_t)(below(b->len / PAGE + 1) * PAGE);
		off = off + below(16) - 8;
		if (off < b->len)
			b->len = off;
		if (verbose)
			fprintf(stderr, "  truncate %zu\n", b->len);
		break;
	case 5:	/* a random 8-byte word */
		off = below(b->len) & ~(size_t)7;
		if (off + 8 <= b->len)
			putle(b->p + off, 8, interesting(getle(b->p + off, 8),
			    8));
		if (verbose)
			fprintf(stderr, "  word %#zx\n", off);
		break;
	case 6:	/* append bytes */
		len = 1 + below(PAGE);
		if (b->len + len <= b->cap) {
			for (i = 0; i < len; i++)
				b->p[b->len + i] = below(2) ? 0 :
				    (uint8_t)rnd64();
			b->len += len;
		}
		if (verbose)
			fprintf(stderr, "  append %zu\n", len);
		break;
	default: /* copy a chunk over another place */
		off = below(b->len);
		i = below(b->len);
		len = 1 + below(512);
		if (len > b->len - off)
			len = b->len - off;
		if (len > b->len - i)
			len = b->len - i;
		memmove(b->p + i, b->p + off, len);
		if (verbose)
			fprintf(stderr, "  copy %#zx -> %#zx +%zu\n", off, i,
			    len);
		break;
	}
}

/* Is there a kerneldumpheader at off? */
static bool
is_kdh(const struct buf *b, size_t off)
{
	return (off + 512 <= b->len &&
	    (memcmp(b->p + off, "FreeBSD Kernel Dump", 20) == 0 ||
	    memcmp(b->p + off, "Cleared Kernel Dump", 20) == 0 ||
	    memcmp(b->p + off, "FreeBSD Text Dump", 18) == 0));
}

static void
kdh_parity(uint8_t *h)
{
	uint32_t x;
	int i;

	putbe(h + 508, 4, 0);
	x = 0;
	for (i = 0; i < 512; i += 4)
		x ^= (uint32_t)getbe(h + i, 4);
	putbe(h + 508, 4, x);
}

/* Corrupt a kerneldumpheader field (v4 layout), usually fixing parity. */
static void
mut_kdh(struct buf *b, size_t off)
{
	static const struct {
		int	 off, n;
	} f[] = { { 32, 4 }, { 36, 4 }, { 40, 8 }, { 48, 8 }, { 56, 4 },
	    { 60, 4 }, { 495, 1 }, { 496, 8 }, { 64, 8 }, { 20, 4 },
	    { 128, 8 } };
	size_t k;

	k = below(sizeof(f) / sizeof(f[0]));
	field(b, off + (size_t)f[k].off, f[k].n, true);
	if (below(4) != 0)
		kdh_parity(b->p + off);
}

/* Header fields of the minidumps: offset, size. */
struct hfield {
	int	 off, n;
};
static const struct hfield hf_amd64[] = { { 24, 4 }, { 28, 4 }, { 32, 4 },
    { 36, 4 }, { 40, 8 }, { 48, 8 }, { 56, 8 }, { 64, 4 }, { 0, 0 } };
static const struct hfield hf_i386[] = { { 24, 4 }, { 28, 4 }, { 32, 4 },
    { 36, 4 }, { 40, 4 }, { 44, 4 }, { 48, 4 }, { 0, 0 } };
static const struct hfield hf_arm64[] = { { 24, 4 }, { 28, 4 }, { 32, 4 },
    { 36, 4 }, { 40, 8 }, { 48, 8 }, { 56, 8 }, { 64, 8 }, { 72, 4 },
    { 76, 4 }, { 0, 0 } };

enum mdarch { MD_AMD64, MD_I386, MD_ARM64 };

struct md {
	size_t		 base;		/* offset of the minidump in the input */
	enum mdarch	 arch;
	const struct hfield *hf;
	uint32_t	 ver;
	uint64_t	 pg;		/* page size */
	unsigned	 esz;		/* page-table entry size */
	uint64_t	 msgbufsize, availsize, bitmapsize, pmapsize;
	uint64_t	 off_msgbuf, off_avail, off_bitmap, off_pmap, off_pages;
};

static uint64_t
rup(uint64_t x, uint64_t pg)
{
	return ((x + pg - 1) & ~(pg - 1));
}

/* An uncompressed amd64, i386 or arm64 minidump at base? */
static bool
md_parse(const struct buf *b, size_t base, struct md *m)
{
	const uint8_t *h;

	if (base + 80 > b->len)
		return (false);
	h = b->p + base;
	m->pg = PAGE;
	m->esz = 8;
	m->ver = (uint32_t)getle(h + 24, 4);
	if (memcmp(h, "minidump FreeBSD/amd64", 23) == 0) {
		m->arch = MD_AMD64;
		m->hf = hf_amd64;
		m->availsize = m->ver >= 3 ? getle(h + 64, 4) : 0;
	} else if (memcmp(h, "minidump FreeBSD/i386", 22) == 0) {
		m->arch = MD_I386;
		m->hf = hf_i386;
		m->esz = getle(h + 44, 4) != 0 ? 8 : 4;
		m->availsize = m->ver >= 2 ? getle(h + 48, 4) : 0;
	} else if (memcmp(h, "minidump FreeBSD/arm64", 23) == 0) {
		m->arch = MD_ARM64;
		m->hf = hf_arm64;
		m->availsize = m->ver >= 2 ? getle(h + 72, 4) : 0;
		if (m->ver >= 3 && (getle(h + 76, 4) & 3) == 1)
			m->pg = 16384;
	} else
		return (false);
	m->base = base;
	m->msgbufsize = getle(h + 28, 4);
	m->bitmapsize = getle(h + 32, 4);
	m->pmapsize = getle(h + 36, 4);
	m->off_msgbuf = base + m->pg;
	m->off_avail = m->off_msgbuf + rup(m->msgbufsize, m->pg);
	m->off_bitmap = m->off_avail + rup(m->availsize, m->pg);
	m->off_pmap = m->off_bitmap + rup(m->bitmapsize, m->pg);
	m->off_pages = m->off_pmap + rup(m->pmapsize, m->pg);
	return (true);
}

/* A page-table-ish entry: valid, sometimes PS (amd64), some frame. */
static uint64_t
pte_value(const struct buf *b, const struct md *m)
{
	uint64_t frame, e;

	switch (below(5)) {
	case 0:
		frame = 0x000ffffffffff000ULL;
		break;
	case 1:
		frame = below(64) * m->pg;
		break;
	case 2:	/* a page of the dump's own physical range */
		frame = below(m->bitmapsize * 8 + 1) * m->pg;
		break;
	case 3:
		frame = rnd64() & 0x000ffffffffff000ULL;
		break;
	default: /* another entry of the page-table section */
		frame = 0;
		if (m->pmapsize >= m->esz &&
		    m->off_pmap + m->pmapsize <= b->len)
			frame = getle(b->p + m->off_pmap +
			    below(m->pmapsize / m->esz) * m->esz, (int)m->esz) &
			    0x000ffffffffff000ULL;
		break;
	}
	if (m->arch == MD_ARM64)
		e = frame | 0x703;	/* L3 page, AF, inner shareable */
	else
		e = frame | 0x63 | (m->arch == MD_AMD64 && below(3) == 0 ?
		    0x80 : 0);
	return (m->esz == 4 ? e & 0xffffffffULL : e);
}

/* Offset of a valid entry of the page-table section (or a random one). */
static uint64_t
pmap_entry(const struct buf *b, const struct md *m)
{
	uint64_t n, i, k, off;

	n = m->pmapsize / m->esz;
	if (n == 0)
		return (m->off_pmap);
	for (k = 0; k < 64; k++) {
		i = below(n);
		off = m->off_pmap + i * m->esz;
		if (off + m->esz <= b->len && (b->p[off] & 1))
			return (off);
	}
	return (m->off_pmap + below(n) * m->esz);
}

static void
mut_minidump(struct buf *b, const struct md *m)
{
	uint64_t off, n, i, e;
	size_t k, nhf;
	int esz;

	esz = (int)m->esz;
	for (nhf = 0; m->hf[nhf].n != 0; nhf++)
		;
	switch (below(9)) {
	case 0:
	case 1:	/* a header field */
		k = below(nhf);
		field(b, m->base + (uint64_t)m->hf[k].off, m->hf[k].n, false);
		break;
	case 2:	/* dump_avail: an address of a range */
		n = m->availsize / 8;
		if (n > 0)
			field(b, m->off_avail + below(n < 16 ? n : 16) * 8, 8,
			    false);
		break;
	case 3:	/* bitmap: bits, or a whole word */
		if (m->bitmapsize == 0)
			break;
		off = m->off_bitmap + below(m->bitmapsize);
		if (off >= b->len)
			break;
		if (below(2))
			b->p[off] ^= (uint8_t)(1 << below(8));
		else
			b->p[off] = below(2) ? 0xff : 0;
		if (verbose)
			fprintf(stderr, "  bitmap byte %#jx\n", (uintmax_t)off);
		break;
	case 4:
	case 5:	/* page-table section: an entry */
		off = pmap_entry(b, m);
		if (off + m->esz > b->len)
			break;
		e = getle(b->p + off, esz);
		switch (below(4)) {
		case 0:	/* amd64 PG_PS; arm64 block instead of page */
			e ^= m->arch == MD_ARM64 ? 0x2 : 0x80;
			break;
		case 1:
			e = pte_value(b, m);
			break;
		case 2:	/* the same entry again elsewhere */
			i = m->off_pmap + below(m->pmapsize / m->esz + 1) *
			    m->esz;
			if (i + m->esz <= b->len)
				putle(b->p + i, esz, e);
			break;
		default:
			e = interesting(e, esz);
			break;
		}
		putle(b->p + off, esz, e);
		if (verbose)
			fprintf(stderr, "  pmap entry %#jx = %#jx\n",
			    (uintmax_t)off, (uintmax_t)e);
		break;
	case 6:	/* page section: a PTE-like word (page-table pages) */
		if (m->off_pages >= b->len)
			break;
		off = m->off_pages + (below(b->len - m->off_pages) & ~7ULL);
		if (off + 8 <= b->len)
			putle(b->p + off, 8, pte_value(b, m));
		if (verbose)
			fprintf(stderr, "  page word %#jx\n", (uintmax_t)off);
		break;
	case 7:	/* message buffer: the control block after the text */
		off = m->off_msgbuf + m->msgbufsize + below(6) * 4;
		field(b, off, 4, false);
		break;
	default: /* cut inside or at the edge of a section */
		switch (below(5)) {
		case 0:
			off = m->off_avail;
			break;
		case 1:
			off = m->off_bitmap;
			break;
		case 2:
			off = m->off_pmap;
			break;
		case 3:
			off = m->off_pages;
			break;
		default:
			off = m->off_msgbuf;
			break;
		}
		off += below(2) ? 0 : below(m->pg) - m->pg / 2;
		if (off < b->len)
			b->len = (size_t)off;
		if (verbose)
			fprintf(stderr, "  truncate %zu\n", b->len);
		break;
	}
}

/* Where the fields of an ELF file are, by class (little-endian). */
struct elflayout {
	int	 phoff, shoff, phnum, shnum;	/* ELF header fields, 0: size */
	int	 addrsz, shentsz, phentsz, symentsz;
	struct hfield eh[10], sh[10], sym[5], ph[5];
	int	 sh_type, sh_offset, sh_size;	/* in a section header */
};
static const struct elflayout elf64 = { 32, 40, 56, 60, 8, 64, 56, 24,
	{ { 32, 8 }, { 40, 8 }, { 54, 2 }, { 56, 2 }, { 58, 2 }, { 60, 2 },
	  { 62, 2 }, { 24, 8 }, { 18, 2 }, { 4, 1 } },
	{ { 4, 4 }, { 8, 8 }, { 16, 8 }, { 24, 8 }, { 32, 8 }, { 40, 4 },
	  { 44, 4 }, { 48, 8 }, { 56, 8 }, { 0, 4 } },
	{ { 0, 4 }, { 4, 1 }, { 6, 2 }, { 8, 8 }, { 16, 8 } },
	{ { 0, 4 }, { 8, 8 }, { 16, 8 }, { 32, 8 }, { 40, 8 } },
	4, 24, 32 };
static const struct elflayout elf32 = { 28, 32, 44, 48, 4, 40, 32, 16,
	{ { 28, 4 }, { 32, 4 }, { 42, 2 }, { 44, 2 }, { 46, 2 }, { 48, 2 },
	  { 50, 2 }, { 24, 4 }, { 18, 2 }, { 4, 1 } },
	{ { 4, 4 }, { 8, 4 }, { 12, 4 }, { 16, 4 }, { 20, 4 }, { 24, 4 },
	  { 28, 4 }, { 32, 4 }, { 36, 4 }, { 0, 4 } },
	{ { 0, 4 }, { 4, 4 }, { 8, 4 }, { 12, 1 }, { 14, 2 } },
	{ { 0, 4 }, { 4, 4 }, { 8, 4 }, { 16, 4 }, { 20, 4 } },
	4, 16, 20 };

/* ELF32 or ELF64: header, section headers, symbols, notes, phdrs. */
static void
mut_elf(struct buf *b, const struct elflayout *l)
{
	uint64_t shoff, phoff, off, size, type, i, k;
	uint64_t shnum, phnum;

	if (b->len < 64)
		return;
	shoff = getle(b->p + l->shoff, l->addrsz);
	phoff = getle(b->p + l->phoff, l->addrsz);
	shnum = getle(b->p + l->shnum, 2);
	phnum = getle(b->p + l->phnum, 2);
	switch (below(6)) {
	case 0:	/* ELF header */
		k = below(10);
		field(b, (uint64_t)l->eh[k].off, l->eh[k].n, false);
		break;
	case 1:
	case 2:	/* a section header field */
		if (shnum == 0)
			break;
		k = below(10);
		field(b, shoff + below(shnum) * (uint64_t)l->shentsz +
		    (uint64_t)l->sh[k].off, l->sh[k].n, false);
		break;
	case 3:
	case 4:	/* a symbol, or a note header field */
		for (i = 0; i < shnum; i++) {
			off = shoff + i * (uint64_t)l->shentsz;
			if (off + (uint64_t)l->shentsz > b->len ||
			    off + (uint64_t)l->shentsz < off)
				return;
			type = getle(b->p + off + l->sh_type, 4);
			size = getle(b->p + off + l->sh_size, l->addrsz);
			if (type == 2 /* SHT_SYMTAB */ &&
			    size >= (uint64_t)l->symentsz && below(2)) {
				k = below(5);
				field(b, getle(b->p + off + l->sh_offset,
				    l->addrsz) + below(size / (uint64_t)
				    l->symentsz) * (uint64_t)l->symentsz +
				    (uint64_t)l->sym[k].off, l->sym[k].n, false);
				return;
			}
			if (type == 7 /* SHT_NOTE */ && size >= 12 &&
			    below(2)) {
				field(b, getle(b->p + off + l->sh_offset,
				    l->addrsz) + below(3) * 4, 4, false);
				return;
			}
		}
		break;
	default: /* a program header field */
		if (phnum == 0)
			break;
		k = below(5);
		field(b, phoff + below(phnum) * (uint64_t)l->phentsz +
		    (uint64_t)l->ph[k].off, l->ph[k].n, false);
		break;
	}
}

/* One to four stacked mutations chosen by what the input is. */
static void
mutate(struct buf *b)
{
	struct md m;
	size_t off, nk, kdhs[8];
	int i, n;

	n = 1 + (int)below(4);
	for (i = 0; i < n; i++) {
		/* Find what there is: headers, a minidump, an ELF file. */
		nk = 0;
		memset(&m, 0, sizeof(m));
		m.base = SIZE_MAX;
		for (off = 0; off + 512 <= b->len; off += 512) {
			if (nk < 8 && is_kdh(b, off))
				kdhs[nk++] = off;
			if (m.base == SIZE_MAX)
				(void)md_parse(b, off, &m);
			if (off >= 2 * 65536 + 8192 && off + 8192 < b->len)
				off = (b->len - 8192) & ~(size_t)511;
		}
		if (m.base == SIZE_MAX)
			(void)md_parse(b, 0, &m);
		if (nk > 0 && below(4) == 0)
			mut_kdh(b, kdhs[below(nk)]);
		else if (m.base != SIZE_MAX && below(4) != 0)
			mut_minidump(b, &m);
		else if (b->len >= 64 && memcmp(b->p, "\177ELF\002\001", 6) ==
		    0 && below(4) != 0)
			mut_elf(b, &elf64);
		else if (b->len >= 52 && memcmp(b->p, "\177ELF\001\001", 6) ==
		    0 && below(4) != 0)
			mut_elf(b, &elf32);
		else
			mut_generic(b);
	}
}

static uint8_t *
readfile(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *p;
	size_t got;
	ssize_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	if ((p = malloc((size_t)st.st_size + 1)) == NULL) {
		fprintf(stderr, "replay: out of memory\n");
		exit(2);
	}
	got = 0;
	while (got < (size_t)st.st_size && (n = (ssize_t)fread(p + got, 1,
	    (size_t)st.st_size - got, f)) > 0)
		got += (size_t)n;
	fclose(f);
	*len = got;
	return (p);
}

static int
cmpstr(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* Add path, or the regular files of a directory, to the list. */
static void
collect(const char *path, char **list, size_t *n)
{
	struct stat st;
	struct dirent *de;
	DIR *dir;
	size_t first, len;
	char *p;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	if (!S_ISDIR(st.st_mode)) {
		if (*n < MAXINPUTS && (list[(*n)++] = strdup(path)) == NULL)
			exit(2);
		return;
	}
	if ((dir = opendir(path)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	first = *n;
	while ((de = readdir(dir)) != NULL && *n < MAXINPUTS) {
		if (de->d_name[0] == '.')
			continue;
		len = strlen(path) + strlen(de->d_name) + 2;
		if ((p = malloc(len)) == NULL)
			exit(2);
		snprintf(p, len, "%s/%s", path, de->d_name);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			list[(*n)++] = p;
		else
			free(p);
	}
	closedir(dir);
	qsort(list + first, *n - first, sizeof(*list), cmpstr);
}

static void
usage(void)
{
	fprintf(stderr, "usage: replay [-Aqv] [-n mutations] [-s seed] "
	    "[-t seconds] path...\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	char *list[MAXINPUTS];
	struct buf b;
	uint8_t *orig;
	size_t n, i, len, accepted, rejected, runs;
	uint64_t seed, nmut, k;
	time_t start;
	double limit;
	bool all, quiet, missed;
	int ch;

	all = quiet = false;
	nmut = 200;
	seed = 1;
	limit = 0;
	while ((ch = getopt(argc, argv, "An:qs:t:v")) != -1) {
		switch (ch) {
		case 'A':
			all = true;
			break;
		case 'n':
			nmut = strtoull(optarg, NULL, 0);
			break;
		case 'q':
			quiet = true;
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 't':
			limit = strtod(optarg, NULL);
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	n = 0;
	for (; optind < argc; optind++)
		collect(argv[optind], list, &n);
	if (n == 0) {
		fprintf(stderr, "replay: no inputs\n");
		return (2);
	}
	(void)LLVMFuzzerInitialize(&argc, &argv);
	start = time(NULL);
	accepted = rejected = runs = 0;
	missed = false;
	for (i = 0; i < n; i++) {
		orig = readfile(list[i], &len);
		if (verbose)
			fprintf(stderr, "replay: %s\n", list[i]);
		(void)LLVMFuzzerTestOneInput(orig, len);
		runs++;
		if (!quiet)
			printf("%s: %zu bytes, %s\n", list[i], len,
			    fuzz_accepted ? "accepted" : "rejected");
		if (!fuzz_accepted) {
			missed = true;
			if (all)
				fprintf(stderr, "replay: %s: seed not accepted\n",
				    list[i]);
		}
		b.cap = len + MAXGROW;
		if ((b.p = malloc(b.cap)) == NULL)
			exit(2);
		for (k = 0; k < nmut; k++) {
			if (limit > 0 && difftime(time(NULL), start) >= limit)
				break;
			rng = seed * 0x100000001b3ULL ^ (uint64_t)i << 32 ^ k;
			(void)rnd64();
			memcpy(b.p, orig, len);
			b.len = len;
			if (verbose)
				fprintf(stderr, "replay: %s mutation %ju (-s %ju)"
				    "\n", list[i], (uintmax_t)k,
				    (uintmax_t)seed);
			mutate(&b);
			(void)LLVMFuzzerTestOneInput(b.p, b.len);
			runs++;
			if (fuzz_accepted)
				accepted++;
			else
				rejected++;
		}
		free(b.p);
		free(orig);
		free(list[i]);
	}
	printf("replay: %zu inputs, %zu runs (%zu mutations accepted, %zu "
	    "rejected), %.0f s\n", n, runs, accepted, rejected,
	    difftime(time(NULL), start));
	return (all && missed ? 1 : 0);
}
