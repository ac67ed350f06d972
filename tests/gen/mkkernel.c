/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * mkkernel.c: writes the model's kernel as an ELF executable with libelf
 * (gelf API only): the real symbol addresses of the architecture plus the
 * model's symbols and functions, an entry point, sections .note.gnu.build-id
 * .text .rodata .data whose bytes are exactly what the model puts in dump
 * memory (except time_second, which a running kernel has changed), .bss,
 * and the program headers of a FreeBSD kernel.  Variants (mkkernel.h): no
 * exported offsets, or stripped (global symbols in .dynsym only).
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gelf.h>
#include <libelf.h>

#include "dumpout.h"
#include "mkkernel.h"

#define	NSEC		9	/* null .note .text .rodata .data .bss
				   .symtab .strtab .shstrtab */

static const char shstr[] = "\0.note.gnu.build-id\0.text\0.rodata\0.data\0"
    ".bss\0.symtab\0.strtab\0.shstrtab\0.dynsym\0.dynstr";
/* The same names and ".dynamic" (kernels with a .dynamic section). */
static const char shstr_dyn[] = "\0.note.gnu.build-id\0.text\0.rodata\0"
    ".data\0.bss\0.symtab\0.strtab\0.shstrtab\0.dynsym\0.dynstr\0.dynamic";

static size_t
shname(const char *n)
{
	size_t i;

	for (i = 1; i < sizeof(shstr_dyn); i += strlen(shstr_dyn + i) + 1)
		if (strcmp(shstr_dyn + i, n) == 0)
			return (i);
	return (0);
}

static void
seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static int
add_section(Elf *e, const char *name, GElf_Word type, GElf_Xword flags,
    uint64_t addr, uint64_t off, void *buf, uint64_t size, uint64_t align,
    Elf_Type dtype)
{
	Elf_Scn *s;
	Elf_Data *d;
	GElf_Shdr sh;

	s = elf_newscn(e);
	if (s == NULL)
		return (-1);
	d = elf_newdata(s);
	if (d == NULL)
		return (-1);
	d->d_buf = buf;
	d->d_size = size;
	d->d_type = dtype;
	d->d_align = align;
	d->d_off = 0;
	d->d_version = EV_CURRENT;
	if (gelf_getshdr(s, &sh) == NULL)
		return (-1);
	sh.sh_name = shname(name);
	sh.sh_type = type;
	sh.sh_flags = flags;
	sh.sh_addr = addr;
	sh.sh_offset = off;
	sh.sh_size = size;
	sh.sh_addralign = align;
	if (gelf_update_shdr(s, &sh) == 0)
		return (-1);
	return ((int)elf_ndxscn(s));
}

static int
secindex(enum gsec s)
{
	switch (s) {
	case SEC_NOTE:
		return (1);
	case SEC_TEXT:
		return (2);
	case SEC_RODATA:
		return (3);
	case SEC_DATA:
		return (4);
	case SEC_BSS:
		return (5);
	default:
		return (SHN_ABS);
	}
}

static bool
skip_sym(const struct gsym *s, int flags, int pass)
{
	if ((flags & KV_NOOFFSETS) && (strncmp(s->name, "proc_off_", 9) == 0 ||
	    strncmp(s->name, "thread_off_", 11) == 0))
		return (true);
	if ((flags & KV_NODUMPPCB) && strcmp(s->name, "dumppcb") == 0)
		return (true);
	if ((flags & KV_NOKLD) && strncmp(s->name, "kld_off_", 8) == 0)
		return (true);
	if ((flags & KV_STRIPPED) && !s->global)
		return (true);
	return (s->global != pass);
}

int
mkkernel_write(const struct model *m, const char *path, int flags,
    char *err, size_t errlen)
{
	const struct gen_arch *a = m->arch;
	const struct gsym *ts, *dyn;
	uint8_t *img, *syms;
	uint64_t dataend;
	char *strtab;
	size_t strsz, i, n, symsz, nlocal, k;
	uint64_t base, off[SEC_NSEC], len, shoff, stroff, symoff, shstroff;
	uint64_t phoff;
	size_t nph;
	GElf_Ehdr eh;
	GElf_Phdr ph;
	GElf_Sym sym;
	Elf_Data *sd;
	Elf_Scn *scn;
	Elf *e;
	int fd, rc, pass;

	rc = -1;
	e = NULL;
	img = syms = NULL;
	strtab = NULL;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		seterr(err, errlen, "libelf: %s", elf_errmsg(-1));
		return (-1);
	}
	fd = gen_create(path, O_RDWR, 0644);
	if (fd < 0) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	/* File offsets follow the virtual layout (2 MiB congruence). */
	base = a->sec_start[SEC_NOTE] & ~0x1fffffULL;
	for (i = SEC_NOTE; i < SEC_NSEC; i++)
		off[i] = a->sec_start[i] - base;
	/* The loaded image: note, text, rodata, data from the model. */
	len = a->sec_start[SEC_BSS] - a->sec_start[SEC_NOTE];
	img = malloc(len);
	if (img == NULL)
		goto nomem;
	model_read_pa(m, model_kva_to_pa(m, a->sec_start[SEC_NOTE]), img, len);
	ts = model_sym(m, "time_second");
	if (ts != NULL && ts->sec == SEC_DATA) {
		memset(img + (ts->va - a->sec_start[SEC_NOTE]), 0, ts->size);
		img[ts->va - a->sec_start[SEC_NOTE]] = 1;	/* boot value */
	}
	/* String table, locals first. */
	strsz = 1;
	for (i = 0; i < m->nsyms; i++)
		strsz += strlen(m->syms[i].name) + 1;
	strtab = calloc(1, strsz);
	e = elf_begin(fd, ELF_C_WRITE, NULL);
	if (strtab == NULL || e == NULL)
		goto elferr;
	dyn = (flags & KV_NODYNAMIC) ? NULL : model_sym(m, "_DYNAMIC");
	dataend = dyn != NULL ? dyn->va : a->sec_end[SEC_DATA];
	nph = dyn != NULL ? 4 : 3;	/* 2 PT_LOAD, PT_NOTE, PT_DYNAMIC */
	if (gelf_newehdr(e, a->elfclass) == NULL ||
	    gelf_newphdr(e, nph) == NULL)
		goto elferr;
	n = m->nsyms + 1;
	symsz = gelf_fsize(e, ELF_T_SYM, n, EV_CURRENT);
	syms = calloc(1, symsz);
	if (syms == NULL)
		goto nomem;
	symoff = (off[SEC_BSS] + 7) & ~7ULL;
	stroff = symoff + symsz;
	shstroff = stroff + strsz;
	shoff = (shstroff + (dyn != NULL ? sizeof(shstr_dyn) : sizeof(shstr)) +
	    7) & ~7ULL;
	/*
	 * The program headers after the ELF header if they fit before the
	 * first section (arm64's note is at 0x100: three fit, four do not),
	 * else after the section headers (elfutils zero-fills the gap
	 * between the last section and the section headers); libelf must
	 * not be handed extents that overlap (elftoolchain's elf_update
	 * refuses them, elfutils' writes the note over the headers).
	 */
	phoff = gelf_fsize(e, ELF_T_EHDR, 1, EV_CURRENT);
	if (phoff + gelf_fsize(e, ELF_T_PHDR, nph, EV_CURRENT) >
	    off[SEC_NOTE])
		phoff = shoff + gelf_fsize(e, ELF_T_SHDR, dyn != NULL ?
		    NSEC + 1 : NSEC, EV_CURRENT);
	if (add_section(e, ".note.gnu.build-id", SHT_NOTE, SHF_ALLOC,
	    a->sec_start[SEC_NOTE], off[SEC_NOTE], img,
	    a->sec_end[SEC_NOTE] - a->sec_start[SEC_NOTE], 4, ELF_T_BYTE) < 0 ||
	    add_section(e, ".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR,
	    a->sec_start[SEC_TEXT], off[SEC_TEXT],
	    img + (a->sec_start[SEC_TEXT] - a->sec_start[SEC_NOTE]),
	    a->sec_end[SEC_TEXT] - a->sec_start[SEC_TEXT], 16, ELF_T_BYTE) < 0 ||
	    add_section(e, ".rodata", SHT_PROGBITS, SHF_ALLOC,
	    a->sec_start[SEC_RODATA], off[SEC_RODATA],
	    img + (a->sec_start[SEC_RODATA] - a->sec_start[SEC_NOTE]),
	    a->sec_end[SEC_RODATA] - a->sec_start[SEC_RODATA], 16,
	    ELF_T_BYTE) < 0 ||
	    add_section(e, ".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE,
	    a->sec_start[SEC_DATA], off[SEC_DATA],
	    img + (a->sec_start[SEC_DATA] - a->sec_start[SEC_NOTE]),
	    dataend - a->sec_start[SEC_DATA], 16, ELF_T_BYTE) < 0 ||
	    add_section(e, ".bss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE,
	    a->sec_start[SEC_BSS], off[SEC_BSS], NULL,
	    a->sec_end[SEC_BSS] - a->sec_start[SEC_BSS], 128, ELF_T_BYTE) < 0 ||
	    add_section(e, flags & KV_STRIPPED ? ".dynsym" : ".symtab",
	    flags & KV_STRIPPED ? SHT_DYNSYM : SHT_SYMTAB, 0, 0, symoff, syms,
	    symsz, 8, ELF_T_SYM) < 0 ||
	    add_section(e, flags & KV_STRIPPED ? ".dynstr" : ".strtab",
	    SHT_STRTAB, 0, 0, stroff, strtab, strsz, 1, ELF_T_BYTE) < 0 ||
	    add_section(e, ".shstrtab", SHT_STRTAB, 0, 0, shstroff,
	    (void *)(uintptr_t)(dyn != NULL ? shstr_dyn : shstr),
	    dyn != NULL ? sizeof(shstr_dyn) : sizeof(shstr), 1,
	    ELF_T_BYTE) < 0)
		goto elferr;
	/* Section 9: .dynamic, the end of .data's range. */
	if (dyn != NULL) {
		GElf_Shdr dsh;

		if (add_section(e, ".dynamic", SHT_DYNAMIC, SHF_ALLOC |
		    SHF_WRITE, dyn->va, off[SEC_DATA] + (dyn->va -
		    a->sec_start[SEC_DATA]), img + (dyn->va -
		    a->sec_start[SEC_NOTE]), dyn->size, a->ptrsize,
		    ELF_T_BYTE) < 0 || (scn = elf_getscn(e, NSEC)) == NULL ||
		    gelf_getshdr(scn, &dsh) == NULL)
			goto elferr;
		dsh.sh_link = 7;
		dsh.sh_entsize = 2 * a->ptrsize;
		if (gelf_update_shdr(scn, &dsh) == 0)
			goto elferr;
	}
	/* Symbols: locals (binding LOCAL) first, then globals. */
	scn = elf_getscn(e, 6);
	sd = elf_getdata(scn, NULL);
	memset(&sym, 0, sizeof(sym));
	if (gelf_update_sym(sd, 0, &sym) == 0)
		goto elferr;
	k = 1;
	nlocal = 1;
	strsz = 1;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < m->nsyms; i++) {
			const struct gsym *s = &m->syms[i];
			int stype;

			if (skip_sym(s, flags, pass))
				continue;
			memset(&sym, 0, sizeof(sym));
			sym.st_name = (GElf_Word)strsz;
			memcpy(strtab + strsz, s->name, strlen(s->name) + 1);
			strsz += strlen(s->name) + 1;
			stype = s->type == GS_FUNC ? STT_FUNC :
			    s->type == GS_OBJECT ? STT_OBJECT : STT_NOTYPE;
			sym.st_info = GELF_ST_INFO(pass ? STB_GLOBAL :
			    STB_LOCAL, stype);
			sym.st_shndx = (GElf_Half)secindex(s->sec);
			sym.st_value = s->va;
			sym.st_size = s->size;
			if (gelf_update_sym(sd, (int)k++, &sym) == 0)
				goto elferr;
		}
		if (pass == 0)
			nlocal = k;
	}
	{
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) == NULL)
			goto elferr;
		sh.sh_link = 7;
		sh.sh_info = (GElf_Word)nlocal;
		sh.sh_entsize = gelf_fsize(e, ELF_T_SYM, 1, EV_CURRENT);
		if (gelf_update_shdr(scn, &sh) == 0)
			goto elferr;
	}
	/* ELF header. */
	if (gelf_getehdr(e, &eh) == NULL)
		goto elferr;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_OSABI] = (unsigned char)a->elfosabi;
	eh.e_type = ET_EXEC;
	eh.e_machine = (GElf_Half)a->elfmachine;
	eh.e_version = EV_CURRENT;
	eh.e_entry = a->entry;
	eh.e_phoff = phoff;
	eh.e_shoff = shoff;
	eh.e_shstrndx = NSEC - 1;
	if (gelf_update_ehdr(e, &eh) == 0)
		goto elferr;
	/* Program headers: text+rodata, data+bss, the build-id note. */
	memset(&ph, 0, sizeof(ph));
	ph.p_type = PT_LOAD;
	ph.p_flags = PF_R | PF_X;
	ph.p_offset = off[SEC_NOTE];
	ph.p_vaddr = a->sec_start[SEC_NOTE];
	ph.p_paddr = model_kva_to_pa(m, ph.p_vaddr);
	ph.p_filesz = ph.p_memsz = a->sec_start[SEC_DATA] -
	    a->sec_start[SEC_NOTE];
	ph.p_align = 0x1000;
	if (gelf_update_phdr(e, 0, &ph) == 0)
		goto elferr;
	ph.p_flags = PF_R | PF_W;
	ph.p_offset = off[SEC_DATA];
	ph.p_vaddr = a->sec_start[SEC_DATA];
	ph.p_paddr = model_kva_to_pa(m, ph.p_vaddr);
	ph.p_filesz = a->sec_start[SEC_BSS] - a->sec_start[SEC_DATA];
	ph.p_memsz = a->sec_end[SEC_BSS] - a->sec_start[SEC_DATA];
	if (gelf_update_phdr(e, 1, &ph) == 0)
		goto elferr;
	ph.p_type = PT_NOTE;
	ph.p_flags = PF_R;
	ph.p_offset = off[SEC_NOTE];
	ph.p_vaddr = a->sec_start[SEC_NOTE];
	ph.p_paddr = model_kva_to_pa(m, ph.p_vaddr);
	ph.p_filesz = ph.p_memsz = a->sec_end[SEC_NOTE] -
	    a->sec_start[SEC_NOTE];
	ph.p_align = 4;
	if (gelf_update_phdr(e, 2, &ph) == 0)
		goto elferr;
	if (dyn != NULL) {
		ph.p_type = PT_DYNAMIC;
		ph.p_flags = PF_R | PF_W;
		ph.p_offset = off[SEC_DATA] + (dyn->va - a->sec_start[SEC_DATA]);
		ph.p_vaddr = dyn->va;
		ph.p_paddr = model_kva_to_pa(m, ph.p_vaddr);
		ph.p_filesz = ph.p_memsz = dyn->size;
		ph.p_align = a->ptrsize;
		if (gelf_update_phdr(e, 3, &ph) == 0)
			goto elferr;
	}
	elf_flagelf(e, ELF_C_SET, ELF_F_LAYOUT);
	if (elf_update(e, ELF_C_WRITE) < 0)
		goto elferr;
	rc = 0;
	goto out;
nomem:
	seterr(err, errlen, "out of memory");
	goto out;
elferr:
	seterr(err, errlen, "%s: libelf: %s", path, elf_errmsg(-1));
out:
	if (e != NULL)
		elf_end(e);
	if (close(fd) != 0 && rc == 0) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	free(img);
	free(syms);
	free(strtab);
	return (rc);
}
