/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * threads.c: the kernel's threads and their saved registers.
 *
 * Walks allproc, then zombproc (before FreeBSD 13) or the pid hash table,
 * and each process's thread list, with the offsets the kernel exports
 * (proc_off_*, thread_off_*).  Registers come from dumppcb for the dumping
 * thread (dumptid), from stoppcbs[cpu] for threads running on a CPU the
 * panic stopped, else from the thread's own pcb; the architecture's
 * pcb_regs() turns a pcb into a FreeBSD struct reg.
 *
 * The dumping thread is reported first: a first, quiet pass looks for it
 * (reading only list links and thread ids), the second pass reports the
 * others.  Both passes make the same decisions, so the caps and cycle
 * checks below end them at the same place.
 *
 * Corrupt lists end a walk with a warning, never an error.  Caps:
 *   TMAXPROCS    131072 processes (PID_MAX is 99999: more is corruption)
 *   TMAXTHREADS  262144 threads in all (each one becomes a note)
 *   TMAXPTHREADS 65536 threads in one process's list: FreeBSD's
 *                kern.threads.max_threads_per_proc defaults to 1500, so
 *                a list this long is corrupt; it ends there with a
 *                warning and the walk goes on with the next process, so
 *                that one bad list cannot use up TMAXTHREADS and lose
 *                the ordinary threads listed after it
 *   TMAXBUCKETS  1048576 pid hash buckets (pidhash + 1, a power of two)
 *   TMAXOFF      65536, value of an exported offset
 *   TMAXPCB      16384 bytes of pcb (pcb_size) read per thread
 *   TMAXCPU      65536, CPU number used to index stoppcbs
 * Cycles are found with hash sets of the process and thread addresses seen
 * (memory grows with the threads found, never with the dump's size).  Two
 * list neighbours closer than the fields the offsets cover would overlap:
 * no kernel allocates objects that way, so that also ends a list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md2elf_private.h"

#define	TMAXPROCS	(1u << 17)
#define	TMAXTHREADS	(1u << 18)
#define	TMAXPTHREADS	(1u << 16)
#define	TMAXBUCKETS	(1u << 20)
#define	TMAXOFF		65536
#define	TMAXPCB		16384
#define	TMAXCPU		65536

#define	MAXCOMLEN_	19		/* p_comm, td_name: 20 bytes */
#define	TMAXWARN	10		/* per-thread warnings, then a count */
#define	OSREL_ONCPU_INT	1100000		/* td_oncpu an int (was u_char) */

/* A small direct-mapped cache of 4 KB pages of kernel memory. */
#define	RC_SHIFT	12
#define	RC_PAGE		(1u << RC_SHIFT)
#define	RC_N		64

struct rcache {
	uint64_t	 tag[RC_N];
	bool		 valid[RC_N];
	uint8_t		 data[RC_N][RC_PAGE];
};

/* Open-addressing hash set of non-zero addresses. */
struct aset {
	uint64_t	*v;
	size_t		 cap;		/* power of two */
	size_t		 n;
};

struct offs {
	int32_t		 p_pid, p_comm, p_list, p_hash, p_threads;
	int32_t		 td_tid, td_name, td_oncpu, td_pcb, td_plist;
	bool		 have_p_hash;
	/* Lower bounds of sizeof(struct proc), sizeof(struct thread). */
	uint64_t	 pmin, tdmin;
};

struct walk {
	md2elf_t	*d;
	struct rcache	*rc;
	struct offs	 o;
	unsigned	 ptrsize;
	int		 osreldate;
	/* Lists. */
	uint64_t	 allproc, zombproc, pidhashtbl, pidhash;
	bool		 have_zombproc, have_pidhash;
	/* Registers. */
	bool		 pcbonly;	/* no lists: the dumping thread alone */
	bool		 have_dumptid, have_dumppcb;
	int32_t		 dumptid;
	uint64_t	 dumppcb;
	uint64_t	 stoppcbs, stoppcbs_size;
	bool		 have_stoppcbs;
	uint64_t	 stopped_cpus, stopped_cpus_size;
	bool		 have_stopped_cpus;
	int64_t		 mp_maxid;	/* -1: unknown */
	size_t		 pcblen;
	uint8_t		*pcbbuf;
	/* State of one pass. */
	bool		 quiet;		/* first pass: no warnings */
	struct aset	 procs, hprocs, threads;
	size_t		 nprocs, nthreads;
	bool		 stop;		/* a cap was hit: end everything */
	int		 rv;		/* callback's non-zero value */
	/* Pass 1 result. */
	uint64_t	 crashed_td, crashed_p;
	/* Pass 2. */
	m2e_thread_fn	*fn;
	void		*arg;
	size_t		 noregs;	/* threads without registers */
	size_t		 nbad;		/* per-thread problems warned about */
	struct m2e_thread t;
};

static void wwarn(struct walk *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
wwarn(struct walk *w, const char *fmt, ...)
{
	char msg[MD2ELF_ERRBUF_SIZE];
	va_list ap;

	if (w->quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	m2e_warn(w->d, "threads: %s", msg);
}

/* -- address sets ------------------------------------------------------ */

static size_t
aset_hash(uint64_t a, size_t mask)
{
	a ^= a >> 29;
	a *= 0x9e3779b97f4a7c15ULL;
	return ((size_t)(a >> 17) & mask);
}

static void
aset_free(struct aset *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* 1 added, 0 already there, -1 out of memory. */
static int
aset_add(struct aset *s, uint64_t a)
{
	uint64_t *nv;
	size_t i, j, ncap;

	if ((s->n + 1) * 2 > s->cap) {
		ncap = s->cap == 0 ? 1024 : s->cap * 2;
		if ((nv = calloc(ncap, sizeof(*nv))) == NULL)
			return (-1);
		for (i = 0; i < s->cap; i++) {
			if (s->v[i] == 0)
				continue;
			j = aset_hash(s->v[i], ncap - 1);
			while (nv[j] != 0)
				j = (j + 1) & (ncap - 1);
			nv[j] = s->v[i];
		}
		free(s->v);
		s->v = nv;
		s->cap = ncap;
	}
	j = aset_hash(a, s->cap - 1);
	while (s->v[j] != 0) {
		if (s->v[j] == a)
			return (0);
		j = (j + 1) & (s->cap - 1);
	}
	s->v[j] = a;
	s->n++;
	return (1);
}

/* -- cached memory reads ----------------------------------------------- */

static int
rread(struct walk *w, uint64_t va, void *buf, size_t len)
{
	uint8_t *p = buf;
	uint64_t page;
	size_t i, off, n;

	if (va + len < va)
		return (-1);
	while (len > 0) {
		page = va & ~(uint64_t)(RC_PAGE - 1);
		off = (size_t)(va - page);
		n = RC_PAGE - off;
		if (n > len)
			n = len;
		i = (size_t)(page >> RC_SHIFT) % RC_N;
		if (!w->rc->valid[i] || w->rc->tag[i] != page) {
			w->rc->valid[i] = false;
			if (m2e_read_va(w->d, page, w->rc->data[i], RC_PAGE) != 0)
				return (-1);
			w->rc->tag[i] = page;
			w->rc->valid[i] = true;
		}
		memcpy(p, w->rc->data[i] + off, n);
		p += n;
		va += n;
		len -= n;
	}
	return (0);
}

static int
rptr(struct walk *w, uint64_t va, uint64_t *val)
{
	uint8_t b[8];

	if (rread(w, va, b, w->ptrsize) != 0)
		return (-1);
	*val = w->ptrsize == 8 ? le64dec_(b) : le32dec_(b);
	return (0);
}

static int
ri32(struct walk *w, uint64_t va, int32_t *val)
{
	uint8_t b[4];

	if (rread(w, va, b, 4) != 0)
		return (-1);
	*val = (int32_t)le32dec_(b);
	return (0);
}

/* A name field of MAXCOMLEN + 1 bytes; "" if unreadable. */
static void
rname(struct walk *w, uint64_t va, char *out)
{
	size_t i;

	memset(out, 0, MAXCOMLEN_ + 1);
	if (rread(w, va, out, MAXCOMLEN_ + 1) != 0) {
		out[0] = '\0';
		return;
	}
	out[MAXCOMLEN_] = '\0';
	/* Stop at the first NUL; make the rest printable. */
	for (i = 0; out[i] != '\0'; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] > 0x7e)
			out[i] = '?';
	memset(out + i, 0, MAXCOMLEN_ + 1 - i);
}

/* -- setup ------------------------------------------------------------- */

static const char *const offnames[] = {
	"proc_off_p_pid", "proc_off_p_comm", "proc_off_p_list",
	"proc_off_p_threads", "thread_off_td_tid", "thread_off_td_name",
	"thread_off_td_oncpu", "thread_off_td_pcb", "thread_off_td_plist",
};

static uint64_t
omax(uint64_t a, uint64_t b)
{
	return (a > b ? a : b);
}

static int
setup(struct walk *w)
{
	md2elf_t *d = w->d;
	int32_t *dst[] = {
		&w->o.p_pid, &w->o.p_comm, &w->o.p_list, &w->o.p_threads,
		&w->o.td_tid, &w->o.td_name, &w->o.td_oncpu, &w->o.td_pcb,
		&w->o.td_plist,
	};
	char missing[MD2ELF_ERRBUF_SIZE], bad[MD2ELF_ERRBUF_SIZE];
	char why[2 * MD2ELF_ERRBUF_SIZE];
	uint64_t va, size;
	int32_t i32;
	size_t i;

	if (d->kern == NULL)
		return (m2e_err(d, "no kernel set: listing threads needs the "
		    "kernel's symbols"));
	if (d->arch == NULL || d->arch->pcb_regs == NULL)
		return (m2e_err(d, "no register decoder for this dump's "
		    "architecture"));
	if (d->arch->gregsz > M2E_MAXGREG)
		return (m2e_err(d, "%s: struct reg of %zu bytes is too large",
		    d->arch->name, d->arch->gregsz));
	w->ptrsize = d->arch->ptrsize;
	w->osreldate = m2e_osreldate(d);

	missing[0] = bad[0] = '\0';
	for (i = 0; i < sizeof(offnames) / sizeof(offnames[0]); i++) {
		if (m2e_sym(d, offnames[i], &va, NULL) != 0) {
			snprintf(missing + strlen(missing),
			    sizeof(missing) - strlen(missing), "%s%s",
			    missing[0] != '\0' ? ", " : "", offnames[i]);
			continue;
		}
		if (m2e_sym_int(d, offnames[i], &i32) != 0 || i32 < 0 ||
		    i32 > TMAXOFF) {
			snprintf(bad + strlen(bad), sizeof(bad) - strlen(bad),
			    "%s%s", bad[0] != '\0' ? ", " : "", offnames[i]);
			continue;
		}
		*dst[i] = i32;
	}
	if (m2e_sym(d, "allproc", &w->allproc, NULL) != 0)
		snprintf(missing + strlen(missing),
		    sizeof(missing) - strlen(missing), "%sallproc",
		    missing[0] != '\0' ? ", " : "");
	/*
	 * Without the lists (a kernel older than the offsets, or built
	 * without them), the dumping thread can still come from dumppcb, as
	 * kgdb shows it: decided once dumptid, dumppcb and the pcb size are
	 * known.
	 */
	why[0] = '\0';
	if (missing[0] != '\0')
		snprintf(why, sizeof(why), "cannot list threads: the kernel "
		    "lacks %s (offsets FreeBSD exports for debuggers since "
		    "about 10.3)", missing);
	else if (bad[0] != '\0')
		snprintf(why, sizeof(why), "cannot list threads: unreadable "
		    "or absurd value of %s", bad);
	if (m2e_sym(d, "proc_off_p_hash", &va, NULL) == 0 &&
	    m2e_sym_int(d, "proc_off_p_hash", &i32) == 0 && i32 >= 0 &&
	    i32 <= TMAXOFF) {
		w->o.p_hash = i32;
		w->o.have_p_hash = true;
	}
	w->have_zombproc = m2e_sym(d, "zombproc", &w->zombproc, NULL) == 0;
	w->have_pidhash = !w->have_zombproc && w->o.have_p_hash &&
	    m2e_sym(d, "pidhashtbl", &w->pidhashtbl, NULL) == 0 &&
	    m2e_sym(d, "pidhash", &w->pidhash, NULL) == 0;

	/* The dumping thread. */
	w->quiet = why[0] != '\0';
	if (m2e_sym(d, "dumptid", &va, NULL) == 0 &&
	    m2e_read_u32(d, va, (uint32_t *)&i32) == 0) {
		if (i32 > 0) {
			w->dumptid = i32;
			w->have_dumptid = true;
		} else
			wwarn(w, "dumptid is %d: no thread is marked as the "
			    "crashed one", (int)i32);
	} else
		wwarn(w, "dumptid is missing or unreadable: no thread is "
		    "marked as the crashed one");
	w->have_dumppcb = m2e_sym(d, "dumppcb", &w->dumppcb, &size) == 0;

	/* Size of a pcb: pcb_size, else the size of dumppcb. */
	if (m2e_sym_int(d, "pcb_size", &i32) == 0 && i32 > 0 &&
	    i32 <= TMAXPCB)
		w->pcblen = (size_t)i32;
	else if (w->have_dumppcb && size > 0 && size <= TMAXPCB) {
		w->pcblen = (size_t)size;
		m2e_warn(d, "threads: pcb_size missing or absurd; using the "
		    "size of dumppcb (%zu bytes)", w->pcblen);
	} else
		return (m2e_err(d, "%s", why[0] != '\0' ? why : "cannot list "
		    "threads: the kernel gives no usable pcb size (pcb_size, "
		    "dumppcb)"));
	w->quiet = false;
	if (why[0] != '\0') {
		if (!w->have_dumptid || !w->have_dumppcb)
			return (m2e_err(d, "%s", why));
		m2e_warn(d, "%s; only the dumping thread (tid %d), "
		    "from dumppcb", why, (int)w->dumptid);
		w->pcbonly = true;
	}

	w->have_stoppcbs = m2e_sym(d, "stoppcbs", &w->stoppcbs,
	    &w->stoppcbs_size) == 0;
	w->have_stopped_cpus = m2e_sym(d, "stopped_cpus", &w->stopped_cpus,
	    &w->stopped_cpus_size) == 0;
	w->mp_maxid = -1;
	if (m2e_sym(d, "mp_maxid", &va, NULL) == 0 &&
	    m2e_read_u32(d, va, (uint32_t *)&i32) == 0 && i32 >= 0 &&
	    i32 < TMAXCPU)
		w->mp_maxid = i32;

	w->o.pmin = omax(omax(omax((uint64_t)w->o.p_pid + 4,
	    (uint64_t)w->o.p_comm + MAXCOMLEN_ + 1),
	    omax((uint64_t)w->o.p_list, (uint64_t)w->o.p_threads) + w->ptrsize),
	    w->o.have_p_hash ? (uint64_t)w->o.p_hash + w->ptrsize : 0);
	w->o.tdmin = omax(omax(omax((uint64_t)w->o.td_tid + 4,
	    (uint64_t)w->o.td_name + MAXCOMLEN_ + 1),
	    omax((uint64_t)w->o.td_oncpu + 4, (uint64_t)w->o.td_pcb +
	    w->ptrsize)), (uint64_t)w->o.td_plist + w->ptrsize);

	if ((w->rc = calloc(1, sizeof(*w->rc))) == NULL ||
	    (w->pcbbuf = malloc(w->pcblen)) == NULL)
		return (m2e_err(d, "out of memory"));
	return (0);
}

/* -- registers --------------------------------------------------------- */

static bool
cpu_stopped(struct walk *w, int32_t cpu)
{
	uint8_t b;

	if (!w->have_stoppcbs || cpu < 0 || cpu >= TMAXCPU)
		return (false);
	if (w->mp_maxid >= 0 && cpu > w->mp_maxid)
		return (false);
	if (w->stoppcbs_size > 0 &&
	    ((uint64_t)cpu + 1) * w->pcblen > w->stoppcbs_size)
		return (false);
	if (!w->have_stopped_cpus)
		return (true);		/* trust td_oncpu */
	/* cpuset_t: an array of longs, little-endian: bit n in byte n / 8. */
	if (w->stopped_cpus_size > 0 &&
	    (uint64_t)cpu / 8 >= w->stopped_cpus_size)
		return (false);
	if (rread(w, w->stopped_cpus + (uint64_t)cpu / 8, &b, 1) != 0)
		return (false);
	return ((b >> (cpu % 8)) & 1);
}

/* Registers from the pcb at va into w->t; -1 if unreadable or invalid. */
static int
pcb_to_regs(struct walk *w, uint64_t va, const char *src)
{
	struct m2e_frame f;
	const char *why;
	int rc;

	if (va == 0 || rread(w, va, w->pcbbuf, w->pcblen) != 0)
		return (-1);
	memset(w->t.greg, 0, sizeof(w->t.greg));
	memset(&f, 0, sizeof(f));
	m2e_quiet(w->d);
	rc = w->d->arch->pcb_regs(w->d, w->pcbbuf, w->pcblen, w->osreldate,
	    w->t.greg, &f);
	why = m2e_unquiet(w->d);
	if (rc != 0) {
		if (w->fn != NULL && w->nbad++ < TMAXWARN)
			wwarn(w, "tid %d: cannot decode the pcb at %#jx (%s): "
			    "%s", (int)w->t.pub.tid, (uintmax_t)va, src, why);
		return (-1);
	}
	w->t.pub.regsource = src;
	w->t.pub.pcb = va;
	w->t.pub.pc = f.pc;
	w->t.pub.sp = f.sp;
	w->t.pub.fp = f.fp;
	return (0);
}

static void
no_regs(struct walk *w)
{
	memset(w->t.greg, 0, sizeof(w->t.greg));
	w->t.pub.regsource = "none";
	w->t.pub.pcb = 0;
	w->t.pub.pc = w->t.pub.sp = w->t.pub.fp = 0;
}

/*
 * Fill w->t for thread td of process p (p may be 0: unknown).  -1 if the
 * thread itself cannot be read.
 */
static int
build_thread(struct walk *w, uint64_t p, uint64_t td, bool crashed)
{
	struct md2elf_thread *pub = &w->t.pub;
	uint64_t pcb;
	uint8_t c;
	int32_t v;

	memset(pub, 0, sizeof(*pub));
	pub->td = td;
	pub->oncpu = -1;
	pub->pid = -1;
	if (p != 0) {
		if (ri32(w, p + w->o.p_pid, &v) == 0)
			pub->pid = v;
		rname(w, p + w->o.p_comm, pub->comm);
	}
	if (td != 0) {
		if (ri32(w, td + w->o.td_tid, &v) != 0)
			return (-1);
		pub->tid = v;
		rname(w, td + w->o.td_name, pub->name);
		if (w->osreldate > 0 && w->osreldate < OSREL_ONCPU_INT) {
			if (rread(w, td + w->o.td_oncpu, &c, 1) == 0)
				pub->oncpu = c == 0xff ? -1 : c;
		} else if (ri32(w, td + w->o.td_oncpu, &v) == 0)
			pub->oncpu = v;
	} else
		pub->tid = w->dumptid;
	pub->crashed = crashed;

	if (crashed && w->have_dumppcb &&
	    pcb_to_regs(w, w->dumppcb, "dumppcb") == 0)
		return (0);
	if (crashed && td != 0)
		wwarn(w, "tid %d: dumppcb %s; using the thread's own pcb",
		    (int)pub->tid, w->have_dumppcb ? "unreadable" : "missing");
	if (td == 0) {
		no_regs(w);
		return (0);
	}
	if (pub->oncpu >= 0 && cpu_stopped(w, pub->oncpu) &&
	    pcb_to_regs(w, w->stoppcbs + (uint64_t)pub->oncpu * w->pcblen,
	    "stoppcbs") == 0)
		return (0);
	if (rptr(w, td + w->o.td_pcb, &pcb) == 0 && pcb != 0 &&
	    pcb_to_regs(w, pcb, "td_pcb") == 0)
		return (0);
	no_regs(w);
	w->noregs++;
	return (0);
}

/* -- the walk ---------------------------------------------------------- */

/* Visit one thread: 1 to stop the whole walk. */
static int
visit(struct walk *w, uint64_t p, uint64_t td)
{
	int32_t tid;
	int rv;

	if (w->fn == NULL) {
		/* Pass 1: looking for dumptid. */
		if (ri32(w, td + w->o.td_tid, &tid) == 0 &&
		    tid == w->dumptid) {
			w->crashed_td = td;
			w->crashed_p = p;
			return (1);
		}
		return (0);
	}
	if (td == w->crashed_td)
		return (0);		/* reported first */
	if (build_thread(w, p, td, false) != 0) {
		if (w->nbad++ < TMAXWARN)
			wwarn(w, "thread %#jx: unreadable; skipped",
			    (uintmax_t)td);
		return (0);
	}
	if ((rv = w->fn(w->arg, &w->t)) != 0) {
		w->rv = rv;
		return (1);
	}
	return (0);
}

static bool
misaligned(struct walk *w, uint64_t a)
{
	return ((a & (w->ptrsize - 1)) != 0);
}

/* Would objects of at least min bytes at a and b overlap? */
static bool
overlap(uint64_t a, uint64_t b, uint64_t min)
{
	return (b != 0 && (a > b ? a - b : b - a) < min);
}

/* The threads of process p.  1 to stop the whole walk. */
static int
walk_proc(struct walk *w, uint64_t p)
{
	uint64_t td, next;
	size_t n;
	int32_t pid;
	int r;

	if (rptr(w, p + w->o.p_threads, &td) != 0) {
		wwarn(w, "process %#jx: thread list unreadable; skipped",
		    (uintmax_t)p);
		return (0);
	}
	for (n = 0; td != 0; n++) {
		if (w->nthreads >= TMAXTHREADS) {
			wwarn(w, "more than %u threads: walk ended there (cap)",
			    TMAXTHREADS);
			w->stop = true;
			return (1);
		}
		if (n >= TMAXPTHREADS) {
			if (ri32(w, p + w->o.p_pid, &pid) != 0)
				pid = -1;
			wwarn(w, "pid %d: more than %u threads in its list; rest "
			    "of the list skipped (cap)", (int)pid, TMAXPTHREADS);
			return (0);
		}
		if (misaligned(w, td)) {
			wwarn(w, "process %#jx: misaligned thread pointer %#jx; "
			    "rest of its thread list skipped", (uintmax_t)p,
			    (uintmax_t)td);
			return (0);
		}
		if ((r = aset_add(&w->threads, td)) <= 0) {
			if (r < 0) {
				wwarn(w, "out of memory after %zu threads",
				    w->nthreads);
				w->stop = true;
				return (1);
			}
			if (ri32(w, p + w->o.p_pid, &pid) != 0)
				pid = -1;
			wwarn(w, "pid %d: thread %#jx seen before (cycle in the "
			    "thread list); rest of the list skipped", (int)pid,
			    (uintmax_t)td);
			return (0);
		}
		if (rptr(w, td + w->o.td_plist, &next) != 0) {
			if (ri32(w, p + w->o.p_pid, &pid) != 0)
				pid = -1;
			wwarn(w, "pid %d: thread %#jx is not in the dump; rest "
			    "of the thread list skipped", (int)pid,
			    (uintmax_t)td);
			return (0);
		}
		w->nthreads++;
		if (visit(w, p, td) != 0)
			return (1);
		if (overlap(td, next, w->o.tdmin)) {
			if (ri32(w, p + w->o.p_pid, &pid) != 0)
				pid = -1;
			wwarn(w, "pid %d: thread %#jx would overlap thread %#jx "
			    "(corrupt thread list); rest of the list skipped",
			    (int)pid, (uintmax_t)next, (uintmax_t)td);
			return (0);
		}
		td = next;
	}
	return (0);
}

/*
 * A list of processes starting at p, linked at offset link.  seen detects
 * cycles; emit (if not seen) de-duplicates what is reported.  1 to stop.
 */
static int
walk_chain(struct walk *w, const char *what, uint64_t p, int32_t link,
    struct aset *seen, struct aset *emit)
{
	uint64_t next;
	size_t n;
	int r;

	for (n = 0; p != 0; n++) {
		if (misaligned(w, p)) {
			wwarn(w, "%s: misaligned process pointer %#jx after %zu "
			    "processes; walk ended", what, (uintmax_t)p, n);
			return (0);
		}
		if ((r = aset_add(seen, p)) <= 0) {
			if (r < 0) {
				wwarn(w, "out of memory after %zu processes",
				    w->nprocs);
				w->stop = true;
				return (1);
			}
			wwarn(w, "%s: process %#jx seen before (cycle) after %zu "
			    "processes; walk ended", what, (uintmax_t)p, n);
			return (0);
		}
		if (rptr(w, p + link, &next) != 0) {
			wwarn(w, "%s: process %#jx is not in the dump; walk "
			    "ended after %zu processes", what, (uintmax_t)p, n);
			return (0);
		}
		if (emit != NULL && (r = aset_add(emit, p)) < 0) {
			w->stop = true;
			return (1);
		}
		if (emit == NULL || r == 1) {
			if (w->nprocs >= TMAXPROCS) {
				wwarn(w, "more than %u processes: walk ended "
				    "there (cap)", TMAXPROCS);
				w->stop = true;
				return (1);
			}
			w->nprocs++;
			if (walk_proc(w, p) != 0)
				return (1);
		}
		if (overlap(p, next, w->o.pmin)) {
			wwarn(w, "%s: process %#jx would overlap process %#jx "
			    "(corrupt list); walk ended after %zu processes",
			    what, (uintmax_t)next, (uintmax_t)p, n + 1);
			return (0);
		}
		p = next;
	}
	return (0);
}

static int
walk_list(struct walk *w, const char *what, uint64_t head)
{
	uint64_t p;

	if (rptr(w, head, &p) != 0) {
		wwarn(w, "%s: list head at %#jx is not in the dump", what,
		    (uintmax_t)head);
		return (0);
	}
	return (walk_chain(w, what, p, w->o.p_list, &w->procs, NULL));
}

static int
walk_pidhash(struct walk *w)
{
	uint64_t tbl, mask, i, p;
	uint8_t b[8];

	if (rptr(w, w->pidhashtbl, &tbl) != 0 ||
	    rread(w, w->pidhash, b, w->ptrsize) != 0) {
		wwarn(w, "pidhashtbl or pidhash is not in the dump; hash "
		    "walk skipped");
		return (0);
	}
	mask = w->ptrsize == 8 ? le64dec_(b) : le32dec_(b);
	if (tbl == 0)
		return (0);
	if (mask >= TMAXBUCKETS || ((mask + 1) & mask) != 0) {
		wwarn(w, "pidhash claims %ju buckets (a power of two up to %u "
		    "expected); hash walk skipped", (uintmax_t)mask + 1,
		    TMAXBUCKETS);
		return (0);
	}
	for (i = 0; i <= mask; i++) {
		if (rptr(w, tbl + i * w->ptrsize, &p) != 0) {
			wwarn(w, "pidhashtbl bucket %ju at %#jx is not in the "
			    "dump; hash walk ended", (uintmax_t)i,
			    (uintmax_t)(tbl + i * w->ptrsize));
			return (0);
		}
		if (p != 0 && walk_chain(w, "pidhashtbl chain", p, w->o.p_hash,
		    &w->hprocs, &w->procs) != 0)
			return (1);
	}
	return (0);
}

/*
 * The dumping thread when the lists lack it: the curthread (first member of
 * struct pcpu) of a CPU in cpuid_to_pcpu[] whose tid is dumptid; 0 if none.
 */
static uint64_t
curthread_find(struct walk *w)
{
	uint64_t tbl, size, pc, td;
	int64_t cpu, max;
	int32_t tid;

	if (m2e_sym(w->d, "cpuid_to_pcpu", &tbl, &size) != 0)
		return (0);
	max = w->mp_maxid >= 0 ? w->mp_maxid : 255;
	if (size > 0 && (uint64_t)max >= size / w->ptrsize)
		max = (int64_t)(size / w->ptrsize) - 1;
	for (cpu = 0; cpu <= max; cpu++) {
		if (rptr(w, tbl + (uint64_t)cpu * w->ptrsize, &pc) != 0)
			break;
		if (pc == 0 || misaligned(w, pc) || rptr(w, pc, &td) != 0 ||
		    td == 0 || misaligned(w, td))
			continue;
		if (ri32(w, td + w->o.td_tid, &tid) == 0 && tid == w->dumptid)
			return (td);
	}
	return (0);
}

static void
pass_reset(struct walk *w)
{
	aset_free(&w->procs);
	aset_free(&w->hprocs);
	aset_free(&w->threads);
	w->nprocs = w->nthreads = 0;
	w->stop = false;
}

static void
walk_all(struct walk *w)
{
	pass_reset(w);
	if (walk_list(w, "allproc", w->allproc) != 0)
		return;
	if (w->have_zombproc) {
		if (walk_list(w, "zombproc", w->zombproc) != 0)
			return;
	} else if (w->have_pidhash)
		(void)walk_pidhash(w);
}

int
m2e_threads(md2elf_t *d, m2e_thread_fn *fn, void *arg)
{
	struct walk *w;
	int rv;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return (m2e_err(d, "out of memory"));
	w->d = d;
	if (setup(w) != 0) {
		rv = -1;
		goto out;
	}

	if (w->pcbonly) {
		(void)build_thread(w, 0, 0, true);
		rv = w->t.pub.pcb != 0 ? fn(arg, &w->t) :
		    m2e_err(d, "threads: the dumping thread (tid %d) has no "
		    "readable dumppcb", (int)w->dumptid);
		goto out;
	}

	/* Pass 1: find the dumping thread, quietly. */
	if (w->have_dumptid) {
		w->quiet = true;
		walk_all(w);
		w->quiet = false;
	}

	/* The crashed thread first. */
	if (w->have_dumptid && w->crashed_td == 0 &&
	    (w->crashed_td = curthread_find(w)) != 0)
		m2e_warn(d, "threads: the dumping thread (tid %d) is not in the "
		    "process lists; found as CPU curthread %#jx (process "
		    "unknown)", (int)w->dumptid, (uintmax_t)w->crashed_td);
	if (w->have_dumptid && w->crashed_td != 0) {
		if (build_thread(w, w->crashed_p, w->crashed_td, true) == 0 &&
		    (rv = fn(arg, &w->t)) != 0)
			goto out;
	} else if (w->have_dumptid) {
		(void)build_thread(w, 0, 0, true);
		if (w->t.pub.pcb != 0) {
			m2e_warn(d, "threads: the dumping thread (tid %d) is not "
			    "in the process lists; reported from dumppcb alone",
			    (int)w->dumptid);
			if ((rv = fn(arg, &w->t)) != 0)
				goto out;
		} else
			m2e_warn(d, "threads: the dumping thread (tid %d) is "
			    "neither in the process lists nor has a readable "
			    "dumppcb; not reported", (int)w->dumptid);
	}

	/* Pass 2: everything else, in list order. */
	w->fn = fn;
	w->arg = arg;
	w->rv = 0;
	walk_all(w);
	if (w->nbad > TMAXWARN)
		m2e_warn(d, "threads: %zu more problems with single threads "
		    "not shown", w->nbad - TMAXWARN);
	if (w->noregs > 0)
		m2e_warn(d, "threads: %zu thread%s without a readable pcb "
		    "(registers left zero)", w->noregs,
		    w->noregs == 1 ? "" : "s");
	rv = w->rv;
out:
	pass_reset(w);
	free(w->rc);
	free(w->pcbbuf);
	free(w);
	return (rv);
}

/*
 * Trap-frame threads: after each thread, one for each kernel-mode trap
 * frame its backtrace crosses (innermost first, at most
 * MD2ELF_MAXTRAPTHREADS), with the interrupted context's registers.  Their
 * ids, n * TRAPTID_BASE + the owner's, stay clear of kernel thread ids
 * (100000 + kern.maxthread at most) and fit an int for n <= 2.
 */
#define	TRAPTID_BASE	1000000000

struct trapwalk {
	md2elf_t		*d;
	struct m2e_unwind	*u;
	m2e_thread_fn		*fn;
	void			*arg;
	struct md2elf_frame	 fr[MD2ELF_MAXFRAMES];
	uint8_t			*greg;
	struct m2e_thread	 t;
	size_t			 skipped;
};

static int
trap_threads(void *arg, const struct m2e_thread *t)
{
	struct trapwalk *tw = arg;
	struct md2elf_thread *pub = &tw->t.pub;
	const struct md2elf_trapinfo *ti;
	size_t n, i, gsz;
	int rv, why, k;

	if ((rv = tw->fn(tw->arg, t)) != 0)
		return (rv);
	if (t->pub.pc == 0)
		return (0);
	gsz = tw->d->arch->gregsz;
	n = m2e_backtrace(tw->u, &t->pub, tw->fr, MD2ELF_MAXFRAMES, tw->greg,
	    false, &why);
	k = 0;
	for (i = 0; i + 1 < n; i++) {
		ti = &tw->fr[i].tf;
		if (!tw->fr[i].trap || ti->user)
			continue;
		if (k == MD2ELF_MAXTRAPTHREADS || t->pub.tid < 0 ||
		    t->pub.tid > INT32_MAX - (k + 1) * TRAPTID_BASE) {
			tw->skipped++;
			continue;
		}
		k++;
		tw->t = *t;
		pub->tid = k * TRAPTID_BASE + t->pub.tid;
		pub->trap = k;
		pub->owner = t->pub.tid;
		pub->signo = ti->signo;
		pub->crashed = 0;
		pub->regsource = "trapframe";
		pub->pcb = ti->tf;
		pub->pc = ti->pc;
		pub->sp = ti->sp;
		pub->fp = ti->fp;
		m2e_trap_thread_name(tw->d, ti, pub->name, sizeof(pub->name));
		memcpy(tw->t.greg, tw->greg + i * gsz, gsz);
		if ((rv = tw->fn(tw->arg, &tw->t)) != 0)
			return (rv);
	}
	return (0);
}

int
m2e_threads_flags(md2elf_t *d, int flags, m2e_thread_fn *fn, void *arg)
{
	struct trapwalk *tw;
	int rv;

	if (!(flags & MD2ELF_THREADS_TRAPS) || d->arch->trapframe == NULL)
		return (m2e_threads(d, fn, arg));
	if ((tw = calloc(1, sizeof(*tw))) == NULL ||
	    (tw->greg = calloc(MD2ELF_MAXFRAMES, d->arch->gregsz)) == NULL) {
		free(tw);
		return (m2e_err(d, "out of memory"));
	}
	if ((tw->u = m2e_unwind_new(d)) == NULL) {
		free(tw->greg);
		free(tw);
		return (-1);
	}
	tw->d = d;
	tw->fn = fn;
	tw->arg = arg;
	rv = m2e_threads(d, trap_threads, tw);
	if (tw->skipped > 0)
		m2e_warn(d, "threads: %zu kernel trap frame%s nested deeper "
		    "than %d (or of a thread id out of range) not made a "
		    "thread", tw->skipped, tw->skipped == 1 ? "" : "s",
		    MD2ELF_MAXTRAPTHREADS);
	m2e_unwind_free(tw->u);
	free(tw->greg);
	free(tw);
	return (rv);
}

struct pubarg {
	md2elf_thread_fn	*fn;
	void			*arg;
};

static int
pub_cb(void *arg, const struct m2e_thread *t)
{
	struct pubarg *pa = arg;

	return (pa->fn(pa->arg, &t->pub));
}

int
md2elf_threads(md2elf_t *d, md2elf_thread_fn *fn, void *arg)
{
	return (md2elf_threads_flags(d, 0, fn, arg));
}

int
md2elf_threads_flags(md2elf_t *d, int flags, md2elf_thread_fn *fn,
    void *arg)
{
	struct pubarg pa;

	pa.fn = fn;
	pa.arg = arg;
	return (m2e_threads_flags(d, flags, pub_cb, &pa));
}
