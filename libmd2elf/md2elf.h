/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * md2elf.h: the public interface of libmd2elf.
 *
 * libmd2elf reads a FreeBSD kernel crash dump (a saved vmcore.N, a raw dump
 * device image with its kerneldumpheaders, gzip- or zstd-compressed, mini or
 * full) and, with the kernel's ELF image, recovers kernel memory, threads and
 * the message buffer, and writes a standard ELF core file that stock LLDB and
 * GDB read.  One handle (md2elf_t) per dump.  Errors are reported as strings
 * (md2elf_geterr()); the library never prints and never exits.
 */
#ifndef MD2ELF_H
#define MD2ELF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define	MD2ELF_ERRBUF_SIZE	512

typedef struct md2elf md2elf_t;

/* Flags for md2elf_open(). */
#define	MD2ELF_OPEN_FORCE	0x0001	/* accept bad parity, disagreeing headers,
					   (amd64) PDEs to undumped page-table
					   pages: their 2 MiB left out */

/*
 * Open a dump.  The container (kerneldumpheader, compression) and the format
 * (minidump of which architecture, full dump) are detected from the content,
 * never from the file name.  Compressed dumps are decompressed into an
 * unlinked temporary file in $TMPDIR (default /tmp).  On failure returns NULL
 * and, if errbuf is not NULL, a one-line message naming the file and offset.
 */
md2elf_t	*md2elf_open(const char *path, int flags, char *errbuf);
/*
 * md2elf_open() that also tells, on failure, whether the error is one that
 * MD2ELF_OPEN_FORCE gets past (*forcible 1, else 0; forcible may be NULL).
 */
md2elf_t	*md2elf_openx(const char *path, int flags, char *errbuf,
		    int *forcible);
/*
 * An encrypted dump (dumpon -k): privkey, the dump device's RSA private
 * key (PEM); dumpkey, the kerneldumpkey savecore(8) saved as key.N beside
 * a vmcore_encrypted.N (NULL: the key block is in the input, after the
 * leading kerneldumpheader).  The data is decrypted into an unlinked
 * temporary file in $TMPDIR.  keys NULL: md2elf_openx().
 */
struct md2elf_keys {
	const char	*privkey;
	const char	*dumpkey;
};
md2elf_t	*md2elf_open_keys(const char *path, int flags,
		    const struct md2elf_keys *keys, char *errbuf,
		    int *forcible);
void		 md2elf_close(md2elf_t *);
/*
 * The length of the dump data in path once decompressed (for a dump that
 * is not compressed, the data's length), from the minidump header and page
 * bitmap: only the stream up to the end of the bitmap is decompressed (into
 * $TMPDIR, removed).  For programs that must check space first (savecore
 * -e).  0, or -1 with a message in errbuf.
 */
int		 md2elf_data_size(const char *path, uint64_t *size,
		    char *errbuf);
/* The same for an encrypted dump (keys as md2elf_open_keys()). */
int		 md2elf_data_size_keys(const char *path,
		    const struct md2elf_keys *keys, uint64_t *size,
		    char *errbuf);
const char	*md2elf_geterr(const md2elf_t *);
/*
 * 1 if the handle's error is a refusal that the FORCE flags turn into a
 * warning (MD2ELF_OPEN_FORCE: kerneldumpheader parity, a header marked
 * cleared, a trailing header whose block size disagrees with where it lies,
 * leading and trailing headers that differ, an amd64 PDE whose page-table
 * page is not in the dump; MD2ELF_KERNEL_FORCE: a kernel that does not
 * match the dump), else 0.  The messages do not say how to force: that is
 * the caller's to tell.
 */
int		 md2elf_errforcible(const md2elf_t *);

/*
 * Non-fatal diagnostics (e.g. a corrupt thread list) go to this callback;
 * those md2elf_open() found (bytes ignored after a gzip stream, headers
 * that disagree) are handed to it when it is set.
 */
typedef void	 md2elf_warn_fn(void *arg, const char *msg);
void		 md2elf_set_warn(md2elf_t *, md2elf_warn_fn *, void *arg);

/* What the dump says about itself. Strings live as long as the handle. */
struct md2elf_info {
	const char	*arch;		/* "amd64", "i386", "arm64" */
	const char	*format;	/* "minidump", "full" */
	int		 format_version;/* minidump version */
	int		 pae;		/* i386: PAE page tables */
	unsigned	 pagesize;
	unsigned	 elfclass;	/* ELFCLASS32 / ELFCLASS64 of the core */
	unsigned	 elfmachine;	/* EM_X86_64, EM_386, EM_AARCH64 */
	const char	*container;	/* "vmcore", "kerneldumpheader", "device" */
	const char	*compression;	/* "none", "gzip", "zstd" */
	const char	*encryption;	/* "none", "AES-256-CBC", "ChaCha20" */
	uint64_t	 pages;		/* physical pages in the dump */
	uint64_t	 msgbufsize;
	uint64_t	 kernbase;
	uint64_t	 dmapbase, dmapend, dmapphys;
	/* From a kerneldumpheader, if the input had one (else 0 / ""). */
	int		 has_header;
	int64_t		 dumptime;
	const char	*hostname;
	const char	*versionstring;
	const char	*panicstring;
};
int		 md2elf_get_info(md2elf_t *, struct md2elf_info *);

/*
 * The sections of the dump data as read, in file order; for a minidump
 * "header", "msgbuf", "avail" (dump_avail), "bitmap", "pmap" (page
 * tables), "pages".  offset is from the start of the dump data (after a
 * kerneldumpheader; in the decompressed stream if it was compressed), size
 * the bytes the section takes (page-rounded; 0 if absent), used the bytes
 * the header gives it.  Fills up to max entries and returns the number of
 * sections (at most MD2ELF_MAXSECTIONS), or -1 with an error.
 */
#define	MD2ELF_MAXSECTIONS	8
struct md2elf_section {
	const char	*name;
	uint64_t	 offset;
	uint64_t	 size;
	uint64_t	 used;
};
int		 md2elf_get_sections(md2elf_t *, struct md2elf_section *,
		    size_t max);

/*
 * Memory.  md2elf_kread() reads kernel virtual memory; it returns len, or -1
 * with an error set if any byte is unmapped or not in the dump.
 */
ssize_t		 md2elf_kread(md2elf_t *, uint64_t kva, void *buf, size_t len);
ssize_t		 md2elf_pread(md2elf_t *, uint64_t pa, void *buf, size_t len);
int		 md2elf_kvtop(md2elf_t *, uint64_t kva, uint64_t *pa);

/*
 * The message buffer in dmesg order (NULs dropped), malloc'ed; the caller
 * frees it.  Uses msgbufp from the kernel when a kernel is set, else the
 * minidump's message-buffer section.
 */
int		 md2elf_msgbuf(md2elf_t *, char **text, size_t *len);
/*
 * The same with flags.  MD2ELF_MSGBUF_DMESG: as dmesg(8) prints it: if the
 * ring has wrapped, without its partial first line (through its first
 * newline).  Nothing is dropped when the order is unknown (no control
 * block).
 */
#define	MD2ELF_MSGBUF_DMESG	0x0001
int		 md2elf_msgbuf_flags(md2elf_t *, int flags, char **text,
		    size_t *len);

/*
 * The kernel image: symbols (.symtab, else .dynsym), entry point, build id.
 * md2elf_set_kernel() refuses a kernel of another architecture, and one
 * whose build id or `version` string differs from the dump's (unless
 * MD2ELF_KERNEL_FORCE: then it is a warning).  On failure the kernel set
 * before, if any, stays.
 */
#define	MD2ELF_KERNEL_FORCE	0x0001	/* accept a kernel that does not match */
int		 md2elf_set_kernel(md2elf_t *, const char *path, int flags);
int		 md2elf_lookup(md2elf_t *, const char *name, uint64_t *value,
		    uint64_t *size);
/* Name of the symbol containing addr (NULL if none); *off is addr - sym. */
const char	*md2elf_symbolize(md2elf_t *, uint64_t addr, uint64_t *off);
/*
 * What the kernel and the dump's memory say about the crashed kernel.
 * Strings live as long as the kernel stays set on the handle.
 */
struct md2elf_kernel_info {
	const char	*path;		/* the kernel file */
	const char	*version;	/* `version` (memory, else file); "" */
	int		 osreldate;	/* __FreeBSD_version; 0 if unknown */
	const char	*panicstr;	/* *panicstr; NULL if not panicked */
	const uint8_t	*buildid;	/* GNU build id; NULL if none */
	size_t		 buildidlen;
	uint64_t	 entry;		/* e_entry */
	size_t		 nsyms;		/* symbols loaded */
};
int		 md2elf_get_kernel_info(md2elf_t *, struct md2elf_kernel_info *);

/* Kernel threads (needs a kernel). */
struct md2elf_thread {
	int32_t		 tid;
	int32_t		 pid;
	char		 comm[20];	/* p_comm */
	char		 name[20];	/* td_name */
	int32_t		 oncpu;		/* -1 if not running */
	int		 crashed;	/* the dumping thread (dumptid) */
	const char	*regsource;	/* "dumppcb", "stoppcbs", "td_pcb" */
	uint64_t	 td;		/* struct thread * */
	uint64_t	 pcb;		/* where the registers came from */
	uint64_t	 pc, sp, fp;
	/*
	 * Trap-frame threads (md2elf_threads_flags() with
	 * MD2ELF_THREADS_TRAPS): the interrupted kernel context of the
	 * trap-th kernel-mode trap frame on the stack of the thread whose
	 * id is owner (1: the innermost).  tid is trap * 1000000000 +
	 * owner, which no kernel thread id reaches (they stay below
	 * 100000 + kern.maxthread); name is the trap and the interrupted
	 * function ("trap 12 vm_fault"), signo the signal FreeBSD maps
	 * the trap to (0 if none).  0 for ordinary threads.
	 */
	int		 trap;
	int32_t		 owner;
	int		 signo;
};
typedef int	 md2elf_thread_fn(void *arg, const struct md2elf_thread *);
/*
 * Calls fn for each thread, crashed thread first; fn returns 0 to go on.
 * Returns 0, -1 with an error (no kernel, offsets missing), or the non-zero
 * value fn returned.  Corrupt lists end a walk with a warning.
 */
int		 md2elf_threads(md2elf_t *, md2elf_thread_fn *, void *arg);
/*
 * The same with flags.  MD2ELF_THREADS_TRAPS: after each thread, a thread
 * for each kernel-mode trap frame on its stack, innermost first (at most
 * MD2ELF_MAXTRAPTHREADS per thread), as the core's notes have them.
 */
#define	MD2ELF_THREADS_TRAPS	0x0001
#define	MD2ELF_MAXTRAPTHREADS	2
int		 md2elf_threads_flags(md2elf_t *, int flags, md2elf_thread_fn *,
		    void *arg);

/*
 * Backtraces, by frame-pointer chains (every architecture keeps a frame
 * record {saved frame pointer, return address} that the frame pointer
 * points to), through trap frames: a return address inside a kernel entry
 * stub (amd64 calltrap, nmi_calltrap, fast_syscall_common, the X* vectors,
 * fork_trampoline; i386 calltrap, Xint0x80_syscall, X* vectors; arm64
 * handle_el1h_*, handle_el0_*; ...) marks a struct trapframe, whose
 * interrupted context the walk goes on with when it was in kernel mode.
 */
struct md2elf_trapinfo {
	uint64_t	 tf;		/* struct trapframe address */
	const char	*stub;		/* the entry stub's symbol */
	const char	*what;		/* "page fault", "syscall", ... */
	char		 label[12];	/* short: "trap 12", "intr", "dabort" */
	int		 user;		/* interrupted user mode: walk ends */
	uint32_t	 trapno;	/* x86 tf_trapno; arm64 ESR */
	int		 has_addr;	/* addr is a fault address */
	uint64_t	 addr;		/* amd64 tf_addr, arm64 tf_far */
	int		 syscall;	/* user syscall number, else -1 */
	int		 signo;		/* FreeBSD's signal for it, 0: none */
	uint64_t	 pc, sp, fp;	/* the interrupted context */
};
struct md2elf_frame {
	uint64_t	 pc;		/* frame 0: the saved pc; then return
					   addresses; after a trap frame the
					   interrupted pc */
	uint64_t	 fp;		/* the frame's frame pointer */
	int		 trap;		/* pc lies in an entry stub: tf holds
					   its trap frame */
	struct md2elf_trapinfo tf;
};
/* Why a walk ended. */
#define	MD2ELF_BT_END		0	/* the chain ends (null link) */
#define	MD2ELF_BT_USER		1	/* at a user-mode trap frame */
#define	MD2ELF_BT_KTHREAD	2	/* a kernel thread's first frame */
#define	MD2ELF_BT_BAD		3	/* a corrupt or unreadable link */
#define	MD2ELF_BT_MAX		4	/* max frames reached */
#define	MD2ELF_MAXFRAMES	256	/* walk cap: deeper is corruption */
/*
 * Walks thread t's stack from its saved registers (t as md2elf_threads()
 * gave it) into frames (at most max, capped at MD2ELF_MAXFRAMES).  Returns
 * the number of frames (at least 1 if t has registers) and *why, or -1
 * with an error (no kernel).  A corrupt link ends the walk (MD2ELF_BT_BAD,
 * with a warning through the warning callback), never fails it.
 */
int		 md2elf_backtrace(md2elf_t *, const struct md2elf_thread *t,
		    struct md2elf_frame *frames, size_t max, int *why);

/*
 * Loaded kernel modules (klds; needs a kernel): the kernel's linker_files
 * list, walked with the offsets FreeBSD exports for debuggers (kld_off_*),
 * the kernel itself first, and where each module's file is on this host.
 * A file is looked for, in this order, as FILENAME, FILENAME.debug and
 * FILENAME.symbols in each md2elf_module_dir() directory (in the order
 * given) and the kernel file's directory; with md2elf_set_sysroot(), also
 * the recorded path under it, each directory of the kernel's linker_path
 * under it, and both under its /usr/lib/debug.  The paths of the crashed
 * system are never looked at on this host without a sysroot.
 */
int		 md2elf_module_dir(md2elf_t *, const char *dir);
int		 md2elf_set_sysroot(md2elf_t *, const char *dir);

/* A section of a module's file and where it is in kernel memory. */
struct md2elf_module_section {
	const char	*name;
	uint64_t	 addr;
	uint64_t	 size;
};
struct md2elf_module {
	int		 id;		/* linker file id; -1 unknown */
	int		 is_kernel;	/* linker_kernel_file */
	uint64_t	 lf;		/* struct linker_file * */
	uint64_t	 address;	/* load address */
	uint64_t	 size;		/* bytes loaded; 0 unknown */
	const char	*filename;	/* NULL: unreadable or absurd */
	const char	*pathname;	/* NULL: unreadable or absurd */
	const char	*file;		/* the file used on this host; NULL */
	const char	*status;	/* what went wrong, one line; NULL */
	int		 forcible;	/* a file was refused: build id differs
					   (MD2ELF_MODULES_FORCE uses it) */
	int		 buildid;	/* 1 matches the image, 0 not checked
					   (ET_REL images keep no notes), -1
					   differs (used: forced) */
	unsigned	 etype;		/* ET_REL, ET_DYN; 0: no file */
	uint64_t	 bias;		/* ET_DYN: address - first page */
	uint64_t	 dynamic;	/* ET_DYN: its .dynamic in memory; 0 */
	/*
	 * With a file: its allocated sections at their addresses in kernel
	 * memory (ET_REL: laid out as the kernel linker, link_elf_obj.c,
	 * does: in header order, each aligned, from address; ET_DYN: at
	 * bias + sh_addr).
	 */
	size_t		 nsections;
	const struct md2elf_module_section *sections;
};
#define	MD2ELF_MODULES_FORCE	0x0001	/* use files whose build id differs */
/*
 * The list in linker_files order (the kernel's own entry included),
 * valid until the next call or md2elf_close().  -1 with an error if the
 * kernel lacks the symbols (linker_files, kld_off_*); a corrupt list ends
 * the walk with a warning; a module without a file has a status.
 */
int		 md2elf_modules(md2elf_t *, int flags,
		    const struct md2elf_module **list, size_t *n);
/*
 * After md2elf_modules(): the function or object of a module's file
 * (its .symtab, else .dynsym, at the module's addresses as above) that
 * holds addr; *off the offset into it and *mod the module (either may be
 * NULL).  NULL if addr is in no module with a file, or in no symbol.
 * The name is valid until the next md2elf_modules() or md2elf_close().
 */
const char	*md2elf_module_symbolize(md2elf_t *, uint64_t addr,
		    uint64_t *off, const struct md2elf_module **mod);

/*
 * The kerneldumpheader that brackets a dump on a dump device (512 bytes,
 * big-endian, header versions 1 to 4), decoded for programs that read dump
 * devices themselves (savecore).  md2elf_kdh_decode() fails (-1, message in
 * errbuf if not NULL) if raw has none of the three magics ("FreeBSD Kernel
 * Dump", "FreeBSD Text Dump", "Cleared Kernel Dump") or an unknown version.
 * Fields absent from older versions read as 0 (dumpextent as dumplength).
 */
#define	MD2ELF_KDH_SIZE		512
struct md2elf_kdh {
	char		 magic[21];
	char		 arch[13];
	uint32_t	 version;
	uint32_t	 archver;
	uint64_t	 dumplength;	/* data bytes (compressed size) */
	int64_t		 dumptime;
	uint32_t	 keysize;	/* encryption key block, 0: none */
	uint32_t	 blocksize;
	char		 hostname[65];
	char		 versionstring[193];
	char		 panicstring[193];
	int		 compression;	/* 0 none, 1 gzip, 2 zstd, else unknown */
	uint64_t	 dumpextent;	/* space reserved for the data */
	uint32_t	 parity;	/* the parity word, big-endian decoded */
	int		 parity_ok;	/* the 128 words XOR to 0 */
};
int		 md2elf_kdh_decode(const void *raw, struct md2elf_kdh *,
		    char *errbuf);

/*
 * Streaming decompression of a dump's gzip (every member of a multi-member
 * file) or zstd (every frame) data, for programs that read the compressed
 * bytes themselves (savecore -u).  The caller feeds the compressed bytes in
 * pieces of any size with md2elf_decomp_write(); each piece of output goes,
 * in order, to its sink, which returns 0 to go on, or a positive value to
 * stop (md2elf_decomp_write() then returns that value).  Errors return -1
 * with a one-line message (md2elf_decomp_geterr()) that gives the offset in
 * the caller's file: inoff is the offset of the first byte fed.  After the
 * last byte, md2elf_decomp_finish() fails if the data ended inside the
 * stream.  Bytes after the end of a gzip stream that do not start another
 * member are not decompressed: md2elf_decomp_stats() counts them (ignored,
 * at ignored_off).
 */
#define	MD2ELF_COMP_NONE	0	/* the values of md2elf_kdh.compression */
#define	MD2ELF_COMP_GZIP	1
#define	MD2ELF_COMP_ZSTD	2
typedef struct md2elf_decomp md2elf_decomp_t;
typedef int	 md2elf_sink_fn(void *arg, const void *buf, size_t len);
struct md2elf_decomp_stats {
	uint64_t	 in;		/* compressed bytes fed */
	uint64_t	 out;		/* bytes handed to the sink */
	uint64_t	 members;	/* gzip members, zstd frames ended */
	uint64_t	 ignored;	/* bytes after the end, not decompressed */
	uint64_t	 ignored_off;	/* file offset of the first of them */
};
md2elf_decomp_t	*md2elf_decomp_open(int comp, uint64_t inoff,
		    md2elf_sink_fn *sink, void *arg, char *errbuf);
int		 md2elf_decomp_write(md2elf_decomp_t *, const void *buf,
		    size_t len);
int		 md2elf_decomp_finish(md2elf_decomp_t *);
const char	*md2elf_decomp_geterr(const md2elf_decomp_t *);
void		 md2elf_decomp_stats(const md2elf_decomp_t *,
		    struct md2elf_decomp_stats *);
void		 md2elf_decomp_close(md2elf_decomp_t *);

/*
 * Text from a dump (hostname, version and panic strings, the message
 * buffer) made safe to print: every byte that is not printable ASCII, and
 * the backslash, as a C-style (\n \r \t \\) or octal (\ooo) escape, as
 * vis(3) with VIS_CSTYLE | VIS_OCTAL; with MD2ELF_VIS_LINES, newlines and
 * tabs stay.  MD2ELF_VIS_DMESG: vis(3)'s default style instead, as
 * dmesg(8) prints the message buffer (newlines, tabs and spaces stay; \^[,
 * \M-a, \134).  Writes at most dstsize bytes with the NUL (4 * len + 1 is
 * always enough) and returns the length of the whole result.
 */
#define	MD2ELF_VIS_LINES	0x0001
#define	MD2ELF_VIS_DMESG	0x0002
size_t		 md2elf_vis(char *dst, size_t dstsize, const char *src,
		    size_t len, int flags);

/*
 * Textdumps (textdump(4), ddb's "textdump dump"): a tar archive of ddb's
 * text output, no memory, so no ELF core (md2elf_open() refuses one).
 * md2elf_textdump_open() reads a saved textdump.tar.N or a dump device
 * (image) whose trailing header has the textdump magic; NULL with a
 * message in errbuf if path is not one (*istextdump 0) or is a damaged one
 * (*istextdump 1).  md2elf_textdump_read() gives a member's contents,
 * malloc'ed and NUL-terminated (the caller frees them); -1 with
 * md2elf_textdump_geterr() if it cannot.
 */
typedef struct md2elf_textdump md2elf_textdump_t;
struct md2elf_tdfile {
	const char	*name;		/* ddb.txt, msgbuf.txt, panic.txt... */
	uint64_t	 size;
};
md2elf_textdump_t *md2elf_textdump_open(const char *path, int *istextdump,
		    char *errbuf);
/* "textdump.tar" (saved) or "device"; the archive's length. */
const char	*md2elf_textdump_container(const md2elf_textdump_t *);
uint64_t	 md2elf_textdump_length(const md2elf_textdump_t *);
size_t		 md2elf_textdump_files(const md2elf_textdump_t *,
		    const struct md2elf_tdfile **files);
int		 md2elf_textdump_read(md2elf_textdump_t *, const char *name,
		    char **text, size_t *len);
const char	*md2elf_textdump_geterr(const md2elf_textdump_t *);
void		 md2elf_textdump_close(md2elf_textdump_t *);

/* Writing an ELF core. */
enum md2elf_flavor {
	MD2ELF_FLAVOR_FREEBSD = 0,	/* ELFOSABI_FREEBSD, "FreeBSD" notes */
	MD2ELF_FLAVOR_LINUX = 1		/* ELFOSABI_NONE, "CORE" notes */
};
typedef void	 md2elf_progress_fn(void *arg, uint64_t done, uint64_t total);
struct md2elf_write_opts {
	enum md2elf_flavor	 flavor;
	int			 no_dmap;	/* do not map the direct map */
	int			 sparse;	/* every zero page a hole */
	md2elf_progress_fn	*progress;
	void			*progress_arg;
};
struct md2elf_write_stats {
	uint64_t	 pages;		/* physical pages written */
	uint64_t	 zero_pages;	/* of which holes */
	uint64_t	 segments;	/* PT_LOAD program headers */
	uint64_t	 threads;	/* NT_PRSTATUS notes */
	uint64_t	 file_size;
	/*
	 * After md2elf_modules(): the ET_DYN modules the core's r_debug
	 * hint lists (LLDB's and GDB's loaders then load them by
	 * themselves), or why there is no hint although modules were
	 * found (a static string; NULL if none was needed).
	 */
	uint64_t	 module_hint;
	const char	*module_hint_skipped;
};
/*
 * Write the core to fd (a new, empty, seekable file).  If md2elf_modules()
 * was called and found ET_DYN modules' files, the core also gets the
 * r_debug/link_map hint for them (an extra PT_LOAD, and the kernel's
 * DT_DEBUG word in its copy of the kernel image pointing at it).
 */
int		 md2elf_write_core(md2elf_t *, int fd,
		    const struct md2elf_write_opts *, struct md2elf_write_stats *);
/*
 * The size md2elf_write_core() would give the core with these options:
 * headers, notes and every dumped page (holes, and zero pages left as
 * holes, make the space taken less, never more).  Fails as
 * md2elf_write_core() would before writing (too many segments or aliases,
 * too large for ELFCLASS32).
 */
int		 md2elf_core_size(md2elf_t *, const struct md2elf_write_opts *,
		    uint64_t *size);

#ifdef __cplusplus
}
#endif

#endif /* !MD2ELF_H */
