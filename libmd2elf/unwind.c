/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * unwind.c: kernel backtraces by frame-pointer chains, through trap frames.
 *
 * Every architecture md2elf reads keeps a frame record {saved frame
 * pointer, return address} where the frame pointer points (amd64 rbp, i386
 * ebp, arm64 x29), so one walker serves them all.  A return address inside
 * a kernel entry stub (the arch's stubs table) marks a struct trapframe; the
 * arch's trapframe() finds and decodes it, and when the trap interrupted
 * kernel code the walk goes on in the interrupted context, on whatever
 * stack that was (amd64 NMIs run on their own IST stack).
 *
 * Each link is checked: frame pointers aligned, readable, moving outwards
 * (strictly up the stack) and by less than UW_MAXGAP; a bad one ends the
 * walk with a warning.  Caps:
 *   MD2ELF_MAXFRAMES 256 frames: kernel stacks (KSTACK_PAGES, 4 pages on
 *                    amd64) hold a few dozen frames
 *   UW_MAXGAP        1 MiB between two frame records of one stack: larger
 *                    than any kernel stack, so a bigger step is corruption
 *   UW_MAXTRAPS      16 trap frames in one walk: traps nest a few deep
 *                    (a fault, an interrupt in it, an NMI)
 *   UW_MAXWARN       10 warnings per unwinder, then a count
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md2elf_private.h"

#define	UW_MAXGAP	(1u << 20)
#define	UW_MAXTRAPS	16
#define	UW_MAXWARN	10

/* Two 4 KiB pages of kernel memory: a walk stays on one or two. */
#define	UW_SHIFT	12
#define	UW_PAGE		(1u << UW_SHIFT)
#define	UW_NCACHE	2

struct m2e_unwind {
	md2elf_t	*d;
	int		 osreldate;
	uint64_t	 tag[UW_NCACHE];
	bool		 valid[UW_NCACHE];
	uint8_t		 data[UW_NCACHE][UW_PAGE];
	unsigned	 next;
	size_t		 nwarn;
};

struct m2e_unwind *
m2e_unwind_new(md2elf_t *d)
{
	struct m2e_unwind *u;

	if ((u = calloc(1, sizeof(*u))) == NULL) {
		m2e_err(d, "out of memory");
		return (NULL);
	}
	u->d = d;
	u->osreldate = m2e_osreldate(d);
	if (u->osreldate < 0)
		u->osreldate = 0;
	return (u);
}

void
m2e_unwind_free(struct m2e_unwind *u)
{
	if (u == NULL)
		return;
	if (u->nwarn > UW_MAXWARN)
		m2e_warn(u->d, "backtrace: %zu more problems not shown",
		    u->nwarn - UW_MAXWARN);
	free(u);
}

static void uwarn(struct m2e_unwind *, bool, const struct md2elf_thread *,
    const char *, ...) __attribute__((format(printf, 4, 5)));

static void
uwarn(struct m2e_unwind *u, bool quiet, const struct md2elf_thread *t,
    const char *fmt, ...)
{
	char msg[MD2ELF_ERRBUF_SIZE];
	va_list ap;

	if (quiet || u->nwarn++ >= UW_MAXWARN)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	m2e_warn(u->d, "backtrace: tid %d: %s", (int)t->tid, msg);
}

/* Cached read of kernel memory; -1 (error set) if any byte is missing. */
static int
uread(struct m2e_unwind *u, uint64_t va, void *buf, size_t len)
{
	uint8_t *p = buf;
	uint64_t page;
	size_t off, n;
	unsigned i;

	if (va + len < va)
		return (m2e_err(u->d, "address %#jx wraps", (uintmax_t)va));
	while (len > 0) {
		page = va & ~(uint64_t)(UW_PAGE - 1);
		off = (size_t)(va - page);
		n = UW_PAGE - off;
		if (n > len)
			n = len;
		for (i = 0; i < UW_NCACHE; i++)
			if (u->valid[i] && u->tag[i] == page)
				break;
		if (i == UW_NCACHE) {
			i = u->next++ % UW_NCACHE;
			u->valid[i] = false;
			if (m2e_read_va(u->d, page, u->data[i], UW_PAGE) != 0)
				return (-1);
			u->tag[i] = page;
			u->valid[i] = true;
		}
		memcpy(p, u->data[i] + off, n);
		p += n;
		va += n;
		len -= n;
	}
	return (0);
}

/* The stub whose code holds return address ret, if any. */
static const struct m2e_stub *
ustub(md2elf_t *d, uint64_t ret)
{
	const struct m2e_stub *s;
	const char *name;
	size_t l;

	if (d->arch->stubs == NULL || ret == 0 ||
	    (name = m2e_sym_name(d, ret - 1, NULL)) == NULL)
		return (NULL);
	for (s = d->arch->stubs; s->name != NULL; s++) {
		l = strlen(s->name);
		if (l > 0 && s->name[l - 1] == '*') {
			if (strncmp(name, s->name, l - 1) == 0)
				return (s);
		} else if (strcmp(name, s->name) == 0)
			return (s);
	}
	return (NULL);
}

size_t
m2e_backtrace(struct m2e_unwind *u, const struct md2elf_thread *t,
    struct md2elf_frame *fr, size_t max, uint8_t *greg, bool quiet, int *why)
{
	md2elf_t *d = u->d;
	const struct m2e_stub *st;
	struct md2elf_trapinfo *ti;
	uint8_t rec[16], gbuf[M2E_MAXGREG];
	unsigned ps = d->arch->ptrsize;
	uint64_t fp, next, ret;
	size_t n, ntraps;

	*why = MD2ELF_BT_END;
	if (max > MD2ELF_MAXFRAMES)
		max = MD2ELF_MAXFRAMES;
	if (max == 0 || t->pc == 0)
		return (0);
	m2e_quiet(d);	/* unreadable frames are warnings, not errors */
	memset(fr, 0, max * sizeof(*fr));
	fr[0].pc = t->pc;
	fr[0].fp = fp = t->fp;
	n = 1;
	ntraps = 0;
	for (;;) {
		if (fp == 0)
			break;
		if (n >= max) {
			*why = MD2ELF_BT_MAX;
			uwarn(u, quiet, t, "more than %zu frames; the rest is "
			    "left out", max);
			break;
		}
		if (fp % ps != 0) {
			*why = MD2ELF_BT_BAD;
			uwarn(u, quiet, t, "misaligned frame pointer %#jx after "
			    "%#jx", (uintmax_t)fp, (uintmax_t)fr[n - 1].pc);
			break;
		}
		if (uread(u, fp, rec, 2 * ps) != 0) {
			*why = MD2ELF_BT_BAD;
			uwarn(u, quiet, t, "frame record at %#jx unreadable: %s",
			    (uintmax_t)fp, d->qerr);
			break;
		}
		next = ps == 8 ? le64dec_(rec) : le32dec_(rec);
		ret = ps == 8 ? le64dec_(rec + 8) : le32dec_(rec + 4);
		if (ret == 0)
			break;
		fr[n].pc = ret;
		fr[n].fp = next;
		if ((st = ustub(d, ret)) == NULL) {
			n++;
			if (next != 0 && next <= fp) {
				*why = MD2ELF_BT_BAD;
				uwarn(u, quiet, t, "frame pointer %#jx after "
				    "%#jx goes back down the stack (a loop)",
				    (uintmax_t)next, (uintmax_t)fp);
				break;
			}
			if (next != 0 && next - fp > UW_MAXGAP) {
				*why = MD2ELF_BT_BAD;
				uwarn(u, quiet, t, "frame pointer %#jx after "
				    "%#jx leaves the stack (more than %u bytes "
				    "up)", (uintmax_t)next, (uintmax_t)fp,
				    UW_MAXGAP);
				break;
			}
			fp = next;
			continue;
		}
		/* A trap frame: its interrupted context goes on. */
		ti = &fr[n].tf;
		fr[n].trap = 1;
		if (d->arch->trapframe(d, st, fp, next, u->osreldate, ti,
		    gbuf) != 0) {
			fr[n].trap = 0;
			n++;
			*why = MD2ELF_BT_BAD;
			uwarn(u, quiet, t, "trap frame of %s unreadable: %s",
			    ti->stub != NULL ? ti->stub : "?", d->qerr);
			break;
		}
		ti->stub = m2e_sym_name(d, ret - 1, NULL);
		if (greg != NULL)
			memcpy(greg + n * d->arch->gregsz, gbuf,
			    d->arch->gregsz);
		n++;
		if (st->kind == M2E_STUB_FORK || ti->pc == 0) {
			/* A new thread's frame: fork_exit never returns. */
			*why = ti->user && ti->pc != 0 ? MD2ELF_BT_USER :
			    MD2ELF_BT_KTHREAD;
			break;
		}
		if (ti->user) {
			*why = MD2ELF_BT_USER;
			break;
		}
		if (++ntraps > UW_MAXTRAPS) {
			*why = MD2ELF_BT_BAD;
			uwarn(u, quiet, t, "more than %d trap frames; the rest "
			    "is left out", UW_MAXTRAPS);
			break;
		}
		if (n >= max) {
			*why = MD2ELF_BT_MAX;
			uwarn(u, quiet, t, "more than %zu frames; the rest is "
			    "left out", max);
			break;
		}
		fr[n].pc = ti->pc;
		fr[n].fp = fp = ti->fp;
		n++;
	}
	(void)m2e_unquiet(d);
	return (n);
}

int
md2elf_backtrace(md2elf_t *d, const struct md2elf_thread *t,
    struct md2elf_frame *frames, size_t max, int *why)
{
	struct m2e_unwind *u;
	size_t n;
	int w;

	if (d->kern == NULL)
		return (m2e_err(d, "a backtrace needs the kernel's symbols "
		    "(no kernel set)"));
	if ((u = m2e_unwind_new(d)) == NULL)
		return (-1);
	n = m2e_backtrace(u, t, frames, max, NULL, false, &w);
	m2e_unwind_free(u);
	if (why != NULL)
		*why = w;
	return ((int)n);
}

/*
 * x86 trap numbers (sys/x86/include/trap.h) and the signal trap() sends
 * for each to a user process (sys/amd64/amd64/trap.c); FreeBSD numbering.
 */
#define	SIGILL_		4
#define	SIGTRAP_	5
#define	SIGFPE_		8
#define	SIGBUS_		10
#define	SIGSEGV_	11
#define	T_PAGEFLT	12

static const struct {
	uint32_t	 trapno;
	const char	*what;
	int		 signo;
} x86_traps[] = {
	{ 1, "privileged instruction fault", SIGILL_ },
	{ 3, "breakpoint instruction fault", SIGTRAP_ },
	{ 6, "arithmetic trap", SIGFPE_ },
	{ 9, "general protection fault", SIGBUS_ },
	{ 10, "debug exception", SIGTRAP_ },
	{ T_PAGEFLT, "page fault", SIGSEGV_ },
	{ 14, "alignment fault", SIGBUS_ },
	{ 18, "integer divide fault", SIGFPE_ },
	{ 19, "non-maskable interrupt trap", 0 },
	{ 20, "overflow trap", SIGFPE_ },
	{ 21, "FPU bounds check fault", SIGFPE_ },
	{ 22, "FPU device not available", SIGFPE_ },
	{ 23, "double fault", 0 },
	{ 24, "FPU operand fetch fault", SIGBUS_ },
	{ 25, "invalid TSS fault", SIGBUS_ },
	{ 26, "segment not present fault", SIGBUS_ },
	{ 27, "stack fault", SIGBUS_ },
	{ 28, "machine check trap", 0 },
	{ 29, "SIMD floating-point exception", SIGFPE_ },
};

void
m2e_x86_trap(uint32_t trapno, struct md2elf_trapinfo *ti)
{
	size_t i;

	ti->what = "unknown trap";
	ti->signo = 0;
	for (i = 0; i < sizeof(x86_traps) / sizeof(x86_traps[0]); i++)
		if (x86_traps[i].trapno == trapno) {
			ti->what = x86_traps[i].what;
			ti->signo = x86_traps[i].signo;
		}
	ti->has_addr = trapno == T_PAGEFLT;
	snprintf(ti->label, sizeof(ti->label), "trap %u", trapno % 1000);
}

void
m2e_stub_trap(const struct m2e_stub *s, struct md2elf_trapinfo *ti)
{
	static const struct { int kind; const char *what, *label; } k[] = {
		{ M2E_STUB_TRAP, "trap", "trap" },
		{ M2E_STUB_INTR, "interrupt", "intr" },
		{ M2E_STUB_SYSCALL, "syscall", "syscall" },
		{ M2E_STUB_FORK, "fork_trampoline", "fork" },
	};
	size_t i;

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (k[i].kind == s->kind) {
			ti->what = k[i].what;
			snprintf(ti->label, sizeof(ti->label), "%s",
			    k[i].label);
		}
}

void
m2e_trap_thread_name(md2elf_t *d, const struct md2elf_trapinfo *ti,
    char *name, size_t len)
{
	const char *fn;

	fn = m2e_sym_name(d, ti->pc, NULL);
	if (fn != NULL)
		snprintf(name, len, "%s %s", ti->label, fn);
	else
		snprintf(name, len, "%s %#jx", ti->label, (uintmax_t)ti->pc);
}
