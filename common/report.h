/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * report.h: the crash report (report.c, in libcommon.a): md2elf -r and
 * savecore -e's core.txt.N.
 */
#ifndef MD2ELF_REPORT_H
#define MD2ELF_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "md2elf.h"

/*
 * Writes d's crash report to out, as text or (js) one JSON object.  hdr,
 * if not NULL, is the dump's kerneldumpheader when d was opened without it
 * (savecore's vmcore.N): host, time, version and panic come from it.  -1
 * on failure: *why says what (NULL: the library's error, md2elf_geterr()).
 */
int	report_write(md2elf_t *d, const struct md2elf_kdh *hdr, FILE *out,
	    bool js, const char **why);

#endif /* !MD2ELF_REPORT_H */
