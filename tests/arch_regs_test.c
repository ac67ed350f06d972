/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * arch_regs_test.c: the i386 and arm64 register decoders of libmd2elf
 * (arch_i386.c, arch_arm64.c) against hand-made pcbs of every layout:
 * i386 layout C (10.2 and later; older kernels lack the offsets the
 * thread walk needs, and their layouts are not decoded); arm64 12.x/13.x
 * and 14+ layouts chosen by osreldate, or by which pcb_sp looks like a
 * kernel stack pointer when osreldate is unknown; pcb_size too small
 * for the layout; FreeBSD struct reg and Linux pr_reg placement; the
 * ops-table constants.
 */
#include <stdlib.h>
#include <string.h>

#include <atf-c.h>
#include <gelf.h>

#include "md2elf_private.h"

static md2elf_t *
handle(void)
{
	md2elf_t *d;

	d = calloc(1, sizeof(*d));
	ATF_REQUIRE(d != NULL);
	return (d);
}

/* A pcb whose 32-bit word i is 0x10000000 * (i + 1) + i. */
static void
i386_fill(uint8_t *pcb, size_t len)
{
	size_t i;

	for (i = 0; i < len / 4; i++)
		le32enc_(pcb + i * 4, 0x10000000u * (uint32_t)(i + 1) +
		    (uint32_t)i);
}

static uint32_t
i386_word(size_t off)
{
	return (0x10000000u * (uint32_t)(off / 4 + 1) + (uint32_t)(off / 4));
}

/* Check greg (FreeBSD struct reg) and the frame for one pcb layout. */
static void
i386_check(int osreldate, size_t edi, size_t esi, size_t ebp, size_t esp,
    size_t ebx, size_t eip)
{
	const struct m2e_arch *a = &m2e_arch_i386;
	uint8_t pcb[0xc0], greg[M2E_MAXGREG], lg[M2E_MAXGREG];
	struct m2e_frame f;
	md2elf_t *d;

	d = handle();
	i386_fill(pcb, sizeof(pcb));
	memset(greg, 0xee, sizeof(greg));
	ATF_REQUIRE_EQ_MSG(a->pcb_regs(d, pcb, sizeof(pcb), osreldate, greg,
	    &f), 0, "osreldate %d: %s", osreldate, d->err);
	/* fs es ds edi esi ebp isp ebx edx ecx eax trapno err eip cs
	   eflags esp ss gs */
	ATF_CHECK_EQ(le32dec_(greg + 0), 0x08);
	ATF_CHECK_EQ(le32dec_(greg + 4), 0x28);
	ATF_CHECK_EQ(le32dec_(greg + 8), 0x28);
	ATF_CHECK_EQ(le32dec_(greg + 12), i386_word(edi));
	ATF_CHECK_EQ(le32dec_(greg + 16), i386_word(esi));
	ATF_CHECK_EQ(le32dec_(greg + 20), i386_word(ebp));
	ATF_CHECK_EQ(le32dec_(greg + 24), 0);
	ATF_CHECK_EQ(le32dec_(greg + 28), i386_word(ebx));
	ATF_CHECK_EQ(le32dec_(greg + 32), 0);
	ATF_CHECK_EQ(le32dec_(greg + 36), 0);
	ATF_CHECK_EQ(le32dec_(greg + 40), 0);
	ATF_CHECK_EQ(le32dec_(greg + 52), i386_word(eip));
	ATF_CHECK_EQ(le32dec_(greg + 56), 0x20);
	ATF_CHECK_EQ(le32dec_(greg + 60), 0x202);
	ATF_CHECK_EQ(le32dec_(greg + 64), i386_word(esp));
	ATF_CHECK_EQ(le32dec_(greg + 68), 0x28);
	ATF_CHECK_EQ(le32dec_(greg + 72), 0x28);
	ATF_CHECK_EQ(greg[76], 0xee);		/* nothing past struct reg */
	ATF_CHECK_EQ(f.pc, i386_word(eip));
	ATF_CHECK_EQ(f.sp, i386_word(esp));
	ATF_CHECK_EQ(f.fp, i386_word(ebp));
	/* Without a frame (the thread walker may pass none). */
	ATF_CHECK_EQ(a->pcb_regs(d, pcb, sizeof(pcb), osreldate, greg, NULL),
	    0);
	/* Linux pr_reg: ebx ecx edx esi edi ebp eax ds es fs gs orig_eax
	   eip cs eflags esp ss. */
	memset(lg, 0xee, sizeof(lg));
	a->linux_regs(greg, lg);
	ATF_CHECK_EQ(le32dec_(lg + 0), i386_word(ebx));
	ATF_CHECK_EQ(le32dec_(lg + 4), 0);
	ATF_CHECK_EQ(le32dec_(lg + 8), 0);
	ATF_CHECK_EQ(le32dec_(lg + 12), i386_word(esi));
	ATF_CHECK_EQ(le32dec_(lg + 16), i386_word(edi));
	ATF_CHECK_EQ(le32dec_(lg + 20), i386_word(ebp));
	ATF_CHECK_EQ(le32dec_(lg + 24), 0);
	ATF_CHECK_EQ(le32dec_(lg + 28), 0x28);
	ATF_CHECK_EQ(le32dec_(lg + 32), 0x28);
	ATF_CHECK_EQ(le32dec_(lg + 36), 0x08);
	ATF_CHECK_EQ(le32dec_(lg + 40), 0x28);
	ATF_CHECK_EQ(le32dec_(lg + 44), 0xffffffffu);
	ATF_CHECK_EQ(le32dec_(lg + 48), i386_word(eip));
	ATF_CHECK_EQ(le32dec_(lg + 52), 0x20);
	ATF_CHECK_EQ(le32dec_(lg + 56), 0x202);
	ATF_CHECK_EQ(le32dec_(lg + 60), i386_word(esp));
	ATF_CHECK_EQ(le32dec_(lg + 64), 0x28);
	ATF_CHECK_EQ(lg[68], 0xee);		/* 17 words only */
	/* A pcb that ends before eip is refused. */
	ATF_CHECK_EQ(a->pcb_regs(d, pcb, eip + 3, osreldate, greg, &f), -1);
	ATF_CHECK_MSG(strstr(d->err, "too small") != NULL, "%s", d->err);
	free(d);
}

ATF_TC_WITHOUT_HEAD(i386_layouts);
ATF_TC_BODY(i386_layouts, tc)
{
	const struct m2e_arch *a = &m2e_arch_i386;

	ATF_CHECK_EQ(a->gregsz, 76);
	ATF_CHECK_EQ(a->fpregsz, 176);
	ATF_CHECK_EQ(a->linux_gregsz, 68);
	ATF_CHECK_EQ(a->ptrsize, 4);
	ATF_CHECK_EQ(a->elfclass, ELFCLASS32);
	ATF_CHECK_EQ(a->elfmachine, 3);
	ATF_CHECK_STREQ(a->name, "i386");	/* minidump magic's suffix */
	ATF_CHECK_STREQ(a->machine_arch, "i386");
	/* C: edi esi ebp esp ebx eip at 0..20 (13.x, 10.2, unknown). */
	i386_check(1302000, 0, 4, 8, 12, 16, 20);
	i386_check(1001505, 0, 4, 8, 12, 16, 20);
	i386_check(0, 0, 4, 8, 12, 16, 20);
	/* Older layouts are not decoded: an older osreldate reads C. */
	i386_check(1001504, 0, 4, 8, 12, 16, 20);
}

/* arm64: a pcb whose 64-bit word i is 0xa000000000000000 | i << 8. */
static void
arm64_fill(uint8_t *pcb, size_t len)
{
	size_t i;

	for (i = 0; i < len / 8; i++)
		le64enc_(pcb + i * 8, 0xa000000000000000ULL | (uint64_t)i << 8);
}

static uint64_t
arm64_word(size_t off)
{
	return (0xa000000000000000ULL | (uint64_t)(off / 8) << 8);
}

/*
 * Check greg and Linux pr_reg: x[first..29] from pcb word first - base,
 * lr from word lrw, sp from word spw; the rest zero.
 */
static void
arm64_check(const uint8_t *greg, int first, int base, int lrw, uint64_t sp,
    const struct m2e_frame *f)
{
	const struct m2e_arch *a = &m2e_arch_arm64;
	uint8_t lg[M2E_MAXGREG];
	int i;

	for (i = 0; i < 30; i++)
		ATF_CHECK_EQ_MSG(le64dec_(greg + i * 8), i < first ? 0 :
		    arm64_word((size_t)(i - base) * 8), "x%d", i);
	ATF_CHECK_EQ(le64dec_(greg + 240), arm64_word((size_t)lrw * 8));
	ATF_CHECK_EQ(le64dec_(greg + 248), sp);
	ATF_CHECK_EQ(le64dec_(greg + 256), arm64_word((size_t)lrw * 8));
	ATF_CHECK_EQ(le64dec_(greg + 264), 0x3c5);
	ATF_CHECK_EQ(f->pc, arm64_word((size_t)lrw * 8));
	ATF_CHECK_EQ(f->sp, sp);
	ATF_CHECK_EQ(f->fp, arm64_word((size_t)(29 - base) * 8));
	memset(lg, 0xee, sizeof(lg));
	a->linux_regs(greg, lg);
	for (i = 0; i < 30; i++)
		ATF_CHECK_EQ(le64dec_(lg + i * 8), le64dec_(greg + i * 8));
	ATF_CHECK_EQ(le64dec_(lg + 30 * 8), le64dec_(greg + 240));	/* lr */
	ATF_CHECK_EQ(le64dec_(lg + 31 * 8), sp);			/* sp */
	ATF_CHECK_EQ(le64dec_(lg + 32 * 8), le64dec_(greg + 240));	/* pc */
	ATF_CHECK_EQ(le64dec_(lg + 33 * 8), 0x3c5);		/* pstate */
	ATF_CHECK_EQ(lg[272], 0xee);
}

ATF_TC_WITHOUT_HEAD(arm64_layouts);
ATF_TC_BODY(arm64_layouts, tc)
{
	const struct m2e_arch *a = &m2e_arch_arm64;
	uint8_t pcb[0x560], greg[M2E_MAXGREG];
	struct m2e_frame f;
	md2elf_t *d;

	ATF_CHECK_EQ(a->gregsz, 272);
	ATF_CHECK_EQ(a->fpregsz, 528);
	ATF_CHECK_EQ(a->linux_gregsz, 272);
	ATF_CHECK_EQ(a->ptrsize, 8);
	ATF_CHECK_EQ(a->elfclass, ELFCLASS64);
	ATF_CHECK_EQ(a->elfmachine, 183);
	ATF_CHECK_STREQ(a->name, "arm64");	/* minidump magic's suffix */
	ATF_CHECK_STREQ(a->machine_arch, "aarch64");	/* kerneldumpheader */
	d = handle();
	arm64_fill(pcb, sizeof(pcb));

	/* 14+: pcb_x[12] = x19..x30 at 0, pcb_sp at 96 (word 12). */
	memset(greg, 0xee, sizeof(greg));
	ATF_REQUIRE_EQ_MSG(a->pcb_regs(d, pcb, sizeof(pcb), 1400084, greg,
	    &f), 0, "%s", d->err);
	arm64_check(greg, 19, 19, 11, arm64_word(96), &f);
	ATF_CHECK_EQ(greg[272], 0xee);
	/* 12.x/13.x: pcb_x[31] = x0..x30, pcb_pc (ignored), pcb_sp at 256. */
	ATF_REQUIRE_EQ_MSG(a->pcb_regs(d, pcb, sizeof(pcb), 1400083, greg,
	    &f), 0, "%s", d->err);
	arm64_check(greg, 0, 0, 30, arm64_word(256), &f);
	ATF_REQUIRE_EQ(a->pcb_regs(d, pcb, sizeof(pcb), 1302000, greg, &f),
	    0);
	arm64_check(greg, 0, 0, 30, arm64_word(256), &f);

	/* pcb_size too small for the layout osreldate names. */
	ATF_CHECK_EQ(a->pcb_regs(d, pcb, 103, 1400097, greg, &f), -1);
	ATF_CHECK_MSG(strstr(d->err, "pcb_size 103") != NULL, "%s", d->err);
	ATF_CHECK_EQ(a->pcb_regs(d, pcb, 104, 1400097, greg, NULL), 0);
	ATF_CHECK_EQ(a->pcb_regs(d, pcb, 263, 1302000, greg, &f), -1);
	ATF_CHECK_MSG(strstr(d->err, "12/13") != NULL, "%s", d->err);
	ATF_CHECK_EQ(a->pcb_regs(d, pcb, 264, 1302000, greg, NULL), 0);

	/* No osreldate: the layout whose pcb_sp is a kernel stack pointer. */
	le64enc_(pcb + 96, 0x1234);			/* not a stack */
	le64enc_(pcb + 256, 0xffff000012345670ULL);	/* kernel stack */
	ATF_REQUIRE_EQ(a->pcb_regs(d, pcb, sizeof(pcb), 0, greg, &f), 0);
	ATF_CHECK_EQ(f.sp, 0xffff000012345670ULL);
	ATF_CHECK_EQ(f.pc, arm64_word(240));		/* old layout: x30 */
	le64enc_(pcb + 96, 0xffff000012345000ULL);
	ATF_REQUIRE_EQ(a->pcb_regs(d, pcb, sizeof(pcb), 0, greg, &f), 0);
	ATF_CHECK_EQ(f.sp, 0xffff000012345000ULL);
	ATF_CHECK_EQ(f.pc, arm64_word(88));		/* new layout: x30 */
	/* Neither looks like a stack: the current layout. */
	le64enc_(pcb + 96, 0x1234);
	le64enc_(pcb + 256, 0x5678);
	ATF_REQUIRE_EQ(a->pcb_regs(d, pcb, sizeof(pcb), 0, greg, &f), 0);
	ATF_CHECK_EQ(f.sp, 0x1234);
	ATF_CHECK_EQ(a->pcb_regs(d, pcb, 100, 0, greg, &f), -1);
	free(d);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, i386_layouts);
	ATF_TP_ADD_TC(tp, arm64_layouts);
	return (atf_no_error());
}
