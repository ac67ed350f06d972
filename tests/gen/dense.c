/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * dense.c: compressible page contents for the model (mkdump -D).  A page
 * that is not zero looks like kernel memory: machine code (the model's
 * architecture's instruction patterns), C strings (messages, sysctl names,
 * lock names, source paths), arrays of structures (list links, pointers,
 * reference counts, ids, small names) or counters, timestamps and
 * bitmaps.  It is a stamp (its own address and 16 bits of its hash, so
 * every page differs from every other) followed by segments copied from a
 * fixed 64 KiB library, the offsets and lengths drawn from the page's hash:
 * still a pure function of (seed, physical address), and a dump of such
 * pages compresses to a few percent.  The kernel image's text is code,
 * its rodata strings and structures, its data structures and counters.
 *
 * Also the message buffer of a -D model: boot messages, then the log of a
 * running machine (naming the world's processes) and the panic report as
 * a FreeBSD kernel prints it, with the crashed thread's frames.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dense.h"

#define	LIBSZ		16384		/* bytes per kind */
#define	STAMP		32		/* bytes of the page stamp */

enum { K_CODE, K_TEXT, K_REC, K_INT, K_N };

struct dlib {
	uint8_t		 b[K_N][LIBSZ];
	int		 arm;		/* arm64 code, else x86 */
	unsigned	 ptrsize;
	uint64_t	 ptrbase;	/* where the structures "live" */
};

struct gen {
	uint64_t	 ctr;
	uint8_t		*b;
	size_t		 pos;
};

static uint64_t
rnd(struct gen *g)
{
	return (model_hash(0xde75e, g->ctr++));
}

static void
put(uint8_t *p, uint64_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Append n bytes (or fewer at the end of the region). */
static void
emit(struct gen *g, const void *p, size_t n)
{
	if (n > LIBSZ - g->pos)
		n = LIBSZ - g->pos;
	memcpy(g->b + g->pos, p, n);
	g->pos += n;
}

static void
emitv(struct gen *g, uint64_t v, unsigned n)
{
	uint8_t b[8];

	put(b, v, n);
	emit(g, b, n);
}

/* x86: functions with a frame-pointer prologue, a body, an epilogue. */
static void
gen_x86(struct gen *g)
{
	static const struct {
		uint8_t	 n, b[5];
	} ins[] = {
		{ 3, { 0x48, 0x89, 0xfb } },		/* mov %rdi,%rbx */
		{ 3, { 0x49, 0x89, 0xf6 } },		/* mov %rsi,%r14 */
		{ 4, { 0x48, 0x8b, 0x47, 0x18 } },	/* mov 24(%rdi),%rax */
		{ 4, { 0x48, 0x89, 0x45, 0xd0 } },	/* mov %rax,-48(%rbp) */
		{ 2, { 0x85, 0xc0 } },			/* test %eax,%eax */
		{ 2, { 0x31, 0xc0 } },			/* xor %eax,%eax */
		{ 4, { 0x48, 0x8d, 0x7b, 0x08 } },	/* lea 0x8(%rbx),%rdi */
		{ 5, { 0x48, 0x83, 0x7b, 0x10, 0x00 } },/* cmpq $0,0x10(%rbx) */
		{ 3, { 0x4c, 0x89, 0xe7 } },		/* mov %r12,%rdi */
		{ 3, { 0x8b, 0x43, 0x20 } },		/* mov 32(%rbx),%eax */
		{ 3, { 0x83, 0xf8, 0x01 } },		/* cmp $1,%eax */
		{ 3, { 0x48, 0x85, 0xc0 } },		/* test %rax,%rax */
		{ 4, { 0x0f, 0xb6, 0x43, 0x0c } },	/* movzbl 12(%rbx) */
		{ 3, { 0x44, 0x89, 0xf0 } },		/* mov %r14d,%eax */
		{ 4, { 0x49, 0x8b, 0x44, 0x24 } },	/* mov (%r12),%rax */
	};
	static const uint8_t push[][2] = { { 0x41, 0x57 }, { 0x41, 0x56 },
	    { 0x41, 0x55 }, { 0x41, 0x54 }, { 0x53, 0x90 } };
	static const uint8_t pop[][2] = { { 0x41, 0x5f }, { 0x41, 0x5e },
	    { 0x41, 0x5d }, { 0x41, 0x5c }, { 0x5b, 0x90 } };
	uint64_t r, nins, k;
	unsigned npush, i, frame;
	uint8_t pro[4] = { 0x55, 0x48, 0x89, 0xe5 };

	while (g->pos < LIBSZ) {
		r = rnd(g);
		emit(g, pro, 4);
		npush = (unsigned)(r % 6);
		for (i = 0; i < npush; i++)
			emit(g, push[5 - npush + i], push[5 - npush + i][0] ==
			    0x53 ? 1 : 2);
		frame = (unsigned)(1 + (r >> 8) % 7) * 0x10;
		emitv(g, 0xec8348 | (uint64_t)frame << 24, 4);
		nins = 8 + (r >> 16) % 40;
		for (k = 0; k < nins; k++) {
			r = rnd(g);
			switch (r % 8) {
			case 0:		/* call rel32 to an earlier function */
				emitv(g, 0xe8, 1);
				emitv(g, (uint64_t)-(int64_t)(0x40 +
				    ((r >> 8) % 0x8000) * 0x10), 4);
				break;
			case 1:		/* je / jne rel8 */
				emitv(g, (r & 0x100 ? 0x74 : 0x75) |
				    ((0x08 + (r >> 16) % 0x30) << 8), 2);
				break;
			case 2:		/* mov $imm32,%esi */
				emitv(g, 0xbe, 1);
				emitv(g, (r >> 8) % 0x400, 4);
				break;
			default:
				i = (unsigned)((r >> 8) % (sizeof(ins) /
				    sizeof(ins[0])));
				emit(g, ins[i].b, ins[i].n);
				break;
			}
		}
		emitv(g, 0xc48348 | (uint64_t)frame << 24, 4);
		for (i = 0; i < npush; i++)
			emit(g, pop[4 - i], pop[4 - i][0] == 0x5b ? 1 : 2);
		emitv(g, 0xc35d, 2);		/* pop %rbp; ret */
		while (g->pos < LIBSZ && g->pos % 16 != 0)
			emitv(g, 0xcc, 1);	/* int3 padding */
	}
}

/* arm64: stp/mov prologue, loads, stores, compares, bl, ldp/ret. */
static void
gen_arm(struct gen *g)
{
	static const uint32_t ins[] = { 0xaa0003f3, 0xf9400e68, 0x7100041f,
	    0x52800000, 0xf9000668, 0x91008260, 0x39403268, 0xaa1303e0,
	    0xb9401a69, 0x2a1f03e0, 0xf100011f, 0x8b080260 };
	uint64_t r, nins, k;

	while (g->pos < LIBSZ) {
		r = rnd(g);
		emitv(g, 0xa9bd7bfd, 4);	/* stp x29, x30, [sp, #-48]! */
		emitv(g, 0x910003fd, 4);	/* mov x29, sp */
		emitv(g, 0xa9014ff4, 4);	/* stp x20, x19, [sp, #16] */
		nins = 8 + r % 40;
		for (k = 0; k < nins; k++) {
			r = rnd(g);
			switch (r % 8) {
			case 0:		/* bl to an earlier function */
				emitv(g, 0x94000000 | ((uint32_t)-(int32_t)(
				    0x10 + (r >> 8) % 0x8000) & 0x3ffffff), 4);
				break;
			case 1:		/* cbz x0 / b.ne forward */
				emitv(g, (r & 0x100 ? 0xb4000000 : 0x54000001) |
				    (uint32_t)((2 + (r >> 16) % 12) << 5), 4);
				break;
			default:
				emitv(g, ins[(r >> 8) % (sizeof(ins) /
				    sizeof(ins[0]))], 4);
				break;
			}
		}
		emitv(g, 0xa9414ff4, 4);	/* ldp x20, x19, [sp, #16] */
		emitv(g, 0xa8c37bfd, 4);	/* ldp x29, x30, [sp], #48 */
		emitv(g, 0xd65f03c0, 4);	/* ret */
		while (g->pos < LIBSZ && g->pos % 16 != 0)
			emitv(g, 0xd503201f, 4);	/* nop */
	}
}

static const char *const subsys[] = { "vm_fault", "vm_page_alloc",
    "uma_zalloc_arg", "malloc", "ffs_blkfree", "ufs_lookup", "g_vfs_done",
    "nfs_request", "tcp_input", "ip_output", "in_pcblookup", "vn_open",
    "kern_ioctl", "devfs_lookup", "taskqueue_run", "callout_reset",
    "zfs_read", "arc_read", "em_attach", "pci_alloc_msi", "acpi_attach",
    "ahci_ch_attach", "ada_attach", "cam_periph_alloc", "if_attach",
    "kqueue_register", "sleepq_add", "turnstile_wait", "swap_pager_putpages",
    "vnode_pager_getpages", "bufwrite", "ffs_write", "softdep_setup_freeblks",
    "pmap_enter", "pmap_remove", "sonewconn", "ether_input", "bpf_mtap" };
static const char *const phrase[] = { ": cannot allocate %zu bytes for %s\n",
    ": error %d reading block %jd\n", ": unexpected state %d\n",
    ": timeout waiting for %s\n", ": duplicate entry %u\n",
    ": resource shortage\n", ": invalid page index %ju\n",
    ": bad magic 0x%x\n", "() failed with %d\n", ": device not configured\n",
    ": %s: link state changed to %s\n", ": queue full, dropping packet\n",
    ": lock \"%s\" not held\n",
    ": recursed on non-recursive mutex %s @ %s:%d\n",
    ": freeing free block: dev %s, block %jd, fs %s\n",
    ": %s%d: dangling vnode %p\n" };
static const char *const sysctls[] = { "kern.ipc.maxsockbuf",
    "Maximum socket buffer size", "vm.stats.vm.v_free_count",
    "Free pages", "hw.physmem", "Amount of physical memory (in bytes)",
    "debug.minidump", "Dump only pages in use", "net.inet.tcp.sendspace",
    "Initial send socket buffer size", "kern.maxproc",
    "Maximum number of processes", "vfs.numvnodes",
    "Number of vnodes in existence", "kern.hz",
    "Number of clock ticks per second", "vm.swap_enabled",
    "Enable entire process swapout" };
static const char *const locks[] = { "vm page free queue", "process lock",
    "so_rcv", "bufobj interlock", "vnode interlock", "pmap pv list",
    "sleepq chain", "callout", "Giant", "allproc", "proctree",
    "filedesc structure", "pipe mutex", "unp_link_rwlock", "tcphash",
    "ifnet_sxlock", "vm object", "pcpu", "kqueue", "rtentry" };
static const char *const files[] = { "/usr/src/sys/kern/kern_synch.c",
    "/usr/src/sys/vm/vm_page.c", "/usr/src/sys/kern/subr_sleepqueue.c",
    "/usr/src/sys/netinet/tcp_input.c", "/usr/src/sys/ufs/ffs/ffs_alloc.c",
    "/usr/src/sys/dev/e1000/if_em.c", "/usr/src/sys/kern/vfs_subr.c",
    "/usr/src/sys/vm/uma_core.c", "/usr/src/sys/kern/kern_mutex.c" };

#define	NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* C strings as in .rodata: messages, sysctls, lock names, file names. */
static void
gen_text(struct gen *g)
{
	const char *s;
	uint64_t r;
	char line[160];

	while (g->pos < LIBSZ) {
		r = rnd(g);
		switch (r % 4) {
		case 0:
			snprintf(line, sizeof(line), "%s%s",
			    subsys[(r >> 8) % NELEM(subsys)],
			    phrase[(r >> 16) % NELEM(phrase)]);
			s = line;
			break;
		case 1:
			s = sysctls[(r >> 8) % NELEM(sysctls)];
			break;
		case 2:
			s = locks[(r >> 8) % NELEM(locks)];
			break;
		default:
			s = files[(r >> 8) % NELEM(files)];
			break;
		}
		emit(g, s, strlen(s) + 1);
		if ((r >> 24) % 4 == 0)
			while (g->pos < LIBSZ && g->pos % 8 != 0)
				emitv(g, 0, 1);
	}
}

/* Slabs of structures: list links, an owner, counts, ids, a tag. */
static void
gen_rec(struct gen *g, const struct dlib *l)
{
	static const struct {
		unsigned	 size;
		const char	*tag;
	} types[] = { { 64, "knote" }, { 96, "selfd" }, { 128, "filedesc" },
	    { 192, "socket" }, { 256, "vnode" }, { 128, "mbuf" } };
	uint8_t rec[256], tag[16];
	uint64_t r, base, owner, n, i, sid;
	unsigned size, flags, off;

	sid = 0;
	while (g->pos < LIBSZ) {
		r = rnd(g);
		size = types[r % NELEM(types)].size;
		memset(tag, 0, sizeof(tag));
		memcpy(tag, types[r % NELEM(types)].tag,
		    strlen(types[r % NELEM(types)].tag));
		base = l->ptrbase + ((r >> 8) % 0x4000) * 0x1000;
		owner = l->ptrbase + ((r >> 24) % 0x4000) * 0x1000 + 0x80;
		flags = (unsigned)(0x100 << ((r >> 40) % 8));
		n = 4 + (r >> 44) % 12;
		sid++;
		for (i = 0; i < n; i++) {
			r = rnd(g);
			memset(rec, 0, sizeof(rec));
			put(rec, i + 1 < n ? base + (i + 1) * size : 0,
			    l->ptrsize);
			put(rec + 8, i > 0 ? base + (i - 1) * size : owner + 8,
			    l->ptrsize);
			put(rec + 16, owner, l->ptrsize);
			put(rec + 24, 1 + r % 3, 4);
			put(rec + 28, flags | (unsigned)(i & 3), 4);
			put(rec + 32, sid * 1000 + i, 8);
			memcpy(rec + 40, tag, 16);
			for (off = 56; off + 8 <= size; off += 8) {
				r = rnd(g);
				if (r % 4 == 0)
					put(rec + off, (r >> 8) % 4096, 8);
				else if (r % 4 == 1)
					put(rec + off, base + ((r >> 8) % 64) *
					    0x40, l->ptrsize);
			}
			emit(g, rec, size);
		}
	}
}

/* Counters, timestamps, bitmaps, small tables, (address, size) pairs. */
static void
gen_int(struct gen *g, const struct dlib *l)
{
	uint64_t r, n, i, v;

	while (g->pos < LIBSZ) {
		r = rnd(g);
		n = 32 + (r >> 8) % 96;
		v = (r >> 16) % 1000;
		for (i = 0; i < n; i++) {
			switch (r % 5) {
			case 0:
				emitv(g, v, 4);
				v += (rnd(g) % 4);
				break;
			case 1:
				emitv(g, 0x1a2b3c4d5eULL + v * 0x100000, 8);
				v += 1 + rnd(g) % 3;
				break;
			case 2:
				emitv(g, i < n / 2 ? ~0ULL : i == n / 2 ?
				    (1ULL << (v % 64)) - 1 : 0, 8);
				break;
			case 3:
				emitv(g, rnd(g) % 64, 2);
				break;
			default:
				emitv(g, l->ptrbase + v * 0x1000, l->ptrsize);
				emitv(g, 0x1000 * (1 + rnd(g) % 16),
				    l->ptrsize);
				break;
			}
		}
	}
}

int
dense_build(struct model *m)
{
	const struct gen_arch *a = m->arch;
	struct dlib *l;
	struct gen g;
	int k;

	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return (-1);
	l->arm = strncmp(a->name, "arm64", 5) == 0;
	l->ptrsize = a->ptrsize;
	l->ptrbase = a->dmapend != 0 ? a->dmapbase + 0x2000000 :
	    a->sec_start[SEC_DATA] & ~0xfffffULL;
	for (k = 0; k < K_N; k++) {
		memset(&g, 0, sizeof(g));
		g.ctr = (uint64_t)k << 32;
		g.b = l->b[k];
		switch (k) {
		case K_CODE:
			if (l->arm)
				gen_arm(&g);
			else
				gen_x86(&g);
			break;
		case K_TEXT:
			gen_text(&g);
			break;
		case K_REC:
			gen_rec(&g, l);
			break;
		default:
			gen_int(&g, l);
			break;
		}
	}
	m->dense = l;
	return (0);
}

void
dense_free(struct model *m)
{
	free(m->dense);
	m->dense = NULL;
}

int
dense_image(const struct model *m, uint64_t pa)
{
	const struct gen_arch *a = m->arch;
	uint64_t va;

	if (pa < m->p.kernphys || pa >= model_kern_end(m))
		return (0);
	va = pa - m->p.kernphys + a->kern_pa_off;
	return (va >= a->sec_start[SEC_TEXT] && va < a->sec_end[SEC_DATA]);
}

/* What a page holds: by kernel image section, else by hash. */
static int
page_kind(const struct model *m, uint64_t pa, uint64_t h)
{
	const struct gen_arch *a = m->arch;
	uint64_t va;
	unsigned r;

	r = (unsigned)((h >> 8) % 20);
	if (dense_image(m, pa)) {
		va = pa - m->p.kernphys + a->kern_pa_off;
		if (va < a->sec_end[SEC_TEXT])
			return (K_CODE);
		if (va < a->sec_end[SEC_RODATA])
			return (r < 14 ? K_TEXT : K_REC);
		return (r < 12 ? K_REC : K_INT);
	}
	/* Heap and UMA pages: mostly structures; module code and strings. */
	return (r < 9 ? K_REC : r < 13 ? K_INT : r < 17 ? K_TEXT : K_CODE);
}

/* The page's own stamp (address, hash bits) as its kind would hold it. */
static void
stamp(const struct model *m, const struct dlib *l, int kind, uint64_t pa,
    uint64_t h, uint8_t *b)
{
	uint64_t self;

	memset(b, 0, STAMP);
	self = model_dmap_va(m, pa);
	switch (kind) {
	case K_CODE:
		if (l->arm) {
			put(b, 0x58000040, 4);		/* ldr x0, #8 */
			put(b + 4, 0x14000005, 4);	/* b #20 */
			put(b + 8, self, 8);
			put(b + 16, h & 0xffff, 8);
			put(b + 24, 0xd503201fd503201fULL, 8);
		} else {
			b[0] = 0x48;			/* movabs $self,%rax */
			b[1] = 0xb8;
			put(b + 2, self, 8);
			b[10] = 0x48;			/* movabs $h,%rdx */
			b[11] = 0xba;
			put(b + 12, h & 0xffff, 8);
			memset(b + 20, 0xcc, STAMP - 20);
		}
		break;
	case K_TEXT:
		snprintf((char *)b, STAMP, "pa %#" PRIx64 " %04" PRIx32, pa,
		    (uint32_t)h & 0xffff);
		break;
	default:
		put(b, self, 8);
		put(b + 8, h & 0xffff, 8);
		break;
	}
}

void
dense_fill(const struct model *m, uint64_t pa, uint64_t h, uint8_t *buf,
    size_t off)
{
	static const size_t align[K_N] = { 16, 1, 64, 8 };
	const struct dlib *l = m->dense;
	uint64_t g;
	size_t pos, len, src, n;
	int kind, j;

	kind = page_kind(m, pa, h);
	pos = off;
	n = GPAGE - pos < STAMP ? GPAGE - pos : STAMP;
	{
		uint8_t s[STAMP];

		stamp(m, l, kind, pa, h, s);
		memcpy(buf + pos, s, n);
	}
	pos += n;
	for (j = 0; pos < GPAGE; j++) {
		g = model_hash(h, (uint64_t)j);
		len = (size_t)512 << (g % 4);
		src = (size_t)((g >> 8) % (LIBSZ - len));
		src -= src % align[kind];
		n = GPAGE - pos < len ? GPAGE - pos : len;
		memcpy(buf + pos, l->b[kind] + src, n);
		pos += n;
	}
}

uint64_t
dense_word(uint64_t h)
{
	if (h % 4 != 0)
		return (0);
	return ((h >> 8) % 8 == 0 ? (h >> 16) % 100000 : (h >> 16) % 64);
}

/* The crashed thread of the world, or NULL. */
static const struct gthread *
crashed(const struct model *m)
{
	size_t i;

	for (i = 0; i < m->nthreads; i++)
		if (m->threads[i].kind == WT_CRASHED)
			return (&m->threads[i]);
	return (NULL);
}

/* "name+0xoff" of the model function holding va. */
static void
symoff(const struct model *m, uint64_t va, char *buf, size_t len)
{
	const struct gsym *s;
	size_t i;

	for (i = 0; i < m->nsyms; i++) {
		s = &m->syms[i];
		if (s->type == GS_FUNC && va >= s->va && va < s->va + s->size) {
			snprintf(buf, len, "%s+%#" PRIx64, s->name, va - s->va);
			return;
		}
	}
	snprintf(buf, len, "??");
}

static size_t
fmt(char *buf, size_t len, const char *f, ...)
    __attribute__((format(printf, 3, 4)));

static size_t
fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, len, f, ap);
	va_end(ap);
	if (n < 0)
		return (0);
	return ((size_t)n < len ? (size_t)n : len - 1);
}

#define	NBOOT	24

size_t
dense_msgline(const struct model *m, uint64_t i, char *buf, size_t len)
{
	const struct gproc *p;
	uint64_t h, mib;
	unsigned ncpu;
	int x86;

	x86 = strncmp(m->arch->name, "arm64", 5) != 0;
	ncpu = m->ncpu != 0 ? m->ncpu : 2;
	mib = m->p.ram_mib;
	h = model_hash(m->p.seed ^ 0xd3e5, i);
	switch (i) {
	case 0:
		return (fmt(buf, len, "---<<BOOT>>---\n"));
	case 1:
		return (fmt(buf, len, "Copyright (c) 1992-2023 The FreeBSD "
		    "Project.\n"));
	case 2:
		return (fmt(buf, len, "Copyright (c) 1979, 1980, 1983, 1986, "
		    "1988, 1989, 1991, 1992, 1993, 1994\n"));
	case 3:
		return (fmt(buf, len, "\tThe Regents of the University of "
		    "California. All rights reserved.\n"));
	case 4:
		return (fmt(buf, len, "FreeBSD is a registered trademark of "
		    "The FreeBSD Foundation.\n"));
	case 5:
		return (fmt(buf, len, "%s", m->version));
	case 6:
		return (fmt(buf, len, "FreeBSD clang version 14.0.5 "
		    "(https://github.com/llvm/llvm-project.git "
		    "llvmorg-14.0.5-0-gc12386ae247c)\n"));
	case 7:
		return (x86 ? fmt(buf, len, "CPU: Intel(R) Xeon(R) CPU E5-2650 "
		    "v4 @ 2.20GHz (2194.92-MHz K8-class CPU)\n") :
		    fmt(buf, len, "CPU  0: ARM Cortex-A72 r0p3 affinity:  "
		    "0\n"));
	case 8:
		return (fmt(buf, len, "real memory  = %" PRIu64 " (%" PRIu64
		    " MB)\n", mib << 20, mib));
	case 9:
		return (fmt(buf, len, "avail memory = %" PRIu64 " (%" PRIu64
		    " MB)\n", (mib - 34) << 20, mib - 34));
	case 10:
		return (fmt(buf, len, "FreeBSD/SMP: Multiprocessor System "
		    "Detected: %u CPUs\n", ncpu));
	case 11:
		return (fmt(buf, len, "FreeBSD/SMP: 1 package(s) x %u core(s)"
		    "\n", ncpu));
	case 12:
		return (fmt(buf, len, "random: unblocking device.\n"));
	case 13:
		return (fmt(buf, len, "Timecounters tick every 1.000 msec\n"));
	case 14:
		return (fmt(buf, len, "vtnet0: <VirtIO Networking Adapter> on "
		    "virtio_pci0\n"));
	case 15:
		return (fmt(buf, len, "vtnet0: Ethernet address: 58:9c:fc:%02x:"
		    "%02x:%02x\n", (unsigned)(h & 0xff),
		    (unsigned)((h >> 8) & 0xff), (unsigned)((h >> 16) & 0xff)));
	case 16:
		return (fmt(buf, len, "vtbd0: 20480MB (41943040 512 "
		    "byte sectors)\n"));
	case 17:
		return (fmt(buf, len, "Trying to mount root from ufs:/dev/"
		    "vtbd0p2 [rw]...\n"));
	case 18:
		return (fmt(buf, len, "Setting hostuuid: %08" PRIx32
		    "-0000-4000-8000-%012" PRIx64 ".\n", (uint32_t)h,
		    (uint64_t)((h >> 16) & 0xffffffffffffULL)));
	case 19:
		return (fmt(buf, len, "Setting hostid: 0x%08" PRIx32 ".\n",
		    (uint32_t)(h >> 32)));
	case 20:
		return (fmt(buf, len, "Starting file system checks:\n"));
	case 21:
		return (fmt(buf, len, "/dev/vtbd0p2: FILE SYSTEM CLEAN; "
		    "SKIPPING CHECKS\n"));
	case 22:
		return (fmt(buf, len, "vtnet0: link state changed to UP\n"));
	case 23:
		return (fmt(buf, len, "Starting syslogd.\n"));
	}
	/* The log of a running machine. */
	p = m->nprocs > 4 ? &m->procs[4 + (h >> 8) % (m->nprocs - 4)] : NULL;
	switch ((h >> 4) % 8) {
	case 0:
		if (p != NULL)
			return (fmt(buf, len, "pid %d (%s), jid 0, uid %u: "
			    "exited on signal 11 (core dumped)\n",
			    (int)p->pid, p->comm, (unsigned)(h >> 40) % 1002));
		/* FALLTHROUGH */
	case 1:
		return (fmt(buf, len, "sonewconn: pcb 0x%" PRIx64 " (0.0.0.0:"
		    "443 (proto 6)): Listen queue overflow: %u already in "
		    "queue awaiting acceptance (%u occurrences), euid 0, "
		    "rgid 0, jail 0\n", model_dmap_va(m, 0x3000000 +
		    ((h >> 16) % 0x1000) * 0x400), 193 + (unsigned)(h >> 48) %
		    60, 1 + (unsigned)(h >> 56) % 40));
	case 2:
		return (fmt(buf, len, "arp: 10.0.%u.%u moved from 58:9c:fc:"
		    "%02x:%02x:%02x to 58:9c:fc:%02x:%02x:%02x on vtnet0\n",
		    (unsigned)(h >> 8) & 0xff, (unsigned)(h >> 16) & 0xff,
		    (unsigned)(h >> 24) & 0xff, (unsigned)(h >> 32) & 0xff,
		    (unsigned)(h >> 40) & 0xff, (unsigned)(h >> 48) & 0xff,
		    (unsigned)(h >> 56) & 0xff, (unsigned)(h >> 12) & 0xff));
	case 3:
		return (fmt(buf, len, "swap_pager: indefinite wait buffer: "
		    "bufobj: 0, blkno: %u, size: %u\n",
		    (unsigned)(h >> 16) % 500000, 4096u << ((h >> 8) % 4)));
	case 4:
		return (fmt(buf, len, "Limiting closed port RST response from "
		    "%u to 200 packets/sec\n",
		    201 + (unsigned)(h >> 20) % 800));
	case 5:
		return (fmt(buf, len, "[zone: mbuf_cluster] "
		    "kern.ipc.nmbclusters limit reached\n"));
	case 6:
		if (p != NULL)
			return (fmt(buf, len, "pid %d (%s), jid 0, uid 0, was "
			    "killed: failed to reclaim memory\n", (int)p->pid,
			    p->comm));
		/* FALLTHROUGH */
	default:
		return (fmt(buf, len, "vtnet0: watchdog timeout on queue %u\n",
		    (unsigned)(h >> 8) % 4));
	}
}

size_t
dense_panic(const struct model *m, char *buf, size_t len)
{
	const struct gthread *t;
	const struct gproc *p;
	uint64_t h, pages, up;
	size_t n;
	char fn[64];
	int k;

	t = crashed(m);
	p = t != NULL ? &m->procs[t->proc] : NULL;
	h = model_hash(m->p.seed, 0xfa7a1);
	n = 0;
	if (strcmp(m->arch->name, "amd64") == 0 && t != NULL)
		n += fmt(buf + n, len - n, "\n\nFatal trap 12: page fault "
		    "while in kernel mode\ncpuid = 0; apic id = 00\n"
		    "fault virtual address\t= 0x%" PRIx64 "\n"
		    "fault code\t\t= supervisor read data, page not present\n"
		    "instruction pointer\t= 0x20:0x%" PRIx64 "\n"
		    "stack pointer\t        = 0x28:0x%" PRIx64 "\n"
		    "frame pointer\t        = 0x28:0x%" PRIx64 "\n"
		    "code segment\t\t= base 0x0, limit 0xfffff, type 0x1b\n"
		    "\t\t\t= DPL 0, pres 1, long 1, def32 0, gran 1\n"
		    "processor eflags\t= interrupt enabled, resume, IOPL = 0\n"
		    "current process\t\t= %d (%s)\n"
		    "trap number\t\t= 12\n",
		    0x18 + 8 * (h % 8), m->arch->sec_start[SEC_TEXT] +
		    0x300000 + (h >> 8) % 0x100000, t->kstack + 0x100,
		    t->kstack + 0x130, (int)p->pid, t->name);
	n += fmt(buf + n, len - n, "panic: %s\ncpuid = 0\ntime = %" PRId64
	    "\nKDB: stack backtrace:\n", m->panicstr, m->dumptime);
	for (k = 0; t != NULL && k < t->nret; k++) {
		symoff(m, t->ret[k], fn, sizeof(fn));
		n += fmt(buf + n, len - n, "#%d 0x%" PRIx64 " at %s\n", k,
		    t->ret[k], fn);
	}
	up = 3600 + (h >> 16) % 900000;
	n += fmt(buf + n, len - n, "Uptime: %" PRIu64 "d%" PRIu64 "h%" PRIu64
	    "m%" PRIu64 "s\n", up / 86400, up / 3600 % 24, up / 60 % 60,
	    up % 60);
	pages = model_dumped_pages(m);
	n += fmt(buf + n, len - n, "Dumping %" PRIu64 " out of %" PRIu64
	    " MB:", (pages * GPAGE + (1 << 20) - 1) >> 20, m->p.ram_mib);
	return (n);
}
