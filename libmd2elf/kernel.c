/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * kernel.c: the kernel's ELF image, read through libelf's gelf API.
 *
 * Owns: opening a kernel (its architecture must be the dump's), the symbol
 * table (.symtab, else .dynsym) with lookup by name and by address, the
 * entry point, the GNU build id, reading initialised bytes at a kernel
 * address from the file, osreldate.  Whether the kernel belongs to the dump
 * (build id or `version` string) and md2elf_get_kernel_info() are
 * kernel_match.c's.  Everything read from the file is bounded: a hostile
 * kernel file gets an error, not a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "md2elf_private.h"
#include "kernel_int.h"

/* Caps for hostile kernel files (a GENERIC kernel.full has ~100k symbols). */
#define	KMAXSYMS	(4u * 1024 * 1024)	/* symbols in the table */
#define	KMAXSTRTAB	(64u * 1024 * 1024)	/* bytes of string table */
#define	KMAXSECS	65536			/* sections considered */
#define	KMAXNOTE	(64u * 1024)		/* bytes of one note area */
#define	KADDRBACK	64	/* entries looked back for a containing sym */

#define	NT_GNU_BUILD_ID_	3

static const char *
machine_name(unsigned m)
{
	static char buf[32];

	switch (m) {
	case EM_X86_64:
		return ("EM_X86_64");
	case EM_386:
		return ("EM_386");
	case EM_AARCH64:
		return ("EM_AARCH64");
	case EM_ARM:
		return ("EM_ARM");
	case EM_PPC64:
		return ("EM_PPC64");
	case EM_RISCV:
		return ("EM_RISCV");
	}
	snprintf(buf, sizeof(buf), "e_machine %u", m);
	return (buf);
}

static void
kernel_free(struct m2e_kernel *k)
{
	if (k == NULL)
		return;
	if (k->fd >= 0)
		close(k->fd);
	free(k->path);
	free(k->strtab);
	free(k->syms);
	free(k->byname);
	free(k->secs);
	free(k->version);
	free(k->panicstr);
	free(k);
}

/* Read exactly len bytes at off of the kernel file. */
static int
kfile_pread(struct m2e_kernel *k, void *buf, size_t len, uint64_t off)
{
	if (off > k->filesize || len > k->filesize - off ||
	    m2e_pread_full(k->fd, buf, len, off, NULL) != (ssize_t)len)
		return (-1);
	return (0);
}

/* Initialised bytes at kernel address va, from the file; -1 if not there. */
int
m2e_kfile_read_va(struct m2e_kernel *k, uint64_t va, void *buf, size_t len)
{
	const struct ksec *s;
	size_t i;

	for (i = 0; i < k->nsecs; i++) {
		s = &k->secs[i];
		if (va >= s->addr && va - s->addr <= s->size &&
		    len <= s->size - (va - s->addr))
			return (kfile_pread(k, buf, len,
			    s->off + (va - s->addr)));
	}
	return (-1);
}

/* Bytes of file contents from va to the end of its section (0: none). */
size_t
m2e_kfile_avail(struct m2e_kernel *k, uint64_t va)
{
	const struct ksec *s;
	size_t i;

	for (i = 0; i < k->nsecs; i++) {
		s = &k->secs[i];
		if (va >= s->addr && va - s->addr < s->size)
			return (s->size - (va - s->addr) > SIZE_MAX ? SIZE_MAX :
			    (size_t)(s->size - (va - s->addr)));
	}
	return (0);
}

static int
cmp_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;
	int c;

	if (x->value != y->value)
		return (x->value < y->value ? -1 : 1);
	if (x->rank != y->rank)
		return (x->rank < y->rank ? -1 : 1);
	c = strcmp(x->name, y->name);
	return (c);
}

static int
cmp_name(const void *a, const void *b)
{
	const struct kname *x = a, *y = b;
	int c;

	c = strcmp(x->name, y->name);
	if (c != 0)
		return (c);
	if (x->rank != y->rank)
		return (x->rank < y->rank ? -1 : 1);
	return (x->idx < y->idx ? -1 : x->idx > y->idx);
}

/*
 * Collect the sections whose bytes are in the file (allocated, not NOBITS),
 * so that initialised data can be read at a kernel address.  Without
 * section headers, fall back to the PT_LOAD segments' file parts.
 */
static int
load_sections(md2elf_t *d, struct m2e_kernel *k, Elf *e, size_t shnum)
{
	Elf_Scn *scn;
	GElf_Shdr sh;
	GElf_Phdr ph;
	size_t i, n, phnum;

	n = shnum > KMAXSECS ? KMAXSECS : shnum;
	if (elf_getphdrnum(e, &phnum) != 0)
		phnum = 0;
	if (phnum > KMAXSECS)
		phnum = KMAXSECS;
	k->secs = calloc(n + phnum + 1, sizeof(*k->secs));
	if (k->secs == NULL)
		return (m2e_err(d, "%s: out of memory", k->path));
	for (i = 1; i < n; i++) {
		if ((scn = elf_getscn(e, i)) == NULL ||
		    gelf_getshdr(scn, &sh) == NULL)
			continue;
		if ((sh.sh_flags & SHF_ALLOC) == 0 || sh.sh_type == SHT_NOBITS ||
		    sh.sh_size == 0 || sh.sh_offset > k->filesize ||
		    sh.sh_size > k->filesize - sh.sh_offset ||
		    sh.sh_addr + sh.sh_size < sh.sh_addr)
			continue;
		k->secs[k->nsecs].addr = sh.sh_addr;
		k->secs[k->nsecs].size = sh.sh_size;
		k->secs[k->nsecs].off = sh.sh_offset;
		k->nsecs++;
	}
	if (k->nsecs > 0)
		return (0);
	for (i = 0; i < phnum; i++) {
		if (gelf_getphdr(e, (int)i, &ph) == NULL || ph.p_type != PT_LOAD ||
		    ph.p_filesz == 0 || ph.p_offset > k->filesize ||
		    ph.p_filesz > k->filesize - ph.p_offset ||
		    ph.p_vaddr + ph.p_filesz < ph.p_vaddr)
			continue;
		k->secs[k->nsecs].addr = ph.p_vaddr;
		k->secs[k->nsecs].size = ph.p_filesz;
		k->secs[k->nsecs].off = ph.p_offset;
		k->nsecs++;
	}
	return (0);
}

/*
 * Parse one note area (raw file bytes, the kernel's byte order: all targets
 * are little-endian) for the GNU build id.  Parsed by hand because
 * gelf_getnote() is an elfutils extension that elftoolchain lacks.
 */
static void
parse_notes(struct m2e_kernel *k, const uint8_t *p, size_t len, uint64_t va)
{
	size_t off, namesz, descsz, nameoff, descoff;
	uint32_t type;

	off = 0;
	while (len - off >= 12) {
		namesz = le32dec_(p + off);
		descsz = le32dec_(p + off + 4);
		type = le32dec_(p + off + 8);
		nameoff = off + 12;
		if (namesz > len - nameoff)
			return;
		descoff = nameoff + ((namesz + 3) & ~(size_t)3);
		if (descoff > len || descsz > len - descoff)
			return;
		if (type == NT_GNU_BUILD_ID_ && namesz == 4 &&
		    memcmp(p + nameoff, "GNU", 4) == 0 && descsz > 0 &&
		    descsz <= KMAXBUILDID) {
			memcpy(k->buildid, p + descoff, descsz);
			k->buildidlen = descsz;
			k->buildid_va = va != 0 ? va + descoff : 0;
			return;
		}
		off = descoff + ((descsz + 3) & ~(size_t)3);
		if (off > len)
			return;
	}
}

static void
load_buildid(struct m2e_kernel *k, Elf *e, size_t shnum)
{
	Elf_Scn *scn;
	GElf_Shdr sh;
	GElf_Phdr ph;
	uint8_t *buf;
	size_t i, n, phnum;
	uint64_t off, size, va;
	int pass;

	buf = malloc(KMAXNOTE);
	if (buf == NULL)
		return;
	n = shnum > KMAXSECS ? KMAXSECS : shnum;
	if (elf_getphdrnum(e, &phnum) != 0)
		phnum = 0;
	if (phnum > KMAXSECS)
		phnum = KMAXSECS;
	/* Section headers first; program headers if they give nothing. */
	for (pass = 0; pass < 2 && k->buildidlen == 0; pass++) {
		for (i = pass == 0 ? 1 : 0; i < (pass == 0 ? n : phnum) &&
		    k->buildidlen == 0; i++) {
			if (pass == 0) {
				if ((scn = elf_getscn(e, i)) == NULL ||
				    gelf_getshdr(scn, &sh) == NULL ||
				    sh.sh_type != SHT_NOTE)
					continue;
				off = sh.sh_offset;
				size = sh.sh_size;
				va = (sh.sh_flags & SHF_ALLOC) ? sh.sh_addr : 0;
			} else {
				if (gelf_getphdr(e, (int)i, &ph) == NULL ||
				    ph.p_type != PT_NOTE)
					continue;
				off = ph.p_offset;
				size = ph.p_filesz;
				va = ph.p_vaddr;
			}
			if (size > KMAXNOTE)
				size = KMAXNOTE;
			if (kfile_pread(k, buf, (size_t)size, off) != 0)
				continue;
			parse_notes(k, buf, (size_t)size, va);
		}
	}
	free(buf);
}

/*
 * The .dynamic section and where its DT_DEBUG entry's d_val is (what
 * debuggers read to find r_debug), from the file's section headers.
 */
static void
load_dynamic(struct m2e_kernel *k, Elf *e, size_t shnum)
{
	Elf_Scn *scn;
	Elf_Data *data;
	GElf_Shdr sh;
	GElf_Dyn dyn;
	size_t i, j, n, entsz, ps;

	entsz = gelf_fsize(e, ELF_T_DYN, 1, EV_CURRENT);
	ps = k->elfclass == ELFCLASS64 ? 8 : 4;
	for (i = 1; i < shnum && i < KMAXSECS; i++) {
		if ((scn = elf_getscn(e, i)) == NULL ||
		    gelf_getshdr(scn, &sh) == NULL ||
		    sh.sh_type != SHT_DYNAMIC || (sh.sh_flags & SHF_ALLOC) == 0 ||
		    entsz == 0 || sh.sh_offset > k->filesize ||
		    sh.sh_size > k->filesize - sh.sh_offset ||
		    (data = elf_getdata(scn, NULL)) == NULL)
			continue;
		k->dynamic_va = sh.sh_addr;
		n = data->d_size / entsz;
		for (j = 0; j < n && j < KMAXSECS; j++) {
			if (gelf_getdyn(data, (int)j, &dyn) == NULL ||
			    dyn.d_tag == DT_NULL)
				break;
			if (dyn.d_tag == DT_DEBUG) {
				k->dtdebug_va = sh.sh_addr + j * entsz + ps;
				break;
			}
		}
		return;
	}
}

/* Find the symbol table: .symtab, else .dynsym. */
static Elf_Scn *
find_symtab(Elf *e, size_t shnum, GElf_Shdr *out)
{
	Elf_Scn *scn, *dyn;
	GElf_Shdr sh, dynsh;
	size_t i;

	dyn = NULL;
	memset(&dynsh, 0, sizeof(dynsh));
	for (i = 1; i < shnum && i < KMAXSECS; i++) {
		if ((scn = elf_getscn(e, i)) == NULL ||
		    gelf_getshdr(scn, &sh) == NULL)
			continue;
		if (sh.sh_type == SHT_SYMTAB && sh.sh_size > 0) {
			*out = sh;
			return (scn);
		}
		if (sh.sh_type == SHT_DYNSYM && sh.sh_size > 0 && dyn == NULL) {
			dyn = scn;
			dynsh = sh;
		}
	}
	*out = dynsh;
	return (dyn);
}

static int
load_symbols(md2elf_t *d, struct m2e_kernel *k, Elf *e, size_t shnum)
{
	Elf_Scn *scn, *strscn;
	Elf_Data *data;
	GElf_Shdr sh, strsh;
	GElf_Sym sym;
	size_t i, n, entsz, nname;
	struct ksym *s;
	uint8_t type, bind;

	if ((scn = find_symtab(e, shnum, &sh)) == NULL)
		return (m2e_err(d, "%s: no symbol table (.symtab or .dynsym)",
		    k->path));
	if (sh.sh_link == 0 || sh.sh_link >= shnum ||
	    (strscn = elf_getscn(e, sh.sh_link)) == NULL ||
	    gelf_getshdr(strscn, &strsh) == NULL ||
	    strsh.sh_type != SHT_STRTAB)
		return (m2e_err(d, "%s: symbol table's string table (section "
		    "%u) is not a string table", k->path, (unsigned)sh.sh_link));
	entsz = gelf_fsize(e, ELF_T_SYM, 1, EV_CURRENT);
	if (entsz == 0 || sh.sh_offset > k->filesize ||
	    sh.sh_size > k->filesize - sh.sh_offset)
		return (m2e_err(d, "%s: symbol table (%#jx bytes at offset "
		    "%#jx) extends past the end of the file", k->path,
		    (uintmax_t)sh.sh_size, (uintmax_t)sh.sh_offset));
	if (sh.sh_size / entsz > KMAXSYMS)
		return (m2e_err(d, "%s: symbol table claims %ju symbols (at "
		    "most %u accepted)", k->path, (uintmax_t)(sh.sh_size / entsz),
		    KMAXSYMS));
	if (strsh.sh_size == 0 || strsh.sh_size > KMAXSTRTAB ||
	    strsh.sh_offset > k->filesize ||
	    strsh.sh_size > k->filesize - strsh.sh_offset)
		return (m2e_err(d, "%s: string table (%#jx bytes at offset "
		    "%#jx) is empty, too large or past the end of the file",
		    k->path, (uintmax_t)strsh.sh_size,
		    (uintmax_t)strsh.sh_offset));

	/* Own copy of the strings, always NUL-terminated. */
	k->strsz = (size_t)strsh.sh_size;
	if ((k->strtab = malloc(k->strsz + 1)) == NULL)
		return (m2e_err(d, "%s: out of memory", k->path));
	if ((data = elf_getdata(strscn, NULL)) == NULL ||
	    data->d_buf == NULL || data->d_size != k->strsz)
		return (m2e_err(d, "%s: cannot read the string table: %s",
		    k->path, elf_errmsg(-1)));
	memcpy(k->strtab, data->d_buf, k->strsz);
	k->strtab[k->strsz] = '\0';

	if ((data = elf_getdata(scn, NULL)) == NULL)
		return (m2e_err(d, "%s: cannot read the symbol table: %s",
		    k->path, elf_errmsg(-1)));
	n = data->d_size / entsz;
	if (n > KMAXSYMS)
		n = KMAXSYMS;
	k->syms = calloc(n > 0 ? n : 1, sizeof(*k->syms));
	if (k->syms == NULL)
		return (m2e_err(d, "%s: out of memory", k->path));
	for (i = 1; i < n; i++) {
		if (gelf_getsym(data, (int)i, &sym) == NULL)
			break;
		type = GELF_ST_TYPE(sym.st_info);
		bind = GELF_ST_BIND(sym.st_info);
		if (sym.st_shndx == SHN_UNDEF || sym.st_name == 0 ||
		    sym.st_name >= k->strsz || type == STT_SECTION ||
		    type == STT_FILE)
			continue;
		s = &k->syms[k->nsyms++];
		s->value = sym.st_value;
		s->size = sym.st_size;
		s->name = k->strtab + sym.st_name;
		s->type = type;
		s->bind = bind;
		s->abs = sym.st_shndx == SHN_ABS;
		/* Addressable: code or data, not absolute constants. */
		if (s->abs || s->value == 0 || s->name[0] == '\0' ||
		    (type != STT_FUNC && type != STT_OBJECT &&
		    type != STT_NOTYPE))
			s->rank = 9;
		else if (s->size > 0 && (type == STT_FUNC || type == STT_OBJECT))
			s->rank = 0;
		else if (s->size > 0)
			s->rank = 1;
		else
			s->rank = 2;
	}
	if (k->nsyms == 0)
		return (m2e_err(d, "%s: symbol table has no usable symbols",
		    k->path));

	/* Address order; the name index is built after, on the final order. */
	qsort(k->syms, k->nsyms, sizeof(*k->syms), cmp_addr);
	k->naddr = 0;
	for (i = 0; i < k->nsyms; i++) {
		/* Non-addressable entries (rank 9) go after the others. */
		if (k->syms[i].rank != 9)
			k->naddr++;
	}
	/* Move the rank-9 entries to the end, keeping address order. */
	{
		struct ksym *tmp;
		size_t a, b;

		tmp = malloc(k->nsyms * sizeof(*tmp));
		if (tmp == NULL)
			return (m2e_err(d, "%s: out of memory", k->path));
		a = 0;
		b = k->naddr;
		for (i = 0; i < k->nsyms; i++) {
			if (k->syms[i].rank != 9)
				tmp[a++] = k->syms[i];
			else
				tmp[b++] = k->syms[i];
		}
		free(k->syms);
		k->syms = tmp;
	}
	nname = k->nsyms;
	k->byname = calloc(nname, sizeof(*k->byname));
	if (k->byname == NULL)
		return (m2e_err(d, "%s: out of memory", k->path));
	for (i = 0; i < nname; i++) {
		k->byname[i].name = k->syms[i].name;
		k->byname[i].idx = (uint32_t)i;
		k->byname[i].rank = k->syms[i].bind == STB_GLOBAL ? 0 :
		    k->syms[i].bind == STB_WEAK ? 1 : 2;
	}
	k->nbyname = nname;
	qsort(k->byname, nname, sizeof(*k->byname), cmp_name);
	return (0);
}

const struct ksym *
m2e_ksym_byname(const struct m2e_kernel *k, const char *name)
{
	size_t lo, hi, mid;
	int c;

	/* Lower bound: the first entry with this name has the best rank. */
	lo = 0;
	hi = k->nbyname;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(k->byname[mid].name, name);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < k->nbyname && strcmp(k->byname[lo].name, name) == 0)
		return (&k->syms[k->byname[lo].idx]);
	return (NULL);
}

static const struct ksym *
ksym_byaddr(const struct m2e_kernel *k, uint64_t addr)
{
	const struct ksym *s, *best;
	size_t lo, hi, mid, i, j, n;

	/* Last entry with value <= addr. */
	lo = 0;
	hi = k->naddr;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (k->syms[mid].value <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return (NULL);
	i = lo - 1;
	/* Entries at the same value are sorted by rank: take the first. */
	j = i;
	while (j > 0 && k->syms[j - 1].value == k->syms[i].value)
		j--;
	best = &k->syms[j];
	if (best->size == 0)
		return (best);		/* a label: extends to the next symbol */
	if (addr - best->value < best->size)
		return (best);
	/* Past its end: a sized symbol starting earlier may contain addr. */
	for (n = 0; j > 0 && n < KADDRBACK; n++) {
		s = &k->syms[--j];
		if (s->size > 0 && addr - s->value < s->size)
			return (s);
	}
	return (NULL);
}

int
m2e_kernel_open(md2elf_t *d, const char *path, int flags)
{
	struct m2e_kernel *k;
	struct stat st;
	Elf *e;
	GElf_Ehdr eh;
	size_t shnum;
	int rv;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return (m2e_err(d, "libelf: %s", elf_errmsg(-1)));
	if ((k = calloc(1, sizeof(*k))) == NULL ||
	    (k->path = strdup(path)) == NULL) {
		free(k);
		return (m2e_err(d, "%s: out of memory", path));
	}
	e = NULL;
	/* O_NONBLOCK: a FIFO is refused below, not waited on. */
	k->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (k->fd < 0) {
		rv = m2e_err(d, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (fstat(k->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rv = m2e_err(d, "%s: not a regular file", path);
		goto fail;
	}
	k->filesize = (uint64_t)st.st_size;
	if ((e = elf_begin(k->fd, ELF_C_READ, NULL)) == NULL ||
	    elf_kind(e) != ELF_K_ELF || gelf_getehdr(e, &eh) == NULL) {
		rv = m2e_err(d, "%s: not an ELF file%s%s", path,
		    e != NULL ? "" : ": ", e != NULL ? "" : elf_errmsg(-1));
		goto fail;
	}
	k->elfclass = eh.e_ident[EI_CLASS];
	k->machine = eh.e_machine;
	k->entry = eh.e_entry;
	if (d->arch != NULL && (k->machine != d->arch->elfmachine ||
	    k->elfclass != d->arch->elfclass ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB)) {
		rv = m2e_err(d, "kernel %s is %s (%s, %s) but the dump is %s",
		    path, machine_name(k->machine),
		    k->elfclass == ELFCLASS32 ? "ELFCLASS32" :
		    k->elfclass == ELFCLASS64 ? "ELFCLASS64" : "bad class",
		    eh.e_ident[EI_DATA] == ELFDATA2LSB ? "little-endian" :
		    "big-endian", d->arch->name);
		goto fail;
	}
	if (elf_getshdrnum(e, &shnum) != 0) {
		rv = m2e_err(d, "%s: bad section headers: %s", path,
		    elf_errmsg(-1));
		goto fail;
	}
	if ((rv = load_symbols(d, k, e, shnum)) != 0)
		goto fail;
	if ((rv = load_sections(d, k, e, shnum)) != 0)
		goto fail;
	load_buildid(k, e, shnum);
	load_dynamic(k, e, shnum);
	elf_end(e);
	e = NULL;

	/* A full dump's page tables: only the kernel's symbols find them. */
	if (d->full != NULL && (rv = m2e_full_setkernel(d, k)) != 0)
		goto fail;
	rv = m2e_kernel_matches(d, k);
	if (rv < 0) {
		d->errforcible = true;	/* MD2ELF_KERNEL_FORCE gets past it */
		if ((flags & MD2ELF_KERNEL_FORCE) == 0) {
			if (d->full != NULL)
				m2e_full_undo(d);
			goto fail;
		}
		m2e_warn(d, "%s (used anyway: forced)", m2e_errwhy(d));
	} else if (rv == 0)
		m2e_warn(d, "cannot check that kernel %s matches the dump (no "
		    "build id or version string to compare)", path);
	m2e_kernel_close(d);
	d->kern = k;
	return (0);
fail:
	if (e != NULL)
		elf_end(e);
	kernel_free(k);
	return (-1);
}

void
m2e_kernel_close(md2elf_t *d)
{
	kernel_free(d->kern);
	d->kern = NULL;
}

int
m2e_sym(md2elf_t *d, const char *name, uint64_t *value, uint64_t *size)
{
	const struct ksym *s;

	if (d->kern == NULL || (s = m2e_ksym_byname(d->kern, name)) == NULL)
		return (-1);
	*value = s->value;
	if (size != NULL)
		*size = s->size;
	return (0);
}

const char *
m2e_sym_name(md2elf_t *d, uint64_t addr, uint64_t *off)
{
	const struct ksym *s;

	if (d->kern == NULL || (s = ksym_byaddr(d->kern, addr)) == NULL)
		return (NULL);
	if (off != NULL)
		*off = addr - s->value;
	return (s->name);
}

uint64_t
m2e_kernel_entry(md2elf_t *d)
{
	return (d->kern != NULL ? d->kern->entry : 0);
}

const char *
m2e_kernel_path(md2elf_t *d)
{
	return (d->kern != NULL ? d->kern->path : NULL);
}

int
m2e_kernel_dtdebug(md2elf_t *d, uint64_t *slot, uint64_t *dynamic)
{
	if (d->kern == NULL || d->kern->dtdebug_va == 0)
		return (-1);
	*slot = d->kern->dtdebug_va;
	*dynamic = d->kern->dynamic_va;
	return (0);
}

const uint8_t *
m2e_kernel_buildid(md2elf_t *d, size_t *len)
{
	if (d->kern == NULL || d->kern->buildidlen == 0) {
		*len = 0;
		return (NULL);
	}
	*len = d->kern->buildidlen;
	return (d->kern->buildid);
}

int
m2e_kernel_fread(md2elf_t *d, uint64_t va, void *buf, size_t len)
{
	if (d->kern == NULL)
		return (-1);
	return (m2e_kfile_read_va(d->kern, va, buf, len));
}

int
m2e_kread_const(md2elf_t *d, uint64_t va, void *buf, size_t len)
{
	if (m2e_read_va(d, va, buf, len) == 0)
		return (0);
	return (m2e_kernel_fread(d, va, buf, len));
}

int
m2e_sym_int(md2elf_t *d, const char *name, int32_t *val)
{
	uint64_t va;
	uint8_t b[4];

	if (m2e_sym(d, name, &va, NULL) != 0 ||
	    m2e_kread_const(d, va, b, sizeof(b)) != 0)
		return (-1);
	*val = (int32_t)le32dec_(b);
	return (0);
}

int
m2e_osreldate(md2elf_t *d)
{
	int32_t v;

	if (d->kern == NULL)
		return (0);
	if (!d->kern->osreldate_done) {
		d->kern->osreldate_done = true;
		/* __FreeBSD_version: major * 100000 + ..., 2.x to 99.x */
		if (m2e_sym_int(d, "osreldate", &v) == 0 && v >= 200000 &&
		    v <= 9999999)
			d->kern->osreldate = v;
	}
	return (d->kern->osreldate);
}

int
md2elf_set_kernel(md2elf_t *d, const char *path, int flags)
{
	return (m2e_kernel_open(d, path, flags));
}

int
md2elf_lookup(md2elf_t *d, const char *name, uint64_t *value, uint64_t *size)
{
	if (d->kern == NULL)
		return (m2e_err(d, "no kernel set: cannot look up %s", name));
	if (m2e_sym(d, name, value, size) != 0)
		return (m2e_err(d, "symbol %s not found in kernel %s", name,
		    d->kern->path));
	return (0);
}

const char *
md2elf_symbolize(md2elf_t *d, uint64_t addr, uint64_t *off)
{
	return (m2e_sym_name(d, addr, off));
}
