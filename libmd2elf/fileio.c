/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * fileio.c: the one full read and the one full write at a file offset.
 * Both go on after EINTR and after short transfers, and take a 0 return
 * the same way everywhere: the end of the file for a read, ENOSPC for a
 * write.  The callers word the error (file name and offset); these only
 * return errno and how far they got.
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "fileio.h"

#define	FIO_OFFMAX	((uint64_t)INT64_MAX)	/* largest off_t */

/* Whether [off, off + len) fits in off_t; EOVERFLOW if not. */
static int
fio_range(uint64_t off, size_t len)
{
	if (off > FIO_OFFMAX || len > FIO_OFFMAX - off) {
		errno = EOVERFLOW;
		return (-1);
	}
	return (0);
}

ssize_t
m2e_pread_full(int fd, void *buf, size_t len, uint64_t off, size_t *donep)
{
	uint8_t *p;
	size_t done;
	ssize_t r;

	p = buf;
	done = 0;
	r = fio_range(off, len);
	while (r == 0 && done < len) {
		r = pread(fd, p + done, len - done, (off_t)(off + done));
		if (r > 0) {
			done += (size_t)r;
			r = 0;
		} else if (r < 0 && errno == EINTR)
			r = 0;
		else if (r == 0)
			break;		/* end of file */
	}
	if (donep != NULL)
		*donep = done;
	return (r < 0 ? -1 : (ssize_t)done);
}

int
m2e_pwrite_full(int fd, const void *buf, size_t len, uint64_t off,
    size_t *donep)
{
	const uint8_t *p;
	size_t done;
	ssize_t w;
	int rc;

	p = buf;
	done = 0;
	rc = fio_range(off, len);
	while (rc == 0 && done < len) {
		w = pwrite(fd, p + done, len - done, (off_t)(off + done));
		if (w > 0)
			done += (size_t)w;
		else if (w == 0) {
			errno = ENOSPC;
			rc = -1;
		} else if (errno != EINTR)
			rc = -1;
	}
	if (donep != NULL)
		*donep = done;
	return (rc);
}
