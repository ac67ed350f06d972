/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * error.c: the handle's error string and warnings.  Every message is one
 * line that starts with the file name; m2e_err_at() adds the file offset.
 * The _forcible variants mark refusals that the FORCE flags get past.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md2elf_private.h"

/* The message; forcible: the FORCE flags get past this refusal. */
static void
m2e_verr(md2elf_t *d, bool forcible, int withoff, uint64_t off,
    const char *fmt, va_list ap)
{
	const char *path;
	int n;

	d->errforcible = forcible;
	path = d->path != NULL ? d->path : "md2elf";
	if (withoff)
		n = snprintf(d->err, sizeof(d->err), "%s: offset %#jx: ", path,
		    (uintmax_t)(d->filebase + off));
	else
		n = snprintf(d->err, sizeof(d->err), "%s: ", path);
	if (n < 0 || (size_t)n >= sizeof(d->err))
		return;
	vsnprintf(d->err + n, sizeof(d->err) - n, fmt, ap);
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

void
m2e_warn(md2elf_t *d, const char *fmt, ...)
{
	char msg[MD2ELF_ERRBUF_SIZE];
	va_list ap;

	if (d->warn == NULL && !d->opening)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (d->warn != NULL)
		d->warn(d->warnarg, msg);
	else if (d->npending < M2E_MAXPENDING)
		/* md2elf_open(): kept for md2elf_set_warn(). */
		memcpy(d->pending[d->npending++], msg, sizeof(msg));
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
