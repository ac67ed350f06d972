/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * dump.c: the public handle: md2elf_open()/md2elf_openx() (input, format
 * probe, the architecture's init), md2elf_close(), md2elf_get_info() and
 * the public memory readers md2elf_kread(), md2elf_pread() and
 * md2elf_kvtop().
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md2elf_private.h"

#define	DUMP_HDRSZ		4096
#define	ELFOSABI_STANDALONE_	255
#define	ET_CORE_		4

/* Is hdr's NUL-padded magic field M2E_MD_PREFIX and the arch's name? */
static bool
dump_magic(const struct m2e_arch *a, const uint8_t *hdr, size_t hdrlen)
{
	size_t n, i;

	n = strlen(a->name);
	if (hdrlen < M2E_MD_MAGICLEN ||
	    M2E_MD_PREFIXLEN + n > M2E_MD_MAGICLEN ||
	    memcmp(hdr, M2E_MD_PREFIX, M2E_MD_PREFIXLEN) != 0 ||
	    memcmp(hdr + M2E_MD_PREFIXLEN, a->name, n) != 0)
		return (false);
	for (i = M2E_MD_PREFIXLEN + n; i < M2E_MD_MAGICLEN; i++)
		if (hdr[i] != '\0')
			return (false);
	return (true);
}

/*
 * The magic field hdr[0..len) as text for a message, every byte that is
 * not printable ASCII (and the quote and backslash) as \xNN: a field that
 * differs from a valid magic only in its padding must not print like it.
 */
static void
dump_escape(char *out, size_t outlen, const uint8_t *hdr, size_t len)
{
	size_t i, o;

	for (i = o = 0; i < len && o + 5 <= outlen; i++) {
		if (hdr[i] >= 0x20 && hdr[i] < 0x7f && hdr[i] != '"' &&
		    hdr[i] != '\\')
			out[o++] = (char)hdr[i];
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x",
			    hdr[i]);
	}
	out[o] = '\0';
}

static int
dump_probe(md2elf_t *d)
{
	const struct m2e_arch *const *ap;
	uint8_t hdr[DUMP_HDRSZ];
	char name[M2E_MD_MAGICLEN * 4 + 1];
	size_t hdrlen, n;
	uint16_t etype;

	if (d->len == 0)
		return (m2e_err_at(d, 0, "no dump data"));
	hdrlen = d->len < sizeof(hdr) ? (size_t)d->len : sizeof(hdr);
	if (m2e_read(d, hdr, hdrlen, 0, "dump header") != 0)
		return (-1);
	for (ap = m2e_arches; *ap != NULL; ap++) {
		if (!dump_magic(*ap, hdr, hdrlen))
			continue;
		d->arch = *ap;
		d->format = "minidump";
		if (d->has_kdh &&
		    strcmp(d->kdh.arch, (*ap)->machine_arch) != 0 &&
		    !d->md_layout)
			m2e_warn(d, "the kerneldumpheader says architecture "
			    "\"%s\" but the minidump is for %s", d->kdh.arch,
			    (*ap)->machine_arch);
		return ((*ap)->init(d, hdr, hdrlen));
	}
	if (hdrlen >= M2E_MD_PREFIXLEN &&
	    memcmp(hdr, M2E_MD_PREFIX, M2E_MD_PREFIXLEN) == 0) {
		n = hdrlen < M2E_MD_MAGICLEN ? hdrlen : M2E_MD_MAGICLEN;
		dump_escape(name, sizeof(name), hdr, n);
		return (m2e_err_at(d, 0, "unsupported minidump architecture "
		    "(magic \"%s\"%s)", name, n < M2E_MD_MAGICLEN ?
		    ", cut short" : ""));
	}
	if (hdrlen >= 18 && memcmp(hdr, "\177ELF", 4) == 0) {
		etype = hdr[5] == 2 ? (uint16_t)(hdr[16] << 8 | hdr[17]) :
		    (uint16_t)(hdr[16] | hdr[17] << 8);
		if (hdr[7] == ELFOSABI_STANDALONE_ && etype == ET_CORE_)
			return (m2e_full_probe(d, hdr, hdrlen));
		return (m2e_err_at(d, 0, "an ELF file (OS ABI %u, type %u), "
		    "not a FreeBSD kernel dump", hdr[7], etype));
	}
	return (m2e_err_at(d, 0, "unknown dump data: not a FreeBSD minidump "
	    "or full dump"));
}

/*
 * While decompressing (decompress.c): the header of the data so far,
 * probed as md2elf_open() does but in layout mode (sizes checked, section
 * offsets set, nothing loaded), so that m2e_md_limit() can go on from it.
 * m2e_probe_reset() forgets it before the real probe.
 */
int
m2e_probe_layout(md2elf_t *d)
{
	int rc;

	d->md_layout = true;
	rc = dump_probe(d);
	d->md_layout = false;
	if (d->arch != NULL && d->arch->fini != NULL)
		d->arch->fini(d);
	return (rc);
}

void
m2e_probe_reset(md2elf_t *d)
{
	m2e_md_free(d);
	memset(&d->md, 0, sizeof(d->md));
	d->arch = NULL;
	d->format = NULL;
}

md2elf_t *
md2elf_open(const char *path, int flags, char *errbuf)
{
	return (md2elf_openx(path, flags, errbuf, NULL));
}

md2elf_t *
md2elf_openx(const char *path, int flags, char *errbuf, int *forcible)
{
	return (md2elf_open_keys(path, flags, NULL, errbuf, forcible));
}

md2elf_t *
md2elf_open_keys(const char *path, int flags, const struct md2elf_keys *keys,
    char *errbuf, int *forcible)
{
	md2elf_t *d;

	if (forcible != NULL)
		*forcible = 0;
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		if (errbuf != NULL)
			snprintf(errbuf, MD2ELF_ERRBUF_SIZE, "%s: out of memory",
			    path);
		return (NULL);
	}
	d->fd = -1;
	if ((flags & ~MD2ELF_OPEN_FORCE) != 0) {
		m2e_err(d, "md2elf_open: unknown flags %#x", flags);
		goto fail;
	}
	d->openflags = flags;
	d->encryption = "none";
	if (keys != NULL && ((keys->privkey != NULL &&
	    (d->privkey = strdup(keys->privkey)) == NULL) ||
	    (keys->dumpkey != NULL &&
	    (d->dumpkey = strdup(keys->dumpkey)) == NULL))) {
		m2e_err(d, "out of memory");
		goto fail;
	}
	if (keys != NULL && keys->dumpkey != NULL && keys->privkey == NULL) {
		m2e_err(d, "a dump key file (%s) without the RSA private key",
		    keys->dumpkey);
		goto fail;
	}
	d->opening = true;
	if (m2e_input_open(d, path, flags) != 0 || dump_probe(d) != 0)
		goto fail;
	d->opening = false;
	return (d);
fail:
	if (errbuf != NULL)
		snprintf(errbuf, MD2ELF_ERRBUF_SIZE, "%s", d->err);
	if (forcible != NULL)
		*forcible = d->errforcible;
	md2elf_close(d);
	return (NULL);
}

int
md2elf_data_size(const char *path, uint64_t *size, char *errbuf)
{
	return (md2elf_data_size_keys(path, NULL, size, errbuf));
}

int
md2elf_data_size_keys(const char *path, const struct md2elf_keys *keys,
    uint64_t *size, char *errbuf)
{
	md2elf_t *d;
	int rc;

	*size = 0;
	if ((d = calloc(1, sizeof(*d))) != NULL)
		d->fd = -1;
	if (d == NULL || (keys != NULL && ((keys->privkey != NULL &&
	    (d->privkey = strdup(keys->privkey)) == NULL) ||
	    (keys->dumpkey != NULL &&
	    (d->dumpkey = strdup(keys->dumpkey)) == NULL)))) {
		if (errbuf != NULL)
			snprintf(errbuf, MD2ELF_ERRBUF_SIZE, "%s: out of memory",
			    path);
		if (d != NULL)
			md2elf_close(d);
		return (-1);
	}
	d->size_only = true;
	rc = m2e_input_open(d, path, MD2ELF_OPEN_FORCE);
	if (rc == 0)
		*size = d->len;
	else if (errbuf != NULL)
		snprintf(errbuf, MD2ELF_ERRBUF_SIZE, "%s", d->err);
	md2elf_close(d);
	return (rc);
}

void
md2elf_close(md2elf_t *d)
{
	if (d == NULL)
		return;
	if (d->kern != NULL)
		m2e_kernel_close(d);
	m2e_modules_free(d);
	if (d->arch != NULL && d->arch->fini != NULL)
		d->arch->fini(d);
	m2e_md_free(d);
	m2e_input_close(d);
	free(d->path);
	free(d->privkey);
	free(d->dumpkey);
	free(d);
}

int
md2elf_get_info(md2elf_t *d, struct md2elf_info *info)
{
	const struct m2e_minidump *md;

	memset(info, 0, sizeof(*info));
	if (d->arch == NULL)
		return (m2e_err(d, "no dump is open"));
	md = &d->md;
	info->arch = d->arch->name;
	info->format = d->format;
	info->format_version = (int)md->version;
	info->pae = md->pae;
	info->pagesize = md->pagesize;
	info->elfclass = d->arch->elfclass;
	info->elfmachine = d->arch->elfmachine;
	info->container = d->container;
	info->compression = d->compression;
	info->encryption = d->encryption;
	info->pages = md->npages;
	info->msgbufsize = md->msgbufsize;
	info->kernbase = md->kernbase;
	info->dmapbase = md->dmapbase;
	info->dmapend = md->dmapend;
	info->dmapphys = md->dmapphys;
	info->has_header = d->has_kdh;
	info->hostname = info->versionstring = info->panicstring = "";
	if (d->has_kdh) {
		info->dumptime = d->kdh.dumptime;
		info->hostname = d->kdh.hostname;
		info->versionstring = d->kdh.versionstring;
		info->panicstring = d->kdh.panicstring;
	}
	return (0);
}

ssize_t
md2elf_kread(md2elf_t *d, uint64_t kva, void *buf, size_t len)
{
	if (d->arch == NULL)
		return (m2e_err(d, "no dump is open"));
	if (len > SSIZE_MAX)
		return (m2e_err(d, "md2elf_kread: length %zu too large", len));
	if (m2e_read_va(d, kva, buf, len) != 0)
		return (-1);
	return ((ssize_t)len);
}

ssize_t
md2elf_pread(md2elf_t *d, uint64_t pa, void *buf, size_t len)
{
	if (d->arch == NULL)
		return (m2e_err(d, "no dump is open"));
	if (len > SSIZE_MAX)
		return (m2e_err(d, "md2elf_pread: length %zu too large", len));
	if (m2e_read_pa(d, pa, buf, len) != 0)
		return (-1);
	return ((ssize_t)len);
}

int
md2elf_kvtop(md2elf_t *d, uint64_t kva, uint64_t *pa)
{
	if (d->arch == NULL)
		return (m2e_err(d, "no dump is open"));
	if (d->arch->kvtop(d, kva, pa) != 0)
		return (m2e_err(d, "kernel address %#jx is not mapped in the "
		    "dump", (uintmax_t)kva));
	return (0);
}
