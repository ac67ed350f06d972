/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * dumpout.c: the output side of mkdump (see dumpout.h): sparse writes,
 * kernel-style gzip and zstd streams, kerneldumpheaders with parity, and
 * the dump device layout of sys/kern/kern_shutdown.c.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "dumpout.h"
#include "model.h"

#define	SIZEOF_METADATA	(64 * 1024)	/* never written on a device */
#define	OLDJUNK		(64 * 1024)	/* old swap contents before the dump */
#define	OUTBUF		(1024 * 1024)

struct dumpout {
	int		 fd;
	enum dcont	 cont;
	enum dcomp	 comp;
	uint32_t	 bsize;
	uint64_t	 seed;
	uint64_t	 media;		/* device image size */
	uint64_t	 extent;
	uint64_t	 dataoff;	/* file offset of the dump data */
	uint64_t	 wpos;		/* file offset of the next raw write */
	uint64_t	 inpos;		/* uncompressed bytes so far */
	uint64_t	 datalen;	/* uncompressed length announced */
	uint32_t	 keysize;	/* kerneldumpkey before the data */
	/* Compression. */
	z_stream	 z;
	uint32_t	 crc;
	ZSTD_CCtx	*zc;
	uint8_t		*obuf;
	int		 err;
	char		*path;
};

static void
seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static int
allzero(const uint8_t *p, size_t n)
{
	uint64_t w;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		if (w != 0)
			return (0);
	}
	for (; i < n; i++)
		if (p[i] != 0)
			return (0);
	return (1);
}

/* Raw write at the current file position, skipping zero 4 KiB pieces. */
static int
raw_write(struct dumpout *o, const uint8_t *p, size_t n)
{
	size_t k, off, start;
	ssize_t w;

	if (o->fd < 0) {
		o->wpos += n;
		return (0);
	}
	for (off = 0; off < n; ) {
		/* Skip zero pieces, then write the next non-zero run. */
		k = n - off < 4096 ? n - off : 4096;
		if (allzero(p + off, k)) {
			off += k;
			continue;
		}
		start = off;
		while (off < n) {
			k = n - off < 4096 ? n - off : 4096;
			if (allzero(p + off, k))
				break;
			off += k;
		}
		w = pwrite(o->fd, p + start, off - start,
		    (off_t)(o->wpos + start));
		if (w != (ssize_t)(off - start)) {
			o->err = w < 0 ? errno : ENOSPC;
			return (-1);
		}
	}
	o->wpos += n;
	return (0);
}

/* Junk standing for whatever the swap partition held before. */
static int
junk(struct dumpout *o, uint64_t off, uint64_t len, uint64_t salt)
{
	uint8_t buf[4096];
	uint64_t i, save;

	save = o->wpos;
	o->wpos = off;
	while (len > 0) {
		for (i = 0; i < sizeof(buf); i += 8) {
			uint64_t v = model_hash(o->seed ^ salt, off + i);

			memcpy(buf + i, &v, 8);
		}
		i = len < sizeof(buf) ? len : sizeof(buf);
		if (raw_write(o, buf, (size_t)i) != 0)
			return (-1);
		off += i;
		len -= i;
	}
	o->wpos = save;
	return (0);
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

/* struct kerneldumpheader, version 4, big-endian, with parity. */
void
kdh_encode(uint8_t *h, const struct kdhinfo *k, uint64_t dumplength,
    uint64_t dumpextent, uint32_t blocksize, int compression)
{
	size_t n;
	uint32_t par;
	int i;

	memset(h, 0, 512);
	if (k->textdump)
		memcpy(h, "FreeBSD Text Dump", 17);
	else
		memcpy(h, k->bad_magic ? "FreeBSD Kernel Dumq" :
		    "FreeBSD Kernel Dump", 19);
	n = strlen(k->arch);
	memcpy(h + 20, k->arch, n < 11 ? n : 11);
	put_be32(h + 32, k->hdrversion ? k->hdrversion : 4);
	put_be32(h + 36, k->archver);
	put_be64(h + 40, k->dumplength ? k->dumplength : dumplength);
	put_be64(h + 48, (uint64_t)k->dumptime);
	put_be32(h + 56, k->keysize);
	put_be32(h + 60, blocksize);
	n = strlen(k->hostname);
	memcpy(h + 64, k->hostname, n < 63 ? n : 63);
	n = strlen(k->version);
	if (n >= 192) {
		memcpy(h + 128, k->version, 191);
		h[128 + 190] = '\n';
	} else
		memcpy(h + 128, k->version, n);
	n = strlen(k->panicstr);
	memcpy(h + 320, k->panicstr, n < 174 ? n : 174);
	h[495] = (uint8_t)compression;
	put_be64(h + 496, k->dumpextent ? k->dumpextent : dumpextent);
	par = 0;
	for (i = 0; i < 128; i++) {
		uint32_t w;

		memcpy(&w, h + 4 * i, 4);
		par ^= w;
	}
	if (k->bad_parity)
		par ^= 0x01000000;
	memcpy(h + 508, &par, 4);
}

/*
 * Create path afresh for writing.  A regular file already there is unlinked
 * first rather than truncated: ext4 flushes a file truncated to zero and
 * rewritten when it is closed (auto_da_alloc), which made every regeneration
 * of a test's dump wait for the disk.
 */
int
gen_create(const char *path, int flags, mode_t mode)
{
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    unlink(path) != 0)
		return (-1);
	return (open(path, flags | O_CREAT | O_TRUNC, mode));
}

struct dumpout *
dumpout_open(const char *path, enum dcont cont, enum dcomp comp,
    uint32_t bsize, uint64_t datalen, uint64_t extent, uint64_t seed,
    char *err, size_t errlen)
{
	return (dumpout_open_key(path, cont, comp, bsize, datalen, extent,
	    seed, 0, err, errlen));
}

struct dumpout *
dumpout_open_key(const char *path, enum dcont cont, enum dcomp comp,
    uint32_t bsize, uint64_t datalen, uint64_t extent, uint64_t seed,
    uint32_t keysize, char *err, size_t errlen)
{
	struct dumpout *o;

	o = calloc(1, sizeof(*o));
	if (o == NULL) {
		seterr(err, errlen, "out of memory");
		return (NULL);
	}
	o->cont = cont;
	o->comp = comp;
	o->bsize = bsize;
	o->seed = seed;
	o->datalen = datalen;
	o->keysize = keysize;
	o->path = strdup(path != NULL ? path : "(measure)");
	o->fd = path == NULL ? -1 : gen_create(path, O_RDWR, 0644);
	if (path != NULL && o->fd < 0) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		free(o->path);
		free(o);
		return (NULL);
	}
	/* Where the data goes. */
	switch (cont) {
	case DK_NONE:
		o->dataoff = 0;
		break;
	case DK_LEAD:
		o->dataoff = bsize + keysize;
		break;
	case DK_DEVICE:
		o->extent = (datalen + bsize - 1) / bsize * bsize;
		if (extent != 0)
			o->extent = (extent + bsize - 1) / bsize * bsize;
		o->media = SIZEOF_METADATA + OLDJUNK + 2 * bsize + keysize +
		    o->extent;
		o->dataoff = o->media - bsize - o->extent;
		if (junk(o, 0, SIZEOF_METADATA + OLDJUNK, 0x51a9) != 0) {
			seterr(err, errlen, "%s: %s", path, strerror(o->err));
			goto fail;
		}
		break;
	}
	o->wpos = o->dataoff;
	o->obuf = malloc(OUTBUF);
	if (o->obuf == NULL)
		goto nomem;
	if (comp == DC_GZIP) {
		if (deflateInit2(&o->z, 6, Z_DEFLATED, -MAX_WBITS, 8,
		    Z_DEFAULT_STRATEGY) != Z_OK)
			goto nomem;
		o->crc = (uint32_t)crc32(0L, Z_NULL, 0);
		memset(o->obuf, 0, 10);
		o->obuf[0] = 0x1f;
		o->obuf[1] = 0x8b;
		o->obuf[2] = Z_DEFLATED;
		o->obuf[9] = 3;		/* OS_CODE: Unix */
		if (raw_write(o, o->obuf, 10) != 0) {
			seterr(err, errlen, "%s: %s", path, strerror(o->err));
			goto fail;
		}
	} else if (comp == DC_ZSTD) {
		o->zc = ZSTD_createCCtx();
		if (o->zc == NULL)
			goto nomem;
		ZSTD_CCtx_setParameter(o->zc, ZSTD_c_checksumFlag, 1);
		ZSTD_CCtx_setParameter(o->zc, ZSTD_c_compressionLevel, 3);
		/* "Unknown size": no content size in the frame header. */
		ZSTD_CCtx_setPledgedSrcSize(o->zc, ZSTD_CONTENTSIZE_UNKNOWN);
	}
	return (o);
nomem:
	seterr(err, errlen, "out of memory");
fail:
	if (o->fd >= 0)
		close(o->fd);
	free(o->obuf);
	free(o->path);
	free(o);
	return (NULL);
}

static int
gz_run(struct dumpout *o, int flush)
{
	int zr;
	size_t n;

	do {
		o->z.next_out = o->obuf;
		o->z.avail_out = OUTBUF;
		zr = deflate(&o->z, flush);
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
			o->err = EIO;
			return (-1);
		}
		n = OUTBUF - o->z.avail_out;
		if (n > 0 && raw_write(o, o->obuf, n) != 0)
			return (-1);
	} while (o->z.avail_out == 0 || (flush == Z_FINISH &&
	    zr != Z_STREAM_END));
	return (0);
}

static int
zs_run(struct dumpout *o, ZSTD_inBuffer *in, ZSTD_EndDirective e)
{
	ZSTD_outBuffer out;
	size_t r;

	do {
		out.dst = o->obuf;
		out.size = OUTBUF;
		out.pos = 0;
		r = ZSTD_compressStream2(o->zc, &out, in, e);
		if (ZSTD_isError(r)) {
			o->err = EIO;
			return (-1);
		}
		if (out.pos > 0 && raw_write(o, o->obuf, out.pos) != 0)
			return (-1);
	} while (e == ZSTD_e_end ? r != 0 : in->pos < in->size);
	return (0);
}

int
dumpout_write(struct dumpout *o, const void *buf, size_t len)
{
	ZSTD_inBuffer in;

	o->inpos += len;
	switch (o->comp) {
	case DC_NONE:
		return (raw_write(o, buf, len));
	case DC_GZIP:
		o->crc = (uint32_t)crc32(o->crc, buf, (uInt)len);
		o->z.next_in = (Bytef *)(uintptr_t)buf;
		o->z.avail_in = (uInt)len;
		return (gz_run(o, Z_NO_FLUSH));
	case DC_ZSTD:
		in.src = buf;
		in.size = len;
		in.pos = 0;
		return (zs_run(o, &in, ZSTD_e_continue));
	}
	return (-1);
}

uint64_t
dumpout_pos(const struct dumpout *o)
{
	return (o->inpos);
}

uint64_t
dumpout_dataoff(const struct dumpout *o)
{
	return (o->dataoff);
}

uint64_t
dumpout_datalen(const struct dumpout *o)
{
	return (o->wpos - o->dataoff);
}

int
dumpout_close(struct dumpout *o, const struct kdhinfo *k, uint64_t *stored,
    char *err, size_t errlen)
{
	ZSTD_inBuffer in;
	uint8_t *blk, t[8];
	uint64_t len, end;
	int rc;

	rc = -1;
	blk = calloc(1, o->bsize < 512 ? 512 : o->bsize);
	if (blk == NULL) {
		seterr(err, errlen, "out of memory");
		goto out;
	}
	if (o->comp == DC_GZIP) {
		o->z.next_in = NULL;
		o->z.avail_in = 0;
		if (gz_run(o, Z_FINISH) != 0)
			goto ioerr;
		/* Trailer: CRC-32 and size, little-endian (amd64). */
		for (int i = 0; i < 4; i++) {
			t[i] = (uint8_t)(o->crc >> (8 * i));
			t[4 + i] = (uint8_t)(o->z.total_in >> (8 * i));
		}
		if (raw_write(o, t, 8) != 0)
			goto ioerr;
		deflateEnd(&o->z);
	} else if (o->comp == DC_ZSTD) {
		in.src = NULL;
		in.size = in.pos = 0;
		if (zs_run(o, &in, ZSTD_e_end) != 0)
			goto ioerr;
	}
	len = o->wpos - o->dataoff;
	end = o->wpos;
	if (stored != NULL)
		*stored = len;
	if (o->fd < 0) {
		rc = 0;
		goto out;
	}
	switch (o->cont) {
	case DK_NONE:
		break;
	case DK_LEAD:
		kdh_encode(blk, k, len, len, o->bsize, o->comp);
		if (pwrite(o->fd, blk, o->bsize, 0) != (ssize_t)o->bsize)
			goto ioerr;
		break;
	case DK_DEVICE:
		if (len > o->extent) {
			seterr(err, errlen, "%s: compressed dump (%ju bytes) "
			    "does not fit the extent (%ju bytes)", o->path,
			    (uintmax_t)len, (uintmax_t)o->extent);
			goto out;
		}
		/* The last partial block is padded with stale bytes. */
		if (len % o->bsize != 0 && junk(o, end, o->bsize -
		    len % o->bsize, 0xad) != 0)
			goto ioerr;
		kdh_encode(blk, k, len, o->extent, o->bsize, o->comp);
		if (pwrite(o->fd, blk, o->bsize, (off_t)(o->media -
		    o->bsize)) != (ssize_t)o->bsize)
			goto ioerr;
		if (k->disagree)
			blk[64] ^= 1;
		if (pwrite(o->fd, blk, o->bsize, (off_t)(o->dataoff -
		    o->keysize - o->bsize)) != (ssize_t)o->bsize)
			goto ioerr;
		end = o->media;
		break;
	}
	if (ftruncate(o->fd, (off_t)end) != 0)
		goto ioerr;
	rc = 0;
	goto out;
ioerr:
	seterr(err, errlen, "%s: %s", o->path, strerror(o->err ? o->err :
	    errno));
out:
	if (o->zc != NULL)
		ZSTD_freeCCtx(o->zc);
	if (o->fd >= 0 && close(o->fd) != 0 && rc == 0) {
		seterr(err, errlen, "%s: %s", o->path, strerror(errno));
		rc = -1;
	}
	free(blk);
	free(o->obuf);
	free(o->path);
	free(o);
	return (rc);
}
