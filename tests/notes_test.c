/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * notes_test.c: the ELF core note encoders of libmd2elf (notes.c) against
 * the descriptor layouts of FreeBSD's sys/procfs.h and Linux's
 * elf_prstatus/elf_prpsinfo (include/linux/elfcore.h, offsets and sizes
 * written out in the cases): FreeBSD LP64 (amd64, arm64) and ILP32
 * (i386), the Linux flavour, NT_THRMISC names, AUXV and note padding.
 */
#include <stdint.h>
#include <string.h>

#include <atf-c.h>

#include "md2elf_private.h"

/* Layout-only descriptions of the 32-bit and arm64 register sets. */
static const struct m2e_arch arch_ilp32 = {
	.name = "i386", .ptrsize = 4, .gregsz = 76, .fpregsz = 176,
	.linux_gregsz = 68,
};
static const struct m2e_arch arch_arm64 = {
	.name = "arm64", .ptrsize = 8, .gregsz = 272, .fpregsz = 528,
	.linux_gregsz = 272,
};

static uint32_t
u32(const uint8_t *p)
{
	return (le32dec_(p));
}

static uint64_t
u64(const uint8_t *p)
{
	return (le64dec_(p));
}

/* A recognisable register set: byte i is i * 7 + 1. */
static void
fill_regs(uint8_t *g, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		g[i] = (uint8_t)(i * 7 + 1);
}

ATF_TC_WITHOUT_HEAD(prstatus_freebsd_amd64);
ATF_TC_BODY(prstatus_freebsd_amd64, tc)
{
	uint8_t out[M2E_MAXDESC], g[M2E_MAXGREG];
	size_t sz;

	ATF_REQUIRE_EQ(m2e_arch_amd64.gregsz, 176);
	fill_regs(g, 176);
	memset(out, 0xee, sizeof(out));
	sz = m2e_desc_prstatus(&m2e_arch_amd64, MD2ELF_FLAVOR_FREEBSD, 100123,
	    6, 1400097, g, out);
	ATF_CHECK_EQ(sz, 224);
	ATF_CHECK_EQ(u32(out + 0), 1);			/* pr_version */
	ATF_CHECK_EQ(u32(out + 4), 0);
	ATF_CHECK_EQ(u64(out + 8), 224);		/* pr_statussz */
	ATF_CHECK_EQ(u64(out + 16), 176);		/* pr_gregsetsz */
	ATF_CHECK_EQ(u64(out + 24), 512);		/* pr_fpregsetsz */
	ATF_CHECK_EQ(u32(out + 32), 1400097);		/* pr_osreldate */
	ATF_CHECK_EQ(u32(out + 36), 6);			/* pr_cursig */
	ATF_CHECK_EQ(u32(out + 40), 100123);		/* pr_pid */
	ATF_CHECK_EQ(u32(out + 44), 0);
	ATF_CHECK(memcmp(out + 48, g, 176) == 0);	/* pr_reg */
}

ATF_TC_WITHOUT_HEAD(prstatus_freebsd_ilp32_arm64);
ATF_TC_BODY(prstatus_freebsd_ilp32_arm64, tc)
{
	uint8_t out[M2E_MAXDESC], g[M2E_MAXGREG];
	size_t sz;

	fill_regs(g, 272);
	sz = m2e_desc_prstatus(&arch_ilp32, MD2ELF_FLAVOR_FREEBSD, 100007, 0,
	    1300139, g, out);
	ATF_CHECK_EQ(sz, 104);
	ATF_CHECK_EQ(u32(out + 0), 1);
	ATF_CHECK_EQ(u32(out + 4), 104);
	ATF_CHECK_EQ(u32(out + 8), 76);
	ATF_CHECK_EQ(u32(out + 12), 176);
	ATF_CHECK_EQ(u32(out + 16), 1300139);
	ATF_CHECK_EQ(u32(out + 20), 0);
	ATF_CHECK_EQ(u32(out + 24), 100007);
	ATF_CHECK(memcmp(out + 28, g, 76) == 0);

	sz = m2e_desc_prstatus(&arch_arm64, MD2ELF_FLAVOR_FREEBSD, 5, 6, 0,
	    g, out);
	ATF_CHECK_EQ(sz, 320);
	ATF_CHECK_EQ(u64(out + 8), 320);
	ATF_CHECK_EQ(u64(out + 16), 272);
	ATF_CHECK_EQ(u64(out + 24), 528);
	ATF_CHECK_EQ(u32(out + 40), 5);
	ATF_CHECK(memcmp(out + 48, g, 272) == 0);
}

ATF_TC_WITHOUT_HEAD(prstatus_linux);
ATF_TC_BODY(prstatus_linux, tc)
{
	uint8_t out[M2E_MAXDESC], g[M2E_MAXGREG];
	size_t sz, i;

	/* amd64 struct reg: rip at 136, rsp 160, rbp 80, rbx 88, r15 0. */
	memset(g, 0, sizeof(g));
	le64enc_(g + 136, 0xffffffff80b1c2d3ULL);
	le64enc_(g + 160, 0xfffffe00deadbe00ULL);
	le64enc_(g + 80, 0xfffffe00deadbef0ULL);
	le64enc_(g + 88, 0x1111);
	le64enc_(g + 0, 0x1515);
	memset(out, 0xee, sizeof(out));
	sz = m2e_desc_prstatus(&m2e_arch_amd64, MD2ELF_FLAVOR_LINUX, 100200, 6,
	    0, g, out);
	ATF_CHECK_EQ(sz, 336);
	ATF_CHECK_EQ(u32(out + 0), 6);			/* si_signo */
	ATF_CHECK_EQ(out[12] | out[13] << 8, 6);	/* pr_cursig */
	ATF_CHECK_EQ(u32(out + 32), 100200);		/* pr_pid */
	/* Linux x86-64 user_regs: r15 0, rbp 4, rbx 5, rip 16, rsp 19. */
	ATF_CHECK_EQ(u64(out + 112 + 0 * 8), 0x1515);
	ATF_CHECK_EQ(u64(out + 112 + 4 * 8), 0xfffffe00deadbef0ULL);
	ATF_CHECK_EQ(u64(out + 112 + 5 * 8), 0x1111);
	ATF_CHECK_EQ(u64(out + 112 + 16 * 8), 0xffffffff80b1c2d3ULL);
	ATF_CHECK_EQ(u64(out + 112 + 19 * 8), 0xfffffe00deadbe00ULL);
	ATF_CHECK_EQ(u32(out + 328), 0);		/* pr_fpvalid */
	for (i = 336; i < 340; i++)
		ATF_CHECK_EQ(out[i], 0xee);		/* nothing beyond */

	sz = m2e_desc_prstatus(&arch_ilp32, MD2ELF_FLAVOR_LINUX, 42, 0, 0, g,
	    out);
	ATF_CHECK_EQ(sz, 144);
	ATF_CHECK_EQ(u32(out + 24), 42);
	sz = m2e_desc_prstatus(&arch_arm64, MD2ELF_FLAVOR_LINUX, 43, 0, 0, g,
	    out);
	ATF_CHECK_EQ(sz, 392);
	ATF_CHECK_EQ(u32(out + 32), 43);
}

ATF_TC_WITHOUT_HEAD(prstatus_no_registers);
ATF_TC_BODY(prstatus_no_registers, tc)
{
	uint8_t out[M2E_MAXDESC];
	size_t sz, i;

	/* The placeholder thread of a core written without a kernel. */
	memset(out, 0xee, sizeof(out));
	sz = m2e_desc_prstatus(&m2e_arch_amd64, MD2ELF_FLAVOR_FREEBSD, 0, 0,
	    0, NULL, out);
	ATF_REQUIRE_EQ(sz, 224);
	ATF_CHECK_EQ(u32(out + 36), 0);
	ATF_CHECK_EQ(u32(out + 40), 0);
	for (i = 48; i < 224; i++)
		ATF_CHECK_EQ(out[i], 0);
}

ATF_TC_WITHOUT_HEAD(prpsinfo);
ATF_TC_BODY(prpsinfo, tc)
{
	uint8_t out[M2E_MAXDESC];
	char longargs[200];
	size_t sz;

	sz = m2e_desc_prpsinfo(&m2e_arch_amd64, MD2ELF_FLAVOR_FREEBSD,
	    "kernel", "page fault", out);
	ATF_CHECK_EQ(sz, 120);
	ATF_CHECK_EQ(u32(out + 0), 1);
	ATF_CHECK_EQ(u64(out + 8), 120);
	ATF_CHECK_STREQ((char *)out + 16, "kernel");
	ATF_CHECK_STREQ((char *)out + 33, "page fault");
	ATF_CHECK_EQ(u32(out + 116), 0);

	memset(longargs, 'x', sizeof(longargs) - 1);
	longargs[sizeof(longargs) - 1] = '\0';
	sz = m2e_desc_prpsinfo(&arch_ilp32, MD2ELF_FLAVOR_FREEBSD, "kernel",
	    longargs, out);
	ATF_CHECK_EQ(sz, 112);
	ATF_CHECK_EQ(u32(out + 4), 112);
	ATF_CHECK_STREQ((char *)out + 8, "kernel");
	ATF_CHECK_EQ(strlen((char *)out + 25), 80);	/* psargs[81] */
	ATF_CHECK_EQ(u32(out + 108), 0);

	sz = m2e_desc_prpsinfo(&m2e_arch_amd64, MD2ELF_FLAVOR_LINUX, "kernel",
	    longargs, out);
	ATF_CHECK_EQ(sz, 136);
	ATF_CHECK_EQ(out[1], 'R');
	ATF_CHECK_STREQ((char *)out + 40, "kernel");
	ATF_CHECK_EQ(strlen((char *)out + 56), 79);	/* psargs[80] */
	sz = m2e_desc_prpsinfo(&arch_ilp32, MD2ELF_FLAVOR_LINUX, "kernel",
	    "panic: x", out);
	ATF_CHECK_EQ(sz, 124);
	ATF_CHECK_STREQ((char *)out + 28, "kernel");
	ATF_CHECK_STREQ((char *)out + 44, "panic: x");
}

ATF_TC_WITHOUT_HEAD(thrmisc_and_names);
ATF_TC_BODY(thrmisc_and_names, tc)
{
	struct md2elf_thread t;
	uint8_t out[M2E_MAXDESC];
	char name[20];

	memset(&t, 0, sizeof(t));
	strcpy(t.comm, "intr");
	strcpy(t.name, "swi4: clock (0)");
	m2e_thread_name(&t, name, sizeof(name));
	ATF_CHECK_STREQ(name, "intr/swi4: clock (0");	/* 19 characters */
	strcpy(t.name, "intr");
	m2e_thread_name(&t, name, sizeof(name));
	ATF_CHECK_STREQ(name, "intr");
	t.name[0] = '\0';
	m2e_thread_name(&t, name, sizeof(name));
	ATF_CHECK_STREQ(name, "intr");
	/* A full 19-character comm leaves no room for "/name". */
	strcpy(t.comm, "abcdefghijklmnopqrs");
	strcpy(t.name, "other");
	m2e_thread_name(&t, name, sizeof(name));
	ATF_CHECK_STREQ(name, "abcdefghijklmnopqrs");

	memset(out, 0xee, sizeof(out));
	ATF_CHECK_EQ(m2e_desc_thrmisc("intr/swi4: clock (0) extra", out), 24);
	ATF_CHECK_EQ(memcmp(out, "intr/swi4: clock (0", 19), 0);
	ATF_CHECK_EQ(out[19], 0);
	ATF_CHECK_EQ(u32(out + 20), 0);
}

ATF_TC_WITHOUT_HEAD(auxv);
ATF_TC_BODY(auxv, tc)
{
	uint8_t out[M2E_MAXDESC];
	size_t sz;

	sz = m2e_desc_auxv(&m2e_arch_amd64, MD2ELF_FLAVOR_FREEBSD,
	    0xffffffff8037c000ULL, out);
	ATF_CHECK_EQ(sz, 36);
	ATF_CHECK_EQ(u32(out), 16);		/* sizeof(Elf64_Auxinfo) */
	ATF_CHECK_EQ(u64(out + 4), 9);		/* AT_ENTRY, no padding */
	ATF_CHECK_EQ(u64(out + 12), 0xffffffff8037c000ULL);
	ATF_CHECK_EQ(u64(out + 20), 0);		/* AT_NULL */
	ATF_CHECK_EQ(u64(out + 28), 0);
	sz = m2e_desc_auxv(&arch_ilp32, MD2ELF_FLAVOR_FREEBSD, 0x1000000,
	    out);
	ATF_CHECK_EQ(sz, 20);
	ATF_CHECK_EQ(u32(out), 8);
	ATF_CHECK_EQ(u32(out + 4), 9);
	ATF_CHECK_EQ(u32(out + 8), 0x1000000);
	ATF_CHECK_EQ(u32(out + 12), 0);
	sz = m2e_desc_auxv(&m2e_arch_amd64, MD2ELF_FLAVOR_LINUX,
	    0xffffffff8037c000ULL, out);
	ATF_CHECK_EQ(sz, 32);			/* NT_AUXV: no structsize */
	ATF_CHECK_EQ(u64(out), 9);
	ATF_CHECK_EQ(u64(out + 8), 0xffffffff8037c000ULL);
}

ATF_TC_WITHOUT_HEAD(note_encoding);
ATF_TC_BODY(note_encoding, tc)
{
	struct m2e_notes n;
	const uint8_t desc[5] = { 1, 2, 3, 4, 5 };

	memset(&n, 0, sizeof(n));
	ATF_REQUIRE_EQ(m2e_note_add(&n, "FreeBSD", 7, desc, 5), 0);
	ATF_REQUIRE_EQ(n.len, 12 + 8 + 8);
	ATF_CHECK_EQ(u32(n.buf), 8);		/* namesz with the NUL */
	ATF_CHECK_EQ(u32(n.buf + 4), 5);	/* descsz unpadded */
	ATF_CHECK_EQ(u32(n.buf + 8), 7);
	ATF_CHECK_EQ(memcmp(n.buf + 12, "FreeBSD", 8), 0);
	ATF_CHECK_EQ(memcmp(n.buf + 20, desc, 5), 0);
	ATF_CHECK_EQ(n.buf[25] | n.buf[26] | n.buf[27], 0);
	ATF_REQUIRE_EQ(m2e_note_add(&n, "CORE", 1, desc, 4), 0);
	ATF_REQUIRE_EQ(n.len, 28 + 12 + 8 + 4);
	ATF_CHECK_EQ(u32(n.buf + 28), 5);
	ATF_CHECK_EQ(memcmp(n.buf + 40, "CORE\0\0\0\0", 8), 0);
	ATF_CHECK_EQ(memcmp(n.buf + 48, desc, 4), 0);
	m2e_notes_free(&n);
	ATF_CHECK(n.buf == NULL && n.len == 0);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, prstatus_freebsd_amd64);
	ATF_TP_ADD_TC(tp, prstatus_freebsd_ilp32_arm64);
	ATF_TP_ADD_TC(tp, prstatus_linux);
	ATF_TP_ADD_TC(tp, prstatus_no_registers);
	ATF_TP_ADD_TC(tp, prpsinfo);
	ATF_TP_ADD_TC(tp, thrmisc_and_names);
	ATF_TP_ADD_TC(tp, auxv);
	ATF_TP_ADD_TC(tp, note_encoding);
	return (atf_no_error());
}
