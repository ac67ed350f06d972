/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_kernel.c: fuzz harness for the kernel ELF reader.  The input is a
 * kernel file, set with md2elf_set_kernel() (then forced if refused) on a
 * valid small dump named by $M2E_FUZZ_DUMP (made by mkseed from mkdump's
 * output, with the kernel the seeds come from); a colon-separated list
 * gives one dump per architecture, the one whose machine is the kernel's
 * e_machine is used.  An accepted kernel is then used:
 * md2elf_get_kernel_info(), symbol lookups and symbolization (checked
 * against each other), md2elf_msgbuf(), md2elf_threads(), a core with its
 * notes, checked like the dump harness checks it, and md2elf_modules().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define	MAXDUMPS	8

static char	*dumps[MAXDUMPS];
static unsigned	 machines[MAXDUMPS];
static int	 ndumps;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char errbuf[MD2ELF_ERRBUF_SIZE];
	struct md2elf_info info;
	const char *env;
	char *list, *p;
	md2elf_t *d;

	(void)argc;
	(void)argv;
	env = getenv("M2E_FUZZ_DUMP");
	if (env == NULL || env[0] == '\0') {
		fprintf(stderr, "fuzz_kernel: set M2E_FUZZ_DUMP to a small "
		    "valid dump (see tests/fuzz/README)\n");
		exit(2);
	}
	if ((list = strdup(env)) == NULL)
		exit(2);
	for (p = strtok(list, ":"); p != NULL && ndumps < MAXDUMPS;
	    p = strtok(NULL, ":")) {
		if ((d = md2elf_open(p, 0, errbuf)) == NULL ||
		    md2elf_get_info(d, &info) != 0) {
			fprintf(stderr, "fuzz_kernel: %s\n", errbuf);
			exit(2);
		}
		machines[ndumps] = info.elfmachine;
		if ((dumps[ndumps++] = strdup(p)) == NULL)
			exit(2);
		md2elf_close(d);
	}
	free(list);
	return (0);
}

/* The dump for a kernel: the one of its e_machine, else the first. */
static const char *
dump_for(const uint8_t *data, size_t size)
{
	unsigned m;
	int i;

	if (size >= 20 && memcmp(data, "\177ELF", 4) == 0) {
		m = data[18] | (unsigned)data[19] << 8;
		for (i = 0; i < ndumps; i++)
			if (machines[i] == m)
				return (dumps[i]);
	}
	return (dumps[0]);
}

static int
thread_cb(void *arg, const struct md2elf_thread *t)
{
	size_t *n = arg;

	if (memchr(t->comm, '\0', sizeof(t->comm)) == NULL ||
	    memchr(t->name, '\0', sizeof(t->name)) == NULL)
		fuzz_fail("thread %d: name not terminated", (int)t->tid);
	return (++*n >= 100000);
}

/* Symbolizing gives a named symbol at or below the address, or NULL. */
static void
symbolize(md2elf_t *d, uint64_t addr)
{
	const char *s;
	uint64_t off, v;

	off = 0;
	if ((s = md2elf_symbolize(d, addr, &off)) == NULL)
		return;
	if (s[0] == '\0')
		fuzz_fail("symbolize(%#jx): empty name", (uintmax_t)addr);
	if (md2elf_lookup(d, s, &v, NULL) != 0)
		fuzz_fail("symbolize(%#jx) = %s, which lookup cannot find",
		    (uintmax_t)addr, s);
}

static void
lookup(md2elf_t *d, const char *name)
{
	uint64_t v, sz;

	if (md2elf_lookup(d, name, &v, &sz) != 0)
		return;
	symbolize(d, v);
	symbolize(d, v + sz);
	symbolize(d, v - 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "version", "allproc", "msgbufp",
	    "osreldate", "panicstr", "dumppcb", "btext", "kernbase", "",
	    "no_such_symbol" };
	char errbuf[MD2ELF_ERRBUF_SIZE];
	struct md2elf_kernel_info ki;
	const char *kpath, *dump;
	md2elf_t *d;
	char *text;
	size_t i, len, n;

	fuzz_accepted = 0;
	dump = dump_for(data, size);
	kpath = fuzz_file(1, data, size);
	if ((d = md2elf_open(dump, 0, errbuf)) == NULL)
		fuzz_fail("the valid dump %s does not open: %s", dump, errbuf);
	md2elf_set_warn(d, fuzz_warn, NULL);
	if (md2elf_set_kernel(d, kpath, 0) == 0)
		fuzz_accepted = 1;
	else {
		fuzz_check_err(dump, md2elf_geterr(d), "md2elf_set_kernel");
		if (md2elf_set_kernel(d, kpath, MD2ELF_KERNEL_FORCE) != 0) {
			fuzz_check_err(dump, md2elf_geterr(d),
			    "md2elf_set_kernel(FORCE)");
			md2elf_close(d);
			return (0);
		}
	}
	if (md2elf_get_kernel_info(d, &ki) != 0)
		fuzz_check_err(dump, md2elf_geterr(d),
		    "md2elf_get_kernel_info");
	else if (ki.version == NULL || ki.path == NULL ||
	    (ki.buildid == NULL) != (ki.buildidlen == 0) ||
	    ki.buildidlen > 64)
		fuzz_fail("md2elf_get_kernel_info: inconsistent fields");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		lookup(d, names[i]);
	symbolize(d, 0);
	symbolize(d, UINT64_MAX);
	symbolize(d, 0xffffffff80200000ULL);
	symbolize(d, ki.entry);
	if (md2elf_msgbuf(d, &text, &len) == 0) {
		if (text == NULL || strlen(text) != len)
			fuzz_fail("md2elf_msgbuf: length %zu", len);
		free(text);
	} else
		fuzz_check_err(dump, md2elf_geterr(d), "md2elf_msgbuf");
	n = 0;
	if (md2elf_threads(d, thread_cb, &n) != 0)
		fuzz_check_err(dump, md2elf_geterr(d), "md2elf_threads");
	fuzz_write_check(d, dump, (int)(size & 1));
	fuzz_modules(d, dump);
	md2elf_close(d);
	return (0);
}
