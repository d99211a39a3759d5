/*
 * xc_open_privcmd over the fake hypervisor (../xc_fake.c), linked instead of
 * xc_privcmd.c into the test build of the addon that
 * test/integration/native/addon-teardown.test.ts compiles under ASan/UBSan.
 * Each handle holds one real descriptor (/dev/null) standing for its privcmd
 * fd, so a handle nobody closes shows in /proc/self/fd; every hypercall
 * sleeps XVIRT_FAKE_HYPERCALL_US microseconds, so calls are still running
 * when a test ends the thread that made them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../xc_fake.h"

struct fake_privcmd {
    struct fake_xen xen;
    int fd;
    unsigned delay_us;
};

static long slow_hypercall(void *ctx, uint64_t op, const uint64_t arg[5])
{
    struct fake_privcmd *p = ctx;
    if (p->delay_us) usleep(p->delay_us);
    return fake_ops.hypercall(&p->xen, op, arg);
}

static void *fake_buf_alloc(void *ctx, size_t len)
{
    return fake_ops.buf_alloc(&((struct fake_privcmd *)ctx)->xen, len);
}

static void fake_buf_free(void *ctx, void *buf, size_t len)
{
    fake_ops.buf_free(&((struct fake_privcmd *)ctx)->xen, buf, len);
}

static void fake_privcmd_close(void *ctx)
{
    struct fake_privcmd *p = ctx;
    if (p->fd >= 0) close(p->fd);
    free(p);
}

static const char *fake_privcmd_describe(void *ctx)
{
    (void)ctx;
    return "fake hypervisor (test build)";
}

static const struct xc_transport_ops fake_privcmd_ops = {
    slow_hypercall, fake_buf_alloc, fake_buf_free, fake_privcmd_close, fake_privcmd_describe,
};

static int fail(struct xc_error *err, int e, const char *what)
{
    if (err) {
        err->status = XC_ESYSTEM;
        err->sys_errno = e;
        snprintf(err->message, sizeof err->message, "fake privcmd: %s: %s", what, strerror(e));
    }
    return XC_ESYSTEM;
}

int xc_open_privcmd(const struct xc_iface *known, xc_handle **out, struct xc_error *err)
{
    struct fake_privcmd *p = calloc(1, sizeof *p);
    const char *delay = getenv("XVIRT_FAKE_HYPERCALL_US");

    *out = NULL;
    if (!p) return fail(err, errno, "cannot allocate the fake hypervisor");
    fake_init(&p->xen, 17, 3);
    p->delay_us = delay ? (unsigned)strtoul(delay, NULL, 10) : 0;
    p->fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (p->fd < 0) {
        int e = errno;
        free(p);
        return fail(err, e, "cannot open /dev/null");
    }
    return xc_open_transport(&fake_privcmd_ops, p, known, out, err);
}
