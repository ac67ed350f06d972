/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * model.c: the architecture-independent part of the test generator's memory
 * model: parameters and the model file, the physical layout (dump_avail
 * ranges with holes), the page allocator, page contents (PRNG keyed by seed
 * and physical address, zero pages, page-table pages, world pages, byte
 * patches), the kernel map bookkeeping, the message buffer, the kernel
 * version string and the dump bitmap numbering.  The process/thread world
 * lives in world.c, page tables in gen_<arch>.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dense.h"
#include "model.h"
#include "modules.h"
#include "world.h"

#define	MIB		(1024ULL * 1024)
#define	GIB		(1024ULL * MIB)
#define	KERNPHYS_ALIGN	0x200000ULL	/* amd64 loaders: 2 MiB pages */
#define	HIGH_SIZE	(8 * MIB)	/* RAM only reached by a 1 GiB page */
#define	MSGBUF_REGION	0x18000ULL	/* 96 KiB, msgbufsize default */
#define	MSGBUF_HDR	72		/* sizeof(struct msgbuf) on LP64 */

uint64_t	 gen_pagesize = 4096;

static void
seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

const struct gen_arch *
gen_arch_find(const char *name)
{
	static const struct gen_arch *const arches[] = { &gen_arch_amd64,
	    &gen_arch_i386, &gen_arch_i386pae, &gen_arch_arm64,
	    &gen_arch_arm64_16k };
	size_t i;

	for (i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (strcmp(name, arches[i]->name) == 0)
			return (arches[i]);
	return (NULL);
}

uint64_t
model_hash(uint64_t seed, uint64_t x)
{
	uint64_t z;

	z = seed * 0x9e3779b97f4a7c15ULL + x * 0xd1b54a32d192ed03ULL +
	    0x632be59bd9b4e019ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31));
}

/* Fill n 64-bit words from a splitmix64 stream started at s. */
static void
prng_fill(uint64_t s, uint64_t *w, size_t n)
{
	uint64_t z;
	size_t i;

	for (i = 0; i < n; i++) {
		s += 0x9e3779b97f4a7c15ULL;
		z = s;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		w[i] = z ^ (z >> 31);
	}
}

static void
le64put(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Physical layout: dump_avail ranges with holes and a high range. */
static int
layout_phys(struct model *m, char *err, size_t errlen)
{
	uint64_t ram, main, a, b, top, h, pb;
	int n;

	ram = m->p.ram_mib * MIB;
	if (m->p.ram_mib < 64 || m->p.ram_mib > 64 * 1024) {
		seterr(err, errlen, "RAM size %" PRIu64 " MiB out of range "
		    "(64 .. 65536)", m->p.ram_mib);
		return (-1);
	}
	n = 0;
	pb = m->arch->phys_base;
	m->avail[n++] = (pb + 0x1000 + GPAGE - 1) & ~(GPAGE - 1);
	m->avail[n++] = (pb + 0x9f000) & ~(GPAGE - 1);
	main = ram - 0x9e000 - 0x100000 - HIGH_SIZE;
	if (ram <= 3 * GIB) {
		/* Two ranges below 4 GiB with an odd-sized hole. */
		a = pb + 0x100000 + ((main * 5 / 8) & ~(GPAGE - 1));
		m->avail[n++] = pb + 0x100000;
		m->avail[n++] = a;
		b = (a + 0x7f5000 + GPAGE - 1) & ~(GPAGE - 1);
		top = (b + (main - (a - pb - 0x100000))) & ~(GPAGE - 1);
		m->avail[n++] = b;
		m->avail[n++] = top;
	} else {
		/* Below the PCI hole, and above 4 GiB. */
		a = 0xbfef0000ULL;
		m->avail[n++] = 0x100000;
		m->avail[n++] = a;
		top = 4 * GIB + (main - (a - 0x100000));
		m->avail[n++] = 4 * GIB;
		m->avail[n++] = top;
	}
	m->msgbuf_pa = top - MSGBUF_REGION;
	/* A small range far above, mapped by the 1 GiB page. */
	h = ((top + GIB - 1) & ~(GIB - 1)) + GIB;
	if (h < m->arch->high_min)
		h = m->arch->high_min;
	m->avail[n++] = h;
	m->avail[n++] = h + HIGH_SIZE;
	m->avail[n] = m->avail[n + 1] = 0;
	m->navail = n / 2;
	m->npfn = (h + HIGH_SIZE) / GPAGE;
	m->pst = calloc(m->npfn, 1);
	if (m->pst == NULL) {
		seterr(err, errlen, "out of memory");
		return (-1);
	}
	return (0);
}

uint64_t
model_high_base(const struct model *m)
{
	return (m->avail[2 * (m->navail - 1)]);
}

uint64_t
model_dmap_va(const struct model *m, uint64_t pa)
{
	return (m->arch->dmapbase + pa - m->arch->dmapphys);
}

int
model_dmap_pa(const struct model *m, uint64_t va, uint64_t *pa)
{
	const struct gen_arch *a = m->arch;

	if (a->dmapend == 0 || va < a->dmapbase || va >= a->dmapend)
		return (-1);
	*pa = va - a->dmapbase + a->dmapphys;
	return (0);
}

bool
model_sparse(const struct model *m)
{
	return (m->p.version >= (m->arch->sparse_minver != 0 ?
	    m->arch->sparse_minver : 3));
}

uint32_t
model_availsize_off(const struct model *m)
{
	return (m->arch->availsize_off != 0 ? m->arch->availsize_off : 64);
}

static int
ram_pages(struct model *m)
{
	uint64_t pfn;
	int i;

	for (i = 0; i < m->navail; i++)
		for (pfn = m->avail[2 * i] / GPAGE;
		    pfn < (m->avail[2 * i + 1] + GPAGE - 1) / GPAGE; pfn++)
			m->pst[pfn] |= PS_RAM;
	return (0);
}

/* The free list: RAM pages above the kernel, shuffled by the seed. */
static int
make_freelist(struct model *m, uint64_t lowest, char *err, size_t errlen)
{
	uint64_t pfn, high, i, j, t, n;

	high = model_high_base(m) / GPAGE;
	n = 0;
	for (pfn = lowest / GPAGE; pfn < high; pfn++)
		if ((m->pst[pfn] & (PS_RAM | PS_USED)) == PS_RAM)
			n++;
	m->freelist = malloc(n * sizeof(*m->freelist) + 1);
	if (m->freelist == NULL) {
		seterr(err, errlen, "out of memory");
		return (-1);
	}
	n = 0;
	for (pfn = lowest / GPAGE; pfn < high; pfn++)
		if ((m->pst[pfn] & (PS_RAM | PS_USED)) == PS_RAM)
			m->freelist[n++] = (uint32_t)pfn;
	for (i = n; i > 1; i--) {
		j = model_hash(m->p.seed ^ 0x5eed, i) % i;
		t = m->freelist[i - 1];
		m->freelist[i - 1] = m->freelist[j];
		m->freelist[j] = (uint32_t)t;
	}
	m->nfree = n;
	m->freepos = 0;
	return (0);
}

void
model_setstate(struct model *m, uint64_t pa, uint64_t npages, int flags)
{
	uint64_t pfn;

	for (pfn = pa / GPAGE; pfn < pa / GPAGE + npages && pfn < m->npfn;
	    pfn++)
		m->pst[pfn] |= (uint8_t)flags;
}

static bool
run_free(const struct model *m, uint64_t pfn, uint64_t n)
{
	uint64_t i;

	if (pfn + n > m->npfn)
		return (false);
	for (i = 0; i < n; i++)
		if ((m->pst[pfn + i] & (PS_RAM | PS_USED)) != PS_RAM)
			return (false);
	return (true);
}

/*
 * Allocate npages physically contiguous free pages (in shuffled order, so
 * consecutive allocations are scattered); returns the physical address or
 * UINT64_MAX when memory is exhausted.
 */
uint64_t
model_alloc(struct model *m, uint64_t npages, int flags)
{
	uint64_t pfn;

	while (m->freepos < m->nfree) {
		pfn = m->freelist[m->freepos++];
		if (!run_free(m, pfn, npages))
			continue;
		model_setstate(m, pfn * GPAGE, npages, PS_USED | flags);
		return (pfn * GPAGE);
	}
	return (UINT64_MAX);
}

int
model_map(struct model *m, uint64_t va, uint64_t pa, uint64_t npages,
    int kind)
{
	struct kmap *k;

	if (m->nmap == m->mapcap) {
		m->mapcap = m->mapcap ? m->mapcap * 2 : 1024;
		k = realloc(m->map, m->mapcap * sizeof(*k));
		if (k == NULL)
			return (-1);
		m->map = k;
	}
	k = &m->map[m->nmap];
	/* Extend the previous run when contiguous in both spaces. */
	if (m->nmap > 0) {
		k = &m->map[m->nmap - 1];
		if (k->kind == kind && k->va + k->npages * GPAGE == va &&
		    k->pa + k->npages * GPAGE == pa) {
			k->npages += npages;
			return (0);
		}
		k++;
	}
	k->va = va;
	k->pa = pa;
	k->npages = npages;
	k->kind = kind;
	m->nmap++;
	return (0);
}

/* Page-table pages: an open-addressing index from pfn to m->pt slot. */
struct ptindex {
	uint64_t	*key;	/* pfn + 1, 0 = empty */
	uint32_t	*val;
	size_t		 size;
};

static size_t
pti_slot(const struct ptindex *x, uint64_t pfn)
{
	size_t i;

	i = model_hash(0, pfn) & (x->size - 1);
	while (x->key[i] != 0 && x->key[i] != pfn + 1)
		i = (i + 1) & (x->size - 1);
	return (i);
}

static int
pti_grow(struct model *m)
{
	struct ptindex *x, nx;
	size_t i, s;

	x = m->ptindex;
	nx.size = x->size ? x->size * 2 : 1024;
	nx.key = calloc(nx.size, sizeof(*nx.key));
	nx.val = calloc(nx.size, sizeof(*nx.val));
	if (nx.key == NULL || nx.val == NULL) {
		free(nx.key);
		free(nx.val);
		return (-1);
	}
	for (i = 0; i < x->size; i++) {
		if (x->key[i] == 0)
			continue;
		s = pti_slot(&nx, x->key[i] - 1);
		nx.key[s] = x->key[i];
		nx.val[s] = x->val[i];
	}
	free(x->key);
	free(x->val);
	*x = nx;
	return (0);
}

const struct ptpage *
model_ptfind(const struct model *m, uint64_t pa)
{
	const struct ptindex *x;
	size_t s;

	x = m->ptindex;
	if (x->size == 0)
		return (NULL);
	s = pti_slot(x, pa / GPAGE);
	if (x->key[s] == 0)
		return (NULL);
	return (&m->pt[x->val[s]]);
}

/* The page-table page at pa, created (zeroed, PS_PT) if needed. */
struct ptpage *
model_ptpage(struct model *m, uint64_t pa)
{
	struct ptindex *x;
	struct ptpage *p;
	size_t s;

	x = m->ptindex;
	if (x->size == 0 || (m->npt + 1) * 2 > x->size)
		if (pti_grow(m) != 0)
			return (NULL);
	s = pti_slot(x, pa / GPAGE);
	if (x->key[s] != 0)
		return (&m->pt[x->val[s]]);
	if (m->npt == m->ptcap) {
		m->ptcap = m->ptcap ? m->ptcap * 2 : 64;
		p = realloc(m->pt, m->ptcap * sizeof(*p));
		if (p == NULL)
			return (NULL);
		m->pt = p;
	}
	p = &m->pt[m->npt];
	memset(p, 0, sizeof(*p));
	p->pa = pa;
	x->key[s] = pa / GPAGE + 1;
	x->val[s] = (uint32_t)m->npt++;
	model_setstate(m, pa, 1, PS_USED | PS_PT);
	return (p);
}

int
model_patch(struct model *m, uint64_t pa, const void *data, size_t len)
{
	struct patch *p;
	uint8_t *a;

	if (len == 0)
		return (0);
	if (m->npatches == m->patchcap) {
		m->patchcap = m->patchcap ? m->patchcap * 2 : 256;
		p = realloc(m->patches, m->patchcap * sizeof(*p));
		if (p == NULL)
			return (-1);
		m->patches = p;
	}
	while (m->arenalen + len > m->arenacap) {
		m->arenacap = m->arenacap ? m->arenacap * 2 : 65536;
		a = realloc(m->arena, m->arenacap);
		if (a == NULL)
			return (-1);
		m->arena = a;
	}
	memcpy(m->arena + m->arenalen, data, len);
	p = &m->patches[m->npatches++];
	p->pa = pa;
	p->len = (uint32_t)len;
	p->off = (uint32_t)m->arenalen;
	m->arenalen += len;
	return (0);
}

/* Kernel image VA to PA (the image is mapped linearly from kernphys). */
uint64_t
model_kva_to_pa(const struct model *m, uint64_t va)
{
	return (va - m->arch->kern_pa_off + m->p.kernphys);
}

uint64_t
model_kern_end(const struct model *m)
{
	return (m->p.kernphys + m->arch->kern_end_pa);
}

/*
 * Patch bytes at a kernel virtual address: the kernel image (linear), the
 * direct map, or (after the kernel map is sorted) any mapped page.
 */
int
model_patch_va(struct model *m, uint64_t va, const void *data, size_t len)
{
	const struct gen_arch *a = m->arch;
	uint64_t pa, n;

	while (len > 0) {
		n = GPAGE - (va & (GPAGE - 1));
		if (n > len)
			n = len;
		if (model_dmap_pa(m, va, &pa) == 0)
			;
		else if (va >= a->sec_start[SEC_NOTE] &&
		    va < a->kern_pa_off + a->kern_end_pa)
			pa = model_kva_to_pa(m, va);
		else if (model_kvtop(m, va, &pa) != 0)
			return (-1);
		if (model_patch(m, pa, data, n) != 0)
			return (-1);
		va += n;
		data = (const uint8_t *)data + n;
		len -= n;
	}
	return (0);
}

int
model_addsym(struct model *m, const char *name, uint64_t va, uint64_t size,
    int type, enum gsec sec)
{
	struct gsym *s;

	if (m->nsyms == m->symcap) {
		m->symcap = m->symcap ? m->symcap * 2 : 256;
		s = realloc(m->syms, m->symcap * sizeof(*s));
		if (s == NULL)
			return (-1);
		m->syms = s;
	}
	s = &m->syms[m->nsyms++];
	s->name = name;
	s->va = va;
	s->size = size;
	s->type = type;
	s->global = 1;
	s->sec = sec;
	return (0);
}

const struct gsym *
model_sym(const struct model *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nsyms; i++)
		if (strcmp(m->syms[i].name, name) == 0)
			return (&m->syms[i]);
	return (NULL);
}

static int
patch_cmp(const void *a, const void *b)
{
	const struct patch *x = a, *y = b;

	if (x->pa != y->pa)
		return (x->pa < y->pa ? -1 : 1);
	return (0);
}

static int
kmap_cmp(const void *a, const void *b)
{
	const struct kmap *x = a, *y = b;

	if (x->va != y->va)
		return (x->va < y->va ? -1 : 1);
	return (0);
}

int
model_kvtop(const struct model *m, uint64_t va, uint64_t *pa)
{
	size_t lo, hi, mid;
	const struct kmap *k;

	lo = 0;
	hi = m->nmap;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		k = &m->map[mid];
		if (va < k->va)
			hi = mid;
		else if (va >= k->va + k->npages * GPAGE)
			lo = mid + 1;
		else {
			*pa = k->pa + (va - k->va);
			return (0);
		}
	}
	return (-1);
}

static bool
dumpable(const struct model *m, uint64_t pfn)
{
	return (pfn < m->npfn &&
	    (m->pst[pfn] & (PS_RAM | PS_NODUMP)) == PS_RAM);
}

/*
 * What the kernel's minidump code adds to the dump bitmap: every dumpable
 * page mapped by the kernel page tables (and, v2/v3, the last-level
 * page-table pages), plus the pages the kernel added explicitly.
 */
static void
mark_dumped(struct model *m)
{
	const struct kmap *k;
	uint64_t pfn, i;
	size_t j;

	/* A full dump (kern_dump.c) writes every dump_avail page. */
	if (m->p.full) {
		for (pfn = 0; pfn < m->npfn; pfn++)
			if (m->pst[pfn] & PS_RAM)
				m->pst[pfn] |= PS_DUMP;
		return;
	}
	for (j = 0; j < m->nmap; j++) {
		k = &m->map[j];
		for (i = 0; i < k->npages; i++) {
			pfn = k->pa / GPAGE + i;
			if (dumpable(m, pfn))
				m->pst[pfn] |= PS_DUMP;
		}
	}
	for (pfn = 0; pfn < m->npfn; pfn++)
		if ((m->pst[pfn] & PS_EXPLICIT) && dumpable(m, pfn))
			m->pst[pfn] |= PS_DUMP;
}

bool
model_dumped(const struct model *m, uint64_t pa)
{
	uint64_t pfn = pa / GPAGE;

	return (pfn < m->npfn && (m->pst[pfn] & PS_DUMP) != 0);
}

uint64_t
model_dumped_pages(const struct model *m)
{
	uint64_t pfn, n;

	n = 0;
	for (pfn = 0; pfn < m->npfn; pfn++)
		if (m->pst[pfn] & PS_DUMP)
			n++;
	return (n);
}

/* Bits of the dump bitmap: sparse (dump_avail) or legacy (pfn) numbering. */
uint64_t
model_bitmap_bits(const struct model *m, bool sparse)
{
	uint64_t n, last;
	int i;

	n = last = 0;
	for (i = 0; i < m->navail; i++) {
		n += (m->avail[2 * i + 1] + GPAGE - 1) / GPAGE -
		    m->avail[2 * i] / GPAGE;
		if (m->avail[2 * i + 1] > last)
			last = m->avail[2 * i + 1];
	}
	return (sparse ? n : last / GPAGE);
}

int64_t
model_pa_to_bit(const struct model *m, uint64_t pa, bool sparse)
{
	uint64_t adj;
	int i;

	if (!sparse)
		return ((int64_t)(pa / GPAGE));
	adj = 0;
	for (i = 0; i < m->navail; i++) {
		if (pa >= m->avail[2 * i] && pa < m->avail[2 * i + 1])
			return ((int64_t)(adj + pa / GPAGE -
			    m->avail[2 * i] / GPAGE));
		adj += (m->avail[2 * i + 1] + GPAGE - 1) / GPAGE -
		    m->avail[2 * i] / GPAGE;
	}
	return (-1);
}

/* Base content class of a page (by hash): zero, half zero, last byte. */
void
model_page(const struct model *m, uint64_t pa, uint8_t *buf)
{
	const struct ptpage *pt;
	const struct patch *p;
	uint64_t pfn, h, s, e;
	size_t lo, hi, mid;
	uint8_t st;
	int c, i;

	pfn = pa / GPAGE;
	st = pfn < m->npfn ? m->pst[pfn] : 0;
	if (st & PS_PT) {
		pt = model_ptfind(m, pa);
		for (i = 0; i < 512; i++)
			le64put(buf + 8 * i, pt != NULL ? pt->e[i] : 0);
	} else if (st & PS_WORLD) {
		world_page(m, pa, buf);
	} else if (st & PS_ZERO) {
		memset(buf, 0, GPAGE);
	} else {
		h = model_hash(m->p.seed, pfn);
		c = (int)(h & 15);
		/* -D: the kernel image's text and data have no zero pages. */
		if (m->p.dense && dense_image(m, pa))
			c = 15;
		if (c < 4)
			memset(buf, 0, GPAGE);
		else if (c == 4) {
			memset(buf, 0, GPAGE / 2);
			if (m->p.dense)
				dense_fill(m, pa, h, buf, GPAGE / 2);
			else
				prng_fill(h, (uint64_t *)(void *)(buf +
				    GPAGE / 2), GPAGE / 16);
		} else if (c == 5) {
			memset(buf, 0, GPAGE);
			buf[GPAGE - 1] = (uint8_t)(1 + ((h >> 8) & 0xfe));
		} else if (m->p.dense)
			dense_fill(m, pa, h, buf, 0);
		else
			prng_fill(h, (uint64_t *)(void *)buf, GPAGE / 8);
	}
	/* Patches: first one ending after pa. */
	lo = 0;
	hi = m->npatches;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (m->patches[mid].pa + m->patches[mid].len <= pa)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < m->npatches; lo++) {
		p = &m->patches[lo];
		if (p->pa >= pa + GPAGE)
			break;
		s = p->pa > pa ? p->pa : pa;
		e = p->pa + p->len < pa + GPAGE ? p->pa + p->len : pa + GPAGE;
		memcpy(buf + (s - pa), m->arena + p->off + (s - p->pa),
		    e - s);
	}
}

void
model_read_pa(const struct model *m, uint64_t pa, void *buf, size_t len)
{
	uint8_t page[GPAGE];
	uint8_t *b = buf;
	uint64_t n, o;

	while (len > 0) {
		o = pa & (GPAGE - 1);
		n = GPAGE - o;
		if (n > len)
			n = len;
		model_page(m, pa - o, page);
		memcpy(b, page + o, n);
		b += n;
		pa += n;
		len -= n;
	}
}

/* Expected runs: kernel map (va and pa contiguous, dumped), direct map. */
void
model_runs(const struct model *m, uint64_t *kruns, uint64_t *druns,
    uint64_t *kpages)
{
	uint64_t pva, ppa, va, pa, i, n, np;
	bool prev;
	size_t j;

	n = np = 0;
	prev = false;
	pva = ppa = 0;
	for (j = 0; j < m->nmap; j++) {
		for (i = 0; i < m->map[j].npages; i++) {
			va = m->map[j].va + i * GPAGE;
			pa = m->map[j].pa + i * GPAGE;
			if (!model_dumped(m, pa)) {
				prev = false;
				continue;
			}
			np++;
			if (!(prev && va == pva + GPAGE && pa == ppa + GPAGE))
				n++;
			prev = true;
			pva = va;
			ppa = pa;
		}
	}
	*kruns = n;
	*kpages = np;
	n = 0;
	prev = false;
	if (m->arch->dmapend != 0)
		for (i = 0; i < m->npfn; i++) {
			if (m->pst[i] & PS_DUMP) {
				if (!prev)
					n++;
				prev = true;
			} else
				prev = false;
		}
	*druns = n;
}

/* The message buffer region: allocated before anything else. */
static void
reserve_msgbuf(struct model *m)
{
	m->msg_size = (uint32_t)(MSGBUF_REGION - MSGBUF_HDR);
	model_setstate(m, m->msgbuf_pa, MSGBUF_REGION / GPAGE,
	    PS_USED | PS_EXPLICIT);
}

/*
 * The message buffer: boot messages written into the ring until it wraps,
 * then the panic; struct msgbuf sits at the end of the region.  A -D model
 * writes whole lines of a realistic log (dense.c), after the world is
 * built and the dump decided.
 */
static int
make_msgbuf(struct model *m)
{
	uint8_t *ring, hdr[MSGBUF_HDR];
	uint64_t seq, total, i, dmap;
	uint32_t cksum, size, wseq, rseq;
	char line[256], *panic;
	size_t n;

	size = m->msg_size;
	ring = calloc(1, size);
	panic = malloc(4096);
	if (ring == NULL || panic == NULL) {
		free(ring);
		free(panic);
		return (-1);
	}
	seq = 0;
	total = size + size / 3;	/* wraps once */
	for (i = 0; seq < total; i++) {
		if (m->p.dense) {
			n = dense_msgline(m, i, line, sizeof(line));
			if (seq + n > total)
				break;
		} else if (i == 0)
			n = (size_t)snprintf(line, sizeof(line),
			    "---<<BOOT>>---\n%s", m->version);
		else
			n = (size_t)snprintf(line, sizeof(line), "md2elf model "
			    "line %" PRIu64 " seed %" PRIu64 " hash %016" PRIx64
			    "\n", i, m->p.seed, model_hash(m->p.seed, i));
		for (size_t k = 0; k < n && seq < total; k++, seq++)
			ring[seq % size] = (uint8_t)line[k];
	}
	if (m->p.dense)
		n = dense_panic(m, panic, 4096);
	else
		n = (size_t)snprintf(panic, 4096, "panic: %s\ncpuid = 0\n"
		    "time = %" PRId64 "\n", m->panicstr, m->dumptime);
	for (size_t k = 0; k < n; k++, seq++)
		ring[seq % size] = (uint8_t)panic[k];
	free(panic);
	cksum = 0;
	for (i = 0; i < size; i++)
		cksum += ring[i];
	wseq = (uint32_t)(seq % ((uint64_t)size * 16));
	rseq = wseq - (uint32_t)n;
	dmap = model_dmap_va(m, m->msgbuf_pa);
	memset(hdr, 0, sizeof(hdr));
	if (m->arch->ptrsize == 4) {
		/* ILP32: msg_ptr is 4 bytes, the u_ints follow. */
		le64put(hdr + 0, dmap | 0x063062ULL << 32);
		le64put(hdr + 8, size | (uint64_t)wseq << 32);
		le64put(hdr + 16, rseq | (uint64_t)cksum << 32);
		le64put(hdr + 24, (size * 16) | 6ULL << 32);
	} else {
	le64put(hdr + 0, dmap);				/* msg_ptr */
	le64put(hdr + 8, 0x063062 | (uint64_t)size << 32); /* magic, size */
	le64put(hdr + 16, wseq | (uint64_t)rseq << 32);
	le64put(hdr + 24, cksum | (uint64_t)(size * 16) << 32);
	le64put(hdr + 32, 6);				/* lastpri, flags */
	}
	if (model_patch(m, m->msgbuf_pa, ring, size) != 0 ||
	    model_patch(m, m->msgbuf_pa + size, hdr, sizeof(hdr)) != 0) {
		free(ring);
		return (-1);
	}
	free(ring);
	return (0);
}

uint64_t
model_msgbufp(const struct model *m)
{
	return (model_dmap_va(m, m->msgbuf_pa) + m->msg_size);
}

/* Direct-map-only kernel pages (UMA): dumped, not in the kernel map. */
static void
make_uma(struct model *m)
{
	uint64_t n, i, pa;

	/* 10% of the free pages; 35% at the highest fragmentation. */
	n = m->p.frag >= 3 ? m->nfree * 35 / 100 : m->nfree / 10;
	for (i = 0; i < n; i++) {
		pa = model_alloc(m, 1, PS_EXPLICIT);
		if (pa == UINT64_MAX)
			break;
	}
	/* A few PG_NODUMP pages that the kernel asked to add anyway. */
	for (i = 0; i < 16; i++) {
		pa = model_alloc(m, 1, PS_EXPLICIT | PS_NODUMP);
		if (pa == UINT64_MAX)
			break;
	}
}

static void
make_strings(struct model *m)
{
	static const char *const hosts[] = { "build01.example.org",
	    "db-7.prod.example.net", "fw0", "freebsd-test" };
	uint64_t h;
	int i;

	h = model_hash(m->p.seed, 0x7e57);
	m->dumptime = 1700000000 + (int64_t)(h % 50000000);
	snprintf(m->version, sizeof(m->version), "FreeBSD 13.2-RELEASE "
	    "releng/13.2-n254617-525ecfdad597 GENERIC (md2elf model seed %"
	    PRIu64 ")\n", m->p.seed);
	snprintf(m->hostname, sizeof(m->hostname), "%s",
	    hosts[h % (sizeof(hosts) / sizeof(hosts[0]))]);
	if (m->p.dense)
		snprintf(m->panicstr, sizeof(m->panicstr), "page fault while "
		    "in kernel mode");
	else
		snprintf(m->panicstr, sizeof(m->panicstr), "page fault while "
		    "in kernel mode (model %" PRIu64 ")", m->p.seed);
	for (i = 0; i < 20; i++)
		m->buildid[i] = (uint8_t)(model_hash(m->p.seed, 0xb1d + i) >> 13);
}

struct model *
model_build(const struct model_params *p, char *err, size_t errlen)
{
	struct model *m;

	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		seterr(err, errlen, "out of memory");
		return (NULL);
	}
	m->ptindex = calloc(1, sizeof(struct ptindex));
	if (m->ptindex == NULL)
		goto nomem;
	m->p = *p;
	m->arch = gen_arch_find(p->arch);
	if (m->arch == NULL) {
		seterr(err, errlen, "unknown architecture %s", p->arch);
		goto fail;
	}
	gen_pagesize = m->arch->pagesize != 0 ? m->arch->pagesize : 4096;
	if (p->version < m->arch->minver || p->version > m->arch->maxver) {
		seterr(err, errlen, "%s minidump version %d not in %d..%d",
		    p->arch, p->version, m->arch->minver, m->arch->maxver);
		goto fail;
	}
	if (layout_phys(m, err, errlen) != 0 || ram_pages(m) != 0)
		goto fail;
	/* A relocated amd64 image: 2 MiB aligned, in the second RAM range. */
	if (p->kernphys != 0 && (strcmp(p->arch, "amd64") != 0 ||
	    p->kernphys % KERNPHYS_ALIGN != 0 || p->kernphys < m->avail[2] ||
	    model_kern_end(m) > m->avail[3])) {
		seterr(err, errlen, "kernphys %#" PRIx64 ": amd64 only, %#llx "
		    "aligned, the image within [%#" PRIx64 ", %#" PRIx64 ")",
		    p->kernphys, KERNPHYS_ALIGN, m->avail[2], m->avail[3]);
		goto fail;
	}
	if (p->dense && dense_build(m) != 0)
		goto nomem;
	make_strings(m);
	for (size_t i = 0; i < m->arch->nsyms; i++) {
		const struct gsym *g = &m->arch->syms[i];

		if (model_addsym(m, g->name, g->va, g->size, g->type,
		    g->sec) != 0)
			goto nomem;
		m->syms[m->nsyms - 1].global = g->global;
	}
	/*
	 * The kernel image and the bootstrap area below kern_end (a
	 * relocated image: what is below it too, the loader's).
	 */
	model_setstate(m, 0, model_kern_end(m) / GPAGE, PS_USED);
	reserve_msgbuf(m);
	if (!p->dense && make_msgbuf(m) != 0)
		goto nomem;
	if (make_freelist(m, model_kern_end(m), err, errlen) != 0)
		goto fail;
	if (m->arch->build(m, err, errlen) != 0)
		goto fail;
	qsort(m->map, m->nmap, sizeof(*m->map), kmap_cmp);
	if (world_build(m, err, errlen) != 0 ||
	    modules_build(m, err, errlen) != 0 ||
	    world_modules(m, err, errlen) != 0)
		goto fail;
	make_uma(m);
	if (m->arch->finish(m, err, errlen) != 0)
		goto fail;
	qsort(m->map, m->nmap, sizeof(*m->map), kmap_cmp);
	mark_dumped(m);
	/* -D: the log names the world and the dump's size. */
	if (p->dense && make_msgbuf(m) != 0)
		goto nomem;
	qsort(m->patches, m->npatches, sizeof(*m->patches), patch_cmp);
	for (size_t i = 1; i < m->npatches; i++)
		if (m->patches[i - 1].pa + m->patches[i - 1].len >
		    m->patches[i].pa) {
			seterr(err, errlen, "model bug: patches overlap at "
			    "pa %#" PRIx64, m->patches[i].pa);
			goto fail;
		}
	return (m);
nomem:
	seterr(err, errlen, "out of memory");
fail:
	model_free(m);
	return (NULL);
}

void
model_free(struct model *m)
{
	struct ptindex *x;

	if (m == NULL)
		return;
	x = m->ptindex;
	if (x != NULL) {
		free(x->key);
		free(x->val);
		free(x);
	}
	world_free(m);
	modules_free(m);
	dense_free(m);
	free(m->pst);
	free(m->freelist);
	free(m->map);
	free(m->pt);
	free(m->patches);
	free(m->arena);
	free(m->syms);
	free(m->archdata);
	free(m);
}

/* The model file: the parameters, one "key value" per line. */
int
model_save(const struct model *m, const char *path)
{
	FILE *f;
	int rc;

	f = fopen(path, "w");
	if (f == NULL)
		return (-1);
	fprintf(f, "md2elf-model 1\narch %s\nversion %d\nseed %" PRIu64
	    "\nram %" PRIu64 "\nthreads %" PRIu32 "\nfrag %d\nhostile %u\n"
	    "longlist %" PRIu64 "\n", m->p.arch, m->p.version, m->p.seed,
	    m->p.ram_mib, m->p.nthreads, m->p.frag, m->p.hostile,
	    m->p.longlist);
	if (m->p.dense)
		fprintf(f, "dense %d\n", m->p.dense);
	if (m->p.full)
		fprintf(f, "full %d\n", m->p.full);
	if (m->p.kernphys)
		fprintf(f, "kernphys %#" PRIx64 "\n", m->p.kernphys);
	for (unsigned i = 0; i < m->p.nmodules; i++)
		fprintf(f, "module %s\n", m->p.modules[i]);
	rc = ferror(f) ? -1 : 0;
	if (fclose(f) != 0)
		rc = -1;
	return (rc);
}

struct model *
model_load(const char *path, char *err, size_t errlen)
{
	struct model_params p;
	static char arch[128];
	static char mods[MODEL_MAXMODS][128];
	char line[256], key[64], val[128];
	FILE *f;
	bool magic;

	f = fopen(path, "r");
	if (f == NULL) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	memset(&p, 0, sizeof(p));
	magic = false;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%63s %127s", key, val) != 2)
			continue;
		if (strcmp(key, "md2elf-model") == 0)
			magic = strcmp(val, "1") == 0;
		else if (strcmp(key, "arch") == 0) {
			snprintf(arch, sizeof(arch), "%s", val);
			p.arch = arch;
		} else if (strcmp(key, "version") == 0)
			p.version = atoi(val);
		else if (strcmp(key, "seed") == 0)
			p.seed = strtoull(val, NULL, 0);
		else if (strcmp(key, "ram") == 0)
			p.ram_mib = strtoull(val, NULL, 0);
		else if (strcmp(key, "threads") == 0)
			p.nthreads = (uint32_t)strtoul(val, NULL, 0);
		else if (strcmp(key, "frag") == 0)
			p.frag = atoi(val);
		else if (strcmp(key, "hostile") == 0)
			p.hostile = (unsigned)strtoul(val, NULL, 0);
		else if (strcmp(key, "longlist") == 0)
			p.longlist = strtoull(val, NULL, 0);
		else if (strcmp(key, "dense") == 0)
			p.dense = atoi(val);
		else if (strcmp(key, "full") == 0)
			p.full = atoi(val);
		else if (strcmp(key, "kernphys") == 0)
			p.kernphys = strtoull(val, NULL, 0);
		else if (strcmp(key, "module") == 0 &&
		    p.nmodules < MODEL_MAXMODS) {
			snprintf(mods[p.nmodules], sizeof(mods[0]), "%s", val);
			p.modules[p.nmodules] = mods[p.nmodules];
			p.nmodules++;
		}
	}
	fclose(f);
	if (!magic || p.arch == NULL) {
		seterr(err, errlen, "%s: not a model file", path);
		return (NULL);
	}
	return (model_build(&p, err, errlen));
}
