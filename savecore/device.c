/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * device.c: the dump devices: opening one (a block device or an image
 * file) and finding its media and sector size, turning command-line
 * arguments into device paths, and listing the swap and dump devices of
 * fstab(5) when none is given.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#ifdef __linux__
#include <linux/fs.h>
#include <mntent.h>
#else
#include <fstab.h>
#endif
#ifdef __FreeBSD__
#include <sys/disk.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "savecore.h"

/*
 * An image file has no sector size: take the power of two from 512 to
 * MAXSECTOR whose last sector holds a kerneldumpheader that names it as
 * its block size, else the first that holds a header at all, else 512.
 */
static unsigned
image_sectorsize(int fd, off_t size)
{
	uint8_t raw[MD2ELF_KDH_SIZE];
	struct md2elf_kdh h;
	unsigned s, first;

	first = 0;
	for (s = 512; s <= MAXSECTOR; s *= 2) {
		if (size < (off_t)s)
			break;
		if (m2e_pread_full(fd, raw, sizeof(raw), (uint64_t)(size - s),
		    NULL) != (ssize_t)sizeof(raw) ||
		    md2elf_kdh_decode(raw, &h, NULL) != 0)
			continue;
		if (h.blocksize == s)
			return (s);
		if (first == 0)
			first = s;
	}
	return (first != 0 ? first : 512);
}

#ifdef __linux__
/* Is the block device rdev an active swap area (in /proc/swaps)? */
static bool
active_swap(dev_t rdev)
{
	char line[PATH_MAX + 128], path[PATH_MAX];
	struct stat st;
	FILE *fp;
	bool found;

	if ((fp = fopen("/proc/swaps", "r")) == NULL)
		return (false);
	found = false;
	/* The first line holds the column names. */
	if (fgets(line, sizeof(line), fp) != NULL)
		while (!found && fgets(line, sizeof(line), fp) != NULL)
			if (sscanf(line, "%4095s", path) == 1 &&
			    stat(path, &st) == 0 && S_ISBLK(st.st_mode) &&
			    st.st_rdev == rdev)
				found = true;
	fclose(fp);
	return (found);
}
#endif

/*
 * Open path (relative paths from dirfd) and find its size and sector size.
 * Returns the descriptor, or -1 after logging the error as savecore does.
 */
int
dev_open(int dirfd, const char *path, bool rw, off_t *mediasize,
    unsigned *sectorsize)
{
	struct stat st;
	int fd, error;

	/* O_NONBLOCK: a FIFO must not hang savecore at boot. */
	fd = openat(dirfd, path, (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC |
	    O_NONBLOCK);
	if (fd < 0) {
		logmsg("%s: %s", path, strerror(errno));
		return (-1);
	}
	error = 0;
	if (fstat(fd, &st) != 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) &
	    ~O_NONBLOCK) != 0)
		error = errno;
	else if (S_ISREG(st.st_mode)) {
		*mediasize = st.st_size;
		*sectorsize = image_sectorsize(fd, st.st_size);
	} else {
#if defined(__linux__)
		uint64_t size64;
		int ssz;

		if (!S_ISBLK(st.st_mode))
			error = ENOTTY;
		else if (rw && active_swap(st.st_rdev)) {
			/* Clearing would write into live swap space. */
			logmsg("%s: in use as swap: run savecore before "
			    "swapon(8), or use -k", path);
			close(fd);
			return (-1);
		}
		else if (ioctl(fd, BLKGETSIZE64, &size64) != 0 ||
		    ioctl(fd, BLKSSZGET, &ssz) != 0)
			error = errno;
		else if (size64 > (uint64_t)INT64_MAX || ssz <= 0)
			error = EINVAL;
		else {
			*mediasize = (off_t)size64;
			*sectorsize = (unsigned)ssz;
		}
#elif defined(__FreeBSD__)
		u_int ssz;

		if (ioctl(fd, DIOCGMEDIASIZE, mediasize) != 0 ||
		    ioctl(fd, DIOCGSECTORSIZE, &ssz) != 0)
			error = errno;
		else
			*sectorsize = ssz;
#else
		error = ENOTTY;
#endif
	}
	if (error != 0) {
		logmsg("couldn't find media and/or sector size of %s: %s",
		    path, strerror(error));
		close(fd);
		return (-1);
	}
	return (fd);
}

/*
 * A device argument: an absolute path or one starting with ./ or ../ is
 * used as it is; any other name is taken in /dev, as FreeBSD's savecore
 * does ("ada0p3", "mapper/swap").
 */
char *
devify(const char *arg)
{
	char *p;

	if (arg[0] == '/' || strncmp(arg, "./", 2) == 0 ||
	    strncmp(arg, "../", 3) == 0 || strcmp(arg, ".") == 0 ||
	    strcmp(arg, "..") == 0)
		p = strdup(arg);
	else if (asprintf(&p, "/dev/%s", arg) < 0)
		p = NULL;
	if (p == NULL) {
		logmsg("malloc(): %s", strerror(errno));
		exit(1);
	}
	return (p);
}

#ifdef __linux__
/* UUID=, LABEL=, PARTUUID=, PARTLABEL= as the udev links name them. */
static char *
fstab_spec(const char *spec)
{
	static const struct {
		const char	*tag;
		const char	*dir;
	} tags[] = {
		{ "UUID=", "/dev/disk/by-uuid/" },
		{ "LABEL=", "/dev/disk/by-label/" },
		{ "PARTUUID=", "/dev/disk/by-partuuid/" },
		{ "PARTLABEL=", "/dev/disk/by-partlabel/" },
	};
	const char *v;
	char *p;
	size_t i, n;

	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		n = strlen(tags[i].tag);
		if (strncmp(spec, tags[i].tag, n) != 0)
			continue;
		v = spec + n;
		/* Quotes are allowed around the value. */
		n = strlen(v);
		if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
			return (asprintf(&p, "%s%.*s", tags[i].dir,
			    (int)(n - 2), v + 1) < 0 ? NULL : p);
		return (asprintf(&p, "%s%s", tags[i].dir, v) < 0 ? NULL : p);
	}
	return (strdup(spec));
}
#endif

/*
 * The devices of every fstab entry of type swap or dump.  The file is
 * /etc/fstab or, as FreeBSD's getfsent(3) allows, $PATH_FSTAB.
 */
char **
enum_dumpdevs(int *argcp)
{
	char **argv, **nargv, *dev;
	const char *spec, *type;
	int argc, n;
#ifdef __linux__
	struct mntent *m;
	const char *path;
	FILE *fp;

	path = getenv("PATH_FSTAB");
	if (path == NULL || path[0] == '\0' || getuid() != geteuid())
		path = "/etc/fstab";
	if ((fp = setmntent(path, "r")) == NULL) {
		logmsg("%s: %s", path, strerror(errno));
		*argcp = 0;
		return (NULL);
	}
#else
	struct fstab *fsp;

	setfsent();
#endif
	argc = 0;
	n = 8;
	if ((argv = malloc(n * sizeof(*argv))) == NULL)
		goto nomem;
	for (;;) {
#ifdef __linux__
		if ((m = getmntent(fp)) == NULL)
			break;
		spec = m->mnt_fsname;
		type = m->mnt_type;
#else
		if ((fsp = getfsent()) == NULL)
			break;
		spec = fsp->fs_spec;
		type = fsp->fs_vfstype;
#endif
		if (strcmp(type, "swap") != 0 && strcmp(type, "dump") != 0)
			continue;
		if (argc >= n) {
			n *= 2;
			if ((nargv = realloc(argv, n * sizeof(*argv))) == NULL)
				goto nomem;
			argv = nargv;
		}
#ifdef __linux__
		dev = fstab_spec(spec);
#else
		dev = strdup(spec);
#endif
		if (dev == NULL)
			goto nomem;
		argv[argc++] = dev;
	}
#ifdef __linux__
	endmntent(fp);
#else
	endfsent();
#endif
	*argcp = argc;
	return (argv);
nomem:
	logmsg("malloc(): %s", strerror(errno));
	exit(1);
}
