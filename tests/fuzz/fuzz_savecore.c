/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_savecore.c: fuzz harness for savecore(8)'s reading of a dump
 * device.  The input is a device image followed by one byte of options
 * (bit 0 clear the device, else -k; 1 -u; 2 -f; 3 -z; 4 -e; 5 -v).  The
 * savecore program ($M2E_FUZZ_SAVECORE, built like the rest) runs on the
 * image, as a separate process: it exits and may not loop (60 s), and a
 * sanitizer report aborts it (abort_on_error).  Checked: exit status 0 or
 * 1, never a signal; every line on stderr starts with "savecore: " and is
 * printable (the dump's text escaped); nothing of the image changes but
 * the 20-byte magic of the trailing header, made "Cleared Kernel Dump",
 * and only after a complete save: a core of number 0, info.0, bounds 1; a
 * plain save has the header's Dump Length; info.0 never without its core;
 * no temporary file left.  Accepted: a dump was saved.
 *
 * Under libFuzzer the coverage is that of this harness only (savecore
 * runs in its own process): the replay driver's structured mutations of
 * kerneldumpheaders (parity recomputed) and of minidumps do the work.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

#define	OPT_CLEAR	0x01
#define	OPT_UNCOMPRESS	0x02
#define	OPT_FORCE	0x04
#define	OPT_COMPRESS	0x08
#define	OPT_ELF		0x10
#define	OPT_VERBOSE	0x20
#define	TIMEOUT		60		/* seconds savecore may take */
#define	MAXSECTOR	65536		/* savecore's largest sector */
#define	MAGICLEN	20		/* kerneldumpheader magic */
#define	MAXERR		65536		/* stderr read back */

static const char *savecore;
static char *dir;			/* work directory: dev.img, crash/ */

static void clean_crash(void);

/* At exit: the work directory and what is in it. */
static void
cleanup(void)
{
	static const char *const files[] = { "dev.img", "out", "err" };
	size_t i;
	char p[4096];

	clean_crash();
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		(void)unlink(p);
	}
	snprintf(p, sizeof(p), "%s/crash", dir);
	(void)rmdir(p);
	(void)rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp;
	size_t n;

	(void)argc;
	(void)argv;
	if ((savecore = getenv("M2E_FUZZ_SAVECORE")) == NULL ||
	    access(savecore, X_OK) != 0) {
		fprintf(stderr, "fuzz_savecore: set M2E_FUZZ_SAVECORE to the "
		    "savecore program\n");
		exit(2);
	}
	if ((tmp = getenv("TMPDIR")) == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	n = strlen(tmp) + sizeof("/md2elf-fsc.XXXXXX");
	if ((dir = malloc(n)) == NULL)
		fuzz_fail("out of memory");
	snprintf(dir, n, "%s/md2elf-fsc.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL)
		fuzz_fail("mkdtemp %s: %s", dir, strerror(errno));
	atexit(cleanup);
	return (0);
}

/* dir/name */
static const char *
path(const char *name)
{
	static char buf[4][4096];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return (buf[k]);
}

/* Empty dir/crash (files only: savecore makes no directories). */
static void
clean_crash(void)
{
	struct dirent *de;
	DIR *d;
	char p[4096];

	if ((d = opendir(path("crash"))) == NULL) {
		if (mkdir(path("crash"), 0700) != 0)
			fuzz_fail("mkdir: %s", strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/crash/%s", dir, de->d_name);
		if (unlink(p) != 0)
			fuzz_fail("unlink %s: %s", p, strerror(errno));
	}
	closedir(d);
}

static void
write_file(const char *p, const uint8_t *data, size_t size)
{
	int fd;
	size_t off;
	ssize_t n;

	if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		fuzz_fail("%s: %s", p, strerror(errno));
	for (off = 0; off < size; off += (size_t)n)
		if ((n = write(fd, data + off, size - off)) <= 0)
			fuzz_fail("%s: %s", p, strerror(errno));
	close(fd);
}

/* The whole of file p (NULL if absent); its length in *len. */
static uint8_t *
read_file(const char *p, size_t max, size_t *len)
{
	struct stat st;
	uint8_t *b;
	ssize_t n;
	int fd;

	*len = 0;
	if ((fd = open(p, O_RDONLY)) < 0)
		return (NULL);
	if (fstat(fd, &st) != 0 || (size_t)st.st_size > max)
		fuzz_fail("%s: %s", p, "cannot stat or too large");
	if ((b = malloc((size_t)st.st_size + 1)) == NULL)
		fuzz_fail("out of memory");
	n = read(fd, b, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size)
		fuzz_fail("%s: short read", p);
	b[n] = '\0';
	*len = (size_t)n;
	return (b);
}

/* Environment for the child: sanitizer reports abort it. */
static void
san_env(const char *var)
{
	const char *old;
	char buf[2048];

	old = getenv(var);
	snprintf(buf, sizeof(buf), "%s%sabort_on_error=1", old != NULL ? old :
	    "", old != NULL && old[0] != '\0' ? ":" : "");
	setenv(var, buf, 1);
}

/* Run savecore with opts; its exit status (fuzz_fail on a signal). */
static int
run(unsigned opts)
{
	const char *argv[12];
	struct timespec ts = { 0, 2000000 };
	pid_t pid;
	int argc, fd, status, i;

	argc = 0;
	argv[argc++] = savecore;
	if (!(opts & OPT_CLEAR))
		argv[argc++] = "-k";
	if (opts & OPT_UNCOMPRESS)
		argv[argc++] = "-u";
	else if (opts & OPT_COMPRESS)
		argv[argc++] = "-z";	/* -u and -z exclude each other */
	if (opts & OPT_FORCE)
		argv[argc++] = "-f";
	if (opts & OPT_ELF)
		argv[argc++] = "-e";
	if (opts & OPT_VERBOSE)
		argv[argc++] = "-v";
	argv[argc++] = path("crash");
	argv[argc++] = path("dev.img");
	argv[argc] = NULL;
	fflush(NULL);
	if ((pid = fork()) < 0)
		fuzz_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		if ((fd = open(path("out"), O_WRONLY | O_CREAT | O_TRUNC,
		    0600)) < 0 || dup2(fd, 1) < 0)
			_exit(126);
		if ((fd = open(path("err"), O_WRONLY | O_CREAT | O_TRUNC,
		    0600)) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		san_env("ASAN_OPTIONS");
		san_env("UBSAN_OPTIONS");
		setenv("TZ", "UTC", 1);
		execv(savecore, (char *const *)(void *)argv);
		_exit(127);
	}
	for (i = 0; i < TIMEOUT * 500; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		nanosleep(&ts, NULL);
	}
	if (i == TIMEOUT * 500) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		fuzz_fail("savecore %#x ran longer than %d s", opts, TIMEOUT);
	}
	if (WIFSIGNALED(status))
		fuzz_fail("savecore %#x: signal %d (a sanitizer report?)", opts,
		    WTERMSIG(status));
	if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
		fuzz_fail("savecore %#x: exit status %d", opts,
		    WEXITSTATUS(status));
	return (WEXITSTATUS(status));
}

/* Every line of stderr: "savecore: " and printable ASCII. */
static void
check_stderr(bool verbose)
{
	uint8_t *e;
	size_t len, i, bol;

	if ((e = read_file(path("err"), MAXERR * 64, &len)) == NULL)
		fuzz_fail("no stderr file");
	for (bol = 0, i = 0; i < len; i++) {
		if (e[i] == '\n') {
			bol = i + 1;
			continue;
		}
		/* -v's progress counter ends its lines with \r. */
		if (verbose && e[i] == '\r')
			continue;
		if (e[i] < 0x20 || e[i] > 0x7e)
			fuzz_fail("stderr byte %#x at %zu: %s", e[i], i,
			    (char *)e);
		if (i == bol && strncmp((char *)e + i, "savecore: ", 10) != 0)
			fuzz_fail("stderr line without \"savecore: \": %s",
			    (char *)e + i);
	}
	if (len > 0 && e[len - 1] != '\n')
		fuzz_fail("stderr does not end with a newline");
	free(e);
}

/* The saved core's name (0 if none) and no temporary file left. */
static const char *
check_files(void)
{
	static const char *const cores[] = { "vmcore.0", "vmcore.0.gz",
	    "vmcore.0.zst", "textdump.tar.0", "textdump.tar.0.gz",
	    "vmcore_encrypted.0", "vmcore_encrypted.0.gz" };
	struct dirent *de;
	struct stat st;
	const char *core;
	DIR *d;
	size_t i;

	if ((d = opendir(path("crash"))) == NULL)
		fuzz_fail("crash: %s", strerror(errno));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] == '.' && strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			fuzz_fail("left behind: %s", de->d_name);
	closedir(d);
	core = NULL;
	for (i = 0; i < sizeof(cores) / sizeof(cores[0]); i++)
		if (lstat(path(cores[i]), &st) == 0)
			fuzz_fail("%s outside crash", cores[i]);
	for (i = 0; i < sizeof(cores) / sizeof(cores[0]); i++) {
		char p[64];

		snprintf(p, sizeof(p), "crash/%s", cores[i]);
		if (lstat(path(p), &st) == 0 && S_ISREG(st.st_mode)) {
			if (core != NULL)
				fuzz_fail("two cores: %s, %s", core, cores[i]);
			core = cores[i];
		}
	}
	if ((lstat(path("crash/info.0"), &st) == 0) != (core != NULL))
		fuzz_fail("info.0 %s a core", core != NULL ? "missing with" :
		    "without");
	return (core);
}

/* The image changed at most in the trailing header's magic: cleared. */
static bool
check_image(const uint8_t *img, size_t size)
{
	uint8_t *now;
	size_t len, i, hd;
	bool changed;

	if ((now = read_file(path("dev.img"), size, &len)) == NULL ||
	    len != size)
		fuzz_fail("the image changed size");
	changed = false;
	hd = 0;
	for (i = 0; i < size; i++) {
		if (now[i] == img[i])
			continue;
		if (!changed) {
			/* The first byte changed: a header's magic. */
			for (hd = 512; hd <= MAXSECTOR && hd <= size; hd *= 2)
				if (i >= size - hd && i < size - hd + MAGICLEN)
					break;
			if (hd > MAXSECTOR || hd > size)
				fuzz_fail("image byte %#zx changed", i);
			changed = true;
		}
		if (i >= size - hd + MAGICLEN)
			fuzz_fail("image byte %#zx changed", i);
	}
	if (changed && memcmp(now + size - hd, "Cleared Kernel Dump",
	    MAGICLEN) != 0)
		fuzz_fail("trailing magic changed but not cleared");
	free(now);
	return (changed);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *core;
	uint8_t *info;
	unsigned opts;
	size_t len;
	struct stat st;
	unsigned long long dumplen;
	char *p;
	bool cleared;

	fuzz_accepted = 0;
	if (size < 2)
		return (0);
	opts = data[size - 1];
	size--;
	clean_crash();
	write_file(path("dev.img"), data, size);
	(void)run(opts);
	check_stderr((opts & OPT_VERBOSE) != 0);
	core = check_files();
	cleared = check_image(data, size);
	if (cleared && !(opts & OPT_CLEAR))
		fuzz_fail("cleared with -k");
	if (cleared && core == NULL)
		fuzz_fail("device cleared, no core saved");
	if (core == NULL)
		return (0);
	if ((info = read_file(path("crash/info.0"), 1 << 20, &len)) == NULL)
		fuzz_fail("no info.0");
	if ((p = strstr((char *)info, "\n  Dump Length: ")) == NULL ||
	    sscanf(p, "\n  Dump Length: %llu", &dumplen) != 1)
		fuzz_fail("info.0 without Dump Length: %s", (char *)info);
	/* A plain save is the dump's bytes: as long as the header says. */
	if (strcmp(core, "vmcore.0") == 0 && !(opts & OPT_UNCOMPRESS) &&
	    strstr((char *)info, "\n  Compression: none\n") != NULL &&
	    (stat(path("crash/vmcore.0"), &st) != 0 ||
	    (unsigned long long)st.st_size != dumplen))
		fuzz_fail("vmcore.0 of %lld bytes, Dump Length %llu",
		    (long long)st.st_size, dumplen);
	free(info);
	if ((info = read_file(path("crash/bounds"), 64, &len)) == NULL ||
	    strcmp((char *)info, "1\n") != 0)
		fuzz_fail("bounds is not 1");
	free(info);
	fuzz_accepted = 1;
	return (0);
}
