/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * vis.c: md2elf_vis(), text from a dump made safe to print.  Hostnames,
 * version and panic strings and the message buffer are the crashed
 * kernel's bytes: printed raw, an embedded newline forges lines of
 * savecore's info.N and escape sequences reach the terminal.  Encoded as
 * vis(3) does with VIS_CSTYLE | VIS_OCTAL.
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
