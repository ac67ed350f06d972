/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * fulldump.c: mkdump's full dumps, written as sys/kern/kern_dump.c's
 * dumpsys_generic() writes them: an ELF header (the machine's class, LSB,
 * EV_CURRENT in e_ident only, OS ABI ELFOSABI_STANDALONE, ET_CORE,
 * e_phoff = the header's size, e_shentsize set, no sections), one PT_LOAD
 * per dump_avail pair (PF_R, p_vaddr = p_paddr = the chunk's start, which
 * an ELFCLASS32 header cuts to 32 bits, p_align = page), all through the
 * dumper's block buffer (a partial last block goes out whole, its tail
 * still holding the previous block's bytes), zeros from there to the page
 * boundary, then every chunk's pages in order.
 */
#include <stdlib.h>
#include <string.h>

#include "dumpout.h"
#include "fulldump.h"
#include "gen_common.h"

#define	EM_386_		3
#define	EM_X86_64_	62
#define	EM_AARCH64_	183
#define	PT_LOAD_	1
#define	PT_NOTE_	4
#define	PF_R_		4
#define	STAGE		(256 * 1024)
#define	A64_OUTSIDE_SLOT 300		/* va 0xffff960000000000: unused */
#define	A64_OUTSIDE_PA	0x7ff0000000ULL	/* 512 GiB: beyond the model's RAM */

struct blockbuf {
	struct dumpout	*o;
	uint8_t		*buf;
	uint32_t	 bsize, frag;
};

static bool
c64(const struct model *m)
{
	return (m->arch->ptrsize == 8);
}

static uint64_t
hdr_size(const struct model *m)
{
	return (c64(m) ? 64 + (uint64_t)m->navail * 56 :
	    52 + (uint64_t)m->navail * 32);
}

uint64_t
fulldump_length(const struct model *m)
{
	uint64_t n;
	int i;

	n = gen_roundup2(hdr_size(m), GPAGE);
	for (i = 0; i < m->navail; i++)
		n += m->avail[2 * i + 1] - m->avail[2 * i];
	return (n);
}

/* dumpsys_buf_write(): whole blocks only. */
static int
bb_write(struct blockbuf *b, const uint8_t *p, size_t n)
{
	size_t len;

	while (n > 0) {
		len = b->bsize - b->frag;
		if (len > n)
			len = n;
		memcpy(b->buf + b->frag, p, len);
		b->frag += (uint32_t)len;
		p += len;
		n -= len;
		if (b->frag == b->bsize) {
			if (dumpout_write(b->o, b->buf, b->bsize) != 0)
				return (-1);
			b->frag = 0;
		}
	}
	return (0);
}

/* dumpsys_buf_flush(): the whole buffer, stale tail included. */
static int
bb_flush(struct blockbuf *b)
{
	if (b->frag == 0)
		return (0);
	b->frag = 0;
	return (dumpout_write(b->o, b->buf, b->bsize));
}

static unsigned
machine(const struct model *m)
{
	if (strcmp(m->arch->machine_arch, "amd64") == 0)
		return (EM_X86_64_);
	if (strcmp(m->arch->machine_arch, "i386") == 0)
		return (EM_386_);
	return (EM_AARCH64_);
}

static void
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
ehdr(const struct model *m, const struct fullhostile *h, uint8_t *e,
    size_t *len)
{
	unsigned phnum;

	phnum = h->phnum >= 0 ? (unsigned)h->phnum : (unsigned)m->navail;
	memset(e, 0, 64);
	memcpy(e, "\177ELF", 4);
	e[4] = c64(m) ? 2 : 1;		/* EI_CLASS */
	e[5] = 1;			/* ELFDATA2LSB */
	e[6] = 1;			/* EI_VERSION: EV_CURRENT */
	e[7] = 255;			/* ELFOSABI_STANDALONE */
	put16(e + 16, 4);		/* ET_CORE */
	put16(e + 18, machine(m));
	/* e_version stays 0: dumpsys_generic() does not set it. */
	if (c64(m)) {
		gen_put64(e + 32, 64);	/* e_phoff */
		put16(e + 52, 64);	/* e_ehsize */
		put16(e + 54, 56);	/* e_phentsize */
		put16(e + 56, phnum);
		put16(e + 58, 64);	/* e_shentsize */
		*len = 64;
	} else {
		gen_put32(e + 28, 52);
		put16(e + 40, 52);
		put16(e + 42, 32);
		put16(e + 44, phnum);
		put16(e + 46, 40);
		*len = 52;
	}
}

static void
phdr(const struct model *m, uint8_t *p, uint32_t type, uint64_t off,
    uint64_t pa, uint64_t size, size_t *len)
{
	if (c64(m)) {
		memset(p, 0, 56);
		gen_put32(p, type);
		gen_put32(p + 4, PF_R_);
		gen_put64(p + 8, off);
		gen_put64(p + 16, pa);
		gen_put64(p + 24, pa);
		gen_put64(p + 32, size);
		gen_put64(p + 40, size);
		gen_put64(p + 48, GPAGE);
		*len = 56;
	} else {
		memset(p, 0, 32);
		gen_put32(p, type);
		gen_put32(p + 4, (uint32_t)off);
		gen_put32(p + 8, (uint32_t)pa);
		gen_put32(p + 12, (uint32_t)pa);
		gen_put32(p + 16, (uint32_t)size);
		gen_put32(p + 20, (uint32_t)size);
		gen_put32(p + 24, PF_R_);
		gen_put32(p + 28, (uint32_t)GPAGE);
		*len = 32;
	}
}

/* -X kpml4-zero: the 8 bytes of KPML4phys, if in the page at pa. */
static void
kpml4_zero(const struct model *m, uint64_t pa, uint8_t *page)
{
	const struct gsym *s;
	uint64_t spa;

	if ((s = model_sym(m, "KPML4phys")) == NULL ||
	    model_kvtop(m, s->va, &spa) != 0 || spa - pa >= GPAGE)
		return;
	memset(page + (spa - pa), 0, 8);
}

int
fulldump_write(const struct model *m, const struct fullhostile *h,
    struct dumpout *o, uint32_t blocksize, uint64_t *hdrsz)
{
	struct blockbuf b;
	uint8_t hdr[64], *stage;
	uint64_t fileofs, pa, s, e, hs, gap, off;
	size_t len, n;
	int i, rc;

	rc = -1;
	hs = hdr_size(m);
	*hdrsz = hs;
	fileofs = gen_roundup2(hs, GPAGE);
	if (blocksize > GPAGE)
		return (-1);
	b.o = o;
	b.bsize = blocksize;
	b.frag = 0;
	b.buf = calloc(1, blocksize);
	stage = malloc(STAGE);
	if (b.buf == NULL || stage == NULL)
		goto out;
	ehdr(m, h, hdr, &len);
	if (bb_write(&b, hdr, len) != 0)
		goto out;
	off = fileofs;
	for (i = 0; i < m->navail; i++) {
		s = m->avail[2 * i];
		e = m->avail[2 * i + 1];
		pa = s;
		if (i == 1 && h->phoverlap)
			pa = m->avail[1] - GPAGE;
		phdr(m, hdr, i == 1 && h->phtype ? PT_NOTE_ : PT_LOAD_,
		    off + (i == 1 && h->phoffset ? GPAGE : 0), pa,
		    e - s - (i == 0 && h->phunaligned ? 0x800 : 0), &len);
		if (bb_write(&b, hdr, len) != 0)
			goto out;
		off += e - s;
	}
	if (bb_flush(&b) != 0)
		goto out;
	/* dumpsys_buf_seek(): zeros up to the page-aligned data. */
	memset(stage, 0, STAGE);
	gap = fileofs - gen_roundup2(hs, blocksize);
	if (dumpout_write(o, stage, (size_t)gap) != 0)
		goto out;
	n = 0;
	for (i = 0; i < m->navail; i++)
		for (pa = m->avail[2 * i]; pa < m->avail[2 * i + 1];
		    pa += GPAGE) {
			model_page(m, pa, stage + n);
			if (h->kpml4zero && c64(m))
				kpml4_zero(m, pa, stage + n);
			if (h->ptoutside && pa == m->kpml4 && c64(m))
				gen_put64(stage + n + A64_OUTSIDE_SLOT * 8,
				    A64_OUTSIDE_PA | 0x3);
			n += GPAGE;
			if (n == STAGE) {
				if (dumpout_write(o, stage, n) != 0)
					goto out;
				n = 0;
			}
		}
	if (n > 0 && dumpout_write(o, stage, n) != 0)
		goto out;
	rc = 0;
out:
	free(b.buf);
	free(stage);
	return (rc);
}
