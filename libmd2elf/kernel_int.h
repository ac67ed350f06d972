/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * kernel_int.h: the kernel image's state, shared by kernel.c (reading the
 * ELF file, symbols) and kernel_match.c (does the kernel belong to the
 * dump; md2elf_get_kernel_info).  Private to those two files.
 */
#ifndef KERNEL_INT_H
#define KERNEL_INT_H

#include "md2elf_private.h"

#define	KMAXBUILDID	64			/* bytes of build id */

struct ksym {
	uint64_t	 value;
	uint64_t	 size;
	const char	*name;
	uint8_t		 type;
	uint8_t		 bind;
	uint8_t		 rank;		/* address preference, lower wins */
	bool		 abs;		/* SHN_ABS */
};

struct kname {
	const char	*name;
	uint32_t	 idx;		/* into syms */
	uint8_t		 rank;		/* GLOBAL 0, WEAK 1, LOCAL 2 */
};

struct ksec {
	uint64_t	 addr, size, off;
};

struct m2e_kernel {
	char		*path;
	int		 fd;
	uint64_t	 filesize;
	unsigned	 elfclass, machine;
	uint64_t	 entry;
	char		*strtab;	/* own copy, NUL-terminated */
	size_t		 strsz;
	struct ksym	*syms;		/* by address (value, rank, name) */
	size_t		 nsyms;
	size_t		 naddr;		/* first naddr syms are addressable */
	struct kname	*byname;
	size_t		 nbyname;
	struct ksec	*secs;		/* sections with file contents */
	size_t		 nsecs;
	uint8_t		 buildid[KMAXBUILDID];
	size_t		 buildidlen;
	uint64_t	 buildid_va;	/* 0: not loaded */
	uint64_t	 dynamic_va;	/* .dynamic; 0: none */
	uint64_t	 dtdebug_va;	/* d_val of its DT_DEBUG; 0: none */
	/* Filled on demand for md2elf_get_kernel_info(). */
	bool		 info_done;
	char		*version;
	char		*panicstr;
	int		 osreldate;
	bool		 osreldate_done;
};

/* kernel.c */
const struct ksym *m2e_ksym_byname(const struct m2e_kernel *, const char *);
/* Initialised bytes at kernel address va, from the file; -1 if not there. */
int	m2e_kfile_read_va(struct m2e_kernel *, uint64_t va, void *buf,
	    size_t len);
/* Bytes of file contents from va to the end of its section (0: none). */
size_t	m2e_kfile_avail(struct m2e_kernel *, uint64_t va);

/* kernel_match.c */
/*
 * Does kernel k belong to the dump?  1 yes, 0 cannot tell, -1 no (error
 * set, naming what differs).
 */
int	m2e_kernel_matches(md2elf_t *, struct m2e_kernel *k);

#endif /* !KERNEL_INT_H */
