/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * kernel_match.c: does a kernel belong to the dump (its build id in the
 * dump's memory, else its `version` string against the dump's memory or
 * the kerneldumpheader), and what md2elf_get_kernel_info() reports (the
 * version, *panicstr, osreldate, build id).  The ELF image itself is
 * kernel.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md2elf_private.h"
#include "kernel_int.h"

#define	KMAXVERSION	1024			/* bytes of `version` */
#define	KMAXPANICSTR	1024			/* bytes of *panicstr */

/* read_versions(): memory is readable but holds no version string. */
#define	NOT_A_VERSION		"\001"

/*
 * Compare two version strings the way the kerneldumpheader stores them:
 * the header keeps at most 191 characters and, when it truncated, puts a
 * newline in the next-to-last byte.  Trailing white space is ignored.
 */
static bool
version_eq(const char *a, const char *b, bool b_is_kdh)
{
	size_t la, lb;

	la = strlen(a);
	lb = strlen(b);
	while (la > 0 && (a[la - 1] == '\n' || a[la - 1] == ' ' ||
	    a[la - 1] == '\t' || a[la - 1] == '\r'))
		la--;
	while (lb > 0 && (b[lb - 1] == '\n' || b[lb - 1] == ' ' ||
	    b[lb - 1] == '\t' || b[lb - 1] == '\r'))
		lb--;
	if (b_is_kdh && lb >= 189) {
		/* Possibly truncated: compare the common prefix. */
		lb = 189;
		if (la < lb)
			return (false);
		return (memcmp(a, b, lb) == 0);
	}
	return (la == lb && memcmp(a, b, la) == 0);
}

/* A printable, NUL-terminated string of at least min characters. */
static bool
plausible_string(const char *s, size_t min)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++) {
		if ((unsigned char)s[n] < 0x20 && s[n] != '\n' && s[n] != '\t')
			return (false);
		if ((unsigned char)s[n] >= 0x7f)
			return (false);
	}
	return (n >= min);
}

/*
 * Read the C string at va (at most max - 1 characters) from dump memory,
 * page by page so that a string ending before an unmapped page is read.
 */
static int
read_cstr_mem(md2elf_t *d, uint64_t va, char *buf, size_t max)
{
	size_t got, chunk;

	got = 0;
	while (got < max - 1) {
		chunk = 4096 - (size_t)((va + got) & 4095);
		if (chunk > max - 1 - got)
			chunk = max - 1 - got;
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
	buf[got] = '\0';	/* got <= max - 1 */
	return (0);
}

/*
 * The `version` string of kernel k from the file (*fp) and from memory
 * (*mp), KMAXVERSION bytes each, for the caller to free; -1 (error set) if
 * out of memory.
 */
static int
read_versions(md2elf_t *d, struct m2e_kernel *k, char **fp, char **mp)
{
	const struct ksym *s;
	size_t len, max;
	char *f, *m;

	max = KMAXVERSION;
	*fp = f = malloc(max);
	*mp = m = malloc(max);
	if (f == NULL || m == NULL) {
		free(f);
		free(m);
		return (m2e_err(d, "%s: out of memory", k->path));
	}
	f[0] = m[0] = '\0';
	if ((s = m2e_ksym_byname(k, "version")) == NULL)
		return (0);
	/* File: up to the NUL, within the section holding the symbol. */
	len = m2e_kfile_avail(k, s->value);
	if (len > max - 1)
		len = max - 1;
	if (len > 0 && m2e_kfile_read_va(k, s->value, f, len) != 0)
		len = 0;
	f[len] = '\0';
	if (!plausible_string(f, 8))
		f[0] = '\0';
	if (read_cstr_mem(d, s->value, m, max) != 0)
		m[0] = '\0';
	else if (!plausible_string(m, 8))
		snprintf(m, max, "%s", NOT_A_VERSION);
	return (0);
}

/* p[0..n) as lower-case hex in out (outsz bytes, truncated, NUL-ended). */
void
m2e_hexstr(char *out, size_t outsz, const uint8_t *p, size_t n)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < n && 2 * i + 2 < outsz; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

/*
 * Version a (what awhat says, then amid) against b (bwhat): 1 if they are
 * the same, else -1 with the error naming both.
 */
static int
version_verdict(md2elf_t *d, const struct m2e_kernel *k, const char *a,
    const char *b, bool b_is_kdh, const char *awhat, const char *amid,
    const char *bwhat)
{
	if (version_eq(a, b, b_is_kdh))
		return (1);
	return (m2e_err(d, "kernel %s does not match the dump: %s \"%.*s\"%s, "
	    "%s \"%.*s\"", k->path, awhat, (int)strcspn(a, "\n"), a, amid,
	    bwhat, (int)strcspn(b, "\n"), b));
}

int
m2e_kernel_matches(md2elf_t *d, struct m2e_kernel *k)
{
	uint8_t mem[KMAXBUILDID];
	char hm[2 * KMAXBUILDID + 1], hf[2 * KMAXBUILDID + 1];
	char *fv, *mv;
	const char *kdhv;
	int rv;

	if (k->buildidlen > 0 && k->buildid_va != 0 &&
	    m2e_read_va(d, k->buildid_va, mem, k->buildidlen) == 0) {
		if (memcmp(mem, k->buildid, k->buildidlen) == 0)
			return (1);
		m2e_hexstr(hm, sizeof(hm), mem, k->buildidlen);
		m2e_hexstr(hf, sizeof(hf), k->buildid, k->buildidlen);
		return (m2e_err(d, "kernel %s does not match the dump: build id "
		    "%s in the dump's memory, %s in the file", k->path, hm, hf));
	}
	if (read_versions(d, k, &fv, &mv) != 0)
		return (-1);
	kdhv = d->has_kdh && d->kdh.versionstring[0] != '\0' ?
	    d->kdh.versionstring : NULL;
	rv = 0;
	if (strcmp(mv, NOT_A_VERSION) == 0) {
		if (m2e_ksym_byname(k, "version") != NULL)
			rv = m2e_err(d, "kernel %s does not match the dump: no "
			    "version string at its `version` symbol (%#jx) in "
			    "the dump's memory", k->path,
			    (uintmax_t)m2e_ksym_byname(k, "version")->value);
	} else if (fv[0] != '\0' && mv[0] != '\0')
		rv = version_verdict(d, k, fv, mv, false, "its version is", "",
		    "the dump's memory has");
	else if (fv[0] != '\0' && kdhv != NULL)
		rv = version_verdict(d, k, fv, kdhv, true, "its version is", "",
		    "the dump header has");
	else if (mv[0] != '\0' && kdhv != NULL)
		/* No contents in the file (kernel.debug): the symbol's
		 * address must hold the header's version in memory. */
		rv = version_verdict(d, k, mv, kdhv, true,
		    "its `version` symbol points at", " in the dump",
		    "the dump header has");
	free(fv);
	free(mv);
	return (rv);
}

int
md2elf_get_kernel_info(md2elf_t *d, struct md2elf_kernel_info *ki)
{
	struct m2e_kernel *k = d->kern;
	char *fv, *mv;
	uint64_t va, p;

	memset(ki, 0, sizeof(*ki));
	if (k == NULL)
		return (m2e_err(d, "no kernel set"));
	if (!k->info_done) {
		if (read_versions(d, k, &fv, &mv) != 0)
			return (-1);
		k->version = strdup(mv[0] != '\0' &&
		    strcmp(mv, NOT_A_VERSION) != 0 ? mv : fv);
		free(fv);
		free(mv);
		if (k->version == NULL)
			return (m2e_err(d, "%s: out of memory", k->path));
		if (m2e_sym(d, "panicstr", &va, NULL) == 0 &&
		    m2e_read_ptr(d, va, &p) == 0 && p != 0) {
			if ((k->panicstr = malloc(KMAXPANICSTR)) == NULL)
				return (m2e_err(d, "%s: out of memory",
				    k->path));
			if (read_cstr_mem(d, p, k->panicstr, KMAXPANICSTR) !=
			    0) {
				free(k->panicstr);
				k->panicstr = NULL;
			}
		}
		k->info_done = true;
	}
	ki->path = k->path;
	ki->version = k->version;
	ki->osreldate = m2e_osreldate(d);
	ki->panicstr = k->panicstr;
	ki->buildid = k->buildidlen > 0 ? k->buildid : NULL;
	ki->buildidlen = k->buildidlen;
	ki->entry = k->entry;
	ki->nsyms = k->nsyms;
	return (0);
}
