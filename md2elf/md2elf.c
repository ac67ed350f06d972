/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * md2elf.c: the md2elf(1) program: converts a FreeBSD kernel crash dump to
 * an ELF core (default), or inspects it: -i summary, -t threads like
 * kgdb's "info threads", -l loaded modules like "kldstat -v", -d the
 * message buffer.  Everything is done by libmd2elf through its public
 * interface; this file owns the command line, the output files (the core
 * and its module command files CORE.lldb and CORE.gdb: temporary name,
 * rename on success, removal on failure or signal), the progress bar and
 * the messages.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "md2elf.h"
#include "report.h"
#include "tmpfiles.h"

#define	EXIT_USAGE	2
/* An escaped header string or in-memory panicstr (md2elf_vis: 4x + NUL). */
#define	VISBUF		(4 * 1024 + 1)
#define	MIB		(1024.0 * 1024.0)

static const char *progname = "md2elf";

/* The temporary file's name in the output's directory (mkstemp). */
#define	TMPNAME		".md2elf.XXXXXX"

/* The temporary output (tmpfiles.h: removed on a signal). */
static char tmppath[TMPF_PATHMAX];
static int tmpslot = -1;

struct progress {
	bool		 on;
	int		 lastpct;
	double		 start, last;
	bool		 drawn;
};
static struct progress *curprogress;	/* cleared before a warning */
/* --key, --dumpkey: an encrypted dump's RSA private key and key.N. */
static struct md2elf_keys keys;

static void	progress_end(struct progress *);
static int	make_temp(const char *);
static void	remove_temp(void);
static const char *vis_line(const char *, char *, size_t);

static void
usage(void)
{
	fprintf(stderr,
	    "usage: md2elf [-fFqv] [-k kernel] [-M moddir]... [--sysroot dir]\n"
	    "              [--flavor freebsd|linux] [--no-dmap] [--sparse]\n"
	    "              [--key privkey.pem [--dumpkey key.N]] [-o output] "
	    "vmcore\n"
	    "       md2elf -i [-Fv] [-k kernel] [--key privkey.pem "
	    "[--dumpkey key.N]] vmcore\n"
	    "       md2elf -t [-Fv] -k kernel [--key privkey.pem "
	    "[--dumpkey key.N]] vmcore\n"
	    "       md2elf -l [-Fv] -k kernel [-M moddir]... [--sysroot dir] "
	    "vmcore\n"
	    "       md2elf -d [-Fv] [-k kernel] [--key privkey.pem "
	    "[--dumpkey key.N]] vmcore\n"
	    "       md2elf -r [-fFjv] -k kernel [-M moddir]... [--sysroot dir]\n"
	    "              [--key privkey.pem [--dumpkey key.N]] [-o output] "
	    "vmcore\n");
	exit(EXIT_USAGE);
}

static void
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_FAILURE);
}

/* A library error; one -F gets past ends with how to force it. */
static void
fail_forcible(const char *msg, int forcible)
{
	fail("%s%s", msg, forcible ? " (use -F to force)" : "");
}

static void
warn_cb(void *arg, const char *msg)
{
	if (curprogress != NULL)
		progress_end(curprogress);
	fprintf(stderr, "%s: warning: %s\n", progname, msg);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + ts.tv_nsec / 1e9);
}

static void
progress_cb(void *arg, uint64_t done, uint64_t total)
{
	struct progress *p;
	double t, rate;
	int pct, i, width;

	p = arg;
	if (!p->on || total == 0)
		return;
	t = now();
	/* Only for conversions that take a while. */
	if (!p->drawn && t - p->start < 0.5)
		return;
	pct = (int)(done * 100 / total);
	if (pct == p->lastpct && t - p->last < 0.5 && done != total)
		return;
	p->lastpct = pct;
	p->last = t;
	rate = t > p->start ? done / MIB / (t - p->start) : 0;
	width = 30;
	fprintf(stderr, "\r%s: [", progname);
	for (i = 0; i < width; i++)
		fputc(i < pct * width / 100 ? '#' : '.', stderr);
	fprintf(stderr, "] %3d%%  %.0f/%.0f MiB  %.0f MiB/s ", pct,
	    done / MIB, total / MIB, rate);
	p->drawn = true;
}

static void
progress_end(struct progress *p)
{
	if (p->drawn)
		fprintf(stderr, "\r%*s\r", 79, "");
	p->drawn = false;
}

#define	SAFECHARS	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" \
			"0123456789/._-+,:=@%"

/* Quote s for a POSIX shell: in '...' if always or if it needs it. */
static const char *
shquote(const char *s, bool always, char *buf, size_t len)
{
	size_t i, o;

	if (!always && s[0] != '\0' && strspn(s, SAFECHARS) == strlen(s))
		return (s);
	o = 0;
	buf[o++] = '\'';
	for (i = 0; s[i] != '\0' && o + 6 < len; i++) {
		if (s[i] == '\'') {
			memcpy(buf + o, "'\\''", 4);
			o += 4;
		} else
			buf[o++] = s[i];
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return (buf);
}

/*
 * A GDB command "cmd path".  "file" splits its argument into words (in
 * "..." then), "core-file" takes the rest of the line as it is.
 */
static void
gdbcmd(const char *cmd, const char *path, char *buf, size_t len)
{
	size_t i, o;
	int n;

	if (strcmp(cmd, "file") != 0 || (path[0] != '\0' &&
	    strspn(path, SAFECHARS) == strlen(path))) {
		snprintf(buf, len, "%s %s", cmd, path);
		return;
	}
	n = snprintf(buf, len, "%s \"", cmd);
	o = n > 0 ? (size_t)n : 0;
	for (i = 0; path[i] != '\0' && o + 4 < len; i++) {
		if (path[i] == '"' || path[i] == '\\')
			buf[o++] = '\\';
		buf[o++] = path[i];
	}
	buf[o++] = '"';
	buf[o] = '\0';
}

/* -v: what was found while reading the dump, on stderr. */
static void
verbose_dump(md2elf_t *d, const char *vmcore)
{
	struct md2elf_info info;
	struct md2elf_section sec[MD2ELF_MAXSECTIONS];
	char vb[VISBUF];
	int i, n;

	if (md2elf_get_info(d, &info) != 0)
		return;
	fprintf(stderr, "%s: %s: container %s, compression %s\n", progname,
	    vmcore, info.container, info.compression);
	if (info.has_header) {
		fprintf(stderr, "%s: %s: kerneldumpheader: host %s, ",
		    progname, vmcore, vis_line(info.hostname, vb, sizeof(vb)));
		md2elf_vis(vb, sizeof(vb), info.versionstring,
		    strcspn(info.versionstring, "\n"), 0);
		fprintf(stderr, "%s\n", vb);
	}
	/* A full dump (an ELF file) has no format version. */
	if (strcmp(info.format, "full") == 0)
		fprintf(stderr, "%s: %s: %s full dump (debug.minidump=0)",
		    progname, vmcore, info.arch);
	else
		fprintf(stderr, "%s: %s: %s %s version %d", progname, vmcore,
		    info.arch, info.format, info.format_version);
	fprintf(stderr, "%s, page size %u, %ju pages (%.1f MiB)\n",
	    info.pae ? " (PAE)" : "", info.pagesize, (uintmax_t)info.pages,
	    info.pages * (double)info.pagesize / MIB);
	n = md2elf_get_sections(d, sec, MD2ELF_MAXSECTIONS);
	for (i = 0; i < n && i < MD2ELF_MAXSECTIONS; i++)
		fprintf(stderr, "%s: %s: section %s at offset %#jx, %ju bytes "
		    "(%ju used)\n", progname, vmcore, sec[i].name,
		    (uintmax_t)sec[i].offset, (uintmax_t)sec[i].size,
		    (uintmax_t)sec[i].used);
}

/* -v: the kernel that was accepted. */
static void
verbose_kernel(md2elf_t *d, const char *vmcore)
{
	struct md2elf_kernel_info ki;
	size_t i;

	if (md2elf_get_kernel_info(d, &ki) != 0)
		return;
	fprintf(stderr, "%s: %s: kernel %s: %zu symbols, osreldate %d, "
	    "build id ", progname, vmcore, ki.path, ki.nsyms, ki.osreldate);
	for (i = 0; ki.buildid != NULL && i < ki.buildidlen; i++)
		fprintf(stderr, "%02x", ki.buildid[i]);
	fprintf(stderr, "%s\n", ki.buildid != NULL ? "" : "none");
}

static md2elf_t *
open_dump(const char *vmcore, const char *kernel, bool force, bool verbose)
{
	char errbuf[MD2ELF_ERRBUF_SIZE];
	md2elf_t *d;
	int forcible;

	d = md2elf_open_keys(vmcore, force ? MD2ELF_OPEN_FORCE : 0, &keys,
	    errbuf, &forcible);
	if (d == NULL && keys.privkey == NULL &&
	    strstr(errbuf, "needs the dump device's RSA private key") != NULL)
		fail("%s (--key FILE)", errbuf);
	if (d == NULL)
		fail_forcible(errbuf, forcible);
	md2elf_set_warn(d, warn_cb, NULL);
	if (verbose)
		verbose_dump(d, vmcore);
	if (kernel != NULL && md2elf_set_kernel(d, kernel,
	    force ? MD2ELF_KERNEL_FORCE : 0) != 0)
		fail_forcible(md2elf_geterr(d), md2elf_errforcible(d));
	if (verbose && kernel != NULL)
		verbose_kernel(d, vmcore);
	return (d);
}

static void
print_hex(const char *label, const uint8_t *p, size_t n)
{
	size_t i;

	printf("%-16s", label);
	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
}

/*
 * s as one line, escaped (md2elf_vis: the dump's bytes reach terminals and
 * files only as printable ASCII).  The result lives until the next call
 * with the same buf.
 */
static const char *
vis_line(const char *s, char *buf, size_t len)
{
	md2elf_vis(buf, len, s, strlen(s), 0);
	return (buf);
}

/*
 * A string from the dump, escaped: all of it (a host name, a panic
 * string: a newline there is no line break), or its first line (a version
 * string, whose second line names the build directory).
 */
static void
print_line(const char *label, const char *s, bool first)
{
	char buf[VISBUF];
	size_t n;

	n = first ? strcspn(s, "\n") : strlen(s);
	md2elf_vis(buf, sizeof(buf), s, n, 0);
	printf("%-16s%s\n", label, buf);
}

/* "label  YYYY-MM-DD HH:MM:SS UTC<suffix>" */
static void
print_time(const char *label, int64_t secs, const char *suffix)
{
	char tbuf[64];
	time_t t;
	struct tm tm;

	t = (time_t)secs;
	if (gmtime_r(&t, &tm) != NULL &&
	    strftime(tbuf, sizeof(tbuf), "%Y-%m-%d %H:%M:%S UTC", &tm) > 0)
		printf("%-16s%s%s\n", label, tbuf, suffix);
	else
		printf("%-16s%jd (seconds since 1970)%s\n", label,
		    (intmax_t)secs, suffix);
}

/*
 * The kernel's clock when it stopped: time_second (a time_t: 8 bytes on
 * LP64, 4 on i386) in the dump's memory.  -1 if unknown.
 */
static int
read_time_second(md2elf_t *d, unsigned elfclass, int64_t *secs)
{
	uint8_t b[8];
	uint64_t va, size, v;
	size_t n, i;

	if (md2elf_lookup(d, "time_second", &va, &size) != 0)
		return (-1);
	/* Its symbol's size, else time_t's: 4 on ELFCLASS32 (1), else 8. */
	n = size == 4 || size == 8 ? (size_t)size : elfclass == 1 ? 4 : 8;
	if (md2elf_kread(d, va, b, n) != (ssize_t)n)
		return (-1);
	v = 0;
	for (i = n; i > 0; i--)
		v = v << 8 | b[i - 1];
	*secs = n == 4 ? (int64_t)(int32_t)v : (int64_t)v;
	return (*secs > 0 ? 0 : -1);
}

/*
 * A full dump has no message-buffer section: its buffer is in memory,
 * found through the kernel's msgbufp.
 */
static void
full_msgbuf_line(md2elf_t *d, bool haskernel)
{
	char *text;
	size_t len;

	if (!haskernel)
		printf("%-16s%s\n", "message buffer:", "in memory (msgbufp: "
		    "needs the kernel, -k)");
	else if (md2elf_msgbuf(d, &text, &len) != 0)
		printf("%-16sin memory, unreadable: %s\n", "message buffer:",
		    md2elf_geterr(d));
	else {
		printf("%-16s%zu bytes (in memory, msgbufp)\n",
		    "message buffer:", len);
		free(text);
	}
}

static int
do_info(md2elf_t *d, bool haskernel)
{
	struct md2elf_info info;
	struct md2elf_kernel_info ki;
	int64_t secs;

	if (md2elf_get_info(d, &info) != 0)
		fail("%s", md2elf_geterr(d));
	printf("%-16s%s\n", "architecture:", info.arch);
	/* A full dump has no format version; PAE is known with -k. */
	if (strcmp(info.format, "full") == 0)
		printf("%-16s%s%s\n", "format:", "full dump (debug.minidump=0)",
		    info.pae ? " (PAE)" : "");
	else
		printf("%-16s%s version %d%s\n", "format:", info.format,
		    info.format_version, info.pae ? " (PAE)" : "");
	printf("%-16s%s, compression %s\n", "container:", info.container,
	    info.compression);
	if (strcmp(info.encryption, "none") != 0)
		printf("%-16s%s (dumpon -k), decrypted with the RSA private "
		    "key\n", "encryption:", info.encryption);
	printf("%-16s%u bytes\n", "page size:", info.pagesize);
	printf("%-16s%ju (%.1f MiB)\n", "dumped pages:", (uintmax_t)info.pages,
	    info.pages * (double)info.pagesize / MIB);
	if (strcmp(info.format, "full") != 0)
		printf("%-16s%ju bytes\n", "message buffer:",
		    (uintmax_t)info.msgbufsize);
	else
		full_msgbuf_line(d, haskernel);
	printf("%-16s%#jx\n", "kernbase:", (uintmax_t)info.kernbase);
	if (info.dmapend != 0)
		printf("%-16s%#jx-%#jx (physical %#jx)\n", "direct map:",
		    (uintmax_t)info.dmapbase, (uintmax_t)info.dmapend,
		    (uintmax_t)info.dmapphys);
	/*
	 * A saved vmcore has no kerneldumpheader: the time is then the
	 * kernel's clock in memory.  The host name is in prison0, whose
	 * layout changes between releases and is not exported: only the
	 * header has it.
	 */
	if (info.has_header)
		print_time("dump time:", info.dumptime, "");
	else if (haskernel && read_time_second(d, info.elfclass, &secs) == 0)
		print_time("dump time:", secs, " (time_second)");
	else
		printf("%-16s%s\n", "dump time:", haskernel ?
		    "unknown (no dump header, no time_second in the dump)" :
		    "unknown (no dump header; -k reads time_second)");
	if (info.has_header) {
		print_line("hostname:", info.hostname, false);
		print_line("version:", info.versionstring, true);
		print_line("panic string:", info.panicstring, false);
	} else
		printf("%-16s%s\n", "hostname:", "unknown (no dump header)");
	if (!haskernel)
		return (0);
	if (md2elf_get_kernel_info(d, &ki) != 0)
		fail("%s", md2elf_geterr(d));
	print_line("kernel:", ki.path, false);
	print_line("kernel version:", ki.version, true);
	if (ki.osreldate != 0)
		printf("%-16s%d\n", "osreldate:", ki.osreldate);
	print_line("panicstr:", ki.panicstr != NULL ? ki.panicstr :
	    "(none: not a panic)", false);
	if (ki.buildid != NULL)
		print_hex("build id:", ki.buildid, ki.buildidlen);
	printf("%-16s%#jx\n", "entry point:", (uintmax_t)ki.entry);
	return (0);
}

struct tlist {
	md2elf_t	*d;
	int		 n;
	int		 pcwidth;	/* "%#0*jx": 10 on 32-bit dumps, 18 */
	bool		 header;	/* the table's header is printed */
	bool		 bt;		/* -t -v: every thread's backtrace */
	struct md2elf_frame fr[MD2ELF_MAXFRAMES];
};

/* " in func+0xoff" for addr, or nothing. */
static void
print_sym(md2elf_t *d, uint64_t addr)
{
	const struct md2elf_module *m;
	const char *sym;
	uint64_t off;

	m = NULL;
	if ((sym = md2elf_module_symbolize(d, addr, &off, &m)) == NULL &&
	    (sym = md2elf_symbolize(d, addr, &off)) == NULL)
		return;
	if (off != 0)
		printf(" in %s+%#jx", sym, (uintmax_t)off);
	else
		printf(" in %s", sym);
	if (m != NULL)
		printf(" (%s)", m->filename != NULL ? m->filename : "?");
}

/* A trap frame, kgdb-style, and the thread the core gives it. */
static void
print_trap(struct tlist *l, const struct md2elf_thread *t,
    const struct md2elf_trapinfo *ti, int *ntrap)
{
	printf("        --- ");
	if (ti->syscall >= 0 && ti->user)
		printf("syscall %d", ti->syscall);
	else if (strncmp(ti->label, "trap ", 5) == 0)
		printf("%s (%s)", ti->label, ti->what);
	else
		printf("%s (%s)", ti->what, ti->stub);
	if (ti->has_addr)
		printf(", fault address %#jx", (uintmax_t)ti->addr);
	printf(", %spc %#0*jx", ti->user ? "user " : "", l->pcwidth,
	    (uintmax_t)ti->pc);
	if (!ti->user)
		print_sym(l->d, ti->pc);
	printf(", sp %#jx, fp %#jx", (uintmax_t)ti->sp, (uintmax_t)ti->fp);
	if (!ti->user && ti->pc != 0 && ++*ntrap <= MD2ELF_MAXTRAPTHREADS &&
	    t->tid >= 0)
		printf(" (thread %jd)", (intmax_t)*ntrap * 1000000000 + t->tid);
	printf(" ---\n");
}

/* The trap frames of t's stack (-t), or its whole backtrace (-t -v). */
static void
thread_stack(struct tlist *l, const struct md2elf_thread *t)
{
	const struct md2elf_frame *f;
	int i, n, why, ntrap;

	if (t->pc == 0)
		return;
	n = md2elf_backtrace(l->d, t, l->fr, MD2ELF_MAXFRAMES, &why);
	ntrap = 0;
	for (i = 0; i < n; i++) {
		f = &l->fr[i];
		if (l->bt) {
			printf("        #%-3d %#0*jx", i, l->pcwidth,
			    (uintmax_t)f->pc);
			print_sym(l->d, f->pc);
			printf("\n");
		}
		if (f->trap && (l->bt || f->tf.pc != 0))
			print_trap(l, t, &f->tf, &ntrap);
	}
}

/* Printed with the first thread: nothing on stdout if the walk fails. */
static void
thread_header(struct tlist *l)
{
	if (l->header)
		return;
	l->header = true;
	printf("  %-5s %-7s %-6s %-28s %-8s %-18s\n", "Id", "TID", "PID",
	    "Name", "State", "PC");
}

static int
thread_cb(void *arg, const struct md2elf_thread *t)
{
	struct tlist *l;
	char name[64], vname[4 * sizeof(name) + 1], state[24], comm[21];
	char tdname[21];

	l = arg;
	thread_header(l);
	l->n++;
	memcpy(comm, t->comm, sizeof(t->comm));
	comm[20] = '\0';
	memcpy(tdname, t->name, sizeof(t->name));
	tdname[20] = '\0';
	if (tdname[0] != '\0' && strcmp(comm, tdname) != 0)
		snprintf(name, sizeof(name), "%s/%s", comm, tdname);
	else
		snprintf(name, sizeof(name), "%s", comm);
	if (t->crashed)
		snprintf(state, sizeof(state), "crashed");
	else if (t->oncpu >= 0)
		snprintf(state, sizeof(state), "CPU %d", t->oncpu);
	else
		state[0] = '\0';
	/* p_comm and td_name are the dump's bytes: escaped. */
	md2elf_vis(vname, sizeof(vname), name, strlen(name), 0);
	printf("%c %-5d %-7d %-6d %-28s %-8s %#0*jx", t->crashed ? '*' : ' ',
	    l->n, t->tid, t->pid, vname, state, l->pcwidth, (uintmax_t)t->pc);
	print_sym(l->d, t->pc);
	printf("\n");
	thread_stack(l, t);
	return (0);
}

static int
do_threads(md2elf_t *d, bool bt)
{
	struct md2elf_info info;
	static struct tlist l;
	const struct md2elf_module *mods;
	size_t nmods;

	memset(&l, 0, sizeof(l));
	l.d = d;
	l.bt = bt;
	/* A PC as wide as the dump's addresses: 8 hex digits on ELFCLASS32. */
	l.pcwidth = md2elf_get_info(d, &info) == 0 && info.elfclass == 1 ?
	    10 : 18;
	/* Module frames are named from the modules' files, where found. */
	(void)md2elf_modules(d, 0, &mods, &nmods);
	if (md2elf_threads(d, thread_cb, &l) != 0) {
		fflush(stdout);
		fail("%s", md2elf_geterr(d));
	}
	thread_header(&l);
	return (0);
}

/*
 * Prints a message buffer's text escaped as dmesg(8) does (vis(3)'s
 * default style), ending in a newline.
 */
static void
print_dmesg(const char *text, size_t len)
{
	char *vis;
	size_t vlen;

	vis = len <= (SIZE_MAX - 1) / 4 ? malloc(4 * len + 1) : NULL;
	if (vis == NULL)
		fail("out of memory");
	vlen = md2elf_vis(vis, 4 * len + 1, text, len, MD2ELF_VIS_DMESG);
	if (fwrite(vis, 1, vlen, stdout) != vlen || (vlen > 0 &&
	    vis[vlen - 1] != '\n' && putchar('\n') == EOF) ||
	    fflush(stdout) != 0)
		fail("writing the message buffer: %s", strerror(errno));
	free(vis);
}

/* -d: the message buffer. */
static int
do_msgbuf(md2elf_t *d)
{
	char *text;
	size_t len;

	if (md2elf_msgbuf_flags(d, MD2ELF_MSGBUF_DMESG, &text, &len) != 0)
		fail("%s", md2elf_geterr(d));
	print_dmesg(text, len);
	free(text);
	return (0);
}

/*
 * A textdump (md2elf_textdump_open): -i lists its files, -d prints its
 * msgbuf.txt as -d prints a dump's message buffer; it holds no memory, so
 * nothing else can be done with it.
 */
static int
do_textdump(md2elf_textdump_t *td, int mode, const char *vmcore)
{
	const struct md2elf_tdfile *f;
	char name[4 * 100 + 1], *text;
	size_t n, i, len, k;

	switch (mode) {
	case 'i':
		printf("%-16s%s\n", "format:", "textdump (ddb text output, "
		    "textdump(4)): no memory, no ELF core");
		printf("%-16s%s, %ju bytes of tar\n", "container:",
		    md2elf_textdump_container(td),
		    (uintmax_t)md2elf_textdump_length(td));
		n = md2elf_textdump_files(td, &f);
		for (i = 0; i < n; i++) {
			md2elf_vis(name, sizeof(name), f[i].name,
			    strlen(f[i].name), 0);
			printf("%-16s%s, %ju bytes\n", "file:", name,
			    (uintmax_t)f[i].size);
		}
		break;
	case 'd':
		if (md2elf_textdump_read(td, "msgbuf.txt", &text, &len) != 0)
			fail("%s", md2elf_textdump_geterr(td));
		/* NULs dropped, escaped, as for a dump. */
		for (i = k = 0; i < len; i++)
			if (text[i] != '\0')
				text[k++] = text[i];
		print_dmesg(text, k);
		free(text);
		break;
	default:
		fail("%s: a textdump (ddb text output, textdump(4)), not a "
		    "memory dump: no ELF core can be made from it (-i lists "
		    "its files, -d prints its msgbuf.txt)", vmcore);
	}
	md2elf_textdump_close(td);
	return (0);
}

/*
 * A module's name for messages: its file name (read from the dump's
 * memory: escaped), else its address.
 */
static const char *
mod_name(const struct md2elf_module *m, char *buf, size_t len)
{
	if (m->filename != NULL)
		md2elf_vis(buf, len, m->filename, strlen(m->filename), 0);
	else
		snprintf(buf, len, "at %#jx", (uintmax_t)m->lf);
	return (buf);
}

/* What -l and the conversion say about where a module's file is. */
static void
mod_where(const struct md2elf_module *m, char *buf, size_t len)
{
	if (m->file == NULL)
		snprintf(buf, len, "%s%s", m->status != NULL ? m->status :
		    "no file", m->forcible ? " (use -F to use it anyway)" : "");
	else if (m->status != NULL)
		snprintf(buf, len, "%s (%s)", m->file, m->status);
	else
		snprintf(buf, len, "%s%s", m->file, m->buildid > 0 ?
		    " (build id matches)" : "");
}

/* The modules (0), or -1 with *why set (a one-line reason). */
static int
get_modules(md2elf_t *d, bool force, const struct md2elf_module **mods,
    size_t *n, const char **why)
{
	*why = "";
	if (md2elf_modules(d, force ? MD2ELF_MODULES_FORCE : 0, mods,
	    n) != 0) {
		*why = md2elf_geterr(d);
		return (-1);
	}
	return (0);
}

static int
do_modules(md2elf_t *d, bool force)
{
	const struct md2elf_module *mods, *m;
	struct md2elf_info info;
	char where[PATH_MAX + 600], nb[VISBUF], path[VISBUF + 4];
	const char *why;
	size_t i, n, n2;
	int w;

	w = md2elf_get_info(d, &info) == 0 && info.elfclass == 1 ? 10 : 18;
	if (get_modules(d, force, &mods, &n, &why) != 0)
		fail("%s", why);
	printf("%3s %-*s %10s %s\n", "Id", w, "Address", "Size",
	    "Name (path): file on this host");
	for (i = 0; i < n; i++) {
		m = &mods[i];
		mod_where(m, where, sizeof(where));
		if (m->pathname != NULL) {
			path[0] = ' ';
			path[1] = '(';
			n2 = md2elf_vis(path + 2, sizeof(path) - 3, m->pathname,
			    strlen(m->pathname), 0);
			n2 = n2 + 2 < sizeof(path) - 2 ? n2 + 2 :
			    sizeof(path) - 2;
			path[n2] = ')';
			path[n2 + 1] = '\0';
		} else
			path[0] = '\0';
		if (m->id > 0)
			printf("%3d", m->id);
		else
			printf("%3s", "?");
		printf(" 0x%0*jx ", w - 2, (uintmax_t)m->address);
		if (m->size != 0)
			printf("%10jx", (uintmax_t)m->size);
		else
			printf("%10s", "?");
		printf(" %s%s: %s\n", mod_name(m, nb, sizeof(nb)), path,
		    where);
	}
	return (0);
}

/*
 * A path as LLDB and GDB read it in a command file: in "..." with \ and "
 * escaped if it needs quoting.
 */
static const char *
cmdquote(const char *s, char *buf, size_t len)
{
	size_t i, o;

	if (s[0] != '\0' && strspn(s, SAFECHARS) == strlen(s))
		return (s);
	o = 0;
	buf[o++] = '"';
	for (i = 0; s[i] != '\0' && o + 4 < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			buf[o++] = '\\';
		buf[o++] = s[i];
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return (buf);
}

/* Can a section be named on a debugger's command line? */
static bool
cmd_section(const struct md2elf_module_section *sec)
{
	return (sec->name[0] == '.' && strspn(sec->name, SAFECHARS) ==
	    strlen(sec->name));
}

/* Is m in the core's r_debug list (when the core has one)? */
static bool
mod_hinted(const struct md2elf_module *m)
{
	return (!m->is_kernel && m->file != NULL && m->etype == 3 &&
	    m->nsections > 0 && m->dynamic != 0);
}

/*
 * The LLDB (lldb != 0) or GDB command file's text, to f.  With the core's
 * r_debug list (hint), the modules in it are only named: the debuggers
 * load those by themselves.
 */
static void
write_cmds(FILE *f, const struct md2elf_module *mods, size_t n, bool lldb,
    bool hint, const char *core)
{
	const struct md2elf_module *m;
	char abs[PATH_MAX], q[2 * PATH_MAX + 4], nb[VISBUF];
	const char *file, *qf;
	size_t i, j, k;

	fprintf(f, "# md2elf: the kernel modules of %s at their addresses "
	    "in kernel memory\n", core);
	if (!lldb)
		fprintf(f, "set confirm off\n");
	for (i = 0; i < n; i++) {
		m = &mods[i];
		if (m->is_kernel || m->file == NULL || m->nsections == 0)
			continue;
		file = realpath(m->file, abs) != NULL ? abs : m->file;
		qf = cmdquote(file, q, sizeof(q));
		/* (Escaped: a newline in it would start a command.) */
		fprintf(f, "# %s at %#jx\n", mod_name(m, nb, sizeof(nb)),
		    (uintmax_t)m->address);
		if (hint && mod_hinted(m)) {
			fprintf(f, "#   in the core's r_debug list: loaded by "
			    "the debugger itself\n");
			continue;
		}
		/* ET_DYN: one slide for the whole file. */
		if (lldb && m->etype == 3) {
			fprintf(f, "target modules add %s\n", qf);
			fprintf(f, "target modules load --file %s --slide %#jx\n",
			    qf, (uintmax_t)m->bias);
			continue;
		}
		if (m->etype == 3) {
			fprintf(f, "add-symbol-file %s -o %#jx\n", qf,
			    (uintmax_t)m->bias);
			continue;
		}
		/* ET_REL: each section where the kernel linker put it. */
		if (lldb) {
			fprintf(f, "target modules add %s\n", qf);
			fprintf(f, "target modules load --file %s", qf);
			for (j = 0; j < m->nsections; j++)
				if (cmd_section(&m->sections[j]))
					fprintf(f, " %s %#jx",
					    m->sections[j].name,
					    (uintmax_t)m->sections[j].addr);
			fprintf(f, "\n");
			continue;
		}
		/* GDB: .text's address first, then -s for the others. */
		fprintf(f, "add-symbol-file %s", qf);
		for (k = 0; k < m->nsections; k++)
			if (strcmp(m->sections[k].name, ".text") == 0)
				break;
		if (k < m->nsections)
			fprintf(f, " %#jx", (uintmax_t)m->sections[k].addr);
		for (j = 0; j < m->nsections; j++)
			if (j != k && cmd_section(&m->sections[j]))
				fprintf(f, " -s %s %#jx", m->sections[j].name,
				    (uintmax_t)m->sections[j].addr);
		fprintf(f, "\n");
	}
	if (!lldb)
		fprintf(f, "set confirm on\n");
}

/*
 * CORE.lldb or CORE.gdb: written to a temporary name in the core's
 * directory and renamed; an existing one that is not a regular file is
 * left alone (warning).  0 written, -1 not.
 */
static int
write_cmdfile(const char *path, const struct md2elf_module *mods, size_t n,
    bool lldb, bool hint, const char *core)
{
	struct stat st;
	FILE *f;
	int fd, rc;

	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		fprintf(stderr, "%s: warning: %s: exists and is not a regular "
		    "file: not written\n", progname, path);
		return (-1);
	}
	fd = make_temp(path);
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		remove_temp();
		fprintf(stderr, "%s: warning: %s: %s: not written\n", progname,
		    path, strerror(errno));
		return (-1);
	}
	write_cmds(f, mods, n, lldb, hint, core);
	rc = ferror(f) ? -1 : 0;
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0 && rename(tmppath, path) != 0)
		rc = -1;
	if (rc != 0) {
		fprintf(stderr, "%s: warning: %s: %s: not written\n", progname,
		    path, strerror(errno));
		remove_temp();
		return (-1);
	}
	tmpf_forget(&tmpslot);
	return (0);
}

/*
 * After a conversion with a kernel: one warning per module without a
 * file, the command files if there is a module.  *cmds is set if both
 * were written and place at least one module that the core's r_debug
 * list (hint) does not have (then the printed command lines use them).
 */
static void
convert_modules(const struct md2elf_module *mods, size_t n,
    const char *output, bool hint, bool *cmds, char *lpath, char *gpath,
    size_t len)
{
	const struct md2elf_module *m;
	char where[PATH_MAX + 600], nb[VISBUF];
	size_t i, found;

	*cmds = false;
	found = 0;
	for (i = 0; i < n; i++) {
		m = &mods[i];
		if (m->is_kernel)
			continue;
		if (m->file != NULL && m->nsections > 0 &&
		    !(hint && mod_hinted(m)))
			found++;
		if (m->file != NULL && m->status == NULL)
			continue;
		mod_where(m, where, sizeof(where));
		fprintf(stderr, "%s: warning: module %s: %s\n", progname,
		    mod_name(m, nb, sizeof(nb)), where);
	}
	if (n <= 1 && (n == 0 || mods[0].is_kernel))
		return;			/* no module: no command files */
	snprintf(lpath, len, "%s.lldb", output);
	snprintf(gpath, len, "%s.gdb", output);
	if (write_cmdfile(lpath, mods, n, true, hint, output) == 0 &&
	    write_cmdfile(gpath, mods, n, false, hint, output) == 0 &&
	    found > 0)
		*cmds = true;
}

/*
 * Make the temporary file in output's directory: a short name of its own
 * (TMPNAME), so that an output name of up to NAME_MAX bytes can be written.
 */
static int
make_temp(const char *output)
{
	const char *slash;
	int fd, n;

	slash = strrchr(output, '/');
	if (slash == NULL)
		n = snprintf(tmppath, sizeof(tmppath), "%s", TMPNAME);
	else
		n = snprintf(tmppath, sizeof(tmppath), "%.*s/%s",
		    (int)(slash - output), output, TMPNAME);
	if (n < 0 || (size_t)n >= sizeof(tmppath))
		fail("%s: path too long", output);
	tmpf_signals();
	if ((fd = tmpf_create(tmppath, &tmpslot)) < 0)
		fail("%s: cannot create a temporary file in its directory: %s",
		    output, strerror(errno));
	return (fd);
}

/*
 * Give the complete temporary file its final name.  With overwrite (-f) a
 * rename: an existing regular file is replaced at once (concurrent -f
 * runs: the last one's core stays, each complete).  Without, the name is
 * created exclusively (renameat2(RENAME_NOREPLACE), else link(2)), so of
 * concurrent runs to one output exactly one succeeds and the others fail
 * with "exists".  Only on a file system with neither is it a check then a
 * rename.  0, or -1 with errno set (the temporary file still there).
 */
static int
publish(const char *output, bool overwrite)
{
	struct stat st;

	/* A device, FIFO, link or directory put there meanwhile stays. */
	if (lstat(output, &st) == 0 && !S_ISREG(st.st_mode)) {
		errno = EEXIST;
		return (-1);
	}
	if (overwrite)
		return (rename(tmppath, output));
#ifdef RENAME_NOREPLACE
	if (renameat2(AT_FDCWD, tmppath, AT_FDCWD, output,
	    RENAME_NOREPLACE) == 0)
		return (0);
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return (-1);
#endif
	if (link(tmppath, output) == 0) {
		(void)unlink(tmppath);
		return (0);
	}
	if (errno != EPERM && errno != EOPNOTSUPP && errno != ENOSYS)
		return (-1);
	if (lstat(output, &st) == 0) {
		errno = EEXIST;
		return (-1);
	}
	return (rename(tmppath, output));
}

/* publish() failed: the one-line message, the temporary file removed. */
static void
publish_fail(const char *output, bool overwrite)
{
	struct stat st;
	int error;

	error = errno;
	remove_temp();
	if (error == EEXIST && lstat(output, &st) == 0 && !S_ISREG(st.st_mode))
		fail("%s: exists and is not a regular file", output);
	if (error == EEXIST && !overwrite)
		fail("%s: created by another program meanwhile (use -f "
		    "to overwrite it)", output);
	fail("%s: cannot rename %s to it: %s", output, tmppath,
	    strerror(error));
}

static void
remove_temp(void)
{
	tmpf_remove(&tmpslot);
}

/*
 * After md2elf_write_core() failed with the kernel: the dump opened again
 * without it if the kernel is to blame (without it the core can be
 * written, with it not even its size is known: no thread offsets, an ELF
 * file that is no FreeBSD kernel), for a memory-only core as savecore(8)
 * writes one; else NULL.  d's error is kept.
 */
static md2elf_t *
memory_only(md2elf_t *d, const char *vmcore, bool force,
    const struct md2elf_write_opts *o)
{
	char errbuf[MD2ELF_ERRBUF_SIZE], saved[MD2ELF_ERRBUF_SIZE];
	md2elf_t *dm;
	uint64_t size;
	int forcible;

	if (strcmp(vmcore, "-") == 0)
		return (NULL);		/* standard input is read once */
	snprintf(saved, sizeof(saved), "%s", md2elf_geterr(d));
	forcible = md2elf_errforcible(d);
	if (forcible || md2elf_core_size(d, o, &size) == 0)
		return (NULL);
	dm = md2elf_open_keys(vmcore, force ? MD2ELF_OPEN_FORCE : 0, &keys,
	    errbuf, &forcible);
	if (dm == NULL)
		return (NULL);
	md2elf_set_warn(dm, warn_cb, NULL);
	if (md2elf_core_size(dm, o, &size) != 0) {
		md2elf_close(dm);
		return (NULL);
	}
	/* d's message as md2elf_write_core() gave it. */
	if (strcmp(saved, md2elf_geterr(d)) != 0) {
		md2elf_close(dm);
		return (NULL);
	}
	return (dm);
}

static int
do_convert(md2elf_t *d, const char *vmcore, const char *output,
    const char *kernel, const struct md2elf_write_opts *wo, bool force,
    bool modforce, bool quiet)
{
	char lcmd[PATH_MAX + 8], gcmd[PATH_MAX + 8];
	const struct md2elf_module *mods;
	const char *modwhy;
	size_t nmods;
	bool cmds, modok;
	struct md2elf_write_opts o;
	struct md2elf_write_stats st;
	struct md2elf_info info;
	struct progress p;
	struct stat sin, sout;
	char q1[PATH_MAX * 4 + 64], g[PATH_MAX * 2 + 32];
	const char *kpath;
	double t0, secs, mib;
	unsigned pagesize;
	md2elf_t *dm;
	int fd;

	if (stat(vmcore, &sin) == 0 && stat(output, &sout) == 0 &&
	    sin.st_dev == sout.st_dev && sin.st_ino == sout.st_ino)
		fail("%s: the output is the input dump", output);
	/*
	 * The rename would replace a device, a FIFO, a symbolic link or a
	 * directory by a regular file: only a regular file is overwritten.
	 */
	if (lstat(output, &sout) == 0) {
		if (!S_ISREG(sout.st_mode))
			fail("%s: exists and is not a regular file", output);
		if (!force)
			fail("%s: exists (use -f to overwrite it)", output);
	} else if (errno != ENOENT)
		fail("%s: %s", output, strerror(errno));
	pagesize = md2elf_get_info(d, &info) == 0 ? info.pagesize : 0;
	/* The modules first: the core gets their r_debug hint. */
	modok = false;
	modwhy = NULL;
	if (kernel != NULL)
		modok = get_modules(d, modforce, &mods, &nmods, &modwhy) == 0;
	fd = make_temp(output);

	memset(&p, 0, sizeof(p));
	p.on = !quiet && isatty(STDERR_FILENO);
	p.lastpct = -1;
	p.start = p.last = now();
	o = *wo;
	o.progress = progress_cb;
	o.progress_arg = &p;
	curprogress = &p;
	t0 = now();
	dm = NULL;
	if (md2elf_write_core(d, fd, &o, &st) != 0) {
		progress_end(&p);
		if (kernel == NULL || (dm = memory_only(d, vmcore, modforce,
		    &o)) == NULL) {
			remove_temp();
			if (md2elf_errforcible(d))
				fail_forcible(md2elf_geterr(d), 1);
			fail("%s (output %s)", md2elf_geterr(d), output);
		}
		fprintf(stderr, "%s: warning: %s; writing %s without threads\n",
		    progname, md2elf_geterr(d), output);
		if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
			remove_temp();
			fail("%s: %s", output, strerror(errno));
		}
		p.start = p.last = now();
		if (md2elf_write_core(dm, fd, &o, &st) != 0) {
			progress_end(&p);
			remove_temp();
			fail("%s (output %s)", md2elf_geterr(dm), output);
		}
		md2elf_close(dm);
	}
	progress_end(&p);
	curprogress = NULL;
	if (close(fd) != 0) {
		remove_temp();
		fail("%s: writing the core: %s", output, strerror(errno));
	}
	if (publish(output, force) != 0)
		publish_fail(output, force);
	tmpf_forget(&tmpslot);
	secs = now() - t0;
	cmds = false;
	if (modok)
		convert_modules(mods, nmods, output, st.module_hint > 0, &cmds,
		    lcmd, gcmd, sizeof(lcmd));
	if (quiet)
		return (0);

	mib = st.pages * (double)pagesize / MIB;
	printf("%s: wrote %s (%s flavour)\n", progname, output,
	    o.flavor == MD2ELF_FLAVOR_LINUX ? "Linux" : "FreeBSD");
	printf("  %ju pages, %ju of them zero (holes), %ju segments, "
	    "%ju thread%s\n", (uintmax_t)st.pages, (uintmax_t)st.zero_pages,
	    (uintmax_t)st.segments, (uintmax_t)st.threads,
	    st.threads == 1 ? "" : "s");
	printf("  %.1f MiB of memory in %.2f s (%.0f MiB/s), core file %.1f "
	    "MiB (apparent size)\n", mib, secs, secs > 0 ? mib / secs : 0,
	    st.file_size / MIB);
	kpath = kernel != NULL ? kernel : "KERNEL";
	printf("Open it with:\n");
	if (o.flavor == MD2ELF_FLAVOR_LINUX) {
		gdbcmd("file", kpath, g, sizeof(g));
		printf("  gdb-multiarch -ex 'set osabi GNU/Linux' -ex %s",
		    shquote(g, true, q1, sizeof(q1)));
		gdbcmd("core-file", output, g, sizeof(g));
		printf(" -ex %s", shquote(g, true, q1, sizeof(q1)));
		if (cmds)
			printf(" -x %s", shquote(gcmd, false, q1, sizeof(q1)));
		printf("\n");
	} else {
		printf("  lldb-19 %s", shquote(kpath, false, q1, sizeof(q1)));
		printf(" -c %s", shquote(output, false, q1, sizeof(q1)));
		if (cmds)
			printf(" -s %s", shquote(lcmd, false, q1, sizeof(q1)));
		printf("\n  gdb %s", shquote(kpath, false, q1, sizeof(q1)));
		printf(" %s", shquote(output, false, q1, sizeof(q1)));
		if (cmds)
			printf(" -x %s", shquote(gcmd, false, q1, sizeof(q1)));
		printf("    (a GDB with FreeBSD support; for a distribution "
		    "GDB convert with --flavor linux)\n");
	}
	if (cmds)
		printf("  (%s and %s place the kernel modules)\n", lcmd, gcmd);
	if (kernel != NULL && !modok)
		printf("  no kernel modules listed: %s\n", modwhy);
	if (st.module_hint > 0)
		printf("  %ju module%s in the core's r_debug list: LLDB and GDB "
		    "load %s by themselves\n", (uintmax_t)st.module_hint,
		    st.module_hint == 1 ? "" : "s",
		    st.module_hint == 1 ? "it" : "them");
	else if (st.module_hint_skipped != NULL)
		printf("  no r_debug list in the core (%s): the command files "
		    "place the modules\n", st.module_hint_skipped);
	if (kernel == NULL)
		printf("  (KERNEL: the crashed system's kernel, e.g. "
		    "/boot/kernel/kernel)\n");
	return (0);
}

/*
 * -r: the crash report, to standard output or to output (a temporary
 * name in its directory, renamed when complete).
 */
static int
do_report(md2elf_t *d, const char *output, bool js, bool overwrite)
{
	struct stat st;
	const char *why;
	FILE *f;
	int fd, rc;

	if (output == NULL) {
		if (report_write(d, NULL, stdout, js, &why) != 0 ||
		    fflush(stdout) != 0)
			fail("report: %s", why != NULL ? why :
			    md2elf_geterr(d));
		return (0);
	}
	if (lstat(output, &st) == 0 && (!overwrite || !S_ISREG(st.st_mode)))
		fail("%s: exists%s", output, S_ISREG(st.st_mode) ?
		    " (use -f to overwrite)" : " and is not a regular file");
	fd = make_temp(output);
	if ((f = fdopen(fd, "w")) == NULL) {
		remove_temp();
		fail("%s: %s", tmppath, strerror(errno));
	}
	rc = report_write(d, NULL, f, js, &why);
	if (fclose(f) != 0 && rc == 0) {
		rc = -1;
		why = strerror(errno);
	}
	if (rc != 0) {
		remove_temp();
		fail("%s: report: %s", output, why != NULL ? why :
		    md2elf_geterr(d));
	}
	if (chmod(tmppath, 0644) != 0) {
		remove_temp();
		fail("%s: %s", output, strerror(errno));
	}
	if (publish(output, overwrite) != 0)
		publish_fail(output, overwrite);
	tmpf_forget(&tmpslot);
	return (0);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dumpkey", required_argument, NULL, 'K' },
		{ "flavor", required_argument, NULL, 'L' },
		{ "key", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-dmap", no_argument, NULL, 'D' },
		{ "sparse", no_argument, NULL, 'Z' },
		{ "sysroot", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	struct md2elf_write_opts wo;
	const char *kernel, *output, *vmcore, *sysroot;
	const char *moddirs[64];
	size_t nmoddirs, i;
	char *defout;
	bool force, overwrite, quiet, verbose, js;
	int ch, mode, rc;
	md2elf_t *d;

	memset(&wo, 0, sizeof(wo));
	wo.flavor = MD2ELF_FLAVOR_FREEBSD;
	kernel = output = sysroot = NULL;
	nmoddirs = 0;
	force = overwrite = quiet = verbose = js = false;
	mode = 0;
	while ((ch = getopt_long(argc, argv, "dfFhijk:lM:o:qrtv", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'D':
			wo.no_dmap = 1;
			break;
		case 'd':
		case 'i':
		case 'l':
		case 'r':
		case 't':
			if (mode != 0 && mode != ch)
				usage();
			mode = ch;
			break;
		case 'f':
			overwrite = true;
			break;
		case 'j':
			js = true;
			break;
		case 'F':
			force = true;
			break;
		case 'k':
			kernel = optarg;
			break;
		case 'K':
			keys.dumpkey = optarg;
			break;
		case 'P':
			keys.privkey = optarg;
			break;
		case 'M':
			if (nmoddirs == sizeof(moddirs) / sizeof(moddirs[0])) {
				fprintf(stderr, "%s: too many -M\n", progname);
				usage();
			}
			moddirs[nmoddirs++] = optarg;
			break;
		case 'S':
			sysroot = optarg;
			break;
		case 'L':
			if (strcmp(optarg, "freebsd") == 0)
				wo.flavor = MD2ELF_FLAVOR_FREEBSD;
			else if (strcmp(optarg, "linux") == 0)
				wo.flavor = MD2ELF_FLAVOR_LINUX;
			else {
				fprintf(stderr, "%s: unknown flavor \"%s\" "
				    "(freebsd or linux)\n", progname, optarg);
				usage();
			}
			break;
		case 'o':
			output = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'Z':
			wo.sparse = 1;
			break;
		case 'h':
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		usage();
	vmcore = argv[0];
	if ((nmoddirs > 0 || sysroot != NULL) && kernel == NULL) {
		fprintf(stderr, "%s: -M and --sysroot need the kernel (-k "
		    "kernel)\n", progname);
		usage();
	}
	if ((mode == 't' || mode == 'l' || mode == 'r') && kernel == NULL) {
		fprintf(stderr, "%s: -%c needs the kernel (-k kernel)\n",
		    progname, mode);
		usage();
	}
	/* "-" is standard input: no file name to put the core next to. */
	if (mode == 0 && output == NULL && strcmp(vmcore, "-") == 0) {
		fprintf(stderr, "%s: reading the dump from standard input (-) "
		    "needs -o output\n", progname);
		usage();
	}
	if (js && mode != 'r')
		usage();

	/* A textdump holds text, not memory (standard input: no). */
	if (strcmp(vmcore, "-") != 0) {
		char errbuf[MD2ELF_ERRBUF_SIZE];
		md2elf_textdump_t *td;
		int istd;

		if ((td = md2elf_textdump_open(vmcore, &istd, errbuf)) != NULL)
			return (do_textdump(td, mode, vmcore));
		if (istd)
			fail("%s", errbuf);
	}
	d = open_dump(vmcore, kernel, force, verbose);
	for (i = 0; i < nmoddirs; i++)
		if (md2elf_module_dir(d, moddirs[i]) != 0)
			fail("%s", md2elf_geterr(d));
	if (sysroot != NULL && md2elf_set_sysroot(d, sysroot) != 0)
		fail("%s", md2elf_geterr(d));
	switch (mode) {
	case 'i':
		rc = do_info(d, kernel != NULL);
		break;
	case 't':
		rc = do_threads(d, verbose);
		break;
	case 'l':
		rc = do_modules(d, force);
		break;
	case 'd':
		rc = do_msgbuf(d);
		break;
	case 'r':
		rc = do_report(d, output, js, overwrite);
		break;
	default:
		if (kernel == NULL && !quiet)
			fprintf(stderr, "%s: no kernel given (-k): converting "
			    "memory only, without threads\n", progname);
		defout = NULL;
		if (output == NULL) {
			if (asprintf(&defout, "%s.elf", vmcore) < 0)
				fail("out of memory");
			output = defout;
		}
		rc = do_convert(d, vmcore, output, kernel, &wo,
		    overwrite, force, quiet);
		free(defout);
		break;
	}
	md2elf_close(d);
	return (rc);
}
