/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz.h: what the fuzz harnesses share (fuzz_common.c): temporary files
 * for the input and the core, and the invariants every harness checks on
 * top of the sanitizers.  A broken invariant prints one line and aborts,
 * which libFuzzer and the replay driver both report as a crash.
 *
 * Each harness (fuzz_*.c) defines LLVMFuzzerInitialize() and
 * LLVMFuzzerTestOneInput(); it is linked either with libFuzzer (make fuzz)
 * or with replay.c (the test suite).
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "md2elf.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Set by each LLVMFuzzerTestOneInput(): 1 if the library accepted the
 * input (opened the dump, loaded the kernel, decoded the header), else 0.
 * The replay driver requires the unmutated seeds to be accepted.
 */
extern int	fuzz_accepted;

/* Print "fuzz: invariant: ..." and abort(). */
void	fuzz_fail(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
/*
 * The path of a temporary file (one per slot, reused) holding exactly
 * data[0..size).  Slots: 0 the input, 1 a second input.
 */
const char *fuzz_file(int slot, const uint8_t *data, size_t size);
/* An open temporary file for a core (emptied by md2elf_write_core). */
int	fuzz_corefd(void);
/* A library error message: one non-empty line starting with "prefix: ". */
void	fuzz_check_err(const char *prefix, const char *msg, const char *call);
/* The warning callback: checks each warning is one non-empty line. */
void	fuzz_warn(void *arg, const char *msg);
/*
 * Reads at kernel addresses against md2elf_kvtop() + md2elf_pread(), and
 * at direct-map addresses; used with the addresses a harness chooses.
 */
void	fuzz_check_kread(md2elf_t *, const char *prefix, uint64_t kva,
	    size_t len);
/*
 * Write the core (flavour chosen by the caller) and check it: the ELF
 * header, one program header per segment, the file size, and the bytes
 * of sampled PT_LOADs against md2elf_kread() at their p_vaddr.
 */
void	fuzz_write_check(md2elf_t *, const char *prefix, int linux_flavor);
/*
 * md2elf_modules() over fuzzed memory (after the core is written: module
 * files found by chance would add the r_debug list, which
 * fuzz_write_check's reads do not expect): at most 4096 entries, names
 * and statuses one printable line, no sections without a file, sections
 * that do not wrap.
 */
void	fuzz_modules(md2elf_t *, const char *prefix);

#endif /* !FUZZ_H */
