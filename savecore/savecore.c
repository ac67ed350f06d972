/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * savecore.c: savecore(8) for Linux, compatible with FreeBSD's: finds a
 * FreeBSD kernel dump at the end of a dump device (or of an image of one),
 * checks its kerneldumpheaders, saves it as vmcore.N (or vmcore.N.gz/.zst,
 * vmcore_encrypted.N + key.N, textdump.tar.N) with info.N in the dump
 * directory, and clears the dump on the device; with -e it also writes the
 * ELF core vmcore.N.elf through libmd2elf (and with -K the crash report
 * core.txt.N).  This file owns the command
 * line, the processing of one device and the summary; messages that
 * FreeBSD's savecore sends to syslog go to stderr as "savecore: ...".
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "savecore.h"
#include "tmpfiles.h"

#define	KERNELDUMPMAGIC		"FreeBSD Kernel Dump"
#define	TEXTDUMPMAGIC		"FreeBSD Text Dump"
#define	KERNELDUMPMAGIC_CLEARED	"Cleared Kernel Dump"
#define	KERNELDUMPVERSION	4
#define	KERNELDUMPVERSION_OLD	1	/* FreeBSD <= 11, also accepted */
#define	MAXKEYSIZE		(1024 * 1024)
#define	OPT_KEY			256	/* --key: getopt_long's value */

struct options opt;
int nfound, nsaved, nerr;
mode_t cmask;

void
logmsg(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("savecore: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
usage(void)
{
	fprintf(stderr, "%s\n%s\n%s\n",
	    "usage: savecore -c [-v] [device ...]",
	    "       savecore -C [-v] [device ...]",
	    "       savecore [-efkuvz] [-K kernel] [-M moddir]... [-m maxdumps] "
	    "[--key privkey.pem]\n"
	    "                [directory [device ...]]");
	exit(1);
}

static void
infohandler(int sig)
{
	got_siginfo = 1;
}

static bool
magic_is(const uint8_t *raw, const char *magic)
{
	return (strncmp((const char *)raw, magic, 20) == 0);
}

static uint32_t
be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
}

static bool
version_ok(uint32_t v)
{
	return (v == KERNELDUMPVERSION || v == KERNELDUMPVERSION_OLD);
}

/*
 * Decode a header of version 4 or 1; one of another version (accepted with
 * -f) is read with the layout of version 4, as FreeBSD's savecore does.
 */
static int
decode(const uint8_t *raw, struct md2elf_kdh *h, char *errbuf)
{
	uint8_t copy[MD2ELF_KDH_SIZE];
	uint32_t v, x;
	int i;

	v = be32(raw + 32);
	if (version_ok(v))
		return (md2elf_kdh_decode(raw, h, errbuf));
	memcpy(copy, raw, sizeof(copy));
	copy[32] = copy[33] = copy[34] = 0;
	copy[35] = KERNELDUMPVERSION;
	if (md2elf_kdh_decode(copy, h, errbuf) != 0)
		return (-1);
	h->version = v;
	/* The parity of the header as it is. */
	x = 0;
	for (i = 0; i < MD2ELF_KDH_SIZE; i += 4)
		x ^= be32(raw + i);
	h->parity_ok = x == 0;
	return (0);
}

static void
printheaders(const uint8_t *rawf, const uint8_t *rawl, const char *device,
    int bounds)
{
	char err[MD2ELF_ERRBUF_SIZE];
	struct md2elf_kdh h;

	printf("First dump headers:\n");
	if (decode(rawf, &h, err) == 0)
		printheader(stdout, rawf, &h, device, bounds, -1);
	else
		printf("  (%s)\n", err);
	printf("\nLast dump headers:\n");
	if (decode(rawl, &h, err) == 0)
		printheader(stdout, rawl, &h, device, bounds, -1);
	printf("\n");
}

static void
dofile(const char *savedir, int origdir, const char *device)
{
	char corename[64], infoname[64], keyname[64], linkname[64];
	char err[MD2ELF_ERRBUF_SIZE], vbuf[VISFIELD];
	uint8_t rawl[MD2ELF_KDH_SIZE], rawf[MD2ELF_KDH_SIZE];
	uint8_t *sect, *first, *key;
	struct md2elf_kdh h;
	struct copyjob job;
	struct outfile core, ko;
	const char *base;
	off_t mediasize, lasthd, firsthd, datastart;
	uint64_t span;
	unsigned sectorsize;
	uint32_t version, keysize;
	bool compress, uncompress, iscompressed, isencrypted, istextdump;
	bool saved;
	ssize_t r;
	int bounds, status, fd, dirfd;

	bounds = opt.checkfor || opt.clear ? 0 : getbounds();
	status = STATUS_UNKNOWN;
	sect = first = key = NULL;
	keysize = 0;
	saved = false;
	compress = opt.compress;
	uncompress = opt.uncompress;
	isencrypted = false;
	memset(&h, 0, sizeof(h));
	corename[0] = '\0';

	if (opt.verbose)
		printf("checking for kernel dump on device %s\n", device);
	fd = dev_open(origdir, device, !(opt.checkfor || opt.keep),
	    &mediasize, &sectorsize);
	if (fd < 0)
		return;
	if (opt.verbose) {
		printf("mediasize = %lld bytes\n", (long long)mediasize);
		printf("sectorsize = %u bytes\n", sectorsize);
	}
	if (sectorsize < MD2ELF_KDH_SIZE) {
		logmsg("Sector size is less the kernel dump header %d",
		    MD2ELF_KDH_SIZE);
		goto closefd;
	}
	if (sectorsize > MAXSECTOR) {
		logmsg("Sector size %u of %s is larger than %d", sectorsize,
		    device, MAXSECTOR);
		goto closefd;
	}
	if ((sect = malloc(sectorsize)) == NULL ||
	    (first = malloc(sectorsize)) == NULL) {
		logmsg("%s", strerror(errno));
		goto closefd;
	}

	/* The trailing header: the first 512 bytes of the last sector. */
	lasthd = mediasize - (off_t)sectorsize;
	if (lasthd < 0) {
		logmsg("%s: offset 0: %lld byte%s, less than a %u-byte sector: "
		    "no dump header", device, (long long)mediasize,
		    mediasize == 1 ? "" : "s", sectorsize);
		goto closefd;
	}
	r = m2e_pread_full(fd, sect, sectorsize, (uint64_t)lasthd, NULL);
	if (r != (ssize_t)sectorsize) {
		if (r >= 0)
			errno = EIO;
		logmsg("error reading last dump header at offset %lld in %s: "
		    "%s", (long long)lasthd, device, strerror(errno));
		goto closefd;
	}
	memcpy(rawl, sect, sizeof(rawl));
	version = be32(rawl + 32);
	istextdump = iscompressed = false;
	if (magic_is(rawl, TEXTDUMPMAGIC)) {
		if (opt.verbose)
			printf("textdump magic on last dump header on %s\n",
			    device);
		istextdump = true;
	} else if (!magic_is(rawl, KERNELDUMPMAGIC)) {
		if (opt.verbose)
			printf("magic mismatch on last dump header on %s\n",
			    device);
		status = STATUS_BAD;
		if (!opt.force)
			goto closefd;
		if (magic_is(rawl, KERNELDUMPMAGIC_CLEARED)) {
			if (opt.verbose)
				printf("forcing magic on %s\n", device);
			memcpy(rawl, KERNELDUMPMAGIC, 20);
		} else {
			logmsg("unable to force dump - bad magic");
			goto closefd;
		}
	}
	if (!version_ok(version)) {
		logmsg("unknown version (%u) in last dump header on %s",
		    version, device);
		status = STATUS_BAD;
		if (!opt.force)
			goto closefd;
	}
	if (decode(rawl, &h, err) != 0) {
		logmsg("%s: %s", device, err);
		goto closefd;
	}
	if (!istextdump) {
		switch (h.compression) {
		case MD2ELF_COMP_NONE:
			uncompress = false;
			break;
		case MD2ELF_COMP_GZIP:
		case MD2ELF_COMP_ZSTD:
			if (compress && opt.verbose)
				printf("dump is already compressed\n");
			if (uncompress && opt.verbose)
				printf("dump to be uncompressed\n");
			compress = false;
			iscompressed = true;
			break;
		default:
			logmsg("unknown compression type %d on %s",
			    h.compression, device);
			uncompress = false;
			break;
		}
	}

	nfound++;
	if (opt.clear)
		goto nuke;

	if (!h.parity_ok) {
		logmsg("parity error on last dump header on %s", device);
		nerr++;
		status = STATUS_BAD;
		if (!opt.force)
			goto closefd;
	}

	/* The leading header, below the key and the dump's extent. */
	keysize = h.keysize;
	if (h.version == KERNELDUMPVERSION_OLD)
		span = h.dumplength + MD2ELF_KDH_SIZE;
	else
		span = h.dumpextent + sectorsize + keysize;
	if (h.dumpextent > (uint64_t)INT64_MAX / 2 ||
	    h.dumplength > (uint64_t)INT64_MAX / 2 || span > (uint64_t)lasthd) {
		logmsg("%s: offset %#llx: the last dump header's extent of "
		    "%ju bytes (and headers) does not fit before it", device,
		    (unsigned long long)lasthd, (uintmax_t)(h.version ==
		    KERNELDUMPVERSION_OLD ? h.dumplength : h.dumpextent));
		nerr++;
		goto closefd;
	}
	firsthd = lasthd - (off_t)span;
	r = m2e_pread_full(fd, first, sectorsize, (uint64_t)firsthd, NULL);
	if (r != (ssize_t)sectorsize) {
		if (r >= 0)
			errno = EIO;
		logmsg("error reading first dump header at offset %lld in %s: "
		    "%s", (long long)firsthd, device, strerror(errno));
		nerr++;
		goto closefd;
	}
	memcpy(rawf, first, sizeof(rawf));
	if (opt.verbose >= 2)
		printheaders(rawf, rawl, device, bounds);
	if (memcmp(rawl, rawf, sizeof(rawl)) != 0) {
		logmsg("first and last dump headers disagree on %s", device);
		nerr++;
		status = STATUS_BAD;
		if (!opt.force)
			goto closefd;
	} else if (status != STATUS_BAD)
		status = STATUS_GOOD;

	if (opt.checkfor) {
		printf("A dump exists on %s\n", device);
		exit(0);
	}

	if (h.panicstring[0] != '\0')
		logmsg("reboot after panic: %s", visfield(vbuf, sizeof(vbuf),
		    h.panicstring));
	else
		logmsg("reboot");

	if (opt.verbose)
		printf("Checking for available free space\n");
	if (!check_space(savedir, h.dumplength, bounds)) {
		nerr++;
		goto closefd;
	}
	saved_dump_remove(bounds);

	isencrypted = keysize > 0;
	base = istextdump ? "textdump.tar" :
	    isencrypted ? "vmcore_encrypted" : "vmcore";
	if (compress)
		snprintf(corename, sizeof(corename), "%s.%d.gz", base, bounds);
	else if (iscompressed && !isencrypted && !uncompress)
		snprintf(corename, sizeof(corename), "vmcore.%d.%s", bounds,
		    h.compression == MD2ELF_COMP_GZIP ? "gz" : "zst");
	else
		snprintf(corename, sizeof(corename), "%s.%d", base, bounds);
	if (outfile_open(&core, corename, 0600) < 0) {
		logmsg("open(%s): %s", corename, strerror(errno));
		nerr++;
		goto closefd;
	}

	snprintf(infoname, sizeof(infoname), "info.%d", bounds);

	datastart = firsthd + (off_t)(h.version == KERNELDUMPVERSION_OLD ?
	    MD2ELF_KDH_SIZE : sectorsize);
	if (isencrypted) {
		if (keysize > MAXKEYSIZE ||
		    (key = calloc(1, keysize)) == NULL) {
			logmsg("Unable to allocate kernel dump key.");
			nerr++;
			goto closecore;
		}
		r = m2e_pread_full(fd, key, keysize, (uint64_t)datastart, NULL);
		if (r != (ssize_t)keysize) {
			if (r >= 0)
				errno = EIO;
			logmsg("Unable to read kernel dump key: %s.",
			    strerror(errno));
			nerr++;
			goto closecore;
		}
		snprintf(keyname, sizeof(keyname), "key.%d", bounds);
		if (outfile_open(&ko, keyname, 0600) < 0) {
			logmsg("Unable to open %s to write the key: %s.",
			    keyname, strerror(errno));
			nerr++;
			goto closecore;
		}
		if (m2e_pwrite_full(ko.fd, key, keysize, 0, NULL) != 0 ||
		    outfile_commit(&ko, !opt.keep) != 0) {
			logmsg("Unable to write the key to %s: %s.", keyname,
			    strerror(errno));
			outfile_abort(&ko);
			nerr++;
			goto closecore;
		}
		datastart += (off_t)keysize;
	}

	logmsg("writing %s%score to %s/%s", isencrypted ? "encrypted " : "",
	    compress ? "compressed " : "", savedir, corename);
	memset(&job, 0, sizeof(job));
	job.devfd = fd;
	job.device = device;
	job.filename = corename;
	job.start = istextdump ? lasthd : datastart;
	job.length = h.dumplength;
	job.sectorsize = sectorsize;
	job.textdump = istextdump;
	/* Encrypted data is not a compressed stream until decrypted. */
	job.decompress = uncompress && iscompressed && !isencrypted ?
	    h.compression : MD2ELF_COMP_NONE;
	if (compress)
		job.out = OUT_GZIP;
	else if (!istextdump && !isencrypted && (!iscompressed ||
	    job.decompress != MD2ELF_COMP_NONE))
		job.out = OUT_SPARSE;
	else
		job.out = OUT_PLAIN;
	job.outfd = core.fd;
	if (copy_dump(&job) != 0)
		goto closecore;
	/*
	 * Before the dump on the device is cleared, the saved files must be
	 * on disk: fsync them (and the directory) unless -k keeps the dump.
	 */
	if (outfile_commit(&core, !opt.keep) != 0) {
		logmsg("error on %s: %s", corename, strerror(errno));
		nerr++;
		goto closefd;
	}
	/*
	 * info.N and bounds only for a complete vmcore.N: an interrupted
	 * run leaves neither, and the next takes the same number.
	 */
	if (write_header_info(rawl, &h, infoname, device, bounds,
	    status) != 0) {
		nerr++;
		goto closefd;
	}
	writebounds(bounds + 1);

	symlinks_remove();
	if (symlink(infoname, "info.last") != 0)
		logmsg("unable to create symlink %s/%s: %s", savedir,
		    "info.last", strerror(errno));
	if (isencrypted && symlink(keyname, "key.last") != 0)
		logmsg("unable to create symlink %s/%s: %s", savedir,
		    "key.last", strerror(errno));
	if ((iscompressed && !uncompress) || compress)
		snprintf(linkname, sizeof(linkname), "%s.last.%s", base,
		    h.compression == MD2ELF_COMP_ZSTD ? "zst" : "gz");
	else
		snprintf(linkname, sizeof(linkname), "%s.last", base);
	if (symlink(corename, linkname) != 0)
		logmsg("unable to create symlink %s/%s: %s", savedir,
		    linkname, strerror(errno));
	nsaved++;
	saved = true;
	if (opt.verbose)
		printf("dump saved\n");
	if (!opt.keep && (dirfd = open(".", O_RDONLY | O_DIRECTORY)) >= 0) {
		(void)fsync(dirfd);
		close(dirfd);
	}

nuke:
	if (!opt.keep) {
		if (opt.verbose)
			printf("clearing dump header\n");
		memcpy(sect, KERNELDUMPMAGIC_CLEARED, 20);
		if (m2e_pwrite_full(fd, sect, sectorsize, (uint64_t)lasthd,
		    NULL) != 0 || fsync(fd) != 0) {
			logmsg("error while clearing the dump header: %s",
			    strerror(errno));
		}
	}
	if (saved && opt.elf) {
		if (isencrypted && opt.privkey == NULL) {
			logmsg("%s is encrypted: no ELF core (give the dump "
			    "device's RSA private key with --key FILE)",
			    corename);
			if (opt.kernel != NULL)
				no_crash_report(savedir, bounds,
				    "the dump is encrypted");
		} else if (isencrypted)
			write_elf_core(savedir, corename, keyname, bounds, &h);
		else if (istextdump) {
			if (opt.verbose)
				printf("textdump: no ELF core\n");
		} else
			write_elf_core(savedir, corename, NULL, bounds, &h);
	}
	goto closefd;

closecore:
	outfile_abort(&core);
closefd:
	if (key != NULL)
		explicit_bzero(key, keysize);
	free(key);
	free(sect);
	free(first);
	close(fd);
}

int
main(int argc, char **argv)
{
	const char *savedir;
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, OPT_KEY },
		{ NULL, 0, NULL, 0 }
	};
	char **devs, cwd[PATH_MAX], *kpath, *keypath;
	bool livecore;
	int ch, i, origdir;

	cmask = umask(0);
	umask(cmask);
	savedir = ".";
	livecore = false;
	kpath = keypath = NULL;
	while ((ch = getopt_long(argc, argv, "CcefK:kLM:m:uvZz", longopts,
	    NULL)) != -1)
		switch (ch) {
		case OPT_KEY:
			opt.privkey = optarg;
			break;
		case 'C':
			opt.checkfor = true;
			break;
		case 'c':
			opt.clear = true;
			break;
		case 'e':
			opt.elf = true;
			break;
		case 'f':
			opt.force = true;
			break;
		case 'K':
			opt.kernel = optarg;
			break;
		case 'k':
			opt.keep = true;
			break;
		case 'L':
			livecore = true;
			break;
		case 'M':
			if (opt.nmoddirs == (int)(sizeof(opt.moddirs) /
			    sizeof(opt.moddirs[0])))
				usage();
			opt.moddirs[opt.nmoddirs++] = optarg;
			break;
		case 'm':
			opt.maxdumps = atoi(optarg);
			if (opt.maxdumps <= 0) {
				logmsg("Invalid maxdump value");
				exit(1);
			}
			break;
		case 'u':
			opt.uncompress = true;
			break;
		case 'v':
			opt.verbose++;
			break;
		case 'Z':
			if (!livecore)
				usage();
			opt.compress = true;
			break;
		case 'z':
			opt.compress = true;
			break;
		default:
			usage();
		}
	if (opt.checkfor && (opt.clear || opt.force || opt.keep))
		usage();
	if (opt.clear && (opt.compress || opt.keep))
		usage();
	if (opt.maxdumps > 0 && (opt.checkfor || opt.clear))
		usage();
	if (opt.compress && opt.uncompress)
		usage();
	if (livecore && (opt.checkfor || opt.clear || opt.uncompress ||
	    opt.keep))
		usage();
	if (opt.elf && (opt.checkfor || opt.clear || livecore))
		usage();
	if ((opt.kernel != NULL || opt.nmoddirs > 0 || opt.privkey != NULL) &&
	    !opt.elf)
		usage();
	argc -= optind;
	argv += optind;
	if (livecore) {
		logmsg("live dumps (-L) are not supported on this system");
		exit(1);
	}

	/* Devices named by relative paths are found from here. */
	if ((origdir = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		logmsg("open(.): %s", strerror(errno));
		exit(1);
	}
	/* The kernel and the key, like the devices, are named from here. */
	if (opt.kernel != NULL && opt.kernel[0] != '/' &&
	    (kpath = realpath(opt.kernel, NULL)) != NULL)
		opt.kernel = kpath;
	if (opt.privkey != NULL && opt.privkey[0] != '/' &&
	    (keypath = realpath(opt.privkey, NULL)) != NULL)
		opt.privkey = keypath;
	for (i = 0; i < opt.nmoddirs; i++)
		if (opt.moddirs[i][0] != '/' &&
		    (kpath = realpath(opt.moddirs[i], NULL)) != NULL)
			opt.moddirs[i] = kpath;
	if (argc >= 1 && !opt.checkfor && !opt.clear) {
		if (chdir(argv[0]) != 0) {
			logmsg("chdir(%s): %s", argv[0], strerror(errno));
			exit(1);
		}
		savedir = argv[0];
		argc--;
		argv++;
		/* One run at a time per directory; then its leftovers. */
		outfile_lock(savedir);
		outfile_sweep();
	}
	if (argc == 0)
		devs = enum_dumpdevs(&argc);
	else {
		if ((devs = malloc((size_t)argc * sizeof(*devs))) == NULL) {
			logmsg("malloc(): %s", strerror(errno));
			exit(1);
		}
		for (i = 0; i < argc; i++)
			devs[i] = devify(argv[i]);
	}
	/* libmd2elf decompresses a compressed dump next to the cores. */
	if (opt.elf && getenv("TMPDIR") == NULL &&
	    getcwd(cwd, sizeof(cwd)) != NULL)
		setenv("TMPDIR", cwd, 1);
	tmpf_signals();
#ifdef SIGINFO
	signal(SIGINFO, infohandler);
#else
	signal(SIGUSR1, infohandler);
#endif

	for (i = 0; i < argc; i++)
		dofile(savedir, origdir, devs[i]);

	if (nfound == 0) {
		if (opt.checkfor) {
			if (opt.verbose)
				printf("No dump exists\n");
			exit(1);
		}
		if (opt.verbose)
			logmsg("no dumps found");
	} else if (nsaved == 0) {
		if (nerr != 0) {
			if (opt.verbose)
				logmsg("unsaved dumps found but not saved");
			exit(1);
		} else if (opt.verbose)
			logmsg("no unsaved dumps found");
	} else if (opt.verbose)
		logmsg("%d cores saved in %s", nsaved, savedir);
	for (i = 0; i < argc; i++)
		free(devs[i]);
	free(devs);
	free(kpath);
	free(keypath);
	close(origdir);
	return (0);
}
