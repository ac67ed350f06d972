/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * elfcore.c: -e, the ELF core: after a dump has been saved (and the device
 * cleared), convert the saved vmcore.N[.gz|.zst] with libmd2elf into
 * vmcore.N.elf (temporary name, renamed when complete) and link
 * vmcore.last.elf to it.  Memory only unless -K names the kernel; with -M,
 * the ET_DYN modules found in those directories go into the core's r_debug
 * list.  With -K, the crash report core.txt.N too (crashrep.c), from the
 * same handle before the core.  Any failure is a warning: the saved
 * vmcore is what matters.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "savecore.h"

static const char *curname;

static void
warn_cb(void *arg, const char *msg)
{
	logmsg("%s: %s", curname, msg);
}

/*
 * -M: the modules whose files are in the -M directories go into the
 * core's r_debug list (ET_DYN modules: the debuggers load them); one
 * line for each module without a file.
 */
static void
list_modules(md2elf_t *d)
{
	const struct md2elf_module *mods;
	size_t i, n;
	int k;

	for (k = 0; k < opt.nmoddirs; k++)
		if (md2elf_module_dir(d, opt.moddirs[k]) != 0) {
			logmsg("%s", md2elf_geterr(d));
			return;
		}
	if (md2elf_modules(d, 0, &mods, &n) != 0) {
		logmsg("%s: no kernel modules listed: %s", curname,
		    md2elf_geterr(d));
		return;
	}
	for (i = 0; i < n; i++)
		if (!mods[i].is_kernel && mods[i].file == NULL)
			logmsg("%s: module %s: %s", curname,
			    mods[i].filename != NULL ? mods[i].filename : "?",
			    mods[i].status != NULL ? mods[i].status : "no file");
}

void
write_elf_core(const char *savedir, const char *corename,
    const char *keyname, int bounds, const struct md2elf_kdh *hdr)
{
	struct md2elf_keys keys;
	char errbuf[MD2ELF_ERRBUF_SIZE], name[64];
	struct md2elf_write_opts wo;
	struct md2elf_write_stats st;
	struct md2elf_info info;
	struct outfile o;
	int64_t available, minfree, needed, spacefree;
	uint64_t size;
	char repname[64];
	md2elf_t *d;
	bool reported, withkernel;

	reported = false;
	snprintf(name, sizeof(name), "vmcore.%d.elf", bounds);
	curname = name;
	/* An encrypted vmcore_encrypted.N: key.N and the private key. */
	keys.privkey = opt.privkey;
	keys.dumpkey = keyname;
	if (opt.kernel == NULL && opt.verbose)
		printf("no crash report core.txt.%d: it needs the kernel "
		    "(-K)\n", bounds);
	/*
	 * A compressed vmcore is decompressed here first ($TMPDIR is the
	 * dump directory): its length, from the header and bitmap, must fit
	 * above minfree before it is written.
	 */
	if (md2elf_data_size_keys(corename, keyname != NULL ? &keys : NULL,
	    &size, errbuf) != 0) {
		logmsg("unable to write ELF core %s/%s: %s", savedir, name,
		    errbuf);
		if (opt.kernel != NULL)
			no_crash_report(savedir, bounds, errbuf);
		return;
	}
	available = space_available(savedir, &minfree, &spacefree);
	needed = (int64_t)((size + 1023) / 1024);
	if (strcmp(corename + strlen(corename) - 3, ".gz") == 0 ||
	    strcmp(corename + strlen(corename) - 4, ".zst") == 0) {
		if (available < needed) {
			logmsg("no ELF core: not enough free space on device "
			    "(need at least %jdkB to decompress %s; %jdkB "
			    "available; %jdkB reserved)", (intmax_t)needed,
			    corename, (intmax_t)(available + minfree),
			    (intmax_t)minfree);
			if (opt.kernel != NULL)
				no_crash_report(savedir, bounds, "not enough "
				    "free space to decompress the dump");
			return;
		}
	}
	/*
	 * With the kernel (threads), else memory only: savecore(8) promises
	 * a core when the kernel cannot be used (no thread offsets, not the
	 * dump's).
	 */
	memset(&wo, 0, sizeof(wo));
	wo.flavor = MD2ELF_FLAVOR_FREEBSD;
	for (withkernel = opt.kernel != NULL; ; withkernel = false) {
		d = md2elf_open_keys(corename, opt.force ? MD2ELF_OPEN_FORCE :
		    0, keyname != NULL ? &keys : NULL, errbuf, NULL);
		if (d == NULL) {
			logmsg("unable to write ELF core %s/%s: %s", savedir,
			    name, errbuf);
			if (withkernel)
				no_crash_report(savedir, bounds, errbuf);
			return;
		}
		md2elf_set_warn(d, warn_cb, NULL);
		if (withkernel && md2elf_set_kernel(d, opt.kernel, 0) != 0) {
			logmsg("%s; writing %s without threads",
			    md2elf_geterr(d), name);
			no_crash_report(savedir, bounds, "the kernel (-K) "
			    "cannot be used");
			withkernel = false;
		} else if (withkernel && opt.nmoddirs > 0)
			list_modules(d);
		if (md2elf_get_info(d, &info) != 0) {
			logmsg("unable to write ELF core %s/%s: %s", savedir,
			    name, md2elf_geterr(d));
			if (withkernel)
				no_crash_report(savedir, bounds,
				    md2elf_geterr(d));
			goto out;
		}
		/* The report first: small, and what a person reads first. */
		if (withkernel && !reported) {
			snprintf(repname, sizeof(repname), "core.txt.%d",
			    bounds);
			curname = repname;
			write_crash_report(d, hdr, savedir, bounds);
			curname = name;
			reported = true;
		}
		/*
		 * What the core will take: its headers (a program header per
		 * mapping), notes and dumped pages (zero pages become holes).
		 */
		if (md2elf_core_size(d, &wo, &size) == 0)
			break;
		if (!withkernel) {
			logmsg("unable to write ELF core %s/%s: %s", savedir,
			    name, md2elf_geterr(d));
			goto out;
		}
		logmsg("%s; writing %s without threads", md2elf_geterr(d),
		    name);
		md2elf_close(d);
	}
	available = space_available(savedir, &minfree, &spacefree);
	needed = (int64_t)((size + 1023) / 1024);
	if (available < needed) {
		logmsg("no ELF core: not enough free space on device (need at "
		    "least %jdkB for %s; %jdkB available; %jdkB reserved)",
		    (intmax_t)needed, name, (intmax_t)(available + minfree),
		    (intmax_t)minfree);
		goto out;
	}

	if (outfile_open(&o, name, 0600) < 0) {
		logmsg("open(%s): %s", name, strerror(errno));
		goto out;
	}
	logmsg("writing ELF core to %s/%s", savedir, name);
	if (md2elf_write_core(d, o.fd, &wo, &st) != 0) {
		logmsg("unable to write ELF core %s/%s: %s", savedir, name,
		    md2elf_geterr(d));
		outfile_abort(&o);
		goto out;
	}
	if (outfile_commit(&o, false) != 0) {
		logmsg("error on %s: %s", name, strerror(errno));
		goto out;
	}
	(void)unlink("vmcore.last.elf");
	if (symlink(name, "vmcore.last.elf") != 0)
		logmsg("unable to create symlink %s/%s: %s", savedir,
		    "vmcore.last.elf", strerror(errno));
	if (opt.verbose)
		printf("ELF core: %ju pages (%ju zero), %ju segments, "
		    "%ju threads\n", (uintmax_t)st.pages,
		    (uintmax_t)st.zero_pages, (uintmax_t)st.segments,
		    (uintmax_t)st.threads);
	if (opt.verbose && st.module_hint > 0)
		printf("ELF core: %ju modules in its r_debug list\n",
		    (uintmax_t)st.module_hint);
	else if (opt.nmoddirs > 0 && st.module_hint_skipped != NULL)
		logmsg("%s: no r_debug list for the modules: %s", name,
		    st.module_hint_skipped);
out:
	md2elf_close(d);
}
