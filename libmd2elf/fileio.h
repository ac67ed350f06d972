/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * fileio.h: the full read and full write at an offset that every reader
 * and writer of libmd2elf and savecore(8) uses (fileio.c).  Internal: not
 * installed, not part of md2elf.h.
 */
#ifndef M2E_FILEIO_H
#define	M2E_FILEIO_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

/*
 * Read len bytes at off: the count read, len or less where the file ends
 * (pread returned 0); -1 on an error, errno set.  *donep (may be NULL)
 * gets the count read either way.
 */
ssize_t	m2e_pread_full(int fd, void *buf, size_t len, uint64_t off,
	    size_t *donep);
/*
 * Write len bytes at off: 0, or -1 with errno set (a pwrite that writes
 * nothing is ENOSPC).  *donep (may be NULL) gets the count written.
 */
int	m2e_pwrite_full(int fd, const void *buf, size_t len, uint64_t off,
	    size_t *donep);

#endif /* !M2E_FILEIO_H */
