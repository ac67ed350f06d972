/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * dumpout.h: how mkdump writes dump data (dumpout.c): straight into a
 * sparse file (zero blocks skipped, like savecore), or compressed as the
 * kernel does (gzip: 10-byte header + raw deflate + CRC/size trailer; zstd:
 * one frame with checksum, no content size), inside a container: none
 * (vmcore.N), a leading kerneldumpheader, or a dump-device image (64 KiB
 * never written, leading header, data, trailing header in the last block).
 */
#ifndef GEN_DUMPOUT_H
#define GEN_DUMPOUT_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

enum dcomp { DC_NONE = 0, DC_GZIP = 1, DC_ZSTD = 2 };
enum dcont { DK_NONE, DK_LEAD, DK_DEVICE };

/* What goes into the kerneldumpheader. */
struct kdhinfo {
	const char	*arch;
	uint32_t	 archver;
	int64_t		 dumptime;
	const char	*hostname;
	const char	*version;
	const char	*panicstr;
	/* Hostile variants. */
	int		 bad_parity;
	int		 bad_magic;
	int		 disagree;	/* leading header differs */
	uint32_t	 hdrversion;	/* 0: 4 */
	uint64_t	 dumplength;	/* 0: the real one */
	uint64_t	 dumpextent;	/* 0: the real one */
	uint32_t	 keysize;	/* dumpkeysize: the key block's size */
	int		 textdump;	/* the textdump magic */
};
#define	KDH_TEXT_VERSION	4	/* KERNELDUMP_TEXT_VERSION */

struct dumpout;

/*
 * Open path (NULL: only measure) for a dump of datalen (uncompressed) bytes.
 * extent: the device space for the data (0: datalen); a compressed dump on
 * a device smaller than datalen gets what is left, as the kernel does.
 */
int		 gen_create(const char *path, int flags, mode_t mode);
struct dumpout	*dumpout_open(const char *path, enum dcont, enum dcomp,
		    uint32_t blocksize, uint64_t datalen, uint64_t extent,
		    uint64_t seed, char *err, size_t errlen);
/*
 * The same with keysize bytes of kerneldumpkey between the leading header
 * and the data (an encrypted dump; the caller writes the key block at
 * dumpout_dataoff() - keysize and encrypts the data after closing).
 */
struct dumpout	*dumpout_open_key(const char *path, enum dcont, enum dcomp,
		    uint32_t blocksize, uint64_t datalen, uint64_t extent,
		    uint64_t seed, uint32_t keysize, char *err, size_t errlen);
int		 dumpout_write(struct dumpout *, const void *, size_t);
/* Finish: flush compression, write headers, size the file. */
int		 dumpout_close(struct dumpout *, const struct kdhinfo *,
		    uint64_t *stored, char *err, size_t errlen);
/* Bytes of dump data written so far (uncompressed stream offset). */
uint64_t	 dumpout_pos(const struct dumpout *);
/* Final file offset of the dump data and its stored length. */
uint64_t	 dumpout_dataoff(const struct dumpout *);
uint64_t	 dumpout_datalen(const struct dumpout *);
void		 kdh_encode(uint8_t *hdr, const struct kdhinfo *,
		    uint64_t dumplength, uint64_t dumpextent, uint32_t blocksize,
		    int compression);

#endif /* !GEN_DUMPOUT_H */
