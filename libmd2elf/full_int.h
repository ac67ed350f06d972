/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * full_int.h: the state of a full (non-mini) dump, shared by fulldump.c
 * (the ELF file of physical memory the kernel's dumpsys_generic() writes,
 * its chunks, finding the kernel's page tables) and the per-architecture
 * page-table readers full_amd64.c and full_i386.c.  Private to those.
 */
#ifndef FULL_INT_H
#define FULL_INT_H

#include "md2elf_private.h"

#define	FULL_PAGE	4096ULL		/* x86: every full dump's page */
#define	FULL_PAGESHIFT	12

struct m2e_kernel;

/*
 * One PT_LOAD: physical [pa, end) at page section rank (page index); hdrpa:
 * pa as the program header gives it (an ELFCLASS32 one only the low 32
 * bits, which the kernel's dump_avail may complete).
 */
struct m2e_fchunk {
	uint64_t	 pa, end, rank, hdrpa;
};

/* The kernel page tables, found once a kernel gives their symbols. */
struct m2e_fullpt {
	bool		 ok;
	bool		 pae;		/* i386: 8-byte entries, 4 PDs */
	uint64_t	 root;		/* amd64 PML4, i386 PD or PDPT (pa) */
	uint64_t	 pd[4];		/* i386 PAE: PD page per GiB, 0: none */
	uint64_t	 kvmin;		/* the kernel map's walk starts here */
};

/* What an architecture adds to read its full dumps. */
struct m2e_fullops {
	unsigned	 elfmachine;
	unsigned	 elfclass;
	const struct m2e_arch *base;	/* its minidump ops (registers) */
	uint64_t	 dmapbase, dmapend;	/* 0, 0: no direct map */
	/* Find the page tables with kernel k's symbols; -1 with error. */
	int	(*findpt)(md2elf_t *, struct m2e_kernel *k, struct m2e_fullpt *);
	/* Translate va with the tables pt; -1 if not mapped (no error). */
	int	(*xlate)(md2elf_t *, const struct m2e_fullpt *, uint64_t va,
		    uint64_t *pa);
	/* The kernel map, ascending va, runs of dumped pages. */
	int	(*walk)(md2elf_t *, const struct m2e_fullpt *, m2e_visit_fn *,
		    void *arg);
};

extern const struct m2e_fullops m2e_full_amd64;
extern const struct m2e_fullops m2e_full_i386;

struct m2e_full {
	struct m2e_arch	 arch;		/* base's table, full-dump ops */
	const struct m2e_fullops *ops;
	struct m2e_fchunk *chunks;	/* ascending pa, disjoint */
	size_t		 nchunks;
	struct m2e_fullpt pt;		/* the tables in use */
	struct m2e_fullpt saved;	/* before the last md2elf_set_kernel */
	uint64_t	 tables;	/* table pages the current walk read */
	/* Forced walk: table pages outside the dump, the first one. */
	uint64_t	 nmissing, miss_va, miss_pa;
};

/*
 * Where kernel variable va (holding a page-table address) lies
 * physically: the candidates libkvm assumes (va - kernbase; va itself, as
 * on i386 12+ where the kernel's VA is its PA), then every 2 MiB-aligned
 * relocation of the image (amd64 13+ kernels loaded above 2 MiB).  try()
 * reads the variable at pa and returns 0 if the tables it gives map va
 * back to pa.  0 and *pt, or -1 if no candidate fits (no error set).
 */
typedef int	m2e_fulltry_fn(md2elf_t *, uint64_t va, uint64_t pa,
		    struct m2e_fullpt *);
int	m2e_full_find(md2elf_t *, uint64_t va, uint64_t kernbase,
	    m2e_fulltry_fn *try, struct m2e_fullpt *);
/*
 * Read the page-table page at pa (what: its level, for messages) that the
 * entry mapping va references, counting it against the walk's cap.  0,
 * 1 if the page is not in the dump and MD2ELF_OPEN_FORCE skips it (one
 * warning at the end of the walk), or -1 with the error set.
 */
int	m2e_full_table(md2elf_t *, uint64_t pa, uint8_t *page, uint64_t va,
	    const char *what);
/* Start and end a kernel-map walk (the cap, the forced-skip warning). */
void	m2e_full_walk_start(md2elf_t *);
void	m2e_full_walk_end(md2elf_t *);

#endif /* !FULL_INT_H */
