/*
 * The last restriction: once serving, the helper may only make the system
 * calls its poll loop, the hypercall ioctl and malloc need. Anything else
 * kills the process (a client then starts a fresh one). Sanitizer builds
 * skip it: their runtimes make calls of their own.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "xp_privs.h"

#if defined(__x86_64__)
#define XP_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define XP_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#define ALLOW(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

int xp_restrict_syscalls(char *err, size_t err_len)
{
#if defined(XP_AUDIT_ARCH) && !defined(XP_NO_SECCOMP)
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, XP_AUDIT_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef SYS_poll
        ALLOW(SYS_poll),
#endif
        ALLOW(SYS_ppoll),
        ALLOW(SYS_accept4),
        ALLOW(SYS_getsockopt),
        ALLOW(SYS_recvfrom),
        ALLOW(SYS_sendto),
        ALLOW(SYS_read),
        ALLOW(SYS_write),
        ALLOW(SYS_close),
        ALLOW(SYS_ioctl), /* IOCTL_PRIVCMD_HYPERCALL on the fd opened before the drop */
        ALLOW(SYS_clock_gettime),
        ALLOW(SYS_brk),
        ALLOW(SYS_mmap),
        ALLOW(SYS_munmap),
        ALLOW(SYS_mremap),
        ALLOW(SYS_madvise),
        ALLOW(SYS_rt_sigreturn),
        ALLOW(SYS_exit),
        ALLOW(SYS_exit_group),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
    };
    struct sock_fprog prog = { (unsigned short)(sizeof filter / sizeof filter[0]), filter };

    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0) {
        snprintf(err, err_len, "cannot install the system call filter: %s", strerror(errno));
        return -1;
    }
#else
    (void)err;
    (void)err_len;
#endif
    return 0;
}
