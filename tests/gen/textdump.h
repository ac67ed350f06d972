/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * textdump.h: mkdump -t, textdumps as sys/ddb/db_textdump.c writes them
 * (textdump.c).
 */
#ifndef GEN_TEXTDUMP_H
#define GEN_TEXTDUMP_H

#include <stddef.h>

#include "dumpout.h"
#include "model.h"

/*
 * The model's textdump: ddb.txt, config.txt, msgbuf.txt, panic.txt,
 * version.txt.  cont DK_DEVICE: a dump device image (blocks written
 * backwards below the trailing header); DK_NONE: the textdump.tar.N
 * savecore makes of it.  verbose: print the members as "td_file NAME SIZE".
 */
int	write_textdump(const struct model *, struct kdhinfo *, const char *out,
	    enum dcont cont, int verbose, char *err, size_t errlen);

#endif /* !GEN_TEXTDUMP_H */
