/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_common.c: the harnesses' shared part (see fuzz.h): reusable
 * temporary files in $TMPDIR, removed at exit, and the invariants checked
 * on every input besides memory safety: one-line error messages that name
 * the file, reads at kernel addresses that agree with the physical reads,
 * and cores whose headers, size and bytes agree with the reader.
 */
#include <sys/stat.h>

#include <errno.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

#define	NSLOT		3	/* 0, 1: inputs; 2: the core */
#define	SAMPLE		64	/* bytes compared per sampled place */
#define	MAXSAMPLE	48	/* PT_LOADs sampled per core */

int	fuzz_accepted;

static char	*slot_path[NSLOT];
static int	 slot_fd[NSLOT] = { -1, -1, -1 };

void
fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "fuzz: invariant: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

static void
slot_cleanup(void)
{
	int i;

	for (i = 0; i < NSLOT; i++) {
		if (slot_path[i] != NULL)
			(void)unlink(slot_path[i]);
		if (slot_fd[i] >= 0)
			close(slot_fd[i]);
		free(slot_path[i]);
		slot_path[i] = NULL;
		slot_fd[i] = -1;
	}
}

static int
slot_open(int slot)
{
	static int registered;
	const char *dir;
	size_t n;

	if (slot_fd[slot] >= 0)
		return (slot_fd[slot]);
	if (!registered) {
		atexit(slot_cleanup);
		registered = 1;
	}
	dir = getenv("TMPDIR");
	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	n = strlen(dir) + sizeof("/md2elf-fuzz.XXXXXX");
	if ((slot_path[slot] = malloc(n)) == NULL)
		fuzz_fail("out of memory");
	snprintf(slot_path[slot], n, "%s/md2elf-fuzz.XXXXXX", dir);
	if ((slot_fd[slot] = mkstemp(slot_path[slot])) < 0)
		fuzz_fail("cannot create a temporary file in %s: %s", dir,
		    strerror(errno));
	return (slot_fd[slot]);
}

const char *
fuzz_file(int slot, const uint8_t *data, size_t size)
{
	ssize_t w;
	size_t done;
	int fd;

	if (slot < 0 || slot > 1)
		fuzz_fail("bad slot %d", slot);
	fd = slot_open(slot);
	if (ftruncate(fd, 0) != 0)
		fuzz_fail("ftruncate: %s", strerror(errno));
	for (done = 0; done < size; done += (size_t)w) {
		w = pwrite(fd, data + done, size - done, (off_t)done);
		if (w < 0 && errno == EINTR) {
			w = 0;
			continue;
		}
		if (w <= 0)
			fuzz_fail("cannot write the input: %s",
			    strerror(errno));
	}
	return (slot_path[slot]);
}

int
fuzz_corefd(void)
{
	return (slot_open(2));
}

void
fuzz_check_err(const char *prefix, const char *msg, const char *call)
{
	size_t n;

	n = strlen(prefix);
	if (msg == NULL || msg[0] == '\0')
		fuzz_fail("%s failed without a message", call);
	if (strchr(msg, '\n') != NULL)
		fuzz_fail("%s: message of more than one line: %s", call, msg);
	if (strncmp(msg, prefix, n) != 0 || strncmp(msg + n, ": ", 2) != 0 ||
	    msg[n + 2] == '\0')
		fuzz_fail("%s: message does not start with \"%s: \": %s", call,
		    prefix, msg);
}

void
fuzz_warn(void *arg, const char *msg)
{
	(void)arg;
	if (msg == NULL || msg[0] == '\0' || strchr(msg, '\n') != NULL)
		fuzz_fail("bad warning \"%s\"", msg != NULL ? msg : "(null)");
}

void
fuzz_check_kread(md2elf_t *d, const char *prefix, uint64_t kva, size_t len)
{
	uint8_t a[8192], b[4096];
	uint64_t pa, va;
	size_t off, chunk;
	ssize_t r;

	if (len > sizeof(a))
		len = sizeof(a);
	r = md2elf_kread(d, kva, a, len);
	if (r < 0) {
		fuzz_check_err(prefix, md2elf_geterr(d), "md2elf_kread");
		return;
	}
	if ((size_t)r != len)
		fuzz_fail("md2elf_kread(%#jx, %zu) returned %zd",
		    (uintmax_t)kva, len, r);
	/* Page by page: the same bytes through kvtop and a physical read. */
	for (off = 0; off < len; off += chunk) {
		va = kva + off;
		chunk = 4096 - (size_t)(va & 4095);
		if (chunk > len - off)
			chunk = len - off;
		if (md2elf_kvtop(d, va, &pa) != 0)
			fuzz_fail("md2elf_kread(%#jx) worked but md2elf_kvtop"
			    "(%#jx) fails: %s", (uintmax_t)kva, (uintmax_t)va,
			    md2elf_geterr(d));
		if (md2elf_pread(d, pa, b, chunk) != (ssize_t)chunk)
			fuzz_fail("md2elf_kread(%#jx) worked but md2elf_pread"
			    "(%#jx) fails: %s", (uintmax_t)kva, (uintmax_t)pa,
			    md2elf_geterr(d));
		if (memcmp(a + off, b, chunk) != 0)
			fuzz_fail("md2elf_kread(%#jx) and md2elf_pread(%#jx) "
			    "disagree", (uintmax_t)va, (uintmax_t)pa);
	}
}

/* SAMPLE bytes at p_vaddr + at: the core's bytes and md2elf_kread's. */
static void
sample(md2elf_t *d, int fd, const GElf_Phdr *ph, uint64_t at)
{
	uint8_t core[SAMPLE], mem[SAMPLE];
	ssize_t r;

	r = pread(fd, core, SAMPLE, (off_t)(ph->p_offset + at));
	if (r != SAMPLE)
		fuzz_fail("cannot read the core at %#jx", (uintmax_t)
		    (ph->p_offset + at));
	if (md2elf_kread(d, ph->p_vaddr + at, mem, SAMPLE) != SAMPLE)
		fuzz_fail("PT_LOAD at %#jx (offset %#jx) in the core but "
		    "md2elf_kread(%#jx) fails: %s", (uintmax_t)ph->p_vaddr,
		    (uintmax_t)ph->p_offset, (uintmax_t)(ph->p_vaddr + at),
		    md2elf_geterr(d));
	if (memcmp(core, mem, SAMPLE) != 0)
		fuzz_fail("PT_LOAD at %#jx (paddr %#jx, offset %#jx): the "
		    "core's bytes at +%#jx differ from md2elf_kread's",
		    (uintmax_t)ph->p_vaddr, (uintmax_t)ph->p_paddr,
		    (uintmax_t)ph->p_offset, (uintmax_t)at);
}

void
fuzz_write_check(md2elf_t *d, const char *prefix, int linux_flavor)
{
	struct md2elf_write_opts o;
	struct md2elf_write_stats st;
	struct md2elf_info info;
	struct stat sb;
	GElf_Ehdr eh;
	GElf_Phdr ph;
	Elf *e;
	uint64_t prevend, step;
	size_t phnum, i;
	int fd, haveprev;

	fd = fuzz_corefd();
	memset(&o, 0, sizeof(o));
	o.flavor = linux_flavor ? MD2ELF_FLAVOR_LINUX : MD2ELF_FLAVOR_FREEBSD;
	if (md2elf_write_core(d, fd, &o, &st) != 0) {
		fuzz_check_err(prefix, md2elf_geterr(d), "md2elf_write_core");
		return;
	}
	if (md2elf_get_info(d, &info) != 0)
		fuzz_fail("md2elf_get_info fails after a core was written");
	if (fstat(fd, &sb) != 0 || (uint64_t)sb.st_size != st.file_size)
		fuzz_fail("core of %jd bytes, stats say %ju",
		    (intmax_t)sb.st_size, (uintmax_t)st.file_size);
	if (st.pages != info.pages || st.zero_pages > st.pages)
		fuzz_fail("core stats: %ju pages (%ju zero), dump has %ju",
		    (uintmax_t)st.pages, (uintmax_t)st.zero_pages,
		    (uintmax_t)info.pages);
	if (elf_version(EV_CURRENT) == EV_NONE)
		fuzz_fail("libelf: %s", elf_errmsg(-1));
	if ((e = elf_begin(fd, ELF_C_READ, NULL)) == NULL ||
	    gelf_getehdr(e, &eh) == NULL)
		fuzz_fail("the core is not an ELF file: %s", elf_errmsg(-1));
	if (eh.e_type != ET_CORE || eh.e_machine != info.elfmachine ||
	    eh.e_ident[EI_CLASS] != info.elfclass ||
	    eh.e_ident[EI_OSABI] != (linux_flavor ? ELFOSABI_NONE :
	    ELFOSABI_FREEBSD))
		fuzz_fail("core ELF header: type %u machine %u class %u "
		    "osabi %u", eh.e_type, eh.e_machine, eh.e_ident[EI_CLASS],
		    eh.e_ident[EI_OSABI]);
	if (elf_getphdrnum(e, &phnum) != 0 || phnum != st.segments + 1)
		fuzz_fail("core has %zu program headers, stats say %ju "
		    "segments + PT_NOTE", phnum, (uintmax_t)st.segments);
	if (gelf_getphdr(e, 0, &ph) == NULL || ph.p_type != PT_NOTE)
		fuzz_fail("program header 0 is not PT_NOTE");
	haveprev = 0;
	prevend = 0;
	step = phnum / MAXSAMPLE + 1;
	for (i = 1; i < phnum; i++) {
		if (gelf_getphdr(e, (int)i, &ph) == NULL ||
		    ph.p_type != PT_LOAD)
			fuzz_fail("program header %zu is not PT_LOAD", i);
		if (ph.p_filesz == 0 || ph.p_filesz != ph.p_memsz ||
		    ph.p_filesz % info.pagesize != 0 ||
		    ph.p_offset % info.pagesize != 0 ||
		    ph.p_offset > st.file_size ||
		    ph.p_filesz > st.file_size - ph.p_offset)
			fuzz_fail("PT_LOAD %zu: offset %#jx size %#jx in a "
			    "core of %#jx bytes", i, (uintmax_t)ph.p_offset,
			    (uintmax_t)ph.p_filesz, (uintmax_t)st.file_size);
		if (ph.p_vaddr + (ph.p_filesz - 1) < ph.p_vaddr)
			fuzz_fail("PT_LOAD %zu at %#jx wraps", i,
			    (uintmax_t)ph.p_vaddr);
		/* Ascending and disjoint (prevend: last byte + 1, 0: 2^64). */
		if (haveprev && (prevend == 0 || ph.p_vaddr < prevend))
			fuzz_fail("PT_LOAD %zu at %#jx overlaps or precedes the "
			    "one before", i, (uintmax_t)ph.p_vaddr);
		haveprev = 1;
		prevend = ph.p_vaddr + ph.p_filesz;
		if (i <= 8 || i + 8 >= phnum || i % step == 0) {
			sample(d, fd, &ph, 0);
			sample(d, fd, &ph, ph.p_filesz - SAMPLE);
		}
	}
	elf_end(e);
}

/* A string of at most max characters, none of them a control character. */
static bool
one_line(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || (unsigned char)s[i] < 0x20)
			return (false);
	return (true);
}

void
fuzz_modules(md2elf_t *d, const char *prefix)
{
	const struct md2elf_module *mods, *m;
	size_t i, j, n;

	if (md2elf_modules(d, 0, &mods, &n) != 0) {
		fuzz_check_err(prefix, md2elf_geterr(d), "md2elf_modules");
		return;
	}
	if (n > 4096 || (n > 0 && mods == NULL))
		fuzz_fail("md2elf_modules: %zu entries", n);
	for (i = 0; i < n; i++) {
		m = &mods[i];
		if ((m->filename != NULL && !one_line(m->filename, 1023)) ||
		    (m->pathname != NULL && !one_line(m->pathname, 1023)) ||
		    (m->status != NULL && !one_line(m->status, 4096)))
			fuzz_fail("md2elf_modules: entry %zu: a string that is "
			    "not one printable line", i);
		if (m->file == NULL && m->nsections != 0)
			fuzz_fail("md2elf_modules: entry %zu: sections without "
			    "a file", i);
		for (j = 0; j < m->nsections; j++)
			if (m->sections[j].name == NULL ||
			    m->sections[j].addr + m->sections[j].size <
			    m->sections[j].addr)
				fuzz_fail("md2elf_modules: entry %zu: section "
				    "%zu wraps", i, j);
	}
}
