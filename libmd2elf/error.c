/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * error.c: the handle's error string and warnings.  Every message is one
 * line that starts with the file name; m2e_err_at() and m2e_warn_at() add
 * the file offset.  The _forcible variants mark refusals that the FORCE
 * flags get past; quiet mode keeps speculative reads' errors aside.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md2elf_private.h"

/* "path: " or "path: offset 0x...: " (no path: quiet); its length. */
static size_t
m2e_prefix(const md2elf_t *d, bool path, int withoff, uint64_t off,
    char *buf, size_t len)
{
	const char *p;
	int n;

	p = d->path != NULL ? d->path : "md2elf";
	if (withoff)
		n = snprintf(buf, len, "%s%soffset %#jx: ", path ? p : "",
		    path ? ": " : "", (uintmax_t)(d->filebase + off));
	else
		n = snprintf(buf, len, "%s%s", path ? p : "", path ? ": " : "");
	return (n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n);
}

/* The message; forcible: the FORCE flags get past this refusal. */
static void
m2e_verr(md2elf_t *d, bool forcible, int withoff, uint64_t off,
    const char *fmt, va_list ap)
{
	char *buf;
	size_t n;

	if (d->quiet > 0)
		buf = d->qerr;
	else {
		buf = d->err;
		d->errforcible = forcible;
		d->errwhy = m2e_prefix(d, true, 0, 0, buf,
		    MD2ELF_ERRBUF_SIZE);
	}
	n = m2e_prefix(d, d->quiet == 0, withoff, off, buf,
	    MD2ELF_ERRBUF_SIZE);
	vsnprintf(buf + n, MD2ELF_ERRBUF_SIZE - n, fmt, ap);
}

int
m2e_err(md2elf_t *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	m2e_verr(d, false, 0, 0, fmt, ap);
	va_end(ap);
	return (-1);
}

int
m2e_err_at(md2elf_t *d, uint64_t off, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	m2e_verr(d, false, 1, off, fmt, ap);
	va_end(ap);
	return (-1);
}

int
m2e_err_forcible(md2elf_t *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	m2e_verr(d, true, 0, 0, fmt, ap);
	va_end(ap);
	return (-1);
}

int
m2e_err_at_forcible(md2elf_t *d, uint64_t off, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	m2e_verr(d, true, 1, off, fmt, ap);
	va_end(ap);
	return (-1);
}

static void
m2e_vwarn(md2elf_t *d, int withoff, uint64_t off, const char *fmt,
    va_list ap)
{
	char msg[MD2ELF_ERRBUF_SIZE];
	size_t n;

	if (d->warn == NULL && !d->opening)
		return;
	n = m2e_prefix(d, true, withoff, off, msg, sizeof(msg));
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	if (d->warn != NULL)
		d->warn(d->warnarg, msg);
	else if (d->npending < M2E_MAXPENDING)
		/* md2elf_open(): kept for md2elf_set_warn(). */
		memcpy(d->pending[d->npending++], msg, sizeof(msg));
}

void
m2e_warn(md2elf_t *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	m2e_vwarn(d, 0, 0, fmt, ap);
	va_end(ap);
}

void
m2e_warn_at(md2elf_t *d, uint64_t off, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	m2e_vwarn(d, 1, off, fmt, ap);
	va_end(ap);
}

const char *
m2e_errwhy(const md2elf_t *d)
{
	return (d->errwhy < sizeof(d->err) ? d->err + d->errwhy : "");
}

void
m2e_quiet(md2elf_t *d)
{
	if (d->quiet++ == 0)
		d->qerr[0] = '\0';
}

const char *
m2e_unquiet(md2elf_t *d)
{
	if (d->quiet > 0)
		d->quiet--;
	return (d->qerr);
}

const char *
md2elf_geterr(const md2elf_t *d)
{
	return (d->err);
}

int
md2elf_errforcible(const md2elf_t *d)
{
	return (d->errforcible ? 1 : 0);
}

void
md2elf_set_warn(md2elf_t *d, md2elf_warn_fn *fn, void *arg)
{
	size_t i;

	d->warn = fn;
	d->warnarg = arg;
	/* What opening found (the handle had no callback yet). */
	if (fn != NULL)
		for (i = 0; i < d->npending; i++)
			fn(arg, d->pending[i]);
	d->npending = 0;
}
