/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * tmpfiles.c: the registry of temporary output files that a signal handler
 * removes (tmpfiles.h).  The handler reads only the flags and names set
 * here with the signals blocked, and calls only unlink(2), signal(3) and
 * raise(3), which are async-signal-safe.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmpfiles.h"

static char tmpnames[TMPF_SLOTS][TMPF_PATHMAX];
static volatile sig_atomic_t tmpactive[TMPF_SLOTS];

static const int tmpsigs[] = { SIGINT, SIGTERM, SIGHUP };
#define	NTMPSIGS	(sizeof(tmpsigs) / sizeof(tmpsigs[0]))

static void
on_signal(int sig)
{
	int i;

	for (i = 0; i < TMPF_SLOTS; i++)
		if (tmpactive[i])
			unlink(tmpnames[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

void
tmpf_signals(void)
{
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NTMPSIGS; i++)
		if (sigaction(tmpsigs[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_IGN)
			sigaction(tmpsigs[i], &sa, NULL);
	signal(SIGXFSZ, SIG_IGN);
}

int
tmpf_create(char *path, int *slot)
{
	sigset_t set, oset;
	size_t i, j;
	int error, fd;

	*slot = -1;
	if (strlen(path) >= TMPF_PATHMAX) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	for (i = 0; i < TMPF_SLOTS; i++)
		if (!tmpactive[i])
			break;
	if (i == TMPF_SLOTS) {
		errno = EMFILE;
		return (-1);
	}
	/* No signal between creating the file and recording it. */
	sigemptyset(&set);
	for (j = 0; j < NTMPSIGS; j++)
		sigaddset(&set, tmpsigs[j]);
	sigprocmask(SIG_BLOCK, &set, &oset);
	fd = mkstemp(path);
	error = errno;
	if (fd >= 0) {
		memcpy(tmpnames[i], path, strlen(path) + 1);
		tmpactive[i] = 1;
		*slot = (int)i;
	}
	sigprocmask(SIG_SETMASK, &oset, NULL);
	errno = error;
	return (fd);
}

void
tmpf_forget(int *slot)
{
	if (*slot >= 0 && *slot < TMPF_SLOTS)
		tmpactive[*slot] = 0;
	*slot = -1;
}

void
tmpf_remove(int *slot)
{
	if (*slot >= 0 && *slot < TMPF_SLOTS && tmpactive[*slot]) {
		unlink(tmpnames[*slot]);
		tmpactive[*slot] = 0;
	}
	*slot = -1;
}
