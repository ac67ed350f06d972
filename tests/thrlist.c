/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * thrlist.c: test helper printing what libmd2elf recovers from a dump, in
 * the formats the tests compare against the generator's model.
 *
 * usage: thrlist [-k kernel] [-F] vmcore          threads
 *        thrlist [-k kernel] -m vmcore            message buffer
 *        thrlist [-k kernel] -s vmcore            md2elf_core_size()
 *        thrlist -d vmcore                        md2elf_data_size()
 *
 * Threads, in the library's order (crashed first), as "coreck -t" prints
 * the model's threads:
 *   thread TID PID KIND CPU PC SP FP RBX R12 R13 R14 R15 COMM/NAME
 *   regs TID NAME=VALUE...          (i386, arm64: the arch's registers)
 * KIND is where the registers came from: crashed (dumppcb), oncpu
 * (stoppcbs), sleep (td_pcb), none.  Registers are read from the FreeBSD
 * struct reg the library built (RBX..R15: amd64 only, else 0).  Then
 * "threads N".  Warnings go to stderr as "warning: ..."; errors as
 * "thrlist: ..." with exit 1.
 * -F forces a kernel that does not match.  -s prints "core_size N L": the
 * size of the FreeBSD-flavour (N) and Linux-flavour (L) cores.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "md2elf_private.h"

#define	EM_386_		3
#define	EM_AARCH64_	183

/* amd64 struct reg offsets. */
#define	R_R15	0
#define	R_R14	8
#define	R_R13	16
#define	R_R12	24
#define	R_RBP	80
#define	R_RBX	88
#define	R_RIP	136
#define	R_RSP	160

/* struct reg of i386 and arm64: the registers coreck -t prints. */
struct rdesc {
	const char	*name;
	unsigned	 off, size;
};
static const struct rdesc i386_regs[] = {
	{ "eip", 52, 4 }, { "esp", 64, 4 }, { "ebp", 20, 4 },
	{ "ebx", 28, 4 }, { "esi", 16, 4 }, { "edi", 12, 4 },
	{ "cs", 56, 4 }, { "ss", 68, 4 }, { "ds", 8, 4 }, { "es", 4, 4 },
	{ "fs", 0, 4 }, { "gs", 72, 4 }, { "eflags", 60, 4 }, { NULL, 0, 0 }
};
static const struct rdesc arm64_regs[] = {
	/* x0-x18: only in the FreeBSD 12/13 pcb (osreldate < 1400084). */
	{ "x0", 0, 8 }, { "x1", 8, 8 }, { "x2", 16, 8 }, { "x3", 24, 8 },
	{ "x4", 32, 8 }, { "x5", 40, 8 }, { "x6", 48, 8 }, { "x7", 56, 8 },
	{ "x8", 64, 8 }, { "x9", 72, 8 }, { "x10", 80, 8 }, { "x11", 88, 8 },
	{ "x12", 96, 8 }, { "x13", 104, 8 }, { "x14", 112, 8 },
	{ "x15", 120, 8 }, { "x16", 128, 8 }, { "x17", 136, 8 },
	{ "x18", 144, 8 },
	{ "x19", 152, 8 }, { "x20", 160, 8 }, { "x21", 168, 8 },
	{ "x22", 176, 8 }, { "x23", 184, 8 }, { "x24", 192, 8 },
	{ "x25", 200, 8 }, { "x26", 208, 8 }, { "x27", 216, 8 },
	{ "x28", 224, 8 }, { "fp", 232, 8 }, { "lr", 240, 8 },
	{ "sp", 248, 8 }, { "pc", 256, 8 }, { NULL, 0, 0 }
};

static void
warn_cb(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "warning: %s\n", msg);
}

static const char *
kind(const char *src)
{
	if (strcmp(src, "dumppcb") == 0)
		return ("crashed");
	if (strcmp(src, "stoppcbs") == 0)
		return ("oncpu");
	if (strcmp(src, "td_pcb") == 0)
		return ("sleep");
	return ("none");
}

struct state {
	md2elf_t	*d;
	unsigned long	 n;
};

static int
thread_cb(void *arg, const struct m2e_thread *t)
{
	struct state *s = arg;
	const struct md2elf_thread *p = &t->pub;
	const uint8_t *g = t->greg;
	const struct rdesc *r;
	char comm[21], name[21];
	uint64_t rbx, r12, r13, r14, r15;
	bool amd64;

	s->n++;
	memcpy(comm, p->comm, 20);
	comm[20] = '\0';
	memcpy(name, p->name, 20);
	name[20] = '\0';
	amd64 = strcmp(s->d->arch->name, "amd64") == 0;
	if (amd64 &&
	    (le64dec_(g + R_RIP) != p->pc || le64dec_(g + R_RSP) != p->sp ||
	    le64dec_(g + R_RBP) != p->fp)) {
		fprintf(stderr, "thrlist: tid %d: pc/sp/fp differ from struct "
		    "reg\n", (int)p->tid);
		return (1);
	}
	rbx = amd64 ? le64dec_(g + R_RBX) : 0;
	r12 = amd64 ? le64dec_(g + R_R12) : 0;
	r13 = amd64 ? le64dec_(g + R_R13) : 0;
	r14 = amd64 ? le64dec_(g + R_R14) : 0;
	r15 = amd64 ? le64dec_(g + R_R15) : 0;
	printf("thread %d %d %s %d 0x%016jx 0x%016jx 0x%016jx 0x%016jx "
	    "0x%016jx 0x%016jx 0x%016jx 0x%016jx %s/%s\n", (int)p->tid, (int)p->pid, kind(p->regsource),
	    (int)p->oncpu, (uintmax_t)p->pc, (uintmax_t)p->sp,
	    (uintmax_t)p->fp, (uintmax_t)rbx, (uintmax_t)r12, (uintmax_t)r13,
	    (uintmax_t)r14, (uintmax_t)r15, comm, name);
	r = s->d->arch->elfmachine == EM_386_ ? i386_regs :
	    s->d->arch->elfmachine == EM_AARCH64_ ? arm64_regs : NULL;
	if (r == NULL)
		return (0);
	if (r == arm64_regs && m2e_osreldate(s->d) >= 1400084)
		r += 19;
	printf("regs %d", (int)p->tid);
	for (; r->name != NULL; r++)
		printf(" %s=%#jx", r->name, (uintmax_t)(r->size == 4 ?
		    le32dec_(g + r->off) : le64dec_(g + r->off)));
	printf("\n");
	return (0);
}

int
main(int argc, char **argv)
{
	char err[MD2ELF_ERRBUF_SIZE];
	struct state s;
	const char *kernel;
	md2elf_t *d;
	char *text;
	size_t len;
	struct md2elf_write_opts wo;
	uint64_t fsize, lsize;
	int ch, force, msgbuf, rv, size, datasize;

	kernel = NULL;
	force = msgbuf = size = datasize = 0;
	while ((ch = getopt(argc, argv, "dFk:ms")) != -1) {
		switch (ch) {
		case 'F':
			force = 1;
			break;
		case 'k':
			kernel = optarg;
			break;
		case 'm':
			msgbuf = 1;
			break;
		case 's':
			size = 1;
			break;
		case 'd':
			datasize = 1;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1)
		goto usage;
	if (datasize) {
		if (md2elf_data_size(argv[optind], &fsize, err) != 0) {
			fprintf(stderr, "thrlist: %s\n", err);
			return (1);
		}
		printf("data_size %ju\n", (uintmax_t)fsize);
		return (0);
	}
	if ((d = md2elf_open(argv[optind], 0, err)) == NULL) {
		fprintf(stderr, "thrlist: %s\n", err);
		return (1);
	}
	md2elf_set_warn(d, warn_cb, NULL);
	if (kernel != NULL && md2elf_set_kernel(d, kernel,
	    force ? MD2ELF_KERNEL_FORCE : 0) != 0) {
		fprintf(stderr, "thrlist: %s\n", md2elf_geterr(d));
		md2elf_close(d);
		return (1);
	}
	if (msgbuf) {
		if (md2elf_msgbuf(d, &text, &len) != 0) {
			fprintf(stderr, "thrlist: %s\n", md2elf_geterr(d));
			md2elf_close(d);
			return (1);
		}
		fwrite(text, 1, len, stdout);
		free(text);
		md2elf_close(d);
		return (0);
	}
	if (size) {
		memset(&wo, 0, sizeof(wo));
		wo.flavor = MD2ELF_FLAVOR_FREEBSD;
		rv = md2elf_core_size(d, &wo, &fsize);
		wo.flavor = MD2ELF_FLAVOR_LINUX;
		if (rv == 0)
			rv = md2elf_core_size(d, &wo, &lsize);
		if (rv != 0)
			fprintf(stderr, "thrlist: %s\n", md2elf_geterr(d));
		else
			printf("core_size %ju %ju\n", (uintmax_t)fsize,
			    (uintmax_t)lsize);
		md2elf_close(d);
		return (rv == 0 ? 0 : 1);
	}
	s.d = d;
	s.n = 0;
	rv = m2e_threads(d, thread_cb, &s);
	if (rv < 0)
		fprintf(stderr, "thrlist: %s\n", md2elf_geterr(d));
	else
		printf("threads %lu\n", s.n);
	md2elf_close(d);
	return (rv == 0 ? 0 : 1);
usage:
	fprintf(stderr, "usage: thrlist [-F] [-k kernel] [-d | -m | -s] "
	    "vmcore\n");
	return (2);
}
