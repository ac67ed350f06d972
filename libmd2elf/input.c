/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * input.c: opening a dump file and finding the dump data in it, by content
 * only: a saved vmcore (data at offset 0), a file that starts with the
 * leading kerneldumpheader, or a raw dump-device image (trailing header at
 * the end, leading header before the data); then gzip or zstd
 * decompression; an encrypted dump's key block (its data is decrypted where
 * it is read, crypto.c).  Also m2e_read(), the bounds-checked read of dump
 * data.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "md2elf_private.h"

#define	IN_PROBESZ	4096
#define	IN_MAXBLOCK	(1024 * 1024)	/* largest sector size believed */

enum in_kind {
	IN_UNKNOWN, IN_MINIDUMP, IN_ELF, IN_GZIP, IN_ZSTD, IN_KDH, IN_TAR
};

static const char *const comp_names[] = { "none", "gzip", "zstd" };

int
m2e_read(md2elf_t *d, void *buf, size_t len, uint64_t off, const char *what)
{
	const char *has;
	ssize_t r;

	has = d->decompressed ? "decompressed data has" : "file has";
	if (off > d->len || len > d->len - off)
		return (m2e_err_at(d, off, "truncated %s (need %ju bytes, "
		    "%s %ju)", what, (uintmax_t)(d->filebase + off + len), has,
		    (uintmax_t)(d->filebase + d->len)));
	r = m2e_data_pread(d, d->fd, buf, len, d->base + off);
	if (r < 0)
		return (m2e_err_at(d, off, "cannot read %s: %s", what,
		    strerror(errno)));
	if ((size_t)r < len)
		return (m2e_err_at(d, off, "truncated %s (need %ju bytes, "
		    "%s %ju)", what, (uintmax_t)(d->filebase + off + len), has,
		    (uintmax_t)(d->filebase + off + (uint64_t)r)));
	return (0);
}

static enum in_kind
in_kind(const uint8_t *p, size_t n)
{
	if (n >= M2E_MD_PREFIXLEN &&
	    memcmp(p, M2E_MD_PREFIX, M2E_MD_PREFIXLEN) == 0)
		return (IN_MINIDUMP);
	if (n >= 4 && memcmp(p, "\177ELF", 4) == 0)
		return (IN_ELF);
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return (IN_GZIP);
	/* A zstd frame, or a skippable frame (magic 0x184d2a5?) first. */
	if (n >= 4 && (memcmp(p, "\x28\xb5\x2f\xfd", 4) == 0 ||
	    ((p[0] & 0xf0) == 0x50 && memcmp(p + 1, "\x2a\x4d\x18", 3) == 0)))
		return (IN_ZSTD);
	if (n >= 20 && (strncmp((const char *)p, KDH_MAGIC, 20) == 0 ||
	    strncmp((const char *)p, KDH_MAGIC_TEXT, 20) == 0 ||
	    strncmp((const char *)p, KDH_MAGIC_CLEARED, 20) == 0))
		return (IN_KDH);
	if (n >= 262 && memcmp(p + 257, "ustar", 5) == 0)
		return (IN_TAR);
	return (IN_UNKNOWN);
}

/* Checks common to a leading and a trailing header; at = file offset. */
static int
in_check_kdh(md2elf_t *d, const uint8_t *raw, uint64_t at, int flags)
{
	struct md2elf_kdh *h;
	char msg[128];

	h = &d->kdh;
	if (m2e_kdh_decode(raw, h, msg, sizeof(msg)) != 0)
		return (m2e_err(d, "offset %#jx: %s", (uintmax_t)at, msg));
	if (strcmp(h->magic, KDH_MAGIC_TEXT) == 0)
		return (m2e_err(d, "offset %#jx: a textdump (ddb's text "
		    "output, textdump(4)), not a memory dump: no ELF core can "
		    "be made from it", (uintmax_t)at));
	/*
	 * The cleared mark first: savecore(8) rewrites the magic without
	 * recomputing the parity, so a cleared header never has good parity.
	 */
	if (strcmp(h->magic, KDH_MAGIC_CLEARED) == 0 &&
	    !(flags & MD2ELF_OPEN_FORCE))
		return (m2e_err_forcible(d, "offset %#jx: the dump header is "
		    "marked \"%s\": savecore(8) already saved this dump",
		    (uintmax_t)at, KDH_MAGIC_CLEARED));
	if (!h->parity_ok && !(flags & MD2ELF_OPEN_FORCE))
		return (m2e_err_forcible(d, "offset %#jx: kerneldumpheader "
		    "parity error", (uintmax_t)at));
	if (h->keysize > M2E_MAXKEYBLOCK)
		return (m2e_err(d, "offset %#jx: kerneldumpheader key size %u "
		    "(at most %d: a kerneldumpkey with an RSA-encrypted key)",
		    (uintmax_t)at, h->keysize, M2E_MAXKEYBLOCK));
	if (h->blocksize < 512 || h->blocksize > IN_MAXBLOCK ||
	    (h->blocksize & (h->blocksize - 1)) != 0)
		return (m2e_err(d, "offset %#jx: kerneldumpheader block size "
		    "%u is not a power of two between 512 and %u",
		    (uintmax_t)at, h->blocksize, IN_MAXBLOCK));
	if (h->compression < MD2ELF_COMP_NONE ||
	    h->compression > MD2ELF_COMP_ZSTD)
		return (m2e_err(d, "offset %#jx: unknown compression %d in "
		    "the kerneldumpheader", (uintmax_t)at, h->compression));
	/* savecore(8) would save an empty vmcore, which is no dump either. */
	if (h->dumplength == 0)
		return (m2e_err(d, "offset %#jx: kerneldumpheader dump length "
		    "0: no dump data", (uintmax_t)at));
	if (h->dumpextent < h->dumplength)
		return (m2e_err(d, "offset %#jx: dump length %ju exceeds the "
		    "dump extent %ju", (uintmax_t)at,
		    (uintmax_t)h->dumplength, (uintmax_t)h->dumpextent));
	return (0);
}

/* The file starts with a leading kerneldumpheader. */
static int
in_leading(md2elf_t *d, const uint8_t *raw, uint64_t fsize, int flags)
{
	struct md2elf_kdh *h;
	uint64_t start;

	if (in_check_kdh(d, raw, 0, flags) != 0)
		return (-1);
	h = &d->kdh;
	start = h->version == 1 ? KDH_SIZE : h->blocksize;
	d->keyoff = start;
	start += h->keysize;		/* the kerneldumpkey, if encrypted */
	if (start > fsize || h->dumplength > fsize - start)
		return (m2e_err(d, "offset %#jx: truncated dump data (need "
		    "%ju bytes, file has %ju)", (uintmax_t)start,
		    (uintmax_t)(start + h->dumplength), (uintmax_t)fsize));
	d->has_kdh = true;
	d->container = "kerneldumpheader";
	d->base = start;
	d->len = h->dumplength;
	return (0);
}

/* A raw dump device: a trailing header at lasthd (sector bytes). */
static int
in_device(md2elf_t *d, int fd, const uint8_t *raw, uint64_t lasthd,
    uint64_t sector, int flags)
{
	uint8_t lead[KDH_SIZE];
	struct md2elf_kdh *h;
	uint64_t room, need, firsthd, start;
	ssize_t r;

	if (in_check_kdh(d, raw, lasthd, flags) != 0)
		return (-1);
	h = &d->kdh;
	if (h->version == 1) {
		/* Version 1: 512-byte headers right around the data. */
		sector = KDH_SIZE;
	} else if (h->blocksize != sector && !(flags & MD2ELF_OPEN_FORCE))
		return (m2e_err_forcible(d, "offset %#jx: the trailing header "
		    "says block size %u but lies %ju bytes before the end of "
		    "the file", (uintmax_t)lasthd, h->blocksize,
		    (uintmax_t)sector));
	/* Space from the leading header to the trailing header. */
	need = h->version <= 2 ? h->dumplength : h->dumpextent;
	room = lasthd;
	need += h->keysize;		/* the kerneldumpkey, if encrypted */
	if (need > room || sector > room - need)
		return (m2e_err(d, "offset %#jx: the trailing header's dump "
		    "of %ju bytes does not fit before it", (uintmax_t)lasthd,
		    (uintmax_t)need));
	firsthd = lasthd - need - sector;
	start = firsthd + sector + h->keysize;
	d->keyoff = firsthd + sector;
	r = m2e_data_pread(d, fd, lead, sizeof(lead), firsthd);
	if (r < 0)
		return (m2e_err(d, "offset %#jx: cannot read the leading "
		    "header: %s", (uintmax_t)firsthd, strerror(errno)));
	if (r != (ssize_t)sizeof(lead) || memcmp(lead, raw, KDH_SIZE) != 0) {
		if (!(flags & MD2ELF_OPEN_FORCE))
			return (m2e_err_forcible(d, "offset %#jx: the leading "
			    "kerneldumpheader does not match the trailing one "
			    "at offset %#jx", (uintmax_t)firsthd,
			    (uintmax_t)lasthd));
		m2e_warn(d, "offset %#jx: the leading kerneldumpheader does "
		    "not match the trailing one", (uintmax_t)firsthd);
	}
	d->has_kdh = true;
	d->container = "device";
	d->base = start;
	d->len = h->dumplength;
	return (0);
}

/*
 * devfirst: a kerneldumpheader at offset 0 may be the leading header of a
 * dump device whose junk before it was not kept (spool.c): the trailing
 * header decides.
 */
static int
in_find(md2elf_t *d, int fd, uint64_t fsize, bool isdev, int flags,
    bool devfirst)
{
	static const uint64_t sectors[] = { 512, 4096 };
	uint8_t buf[IN_PROBESZ];
	enum in_kind k;
	ssize_t n;
	size_t i;

	n = m2e_data_pread(d, fd, buf, sizeof(buf), 0);
	if (n < 0)
		return (m2e_err(d, "cannot read: %s", strerror(errno)));
	k = in_kind(buf, (size_t)n);
	switch (k) {
	case IN_MINIDUMP:
	case IN_ELF:
	case IN_GZIP:
	case IN_ZSTD:
		d->container = "vmcore";
		d->base = 0;
		d->len = fsize;
		return (0);
	case IN_KDH:
		if (devfirst)
			break;
		if ((size_t)n < KDH_SIZE)
			return (m2e_err(d, "offset 0: truncated "
			    "kerneldumpheader (need %d bytes, file has %zd)",
			    KDH_SIZE, n));
		return (in_leading(d, buf, fsize, flags));
	case IN_TAR:
		return (m2e_err(d, "offset 0: a tar archive (a saved "
		    "textdump?), not a memory dump: no ELF core can be made "
		    "from it"));
	default:
		break;
	}
	for (i = 0; i < sizeof(sectors) / sizeof(sectors[0]); i++) {
		if (fsize < sectors[i])
			continue;
		n = m2e_data_pread(d, fd, buf, KDH_SIZE, fsize - sectors[i]);
		if (n < 0)
			return (m2e_err(d, "offset %#jx: cannot read: %s",
			    (uintmax_t)(fsize - sectors[i]),
			    strerror(errno)));
		if (n == KDH_SIZE && in_kind(buf, KDH_SIZE) == IN_KDH &&
		    fsize - sectors[i] > 0)
			return (in_device(d, fd, buf, fsize - sectors[i],
			    sectors[i], flags));
	}
	if (k == IN_KDH) {
		/* No trailing header: the file starts with the leading one. */
		n = m2e_data_pread(d, fd, buf, KDH_SIZE, 0);
		if (n != KDH_SIZE)
			return (m2e_err(d, "offset 0: truncated "
			    "kerneldumpheader (need %d bytes, file has %zd)",
			    KDH_SIZE, n));
		return (in_leading(d, buf, fsize, flags));
	}
	if (fsize == 0)
		return (m2e_err(d, isdev ? "a device of size 0 (not a disk?)" :
		    "empty file"));
	return (m2e_err(d, "not a FreeBSD kernel dump: no minidump, ELF, "
	    "gzip or zstd data at offset 0 and no kerneldumpheader at "
	    "offset 0 or at the end (a saved vmcore_encrypted.N is read "
	    "with its key.N and the RSA private key)"));
}

/*
 * [off, off + len) of fd is encrypted with k: decrypted from now on where
 * it is read (crypto.c), with the RSA private key given.
 */
static int
in_crypt(md2elf_t *d, int fd, const struct m2e_dumpkey *k, uint64_t off,
    uint64_t len)
{
	if (d->privkey == NULL)
		return (m2e_err(d, "offset %#jx: the dump is encrypted with %s "
		    "(dumpon -k): reading it needs the dump device's RSA "
		    "private key", (uintmax_t)d->keyoff,
		    m2e_cipher_name(k->enc)));
	return (m2e_crypt_open(d, k, d->privkey, fd, off, len));
}

/* The key block after the leading header, then the data. */
static int
in_decrypt(md2elf_t *d, int fd)
{
	struct m2e_dumpkey k;
	uint8_t *raw;
	ssize_t n;
	int rc;

	if ((raw = malloc(d->kdh.keysize)) == NULL)
		return (m2e_err(d, "out of memory"));
	n = m2e_data_pread(d, fd, raw, d->kdh.keysize, d->keyoff);
	if (n < 0) {
		free(raw);
		return (m2e_err(d, "offset %#jx: cannot read the key block: %s",
		    (uintmax_t)d->keyoff, strerror(errno)));
	}
	rc = m2e_dumpkey_parse(d, raw, (size_t)n, d->keyoff, "", &k);
	free(raw);
	if (rc != 0)
		return (-1);
	return (in_crypt(d, fd, &k, d->base, d->len));
}

/* A saved vmcore_encrypted.N: key.N given, the whole file encrypted. */
static int
in_decrypt_file(md2elf_t *d, int fd, uint64_t fsize)
{
	struct m2e_dumpkey k;
	uint8_t raw[M2E_MAXKEYBLOCK];
	char where[256];
	ssize_t n;
	int kfd;

	snprintf(where, sizeof(where), "dump key file %s: ", d->dumpkey);
	if ((kfd = open(d->dumpkey, O_RDONLY | O_CLOEXEC)) < 0)
		return (m2e_err(d, "dump key file %s: %s", d->dumpkey,
		    strerror(errno)));
	n = m2e_data_pread(d, kfd, raw, sizeof(raw), 0);
	close(kfd);
	if (n < 0)
		return (m2e_err(d, "dump key file %s: %s", d->dumpkey,
		    strerror(errno)));
	if (m2e_dumpkey_parse(d, raw, (size_t)n, 0, where, &k) != 0)
		return (-1);
	d->keyoff = 0;
	return (in_crypt(d, fd, &k, 0, fsize));
}

int
m2e_input_open(md2elf_t *d, const char *path, int flags)
{
	uint8_t magic[4];
	struct stat st;
	uint64_t fsize, tlen, skipped;
	off_t end;
	int fd, comp, tfd;
	ssize_t n;
	enum in_kind k;
	bool in;

	d->fd = -1;
	/* "-": standard input, spooled (spool.c); messages say "stdin". */
	in = strcmp(path, "-") == 0;
	if (d->path == NULL && (d->path = strdup(in ? "stdin" : path)) == NULL)
		return (m2e_err(d, "out of memory"));
	d->container = "vmcore";
	d->compression = "none";
	skipped = 0;
	if (in) {
		if (m2e_spool_open(d, &fd, &skipped) != 0)
			return (-1);
	/* O_NONBLOCK: a FIFO is refused below, not waited on. */
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return (m2e_err(d, "cannot open: %s", strerror(errno)));
	d->fd = fd;
	if (fstat(fd, &st) != 0)
		return (m2e_err(d, "cannot stat: %s", strerror(errno)));
	if (S_ISDIR(st.st_mode))
		return (m2e_err(d, "is a directory"));
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode) &&
	    !S_ISCHR(st.st_mode))
		return (m2e_err(d, "not a regular file or a device (%s)",
		    S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISSOCK(st.st_mode) ?
		    "a socket" : "another kind of file"));
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0)
		return (m2e_err(d, "cannot open: %s", strerror(errno)));
	if (S_ISREG(st.st_mode))
		fsize = (uint64_t)st.st_size;
	else {
		/* A device: its size is where the end is. */
		if ((end = lseek(fd, 0, SEEK_END)) < 0)
			return (m2e_err(d, "cannot find the size: %s",
			    strerror(errno)));
		fsize = (uint64_t)end;
	}
	/*
	 * A saved vmcore_encrypted.N: all of it, with key.N.  A dump with
	 * a kerneldumpheader has its own key block, or none.
	 */
	if (d->dumpkey != NULL) {
		if (in_find(d, fd, fsize, !S_ISREG(st.st_mode), flags, in) == 0 && d->has_kdh)
			return (m2e_err(d, "offset %#jx: %s: no separate dump "
			    "key file is needed", (uintmax_t)d->keyoff,
			    d->kdh.keysize != 0 ? "the dump has its own key "
			    "block" : "the dump is not encrypted"));
		d->has_kdh = false;
		d->container = "vmcore";
		d->base = d->len = 0;
		if (in_decrypt_file(d, fd, fsize) != 0)
			return (-1);
	}
	if (in_find(d, fd, fsize, !S_ISREG(st.st_mode), flags, in) != 0)
		return (-1);
	d->filebase = d->base + skipped;
	/* Encrypted on the device: the key block follows the header. */
	if (d->has_kdh && d->kdh.keysize != 0) {
		if (in_decrypt(d, fd) != 0)
			return (-1);
	}

	/* Compression: by the header's byte and by the data's magic. */
	n = m2e_data_pread(d, fd, magic, sizeof(magic), d->base);
	if (n < 0)
		return (m2e_err(d, "offset %#jx: cannot read: %s",
		    (uintmax_t)d->base, strerror(errno)));
	k = d->len >= sizeof(magic) && n == (ssize_t)sizeof(magic) ?
	    in_kind(magic, sizeof(magic)) : IN_UNKNOWN;
	comp = k == IN_GZIP ? MD2ELF_COMP_GZIP : k == IN_ZSTD ?
	    MD2ELF_COMP_ZSTD : MD2ELF_COMP_NONE;
	if (d->has_kdh && d->kdh.compression != MD2ELF_COMP_NONE &&
	    d->kdh.compression != comp)
		return (m2e_err(d, "offset %#jx: the kerneldumpheader says "
		    "%s compression but the data is not %s",
		    (uintmax_t)d->base, comp_names[d->kdh.compression],
		    comp_names[d->kdh.compression]));
	if (comp == MD2ELF_COMP_NONE)
		return (0);
	if (m2e_decompress(d, fd, d->base, d->len, comp, &tfd, &tlen) != 0)
		return (-1);
	m2e_crypt_close(d);
	close(fd);
	d->fd = tfd;
	d->base = 0;
	d->len = tlen;
	d->filebase = 0;
	d->decompressed = true;
	d->compression = comp_names[comp];
	return (0);
}

void
m2e_input_close(md2elf_t *d)
{
	m2e_crypt_close(d);
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}
