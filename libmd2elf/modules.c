/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * modules.c: the loaded kernel modules (klds) and their files on this host.
 *
 * Owns md2elf_modules(): the walk of the kernel's linker_files TAILQ with
 * the offsets kern_linker.c exports for debuggers (kld_off_address,
 * kld_off_filename, kld_off_pathname, kld_off_next), the search for each
 * module's file (md2elf_module_dir(), the kernel's directory,
 * md2elf_set_sysroot() + the recorded path and the linker_path
 * directories, each with its .debug/.symbols variants and
 * /usr/lib/debug), the build-id check of ET_DYN modules against the
 * loaded image, and where each section of the file lies in kernel memory:
 *
 *   ET_REL (amd64): as sys/kern/link_elf_obj.c places them: in
 *   section-header order the non-empty SHF_ALLOC sections of type
 *   PROGBITS, NOBITS (and X86_64_UNWIND on amd64), each at the next
 *   multiple of its alignment, from the linker_file's address.
 *
 *   ET_DYN (i386, arm64, ...): as sys/kern/link_elf.c: the whole file
 *   slid by address - trunc_page(first PT_LOAD's p_vaddr).
 *
 * The id and size of a linker_file are not exported; struct linker_file
 * has had `int id; caddr_t address; size_t size;` in that order since
 * FreeBSD 4, so they are read at kld_off_address - sizeof(pointer) and
 * + sizeof(pointer), and shown only if plausible.
 *
 * Corrupt lists end the walk with a warning, never an error.  Caps:
 *   MMAXFILES   4096 linker files (a kernel with all of /boot/kernel
 *               loaded has ~900)
 *   MMAXSTR     1024 bytes of a name or path (MAXPATHLEN)
 *   MMAXOFF     4096, value of a kld_off_* (struct linker_file is ~200
 *               bytes)
 *   MMAXSECS    65536 sections of a module file looked at
 *   MMAXSIZE    4 GiB, a module's size
 * Module files are read through libelf, every offset bounded by it.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "md2elf_private.h"

#define	MMAXFILES	4096
#define	MMAXSTR		1024
#define	MMAXOFF		4096
#define	MMAXSECS	65536
#define	MMAXSIZE	(1ULL << 32)
#define	MMAXNOTE	65536		/* bytes of a note section read */
#define	MMAXBUILDID	64
#define	MMAXDIRS	64		/* linker_path entries used */
#define	MMAXWARN	10		/* per-module warnings, then a count */
#define	MMAXSYMS	(1 << 20)	/* symbols of a module file kept (zfs.ko
					   has ~20000) */

#define	SHT_X86_64_UNWIND_	0x70000001
#define	NT_GNU_BUILD_ID_	3
#define	DEFAULT_LINKER_PATH	"/boot/kernel;/boot/modules"

/* A module file's functions and objects at their addresses in memory. */
struct msym {
	uint64_t	 addr, size;
	char		*name;
};
struct msymtab {
	int		 loaded;	/* 1 read (n may be 0) */
	struct msym	*v;		/* ascending addr */
	size_t		 n;
};

struct m2e_modules {
	struct md2elf_module	*mods;
	struct msymtab		*symtabs;	/* per module, lazily */
	size_t			 n, cap;
	char			**dirs;		/* md2elf_module_dir() */
	size_t			 ndirs;
	char			*sysroot;
	char			*linker_path;	/* from memory, or default */
	size_t			 nwarn;
	int			 flags;		/* md2elf_modules() flags */
};

static struct m2e_modules *
mstate(md2elf_t *d)
{
	if (d->mods == NULL)
		d->mods = calloc(1, sizeof(*d->mods));
	return (d->mods);
}

/* Free a module's sections and forget them. */
static void
sections_clear(struct md2elf_module *m)
{
	size_t i;

	for (i = 0; m->sections != NULL && i < m->nsections; i++)
		free((void *)(uintptr_t)m->sections[i].name);
	free((void *)(uintptr_t)m->sections);
	m->sections = NULL;
	m->nsections = 0;
}

static void
mod_clear(struct md2elf_module *m)
{
	free((void *)(uintptr_t)m->filename);
	free((void *)(uintptr_t)m->pathname);
	free((void *)(uintptr_t)m->file);
	free((void *)(uintptr_t)m->status);
	sections_clear(m);
	memset(m, 0, sizeof(*m));
}

static void
symtabs_clear(struct m2e_modules *s)
{
	size_t i, j;

	for (i = 0; s->symtabs != NULL && i < s->n; i++) {
		for (j = 0; j < s->symtabs[i].n; j++)
			free(s->symtabs[i].v[j].name);
		free(s->symtabs[i].v);
	}
	free(s->symtabs);
	s->symtabs = NULL;
}

static void
list_clear(struct m2e_modules *s)
{
	size_t i;

	symtabs_clear(s);
	for (i = 0; i < s->n; i++)
		mod_clear(&s->mods[i]);
	s->n = 0;
	free(s->linker_path);
	s->linker_path = NULL;
	s->nwarn = 0;
}

void
m2e_modules_free(md2elf_t *d)
{
	struct m2e_modules *s = d->mods;
	size_t i;

	if (s == NULL)
		return;
	list_clear(s);
	free(s->mods);
	for (i = 0; i < s->ndirs; i++)
		free(s->dirs[i]);
	free(s->dirs);
	free(s->sysroot);
	free(s);
	d->mods = NULL;
}

const struct md2elf_module *
m2e_modules_list(md2elf_t *d, size_t *n)
{
	*n = d->mods != NULL ? d->mods->n : 0;
	return (*n > 0 ? d->mods->mods : NULL);
}

int
md2elf_module_dir(md2elf_t *d, const char *dir)
{
	struct m2e_modules *s;
	char **nd;

	if ((s = mstate(d)) == NULL ||
	    (nd = realloc(s->dirs, (s->ndirs + 1) * sizeof(*nd))) == NULL)
		return (m2e_err(d, "out of memory"));
	s->dirs = nd;
	if ((s->dirs[s->ndirs] = strdup(dir)) == NULL)
		return (m2e_err(d, "out of memory"));
	s->ndirs++;
	return (0);
}

int
md2elf_set_sysroot(md2elf_t *d, const char *dir)
{
	struct m2e_modules *s;
	char *p;

	if ((s = mstate(d)) == NULL || (p = strdup(dir)) == NULL)
		return (m2e_err(d, "out of memory"));
	free(s->sysroot);
	s->sysroot = p;
	return (0);
}

/* -- memory ------------------------------------------------------------ */

/*
 * The C string at va: 0 and *out (malloc'ed) if it is NUL-terminated
 * within MMAXSTR bytes and printable; 1 if it is readable but absurd
 * (why in *why); -1 if unreadable.
 */
static int
read_str(md2elf_t *d, uint64_t va, char **out, const char **why)
{
	char buf[MMAXSTR];
	size_t got, chunk, i;

	*out = NULL;
	got = 0;
	while (got < sizeof(buf)) {
		chunk = 4096 - (size_t)((va + got) & 4095);
		if (chunk > sizeof(buf) - got)
			chunk = sizeof(buf) - got;
		if (m2e_read_va(d, va + got, buf + got, chunk) != 0)
			break;
		if (memchr(buf + got, '\0', chunk) != NULL) {
			got += chunk;
			break;
		}
		got += chunk;
	}
	if (got == 0)
		return (-1);
	if (memchr(buf, '\0', got) == NULL) {
		*why = got == sizeof(buf) ? "no NUL within 1024 bytes" :
		    "runs into memory not in the dump";
		return (1);
	}
	for (i = 0; buf[i] != '\0'; i++)
		if ((unsigned char)buf[i] < 0x20 ||
		    (unsigned char)buf[i] >= 0x7f) {
			*why = "control or non-ASCII bytes";
			return (1);
		}
	if (i == 0) {
		*why = "empty";
		return (1);
	}
	if ((*out = strdup(buf)) == NULL)
		return (-1);
	return (0);
}

/* -- finding files ----------------------------------------------------- */

static int mod_file_try(md2elf_t *, struct md2elf_module *, const char *,
    char *, size_t);

/* Try path, path.debug and path.symbols (debug files first): 1 found. */
static int
try_variants(md2elf_t *d, struct md2elf_module *m, const char *path,
    char *why, size_t whylen)
{
	static const char *const sfx[] = { ".debug", ".symbols", "" };
	char p[PATH_MAX];
	size_t i;
	int r;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		if (snprintf(p, sizeof(p), "%s%s", path, sfx[i]) >=
		    (int)sizeof(p))
			continue;
		if ((r = mod_file_try(d, m, p, why, whylen)) != 0)
			return (r);
	}
	return (0);
}

static int
try_join(md2elf_t *d, struct md2elf_module *m, const char *a, const char *b,
    const char *c, char *why, size_t whylen)
{
	char p[PATH_MAX];

	if (snprintf(p, sizeof(p), "%s%s%s", a, b, c) >= (int)sizeof(p))
		return (0);
	return (try_variants(d, m, p, why, whylen));
}

/*
 * Where a module's file may be, in order: each -M directory, the kernel
 * file's directory, and under the sysroot: the recorded path, each
 * linker_path directory, and the same under /usr/lib/debug.  1 found, 0
 * not (why says what was wrong with a candidate, if one was).
 */
static int
find_file(md2elf_t *d, struct m2e_modules *s, struct md2elf_module *m,
    char *why, size_t whylen)
{
	char kdir[PATH_MAX], dir[PATH_MAX], *slash;
	const char *name, *lp, *e;
	size_t i, n;
	int r;

	name = m->filename;
	why[0] = '\0';
	for (i = 0; i < s->ndirs; i++)
		if ((r = try_join(d, m, s->dirs[i], "/", name, why,
		    whylen)) != 0)
			return (r);
	if (m2e_kernel_path(d) != NULL && snprintf(kdir, sizeof(kdir), "%s",
	    m2e_kernel_path(d)) < (int)sizeof(kdir)) {
		slash = strrchr(kdir, '/');
		if (slash != NULL)
			*slash = '\0';
		if ((r = try_join(d, m, slash != NULL ? kdir : ".", "/", name,
		    why, whylen)) != 0)
			return (r);
	}
	if (s->sysroot == NULL)
		return (0);
	if (m->pathname != NULL && m->pathname[0] == '/' &&
	    strstr(m->pathname, "/../") == NULL) {
		if ((r = try_join(d, m, s->sysroot, m->pathname, "", why,
		    whylen)) != 0 ||
		    (r = try_join(d, m, s->sysroot, "/usr/lib/debug",
		    m->pathname, why, whylen)) != 0)
			return (r);
	}
	lp = s->linker_path;
	for (n = 0; lp != NULL && *lp != '\0' && n < MMAXDIRS; n++) {
		e = strchr(lp, ';');
		i = e != NULL ? (size_t)(e - lp) : strlen(lp);
		if (i > 0 && i < sizeof(dir) && lp[0] == '/') {
			memcpy(dir, lp, i);
			dir[i] = '\0';
			if (strlen(dir) + strlen(name) + 2 <= sizeof(kdir) &&
			    strstr(dir, "/..") == NULL &&
			    snprintf(kdir, sizeof(kdir), "%s/%s", dir, name) > 0 &&
			    ((r = try_join(d, m, s->sysroot, kdir, "", why,
			    whylen)) != 0 ||
			    (r = try_join(d, m, s->sysroot, "/usr/lib/debug",
			    kdir, why, whylen)) != 0))
				return (r);
		}
		lp += i;
		if (*lp == ';')
			lp++;
	}
	return (0);
}

/* -- module files ------------------------------------------------------ */

static int
add_section(struct md2elf_module *m, size_t *cap, const char *name,
    uint64_t addr, uint64_t size)
{
	struct md2elf_module_section *ns, *sec;

	if (m->nsections == *cap) {
		*cap = *cap == 0 ? 16 : *cap * 2;
		ns = realloc((void *)(uintptr_t)m->sections,
		    *cap * sizeof(*ns));
		if (ns == NULL)
			return (-1);
		m->sections = ns;
	}
	sec = (struct md2elf_module_section *)(uintptr_t)
	    &m->sections[m->nsections];
	if ((sec->name = strdup(name)) == NULL)
		return (-1);
	sec->addr = addr;
	sec->size = size;
	m->nsections++;
	return (0);
}

/* The GNU build id of an allocated note section: 0 and *va, buf, *len. */
static int
note_buildid(int fd, const GElf_Shdr *sh, uint8_t *id, size_t *idlen,
    uint64_t *idoff)
{
	uint8_t *buf;
	size_t len, off, namesz, descsz, nameoff, descoff;
	int rc;

	len = sh->sh_size > MMAXNOTE ? MMAXNOTE : (size_t)sh->sh_size;
	if ((buf = malloc(len)) == NULL)
		return (-1);
	rc = -1;
	if (m2e_pread_full(fd, buf, len, sh->sh_offset, NULL) != (ssize_t)len)
		goto out;
	for (off = 0; len - off >= 12; ) {
		namesz = le32dec_(buf + off);
		descsz = le32dec_(buf + off + 4);
		nameoff = off + 12;
		if (namesz > len - nameoff)
			break;
		descoff = nameoff + ((namesz + 3) & ~(size_t)3);
		if (descoff > len || descsz > len - descoff)
			break;
		if (le32dec_(buf + off + 8) == NT_GNU_BUILD_ID_ &&
		    namesz == 4 && memcmp(buf + nameoff, "GNU", 4) == 0 &&
		    descsz > 0 && descsz <= MMAXBUILDID) {
			memcpy(id, buf + descoff, descsz);
			*idlen = descsz;
			*idoff = descoff;
			rc = 0;
			break;
		}
		off = descoff + ((descsz + 3) & ~(size_t)3);
	}
out:
	free(buf);
	return (rc);
}

/* Sections of an ET_REL module as link_elf_obj.c places them. */
static int
layout_rel(md2elf_t *d, struct md2elf_module *m, Elf *e, size_t shnum,
    size_t shstrndx, uint64_t *end, uint64_t *secaddr)
{
	Elf_Scn *scn;
	GElf_Shdr sh;
	const char *name;
	uint64_t base;
	size_t i, cap;
	bool amd64;

	amd64 = d->arch->elfmachine == EM_X86_64;
	base = m->address;
	cap = 0;
	for (i = 1; i < shnum && i < MMAXSECS; i++) {
		if ((scn = elf_getscn(e, i)) == NULL ||
		    gelf_getshdr(scn, &sh) == NULL || sh.sh_size == 0 ||
		    (sh.sh_flags & SHF_ALLOC) == 0)
			continue;
		if (sh.sh_type != SHT_PROGBITS && sh.sh_type != SHT_NOBITS &&
		    !(amd64 && sh.sh_type == SHT_X86_64_UNWIND_))
			continue;
		if (sh.sh_addralign > 1) {
			if ((sh.sh_addralign & (sh.sh_addralign - 1)) != 0 ||
			    base + sh.sh_addralign - 1 < base)
				return (-1);
			base = (base + sh.sh_addralign - 1) &
			    ~(sh.sh_addralign - 1);
		}
		if (sh.sh_size > MMAXSIZE || base + sh.sh_size < base)
			return (-1);
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (name == NULL || name[0] == '\0')
			name = sh.sh_type == SHT_NOBITS ? "<<NOBITS>>" :
			    "<<PROGBITS>>";
		if (add_section(m, &cap, name, base, sh.sh_size) != 0)
			return (-1);
		if (secaddr != NULL)
			secaddr[i] = base;
		base += sh.sh_size;
	}
	*end = base;
	return (0);
}

/* Sections of an ET_DYN module at address + bias. */
static int
layout_dyn(md2elf_t *d, struct md2elf_module *m, Elf *e, size_t shnum,
    size_t shstrndx, uint64_t *end)
{
	Elf_Scn *scn;
	GElf_Shdr sh;
	GElf_Phdr ph;
	const char *name;
	uint64_t vmin, vmax, ps;
	size_t i, phnum, cap;
	bool first;

	ps = d->md.pagesize != 0 ? d->md.pagesize : 4096;
	if (elf_getphdrnum(e, &phnum) != 0)
		return (-1);
	first = true;
	vmin = vmax = 0;
	for (i = 0; i < phnum && i < MMAXSECS; i++) {
		if (gelf_getphdr(e, (int)i, &ph) == NULL || ph.p_type != PT_LOAD)
			continue;
		if (first)
			vmin = ph.p_vaddr & ~(ps - 1);
		first = false;
		if (ph.p_vaddr + ph.p_memsz > vmax)
			vmax = ph.p_vaddr + ph.p_memsz;
	}
	if (first || vmax - vmin > MMAXSIZE)
		return (-1);
	m->bias = m->address - vmin;
	cap = 0;
	for (i = 1; i < shnum && i < MMAXSECS; i++) {
		if ((scn = elf_getscn(e, i)) == NULL ||
		    gelf_getshdr(scn, &sh) == NULL || sh.sh_size == 0 ||
		    (sh.sh_flags & SHF_ALLOC) == 0 || sh.sh_addr < vmin ||
		    sh.sh_addr + sh.sh_size > vmax)
			continue;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (name == NULL || name[0] == '\0')
			continue;
		if (add_section(m, &cap, name, m->bias + sh.sh_addr,
		    sh.sh_size) != 0)
			return (-1);
		if (strcmp(name, ".dynamic") == 0)
			m->dynamic = m->bias + sh.sh_addr;
	}
	*end = m->address + ((vmax - vmin + ps - 1) & ~(ps - 1));
	return (0);
}

/*
 * Check the ET_DYN image's build id against the file's: 1 same, 0 not
 * checkable, -1 different (why set).
 */
static int
check_buildid(md2elf_t *d, struct md2elf_module *m, Elf *e, int fd,
    size_t shnum, char *why, size_t whylen)
{
	Elf_Scn *scn;
	GElf_Shdr sh;
	uint8_t fid[MMAXBUILDID], mid[MMAXBUILDID];
	char hf[2 * MMAXBUILDID + 1], hm[2 * MMAXBUILDID + 1];
	uint64_t off;
	size_t i, len;

	for (i = 1; i < shnum && i < MMAXSECS; i++) {
		if ((scn = elf_getscn(e, i)) == NULL ||
		    gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_NOTE ||
		    (sh.sh_flags & SHF_ALLOC) == 0)
			continue;
		if (note_buildid(fd, &sh, fid, &len, &off) != 0)
			continue;
		if (m2e_read_va(d, m->bias + sh.sh_addr + off, mid, len) != 0)
			return (0);
		if (memcmp(fid, mid, len) == 0)
			return (1);
		m2e_hexstr(hm, sizeof(hm), mid, len);
		m2e_hexstr(hf, sizeof(hf), fid, len);
		snprintf(why, whylen, "build id %s in the dump's memory, %s in "
		    "the file", hm, hf);
		return (-1);
	}
	return (0);
}

/*
 * Is path this module's file?  1 yes (m->file etc. set), 0 no such file,
 * -1 a file that does not fit (why says why; the search goes on).
 */
static int
mod_file_try(md2elf_t *d, struct md2elf_module *m, const char *path,
    char *why, size_t whylen)
{
	struct stat st;
	GElf_Ehdr eh;
	Elf *e;
	char w[MD2ELF_ERRBUF_SIZE];
	uint64_t end;
	size_t shnum, shstrndx;
	int fd, rc, b;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return (0);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return (0);
	rc = 0;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (e == NULL || elf_kind(e) != ELF_K_ELF ||
	    gelf_getehdr(e, &eh) == NULL) {
		snprintf(why, whylen, "%.300s is not an ELF file", path);
		goto out;
	}
	if (eh.e_machine != d->arch->elfmachine ||
	    eh.e_ident[EI_CLASS] != d->arch->elfclass) {
		snprintf(why, whylen, "%.300s is for another architecture", path);
		goto out;
	}
	if (eh.e_type != ET_REL && eh.e_type != ET_DYN) {
		snprintf(why, whylen, "%.300s is neither ET_REL nor ET_DYN", path);
		goto out;
	}
	if (elf_getshdrnum(e, &shnum) != 0 ||
	    elf_getshdrstrndx(e, &shstrndx) != 0) {
		snprintf(why, whylen, "%.300s: bad section headers", path);
		goto out;
	}
	m->etype = eh.e_type;
	m->bias = m->dynamic = 0;
	if ((eh.e_type == ET_REL ? layout_rel(d, m, e, shnum, shstrndx, &end,
	    NULL) :
	    layout_dyn(d, m, e, shnum, shstrndx, &end)) != 0) {
		snprintf(why, whylen, "%.300s: its sections cannot be laid out",
		    path);
		goto reset;
	}
	w[0] = '\0';
	b = eh.e_type == ET_DYN ? check_buildid(d, m, e, fd, shnum, w,
	    sizeof(w)) : 0;
	m->buildid = b;
	if (b < 0) {
		if ((d->mods->flags & MD2ELF_MODULES_FORCE) == 0) {
			snprintf(why, whylen, "%.300s does not match: %s", path, w);
			m->forcible = 1;
			goto reset;
		}
		snprintf(why, whylen, "does not match: %s; used anyway "
		    "(forced)", w);
	} else if (m->size != 0 && end - m->address != m->size) {
		/* ET_REL sizes are exact; ET_DYN ones page-rounded. */
		snprintf(why, whylen, "%.300s: laid out it takes %#jx bytes, the "
		    "loaded module %#jx: not the same file?", path,
		    (uintmax_t)(end - m->address), (uintmax_t)m->size);
		if (eh.e_type == ET_REL)
			goto reset;
	} else
		why[0] = '\0';
	m->forcible = 0;
	if ((m->file = strdup(path)) == NULL)
		goto reset;
	rc = 1;
	goto out;
reset:
	sections_clear(m);
	m->etype = 0;
	m->buildid = 0;
	rc = -1;
out:
	if (e != NULL)
		elf_end(e);
	close(fd);
	return (rc == -1 ? 0 : rc);
}

/* -- the walk ---------------------------------------------------------- */

static void mwarn(md2elf_t *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
mwarn(md2elf_t *d, const char *fmt, ...)
{
	char msg[MD2ELF_ERRBUF_SIZE];
	va_list ap;

	if (d->mods->nwarn++ >= MMAXWARN)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	m2e_warn(d, "modules: %s", msg);
}

static struct md2elf_module *
mod_new(struct m2e_modules *s)
{
	struct md2elf_module *n;

	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 32 : s->cap * 2;
		if ((n = realloc(s->mods, s->cap * sizeof(*n))) == NULL)
			return (NULL);
		s->mods = n;
	}
	n = &s->mods[s->n++];
	memset(n, 0, sizeof(*n));
	return (n);
}

static int
set_status(struct md2elf_module *m, const char *msg)
{
	free((void *)(uintptr_t)m->status);
	m->status = msg[0] != '\0' ? strdup(msg) : NULL;
	return (0);
}

static const char *const koffnames[] = { "kld_off_address",
    "kld_off_filename", "kld_off_pathname", "kld_off_next" };

/* One linker_file at lf: 0 read (maybe with problems noted), -1 not. */
static int
read_lf(md2elf_t *d, uint64_t lf, const int32_t *o,
    uint64_t kernel_lf, struct md2elf_module *m)
{
	unsigned ps;
	uint64_t p, v;
	uint32_t id;
	const char *why;
	char msg[MD2ELF_ERRBUF_SIZE];
	int r;

	ps = d->arch->ptrsize;
	m->lf = lf;
	m->is_kernel = lf == kernel_lf;
	m->id = -1;
	if (m2e_read_ptr(d, lf + (uint64_t)o[0], &m->address) != 0)
		return (-1);
	if (m2e_read_u32(d, lf + (uint64_t)o[0] - ps, &id) == 0 && id > 0 &&
	    id < 1000000)
		m->id = (int)id;
	if (m2e_read_ptr(d, lf + (uint64_t)o[0] + ps, &v) == 0 && v > 0 &&
	    v <= MMAXSIZE)
		m->size = v;
	msg[0] = '\0';
	/* filename, pathname */
	if (m2e_read_ptr(d, lf + (uint64_t)o[1], &p) != 0 || p == 0 ||
	    (r = read_str(d, p, (char **)(uintptr_t)&m->filename, &why)) < 0)
		snprintf(msg, sizeof(msg), "its name is not in the dump");
	else if (r > 0)
		snprintf(msg, sizeof(msg), "its name at %#jx is absurd (%s)",
		    (uintmax_t)p, why);
	else if (strchr(m->filename, '/') != NULL ||
	    strcmp(m->filename, "..") == 0 || strcmp(m->filename, ".") == 0)
		snprintf(msg, sizeof(msg), "its name \"%s\" is not a file name",
		    m->filename);
	if (msg[0] != '\0') {
		free((void *)(uintptr_t)m->filename);
		m->filename = NULL;
	}
	if (m2e_read_ptr(d, lf + (uint64_t)o[2], &p) == 0 && p != 0 &&
	    (r = read_str(d, p, (char **)(uintptr_t)&m->pathname, &why)) > 0 &&
	    msg[0] == '\0')
		snprintf(msg, sizeof(msg), "its path at %#jx is absurd (%s)",
		    (uintmax_t)p, why);
	if (msg[0] != '\0')
		set_status(m, msg);
	return (0);
}

int
md2elf_modules(md2elf_t *d, int flags, const struct md2elf_module **list,
    size_t *n)
{
	struct m2e_modules *s;
	struct md2elf_module *m;
	uint64_t head, lf, next, kernel_lf, lpva, *seen;
	int32_t o[4];
	char missing[MD2ELF_ERRBUF_SIZE], why[MD2ELF_ERRBUF_SIZE];
	const char *lpwhy;
	size_t i, j, nseen;
	unsigned ps;
	int r;

	*list = NULL;
	*n = 0;
	if ((s = mstate(d)) == NULL)
		return (m2e_err(d, "out of memory"));
	list_clear(s);
	s->flags = flags;
	if (d->kern == NULL)
		return (m2e_err(d, "no kernel set: listing modules needs the "
		    "kernel's symbols"));
	ps = d->arch->ptrsize;
	missing[0] = '\0';
	for (i = 0; i < 4; i++) {
		if (m2e_sym_int(d, koffnames[i], &o[i]) != 0)
			snprintf(missing + strlen(missing), sizeof(missing) -
			    strlen(missing), "%s%s", missing[0] != '\0' ?
			    ", " : "", koffnames[i]);
		else if (o[i] < (int32_t)ps || o[i] > MMAXOFF ||
		    o[i] % (int32_t)ps != 0)
			return (m2e_err(d, "cannot list modules: absurd value "
			    "%d of %s", (int)o[i], koffnames[i]));
	}
	if (m2e_sym(d, "linker_files", &head, NULL) != 0)
		snprintf(missing + strlen(missing), sizeof(missing) -
		    strlen(missing), "%slinker_files", missing[0] != '\0' ?
		    ", " : "");
	if (missing[0] != '\0')
		return (m2e_err(d, "cannot list modules: the kernel lacks %s "
		    "(symbols FreeBSD exports for debuggers since about 10.3)",
		    missing));
	kernel_lf = 0;
	if (m2e_sym(d, "linker_kernel_file", &lf, NULL) == 0)
		(void)m2e_read_ptr(d, lf, &kernel_lf);
	if (m2e_sym(d, "linker_path", &lpva, NULL) != 0 ||
	    read_str(d, lpva, &s->linker_path, &lpwhy) != 0)
		s->linker_path = strdup(DEFAULT_LINKER_PATH);
	if (s->linker_path == NULL)
		return (m2e_err(d, "out of memory"));

	if (m2e_read_ptr(d, head, &lf) != 0) {
		mwarn(d, "linker_files at %#jx is not in the dump",
		    (uintmax_t)head);
		lf = 0;
	}
	if ((seen = calloc(MMAXFILES, sizeof(*seen))) == NULL)
		return (m2e_err(d, "out of memory"));
	nseen = 0;
	while (lf != 0) {
		if (nseen == MMAXFILES) {
			mwarn(d, "more than %u linker files: walk ended there "
			    "(cap)", MMAXFILES);
			break;
		}
		if ((lf & (ps - 1)) != 0) {
			mwarn(d, "misaligned linker_file pointer %#jx after %zu "
			    "files; walk ended", (uintmax_t)lf, nseen);
			break;
		}
		for (j = 0; j < nseen && seen[j] != lf; j++)
			;
		if (j < nseen) {
			mwarn(d, "linker_file %#jx seen before (cycle) after "
			    "%zu files; walk ended", (uintmax_t)lf, nseen);
			break;
		}
		seen[nseen++] = lf;
		if (m2e_read_ptr(d, lf + (uint64_t)o[3], &next) != 0 ||
		    (m = mod_new(s)) == NULL) {
			mwarn(d, "linker_file %#jx is not in the dump; walk "
			    "ended after %zu files", (uintmax_t)lf, nseen - 1);
			break;
		}
		if (read_lf(d, lf, o, kernel_lf, m) != 0) {
			s->n--;
			mwarn(d, "linker_file %#jx is not in the dump; walk "
			    "ended after %zu files", (uintmax_t)lf, nseen - 1);
			break;
		}
		lf = next;
	}
	free(seen);

	/* The files on this host. */
	for (i = 0; i < s->n; i++) {
		m = &s->mods[i];
		if (m->is_kernel) {
			if ((m->file = strdup(m2e_kernel_path(d))) == NULL)
				return (m2e_err(d, "out of memory"));
			continue;
		}
		if (m->filename == NULL)
			continue;		/* status says why */
		if (m->address == 0) {
			set_status(m, "its load address is 0");
			continue;
		}
		m->forcible = 0;
		r = find_file(d, s, m, why, sizeof(why));
		if (r == 0 && why[0] == '\0')
			snprintf(why, sizeof(why), "not found (give its "
			    "directory with -M, or --sysroot)");
		if (why[0] != '\0')
			set_status(m, why);
	}
	*list = s->mods;
	*n = s->n;
	if (s->nwarn > MMAXWARN)
		m2e_warn(d, "modules: %zu more problems not shown",
		    s->nwarn - MMAXWARN);
	return (0);
}

/* -- symbols of the module files --------------------------------------- */

static int
msym_cmp(const void *a, const void *b)
{
	const struct msym *x = a, *y = b;

	return (x->addr < y->addr ? -1 : x->addr > y->addr);
}

/*
 * Read m's file's functions and objects (.symtab, else .dynsym) at their
 * addresses in kernel memory: ET_REL by the section layout, ET_DYN slid
 * by the bias.  A file that cannot be read gives an empty table.
 */
static void
symtab_load(md2elf_t *d, const struct md2elf_module *m, struct msymtab *t)
{
	struct md2elf_module tmp;
	Elf_Scn *scn, *ssc;
	Elf_Data *sd;
	GElf_Shdr sh, ssh;
	GElf_Sym sym;
	GElf_Ehdr eh;
	uint64_t *secaddr, end, a, nsyms, j;
	const char *name;
	size_t shnum, shstrndx, i, cap;
	struct msym *v;
	Elf *e;
	int fd;

	t->loaded = 1;
	secaddr = NULL;
	e = NULL;
	if ((fd = open(m->file, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	if ((e = elf_begin(fd, ELF_C_READ, NULL)) == NULL ||
	    gelf_getehdr(e, &eh) == NULL || elf_getshdrnum(e, &shnum) != 0 ||
	    elf_getshdrstrndx(e, &shstrndx) != 0 || shnum > MMAXSECS)
		goto out;
	if (eh.e_type == ET_REL) {
		if ((secaddr = malloc(shnum * sizeof(*secaddr))) == NULL)
			goto out;
		for (i = 0; i < shnum; i++)
			secaddr[i] = UINT64_MAX;
		memset(&tmp, 0, sizeof(tmp));
		tmp.address = m->address;
		i = (size_t)layout_rel(d, &tmp, e, shnum, shstrndx, &end,
		    secaddr);
		sections_clear(&tmp);
		if (i != 0)
			goto out;
	}
	/* .symtab, else .dynsym. */
	ssc = NULL;
	memset(&ssh, 0, sizeof(ssh));
	cap = 0;
	for (scn = NULL; (scn = elf_nextscn(e, scn)) != NULL; )
		if (gelf_getshdr(scn, &sh) != NULL && (sh.sh_type ==
		    SHT_SYMTAB || (sh.sh_type == SHT_DYNSYM && ssc == NULL))) {
			ssc = scn;
			ssh = sh;
		}
	if (ssc == NULL || ssh.sh_entsize == 0 ||
	    (sd = elf_getdata(ssc, NULL)) == NULL)
		goto out;
	nsyms = ssh.sh_size / ssh.sh_entsize;
	if (nsyms > MMAXSYMS)
		nsyms = MMAXSYMS;
	for (j = 1; j < nsyms; j++) {
		if (gelf_getsym(sd, (int)j, &sym) == NULL)
			break;
		if ((GELF_ST_TYPE(sym.st_info) != STT_FUNC &&
		    GELF_ST_TYPE(sym.st_info) != STT_OBJECT) ||
		    sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE ||
		    (name = elf_strptr(e, ssh.sh_link, sym.st_name)) == NULL ||
		    name[0] == '\0')
			continue;
		if (secaddr != NULL) {
			if (sym.st_shndx >= shnum ||
			    secaddr[sym.st_shndx] == UINT64_MAX)
				continue;
			a = secaddr[sym.st_shndx] + sym.st_value;
		} else
			a = m->bias + sym.st_value;
		if (a < m->address || (m->size != 0 &&
		    a - m->address >= m->size))
			continue;
		if (t->n == cap) {
			cap = cap == 0 ? 64 : 2 * cap;
			if ((v = realloc(t->v, cap * sizeof(*v))) == NULL)
				break;
			t->v = v;
		}
		if ((t->v[t->n].name = strdup(name)) == NULL)
			break;
		t->v[t->n].addr = a;
		t->v[t->n].size = sym.st_size;
		t->n++;
	}
	if (t->n > 0)
		qsort(t->v, t->n, sizeof(*t->v), msym_cmp);
out:
	free(secaddr);
	if (e != NULL)
		elf_end(e);
	close(fd);
}

const char *
md2elf_module_symbolize(md2elf_t *d, uint64_t addr, uint64_t *off,
    const struct md2elf_module **mod)
{
	struct m2e_modules *s = d->mods;
	const struct md2elf_module *m;
	const struct msym *best;
	struct msymtab *t;
	size_t i, lo, hi, mid;

	if (s == NULL)
		return (NULL);
	for (i = 0; i < s->n; i++) {
		m = &s->mods[i];
		if (m->is_kernel || m->file == NULL || m->size == 0 ||
		    addr < m->address || addr - m->address >= m->size)
			continue;
		if (s->symtabs == NULL &&
		    (s->symtabs = calloc(s->n, sizeof(*s->symtabs))) == NULL)
			return (NULL);
		t = &s->symtabs[i];
		if (!t->loaded)
			symtab_load(d, m, t);
		/* The last symbol at or below addr that holds it. */
		lo = 0;
		hi = t->n;
		while (lo < hi) {
			mid = (lo + hi) / 2;
			if (t->v[mid].addr <= addr)
				lo = mid + 1;
			else
				hi = mid;
		}
		best = NULL;
		while (lo > 0 && best == NULL) {
			lo--;
			if (t->v[lo].size == 0 ||
			    addr - t->v[lo].addr < t->v[lo].size)
				best = &t->v[lo];
		}
		if (best == NULL)
			return (NULL);
		if (off != NULL)
			*off = addr - best->addr;
		if (mod != NULL)
			*mod = m;
		return (best->name);
	}
	return (NULL);
}
