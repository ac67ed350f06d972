/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_dump.c: fuzz harness for opening a dump from bytes.  The input is a
 * whole dump file (any container, any compression): md2elf_open() (then
 * again with MD2ELF_OPEN_FORCE if refused), md2elf_get_info(), reads at
 * kernel-map and direct-map addresses checked against md2elf_kvtop() and
 * md2elf_pread(), md2elf_msgbuf(), and md2elf_write_core() with the core
 * checked against md2elf_kread().  If $M2E_FUZZ_KERNEL names kernel ELF
 * files (colon-separated), the one of the dump's machine is set on the
 * dump (forced) first, so that the thread walk, the kernel-side message
 * buffer and the notes run over fuzzed memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define	MAXKERNELS	8

static char	*kernels[MAXKERNELS];
static unsigned	 machines[MAXKERNELS];
static int	 nkernels;

/* e_machine of an ELF file (0 if unreadable). */
static unsigned
elf_machine(const char *path)
{
	unsigned char h[20];
	FILE *f;
	unsigned m;

	m = 0;
	if ((f = fopen(path, "rb")) != NULL) {
		if (fread(h, 1, sizeof(h), f) == sizeof(h) &&
		    memcmp(h, "\177ELF", 4) == 0)
			m = h[18] | (unsigned)h[19] << 8;
		fclose(f);
	}
	return (m);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *env;
	char *list, *p;

	(void)argc;
	(void)argv;
	env = getenv("M2E_FUZZ_KERNEL");
	if (env == NULL || env[0] == '\0')
		return (0);
	if ((list = strdup(env)) == NULL)
		exit(2);
	for (p = strtok(list, ":"); p != NULL && nkernels < MAXKERNELS;
	    p = strtok(NULL, ":")) {
		machines[nkernels] = elf_machine(p);
		if ((kernels[nkernels++] = strdup(p)) == NULL)
			exit(2);
	}
	free(list);
	return (0);
}

/* The kernel for a dump of machine m, if any. */
static const char *
kernel_for(unsigned m)
{
	int i;

	for (i = 0; i < nkernels; i++)
		if (machines[i] == m)
			return (kernels[i]);
	return (NULL);
}

static int
thread_cb(void *arg, const struct md2elf_thread *t)
{
	size_t *n = arg;

	if (memchr(t->comm, '\0', sizeof(t->comm)) == NULL ||
	    memchr(t->name, '\0', sizeof(t->name)) == NULL)
		fuzz_fail("thread %d: name not terminated", (int)t->tid);
	if (t->regsource == NULL)
		fuzz_fail("thread %d: no register source", (int)t->tid);
	return (++*n >= 100000);
}

/* Reads at the addresses the dump describes, a few pages of each. */
static void
probe(md2elf_t *d, const char *path, const struct md2elf_info *info)
{
	static const uint64_t kmoff[] = { 0, 0x1000, 0x200000, 0x201000,
	    0x37c000, 0x15d1000, 0x1d50000 };
	static const uint64_t pa[] = { 0, 0x1000, 0x200000, 0x1e03000,
	    0x1e06000 };
	size_t i;

	for (i = 0; i < sizeof(kmoff) / sizeof(kmoff[0]); i++) {
		fuzz_check_kread(d, path, info->kernbase + kmoff[i], 64);
		fuzz_check_kread(d, path, info->kernbase + kmoff[i] + 4090,
		    12);
	}
	/* The kernel image of a FreeBSD/amd64 kernel, at its usual place. */
	fuzz_check_kread(d, path, 0xffffffff80201000ULL, 256);
	fuzz_check_kread(d, path, 0xffffffff815d1000ULL, 256);
	if (info->dmapend > info->dmapbase)
		for (i = 0; i < sizeof(pa) / sizeof(pa[0]); i++)
			fuzz_check_kread(d, path, info->dmapbase + pa[i], 128);
	fuzz_check_kread(d, path, UINT64_MAX - 15, 16);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char errbuf[MD2ELF_ERRBUF_SIZE];
	struct md2elf_info info;
	const char *path, *kernel;
	md2elf_t *d;
	char *text;
	size_t len, nthr;

	fuzz_accepted = 0;
	path = fuzz_file(0, data, size);
	if ((d = md2elf_open(path, 0, errbuf)) == NULL) {
		fuzz_check_err(path, errbuf, "md2elf_open");
		if ((d = md2elf_open(path, MD2ELF_OPEN_FORCE, errbuf)) ==
		    NULL) {
			fuzz_check_err(path, errbuf, "md2elf_open(FORCE)");
			return (0);
		}
	} else
		fuzz_accepted = 1;
	md2elf_set_warn(d, fuzz_warn, NULL);
	if (md2elf_get_info(d, &info) != 0)
		fuzz_fail("md2elf_get_info fails on an open dump: %s",
		    md2elf_geterr(d));
	if (info.arch == NULL || info.format == NULL ||
	    info.container == NULL || info.compression == NULL ||
	    info.hostname == NULL || info.versionstring == NULL ||
	    info.panicstring == NULL || info.pagesize < 4096 ||
	    (info.pagesize & (info.pagesize - 1)) != 0)
		fuzz_fail("md2elf_get_info: missing fields or page size %u",
		    info.pagesize);
	probe(d, path, &info);

	if ((kernel = kernel_for(info.elfmachine)) != NULL) {
		if (md2elf_set_kernel(d, kernel, MD2ELF_KERNEL_FORCE) != 0)
			fuzz_check_err(path, md2elf_geterr(d),
			    "md2elf_set_kernel");
		else {
			nthr = 0;
			if (md2elf_threads(d, thread_cb, &nthr) != 0)
				fuzz_check_err(path, md2elf_geterr(d),
				    "md2elf_threads");
		}
	}
	if (md2elf_msgbuf(d, &text, &len) == 0) {
		if (text == NULL || strlen(text) != len)
			fuzz_fail("md2elf_msgbuf: length %zu but string of %zu",
			    len, text != NULL ? strlen(text) : 0);
		free(text);
	} else
		fuzz_check_err(path, md2elf_geterr(d), "md2elf_msgbuf");
	fuzz_write_check(d, path, (int)(size & 1));
	if (kernel != NULL)
		fuzz_modules(d, path);
	md2elf_close(d);
	return (0);
}
