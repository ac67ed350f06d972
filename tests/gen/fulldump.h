/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * fulldump.h: the generator's full dumps (debug.minidump=0): the i386
 * kernel page tables a full dump needs in memory (gen_fullpt.c, part of
 * the model, so coreck rebuilds them) and the ELF stream of physical
 * memory kern_dump.c's dumpsys_generic() writes (fulldump.c, mkdump only).
 */
#ifndef GEN_FULLDUMP_H
#define GEN_FULLDUMP_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

struct dumpout;

/*
 * i386: real page tables for the kernel map [kvabase, kvaend): with PAE a
 * page-directory-pointer table at pdpt_pa (a page the kernel image area
 * holds) and four page directories, else one page directory; large
 * mappings as PS entries, 4 KiB ones in page-table pages.  *root: the
 * PDPT or page directory address.  -1 if memory ran out.
 */
int		 gen_i386_fullpt(struct model *, uint64_t kvabase,
		    uint64_t kvaend, bool pae, uint64_t pdpt_pa,
		    uint64_t *root);

/* Hostile full dumps (mkdump -X with -f). */
struct fullhostile {
	int		 phnum;		/* >= 0: e_phnum */
	int		 phtype;	/* a PT_NOTE header among the PT_LOADs */
	int		 phoverlap;	/* the second chunk overlaps the first */
	int		 phoffset;	/* the second chunk's p_offset is off */
	int		 phunaligned;	/* the first chunk's size is not paged */
	int		 ptoutside;	/* amd64: a PML4 entry (slot 300) to a
					   PDP page beyond RAM */
	int		 kpml4zero;	/* amd64: KPML4phys reads 0 */
};

/* Bytes of the full dump stream of m (headers rounded to a page + RAM). */
uint64_t	 fulldump_length(const struct model *);
/*
 * Write the stream as dumpsys_generic() does: ELF header and program
 * headers through a blocksize-byte block buffer (the last block's tail
 * keeps what the buffer held before), zeros to the page boundary, then
 * every dump_avail chunk's pages.  *hdrsz: the headers' size.
 */
int		 fulldump_write(const struct model *, const struct fullhostile *,
		    struct dumpout *, uint32_t blocksize, uint64_t *hdrsz);

#endif /* !GEN_FULLDUMP_H */
