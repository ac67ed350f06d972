/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * gen_common.c: building blocks the architectures of the test generator
 * share (see gen_common.h).
 */
#include <stdlib.h>
#include <string.h>

#include "gen_common.h"

void
gen_put32(uint8_t *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void
gen_put64(uint8_t *p, uint64_t v)
{
	gen_put32(p, (uint32_t)v);
	gen_put32(p + 4, (uint32_t)(v >> 32));
}

uint64_t
gen_roundup2(uint64_t x, uint64_t a)
{
	return ((x + a - 1) & ~(a - 1));
}

uint64_t
gen_ram_pages(const struct model *m)
{
	uint64_t ram, i;

	ram = 0;
	for (i = 0; i < (uint64_t)m->navail; i++)
		ram += (m->avail[2 * i + 1] - m->avail[2 * i]) / GPAGE;
	return (ram);
}

int
gen_map_chunk(struct model *m, uint64_t va, uint64_t n, int flags,
    bool direct)
{
	uint64_t pa, i;

	pa = model_alloc(m, n, flags);
	if (pa != UINT64_MAX) {
		if (direct)
			return (model_map(m, va, pa, n, MK_4K));
		for (i = 0; i < n; i++)
			if (m->arch->map4k(m, va + i * GPAGE,
			    pa + i * GPAGE) != 0)
				return (-1);
		return (0);
	}
	for (i = 0; i < n; i++) {
		pa = model_alloc(m, 1, flags);
		if (pa == UINT64_MAX ||
		    m->arch->map4k(m, va + i * GPAGE, pa) != 0)
			return (-1);
	}
	return (0);
}

int
gen_map_heap(struct model *m, uint64_t *cur, uint64_t npages, uint64_t salt,
    uint64_t ptspan, bool direct)
{
	static const uint64_t maxlen[] = { 32, 16, 4, 1 };
	uint64_t done, n, h, ml;
	int f;

	f = m->p.frag < 0 ? 0 : m->p.frag > 3 ? 3 : m->p.frag;
	ml = maxlen[f];
	for (done = 0; done < npages; done += n) {
		h = model_hash(m->p.seed ^ salt, done);
		n = 1 + h % ml;
		if (n > npages - done)
			n = npages - done;
		if (gen_map_chunk(m, *cur, n, 0, direct) != 0)
			return (-1);
		*cur += n * GPAGE;
		if ((h >> 20) % 4 == 0)
			*cur += (1 + (h >> 24) % 3) * GPAGE;
		if ((h >> 32) % 512 == 0)
			*cur += 2 * ptspan + ((h >> 40) % 512) * GPAGE;
	}
	return (0);
}

int
gen_map_nodump(struct model *m, uint64_t *cur)
{
	uint64_t pa;
	int i;

	for (i = 0; i < 8; i++, *cur += GPAGE) {
		pa = model_alloc(m, 1, PS_NODUMP);
		if (pa == UINT64_MAX || m->arch->map4k(m, *cur, pa) != 0)
			return (-1);
	}
	return (0);
}

int
gen_map_misc(struct model *m, uint64_t *cur)
{
	uint64_t pa;
	int i;

	m->misc_va = *cur;
	for (i = 0; i < 16; i++, *cur += GPAGE) {
		pa = model_alloc(m, 1, 0);
		if (pa == UINT64_MAX || m->arch->map4k(m, *cur, pa) != 0)
			return (-1);
		m->misc_pa[i] = pa;
	}
	return (0);
}

size_t
gen_kmap_from(const struct model *m, uint64_t va)
{
	size_t lo, hi, mid;

	lo = 0;
	hi = m->nmap;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (m->map[mid].va + m->map[mid].npages * GPAGE <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

void
gen_flat_pmap_page(const struct model *m, uint64_t kvabase, uint64_t ptspan,
    unsigned esz, uint64_t bits, uint64_t bits4k, uint64_t i, uint8_t *page)
{
	const struct kmap *k;
	uint64_t va0, va, e;
	size_t j;

	memset(page, 0, GPAGE);
	va0 = kvabase + i * ptspan;
	for (j = gen_kmap_from(m, va0); j < m->nmap; j++) {
		k = &m->map[j];
		if (k->va >= va0 + ptspan)
			break;
		for (va = k->va > va0 ? k->va : va0;
		    va < k->va + k->npages * GPAGE && va < va0 + ptspan;
		    va += GPAGE) {
			e = (k->pa + (va - k->va)) | bits;
			if (k->kind == MK_4K)
				e |= bits4k;
			if (esz == 8)
				gen_put64(page + (va - va0) / GPAGE * 8, e);
			else
				gen_put32(page + (va - va0) / GPAGE * 4,
				    (uint32_t)e);
		}
	}
}

int
gen_patch_sym(struct model *m, const char *name, uint64_t v, size_t n)
{
	const struct gsym *s = model_sym(m, name);
	uint8_t b[8];

	if (s == NULL)
		return (-1);
	gen_put64(b, v);
	return (model_patch_va(m, s->va, b, n));
}

int
gen_finish_image(struct model *m, uint64_t note_va, uint64_t bss_va,
    uint64_t bss_end, const struct gsym **panic_buf)
{
	const struct gsym *s;
	uint8_t note[36], code[0x40], *zero;
	uint64_t va;
	int rc;

	/* .bss is zero at boot; the first partial page is patched. */
	va = (bss_va + GPAGE - 1) & ~(GPAGE - 1);
	model_setstate(m, model_kva_to_pa(m, va), (bss_end - va) / GPAGE,
	    PS_ZERO);
	if ((zero = calloc(1, GPAGE)) == NULL)
		return (-1);
	rc = model_patch_va(m, bss_va, zero, va - bss_va);
	free(zero);
	if (rc != 0)
		return (-1);
	/* GNU build-id note. */
	memset(note, 0, sizeof(note));
	note[0] = 4;
	note[4] = 20;
	note[8] = 3;
	memcpy(note + 12, "GNU", 4);
	memcpy(note + 16, m->buildid, 20);
	if (model_patch_va(m, note_va, note, sizeof(note)) != 0)
		return (-1);
	/* The entry point's code. */
	m->arch->funccode(m->arch->entry, sizeof(code), NULL, 0, code);
	if (model_patch_va(m, m->arch->entry, code, sizeof(code)) != 0)
		return (-1);
	s = model_sym(m, "version");
	if (model_patch_va(m, s->va, m->version, strlen(m->version) + 1) != 0)
		return (-1);
	s = model_sym(m, "panic_buf");
	if (model_patch_va(m, s->va, m->panicstr,
	    strlen(m->panicstr) + 1) != 0)
		return (-1);
	*panic_buf = s;
	return (0);
}

void
gen_header_start(const struct model *m, uint8_t *page, const char *magic,
    unsigned wordbits, bool sparse)
{
	uint64_t bits;

	bits = model_bitmap_bits(m, sparse);
	memcpy(page, magic, strlen(magic));
	gen_put32(page + 24, (uint32_t)m->p.version);
	gen_put32(page + 28, m->msg_size);
	if (sparse)
		gen_put32(page + 32, (uint32_t)gen_roundup2((bits +
		    wordbits - 1) / wordbits * (wordbits / 8), GPAGE));
	else
		gen_put32(page + 32, (uint32_t)gen_roundup2(gen_roundup2(bits,
		    8) / 8, GPAGE));
}

uint64_t
gen_treg(const struct model *m, const struct gthread *t, int idx)
{
	return (model_hash(m->p.seed ^ (0x2a0 + (uint64_t)idx),
	    (uint64_t)(uint32_t)t->tid));
}
