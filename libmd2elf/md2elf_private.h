/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * md2elf_private.h: what the parts of libmd2elf share and nothing else sees:
 * the handle, the input (container) layer, the common minidump layer, the
 * per-architecture ops table, the kernel image and the thread walker.
 *
 * Layering (each file owns one job):
 *   dump.c       the public handle: open (format probe), close, info, reads
 *   input.c      open the file, find the dump data (kerneldumpheader.c,
 *                also md2elf_kdh_decode), decompress (decompress.c),
 *                decrypt (crypto.c), spool stdin (spool.c)
 *                -> d->fd, d->base, d->len; fileio.c: full pread/pwrite
 *   minidump.c   common minidump sections, bitmap, dump_avail, pa -> offset
 *   fulldump.c   ELF full dumps (full_amd64.c, full_i386.c: page tables)
 *   arches.c     the table of architectures dump.c probes
 *   arch_*.c     one per architecture: header, page tables, registers;
 *                flatpt.c: the flat last-level page tables they share
 *   kernel.c     kernel ELF symbols (libelf); kernel_match.c: does the
 *                kernel match the dump (build id, version string)
 *   threads.c    allproc walk, pcb selection, trap-frame threads
 *   unwind.c     frame-pointer backtraces through trap frames
 *   modules.c    linker_files walk, module files on this host
 *   modhint.c    r_debug/link_map hint for the debuggers' loaders
 *   msgbuf.c     message buffer
 *   notes.c      ELF note descriptors (FreeBSD and Linux flavours)
 *   elfcore.c    the ELF core writer (gelf), copy.c the bulk page copy
 *   sections.c   md2elf_get_sections(), the dump data's layout as read
 *   error.c      errors and warnings; vis.c: dump text made safe to print
 */
#ifndef MD2ELF_PRIVATE_H
#define MD2ELF_PRIVATE_H

#include <stdarg.h>
#include <stdbool.h>

#include "md2elf.h"
#include "fileio.h"

#define	M2E_MAXPAGESIZE	16384

/* Every minidump header starts with char magic[24]: this, the arch's name. */
#define	M2E_MD_PREFIX		"minidump FreeBSD/"
#define	M2E_MD_PREFIXLEN	(sizeof(M2E_MD_PREFIX) - 1)
#define	M2E_MD_MAGICLEN		24

/* kerneldumpheader (always big-endian, 512 bytes). */
#define	KDH_SIZE		512
#define	KDH_MAGIC		"FreeBSD Kernel Dump"
#define	KDH_MAGIC_TEXT		"FreeBSD Text Dump"
#define	KDH_MAGIC_CLEARED	"Cleared Kernel Dump"
/* Decode a 512-byte header; -1 (with message in errbuf) if it is not one. */
int	m2e_kdh_decode(const uint8_t *raw, struct md2elf_kdh *, char *err,
	    size_t);
bool	m2e_kdh_parity_ok(const uint8_t *raw);

/* Common minidump state, filled by an arch's init through m2e_md_load(). */
struct m2e_range {
	uint64_t	 start, end;	/* [start, end) physical bytes */
};
struct m2e_minidump {
	uint32_t	 version;
	uint32_t	 pagesize;
	unsigned	 pageshift;
	uint64_t	 msgbufsize, bitmapsize, pmapsize, availsize;
	uint32_t	 availoff;	/* header offset of dumpavailsize */
	uint64_t	 kernbase;
	uint64_t	 dmapbase, dmapend, dmapphys;	/* dmapend == 0: none */
	int		 pae;		/* i386: PAE page tables */
	/* i386, arm64: the flat last-level page-table section's entries. */
	unsigned	 ptesize;	/* bytes: i386 4 (PAE 8), arm64 8 */
	uint64_t	 nptes;
	/* Section offsets, relative to the start of the dump data. */
	uint64_t	 off_msgbuf, off_avail, off_bitmap, off_pmap, off_pages;
	/* Bitmap as 64-bit words (LE bit numbering), rank per word. */
	uint64_t	*bitmap;
	uint64_t	*rank;		/* set bits before word i */
	uint64_t	 nwords;
	uint64_t	 nbits;		/* valid bits (bitmapsize * 8) */
	uint64_t	 npages;	/* set bits in all */
	bool		 counted;	/* npages known (bitmap counted) */
	struct m2e_range *avail;	/* dump_avail, NULL: legacy numbering */
	size_t		 navail;
	uint64_t	*availbit;	/* first bit number of each avail range */
	uint64_t	 availbits;	/* bits all the avail ranges need */
	uint8_t		*pmap;		/* page-table section, in memory */
	/* Read-around (m2e_read_pa): clusters of the page section asked for. */
	uint64_t	*ra;		/* a bit per MD_RA_CLUSTER, or NULL */
	uint64_t	 nra;		/* bits */
	bool		 ra_off;	/* not worth trying (no memory) */
};

/*
 * The one run callback (as libkvm's _kvm_visit_cb): n pages at va map the
 * physically contiguous pages at pa, which are the n consecutive pages of
 * the dump's page data from index rank.  Physical runs have va == pa.
 * Called in ascending va; returns 0 to continue, non-zero to stop the walk
 * (which returns that value).
 */
typedef int	m2e_visit_fn(void *arg, uint64_t va, uint64_t pa,
		    uint64_t rank, uint64_t n);

/* Registers recovered for one thread. */
struct m2e_frame {
	uint64_t	 pc, sp, fp;
};

/*
 * Kernel entry stubs that leave a struct trapframe on the stack and call C
 * code with it (unwind.c).  A name ending in '*' is a prefix.
 */
#define	M2E_STUB_TRAP		1	/* exceptions: trap number in the frame */
#define	M2E_STUB_INTR		2	/* interrupt vectors and IPIs */
#define	M2E_STUB_SYSCALL	3	/* system call entry (from user mode) */
#define	M2E_STUB_FORK		4	/* fork_trampoline: a thread's first frame */
struct m2e_stub {
	const char	*name;
	int		 kind;
};

/* The per-architecture ops table, chosen by probing the minidump magic. */
struct m2e_arch {
	const char	*name;		/* md2elf's name, the magic's suffix */
	const char	*machine_arch;	/* MACHINE_ARCH, as in the kdh */
	unsigned	 elfclass;	/* ELFCLASS32 / ELFCLASS64 */
	unsigned	 elfmachine;	/* EM_* */
	unsigned	 ptrsize;	/* 4 or 8 */
	/* Parse the header page, fill d->md (via m2e_md_load), load tables. */
	int	(*init)(md2elf_t *, const uint8_t *hdr, size_t hdrlen);
	void	(*fini)(md2elf_t *);
	/* Translate a kernel va; 0 ok, -1 unmapped (no error set). */
	int	(*kvtop)(md2elf_t *, uint64_t va, uint64_t *pa);
	/*
	 * Every kernel-map mapping (not the direct map), ascending va.  Only
	 * pages present in the dump are reported, and each run is contiguous
	 * in va, in pa and in the page section (one file extent).
	 */
	int	(*walk)(md2elf_t *, m2e_visit_fn *, void *arg);
	/*
	 * Registers: FreeBSD struct reg (gregset, gregsz bytes) from a saved
	 * pcb; also pc/sp/fp.  osreldate picks the pcb layout (0 = unknown).
	 */
	size_t	 gregsz;		/* FreeBSD struct reg */
	size_t	 fpregsz;		/* FreeBSD struct fpreg */
	size_t	 linux_gregsz;		/* Linux elf_gregset_t */
	int	(*pcb_regs)(md2elf_t *, const uint8_t *pcb, size_t pcblen,
		    int osreldate, uint8_t *greg, struct m2e_frame *);
	/* FreeBSD struct reg -> Linux elf_gregset_t. */
	void	(*linux_regs)(const uint8_t *greg, uint8_t *linux_greg);
	/*
	 * Trap frames: the entry stubs ({NULL} terminated) and the frame of
	 * one: fr is the frame record whose return address lies in stub s,
	 * savedfp the frame pointer saved there.  Fills ti (the frame's
	 * address, the interrupted context, the trap) and greg (FreeBSD
	 * struct reg of the interrupted context); -1 with an error if the
	 * frame cannot be read.
	 */
	const struct m2e_stub *stubs;
	int	(*trapframe)(md2elf_t *, const struct m2e_stub *s, uint64_t fr,
		    uint64_t savedfp, int osreldate,
		    struct md2elf_trapinfo *ti, uint8_t *greg);
};

extern const struct m2e_arch m2e_arch_amd64;
extern const struct m2e_arch m2e_arch_i386;
extern const struct m2e_arch m2e_arch_arm64;
/* NULL-terminated list probed in order. */
extern const struct m2e_arch *const m2e_arches[];

struct m2e_kernel;	/* kernel.c */
struct m2e_full;	/* fulldump.c */
struct m2e_crypt;	/* crypto.c */
struct m2e_modules;	/* modules.c */

struct md2elf {
	char		 err[MD2ELF_ERRBUF_SIZE];
	size_t		 errwhy;	/* where err's "path: " prefix ends */
	bool		 errforcible;	/* err is a refusal FORCE gets past */
	/* Quiet: errors go to qerr without "path: " and leave err alone. */
	int		 quiet;
	char		 qerr[MD2ELF_ERRBUF_SIZE];
	md2elf_warn_fn	*warn;
	void		*warnarg;
	/* Warnings of md2elf_open(), for the first md2elf_set_warn(). */
#define	M2E_MAXPENDING	4
	bool		 opening;
	size_t		 npending;
	char		 pending[M2E_MAXPENDING][MD2ELF_ERRBUF_SIZE];
	/* Input. */
	int		 openflags;	/* md2elf_open() flags */
	char		*path;		/* as given, for messages */
	int		 fd;		/* where the dump data is read */
	uint64_t	 base;		/* dump data start in fd */
	uint64_t	 len;		/* dump data length */
	uint64_t	 filebase;	/* base in the original file (messages) */
	bool		 decompressed;	/* fd is a temporary file */
	bool		 md_layout;	/* m2e_md_load: header and layout only */
	bool		 size_only;	/* md2elf_data_size: decompress no more */
	const char	*container;
	const char	*compression;
	bool		 has_kdh;
	struct md2elf_kdh kdh;
	/* Encryption: the keys given (md2elf_open_keys), the cipher found. */
	char		*privkey, *dumpkey;
	const char	*encryption;	/* "none", "AES-256-CBC", "ChaCha20" */
	uint64_t	 keyoff;	/* key block in the file (kdh.keysize) */
	struct m2e_crypt *crypt;	/* decryption of d->fd (crypto.c) */
	/* Format. */
	const char	*format;	/* "minidump", "full" */
	const struct m2e_arch *arch;
	struct m2e_minidump md;
	struct m2e_full	*full;		/* a full dump (fulldump.c), else NULL */
	/* Kernel. */
	struct m2e_kernel *kern;
	/* Modules: search directories, sysroot, the last list. */
	struct m2e_modules *mods;
};

/* Errors and warnings (error.c).  Messages are one line, "path: ...". */
int	m2e_err(md2elf_t *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* "path: offset 0x...: ..."; off is relative to the dump data. */
int	m2e_err_at(md2elf_t *, uint64_t off, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Warnings, with the same "path: " and "path: offset 0x...: " prefixes. */
void	m2e_warn(md2elf_t *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	m2e_warn_at(md2elf_t *, uint64_t off, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* The last error without its "path: ", to quote in another message. */
const char *m2e_errwhy(const md2elf_t *);
/*
 * Speculative reads: between m2e_quiet() and m2e_unquiet() errors leave
 * d->err and errforcible alone; the last one is returned by m2e_unquiet()
 * (offset but no path: it is for a warning, which has the path).
 */
void	m2e_quiet(md2elf_t *);
const char *m2e_unquiet(md2elf_t *);
/*
 * The same errors for a refusal that MD2ELF_OPEN_FORCE or
 * MD2ELF_KERNEL_FORCE would turn into a warning (md2elf_errforcible()).
 */
int	m2e_err_forcible(md2elf_t *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	m2e_err_at_forcible(md2elf_t *, uint64_t off, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * Encrypted dumps (crypto.c, OpenSSL libcrypto): the kerneldumpkey block,
 * and the data decrypted where it is read.  where: "" for a key block in
 * the input, else a prefix naming the key file ("key file K: ").
 */
#define	M2E_MAXKEYBLOCK	65536		/* dumpkeysize believed */
struct m2e_dumpkey {
	int		 enc;		/* 1 AES-256-CBC, 2 ChaCha20 */
	uint8_t		 iv[32];
	uint32_t	 eksize;
	uint8_t		 ek[2048];	/* the RSA-encrypted dump key */
};
const char *m2e_cipher_name(int enc);
int	m2e_dumpkey_parse(md2elf_t *, const uint8_t *raw, size_t len,
	    uint64_t off, const char *where, struct m2e_dumpkey *);
/*
 * [off, off + len) of fd is encrypted with k: the dump key recovered with
 * the RSA private key in privkey, d->crypt set up.
 */
int	m2e_crypt_open(md2elf_t *, const struct m2e_dumpkey *k,
	    const char *privkey, int fd, uint64_t off, uint64_t len);
void	m2e_crypt_close(md2elf_t *);
/*
 * pread() of all n bytes at off of the dump's fd (decrypted where d->crypt
 * says fd holds encrypted data): the count (short at the end of the file),
 * -1 with errno.  Every read of dump data goes through it.
 */
ssize_t	m2e_data_pread(md2elf_t *, int fd, void *buf, size_t n, uint64_t off);
/* Is fd's data encrypted (no holes, mappings or clones of it)? */
bool	m2e_data_encrypted(const md2elf_t *, int fd);

/* Input (input.c): read dump data at off (relative to d->base). */
int	m2e_read(md2elf_t *, void *buf, size_t len, uint64_t off,
	    const char *what);
int	m2e_input_open(md2elf_t *, const char *path, int flags);
/*
 * Standard input into an unlinked sparse temporary file (spool.c), from
 * its first byte or, if it does not start with dump data, from the first
 * block with a kerneldumpheader magic (*skipped: the bytes before it).
 */
int	m2e_spool_open(md2elf_t *, int *fd, uint64_t *skipped);
void	m2e_input_close(md2elf_t *);
/*
 * Decompress [off, off + len) of infd (comp: MD2ELF_COMP_GZIP or
 * MD2ELF_COMP_ZSTD) into an unlinked sparse temporary file in $TMPDIR
 * (decompress.c).
 */
int	m2e_decompress(md2elf_t *, int infd, uint64_t off, uint64_t len,
	    int comp, int *outfd, uint64_t *outlen);

/* The header probe in layout mode while decompressing (dump.c). */
int	m2e_probe_layout(md2elf_t *);
void	m2e_probe_reset(md2elf_t *);

/* Common minidump layer (minidump.c). */
/* With d->md's sizes and version set by the arch: lay out and load. */
int	m2e_md_load(md2elf_t *, bool has_avail);
void	m2e_md_free(md2elf_t *);
/*
 * Decompressing: after the header probe in layout mode (d->md_layout), what
 * the first have bytes allow the dump data to be: *limit bytes at most;
 * call again at *next bytes (UINT64_MAX: no more to learn).
 */
int	m2e_md_limit(md2elf_t *, uint64_t have, uint64_t *limit,
	    uint64_t *next);
/* Dump-data offset of the page holding pa; -1 if not dumped. */
int	m2e_md_pa_off(md2elf_t *, uint64_t pa, uint64_t *off);
/* Rank (index in the page section) of pa's page; -1 if not dumped. */
int	m2e_md_pa_rank(md2elf_t *, uint64_t pa, uint64_t *rank);
/*
 * Every run of dumped pages in [pa, pa + n pages) that is contiguous both
 * physically and in the page section, to fn with va = pa.  Ascending pa.
 */
int	m2e_md_pa_runs(md2elf_t *, uint64_t pa, uint64_t n, m2e_visit_fn *,
	    void *arg);
/*
 * Mappings (flatpt.c).  m2e_runs merges pages given in ascending va into
 * runs contiguous in va, pa and rank, and hands each run to fn.
 */
struct m2e_runs {
	m2e_visit_fn	*fn;
	void		*arg;
	uint64_t	 psz;
	uint64_t	 va, pa, rank, len;	/* the pending run */
};
void	m2e_runs_init(struct m2e_runs *, const md2elf_t *, m2e_visit_fn *,
	    void *arg);
/* n pages at va -> pa, the first at rank; non-zero: fn's stop value. */
int	m2e_runs_add(struct m2e_runs *, uint64_t va, uint64_t pa,
	    uint64_t rank, uint64_t n);
/* Hand over the pending run. */
int	m2e_runs_end(struct m2e_runs *);
/*
 * A flat last-level page-table section, one entry per page of KVA from
 * kernbase: entry idx decoded to 0 and its page frame, or -1 (not a page,
 * or idx out of the table).
 */
typedef int	m2e_flat_fn(const md2elf_t *, uint64_t idx, uint64_t *frame);
int	m2e_flat_kvtop(md2elf_t *, m2e_flat_fn *, uint64_t va, uint64_t *pa);
/*
 * Every mapped entry whose page is in the dump, outside the direct map
 * (which kvtop tries first), as runs to fn in ascending va.
 */
int	m2e_flat_walk(md2elf_t *, uint64_t nptes, m2e_flat_fn *,
	    m2e_visit_fn *fn, void *arg);
/* Physical read, page by page; -1 with error if a page is not dumped. */
int	m2e_read_pa(md2elf_t *, uint64_t pa, void *buf, size_t len);
/* Kernel virtual read (kvtop + read_pa); -1 with error. */
int	m2e_read_va(md2elf_t *, uint64_t va, void *buf, size_t len);
/* Convenience readers in the dump's byte order (all targets are LE). */
int	m2e_read_ptr(md2elf_t *, uint64_t va, uint64_t *val);
int	m2e_read_u32(md2elf_t *, uint64_t va, uint32_t *val);

/*
 * Full dumps (fulldump.c, full_amd64.c, full_i386.c): the probe of an ELF
 * dump, physical pages (the minidump layer's m2e_md_pa_rank, _runs and
 * _pa_runs hand a full dump to these), the page tables found with a
 * kernel (m2e_full_undo: back to those before, if the kernel is refused),
 * and md2elf_get_sections().
 */
int	m2e_full_probe(md2elf_t *, const uint8_t *hdr, size_t hdrlen);
int	m2e_full_pa_rank(md2elf_t *, uint64_t pa, uint64_t *rank);
int	m2e_full_pa_runs(md2elf_t *, uint64_t pa, uint64_t n, m2e_visit_fn *,
	    void *arg);
int	m2e_full_setkernel(md2elf_t *, struct m2e_kernel *);
void	m2e_full_undo(md2elf_t *);
int	m2e_full_sections(md2elf_t *, struct md2elf_section *, size_t max);

/* Kernel image (kernel.c), through libelf. */
int	m2e_kernel_open(md2elf_t *, const char *path, int flags);
void	m2e_kernel_close(md2elf_t *);
/* 0 and *value (and *size if not NULL) if found; -1 if not (no error). */
int	m2e_sym(md2elf_t *, const char *name, uint64_t *value, uint64_t *size);
const char *m2e_sym_name(md2elf_t *, uint64_t addr, uint64_t *off);
uint64_t m2e_kernel_entry(md2elf_t *);
/* The kernel file's path (NULL: no kernel). */
const char *m2e_kernel_path(md2elf_t *);
/*
 * Where the d_val of the kernel's DT_DEBUG entry is, and its .dynamic;
 * -1 if the kernel has none.
 */
int	m2e_kernel_dtdebug(md2elf_t *, uint64_t *slot, uint64_t *dynamic);
/* GNU build id of the kernel (NULL, 0 if none). */
const uint8_t *m2e_kernel_buildid(md2elf_t *, size_t *len);
/* Initialised bytes at a kernel address from the kernel file; -1 (no error
 * set) if the file has no contents there. */
int	m2e_kernel_fread(md2elf_t *, uint64_t va, void *buf, size_t len);
/* Dump memory, else the kernel file (for constants such as proc_off_*). */
int	m2e_kread_const(md2elf_t *, uint64_t va, void *buf, size_t len);
/* The 4-byte int at symbol name (memory, else file); -1 if unavailable. */
int	m2e_sym_int(md2elf_t *, const char *name, int32_t *val);
/* p[0..n) as lower-case hex in out, NUL-ended: build ids (kernel_match.c). */
void	m2e_hexstr(char *out, size_t outsz, const uint8_t *p, size_t n);

/* Modules (modules.c). */
void	m2e_modules_free(md2elf_t *);
/* The last md2elf_modules() list (NULL, 0 if none). */
const struct md2elf_module *m2e_modules_list(md2elf_t *, size_t *n);

/*
 * The debuggers' hint (modhint.c): a synthetic r_debug and link_map list
 * (the kernel, then each ET_DYN module with a file) in an extra PT_LOAD at
 * va, and the kernel's DT_DEBUG d_val pointing at it.
 */
struct m2e_hint {
	uint64_t	 va;		/* where r_debug is */
	uint8_t		*buf;		/* len bytes (a page multiple) */
	size_t		 len;
	uint64_t	 slot_va;	/* DT_DEBUG's d_val in the kernel */
	uint64_t	 slot_pa;
	size_t		 nmods;		/* modules in the list */
	const char	*skipped;	/* why there is no hint; NULL */
};
/* Which modules, whether possible: h->nmods == 0 and h->skipped if not. */
void	m2e_hint_plan(md2elf_t *, struct m2e_hint *);
/* The bytes at va (lo..hi: the span the core's segments cover). */
int	m2e_hint_build(md2elf_t *, struct m2e_hint *, uint64_t lo,
	    uint64_t hi);
void	m2e_hint_free(struct m2e_hint *);

/* Threads (threads.c), with their registers for the core's notes. */
#define	M2E_MAXGREG	512
struct m2e_thread {
	struct md2elf_thread pub;
	uint8_t		 greg[M2E_MAXGREG];	/* arch->gregsz bytes */
};
typedef int	m2e_thread_fn(void *arg, const struct m2e_thread *);
/* Crashed thread first; walk problems are warnings, not errors. */
int	m2e_threads(md2elf_t *, m2e_thread_fn *, void *arg);
/* The same; MD2ELF_THREADS_TRAPS adds the trap-frame threads. */
int	m2e_threads_flags(md2elf_t *, int flags, m2e_thread_fn *, void *arg);

/* Unwinding (unwind.c). */
struct m2e_unwind;
struct m2e_unwind *m2e_unwind_new(md2elf_t *);
void	m2e_unwind_free(struct m2e_unwind *);
/*
 * Thread t's backtrace into frames (max entries); greg, if not NULL, gets
 * each trap frame's FreeBSD struct reg (max * gregsz bytes, at the trap
 * frame's index).  Returns the count and *why (MD2ELF_BT_*); problems are
 * warnings naming t's tid (quiet: none).
 */
size_t	m2e_backtrace(struct m2e_unwind *, const struct md2elf_thread *t,
	    struct md2elf_frame *frames, size_t max, uint8_t *greg,
	    bool quiet, int *why);
/* x86 trap numbers (amd64, i386): name, signal, whether tf_addr holds the
 * fault address. */
void	m2e_x86_trap(uint32_t trapno, struct md2elf_trapinfo *ti);
/* what and label of a trap frame by its stub's kind (the arch refines
 * M2E_STUB_TRAP's). */
void	m2e_stub_trap(const struct m2e_stub *, struct md2elf_trapinfo *);
/* The name of a trap-frame thread: "trap 12 vm_fault" (19 characters). */
void	m2e_trap_thread_name(md2elf_t *, const struct md2elf_trapinfo *,
	    char *name, size_t len);
int	m2e_osreldate(md2elf_t *);

/* ELF core notes (notes.c): the whole PT_NOTE content, built in memory. */
#define	M2E_MAXDESC	1024		/* largest prstatus/prpsinfo/auxv */
#define	M2E_NOTE_OWNER	"md2elf"	/* md2elf's own notes: */
#define	M2E_NT_BUILDID	0x6d326501	/* the kernel's GNU build id */
struct m2e_notes {
	uint8_t		*buf;
	size_t		 len, cap;
	uint64_t	 threads;	/* NT_PRSTATUS notes */
};
int	m2e_notes_build(md2elf_t *, enum md2elf_flavor, struct m2e_notes *);
void	m2e_notes_free(struct m2e_notes *);
/* Append a note (4-byte padding); -1 if out of memory. */
int	m2e_note_add(struct m2e_notes *, const char *owner, uint32_t type,
	    const void *desc, size_t descsz);
/* Descriptor encoders: fill out (M2E_MAXDESC bytes), return the size. */
size_t	m2e_desc_prstatus(const struct m2e_arch *, enum md2elf_flavor,
	    int32_t tid, int cursig, int osreldate, const uint8_t *greg,
	    uint8_t *out);
size_t	m2e_desc_prpsinfo(const struct m2e_arch *, enum md2elf_flavor,
	    const char *fname, const char *psargs, uint8_t *out);
size_t	m2e_desc_thrmisc(const char *name, uint8_t *out);
size_t	m2e_desc_auxv(const struct m2e_arch *, enum md2elf_flavor,
	    uint64_t entry, uint8_t *out);
/* A thread's name as kgdb shows it: comm, or comm/td_name. */
void	m2e_thread_name(const struct md2elf_thread *, char *name, size_t len);

/*
 * Bulk page copy (copy.c): the page section to out at dst, the source's
 * holes kept; with sparse, every zero page read and left a hole.
 */
int	m2e_copy_pages(md2elf_t *, int out, uint64_t dst, bool sparse,
	    md2elf_progress_fn *, void *arg, uint64_t *zero_pages);

/* Little-endian helpers. */
static inline uint32_t
le32dec_(const void *p)
{
	const uint8_t *b = p;

	return ((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24);
}

static inline uint64_t
le64dec_(const void *p)
{
	const uint8_t *b = p;

	return ((uint64_t)le32dec_(b) | (uint64_t)le32dec_(b + 4) << 32);
}

static inline void
le32enc_(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = v; b[1] = v >> 8; b[2] = v >> 16; b[3] = v >> 24;
}

static inline void
le64enc_(void *p, uint64_t v)
{
	le32enc_(p, (uint32_t)v);
	le32enc_((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

static inline uint32_t
be32dec_(const void *p)
{
	const uint8_t *b = p;

	return ((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | (uint32_t)b[3]);
}

static inline uint64_t
be64dec_(const void *p)
{
	return ((uint64_t)be32dec_(p) << 32 |
	    be32dec_((const uint8_t *)p + 4));
}

#endif /* !MD2ELF_PRIVATE_H */
