/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_kdh.c: fuzz harness for the kerneldumpheader decoder and the
 * container detection around it.  The first 512 bytes go to
 * m2e_kdh_decode() and m2e_kdh_parity_ok(); the decoded strings must be
 * terminated within their fields and the fields consistent.  Then the
 * whole input is opened as a file (a leading header, a device image with
 * a trailing header), plain and forced; an accepted input must describe
 * itself consistently.  Accepted: a header decoded at offset 0, or a
 * dump opened without force.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "md2elf_private.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return (0);
}

static void
check_str(const char *s, size_t max, const char *what)
{
	if (memchr(s, '\0', max + 1) == NULL)
		fuzz_fail("kerneldumpheader %s not terminated", what);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char errbuf[MD2ELF_ERRBUF_SIZE], msg[128];
	struct md2elf_info info;
	struct md2elf_kdh h;
	const char *path;
	md2elf_t *d;
	int flags;

	fuzz_accepted = 0;
	if (size >= KDH_SIZE) {
		msg[0] = '\0';
		if (m2e_kdh_decode(data, &h, msg, sizeof(msg)) == 0) {
			fuzz_accepted = 1;
			if (h.version < 1 || h.version > 4)
				fuzz_fail("kerneldumpheader version %u decoded",
				    h.version);
			check_str(h.magic, 20, "magic");
			check_str(h.arch, 12, "architecture");
			check_str(h.hostname, 64, "hostname");
			check_str(h.versionstring, 192, "versionstring");
			check_str(h.panicstring, 192, "panicstring");
			if (h.compression < 0 || h.compression > 255)
				fuzz_fail("compression %d", h.compression);
			if (h.version < 3 && h.dumpextent != h.dumplength)
				fuzz_fail("version %u header with an extent",
				    h.version);
		} else if (msg[0] == '\0' || strchr(msg, '\n') != NULL)
			fuzz_fail("m2e_kdh_decode: bad message \"%s\"", msg);
		(void)m2e_kdh_parity_ok(data);
	}

	path = fuzz_file(0, data, size);
	for (flags = 0; flags <= MD2ELF_OPEN_FORCE; flags += MD2ELF_OPEN_FORCE) {
		if ((d = md2elf_open(path, flags, errbuf)) == NULL) {
			fuzz_check_err(path, errbuf, "md2elf_open");
			continue;
		}
		if (flags == 0)
			fuzz_accepted = 1;
		md2elf_set_warn(d, fuzz_warn, NULL);
		if (md2elf_get_info(d, &info) != 0)
			fuzz_fail("md2elf_get_info fails on an open dump");
		if (info.has_header && (info.hostname == NULL ||
		    strlen(info.hostname) > 64 || info.versionstring == NULL ||
		    strlen(info.versionstring) > 192 ||
		    info.panicstring == NULL || strlen(info.panicstring) > 192))
			fuzz_fail("header strings of an open dump");
		md2elf_close(d);
		break;
	}
	return (0);
}
