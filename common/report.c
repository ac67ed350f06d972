/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * report.c: the crash report (what crashinfo(8) writes as core.txt.N), as
 * text or as one JSON object (schema 1, md2elf(1)), for md2elf -r and for
 * savecore -e's core.txt.N: both programs link it (libcommon.a).  Every
 * fact comes from libmd2elf's public calls (info, kernel info, threads,
 * backtraces, modules, message buffer); this file only gathers and formats
 * them, to the FILE the program gives.  Strings from the dump are escaped
 * in both formats: a report can be printed on a terminal or fed to jq
 * whatever the dump says.
 *
 * The crash fingerprint: FNV-1a (64 bits) of the normalised panic string
 * (every run of digits, hexadecimal numbers included, as "N") and the top
 * REPORT_FPFRAMES function names of the faulting context (the first
 * trap-frame context of the crashed thread if there is one, else its own
 * frames), joined by newlines.  The inputs are printed beside it.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "md2elf.h"
#include "report.h"

#define	REPORT_FPFRAMES	5	/* frames in the fingerprint */
#define	REPORT_SIGLEN	4096	/* a thread's stack signature, at most */

struct rthread {
	struct md2elf_thread	 t;
	char			*sig;	/* symbolized stack, one per line */
	size_t			 group;
};

struct report {
	md2elf_t	*d;
	FILE		*out;
	bool		 json;
	int		 pcw;		/* hex digits of an address + 2 */
	struct rthread	*th;
	size_t		 nth, cap;
	struct md2elf_frame fr[MD2ELF_MAXFRAMES];
	bool		 oom;
	const struct md2elf_module *mods;	/* loaded modules, or NULL */
	size_t		 nmods;
	const char	*moderr;	/* why there is no module list */
};

/* The module (not the kernel) whose image holds addr, or NULL. */
static const char *
modname(const struct report *r, uint64_t addr)
{
	const struct md2elf_module *m;
	size_t i;

	for (i = 0; i < r->nmods; i++) {
		m = &r->mods[i];
		if (!m->is_kernel && m->size != 0 && addr >= m->address &&
		    addr - m->address < m->size)
			return (m->filename != NULL ? m->filename : "?");
	}
	return (NULL);
}

/* -- escaping ---------------------------------------------------------- */

/* Text: printable ASCII as is, the rest as \xNN (newline kept if nl). */
static void
put_text(FILE *f, const char *s, size_t len, bool nl)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if ((c >= 0x20 && c < 0x7f && c != '\\') || (nl && c == '\n'))
			putc(c, f);
		else if (c == '\\')
			fputs("\\\\", f);
		else
			fprintf(f, "\\x%02x", c);
	}
}

static void
text(FILE *f, const char *s)
{
	put_text(f, s, strlen(s), false);
}

/* The first line of s, without its newline. */
static void
line(FILE *f, const char *s)
{
	put_text(f, s, strcspn(s, "\n"), false);
}

/* JSON string: quotes, backslashes and every byte outside printable ASCII
   escaped as \u00NN (the dump's bytes, whatever their encoding). */
static void
put_json(FILE *f, const char *s, size_t len)
{
	size_t i;
	unsigned char c;

	putc('"', f);
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c >= 0x20 && c < 0x7f)
			putc(c, f);
		else
			fprintf(f, "\\u%04x", c);
	}
	putc('"', f);
}

static void
json(FILE *f, const char *s)
{
	if (s == NULL)
		fputs("null", f);
	else
		put_json(f, s, strlen(s));
}

/* An address as a JSON string, always with 0x ("%#x" prints 0 as "0"). */
static void
jaddr(FILE *f, uint64_t a)
{
	fprintf(f, "\"0x%" PRIx64 "\"", a);
}

/* -- facts -------------------------------------------------------------- */

static void
thread_name(const struct md2elf_thread *t, char *buf, size_t len)
{
	char comm[21], name[21];

	memcpy(comm, t->comm, 20);
	comm[20] = '\0';
	memcpy(name, t->name, 20);
	name[20] = '\0';
	if (name[0] != '\0' && strcmp(comm, name) != 0)
		snprintf(buf, len, "%s/%s", comm, name);
	else
		snprintf(buf, len, "%s", comm);
}

static int
collect(void *arg, const struct md2elf_thread *t)
{
	struct report *r = arg;
	struct rthread *n;

	if (r->nth == r->cap) {
		r->cap = r->cap == 0 ? 256 : r->cap * 2;
		if ((n = realloc(r->th, r->cap * sizeof(*n))) == NULL) {
			r->oom = true;
			return (1);
		}
		r->th = n;
	}
	memset(&r->th[r->nth], 0, sizeof(r->th[0]));
	r->th[r->nth++].t = *t;
	return (0);
}

/* The function of addr ("?" if none), without the offset. */
static const char *
fname(md2elf_t *d, uint64_t addr)
{
	const char *s;

	s = md2elf_symbolize(d, addr, NULL);
	return (s != NULL ? s : "?");
}

/* Thread t's backtrace into r->fr: the frame count (0 without registers). */
static int
walk(struct report *r, const struct md2elf_thread *t)
{
	int why;

	return (t->pc != 0 ? md2elf_backtrace(r->d, t, r->fr,
	    MD2ELF_MAXFRAMES, &why) : 0);
}

/*
 * A thread's stack signature: its frames' functions, a line each; a
 * module's as "FUNC (MODULE)", FUNC from the module's file ("?" if none).
 */
static char *
signature(struct report *r, const struct md2elf_thread *t)
{
	const char *mn, *fn;
	char *s;
	size_t len;
	int i, n;

	if ((s = malloc(REPORT_SIGLEN)) == NULL)
		return (NULL);
	s[0] = '\0';
	len = 0;
	n = walk(r, t);
	for (i = 0; i < n && len + 2 < REPORT_SIGLEN; i++) {
		if ((mn = modname(r, r->fr[i].pc)) == NULL) {
			len += (size_t)snprintf(s + len, REPORT_SIGLEN - len,
			    "%s\n", fname(r->d, r->fr[i].pc));
			continue;
		}
		fn = md2elf_module_symbolize(r->d, r->fr[i].pc, NULL, NULL);
		len += (size_t)snprintf(s + len, REPORT_SIGLEN - len,
		    "%s (%s)\n", fn != NULL ? fn : "?", mn);
	}
	if (len >= REPORT_SIGLEN)
		s[REPORT_SIGLEN - 1] = '\0';
	return (s);
}

/* Normalised panic string: runs of digits (0x... included) become N. */
static void
normalise(const char *in, char *out, size_t len)
{
	size_t o;

	for (o = 0; *in != '\0' && o + 2 < len; ) {
		if (isdigit((unsigned char)*in)) {
			if (in[0] == '0' && (in[1] == 'x' || in[1] == 'X'))
				in += 2;
			while (isxdigit((unsigned char)*in))
				in++;
			out[o++] = 'N';
		} else if (*in == '\n')
			break;
		else
			out[o++] = *in++;
	}
	out[o] = '\0';
}

static uint64_t
fnv1a(const char *s, uint64_t h)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return (h);
}

/* -- sections ----------------------------------------------------------- */

/* The crashed thread's frames through its trap frames, kgdb-style. */
static void
text_backtrace(struct report *r, const struct md2elf_thread *t)
{
	const struct md2elf_frame *f;
	const struct md2elf_trapinfo *ti;
	const char *s, *fn;
	uint64_t off;
	int i, n;

	n = walk(r, t);
	for (i = 0; i < n; i++) {
		f = &r->fr[i];
		fprintf(r->out, "#%-3d %#0*" PRIx64, i, r->pcw, f->pc);
		if ((s = modname(r, f->pc)) != NULL) {
			if ((fn = md2elf_module_symbolize(r->d, f->pc, &off,
			    NULL)) != NULL) {
				putc(' ', r->out);
				text(r->out, fn);
				fprintf(r->out, "+%#" PRIx64, off);
			}
			fputs(" in module ", r->out);
			text(r->out, s);
		} else if ((s = md2elf_symbolize(r->d, f->pc, &off)) != NULL)
			fprintf(r->out, " %s+%#" PRIx64, s, off);
		fputc('\n', r->out);
		if (!f->trap || f->tf.pc == 0)
			continue;	/* a kernel thread's first frame */
		ti = &f->tf;
		if (ti->user && ti->syscall >= 0)
			fprintf(r->out, "--- syscall %d, user pc %#" PRIx64
			    ", sp %#" PRIx64 " ---\n", ti->syscall, ti->pc,
			    ti->sp);
		else {
			fprintf(r->out, "--- %s (%s)", ti->label, ti->what);
			if (ti->has_addr)
				fprintf(r->out, ", fault address %#" PRIx64,
				    ti->addr);
			fprintf(r->out, ", pc %#" PRIx64 ", sp %#" PRIx64
			    ", fp %#" PRIx64 " ---\n", ti->pc, ti->sp,
			    ti->fp);
		}
	}
	if (n == 0)
		fprintf(r->out, "(no registers)\n");
}

static void
json_backtrace(struct report *r, const struct md2elf_thread *t)
{
	const struct md2elf_frame *f;
	const struct md2elf_trapinfo *ti;
	const char *s;
	uint64_t off;
	int i, n;

	n = walk(r, t);
	fputc('[', r->out);
	for (i = 0; i < n; i++) {
		f = &r->fr[i];
		fprintf(r->out, "%s{\"pc\": ", i ? ", " : "");
		jaddr(r->out, f->pc);
		if ((s = md2elf_module_symbolize(r->d, f->pc, &off,
		    NULL)) == NULL && modname(r, f->pc) == NULL)
			s = md2elf_symbolize(r->d, f->pc, &off);
		fputs(", \"function\": ", r->out);
		json(r->out, s);
		fputs(", \"offset\": ", r->out);
		if (s != NULL)
			jaddr(r->out, off);
		else
			fputs("null", r->out);
		fputs(", \"module\": ", r->out);
		json(r->out, modname(r, f->pc));
		if (f->trap) {
			ti = &f->tf;
			fputs(", \"trap\": {\"what\": ", r->out);
			json(r->out, ti->what);
			fprintf(r->out, ", \"label\": ");
			json(r->out, ti->label);
			fprintf(r->out, ", \"user\": %s, \"trapno\": %u, "
			    "\"syscall\": %d, \"signal\": %d, \"fault_address\": ",
			    ti->user ? "true" : "false", ti->trapno,
			    ti->syscall, ti->signo);
			if (ti->has_addr)
				jaddr(r->out, ti->addr);
			else
				fputs("null", r->out);
			fputs(", \"frame\": ", r->out);
			jaddr(r->out, ti->tf);
			fputs(", \"pc\": ", r->out);
			jaddr(r->out, ti->pc);
			fputs(", \"sp\": ", r->out);
			jaddr(r->out, ti->sp);
			fputs(", \"fp\": ", r->out);
			jaddr(r->out, ti->fp);
			fputc('}', r->out);
		}
		fputc('}', r->out);
	}
	fputc(']', r->out);
}

static int
group_cmp(const void *a, const void *b)
{
	const struct rthread *x = *(const struct rthread *const *)a;
	const struct rthread *y = *(const struct rthread *const *)b;

	return (strcmp(x->sig, y->sig));
}

struct group {
	struct rthread	**m;	/* members */
	size_t		 n;
	int		 rank;	/* 0 crashed, 1 on a CPU, 2 other */
};

static int
groups_cmp(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->rank != y->rank)
		return (x->rank - y->rank);
	if (x->n != y->n)
		return (x->n > y->n ? -1 : 1);
	return (strcmp(x->m[0]->sig, y->m[0]->sig));
}

/* Threads grouped by identical stacks, most interesting first. */
static struct group *
make_groups(struct report *r, struct rthread **sorted, size_t *ngroups)
{
	struct group *g;
	size_t i, n;
	int rank;

	for (i = 0; i < r->nth; i++)
		sorted[i] = &r->th[i];
	qsort(sorted, r->nth, sizeof(*sorted), group_cmp);
	if ((g = calloc(r->nth + 1, sizeof(*g))) == NULL)
		return (NULL);
	n = 0;
	for (i = 0; i < r->nth; i++) {
		if (i == 0 || strcmp(sorted[i]->sig, sorted[i - 1]->sig) != 0) {
			g[n].m = &sorted[i];
			g[n].rank = 2;
			n++;
		}
		g[n - 1].n++;
		rank = sorted[i]->t.crashed ? 0 : sorted[i]->t.oncpu >= 0 ? 1 : 2;
		if (rank < g[n - 1].rank)
			g[n - 1].rank = rank;
	}
	qsort(g, n, sizeof(*g), groups_cmp);
	*ngroups = n;
	return (g);
}

/* The fingerprint's inputs: normalised panic, top faulting frames. */
static void
fingerprint(struct report *r, const struct rthread *crashed,
    const char *panic, char *norm, size_t normlen, char *frames,
    size_t frameslen, uint64_t *fp)
{
	int i, k, n, start;
	size_t len;

	normalise(panic != NULL ? panic : "", norm, normlen);
	frames[0] = '\0';
	len = 0;
	n = crashed != NULL ? walk(r, &crashed->t) : 0;
	/* The faulting context: after the first kernel-mode trap frame. */
	start = 0;
	for (i = 0; i + 1 < n; i++)
		if (r->fr[i].trap && !r->fr[i].tf.user) {
			start = i + 1;
			break;
		}
	for (i = start, k = 0; i < n && k < REPORT_FPFRAMES; i++, k++)
		len += (size_t)snprintf(frames + len, frameslen - len, "%s%s",
		    k ? " " : "", fname(r->d, r->fr[i].pc));
	*fp = fnv1a(frames, fnv1a("\n", fnv1a(norm, 0xcbf29ce484222325ULL)));
}

int
report_write(md2elf_t *d, const struct md2elf_kdh *hdr, FILE *out, bool js,
    const char **why)
{
	static struct report r;
	struct md2elf_info info;
	struct md2elf_kernel_info ki;
	struct rthread **sorted, *crashed;
	struct group *g;
	struct pidc { int32_t pid; char comm[21]; size_t n; } *pc;
	char name[48], norm[256], frames[512], when[64], *msg;
	const char *panic, *v, *version;
	size_t i, j, len, ng, npc, msglen;
	uint64_t fpv;
	time_t tt;
	struct tm tm;
	bool full;

	*why = NULL;
	memset(&r, 0, sizeof(r));
	r.d = d;
	r.out = out;
	r.json = js;
	if (md2elf_get_info(d, &info) != 0 ||
	    md2elf_get_kernel_info(d, &ki) != 0)
		return (-1);
	if (!info.has_header && hdr != NULL) {
		info.has_header = 1;
		info.dumptime = hdr->dumptime;
		info.hostname = hdr->hostname;
		info.versionstring = hdr->versionstring;
		info.panicstring = hdr->panicstring;
	}
	r.pcw = info.elfclass == 1 ? 10 : 18;
	full = strcmp(info.format, "full") == 0;
	if (md2elf_threads(d, collect, &r) < 0 && !r.oom) {
		free(r.th);
		return (-1);
	}
	if (r.oom) {
		free(r.th);
		*why = "out of memory";
		return (-1);
	}
	if (md2elf_modules(d, 0, &r.mods, &r.nmods) != 0) {
		r.mods = NULL;
		r.nmods = 0;
		r.moderr = md2elf_geterr(d);
	}
	crashed = NULL;
	for (i = 0; i < r.nth; i++) {
		if ((r.th[i].sig = signature(&r, &r.th[i].t)) == NULL)
			goto nomem;
		if (r.th[i].t.crashed && crashed == NULL)
			crashed = &r.th[i];
	}
	if ((sorted = calloc(r.nth + 1, sizeof(*sorted))) == NULL)
		goto nomem;
	if ((g = make_groups(&r, sorted, &ng)) == NULL) {
		free(sorted);
		goto nomem;
	}
	/* Processes in thread-list order. */
	if ((pc = calloc(r.nth + 1, sizeof(*pc))) == NULL) {
		free(g);
		free(sorted);
		goto nomem;
	}
	npc = 0;
	for (i = 0; i < r.nth; i++) {
		for (j = 0; j < npc && pc[j].pid != r.th[i].t.pid; j++)
			;
		if (j == npc) {
			pc[npc].pid = r.th[i].t.pid;
			memcpy(pc[npc].comm, r.th[i].t.comm, 20);
			npc++;
		}
		pc[j].n++;
	}
	version = ki.version != NULL && ki.version[0] != '\0' ? ki.version :
	    info.has_header ? info.versionstring : NULL;
	panic = ki.panicstr != NULL ? ki.panicstr :
	    info.has_header && info.panicstring[0] != '\0' ?
	    info.panicstring : NULL;
	fingerprint(&r, crashed, panic, norm, sizeof(norm), frames,
	    sizeof(frames), &fpv);
	when[0] = '\0';
	if (info.has_header) {
		tt = (time_t)info.dumptime;
		if (gmtime_r(&tt, &tm) != NULL)
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC",
			    &tm);
	}
	msg = NULL;
	msglen = 0;
	if (md2elf_msgbuf_flags(d, MD2ELF_MSGBUF_DMESG, &msg, &msglen) != 0)
		msg = NULL;

	if (js) {
		fputs("{\"schema\": 1, \"host\": ", out);
		json(out, info.has_header ? info.hostname : NULL);
		fputs(", \"version\": ", out);
		/* The kernel's version string ends with a newline: not kept. */
		if ((v = version) == NULL)
			fputs("null", out);
		else {
			for (len = strlen(v); len > 0 && v[len - 1] == '\n';
			    len--)
				;
			put_json(out, v, len);
		}
		fputs(", \"panic\": ", out);
		json(out, panic);
		fputs(", \"dump_time\": ", out);
		json(out, when[0] != '\0' ? when : NULL);
		fputs(", \"arch\": ", out);
		json(out, info.arch);
		fprintf(out, ", \"format\": ");
		json(out, info.format);
		/* A full dump (an ELF file) has no format version. */
		if (full)
			fputs(", \"format_version\": null", out);
		else
			fprintf(out, ", \"format_version\": %d",
			    info.format_version);
		fprintf(out, ", \"osreldate\": %d", ki.osreldate);
		fprintf(out, ", \"fingerprint\": {\"hash\": \"%016" PRIx64
		    "\", \"panic\": ", fpv);
		json(out, norm);
		fputs(", \"frames\": ", out);
		json(out, frames);
		fputs("}, \"crashed\": ", out);
		if (crashed != NULL) {
			thread_name(&crashed->t, name, sizeof(name));
			fprintf(out, "{\"tid\": %d, \"pid\": %d, \"name\": ",
			    crashed->t.tid, crashed->t.pid);
			json(out, name);
			fputs(", \"backtrace\": ", out);
			json_backtrace(&r, &crashed->t);
			fputc('}', out);
		} else
			fputs("null", out);
		fputs(", \"oncpu\": [", out);
		for (i = 0, j = 0; i < r.nth; i++) {
			if (r.th[i].t.crashed || r.th[i].t.oncpu < 0)
				continue;
			thread_name(&r.th[i].t, name, sizeof(name));
			fprintf(out, "%s{\"tid\": %d, \"pid\": %d, \"cpu\": %d, "
			    "\"name\": ", j++ ? ", " : "", r.th[i].t.tid,
			    r.th[i].t.pid, r.th[i].t.oncpu);
			json(out, name);
			fputs(", \"backtrace\": ", out);
			json_backtrace(&r, &r.th[i].t);
			fputc('}', out);
		}
		fputs("], \"groups\": [", out);
		for (i = 0; i < ng; i++) {
			fprintf(out, "%s{\"count\": %zu, \"stack\": [",
			    i ? ", " : "", g[i].n);
			{
				char *s = g[i].m[0]->sig, *e;

				for (j = 0; *s != '\0'; j++, s = e + 1) {
					e = strchr(s, '\n');
					fputs(j ? ", " : "", out);
					put_json(out, s, (size_t)(e - s));
				}
			}
			fputs("], \"tids\": [", out);
			for (j = 0; j < g[i].n; j++)
				fprintf(out, "%s%d", j ? ", " : "",
				    g[i].m[j]->t.tid);
			fputs("]}", out);
		}
		fputs("], \"processes\": [", out);
		for (i = 0; i < npc; i++) {
			fprintf(out, "%s{\"pid\": %d, \"command\": ",
			    i ? ", " : "", pc[i].pid);
			json(out, pc[i].comm);
			fprintf(out, ", \"threads\": %zu}", pc[i].n);
		}
		fputs("], \"modules\": ", out);
		if (r.mods == NULL)
			fputs("null", out);
		else {
			fputc('[', out);
			for (i = 0; i < r.nmods; i++) {
				fprintf(out, "%s{\"id\": %d, \"address\": ",
				    i ? ", " : "", r.mods[i].id);
				jaddr(out, r.mods[i].address);
				fputs(", \"size\": ", out);
				jaddr(out, r.mods[i].size);
				fputs(", \"name\": ", out);
				json(out, r.mods[i].filename);
				fputs(", \"path\": ", out);
				json(out, r.mods[i].pathname);
				fputs(", \"file\": ", out);
				json(out, r.mods[i].file);
				fputc('}', out);
			}
			fputc(']', out);
		}
		fputs(", \"msgbuf\": ", out);
		if (msg != NULL)
			put_json(out, msg, msglen);
		else
			fputs("null", out);
		fputs("}\n", out);
	} else {
		fputs("1. What crashed\n\n", out);
		fputs("host:        ", out);
		text(out, info.has_header ? info.hostname : "unknown");
		fputs("\nversion:     ", out);
		line(out, version != NULL ? version : "");
		fputs("\npanic:       ", out);
		line(out, panic != NULL ? panic : "(none)");
		fprintf(out, "\ndump time:   %s\n", when[0] != '\0' ? when :
		    "unknown (no dump header)");
		if (full)
			fprintf(out, "arch:        %s, full dump "
			    "(debug.minidump=0)\n", info.arch);
		else
			fprintf(out, "arch:        %s, %s version %d\n",
			    info.arch, info.format, info.format_version);
		fprintf(out, "fingerprint: %016" PRIx64 "\n", fpv);
		fputs("  panic:     ", out);
		text(out, norm);
		fputs("\n  frames:    ", out);
		text(out, frames);
		fputs("\n\n2. The crashed thread", out);
		if (crashed != NULL) {
			thread_name(&crashed->t, name, sizeof(name));
			fprintf(out, ": tid %d, pid %d, ", crashed->t.tid,
			    crashed->t.pid);
			text(out, name);
			fputs("\n\n", out);
			text_backtrace(&r, &crashed->t);
		} else
			fputs(": not found\n", out);
		fputs("\n3. Threads on other CPUs\n", out);
		for (i = 0; i < r.nth; i++) {
			if (r.th[i].t.crashed || r.th[i].t.oncpu < 0)
				continue;
			thread_name(&r.th[i].t, name, sizeof(name));
			fprintf(out, "\nCPU %d: tid %d, pid %d, ",
			    r.th[i].t.oncpu, r.th[i].t.tid, r.th[i].t.pid);
			text(out, name);
			fputs("\n", out);
			text_backtrace(&r, &r.th[i].t);
		}
		fprintf(out, "\n4. All %zu threads by stack (%zu groups)\n",
		    r.nth, ng);
		for (i = 0; i < ng; i++) {
			fprintf(out, "\n%zu thread%s:", g[i].n,
			    g[i].n == 1 ? "" : "s");
			for (j = 0; j < g[i].n && j < 16; j++)
				fprintf(out, " %d", g[i].m[j]->t.tid);
			if (g[i].n > 16)
				fprintf(out, " ... (%zu more)", g[i].n - 16);
			fputs("\n", out);
			{
				char *s = g[i].m[0]->sig, *e;

				for (; *s != '\0'; s = e + 1) {
					e = strchr(s, '\n');
					fputs("    ", out);
					put_text(out, s, (size_t)(e - s), false);
					fputs("\n", out);
				}
			}
		}
		fprintf(out, "\n5. Processes (%zu)\n\n%7s %-20s %s\n", npc,
		    "PID", "COMMAND", "THREADS");
		for (i = 0; i < npc; i++) {
			fprintf(out, "%7d ", pc[i].pid);
			text(out, pc[i].comm);
			fprintf(out, "%*s %zu\n", (int)(20 -
			    (strlen(pc[i].comm) < 20 ? strlen(pc[i].comm) :
			    20)), "", pc[i].n);
		}
		fputs("\nModules", out);
		if (r.mods == NULL) {
			fputs(": not listed: ", out);
			line(out, r.moderr != NULL ? r.moderr : "?");
			fputs("\n", out);
		} else {
			fprintf(out, " (%zu)\n\n%3s %-18s %-10s %s\n", r.nmods,
			    "Id", "Address", "Size", "Name (path)");
			for (i = 0; i < r.nmods; i++) {
				fprintf(out, "%3d %#-18" PRIx64 " %#-10" PRIx64
				    " ", r.mods[i].id, r.mods[i].address,
				    r.mods[i].size);
				text(out, r.mods[i].filename != NULL ?
				    r.mods[i].filename : "?");
				if (r.mods[i].pathname != NULL) {
					fputs(" (", out);
					text(out, r.mods[i].pathname);
					fputs(")", out);
				}
				fputs("\n", out);
			}
		}
		fputs("\n6. Message buffer\n\n", out);
		if (msg != NULL)
			put_text(out, msg, msglen, true);
		else
			fputs("(not available)\n", out);
	}
	free(msg);
	free(pc);
	free(g);
	free(sorted);
	for (i = 0; i < r.nth; i++)
		free(r.th[i].sig);
	free(r.th);
	if (ferror(out)) {
		*why = "write error";
		return (-1);
	}
	return (0);
nomem:
	for (i = 0; i < r.nth; i++)
		free(r.th[i].sig);
	free(r.th);
	*why = "out of memory";
	return (-1);
}
