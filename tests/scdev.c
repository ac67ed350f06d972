/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * scdev.c: builds the dump device images that mkdump does not, for
 * savecore_test: textdumps (512-byte blocks written backwards below the
 * trailing header), encrypted dumps (a key block between the leading
 * header and the data), header version 1 (FreeBSD <= 11) layouts.  The
 * layout follows sys/kern/kern_shutdown.c (see tests/gen/dumpout.c for
 * mkdump's own): 64 KiB never written, old junk, leading header, key,
 * data padded to the block size, trailing header in the last block.
 *
 * scdev [-T] [-V 1|4] [-B blocksize] [-K keysize] [-c compression]
 *       [-H hostname] [-P panicstring] -o image datafile
 *
 * -H and -P (version 4) take the strings as bytes, for the escaping tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define	METADATA	(64 * 1024)

static const char *hostname = "scdev.example.org";
static const char *panicstr = "scdev panic";
#define	JUNK		(16 * 1024)

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static void
fail(const char *what)
{
	fprintf(stderr, "scdev: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
usage(void)
{
	fprintf(stderr, "usage: scdev [-T] [-V 1|4] [-B blocksize] "
	    "[-K keysize] [-c compression]\n"
	    "             [-H hostname] [-P panicstring] -o image datafile\n");
	exit(2);
}

static void
header(uint8_t *h, int text, int version, uint64_t len, uint64_t extent,
    uint32_t keysize, uint32_t bsize, int comp)
{
	uint32_t par, w;
	int i;

	memset(h, 0, 512);
	memcpy(h, text ? "FreeBSD Text Dump" : "FreeBSD Kernel Dump",
	    text ? 17 : 19);
	memcpy(h + 20, "amd64", 5);
	put_be32(h + 32, (uint32_t)version);
	put_be32(h + 36, text ? (uint32_t)version : 2);
	put_be64(h + 40, len);
	put_be64(h + 48, 1700000000);
	if (version == 1) {
		put_be32(h + 56, bsize);
		memcpy(h + 60, "old.example.org", 15);
		memcpy(h + 124, "FreeBSD 11.4-RELEASE #0 r362335: GENERIC\n",
		    41);
		memcpy(h + 316, "scdev v1 panic", 14);
	} else {
		put_be32(h + 56, keysize);
		put_be32(h + 60, bsize);
		memcpy(h + 64, hostname, strnlen(hostname, 64));
		memcpy(h + 128, "FreeBSD 14.1-RELEASE releng/14.1 GENERIC\n",
		    41);
		memcpy(h + 320, panicstr, text ? 0 : strnlen(panicstr, 192));
		h[495] = (uint8_t)comp;
		put_be64(h + 496, extent);
	}
	par = 0;
	for (i = 0; i < 512; i += 4) {
		memcpy(&w, h + i, 4);
		par ^= w;
	}
	memcpy(h + 508, &par, 4);
}

static void
pwrite_all(int fd, const void *p, size_t n, off_t off)
{
	if (pwrite(fd, p, n, off) != (ssize_t)n)
		fail("write");
}

int
main(int argc, char **argv)
{
	const char *out;
	uint8_t *data, *blk, *key, junk[JUNK];
	uint64_t len, extent, media, d, i;
	uint32_t bsize, keysize;
	struct stat st;
	int ch, comp, fd, text, version;

	out = NULL;
	text = 0;
	version = 4;
	bsize = 512;
	keysize = 0;
	comp = 0;
	while ((ch = getopt(argc, argv, "B:c:H:K:o:P:TV:")) != -1)
		switch (ch) {
		case 'B':
			bsize = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'c':
			comp = atoi(optarg);
			break;
		case 'H':
			hostname = optarg;
			break;
		case 'P':
			panicstr = optarg;
			break;
		case 'K':
			keysize = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'o':
			out = optarg;
			break;
		case 'T':
			text = 1;
			break;
		case 'V':
			version = atoi(optarg);
			break;
		default:
			usage();
		}
	argc -= optind;
	argv += optind;
	if (argc != 1 || out == NULL || bsize < 512 || (version != 1 &&
	    version != 4) || (text && bsize != 512))
		usage();
	if ((fd = open(argv[0], O_RDONLY)) < 0 || fstat(fd, &st) != 0)
		fail(argv[0]);
	len = (uint64_t)st.st_size;
	extent = (len + bsize - 1) / bsize * bsize;
	if ((data = calloc(1, extent + 1)) == NULL ||
	    (blk = calloc(1, bsize)) == NULL ||
	    (key = calloc(1, keysize + 1)) == NULL)
		fail("malloc");
	if (read(fd, data, len) != (ssize_t)len)
		fail(argv[0]);
	close(fd);

	media = METADATA + JUNK + bsize + keysize + extent + bsize;
	d = media - bsize - extent;
	if ((fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644)) < 0)
		fail(out);
	/* Old swap contents before the dump and in the padding. */
	for (i = 0; i < JUNK; i++)
		junk[i] = (uint8_t)(i * 131 + 7);
	pwrite_all(fd, junk, JUNK, METADATA);
	if (extent > len)
		memcpy(data + len, junk, extent - len);
	if (text) {
		/* Block i of the archive at M - B - 512 (i + 1). */
		for (i = 0; i < len / 512; i++)
			pwrite_all(fd, data + 512 * i, 512,
			    (off_t)(media - bsize - 512 * (i + 1)));
	} else
		pwrite_all(fd, data, extent, (off_t)d);
	for (i = 0; i < keysize; i++)
		key[i] = (uint8_t)(0x4b ^ i);
	if (keysize > 0)
		pwrite_all(fd, key, keysize, (off_t)(d - keysize));
	header(blk, text, version, len, extent, keysize, bsize, comp);
	pwrite_all(fd, blk, bsize, (off_t)(d - keysize - bsize));
	pwrite_all(fd, blk, bsize, (off_t)(media - bsize));
	if (close(fd) != 0)
		fail(out);
	free(data);
	free(blk);
	free(key);
	return (0);
}
