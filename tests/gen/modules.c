/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * modules.c: loaded kernel modules in the model, placed as the FreeBSD
 * kernel linker places them.  Each module file given to mkdump (-L, built
 * at test time) is loaded into the module region the arch maps after the
 * kernel image (4 KiB pages, contiguous in va):
 *
 *   ET_REL (amd64): as sys/kern/link_elf_obj.c does: the sections of type
 *   PROGBITS, NOBITS (and X86_64_UNWIND on amd64) that are SHF_ALLOC and
 *   not empty, in section-header order, each at the next multiple of its
 *   alignment from the module's address; PROGBITS copied, NOBITS zeroed;
 *   then the .rela sections against the loaded sections applied (64, PC32,
 *   PLT32, 32, 32S).  size = the end of the last section.
 *
 *   ET_DYN (i386, arm64): as sys/kern/link_elf.c does: the PT_LOAD
 *   segments at address + p_vaddr - trunc_page(first p_vaddr), size up to
 *   round_page of the last segment's end, then the RELATIVE relocations of
 *   the SHF_ALLOC relocation sections.
 *
 * The kernel's module list: a struct linker_file (FreeBSD 13 layout, LP64
 * or ILP32) per file, the kernel first, on the TAILQ linker_files, with
 * linker_kernel_file, linker_path and the offsets kern_linker.c exports
 * for debuggers (kld_off_address, kld_off_filename, kld_off_pathname,
 * kld_off_next), at free addresses at the end of .rodata, .data and .bss,
 * and the kernel's _DYNAMIC (DT_DEBUG 0, DT_NULL) at the end of .data,
 * which mkkernel writes as the kernel file's .dynamic section.
 * Hostile variants (-W kldcycle, klddangling, kldstrings) break the list.
 * Without -L or those variants none of this is in the model (dumps and
 * kernels are byte-identical to those of a generator without modules).
 * modules_facts() prints what was placed (mkdump -v): the ground truth the
 * tests compare md2elf -l and the debuggers with.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gelf.h>
#include <libelf.h>

#include "gen_common.h"
#include "modules.h"

/* struct linker_file of FreeBSD 13 (KOBJ_FIELDS, then the fields). */
struct lflayout {
	uint32_t	 refs, flags, link, filename, pathname, id, address,
			 size, sizeof_;
};
static const struct lflayout lf64 = { 8, 16, 24, 40, 48, 56, 64, 72, 0xc0 };
static const struct lflayout lf32 = { 4, 12, 16, 24, 28, 32, 36, 40, 0x70 };

#define	LF_SLOT		0x100		/* bytes per linker_file in the chunk */
#define	MAXSECS		256		/* sections of a test module */
#define	STR_OFF		0x800		/* strings after the linker_files */
#define	STR_SLOT	0x80		/* bytes per string */
#define	ABSURD_LEN	0x1800		/* -W kldstrings: name without a NUL */
#define	SHT_X86_64_UNWIND_	0x70000001
#define	LINKER_PATH	"/boot/kernel;/boot/modules"
/* Relocations against kernel symbols (spelled alike by every libelf). */
#define	R_386_GLOB_DAT_		6
#define	R_386_JMP_SLOT_		7
#define	R_AARCH64_GLOB_DAT_	1025
#define	R_AARCH64_JUMP_SLOT_	1026
/* The kernel function whose caller in the first module is on a stack. */
#define	MODFN_CALLEE		"_sleep"
#define	CALL_FIELD_LEN		4	/* rel32, or arm64's bl: ends the call */

struct gmod {
	char		 name[64];	/* linker_file filename */
	char		 pathname[128];	/* linker_file pathname */
	uint64_t	 address, size;
	int		 etype;
	int		 id;		/* its linker_file id */
	uint8_t		*img;		/* round_page(size) bytes */
	uint64_t	 npages;
	/* Symbols at their runtime address, for the facts. */
	char		 (*symname)[64];
	uint64_t	*symva;
	size_t		 nsym;
};

struct mods {
	struct gmod	 m[MODEL_MAXMODS];
	size_t		 n;
	uint64_t	 chunk;		/* linker_files and strings */
	uint64_t	 kernel_lf;
	/* The region: contiguous 4 KiB mappings after the image. */
	uint64_t	 next;		/* next free va in the current run */
	uint64_t	 run_end;
	size_t		 mapi;		/* m->map index of the current run */
};

static int
seterr(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return (-1);
}

static void
putp(const struct model *m, uint8_t *p, uint64_t v)
{
	if (m->arch->ptrsize == 4)
		gen_put32(p, (uint32_t)v);
	else
		gen_put64(p, v);
}

/* The physical page of a mapped va (the map may be unsorted now). */
static int
kva_pa(const struct model *m, uint64_t va, uint64_t *pa)
{
	size_t i;

	for (i = 0; i < m->nmap; i++)
		if (va >= m->map[i].va &&
		    va - m->map[i].va < m->map[i].npages * GPAGE) {
			*pa = m->map[i].pa + (va - m->map[i].va);
			return (0);
		}
	return (-1);
}

/* Patch len bytes at va (any mapped page), page by page. */
static int
patch_va(struct model *m, uint64_t va, const uint8_t *b, size_t len)
{
	uint64_t pa, n;

	while (len > 0) {
		n = GPAGE - (va & (GPAGE - 1));
		if (n > len)
			n = len;
		if (kva_pa(m, va, &pa) != 0 || model_patch(m, pa, b, n) != 0)
			return (-1);
		va += n;
		b += n;
		len -= n;
	}
	return (0);
}

/*
 * npages contiguous pages of the module region (4 KiB mappings from the
 * end of the kernel image on), in ascending va; UINT64_MAX if it is full.
 */
static uint64_t
region_alloc(struct model *m, struct mods *r, uint64_t npages)
{
	const struct kmap *k;
	uint64_t va, start;
	size_t i;

	for (;;) {
		if (r->next != 0 && r->run_end - r->next >= npages * GPAGE) {
			va = r->next;
			r->next += npages * GPAGE;
			return (va);
		}
		/* The next run of adjacent 4 KiB mappings above r->run_end. */
		start = r->run_end != 0 ? r->run_end :
		    m->arch->sec_end[SEC_BSS];
		k = NULL;
		for (i = 0; i < m->nmap; i++)
			if (m->map[i].kind == MK_4K && m->map[i].va >= start &&
			    (k == NULL || m->map[i].va < k->va))
				k = &m->map[i];
		if (k == NULL || k->va - start > 64 * 1024 * 1024)
			return (UINT64_MAX);
		r->next = k->va;
		r->run_end = k->va + k->npages * GPAGE;
		for (;;) {
			for (i = 0; i < m->nmap; i++)
				if (m->map[i].kind == MK_4K &&
				    m->map[i].va == r->run_end)
					break;
			if (i == m->nmap)
				break;
			r->run_end += m->map[i].npages * GPAGE;
		}
	}
}

static uint64_t
rnd(uint64_t x)
{
	return ((x + GPAGE - 1) & ~(GPAGE - 1));
}

static void
put_word(uint8_t *img, uint64_t off, unsigned sz, uint64_t v)
{
	if (sz == 8)
		gen_put64(img + off, v);
	else
		gen_put32(img + off, (uint32_t)v);
}

static uint64_t
get_word(const uint8_t *img, uint64_t off, unsigned sz)
{
	uint64_t v;
	unsigned i;

	v = 0;
	for (i = sz; i > 0; i--)
		v = v << 8 | img[off + i - 1];
	return (v);
}

/* Remember a defined function or object at its runtime address. */
static int
add_symfact(struct gmod *g, const char *name, uint64_t va)
{
	void *p;

	if ((p = realloc(g->symname, (g->nsym + 1) * 64)) == NULL)
		return (-1);
	g->symname = p;
	if ((p = realloc(g->symva, (g->nsym + 1) * 8)) == NULL)
		return (-1);
	g->symva = p;
	snprintf(g->symname[g->nsym], 64, "%s", name);
	g->symva[g->nsym++] = va;
	return (0);
}

/* Section i's runtime address (ET_REL), or UINT64_MAX if not loaded. */
struct relctx {
	uint64_t	 secaddr[MAXSECS];
	Elf_Data	*symd;
	Elf_Scn		*symscn;
	size_t		 nsyms;
	size_t		 strndx;
};

/* A kernel symbol a module refers to: its address, or -1. */
static int
kernel_sym(const struct model *m, const char *name, uint64_t *s, char *err,
    size_t errlen)
{
	const struct gsym *k;

	if (name == NULL || (k = model_sym(m, name)) == NULL)
		return (seterr(err, errlen, "symbol %s is defined neither in "
		    "the module nor in the kernel", name != NULL ? name : "?"));
	*s = k->va;
	return (0);
}

static int
rel_sym(const struct model *m, Elf *e, struct relctx *c, size_t idx,
    uint64_t *s, char *err, size_t errlen)
{
	GElf_Sym sym;

	if (idx >= c->nsyms || gelf_getsym(c->symd, (int)idx, &sym) == NULL)
		return (seterr(err, errlen, "bad symbol index %zu", idx));
	if (sym.st_shndx == SHN_ABS) {
		*s = sym.st_value;
		return (0);
	}
	if (sym.st_shndx == SHN_UNDEF)
		return (kernel_sym(m, elf_strptr(e, c->strndx, sym.st_name), s,
		    err, errlen));
	if (sym.st_shndx >= MAXSECS || c->secaddr[sym.st_shndx] == UINT64_MAX)
		return (seterr(err, errlen, "symbol %s is in a section the "
		    "kernel linker does not load",
		    elf_strptr(e, c->strndx, sym.st_name)));
	*s = c->secaddr[sym.st_shndx] + sym.st_value;
	return (0);
}

/*
 * The first module's function that calls MODFN_CALLEE (world.c's module
 * thread sleeps in it): found from the relocation of the call (ET_REL's
 * own; ET_DYN modules linked with --emit-relocs keep theirs), at its
 * runtime address: ET_REL sections at secaddr[], ET_DYN at bias + vaddr.
 */
static void
find_modfn(struct model *m, const struct gmod *g, Elf *e,
    const uint64_t *secaddr, uint64_t bias)
{
	Elf_Scn *scn, *tscn, *yscn;
	Elf_Data *d, *yd;
	GElf_Shdr sh, tsh, ysh;
	GElf_Rela ra;
	GElf_Rel rl;
	GElf_Sym sym, fs;
	const char *name;
	uint64_t base, j, n, k, ny;

	if (m->modfn_va != 0)
		return;
	for (scn = NULL; (scn = elf_nextscn(e, scn)) != NULL; ) {
		if (gelf_getshdr(scn, &sh) == NULL ||
		    (sh.sh_type != SHT_REL && sh.sh_type != SHT_RELA) ||
		    sh.sh_entsize == 0 || sh.sh_info >= MAXSECS ||
		    (tscn = elf_getscn(e, sh.sh_info)) == NULL ||
		    gelf_getshdr(tscn, &tsh) == NULL ||
		    (tsh.sh_flags & SHF_EXECINSTR) == 0 ||
		    (yscn = elf_getscn(e, sh.sh_link)) == NULL ||
		    gelf_getshdr(yscn, &ysh) == NULL || ysh.sh_entsize == 0 ||
		    (d = elf_getdata(scn, NULL)) == NULL ||
		    (yd = elf_getdata(yscn, NULL)) == NULL)
			continue;
		base = secaddr != NULL ? secaddr[sh.sh_info] : bias;
		if (base == UINT64_MAX)
			continue;
		n = sh.sh_size / sh.sh_entsize;
		ny = ysh.sh_size / ysh.sh_entsize;
		for (j = 0; j < n; j++) {
			if (sh.sh_type == SHT_RELA ? gelf_getrela(d, (int)j,
			    &ra) == NULL : gelf_getrel(d, (int)j, &rl) == NULL)
				break;
			if (sh.sh_type == SHT_REL) {
				ra.r_offset = rl.r_offset;
				ra.r_info = rl.r_info;
			}
			if (gelf_getsym(yd, (int)GELF_R_SYM(ra.r_info),
			    &sym) == NULL || (name = elf_strptr(e, ysh.sh_link,
			    sym.st_name)) == NULL ||
			    strcmp(name, MODFN_CALLEE) != 0)
				continue;
			/* The function around the call. */
			for (k = 1; k < ny; k++) {
				if (gelf_getsym(yd, (int)k, &fs) == NULL ||
				    GELF_ST_TYPE(fs.st_info) != STT_FUNC ||
				    (secaddr != NULL &&
				    fs.st_shndx != sh.sh_info) ||
				    ra.r_offset < fs.st_value ||
				    ra.r_offset - fs.st_value >= fs.st_size ||
				    (name = elf_strptr(e, ysh.sh_link,
				    fs.st_name)) == NULL)
					continue;
				m->modfn_va = base + fs.st_value;
				m->modfn_ret = base + ra.r_offset +
				    CALL_FIELD_LEN;
				snprintf(m->modfn, sizeof(m->modfn), "%s",
				    name);
				snprintf(m->modfn_mod, sizeof(m->modfn_mod),
				    "%s", g->name);
				return;
			}
		}
	}
}

/* ET_REL: link_elf_obj.c's layout and relocation. */
static int
load_rel(struct model *m, struct mods *r, struct gmod *g, Elf *e,
    char *err, size_t errlen)
{
	struct relctx c;
	Elf_Scn *scn;
	Elf_Data *d;
	GElf_Shdr sh, tsh;
	GElf_Rela ra;
	GElf_Sym sym;
	uint64_t base, off, s = 0, p, v;
	size_t shnum, i, j, n;
	int pass;
	bool amd64;

	amd64 = m->arch->elfmachine == EM_X86_64;
	if (elf_getshdrnum(e, &shnum) != 0 || shnum > MAXSECS)
		return (seterr(err, errlen, "too many sections"));
	memset(&c, 0, sizeof(c));
	/* Pass 0 sizes, pass 1 places (at the allocated address). */
	for (pass = 0; pass < 2; pass++) {
		base = pass == 0 ? 0 : g->address;
		off = base;
		for (i = 0; i < shnum; i++) {
			c.secaddr[i] = UINT64_MAX;
			if ((scn = elf_getscn(e, i)) == NULL ||
			    gelf_getshdr(scn, &sh) == NULL || sh.sh_size == 0 ||
			    (sh.sh_flags & SHF_ALLOC) == 0)
				continue;
			if (sh.sh_type != SHT_PROGBITS &&
			    sh.sh_type != SHT_NOBITS &&
			    !(amd64 && sh.sh_type == SHT_X86_64_UNWIND_))
				continue;
			if (sh.sh_addralign > 1)
				off = (off + sh.sh_addralign - 1) &
				    ~(sh.sh_addralign - 1);
			c.secaddr[i] = off;
			if (pass == 1 && sh.sh_type != SHT_NOBITS) {
				if ((d = elf_getdata(scn, NULL)) == NULL ||
				    d->d_size != sh.sh_size)
					return (seterr(err, errlen, "section "
					    "%zu unreadable", i));
				memcpy(g->img + (off - base), d->d_buf,
				    d->d_size);
			}
			off += sh.sh_size;
		}
		if (pass == 0) {
			g->size = off;
			g->npages = rnd(g->size) / GPAGE;
			if ((g->address = region_alloc(m, r, g->npages)) ==
			    UINT64_MAX)
				return (seterr(err, errlen, "the module region "
				    "is full"));
			if ((g->img = calloc(1, g->npages * GPAGE)) == NULL)
				return (seterr(err, errlen, "out of memory"));
		}
	}
	/* The symbol table. */
	for (i = 1; i < shnum; i++)
		if ((scn = elf_getscn(e, i)) != NULL &&
		    gelf_getshdr(scn, &sh) != NULL &&
		    sh.sh_type == SHT_SYMTAB) {
			c.symscn = scn;
			c.symd = elf_getdata(scn, NULL);
			c.nsyms = sh.sh_entsize != 0 ? sh.sh_size /
			    sh.sh_entsize : 0;
			c.strndx = sh.sh_link;
		}
	if (c.symd == NULL)
		return (seterr(err, errlen, "no symbol table"));
	for (j = 1; j < c.nsyms; j++) {
		if (gelf_getsym(c.symd, (int)j, &sym) == NULL)
			break;
		if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= MAXSECS ||
		    c.secaddr[sym.st_shndx] == UINT64_MAX ||
		    (GELF_ST_TYPE(sym.st_info) != STT_FUNC &&
		    GELF_ST_TYPE(sym.st_info) != STT_OBJECT))
			continue;
		if (add_symfact(g, elf_strptr(e, c.strndx, sym.st_name),
		    c.secaddr[sym.st_shndx] + sym.st_value) != 0)
			return (seterr(err, errlen, "out of memory"));
	}
	/* Relocations against loaded sections. */
	for (i = 1; i < shnum; i++) {
		if ((scn = elf_getscn(e, i)) == NULL ||
		    gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_RELA ||
		    sh.sh_info >= MAXSECS || c.secaddr[sh.sh_info] == UINT64_MAX)
			continue;
		if (sh.sh_type == SHT_REL)
			return (seterr(err, errlen, "SHT_REL in an amd64 "
			    "module"));
		if (gelf_getshdr(elf_getscn(e, sh.sh_info), &tsh) == NULL ||
		    (d = elf_getdata(scn, NULL)) == NULL)
			return (seterr(err, errlen, "bad relocation section"));
		n = sh.sh_entsize != 0 ? sh.sh_size / sh.sh_entsize : 0;
		for (j = 0; j < n; j++) {
			if (gelf_getrela(d, (int)j, &ra) == NULL ||
			    ra.r_offset + 8 > tsh.sh_size)
				return (seterr(err, errlen, "bad relocation"));
			if (rel_sym(m, e, &c, GELF_R_SYM(ra.r_info), &s, err,
			    errlen) != 0)
				return (-1);
			p = c.secaddr[sh.sh_info] + ra.r_offset;
			off = p - g->address;
			switch (GELF_R_TYPE(ra.r_info)) {
			case R_X86_64_64:
				put_word(g->img, off, 8, s + ra.r_addend);
				break;
			case R_X86_64_PC32:
			case R_X86_64_PLT32:
				v = s + ra.r_addend - p;
				put_word(g->img, off, 4, v);
				break;
			case R_X86_64_32:
			case R_X86_64_32S:
				put_word(g->img, off, 4, s + ra.r_addend);
				break;
			default:
				return (seterr(err, errlen, "relocation type "
				    "%u not modelled",
				    (unsigned)GELF_R_TYPE(ra.r_info)));
			}
		}
	}
	if (g == &r->m[0])
		find_modfn(m, g, e, c.secaddr, 0);
	return (0);
}

/* ET_DYN: the kernel symbol that relocation section sh's entry names. */
static int
dyn_sym(const struct model *m, Elf *e, const GElf_Shdr *sh, size_t idx,
    uint64_t *v, char *err, size_t errlen)
{
	Elf_Scn *yscn;
	Elf_Data *yd;
	GElf_Shdr ysh;
	GElf_Sym sym;

	if ((yscn = elf_getscn(e, sh->sh_link)) == NULL ||
	    gelf_getshdr(yscn, &ysh) == NULL ||
	    (yd = elf_getdata(yscn, NULL)) == NULL ||
	    gelf_getsym(yd, (int)idx, &sym) == NULL)
		return (seterr(err, errlen, "bad dynamic symbol %zu", idx));
	return (kernel_sym(m, elf_strptr(e, ysh.sh_link, sym.st_name), v, err,
	    errlen));
}

/* ET_DYN: link_elf.c's layout, RELATIVE and kernel-symbol relocations. */
static int
load_dyn(struct model *m, struct mods *r, struct gmod *g, Elf *e,
    int fd, char *err, size_t errlen)
{
	Elf_Scn *scn;
	Elf_Data *d;
	GElf_Phdr ph;
	GElf_Shdr sh;
	GElf_Rela ra;
	GElf_Rel rl;
	GElf_Sym sym;
	uint64_t vmin, vmax, bias, off, v = 0;
	size_t phnum, shnum, i, j, n;
	unsigned ps;
	bool first;

	ps = m->arch->ptrsize;
	if (elf_getphdrnum(e, &phnum) != 0 || elf_getshdrnum(e, &shnum) != 0)
		return (seterr(err, errlen, "bad headers"));
	first = true;
	vmin = vmax = 0;
	for (i = 0; i < phnum; i++) {
		if (gelf_getphdr(e, (int)i, &ph) == NULL || ph.p_type != PT_LOAD)
			continue;
		if (first)
			vmin = ph.p_vaddr & ~(GPAGE - 1);
		first = false;
		if (ph.p_vaddr + ph.p_memsz > vmax)
			vmax = ph.p_vaddr + ph.p_memsz;
	}
	if (first)
		return (seterr(err, errlen, "no PT_LOAD"));
	g->size = rnd(vmax) - vmin;
	g->npages = g->size / GPAGE;
	if ((g->address = region_alloc(m, r, g->npages)) == UINT64_MAX)
		return (seterr(err, errlen, "the module region is full"));
	if ((g->img = calloc(1, g->npages * GPAGE)) == NULL)
		return (seterr(err, errlen, "out of memory"));
	bias = g->address - vmin;
	for (i = 0; i < phnum; i++) {
		if (gelf_getphdr(e, (int)i, &ph) == NULL ||
		    ph.p_type != PT_LOAD || ph.p_filesz == 0)
			continue;
		if (pread(fd, g->img + (ph.p_vaddr - vmin), ph.p_filesz,
		    (off_t)ph.p_offset) != (ssize_t)ph.p_filesz)
			return (seterr(err, errlen, "short read"));
	}
	for (i = 1; i < shnum; i++) {
		if ((scn = elf_getscn(e, i)) == NULL ||
		    gelf_getshdr(scn, &sh) == NULL)
			continue;
		if (sh.sh_type == SHT_SYMTAB && (d = elf_getdata(scn, NULL)) !=
		    NULL && sh.sh_entsize != 0) {
			n = sh.sh_size / sh.sh_entsize;
			for (j = 1; j < n; j++) {
				if (gelf_getsym(d, (int)j, &sym) == NULL)
					break;
				if (sym.st_shndx == SHN_UNDEF ||
				    sym.st_shndx >= SHN_LORESERVE ||
				    (GELF_ST_TYPE(sym.st_info) != STT_FUNC &&
				    GELF_ST_TYPE(sym.st_info) != STT_OBJECT))
					continue;
				if (add_symfact(g, elf_strptr(e, sh.sh_link,
				    sym.st_name), bias + sym.st_value) != 0)
					return (seterr(err, errlen, "out of "
					    "memory"));
			}
		}
		if ((sh.sh_type != SHT_REL && sh.sh_type != SHT_RELA) ||
		    (sh.sh_flags & SHF_ALLOC) == 0 ||
		    (d = elf_getdata(scn, NULL)) == NULL || sh.sh_entsize == 0)
			continue;
		n = sh.sh_size / sh.sh_entsize;
		for (j = 0; j < n; j++) {
			if (sh.sh_type == SHT_RELA) {
				if (gelf_getrela(d, (int)j, &ra) == NULL)
					return (seterr(err, errlen, "bad rela"));
			} else {
				if (gelf_getrel(d, (int)j, &rl) == NULL)
					return (seterr(err, errlen, "bad rel"));
				ra.r_offset = rl.r_offset;
				ra.r_info = rl.r_info;
				ra.r_addend = 0;
			}
			if (ra.r_offset < vmin || ra.r_offset + ps > vmax)
				return (seterr(err, errlen, "relocation "
				    "outside the image"));
			off = ra.r_offset - vmin;
			if ((m->arch->elfmachine == EM_386 &&
			    GELF_R_TYPE(ra.r_info) == R_386_RELATIVE) ||
			    (m->arch->elfmachine == EM_X86_64 &&
			    GELF_R_TYPE(ra.r_info) == R_X86_64_RELATIVE) ||
			    (m->arch->elfmachine == EM_AARCH64 &&
			    GELF_R_TYPE(ra.r_info) == R_AARCH64_RELATIVE)) {
				/* REL keeps the addend in place. */
				if (sh.sh_type == SHT_REL)
					ra.r_addend = (int64_t)get_word(g->img,
					    off, ps);
				put_word(g->img, off, ps, bias + ra.r_addend);
			} else if ((m->arch->elfmachine == EM_386 &&
			    (GELF_R_TYPE(ra.r_info) == R_386_JMP_SLOT_ ||
			    GELF_R_TYPE(ra.r_info) == R_386_GLOB_DAT_)) ||
			    (m->arch->elfmachine == EM_AARCH64 &&
			    (GELF_R_TYPE(ra.r_info) == R_AARCH64_JUMP_SLOT_ ||
			    GELF_R_TYPE(ra.r_info) == R_AARCH64_GLOB_DAT_))) {
				/* A kernel function or variable, by name. */
				if (dyn_sym(m, e, &sh, GELF_R_SYM(ra.r_info),
				    &v, err, errlen) != 0)
					return (-1);
				put_word(g->img, off, ps, v + (sh.sh_type ==
				    SHT_RELA ? ra.r_addend : 0));
			} else
				return (seterr(err, errlen, "relocation type "
				    "%u not modelled (link with hidden "
				    "visibility)",
				    (unsigned)GELF_R_TYPE(ra.r_info)));
		}
	}
	if (g == &r->m[0])
		find_modfn(m, g, e, NULL, bias);
	return (0);
}

static int
load_module(struct model *m, struct mods *r, struct gmod *g,
    const char *path, size_t idx, char *err, size_t errlen)
{
	const char *base;
	GElf_Ehdr eh;
	Elf *e;
	int fd, rc;

	base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	snprintf(g->name, sizeof(g->name), "%s", base);
	/* Odd modules come from /boot/modules (a linker_path directory). */
	snprintf(g->pathname, sizeof(g->pathname), "/boot/%s/%s",
	    idx % 2 == 1 ? "modules" : "kernel", base);
	if ((fd = open(path, O_RDONLY)) < 0)
		return (seterr(err, errlen, "%s: %s", path, strerror(errno)));
	rc = -1;
	if ((e = elf_begin(fd, ELF_C_READ, NULL)) == NULL ||
	    gelf_getehdr(e, &eh) == NULL) {
		seterr(err, errlen, "%s: not ELF", path);
		goto out;
	}
	if (eh.e_machine != m->arch->elfmachine) {
		seterr(err, errlen, "%s: e_machine %u, not the model's", path,
		    eh.e_machine);
		goto out;
	}
	g->etype = eh.e_type;
	if (eh.e_type == ET_REL)
		rc = load_rel(m, r, g, e, err, errlen);
	else if (eh.e_type == ET_DYN)
		rc = load_dyn(m, r, g, e, fd, err, errlen);
	else
		seterr(err, errlen, "%s: neither ET_REL nor ET_DYN", path);
	if (rc != 0 && strncmp(err, path, strlen(path)) != 0) {
		char tmp[512];

		snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
		snprintf(err, errlen, "%s", tmp);
	}
	if (rc == 0 && patch_va(m, g->address, g->img, g->npages * GPAGE) != 0)
		rc = seterr(err, errlen, "%s: cannot patch its pages", path);
out:
	if (e != NULL)
		elf_end(e);
	close(fd);
	return (rc);
}

/* The exported symbols, at the end of .rodata, .data and .bss. */
static int
add_symbols(struct model *m)
{
	const struct gen_arch *a = m->arch;
	uint64_t ro, da, bs;

	ro = a->sec_start[SEC_DATA] - 0x80;
	da = a->sec_start[SEC_BSS] - 0x800;
	bs = a->sec_end[SEC_BSS] - 0x100;
	/* .dynamic at the end of .data: DT_DEBUG, DT_NULL. */
	if (model_addsym(m, "_DYNAMIC", a->sec_start[SEC_BSS] - 4 *
	    a->ptrsize, 4 * a->ptrsize, GS_OBJECT, SEC_DATA) != 0)
		return (-1);
	m->syms[m->nsyms - 1].global = 0;
	if (model_addsym(m, "kld_off_address", ro, 4, GS_OBJECT,
	    SEC_RODATA) != 0 ||
	    model_addsym(m, "kld_off_filename", ro + 4, 4, GS_OBJECT,
	    SEC_RODATA) != 0 ||
	    model_addsym(m, "kld_off_pathname", ro + 8, 4, GS_OBJECT,
	    SEC_RODATA) != 0 ||
	    model_addsym(m, "kld_off_next", ro + 12, 4, GS_OBJECT,
	    SEC_RODATA) != 0 ||
	    model_addsym(m, "linker_path", da, 1024, GS_OBJECT,
	    SEC_DATA) != 0 ||
	    model_addsym(m, "linker_files", bs, 2 * a->ptrsize, GS_OBJECT,
	    SEC_BSS) != 0 ||
	    model_addsym(m, "linker_kernel_file", bs + 0x40, a->ptrsize,
	    GS_OBJECT, SEC_BSS) != 0)
		return (-1);
	m->syms[m->nsyms - 2].global = 0;	/* static in kern_linker.c */
	return (0);
}

static int
put_sym(struct model *m, const char *name, const void *b, size_t n)
{
	const struct gsym *s = model_sym(m, name);

	return (s == NULL ? -1 : model_patch_va(m, s->va, b, n));
}

/*
 * The linker_file chunk (one page): slot 0 the kernel, slot i module i,
 * slot n + 1 the kldstrings entry; strings from STR_OFF; with kldstrings
 * a second page holds the name without a NUL.
 */
static int
build_list(struct model *m, struct mods *r)
{
	const struct lflayout *l;
	uint8_t *page, b[8], ro[16];
	uint64_t lf[MODEL_MAXMODS + 2], str, next, absurd;
	size_t i, n, nent;
	unsigned ps;
	int rc;

	ps = m->arch->ptrsize;
	l = ps == 8 ? &lf64 : &lf32;
	if ((page = calloc(2, GPAGE)) == NULL)
		return (-1);
	rc = -1;
	if ((r->chunk = region_alloc(m, r, 2)) == UINT64_MAX)
		goto out;
	absurd = r->chunk + GPAGE;
	n = r->n;
	nent = 0;
	lf[nent++] = r->chunk;			/* the kernel */
	for (i = 0; i < n; i++) {
		if ((m->p.hostile & WH_KLDSTRINGS) && i == 1)
			lf[nent++] = r->chunk + (n + 1) * LF_SLOT;
		lf[nent++] = r->chunk + (i + 1) * LF_SLOT;
	}
	if ((m->p.hostile & WH_KLDSTRINGS) && n <= 1)
		lf[nent++] = r->chunk + (n + 1) * LF_SLOT;
	if ((n + 2) * LF_SLOT > STR_OFF || STR_OFF + (n + 1) * 2 * STR_SLOT >
	    GPAGE)
		goto out;
	str = STR_OFF;
	for (i = 0; i < nent; i++) {
		uint8_t *p = page + (lf[i] - r->chunk);
		size_t slot = (lf[i] - r->chunk) / LF_SLOT;
		const char *fname, *pname;
		uint64_t addr, size;

		next = i + 1 < nent ? lf[i + 1] : 0;
		if ((m->p.hostile & WH_KLDCYCLE) && i + 1 == nent && nent > 2)
			next = lf[1];
		if ((m->p.hostile & WH_KLDDANGLING) && i + 1 == nent)
			next = m->kstack_va + 0x40;	/* a guard page */
		putp(m, p, 0x5a5a5a5a5a5a5a5aULL);	/* kobj ops */
		gen_put32(p + l->refs, 1);
		gen_put32(p + l->flags, 1);		/* LINKER_FILE_LINKED */
		putp(m, p + l->link, next);
		putp(m, p + l->link + ps, i > 0 ? lf[i - 1] + l->link :
		    model_sym(m, "linker_files")->va);
		gen_put32(p + l->id, (uint32_t)(i + 1));
		if (slot == 0) {
			fname = "kernel";
			pname = "/boot/kernel/kernel";
			addr = m->arch->sec_start[SEC_NOTE] & ~(uint64_t)0xfff;
			size = m->arch->sec_end[SEC_BSS] - addr;
		} else if (slot == n + 1) {
			/* kldstrings: a name without a NUL, control bytes. */
			memset(page + GPAGE, 'A', GPAGE);
			putp(m, p + l->filename, absurd);
			memcpy(page + str, "/boot/\001\002\033[2J", 12);
			putp(m, p + l->pathname, r->chunk + str);
			str += 2 * STR_SLOT;
			putp(m, p + l->address, 0);
			putp(m, p + l->size, 0);
			continue;
		} else {
			r->m[slot - 1].id = (int)(i + 1);
			fname = r->m[slot - 1].name;
			pname = r->m[slot - 1].pathname;
			addr = r->m[slot - 1].address;
			size = r->m[slot - 1].size;
		}
		memcpy(page + str, fname, strlen(fname) + 1);
		putp(m, p + l->filename, r->chunk + str);
		str += STR_SLOT;
		memcpy(page + str, pname, strlen(pname) + 1);
		putp(m, p + l->pathname, r->chunk + str);
		str += STR_SLOT;
		putp(m, p + l->address, addr);
		putp(m, p + l->size, size);
	}
	r->kernel_lf = lf[0];
	if (patch_va(m, r->chunk, page, (m->p.hostile & WH_KLDSTRINGS) ?
	    2 * GPAGE : GPAGE) != 0)
		goto out;
	/* The kernel's variables. */
	memset(b, 0, sizeof(b));
	putp(m, b, lf[0]);
	if (put_sym(m, "linker_files", b, ps) != 0)
		goto out;
	putp(m, b, lf[nent - 1]);
	if (model_patch_va(m, model_sym(m, "linker_files")->va + ps, b,
	    ps) != 0)
		goto out;
	putp(m, b, lf[0]);
	if (put_sym(m, "linker_kernel_file", b, ps) != 0 ||
	    put_sym(m, "linker_path", LINKER_PATH, sizeof(LINKER_PATH)) != 0)
		goto out;
	/* _DYNAMIC: { DT_DEBUG, 0 }, { DT_NULL, 0 } (r_debug: none). */
	memset(b, 0, sizeof(b));
	{
		uint8_t dyn[32];

		memset(dyn, 0, sizeof(dyn));
		putp(m, dyn, 21);		/* DT_DEBUG */
		if (put_sym(m, "_DYNAMIC", dyn, 4 * ps) != 0)
			goto out;
	}
	gen_put32(ro, l->address);
	gen_put32(ro + 4, l->filename);
	gen_put32(ro + 8, l->pathname);
	gen_put32(ro + 12, l->link);
	if (put_sym(m, "kld_off_address", ro, sizeof(ro)) != 0)
		goto out;
	rc = 0;
out:
	free(page);
	return (rc);
}

int
modules_build(struct model *m, char *err, size_t errlen)
{
	struct mods *r;
	size_t i;

	/* Without modules the model is what it was before them. */
	if (m->p.nmodules == 0 && (m->p.hostile & WH_KLDMASK) == 0)
		return (0);
	if (add_symbols(m) != 0)
		return (seterr(err, errlen, "out of memory"));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return (seterr(err, errlen, "libelf: %s", elf_errmsg(-1)));
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return (seterr(err, errlen, "out of memory"));
	m->modules = r;
	for (i = 0; i < m->p.nmodules; i++) {
		if (load_module(m, r, &r->m[i], m->p.modules[i], i, err,
		    errlen) != 0)
			return (-1);
		r->n++;
	}
	if (build_list(m, r) != 0)
		return (seterr(err, errlen, "model bug: cannot build the "
		    "module list"));
	return (0);
}

void
modules_facts(const struct model *m, FILE *f)
{
	const struct mods *r = m->modules;
	const struct gmod *g;
	size_t i, j;

	if (r == NULL)
		return;
	fprintf(f, "kld_kernel_lf %#" PRIx64 "\n", r->kernel_lf);
	/* modfn FUNC MODULE ADDRESS RETURN (world.c's module thread). */
	if (m->modfn_va != 0)
		fprintf(f, "modfn %s %s %#" PRIx64 " %#" PRIx64 "\n",
		    m->modfn, m->modfn_mod, m->modfn_va, m->modfn_ret);
	for (i = 0; i < r->n; i++) {
		g = &r->m[i];
		/* module ID NAME ADDRESS SIZE PATHNAME TYPE */
		fprintf(f, "module %d %s %#" PRIx64 " %#" PRIx64 " %s %s\n",
		    g->id, g->name, g->address, g->size, g->pathname,
		    g->etype == ET_REL ? "ET_REL" : "ET_DYN");
		for (j = 0; j < g->nsym; j++)
			fprintf(f, "modsym %s %s %#" PRIx64 "\n", g->name,
			    g->symname[j], g->symva[j]);
	}
}

void
modules_free(struct model *m)
{
	struct mods *r = m->modules;
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < MODEL_MAXMODS; i++) {
		free(r->m[i].img);
		free(r->m[i].symname);
		free(r->m[i].symva);
	}
	free(r);
	m->modules = NULL;
}
