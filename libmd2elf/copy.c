/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * copy.c: the bulk of a conversion: the minidump's page section, copied
 * verbatim to the core's page data.  Holes of the source stay holes.
 *
 * Paths, tried in this order, each falling back to the next when the
 * system refuses it (MD2ELF_COPY=clone, copy_file_range or rw starts the
 * list there; auto or unset: from the top):
 *   clone  FICLONERANGE, COPY_BIGCHUNK at a time: the core shares the
 *          dump's blocks.  Source and core offsets must sit alike on
 *          block boundaries; an unaligned head or tail goes rw.
 *   copy_file_range  the data extents of a regular file, one in-kernel
 *          copy each (as cp(1) copies a file).
 *   rw     the source mapped COPY_WINDOW at a time, zero pages tested and
 *          left as holes, the non-zero runs written from the mapping;
 *          where the source does not map, pread into COPY_CHUNK.  It is
 *          the only path for a dump device or its image, a decompressed
 *          dump (savecore's work: it leaves zero blocks as holes), an
 *          encrypted one (decrypted into the buffer; its holes are no
 *          zeros of the plaintext), and for every dump when the caller
 *          asks for every zero page as a hole (sparse).  A clone or
 *          copy_file_range out of space starts again this way, once.
 * The first two do not read the pages: the source's holes stay holes
 * (zero_pages counts them), zero pages stored as data (a vmcore copied
 * densely) are shared or copied.  Memory: one window, whatever the dump
 * size.  Why this order, and its costs: bench/RESULTS.
 */
#ifdef __linux__
#include <sys/ioctl.h>
#include <linux/fs.h>
#endif
#include <sys/mman.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "md2elf_private.h"

#if defined(__linux__) || (defined(__FreeBSD_version) && \
    __FreeBSD_version >= 1300000)
#define	HAVE_COPY_FILE_RANGE	1
#endif
#if defined(__linux__) && defined(FICLONERANGE)
#define	HAVE_FICLONERANGE	1
#endif

#define	COPY_CHUNK	(128 * 1024)	/* rw: a multiple of every page size */
#define	COPY_WINDOW	(2 * 1024 * 1024) /* rw: source mapped at once */
#define	COPY_BIGCHUNK	(64 * 1024 * 1024) /* clone, copy_file_range: a
					   progress report per 64 MiB */

static const uint8_t copy_zero[M2E_MAXPAGESIZE];

enum copy_path {
	COPY_CLONE,
	COPY_CFR,
	COPY_RW
};

struct copy {
	md2elf_t	*d;
	int		 in, out;
	uint64_t	 src;		/* page section in d->fd */
	uint64_t	 dst;		/* page data in out */
	uint64_t	 total;
	unsigned	 ps;
	uint64_t	 bs;		/* output block size (clone alignment) */
	enum copy_path	 path;		/* the first path still worth trying */
	enum copy_path	 unshared;	/* the path after a refused clone */
	bool		 nospace;	/* clone or copy_file_range: ENOSPC */
	bool		 shrank;	/* the source is shorter than it was */
	bool		 seekdata;	/* SEEK_DATA still worth trying */
	uint64_t	 zero;		/* zero pages (holes) */
	uint8_t		*buf;		/* COPY_CHUNK bytes, for pread */
	uint8_t		*map;		/* rw: the source mapped, or NULL */
	size_t		 maplen;
	uint64_t	 mapoff;	/* file offset of map */
	uint64_t	 insize;	/* the source's size: mapped no
					   further (SIGBUS) */
	uint64_t	 mapfrom, mapto;	/* page-section bytes it holds */
	bool		 mapok;		/* mmap still worth trying */
	uint64_t	 sysps;		/* mmap alignment */
	md2elf_progress_fn *progress;
	void		*arg;
};

static int
copy_outerr(struct copy *c, uint64_t pos, int error)
{
	return (m2e_err(c->d, "writing the core: output offset %#jx: %s",
	    (uintmax_t)(c->dst + pos), strerror(error)));
}

/* An error of a clone or copy call that is the output's, not a refusal. */
static bool
copy_hard_error(int error)
{
	return (error == ENOSPC || error == EIO || error == EDQUOT ||
	    error == EFBIG || error == EROFS);
}

/*
 * Out of space while cloning or copying unread: the zero pages the dump
 * stores as data may be what did not fit; the copy starts again the rw
 * way (m2e_copy_pages), no error yet.  Once: rw never comes back here.
 */
static bool
copy_nospace(struct copy *c, int error)
{
	if (error != ENOSPC && error != EDQUOT)
		return (false);
	c->nospace = true;
	return (true);
}

/* Write len bytes of buf, page-section offset pos, with pwrite. */
static int
copy_pwrite(struct copy *c, const uint8_t *buf, uint64_t pos, size_t len)
{
	size_t done;

	if (m2e_pwrite_full(c->out, buf, len, c->dst + pos, &done) != 0)
		return (copy_outerr(c, pos + done, errno));
	return (0);
}

/* Read len bytes of the page section at pos into buf. */
static int
copy_read(struct copy *c, uint8_t *buf, uint64_t pos, size_t len)
{
	ssize_t r;

	/* Decrypted there if the dump is encrypted (crypto.c). */
	r = m2e_data_pread(c->d, c->in, buf, len, c->src + pos);
	if (r < 0)
		return (m2e_err_at(c->d, c->src + pos - c->d->base,
		    "reading page data: %s", strerror(errno)));
	if ((size_t)r < len)
		return (m2e_err_at(c->d, c->src + pos + (size_t)r - c->d->base,
		    "page data truncated (end of file)"));
	return (0);
}

static void
copy_report(struct copy *c, uint64_t pos)
{
	if (c->progress != NULL)
		c->progress(c->arg, pos, c->total);
}

static void
copy_unmap(struct copy *c)
{
	if (c->map != NULL)
		(void)munmap(c->map, c->maplen);
	c->map = NULL;
	c->mapfrom = c->mapto = 0;
}

/*
 * rw: the source's [pos, pos + n) in memory: through a COPY_WINDOW
 * mapping of the source when it maps (no copy into a buffer), else read
 * into c->buf.  NULL with the error set.
 */
static const uint8_t *
copy_get(struct copy *c, uint64_t pos, size_t n)
{
	struct stat sb;
	uint64_t from, to, off;
	void *m;

	if (c->mapok && (pos < c->mapfrom || pos + n > c->mapto)) {
		copy_unmap(c);
		/* A file shrunk since: no mapping past its end (SIGBUS). */
		if (fstat(c->in, &sb) == 0 && (uint64_t)sb.st_size < c->insize)
			c->insize = (uint64_t)sb.st_size;
		from = c->src + pos;
		to = c->total - pos < COPY_WINDOW ? c->src + c->total :
		    from + COPY_WINDOW;
		if (to > c->insize)
			to = c->insize;
		off = from & ~(c->sysps - 1);
		/* Short of the chunk at the end of the file: read says so. */
		m = to < from + n ? MAP_FAILED : mmap(NULL, (size_t)(to - off),
		    PROT_READ, MAP_SHARED, c->in, (off_t)off);
		if (m == MAP_FAILED) {
			if (to >= from + n)
				c->mapok = false;	/* does not map */
		} else {
			c->map = m;
			c->maplen = (size_t)(to - off);
			c->mapoff = off;
			c->mapfrom = from - c->src;
			c->mapto = to - c->src;
			(void)madvise(m, c->maplen, MADV_SEQUENTIAL);
#ifdef POSIX_FADV_WILLNEED
			/* Cold cache: read the next window meanwhile. */
			if (to < c->src + c->total)
				(void)posix_fadvise(c->in, (off_t)to,
				    COPY_WINDOW, POSIX_FADV_WILLNEED);
#endif
		}
	}
	if (c->map != NULL && pos >= c->mapfrom && pos + n <= c->mapto)
		return (c->map + (c->src + pos - c->mapoff));
	if (copy_read(c, c->buf, pos, n) != 0)
		return (NULL);
	return (c->buf);
}

/*
 * rw: [pos, end) chunk by chunk, the runs of non-zero pages written, zero
 * pages counted and left as holes.
 */
static int
copy_rw(struct copy *c, uint64_t pos, uint64_t end)
{
	const uint8_t *buf;
	size_t n, i, run;

	for (; pos < end; pos += n) {
		n = end - pos < COPY_CHUNK ? (size_t)(end - pos) : COPY_CHUNK;
		if ((buf = copy_get(c, pos, n)) == NULL)
			return (-1);
		for (i = 0; i < n; i += run) {
			if (memcmp(buf + i, copy_zero, c->ps) == 0) {
				c->zero++;
				run = c->ps;
				continue;
			}
			for (run = c->ps; i + run < n &&
			    memcmp(buf + i + run, copy_zero, c->ps) != 0;
			    run += c->ps)
				;
			if (copy_pwrite(c, buf + i, pos + i, run) != 0)
				return (-1);
		}
		copy_report(c, pos + n);
	}
	return (0);
}

/*
 * clone: share [pos, pos + len) (block aligned) with FICLONERANGE.  0
 * done, 1 refused (c->path moves on), -1 error.
 */
static int
copy_clone(struct copy *c, uint64_t pos, uint64_t len)
{
#ifdef HAVE_FICLONERANGE
	struct file_clone_range r;

	memset(&r, 0, sizeof(r));
	r.src_fd = c->in;
	r.src_offset = c->src + pos;
	r.src_length = len;
	r.dest_offset = c->dst + pos;
	while (ioctl(c->out, FICLONERANGE, &r) != 0) {
		if (errno == EINTR)
			continue;
		if (copy_nospace(c, errno))
			return (-1);
		if (copy_hard_error(errno))
			return (copy_outerr(c, pos, errno));
		return (1);
	}
	return (0);
#else
	(void)c; (void)pos; (void)len;
	return (1);
#endif
}

/*
 * copy_file_range: [pos, pos + len) in the kernel, *done bytes of it
 * copied.  0 all done, 1 refused after *done bytes, -1 error.
 */
static int
copy_cfr(struct copy *c, uint64_t pos, uint64_t len, uint64_t *done)
{
#ifdef HAVE_COPY_FILE_RANGE
	off_t inoff, outoff;
	ssize_t w;

	*done = 0;
	while (len > 0) {
		inoff = (off_t)(c->src + pos);
		outoff = (off_t)(c->dst + pos);
		w = copy_file_range(c->in, &inoff, c->out, &outoff, len, 0);
		if (w > 0) {
			pos += (uint64_t)w;
			len -= (uint64_t)w;
			*done += (uint64_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && copy_nospace(c, errno))
			return (-1);
		if (w < 0 && copy_hard_error(errno))
			return (copy_outerr(c, pos, errno));
		/* Not supported here (or an early end of file). */
		return (1);
	}
	return (0);
#else
	(void)c; (void)pos; (void)len;
	*done = 0;
	return (1);
#endif
}

/*
 * Where the next data of the source starts, at or after pos (page
 * aligned down); total if the rest is a hole.  Without SEEK_DATA: pos.
 */
static uint64_t
copy_nextdata(struct copy *c, uint64_t pos)
{
#ifdef SEEK_DATA
	struct stat sb;
	off_t o;

	if (!c->seekdata)
		return (pos);
	o = lseek(c->in, (off_t)(c->src + pos), SEEK_DATA);
	if (o < 0) {
		if (errno == ENXIO) {
			/* No data after pos: a hole, or the file shrank. */
			if (fstat(c->in, &sb) == 0 &&
			    (uint64_t)sb.st_size < c->src + c->total) {
				c->shrank = true;
				c->insize = (uint64_t)sb.st_size;
			}
			return (c->total);
		}
		c->seekdata = false;
		return (pos);
	}
	if ((uint64_t)o <= c->src + pos)
		return (pos);
	if ((uint64_t)o - c->src >= c->total)
		return (c->total);
	return (((uint64_t)o - c->src) & ~((uint64_t)c->ps - 1));
#else
	return (pos);
#endif
}

/*
 * Where the data of the source that starts at pos ends (page aligned
 * up), total at most.  Without SEEK_HOLE: total.
 */
static uint64_t
copy_nexthole(struct copy *c, uint64_t pos)
{
#ifdef SEEK_HOLE
	off_t o;
	uint64_t end;

	if (!c->seekdata)
		return (c->total);
	o = lseek(c->in, (off_t)(c->src + pos), SEEK_HOLE);
	if (o < 0) {
		c->seekdata = false;
		return (c->total);
	}
	if ((uint64_t)o <= c->src + pos) {
		/* The data starts inside pos's page (blocks < a page). */
		if ((o = lseek(c->in, (off_t)(c->src + pos), SEEK_DATA)) < 0 ||
		    (o = lseek(c->in, o, SEEK_HOLE)) < 0)
			return (c->total);
	}
	end = (uint64_t)o - c->src;
	if (end >= c->total)
		return (c->total);
	end = (end + c->ps - 1) & ~((uint64_t)c->ps - 1);
	return (end < c->total ? end : c->total);
#else
	(void)pos;
	return (c->total);
#endif
}

/* Pages of the source's holes in [pos, end). */
static uint64_t
copy_holes(struct copy *c, uint64_t pos, uint64_t end)
{
	uint64_t n, next;

	for (n = 0; pos < end; pos = next) {
		next = copy_nextdata(c, pos);
		if (next > pos) {
			next = next < end ? next : end;
			n += (next - pos) / c->ps;
		} else
			next = copy_nexthole(c, pos);
	}
	return (n);
}

/*
 * clone: the next COPY_BIGCHUNK from *posp, holes and all (a clone leaves
 * the source's holes holes), an unaligned head or tail the rw way.  When
 * the clone is refused, the path moves on and *posp is where it stopped.
 */
static int
copy_clone_piece(struct copy *c, uint64_t *posp)
{
	uint64_t pos, end, head, body;
	int rc;

	pos = *posp;
	if ((c->src + pos) % c->bs != (c->dst + pos) % c->bs) {
		c->path = c->unshared;
		return (0);
	}
	end = c->total - pos < COPY_BIGCHUNK ? c->total : pos + COPY_BIGCHUNK;
	head = (c->bs - (c->dst + pos) % c->bs) % c->bs;
	if (head > 0 && head < end - pos) {
		if (copy_rw(c, pos, pos + head) != 0)
			return (-1);
		*posp = pos += head;
	}
	body = (end - pos) / c->bs * c->bs;
	if (body == 0) {
		/* The end of the section, short of a block. */
		*posp = end;
		return (copy_rw(c, pos, end));
	}
	if ((rc = copy_clone(c, pos, body)) != 0) {
		if (rc < 0)
			return (-1);
		c->path = c->unshared;
		return (0);
	}
	c->zero += copy_holes(c, pos, pos + body);
	*posp = pos + body;
	copy_report(c, pos + body);
	return (0);
}

/* copy_file_range: the data extent at *posp, COPY_BIGCHUNK at most. */
static int
copy_cfr_extent(struct copy *c, uint64_t *posp)
{
	uint64_t pos, end, done;
	int rc;

	pos = *posp;
	end = copy_nexthole(c, pos);
	if (end - pos > COPY_BIGCHUNK)
		end = pos + COPY_BIGCHUNK;
	rc = copy_cfr(c, pos, end - pos, &done);
	*posp = pos + done;
	if (rc < 0)
		return (-1);
	if (rc > 0)
		c->path = COPY_RW;
	if (done > 0)
		copy_report(c, pos + done);
	return (0);
}

/*
 * The first path to try: MD2ELF_COPY, else clone.  A saved vmcore is
 * cloned or copied as it is, holes and all; where md2elf does savecore's
 * job (a dump device or an image of one, a decompressed dump), and when
 * the caller asks for it, every page is read and the zero pages become
 * holes, as savecore(8) writes them, whatever MD2ELF_COPY says.
 */
static int
copy_choose(struct copy *c, bool sparse, bool inreg)
{
	const char *env;

	env = getenv("MD2ELF_COPY");
	if (env == NULL || *env == '\0' || strcmp(env, "auto") == 0 ||
	    strcmp(env, "clone") == 0)
		c->path = COPY_CLONE;
	else if (strcmp(env, "copy_file_range") == 0)
		c->path = COPY_CFR;
	else if (strcmp(env, "rw") == 0)
		c->path = COPY_RW;
	else
		return (m2e_err(c->d, "MD2ELF_COPY=%s: not auto, clone, "
		    "copy_file_range or rw", env));
	/* copy_file_range(2) and FICLONERANGE take regular files only. */
	c->unshared = inreg ? COPY_CFR : COPY_RW;
	if (sparse || c->d->has_kdh || c->d->decompressed)
		c->unshared = COPY_RW;
	if (c->unshared == COPY_RW)
		c->path = COPY_RW;
	return (0);
}

int
m2e_copy_pages(md2elf_t *d, int out, uint64_t dst,
    bool sparse, md2elf_progress_fn *progress, void *arg,
    uint64_t *zero_pages)
{
	struct copy c;
	struct stat sb, insb;
	uint64_t pos, next;
	bool inreg;
	int rc;

	memset(&c, 0, sizeof(c));
	c.d = d;
	c.in = d->fd;
	c.out = out;
	c.ps = d->md.pagesize;
	c.src = d->base + d->md.off_pages;
	c.dst = dst;
	c.total = d->md.npages * c.ps;
	c.seekdata = true;
	c.progress = progress;
	c.arg = arg;
	if (c.ps == 0 || c.ps > M2E_MAXPAGESIZE || COPY_CHUNK % c.ps != 0)
		return (m2e_err(d, "bad page size %u", c.ps));
	inreg = fstat(c.in, &insb) == 0 && S_ISREG(insb.st_mode);
	if (copy_choose(&c, sparse, inreg) != 0)
		return (-1);
	c.bs = fstat(out, &sb) == 0 && sb.st_blksize > 0 ?
	    (uint64_t)sb.st_blksize : c.ps;
	/* Blocks and pages that do not nest: no clone. */
	if (c.path == COPY_CLONE && c.bs % c.ps != 0 && c.ps % c.bs != 0)
		c.path = c.unshared;
	c.sysps = (uint64_t)sysconf(_SC_PAGESIZE);
	c.mapok = c.sysps > 0 && (c.sysps & (c.sysps - 1)) == 0 && inreg;
	/* Encrypted data: read and decrypted, never cloned or mapped. */
	if (m2e_data_encrypted(d, c.in)) {
		c.path = COPY_RW;
		c.mapok = c.seekdata = false;
	}
	c.insize = c.mapok ? (uint64_t)insb.st_size : 0;
	if ((c.buf = malloc(COPY_CHUNK)) == NULL)
		return (m2e_err(d, "out of memory"));
#ifdef POSIX_FADV_SEQUENTIAL
	(void)posix_fadvise(c.in, (off_t)c.src, (off_t)c.total,
	    POSIX_FADV_SEQUENTIAL);
#endif
	rc = 0;
	pos = 0;
again:
	while (rc == 0 && pos < c.total) {
		if (c.path == COPY_CLONE) {
			rc = copy_clone_piece(&c, &pos);
			continue;
		}
		next = copy_nextdata(&c, pos);
		if (c.shrank) {
			rc = m2e_err_at(d, c.insize > d->base ?
			    c.insize - d->base : 0, "page data truncated "
			    "(end of file)");
			break;
		}
		if (next > pos) {
			/* A hole of the source: zero pages, left unwritten. */
			c.zero += (next - pos) / c.ps;
			pos = next;
			copy_report(&c, pos);
			continue;
		}
		if (c.path == COPY_CFR) {
			rc = copy_cfr_extent(&c, &pos);
			continue;
		}
		/* rw: a chunk from here, the next hole test after it. */
		next = c.total - pos < COPY_CHUNK ? c.total : pos + COPY_CHUNK;
		rc = copy_rw(&c, pos, next);
		pos = next;
	}
	if (rc != 0 && c.nospace) {
		/* Drop the page data written so far; rw, zero pages as holes. */
		c.nospace = false;
		c.path = c.unshared = COPY_RW;
		c.zero = 0;
		pos = 0;
		rc = ftruncate(out, (off_t)dst) == 0 ? 0 :
		    copy_outerr(&c, 0, errno);
		if (rc == 0)
			goto again;
	}
	copy_unmap(&c);
	free(c.buf);
	if (zero_pages != NULL)
		*zero_pages = c.zero;
	return (rc);
}
