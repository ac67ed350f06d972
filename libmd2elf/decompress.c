/*
 * decompress.c: gzip (zlib) and zstd (libzstd) decompression of a dump into
 * an unlinked temporary file in $TMPDIR, streaming with constant memory.
 * All-zero 4 KiB blocks are skipped with a seek, so the temporary file is
 * as sparse as the dump.  Handles the kernel's gzip stream (10-byte header,
 * raw deflate, trailer) and ordinary (possibly multi-member) gzip files, and
 * one or more zstd frames.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "md2elf_private.h"

#define	DC_INSZ		(256 * 1024)
#define	DC_OUTSZ	(1024 * 1024)
#define	DC_BLK		4096
#define	DC_MDMAGIC	"minidump FreeBSD/"
#define	DC_ELFMAGIC	"\177ELF"

struct dc {
	md2elf_t	*d;
	int		 infd;
	uint64_t	 inoff;		/* file offset of the compressed data */
	uint64_t	 inlen;
	uint64_t	 consumed;	/* compressed bytes handed to the decoder */
	int		 outfd;
	uint64_t	 outoff;	/* decompressed bytes so far */
	const char	*tmpdir;
	uint8_t		*in;
	uint8_t		*out;
};

static const uint8_t dc_zero[DC_BLK];

/* Read up to DC_INSZ bytes of compressed input; returns the count, -1. */
static ssize_t
dc_fill(struct dc *c)
{
	uint64_t left;
	size_t want, got;
	ssize_t n;

	left = c->inlen - c->consumed;
	want = left < DC_INSZ ? (size_t)left : DC_INSZ;
	got = 0;
	while (got < want) {
		n = pread(c->infd, c->in + got, want - got,
		    (off_t)(c->inoff + c->consumed + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			m2e_err(c->d, "offset %#jx: read error: %s",
			    (uintmax_t)(c->inoff + c->consumed + got),
			    strerror(errno));
			return (-1);
		}
		if (n == 0) {
			m2e_err(c->d, "offset %#jx: truncated compressed data "
			    "(need %ju bytes, file ends here)",
			    (uintmax_t)(c->inoff + c->consumed + got),
			    (uintmax_t)(c->inoff + c->inlen));
			return (-1);
		}
		got += (size_t)n;
	}
	return ((ssize_t)got);
}

static int
dc_pwrite(struct dc *c, const uint8_t *p, size_t n, uint64_t off)
{
	ssize_t w;

	while (n > 0) {
		w = pwrite(c->outfd, p, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			if (errno == ENOSPC)
				return (m2e_err(c->d, "cannot decompress into "
				    "%s: no space left on device after %ju "
				    "bytes (set TMPDIR to a larger file system)",
				    c->tmpdir, (uintmax_t)off));
			return (m2e_err(c->d, "cannot write decompressed "
			    "data into %s: %s", c->tmpdir, strerror(errno)));
		}
		p += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return (0);
}

/* Write n bytes of output at c->outoff, skipping all-zero blocks. */
static int
dc_emit(struct dc *c, const uint8_t *p, size_t n)
{
	size_t i, blk, run;

	/*
	 * Stop at once if the stream does not start like a dump: otherwise a
	 * compressed file of anything would be inflated in full (up to the
	 * free space of TMPDIR) before being refused.
	 */
	if (c->outoff == 0 && n >= sizeof(DC_MDMAGIC) - 1 &&
	    memcmp(p, DC_MDMAGIC, sizeof(DC_MDMAGIC) - 1) != 0 &&
	    memcmp(p, DC_ELFMAGIC, sizeof(DC_ELFMAGIC) - 1) != 0)
		return (m2e_err(c->d, "offset 0 of the decompressed data: "
		    "not a FreeBSD minidump or full dump"));
	run = 0;	/* start of the pending non-zero run */
	for (i = 0; i < n; i += blk) {
		blk = n - i < DC_BLK ? n - i : DC_BLK;
		if (memcmp(p + i, dc_zero, blk) == 0) {
			if (i > run && dc_pwrite(c, p + run, i - run,
			    c->outoff + run) != 0)
				return (-1);
			run = i + blk;
		}
	}
	if (n > run && dc_pwrite(c, p + run, n - run, c->outoff + run) != 0)
		return (-1);
	if (c->outoff + n < c->outoff)
		return (m2e_err(c->d, "decompressed data too large"));
	c->outoff += n;
	return (0);
}

static int
dc_gzip(struct dc *c)
{
	z_stream z;
	ssize_t n;
	int ret, rc, ended;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return (m2e_err(c->d, "cannot initialise zlib"));
	rc = -1;
	ended = 0;
	for (;;) {
		if (z.avail_in == 0) {
			if (c->consumed == c->inlen)
				break;
			if ((n = dc_fill(c)) < 0)
				goto out;
			z.next_in = c->in;
			z.avail_in = (uInt)n;
			c->consumed += (uint64_t)n;
		}
		if (ended) {
			/* Another gzip member, or trailing bytes. */
			if (z.next_in[0] != 0x1f) {
				m2e_warn(c->d, "%s: offset %#jx: ignoring %ju "
				    "bytes after the end of the gzip stream",
				    c->d->path, (uintmax_t)(c->inoff +
				    c->consumed - z.avail_in),
				    (uintmax_t)(c->inlen - c->consumed +
				    z.avail_in));
				break;
			}
			if (inflateReset(&z) != Z_OK)
				goto zerr;
			ended = 0;
		}
		z.next_out = c->out;
		z.avail_out = DC_OUTSZ;
		ret = inflate(&z, Z_NO_FLUSH);
		if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR)
			goto zerr;
		if (dc_emit(c, c->out, DC_OUTSZ - z.avail_out) != 0)
			goto out;
		if (ret == Z_STREAM_END)
			ended = 1;
	}
	if (!ended) {
		m2e_err(c->d, "offset %#jx: truncated gzip stream (the "
		    "compressed data ends before the end of the stream)",
		    (uintmax_t)(c->inoff + c->inlen));
		goto out;
	}
	rc = 0;
	goto out;
zerr:
	m2e_err(c->d, "offset %#jx: gzip data error: %s",
	    (uintmax_t)(c->inoff + c->consumed - z.avail_in),
	    z.msg != NULL ? z.msg : "corrupt stream");
out:
	inflateEnd(&z);
	return (rc);
}

static int
dc_zstd(struct dc *c)
{
	ZSTD_DStream *zs;
	ZSTD_inBuffer in;
	ZSTD_outBuffer out;
	size_t ret;
	ssize_t n;
	int rc;

	if ((zs = ZSTD_createDStream()) == NULL)
		return (m2e_err(c->d, "cannot allocate a zstd stream"));
	ret = ZSTD_initDStream(zs);
	if (ZSTD_isError(ret)) {
		ZSTD_freeDStream(zs);
		return (m2e_err(c->d, "cannot initialise zstd: %s",
		    ZSTD_getErrorName(ret)));
	}
	rc = -1;
	ret = 1;
	in.src = c->in;
	in.size = in.pos = 0;
	for (;;) {
		if (in.pos == in.size) {
			if (c->consumed == c->inlen)
				break;
			if ((n = dc_fill(c)) < 0)
				goto out;
			in.size = (size_t)n;
			in.pos = 0;
			c->consumed += (uint64_t)n;
		}
		out.dst = c->out;
		out.size = DC_OUTSZ;
		out.pos = 0;
		ret = ZSTD_decompressStream(zs, &out, &in);
		if (ZSTD_isError(ret)) {
			m2e_err(c->d, "offset %#jx: zstd data error: %s",
			    (uintmax_t)(c->inoff + c->consumed - in.size +
			    in.pos), ZSTD_getErrorName(ret));
			goto out;
		}
		if (dc_emit(c, c->out, out.pos) != 0)
			goto out;
	}
	/* Flush what the decoder still holds. */
	while (ret != 0) {
		out.dst = c->out;
		out.size = DC_OUTSZ;
		out.pos = 0;
		ret = ZSTD_decompressStream(zs, &out, &in);
		if (ZSTD_isError(ret)) {
			m2e_err(c->d, "offset %#jx: zstd data error: %s",
			    (uintmax_t)(c->inoff + c->inlen),
			    ZSTD_getErrorName(ret));
			goto out;
		}
		if (out.pos == 0)
			break;
		if (dc_emit(c, c->out, out.pos) != 0)
			goto out;
	}
	if (ret != 0) {
		m2e_err(c->d, "offset %#jx: truncated zstd stream (the "
		    "compressed data ends inside a frame)",
		    (uintmax_t)(c->inoff + c->inlen));
		goto out;
	}
	rc = 0;
out:
	ZSTD_freeDStream(zs);
	return (rc);
}

int
m2e_decompress(md2elf_t *d, int infd, uint64_t off, uint64_t len, int comp,
    int *outfd, uint64_t *outlen)
{
	struct dc c;
	char *tmpl;
	size_t tl;
	int rc;

	memset(&c, 0, sizeof(c));
	c.d = d;
	c.infd = infd;
	c.inoff = off;
	c.inlen = len;
	c.outfd = -1;
	c.tmpdir = getenv("TMPDIR");
	if (c.tmpdir == NULL || c.tmpdir[0] == '\0')
		c.tmpdir = "/tmp";
	tl = strlen(c.tmpdir) + sizeof("/md2elf.XXXXXX");
	if ((tmpl = malloc(tl)) == NULL)
		return (m2e_err(d, "out of memory"));
	snprintf(tmpl, tl, "%s/md2elf.XXXXXX", c.tmpdir);
	if ((c.outfd = mkstemp(tmpl)) < 0) {
		rc = m2e_err(d, "cannot create a temporary file in %s: %s",
		    c.tmpdir, strerror(errno));
		free(tmpl);
		return (rc);
	}
	(void)unlink(tmpl);
	free(tmpl);
	(void)fcntl(c.outfd, F_SETFD, FD_CLOEXEC);
	c.in = malloc(DC_INSZ);
	c.out = malloc(DC_OUTSZ);
	if (c.in == NULL || c.out == NULL) {
		rc = m2e_err(d, "out of memory");
		goto out;
	}
	if (comp == KDH_COMP_GZIP)
		rc = dc_gzip(&c);
	else if (comp == KDH_COMP_ZSTD)
		rc = dc_zstd(&c);
	else
		rc = m2e_err(d, "unknown compression %d", comp);
	if (rc == 0 && ftruncate(c.outfd, (off_t)c.outoff) != 0) {
		if (errno == ENOSPC || errno == EFBIG)
			rc = m2e_err(d, "cannot decompress into %s: %s "
			    "(%ju bytes)", c.tmpdir, strerror(errno),
			    (uintmax_t)c.outoff);
		else
			rc = m2e_err(d, "cannot size the temporary file in "
			    "%s: %s", c.tmpdir, strerror(errno));
	}
out:
	free(c.in);
	free(c.out);
	if (rc != 0) {
		close(c.outfd);
		return (-1);
	}
	*outfd = c.outfd;
	*outlen = c.outoff;
	return (0);
}
