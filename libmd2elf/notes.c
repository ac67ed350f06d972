/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * notes.c: the PT_NOTE content of the ELF core, in both flavours.
 *
 * FreeBSD flavour (ELFOSABI_FREEBSD, owner "FreeBSD"; what LLDB and a
 * FreeBSD-enabled GDB read): NT_PRPSINFO, then per thread (crashed thread
 * first) NT_PRSTATUS and NT_THRMISC, then NT_PROCSTAT_AUXV with AT_ENTRY.
 * Linux flavour (ELFOSABI_NONE, owner "CORE"; for distribution GDBs run with
 * "set osabi GNU/Linux"): NT_PRPSINFO, per thread NT_PRSTATUS with the Linux
 * elf_prstatus layout, then NT_AUXV.  Layouts: FreeBSD's sys/sys/procfs.h
 * and machine/reg.h, Linux's include/linux/elfcore.h and its uapi twin.
 *
 * No NT_FPREGSET: the kernel threads' FPU state is not recovered, and a note
 * of zeros would show made-up values; without it both debuggers show the
 * floating-point registers as unavailable.
 *
 * md2elf's own notes (owner "md2elf", in both flavours, after the others):
 *   type 0x6d326501 ("m2e" 1, M2E_NT_BUILDID)  the kernel's GNU build id,
 *        raw bytes as in the kernel's NT_GNU_BUILD_ID note (only with -k
 *        and a kernel that has one); readelf -n shows it as "Unknown note
 *        type: (0x6d326501)" followed by the bytes.
 * The type is not a small number on purpose: LLDB skips notes of other
 * owners, but BFD (GDB, readelf) reads notes of unknown owners in a core
 * with the Linux note types, where 1 is NT_PRSTATUS, 2 NT_FPREGSET...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md2elf_private.h"

#define	NT_PRSTATUS_		1
#define	NT_PRPSINFO_		3
#define	NT_AUXV_		6
#define	NT_THRMISC_		7
#define	NT_PROCSTAT_AUXV_	16
#define	AT_NULL_		0
#define	AT_ENTRY_		9
#define	SIGABRT_		6
#define	SIGBUS_FREEBSD		10
#define	SIGBUS_LINUX		7

#define	NOTES_MAXBUF		(1ULL << 30)	/* 1 GiB of notes at most */

static size_t
roundup4(size_t x)
{
	return ((x + 3) & ~(size_t)3);
}

static void
put_word(uint8_t *p, unsigned ptrsize, uint64_t v)
{
	if (ptrsize == 8)
		le64enc_(p, v);
	else
		le32enc_(p, (uint32_t)v);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* Copy a C string into a fixed field of n bytes, always NUL-terminated. */
static void
put_str(uint8_t *p, size_t n, const char *s)
{
	size_t l;

	l = s != NULL ? strlen(s) : 0;
	if (l > n - 1)
		l = n - 1;
	memset(p, 0, n);
	if (l > 0)
		memcpy(p, s, l);
}

size_t
m2e_desc_prstatus(const struct m2e_arch *a, enum md2elf_flavor flavor,
    int32_t tid, int cursig, int osreldate, const uint8_t *greg, uint8_t *out)
{
	uint8_t lreg[M2E_MAXGREG];
	size_t off, sz;
	unsigned w;

	w = a->ptrsize;
	if (flavor == MD2ELF_FLAVOR_LINUX) {
		/*
		 * Linux elf_prstatus: siginfo (3 ints), short pr_cursig,
		 * 2 longs, 4 pid_t, 4 timevals (2 longs each), pr_reg,
		 * int pr_fpvalid, padded to the long alignment.
		 */
		if (a->linux_gregsz > M2E_MAXGREG || a->linux_gregsz == 0)
			return (0);
		off = w == 8 ? 112 : 72;
		sz = off + a->linux_gregsz + 4;
		sz = (sz + w - 1) & ~(size_t)(w - 1);
		if (sz > M2E_MAXDESC)
			return (0);
		memset(out, 0, sz);
		le32enc_(out, (uint32_t)cursig);	/* si_signo */
		put16(out + 12, (uint16_t)cursig);	/* pr_cursig */
		le32enc_(out + (w == 8 ? 32 : 24), (uint32_t)tid);
		memset(lreg, 0, sizeof(lreg));
		if (greg != NULL && a->linux_regs != NULL)
			a->linux_regs(greg, lreg);
		memcpy(out + off, lreg, a->linux_gregsz);
		return (sz);
	}
	/* FreeBSD prstatus_t (sys/procfs.h). */
	if (a->gregsz > M2E_MAXGREG || a->gregsz == 0)
		return (0);
	off = w == 8 ? 48 : 28;
	sz = off + a->gregsz;
	if (sz > M2E_MAXDESC)
		return (0);
	memset(out, 0, sz);
	le32enc_(out, 1);				/* pr_version */
	put_word(out + w, w, sz);			/* pr_statussz */
	put_word(out + 2 * w, w, a->gregsz);		/* pr_gregsetsz */
	put_word(out + 3 * w, w, a->fpregsz);		/* pr_fpregsetsz */
	le32enc_(out + 4 * w, (uint32_t)osreldate);
	le32enc_(out + 4 * w + 4, (uint32_t)cursig);
	le32enc_(out + 4 * w + 8, (uint32_t)tid);	/* pr_pid */
	if (greg != NULL)
		memcpy(out + off, greg, a->gregsz);
	return (sz);
}

size_t
m2e_desc_prpsinfo(const struct m2e_arch *a, enum md2elf_flavor flavor,
    const char *fname, const char *psargs, uint8_t *out)
{
	size_t sz;

	if (flavor == MD2ELF_FLAVOR_LINUX) {
		/* Linux elf_prpsinfo: fname[16], psargs[80]. */
		sz = a->ptrsize == 8 ? 136 : 124;
		memset(out, 0, sz);
		out[1] = 'R';				/* pr_sname */
		put_str(out + (a->ptrsize == 8 ? 40 : 28), 16, fname);
		put_str(out + (a->ptrsize == 8 ? 56 : 44), 80, psargs);
		return (sz);
	}
	/* FreeBSD prpsinfo_t: fname[17], psargs[81], pid 0. */
	sz = a->ptrsize == 8 ? 120 : 112;
	memset(out, 0, sz);
	le32enc_(out, 1);				/* pr_version */
	put_word(out + a->ptrsize, a->ptrsize, sz);	/* pr_psinfosz */
	put_str(out + 2 * a->ptrsize, 17, fname);
	put_str(out + 2 * a->ptrsize + 17, 81, psargs);
	return (sz);
}

size_t
m2e_desc_thrmisc(const char *name, uint8_t *out)
{
	/* thrmisc_t: pr_tname[MAXCOMLEN + 1], u_int _pad. */
	memset(out, 0, 24);
	put_str(out, 20, name);
	return (24);
}

size_t
m2e_desc_auxv(const struct m2e_arch *a, enum md2elf_flavor flavor,
    uint64_t entry, uint8_t *out)
{
	size_t w, off;

	w = a->ptrsize;
	off = 0;
	if (flavor == MD2ELF_FLAVOR_FREEBSD) {
		/* int32 structsize = sizeof(Elf_Auxinfo), then the vector. */
		le32enc_(out, (uint32_t)(2 * w));
		off = 4;
	}
	put_word(out + off, (unsigned)w, AT_ENTRY_);
	put_word(out + off + w, (unsigned)w, entry);
	put_word(out + off + 2 * w, (unsigned)w, AT_NULL_);
	put_word(out + off + 3 * w, (unsigned)w, 0);
	return (off + 4 * w);
}

void
m2e_thread_name(const struct md2elf_thread *t, char *name, size_t len)
{
	char comm[sizeof(t->comm) + 1], tdname[sizeof(t->name) + 1];
	size_t l;

	if (len == 0)
		return;
	if (t->trap > 0) {
		/* A trap-frame thread: its own name ("trap 12 vm_fault"). */
		snprintf(name, len, "%.*s", (int)sizeof(t->name), t->name);
		return;
	}
	memcpy(comm, t->comm, sizeof(t->comm));
	comm[sizeof(t->comm)] = '\0';
	memcpy(tdname, t->name, sizeof(t->name));
	tdname[sizeof(t->name)] = '\0';
	/* As kgdb shows it: p_comm, and "/td_name" when that differs. */
	l = strlen(comm);
	if (l >= len)
		l = len - 1;
	memcpy(name, comm, l);
	name[l] = '\0';
	if (tdname[0] != '\0' && strcmp(comm, tdname) != 0 && l + 1 < len) {
		name[l++] = '/';
		name[l] = '\0';
		strncat(name, tdname, len - l - 1);
	}
}

int
m2e_note_add(struct m2e_notes *n, const char *owner, uint32_t type,
    const void *desc, size_t descsz)
{
	size_t namesz, need, ncap;
	uint8_t *p;

	namesz = strlen(owner) + 1;
	need = 12 + roundup4(namesz) + roundup4(descsz);
	if (descsz > UINT32_MAX || need > NOTES_MAXBUF - n->len)
		return (-1);
	if (n->len + need > n->cap) {
		ncap = n->cap != 0 ? n->cap : 4096;
		while (ncap < n->len + need)
			ncap *= 2;
		if ((p = realloc(n->buf, ncap)) == NULL)
			return (-1);
		n->buf = p;
		n->cap = ncap;
	}
	p = n->buf + n->len;
	memset(p, 0, need);
	le32enc_(p, (uint32_t)namesz);
	le32enc_(p + 4, (uint32_t)descsz);
	le32enc_(p + 8, type);
	memcpy(p + 12, owner, namesz);
	if (descsz > 0)
		memcpy(p + 12 + roundup4(namesz), desc, descsz);
	n->len += need;
	return (0);
}

void
m2e_notes_free(struct m2e_notes *n)
{
	free(n->buf);
	memset(n, 0, sizeof(*n));
}

/* Builder state passed through the thread walk. */
struct notes_ctx {
	md2elf_t		*d;
	struct m2e_notes	*n;
	enum md2elf_flavor	 flavor;
	const char		*owner;
	int			 osreldate;
	int			 failed;	/* 1 out of memory, 2 encoding */
};

static int
notes_thread(void *arg, const struct m2e_thread *t)
{
	struct notes_ctx *c;
	const struct m2e_arch *a;
	uint8_t desc[M2E_MAXDESC];
	char name[20];
	size_t sz;
	int sig;

	c = arg;
	a = c->d->arch;
	sig = t->pub.crashed ? SIGABRT_ : t->pub.signo;
	if (c->flavor == MD2ELF_FLAVOR_LINUX && sig == SIGBUS_FREEBSD)
		sig = SIGBUS_LINUX;
	sz = m2e_desc_prstatus(a, c->flavor, t->pub.tid, sig, c->osreldate,
	    t->greg, desc);
	if (sz == 0) {
		c->failed = 2;
		return (1);
	}
	if (m2e_note_add(c->n, c->owner, NT_PRSTATUS_, desc, sz) != 0) {
		c->failed = 1;
		return (1);
	}
	c->n->threads++;
	if (c->flavor == MD2ELF_FLAVOR_FREEBSD) {
		m2e_thread_name(&t->pub, name, sizeof(name));
		sz = m2e_desc_thrmisc(name, desc);
		if (m2e_note_add(c->n, c->owner, NT_THRMISC_, desc, sz) != 0) {
			c->failed = 1;
			return (1);
		}
	}
	return (0);
}

/* The first line of s, without trailing blanks, into buf. */
static void
notes_line(const char *s, char *buf, size_t len)
{
	size_t l;

	l = strcspn(s, "\n");
	if (l >= len)
		l = len - 1;
	memcpy(buf, s, l);
	while (l > 0 && (buf[l - 1] == ' ' || buf[l - 1] == '\t' ||
	    buf[l - 1] == '\r'))
		l--;
	buf[l] = '\0';
}

/*
 * NT_PRPSINFO's file name: the kernel file's base name (GDB compares it
 * with the executable's and warns when they differ), "kernel" without
 * one.  Its arguments: the panic string, else the kernel version, from
 * the kernel's memory when a kernel is set (kernel.c), else from the
 * kerneldumpheader, else "kernel".
 */
static void
notes_psinfo(md2elf_t *d, const char **fname, char *buf, size_t len)
{
	struct md2elf_kernel_info ki;
	const char *slash;

	memset(&ki, 0, sizeof(ki));
	if (d->kern != NULL && md2elf_get_kernel_info(d, &ki) != 0)
		memset(&ki, 0, sizeof(ki));
	*fname = "kernel";
	if (ki.path != NULL) {
		slash = strrchr(ki.path, '/');
		if (slash != NULL && slash[1] != '\0')
			*fname = slash + 1;
		else if (slash == NULL && ki.path[0] != '\0')
			*fname = ki.path;
	}
	if (ki.panicstr != NULL && ki.panicstr[0] != '\0')
		notes_line(ki.panicstr, buf, len);
	else if (d->has_kdh && d->kdh.panicstring[0] != '\0')
		notes_line(d->kdh.panicstring, buf, len);
	else if (ki.version != NULL && ki.version[0] != '\0')
		notes_line(ki.version, buf, len);
	else if (d->has_kdh && d->kdh.versionstring[0] != '\0')
		notes_line(d->kdh.versionstring, buf, len);
	else
		notes_line("kernel", buf, len);
}

int
m2e_notes_build(md2elf_t *d, enum md2elf_flavor flavor, struct m2e_notes *n)
{
	struct notes_ctx c;
	const struct m2e_arch *a;
	const uint8_t *bid;
	const char *fname;
	uint8_t desc[M2E_MAXDESC];
	char psargs[81];
	size_t sz, bidlen;
	uint64_t entry;

	memset(n, 0, sizeof(*n));
	a = d->arch;
	memset(&c, 0, sizeof(c));
	c.d = d;
	c.n = n;
	c.flavor = flavor;
	c.owner = flavor == MD2ELF_FLAVOR_LINUX ? "CORE" : "FreeBSD";

	notes_psinfo(d, &fname, psargs, sizeof(psargs));
	sz = m2e_desc_prpsinfo(a, flavor, fname, psargs, desc);
	if (m2e_note_add(n, c.owner, NT_PRPSINFO_, desc, sz) != 0)
		goto nomem;

	if (d->kern != NULL) {
		c.osreldate = m2e_osreldate(d);
		if (c.osreldate < 0)
			c.osreldate = 0;
		if (m2e_threads_flags(d, MD2ELF_THREADS_TRAPS, notes_thread,
		    &c) < 0 && !c.failed)
			goto fail;
		if (c.failed == 2)
			goto badarch;
		if (c.failed)
			goto nomem;
	}
	if (n->threads == 0) {
		/*
		 * No kernel (or no thread found): one thread with id 0, no
		 * signal and zero registers, since LLDB refuses a core
		 * without NT_PRSTATUS.
		 */
		sz = m2e_desc_prstatus(a, flavor, 0, 0, c.osreldate, NULL,
		    desc);
		if (sz == 0)
			goto badarch;
		if (m2e_note_add(n, c.owner, NT_PRSTATUS_, desc, sz) != 0)
			goto nomem;
		n->threads = 1;
	}
	if (d->kern != NULL) {
		/* LLDB loads the kernel at AT_ENTRY - e_entry: slide 0. */
		entry = m2e_kernel_entry(d);
		sz = m2e_desc_auxv(a, flavor, entry, desc);
		if (m2e_note_add(n, c.owner, flavor == MD2ELF_FLAVOR_LINUX ?
		    NT_AUXV_ : NT_PROCSTAT_AUXV_, desc, sz) != 0)
			goto nomem;
		bid = m2e_kernel_buildid(d, &bidlen);
		if (bid != NULL && bidlen > 0 && m2e_note_add(n,
		    M2E_NOTE_OWNER, M2E_NT_BUILDID, bid, bidlen) != 0)
			goto nomem;
	}
	return (0);
nomem:
	m2e_notes_free(n);
	return (m2e_err(d, "out of memory building the core's notes"));
badarch:
	m2e_notes_free(n);
	return (m2e_err(d, "cannot encode NT_PRSTATUS for %s (register set "
	    "of %zu bytes)", a->name, flavor == MD2ELF_FLAVOR_LINUX ?
	    a->linux_gregsz : a->gregsz));
fail:
	m2e_notes_free(n);
	return (-1);
}
