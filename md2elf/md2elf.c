/*
 * md2elf.c: the md2elf(1) program: converts a FreeBSD kernel crash dump to
 * an ELF core (default), or inspects it: -i summary, -t threads like
 * kgdb's "info threads", -d the message buffer.  Everything is done by
 * libmd2elf through its public interface; this file owns the command line,
 * the output file (temporary name, rename on success, removal on failure or
 * signal), the progress bar and the messages.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "md2elf.h"
#include "report.h"

#define	EXIT_USAGE	2
#define	MIB		(1024.0 * 1024.0)

static const char *progname = "md2elf";

/* The temporary output, removed by the signal handler. */
static char tmppath[PATH_MAX + 16];
static volatile sig_atomic_t tmpactive;

struct progress {
	bool		 on;
	int		 lastpct;
	double		 start, last;
	bool		 drawn;
};
static struct progress *curprogress;	/* cleared before a warning */

static void	progress_end(struct progress *);

static void
usage(void)
{
	fprintf(stderr,
	    "usage: md2elf [-fFqv] [-k kernel] [--flavor freebsd|linux] "
	    "[--no-dmap]\n"
	    "              [-o output] vmcore\n"
	    "       md2elf -i [-Fv] [-k kernel] vmcore\n"
	    "       md2elf -t [-Fv] -k kernel vmcore\n"
	    "       md2elf -d [-Fv] [-k kernel] vmcore\n"
	    "       md2elf -r [-fFjv] -k kernel [-o output] vmcore\n");
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
on_signal(int sig)
{
	if (tmpactive)
		unlink(tmppath);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* A signal ignored by the caller (nohup, a background job) stays so. */
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	/* Past a file size limit, let write() fail with EFBIG instead. */
	signal(SIGXFSZ, SIG_IGN);
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
	int i, n;

	if (md2elf_get_info(d, &info) != 0)
		return;
	fprintf(stderr, "%s: %s: container %s, compression %s\n", progname,
	    vmcore, info.container, info.compression);
	if (info.has_header)
		fprintf(stderr, "%s: %s: kerneldumpheader: host %s, %.*s\n",
		    progname, vmcore, info.hostname,
		    (int)strcspn(info.versionstring, "\n"),
		    info.versionstring);
	fprintf(stderr, "%s: %s: %s %s version %d%s, page size %u, %ju pages "
	    "(%.1f MiB)\n", progname, vmcore, info.arch, info.format,
	    info.format_version, info.pae ? " (PAE)" : "", info.pagesize,
	    (uintmax_t)info.pages, info.pages * (double)info.pagesize / MIB);
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

	d = md2elf_openx(vmcore, force ? MD2ELF_OPEN_FORCE : 0, errbuf,
	    &forcible);
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

/* The first line of s (what a one-line field can show). */
static void
print_line(const char *label, const char *s)
{
	printf("%-16s%.*s\n", label, (int)strcspn(s, "\n"), s);
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

static int
do_info(md2elf_t *d, bool haskernel)
{
	struct md2elf_info info;
	struct md2elf_kernel_info ki;
	int64_t secs;

	if (md2elf_get_info(d, &info) != 0)
		fail("%s", md2elf_geterr(d));
	printf("%-16s%s\n", "architecture:", info.arch);
	printf("%-16s%s version %d%s\n", "format:", info.format,
	    info.format_version, info.pae ? " (PAE)" : "");
	printf("%-16s%s, compression %s\n", "container:", info.container,
	    info.compression);
	printf("%-16s%u bytes\n", "page size:", info.pagesize);
	printf("%-16s%ju (%.1f MiB)\n", "dumped pages:", (uintmax_t)info.pages,
	    info.pages * (double)info.pagesize / MIB);
	printf("%-16s%ju bytes\n", "message buffer:",
	    (uintmax_t)info.msgbufsize);
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
		print_line("hostname:", info.hostname);
		print_line("version:", info.versionstring);
		print_line("panic string:", info.panicstring);
	} else
		printf("%-16s%s\n", "hostname:", "unknown (no dump header)");
	if (!haskernel)
		return (0);
	if (md2elf_get_kernel_info(d, &ki) != 0)
		fail("%s", md2elf_geterr(d));
	print_line("kernel:", ki.path);
	print_line("kernel version:", ki.version);
	if (ki.osreldate != 0)
		printf("%-16s%d\n", "osreldate:", ki.osreldate);
	print_line("panicstr:", ki.panicstr != NULL ? ki.panicstr :
	    "(none: not a panic)");
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
	const char *sym;
	uint64_t off;

	if ((sym = md2elf_symbolize(d, addr, &off)) == NULL)
		return;
	if (off != 0)
		printf(" in %s+%#jx", sym, (uintmax_t)off);
	else
		printf(" in %s", sym);
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
	char name[64], state[24], comm[21], tdname[21];

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
	printf("%c %-5d %-7d %-6d %-28s %-8s %#0*jx", t->crashed ? '*' : ' ',
	    l->n, t->tid, t->pid, name, state, l->pcwidth, (uintmax_t)t->pc);
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

	memset(&l, 0, sizeof(l));
	l.d = d;
	l.bt = bt;
	/* A PC as wide as the dump's addresses: 8 hex digits on ELFCLASS32. */
	l.pcwidth = md2elf_get_info(d, &info) == 0 && info.elfclass == 1 ?
	    10 : 18;
	if (md2elf_threads(d, thread_cb, &l) != 0) {
		fflush(stdout);
		fail("%s", md2elf_geterr(d));
	}
	thread_header(&l);
	return (0);
}

static int
do_msgbuf(md2elf_t *d)
{
	char *text;
	size_t len;

	if (md2elf_msgbuf_flags(d, MD2ELF_MSGBUF_DMESG, &text, &len) != 0)
		fail("%s", md2elf_geterr(d));
	if (fwrite(text, 1, len, stdout) != len || (len > 0 &&
	    text[len - 1] != '\n' && putchar('\n') == EOF) ||
	    fflush(stdout) != 0)
		fail("writing the message buffer: %s", strerror(errno));
	free(text);
	return (0);
}

/* Make the temporary file in output's directory. */
static int
make_temp(const char *output)
{
	sigset_t set, oset;
	const char *slash;
	int error, fd, n;

	slash = strrchr(output, '/');
	if (slash == NULL)
		n = snprintf(tmppath, sizeof(tmppath), ".%s.XXXXXX", output);
	else
		n = snprintf(tmppath, sizeof(tmppath), "%.*s/.%s.XXXXXX",
		    (int)(slash - output), output, slash + 1);
	if (n < 0 || (size_t)n >= sizeof(tmppath))
		fail("%s: path too long", output);
	catch_signals();
	/* No signal between creating the file and recording it. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &oset);
	fd = mkstemp(tmppath);
	error = errno;
	if (fd >= 0)
		tmpactive = 1;
	sigprocmask(SIG_SETMASK, &oset, NULL);
	if (fd < 0)
		fail("%s: cannot create a temporary file in its directory: %s",
		    output, strerror(error));
	return (fd);
}

static void
remove_temp(void)
{
	if (tmpactive) {
		tmpactive = 0;
		unlink(tmppath);
	}
}

static int
do_convert(md2elf_t *d, const char *vmcore, const char *output,
    const char *kernel, enum md2elf_flavor flavor, bool nodmap, bool force,
    bool quiet)
{
	struct md2elf_write_opts o;
	struct md2elf_write_stats st;
	struct md2elf_info info;
	struct progress p;
	struct stat sin, sout;
	char q1[PATH_MAX * 4 + 64], g[PATH_MAX * 2 + 32];
	const char *kpath;
	double t0, secs, mib;
	unsigned pagesize;
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
	}
	pagesize = md2elf_get_info(d, &info) == 0 ? info.pagesize : 0;
	fd = make_temp(output);

	memset(&p, 0, sizeof(p));
	p.on = !quiet && isatty(STDERR_FILENO);
	p.lastpct = -1;
	p.start = p.last = now();
	memset(&o, 0, sizeof(o));
	o.flavor = flavor;
	o.no_dmap = nodmap;
	o.progress = progress_cb;
	o.progress_arg = &p;
	curprogress = &p;
	t0 = now();
	if (md2elf_write_core(d, fd, &o, &st) != 0) {
		progress_end(&p);
		remove_temp();
		if (md2elf_errforcible(d))
			fail_forcible(md2elf_geterr(d), 1);
		fail("%s (output %s)", md2elf_geterr(d), output);
	}
	progress_end(&p);
	curprogress = NULL;
	if (close(fd) != 0) {
		remove_temp();
		fail("%s: writing the core: %s", output, strerror(errno));
	}
	if (rename(tmppath, output) != 0) {
		remove_temp();
		fail("%s: cannot rename %s to it: %s", output, tmppath,
		    strerror(errno));
	}
	tmpactive = 0;
	secs = now() - t0;
	if (quiet)
		return (0);

	mib = st.pages * (double)pagesize / MIB;
	printf("%s: wrote %s (%s flavour)\n", progname, output,
	    flavor == MD2ELF_FLAVOR_LINUX ? "Linux" : "FreeBSD");
	printf("  %ju pages, %ju of them zero (holes), %ju segments, "
	    "%ju thread%s\n", (uintmax_t)st.pages, (uintmax_t)st.zero_pages,
	    (uintmax_t)st.segments, (uintmax_t)st.threads,
	    st.threads == 1 ? "" : "s");
	printf("  %.1f MiB of memory in %.2f s (%.0f MiB/s), core file %.1f "
	    "MiB (apparent size)\n", mib, secs, secs > 0 ? mib / secs : 0,
	    st.file_size / MIB);
	kpath = kernel != NULL ? kernel : "KERNEL";
	printf("Open it with:\n");
	if (flavor == MD2ELF_FLAVOR_LINUX) {
		gdbcmd("file", kpath, g, sizeof(g));
		printf("  gdb-multiarch -ex 'set osabi GNU/Linux' -ex %s",
		    shquote(g, true, q1, sizeof(q1)));
		gdbcmd("core-file", output, g, sizeof(g));
		printf(" -ex %s\n", shquote(g, true, q1, sizeof(q1)));
	} else {
		printf("  lldb-19 %s", shquote(kpath, false, q1, sizeof(q1)));
		printf(" -c %s\n", shquote(output, false, q1, sizeof(q1)));
		printf("  gdb %s", shquote(kpath, false, q1, sizeof(q1)));
		printf(" %s    (a GDB with FreeBSD support; for a distribution "
		    "GDB convert with --flavor linux)\n", shquote(output, false,
		    q1, sizeof(q1)));
	}
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
		if (report_write(d, stdout, js, &why) != 0 ||
		    fflush(stdout) != 0)
			fail("report: %s", why != NULL ? why :
			    md2elf_geterr(d));
		return (0);
	}
	if (lstat(output, &st) == 0 && (!overwrite || !S_ISREG(st.st_mode)))
		fail("%s: exists%s", output, S_ISREG(st.st_mode) ?
		    " (use -f to overwrite)" : " and is not a regular file");
	if ((size_t)snprintf(tmppath, sizeof(tmppath), "%s.XXXXXX", output) >=
	    sizeof(tmppath))
		fail("%s: name too long", output);
	if ((fd = mkstemp(tmppath)) < 0)
		fail("%s: %s", tmppath, strerror(errno));
	tmpactive = 1;
	if ((f = fdopen(fd, "w")) == NULL)
		fail("%s: %s", tmppath, strerror(errno));
	rc = report_write(d, f, js, &why);
	if (fclose(f) != 0 && rc == 0) {
		rc = -1;
		why = strerror(errno);
	}
	if (rc != 0) {
		unlink(tmppath);
		tmpactive = 0;
		fail("%s: report: %s", output, why != NULL ? why :
		    md2elf_geterr(d));
	}
	if (chmod(tmppath, 0644) != 0 || rename(tmppath, output) != 0) {
		unlink(tmppath);
		tmpactive = 0;
		fail("%s: %s", output, strerror(errno));
	}
	tmpactive = 0;
	return (0);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "flavor", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-dmap", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	enum md2elf_flavor flavor;
	const char *kernel, *output, *vmcore;
	char *defout;
	bool force, nodmap, overwrite, quiet, verbose, js;
	int ch, mode, rc;
	md2elf_t *d;

	flavor = MD2ELF_FLAVOR_FREEBSD;
	kernel = output = NULL;
	force = nodmap = overwrite = quiet = verbose = js = false;
	mode = 0;
	while ((ch = getopt_long(argc, argv, "dfFhijk:o:qrtv", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'D':
			nodmap = true;
			break;
		case 'd':
		case 'i':
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
		case 'L':
			if (strcmp(optarg, "freebsd") == 0)
				flavor = MD2ELF_FLAVOR_FREEBSD;
			else if (strcmp(optarg, "linux") == 0)
				flavor = MD2ELF_FLAVOR_LINUX;
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
	if ((mode == 't' || mode == 'r') && kernel == NULL) {
		fprintf(stderr, "%s: -%c needs the kernel (-k kernel)\n",
		    progname, mode);
		usage();
	}
	if (js && mode != 'r')
		usage();

	d = open_dump(vmcore, kernel, force, verbose);
	switch (mode) {
	case 'i':
		rc = do_info(d, kernel != NULL);
		break;
	case 't':
		rc = do_threads(d, verbose);
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
		rc = do_convert(d, vmcore, output, kernel, flavor, nodmap,
		    overwrite, quiet);
		free(defout);
		break;
	}
	md2elf_close(d);
	return (rc);
}
