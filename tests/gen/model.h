/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * model.h: the test generator's memory model, the ground truth shared by
 * mkdump (which writes a minidump and a kernel ELF from it) and coreck (which
 * checks an ELF core against it).  Independent of libmd2elf by design.
 *
 * A model is a pure function of its parameters (arch, minidump version,
 * seed, RAM size, thread count, options): building it twice gives the same
 * physical memory, the same kernel page tables and the same kernel image.
 * The common part (model.c) owns physical memory (dump_avail ranges, page
 * allocation, page contents, the message buffer, the kernel image patches,
 * the process/thread world); an architecture (gen_<arch>.c) owns the kernel
 * address space layout, the page tables, the minidump header and page-table
 * section, the symbol table and the pcb layout.
 */
#ifndef GEN_MODEL_H
#define GEN_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The model's page size: 4096, or the arch's (arm64 16 KiB pages). */
extern uint64_t	 gen_pagesize;
#define	GPAGE		gen_pagesize

/* Per physical page state (struct model.pst). */
#define	PS_RAM		0x01	/* inside a dump_avail range */
#define	PS_USED		0x02	/* allocated by the model */
#define	PS_DUMP		0x04	/* in the minidump */
#define	PS_NODUMP	0x08	/* PG_NODUMP: never dumped */
#define	PS_EXPLICIT	0x10	/* dump_add_page()d by the kernel */
#define	PS_PT		0x20	/* page-table page: content from m->pt */
#define	PS_WORLD	0x40	/* process/thread world page */
#define	PS_ZERO		0x80	/* all-zero base content */

/* Mapping kinds. */
#define	MK_4K		0
#define	MK_2M		1
#define	MK_1G		2

/* One run of the kernel map: [va, va + n pages) -> [pa, pa + n pages). */
struct kmap {
	uint64_t	 va, pa, npages;
	int		 kind;		/* MK_* (page size of the mapping) */
};

/* A page-table page of the model (content built by the arch). */
struct ptpage {
	uint64_t	 pa;
	int		 level;		/* 1: last level (PT) .. 4: top */
	uint64_t	 e[512];
};

/* Bytes placed at a physical address over the base content. */
struct patch {
	uint64_t	 pa;
	uint32_t	 len;
	uint32_t	 off;		/* into m->arena */
};

/* A kernel symbol. */
#define	GS_NOTYPE	0
#define	GS_OBJECT	1
#define	GS_FUNC		2
#define	GS_ABS		0xfff1
enum gsec { SEC_ABS, SEC_NOTE, SEC_TEXT, SEC_RODATA, SEC_DATA, SEC_BSS,
    SEC_NSEC };
struct gsym {
	const char	*name;
	uint64_t	 va;
	uint64_t	 size;
	int		 type;		/* GS_* */
	int		 global;	/* STB_GLOBAL, else STB_LOCAL */
	enum gsec	 sec;
};

/* A kernel function with a frame-pointer prologue and call sites. */
struct gfunc {
	const char	*name;
	uint64_t	 va, size;
};

/* Threads of the world (issue 3). */
#define	WT_CRASHED	1	/* dumptid: registers in dumppcb */
#define	WT_ONCPU	2	/* running on another CPU: stoppcbs[cpu] */
#define	WT_SLEEP	3	/* td_pcb */
struct gthread {
	uint64_t	 td;		/* struct thread address (direct map) */
	uint64_t	 pcb;		/* where its registers are */
	uint64_t	 kstack;	/* kernel stack page (KVA) */
	int32_t		 tid;
	int32_t		 pid;
	int32_t		 oncpu;		/* -1: NOCPU */
	int		 kind;		/* WT_* */
	uint32_t	 proc;		/* index into m->procs */
	uint32_t	 chain;		/* frame chain template */
	char		 name[20];
	/* Registers (pcb values). */
	uint64_t	 rip, rsp, rbp, rbx, r12, r13, r14, r15;
	/* Expected return addresses of the frame chain (0-terminated). */
	uint64_t	 ret[16];
	int		 nret;
	/*
	 * A trap-frame thread (in m->tthreads): the trap-th kernel-mode
	 * trap frame of thread owner, its registers the interrupted
	 * context's (rip the faulting pc), name the converter's.
	 */
	int		 trap;
	int32_t		 owner;
	int		 signo;
	uint64_t	 tf;		/* its struct trapframe */
	uint64_t	 lr;		/* arm64 x30 when not rip */
};

/* A trap frame on a model stack (world.c places it, the arch encodes). */
#define	GT_FAULT	1	/* kernel-mode page fault */
#define	GT_NMI		2	/* NMI (amd64) */
#define	GT_INTR		3	/* interrupt or IPI */
#define	GT_SYSCALL	4	/* system call from user mode */
#define	GT_KTHREAD	5	/* fork_trampoline of a kernel thread */
struct gtrap {
	int		 kind;		/* GT_* */
	const char	*stub;		/* entry stub's name */
	uint64_t	 tf;		/* trap frame address */
	uint64_t	 fr;		/* the stub's callee's frame record */
	uint64_t	 addr;		/* fault address (GT_FAULT) */
	int		 syscall;	/* GT_SYSCALL number */
	const struct gthread *ctx;	/* interrupted kernel context */
	uint64_t	 upc, usp, ufp;	/* interrupted user context */
};
struct gproc {
	uint64_t	 p;		/* struct proc address (direct map) */
	int32_t		 pid;
	char		 comm[20];
	uint32_t	 first, nthreads;	/* into m->threads */
	uint32_t	 hnext;		/* next older proc in its hash bucket
					   + 1, 0: none */
};

/* Hostile world variants (-W). */
#define	WH_PROCCYCLE	0x01	/* allproc loops back */
#define	WH_TDCYCLE	0x02	/* a thread list loops back */
#define	WH_DANGLING	0x04	/* p_list points to unmapped KVA */
#define	WH_UNDUMPED	0x08	/* a td_plist points to an undumped page */
#define	WH_LONGLIST	0x10	/* a process claims millions of threads */
#define	WH_HUGEHASH	0x20	/* pidhash claims 10M buckets */
#define	WH_WIDELIST	0x40	/* like LONGLIST, threads 0x400 apart */
#define	WH_STACKS	0x80	/* corrupt kernel stacks (world.c) */
/* Hostile module lists (modules.c). */
#define	WH_KLDCYCLE	0x100	/* the last linker_file loops back */
#define	WH_KLDDANGLING	0x200	/* the last one's next is unmapped */
#define	WH_KLDSTRINGS	0x400	/* an entry with absurd name strings */
#define	WH_KLDMASK	0x700
#define	MODEL_MAXMODS	8	/* module files (mkdump -L) */

struct model_params {
	const char	*arch;		/* "amd64" */
	int		 version;	/* minidump format version */
	uint64_t	 seed;
	uint64_t	 ram_mib;
	uint32_t	 nthreads;	/* world size (0: no world) */
	int		 frag;		/* heap fragmentation 0..3 */
	unsigned	 hostile;	/* WH_* */
	uint64_t	 longlist;	/* WH_LONGLIST length */
	int		 dense;		/* compressible contents (dense.c) */
	int		 full;		/* a full dump: all RAM is dumped, and
					   i386 builds real page tables */
	uint64_t	 kernphys;	/* amd64: the image's physical base
					   (0: va - KERNBASE, the default) */
	/* Module files loaded into the model (modules.c). */
	const char	*modules[MODEL_MAXMODS];
	unsigned	 nmodules;
};

struct model;

/* A register as the cores hold it (gen_arch.regs). */
#define	GEN_MAXREGS	40
struct gen_reg {
	const char	*name;		/* as LLDB and GDB call it */
	uint32_t	 off;		/* in the FreeBSD struct reg */
	uint32_t	 loff;		/* in the Linux pr_reg */
	uint32_t	 size;		/* 4 or 8 */
	uint64_t	 value;
};

/* What an architecture provides. */
struct gen_arch {
	const char	*name;		/* model name ("amd64") */
	const char	*machine_arch;	/* kerneldumpheader architecture */
	uint32_t	 kdh_archver;	/* KERNELDUMP_<ARCH>_VERSION */
	int		 minver, maxver;	/* minidump versions */
	unsigned	 ptrsize;
	unsigned	 elfclass, elfmachine, elfosabi;
	uint64_t	 dmapbase, dmapend;	/* 0, 0: no direct map */
	/* Kernel image: sections [start, end) and the physical load. */
	uint64_t	 sec_start[SEC_NSEC], sec_end[SEC_NSEC];
	uint64_t	 kern_pa_off;	/* pa = va - kern_pa_off */
	uint64_t	 kern_end_pa;	/* image + bootstrap area end (pa) */
	uint64_t	 entry;
	const struct gsym *syms;	/* real symbols, then model ones */
	size_t		 nsyms;
	/*
	 * Kernel address space and page tables: build() before the world
	 * (which maps kernel stacks with map4k() in [kstack_va, ...)),
	 * finish() after it.
	 */
	int	(*build)(struct model *, char *err, size_t errlen);
	int	(*map4k)(struct model *, uint64_t va, uint64_t pa);
	int	(*finish)(struct model *, char *err, size_t errlen);
	/* Minidump header page (PAGE bytes, zeroed by the caller). */
	void	(*header)(const struct model *, uint8_t *page);
	/* Page-table section: size in bytes and its page number i. */
	uint64_t (*pmap_size)(const struct model *);
	void	(*pmap_page)(const struct model *, uint64_t i, uint8_t *page);
	/* Encode a pcb for thread t into buf (pcb_size bytes). */
	void	(*pcb)(const struct model *, const struct gthread *,
		    uint8_t *buf);
	uint32_t	 pcb_size;
	/*
	 * Machine code of a function of size bytes at va with a frame-pointer
	 * prologue and call k (to calls[k]) at call_off0 + k * call_stride,
	 * returning to that + call_len.
	 */
	void	(*funccode)(uint64_t va, uint64_t size, const uint64_t *calls,
		    int ncalls, uint8_t *buf);
	uint32_t	 call_off0, call_stride, call_len;
	/* Slots for hostile page-table variants (see gen_amd64.c). */
	int	(*hostile)(const struct model *, int what, uint64_t *pa,
		    uint64_t *pmap_idx, int *idx);
	/* Where i386 and arm64 differ from amd64 (0: the amd64 value). */
	uint64_t	 dmapphys;	/* physical address at dmapbase */
	uint64_t	 phys_base;	/* RAM starts at phys_base + 0x1000 */
	uint64_t	 high_min;	/* lowest start of the high RAM range */
	uint32_t	 pagesize;	/* 0: 4096 */
	int		 sparse_minver;	/* first version with dump_avail: 3 */
	uint32_t	 availsize_off;	/* dumpavailsize in the header: 64 */
	/*
	 * The registers a converter must report for thread t (its pcb's and
	 * the constant ones): up to GEN_MAXREGS; NULL: coreck's amd64 check.
	 */
	int	(*regs)(const struct model *, const struct gthread *t,
		    struct gen_reg *r);
	uint32_t	 gregsz, linux_gregsz;	/* FreeBSD, Linux pr_reg */
	/*
	 * Trap frames: place() sets g->tf and g->fr for a frame whose
	 * interrupted stack pointer (or, from user mode, the stack top) is
	 * sp and returns the frame pointer the stub's callee saved;
	 * tfbytes() writes the frame (and what the stub pushed around it)
	 * into the stack page b at va.  tregs(): a trap-frame thread's
	 * registers (NULL: regs()).
	 */
	uint64_t (*tf_place)(const struct model *, struct gtrap *g,
		    uint64_t sp);
	void	(*tfbytes)(const struct model *, const struct gtrap *g,
		    uint8_t *b, uint64_t va);
	int	(*tregs)(const struct model *, const struct gthread *t,
		    struct gen_reg *r);
};

extern const struct gen_arch gen_arch_amd64;
extern const struct gen_arch gen_arch_i386, gen_arch_i386pae;
extern const struct gen_arch gen_arch_arm64, gen_arch_arm64_16k;
const struct gen_arch *gen_arch_find(const char *name);

struct model {
	struct model_params	 p;
	const struct gen_arch	*arch;
	/* Physical memory. */
	uint64_t	 avail[2 * 16];	/* dump_avail pairs, 0-terminated */
	int		 navail;
	uint64_t	 npfn;		/* pages in [0, maxpa) */
	uint8_t		*pst;		/* PS_* per page */
	uint32_t	*freelist;	/* shuffled free pfns */
	uint64_t	 nfree, freepos;
	/* Kernel map, ascending va. */
	struct kmap	*map;
	size_t		 nmap, mapcap;
	/* Page-table pages, ascending pa. */
	struct ptpage	*pt;
	size_t		 npt, ptcap;
	void		*ptindex;	/* pfn -> pt slot */
	uint64_t	 kpml4;		/* physical address of the top table */
	uint64_t	 kstack_va;	/* kernel stacks (2 pages per thread) */
	uint64_t	 misc_va;	/* 16 mapped heap pages for the world */
	uint64_t	 misc_pa[16];
	/* Byte patches, ascending pa (non-overlapping). */
	struct patch	*patches;
	size_t		 npatches, patchcap;
	uint8_t		*arena;
	size_t		 arenalen, arenacap;
	/* Symbols: arch ones, then model ones (names point into statics). */
	struct gsym	*syms;
	size_t		 nsyms, symcap;
	struct gfunc	*funcs;
	size_t		 nfuncs;
	/* Minidump facts. */
	uint64_t	 kva_end;	/* end of the page-table section's KVA */
	uint64_t	 msgbuf_pa;	/* start of the message buffer region */
	uint32_t	 msg_size;	/* msgbufp->msg_size */
	char		 version[256];	/* kernel version string */
	char		 hostname[64];
	char		 panicstr[128];
	int64_t		 dumptime;
	uint8_t		 buildid[20];
	/* World. */
	struct gproc	*procs;
	size_t		 nprocs;
	struct gthread	*threads;
	size_t		 nthreads;
	uint64_t	 world_dmap_pa;	/* first pfn-run of proc/thread pages */
	int32_t		 dumptid;
	uint32_t	 ncpu;
	/* Trap-frame threads, each after its owner's in world order. */
	struct gthread	*tthreads;
	size_t		 ntthreads;
	void		*world;		/* world.c */
	/* No direct map: KVA for the world's objects, mapped by world.c. */
	uint64_t	 obj_va, obj_end;
	/* Arch private. */
	void		*archdata;
	void		*dense;		/* dense.c's library (p.dense) */
	void		*modules;	/* modules.c */
	/*
	 * With modules: the module function on a kernel thread's stack
	 * (world.c's C_MODULE chain): its runtime address, the return
	 * address of its call to _sleep, its name and its module's (set by
	 * modules.c, used by world_modules()).
	 */
	uint64_t	 modfn_va, modfn_ret;
	char		 modfn[64], modfn_mod[64];
};

/* model.c */
struct model	*model_build(const struct model_params *, char *err,
		    size_t errlen);
void		 model_free(struct model *);
int		 model_save(const struct model *, const char *path);
struct model	*model_load(const char *path, char *err, size_t errlen);
/* Page content of physical page pa (aligned) into buf (GPAGE bytes). */
void		 model_page(const struct model *, uint64_t pa, uint8_t *buf);
/* True if the page holding pa is dumped. */
bool		 model_dumped(const struct model *, uint64_t pa);
/* Kernel map lookup: 0 and *pa if mapped. */
int		 model_kvtop(const struct model *, uint64_t va, uint64_t *pa);
/* Bytes of the model at a kernel VA or PA (for the kernel ELF). */
void		 model_read_pa(const struct model *, uint64_t pa, void *buf,
		    size_t len);
const struct gsym *model_sym(const struct model *, const char *name);
/* Dump bitmap numbering (v3-style with dump_avail when sparse is true). */
uint64_t	 model_bitmap_bits(const struct model *, bool sparse);
int64_t		 model_pa_to_bit(const struct model *, uint64_t pa,
		    bool sparse);
uint64_t	 model_dumped_pages(const struct model *);
/* Expected PT_LOAD runs of a core: kernel map and direct map. */
void		 model_runs(const struct model *, uint64_t *kruns,
		    uint64_t *druns, uint64_t *kpages);
uint64_t	 model_high_base(const struct model *);
/* Direct map: the address of pa, or 0 and *pa of va (-1: not in it). */
uint64_t	 model_dmap_va(const struct model *, uint64_t pa);
int		 model_dmap_pa(const struct model *, uint64_t va, uint64_t *pa);
/* Dump format facts that vary by arch. */
bool		 model_sparse(const struct model *);
uint32_t	 model_availsize_off(const struct model *);
uint64_t	 model_msgbufp(const struct model *);

/* Building blocks for the arch (model.c). */
uint64_t	 model_hash(uint64_t seed, uint64_t x);
uint64_t	 model_alloc(struct model *, uint64_t npages, int flags);
int		 model_map(struct model *, uint64_t va, uint64_t pa,
		    uint64_t npages, int kind);
struct ptpage	*model_ptpage(struct model *, uint64_t pa);
const struct ptpage *model_ptfind(const struct model *, uint64_t pa);
int		 model_patch(struct model *, uint64_t pa, const void *,
		    size_t len);
int		 model_patch_va(struct model *, uint64_t va, const void *,
		    size_t len);
int		 model_addsym(struct model *, const char *name, uint64_t va,
		    uint64_t size, int type, enum gsec);
void		 model_setstate(struct model *, uint64_t pa, uint64_t npages,
		    int flags);
uint64_t	 model_kva_to_pa(const struct model *, uint64_t va);
/* The end of the kernel image and bootstrap area (pa). */
uint64_t	 model_kern_end(const struct model *);

#endif /* !GEN_MODEL_H */
