/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mkdump.c: the test suite's FreeBSD minidump generator.  Builds the memory
 * model (model.c, gen_<arch>.c, world.c) and writes, from it, a minidump
 * byte for byte as the kernel's minidumpsys() writes it (header page,
 * message buffer, dump_avail, bitmap, page-table section, pages in bitmap
 * order), optionally compressed and inside a dump container, plus the
 * matching kernel ELF (mkkernel.c) and the model file coreck reads.
 *
 * usage: mkdump [-Dv] [-a arch] [-V version] [-s seed] [-m ram_mib]
 *            [-T nthreads] [-F frag] [-c none|gzip|zstd]
 *            [-H none|lead|device] [-B blocksize] [-X hostile]...
 *            [-W hostile]... [-K variant]... [-k kernel] [-M model]
 *            [-o vmcore]
 *
 *   -a  architecture: amd64, i386, i386pae, arm64, arm64-16k
 *   -V  minidump version (amd64, arm64: 1-3; i386: 1-2; arm64-16k: 3)
 *   -s  seed (page contents, layout)    -m  RAM in MiB (>= 64)
 *   -T  threads in the world            -F  heap fragmentation 0..3
 *   -c  compression, as the kernel does (dumpon -z / -Z)
 *   -H  container: none (savecore's vmcore.N), lead (a kerneldumpheader
 *       block before the data), device (raw dump device image)
 *   -B  device block size (512)         -v  print facts as "key value"
 *   -D  dense: page contents that look like kernel memory (code, strings,
 *       structures, counters) and compress to a few percent; a realistic
 *       message buffer (dense.c); recorded in the model file
 *   -X  hostile dump variants (repeatable):
 *       magic, version=N, msgbufsize=N, bitmapsize=N, pmapsize=N,
 *       availsize=N (header fields); trunc=header|msgbuf|avail|bitmap|
 *       pmap|pages (cut the file inside that section; uncompressed);
 *       size=N (cut the file at N bytes); pde-undumped (v2/v3: a PDE
 *       to a page-table page not in the dump); kdh-parity, kdh-magic,
 *       kdh-version=N, kdh-disagree, kdh-length=N, kdh-extent=N;
 *       smalldev (compressed device image smaller than the dump);
 *       bigbitmap=N (a bitmap section of N bytes: the bits, then zeros);
 *       alias=N (amd64 v2, v3: N empty PDEs made copies of the first
 *       2 MiB-page PDE, aliasing its page N times)
 *   -W  hostile thread lists: proccycle, tdcycle, dangling, undumped,
 *       hugehash, longlist=N, widelist=N, stacks
 *   -K  kernel variants (repeatable): nooffsets (no proc_off_*,
 *       thread_off_*), nodumppcb (no dumppcb), stripped (no .symtab;
 *       global symbols in .dynsym), nokld (no kld_off_*), nodynamic (no
 *       .dynamic, hence no DT_DEBUG)
 *   -L  a module file (.ko) loaded into the model as the kernel linker
 *       loads it (modules.c); repeatable, in load order
 *   -W  also kldcycle, klddangling, kldstrings: hostile module lists
 *   -t  a textdump of the model instead (textdump.c): on a device
 *       (-H device) or as savecore saves it (-H none)
 *   -R  amd64: the kernel image loaded at physical address pa (2 MiB
 *       aligned) instead of va - KERNBASE, as 13.x+ loaders may load it
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dumpout.h"
#include "encrypt.h"
#include "fulldump.h"
#include "mkkernel.h"
#include "gen_common.h"
#include "textdump.h"
#include "world.h"
#include "model.h"
#include "modules.h"

#define	STAGE	(1024 * 1024)

struct hostile {
	int		 magic;
	int64_t		 version;
	int64_t		 msgbufsize, bitmapsize, pmapsize, availsize;
	const char	*trunc;
	uint64_t	 size;
	uint64_t	 bigbitmap;	/* bitmap section and field of this size */
	uint64_t	 alias;		/* amd64 v2+: PDEs copied over empty ones */
	int		 pde_undumped, smalldev;
	struct kdhinfo	 kdh;
	struct fullhostile full;	/* -f: the program headers */
	uint32_t	 keytrunc;	/* -E: key block cut to this size */
};

/* -E: the dump's encryption (NULL: none) and its key block size. */
static struct dumpcrypt *dcrypt;
static uint32_t keysize;

struct stage {
	struct dumpout	*o;
	uint8_t		*buf;
	size_t		 len;
};

static void
usage(void)
{
	fprintf(stderr, "usage: mkdump [-Dv] [-a arch] [-V version] [-s seed] "
	    "[-m ram_mib] [-T nthreads]\n"
	    "              [-F frag] [-c none|gzip|zstd] "
	    "[-H none|lead|device] [-B blocksize]\n"
	    "              [-X hostile]... [-W hostile]... [-K variant]... "
	    "[-k kernel]\n"
	    "              [-L module]... [-M model] [-R kernphys] [-t] "
	    "[-o vmcore]\n");
	exit(2);
}

static uint64_t
num(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || end == s) {
		fprintf(stderr, "mkdump: bad number %s\n", s);
		exit(2);
	}
	return (v);
}

static int
stage_put(struct stage *s, const void *p, size_t n)
{
	if (s->len + n > STAGE) {
		if (dumpout_write(s->o, s->buf, s->len) != 0)
			return (-1);
		s->len = 0;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	return (0);
}

static uint32_t
get32(const uint8_t *p)
{
	return ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24);
}

/* A RAM page above the kernel that is not in the dump. */
static uint64_t
undumped_page(const struct model *m)
{
	uint64_t pfn;

	for (pfn = model_kern_end(m) / GPAGE; pfn < m->npfn; pfn++)
		if ((m->pst[pfn] & (PS_RAM | PS_DUMP)) == PS_RAM)
			return (pfn * GPAGE);
	return (0);
}

struct layout {
	uint64_t	 hdr, msgbuf, avail, bitmap, pmap, pages, end;
	uint32_t	 msgbufsize, bitmapsize, pmapsize, availsize;
	uint64_t	 npages;
	/* -X pde-undumped: the PDE's offset and number, its va and page. */
	uint64_t	 hpde_off, hpde_n, hpde_va, hpde_pt;
};

static uint64_t
rnd(uint64_t x)
{
	return ((x + GPAGE - 1) & ~(GPAGE - 1));
}

/* Write the minidump stream; fills the layout. */
static int
write_minidump(const struct model *m, const struct hostile *h,
    struct dumpout *o, struct layout *l)
{
	struct stage st;
	uint8_t *page, *bitmap;
	uint64_t pfn, i, n, hpa, hpmap, bits, undumped, bmreal, aliases, psde;
	size_t k;
	int64_t bit;
	int hidx, rc;
	bool sparse;

	rc = -1;
	page = malloc(GPAGE);
	st.buf = malloc(STAGE);
	st.o = o;
	st.len = 0;
	bitmap = NULL;
	if (page == NULL || st.buf == NULL)
		goto out;
	sparse = model_sparse(m);
	hpmap = UINT64_MAX;
	hidx = 0;
	/* The header page. */
	memset(page, 0, GPAGE);
	m->arch->header(m, page);
	l->msgbufsize = get32(page + 28);
	l->bitmapsize = get32(page + 32);
	l->pmapsize = get32(page + 36);
	l->hpde_va = (uint64_t)get32(page + 40) |
	    (uint64_t)get32(page + 44) << 32;	/* amd64: kernbase */
	l->availsize = sparse ? get32(page + model_availsize_off(m)) : 0;
	if (h->magic)
		page[21] ^= 0x01;
	if (h->version >= 0)
		gen_put32(page + 24, (uint32_t)h->version);
	if (h->msgbufsize >= 0)
		gen_put32(page + 28, (uint32_t)h->msgbufsize);
	if (h->bitmapsize >= 0)
		gen_put32(page + 32, (uint32_t)h->bitmapsize);
	if (h->pmapsize >= 0)
		gen_put32(page + 36, (uint32_t)h->pmapsize);
	if (h->availsize >= 0)
		gen_put32(page + model_availsize_off(m), (uint32_t)h->availsize);
	bmreal = rnd(l->bitmapsize);
	if (h->bigbitmap > l->bitmapsize) {
		gen_put32(page + 32, (uint32_t)h->bigbitmap);
		l->bitmapsize = (uint32_t)h->bigbitmap;
	}
	l->hdr = 0;
	if (stage_put(&st, page, GPAGE) != 0)
		goto out;
	/* Message buffer: round_page(msg_size) bytes at msg_ptr. */
	l->msgbuf = GPAGE;
	for (i = 0; i < rnd(l->msgbufsize); i += GPAGE) {
		model_page(m, m->msgbuf_pa + i, page);
		if (stage_put(&st, page, GPAGE) != 0)
			goto out;
	}
	/* dump_avail (v3). */
	l->avail = l->msgbuf + rnd(l->msgbufsize);
	if (sparse) {
		memset(page, 0, GPAGE);
		for (i = 0; i < (uint64_t)m->navail * 2; i++)
			gen_put64(page + 8 * i, m->avail[i]);
		if (stage_put(&st, page, GPAGE) != 0)
			goto out;
	}
	/* The bitmap. */
	l->bitmap = l->avail + rnd(l->availsize);
	bits = model_bitmap_bits(m, sparse);
	bitmap = calloc(1, bmreal + 8);
	if (bitmap == NULL)
		goto out;
	l->npages = 0;
	for (pfn = 0; pfn < m->npfn; pfn++) {
		if ((m->pst[pfn] & PS_DUMP) == 0)
			continue;
		bit = model_pa_to_bit(m, pfn * GPAGE, sparse);
		if (bit < 0 || (uint64_t)bit >= bits ||
		    (uint64_t)bit / 8 >= bmreal)
			continue;
		bitmap[bit / 8] |= (uint8_t)(1 << (bit % 8));
		l->npages++;
	}
	/* -X bigbitmap: zeros after the model's bits. */
	memset(page, 0, GPAGE);
	for (i = 0; i < rnd(l->bitmapsize); i += GPAGE)
		if (stage_put(&st, i < bmreal ? bitmap + i : page, GPAGE) != 0)
			goto out;
	/* The page-table section. */
	l->pmap = l->bitmap + rnd(l->bitmapsize);
	if (h->pde_undumped && (m->arch->hostile == NULL ||
	    m->arch->hostile(m, 1, &hpa, &hpmap, &hidx) != 0)) {
		fprintf(stderr, "mkdump: pde-undumped not possible here\n");
		goto out;
	}
	undumped = undumped_page(m);
	if (h->pde_undumped) {
		l->hpde_n = hpmap * (GPAGE / 8) + (uint64_t)hidx;
		l->hpde_off = l->pmap + l->hpde_n * 8;
		l->hpde_va += l->hpde_n << 21;
		l->hpde_pt = undumped;
	}
	n = m->arch->pmap_size(m) / GPAGE;
	if (h->alias > 0 && (strcmp(m->arch->name, "amd64") != 0 ||
	    m->p.version < 2)) {
		fprintf(stderr, "mkdump: alias= needs amd64 v2 or v3\n");
		goto out;
	}
	aliases = h->alias;
	psde = 0;
	for (i = 0; i < n; i++) {
		m->arch->pmap_page(m, i, page);
		/* -X alias: valid (0x1) 2 MiB (PS, 0x80) PDE over empty ones. */
		for (k = 0; k < GPAGE && aliases > 0; k += 8) {
			if (psde == 0 && (get32(page + k) & 0x81) == 0x81)
				psde = (uint64_t)get32(page + k) |
				    (uint64_t)get32(page + k + 4) << 32;
			else if (psde != 0 && get32(page + k) == 0 &&
			    get32(page + k + 4) == 0) {
				gen_put64(page + k, psde);
				aliases--;
			}
		}
		if (h->pde_undumped && hpmap == i)
			gen_put64(page + 8 * hidx, undumped | 0x63);
		if (stage_put(&st, page, GPAGE) != 0)
			goto out;
	}
	/* The pages, in bitmap order (ascending physical address). */
	l->pages = l->pmap + n * GPAGE;
	for (pfn = 0; pfn < m->npfn; pfn++) {
		if ((m->pst[pfn] & PS_DUMP) == 0)
			continue;
		model_page(m, pfn * GPAGE, page);
		if (stage_put(&st, page, GPAGE) != 0)
			goto out;
	}
	l->end = l->pages + l->npages * GPAGE;
	if (st.len > 0 && dumpout_write(o, st.buf, st.len) != 0)
		goto out;
	rc = 0;
out:
	free(bitmap);
	free(page);
	free(st.buf);
	return (rc);
}

/* Length of the minidump stream, from its header. */
static uint64_t
dump_length(const struct model *m, const struct hostile *h)
{
	uint8_t page[GPAGE];
	uint64_t n;

	memset(page, 0, sizeof(page));
	m->arch->header(m, page);
	n = GPAGE + rnd(get32(page + 28));
	if (model_sparse(m))
		n += rnd(get32(page + model_availsize_off(m)));
	n += rnd(get32(page + 32) > h->bigbitmap ? get32(page + 32) :
	    h->bigbitmap) + rnd(m->arch->pmap_size(m));
	return (n + model_dumped_pages(m) * GPAGE);
}

/*
 * -E: encrypt what was written to out (data at dataoff, len bytes): the
 * key block before the data, or for a vmcore (no header) in out.key as
 * savecore's key.N.
 */
static int
encrypt_out(const struct hostile *h, const char *out, enum dcont cont,
    uint64_t dataoff, uint64_t len, char *err, size_t errlen)
{
	char kpath[1024];

	if (dcrypt == NULL)
		return (0);
	snprintf(kpath, sizeof(kpath), "%s.key", out);
	return (dumpcrypt_apply(dcrypt, out, dataoff - keysize, keysize,
	    cont == DK_NONE ? kpath : NULL, dataoff, len, h->keytrunc, err,
	    errlen));
}

/*
 * -f: the full dump (fulldump.c) in its container; trunc=header|pages and
 * size=N cut it; -v prints its facts.
 */
static int
write_full(const struct model *m, const struct hostile *h, const char *out,
    enum dcont cont, enum dcomp comp, uint32_t bsize, int verbose, char *err,
    size_t errlen)
{
	struct dumpout *o;
	uint64_t len, hdrsz, data, cut, stored, size, kr, dr, kp;

	len = fulldump_length(m);
	o = dumpout_open_key(out, cont, comp, bsize, len, 0, m->p.seed,
	    cont != DK_NONE ? keysize : 0, err, errlen);
	if (o == NULL)
		return (-1);
	if (fulldump_write(m, &h->full, o, bsize, &hdrsz) != 0) {
		snprintf(err, errlen, "%s: write error", out);
		return (-1);
	}
	cut = dumpout_dataoff(o);
	if (dumpout_close(o, &h->kdh, &stored, err, errlen) != 0 ||
	    encrypt_out(h, out, cont, cut, stored, err, errlen) != 0)
		return (-1);
	data = gen_roundup2(hdrsz, GPAGE);
	size = h->size;
	if (h->trunc != NULL) {
		if (comp != DC_NONE || (strcmp(h->trunc, "header") != 0 &&
		    strcmp(h->trunc, "pages") != 0)) {
			snprintf(err, errlen, "trunc=%s: header or pages of an "
			    "uncompressed full dump", h->trunc);
			return (-1);
		}
		size = cut + (strcmp(h->trunc, "header") == 0 ? hdrsz / 2 :
		    data + (len - data) / 2 + 123);
	}
	if (size != 0 && truncate(out, (off_t)size) != 0) {
		snprintf(err, errlen, "%s: %s", out, strerror(errno));
		return (-1);
	}
	if (verbose) {
		model_runs(m, &kr, &dr, &kp);
		printf("arch %s\nformat full\nseed %" PRIu64 "\nram_mib %"
		    PRIu64 "\npages %" PRIu64 "\ndumpsize %" PRIu64 "\n"
		    "data_offset %" PRIu64 "\ndata_length %" PRIu64 "\n"
		    "section_header 0 %" PRIu64 "\nsection_pages %" PRIu64
		    " %" PRIu64 "\nphnum %d\nkmap_runs %" PRIu64 "\n"
		    "dmap_runs %" PRIu64 "\nkmap_pages %" PRIu64 "\n"
		    "dumptime %" PRId64 "\nhostname %s\n", m->p.arch,
		    m->p.seed, m->p.ram_mib, model_dumped_pages(m), len, cut,
		    stored, data, data, len - data, m->navail, kr, dr, kp,
		    m->dumptime, m->hostname);
	}
	return (0);
}

static void
parse_hostile(struct hostile *h, const char *arg)
{
	const char *eq;
	size_t klen;

	eq = strchr(arg, '=');
	klen = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
#define	KEY(s)	(klen == strlen(s) && strncmp(arg, s, klen) == 0)
	if (KEY("magic"))
		h->magic = 1;
	else if (KEY("version") && eq)
		h->version = (int64_t)num(eq + 1);
	else if (KEY("msgbufsize") && eq)
		h->msgbufsize = (int64_t)num(eq + 1);
	else if (KEY("bigbitmap") && eq)
		h->bigbitmap = num(eq + 1);
	else if (KEY("alias") && eq)
		h->alias = num(eq + 1);
	else if (KEY("bitmapsize") && eq)
		h->bitmapsize = (int64_t)num(eq + 1);
	else if (KEY("pmapsize") && eq)
		h->pmapsize = (int64_t)num(eq + 1);
	else if (KEY("availsize") && eq)
		h->availsize = (int64_t)num(eq + 1);
	else if (KEY("trunc") && eq)
		h->trunc = eq + 1;
	else if (KEY("size") && eq)
		h->size = num(eq + 1);
	else if (KEY("pde-undumped"))
		h->pde_undumped = 1;
	else if (KEY("smalldev"))
		h->smalldev = 1;
	else if (KEY("kdh-parity"))
		h->kdh.bad_parity = 1;
	else if (KEY("kdh-magic"))
		h->kdh.bad_magic = 1;
	else if (KEY("kdh-disagree"))
		h->kdh.disagree = 1;
	else if (KEY("kdh-version") && eq)
		h->kdh.hdrversion = (uint32_t)num(eq + 1);
	else if (KEY("kdh-length") && eq)
		h->kdh.dumplength = num(eq + 1);
	else if (KEY("kdh-extent") && eq)
		h->kdh.dumpextent = num(eq + 1);
	else if (KEY("ph-num") && eq)
		h->full.phnum = (int)num(eq + 1);
	else if (KEY("ph-type"))
		h->full.phtype = 1;
	else if (KEY("ph-overlap"))
		h->full.phoverlap = 1;
	else if (KEY("ph-offset"))
		h->full.phoffset = 1;
	else if (KEY("ph-unaligned"))
		h->full.phunaligned = 1;
	else if (KEY("pt-outside"))
		h->full.ptoutside = 1;
	else if (KEY("kpml4-zero"))
		h->full.kpml4zero = 1;
	else if (KEY("key-trunc") && eq)
		h->keytrunc = (uint32_t)num(eq + 1);
	else {
		fprintf(stderr, "mkdump: unknown -X %s\n", arg);
		exit(2);
	}
#undef KEY
}

static void
parse_world(struct model_params *p, const char *arg)
{
	if (strcmp(arg, "proccycle") == 0)
		p->hostile |= WH_PROCCYCLE;
	else if (strcmp(arg, "tdcycle") == 0)
		p->hostile |= WH_TDCYCLE;
	else if (strcmp(arg, "dangling") == 0)
		p->hostile |= WH_DANGLING;
	else if (strcmp(arg, "undumped") == 0)
		p->hostile |= WH_UNDUMPED;
	else if (strcmp(arg, "hugehash") == 0)
		p->hostile |= WH_HUGEHASH;
	else if (strcmp(arg, "stacks") == 0)
		p->hostile |= WH_STACKS;
	else if (strncmp(arg, "longlist=", 9) == 0) {
		p->hostile |= WH_LONGLIST;
		p->longlist = num(arg + 9);
	} else if (strcmp(arg, "kldcycle") == 0)
		p->hostile |= WH_KLDCYCLE;
	else if (strcmp(arg, "klddangling") == 0)
		p->hostile |= WH_KLDDANGLING;
	else if (strcmp(arg, "kldstrings") == 0)
		p->hostile |= WH_KLDSTRINGS;
	else if (strncmp(arg, "widelist=", 9) == 0) {
		p->hostile |= WH_WIDELIST;
		p->longlist = num(arg + 9);
	} else {
		fprintf(stderr, "mkdump: unknown -W %s\n", arg);
		exit(2);
	}
}

int
main(int argc, char **argv)
{
	struct model_params p;
	struct hostile h;
	struct layout l;
	struct model *m;
	struct dumpout *o;
	const char *out, *kern, *mfile, *espec;
	enum dcomp comp;
	enum dcont cont;
	uint64_t stored, extent, cut;
	uint32_t bsize;
	char err[512];
	int ch, verbose, kflags, full, text;

	memset(&p, 0, sizeof(p));
	memset(&h, 0, sizeof(h));
	h.version = h.msgbufsize = h.bitmapsize = h.pmapsize = h.availsize = -1;
	h.full.phnum = -1;
	full = text = 0;
	p.arch = "amd64";
	p.version = 3;
	p.seed = 1;
	p.ram_mib = 128;
	p.nthreads = 16;
	p.frag = 1;
	out = kern = mfile = espec = NULL;
	comp = DC_NONE;
	cont = DK_NONE;
	bsize = 512;
	verbose = 0;
	kflags = 0;
	while ((ch = getopt(argc, argv, "a:B:c:DE:fF:H:K:k:L:M:m:o:R:s:tT:V:vW:X:")) !=
	    -1) {
		switch (ch) {
		case 'a':
			p.arch = optarg;
			break;
		case 'B':
			bsize = (uint32_t)num(optarg);
			if (bsize < 512 || (bsize & (bsize - 1)) != 0)
				usage();
			break;
		case 'c':
			if (strcmp(optarg, "none") == 0)
				comp = DC_NONE;
			else if (strcmp(optarg, "gzip") == 0)
				comp = DC_GZIP;
			else if (strcmp(optarg, "zstd") == 0)
				comp = DC_ZSTD;
			else
				usage();
			break;
		case 'D':
			p.dense = 1;
			break;
		case 'E':
			espec = optarg;
			break;
		case 'f':
			p.full = full = 1;
			break;
		case 't':
			text = 1;
			break;
		case 'F':
			p.frag = (int)num(optarg);
			break;
		case 'H':
			if (strcmp(optarg, "none") == 0)
				cont = DK_NONE;
			else if (strcmp(optarg, "lead") == 0)
				cont = DK_LEAD;
			else if (strcmp(optarg, "device") == 0)
				cont = DK_DEVICE;
			else
				usage();
			break;
		case 'K':
			if (strcmp(optarg, "nooffsets") == 0)
				kflags |= KV_NOOFFSETS;
			else if (strcmp(optarg, "stripped") == 0)
				kflags |= KV_STRIPPED;
			else if (strcmp(optarg, "nodumppcb") == 0)
				kflags |= KV_NODUMPPCB;
			else if (strcmp(optarg, "nokld") == 0)
				kflags |= KV_NOKLD;
			else if (strcmp(optarg, "nodynamic") == 0)
				kflags |= KV_NODYNAMIC;
			else
				usage();
			break;
		case 'k':
			kern = optarg;
			break;
		case 'L':
			if (p.nmodules == MODEL_MAXMODS) {
				fprintf(stderr, "mkdump: at most %d -L\n",
				    MODEL_MAXMODS);
				return (2);
			}
			p.modules[p.nmodules++] = optarg;
			break;
		case 'M':
			mfile = optarg;
			break;
		case 'm':
			p.ram_mib = num(optarg);
			break;
		case 'R':
			p.kernphys = num(optarg);
			break;
		case 'o':
			out = optarg;
			break;
		case 's':
			p.seed = num(optarg);
			break;
		case 'T':
			p.nthreads = (uint32_t)num(optarg);
			break;
		case 'V':
			p.version = (int)num(optarg);
			break;
		case 'v':
			verbose = 1;
			break;
		case 'W':
			parse_world(&p, optarg);
			break;
		case 'X':
			parse_hostile(&h, optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || (out == NULL && kern == NULL && mfile == NULL))
		usage();
	m = model_build(&p, err, sizeof(err));
	if (m == NULL) {
		fprintf(stderr, "mkdump: %s\n", err);
		return (1);
	}
	h.kdh.arch = m->arch->machine_arch;
	h.kdh.archver = m->arch->kdh_archver;
	h.kdh.dumptime = m->dumptime;
	h.kdh.hostname = m->hostname;
	h.kdh.version = m->version;
	h.kdh.panicstr = m->panicstr;
	if (espec != NULL) {
		if ((dcrypt = dumpcrypt_new(espec, p.seed, err,
		    sizeof(err))) == NULL)
			goto fail;
		/* kern_shutdown.c: compression only with ChaCha20. */
		if (dumpcrypt_is_aes(dcrypt) && comp != DC_NONE) {
			snprintf(err, sizeof(err), "AES-256-CBC with "
			    "compression: the kernel refuses it (dumpon -k "
			    "-Z needs ChaCha20)");
			goto fail;
		}
		keysize = dumpcrypt_keysize(dcrypt, cont == DK_NONE ? 512 :
		    bsize);
		if (cont != DK_NONE)
			h.kdh.keysize = keysize;
	}
	memset(&l, 0, sizeof(l));
	if (out != NULL && text) {
		if (write_textdump(m, &h.kdh, out, cont, verbose, err,
		    sizeof(err)) != 0)
			goto fail;
	} else if (out != NULL && full) {
		if (write_full(m, &h, out, cont, comp, bsize, verbose, err,
		    sizeof(err)) != 0)
			goto fail;
	} else if (out != NULL) {
		/* The uncompressed length, for the device extent. */
		l.end = dump_length(m, &h);
		extent = 0;
		if (h.smalldev && comp != DC_NONE) {
			o = dumpout_open(NULL, DK_NONE, comp, bsize, l.end, 0,
			    p.seed, err, sizeof(err));
			if (o == NULL || write_minidump(m, &h, o, &l) != 0 ||
			    dumpout_close(o, &h.kdh, &stored, err,
			    sizeof(err)) != 0)
				goto fail;
			/* Only a little more space than the compressed data. */
			extent = stored + 3 * bsize + 17;
		}
		o = dumpout_open_key(out, cont, comp, bsize, l.end, extent,
		    p.seed, cont != DK_NONE ? keysize : 0, err, sizeof(err));
		if (o == NULL)
			goto fail;
		if (write_minidump(m, &h, o, &l) != 0) {
			snprintf(err, sizeof(err), "%s: write error", out);
			goto fail;
		}
		cut = dumpout_dataoff(o);
		if (dumpout_close(o, &h.kdh, &stored, err, sizeof(err)) != 0 ||
		    encrypt_out(&h, out, cont, cut, stored, err,
		    sizeof(err)) != 0)
			goto fail;
		if (h.trunc != NULL) {
			uint64_t s, e;

			if (comp != DC_NONE) {
				fprintf(stderr, "mkdump: trunc= needs an "
				    "uncompressed dump\n");
				return (2);
			}
#define	SEC(n, a, b)	else if (strcmp(h.trunc, n) == 0) { s = a; e = b; }
			if (0) { s = e = 0; }
			SEC("header", l.hdr, l.msgbuf)
			SEC("msgbuf", l.msgbuf, l.avail)
			SEC("avail", l.avail, l.bitmap)
			SEC("bitmap", l.bitmap, l.pmap)
			SEC("pmap", l.pmap, l.pages)
			SEC("pages", l.pages, l.end)
			else {
				fprintf(stderr, "mkdump: unknown section %s\n",
				    h.trunc);
				return (2);
			}
#undef SEC
			if (e <= s) {
				fprintf(stderr, "mkdump: section %s is empty\n",
				    h.trunc);
				return (2);
			}
			h.size = cut + s + (e - s) / 2 + 123;
		}
		if (h.size != 0 && truncate(out, (off_t)h.size) != 0) {
			snprintf(err, sizeof(err), "%s: %s", out,
			    strerror(errno));
			goto fail;
		}
		if (verbose && (m->p.hostile & WH_STACKS)) {
			static const char *const sk[] = { "loop", "unmapped",
			    "undumped", "tfoff", "deep" };
			int k;

			for (k = 0; k < 5; k++)
				printf("stack_%s_tid %d\n", sk[k],
				    (int)world_stack_tid(m, k));
		}
		if (verbose) {
			uint64_t kr, dr, kp;

			model_runs(m, &kr, &dr, &kp);
			printf("arch %s\nversion %d\nseed %" PRIu64 "\n"
			    "ram_mib %" PRIu64 "\npages %" PRIu64 "\n"
			    "dumpsize %" PRIu64 "\ndata_offset %" PRIu64 "\n"
			    "data_length %" PRIu64 "\n"
			    "section_header %" PRIu64 " %" PRIu64 "\n"
			    "section_msgbuf %" PRIu64 " %" PRIu64 "\n"
			    "section_avail %" PRIu64 " %" PRIu64 "\n"
			    "section_bitmap %" PRIu64 " %" PRIu64 "\n"
			    "section_pmap %" PRIu64 " %" PRIu64 "\n"
			    "section_pages %" PRIu64 " %" PRIu64 "\n"
			    "msgbufsize %" PRIu32 "\nbitmapsize %" PRIu32 "\n"
			    "pmapsize %" PRIu32 "\navailsize %" PRIu32 "\n"
			    "kmap_runs %" PRIu64 "\ndmap_runs %" PRIu64 "\n"
			    "kmap_pages %" PRIu64 "\ndumptime %" PRId64 "\n"
			    "hostname %s\n",
			    p.arch, p.version, p.seed, p.ram_mib, l.npages,
			    l.end, cut, stored, l.hdr, l.msgbuf - l.hdr,
			    l.msgbuf, l.avail - l.msgbuf, l.avail,
			    l.bitmap - l.avail, l.bitmap, l.pmap - l.bitmap,
			    l.pmap, l.pages - l.pmap, l.pages, l.end - l.pages,
			    l.msgbufsize, l.bitmapsize, l.pmapsize,
			    l.availsize, kr, dr, kp, m->dumptime, m->hostname);
			modules_facts(m, stdout);
			if (h.pde_undumped)
				printf("pde_undumped_offset %" PRIu64 "\n"
				    "pde_undumped_index %" PRIu64 "\n"
				    "pde_undumped_va %#" PRIx64 "\n"
				    "pde_undumped_pt %#" PRIx64 "\n",
				    l.hpde_off, l.hpde_n, l.hpde_va, l.hpde_pt);
		}
	}
	if (kern != NULL && mkkernel_write(m, kern, kflags, err, sizeof(err)) != 0)
		goto fail;
	if (mfile != NULL && model_save(m, mfile) != 0) {
		snprintf(err, sizeof(err), "%s: %s", mfile, strerror(errno));
		goto fail;
	}
	model_free(m);
	dumpcrypt_free(dcrypt);
	return (0);
fail:
	fprintf(stderr, "mkdump: %s\n", err);
	model_free(m);
	dumpcrypt_free(dcrypt);
	return (1);
}
