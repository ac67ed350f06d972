/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * coreck.c: checks an ELF core against the memory model it was made from,
 * independently of libmd2elf (libelf for the headers, pread for the data).
 *
 * usage: coreck [-KqSTW] [-f freebsd|linux] [-n segments] [-x va:len]
 *            -M model core
 *        coreck -M model -r address [-l length]
 *        coreck -M model -A
 *        coreck -M model -t
 *
 * Checks: the ELF header of the flavour (class, data, EI_OSABI, ET_CORE,
 * e_machine); every PT_LOAD page maps a kernel-map or direct-map address
 * of a dumped model page, with p_paddr its physical address; every dumped
 * page reads back byte-identical at each of its kernel-map addresses and
 * at its direct-map address, so pages that are not dumped are not readable;
 * all-zero pages are holes in the file; the PT_LOAD count (the model's
 * coalesced runs, or -n) and the file size.  -S only prints the segment
 * count.  -x: the kernel-map range [va, va + len) must not be in the core
 * (a dump whose page tables lost it, read with md2elf -F); its pages are
 * counted as excluded_pages and the PT_LOAD count is not checked (unless
 * -n).  -K: the core maps the kernel map only (md2elf --no-dmap): no
 * direct-map address is in a PT_LOAD, the count expected is the kernel
 * map's runs.  Prints the numbers; exit 0 if all is good, 1 with the first
 * mismatches, 2 on usage or I/O errors.
 *
 * -T also checks the threads: one NT_PRSTATUS per model thread, the
 * crashed one first and the only one with a signal, thread ids, the
 * registers of the model's pcbs (rip rsp rbp rbx r12-r15), NT_THRMISC
 * names, one NT_PRPSINFO, and (FreeBSD) NT_PROCSTAT_AUXV with AT_ENTRY.
 * -W is -T for hostile worlds: threads may be missing or extra, but every
 * thread the model knows must be right.  -t lists the model's threads:
 * "thread tid pid kind cpu rip rsp rbp rbx r12 r13 r14 r15 name" and
 * "frames tid ret..." lines, and for i386 and arm64 "regs tid name=value..."
 * (the registers as the arch names them, gen_arch.regs).
 *
 * -r prints the model's bytes at a kernel or direct-map address as 64-bit
 * little-endian words ("0x%016x ..."), or "unmapped" / "not dumped" (exit
 * 1); -A prints sample addresses for client tests as "key address" lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gelf.h>
#include <libelf.h>

#include "model.h"

#define	MAXREPORT	10

struct seg {
	uint64_t	 va, pa, off, filesz, memsz;
};

struct ck {
	const struct model *m;
	int		 fd;
	const char	*path;
	struct seg	*segs;
	size_t		 nsegs;
	size_t		 last;
	uint64_t	 fsize;
	unsigned	 errors;
	int		 quiet;
	uint64_t	 pages, kpages, dpages, zero, holes;
	uint64_t	 xva, xlen, xpages;	/* -x */
	int		 kmaponly;		/* -K */
	size_t		 threads, threads_known;
	uint8_t		*want, *got;
};

static void
bad(struct ck *c, const char *fmt, ...)
{
	va_list ap;

	if (c->errors++ < MAXREPORT) {
		fprintf(stderr, "coreck: %s: ", c->path);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	} else if (c->errors == MAXREPORT + 1)
		fprintf(stderr, "coreck: %s: more errors follow\n", c->path);
}

static int
seg_cmp(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;

	if (x->va != y->va)
		return (x->va < y->va ? -1 : 1);
	return (0);
}

/* The segment holding va, or NULL. */
static const struct seg *
seg_find(struct ck *c, uint64_t va)
{
	size_t lo, hi, mid;
	const struct seg *s;

	if (c->last < c->nsegs) {
		s = &c->segs[c->last];
		if (va >= s->va && va - s->va < s->memsz)
			return (s);
	}
	lo = 0;
	hi = c->nsegs;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		s = &c->segs[mid];
		if (va < s->va)
			hi = mid;
		else if (va - s->va >= s->memsz)
			lo = mid + 1;
		else {
			c->last = mid;
			return (s);
		}
	}
	return (NULL);
}

static bool
allzero(const uint8_t *p)
{
	size_t i;

	for (i = 0; i < GPAGE; i++)
		if (p[i] != 0)
			return (false);
	return (true);
}

/* Is [off, off + GPAGE) a hole in the file? */
static bool
is_hole(struct ck *c, uint64_t off)
{
	off_t d;

	d = lseek(c->fd, (off_t)off, SEEK_DATA);
	if (d < 0)
		return (errno == ENXIO);
	return ((uint64_t)d >= off + GPAGE);
}

/* Check that va reads back as the model's page pa (content in c->want). */
static void
check_page(struct ck *c, uint64_t va, uint64_t pa, bool zero)
{
	const struct seg *s;
	uint64_t off;
	size_t i;

	s = seg_find(c, va);
	if (s == NULL) {
		bad(c, "va %#" PRIx64 " (pa %#" PRIx64 ") is dumped but not "
		    "in any PT_LOAD", va, pa);
		return;
	}
	if (va - s->va + GPAGE > s->filesz) {
		bad(c, "va %#" PRIx64 " is beyond p_filesz of its PT_LOAD",
		    va);
		return;
	}
	off = s->off + (va - s->va);
	if (pread(c->fd, c->got, GPAGE, (off_t)off) != (ssize_t)GPAGE) {
		bad(c, "va %#" PRIx64 ": cannot read file offset %#" PRIx64,
		    va, off);
		return;
	}
	if (memcmp(c->got, c->want, GPAGE) != 0) {
		for (i = 0; i < GPAGE && c->got[i] == c->want[i]; i++)
			;
		bad(c, "va %#" PRIx64 " (pa %#" PRIx64 ", file offset %#"
		    PRIx64 "): byte %zu is %#x, the model has %#x", va, pa,
		    off, i, c->got[i], c->want[i]);
		return;
	}
	if (zero) {
		if (is_hole(c, off))
			c->holes++;
		else
			bad(c, "va %#" PRIx64 " (pa %#" PRIx64 "): zero page "
			    "at file offset %#" PRIx64 " is not a hole", va,
			    pa, off);
	}
}

/* Every PT_LOAD page must be a dumped model page at the right pa. */
static void
check_segments(struct ck *c)
{
	const struct model *m = c->m;
	const struct seg *s;
	uint64_t va, pa, i;
	size_t j;

	for (j = 0; j < c->nsegs; j++) {
		s = &c->segs[j];
		if (j > 0 && c->segs[j - 1].va + c->segs[j - 1].memsz > s->va)
			bad(c, "PT_LOADs at %#" PRIx64 " and %#" PRIx64
			    " overlap", c->segs[j - 1].va, s->va);
		if (s->va % GPAGE != 0 || s->memsz % GPAGE != 0 ||
		    s->filesz != s->memsz || s->off % GPAGE != 0)
			bad(c, "PT_LOAD at %#" PRIx64 ": offset %#" PRIx64
			    " filesz %#" PRIx64 " memsz %#" PRIx64 " are not "
			    "whole pages", s->va, s->off, s->filesz,
			    s->memsz);
		if (s->off + s->filesz > c->fsize)
			bad(c, "PT_LOAD at %#" PRIx64 " ends beyond the file",
			    s->va);
		for (i = 0; i < s->memsz; i += GPAGE) {
			va = s->va + i;
			if (model_dmap_pa(m, va, &pa) == 0) {
				if (c->kmaponly) {
					bad(c, "PT_LOAD maps direct-map va %#"
					    PRIx64 " (-K)", va);
					continue;
				}
			} else if (model_kvtop(m, va, &pa) != 0) {
				bad(c, "PT_LOAD maps va %#" PRIx64 ", which "
				    "the kernel does not map", va);
				continue;
			}
			if (!model_dumped(m, pa)) {
				bad(c, "PT_LOAD maps va %#" PRIx64 " (pa %#"
				    PRIx64 "), which is not in the dump", va,
				    pa);
				continue;
			}
			/* ELF32 (i386 PAE): p_paddr 0 above 4 GiB. */
			if (m->arch->elfclass == ELFCLASS32 && s->pa == 0 &&
			    pa > UINT32_MAX)
				continue;
			if (s->pa + i != pa) {
				bad(c, "PT_LOAD at va %#" PRIx64 ": p_paddr "
				    "gives pa %#" PRIx64 ", the page is at %#"
				    PRIx64, va, s->pa + i, pa);
			}
		}
	}
}

static void
check_memory(struct ck *c)
{
	const struct model *m = c->m;
	const struct kmap *k;
	uint64_t pfn, i, pa;
	size_t j;
	bool zero;

	/* Kernel map. */
	for (j = 0; j < m->nmap; j++) {
		k = &m->map[j];
		for (i = 0; i < k->npages; i++) {
			pa = k->pa + i * GPAGE;
			if (!model_dumped(m, pa))
				continue;
			if (k->va + i * GPAGE - c->xva < c->xlen) {
				if (seg_find(c, k->va + i * GPAGE) != NULL)
					bad(c, "va %#" PRIx64 " is excluded "
					    "(-x) but in a PT_LOAD",
					    k->va + i * GPAGE);
				c->xpages++;
				continue;
			}
			model_page(m, pa, c->want);
			zero = allzero(c->want);
			check_page(c, k->va + i * GPAGE, pa, zero);
			c->kpages++;
		}
	}
	/* Direct map: every dumped page. */
	for (pfn = 0; pfn < m->npfn; pfn++) {
		if ((m->pst[pfn] & PS_DUMP) == 0)
			continue;
		c->pages++;
		model_page(m, pfn * GPAGE, c->want);
		zero = allzero(c->want);
		if (zero)
			c->zero++;
		if (m->arch->dmapend != 0 && c->kmaponly) {
			if (seg_find(c, model_dmap_va(m, pfn * GPAGE)) != NULL)
				bad(c, "direct-map va %#" PRIx64 " is in a "
				    "PT_LOAD (-K)", model_dmap_va(m,
				    pfn * GPAGE));
		} else if (m->arch->dmapend != 0) {
			check_page(c, model_dmap_va(m, pfn * GPAGE),
			    pfn * GPAGE, zero);
			c->dpages++;
		}
	}
}

/* Notes of the core, parsed from the PT_NOTE segment. */
struct note {
	const char	*owner;
	uint32_t	 type;
	const uint8_t	*desc;
	uint32_t	 descsz;
};

static uint64_t
le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return (v);
}

static uint32_t
le32(const uint8_t *p)
{
	return ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24);
}

static size_t
parse_notes(struct ck *c, const uint8_t *b, size_t len, struct note **out)
{
	struct note *n;
	size_t off, cnt, cap, namesz, descsz;

	n = NULL;
	cnt = cap = 0;
	for (off = 0; off + 12 <= len; ) {
		namesz = le32(b + off);
		descsz = le32(b + off + 4);
		if (namesz > len || descsz > len ||
		    off + 12 + ((namesz + 3) & ~3UL) + descsz > len) {
			bad(c, "note at offset %zu of the PT_NOTE is truncated",
			    off);
			break;
		}
		if (cnt == cap) {
			struct note *nn;

			cap = cap ? cap * 2 : 256;
			nn = realloc(n, cap * sizeof(*n));
			if (nn == NULL) {
				bad(c, "out of memory");
				break;
			}
			n = nn;
		}
		n[cnt].type = le32(b + off + 8);
		n[cnt].owner = (const char *)(b + off + 12);
		n[cnt].desc = b + off + 12 + ((namesz + 3) & ~3UL);
		n[cnt].descsz = (uint32_t)descsz;
		if (namesz == 0 || b[off + 12 + namesz - 1] != '\0')
			n[cnt].owner = "";
		cnt++;
		off += 12 + ((namesz + 3) & ~3UL) + ((descsz + 3) & ~3UL);
	}
	*out = n;
	return (cnt);
}

/* The model's thread with that id (tids ascend with the index). */
static const struct gthread *
model_thread(const struct model *m, int32_t tid)
{
	size_t lo, hi, mid;

	lo = 0;
	hi = m->nthreads;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (m->threads[mid].tid < tid)
			lo = mid + 1;
		else if (m->threads[mid].tid > tid)
			hi = mid;
		else
			return (&m->threads[mid]);
	}
	for (mid = 0; mid < m->ntthreads; mid++)
		if (m->tthreads[mid].tid == tid)
			return (&m->tthreads[mid]);
	return (NULL);
}

/* Index of a model thread in seen[]: threads, then trap threads. */
static size_t
thread_index(const struct model *m, const struct gthread *t)
{
	if (t->trap)
		return (m->nthreads + (size_t)(t - m->tthreads));
	return ((size_t)(t - m->threads));
}

/* The name a converter shows: comm, or comm/td_name, 19 characters. */
static bool
name_ok(const struct model *m, const struct gthread *t, const char *name)
{
	char want[64];
	const char *comm = m->procs[t->proc].comm;

	if (name[0] == '\0')
		return (false);
	if (t->trap)
		return (strcmp(name, t->name) == 0);
	if (t->name[0] == '\0' || strcmp(t->name, comm) == 0)
		snprintf(want, sizeof(want), "%s", comm);
	else
		snprintf(want, sizeof(want), "%s/%s", comm, t->name);
	want[19] = '\0';
	return (strcmp(name, want) == 0 || strcmp(name, t->name) == 0);
}

/* A little-endian word of w (4 or 8) bytes. */
static uint64_t
word(const uint8_t *p, uint32_t w)
{
	return (w == 8 ? le64(p) : le32(p));
}

/* pr_reg of thread t against the registers the arch says it must have. */
static void
check_regs(struct ck *c, const struct gthread *t, const uint8_t *reg,
    bool linux)
{
	struct gen_reg r[GEN_MAXREGS];
	uint64_t v;
	int i, n;

	if (t->trap && c->m->arch->tregs != NULL)
		n = c->m->arch->tregs(c->m, t, r);
	else
		n = c->m->arch->regs(c->m, t, r);
	for (i = 0; i < n; i++) {
		v = word(reg + (linux ? r[i].loff : r[i].off), r[i].size);
		if (v != r[i].value)
			bad(c, "thread %d: %s is %#" PRIx64 ", the model has %#"
			    PRIx64, t->tid, r[i].name, v, r[i].value);
	}
}

/*
 * Threads: NT_PRSTATUS (+ NT_THRMISC) per thread against the model.
 * lenient: hostile world, threads may be missing or unknown.
 */
static void
check_threads(struct ck *c, const uint8_t *nb, size_t nlen, bool linux,
    bool lenient)
{
	const struct model *m = c->m;
	const struct gthread *t, *cur;
	const char *owner;
	struct note *n;
	size_t cnt, i, nthr, npsinfo, nauxv, found;
	uint8_t *seen;
	uint64_t r[8], entry;
	uint32_t w, regoff, minsz;
	int32_t tid, prevtid;
	int cursig, k;
	bool first;

	owner = linux ? "CORE" : "FreeBSD";
	prevtid = 0;
	/* prstatus layouts: amd64 (no regs hook), else by pointer size. */
	w = m->arch->ptrsize;
	if (m->arch->regs == NULL)
		minsz = linux ? 336 : 224;
	else if (linux)
		minsz = (w == 8 ? 112 : 72) + m->arch->linux_gregsz + 4;
	else
		minsz = (w == 8 ? 48 : 28) + m->arch->gregsz;
	regoff = linux ? (w == 8 ? 112 : 72) : (w == 8 ? 48 : 28);
	n = NULL;
	cnt = parse_notes(c, nb, nlen, &n);
	seen = calloc(m->nthreads + m->ntthreads + 1, 1);
	if (seen == NULL)
		return;
	nthr = npsinfo = nauxv = found = 0;
	first = true;
	cur = NULL;
	for (i = 0; i < cnt; i++) {
		/* Other owners (e.g. the converter's own notes) aside. */
		if (strcmp(n[i].owner, owner) != 0) {
			if (strcmp(n[i].owner, linux ? "FreeBSD" : "CORE") == 0)
				bad(c, "note %zu has owner \"%s\" in the %s "
				    "flavour", i, n[i].owner, linux ? "linux" :
				    "freebsd");
			continue;
		}
		if (n[i].type == 3)
			npsinfo++;
		if (!linux && n[i].type == 16 && n[i].descsz >= 4 + 4 * w) {
			nauxv++;
			entry = 0;
			for (k = 0; 4 + 2 * w * (k + 1) <= n[i].descsz; k++)
				if (word(n[i].desc + 4 + 2 * w * k, w) == 9)
					entry = word(n[i].desc + 4 + w +
					    2 * w * k, w);
			if (entry != m->arch->entry)
				bad(c, "NT_PROCSTAT_AUXV: AT_ENTRY %#" PRIx64
				    ", the kernel's entry is %#" PRIx64, entry,
				    m->arch->entry);
		}
		if (n[i].type == 7 && !linux && cur != NULL) {
			if (n[i].descsz < 20 ||
			    !name_ok(m, cur, (const char *)n[i].desc))
				bad(c, "thread %d: NT_THRMISC name \"%.20s\" "
				    "does not name %s/%s", cur->tid,
				    n[i].descsz >= 20 ? (const char *)n[i].desc :
				    "", m->procs[cur->proc].comm, cur->name);
			cur = NULL;
		}
		if (n[i].type != 1)
			continue;
		nthr++;
		cur = NULL;
		if (n[i].descsz < minsz) {
			bad(c, "NT_PRSTATUS %zu: %u bytes", nthr, n[i].descsz);
			continue;
		}
		if (m->arch->regs != NULL) {
			if (!linux && le32(n[i].desc) != 1)
				bad(c, "NT_PRSTATUS %zu: pr_version %u", nthr,
				    le32(n[i].desc));
			tid = (int32_t)le32(n[i].desc + (linux ? (w == 8 ?
			    32 : 24) : (w == 8 ? 40 : 24)));
			cursig = linux ? (int16_t)(n[i].desc[12] |
			    n[i].desc[13] << 8) :
			    (int32_t)le32(n[i].desc + (w == 8 ? 36 : 20));
		} else if (linux) {
			tid = (int32_t)le32(n[i].desc + 32);
			cursig = (int16_t)(n[i].desc[12] | n[i].desc[13] << 8);
			/* r15 r14 r13 r12 rbp rbx ... rip(16) ... rsp(19) */
			r[0] = le64(n[i].desc + 112 + 8 * 16);
			r[1] = le64(n[i].desc + 112 + 8 * 19);
			r[2] = le64(n[i].desc + 112 + 8 * 4);
			r[3] = le64(n[i].desc + 112 + 8 * 5);
			r[4] = le64(n[i].desc + 112 + 8 * 3);
			r[5] = le64(n[i].desc + 112 + 8 * 2);
			r[6] = le64(n[i].desc + 112 + 8 * 1);
			r[7] = le64(n[i].desc + 112 + 8 * 0);
		} else {
			if (le32(n[i].desc) != 1)
				bad(c, "NT_PRSTATUS %zu: pr_version %u", nthr,
				    le32(n[i].desc));
			tid = (int32_t)le32(n[i].desc + 40);
			cursig = (int32_t)le32(n[i].desc + 36);
			r[0] = le64(n[i].desc + 48 + 136);
			r[1] = le64(n[i].desc + 48 + 160);
			r[2] = le64(n[i].desc + 48 + 80);
			r[3] = le64(n[i].desc + 48 + 88);
			r[4] = le64(n[i].desc + 48 + 24);
			r[5] = le64(n[i].desc + 48 + 16);
			r[6] = le64(n[i].desc + 48 + 8);
			r[7] = le64(n[i].desc + 48 + 0);
		}
		if (first && tid != m->dumptid)
			bad(c, "the first thread is %d, the crashed one is %d",
			    tid, m->dumptid);
		t = model_thread(m, tid);
		if (tid == m->dumptid ? cursig == 0 :
		    cursig != (t != NULL ? t->signo : 0))
			bad(c, "thread %d has signal %d, the model %d", tid,
			    cursig, tid == m->dumptid ? 6 : t != NULL ?
			    t->signo : 0);
		/* A trap-frame thread right after its owner (or the one
		   before it). */
		if (t != NULL && t->trap && !lenient && prevtid !=
		    (t->trap == 1 ? t->owner : (t->trap - 1) * 1000000000 +
		    t->owner))
			bad(c, "trap thread %d follows thread %d, not its "
			    "owner %d", tid, prevtid, t->owner);
		prevtid = tid;
		first = false;
		if (t == NULL) {
			if (!lenient)
				bad(c, "thread %d is not in the model", tid);
			continue;
		}
		if (seen[thread_index(m, t)]++) {
			if (!lenient)
				bad(c, "thread %d appears twice", tid);
			continue;
		}
		found++;
		cur = t;
		if (m->arch->regs != NULL || (t->trap && m->arch->tregs)) {
			check_regs(c, t, n[i].desc + regoff, linux);
			continue;
		}
		{
			const uint64_t wv[8] = { t->rip, t->rsp, t->rbp,
			    t->rbx, t->r12, t->r13, t->r14, t->r15 };
			static const char *const rn[8] = { "rip", "rsp",
			    "rbp", "rbx", "r12", "r13", "r14", "r15" };

			for (k = 0; k < 8; k++)
				if (r[k] != wv[k])
					bad(c, "thread %d: %s is %#" PRIx64
					    ", the model's pcb has %#" PRIx64,
					    tid, rn[k], r[k], wv[k]);
		}
	}
	if (!lenient && found != m->nthreads + m->ntthreads)
		bad(c, "%zu of the model's %zu threads are in the core", found,
		    m->nthreads + m->ntthreads);
	if (npsinfo != 1)
		bad(c, "%zu NT_PRPSINFO notes, expected 1", npsinfo);
	if (!linux && nauxv != 1)
		bad(c, "%zu NT_PROCSTAT_AUXV notes, expected 1", nauxv);
	c->threads = nthr;
	c->threads_known = found;
	free(seen);
	free(n);
}

static const char *const kinds[] = { "?", "crashed", "oncpu", "sleep" };

static void
print_thread(const struct model *m, const struct gthread *t)
{
	struct gen_reg r[GEN_MAXREGS];
	int j, k, nr;

	printf("thread %d %d %s %d 0x%016" PRIx64 " 0x%016" PRIx64
	    " 0x%016" PRIx64 " 0x%016" PRIx64 " 0x%016" PRIx64
	    " 0x%016" PRIx64 " 0x%016" PRIx64 " 0x%016" PRIx64 " ", t->tid,
	    t->pid, t->trap ? "trap" : kinds[t->kind], t->oncpu, t->rip,
	    t->rsp, t->rbp, t->rbx, t->r12, t->r13, t->r14, t->r15);
	if (t->trap)
		printf("%s\n", t->name);
	else
		printf("%s/%s\n", m->procs[t->proc].comm, t->name);
	printf("frames %d", t->tid);
	for (k = 0; k < t->nret; k++)
		printf(" %#" PRIx64, t->ret[k]);
	printf("\n");
	if (t->trap)
		printf("trap %d %d %d 0x%016" PRIx64 "\n", t->tid, t->owner,
		    t->signo, t->tf);
	nr = -1;
	if (t->trap && m->arch->tregs != NULL)
		nr = m->arch->tregs(m, t, r);
	else if (m->arch->regs != NULL)
		nr = m->arch->regs(m, t, r);
	if (nr >= 0) {
		printf("regs %d", t->tid);
		for (j = 0; j < nr; j++)
			printf(" %s=%#" PRIx64, r[j].name, r[j].value);
		printf("\n");
	}
}

/* The model's threads, each trap-frame thread after its owner. */
static int
print_threads(const struct model *m)
{
	size_t i, j;

	for (i = 0; i < m->nthreads; i++) {
		print_thread(m, &m->threads[i]);
		for (j = 0; j < m->ntthreads; j++)
			if (m->tthreads[j].owner == m->threads[i].tid)
				print_thread(m, &m->tthreads[j]);
	}
	return (0);
}

static void
usage(void)
{
	fprintf(stderr, "usage: coreck [-KqSTW] [-f freebsd|linux] "
	    "[-n segments] [-x va:len]\n"
	    "              -M model core\n"
	    "       coreck -M model -r address [-l length]\n"
	    "       coreck -M model -A\n"
	    "       coreck -M model -t\n");
	exit(2);
}

/* Model address translation: kernel map or direct map. */
static int
model_va(const struct model *m, uint64_t va, uint64_t *pa)
{
	if (model_dmap_pa(m, va, pa) == 0)
		return (0);
	return (model_kvtop(m, va, pa));
}

static int
print_bytes(const struct model *m, uint64_t va, uint64_t len)
{
	uint8_t b[8];
	uint64_t pa, i, w;
	int k;

	for (i = 0; i < len; i += 8) {
		if (model_va(m, va + i, &pa) != 0) {
			printf("unmapped\n");
			return (1);
		}
		if (!model_dumped(m, pa)) {
			printf("not dumped\n");
			return (1);
		}
	}
	for (i = 0; i < len; i += 8) {
		model_va(m, va + i, &pa);
		model_read_pa(m, pa, b, 8);
		w = 0;
		for (k = 7; k >= 0; k--)
			w = w << 8 | b[k];
		printf("%s0x%016" PRIx64, i ? " " : "", w);
	}
	printf("\n");
	return (0);
}

/* Does the page have non-zero bytes in [0x40, 0x50) (where -A points)? */
static bool
nonzero_page(const struct model *m, uint64_t pa, uint8_t *buf)
{
	int i;

	model_page(m, pa, buf);
	for (i = 0x40; i < 0x50; i++)
		if (buf[i] != 0)
			return (true);
	return (false);
}

/* Sample addresses for client tests. */
static int
print_samples(const struct model *m)
{
	uint8_t *buf;
	uint64_t pfn, va, pa, i, prev;
	size_t j;
	int found;

	buf = malloc(GPAGE);
	if (buf == NULL)
		return (2);
	found = 0;
	for (pfn = model_kern_end(m) / GPAGE; pfn < m->npfn; pfn++) {
		if (!(found & 1) && (m->pst[pfn] & PS_DUMP) &&
		    nonzero_page(m, pfn * GPAGE, buf)) {
			printf("dmap_dumped %#" PRIx64 "\n",
			    model_dmap_va(m, pfn * GPAGE) + 0x40);
			found |= 1;
		}
		if (!(found & 2) && (m->pst[pfn] & (PS_RAM | PS_DUMP)) ==
		    PS_RAM) {
			printf("dmap_undumped %#" PRIx64 "\n",
			    model_dmap_va(m, pfn * GPAGE));
			found |= 2;
		}
	}
	prev = 0;
	for (j = 0; j < m->nmap; j++) {
		if (m->map[j].kind != MK_4K)
			continue;
		for (i = 0; i < m->map[j].npages; i++) {
			va = m->map[j].va + i * GPAGE;
			pa = m->map[j].pa + i * GPAGE;
			if (!(found & 4) &&
			    model_dumped(m, pa) && nonzero_page(m, pa, buf)) {
				printf("heap_dumped %#" PRIx64 "\n", va + 0x40);
				found |= 4;
			}
			if (!(found & 8) && !model_dumped(m, pa)) {
				printf("kmap_undumped %#" PRIx64 "\n", va);
				found |= 8;
			}
			if (!(found & 16) && prev != 0 && va > prev + GPAGE &&
			    model_va(m, prev + GPAGE, &pa) != 0) {
				printf("kmap_unmapped %#" PRIx64 "\n",
				    prev + GPAGE);
				found |= 16;
			}
			prev = va;
		}
	}
	for (j = 0; j < m->nmap; j++) {
		if (m->map[j].kind != MK_1G)
			continue;
		for (i = 0; i < m->map[j].npages; i++) {
			pa = m->map[j].pa + i * GPAGE;
			if (model_dumped(m, pa) && nonzero_page(m, pa, buf)) {
				printf("gib_dumped %#" PRIx64 "\n",
				    m->map[j].va + i * GPAGE + 0x40);
				break;
			}
		}
	}
	free(buf);
	return (0);
}

int
main(int argc, char **argv)
{
	struct ck c;
	struct model *m;
	struct stat sb;
	const char *mfile, *flavor, *raddr;
	uint64_t rlen, noteoff;
	int samples, thr, list, rc;
	uint8_t *notes;
	char err[512];
	GElf_Ehdr eh;
	GElf_Phdr ph;
	Elf *e;
	size_t phnum, i, nload, nnote;
	uint64_t kr, dr, kp, expect, maxsize, notesz, alloc;
	int ch, loose;
	long nexp;
	char *xend;

	mfile = NULL;
	flavor = "freebsd";
	loose = 0;
	nexp = -1;
	raddr = NULL;
	rlen = 8;
	samples = thr = list = 0;
	noteoff = 0;
	memset(&c, 0, sizeof(c));
	c.fd = -1;
	e = NULL;
	while ((ch = getopt(argc, argv, "Af:Kl:M:n:qr:StTWx:")) != -1) {
		switch (ch) {
		case 'f':
			flavor = optarg;
			if (strcmp(flavor, "freebsd") != 0 &&
			    strcmp(flavor, "linux") != 0)
				usage();
			break;
		case 'A':
			samples = 1;
			break;
		case 'K':
			c.kmaponly = 1;
			break;
		case 'l':
			rlen = strtoull(optarg, NULL, 0);
			if (rlen == 0 || rlen % 8 != 0)
				usage();
			break;
		case 'M':
			mfile = optarg;
			break;
		case 'r':
			raddr = optarg;
			break;
		case 'n':
			nexp = strtol(optarg, NULL, 0);
			break;
		case 'q':
			c.quiet = 1;
			break;
		case 'S':
			loose = 1;
			break;
		case 't':
			list = 1;
			break;
		case 'T':
			thr = 1;
			break;
		case 'W':
			thr = 2;
			break;
		case 'x':
			c.xva = strtoull(optarg, &xend, 0);
			if (*xend != ':')
				usage();
			c.xlen = strtoull(xend + 1, NULL, 0);
			break;
		default:
			usage();
		}
	}
	if (mfile == NULL ||
	    optind + ((raddr || samples || list) ? 0 : 1) != argc)
		usage();
	if (c.xlen != 0 && nexp < 0)
		loose = 1;
	m = model_load(mfile, err, sizeof(err));
	if (m == NULL) {
		fprintf(stderr, "coreck: %s\n", err);
		return (2);
	}
	if (raddr != NULL || samples || list) {
		if (raddr != NULL)
			ch = print_bytes(m, strtoull(raddr, NULL, 0), rlen);
		else if (samples)
			ch = print_samples(m);
		else
			ch = print_threads(m);
		model_free(m);
		return (ch);
	}
	c.path = argv[optind];
	c.m = m;
	c.want = malloc(GPAGE);
	c.got = malloc(GPAGE);
	c.fd = open(c.path, O_RDONLY);
	if (c.want == NULL || c.got == NULL || c.fd < 0 ||
	    fstat(c.fd, &sb) != 0) {
		fprintf(stderr, "coreck: %s: %s\n", c.path, strerror(errno));
		rc = 2;
		goto out;
	}
	c.fsize = (uint64_t)sb.st_size;
	if (elf_version(EV_CURRENT) == EV_NONE ||
	    (e = elf_begin(c.fd, ELF_C_READ, NULL)) == NULL ||
	    elf_kind(e) != ELF_K_ELF || gelf_getehdr(e, &eh) == NULL ||
	    elf_getphdrnum(e, &phnum) != 0) {
		fprintf(stderr, "coreck: %s: not an ELF file: %s\n", c.path,
		    elf_errmsg(-1));
		rc = 1;
		goto out;
	}
	/* ELF header per flavour. */
	if (eh.e_ident[EI_CLASS] != m->arch->elfclass)
		bad(&c, "EI_CLASS %d, expected %u", eh.e_ident[EI_CLASS],
		    m->arch->elfclass);
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		bad(&c, "EI_DATA %d, expected ELFDATA2LSB",
		    eh.e_ident[EI_DATA]);
	if (eh.e_ident[EI_OSABI] != (strcmp(flavor, "freebsd") == 0 ?
	    ELFOSABI_FREEBSD : ELFOSABI_NONE))
		bad(&c, "EI_OSABI %d is wrong for the %s flavour",
		    eh.e_ident[EI_OSABI], flavor);
	if (eh.e_type != ET_CORE)
		bad(&c, "e_type %d, expected ET_CORE", eh.e_type);
	if (eh.e_machine != m->arch->elfmachine)
		bad(&c, "e_machine %d, expected %u", eh.e_machine,
		    m->arch->elfmachine);
	/* Program headers. */
	c.segs = calloc(phnum + 1, sizeof(*c.segs));
	if (c.segs == NULL) {
		fprintf(stderr, "coreck: out of memory\n");
		rc = 2;
		goto out;
	}
	nload = nnote = 0;
	notesz = 0;
	for (i = 0; i < phnum; i++) {
		if (gelf_getphdr(e, (int)i, &ph) == NULL) {
			fprintf(stderr, "coreck: %s: program header %zu: %s\n",
			    c.path, i, elf_errmsg(-1));
			rc = 1;
			goto out;
		}
		if (ph.p_type == PT_NOTE) {
			nnote++;
			notesz += ph.p_filesz;
			noteoff = ph.p_offset;
			continue;
		}
		if (ph.p_type != PT_LOAD)
			continue;
		c.segs[nload].va = ph.p_vaddr;
		c.segs[nload].pa = ph.p_paddr;
		c.segs[nload].off = ph.p_offset;
		c.segs[nload].filesz = ph.p_filesz;
		c.segs[nload].memsz = ph.p_memsz;
		nload++;
	}
	c.nsegs = nload;
	qsort(c.segs, c.nsegs, sizeof(*c.segs), seg_cmp);
	if (nnote != 1)
		bad(&c, "%zu PT_NOTE headers, expected 1", nnote);
	check_segments(&c);
	check_memory(&c);
	if (thr && nnote == 1) {
		notes = malloc(notesz + 1);
		if (notes == NULL || pread(c.fd, notes, notesz,
		    (off_t)noteoff) != (ssize_t)notesz)
			bad(&c, "cannot read the PT_NOTE segment");
		else
			check_threads(&c, notes, notesz,
			    strcmp(flavor, "linux") == 0, thr == 2);
		free(notes);
	}
	/* Counts and sizes. */
	model_runs(m, &kr, &dr, &kp);
	expect = nexp >= 0 ? (uint64_t)nexp : c.kmaponly ? kr : kr + dr;
	if (!loose && nload != expect)
		bad(&c, "%zu PT_LOAD segments, expected %" PRIu64
		    " (kernel map %" PRIu64 " + direct map %" PRIu64 ")",
		    nload, expect, kr, dr);
	if (c.fsize < c.pages * GPAGE)
		bad(&c, "file size %" PRIu64 " is smaller than the %" PRIu64
		    " dumped pages", c.fsize, c.pages);
	maxsize = c.pages * GPAGE + 4 * GPAGE + notesz +
	    (phnum + 2) * sizeof(Elf64_Phdr);
	if (c.fsize > maxsize)
		bad(&c, "file size %" PRIu64 " exceeds pages + headers (%"
		    PRIu64 "): page data is duplicated?", c.fsize, maxsize);
	alloc = (uint64_t)sb.st_blocks * 512;
	if (c.zero > 0 && alloc > (c.pages - c.zero) * GPAGE +
	    (c.fsize - c.pages * GPAGE) + 1024 * 1024)
		bad(&c, "%" PRIu64 " bytes allocated for %" PRIu64
		    " non-zero pages: the file is not sparse", alloc,
		    c.pages - c.zero);
	if (!c.quiet && c.xlen != 0)
		printf("excluded_pages %" PRIu64 "\n", c.xpages);
	if (!c.quiet)
		printf("segments %zu\nsegments_expected %" PRIu64 "\n"
		    "kmap_runs %" PRIu64 "\ndmap_runs %" PRIu64 "\n"
		    "pages %" PRIu64 "\nzero_pages %" PRIu64 "\n"
		    "holes_checked %" PRIu64 "\nkmap_pages %" PRIu64 "\n"
		    "dmap_pages %" PRIu64 "\nfile_size %" PRIu64 "\n"
		    "allocated %" PRIu64 "\nphnum %zu\nthreads %zu\n"
		    "threads_known %zu\ntrap_threads %zu\nerrors %u\n",
		    nload, expect, kr, dr, c.pages, c.zero, c.holes, c.kpages,
		    c.dpages, c.fsize, alloc, phnum, c.threads,
		    c.threads_known, c.m->ntthreads, c.errors);
	rc = c.errors != 0 ? 1 : 0;
out:
	if (e != NULL)
		elf_end(e);
	if (c.fd >= 0)
		close(c.fd);
	model_free(m);
	free(c.segs);
	free(c.want);
	free(c.got);
	return (rc);
}
