/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * modhint.c: the hint that lets stock debuggers load ET_DYN kernel modules
 * by themselves.  Both LLDB's POSIX dynamic loader and GDB's SVR4 solib
 * code find a core's shared objects by reading the d_val of the
 * executable's DT_DEBUG entry (in memory) as the address of a struct
 * r_debug, then walking its link_map list.  A kernel's DT_DEBUG holds 0;
 * the core gets instead:
 *
 *   an extra PT_LOAD (read-only, after the page data in the file) at a
 *   virtual address no other segment uses, holding
 *     struct r_debug { r_version 1, r_map, r_brk 0, r_state 0
 *         (RT_CONSISTENT), r_ldbase 0 }      (each member pointer-sized)
 *     struct link_map { l_addr, l_name, l_ld, l_next, l_prev, l_base }
 *         first the kernel (l_addr 0, l_name "", l_ld its .dynamic: GDB
 *         skips the first entry as the main program), then each ET_DYN
 *         module with a file on this host (l_addr its load bias, l_name
 *         the file's absolute path, l_ld bias + its .dynamic: GDB checks
 *         l_ld against the file and would move the module otherwise)
 *     the name strings;
 *   and, in the core's copy of the kernel page holding DT_DEBUG's d_val,
 *   the address of that r_debug: one word of the kernel image differs
 *   from the dump.
 *
 * ET_REL modules (amd64) are left out: their sections are placed one by
 * one (link_elf_obj.c), which a single l_addr cannot say; CORE.lldb and
 * CORE.gdb place them.  elfcore.c calls m2e_hint_plan() before laying out
 * the core and m2e_hint_build() once it knows the addresses in use.
 */
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md2elf_private.h"

#define	ET_DYN_		3
#define	HINT_PTRS_RDEBUG	5	/* r_version (padded), r_map, r_brk,
					   r_state (padded), r_ldbase */
#define	HINT_PTRS_LINKMAP	6	/* l_addr, l_name, l_ld, l_next,
					   l_prev, l_base */

static bool
hinted(const struct md2elf_module *m)
{
	return (!m->is_kernel && m->file != NULL && m->etype == ET_DYN_ &&
	    m->nsections > 0 && m->dynamic != 0);
}

void
m2e_hint_plan(md2elf_t *d, struct m2e_hint *h)
{
	const struct md2elf_module *mods;
	uint64_t dynva, rank;
	size_t i, n, nrel;

	memset(h, 0, sizeof(*h));
	mods = m2e_modules_list(d, &n);
	nrel = 0;
	for (i = 0; i < n; i++) {
		if (hinted(&mods[i]))
			h->nmods++;
		else if (!mods[i].is_kernel && mods[i].file != NULL &&
		    mods[i].nsections > 0)
			nrel++;
	}
	if (h->nmods == 0) {
		if (nrel > 0)
			h->skipped = "the modules are ET_REL, placed section by "
			    "section, which a link_map entry cannot describe";
		return;
	}
	if (m2e_kernel_dtdebug(d, &h->slot_va, &dynva) != 0)
		h->skipped = "the kernel has no DT_DEBUG entry in .dynamic";
	else if (d->arch->kvtop(d, h->slot_va, &h->slot_pa) != 0 ||
	    m2e_md_pa_rank(d, h->slot_pa, &rank) != 0)
		h->skipped = "the page of the kernel's DT_DEBUG entry is not "
		    "in the dump";
	if (h->skipped != NULL)
		h->nmods = 0;
}

static void
putp(uint8_t *p, unsigned ps, uint64_t v)
{
	if (ps == 8)
		le64enc_(p, v);
	else
		le32enc_(p, (uint32_t)v);
}

int
m2e_hint_build(md2elf_t *d, struct m2e_hint *h, uint64_t lo, uint64_t hi)
{
	const struct md2elf_module *mods;
	char abs[PATH_MAX];
	const char *name;
	uint64_t ps, dynva, lm, str, top;
	size_t i, n, k, size, rsz, lmsz, need;
	unsigned p;

	mods = m2e_modules_list(d, &n);
	p = d->arch->ptrsize;
	ps = d->md.pagesize;
	rsz = HINT_PTRS_RDEBUG * p;
	lmsz = HINT_PTRS_LINKMAP * p;
	size = rsz + (h->nmods + 1) * lmsz + 1;
	for (i = 0; i < n; i++)
		if (hinted(&mods[i]))
			size += (realpath(mods[i].file, abs) != NULL ?
			    strlen(abs) : strlen(mods[i].file)) + 1;
	h->len = (size + ps - 1) / ps * ps;
	/*
	 * Above every segment and the direct map's range (arm64's is above
	 * the kernel map), else below them all.
	 */
	top = d->arch->elfclass == ELFCLASS64 ? UINT64_MAX : UINT32_MAX;
	if (hi != 0 && d->md.dmapend > hi)
		hi = d->md.dmapend;
	if (lo > d->md.dmapbase && d->md.dmapend != 0)
		lo = d->md.dmapbase;
	h->va = (hi + ps - 1) / ps * ps;
	if (hi == 0 || h->va < hi || h->va - 1 > top - h->len) {
		if (lo < h->len + ps) {
			h->skipped = "no free virtual address range for it";
			h->nmods = 0;
			return (0);
		}
		h->va = (lo - h->len - ps) / ps * ps;
	}
	if ((h->buf = calloc(1, h->len)) == NULL)
		return (m2e_err(d, "out of memory"));
	(void)m2e_kernel_dtdebug(d, &lm, &dynva);
	/* r_debug */
	le32enc_(h->buf, 1);				/* r_version */
	putp(h->buf + p, p, h->va + rsz);		/* r_map */
	/* link_map entries and their names */
	str = rsz + (h->nmods + 1) * lmsz;
	lm = rsz;
	putp(h->buf + lm + 1 * p, p, h->va + str);	/* l_name "" */
	putp(h->buf + lm + 2 * p, p, dynva);		/* l_ld */
	str++;
	for (i = 0, k = 1; i < n; i++) {
		if (!hinted(&mods[i]))
			continue;
		name = realpath(mods[i].file, abs) != NULL ? abs :
		    mods[i].file;
		need = strlen(name) + 1;
		if (str + need > h->len)
			break;			/* not reached: sized above */
		lm = rsz + k * lmsz;
		putp(h->buf + lm - lmsz + 3 * p, p, h->va + lm);  /* l_next */
		putp(h->buf + lm, p, mods[i].bias);		/* l_addr */
		putp(h->buf + lm + 1 * p, p, h->va + str);	/* l_name */
		putp(h->buf + lm + 2 * p, p, mods[i].dynamic);	/* l_ld */
		putp(h->buf + lm + 4 * p, p, h->va + lm - lmsz); /* l_prev */
		putp(h->buf + lm + 5 * p, p, mods[i].address);	/* l_base */
		memcpy(h->buf + str, name, need);
		str += need;
		k++;
	}
	return (0);
}

void
m2e_hint_free(struct m2e_hint *h)
{
	free(h->buf);
	h->buf = NULL;
}
