/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * msgbuf.c: the kernel message buffer in dmesg order.
 *
 * With a kernel: msgbufp -> struct msgbuf (control block) -> the ring at
 * msg_ptr, msg_size bytes, oldest byte at msg_wseq % msg_size.  Without a
 * kernel, or when msgbufp is unusable: the minidump's message-buffer
 * section, whose page-rounded tail normally holds the control block right
 * after the text (msgbufinit() puts it there).  NUL bytes are dropped.
 * MD2ELF_MSGBUF_DMESG drops the partial first line of a wrapped ring.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md2elf_private.h"

#define	MSG_MAGIC_	0x063062
#define	MMAXMSGBUF	(64u * 1024 * 1024)	/* cap on msg_size */
#define	MCHUNK		65536			/* ring read size */

/* struct msgbuf, the fields used. */
struct mctl {
	uint64_t	 ptr;
	uint32_t	 magic, size, wseq, rseq;
};

/* Size of the decoded prefix (msg_ptr .. msg_flags). */
static size_t
mctl_size(unsigned ptrsize)
{
	return (ptrsize + 8 * 4);
}

static void
mctl_decode(const uint8_t *b, unsigned ptrsize, struct mctl *c)
{
	c->ptr = ptrsize == 8 ? le64dec_(b) : le32dec_(b);
	c->magic = le32dec_(b + ptrsize);
	c->size = le32dec_(b + ptrsize + 4);
	c->wseq = le32dec_(b + ptrsize + 8);
	c->rseq = le32dec_(b + ptrsize + 12);
}

/*
 * Ring in dmesg order, NULs dropped, into a new NUL-terminated string.
 * MD2ELF_MSGBUF_DMESG in flags: if the ring has wrapped, its oldest line
 * lost its start: drop it through its newline, as dmesg(8) does.  wseq
 * runs modulo 16 * size, so a ring that wrapped may have wseq < size; its
 * oldest byte (at the write position) is then not a NUL.
 */
static int
ring_out(md2elf_t *d, const uint8_t *ring, uint32_t size, uint32_t wseq,
    int flags, char **text, size_t *len)
{
	char *out, *nl;
	size_t n, i, pos, k;

	if ((out = malloc((size_t)size + 1)) == NULL)
		return (m2e_err(d, "out of memory"));
	pos = size > 0 ? wseq % size : 0;
	n = 0;
	for (k = 0; k < size; k++) {
		i = (pos + k) % size;
		if (ring[i] != '\0')
			out[n++] = (char)ring[i];
	}
	if ((flags & MD2ELF_MSGBUF_DMESG) && size > 0 &&
	    (wseq >= size || ring[pos] != '\0') &&
	    (nl = memchr(out, '\n', n)) != NULL) {
		k = (size_t)(nl + 1 - out);
		memmove(out, nl + 1, n - k);
		n -= k;
	}
	out[n] = '\0';
	*text = out;
	*len = n;
	return (0);
}

/* msg_size bytes of the ring from kernel memory. */
static uint8_t *
ring_from_memory(md2elf_t *d, const struct mctl *c)
{
	uint8_t *ring;
	size_t off, n;

	if ((ring = malloc(c->size)) == NULL)
		return (NULL);
	for (off = 0; off < c->size; off += n) {
		n = c->size - off > MCHUNK ? MCHUNK : c->size - off;
		if (m2e_read_va(d, c->ptr + off, ring + off, n) != 0) {
			free(ring);
			return (NULL);
		}
	}
	return (ring);
}

/* The control block through msgbufp: 0, or -1 with *why set. */
static int
ctl_from_kernel(md2elf_t *d, struct mctl *c, const char **why)
{
	uint8_t b[64];
	uint64_t va, mb;

	if (m2e_sym(d, "msgbufp", &va, NULL) != 0) {
		*why = "the kernel has no msgbufp";
		return (-1);
	}
	if (m2e_read_ptr(d, va, &mb) != 0) {
		*why = "msgbufp is not in the dump";
		return (-1);
	}
	if (mb == 0) {
		*why = "msgbufp is NULL";
		return (-1);
	}
	if (m2e_read_va(d, mb, b, mctl_size(d->arch->ptrsize)) != 0) {
		*why = "*msgbufp is not in the dump";
		return (-1);
	}
	mctl_decode(b, d->arch->ptrsize, c);
	if (c->magic != MSG_MAGIC_) {
		*why = "*msgbufp has a bad msg_magic";
		return (-1);
	}
	if (c->size == 0 || c->size > MMAXMSGBUF) {
		*why = "*msgbufp has an absurd msg_size";
		return (-1);
	}
	return (0);
}

/*
 * The minidump's section: its text, and the control block after it if
 * there is one (havectl).  *sect is malloc'ed, *sectlen text bytes.
 */
static int
section(md2elf_t *d, uint8_t **sect, uint32_t *sectlen, struct mctl *c,
    bool *havectl)
{
	uint64_t size, rounded, ps;
	uint8_t *buf;
	size_t cs;

	*havectl = false;
	if (d->format == NULL || strcmp(d->format, "minidump") != 0 ||
	    d->md.msgbufsize == 0)
		return (m2e_err(d, "the dump has no message-buffer section%s",
		    d->kern == NULL ? " and no kernel is set" : ""));
	size = d->md.msgbufsize;
	if (size > MMAXMSGBUF)
		return (m2e_err_at(d, d->md.off_msgbuf, "message buffer of "
		    "%ju bytes (at most %u accepted)", (uintmax_t)size,
		    MMAXMSGBUF));
	ps = d->md.pagesize != 0 ? d->md.pagesize : 4096;
	rounded = (size + ps - 1) / ps * ps;
	/* The rounded tail may be absent in a damaged file: text first. */
	if ((buf = malloc((size_t)rounded)) == NULL)
		return (m2e_err(d, "out of memory"));
	if (m2e_read(d, buf, (size_t)rounded, d->md.off_msgbuf,
	    "message buffer") != 0) {
		rounded = size;
		if (m2e_read(d, buf, (size_t)size, d->md.off_msgbuf,
		    "message buffer") != 0) {
			free(buf);
			return (-1);
		}
	}
	cs = mctl_size(d->arch->ptrsize);
	if (rounded - size >= cs) {
		mctl_decode(buf + size, d->arch->ptrsize, c);
		*havectl = c->magic == MSG_MAGIC_ && c->size == size;
	}
	*sect = buf;
	*sectlen = (uint32_t)size;
	return (0);
}

int
md2elf_msgbuf(md2elf_t *d, char **text, size_t *len)
{
	return (md2elf_msgbuf_flags(d, 0, text, len));
}

int
md2elf_msgbuf_flags(md2elf_t *d, int flags, char **text, size_t *len)
{
	struct mctl kc, sc;
	const char *why;
	uint8_t *ring, *sect = NULL;
	uint32_t sectlen = 0;
	bool havekc, havesc;
	int rv;

	*text = NULL;
	*len = 0;
	if (d->arch == NULL)
		return (m2e_err(d, "no message buffer: unknown architecture"));
	havekc = false;
	why = NULL;
	if (d->kern != NULL) {
		havekc = ctl_from_kernel(d, &kc, &why) == 0;
		if (havekc) {
			if ((ring = ring_from_memory(d, &kc)) != NULL) {
				rv = ring_out(d, ring, kc.size, kc.wseq, flags,
				    text, len);
				free(ring);
				return (rv);
			}
			why = "the ring at msg_ptr is not in the dump";
		}
	}
	if (section(d, &sect, &sectlen, &sc, &havesc) != 0) {
		char save[MD2ELF_ERRBUF_SIZE];

		/* Keep the section's reason, without its "path: ". */
		snprintf(save, sizeof(save), "%s", m2e_errwhy(d));
		return (m2e_err(d, "no message buffer: %s%s%s",
		    why != NULL ? why : "", why != NULL ? "; " : "", save));
	}
	if (why != NULL)
		m2e_warn(d, "msgbuf: %s; using the dump's message-buffer "
		    "section", why);
	if (havekc && kc.size == sectlen)
		rv = ring_out(d, sect, sectlen, kc.wseq, flags, text, len);
	else if (havesc)
		rv = ring_out(d, sect, sectlen, sc.wseq, flags, text, len);
	else {
		m2e_warn(d, "msgbuf: no control block after the message-buffer "
		    "section; text left in buffer order, not dmesg order");
		rv = ring_out(d, sect, sectlen, 0, 0, text, len);
	}
	free(sect);
	return (rv);
}
