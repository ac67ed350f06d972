/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * sections.c: md2elf_get_sections(), the layout of the dump data as the
 * reader found it (the sections of a minidump, in file order), for
 * programs that show what they read.
 */
#include <string.h>

#include "md2elf_private.h"

int
md2elf_get_sections(md2elf_t *d, struct md2elf_section *sec, size_t max)
{
	const struct m2e_minidump *md;
	struct md2elf_section all[6];
	size_t i, n;

	if (d->arch == NULL || d->md.pagesize == 0)
		return (m2e_err(d, "no minidump is open"));
	if (d->full != NULL)
		return (m2e_full_sections(d, sec, max));
	md = &d->md;
	n = 0;
	all[n++] = (struct md2elf_section){ "header", 0, md->off_msgbuf,
	    md->off_msgbuf };
	all[n++] = (struct md2elf_section){ "msgbuf", md->off_msgbuf,
	    md->off_avail - md->off_msgbuf, md->msgbufsize };
	all[n++] = (struct md2elf_section){ "avail", md->off_avail,
	    md->off_bitmap - md->off_avail, md->availsize };
	all[n++] = (struct md2elf_section){ "bitmap", md->off_bitmap,
	    md->off_pmap - md->off_bitmap, md->bitmapsize };
	all[n++] = (struct md2elf_section){ "pmap", md->off_pmap,
	    md->off_pages - md->off_pmap, md->pmapsize };
	all[n++] = (struct md2elf_section){ "pages", md->off_pages,
	    md->npages * md->pagesize, md->npages * md->pagesize };
	for (i = 0; i < n && i < max; i++)
		sec[i] = all[i];
	return ((int)n);
}
