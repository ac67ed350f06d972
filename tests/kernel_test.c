/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * kernel_test.c: the kernel image layer (libmd2elf/kernel.c) against kernel
 * ELF files this test writes with libelf: symbols by name and address,
 * .dynsym fallback, build id, entry point, initialised bytes, the
 * architecture and version checks, and hostile files (sizes past the end,
 * bad links, out-of-range names, truncation) that must fail cleanly.
 *
 * The dump handle is built by hand (no dump memory): memory reads fail, so
 * constants come from the file and the version check uses the header's
 * versionstring.  Thread walks and memory checks are in threads_test.sh.
 */
#include <atf-c.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "md2elf_private.h"

#define	NOTE_VA		0xffffffff80200000ULL
#define	TEXT_VA		0xffffffff80201000ULL
#define	RO_VA		0xffffffff80300000ULL
#define	DATA_VA		0xffffffff80400000ULL
#define	BSS_VA		0xffffffff80500000ULL
#define	TEXT_SIZE	0x4000
#define	RO_SIZE		64
#define	DATA_SIZE	0x1000
#define	BSS_SIZE	0x100000

static const char VERSION[] =
    "FreeBSD 14.1-RELEASE releng/14.1-n267679-10e31f0946d8 GENERIC\n";

struct tsym {
	const char	*name;
	uint64_t	 value, size;
	int		 type, bind;
	int		 sec;		/* section index, 0: SHN_ABS */
};

/* Sections: 1 note, 2 text, 3 rodata, 4 data, 5 bss, 6 sym, 7 str, 8 shstr. */
static const struct tsym tsyms[] = {
	{ "btext", TEXT_VA, 0, STT_NOTYPE, STB_GLOBAL, 2 },
	{ "mi_switch", TEXT_VA + 0x100, 0x80, STT_FUNC, STB_GLOBAL, 2 },
	{ "sched_switch", TEXT_VA + 0x200, 0x100, STT_FUNC, STB_GLOBAL, 2 },
	{ "doadump", TEXT_VA + 0x500, 0x80, STT_FUNC, STB_GLOBAL, 2 },
	{ "doadump_label", TEXT_VA + 0x500, 0, STT_NOTYPE, STB_LOCAL, 2 },
	{ "Xlabel", TEXT_VA + 0x1000, 0, STT_NOTYPE, STB_LOCAL, 2 },
	{ "kernbase", 0xffffffff80000000ULL, 0, STT_NOTYPE, STB_GLOBAL, 0 },
	{ "proc_off_p_pid", RO_VA + 0, 4, STT_OBJECT, STB_GLOBAL, 3 },
	{ "pcb_size", RO_VA + 4, 4, STT_OBJECT, STB_GLOBAL, 3 },
	{ "osreldate", RO_VA + 8, 4, STT_OBJECT, STB_GLOBAL, 3 },
	{ "version", DATA_VA + 0x800, 8, STT_OBJECT, STB_LOCAL, 4 },
	{ "version", DATA_VA, sizeof(VERSION), STT_OBJECT, STB_GLOBAL, 4 },
	{ "allproc", BSS_VA, 8, STT_OBJECT, STB_GLOBAL, 5 },
	{ "dumppcb", BSS_VA + 0x100, 320, STT_OBJECT, STB_LOCAL, 5 },
};
#define	NTSYMS	(sizeof(tsyms) / sizeof(tsyms[0]))

struct tk {
	int		 elfclass, machine;
	bool		 dynsym;	/* .dynsym/.dynstr instead of .symtab */
	const char	*version;	/* contents of `version` */
	uint8_t		 bid0;		/* first build-id byte */
};

static void
addscn(Elf *e, size_t *shl, char *shstr, const char *name, unsigned type,
    uint64_t flags, uint64_t addr, void *buf, size_t len, unsigned link,
    size_t entsz, Elf_Type dt)
{
	Elf_Scn *s;
	Elf_Data *dd;
	GElf_Shdr sh;
	uint64_t align;

	/*
	 * Entries are aligned as their file type is: a 64-bit symbol table
	 * to 8 (elftoolchain's elf_update refuses less), 32-bit ones to 4;
	 * byte sections to 4.
	 */
	align = dt != ELF_T_BYTE && gelf_getclass(e) == ELFCLASS64 ? 8 : 4;
	ATF_REQUIRE((s = elf_newscn(e)) != NULL);
	ATF_REQUIRE((dd = elf_newdata(s)) != NULL);
	dd->d_buf = buf;
	dd->d_size = len;
	dd->d_type = dt;
	dd->d_align = align;
	dd->d_version = EV_CURRENT;
	ATF_REQUIRE(gelf_getshdr(s, &sh) != NULL);
	sh.sh_name = (unsigned)*shl;
	strcpy(shstr + *shl, name);
	*shl += strlen(name) + 1;
	sh.sh_type = type;
	sh.sh_flags = flags;
	sh.sh_addr = addr;
	sh.sh_link = link;
	sh.sh_entsize = entsz;
	sh.sh_addralign = align;
	sh.sh_size = len;
	ATF_REQUIRE(gelf_update_shdr(s, &sh) != 0);
}

/* Write a kernel-like ELF file. */
static void
tk_write(const char *path, const struct tk *k)
{
	static uint8_t note[36], text[TEXT_SIZE], ro[RO_SIZE], data[DATA_SIZE];
	static char shstr[256], str[4096];
	static Elf64_Sym s64[NTSYMS + 1];
	static Elf32_Sym s32[NTSYMS + 1];
	uint8_t *bss;
	GElf_Ehdr eh;
	Elf *e;
	size_t i, shl, strl;
	uint64_t mask;
	int fd;

	mask = k->elfclass == ELFCLASS32 ? 0xffffffffULL : ~0ULL;
	memset(note, 0, sizeof(note));
	le32enc_(note, 4);
	le32enc_(note + 4, 20);
	le32enc_(note + 8, 3);
	memcpy(note + 12, "GNU", 4);
	for (i = 0; i < 20; i++)
		note[16 + i] = (uint8_t)(k->bid0 + i);
	le32enc_(ro + 0, 0xb0);
	le32enc_(ro + 4, 320);
	le32enc_(ro + 8, 1401000);
	memset(data, 0, sizeof(data));
	snprintf((char *)data, sizeof(data), "%s",
	    k->version != NULL ? k->version : VERSION);
	ATF_REQUIRE((bss = calloc(1, BSS_SIZE)) != NULL);

	ATF_REQUIRE(elf_version(EV_CURRENT) != EV_NONE);
	ATF_REQUIRE((fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644)) >= 0);
	ATF_REQUIRE((e = elf_begin(fd, ELF_C_WRITE, NULL)) != NULL);
	ATF_REQUIRE(gelf_newehdr(e, k->elfclass) != NULL);
	ATF_REQUIRE(gelf_getehdr(e, &eh) != NULL);
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_OSABI] = ELFOSABI_FREEBSD;
	eh.e_type = ET_EXEC;
	eh.e_machine = (Elf64_Half)k->machine;
	eh.e_version = EV_CURRENT;
	eh.e_entry = TEXT_VA & mask;
	ATF_REQUIRE(gelf_update_ehdr(e, &eh) != 0);

	shl = 1;
	shstr[0] = '\0';
	addscn(e, &shl, shstr, ".note.gnu.build-id", SHT_NOTE, SHF_ALLOC,
	    NOTE_VA & mask, note, sizeof(note), 0, 0, ELF_T_BYTE);
	addscn(e, &shl, shstr, ".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR,
	    TEXT_VA & mask, text, sizeof(text), 0, 0, ELF_T_BYTE);
	addscn(e, &shl, shstr, ".rodata", SHT_PROGBITS, SHF_ALLOC,
	    RO_VA & mask, ro, sizeof(ro), 0, 0, ELF_T_BYTE);
	addscn(e, &shl, shstr, ".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE,
	    DATA_VA & mask, data, sizeof(data), 0, 0, ELF_T_BYTE);
	addscn(e, &shl, shstr, ".bss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE,
	    BSS_VA & mask, bss, BSS_SIZE, 0, 0, ELF_T_BYTE);

	strl = 1;
	memset(str, 0, sizeof(str));
	memset(s64, 0, sizeof(s64));
	memset(s32, 0, sizeof(s32));
	for (i = 0; i < NTSYMS; i++) {
		const struct tsym *t = &tsyms[i];
		unsigned shn = t->sec == 0 ? SHN_ABS : (unsigned)t->sec;

		s64[i + 1].st_name = s32[i + 1].st_name = (unsigned)strl;
		strcpy(str + strl, t->name);
		strl += strlen(t->name) + 1;
		s64[i + 1].st_value = t->value;
		s32[i + 1].st_value = (Elf32_Addr)(t->value & mask);
		s64[i + 1].st_size = t->size;
		s32[i + 1].st_size = (Elf32_Word)t->size;
		s64[i + 1].st_info = ELF64_ST_INFO(t->bind, t->type);
		s32[i + 1].st_info = ELF32_ST_INFO(t->bind, t->type);
		s64[i + 1].st_shndx = s32[i + 1].st_shndx = (Elf64_Half)shn;
	}
	if (k->elfclass == ELFCLASS64)
		addscn(e, &shl, shstr, k->dynsym ? ".dynsym" : ".symtab",
		    k->dynsym ? SHT_DYNSYM : SHT_SYMTAB, k->dynsym ? SHF_ALLOC : 0,
		    0, s64, sizeof(s64), 7, sizeof(Elf64_Sym), ELF_T_SYM);
	else
		addscn(e, &shl, shstr, k->dynsym ? ".dynsym" : ".symtab",
		    k->dynsym ? SHT_DYNSYM : SHT_SYMTAB, k->dynsym ? SHF_ALLOC : 0,
		    0, s32, sizeof(s32), 7, sizeof(Elf32_Sym), ELF_T_SYM);
	addscn(e, &shl, shstr, k->dynsym ? ".dynstr" : ".strtab", SHT_STRTAB, 0,
	    0, str, strl, 0, 0, ELF_T_BYTE);
	addscn(e, &shl, shstr, ".shstrtab", SHT_STRTAB, 0, 0, shstr,
	    sizeof(shstr), 0, 0, ELF_T_BYTE);
	ATF_REQUIRE(gelf_getehdr(e, &eh) != NULL);
	eh.e_shstrndx = 8;
	ATF_REQUIRE(gelf_update_ehdr(e, &eh) != 0);
	ATF_REQUIRE_MSG(elf_update(e, ELF_C_WRITE) >= 0, "elf_update: %s",
	    elf_errmsg(-1));
	elf_end(e);
	close(fd);
	free(bss);
}

static void
tk_amd64(const char *path)
{
	struct tk k = { ELFCLASS64, EM_X86_64, false, NULL, 0x10 };

	tk_write(path, &k);
}

/* File offset of section idx's header, and of its contents. */
static void
tk_section(const char *path, size_t idx, uint64_t *hdroff, uint64_t *off,
    uint64_t *size)
{
	GElf_Ehdr eh;
	GElf_Shdr sh;
	Elf *e;
	int fd;

	ATF_REQUIRE((fd = open(path, O_RDONLY)) >= 0);
	ATF_REQUIRE((e = elf_begin(fd, ELF_C_READ, NULL)) != NULL);
	ATF_REQUIRE(gelf_getehdr(e, &eh) != NULL);
	ATF_REQUIRE(gelf_getshdr(elf_getscn(e, idx), &sh) != NULL);
	*hdroff = eh.e_shoff + idx * eh.e_shentsize;
	*off = sh.sh_offset;
	*size = sh.sh_size;
	elf_end(e);
	close(fd);
}

static void
tk_patch(const char *path, uint64_t off, const void *buf, size_t len)
{
	int fd;

	ATF_REQUIRE((fd = open(path, O_RDWR)) >= 0);
	ATF_REQUIRE(pwrite(fd, buf, len, (off_t)off) == (ssize_t)len);
	close(fd);
}

static void
tk_patch64(const char *path, uint64_t off, uint64_t v)
{
	uint8_t b[8];

	le64enc_(b, v);
	tk_patch(path, off, b, 8);
}

static void
tk_patch32(const char *path, uint64_t off, uint32_t v)
{
	uint8_t b[4];

	le32enc_(b, v);
	tk_patch(path, off, b, 4);
}

/* A dump handle without memory, for the amd64 architecture. */
static md2elf_t *
handle(void)
{
	md2elf_t *d;

	ATF_REQUIRE((d = calloc(1, sizeof(*d))) != NULL);
	ATF_REQUIRE((d->path = strdup("vmcore.test")) != NULL);
	d->fd = -1;
	d->arch = &m2e_arch_amd64;
	d->format = "minidump";
	d->md.pagesize = 4096;
	return (d);
}

static void
handle_free(md2elf_t *d)
{
	m2e_kernel_close(d);
	free(d->path);
	free(d);
}

static int nwarn;
static char lastwarn[MD2ELF_ERRBUF_SIZE];

static void
warnfn(void *arg, const char *msg)
{
	(void)arg;
	nwarn++;
	snprintf(lastwarn, sizeof(lastwarn), "%s", msg);
}

static void
set_kdh_version(md2elf_t *d, const char *v)
{
	d->has_kdh = true;
	snprintf(d->kdh.versionstring, sizeof(d->kdh.versionstring), "%s", v);
}

ATF_TC_WITHOUT_HEAD(lookup);
ATF_TC_BODY(lookup, tc)
{
	md2elf_t *d = handle();
	uint64_t v, sz;

	tk_amd64("kernel");
	set_kdh_version(d, VERSION);
	ATF_REQUIRE_MSG(md2elf_set_kernel(d, "kernel", 0) == 0, "%s",
	    md2elf_geterr(d));
	ATF_CHECK(md2elf_lookup(d, "allproc", &v, &sz) == 0);
	ATF_CHECK_EQ(v, BSS_VA);
	ATF_CHECK_EQ(sz, 8);
	ATF_CHECK(md2elf_lookup(d, "dumppcb", &v, &sz) == 0);
	ATF_CHECK_EQ(v, BSS_VA + 0x100);
	ATF_CHECK_EQ(sz, 320);
	/* A global beats a local of the same name. */
	ATF_CHECK(md2elf_lookup(d, "version", &v, &sz) == 0);
	ATF_CHECK_EQ(v, DATA_VA);
	ATF_CHECK_EQ(sz, sizeof(VERSION));
	/* Absolute symbols are found by name. */
	ATF_CHECK(md2elf_lookup(d, "kernbase", &v, NULL) == 0);
	ATF_CHECK_EQ(v, 0xffffffff80000000ULL);
	ATF_CHECK(md2elf_lookup(d, "no_such_symbol", &v, &sz) == -1);
	ATF_CHECK(strstr(md2elf_geterr(d), "no_such_symbol") != NULL);
	ATF_CHECK(m2e_kernel_entry(d) == TEXT_VA);
	handle_free(d);
}

ATF_TC_WITHOUT_HEAD(lookup_no_kernel);
ATF_TC_BODY(lookup_no_kernel, tc)
{
	md2elf_t *d = handle();
	uint64_t v, off;

	ATF_CHECK(md2elf_lookup(d, "allproc", &v, NULL) == -1);
	ATF_CHECK(strstr(md2elf_geterr(d), "no kernel") != NULL);
	ATF_CHECK(md2elf_symbolize(d, TEXT_VA, &off) == NULL);
	ATF_CHECK(m2e_kernel_entry(d) == 0);
	handle_free(d);
}

ATF_TC_WITHOUT_HEAD(symbolize);
ATF_TC_BODY(symbolize, tc)
{
	md2elf_t *d = handle();
	const char *n;
	uint64_t off;

	tk_amd64("kernel");
	set_kdh_version(d, VERSION);
	ATF_REQUIRE(md2elf_set_kernel(d, "kernel", 0) == 0);
	n = md2elf_symbolize(d, TEXT_VA + 0x110, &off);
	ATF_CHECK(n != NULL && strcmp(n, "mi_switch") == 0 && off == 0x10);
	n = md2elf_symbolize(d, TEXT_VA + 0x2ff, &off);
	ATF_CHECK(n != NULL && strcmp(n, "sched_switch") == 0 && off == 0xff);
	/* The sized function wins over a label at the same address. */
	n = md2elf_symbolize(d, TEXT_VA + 0x505, &off);
	ATF_CHECK(n != NULL && strcmp(n, "doadump") == 0 && off == 5);
	/* Past the end of mi_switch, before sched_switch: nothing. */
	ATF_CHECK(md2elf_symbolize(d, TEXT_VA + 0x190, &off) == NULL);
	/* A size-0 label reaches up to the next symbol. */
	n = md2elf_symbolize(d, TEXT_VA + 0x1010, &off);
	ATF_CHECK(n != NULL && strcmp(n, "Xlabel") == 0 && off == 0x10);
	n = md2elf_symbolize(d, TEXT_VA + 0x10, &off);
	ATF_CHECK(n != NULL && strcmp(n, "btext") == 0 && off == 0x10);
	/* Data objects. */
	n = md2elf_symbolize(d, BSS_VA + 0x100 + 56, &off);
	ATF_CHECK(n != NULL && strcmp(n, "dumppcb") == 0 && off == 56);
	/* Below every symbol; absolute symbols (kernbase) do not count. */
	ATF_CHECK(md2elf_symbolize(d, 0x1000, &off) == NULL);
	ATF_CHECK(md2elf_symbolize(d, 0xffffffff80100000ULL, &off) == NULL);
	handle_free(d);
}

ATF_TC_WITHOUT_HEAD(dynsym_fallback);
ATF_TC_BODY(dynsym_fallback, tc)
{
	struct tk k = { ELFCLASS64, EM_X86_64, true, NULL, 0x10 };
	md2elf_t *d = handle();
	uint64_t v;

	tk_write("kernel", &k);
	set_kdh_version(d, VERSION);
	ATF_REQUIRE_MSG(md2elf_set_kernel(d, "kernel", 0) == 0, "%s",
	    md2elf_geterr(d));
	ATF_CHECK(md2elf_lookup(d, "sched_switch", &v, NULL) == 0);
	ATF_CHECK_EQ(v, TEXT_VA + 0x200);
	handle_free(d);
}

ATF_TC_WITHOUT_HEAD(buildid_and_consts);
ATF_TC_BODY(buildid_and_consts, tc)
{
	md2elf_t *d = handle();
	struct md2elf_kernel_info ki;
	const uint8_t *b;
	uint8_t buf[8];
	size_t len, i;
	int32_t v;

	tk_amd64("kernel");
	set_kdh_version(d, VERSION);
	ATF_REQUIRE(md2elf_set_kernel(d, "kernel", 0) == 0);
	b = m2e_kernel_buildid(d, &len);
	ATF_REQUIRE(b != NULL);
	ATF_REQUIRE_EQ(len, 20);
	for (i = 0; i < 20; i++)
		ATF_CHECK_EQ(b[i], 0x10 + i);
	/* Constants from the file (no memory in this handle). */
	ATF_CHECK(m2e_sym_int(d, "proc_off_p_pid", &v) == 0 && v == 0xb0);
	ATF_CHECK(m2e_sym_int(d, "pcb_size", &v) == 0 && v == 320);
	ATF_CHECK_EQ(m2e_osreldate(d), 1401000);
	/* .bss has no contents; a read past .rodata's end fails. */
	ATF_CHECK(m2e_sym_int(d, "allproc", &v) == -1);
	ATF_CHECK(m2e_kernel_fread(d, RO_VA + RO_SIZE - 4, buf, 8) == -1);
	ATF_CHECK(m2e_kernel_fread(d, RO_VA + RO_SIZE - 4, buf, 4) == 0);
	ATF_CHECK(m2e_kernel_fread(d, ~0ULL - 2, buf, 8) == -1);
	ATF_REQUIRE(md2elf_get_kernel_info(d, &ki) == 0);
	ATF_CHECK_STREQ(ki.version, VERSION);
	ATF_CHECK_EQ(ki.osreldate, 1401000);
	ATF_CHECK(ki.panicstr == NULL);
	ATF_CHECK_EQ(ki.buildidlen, 20);
	ATF_CHECK_EQ(ki.entry, TEXT_VA);
	ATF_CHECK_EQ(ki.nsyms, NTSYMS);
	handle_free(d);
}

ATF_TC_WITHOUT_HEAD(wrong_arch);
ATF_TC_BODY(wrong_arch, tc)
{
	struct tk k386 = { ELFCLASS32, EM_386, false, NULL, 0x10 };
	struct tk karm = { ELFCLASS64, EM_AARCH64, false, NULL, 0x10 };
	md2elf_t *d = handle();
	const char *e;

	tk_write("kernel.i386", &k386);
	tk_write("kernel.arm64", &karm);
	set_kdh_version(d, VERSION);
	/* Refused even when forced: nothing of it could be right. */
	ATF_CHECK(md2elf_set_kernel(d, "kernel.i386", MD2ELF_KERNEL_FORCE) ==
	    -1);
	e = md2elf_geterr(d);
	ATF_CHECK_MSG(strstr(e, "kernel.i386 is EM_386") != NULL &&
	    strstr(e, "ELFCLASS32") != NULL &&
	    strstr(e, "but the dump is amd64") != NULL, "%s", e);
	ATF_CHECK(md2elf_set_kernel(d, "kernel.arm64", 0) == -1);
	e = md2elf_geterr(d);
	ATF_CHECK_MSG(strstr(e, "EM_AARCH64") != NULL &&
	    strstr(e, "amd64") != NULL, "%s", e);
	ATF_CHECK(d->kern == NULL);
	handle_free(d);
}

ATF_TC_WITHOUT_HEAD(version_check);
ATF_TC_BODY(version_check, tc)
{
	struct tk other = { ELFCLASS64, EM_X86_64, false,
	    "FreeBSD 13.2-RELEASE releng/13.2-n254617 GENERIC\n", 0x10 };
	md2elf_t *d = handle();
	char longv[300];
	uint64_t v;

	tk_write("kernel.13", &other);
	md2elf_set_warn(d, warnfn, NULL);
	set_kdh_version(d, VERSION);
	ATF_CHECK(md2elf_set_kernel(d, "kernel.13", 0) == -1);
	ATF_CHECK_MSG(strstr(md2elf_geterr(d), "does not match") != NULL &&
	    strstr(md2elf_geterr(d), "13.2-RELEASE") != NULL &&
	    strstr(md2elf_geterr(d), "14.1-RELEASE") != NULL, "%s",
	    md2elf_geterr(d));
	ATF_CHECK(d->kern == NULL);
	/* Forced: accepted, with the mismatch as a warning. */
	nwarn = 0;
	ATF_CHECK(md2elf_set_kernel(d, "kernel.13", MD2ELF_KERNEL_FORCE) == 0);
	ATF_CHECK_EQ(nwarn, 1);
	ATF_CHECK(strstr(lastwarn, "forced") != NULL);
	ATF_CHECK(md2elf_lookup(d, "allproc", &v, NULL) == 0);

	/* Without any version to compare: accepted with a warning. */
	d->has_kdh = false;
	nwarn = 0;
	ATF_CHECK(md2elf_set_kernel(d, "kernel.13", 0) == 0);
	ATF_CHECK_EQ(nwarn, 1);
	ATF_CHECK(strstr(lastwarn, "cannot check") != NULL);

	/* A long version as the header truncates it (191 chars, '\n'). */
	memset(longv, 'x', sizeof(longv));
	memcpy(longv, "FreeBSD 15.0-CURRENT ", 21);
	longv[250] = '\n';
	longv[251] = '\0';
	other.version = longv;
	tk_write("kernel.long", &other);
	longv[190] = '\n';
	longv[191] = '\0';
	set_kdh_version(d, longv);
	ATF_CHECK_MSG(md2elf_set_kernel(d, "kernel.long", 0) == 0, "%s",
	    md2elf_geterr(d));
	longv[100] = 'y';
	set_kdh_version(d, longv);
	ATF_CHECK(md2elf_set_kernel(d, "kernel.long", 0) == -1);
	handle_free(d);
}

ATF_TC_WITHOUT_HEAD(not_elf);
ATF_TC_BODY(not_elf, tc)
{
	md2elf_t *d = handle();
	FILE *f;

	ATF_CHECK(md2elf_set_kernel(d, "nonexistent", 0) == -1);
	ATF_CHECK(strstr(md2elf_geterr(d), "nonexistent") != NULL);
	ATF_REQUIRE((f = fopen("text", "w")) != NULL);
	fprintf(f, "not a kernel\n");
	fclose(f);
	ATF_CHECK(md2elf_set_kernel(d, "text", 0) == -1);
	ATF_CHECK(strstr(md2elf_geterr(d), "not an ELF file") != NULL);
	ATF_CHECK(md2elf_set_kernel(d, ".", 0) == -1);
	handle_free(d);
}

/* Hostile files: each must be refused (or degrade) without a crash. */
ATF_TC_WITHOUT_HEAD(hostile_symtab_size);
ATF_TC_BODY(hostile_symtab_size, tc)
{
	md2elf_t *d = handle();
	uint64_t h, o, s;

	tk_amd64("kernel");
	tk_section("kernel", 6, &h, &o, &s);
	tk_patch64("kernel", h + 32, 0x7fffffffffff0000ULL);	/* sh_size */
	ATF_CHECK(md2elf_set_kernel(d, "kernel", 0) == -1);
	ATF_CHECK_MSG(strstr(md2elf_geterr(d), "past the end") != NULL, "%s",
	    md2elf_geterr(d));
	/* Claims more symbols than the cap but fits the file: no. */
	tk_amd64("kernel");
	tk_patch64("kernel", h + 24, 0);			/* sh_offset */
	tk_patch64("kernel", h + 32, 24ULL * 5000000);
	ATF_CHECK(md2elf_set_kernel(d, "kernel", 0) == -1);
	handle_free(d);
}

ATF_TC_WITHOUT_HEAD(hostile_strtab);
ATF_TC_BODY(hostile_strtab, tc)
{
	md2elf_t *d = handle();
	uint64_t h, o, s, v;
	const char *n;

	/* String table past the end of the file. */
	tk_amd64("kernel");
	tk_section("kernel", 7, &h, &o, &s);
	tk_patch64("kernel", h + 24, 0x100000000ULL);
	ATF_CHECK(md2elf_set_kernel(d, "kernel", 0) == -1);
	ATF_CHECK_MSG(strstr(md2elf_geterr(d), "string table") != NULL, "%s",
	    md2elf_geterr(d));
	/* sh_link to a section that is not a string table. */
	tk_amd64("kernel");
	tk_section("kernel", 6, &h, &o, &s);
	tk_patch32("kernel", h + 40, 2);
	ATF_CHECK(md2elf_set_kernel(d, "kernel", 0) == -1);
	tk_patch32("kernel", h + 40, 60000);
	ATF_CHECK(md2elf_set_kernel(d, "kernel", 0) == -1);
	/* One symbol's name beyond the string table: that symbol dropped. */
	tk_amd64("kernel");
	tk_section("kernel", 6, &h, &o, &s);
	tk_patch32("kernel", o + 2 * 24, 0x7fffffff);	/* mi_switch */
	set_kdh_version(d, VERSION);
	ATF_REQUIRE(md2elf_set_kernel(d, "kernel", 0) == 0);
	ATF_CHECK(md2elf_lookup(d, "mi_switch", &v, NULL) == -1);
	ATF_CHECK(md2elf_lookup(d, "sched_switch", &v, NULL) == 0);
	n = md2elf_symbolize(d, TEXT_VA + 0x110, &v);
	ATF_CHECK(n == NULL || strcmp(n, "mi_switch") != 0);
	handle_free(d);
}

ATF_TC_WITHOUT_HEAD(hostile_notes);
ATF_TC_BODY(hostile_notes, tc)
{
	md2elf_t *d = handle();
	uint64_t h, o, s;
	size_t len;

	/* namesz huge: no build id, but the kernel is usable. */
	tk_amd64("kernel");
	tk_section("kernel", 1, &h, &o, &s);
	tk_patch32("kernel", o, 0xfffffff0);
	set_kdh_version(d, VERSION);
	ATF_REQUIRE(md2elf_set_kernel(d, "kernel", 0) == 0);
	ATF_CHECK(m2e_kernel_buildid(d, &len) == NULL && len == 0);
	/* descsz beyond the section. */
	tk_amd64("kernel");
	tk_patch32("kernel", o + 4, 4000);
	ATF_REQUIRE(md2elf_set_kernel(d, "kernel", 0) == 0);
	ATF_CHECK(m2e_kernel_buildid(d, &len) == NULL);
	/* Note section size larger than the file. */
	tk_amd64("kernel");
	tk_patch64("kernel", h + 32, 0x10000000ULL);
	ATF_REQUIRE(md2elf_set_kernel(d, "kernel", 0) == 0);
	ATF_CHECK(m2e_kernel_buildid(d, &len) == NULL);
	handle_free(d);
}

ATF_TC_WITHOUT_HEAD(hostile_truncated);
ATF_TC_BODY(hostile_truncated, tc)
{
	md2elf_t *d = handle();
	uint64_t h, o, s;
	int fd;

	tk_amd64("kernel");
	tk_section("kernel", 6, &h, &o, &s);
	ATF_REQUIRE((fd = open("kernel", O_RDWR)) >= 0);
	ATF_REQUIRE(ftruncate(fd, (off_t)(o + s / 2)) == 0);
	close(fd);
	ATF_CHECK(md2elf_set_kernel(d, "kernel", 0) == -1);
	ATF_CHECK(d->kern == NULL);
	/* Truncated inside the ELF header. */
	ATF_REQUIRE((fd = open("kernel", O_RDWR)) >= 0);
	ATF_REQUIRE(ftruncate(fd, 20) == 0);
	close(fd);
	ATF_CHECK(md2elf_set_kernel(d, "kernel", 0) == -1);
	handle_free(d);
}

/* A failed set_kernel keeps the kernel that was set before. */
ATF_TC_WITHOUT_HEAD(replace);
ATF_TC_BODY(replace, tc)
{
	struct tk karm = { ELFCLASS64, EM_AARCH64, false, NULL, 0x10 };
	md2elf_t *d = handle();
	uint64_t v;

	tk_amd64("kernel");
	tk_write("kernel.arm64", &karm);
	set_kdh_version(d, VERSION);
	ATF_REQUIRE(md2elf_set_kernel(d, "kernel", 0) == 0);
	ATF_CHECK(md2elf_set_kernel(d, "kernel.arm64", 0) == -1);
	ATF_CHECK(md2elf_lookup(d, "allproc", &v, NULL) == 0);
	ATF_CHECK(md2elf_set_kernel(d, "kernel", 0) == 0);
	handle_free(d);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, lookup);
	ATF_TP_ADD_TC(tp, lookup_no_kernel);
	ATF_TP_ADD_TC(tp, symbolize);
	ATF_TP_ADD_TC(tp, dynsym_fallback);
	ATF_TP_ADD_TC(tp, buildid_and_consts);
	ATF_TP_ADD_TC(tp, wrong_arch);
	ATF_TP_ADD_TC(tp, version_check);
	ATF_TP_ADD_TC(tp, not_elf);
	ATF_TP_ADD_TC(tp, hostile_symtab_size);
	ATF_TP_ADD_TC(tp, hostile_strtab);
	ATF_TP_ADD_TC(tp, hostile_notes);
	ATF_TP_ADD_TC(tp, hostile_truncated);
	ATF_TP_ADD_TC(tp, replace);
	return (atf_no_error());
}
