/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * crashrep.c: -e -K, the crash report core.txt.N next to vmcore.N (the
 * name crashinfo(8) gives it): the text report of md2elf -r, from the
 * shared formatter (libreport.a), made in memory, then written under a
 * temporary name if the dump directory holds it above minfree, and
 * renamed.  Any failure is one line and nothing else: the saved dump and
 * info.N are never touched, and savecore's exit status does not change.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "savecore.h"

/* The one line saying why there is no core.txt.N. */
void
no_crash_report(const char *savedir, int bounds, const char *why)
{
	logmsg("no crash report %s/core.txt.%d: %s", savedir, bounds, why);
}

void
write_crash_report(md2elf_t *d, const struct md2elf_kdh *hdr,
    const char *savedir, int bounds)
{
	char name[64], *buf;
	const char *why;
	struct outfile o;
	int64_t available, minfree, needed, spacefree;
	size_t len;
	FILE *f;
	int rc;

	snprintf(name, sizeof(name), "core.txt.%d", bounds);
	buf = NULL;
	len = 0;
	if ((f = open_memstream(&buf, &len)) == NULL) {
		no_crash_report(savedir, bounds, strerror(errno));
		return;
	}
	rc = report_write(d, hdr, f, false, &why);
	if (fclose(f) != 0 && rc == 0) {
		rc = -1;
		why = "out of memory";
	}
	if (rc != 0) {
		no_crash_report(savedir, bounds, why != NULL ? why :
		    md2elf_geterr(d));
		free(buf);
		return;
	}
	/* Above minfree, as the dump itself and the ELF core. */
	available = space_available(savedir, &minfree, &spacefree);
	needed = (int64_t)((len + 1023) / 1024);
	if (available < needed) {
		logmsg("no crash report: not enough free space on device (need "
		    "at least %jdkB for %s; %jdkB available; %jdkB reserved)",
		    (intmax_t)needed, name, (intmax_t)(available + minfree),
		    (intmax_t)minfree);
		free(buf);
		return;
	}
	if (outfile_open(&o, name, 0600) < 0) {
		no_crash_report(savedir, bounds, strerror(errno));
		free(buf);
		return;
	}
	logmsg("writing crash report to %s/%s", savedir, name);
	if (m2e_pwrite_full(o.fd, buf, len, 0, NULL) != 0) {
		no_crash_report(savedir, bounds, strerror(errno));
		outfile_abort(&o);
	} else if (outfile_commit(&o, false) != 0)
		no_crash_report(savedir, bounds, strerror(errno));
	free(buf);
}
