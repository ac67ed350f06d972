/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * outfile.c: every file savecore writes in the dump directory (the core,
 * info.N, key.N, bounds, the ELF core, the crash report) is created under
 * a temporary name (".NAME.XXXXXX") and renamed to NAME only when complete.
 * A signal that ends savecore removes the temporary files first
 * (../common/tmpfiles.c); one that kills it
 * (SIGKILL at a boot timeout) leaves them to the next run, which removes
 * them (outfile_sweep) under the dump directory's lock (outfile_lock).
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "savecore.h"
#include "tmpfiles.h"

/* Create the temporary file for name (in the current directory). */
int
outfile_open(struct outfile *o, const char *name, mode_t mode)
{
	int error;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->slot = -1;
	if (strlen(name) >= sizeof(o->name) || strchr(name, '/') != NULL) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	snprintf(o->name, sizeof(o->name), "%s", name);
	snprintf(o->tmp, sizeof(o->tmp), ".%s.XXXXXX", name);
	if ((o->fd = tmpf_create(o->tmp, &o->slot)) < 0)
		return (-1);
	if (fchmod(o->fd, mode & ~cmask) != 0) {
		error = errno;
		outfile_abort(o);
		errno = error;
		return (-1);
	}
	return (o->fd);
}

static void
outfile_release(struct outfile *o)
{
	tmpf_forget(&o->slot);
}

/* Close (after fsync if sync) and rename to the final name. */
int
outfile_commit(struct outfile *o, bool sync)
{
	int error;

	if ((sync && fsync(o->fd) != 0) || close(o->fd) != 0) {
		error = errno;
		o->fd = -1;
		outfile_abort(o);
		errno = error;
		return (-1);
	}
	o->fd = -1;
	if (rename(o->tmp, o->name) != 0) {
		error = errno;
		outfile_abort(o);
		errno = error;
		return (-1);
	}
	outfile_release(o);
	return (0);
}

/* Remove the temporary file. */
void
outfile_abort(struct outfile *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	tmpf_remove(&o->slot);
}

/*
 * Lock the dump directory (the current one) for this run: concurrent runs
 * would take the same number from bounds.  Held until exit.
 */
void
outfile_lock(const char *savedir)
{
	int fd;

	if ((fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    flock(fd, LOCK_EX) != 0) {
		logmsg("cannot lock %s: %s", savedir, strerror(errno));
		exit(1);
	}
	/* fd stays open: the lock lasts as long as the process. */
}

/* Is name a temporary name outfile_open() gives one of savecore's files? */
static bool
outfile_ours(const char *name)
{
	static const char *const prefixes[] = {
		"vmcore.", "vmcore_encrypted.", "textdump.tar.", "info.",
		"key.", "bounds.", "core.txt."
	};
	size_t i, n, p;

	n = strlen(name);
	if (n < 1 + 7 + 1 || name[0] != '.' || name[n - 7] != '.')
		return (false);
	for (i = n - 6; i < n; i++)
		if (!isalnum((unsigned char)name[i]))
			return (false);
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		p = strlen(prefixes[i]);
		if (strncmp(name + 1, prefixes[i], p) == 0 &&
		    (1 + p == n - 6 || isdigit((unsigned char)name[1 + p])))
			return (true);
	}
	return (false);
}

/*
 * Remove what an interrupted run left: temporary files of savecore's own
 * naming (".vmcore.3.XXXXXX", ".info.3.XXXXXX", ".bounds.XXXXXX"...),
 * regular files only, nothing else.  Called with the directory locked.
 */
void
outfile_sweep(void)
{
	struct dirent *de;
	struct stat st;
	DIR *dir;

	if ((dir = opendir(".")) == NULL)
		return;
	while ((de = readdir(dir)) != NULL) {
		if (!outfile_ours(de->d_name) ||
		    lstat(de->d_name, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (unlink(de->d_name) == 0)
			logmsg("removed %s, left by an interrupted run",
			    de->d_name);
	}
	closedir(dir);
}
