/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * savecore.h: what the files of savecore(8) share: the options, the
 * counters, the message function, and each file's entry points.
 */
#ifndef SAVECORE_H
#define SAVECORE_H

#include <sys/types.h>

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "md2elf.h"
#include "fileio.h"

#define	BUFFERSIZE	(1024 * 1024)	/* I/O buffer */
#define	MAXSECTOR	(64 * 1024)	/* largest sector size accepted */

#define	STATUS_BAD	0
#define	STATUS_GOOD	1
#define	STATUS_UNKNOWN	2

struct options {
	bool		 checkfor;	/* -C */
	bool		 clear;		/* -c */
	bool		 elf;		/* -e */
	bool		 force;		/* -f */
	bool		 keep;		/* -k */
	bool		 uncompress;	/* -u */
	bool		 compress;	/* -z */
	int		 verbose;	/* -v, repeatable */
	int		 maxdumps;	/* -m */
	const char	*kernel;	/* -K */
	const char	*privkey;	/* --key, absolute */
	char		*moddirs[64];	/* -M, absolute */
	int		 nmoddirs;
};
extern struct options opt;
extern int nfound, nsaved, nerr;
extern mode_t cmask;			/* the umask at start */

/* savecore.c */
void	logmsg(const char *, ...) __attribute__((format(printf, 1, 2)));

/* device.c: opening dump devices (or images) and finding them. */
int	 dev_open(int dirfd, const char *path, bool rw, off_t *mediasize,
	    unsigned *sectorsize);
char	*devify(const char *arg);
char	**enum_dumpdevs(int *argcp);

/* outfile.c: files written under a temporary name, renamed on success. */
struct outfile {
	char	 name[64];
	char	 tmp[80];
	int	 fd;
	int	 slot;
};
int	 outfile_open(struct outfile *, const char *name, mode_t mode);
int	 outfile_commit(struct outfile *, bool sync);
void	 outfile_abort(struct outfile *);
void	 outfile_lock(const char *savedir);
void	 outfile_sweep(void);

/* info.c: info.N, bounds, minfree and the space check, old files. */
#define	VISFIELD	(4 * 193 + 1)	/* an escaped kerneldumpheader string */
const char *visfield(char *buf, size_t size, const char *s);
void	 printheader(FILE *, const uint8_t *raw, const struct md2elf_kdh *,
	    const char *device, int bounds, int status);
int	 write_header_info(const uint8_t *raw, const struct md2elf_kdh *,
	    const char *infoname, const char *device, int bounds, int status);
int	 getbounds(void);
void	 writebounds(int bounds);
int	 check_space(const char *savedir, uint64_t dumpsize, int bounds);
int64_t	 space_available(const char *savedir, int64_t *minfree,
	    int64_t *spacefree);
void	 saved_dump_remove(int bounds);
void	 symlinks_remove(void);

/* copy.c: the dump data from the device to the output file. */
enum outkind {
	OUT_PLAIN,		/* write as is */
	OUT_SPARSE,		/* skip zero 4 KiB blocks */
	OUT_GZIP		/* -z: through a gzip writer */
};
struct copyjob {
	int		 devfd;
	const char	*device;
	const char	*filename;	/* the final name, for messages */
	off_t		 start;		/* first data byte on the device */
	uint64_t	 length;	/* dumplength */
	unsigned	 sectorsize;
	int		 decompress;	/* -u: MD2ELF_COMP_GZIP/ZSTD, else NONE */
	bool		 textdump;	/* reverse 512-byte blocks below start */
	enum outkind	 out;
	int		 outfd;
};
int	 copy_dump(const struct copyjob *);
extern volatile sig_atomic_t got_siginfo;	/* progress requested */

/* elfcore.c: -e. */
/* keyname: the saved key.N of an encrypted dump (opt.privkey), or NULL. */
void	 write_elf_core(const char *savedir, const char *corename,
	    const char *keyname, int bounds, const struct md2elf_kdh *);

/* crashrep.c: -e -K, core.txt.N from the open dump with its kernel. */
void	 write_crash_report(md2elf_t *, const struct md2elf_kdh *,
	    const char *savedir, int bounds);
void	 no_crash_report(const char *savedir, int bounds, const char *why);

/*
 * macOS has no explicit_bzero(3): memset through a volatile pointer, which
 * the compiler cannot see through, so the clearing of the key stays.
 * (SAVECORE_NO_EXPLICIT_BZERO tries it elsewhere.)
 */
#if defined(__APPLE__) || defined(SAVECORE_NO_EXPLICIT_BZERO)
#include <string.h>

static inline void
savecore_explicit_bzero(void *b, size_t len)
{
	static void *(*const volatile memset_v)(void *, int, size_t) = memset;

	(void)memset_v(b, 0, len);
}
#define	explicit_bzero	savecore_explicit_bzero
#endif

#endif /* !SAVECORE_H */
