/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * spool.c: a dump read from standard input (md2elf -), e.g. a dump
 * device over ssh or a zstdcat pipe.  The readers need random access, so
 * the stream is read once into an unlinked sparse temporary file in
 * $TMPDIR (zero pages left as holes); a stream that does not start with
 * dump data (a raw dump device: 64 KiB never written and old swap
 * contents before the leading kerneldumpheader) is kept only from the
 * first block that holds a kerneldumpheader magic on: the leading header
 * the trailing one names is at or after it.  Offsets in messages are
 * those of the stream (the skipped part is added back by input.c).
 * Standard input that is a regular file is read in place.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "md2elf_private.h"

#define	SP_BUFSZ	(1024 * 1024)	/* read size, a page multiple */
#define	SP_HOLE		4096		/* zero runs of this left as holes */
#define	SP_BLOCK	512		/* headers lie on sector boundaries */

/* Does the stream start with something input.c recognises? */
static bool
sp_known_start(const uint8_t *p, size_t n)
{
	return ((n >= M2E_MD_PREFIXLEN &&
	    memcmp(p, M2E_MD_PREFIX, M2E_MD_PREFIXLEN) == 0) ||
	    (n >= 4 && memcmp(p, "\177ELF", 4) == 0) ||
	    (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) ||
	    (n >= 4 && memcmp(p, "\x28\xb5\x2f\xfd", 4) == 0) ||
	    (n >= 262 && memcmp(p + 257, "ustar", 5) == 0));
}

/* A kerneldumpheader magic at the start of a block? */
static bool
sp_kdh(const uint8_t *p)
{
	return (memcmp(p, KDH_MAGIC, sizeof(KDH_MAGIC)) == 0 ||
	    memcmp(p, KDH_MAGIC_TEXT, sizeof(KDH_MAGIC_TEXT)) == 0 ||
	    memcmp(p, KDH_MAGIC_CLEARED, sizeof(KDH_MAGIC_CLEARED)) == 0);
}

static bool
sp_zero(const uint8_t *p, size_t n)
{
	return (n > 0 && p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

/* Write p[0..n) at off of the spool, leaving zero pages as holes. */
static int
sp_write(md2elf_t *d, int fd, const uint8_t *p, size_t n, uint64_t off,
    const char *tmpdir)
{
	size_t k, c, w;

	for (k = 0; k < n; k += c) {
		c = SP_HOLE - (size_t)((off + k) % SP_HOLE);
		if (c > n - k)
			c = n - k;
		if (c == SP_HOLE && sp_zero(p + k, c))
			continue;
		if (m2e_pwrite_full(fd, p + k, c, off + k, &w) != 0)
			return (m2e_err(d, "cannot spool standard input into "
			    "%s: %s (at %ju bytes)", tmpdir, strerror(errno),
			    (uintmax_t)(off + k + w)));
	}
	return (0);
}

int
m2e_spool_open(md2elf_t *d, int *outfd, uint64_t *skipped)
{
	struct stat st;
	const char *tmpdir;
	uint8_t *buf;
	uint64_t pos, start, len;
	size_t have, i;
	ssize_t r;
	char *tmpl;
	size_t tl;
	int fd, rc;
	bool started;

	*skipped = 0;
	if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((*outfd = dup(STDIN_FILENO)) < 0)
			return (m2e_err(d, "cannot read: %s", strerror(errno)));
		return (0);
	}
	tmpdir = getenv("TMPDIR");
	if (tmpdir == NULL || tmpdir[0] == '\0')
		tmpdir = "/tmp";
	tl = strlen(tmpdir) + sizeof("/md2elf.XXXXXX");
	if ((tmpl = malloc(tl)) == NULL || (buf = malloc(SP_BUFSZ)) == NULL) {
		free(tmpl);
		return (m2e_err(d, "out of memory"));
	}
	snprintf(tmpl, tl, "%s/md2elf.XXXXXX", tmpdir);
	if ((fd = mkstemp(tmpl)) < 0) {
		rc = m2e_err(d, "cannot create a temporary file in %s: %s",
		    tmpdir, strerror(errno));
		free(tmpl);
		free(buf);
		return (rc);
	}
	(void)unlink(tmpl);
	free(tmpl);
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	pos = start = 0;
	started = false;
	rc = 0;
	for (;;) {
		/* Fill the buffer: whole blocks but for the very end. */
		have = 0;
		while (have < SP_BUFSZ) {
			r = read(STDIN_FILENO, buf + have, SP_BUFSZ - have);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				rc = m2e_err(d, "offset %#jx: cannot read "
				    "standard input: %s", (uintmax_t)(pos +
				    have), strerror(errno));
				goto out;
			}
			if (r == 0)
				break;
			have += (size_t)r;
		}
		if (have == 0)
			break;
		i = 0;
		if (!started) {
			if (pos == 0 && sp_known_start(buf, have))
				started = true;
			else
				for (; i + SP_BLOCK <= have; i += SP_BLOCK)
					if (sp_kdh(buf + i)) {
						started = true;
						break;
					}
			if (started)
				start = pos + i;
		}
		if (started && (rc = sp_write(d, fd, buf + i, have - i,
		    pos + i - start, tmpdir)) != 0)
			goto out;
		pos += have;
		if (have < SP_BUFSZ)
			break;
	}
	if (!started) {
		/* Nothing recognisable: keep the last block for the message. */
		rc = m2e_err(d, "not a FreeBSD kernel dump: no minidump, ELF, "
		    "gzip or zstd data at offset 0 and no kerneldumpheader in "
		    "the %ju bytes of standard input", (uintmax_t)pos);
		goto out;
	}
	len = pos - start;
	if (ftruncate(fd, (off_t)len) != 0) {
		rc = m2e_err(d, "cannot spool standard input into %s: %s (%ju "
		    "bytes)", tmpdir, strerror(errno), (uintmax_t)len);
		goto out;
	}
	*skipped = start;
out:
	free(buf);
	if (rc != 0) {
		close(fd);
		return (-1);
	}
	*outfd = fd;
	return (0);
}
