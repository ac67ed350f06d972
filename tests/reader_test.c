/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * reader_test.c: unit tests of the dump reader's arithmetic: the
 * kerneldumpheader layouts (versions 1 to 4) and parity, and the minidump
 * page bitmap with its legacy and dump_avail (sparse) bit numbering, checked
 * against numbering computed here page by page.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <atf-c.h>

#include "md2elf_private.h"

#define	PG	4096ULL

static void
be32enc_t(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static void
be64enc_t(uint8_t *p, uint64_t v)
{
	be32enc_t(p, (uint32_t)(v >> 32));
	be32enc_t(p + 4, (uint32_t)v);
}

/* Make the XOR of the 128 words zero (parity at 508). */
static void
kdh_seal(uint8_t *h)
{
	uint8_t x[4] = { 0, 0, 0, 0 };
	int i;

	memset(h + 508, 0, 4);
	for (i = 0; i < 508; i++)
		x[i % 4] ^= h[i];
	memcpy(h + 508, x, 4);
}

static void
kdh_common(uint8_t *h, const char *magic, uint32_t version)
{
	memset(h, 0, KDH_SIZE);
	memcpy(h, magic, strlen(magic));
	memcpy(h + 20, "amd64", 5);
	be32enc_t(h + 32, version);
	be32enc_t(h + 36, 2);
	be64enc_t(h + 40, 0x123456789aULL);
}

ATF_TC_WITHOUT_HEAD(kdh_v4);
ATF_TC_BODY(kdh_v4, tc)
{
	uint8_t h[KDH_SIZE];
	struct md2elf_kdh k;
	char err[128];

	kdh_common(h, KDH_MAGIC, 4);
	be64enc_t(h + 48, 1700000000);
	be32enc_t(h + 56, 0);
	be32enc_t(h + 60, 4096);
	memcpy(h + 64, "host.example.org", 16);
	memcpy(h + 128, "FreeBSD 14.1-RELEASE\n", 21);
	memcpy(h + 320, "page fault", 10);
	h[495] = MD2ELF_COMP_ZSTD;
	be64enc_t(h + 496, 0x200000000ULL);
	kdh_seal(h);
	ATF_REQUIRE(m2e_kdh_parity_ok(h));
	ATF_REQUIRE_EQ(m2e_kdh_decode(h, &k, err, sizeof(err)), 0);
	ATF_CHECK_STREQ(k.magic, KDH_MAGIC);
	ATF_CHECK_STREQ(k.arch, "amd64");
	ATF_CHECK_EQ(k.version, 4);
	ATF_CHECK_EQ(k.archver, 2);
	ATF_CHECK_EQ(k.dumplength, 0x123456789aULL);
	ATF_CHECK_EQ(k.dumptime, 1700000000);
	ATF_CHECK_EQ(k.keysize, 0);
	ATF_CHECK_EQ(k.blocksize, 4096);
	ATF_CHECK_STREQ(k.hostname, "host.example.org");
	ATF_CHECK_STREQ(k.versionstring, "FreeBSD 14.1-RELEASE\n");
	ATF_CHECK_STREQ(k.panicstring, "page fault");
	ATF_CHECK_EQ(k.compression, MD2ELF_COMP_ZSTD);
	ATF_CHECK_EQ(k.dumpextent, 0x200000000ULL);
	/* Any single changed byte breaks the parity. */
	h[200] ^= 0x40;
	ATF_CHECK(!m2e_kdh_parity_ok(h));
	h[200] ^= 0x40;
	h[509] ^= 1;
	ATF_CHECK(!m2e_kdh_parity_ok(h));
}

ATF_TC_WITHOUT_HEAD(kdh_v1);
ATF_TC_BODY(kdh_v1, tc)
{
	uint8_t h[KDH_SIZE];
	struct md2elf_kdh k;
	char err[128];

	kdh_common(h, KDH_MAGIC, 1);
	be64enc_t(h + 48, 1234);
	be32enc_t(h + 56, 512);
	memcpy(h + 60, "oldhost", 7);
	memcpy(h + 124, "FreeBSD 10.3", 12);
	/* A panic string filling its whole 192-byte field, no NUL. */
	memset(h + 316, 'p', 192);
	kdh_seal(h);
	ATF_REQUIRE(m2e_kdh_parity_ok(h));
	ATF_REQUIRE_EQ(m2e_kdh_decode(h, &k, err, sizeof(err)), 0);
	ATF_CHECK_EQ(k.version, 1);
	ATF_CHECK_EQ(k.dumptime, 1234);
	ATF_CHECK_EQ(k.blocksize, 512);
	ATF_CHECK_EQ(k.keysize, 0);
	ATF_CHECK_EQ(k.compression, MD2ELF_COMP_NONE);
	ATF_CHECK_EQ(k.dumpextent, k.dumplength);
	ATF_CHECK_STREQ(k.hostname, "oldhost");
	ATF_CHECK_STREQ(k.versionstring, "FreeBSD 10.3");
	ATF_CHECK_EQ(strlen(k.panicstring), 192);
}

ATF_TC_WITHOUT_HEAD(kdh_v2_v3);
ATF_TC_BODY(kdh_v2_v3, tc)
{
	uint8_t h[KDH_SIZE];
	struct md2elf_kdh k;
	char err[128];

	kdh_common(h, KDH_MAGIC, 2);
	be64enc_t(h + 48, 77);
	be32enc_t(h + 56, 1024);
	be32enc_t(h + 60, 512);
	memcpy(h + 64, "v2host", 6);
	memcpy(h + 320, "v2 panic", 8);
	ATF_REQUIRE_EQ(m2e_kdh_decode(h, &k, err, sizeof(err)), 0);
	ATF_CHECK_EQ(k.dumptime, 77);
	ATF_CHECK_EQ(k.keysize, 1024);
	ATF_CHECK_EQ(k.blocksize, 512);
	ATF_CHECK_STREQ(k.hostname, "v2host");
	ATF_CHECK_STREQ(k.panicstring, "v2 panic");

	kdh_common(h, KDH_MAGIC, 3);
	be64enc_t(h + 48, 0x5000);
	be64enc_t(h + 56, 88);
	be32enc_t(h + 64, 0);
	be32enc_t(h + 68, 4096);
	h[72] = MD2ELF_COMP_GZIP;
	memcpy(h + 73, "v3host", 6);
	memcpy(h + 137, "FreeBSD 12.0-CURRENT", 20);
	memcpy(h + 329, "v3 panic", 8);
	ATF_REQUIRE_EQ(m2e_kdh_decode(h, &k, err, sizeof(err)), 0);
	ATF_CHECK_EQ(k.dumpextent, 0x5000);
	ATF_CHECK_EQ(k.dumptime, 88);
	ATF_CHECK_EQ(k.blocksize, 4096);
	ATF_CHECK_EQ(k.compression, MD2ELF_COMP_GZIP);
	ATF_CHECK_STREQ(k.hostname, "v3host");
	ATF_CHECK_STREQ(k.versionstring, "FreeBSD 12.0-CURRENT");
	ATF_CHECK_STREQ(k.panicstring, "v3 panic");
}

ATF_TC_WITHOUT_HEAD(kdh_bad);
ATF_TC_BODY(kdh_bad, tc)
{
	uint8_t h[KDH_SIZE];
	struct md2elf_kdh k;
	char err[128];

	kdh_common(h, KDH_MAGIC, 5);
	ATF_CHECK_EQ(m2e_kdh_decode(h, &k, err, sizeof(err)), -1);
	ATF_CHECK(strstr(err, "unknown kerneldumpheader version 5") != NULL);
	kdh_common(h, KDH_MAGIC, 0);
	ATF_CHECK_EQ(m2e_kdh_decode(h, &k, err, sizeof(err)), -1);
	kdh_common(h, "FreeBSD Kernel Dum", 4);
	ATF_CHECK_EQ(m2e_kdh_decode(h, &k, err, sizeof(err)), -1);
	ATF_CHECK(strstr(err, "magic") != NULL);
	kdh_common(h, KDH_MAGIC_TEXT, 4);
	ATF_CHECK_EQ(m2e_kdh_decode(h, &k, err, sizeof(err)), 0);
	ATF_CHECK_STREQ(k.magic, KDH_MAGIC_TEXT);
	kdh_common(h, KDH_MAGIC_CLEARED, 4);
	ATF_CHECK_EQ(m2e_kdh_decode(h, &k, err, sizeof(err)), 0);
	ATF_CHECK_STREQ(k.magic, KDH_MAGIC_CLEARED);
}

/*
 * A minidump's common sections in a file: header page (unused here),
 * message buffer, dump_avail, bitmap, empty page-table section and one page
 * per set bit whose first 8 bytes hold the page's physical address.
 */
struct layout {
	const struct m2e_range *avail;
	size_t		 navail;	/* 0: legacy numbering */
	uint64_t	 nbits;
	const uint64_t	*pas;		/* pages to dump, any order */
	size_t		 npas;
};

/* The bit of pa in the independent page-by-page numbering; -1 if none. */
static int64_t
ref_bit(const struct layout *l, uint64_t pa)
{
	uint64_t bit, p, first, end;
	size_t i;

	if (l->navail == 0)
		return (pa / PG < l->nbits ? (int64_t)(pa / PG) : -1);
	bit = 0;
	for (i = 0; i < l->navail; i++) {
		first = l->avail[i].start / PG;
		end = (l->avail[i].end + PG - 1) / PG;
		for (p = first; p < end; p++, bit++)
			if (p == pa / PG && pa < l->avail[i].end)
				return (bit < l->nbits ? (int64_t)bit : -1);
	}
	return (-1);
}

static md2elf_t *
make_dump(const struct layout *l)
{
	md2elf_t *d;
	uint8_t *bm, page[PG];
	uint64_t i, j, nset, bmsize, availsize;
	int64_t b;
	int fd;

	bmsize = (l->nbits + 7) / 8;
	availsize = l->navail != 0 ? PG : 0;
	bm = calloc(1, bmsize + PG);
	ATF_REQUIRE(bm != NULL);
	for (i = 0; i < l->npas; i++) {
		b = ref_bit(l, l->pas[i]);
		ATF_REQUIRE(b >= 0);
		bm[b / 8] |= 1 << (b % 8);
	}
	fd = open("dump", O_RDWR | O_CREAT | O_TRUNC, 0600);
	ATF_REQUIRE(fd >= 0);
	memset(page, 0, sizeof(page));
	ATF_REQUIRE(write(fd, page, PG) == PG);		/* header */
	ATF_REQUIRE(write(fd, page, PG) == PG);		/* msgbuf */
	if (availsize != 0) {
		for (i = 0; i < l->navail; i++) {
			le64enc_(page + i * 16, l->avail[i].start);
			le64enc_(page + i * 16 + 8, l->avail[i].end);
		}
		ATF_REQUIRE(write(fd, page, PG) == PG);
		memset(page, 0, sizeof(page));
	}
	ATF_REQUIRE(write(fd, bm, (bmsize + PG - 1) / PG * PG) ==
	    (ssize_t)((bmsize + PG - 1) / PG * PG));
	/* Pages in bit order. */
	nset = 0;
	for (j = 0; j < l->nbits; j++) {
		if ((bm[j / 8] & (1 << (j % 8))) == 0)
			continue;
		for (i = 0; i < l->npas; i++)
			if (ref_bit(l, l->pas[i]) == (int64_t)j)
				break;
		ATF_REQUIRE(i < l->npas);
		le64enc_(page, l->pas[i]);
		ATF_REQUIRE(write(fd, page, PG) == PG);
		nset++;
	}
	free(bm);
	d = calloc(1, sizeof(*d));
	ATF_REQUIRE(d != NULL);
	d->path = strdup("dump");
	d->fd = fd;
	d->len = (uint64_t)lseek(fd, 0, SEEK_END);
	d->md.pagesize = PG;
	d->md.pageshift = 12;
	d->md.msgbufsize = 100;
	d->md.availsize = availsize;
	d->md.bitmapsize = bmsize;
	d->md.pmapsize = 0;
	ATF_REQUIRE_EQ_MSG(m2e_md_load(d, l->navail != 0), 0, "%s", d->err);
	ATF_REQUIRE_EQ(d->md.npages, nset);
	return (d);
}

static void
free_dump(md2elf_t *d)
{
	m2e_md_free(d);
	close(d->fd);
	free(d->path);
	free(d);
}

struct runs_arg {
	md2elf_t	*d;
	uint64_t	 pages;
	uint64_t	 lastpa;
	uint64_t	 nruns;
	int		 bad;
};

/* Each run must ascend and match m2e_md_pa_rank() page by page. */
static int
runs_cb(void *arg, uint64_t va, uint64_t pa, uint64_t rank,
    uint64_t n)
{
	struct runs_arg *s = arg;
	uint64_t i, r;

	if (n == 0 || (s->nruns > 0 && pa < s->lastpa))
		s->bad++;
	for (i = 0; i < n; i++) {
		if (m2e_md_pa_rank(s->d, pa + i * PG, &r) != 0 ||
		    r != rank + i)
			s->bad++;
	}
	s->pages += n;
	s->lastpa = pa + n * PG;
	s->nruns++;
	return (0);
}

/* Check every page's rank and offset against the reference numbering. */
static void
check_dump(md2elf_t *d, const struct layout *l, uint64_t maxpa)
{
	struct runs_arg ra;
	uint64_t pa, rank, off, i, want;
	uint8_t b[8];
	int64_t bit;
	bool dumped;

	for (pa = 0; pa < maxpa; pa += PG) {
		dumped = false;
		for (i = 0; i < l->npas; i++)
			if (l->pas[i] == pa)
				dumped = true;
		if (!dumped) {
			ATF_CHECK_MSG(m2e_md_pa_rank(d, pa, &rank) != 0,
			    "pa %#jx should not be in the dump", (uintmax_t)pa);
			continue;
		}
		bit = ref_bit(l, pa);
		want = 0;
		for (i = 0; i < l->npas; i++)
			if (ref_bit(l, l->pas[i]) < bit)
				want++;
		ATF_REQUIRE_MSG(m2e_md_pa_rank(d, pa, &rank) == 0,
		    "pa %#jx should be in the dump", (uintmax_t)pa);
		ATF_CHECK_EQ_MSG(rank, want, "pa %#jx rank %ju want %ju",
		    (uintmax_t)pa, (uintmax_t)rank, (uintmax_t)want);
		ATF_REQUIRE(m2e_md_pa_off(d, pa, &off) == 0);
		ATF_REQUIRE(m2e_read(d, b, 8, off, "page") == 0);
		ATF_CHECK_EQ(le64dec_(b), pa);
		ATF_REQUIRE(m2e_read_pa(d, pa + 3, b, 5) == 0);
	}
	memset(&ra, 0, sizeof(ra));
	ra.d = d;
	ATF_REQUIRE_EQ(m2e_md_pa_runs(d, 0, UINT64_MAX, runs_cb, &ra), 0);
	ATF_CHECK_EQ(ra.bad, 0);
	ATF_CHECK_EQ(ra.pages, l->npas);
	/* The same through windows of 3 pages, below maxpa. */
	memset(&ra, 0, sizeof(ra));
	ra.d = d;
	for (pa = 0; pa < maxpa; pa += 3 * PG)
		ATF_REQUIRE_EQ(m2e_md_pa_runs(d, pa, 3, runs_cb, &ra), 0);
	ATF_CHECK_EQ(ra.bad, 0);
	for (want = 0, i = 0; i < l->npas; i++)
		if (l->pas[i] < (maxpa + 3 * PG - 1) / (3 * PG) * (3 * PG))
			want++;
	ATF_CHECK_EQ(ra.pages, want);
}

ATF_TC_WITHOUT_HEAD(bitmap_legacy);
ATF_TC_BODY(bitmap_legacy, tc)
{
	/* Bits across word boundaries: 0, 63, 64, 65, 127..130, 200. */
	static const uint64_t pas[] = {
		0, 63 * PG, 64 * PG, 65 * PG, 127 * PG, 128 * PG, 129 * PG,
		130 * PG, 200 * PG
	};
	struct layout l = { NULL, 0, 203, pas, sizeof(pas) / sizeof(pas[0]) };
	struct runs_arg ra;
	md2elf_t *d;
	uint8_t b[1];

	d = make_dump(&l);
	ATF_CHECK_EQ(d->md.nbits, 208);	/* 26 bytes */
	check_dump(d, &l, 260 * PG);
	/* Runs: {0}, {63..65}, {127..130}, {200}. */
	memset(&ra, 0, sizeof(ra));
	ra.d = d;
	ATF_REQUIRE_EQ(m2e_md_pa_runs(d, 0, UINT64_MAX, runs_cb, &ra), 0);
	ATF_CHECK_EQ(ra.nruns, 4);
	/* Beyond the bitmap, and a page that is not dumped. */
	ATF_CHECK(m2e_read_pa(d, 1 * PG, b, 1) != 0);
	ATF_CHECK(strstr(d->err, "physical address 0x1000 is not in the "
	    "dump") != NULL);
	free_dump(d);
}

ATF_TC_WITHOUT_HEAD(bitmap_dump_avail);
ATF_TC_BODY(bitmap_dump_avail, tc)
{
	static const struct m2e_range avail[] = {
		{ 0x1000, 0x9f000 },		/* bits 0..157 */
		{ 0x100000, 0x180000 },		/* bits 158..285 */
		{ 0x180000, 0x181000 },		/* adjacent: 286 */
		{ 0x40000000, 0x40010000 },	/* far away: 287..302 */
	};
	static const uint64_t pas[] = {
		0x1000, 0x2000, 0x9e000, 0x100000, 0x101000, 0x17f000,
		0x180000, 0x40000000, 0x4000f000
	};
	struct layout l = { avail, 4, 303, pas, sizeof(pas) / sizeof(pas[0]) };
	struct runs_arg ra;
	uint64_t rank;
	md2elf_t *d;

	d = make_dump(&l);
	ATF_CHECK_EQ(d->md.navail, 4);
	check_dump(d, &l, 0x200000);
	ATF_CHECK(m2e_md_pa_rank(d, 0x40000000, &rank) == 0);
	ATF_CHECK_EQ(rank, 7);
	ATF_CHECK(m2e_md_pa_rank(d, 0x4000f000, &rank) == 0);
	ATF_CHECK_EQ(rank, 8);
	/* Gaps and beyond. */
	ATF_CHECK(m2e_md_pa_rank(d, 0, &rank) != 0);
	ATF_CHECK(m2e_md_pa_rank(d, 0x9f000, &rank) != 0);
	ATF_CHECK(m2e_md_pa_rank(d, 0x40010000, &rank) != 0);
	ATF_CHECK(m2e_md_pa_rank(d, ~0ULL & ~(PG - 1), &rank) != 0);
	/* 0x17f000, 0x180000 are one run across two ranges. */
	memset(&ra, 0, sizeof(ra));
	ra.d = d;
	ATF_REQUIRE_EQ(m2e_md_pa_runs(d, 0, UINT64_MAX, runs_cb, &ra), 0);
	ATF_CHECK_EQ(ra.nruns, 6);
	free_dump(d);
}

ATF_TC_WITHOUT_HEAD(bitmap_dump_avail_unaligned);
ATF_TC_BODY(bitmap_dump_avail_unaligned, tc)
{
	/* Page 0x2000 is in both ranges: two bits, the first one wins. */
	static const struct m2e_range avail[] = {
		{ 0x1000, 0x2800 },		/* bits 0, 1 */
		{ 0x2800, 0x5000 },		/* bits 2 (0x2000), 3, 4 */
	};
	static const uint64_t pas[] = { 0x1000, 0x2000, 0x3000, 0x4000 };
	struct layout l = { avail, 2, 64, pas, sizeof(pas) / sizeof(pas[0]) };
	uint64_t rank;
	md2elf_t *d;

	d = make_dump(&l);
	check_dump(d, &l, 0x8000);
	ATF_CHECK(m2e_md_pa_rank(d, 0x3000, &rank) == 0);
	ATF_CHECK_EQ(rank, 2);
	free_dump(d);
}

ATF_TC_WITHOUT_HEAD(dump_avail_bad);
ATF_TC_BODY(dump_avail_bad, tc)
{
	static const struct m2e_range inverted[] = {
		{ 0x1000, 0x9f000 }, { 0x200000, 0x100000 },
	};
	static const struct m2e_range unordered[] = {
		{ 0x100000, 0x200000 }, { 0x1000, 0x9f000 },
	};
	struct layout l = { inverted, 2, 64, NULL, 0 };
	md2elf_t *d;
	uint8_t page[PG];
	int fd, i;

	for (i = 0; i < 2; i++) {
		l.avail = i == 0 ? inverted : unordered;
		fd = open("dump", O_RDWR | O_CREAT | O_TRUNC, 0600);
		ATF_REQUIRE(fd >= 0);
		memset(page, 0, sizeof(page));
		ATF_REQUIRE(write(fd, page, PG) == PG);
		ATF_REQUIRE(write(fd, page, PG) == PG);
		le64enc_(page, l.avail[0].start);
		le64enc_(page + 8, l.avail[0].end);
		le64enc_(page + 16, l.avail[1].start);
		le64enc_(page + 24, l.avail[1].end);
		ATF_REQUIRE(write(fd, page, PG) == PG);
		memset(page, 0, sizeof(page));
		ATF_REQUIRE(write(fd, page, PG) == PG);
		d = calloc(1, sizeof(*d));
		d->path = strdup("dump");
		d->fd = fd;
		d->len = 4 * PG;
		d->md.pagesize = PG;
		d->md.pageshift = 12;
		d->md.msgbufsize = 100;
		d->md.availsize = PG;
		d->md.bitmapsize = 8;
		ATF_CHECK_EQ(m2e_md_load(d, true), -1);
		ATF_CHECK_MSG(strstr(d->err, i == 0 ? "inverted" :
		    "out of order") != NULL, "%s", d->err);
		ATF_CHECK(strstr(d->err, "dump: offset 0x2010: dump_avail "
		    "range 1") != NULL);
		free_dump(d);
	}
}

ATF_TC_WITHOUT_HEAD(sections_truncated);
ATF_TC_BODY(sections_truncated, tc)
{
	static const uint64_t pas[] = { 0, PG, 5 * PG };
	struct layout l = { NULL, 0, 64, pas, 3 };
	md2elf_t *d;
	uint64_t len;

	d = make_dump(&l);
	len = d->len;
	m2e_md_free(d);
	/* One byte short of the last page. */
	d->len = len - 1;
	ATF_CHECK_EQ(m2e_md_load(d, false), -1);
	ATF_CHECK_MSG(strstr(d->err, "truncated page data (need 24576 "
	    "bytes, file has 24575)") != NULL, "%s", d->err);
	m2e_md_free(d);
	/* Inside the bitmap. */
	d->len = 2 * PG + 10;
	ATF_CHECK_EQ(m2e_md_load(d, false), -1);
	ATF_CHECK_MSG(strstr(d->err, "offset 0x2000: truncated page bitmap")
	    != NULL, "%s", d->err);
	m2e_md_free(d);
	/* An absurd bitmap size is refused before any allocation. */
	d->len = len;
	d->md.bitmapsize = 0xfffffff8ULL;
	ATF_CHECK_EQ(m2e_md_load(d, false), -1);
	ATF_CHECK_MSG(strstr(d->err, "exceeds the limit") != NULL, "%s",
	    d->err);
	free_dump(d);
}

ATF_TC_WITHOUT_HEAD(amd64_regs);
ATF_TC_BODY(amd64_regs, tc)
{
	const struct m2e_arch *a = &m2e_arch_amd64;
	uint8_t pcb[320], greg[M2E_MAXGREG], lg[M2E_MAXGREG];
	struct m2e_frame f;
	md2elf_t *d;
	size_t i;

	ATF_REQUIRE_EQ(a->gregsz, 176);
	ATF_REQUIRE_EQ(a->fpregsz, 512);
	ATF_REQUIRE_EQ(a->linux_gregsz, 216);
	d = calloc(1, sizeof(*d));
	ATF_REQUIRE(d != NULL);
	/* pcb: r15, r14, r13, r12, rbp, rsp, rbx, rip at 0..56. */
	for (i = 0; i < sizeof(pcb) / 8; i++)
		le64enc_(pcb + i * 8, 0x1111111111111111ULL * (i + 1));
	memset(greg, 0xee, sizeof(greg));
	ATF_REQUIRE_EQ(a->pcb_regs(d, pcb, sizeof(pcb), 1400097, greg, &f),
	    0);
	ATF_CHECK_EQ(le64dec_(greg + 0), 0x1111111111111111ULL);   /* r15 */
	ATF_CHECK_EQ(le64dec_(greg + 8), 0x2222222222222222ULL);   /* r14 */
	ATF_CHECK_EQ(le64dec_(greg + 16), 0x3333333333333333ULL);  /* r13 */
	ATF_CHECK_EQ(le64dec_(greg + 24), 0x4444444444444444ULL);  /* r12 */
	ATF_CHECK_EQ(le64dec_(greg + 80), 0x5555555555555555ULL);  /* rbp */
	ATF_CHECK_EQ(le64dec_(greg + 160), 0x6666666666666666ULL); /* rsp */
	ATF_CHECK_EQ(le64dec_(greg + 88), 0x7777777777777777ULL);  /* rbx */
	ATF_CHECK_EQ(le64dec_(greg + 136), 0x8888888888888888ULL); /* rip */
	ATF_CHECK_EQ(le64dec_(greg + 144), 0x20);		/* cs */
	ATF_CHECK_EQ(le64dec_(greg + 152), 0x202);		/* rflags */
	ATF_CHECK_EQ(le64dec_(greg + 168), 0x28);		/* ss */
	ATF_CHECK_EQ(le64dec_(greg + 112), 0);			/* rax */
	ATF_CHECK_EQ(le32dec_(greg + 120), 0);			/* trapno */
	ATF_CHECK_EQ(f.pc, 0x8888888888888888ULL);
	ATF_CHECK_EQ(f.sp, 0x6666666666666666ULL);
	ATF_CHECK_EQ(f.fp, 0x5555555555555555ULL);
	/* Too short a pcb is an error, not a read past the end. */
	ATF_CHECK_EQ(a->pcb_regs(d, pcb, 63, 1400097, greg, &f), -1);

	a->linux_regs(greg, lg);
	ATF_CHECK_EQ(le64dec_(lg + 0 * 8), 0x1111111111111111ULL);  /* r15 */
	ATF_CHECK_EQ(le64dec_(lg + 3 * 8), 0x4444444444444444ULL);  /* r12 */
	ATF_CHECK_EQ(le64dec_(lg + 4 * 8), 0x5555555555555555ULL);  /* rbp */
	ATF_CHECK_EQ(le64dec_(lg + 5 * 8), 0x7777777777777777ULL);  /* rbx */
	ATF_CHECK_EQ(le64dec_(lg + 16 * 8), 0x8888888888888888ULL); /* rip */
	ATF_CHECK_EQ(le64dec_(lg + 17 * 8), 0x20);		   /* cs */
	ATF_CHECK_EQ(le64dec_(lg + 18 * 8), 0x202);		   /* eflags */
	ATF_CHECK_EQ(le64dec_(lg + 19 * 8), 0x6666666666666666ULL); /* rsp */
	ATF_CHECK_EQ(le64dec_(lg + 20 * 8), 0x28);		   /* ss */
	ATF_CHECK_EQ(le64dec_(lg + 10 * 8), 0);			   /* rax */
	ATF_CHECK_EQ(le64dec_(lg + 21 * 8), 0);			   /* fs_base */
	free(d);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, kdh_v4);
	ATF_TP_ADD_TC(tp, kdh_v1);
	ATF_TP_ADD_TC(tp, kdh_v2_v3);
	ATF_TP_ADD_TC(tp, kdh_bad);
	ATF_TP_ADD_TC(tp, bitmap_legacy);
	ATF_TP_ADD_TC(tp, bitmap_dump_avail);
	ATF_TP_ADD_TC(tp, bitmap_dump_avail_unaligned);
	ATF_TP_ADD_TC(tp, dump_avail_bad);
	ATF_TP_ADD_TC(tp, sections_truncated);
	ATF_TP_ADD_TC(tp, amd64_regs);
	return (atf_no_error());
}
