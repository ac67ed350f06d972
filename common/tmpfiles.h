/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * tmpfiles.h: the temporary output files of md2elf and savecore (tmpfiles.c,
 * in libcommon.a), created under a mkstemp(3) name and renamed when
 * complete; those still there when SIGINT, SIGTERM or SIGHUP ends the
 * program are removed.
 */
#ifndef MD2ELF_TMPFILES_H
#define MD2ELF_TMPFILES_H

#include <limits.h>

/* Files registered at once (savecore: the vmcore, info, key, report). */
#define	TMPF_SLOTS	4
/* The longest template, NUL included: a directory and a short name. */
#define	TMPF_PATHMAX	(PATH_MAX + 16)

/*
 * Catches SIGINT, SIGTERM and SIGHUP (unless ignored, as under nohup) to
 * remove the registered files, and ignores SIGXFSZ so that a write past a
 * file size limit fails with EFBIG.
 */
void	tmpf_signals(void);
/*
 * mkstemp(path) with those signals blocked, and registers the name; the
 * file descriptor, or -1 with errno (EMFILE: no free slot,
 * ENAMETOOLONG: path too long).  *slot is the registration, -1 if none.
 */
int	tmpf_create(char *path, int *slot);
/* The file was renamed (or closed for good): no longer removed. */
void	tmpf_forget(int *slot);
/* Removes the file now and forgets it. */
void	tmpf_remove(int *slot);

#endif /* !MD2ELF_TMPFILES_H */
