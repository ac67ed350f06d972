/*-
 * SPDX-License-Identifier: BSD-2-Clause
 *
 * world.c: the model's process/thread world (see world.h), built like a
 * FreeBSD 13 kernel keeps it: struct proc and struct thread in direct-map
 * (UMA) pages, the allproc list (newest first), each process's thread
 * TAILQ, the pid hash table in the kernel heap, one kernel stack page per
 * thread (with a guard page) holding the thread's pcb and a frame-pointer
 * chain whose return addresses are call sites inside named kernel
 * functions, dumppcb/dumptid for the crashed thread, stoppcbs[] and
 * stopped_cpus for the threads running on the other CPUs, __pcpu and
 * cpuid_to_pcpu.  The exported offsets (proc_off_*, thread_off_*) and
 * pcb_size are always set, even without a world.  Hostile variants break
 * the lists on purpose.  World pages are generated on demand.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dense.h"
#include "gen_common.h"
#include "world.h"

/* Layout of the model's struct proc and struct thread (LP64). */
#define	PROC_SIZE	0x400
#define	TD_SIZE		0x400
#define	P_LIST		0x000
#define	P_THREADS	0x010
#define	P_PID		0x0bc
#define	P_HASH		0x0e8
#define	P_COMM		0x3d4
#define	TD_PROC		0x008
#define	TD_PLIST	0x010
#define	TD_TID		0x09c
#define	TD_ONCPU	0x114
#define	TD_NAME		0x1a0
#define	TD_PCB		0x380
#define	TD_KSTACK	0x390
/* td_pcb in its kernel stack page (0xe80 on amd64), pointer size. */
#define	PCB_OFF(m)	((GPAGE - (m)->arch->pcb_size - 0x40) & ~(uint64_t)15)
#define	PS(m)		((uint64_t)(m)->arch->ptrsize)
#define	PIDHASH		255	/* pidhash mask: 256 buckets */
#define	PCPU_SIZE	0x400

/* World page kinds. */
#define	WP_PROCS	1
#define	WP_THREADS	2
#define	WP_STACK	3
#define	WP_LONG		4

struct wpage {
	uint64_t	 pfn;
	uint32_t	 kind;
	uint32_t	 index;		/* first object, thread, long page */
};

struct world {
	struct wpage	*pages;
	size_t		 npages, cap;
	uint64_t	 long_va;	/* WH_LONGLIST region */
	uint64_t	 long_pages;
	uint64_t	 dangling;	/* WH_DANGLING target */
	uint64_t	 undumped;	/* WH_UNDUMPED target */
	uint32_t	 cycle_proc;	/* WH_PROCCYCLE: proc whose next loops */
	uint32_t	 cycle_to;
	uint32_t	 tdcycle_proc;	/* WH_TDCYCLE */
	uint32_t	 long_proc;	/* WH_LONGLIST */
	uint32_t	 bad_td;	/* WH_UNDUMPED: thread with bad next */
	uint32_t	 bad_proc;	/* WH_DANGLING: proc with bad next */
	/*
	 * WH_STACKS: sleeping user threads whose stacks are corrupt, one
	 * way each (STK_*), and the undumped address one points to.
	 */
	uint32_t	 stk[5];
	uint64_t	 stk_undumped;
};

/*
 * Frame chains, innermost function first, per architecture.  A chain
 * ends in a kernel entry stub that left a struct trapframe (chain_trap):
 * a kernel-mode trap goes on with the chain it interrupted, a system call
 * ends in user mode, a kernel thread's first frame in fork_trampoline.
 */
enum { C_CRASH, C_STOP, C_WAIT, C_SELECT, C_TASKQ, C_IDLE, C_INTR, C_KPROC,
    C_READ, C_PREEMPT, C_FAULTED, C_IDLEINT, C_PFAULT, C_COPYIN, C_MODULE,
    C_MODFAULT, C_NCHAIN };
#define	CHAINLEN	16
typedef const char *const chaintab[C_NCHAIN][CHAINLEN];
#define	SLEEPQ_SIG	"sched_switch", "mi_switch", "sleepq_switch", \
	"sleepq_catch_signals"
#define	KTHREAD_END	"fork_exit", "fork_trampoline", NULL
/*
 * Models with modules only: C_MODULE, a taskqueue thread running a
 * module's task function (MODFN: the first module's function that calls
 * _sleep, at its runtime address in the module image), asleep in it;
 * C_MODFAULT, what the crash interrupts instead of C_FAULTED: ifhwioctl
 * called into the module (a driver's ioctl), which faulted.
 */
#define	MODFN		"@module"
#define	MODULE_CHAIN	"sched_switch", "mi_switch", "sleepq_switch", \
	"sleepq_wait", "_sleep", MODFN, "taskqueue_run_locked", \
	"taskqueue_thread_loop", KTHREAD_END
static chaintab chains_amd64 = {
	[C_CRASH] = { "doadump", "kern_reboot", "vpanic", "panic",
	    "trap_fatal", "trap_pfault", "trap", "calltrap", NULL },
	[C_FAULTED] = { "ifhwioctl", "ifioctl", "soo_ioctl", "kern_ioctl",
	    "sys_ioctl", "amd64_syscall", "fast_syscall_common", NULL },
	[C_STOP] = { "cpustop_handler", "ipi_nmi_handler", "trap",
	    "nmi_calltrap", NULL },
	[C_IDLEINT] = { "cpu_idle", "sched_idletd", KTHREAD_END },
	[C_WAIT] = { SLEEPQ_SIG, "sleepq_wait_sig", "_sleep", "kern_wait6",
	    "sys_wait4", "amd64_syscall", "fast_syscall_common", NULL },
	[C_SELECT] = { SLEEPQ_SIG, "sleepq_timedwait_sig",
	    "_cv_timedwait_sig_sbt", "seltdwait", "kern_select", "sys_select",
	    "amd64_syscall", "fast_syscall_common", NULL },
	[C_TASKQ] = { "sched_switch", "mi_switch", "sleepq_switch",
	    "sleepq_wait", "_sleep", "taskqueue_thread_loop", KTHREAD_END },
	[C_IDLE] = { "sched_switch", "mi_switch", "sched_idletd",
	    KTHREAD_END },
	[C_INTR] = { "sched_switch", "mi_switch", "ithread_loop",
	    KTHREAD_END },
	[C_KPROC] = { "sched_switch", "mi_switch", "sleepq_switch",
	    "sleepq_timedwait", "_sleep", "vm_pageout_worker", "vm_pageout",
	    KTHREAD_END },
	[C_READ] = { SLEEPQ_SIG, "sleepq_wait_sig", "_cv_wait_sig",
	    "soreceive_generic", "dofileread", "sys_read", "amd64_syscall",
	    "fast_syscall_common", NULL },
	[C_PREEMPT] = { "sched_switch", "mi_switch", "critical_exit_preempt",
	    "intr_event_handle", "lapic_handle_timer", "Xtimerint", NULL },
	[C_PFAULT] = { "vm_fault", "trap_pfault", "trap", "calltrap", NULL },
	[C_COPYIN] = { "copyin", "kern_ioctl", "sys_ioctl", "amd64_syscall",
	    "fast_syscall_common", NULL },
	[C_MODULE] = { MODULE_CHAIN },
	[C_MODFAULT] = { MODFN, "ifhwioctl", "ifioctl", "soo_ioctl",
	    "kern_ioctl", "sys_ioctl", "amd64_syscall", "fast_syscall_common",
	    NULL },
};
static chaintab chains_i386 = {
	[C_CRASH] = { "doadump", "kern_reboot", "vpanic", "panic",
	    "trap_fatal", "trap_pfault", "trap", "calltrap", NULL },
	[C_FAULTED] = { "ifhwioctl", "ifioctl", "soo_ioctl", "kern_ioctl",
	    "sys_ioctl", "syscall", "Xint0x80_syscall", NULL },
	[C_STOP] = { "cpustop_handler", "Xcpustop", NULL },
	[C_IDLEINT] = { "cpu_idle", "sched_idletd", KTHREAD_END },
	[C_WAIT] = { SLEEPQ_SIG, "sleepq_wait_sig", "_sleep", "kern_wait6",
	    "sys_wait4", "syscall", "Xint0x80_syscall", NULL },
	[C_SELECT] = { SLEEPQ_SIG, "sleepq_timedwait_sig",
	    "_cv_timedwait_sig_sbt", "seltdwait", "kern_select", "sys_select",
	    "syscall", "Xint0x80_syscall", NULL },
	[C_TASKQ] = { "sched_switch", "mi_switch", "sleepq_switch",
	    "sleepq_wait", "_sleep", "taskqueue_thread_loop", KTHREAD_END },
	[C_IDLE] = { "sched_switch", "mi_switch", "sched_idletd",
	    KTHREAD_END },
	[C_INTR] = { "sched_switch", "mi_switch", "ithread_loop",
	    KTHREAD_END },
	[C_KPROC] = { "sched_switch", "mi_switch", "sleepq_switch",
	    "sleepq_timedwait", "_sleep", "vm_pageout_worker", "vm_pageout",
	    KTHREAD_END },
	[C_READ] = { SLEEPQ_SIG, "sleepq_wait_sig", "_cv_wait_sig",
	    "soreceive_generic", "dofileread", "sys_read", "syscall",
	    "Xint0x80_syscall", NULL },
	[C_PREEMPT] = { "sched_switch", "mi_switch", "critical_exit_preempt",
	    "intr_event_handle", "lapic_handle_timer", "Xtimerint", NULL },
	[C_PFAULT] = { "vm_fault", "trap_pfault", "trap", "calltrap", NULL },
	[C_COPYIN] = { "copyin", "kern_ioctl", "sys_ioctl", "syscall",
	    "Xint0x80_syscall", NULL },
	[C_MODULE] = { MODULE_CHAIN },
	[C_MODFAULT] = { MODFN, "ifhwioctl", "ifioctl", "soo_ioctl",
	    "kern_ioctl", "sys_ioctl", "syscall", "Xint0x80_syscall", NULL },
};
#define	EL0_SVC		"svc_handler", "do_el0_sync", "handle_el0_sync", NULL
static chaintab chains_arm64 = {
	[C_CRASH] = { "doadump", "kern_reboot", "vpanic", "panic",
	    "data_abort", "do_el1h_sync", "handle_el1h_sync", NULL },
	[C_FAULTED] = { "ifhwioctl", "ifioctl", "soo_ioctl", "kern_ioctl",
	    "sys_ioctl", EL0_SVC },
	[C_STOP] = { "ipi_stop", "intr_ipi_dispatch", "intr_irq_handler",
	    "handle_el1h_irq", NULL },
	[C_IDLEINT] = { "cpu_idle", "sched_idletd", KTHREAD_END },
	[C_WAIT] = { SLEEPQ_SIG, "sleepq_wait_sig", "_sleep", "kern_wait6",
	    "sys_wait4", EL0_SVC },
	[C_SELECT] = { SLEEPQ_SIG, "sleepq_timedwait_sig",
	    "_cv_timedwait_sig_sbt", "seltdwait", "kern_select", "sys_select",
	    EL0_SVC },
	[C_TASKQ] = { "sched_switch", "mi_switch", "sleepq_switch",
	    "sleepq_wait", "_sleep", "taskqueue_thread_loop", KTHREAD_END },
	[C_IDLE] = { "sched_switch", "mi_switch", "sched_idletd",
	    KTHREAD_END },
	[C_INTR] = { "sched_switch", "mi_switch", "ithread_loop",
	    KTHREAD_END },
	[C_KPROC] = { "sched_switch", "mi_switch", "sleepq_switch",
	    "sleepq_timedwait", "_sleep", "vm_pageout_worker", "vm_pageout",
	    KTHREAD_END },
	[C_READ] = { SLEEPQ_SIG, "sleepq_wait_sig", "_cv_wait_sig",
	    "soreceive_generic", "dofileread", "sys_read", EL0_SVC },
	[C_PREEMPT] = { "sched_switch", "mi_switch", "critical_exit_preempt",
	    "intr_event_handle", "intr_isrc_dispatch", "intr_irq_handler",
	    "handle_el1h_irq", NULL },
	[C_PFAULT] = { "vm_fault", "data_abort", "do_el1h_sync",
	    "handle_el1h_sync", NULL },
	[C_COPYIN] = { "copyin", "kern_ioctl", "sys_ioctl", EL0_SVC },
	[C_MODULE] = { MODULE_CHAIN },
	[C_MODFAULT] = { MODFN, "ifhwioctl", "ifioctl", "soo_ioctl",
	    "kern_ioctl", "sys_ioctl", EL0_SVC },
};

/* How each chain ends: the trap frame and the chain it interrupted. */
static const struct {
	int		 kind;		/* GT_* */
	int		 next;		/* interrupted chain (kernel traps) */
	int		 code;		/* system call number */
} chain_trap[C_NCHAIN] = {
	[C_CRASH] = { GT_FAULT, C_FAULTED, 0 },
	[C_FAULTED] = { GT_SYSCALL, 0, 54 },		/* ioctl */
	[C_STOP] = { GT_NMI, C_IDLEINT, 0 },
	[C_IDLEINT] = { GT_KTHREAD, 0, 0 },
	[C_WAIT] = { GT_SYSCALL, 0, 7 },		/* wait4 */
	[C_SELECT] = { GT_SYSCALL, 0, 93 },		/* select */
	[C_TASKQ] = { GT_KTHREAD, 0, 0 },
	[C_IDLE] = { GT_KTHREAD, 0, 0 },
	[C_INTR] = { GT_KTHREAD, 0, 0 },
	[C_KPROC] = { GT_KTHREAD, 0, 0 },
	[C_READ] = { GT_SYSCALL, 0, 3 },		/* read */
	[C_PREEMPT] = { GT_INTR, C_PFAULT, 0 },
	[C_PFAULT] = { GT_FAULT, C_COPYIN, 0 },
	[C_COPYIN] = { GT_SYSCALL, 0, 54 },
	[C_MODULE] = { GT_KTHREAD, 0, 0 },
	[C_MODFAULT] = { GT_SYSCALL, 0, 54 },
};
#define	MAXSEG		4		/* chains on one stack */
#define	TRAPTID_BASE	1000000000	/* trap thread k: k * this + tid */
#define	FAULT_OFF	0x0c		/* faulting pc: after the prologue */
#define	NULL_DEREF	0x18		/* the crash: a NULL pointer's field */

static const chaintab *
arch_chains(const struct model *m)
{
	if (m->arch->elfmachine == 183)
		return (&chains_arm64);
	if (m->arch->ptrsize == 4)
		return (&chains_i386);
	return (&chains_amd64);
}

/* What the innermost function called to save its context. */
static const char *const savers[] = { "savectx", "cpu_switch" };

static const char *
saver(int chain)
{
	return (chain == C_CRASH || chain == C_STOP ? "savectx" :
	    "cpu_switch");
}

#define	FUNC_BASE_OFF	0x200000	/* functions from .text + 2 MiB */
#define	FUNC_SIZE	0x100
#define	MAXCALLS	12
#define	MAXFUNCS	96

struct wfunc {
	const char	*name;
	uint64_t	 va;
	const char	*callee[MAXCALLS];
	int		 ncallee;
};
static struct wfunc funcs[MAXFUNCS];
static int nfuncs;

static struct wfunc *
func(const char *name)
{
	int i;

	for (i = 0; i < nfuncs; i++)
		if (strcmp(funcs[i].name, name) == 0)
			return (&funcs[i]);
	return (NULL);
}

/* Call site index of callee in caller (added if new). */
static int
site(struct wfunc *f, const char *callee)
{
	int i;

	for (i = 0; i < f->ncallee; i++)
		if (strcmp(f->callee[i], callee) == 0)
			return (i);
	if (f->ncallee == MAXCALLS)
		return (-1);
	f->callee[f->ncallee] = callee;
	return (f->ncallee++);
}

static uint64_t
retaddr(const struct model *m, const char *caller, const char *callee)
{
	const struct gen_arch *a = m->arch;
	struct wfunc *f;
	int k;

	if (strcmp(caller, MODFN) == 0)
		return (m->modfn_ret);
	f = func(caller);
	k = site(f, callee);
	return (f->va + a->call_off0 + (uint64_t)k * a->call_stride +
	    a->call_len);
}

/* The chains of this model: C_MODULE only if it has modules. */
static int
nchains(const struct model *m)
{
	return (m->p.nmodules > 0 ? C_NCHAIN : C_MODULE);
}

/* A function that calls the module function (emitted once it is known). */
static bool
calls_module(const struct wfunc *f)
{
	int k;

	for (k = 0; k < f->ncallee; k++)
		if (strcmp(f->callee[k], MODFN) == 0)
			return (true);
	return (false);
}

/*
 * Lay out the functions (same for every model of an arch; models with
 * modules add C_MODULE's after all others).
 */
static int
make_funcs(struct model *m)
{
	const struct gen_arch *a = m->arch;
	const chaintab *ch = arch_chains(m);
	uint64_t va;
	int c, i, j;

	nfuncs = 0;
	va = a->sec_start[SEC_TEXT] + FUNC_BASE_OFF;
	for (j = 0; j < 2; j++) {
		funcs[nfuncs].name = savers[j];
		funcs[nfuncs].va = va;
		va += FUNC_SIZE + 0x40;
		nfuncs++;
	}
	for (c = 0; c < nchains(m); c++)
		for (i = 0; (*ch)[c][i] != NULL; i++) {
			if (func((*ch)[c][i]) != NULL ||
			    strcmp((*ch)[c][i], MODFN) == 0)
				continue;
			if (nfuncs == MAXFUNCS)
				return (-1);
			funcs[nfuncs].name = (*ch)[c][i];
			funcs[nfuncs].va = va;
			va += FUNC_SIZE + 0x40 + 0x10 * (nfuncs % 5);
			nfuncs++;
		}
	/* Call sites: the saver first, then each caller -> callee pair. */
	for (c = 0; c < nchains(m); c++) {
		if (c != C_FAULTED && c != C_IDLEINT && c != C_PFAULT &&
		    c != C_COPYIN && c != C_MODFAULT)
			site(func((*ch)[c][0]), saver(c));
		for (i = 1; (*ch)[c][i] != NULL; i++)
			if (strcmp((*ch)[c][i], MODFN) != 0 &&
			    site(func((*ch)[c][i]), (*ch)[c][i - 1]) < 0)
				return (-1);
	}
	return (0);
}

/*
 * The functions' code and symbols; late: those that call the module
 * function only (its address is known after modules_build()), else all
 * but those.
 */
static int
emit_funcs(struct model *m, bool late)
{
	uint8_t code[FUNC_SIZE];
	uint64_t calls[MAXCALLS];
	int i, k;

	for (i = 0; i < nfuncs; i++) {
		if (calls_module(&funcs[i]) != late)
			continue;
		for (k = 0; k < funcs[i].ncallee; k++)
			calls[k] = strcmp(funcs[i].callee[k], MODFN) == 0 ?
			    m->modfn_va : func(funcs[i].callee[k])->va;
		m->arch->funccode(funcs[i].va, FUNC_SIZE, calls,
		    funcs[i].ncallee, code);
		if (model_patch_va(m, funcs[i].va, code, FUNC_SIZE) != 0 ||
		    model_addsym(m, funcs[i].name, funcs[i].va, FUNC_SIZE,
		    GS_FUNC, SEC_TEXT) != 0)
			return (-1);
	}
	return (0);
}

/* A pointer (or long) of the model's size. */
static void
putp(const struct model *m, uint8_t *p, uint64_t v)
{
	if (m->arch->ptrsize == 4)
		gen_put32(p, (uint32_t)v);
	else
		gen_put64(p, v);
}

static int
sym_put(struct model *m, const char *name, uint64_t off, const void *b,
    size_t n)
{
	const struct gsym *s = model_sym(m, name);

	if (s == NULL)
		return (-1);
	return (model_patch_va(m, s->va + off, b, n));
}

static int
sym_put32(struct model *m, const char *name, uint64_t off, uint32_t v)
{
	uint8_t b[4];

	gen_put32(b, v);
	return (sym_put(m, name, off, b, 4));
}

static int
sym_putp(struct model *m, const char *name, uint64_t off, uint64_t v)
{
	uint8_t b[8];

	putp(m, b, v);
	return (sym_put(m, name, off, b, PS(m)));
}

/* A world object's address: direct map, else mapped into obj_va. */
static uint64_t
objva(struct model *m, uint64_t pa)
{
	uint64_t va;

	if (m->arch->dmapend != 0)
		return (model_dmap_va(m, pa));
	if (m->obj_va + GPAGE > m->obj_end)
		return (UINT64_MAX);
	va = m->obj_va;
	if (m->arch->map4k(m, va, pa) != 0)
		return (UINT64_MAX);
	m->obj_va += GPAGE;
	return (va);
}

/* Offsets the kernel exports (kern_proc.c) and pcb_size (kern_mib.c). */
static int
export_offsets(struct model *m)
{
	static const struct { const char *name; uint32_t v; } offs[] = {
		{ "proc_off_p_pid", P_PID }, { "proc_off_p_comm", P_COMM },
		{ "proc_off_p_list", P_LIST }, { "proc_off_p_hash", P_HASH },
		{ "proc_off_p_threads", P_THREADS },
		{ "thread_off_td_tid", TD_TID },
		{ "thread_off_td_name", TD_NAME },
		{ "thread_off_td_oncpu", TD_ONCPU },
		{ "thread_off_td_pcb", TD_PCB },
		{ "thread_off_td_plist", TD_PLIST },
	};
	size_t i;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		if (sym_put32(m, offs[i].name, 0, offs[i].v) != 0)
			return (-1);
	return (sym_put32(m, "pcb_size", 0, m->arch->pcb_size));
}

static int
addpage(struct world *w, uint64_t pa, uint32_t kind, uint32_t index)
{
	struct wpage *p;

	if (w->npages == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 1024;
		p = realloc(w->pages, w->cap * sizeof(*p));
		if (p == NULL)
			return (-1);
		w->pages = p;
	}
	p = &w->pages[w->npages++];
	p->pfn = pa / GPAGE;
	p->kind = kind;
	p->index = index;
	return (0);
}

static int
wpage_cmp(const void *a, const void *b)
{
	const struct wpage *x = a, *y = b;

	return (x->pfn < y->pfn ? -1 : x->pfn > y->pfn);
}

/* Distance of the entries of a hostile long thread list. */
static uint64_t
long_stride(const struct model_params *p)
{
	return (p->hostile & WH_WIDELIST ? TD_SIZE : 8);
}

/* KVA the world needs from the arch: kernel stacks and the long list. */
uint64_t
world_kva_pages(const struct model_params *p)
{
	uint64_t n;

	n = ((uint64_t)p->nthreads + 1) * 2;
	if (p->hostile & (WH_LONGLIST | WH_WIDELIST))
		n += (p->longlist * long_stride(p) + TD_SIZE) / GPAGE + 2;
	return (n);
}

static const char *const kthreads[] = { "swapper", "thread taskq",
    "firmware taskq", "crypto", "crypto returns 0", "acpi_task_0",
    "kqueue_ctx taskq", "aiod1", "if_io_tqg_0", "if_config_tqg_0",
    "softirq_0", "mca taskq", "deferred_unmount ta", "linuxkpi_irq_wq",
    "pagedaemon", "vmdaemon", "bufdaemon", "bufspacedaemon-0", "syncer",
    "vnlru", "rand_harvestq", "pf purge", "g_event", "g_up", "g_down" };
static const char *const comms[] = { "sh", "sshd", "cron", "syslogd",
    "devd", "nginx", "postgres", "python3.11", "sendmail", "getty",
    "login", "tmux", "vim", "make", "cc", "ntpd", "dhclient", "moused",
    "zfskern", "java" };

/* A name field: at most MAXCOMLEN (19) characters. */
static void
setname(char *dst, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	memset(dst, 0, 20);
	memcpy(dst, tmp, strlen(tmp) < 19 ? strlen(tmp) : 19);
}

/* Decide processes and threads; assign addresses later. */
static int
plan(struct model *m, struct world *w)
{
	struct gproc *p;
	struct gthread *t;
	uint32_t T, i, n, np, nk, pid;
	uint64_t h;

	T = m->p.nthreads;
	m->ncpu = T >= 16 ? 4 : 2;
	m->procs = calloc(T + 8, sizeof(*m->procs));
	m->threads = calloc(T, sizeof(*m->threads));
	if (m->procs == NULL || m->threads == NULL)
		return (-1);
	np = 0;
	n = 0;
	/* proc 0: kernel threads, proc 11: idle, 12: intr, then users. */
	nk = T / 5 > 0 ? T / 5 : 1;
	for (pid = 0; n < T; ) {
		p = &m->procs[np];
		p->pid = (int32_t)pid;
		p->first = n;
		if (np == 0) {
			setname(p->comm, "kernel");
			p->nthreads = nk;
		} else if (np == 1) {
			setname(p->comm, "init");
			p->nthreads = 1;
		} else if (np == 2) {
			setname(p->comm, "idle");
			p->nthreads = m->ncpu;
		} else if (np == 3) {
			setname(p->comm, "intr");
			p->nthreads = 1 + T / 20;
		} else {
			h = model_hash(m->p.seed ^ 0x9ec, np);
			setname(p->comm, "%s",
			    comms[h % (sizeof(comms) / sizeof(comms[0]))]);
			p->nthreads = 1 + (uint32_t)((h >> 16) % 4);
		}
		if (p->nthreads > T - n)
			p->nthreads = T - n;
		for (i = 0; i < p->nthreads; i++) {
			t = &m->threads[n + i];
			t->proc = np;
			t->pid = p->pid;
			t->tid = (int32_t)(100000 + n + i);
			t->oncpu = -1;
			t->kind = WT_SLEEP;
			h = model_hash(m->p.seed ^ 0x7d, n + i);
			if (np == 0) {
				setname(t->name, "%s",
				    kthreads[i % (sizeof(kthreads) /
				    sizeof(kthreads[0]))]);
				t->chain = i == 14 ? C_KPROC : C_TASKQ;
				if (i == 1 && m->p.nmodules > 0)
					t->chain = C_MODULE;
			} else if (np == 2) {
				setname(t->name, "idle: cpu%u", i);
				t->chain = C_IDLE;
			} else if (np == 3) {
				setname(t->name, "swi%u: %s", i % 7, i % 2 ? "clock (0)" :
				    "task queue");
				t->chain = C_INTR;
			} else {
				if (i == 0)
					setname(t->name, "%s", p->comm);
				else
					setname(t->name, "%s-wrk%u", p->comm, i);
				t->chain = (h >> 8) % 3 == 0 ? C_WAIT :
				    (h >> 8) % 3 == 1 ? C_SELECT : C_READ;
			}
		}
		n += p->nthreads;
		np++;
		pid = np == 1 ? 1 : np == 2 ? 11 : np == 3 ? 12 :
		    pid + 1 + (uint32_t)(model_hash(m->p.seed, pid) % 50);
	}
	m->nprocs = np;
	m->nthreads = T;
	/* Pid hash chains: each bucket lists the newest process first. */
	{
		uint32_t last[PIDHASH + 1];

		memset(last, 0, sizeof(last));
		for (i = 0; i < np; i++) {
			m->procs[i].hnext = last[m->procs[i].pid & PIDHASH];
			last[m->procs[i].pid & PIDHASH] = i + 1;
		}
	}
	/* The crashed thread: in a user process if there is one. */
	i = np > 4 ? m->procs[np - 1].first : T - 1;
	m->threads[i].kind = WT_CRASHED;
	m->threads[i].oncpu = 0;
	m->threads[i].chain = C_CRASH;
	m->dumptid = m->threads[i].tid;
	/* Threads on the other CPUs: spread over the world. */
	for (n = 1; n < m->ncpu; n++) {
		i = (uint32_t)(model_hash(m->p.seed ^ 0xc9, n) % T);
		if (m->threads[i].kind != WT_SLEEP)
			continue;
		m->threads[i].kind = WT_ONCPU;
		m->threads[i].oncpu = (int32_t)n;
		m->threads[i].chain = C_STOP;
	}
	/* Preempted by an interrupt inside a page fault: the first sleeping
	   user thread, and about one in eight of the others. */
	for (i = np > 4 ? m->procs[4].first : T, n = 0; i < T; i++) {
		if (m->threads[i].kind != WT_SLEEP || m->threads[i].proc < 4)
			continue;
		if (n++ == 0 || model_hash(m->p.seed ^ 0x9e, i) % 8 == 0)
			m->threads[i].chain = C_PREEMPT;
	}
	(void)w;
	return (0);
}

/*
 * A thread's stack, from its outermost chain (a system call's or a kernel
 * thread's trap frame at the top) down to the chain whose context its pcb
 * holds; each kernel-mode trap frame lies below the innermost frame of the
 * chain it interrupted, except an amd64 NMI's, which is on the CPU's NMI
 * stack (modelled in the upper half of the page, the interrupted chain in
 * the lower).
 */
struct tlay {
	int		 nseg;
	int		 chain[MAXSEG];
	int		 nf[MAXSEG];
	uint64_t	 frame[MAXSEG][CHAINLEN];	/* frame records */
	uint64_t	 savedfp[MAXSEG];	/* in the stub's callee's record */
	struct gtrap	 trap[MAXSEG];		/* ending chain k */
	struct gthread	 ctx[MAXSEG];		/* interrupted by trap k */
};

static uint64_t
frame_size(const struct model *m, const struct gthread *t, int k, int i)
{
	return (0x30 + 0x10 * (model_hash(m->p.seed ^ 0xf5, (uint64_t)
	    t->tid * 64 + (uint64_t)k * 16 + (uint64_t)i) % 4));
}

static void
ctx_regs(const struct model *m, const struct gthread *t, int k,
    const char *fn, struct gthread *c)
{
	struct wfunc *f = func(fn);
	bool mod = strcmp(fn, MODFN) == 0;
	uint64_t x;

	memset(c, 0, sizeof(*c));
	c->tid = (int32_t)((k + 1) * TRAPTID_BASE + t->tid);
	c->pid = t->pid;
	c->proc = t->proc;
	c->oncpu = -1;
	c->kind = t->kind;
	c->kstack = t->kstack;
	c->trap = k + 1;
	c->owner = t->tid;
	/* In the module: at the return from its call, past its prologue. */
	c->rip = mod ? m->modfn_ret : f->va + FAULT_OFF;
	x = (uint64_t)(uint32_t)c->tid;
	c->rbx = model_hash(m->p.seed ^ 0x1b, x);
	c->r12 = model_hash(m->p.seed ^ 0x1c, x);
	c->r13 = model_hash(m->p.seed ^ 0x1d, x);
	c->r14 = model_hash(m->p.seed ^ 0x1e, x);
	c->r15 = model_hash(m->p.seed ^ 0x1f, x);
	/* arm64 lr: the return from the function's first call. */
	c->lr = mod ? m->modfn_ret : f->va + m->arch->call_off0 +
	    m->arch->call_len;
}

static void
layout(const struct model *m, const struct gthread *t, struct tlay *L)
{
	const chaintab *ch = arch_chains(m);
	struct gtrap *g;
	struct gthread *c;
	uint64_t top, sp, x;
	int k, i, n, chain;
	bool nmi;

	memset(L, 0, sizeof(*L));
	chain = (int)t->chain;
	nmi = false;
	for (k = 0; k < MAXSEG; k++) {
		L->chain[k] = chain;
		for (n = 0; (*ch)[chain][n] != NULL; n++)
			;
		L->nf[k] = n;
		L->trap[k].kind = chain_trap[chain].kind;
		L->trap[k].stub = (*ch)[chain][n - 1];
		nmi |= L->trap[k].kind == GT_NMI && m->arch->ptrsize == 8 &&
		    m->arch->elfmachine != 183;
		if (L->trap[k].kind == GT_SYSCALL ||
		    L->trap[k].kind == GT_KTHREAD)
			break;
		chain = chain_trap[chain].next;
		if (chain == C_FAULTED && m->p.nmodules > 0)
			chain = C_MODFAULT;
	}
	L->nseg = k + 1;
	top = t->kstack + PCB_OFF(m) - 0x100;
	for (k = L->nseg - 1; k >= 0; k--) {
		n = L->nf[k];
		g = &L->trap[k];
		x = (uint64_t)(uint32_t)t->tid * 8 + (uint64_t)k;
		if (g->kind == GT_SYSCALL || g->kind == GT_KTHREAD) {
			sp = nmi ? t->kstack + GPAGE / 2 : top;
			if (g->kind == GT_SYSCALL) {
				g->syscall = chain_trap[L->chain[k]].code;
				g->upc = (m->arch->ptrsize == 8 ?
				    0x800400000ULL : 0x28040000ULL) +
				    (model_hash(m->p.seed ^ 0x5c, x) & 0xfff0);
				g->usp = (m->arch->ptrsize == 8 ?
				    0x7fffffffd000ULL : 0xbfbfd000ULL) +
				    (model_hash(m->p.seed ^ 0x5d, x) & 0xff0);
				g->ufp = g->usp + 0x40;
			}
		} else {
			c = &L->ctx[k];
			ctx_regs(m, t, k, (*ch)[L->chain[k + 1]][0], c);
			c->rbp = L->frame[k + 1][0];
			c->rsp = c->rbp - 0x20;
			c->signo = g->kind == GT_FAULT ? 11 : 0;
			if (g->kind == GT_FAULT)
				g->addr = t->chain == C_CRASH ? NULL_DEREF :
				    (m->arch->ptrsize == 8 ? 0x800a3c000ULL :
				    0x2823c000ULL);
			g->ctx = c;
			sp = g->kind == GT_NMI && nmi ? top : c->rsp;
		}
		L->savedfp[k] = m->arch->tf_place(m, g, sp);
		L->frame[k][n - 2] = g->fr;
		for (i = n - 3; i >= 0; i--)
			L->frame[k][i] = L->frame[k][i + 1] -
			    frame_size(m, t, k, i);
	}
}

/*
 * 1 if chain k is a kernel thread's first: the frame pointer fork_exit
 * saved is 0 (cpu_fork clears pcb_rbp), so debuggers end the backtrace at
 * fork_exit and the model lists no return into fork_trampoline.
 */
static int
kthread_end(const struct tlay *L, int k)
{
	return (k == L->nseg - 1 && L->trap[k].kind == GT_KTHREAD);
}

/*
 * Corrupt stacks (WH_STACKS), one thread each: a frame pointer that goes
 * back down the stack (a loop), one into the guard page (unmapped), one
 * into an undumped page, a frame record whose return address is in an
 * entry stub but whose trap frame runs off the top of the stack, and a
 * chain of STK_DEEP overlapping frame records, 8 (4) bytes apart, deeper
 * than any unwinder should follow (MD2ELF_MAXFRAMES is 256).
 */
enum { STK_LOOP, STK_UNMAPPED, STK_UNDUMPED, STK_TFOFF, STK_DEEP, STK_N };
#define	STK_DEEP_OFF	0x100
#define	STK_DEEP_N	300

static int
stack_variant(const struct model *m, uint32_t i)
{
	const struct world *w = m->world;
	int k;

	if (!(m->p.hostile & WH_STACKS) || w == NULL)
		return (-1);
	for (k = 0; k < STK_N; k++)
		if (w->stk[k] == i + 1)
			return (k);
	return (-1);
}

/* Registers and frame chain of thread t (its stack page at t->kstack). */
static void
thread_regs(const struct model *m, struct gthread *t)
{
	const chaintab *ch = arch_chains(m);
	const char *const *c = (*ch)[t->chain];
	struct tlay L;
	int k;

	layout(m, t, &L);
	t->rbp = L.frame[0][0];
	t->rsp = t->rbp - 0x20;
	t->rip = retaddr(m, c[0], saver((int)t->chain));
	t->rbx = model_hash(m->p.seed ^ 0xb, (uint64_t)t->tid);
	t->r12 = model_hash(m->p.seed ^ 0xc, (uint64_t)t->tid);
	t->r13 = model_hash(m->p.seed ^ 0xd, (uint64_t)t->tid);
	t->r14 = model_hash(m->p.seed ^ 0xe, (uint64_t)t->tid);
	t->r15 = model_hash(m->p.seed ^ 0xf, (uint64_t)t->tid);
	for (k = 1; k < L.nf[0]; k++)
		t->ret[k - 1] = retaddr(m, c[k], c[k - 1]);
	t->nret = L.nf[0] - 1 - kthread_end(&L, 0);
	if (stack_variant(m, (uint32_t)(t - m->threads)) == STK_DEEP) {
		t->rbp = t->kstack + STK_DEEP_OFF;
		t->rsp = t->rbp - 0x20;
		t->nret = 0;
	}
}

/* The trap name a converter gives a trap-frame thread, as FreeBSD numbers
   the traps (x86 T_PAGEFLT 12, T_NMI 19) or names the exception. */
static const char *
trap_label(const struct model *m, int kind)
{
	bool arm = m->arch->elfmachine == 183;

	switch (kind) {
	case GT_FAULT:
		return (arm ? "dabort" : "trap 12");
	case GT_NMI:
		return (arm || m->arch->ptrsize == 4 ? "intr" : "trap 19");
	default:
		return ("intr");
	}
}

/* The trap-frame threads of t (kernel-mode traps), appended to m. */
static int
trap_threads(struct model *m, const struct gthread *t)
{
	const chaintab *ch = arch_chains(m);
	const char *const *cn;
	struct gthread *c, *nt;
	struct tlay L;
	char nm[96];
	size_t nmlen;
	int k, i;

	layout(m, t, &L);
	for (k = 0; k + 1 < L.nseg; k++) {
		nt = realloc(m->tthreads, (m->ntthreads + 1) * sizeof(*nt));
		if (nt == NULL)
			return (-1);
		m->tthreads = nt;
		c = &m->tthreads[m->ntthreads++];
		*c = L.ctx[k];
		c->tf = L.trap[k].tf;
		cn = (*ch)[L.chain[k + 1]];
		/* Cut as a converter cuts a thread name (19 characters). */
		snprintf(nm, sizeof(nm), "%s %s", trap_label(m,
		    L.trap[k].kind), strcmp(cn[0], MODFN) == 0 ? m->modfn :
		    cn[0]);
		nmlen = strlen(nm) < sizeof(c->name) ? strlen(nm) :
		    sizeof(c->name) - 1;
		memcpy(c->name, nm, nmlen);
		c->name[nmlen] = '\0';
		for (i = 1; i < L.nf[k + 1]; i++)
			c->ret[i - 1] = retaddr(m, cn[i], cn[i - 1]);
		c->nret = L.nf[k + 1] - 1 - kthread_end(&L, k + 1);
	}
	return (0);
}

/* The stale context a running thread last saved in its td_pcb. */
static void
stale_regs(const struct model *m, const struct gthread *t,
    struct gthread *s)
{
	*s = *t;
	s->rip = retaddr(m, "sched_switch", "cpu_switch");
	s->rbp = t->kstack + 0x200;
	s->rsp = t->kstack + 0x1c0;
	s->rbx = ~t->rbx;
	s->r12 = s->r13 = s->r14 = s->r15 = 0;
}

/* Where thread i's registers are read from. */
static void
place_pcbs(struct model *m)
{
	const struct gsym *dp, *sp;
	struct gthread *t;
	size_t i;

	dp = model_sym(m, "dumppcb");
	sp = model_sym(m, "stoppcbs");
	for (i = 0; i < m->nthreads; i++) {
		t = &m->threads[i];
		if (t->kind == WT_CRASHED)
			t->pcb = dp->va;
		else if (t->kind == WT_ONCPU)
			t->pcb = sp->va + (uint64_t)t->oncpu *
			    m->arch->pcb_size;
		else
			t->pcb = t->kstack + PCB_OFF(m);
	}
}

int
world_build(struct model *m, char *err, size_t errlen)
{
	struct world *w;
	struct gthread *t;
	uint64_t pa, va, i, j, n, bytes;
	uint8_t pcb[2048], buf[8];

	if (make_funcs(m) != 0 || emit_funcs(m, false) != 0 ||
	    export_offsets(m) != 0)
		goto bug;
	if (m->p.nthreads == 0) {
		if (m->p.hostile != 0) {
			snprintf(err, errlen, "hostile thread lists need -T");
			return (-1);
		}
		return (0);
	}
	if (m->p.nthreads < 8) {
		snprintf(err, errlen, "a world needs at least 8 threads");
		return (-1);
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		goto nomem;
	m->world = w;
	if (plan(m, w) != 0)
		goto nomem;
	/* Processes and threads in direct-map pages, 4 per page. */
	for (i = 0; i < m->nprocs; i += GPAGE / PROC_SIZE) {
		pa = model_alloc(m, 1, PS_EXPLICIT | PS_WORLD);
		if (pa == UINT64_MAX || addpage(w, pa, WP_PROCS,
		    (uint32_t)i) != 0 || (va = objva(m, pa)) == UINT64_MAX)
			goto nomem;
		for (j = 0; j < GPAGE / PROC_SIZE && i + j < m->nprocs; j++)
			m->procs[i + j].p = va + j * PROC_SIZE;
	}
	for (i = 0; i < m->nthreads; i += GPAGE / TD_SIZE) {
		pa = model_alloc(m, 1, PS_EXPLICIT | PS_WORLD);
		if (pa == UINT64_MAX || addpage(w, pa, WP_THREADS,
		    (uint32_t)i) != 0 || (va = objva(m, pa)) == UINT64_MAX)
			goto nomem;
		for (j = 0; j < GPAGE / TD_SIZE && i + j < m->nthreads; j++)
			m->threads[i + j].td = va + j * TD_SIZE;
	}
	if (m->p.hostile & WH_STACKS) {
		for (i = 0, j = 0; i < m->nthreads && j < STK_N; i++)
			if (m->threads[i].kind == WT_SLEEP &&
			    m->threads[i].proc >= 4 &&
			    m->threads[i].chain != C_PREEMPT)
				w->stk[j++] = (uint32_t)i + 1;
		if (j < STK_N) {
			snprintf(err, errlen, "-W stacks needs more user "
			    "threads (-T)");
			return (-1);
		}
	}
	/* Kernel stacks: a guard page, then the stack page. */
	for (i = 0; i < m->nthreads; i++) {
		t = &m->threads[i];
		t->kstack = m->kstack_va + (2 * i + 1) * GPAGE;
		pa = model_alloc(m, 1, PS_WORLD);
		if (pa == UINT64_MAX || addpage(w, pa, WP_STACK,
		    (uint32_t)i) != 0 ||
		    m->arch->map4k(m, t->kstack, pa) != 0)
			goto nomem;
		/* -W stacks: the page above one stack mapped, not dumped. */
		if (stack_variant(m, (uint32_t)i) == STK_UNDUMPED) {
			pa = model_alloc(m, 1, PS_NODUMP);
			if (pa == UINT64_MAX ||
			    m->arch->map4k(m, t->kstack + GPAGE, pa) != 0)
				goto nomem;
			w->stk_undumped = t->kstack + GPAGE + 0x40;
		}
		thread_regs(m, t);
	}
	for (i = 0; i < m->nthreads; i++)
		if (trap_threads(m, &m->threads[i]) != 0)
			goto nomem;
	place_pcbs(m);
	/* Hostile: a long list in KVA after the stacks. */
	if (m->p.hostile & (WH_LONGLIST | WH_WIDELIST)) {
		bytes = m->p.longlist * long_stride(&m->p) + TD_SIZE;
		w->long_pages = bytes / GPAGE + 1;
		w->long_va = m->kstack_va + (2 * m->nthreads + 2) * GPAGE;
		for (i = 0; i < w->long_pages; i++) {
			pa = model_alloc(m, 1, PS_WORLD);
			if (pa == UINT64_MAX || addpage(w, pa, WP_LONG,
			    (uint32_t)i) != 0 || m->arch->map4k(m,
			    w->long_va + i * GPAGE, pa) != 0)
				goto nomem;
		}
		/* Not the crashed thread's process (the newest). */
		w->long_proc = (uint32_t)(m->nprocs - 2);
	}
	if (m->p.hostile & WH_PROCCYCLE) {
		/* allproc is newest first: the oldest loops to the middle. */
		w->cycle_proc = 0;
		w->cycle_to = (uint32_t)(m->nprocs / 2);
	}
	if (m->p.hostile & WH_TDCYCLE)
		for (i = 0; i < m->nprocs; i++)
			if (m->procs[i].nthreads > 1 && i != 0)
				w->tdcycle_proc = (uint32_t)i;
	if (m->p.hostile & WH_DANGLING) {
		w->bad_proc = (uint32_t)(m->nprocs / 2);
		w->dangling = m->kstack_va;	/* a guard page */
	}
	if (m->p.hostile & WH_UNDUMPED) {
		w->bad_td = m->procs[0].first;
		/* Never mapped nor dumped; mapped PG_NODUMP without a dmap. */
		pa = model_alloc(m, 1, m->arch->dmapend != 0 ? 0 : PS_NODUMP);
		if (pa == UINT64_MAX || (va = objva(m, pa)) == UINT64_MAX)
			goto nomem;
		w->undumped = va + 0x40;
	}
	qsort(w->pages, w->npages, sizeof(*w->pages), wpage_cmp);
	/* Kernel variables. */
	if (sym_putp(m, "allproc", 0, m->procs[m->nprocs - 1].p) != 0 ||
	    sym_put32(m, "dumptid", 0, (uint32_t)m->dumptid) != 0 ||
	    sym_put32(m, "mp_maxid", 0, m->ncpu - 1) != 0 ||
	    sym_put32(m, "mp_ncpus", 0, m->ncpu) != 0 ||
	    sym_putp(m, "pidhashtbl", 0, m->misc_va) != 0 ||
	    sym_putp(m, "pidhash", 0, m->p.hostile & WH_HUGEHASH ?
	    10000000 - 1 : PIDHASH) != 0)
		goto bug;
	/* The pid hash table: bucket heads, newest first. */
	{
		uint64_t *heads = calloc(PIDHASH + 1, 8);
		uint8_t *tb = calloc(PIDHASH + 1, 8);

		if (heads == NULL || tb == NULL) {
			free(heads);
			free(tb);
			goto nomem;
		}
		for (i = 0; i < m->nprocs; i++)
			heads[m->procs[i].pid & PIDHASH] = m->procs[i].p;
		for (i = 0; i <= PIDHASH; i++)
			putp(m, tb + PS(m) * i, heads[i]);
		n = model_patch(m, m->misc_pa[0], tb, (PIDHASH + 1) * PS(m));
		free(heads);
		free(tb);
		if (n != 0)
			goto nomem;
	}
	/* Registers: dumppcb, stoppcbs[], stopped_cpus, per-CPU data. */
	memset(buf, 0, sizeof(buf));
	for (i = 0; i < m->nthreads; i++) {
		t = &m->threads[i];
		if (t->kind == WT_SLEEP)
			continue;
		m->arch->pcb(m, t, pcb);
		if (model_patch_va(m, t->pcb, pcb, m->arch->pcb_size) != 0)
			goto bug;
		if (t->kind == WT_ONCPU)
			buf[t->oncpu / 8] |= (uint8_t)(1 << (t->oncpu % 8));
	}
	if (sym_put(m, "stopped_cpus", 0, buf, 8) != 0)
		goto bug;
	for (i = 0; i < m->ncpu; i++) {
		uint8_t pc[40];
		uint64_t cur = 0, idle;

		idle = m->threads[m->procs[2].first + (i < m->procs[2].nthreads
		    ? i : 0)].td;
		cur = idle;
		for (j = 0; j < m->nthreads; j++)
			if (m->threads[j].oncpu == (int32_t)i)
				cur = m->threads[j].td;
		memset(pc, 0, sizeof(pc));
		putp(m, pc, cur);
		putp(m, pc + PS(m), idle);
		va = model_sym(m, "__pcpu")->va + i * PCPU_SIZE;
		if (model_patch_va(m, va, pc, sizeof(pc)) != 0 ||
		    sym_putp(m, "cpuid_to_pcpu", i * PS(m), va) != 0)
			goto bug;
	}
	return (0);
nomem:
	snprintf(err, errlen, "model needs more RAM for %" PRIu32 " threads "
	    "(%" PRIu64 " MiB is too small)", m->p.nthreads, m->p.ram_mib);
	return (-1);
bug:
	snprintf(err, errlen, "model bug: cannot build the world");
	return (-1);
}

int
world_modules(struct model *m, char *err, size_t errlen)
{
	size_t i;

	if (m->p.nmodules == 0)
		return (0);
	if (m->modfn_va == 0) {
		snprintf(err, errlen, "no function of %s calls _sleep (the "
		    "model's module thread needs one)", m->p.modules[0]);
		return (-1);
	}
	if (emit_funcs(m, true) != 0) {
		snprintf(err, errlen, "model bug: cannot emit the module's "
		    "callers");
		return (-1);
	}
	for (i = 0; i < m->nthreads; i++)
		if (m->threads[i].chain == C_MODULE)
			thread_regs(m, &m->threads[i]);
	/* The trap-frame threads again: the crash's is in the module. */
	m->ntthreads = 0;
	for (i = 0; i < m->nthreads; i++)
		if (trap_threads(m, &m->threads[i]) != 0) {
			snprintf(err, errlen, "out of memory");
			return (-1);
		}
	return (0);
}

static const struct wpage *
wfind(const struct world *w, uint64_t pfn)
{
	size_t lo, hi, mid;

	lo = 0;
	hi = w->npages;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (w->pages[mid].pfn < pfn)
			lo = mid + 1;
		else if (w->pages[mid].pfn > pfn)
			hi = mid;
		else
			return (&w->pages[mid]);
	}
	return (NULL);
}

/* Deterministic filler for the fields the model does not use. */
static void
filler(const struct model *m, uint64_t key, uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i + 8 <= n; i += 8)
		gen_put64(b + i, m->p.dense ? dense_word(model_hash(m->p.seed ^
		    0xf111, key + i)) : (model_hash(m->p.seed ^ 0xf111,
		    key + i) & 0x00ff00ff00ff00ffULL));
}

static void
proc_bytes(const struct model *m, const struct world *w, uint32_t i,
    uint8_t *b)
{
	const struct gproc *p = &m->procs[i];
	const struct gthread *first, *last;
	uint64_t next, prev;

	filler(m, p->p, b, PROC_SIZE);
	/* allproc: newest first; p_list.le_prev points at the previous. */
	next = i > 0 ? m->procs[i - 1].p : 0;
	if ((m->p.hostile & WH_PROCCYCLE) && i == w->cycle_proc)
		next = m->procs[w->cycle_to].p;
	if ((m->p.hostile & WH_DANGLING) && i == w->bad_proc)
		next = w->dangling;
	prev = i + 1 < m->nprocs ? m->procs[i + 1].p + P_LIST :
	    model_sym(m, "allproc")->va;
	putp(m, b + P_LIST, next);
	putp(m, b + P_LIST + PS(m), prev);
	first = &m->threads[p->first];
	last = &m->threads[p->first + p->nthreads - 1];
	putp(m, b + P_THREADS, first->td);
	putp(m, b + P_THREADS + PS(m), last->td + TD_PLIST);
	if ((m->p.hostile & (WH_LONGLIST | WH_WIDELIST)) && i == w->long_proc)
		putp(m, b + P_THREADS, w->long_va);
	gen_put32(b + P_PID, (uint32_t)p->pid);
	/* Pid hash chain: the next older process in the same bucket. */
	putp(m, b + P_HASH, p->hnext != 0 ? m->procs[p->hnext - 1].p : 0);
	putp(m, b + P_HASH + PS(m), 0);
	memset(b + P_COMM, 0, 20);
	memcpy(b + P_COMM, p->comm, strlen(p->comm));
}

static void
thread_bytes(const struct model *m, const struct world *w, uint32_t i,
    uint8_t *b)
{
	const struct gthread *t = &m->threads[i];
	const struct gproc *p = &m->procs[t->proc];
	uint64_t next, prev;

	filler(m, t->td, b, TD_SIZE);
	gen_put64(b + 0, 0);			/* td_lock */
	putp(m, b + TD_PROC, p->p);
	next = i + 1 < p->first + p->nthreads ? m->threads[i + 1].td : 0;
	if ((m->p.hostile & WH_TDCYCLE) && t->proc == w->tdcycle_proc &&
	    next == 0)
		next = m->threads[p->first].td;
	if ((m->p.hostile & WH_UNDUMPED) && i == w->bad_td)
		next = w->undumped;
	prev = i > p->first ? m->threads[i - 1].td + TD_PLIST :
	    p->p + P_THREADS;
	putp(m, b + TD_PLIST, next);
	putp(m, b + TD_PLIST + PS(m), prev);
	gen_put32(b + TD_TID, (uint32_t)t->tid);
	gen_put32(b + TD_ONCPU, (uint32_t)t->oncpu);
	memset(b + TD_NAME, 0, 20);
	memcpy(b + TD_NAME, t->name, strlen(t->name));
	putp(m, b + TD_PCB, t->kstack + PCB_OFF(m));
	putp(m, b + TD_KSTACK, t->kstack);
}

static void
stack_corrupt(const struct model *m, uint32_t i, const struct tlay *L,
    uint8_t *b)
{
	const chaintab *ch = arch_chains(m);
	const struct world *w = m->world;
	const struct gthread *t = &m->threads[i];
	const char *const *cc = (*ch)[C_CRASH];
	uint64_t f1 = L->frame[0][1] - t->kstack, fr, a;
	int n, j;

	switch (stack_variant(m, i)) {
	case STK_LOOP:
		putp(m, b + (L->frame[0][2] - t->kstack), L->frame[0][0]);
		break;
	case STK_UNMAPPED:
		putp(m, b + f1, t->kstack + GPAGE + 0x100);	/* guard */
		break;
	case STK_UNDUMPED:
		putp(m, b + f1, w->stk_undumped);
		break;
	case STK_TFOFF:
		for (n = 0; cc[n] != NULL; n++)
			;
		fr = GPAGE - 2 * PS(m);
		putp(m, b + f1, t->kstack + fr);
		putp(m, b + fr, t->kstack + GPAGE + 0x100);
		putp(m, b + fr + PS(m), retaddr(m, cc[n - 1], cc[n - 2]));
		break;
	case STK_DEEP:
		for (j = 0; j < STK_DEEP_N; j++) {
			a = STK_DEEP_OFF + (uint64_t)j * PS(m);
			putp(m, b + a, t->kstack + a + PS(m));
		}
		break;
	}
}

int32_t
world_stack_tid(const struct model *m, int k)
{
	const struct world *w = m->world;

	if (!(m->p.hostile & WH_STACKS) || w == NULL || k < 0 || k >= STK_N ||
	    w->stk[k] == 0)
		return (-1);
	return (m->threads[w->stk[k] - 1].tid);
}

/* A kernel stack page: frames of the chains, trap frames, the pcb. */
static void
stack_bytes(const struct model *m, uint32_t i, uint8_t *b)
{
	const chaintab *ch = arch_chains(m);
	const struct gthread *t = &m->threads[i];
	const char *const *cn;
	struct gthread s;
	struct tlay L;
	uint64_t f;
	int k, j;

	filler(m, t->kstack, b, GPAGE);
	layout(m, t, &L);
	for (k = 0; k < L.nseg; k++) {
		cn = (*ch)[L.chain[k]];
		/* Frame j: the caller's frame pointer, the return address. */
		for (j = 0; j + 1 < L.nf[k]; j++) {
			f = L.frame[k][j];
			putp(m, b + (f - t->kstack), j + 2 < L.nf[k] ?
			    L.frame[k][j + 1] : L.savedfp[k]);
			putp(m, b + (f - t->kstack) + PS(m),
			    retaddr(m, cn[j + 1], cn[j]));
		}
		m->arch->tfbytes(m, &L.trap[k], b, t->kstack);
	}
	stack_corrupt(m, i, &L, b);
	/* td_pcb: the current context, or a stale one if running. */
	if (t->kind == WT_SLEEP)
		m->arch->pcb(m, t, b + PCB_OFF(m));
	else {
		stale_regs(m, t, &s);
		m->arch->pcb(m, &s, b + PCB_OFF(m));
	}
}

/*
 * The long lists.  Overlapping (8 bytes apart): the word at address X is
 * X - TD_PLIST + 8, so every entry's td_plist points 8 bytes further.
 * Wide (TD_SIZE apart): real-looking entries with tids from 200000 whose
 * td_pcb is the first thread's pcb, each pointing at the next.
 */
static void
long_bytes(const struct model *m, const struct world *w, uint32_t i,
    uint8_t *b)
{
	uint64_t va, k, e;

	va = w->long_va + (uint64_t)i * GPAGE;
	if (!(m->p.hostile & WH_WIDELIST)) {
		for (k = 0; k < GPAGE; k += PS(m))
			putp(m, b + k, va + k - TD_PLIST + PS(m));
		return;
	}
	for (k = 0; k < GPAGE; k += TD_SIZE) {
		e = (va + k - w->long_va) / TD_SIZE;
		filler(m, va + k, b + k, TD_SIZE);
		putp(m, b + k + TD_PLIST, e + 1 < m->p.longlist ?
		    va + k + TD_SIZE : 0);
		gen_put32(b + k + TD_TID, (uint32_t)(200000 + e));
		gen_put32(b + k + TD_ONCPU, 0xffffffff);
		memset(b + k + TD_NAME, 0, 20);
		memcpy(b + k + TD_NAME, "widelist", 8);
		putp(m, b + k + TD_PCB, m->threads[0].kstack + PCB_OFF(m));
	}
}

void
world_page(const struct model *m, uint64_t pa, uint8_t *buf)
{
	const struct world *w = m->world;
	const struct wpage *p;
	uint32_t j;

	memset(buf, 0, GPAGE);
	if (w == NULL || (p = wfind(w, pa / GPAGE)) == NULL)
		return;
	switch (p->kind) {
	case WP_PROCS:
		for (j = 0; j < GPAGE / PROC_SIZE &&
		    p->index + j < m->nprocs; j++)
			proc_bytes(m, w, p->index + j, buf + j * PROC_SIZE);
		break;
	case WP_THREADS:
		for (j = 0; j < GPAGE / TD_SIZE &&
		    p->index + j < m->nthreads; j++)
			thread_bytes(m, w, p->index + j, buf + j * TD_SIZE);
		break;
	case WP_STACK:
		stack_bytes(m, p->index, buf);
		break;
	case WP_LONG:
		long_bytes(m, w, p->index, buf);
		break;
	}
}

void
world_free(struct model *m)
{
	struct world *w = m->world;

	if (w != NULL) {
		free(w->pages);
		free(w);
	}
	free(m->procs);
	free(m->threads);
	free(m->tthreads);
	m->tthreads = NULL;
	m->ntthreads = 0;
	m->world = NULL;
}
