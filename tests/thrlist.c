/*
 * thrlist.c: test helper printing what libmd2elf recovers from a dump, in
 * the formats the tests compare against the generator's model.
 *
 * usage: thrlist [-k kernel] [-F] vmcore          threads
 *        thrlist [-k kernel] -m vmcore            message buffer
 *
 * Threads, in the library's order (crashed first), one line each, as
 * "coreck -t" prints the model's threads:
 *   thread TID PID KIND CPU RIP RSP RBP RBX R12 R13 R14 R15 COMM/NAME
 * KIND is where the registers came from: crashed (dumppcb), oncpu
 * (stoppcbs), sleep (td_pcb), none.  Registers are read from the FreeBSD
 * struct reg the library built (amd64).  Then "threads N".  Warnings go to
 * stderr as "warning: ..."; errors as "thrlist: ..." with exit 1.
 * -F forces a kernel that does not match.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "md2elf_private.h"

/* amd64 struct reg offsets. */
#define	R_R15	0
#define	R_R14	8
#define	R_R13	16
#define	R_R12	24
#define	R_RBP	80
#define	R_RBX	88
#define	R_RIP	136
#define	R_RSP	160

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
	char comm[21], name[21];

	s->n++;
	memcpy(comm, p->comm, 20);
	comm[20] = '\0';
	memcpy(name, p->name, 20);
	name[20] = '\0';
	if (strcmp(s->d->arch->name, "amd64") == 0 &&
	    (le64dec_(g + R_RIP) != p->pc || le64dec_(g + R_RSP) != p->sp ||
	    le64dec_(g + R_RBP) != p->fp)) {
		fprintf(stderr, "thrlist: tid %d: pc/sp/fp differ from struct "
		    "reg\n", (int)p->tid);
		return (1);
	}
	printf("thread %d %d %s %d 0x%016jx 0x%016jx 0x%016jx 0x%016jx "
	    "0x%016jx 0x%016jx 0x%016jx 0x%016jx %s/%s\n", (int)p->tid, (int)p->pid, kind(p->regsource),
	    (int)p->oncpu, (uintmax_t)p->pc, (uintmax_t)p->sp,
	    (uintmax_t)p->fp, (uintmax_t)le64dec_(g + R_RBX),
	    (uintmax_t)le64dec_(g + R_R12), (uintmax_t)le64dec_(g + R_R13),
	    (uintmax_t)le64dec_(g + R_R14), (uintmax_t)le64dec_(g + R_R15),
	    comm, name);
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
	int ch, force, msgbuf, rv;

	kernel = NULL;
	force = msgbuf = 0;
	while ((ch = getopt(argc, argv, "Fk:m")) != -1) {
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
		default:
			goto usage;
		}
	}
	if (optind != argc - 1)
		goto usage;
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
	fprintf(stderr, "usage: thrlist [-F] [-k kernel] [-m] vmcore\n");
	return (2);
}
