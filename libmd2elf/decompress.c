/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * decompress.c: gzip (zlib) and zstd (libzstd) decompression.  The public
 * streaming decompressor (md2elf_decomp_*: compressed bytes in, output to
 * the caller's sink, constant memory) handles the kernel's gzip stream and
 * ordinary multi-member gzip files, and one or more zstd frames (skippable
 * ones included).  m2e_decompress() drives it for md2elf_open(): output
 * into an unlinked sparse temporary file in $TMPDIR (all-zero 4 KiB blocks
 * skipped with a seek), bounded while it runs by what the minidump header,
 * dump_avail and bitmap allow (m2e_md_limit()), so a small compressed file
 * cannot fill $TMPDIR or take minutes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
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
#define	DC_HDRSZ	4096	/* the minidump header probed while running */
#define	DC_ELFMAGIC	"\177ELF"
#define	DC_GZMAGIC0	0x1f	/* a gzip member starts 1f 8b */
#define	DC_GZMAGIC1	0x8b

struct md2elf_decomp {
	int		 comp;
	uint64_t	 inoff;		/* file offset of the first byte fed */
	md2elf_sink_fn	*sink;
	void		*arg;
	z_stream	 z;
	bool		 zinit;
	bool		 ended;		/* gzip: a member ended, none begun */
	bool		 got1f;		/* gzip: ended, then a lone 0x1f */
	uint64_t	 off1f;		/* its file offset */
	ZSTD_DStream	*zs;
	size_t		 zret;		/* last ZSTD_decompressStream() */
	bool		 failed;
	struct md2elf_decomp_stats st;
	uint8_t		*out;
	char		 err[MD2ELF_ERRBUF_SIZE];
};

static int
decomp_err(md2elf_decomp_t *c, uint64_t at, const char *fmt, ...)
{
	va_list ap;
	int n;

	c->failed = true;
	n = snprintf(c->err, sizeof(c->err), "offset %#jx: ",
	    (uintmax_t)(c->inoff + at));
	if (n > 0 && (size_t)n < sizeof(c->err)) {
		va_start(ap, fmt);
		vsnprintf(c->err + n, sizeof(c->err) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return (-1);
}

md2elf_decomp_t *
md2elf_decomp_open(int comp, uint64_t inoff, md2elf_sink_fn *sink,
    void *arg, char *errbuf)
{
	md2elf_decomp_t *c;
	const char *why;
	size_t r;

	why = NULL;
	if (comp != MD2ELF_COMP_GZIP && comp != MD2ELF_COMP_ZSTD) {
		if (errbuf != NULL)
			snprintf(errbuf, MD2ELF_ERRBUF_SIZE, "unknown "
			    "compression %d", comp);
		return (NULL);
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->out = malloc(DC_OUTSZ)) == NULL) {
		why = "out of memory";
		goto fail;
	}
	c->comp = comp;
	c->inoff = inoff;
	c->sink = sink;
	c->arg = arg;
	if (comp == MD2ELF_COMP_GZIP) {
		/* 16 + MAX_WBITS: a gzip header and trailer around deflate. */
		if (inflateInit2(&c->z, 16 + MAX_WBITS) != Z_OK) {
			why = "cannot initialise zlib";
			goto fail;
		}
		c->zinit = true;
	} else {
		if ((c->zs = ZSTD_createDStream()) == NULL) {
			why = "cannot allocate a zstd stream";
			goto fail;
		}
		r = ZSTD_initDStream(c->zs);
		if (ZSTD_isError(r)) {
			why = ZSTD_getErrorName(r);
			goto fail;
		}
		c->zret = 1;
	}
	return (c);
fail:
	if (errbuf != NULL)
		snprintf(errbuf, MD2ELF_ERRBUF_SIZE, "%s", why);
	md2elf_decomp_close(c);
	return (NULL);
}

/* Hand n bytes of output to the sink; its stop value, else 0. */
static int
decomp_emit(md2elf_decomp_t *c, size_t n)
{
	int rc;

	if (n == 0)
		return (0);
	if ((rc = c->sink(c->arg, c->out, n)) != 0) {
		c->failed = true;
		return (rc);
	}
	c->st.out += n;
	return (0);
}

/* Bytes from offset off on are not gzip: counted, not decompressed. */
static void
decomp_ignore(md2elf_decomp_t *c, uint64_t off, uint64_t n)
{
	if (c->st.ignored == 0)
		c->st.ignored_off = off;
	c->st.ignored += n;
}

/*
 * After the end of a member: another member (1f 8b) or bytes to ignore.
 * The two magic bytes may come in different pieces: a lone 0x1f is held
 * until the next byte decides.  Returns 1 if the rest is ignored.
 */
static int
decomp_gzip_next(md2elf_decomp_t *c, const uint8_t *in, uint64_t base)
{
	static const uint8_t magic0 = DC_GZMAGIC0;
	uint64_t at;

	at = c->inoff + base + (uint64_t)(c->z.next_in - in);
	if (!c->got1f) {
		if (c->z.next_in[0] != DC_GZMAGIC0) {
			decomp_ignore(c, at, c->z.avail_in);
			return (1);
		}
		if (c->z.avail_in == 1) {
			c->got1f = true;
			c->off1f = at;
			c->z.avail_in = 0;
			return (0);
		}
		if (c->z.next_in[1] != DC_GZMAGIC1) {
			decomp_ignore(c, at, c->z.avail_in);
			return (1);
		}
	} else if (c->z.next_in[0] != DC_GZMAGIC1) {
		decomp_ignore(c, c->off1f, 1 + (uint64_t)c->z.avail_in);
		c->got1f = false;
		return (1);
	}
	if (inflateReset(&c->z) != Z_OK)
		return (decomp_err(c, at - c->inoff, "cannot reset zlib"));
	c->ended = false;
	if (c->got1f) {
		/* The held 0x1f first: a gzip header takes it whole. */
		const uint8_t *next = c->z.next_in;
		uInt avail = c->z.avail_in;

		c->got1f = false;
		c->z.next_in = (Bytef *)(uintptr_t)&magic0;
		c->z.avail_in = 1;
		c->z.next_out = c->out;
		c->z.avail_out = DC_OUTSZ;
		if (inflate(&c->z, Z_NO_FLUSH) != Z_OK || c->z.avail_in != 0)
			return (decomp_err(c, c->off1f - c->inoff,
			    "gzip data error: bad member header"));
		c->z.next_in = (Bytef *)(uintptr_t)next;
		c->z.avail_in = avail;
	}
	return (0);
}

static int
decomp_gzip(md2elf_decomp_t *c, const uint8_t *in, size_t len)
{
	uint64_t base;
	size_t n;
	int ret, rc;

	base = c->st.in;
	c->z.next_in = (Bytef *)(uintptr_t)in;
	c->z.avail_in = (uInt)len;
	do {
		if (c->st.ignored != 0) {
			c->st.ignored += c->z.avail_in;
			return (0);
		}
		if (c->ended && c->z.avail_in > 0) {
			if ((rc = decomp_gzip_next(c, in, base)) != 0)
				return (rc < 0 ? -1 : 0);
			if (c->z.avail_in == 0)
				return (0);
		}
		c->z.next_out = c->out;
		c->z.avail_out = DC_OUTSZ;
		ret = inflate(&c->z, Z_NO_FLUSH);
		if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR)
			return (decomp_err(c, base + (uint64_t)(c->z.next_in -
			    in), "gzip data error: %s", c->z.msg != NULL ?
			    c->z.msg : zError(ret)));
		n = DC_OUTSZ - c->z.avail_out;
		if ((rc = decomp_emit(c, n)) != 0)
			return (rc);
		if (ret == Z_STREAM_END) {
			c->ended = true;
			c->st.members++;
		}
		/* A full buffer may hide more output with no more input. */
	} while (c->z.avail_in > 0 || (n == DC_OUTSZ && !c->ended));
	return (0);
}

static int
decomp_zstd(md2elf_decomp_t *c, const uint8_t *in, size_t len)
{
	ZSTD_inBuffer zin;
	ZSTD_outBuffer zout;
	int rc;

	zin.src = in;
	zin.size = len;
	zin.pos = 0;
	do {
		zout.dst = c->out;
		zout.size = DC_OUTSZ;
		zout.pos = 0;
		c->zret = ZSTD_decompressStream(c->zs, &zout, &zin);
		if (ZSTD_isError(c->zret))
			return (decomp_err(c, c->st.in + zin.pos, "zstd data "
			    "error: %s", ZSTD_getErrorName(c->zret)));
		if ((rc = decomp_emit(c, zout.pos)) != 0)
			return (rc);
		if (c->zret == 0)
			c->st.members++;
	} while (zin.pos < zin.size || (zout.pos == zout.size &&
	    c->zret != 0));
	return (0);
}

int
md2elf_decomp_write(md2elf_decomp_t *c, const void *buf, size_t len)
{
	const uint8_t *p;
	size_t n;
	int rc;

	if (c->failed)
		return (-1);
	p = buf;
	while (len > 0) {
		/* zlib counts in uInt. */
		n = len < DC_INSZ ? len : DC_INSZ;
		rc = c->comp == MD2ELF_COMP_GZIP ? decomp_gzip(c, p, n) :
		    decomp_zstd(c, p, n);
		if (rc != 0)
			return (rc);
		c->st.in += n;
		p += n;
		len -= n;
	}
	return (0);
}

int
md2elf_decomp_finish(md2elf_decomp_t *c)
{
	if (c->failed)
		return (-1);
	if (c->st.in == 0)
		return (decomp_err(c, 0, "no compressed data"));
	/* A lone 0x1f after the last member: a byte to ignore. */
	if (c->got1f) {
		decomp_ignore(c, c->off1f, 1);
		c->got1f = false;
	}
	if (c->comp == MD2ELF_COMP_GZIP ? !c->ended : c->zret != 0)
		return (decomp_err(c, c->st.in, "truncated %s stream (the "
		    "compressed data ends inside a %s)", c->comp ==
		    MD2ELF_COMP_GZIP ? "gzip" : "zstd", c->comp ==
		    MD2ELF_COMP_GZIP ? "member" : "frame"));
	return (0);
}

const char *
md2elf_decomp_geterr(const md2elf_decomp_t *c)
{
	return (c->err);
}

void
md2elf_decomp_stats(const md2elf_decomp_t *c, struct md2elf_decomp_stats *st)
{
	*st = c->st;
}

void
md2elf_decomp_close(md2elf_decomp_t *c)
{
	if (c == NULL)
		return;
	if (c->zinit)
		inflateEnd(&c->z);
	if (c->zs != NULL)
		ZSTD_freeDStream(c->zs);
	free(c->out);
	free(c);
}

/* m2e_decompress(): the dump's data into a temporary file, bounded. */
struct dc {
	md2elf_t	*d;
	int		 infd;
	int		 outfd;
	uint64_t	 outoff;	/* decompressed bytes so far */
	const char	*tmpdir;
	bool		 probed;	/* header probed: limit and next hold */
	bool		 full;		/* an ELF full dump: no minidump limit */
	bool		 sized;		/* d->size_only: the length is known */
	uint64_t	 limit;		/* the most data the dump may have */
	uint64_t	 next;		/* outoff at which to learn more */
};

static const uint8_t dc_zero[DC_BLK];

static int
dc_pwrite(struct dc *c, const uint8_t *p, size_t n, uint64_t off)
{
	size_t done;

	if (m2e_pwrite_full(c->outfd, p, n, off, &done) == 0)
		return (0);
	if (errno == ENOSPC)
		return (m2e_err(c->d, "cannot decompress into %s: no space "
		    "left on device after %ju bytes (set TMPDIR to a larger "
		    "file system)", c->tmpdir, (uintmax_t)(off + done)));
	return (m2e_err(c->d, "cannot write decompressed data into %s: %s",
	    c->tmpdir, strerror(errno)));
}

/* Write n bytes at c->outoff, all-zero blocks skipped (holes). */
static int
dc_write(struct dc *c, const uint8_t *p, size_t n)
{
	size_t i, blk, run;

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
	c->outoff += n;
	return (0);
}

/*
 * What the data so far tells of the whole: the header once it is in
 * (probed as md2elf_open() will, in layout mode), then m2e_md_limit().
 */
static int
dc_learn(struct dc *c)
{
	md2elf_t *d;
	int fd, rc;
	uint64_t base, len, filebase;
	bool decompressed;

	d = c->d;
	/* A full dump (fulldump.c) is checked when it is opened, not here. */
	if (c->full) {
		c->limit = c->next = UINT64_MAX;
		return (0);
	}
	/* Zeros skipped at the end are not in the file until it is sized. */
	if (ftruncate(c->outfd, (off_t)c->outoff) != 0)
		return (m2e_err(d, "cannot size the temporary file in %s: %s",
		    c->tmpdir, strerror(errno)));
	fd = d->fd;
	base = d->base;
	len = d->len;
	filebase = d->filebase;
	decompressed = d->decompressed;
	d->fd = c->outfd;
	d->base = d->filebase = 0;
	d->len = c->outoff;
	d->decompressed = true;
	if (!c->probed) {
		rc = m2e_probe_layout(d);
		c->probed = rc == 0;
	} else
		rc = 0;
	if (rc == 0)
		rc = m2e_md_limit(d, c->outoff, &c->limit, &c->next);
	d->fd = fd;
	d->base = base;
	d->len = len;
	d->filebase = filebase;
	d->decompressed = decompressed;
	return (rc);
}

static int
dc_sink(void *arg, const void *buf, size_t n)
{
	struct dc *c = arg;
	const uint8_t *p = buf;
	size_t k;

	/*
	 * Stop at once if the stream does not start like a dump: otherwise a
	 * compressed file of anything would be inflated in full (up to the
	 * free space of TMPDIR) before being refused.
	 */
	if (c->outoff == 0 && n >= M2E_MD_PREFIXLEN &&
	    memcmp(p, M2E_MD_PREFIX, M2E_MD_PREFIXLEN) != 0 &&
	    memcmp(p, DC_ELFMAGIC, sizeof(DC_ELFMAGIC) - 1) != 0) {
		m2e_err(c->d, "offset 0 of the decompressed data: not a "
		    "FreeBSD minidump or full dump");
		return (1);
	}
	if (c->outoff == 0 && n >= sizeof(DC_ELFMAGIC) - 1 &&
	    memcmp(p, DC_ELFMAGIC, sizeof(DC_ELFMAGIC) - 1) == 0)
		c->full = true;
	while (n > 0) {
		/* Up to where there is more to learn, then learn it. */
		k = n;
		if (c->next > c->outoff && c->next - c->outoff < k)
			k = (size_t)(c->next - c->outoff);
		if (c->outoff + k > c->limit) {
			m2e_err(c->d, "offset %#jx of the decompressed data: "
			    "more data than the minidump header%s allow%s (%ju "
			    "bytes): decompression stopped",
			    (uintmax_t)c->limit, c->d->md.counted ?
			    " and bitmap" : "", c->d->md.counted ? "" : "s",
			    (uintmax_t)c->limit);
			return (1);
		}
		if (dc_write(c, p, k) != 0)
			return (1);
		p += k;
		n -= k;
		if (c->outoff >= c->next && dc_learn(c) != 0)
			return (1);
		/* md2elf_data_size(): the bitmap is counted, that is all. */
		if (c->d->size_only && c->d->md.counted) {
			c->sized = true;
			return (2);
		}
	}
	return (0);
}

/* Read up to DC_INSZ bytes of compressed input at off; the count, -1. */
static ssize_t
dc_fill(struct dc *c, uint8_t *buf, uint64_t off, uint64_t left)
{
	size_t want;
	ssize_t n;

	want = left < DC_INSZ ? (size_t)left : DC_INSZ;
	/* Decrypted there if the dump is encrypted (crypto.c). */
	n = m2e_data_pread(c->d, c->infd, buf, want, off);
	if (n < 0) {
		m2e_err(c->d, "offset %#jx: read error: %s", (uintmax_t)off,
		    strerror(errno));
		return (-1);
	}
	if ((size_t)n < want) {
		m2e_err(c->d, "offset %#jx: truncated compressed data "
		    "(need %ju bytes, file ends here)",
		    (uintmax_t)(off + (size_t)n), (uintmax_t)(off + left));
		return (-1);
	}
	return (n);
}

/* Feed [off, off + len) of the input to dc; 0 or -1 (error set). */
static int
dc_run(struct dc *c, int comp, uint64_t off, uint64_t len)
{
	md2elf_decomp_t *z;
	struct md2elf_decomp_stats st;
	char err[MD2ELF_ERRBUF_SIZE];
	uint8_t *in;
	uint64_t done;
	ssize_t n;
	int rc;

	n = 0;
	if ((in = malloc(DC_INSZ)) == NULL)
		return (m2e_err(c->d, "out of memory"));
	if ((z = md2elf_decomp_open(comp, off, dc_sink, c, err)) == NULL) {
		free(in);
		return (m2e_err(c->d, "%s", err));
	}
	rc = 0;
	for (done = 0; rc == 0 && done < len; done += (uint64_t)n) {
		if ((n = dc_fill(c, in, off + done, len - done)) < 0) {
			rc = -1;
			break;
		}
		rc = md2elf_decomp_write(z, in, (size_t)n);
	}
	if (c->sized)
		rc = 0;
	else if (rc == 0)
		rc = md2elf_decomp_finish(z);
	if (rc < 0 && n >= 0)
		m2e_err(c->d, "%s", md2elf_decomp_geterr(z));
	md2elf_decomp_stats(z, &st);
	if (rc == 0 && st.ignored != 0 && !c->sized)
		m2e_warn(c->d, "offset %#jx: ignoring %ju bytes after the "
		    "end of the gzip stream", (uintmax_t)st.ignored_off, (uintmax_t)st.ignored);
	md2elf_decomp_close(z);
	free(in);
	return (rc == 0 ? 0 : -1);
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
	c.outfd = -1;
	c.limit = UINT64_MAX;
	c.next = DC_HDRSZ;
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
	rc = dc_run(&c, comp, off, len);
	/* md2elf_data_size(): the length the header and bitmap give. */
	if (c.sized)
		c.outoff = c.limit - d->md.pagesize;
	/* md2elf_open() probes the whole data afresh. */
	m2e_probe_reset(d);
	if (rc == 0 && !c.sized && ftruncate(c.outfd, (off_t)c.outoff) != 0) {
		if (errno == ENOSPC || errno == EFBIG)
			rc = m2e_err(d, "cannot decompress into %s: %s "
			    "(%ju bytes)", c.tmpdir, strerror(errno),
			    (uintmax_t)c.outoff);
		else
			rc = m2e_err(d, "cannot size the temporary file in "
			    "%s: %s", c.tmpdir, strerror(errno));
	}
	if (rc != 0) {
		close(c.outfd);
		return (-1);
	}
	*outfd = c.outfd;
	*outlen = c.outoff;
	return (0);
}
