/*
 * copy.c: copying the dump data from the device to the output file: as it
 * is, sparsely (all-zero 4 KiB blocks become holes), through a gzip writer
 * (-z), decompressed (-u: the kernel's gzip or zstd stream), or, for a
 * textdump, with its 512-byte blocks put back in order.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "savecore.h"

#define	HOLEBLOCK	4096
#define	TEXTBLOCK	512

volatile sig_atomic_t got_siginfo;

struct sink {
	int		 fd;
	gzFile		 gz;
	bool		 sparse;
	uint8_t		*stage;		/* sparse: pending output */
	size_t		 stlen;
	uint64_t	 off;		/* bytes written (or staged) */
};

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

static int
pwrite_all(int fd, const uint8_t *p, size_t n, uint64_t off)
{
	ssize_t w;

	while (n > 0) {
		w = pwrite(fd, p, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = ENOSPC;
			return (-1);
		}
		p += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return (0);
}

/* Write p[0..n) at off, all-zero blocks (aligned in the file) skipped. */
static int
sparse_write(int fd, const uint8_t *p, size_t n, uint64_t off)
{
	size_t k, run, start;

	start = 0;
	run = 0;
	while (start + run < n) {
		k = HOLEBLOCK - (size_t)((off + start + run) % HOLEBLOCK);
		if (k > n - start - run)
			k = n - start - run;
		if ((off + start + run) % HOLEBLOCK == 0 &&
		    allzero(p + start + run, k)) {
			if (run > 0 && pwrite_all(fd, p + start, run,
			    off + start) != 0)
				return (-1);
			start += run + k;
			run = 0;
		} else
			run += k;
	}
	if (run > 0 && pwrite_all(fd, p + start, run, off + start) != 0)
		return (-1);
	return (0);
}

static int
sink_write(struct sink *s, const uint8_t *p, size_t n)
{
	size_t k;
	int zerr;

	if (s->gz != NULL) {
		while (n > 0) {
			k = n < BUFFERSIZE ? n : BUFFERSIZE;
			if (gzwrite(s->gz, p, (unsigned)k) != (int)k) {
				(void)gzerror(s->gz, &zerr);
				if (zerr != Z_ERRNO)
					errno = EIO;
				return (-1);
			}
			p += k;
			n -= k;
			s->off += k;
		}
		return (0);
	}
	if (!s->sparse) {
		if (pwrite_all(s->fd, p, n, s->off) != 0)
			return (-1);
		s->off += n;
		return (0);
	}
	/*
	 * Sparse: staged in a buffer that starts at a block boundary, so
	 * that output in pieces of any size still finds its zero blocks.
	 */
	while (n > 0) {
		k = BUFFERSIZE - s->stlen;
		if (k > n)
			k = n;
		memcpy(s->stage + s->stlen, p, k);
		s->stlen += k;
		s->off += k;
		p += k;
		n -= k;
		if (s->stlen == BUFFERSIZE) {
			if (sparse_write(s->fd, s->stage, s->stlen,
			    s->off - s->stlen) != 0)
				return (-1);
			s->stlen = 0;
		}
	}
	return (0);
}

/* Complete the file: the size of a sparse file, the gzip trailer. */
static int
sink_finish(struct sink *s)
{
	int zerr;

	if (s->gz != NULL) {
		zerr = gzclose(s->gz);
		s->gz = NULL;
		if (zerr != Z_OK) {
			if (zerr != Z_ERRNO)
				errno = EIO;
			return (-1);
		}
		return (0);
	}
	if (s->stlen > 0 && sparse_write(s->fd, s->stage, s->stlen,
	    s->off - s->stlen) != 0)
		return (-1);
	s->stlen = 0;
	return (ftruncate(s->fd, (off_t)s->off));
}

static void
progress(const struct copyjob *j, uint64_t done)
{
	if (opt.verbose) {
		printf("%ju\r", (uintmax_t)done);
		fflush(stdout);
	}
	if (got_siginfo) {
		printf("%s %.1f%%\n", j->filename, j->length == 0 ? 100.0 :
		    100.0 * (double)done / (double)j->length);
		got_siginfo = 0;
	}
}

static int
write_failed(const struct copyjob *j)
{
	logmsg("write error on %s file: %s", j->filename, strerror(errno));
	nerr++;
	return (-1);
}

/* The textdump's blocks lie below the trailing header, last one first. */
static int
copy_textdump(const struct copyjob *j, uint8_t *buf, struct sink *s)
{
	uint64_t done, n, k;
	off_t off;
	ssize_t r;

	if (j->length % TEXTBLOCK != 0) {
		logmsg("textdump uneven multiple of 512 on %s", j->device);
		nerr++;
		return (-1);
	}
	for (done = 0; done < j->length; done += n) {
		n = j->length - done;
		if (n > BUFFERSIZE)
			n = BUFFERSIZE;
		if ((uint64_t)j->start < done + n) {
			logmsg("WARNING: EOF on dump device");
			nerr++;
			return (-1);
		}
		off = j->start - (off_t)(done + n);
		r = dev_pread(j->devfd, buf, (size_t)n, off);
		if (r != (ssize_t)n) {
			if (r < 0)
				logmsg("read error on %s: %s", j->device,
				    strerror(errno));
			else
				logmsg("WARNING: EOF on dump device");
			nerr++;
			return (-1);
		}
		for (k = n; k > 0; k -= TEXTBLOCK)
			if (sink_write(s, buf + k - TEXTBLOCK, TEXTBLOCK) != 0)
				return (write_failed(j));
		progress(j, done + n);
	}
	return (0);
}

struct decomp {
	int		 kind;
	z_stream	 z;
	bool		 zinit;
	ZSTD_DCtx	*zd;
	size_t		 zret;		/* last ZSTD_decompressStream() */
	bool		 done;		/* gzip: end of stream seen */
	uint8_t		*out;
	size_t		 outsize;
};

static int
decomp_init(struct decomp *c, int kind)
{
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	if (kind == KDH_COMP_GZIP) {
		/* The kernel writes an ordinary gzip header and trailer. */
		if (inflateInit2(&c->z, 16 + MAX_WBITS) != Z_OK) {
			logmsg("failed to initialize zlib: %s", c->z.msg != NULL ?
			    c->z.msg : "out of memory");
			return (-1);
		}
		c->zinit = true;
		c->outsize = BUFFERSIZE;
	} else {
		if ((c->zd = ZSTD_createDCtx()) == NULL) {
			logmsg("failed to initialize zstd");
			return (-1);
		}
		c->zret = 1;
		c->outsize = ZSTD_DStreamOutSize();
	}
	if ((c->out = malloc(c->outsize)) == NULL) {
		logmsg("failed to alloc decompression buffer");
		return (-1);
	}
	return (0);
}

static void
decomp_end(struct decomp *c)
{
	if (c->zinit)
		inflateEnd(&c->z);
	if (c->zd != NULL)
		ZSTD_freeDCtx(c->zd);
	free(c->out);
}

/*
 * Decompress n input bytes into s.  Returns 0, -1 after a decompression
 * error (logged), -2 after a write error (errno set).
 */
static int
decomp_run(struct decomp *c, const uint8_t *in, size_t n, struct sink *s)
{
	ZSTD_inBuffer zin;
	ZSTD_outBuffer zout;
	int rv;

	if (c->kind == KDH_COMP_GZIP) {
		c->z.next_in = (Bytef *)(uintptr_t)in;
		c->z.avail_in = (uInt)n;
		while (!c->done && c->z.avail_in > 0) {
			c->z.next_out = c->out;
			c->z.avail_out = (uInt)c->outsize;
			rv = inflate(&c->z, Z_NO_FLUSH);
			if (rv != Z_OK && rv != Z_STREAM_END) {
				logmsg("decompression failed: %s",
				    c->z.msg != NULL ? c->z.msg : zError(rv));
				return (-1);
			}
			if (sink_write(s, c->out, c->outsize -
			    c->z.avail_out) != 0)
				return (-2);
			if (rv == Z_STREAM_END)
				c->done = true;
		}
		return (0);
	}
	zin.src = in;
	zin.size = n;
	zin.pos = 0;
	do {
		zout.dst = c->out;
		zout.size = c->outsize;
		zout.pos = 0;
		c->zret = ZSTD_decompressStream(c->zd, &zout, &zin);
		if (ZSTD_isError(c->zret)) {
			logmsg("decompression failed: %s",
			    ZSTD_getErrorName(c->zret));
			return (-1);
		}
		if (sink_write(s, c->out, zout.pos) != 0)
			return (-2);
		/* A full buffer may hide more output, unless the frame ended. */
	} while (zin.pos < zin.size || (zout.pos == zout.size &&
	    c->zret != 0));
	return (0);
}

/* Did the compressed data end where the stream does? */
static bool
decomp_complete(const struct decomp *c)
{
	return (c->kind == KDH_COMP_GZIP ? c->done : c->zret == 0);
}

static int
copy_regular(const struct copyjob *j, uint8_t *buf, struct sink *s)
{
	struct decomp c;
	uint64_t done, wl, rl;
	ssize_t r;
	int rc, rv;

	if (j->decompress != KDH_COMP_NONE && decomp_init(&c,
	    j->decompress) != 0) {
		decomp_end(&c);
		nerr++;
		return (-1);
	}
	rc = -1;
	for (done = 0; done < j->length; done += wl) {
		wl = j->length - done;
		if (wl > BUFFERSIZE)
			wl = BUFFERSIZE;
		/* Whole sectors, as a raw device wants them. */
		rl = (wl + j->sectorsize - 1) / j->sectorsize * j->sectorsize;
		r = dev_pread(j->devfd, buf, (size_t)rl, j->start +
		    (off_t)done);
		if (r < 0 || (uint64_t)r < wl) {
			if (r < 0)
				logmsg("read error on %s: %s", j->device,
				    strerror(errno));
			else
				logmsg("WARNING: EOF on dump device");
			nerr++;
			goto out;
		}
		if (j->decompress == KDH_COMP_NONE)
			rv = sink_write(s, buf, (size_t)wl) != 0 ? -2 : 0;
		else
			rv = decomp_run(&c, buf, (size_t)wl, s);
		if (rv == -2) {
			write_failed(j);
			goto out;
		}
		if (rv != 0) {
			nerr++;
			goto out;
		}
		progress(j, done + wl);
		if (j->decompress == KDH_COMP_GZIP && c.done)
			break;
	}
	if (j->decompress != KDH_COMP_NONE && !decomp_complete(&c)) {
		logmsg("decompression failed: the compressed data ends in "
		    "the middle of the stream");
		nerr++;
		goto out;
	}
	rc = 0;
out:
	if (j->decompress != KDH_COMP_NONE)
		decomp_end(&c);
	return (rc);
}

/* Copy the dump described by j; 0 on success, -1 (logged, nerr counted). */
int
copy_dump(const struct copyjob *j)
{
	struct sink s;
	uint8_t *buf;
	int fd, rc;

	memset(&s, 0, sizeof(s));
	s.fd = j->outfd;
	s.sparse = j->out == OUT_SPARSE;
	if (j->out == OUT_GZIP) {
		if ((fd = dup(j->outfd)) < 0 ||
		    (s.gz = gzdopen(fd, "wb")) == NULL) {
			if (fd >= 0)
				close(fd);
			logmsg("%s: %s", j->filename, strerror(errno));
			nerr++;
			return (-1);
		}
	}
	if ((buf = malloc(BUFFERSIZE + MAXSECTOR)) == NULL ||
	    (s.sparse && (s.stage = malloc(BUFFERSIZE)) == NULL)) {
		logmsg("%s", strerror(errno));
		if (s.gz != NULL)
			gzclose(s.gz);
		free(buf);
		nerr++;
		return (-1);
	}
	if (j->textdump)
		rc = copy_textdump(j, buf, &s);
	else
		rc = copy_regular(j, buf, &s);
	free(buf);
	if (opt.verbose)
		printf("\n");
	if (sink_finish(&s) != 0 && rc == 0) {
		if (s.sparse)
			write_failed(j);
		else {
			logmsg("error on %s: %s", j->filename,
			    strerror(errno));
			nerr++;
		}
		rc = -1;
	}
	free(s.stage);
	return (rc);
}
