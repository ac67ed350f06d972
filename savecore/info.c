/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * info.c: the files around a saved dump: info.N (the header description,
 * text style of FreeBSD's savecore), the bounds file (the next sequence
 * number), the minfree file and the free space check, the removal of an
 * older dump's files and of the .last links.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "savecore.h"

/* A header field as it may be printed: escaped (md2elf_vis), one line. */
const char *
visfield(char *buf, size_t size, const char *s)
{
	md2elf_vis(buf, size, s, strlen(s), 0);
	return (buf);
}

/*
 * A file of the dump directory (bounds, minfree) opened for reading, or
 * NULL: only a regular file is read, and a FIFO there does not hang
 * savecore at boot.
 */
static FILE *
fopen_regular(const char *name)
{
	struct stat st;
	FILE *fp;
	int fd;

	if ((fd = open(name, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return (NULL);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		logmsg("%s is not a regular file: ignored", name);
		close(fd);
		return (NULL);
	}
	if ((fp = fdopen(fd, "r")) == NULL)
		close(fd);
	return (fp);
}

void
printheader(FILE *fp, const uint8_t *raw, const struct md2elf_kdh *h,
    const char *device, int bounds, int status)
{
	const char *comp, *stat;
	char tbuf[64], vbuf[VISFIELD];
	struct tm tm;
	uint32_t parity;
	time_t t;
	size_t n;

	switch (h->compression) {
	case MD2ELF_COMP_NONE:
		comp = "none";
		break;
	case MD2ELF_COMP_GZIP:
		comp = "gzip";
		break;
	case MD2ELF_COMP_ZSTD:
		comp = "zstd";
		break;
	default:
		comp = "???";
		break;
	}
	switch (status) {
	case STATUS_BAD:
		stat = "bad";
		break;
	case STATUS_GOOD:
		stat = "good";
		break;
	default:
		stat = "unknown";
		break;
	}
	t = (time_t)h->dumptime;
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(tbuf, sizeof(tbuf), "%F %T %z", &tm) == 0)
		tbuf[0] = '\0';
	/* The parity word as stored, in the host's byte order. */
	memcpy(&parity, raw + 508, sizeof(parity));
	n = strlen(h->versionstring);

	fprintf(fp, "Dump header from device: %s\n", device);
	fprintf(fp, "  Architecture: %s\n", visfield(vbuf, sizeof(vbuf),
	    h->arch));
	fprintf(fp, "  Architecture Version: %" PRIu32 "\n", h->archver);
	fprintf(fp, "  Dump Length: %" PRIu64 "\n", h->dumplength);
	fprintf(fp, "  Blocksize: %" PRIu32 "\n", h->blocksize);
	fprintf(fp, "  Compression: %s\n", comp);
	fprintf(fp, "  Dumptime: %s\n", tbuf);
	fprintf(fp, "  Hostname: %s\n", visfield(vbuf, sizeof(vbuf),
	    h->hostname));
	fprintf(fp, "  Magic: %s\n", visfield(vbuf, sizeof(vbuf), h->magic));
	/* The kernel's version string ends with a newline: kept, unescaped. */
	if (n > 0 && h->versionstring[n - 1] == '\n')
		n--;
	md2elf_vis(vbuf, sizeof(vbuf), h->versionstring, n, 0);
	fprintf(fp, "  Version String: %s\n", vbuf);
	fprintf(fp, "  Panic String: %s\n", visfield(vbuf, sizeof(vbuf),
	    h->panicstring));
	fprintf(fp, "  Dump Parity: %" PRIu32 "\n", parity);
	fprintf(fp, "  Bounds: %d\n", bounds);
	fprintf(fp, "  Dump Status: %s\n", stat);
}

int
write_header_info(const uint8_t *raw, const struct md2elf_kdh *h,
    const char *infoname, const char *device, int bounds, int status)
{
	struct outfile o;
	FILE *fp;
	int error, fd;

	if (outfile_open(&o, infoname, 0600) < 0) {
		logmsg("open(%s): %s", infoname, strerror(errno));
		return (-1);
	}
	fp = NULL;
	if ((fd = dup(o.fd)) < 0 || (fp = fdopen(fd, "w")) == NULL) {
		error = errno;
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	if (opt.verbose) {
		printheader(stdout, raw, h, device, bounds, status);
		fflush(stdout);
	}
	printheader(fp, raw, h, device, bounds, status);
	if (fclose(fp) != 0 || outfile_commit(&o, false) != 0) {
		error = errno;
		goto fail;
	}
	return (0);
fail:
	outfile_abort(&o);
	logmsg("%s: %s", infoname, strerror(error));
	return (-1);
}

/* The next sequence number, from the bounds file (0 if none). */
int
getbounds(void)
{
	char buf[6], *end;
	FILE *fp;
	long v;

	if ((fp = fopen_regular("bounds")) == NULL) {
		if (opt.verbose)
			printf("unable to open bounds file, using 0\n");
		return (0);
	}
	if (fgets(buf, sizeof(buf), fp) == NULL) {
		if (feof(fp))
			logmsg("bounds file is empty, using 0");
		else
			logmsg("bounds file: %s", strerror(errno));
		fclose(fp);
		return (0);
	}
	fclose(fp);
	errno = 0;
	v = strtol(buf, &end, 10);
	if (end == buf || errno != 0 || v < 0 || v > INT_MAX - 1) {
		logmsg("invalid value found in bounds, using 0");
		v = 0;
	}
	/* -m: wrap around (also if maxdumps was lowered since). */
	if (opt.maxdumps > 0 && v >= opt.maxdumps)
		v = 0;
	return ((int)v);
}

void
writebounds(int bounds)
{
	struct outfile o;
	char buf[32];
	int n;

	n = snprintf(buf, sizeof(buf), "%d\n", bounds);
	if (outfile_open(&o, "bounds", 0644) < 0 ||
	    m2e_pwrite_full(o.fd, buf, (size_t)n, 0, NULL) != 0 ||
	    outfile_commit(&o, false) != 0) {
		logmsg("unable to write to bounds file: %s", strerror(errno));
		outfile_abort(&o);
		return;
	}
	if (opt.verbose)
		printf("bounds number: %d\n", bounds);
}

/* The files of dump number N that a new dump N replaces. */
static const char *const oldfiles[] = {
	"info.%d", "vmcore.%d", "vmcore.%d.gz", "vmcore.%d.zst",
	"textdump.tar.%d", "textdump.tar.%d.gz", "livecore.%d",
	"livecore.%d.gz", "livecore.%d.zst", "vmcore.%d.elf", "core.txt.%d"
};

static off_t
saved_dump_size(int bounds)
{
	char path[64];
	struct stat st;
	off_t size;
	size_t i;

	size = 0;
	for (i = 0; i < sizeof(oldfiles) / sizeof(oldfiles[0]); i++) {
		snprintf(path, sizeof(path), oldfiles[i], bounds);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			size += st.st_size;
	}
	return (size);
}

void
saved_dump_remove(int bounds)
{
	char path[64];
	size_t i;

	for (i = 0; i < sizeof(oldfiles) / sizeof(oldfiles[0]); i++) {
		snprintf(path, sizeof(path), oldfiles[i], bounds);
		(void)unlink(path);
	}
}

void
symlinks_remove(void)
{
	static const char *const links[] = {
		"info.last", "key.last", "vmcore.last", "vmcore.last.gz",
		"vmcore.last.zst", "vmcore_encrypted.last",
		"vmcore_encrypted.last.gz", "vmcore_encrypted.last.zst",
		"textdump.tar.last", "textdump.tar.last.gz",
		"textdump.tar.last.zst", "livecore.last", "livecore.last.gz",
		"livecore.last.zst", "vmcore.last.elf"
	};
	size_t i;

	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		(void)unlink(links[i]);
}

/*
 * KiB usable in the dump directory: what non-root may use minus minfree if
 * the minfree file sets one, else all free blocks.  *minfreep is the
 * reserve (0 if none), *spacefreep what non-root may use.  Exits like
 * savecore if statvfs() fails.
 */
int64_t
space_available(const char *savedir, int64_t *minfreep, int64_t *spacefreep)
{
	struct statvfs fs;
	char buf[100], *end;
	int64_t minfree, spacefree, totfree;
	FILE *fp;

	if (statvfs(".", &fs) != 0) {
		logmsg("%s: %s", savedir, strerror(errno));
		exit(1);
	}
	spacefree = (int64_t)((uint64_t)fs.f_bavail * fs.f_frsize / 1024);
	totfree = (int64_t)((uint64_t)fs.f_bfree * fs.f_frsize / 1024);
	minfree = 0;
	if ((fp = fopen_regular("minfree")) != NULL) {
		if (fgets(buf, sizeof(buf), fp) != NULL) {
			errno = 0;
			minfree = strtoll(buf, &end, 10);
			if (end == buf || errno != 0)
				minfree = -1;
			else {
				while (*end != '\0' &&
				    isspace((unsigned char)*end))
					end++;
				if (*end != '\0' || minfree < 0)
					minfree = -1;
			}
			if (minfree < 0) {
				buf[strcspn(buf, "\n")] = '\0';
				logmsg("`minfree` didn't contain a valid size "
				    "(`%s`). Defaulting to 0", buf);
				minfree = 0;
			}
		}
		fclose(fp);
	}
	*minfreep = minfree;
	*spacefreep = spacefree;
	return (minfree > 0 ? spacefree - minfree : totfree);
}

/* Is there room for dumpsize bytes (and info.N) in the dump directory? */
int
check_space(const char *savedir, uint64_t dumpsize, int bounds)
{
	int64_t available, minfree, needed, spacefree;

	available = space_available(savedir, &minfree, &spacefree);
	/* 2 KiB for the info file; the files replaced free their space. */
	needed = (int64_t)(dumpsize / 1024) + 2;
	needed -= (int64_t)(saved_dump_size(bounds) / 1024);
	if (available < needed) {
		logmsg("no dump: not enough free space on device (need at "
		    "least %jdkB for dump; %jdkB available; %jdkB reserved)",
		    (intmax_t)needed, (intmax_t)(available + minfree),
		    (intmax_t)minfree);
		return (0);
	}
	if (spacefree - needed < 0)
		logmsg("dump performed, but free space threshold crossed");
	return (1);
}
