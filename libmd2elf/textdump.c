/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * textdump.c: textdumps (textdump(4), written by sys/ddb/db_textdump.c
 * when ddb runs "textdump dump"): not memory but a ustar archive of ddb's
 * text (ddb.txt, config.txt, msgbuf.txt, panic.txt, version.txt).  Read
 * saved (textdump.tar.N, as savecore(8) writes it) or on a dump device
 * (image): the trailing kerneldumpheader with the textdump magic in the
 * last 512-byte block, the archive's blocks written backwards below it
 * (its first block highest), the leading header below its last.  The
 * member list is read once; a member's data on demand, block by block.
 * No ELF core can be made from a textdump: md2elf_open() says so.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "md2elf_private.h"

#define	TD_BLOCK	512		/* TEXTDUMP_BLOCKSIZE, a tar block */
/* db_textdump.c writes 5 members; far more is no textdump. */
#define	TD_MAXFILES	64
/* struct ustar_header offsets and sizes. */
#define	UH_NAME		0
#define	UH_NAMELEN	100
#define	UH_SIZE		124
#define	UH_SIZELEN	12
#define	UH_SUM		148
#define	UH_SUMLEN	8
#define	UH_USTAR	257

struct md2elf_textdump {
	char		 err[MD2ELF_ERRBUF_SIZE];
	char		*path;
	int		 fd;
	bool		 device;	/* blocks backwards below lasthd */
	uint64_t	 lasthd;	/* device: the trailing header */
	uint64_t	 len;		/* the archive's length */
	struct md2elf_tdfile files[TD_MAXFILES];
	uint64_t	 dataoff[TD_MAXFILES];	/* archive offset of data */
	char		 names[TD_MAXFILES][UH_NAMELEN + 1];
	size_t		 nfiles;
};

static int
td_err(md2elf_textdump_t *td, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(td->err, sizeof(td->err), "%s: ", td->path);
	if (n < 0 || (size_t)n >= sizeof(td->err))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(td->err + n, sizeof(td->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return (-1);
}

/* All of n bytes at off: 0, or -1 (a short read is EIO). */
static int
td_pread(int fd, void *buf, size_t n, uint64_t off)
{
	ssize_t r;

	r = m2e_pread_full(fd, buf, n, off, NULL);
	if (r >= 0 && (size_t)r < n)
		errno = EIO;
	return (r == (ssize_t)n ? 0 : -1);
}

/* Block blk of the archive (device: counted down from lasthd). */
static int
td_block(md2elf_textdump_t *td, uint64_t blk, uint8_t *b)
{
	uint64_t off;

	off = td->device ? td->lasthd - TD_BLOCK * (blk + 1) : blk * TD_BLOCK;
	if (td_pread(td->fd, b, TD_BLOCK, off) != 0)
		return (td_err(td, "offset %#jx: cannot read the textdump: "
		    "%s", (uintmax_t)off, strerror(errno)));
	return (0);
}

/* An octal tar field: 0 and *v, -1 if it is none. */
static int
td_octal(const uint8_t *p, size_t n, uint64_t *v)
{
	size_t i;
	bool any;

	*v = 0;
	any = false;
	for (i = 0; i < n && p[i] == ' '; i++)
		;
	for (; i < n && p[i] >= '0' && p[i] <= '7'; i++) {
		if (*v >> 60 != 0)
			return (-1);
		*v = *v << 3 | (uint64_t)(p[i] - '0');
		any = true;
	}
	/* Ended by NUL or space, or by the field's end. */
	return (any && (i == n || p[i] == '\0' || p[i] == ' ') ? 0 : -1);
}

/* The archive's members, header by header. */
static int
td_list(md2elf_textdump_t *td)
{
	uint8_t b[TD_BLOCK];
	uint64_t pos, size, sum, want;
	size_t i;

	for (pos = 0; pos + TD_BLOCK <= td->len; ) {
		if (td_block(td, pos / TD_BLOCK, b) != 0)
			return (-1);
		/* No end-of-archive blocks from the kernel; savecore's -z? */
		if (b[0] == '\0')
			break;
		if (memcmp(b + UH_USTAR, "ustar", 5) != 0)
			return (td_err(td, "archive offset %#jx: not a ustar "
			    "header", (uintmax_t)pos));
		if (td_octal(b + UH_SUM, UH_SUMLEN, &want) != 0)
			return (td_err(td, "archive offset %#jx: bad tar "
			    "checksum field", (uintmax_t)pos));
		for (sum = 0, i = 0; i < TD_BLOCK; i++)
			sum += i >= UH_SUM && i < UH_SUM + UH_SUMLEN ? ' ' :
			    b[i];
		if (sum != want)
			return (td_err(td, "archive offset %#jx: tar header "
			    "checksum %#jo, computed %#jo", (uintmax_t)pos,
			    (uintmax_t)want, (uintmax_t)sum));
		if (td_octal(b + UH_SIZE, UH_SIZELEN, &size) != 0)
			return (td_err(td, "archive offset %#jx: bad tar size "
			    "field", (uintmax_t)pos));
		pos += TD_BLOCK;
		if (size > td->len - pos)
			return (td_err(td, "archive offset %#jx: member of %ju "
			    "bytes, the archive ends %ju bytes on",
			    (uintmax_t)(pos - TD_BLOCK), (uintmax_t)size,
			    (uintmax_t)(td->len - pos)));
		if (td->nfiles == TD_MAXFILES)
			return (td_err(td, "archive offset %#jx: more than %d "
			    "members", (uintmax_t)(pos - TD_BLOCK),
			    TD_MAXFILES));
		memcpy(td->names[td->nfiles], b + UH_NAME, UH_NAMELEN);
		td->names[td->nfiles][UH_NAMELEN] = '\0';
		td->files[td->nfiles].name = td->names[td->nfiles];
		td->files[td->nfiles].size = size;
		td->dataoff[td->nfiles] = pos;
		td->nfiles++;
		pos += (size + TD_BLOCK - 1) / TD_BLOCK * TD_BLOCK;
	}
	if (td->nfiles == 0)
		return (td_err(td, "a textdump with no files"));
	return (0);
}

/*
 * Which textdump path holds: 1 a saved archive, 2 on a device, 0 none
 * (*istd stays 0), -1 damaged (error set).
 */
static int
td_find(md2elf_textdump_t *td, uint64_t fsize, int *istd)
{
	uint8_t b[TD_BLOCK], lead[TD_BLOCK];
	struct md2elf_kdh h;
	char msg[128];
	uint64_t firsthd;

	if (fsize >= TD_BLOCK && td_pread(td->fd, b, TD_BLOCK, 0) == 0 &&
	    memcmp(b + UH_USTAR, "ustar", 5) == 0) {
		*istd = 1;
		td->len = fsize / TD_BLOCK * TD_BLOCK;
		return (1);
	}
	if (fsize < 2 * TD_BLOCK || td_pread(td->fd, b, TD_BLOCK,
	    fsize - TD_BLOCK) != 0 ||
	    memcmp(b, KDH_MAGIC_TEXT, sizeof(KDH_MAGIC_TEXT)) != 0)
		return (0);
	*istd = 1;
	td->lasthd = fsize - TD_BLOCK;
	if (m2e_kdh_decode(b, &h, msg, sizeof(msg)) != 0)
		return (td_err(td, "offset %#jx: %s", (uintmax_t)td->lasthd,
		    msg));
	if (!m2e_kdh_parity_ok(b))
		return (td_err(td, "offset %#jx: kerneldumpheader parity "
		    "error", (uintmax_t)td->lasthd));
	if (h.dumplength % TD_BLOCK != 0 ||
	    h.dumplength > td->lasthd - TD_BLOCK)
		return (td_err(td, "offset %#jx: textdump length %ju is not "
		    "a multiple of %d that fits before the header",
		    (uintmax_t)td->lasthd, (uintmax_t)h.dumplength, TD_BLOCK));
	firsthd = td->lasthd - h.dumplength - TD_BLOCK;
	if (td_pread(td->fd, lead, TD_BLOCK, firsthd) != 0 ||
	    memcmp(lead, b, TD_BLOCK) != 0)
		return (td_err(td, "offset %#jx: the leading kerneldumpheader "
		    "does not match the trailing one at offset %#jx",
		    (uintmax_t)firsthd, (uintmax_t)td->lasthd));
	td->device = true;
	td->len = h.dumplength;
	return (2);
}

md2elf_textdump_t *
md2elf_textdump_open(const char *path, int *istextdump, char *errbuf)
{
	md2elf_textdump_t *td;
	struct stat st;
	off_t end;
	int istd, rc;

	istd = 0;
	if (istextdump != NULL)
		*istextdump = 0;
	if ((td = calloc(1, sizeof(*td))) == NULL ||
	    (td->path = strdup(path)) == NULL) {
		if (errbuf != NULL)
			snprintf(errbuf, MD2ELF_ERRBUF_SIZE, "%s: out of memory",
			    path);
		free(td);
		return (NULL);
	}
	rc = -1;
	if ((td->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		td_err(td, "cannot open: %s", strerror(errno));
	else if (fstat(td->fd, &st) != 0)
		td_err(td, "cannot stat: %s", strerror(errno));
	else if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode) &&
	    !S_ISCHR(st.st_mode))
		td_err(td, "not a regular file or a device");
	else if ((end = lseek(td->fd, 0, SEEK_END)) < 0)
		td_err(td, "cannot find the size: %s", strerror(errno));
	else if ((rc = td_find(td, (uint64_t)end, &istd)) > 0)
		rc = td_list(td);
	else if (rc == 0) {
		td_err(td, "not a textdump");
		rc = -1;
	}
	if (istextdump != NULL)
		*istextdump = istd;
	if (rc != 0) {
		if (errbuf != NULL)
			snprintf(errbuf, MD2ELF_ERRBUF_SIZE, "%s", td->err);
		md2elf_textdump_close(td);
		return (NULL);
	}
	return (td);
}

const char *
md2elf_textdump_container(const md2elf_textdump_t *td)
{
	return (td->device ? "device" : "textdump.tar");
}

uint64_t
md2elf_textdump_length(const md2elf_textdump_t *td)
{
	return (td->len);
}

size_t
md2elf_textdump_files(const md2elf_textdump_t *td,
    const struct md2elf_tdfile **files)
{
	*files = td->files;
	return (td->nfiles);
}

int
md2elf_textdump_read(md2elf_textdump_t *td, const char *name, char **text,
    size_t *len)
{
	uint8_t b[TD_BLOCK];
	uint64_t size, pos, n;
	size_t i;
	char *out;

	*text = NULL;
	*len = 0;
	for (i = 0; i < td->nfiles; i++)
		if (strcmp(td->names[i], name) == 0)
			break;
	if (i == td->nfiles)
		return (td_err(td, "no %s in the textdump", name));
	size = td->files[i].size;
	if ((out = malloc((size_t)size + 1)) == NULL)
		return (td_err(td, "out of memory"));
	for (pos = 0; pos < size; pos += n) {
		if (td_block(td, (td->dataoff[i] + pos) / TD_BLOCK, b) != 0) {
			free(out);
			return (-1);
		}
		n = size - pos < TD_BLOCK ? size - pos : TD_BLOCK;
		memcpy(out + pos, b, (size_t)n);
	}
	out[size] = '\0';
	*text = out;
	*len = (size_t)size;
	return (0);
}

const char *
md2elf_textdump_geterr(const md2elf_textdump_t *td)
{
	return (td->err);
}

void
md2elf_textdump_close(md2elf_textdump_t *td)
{
	if (td == NULL)
		return;
	if (td->fd >= 0)
		close(td->fd);
	free(td->path);
	free(td);
}
