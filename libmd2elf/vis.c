/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * vis.c: md2elf_vis(), text from a dump made safe to print.  Hostnames,
 * version and panic strings and the message buffer are the crashed
 * kernel's bytes: printed raw, an embedded newline forges lines of
 * savecore's info.N and escape sequences reach the terminal.  Encoded as
 * vis(3) does with VIS_CSTYLE | VIS_OCTAL, or (MD2ELF_VIS_DMESG) as
 * dmesg(8) encodes the message buffer: vis(3)'s default style.
 */
#include <stdio.h>
#include <string.h>

#include "md2elf_private.h"

/* Append c (or its escape) to dst; o counts the full result. */
static size_t
vis_put(char *dst, size_t dstsize, size_t o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, o++)
		if (o + 1 < dstsize)
			dst[o] = s[i];
	return (o);
}

/*
 * vis(3)'s default style (flags 0), as dmesg(8) prints the message buffer:
 * printable ASCII, space, tab and newline as they are; the backslash and
 * the bytes whose low 7 bits are a space in octal (\134, \240); other
 * bytes \^C (control), \M-c (high bit set), \M^C (both), \^? (DEL).
 */
static size_t
vis_default(char *dst, size_t dstsize, size_t o, unsigned c)
{
	char esc[6];
	size_t n;

	if ((c > 0x20 && c < 0x7f && c != '\\') || c == ' ' || c == '\t' ||
	    c == '\n') {
		esc[0] = (char)c;
		return (vis_put(dst, dstsize, o, esc, 1));
	}
	if (c == '\\' || (c & 0x7f) == ' ') {
		snprintf(esc, sizeof(esc), "\\%03o", c);
		return (vis_put(dst, dstsize, o, esc, 4));
	}
	n = 0;
	esc[n++] = '\\';
	if (c & 0x80) {
		c &= 0x7f;
		esc[n++] = 'M';
	}
	if (c < 0x20 || c == 0x7f) {
		esc[n++] = '^';
		esc[n++] = c == 0x7f ? '?' : (char)(c + '@');
	} else {
		esc[n++] = '-';
		esc[n++] = (char)c;
	}
	return (vis_put(dst, dstsize, o, esc, n));
}

size_t
md2elf_vis(char *dst, size_t dstsize, const char *src, size_t len,
    int flags)
{
	const unsigned char *p;
	char esc[5];
	size_t i, o;
	unsigned c;

	p = (const unsigned char *)src;
	o = 0;
	for (i = 0; i < len; i++) {
		c = p[i];
		if (flags & MD2ELF_VIS_DMESG) {
			o = vis_default(dst, dstsize, o, c);
			continue;
		}
		if ((c >= 0x20 && c < 0x7f && c != '\\') ||
		    ((flags & MD2ELF_VIS_LINES) && (c == '\n' || c == '\t'))) {
			esc[0] = (char)c;
			o = vis_put(dst, dstsize, o, esc, 1);
			continue;
		}
		switch (c) {
		case '\\':
			o = vis_put(dst, dstsize, o, "\\\\", 2);
			break;
		case '\n':
			o = vis_put(dst, dstsize, o, "\\n", 2);
			break;
		case '\r':
			o = vis_put(dst, dstsize, o, "\\r", 2);
			break;
		case '\t':
			o = vis_put(dst, dstsize, o, "\\t", 2);
			break;
		default:
			snprintf(esc, sizeof(esc), "\\%03o", c);
			o = vis_put(dst, dstsize, o, esc, 4);
			break;
		}
	}
	if (dstsize > 0)
		dst[o < dstsize ? o : dstsize - 1] = '\0';
	return (o);
}
