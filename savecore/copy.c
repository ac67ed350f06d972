/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * copy.c: copying the dump data from the device to the output file: as it
 * is, sparsely (all-zero 4 KiB blocks become holes), through a gzip writer
 * (-z), decompressed (-u: the kernel's gzip or zstd stream, every member,
 * through libmd2elf's streaming decompressor into this file's sink), or,
 * for a textdump, with its 512-byte blocks put back in order.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "savecore.h"

#define	HOLEBLOCK	4096
#define	TEXTBLOCK	512
/* Most bytes written between two looks at the free space. */
#define	SPACESTEP	(64ULL * 1024 * 1024)

volatile sig_atomic_t got_siginfo;

struct sink {
	int		 fd;
	gzFile		 gz;
	bool		 sparse;
	uint8_t		*stage;		/* sparse: pending output */
	size_t		 stlen;
	uint64_t	 off;		/* bytes written (or staged) */
	const char	*name;		/* the file, for messages */
	uint64_t	 written;	/* bytes that took space (no holes) */
	uint64_t	 room;		/* may be written before looking again */
	bool		 nospace;	/* stopped at minfree (logged) */
};

/*
 * Before n bytes that take space: stay above minfree.  The space check
 * before the copy knows only the dump's length on the device; what a
 * decompressed (-u) or gzip (-z) file takes is only known as it is
 * written.  Looks at the file system every SPACESTEP bytes.
 */
static int
sink_room(struct sink *s, uint64_t n)
{
	int64_t avail, minfree, spacefree;

	if (n > s->room) {
		avail = space_available(".", &minfree, &spacefree);
		s->room = avail > 0 ? (uint64_t)avail * 1024 : 0;
		if (s->room > SPACESTEP)
			s->room = SPACESTEP;
		if (n > s->room) {
			logmsg("no dump: not enough free space on device for "
			    "%s after %ju bytes (%jdkB available; %jdkB "
			    "reserved)", s->name, (uintmax_t)s->written,
			    (intmax_t)(avail + minfree), (intmax_t)minfree);
			s->nospace = true;
			errno = ENOSPC;
			return (-1);
		}
	}
	s->room -= n;
	s->written += n;
	return (0);
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

static int
pwrite_all(struct sink *s, const uint8_t *p, size_t n, uint64_t off)
{
	if (sink_room(s, n) != 0)
		return (-1);
	return (m2e_pwrite_full(s->fd, p, n, off, NULL));
}

/* Write p[0..n) at off, all-zero blocks (aligned in the file) skipped. */
static int
sparse_write(struct sink *s, const uint8_t *p, size_t n, uint64_t off)
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
			if (run > 0 && pwrite_all(s, p + start, run,
			    off + start) != 0)
				return (-1);
			start += run + k;
			run = 0;
		} else
			run += k;
	}
	if (run > 0 && pwrite_all(s, p + start, run, off + start) != 0)
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
			/* The input's size: about what it takes, or more. */
			if (sink_room(s, k) != 0)
				return (-1);
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
		if (pwrite_all(s, p, n, s->off) != 0)
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
			if (sparse_write(s, s->stage, s->stlen,
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
	if (s->stlen > 0 && sparse_write(s, s->stage, s->stlen,
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
write_failed(const struct copyjob *j, const struct sink *s)
{
	/* Stopped at minfree: sink_room() said so. */
	if (!s->nospace)
		logmsg("write error on %s file: %s", j->filename,
		    strerror(errno));
	nerr++;
	return (-1);
}

/* want bytes of the device at off, at least need of them: 0, or -1 said. */
static int
dev_read(const struct copyjob *j, uint8_t *buf, size_t want, size_t need,
    uint64_t off)
{
	ssize_t r;

	r = m2e_pread_full(j->devfd, buf, want, off, NULL);
	if (r >= 0 && (size_t)r >= need)
		return (0);
	if (r < 0)
		logmsg("read error on %s: %s", j->device, strerror(errno));
	else
		logmsg("WARNING: EOF on dump device");
	nerr++;
	return (-1);
}

/* The textdump's blocks lie below the trailing header, last one first. */
static int
copy_textdump(const struct copyjob *j, uint8_t *buf, struct sink *s)
{
	uint64_t done, n, k;
	off_t off;

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
		if (dev_read(j, buf, (size_t)n, (size_t)n, (uint64_t)off) != 0)
			return (-1);
		for (k = n; k > 0; k -= TEXTBLOCK)
			if (sink_write(s, buf + k - TEXTBLOCK, TEXTBLOCK) != 0)
				return (write_failed(j, s));
		progress(j, done + n);
	}
	return (0);
}

/* The library's decompressor hands its output to the sink. */
static int
decomp_sink(void *arg, const void *buf, size_t len)
{
	return (sink_write(arg, buf, len) != 0 ? 1 : 0);
}

static int
copy_regular(const struct copyjob *j, uint8_t *buf, struct sink *s)
{
	struct md2elf_decomp_stats st;
	md2elf_decomp_t *dc;
	char err[MD2ELF_ERRBUF_SIZE];
	uint64_t done, wl, rl;
	int rc, rv;

	dc = NULL;
	if (j->decompress != MD2ELF_COMP_NONE && (dc = md2elf_decomp_open(
	    j->decompress, (uint64_t)j->start, decomp_sink, s, err)) == NULL) {
		logmsg("decompression failed: %s: %s", j->device, err);
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
		if (dev_read(j, buf, (size_t)rl, (size_t)wl,
		    (uint64_t)j->start + done) != 0)
			goto out;
		if (dc == NULL)
			rv = sink_write(s, buf, (size_t)wl) != 0 ? 1 : 0;
		else
			rv = md2elf_decomp_write(dc, buf, (size_t)wl);
		if (rv > 0) {
			write_failed(j, s);
			goto out;
		}
		if (rv < 0)
			goto decomp_failed;
		progress(j, done + wl);
	}
	if (dc != NULL) {
		if (md2elf_decomp_finish(dc) != 0)
			goto decomp_failed;
		/*
		 * Bytes after the end of the stream that start no member are
		 * not data savecore can vouch for: the dump stays on the
		 * device.
		 */
		md2elf_decomp_stats(dc, &st);
		if (st.ignored != 0) {
			logmsg("decompression failed: %s: offset %#jx: %ju "
			    "bytes after the end of the gzip stream are not "
			    "gzip data", j->device, (uintmax_t)st.ignored_off,
			    (uintmax_t)st.ignored);
			nerr++;
			goto out;
		}
	}
	rc = 0;
	goto out;
decomp_failed:
	logmsg("decompression failed: %s: %s", j->device,
	    md2elf_decomp_geterr(dc));
	nerr++;
out:
	md2elf_decomp_close(dc);
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
	s.name = j->filename;
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
			write_failed(j, &s);
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
