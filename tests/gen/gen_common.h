/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * gen_common.h: building blocks the architectures of the test generator
 * (gen_<arch>.c) share: little-endian stores, the scattered 4 KiB heap,
 * the flat last-level page-table section (i386, arm64), the kernel image
 * patches every model kernel gets, the minidump header's common start.
 */
#ifndef GEN_COMMON_H
#define GEN_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

/*
 * The symbols a newer kernel exports for thread listing (pcb_size and the
 * proc_off_* and thread_off_* offsets), at free addresses from ro in
 * .rodata: rows of a struct gsym table.
 */
#define	GEN_OFFSET_SYMS(ro)						\
	{ "pcb_size", (ro) + 0x80, 4, GS_OBJECT, 1, SEC_RODATA },	\
	{ "proc_off_p_pid", (ro) + 0x100, 4, GS_OBJECT, 1, SEC_RODATA }, \
	{ "proc_off_p_comm", (ro) + 0x104, 4, GS_OBJECT, 1, SEC_RODATA }, \
	{ "proc_off_p_list", (ro) + 0x108, 4, GS_OBJECT, 1, SEC_RODATA }, \
	{ "proc_off_p_hash", (ro) + 0x10c, 4, GS_OBJECT, 1, SEC_RODATA }, \
	{ "proc_off_p_threads", (ro) + 0x110, 4, GS_OBJECT, 1,		\
	    SEC_RODATA },						\
	{ "thread_off_td_tid", (ro) + 0x114, 4, GS_OBJECT, 1,		\
	    SEC_RODATA },						\
	{ "thread_off_td_name", (ro) + 0x118, 4, GS_OBJECT, 1,		\
	    SEC_RODATA },						\
	{ "thread_off_td_oncpu", (ro) + 0x11c, 4, GS_OBJECT, 1,		\
	    SEC_RODATA },						\
	{ "thread_off_td_pcb", (ro) + 0x120, 4, GS_OBJECT, 1,		\
	    SEC_RODATA },						\
	{ "thread_off_td_plist", (ro) + 0x124, 4, GS_OBJECT, 1,		\
	    SEC_RODATA }

void		 gen_put32(uint8_t *p, uint32_t v);
void		 gen_put64(uint8_t *p, uint64_t v);
/* A trap-frame thread's scratch register idx (not in its gthread). */
uint64_t	 gen_treg(const struct model *, const struct gthread *, int idx);
uint64_t	 gen_roundup2(uint64_t x, uint64_t a);
/* Pages of RAM in the model's dump_avail ranges. */
uint64_t	 gen_ram_pages(const struct model *);

/*
 * n fresh pages (model_alloc flags) mapped 4 KiB at va, physically
 * contiguous if memory allows, else page by page through arch->map4k.
 * direct: a contiguous chunk is recorded with one model_map() (the arch
 * writes no page tables of its own); else it goes through map4k too.
 */
int		 gen_map_chunk(struct model *, uint64_t va, uint64_t n,
		    int flags, bool direct);
/*
 * npages of scattered heap from *cur (advanced): chunks of up to 32, 16,
 * 4 or 1 pages (by fragmentation), small gaps, now and then a gap of two
 * last-level tables (ptspan: KVA one of them maps).
 */
int		 gen_map_heap(struct model *, uint64_t *cur, uint64_t npages,
		    uint64_t salt, uint64_t ptspan, bool direct);
/* 8 PG_NODUMP pages from *cur; then the world's 16 misc pages. */
int		 gen_map_nodump(struct model *, uint64_t *cur);
int		 gen_map_misc(struct model *, uint64_t *cur);

/* Index of the first kernel-map run that ends above va. */
size_t		 gen_kmap_from(const struct model *, uint64_t va);
/*
 * Page i of a flat last-level section from kvabase, one table (esz-byte
 * entries) per ptspan of KVA: every mapped page's pa | bits, | bits4k
 * for a 4 KiB mapping (blocks and large pages expanded), 0 elsewhere.
 */
void		 gen_flat_pmap_page(const struct model *, uint64_t kvabase,
		    uint64_t ptspan, unsigned esz, uint64_t bits,
		    uint64_t bits4k, uint64_t i, uint8_t *page);

/* The v bytes of an n-byte (<= 8) little-endian value at symbol name. */
int		 gen_patch_sym(struct model *, const char *name, uint64_t v,
		    size_t n);
/*
 * What every model kernel image gets: .bss zero from bss_va to bss_end
 * (zero pages, the partial first page patched), the GNU build-id note at
 * note_va, the entry point's code, `version` and the panic message in
 * panic_buf (*panic_buf: that symbol).  -1: a model bug.
 */
int		 gen_finish_image(struct model *, uint64_t note_va,
		    uint64_t bss_va, uint64_t bss_end,
		    const struct gsym **panic_buf);
/*
 * The header's start: magic, version, msgbufsize, bitmapsize (the bitmap
 * in words of wordbits bits when sparse, else bytes; page-rounded).
 */
void		 gen_header_start(const struct model *, uint8_t *page,
		    const char *magic, unsigned wordbits, bool sparse);

#endif /* !GEN_COMMON_H */
