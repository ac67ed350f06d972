/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * minidump.c: the parts of a minidump that every architecture shares: the
 * section layout, the page bitmap (with a rank per 64-bit word, so a page's
 * place in the page section is found in O(1)), the dump_avail ranges of the
 * sparse bit numbering, and physical and kernel-virtual reads.
 *
 * Reads of the page section read around: the first read in each 2 MiB of
 * it asks the kernel to read the whole 2 MiB (POSIX_FADV_WILLNEED).  The
 * thread walk reads one pcb page here, a struct thread there, about 40% of
 * a dump's pages in no order; page by page that took 39 s cold for 100 000
 * threads (1.2 GB dump, 270 000 reads), reading the file whole 1.9 s.
 *
 * Memory: the bitmap (up to its last non-zero word), its rank array, the
 * page-table section and a bit per 2 MiB of page data; nothing that grows
 * with the number of dumped pages.  Every size is checked against the
 * header, dump_avail and the data present before anything of that size is
 * allocated, so memory and work are bounded by the dump data actually
 * there.  The same checks bound a decompression while it runs
 * (m2e_md_limit()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "md2elf_private.h"

/* Caps on section sizes; beyond these a header is refused, not believed. */
#define	MD_MAXBITMAP	(1ULL << 30)	/* 2^33 pages: 32 TiB of 4 KiB */
#define	MD_MAXPMAP	(256ULL << 20)
#define	MD_MAXAVAIL	(1ULL << 20)
/* The bitmap is counted in chunks of this size before it is allocated. */
#define	MD_CHUNK	(1024 * 1024)

#define	MD_RA_CLUSTER	(2ULL << 20)	/* read-around unit */

/* Header offsets of the size fields every architecture's header shares. */
#define	MD_OFF_BITMAPSIZE	32
#define	MD_OFF_PMAPSIZE		36

static uint64_t
md_roundup(uint64_t x, uint64_t p)
{
	return ((x + p - 1) & ~(p - 1));	/* x < 2^33 here */
}

static unsigned
md_popcount(uint64_t x)
{
	return ((unsigned)__builtin_popcountll(x));
}

/* Check that [off, off + size) lies in the dump data. */
static int
md_section(md2elf_t *d, uint64_t off, uint64_t size, const char *what)
{
	if (off > d->len || size > d->len - off)
		return (m2e_err_at(d, off, "truncated %s (need %ju bytes, %s "
		    "%ju)", what, (uintmax_t)(d->filebase + off + size),
		    d->decompressed ? "decompressed data has" : "file has",
		    (uintmax_t)(d->filebase + d->len)));
	return (0);
}

/* Bits of a dump_avail range: howmany(end, page) - start / page. */
static uint64_t
md_npages(const struct m2e_minidump *md, const struct m2e_range *r)
{
	return ((r->end >> md->pageshift) +
	    ((r->end & (md->pagesize - 1)) != 0) -
	    (r->start >> md->pageshift));
}

/*
 * The kernels size the bitmap from dump_avail: round_page(BITSET_SIZE(
 * vm_page_dump_pages)), one bit per page of the ranges.  A larger bitmap
 * claims memory the ranges do not have (and costs its size to load).
 */
static int
md_check_bitmap_avail(md2elf_t *d)
{
	struct m2e_minidump *md;
	uint64_t need;

	md = &d->md;
	need = md_roundup(md->availbits / 8 + (md->availbits % 8 != 0),
	    md->pagesize);
	if (md->bitmapsize > need)
		return (m2e_err_at(d, MD_OFF_BITMAPSIZE, "bitmapsize %ju "
		    "exceeds the %ju bytes the %zu dump_avail range%s need "
		    "(%ju pages)", (uintmax_t)md->bitmapsize, (uintmax_t)need,
		    md->navail, md->navail == 1 ? "" : "s",
		    (uintmax_t)md->availbits));
	return (0);
}

static int
md_load_avail(md2elf_t *d)
{
	struct m2e_minidump *md;
	uint8_t *raw;
	uint64_t s, e, n, bits, prevend;
	size_t i, max;

	md = &d->md;
	max = (size_t)(md->availsize / 16);
	if ((raw = malloc(max * 16 + 1)) == NULL)
		return (m2e_err(d, "out of memory"));
	if (m2e_read(d, raw, max * 16, md->off_avail, "dump_avail section")) {
		free(raw);
		return (-1);
	}
	for (i = 0; i < max && le64dec_(raw + i * 16 + 8) != 0; i++)
		;
	if (i == 0) {
		free(raw);
		return (m2e_err_at(d, md->off_avail, "empty dump_avail "
		    "section"));
	}
	md->navail = i;
	md->avail = calloc(i, sizeof(*md->avail));
	md->availbit = calloc(i, sizeof(*md->availbit));
	if (md->avail == NULL || md->availbit == NULL) {
		free(raw);
		return (m2e_err(d, "out of memory"));
	}
	bits = 0;
	prevend = 0;
	for (i = 0; i < md->navail; i++) {
		s = le64dec_(raw + i * 16);
		e = le64dec_(raw + i * 16 + 8);
		if (e < s || s < prevend) {
			free(raw);
			return (m2e_err_at(d, md->off_avail + i * 16,
			    "dump_avail range %zu [%#jx, %#jx) is %s", i,
			    (uintmax_t)s, (uintmax_t)e, e < s ? "inverted" :
			    "out of order"));
		}
		md->avail[i].start = s;
		md->avail[i].end = e;
		md->availbit[i] = bits;
		n = md_npages(md, &md->avail[i]);
		bits += n;		/* < 2^52 per range, < 2^64 total */
		prevend = e;
	}
	free(raw);
	md->availbits = bits;
	return (md_check_bitmap_avail(d));
}

/*
 * The first offset at or after off (relative to the bitmap, a multiple of
 * MD_CHUNK) whose chunk holds file data, or off if the file cannot say:
 * a hole in a regular file reads as zeros.
 */
static uint64_t
md_skip_hole(md2elf_t *d, uint64_t off)
{
	off_t at, data;

	/* Encrypted data: a hole is no run of plaintext zeros. */
	if (m2e_data_encrypted(d, d->fd))
		return (off);
	at = (off_t)(d->base + d->md.off_bitmap + off);
	data = lseek(d->fd, at, SEEK_DATA);
	if (data < 0)
		return (errno == ENXIO ? d->md.bitmapsize : off);
	if (data <= at)
		return (off);
	/* Down to a chunk boundary, so chunks stay 8-byte aligned. */
	return ((uint64_t)(data - at + (off_t)off) & ~(uint64_t)(MD_CHUNK - 1));
}

/*
 * Count the bitmap's set bits (md->npages) and find its last non-zero
 * 64-bit word (md->nwords: the words worth keeping), reading it in chunks:
 * nothing of the claimed size is allocated before the data is known to
 * need it.
 */
static int
md_count_bitmap(md2elf_t *d)
{
	struct m2e_minidump *md;
	uint8_t *buf;
	uint64_t off, i, w, total, last;
	size_t n;

	md = &d->md;
	if ((buf = malloc(MD_CHUNK)) == NULL)
		return (m2e_err(d, "out of memory"));
	total = last = 0;
	for (off = 0; off < md->bitmapsize; off += n) {
		/* Holes (a sparse vmcore, decompressed zeros) are 0 bits. */
		if ((off & (MD_CHUNK - 1)) == 0 &&
		    (off = md_skip_hole(d, off)) >= md->bitmapsize)
			break;
		n = md->bitmapsize - off < MD_CHUNK ?
		    (size_t)(md->bitmapsize - off) : MD_CHUNK;
		if (m2e_read(d, buf, n, md->off_bitmap + off, "page bitmap")) {
			free(buf);
			return (-1);
		}
		memset(buf + n, 0, (8 - n % 8) % 8);
		for (i = 0; i < n; i += 8) {
			if ((w = le64dec_(buf + i)) == 0)
				continue;
			total += md_popcount(w);
			last = (off + i) / 8 + 1;
		}
	}
	free(buf);
	md->npages = total;
	md->nwords = last;
	md->counted = true;
	return (0);
}

/* Load the counted bitmap up to its last non-zero word, with ranks. */
static int
md_load_bitmap(md2elf_t *d)
{
	struct m2e_minidump *md;
	uint8_t *raw;
	uint64_t i, total, len;

	md = &d->md;
	/* Bits past the last non-zero word are 0: they need no memory. */
	md->nbits = md->nwords * 64;
	if (md->nbits > md->bitmapsize * 8)
		md->nbits = md->bitmapsize * 8;
	len = md->nwords * 8 < md->bitmapsize ? md->nwords * 8 :
	    md->bitmapsize;
	md->bitmap = calloc(md->nwords + 1, sizeof(uint64_t));
	md->rank = calloc(md->nwords + 1, sizeof(uint64_t));
	if (md->bitmap == NULL || md->rank == NULL)
		return (m2e_err(d, "out of memory for a bitmap of %ju bytes",
		    (uintmax_t)len));
	/* Read in place, then decode the little-endian words. */
	raw = (uint8_t *)md->bitmap;
	if (m2e_read(d, raw, (size_t)len, md->off_bitmap, "page bitmap"))
		return (-1);
	total = 0;
	for (i = 0; i < md->nwords; i++) {
		md->bitmap[i] = le64dec_(raw + i * 8);
		md->rank[i] = total;
		total += md_popcount(md->bitmap[i]);
	}
	md->rank[md->nwords] = total;
	if (total != md->npages)
		return (m2e_err_at(d, md->off_bitmap, "page bitmap changed "
		    "while read (%ju bits set, then %ju)",
		    (uintmax_t)md->npages, (uintmax_t)total));
	return (0);
}

/* Refusals of a counted bitmap (m2e_md_load() and m2e_md_limit()). */
static int
md_check_count(md2elf_t *d)
{
	struct m2e_minidump *md;

	md = &d->md;
	if (md->bitmapsize == 0)
		return (m2e_err_at(d, MD_OFF_BITMAPSIZE, "bitmapsize 0: no "
		    "pages in the dump"));
	if (md->npages == 0)
		return (m2e_err_at(d, MD_OFF_BITMAPSIZE, "bitmapsize %ju: no "
		    "bit set in the page bitmap, no pages in the dump",
		    (uintmax_t)md->bitmapsize));
	return (0);
}

int
m2e_md_load(md2elf_t *d, bool has_avail)
{
	struct m2e_minidump *md;
	uint64_t p, need, end;

	md = &d->md;
	p = md->pagesize;
	if (p < 4096 || p > M2E_MAXPAGESIZE || (p & (p - 1)) != 0 ||
	    (1ULL << md->pageshift) != p)
		return (m2e_err(d, "bad minidump page size %ju", (uintmax_t)p));
	if (!has_avail)
		md->availsize = 0;
	/*
	 * The kernels write round_page() sizes for the bitmap, dump_avail
	 * and the page-table section (whole page-table pages); only the
	 * message buffer's size is the buffer's own.  The bitmap's is not
	 * checked: nothing depends on it (the section is page-rounded).
	 */
	if (md->pmapsize % p != 0)
		return (m2e_err_at(d, MD_OFF_PMAPSIZE, "pmapsize %ju (the "
		    "page-table section) is not a multiple of the %ju-byte page",
		    (uintmax_t)md->pmapsize, (uintmax_t)p));
	if (md->availsize % p != 0)
		return (m2e_err_at(d, md->availoff, "dumpavailsize %ju (the "
		    "dump_avail section) is not a multiple of the %ju-byte page",
		    (uintmax_t)md->availsize, (uintmax_t)p));
	if (md->bitmapsize > MD_MAXBITMAP)
		return (m2e_err_at(d, MD_OFF_BITMAPSIZE, "minidump bitmap size "
		    "%ju exceeds the limit of %ju bytes",
		    (uintmax_t)md->bitmapsize, (uintmax_t)MD_MAXBITMAP));
	if (md->pmapsize > MD_MAXPMAP)
		return (m2e_err_at(d, MD_OFF_PMAPSIZE, "minidump page-table size "
		    "%ju exceeds the limit of %ju bytes",
		    (uintmax_t)md->pmapsize, (uintmax_t)MD_MAXPMAP));
	if (md->availsize > MD_MAXAVAIL)
		return (m2e_err_at(d, md->availoff, "minidump dump_avail size "
		    "%ju exceeds the limit of %ju bytes",
		    (uintmax_t)md->availsize, (uintmax_t)MD_MAXAVAIL));
	/* All sizes are < 2^32 here: the sums below cannot overflow. */
	md->off_msgbuf = p;
	md->off_avail = md->off_msgbuf + md_roundup(md->msgbufsize, p);
	md->off_bitmap = md->off_avail + md_roundup(md->availsize, p);
	md->off_pmap = md->off_bitmap + md_roundup(md->bitmapsize, p);
	md->off_pages = md->off_pmap + md_roundup(md->pmapsize, p);
	/* While decompressing, m2e_md_limit() goes on from here. */
	if (d->md_layout)
		return (0);
	if (md_section(d, 0, p, "minidump header page") ||
	    md_section(d, md->off_msgbuf, md->off_avail - md->off_msgbuf,
	    "message buffer section") ||
	    md_section(d, md->off_avail, md->off_bitmap - md->off_avail,
	    "dump_avail section") ||
	    md_section(d, md->off_bitmap, md->off_pmap - md->off_bitmap,
	    "page bitmap") ||
	    md_section(d, md->off_pmap, md->off_pages - md->off_pmap,
	    "page-table section"))
		return (-1);

	if (md->availsize != 0 && md_load_avail(d) != 0)
		return (-1);
	if (md_count_bitmap(d) != 0 || md_check_count(d) != 0)
		return (-1);
	/* npages < 2^33 and p <= 2^14: no overflow. */
	need = md->npages * p;
	if (md_section(d, md->off_pages, need, "page data"))
		return (-1);
	/*
	 * The kernel writes exactly the pages the bitmap counts, and the
	 * dump length (vmcore size, kerneldumpheader dumplength or the
	 * decompressed stream) is exactly that: more than a page of data
	 * after them means the header's sizes are wrong.
	 */
	end = md->off_pages + need;
	if (d->len - end > p)
		return (m2e_err_at(d, end, "%ju bytes after the last of the %ju "
		    "pages the bitmap counts (bitmapsize or pmapsize in the "
		    "header is wrong?)", (uintmax_t)(d->len - end),
		    (uintmax_t)md->npages));
	if (md_load_bitmap(d) != 0)
		return (-1);
	if (md->pmapsize != 0) {
		if ((md->pmap = malloc((size_t)md->pmapsize)) == NULL)
			return (m2e_err(d, "out of memory for a page-table "
			    "section of %ju bytes", (uintmax_t)md->pmapsize));
		if (m2e_read(d, md->pmap, (size_t)md->pmapsize, md->off_pmap,
		    "page-table section"))
			return (-1);
	}
	return (0);
}

void
m2e_md_free(md2elf_t *d)
{
	struct m2e_minidump *md;

	md = &d->md;
	free(md->bitmap);
	free(md->rank);
	free(md->avail);
	free(md->availbit);
	free(md->pmap);
	free(md->ra);
	md->ra = NULL;
	md->nra = 0;
	md->bitmap = md->rank = md->availbit = NULL;
	md->avail = NULL;
	md->pmap = NULL;
	md->navail = 0;
	md->nwords = md->nbits = md->npages = md->availbits = 0;
	md->counted = false;
}

/*
 * While a compressed dump is decompressed: its first have bytes are in
 * d's data, laid out by the architecture's init in layout mode.  Checks
 * what those bytes allow to be checked (dump_avail against the bitmap size
 * once the dump_avail section is in, the bitmap's count once the bitmap
 * is in) and sets *limit, the most dump data the header and these allow
 * (m2e_md_load() refuses more), and *next, the length at which to call
 * again (UINT64_MAX: no more to learn).
 */
int
m2e_md_limit(md2elf_t *d, uint64_t have, uint64_t *limit, uint64_t *next)
{
	struct m2e_minidump *md;
	uint64_t pages;

	md = &d->md;
	*next = UINT64_MAX;
	if (md->availsize != 0 && md->avail == NULL) {
		if (have < md->off_bitmap)
			*next = md->off_bitmap;
		else if (md_load_avail(d) != 0)
			return (-1);
	}
	if (!md->counted && *next == UINT64_MAX) {
		if (have < md->off_pmap)
			*next = md->off_pmap;
		else if (md_count_bitmap(d) != 0 || md_check_count(d) != 0)
			return (-1);
	}
	/* bitmapsize <= 2^30, availbits checked against it: no overflow. */
	pages = md->counted ? md->npages : md->bitmapsize * 8;
	if (md->avail != NULL && md->availbits < pages)
		pages = md->availbits;
	*limit = md->off_pages + pages * md->pagesize + md->pagesize;
	return (0);
}

/*
 * Bit number of pa's page.  Returns 0 and *left, the number of pages from
 * pa on whose bits follow consecutively (same range, below nbits); or -1
 * if pa's page has no bit, and *left, the number of pages to skip until
 * one has (UINT64_MAX: none).
 */
static int
md_locate(const struct m2e_minidump *md, uint64_t pa, uint64_t *bit,
    uint64_t *left)
{
	uint64_t pg, first, end;
	size_t lo, hi, mid;

	pg = pa >> md->pageshift;
	if (md->avail == NULL) {
		*bit = pg;
		*left = pg < md->nbits ? md->nbits - pg : UINT64_MAX;
		return (pg < md->nbits ? 0 : -1);
	}
	/* Last range whose first page is <= pg. */
	lo = 0;
	hi = md->navail;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if ((md->avail[mid].start >> md->pageshift) <= pg)
			lo = mid;
		else
			hi = mid;
	}
	/* A page shared with the previous range belongs to that one. */
	if (lo > 0 && pa < md->avail[lo - 1].end)
		lo--;
	first = md->avail[lo].start >> md->pageshift;
	if (pg < first) {
		*left = first - pg;
		return (-1);
	}
	if (pa >= md->avail[lo].end) {
		*left = lo + 1 < md->navail ?
		    (md->avail[lo + 1].start >> md->pageshift) - pg : UINT64_MAX;
		return (-1);
	}
	*bit = md->availbit[lo] + pg - first;
	if (*bit >= md->nbits) {
		*left = UINT64_MAX;
		return (-1);
	}
	end = first + md_npages(md, &md->avail[lo]);
	*left = end - pg;
	if (*left > md->nbits - *bit)
		*left = md->nbits - *bit;
	return (0);
}

static int
md_bit(const struct m2e_minidump *md, uint64_t pa, uint64_t *bit)
{
	uint64_t left;

	return (md_locate(md, pa, bit, &left));
}

static uint64_t
md_rank_of(const struct m2e_minidump *md, uint64_t bit)
{
	uint64_t w, b;

	w = bit >> 6;
	b = bit & 63;
	return (md->rank[w] + md_popcount(md->bitmap[w] &
	    ((1ULL << b) - 1)));
}

int
m2e_md_pa_rank(md2elf_t *d, uint64_t pa, uint64_t *rank)
{
	const struct m2e_minidump *md;
	uint64_t bit;

	if (d->full != NULL)
		return (m2e_full_pa_rank(d, pa, rank));
	md = &d->md;
	if (md->bitmap == NULL || md_bit(md, pa, &bit) != 0)
		return (-1);
	if ((md->bitmap[bit >> 6] & (1ULL << (bit & 63))) == 0)
		return (-1);
	*rank = md_rank_of(md, bit);
	return (0);
}

int
m2e_md_pa_off(md2elf_t *d, uint64_t pa, uint64_t *off)
{
	uint64_t rank;

	if (m2e_md_pa_rank(d, pa, &rank) != 0)
		return (-1);
	*off = d->md.off_pages + (rank << d->md.pageshift);
	return (0);
}

/* First bit in [b, lim) whose value is v, or lim. */
static uint64_t
md_next(const struct m2e_minidump *md, uint64_t b, uint64_t lim, int v)
{
	uint64_t w, x;

	while (b < lim) {
		w = md->bitmap[b >> 6];
		if (!v)
			w = ~w;
		x = w & (~0ULL << (b & 63));
		if (x != 0) {
			b = (b & ~63ULL) + (uint64_t)__builtin_ctzll(x);
			return (b < lim ? b : lim);
		}
		b = (b & ~63ULL) + 64;
	}
	return (lim);
}

/* Runs of set bits in [b0, b1); bit b0 is the page at pa0. */
static int
md_scan(const struct m2e_minidump *md, struct m2e_runs *r, uint64_t b0,
    uint64_t b1, uint64_t pa0)
{
	uint64_t b, e, pa;
	int rc;

	if (b1 > md->nbits)
		b1 = md->nbits;
	for (b = b0; b < b1; b = e) {
		b = md_next(md, b, b1, 1);
		if (b >= b1)
			break;
		e = md_next(md, b, b1, 0);
		pa = pa0 + ((b - b0) << md->pageshift);
		rc = m2e_runs_add(r, pa, pa, md_rank_of(md, b), e - b);
		if (rc != 0)
			return (rc);
	}
	return (0);
}

int
m2e_md_pa_runs(md2elf_t *d, uint64_t pa, uint64_t n, m2e_visit_fn *fn,
    void *arg)
{
	const struct m2e_minidump *md;
	struct m2e_runs r;
	uint64_t bit, left, k;
	int rc;

	if (d->full != NULL)
		return (m2e_full_pa_runs(d, pa, n, fn, arg));
	md = &d->md;
	if (md->bitmap == NULL)
		return (0);
	m2e_runs_init(&r, d, fn, arg);
	pa &= ~((uint64_t)md->pagesize - 1);
	/* Not past the end of the physical address space. */
	if (n > ((UINT64_MAX - pa) >> md->pageshift) + 1)
		n = ((UINT64_MAX - pa) >> md->pageshift) + 1;
	while (n > 0) {
		if (md_locate(md, pa, &bit, &left) != 0) {
			if (left >= n)
				break;
			pa += left << md->pageshift;
			n -= left;
			continue;
		}
		k = left < n ? left : n;
		if ((rc = md_scan(md, &r, bit, bit + k, pa)) != 0)
			return (rc);
		n -= k;
		if (n > 0)
			pa += k << md->pageshift;
	}
	return (m2e_runs_end(&r));
}

/*
 * The page data at page-section offset off is about to be read: the first
 * time in its cluster, have the kernel read the whole cluster meanwhile.
 */
static void
md_readaround(md2elf_t *d, uint64_t off)
{
#ifdef POSIX_FADV_WILLNEED
	struct m2e_minidump *md;
	uint64_t c, total;

	md = &d->md;
	if (md->ra_off)
		return;
	total = md->npages * md->pagesize;
	if (md->ra == NULL) {
		md->nra = (total + MD_RA_CLUSTER - 1) / MD_RA_CLUSTER;
		if ((md->ra = calloc((size_t)((md->nra + 63) / 64),
		    sizeof(*md->ra))) == NULL) {
			md->ra_off = true;
			return;
		}
	}
	c = off / MD_RA_CLUSTER;
	if (c >= md->nra || (md->ra[c / 64] & 1ULL << (c % 64)) != 0)
		return;
	md->ra[c / 64] |= 1ULL << (c % 64);
	(void)posix_fadvise(d->fd, (off_t)(d->base + md->off_pages +
	    c * MD_RA_CLUSTER), (off_t)(total - c * MD_RA_CLUSTER <
	    MD_RA_CLUSTER ? total - c * MD_RA_CLUSTER : MD_RA_CLUSTER),
	    POSIX_FADV_WILLNEED);
#else
	(void)d; (void)off;
#endif
}

int
m2e_read_pa(md2elf_t *d, uint64_t pa, void *buf, size_t len)
{
	uint8_t *p;
	uint64_t pgmask, off, noff, inpg, chunk;

	if (pa + len < pa)
		return (m2e_err(d, "physical address range %#jx+%#zx wraps",
		    (uintmax_t)pa, len));
	pgmask = d->md.pagesize - 1;
	p = buf;
	while (len > 0) {
		inpg = pa & pgmask;
		if (m2e_md_pa_off(d, pa - inpg, &off) != 0)
			return (m2e_err(d, "physical address %#jx is not in "
			    "the dump", (uintmax_t)pa));
		chunk = d->md.pagesize - inpg;
		/* Extend over pages that follow in the file. */
		while (chunk < len && m2e_md_pa_off(d, pa - inpg + chunk,
		    &noff) == 0 && noff == off + chunk)
			chunk += d->md.pagesize;
		if (chunk > len)
			chunk = len;
		if (off >= d->md.off_pages)
			md_readaround(d, off - d->md.off_pages);
		if (m2e_read(d, p, (size_t)chunk, off + inpg, "page data"))
			return (-1);
		p += chunk;
		pa += chunk;
		len -= (size_t)chunk;
	}
	return (0);
}

int
m2e_read_va(md2elf_t *d, uint64_t va, void *buf, size_t len)
{
	uint8_t *p;
	uint64_t pa, inpg, chunk, rank;

	if (d->arch == NULL)
		return (m2e_err(d, "no architecture"));
	if (va + len < va)
		return (m2e_err(d, "kernel address range %#jx+%#zx wraps",
		    (uintmax_t)va, len));
	p = buf;
	while (len > 0) {
		inpg = va & (d->md.pagesize - 1);
		chunk = d->md.pagesize - inpg;
		if (chunk > len)
			chunk = len;
		if (d->arch->kvtop(d, va, &pa) != 0)
			return (m2e_err(d, "kernel address %#jx is not mapped "
			    "in the dump", (uintmax_t)va));
		if (m2e_md_pa_rank(d, pa - inpg, &rank) != 0)
			return (m2e_err(d, "kernel address %#jx (physical "
			    "%#jx) is not in the dump", (uintmax_t)va,
			    (uintmax_t)pa));
		if (m2e_read_pa(d, pa, p, (size_t)chunk) != 0)
			return (-1);
		p += chunk;
		va += chunk;
		len -= (size_t)chunk;
	}
	return (0);
}

int
m2e_read_ptr(md2elf_t *d, uint64_t va, uint64_t *val)
{
	uint8_t b[8];

	if (d->arch != NULL && d->arch->ptrsize == 4) {
		if (m2e_read_va(d, va, b, 4) != 0)
			return (-1);
		*val = le32dec_(b);
		return (0);
	}
	if (m2e_read_va(d, va, b, 8) != 0)
		return (-1);
	*val = le64dec_(b);
	return (0);
}

int
m2e_read_u32(md2elf_t *d, uint64_t va, uint32_t *val)
{
	uint8_t b[4];

	if (m2e_read_va(d, va, b, 4) != 0)
		return (-1);
	*val = le32dec_(b);
	return (0);
}
