/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_decomp.c: fuzz harness for the streaming decompressor
 * (md2elf_decomp_*), which savecore -u drives with the device's bytes.
 * Byte 0 picks gzip (even) or zstd (odd), byte 1 the size of the pieces
 * fed (1 to 256 bytes, and 4 KiB-multiples above 127); the rest is the
 * stream.  It is decompressed twice, in those pieces and whole: both runs
 * must agree (success, bytes out and their hash, members, ignored bytes,
 * the message), every message is one line starting "offset 0x", and the
 * output is bounded (the sink stops past 64 MiB).  Accepted: a stream that
 * decompresses whole.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "md2elf.h"

#define	MAXOUT	(64ULL * 1024 * 1024)	/* the sink stops beyond */

struct run {
	uint64_t	 out;
	uint64_t	 hash;
	int		 stopped;
	int		 rc;
	struct md2elf_decomp_stats st;
	char		 err[MD2ELF_ERRBUF_SIZE];
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return (0);
}

static int
sink(void *arg, const void *buf, size_t len)
{
	struct run *r = arg;
	const uint8_t *p = buf;
	size_t i;

	if (len == 0)
		fuzz_fail("sink called with no bytes");
	for (i = 0; i < len; i++)
		r->hash = (r->hash ^ p[i]) * 0x100000001b3ULL;
	r->out += len;
	if (r->out > MAXOUT) {
		r->stopped = 1;
		return (7);
	}
	return (0);
}

static void
run(int comp, const uint8_t *in, size_t len, size_t piece, struct run *r)
{
	md2elf_decomp_t *dc;
	size_t off, n;

	memset(r, 0, sizeof(*r));
	r->hash = 0xcbf29ce484222325ULL;
	dc = md2elf_decomp_open(comp, 0x1000, sink, r, r->err);
	if (dc == NULL)
		fuzz_fail("md2elf_decomp_open: %s", r->err);
	r->rc = 0;
	for (off = 0; off < len && r->rc == 0; off += n) {
		n = len - off < piece ? len - off : piece;
		r->rc = md2elf_decomp_write(dc, in + off, n);
	}
	if (r->rc == 7 && !r->stopped)
		fuzz_fail("the sink's stop value without a stop");
	if (r->rc == 0)
		r->rc = md2elf_decomp_finish(dc);
	if (r->rc == -1) {
		snprintf(r->err, sizeof(r->err), "%s", md2elf_decomp_geterr(dc));
		if (strncmp(r->err, "offset 0x", 9) != 0 ||
		    strchr(r->err, '\n') != NULL)
			fuzz_fail("decompression message \"%s\"", r->err);
	} else if (r->rc != 0 && r->rc != 7)
		fuzz_fail("md2elf_decomp_write returned %d", r->rc);
	md2elf_decomp_stats(dc, &r->st);
	if (r->st.out != r->out && !r->stopped)
		fuzz_fail("stats: %ju bytes out, the sink had %ju",
		    (uintmax_t)r->st.out, (uintmax_t)r->out);
	if (r->rc == 0 && r->st.in != len)
		fuzz_fail("stats: %ju bytes in of %zu", (uintmax_t)r->st.in, len);
	md2elf_decomp_close(dc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run a, b;
	size_t piece;
	int comp;

	fuzz_accepted = 0;
	if (size < 2)
		return (0);
	comp = data[0] & 1 ? MD2ELF_COMP_ZSTD : MD2ELF_COMP_GZIP;
	piece = data[1] < 128 ? (size_t)data[1] + 1 :
	    (size_t)(data[1] - 127) * 4096;
	run(comp, data + 2, size - 2, piece, &a);
	run(comp, data + 2, size - 2, size, &b);
	if (a.stopped || b.stopped)
		return (0);
	/* Where an error is found can depend on the pieces; not whether. */
	if ((a.rc == 0) != (b.rc == 0))
		fuzz_fail("pieces of %zu: %s; whole: %s", piece,
		    a.rc == 0 ? "ok" : a.err, b.rc == 0 ? "ok" : b.err);
	if (a.rc == 0 && (a.out != b.out || a.hash != b.hash ||
	    a.st.members != b.st.members || a.st.ignored != b.st.ignored ||
	    a.st.ignored_off != b.st.ignored_off))
		fuzz_fail("pieces of %zu and whole disagree: %ju/%ju bytes, "
		    "%ju/%ju members, %ju/%ju ignored", piece,
		    (uintmax_t)a.out, (uintmax_t)b.out,
		    (uintmax_t)a.st.members, (uintmax_t)b.st.members,
		    (uintmax_t)a.st.ignored, (uintmax_t)b.st.ignored);
	fuzz_accepted = b.rc == 0;
	return (0);
}
