/*
 * The Linux transport: hypercalls through the privcmd device, hypercall
 * buffers from /dev/xen/hypercall (pages the kernel never moves) or, on
 * kernels without it, locked anonymous pages kept out of fork().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "xc_internal.h"

#define PRIVCMD_PATH "/dev/xen/privcmd"
#define PRIVCMD_LEGACY_PATH "/proc/xen/privcmd"
#define HYPERCALL_BUF_PATH "/dev/xen/hypercall"

struct privcmd {
    int fd;
    int buf_fd; /* -1: anonymous locked pages */
    const char *path;
};

static long privcmd_hypercall(void *ctx, uint64_t op, const uint64_t arg[5])
{
    struct privcmd *p = ctx;
    struct xc_privcmd_hypercall hc = { op, { arg[0], arg[1], arg[2], arg[3], arg[4] } };
    int rc = ioctl(p->fd, XC_IOCTL_PRIVCMD_HYPERCALL, &hc);
    return rc < 0 ? -(long)errno : (long)rc;
}

static void *privcmd_buf_alloc(void *ctx, size_t len)
{
    struct privcmd *p = ctx;
    size_t page = (size_t)sysconf(_SC_PAGESIZE), off;
    unsigned char *buf;

    if (p->buf_fd >= 0) {
        buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, p->buf_fd, 0);
        return buf == MAP_FAILED ? NULL : buf;
    }
    buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
    if (buf == MAP_FAILED) return NULL;
    /* A fork must not turn these pages copy-on-write under the hypervisor. */
    if (madvise(buf, len, MADV_DONTFORK) < 0) {
        int e = errno;
        munmap(buf, len);
        errno = e;
        return NULL;
    }
    for (off = 0; off < len; off += page) buf[off] = 0;
    return buf;
}

static void privcmd_buf_free(void *ctx, void *buf, size_t len)
{
    (void)ctx;
    munmap(buf, len);
}

static void privcmd_close(void *ctx)
{
    struct privcmd *p = ctx;
    if (p->buf_fd >= 0) close(p->buf_fd);
    if (p->fd >= 0) close(p->fd);
    free(p);
}

static const char *privcmd_describe(void *ctx)
{
    struct privcmd *p = ctx;
    if (p->buf_fd >= 0)
        return p->path[1] == 'd' ? PRIVCMD_PATH ", buffers from " HYPERCALL_BUF_PATH
                                 : PRIVCMD_LEGACY_PATH ", buffers from " HYPERCALL_BUF_PATH;
    return p->path[1] == 'd' ? PRIVCMD_PATH ", locked anonymous buffers"
                             : PRIVCMD_LEGACY_PATH ", locked anonymous buffers";
}

static const struct xc_transport_ops privcmd_ops = {
    privcmd_hypercall, privcmd_buf_alloc, privcmd_buf_free, privcmd_close, privcmd_describe,
};

static int missing(int e) { return e == ENOENT || e == ENXIO || e == ENODEV; }

int xc_open_privcmd(const struct xc_iface *known, xc_handle **out, struct xc_error *err)
{
    struct privcmd *p = calloc(1, sizeof *p);
    int e;

    *out = NULL;
    if (!p) return xc_fail(err, XC_ESYSTEM, errno, "cannot allocate the privcmd transport");
    p->buf_fd = -1;
    p->path = PRIVCMD_PATH;
    p->fd = open(PRIVCMD_PATH, O_RDWR | O_CLOEXEC);
    if (p->fd < 0 && missing(errno)) {
        p->path = PRIVCMD_LEGACY_PATH;
        p->fd = open(PRIVCMD_LEGACY_PATH, O_RDWR | O_CLOEXEC);
        if (p->fd < 0 && missing(errno)) {
            e = errno;
            privcmd_close(p);
            return xc_fail(err, XC_ENOPRIVCMD, e,
                           PRIVCMD_PATH " is missing (and so is " PRIVCMD_LEGACY_PATH "): this is not a Xen dom0, "
                           "or the xen-privcmd module is not loaded");
        }
    }
    if (p->fd < 0) {
        const char *path = p->path;
        e = errno;
        privcmd_close(p);
        if (e == EACCES || e == EPERM)
            return xc_fail(err, XC_EACCESS, e, "cannot open %s: %s (direct hypercalls need root)", path, strerror(e));
        return xc_fail(err, XC_ESYSTEM, e, "cannot open %s: %s", path, strerror(e));
    }
    p->buf_fd = open(HYPERCALL_BUF_PATH, O_RDWR | O_CLOEXEC);
    if (p->buf_fd < 0 && errno != ENOENT) {
        e = errno;
        privcmd_close(p);
        return xc_fail(err, XC_ESYSTEM, e, "cannot open " HYPERCALL_BUF_PATH ": %s", strerror(e));
    }
    return xc_open_transport(&privcmd_ops, p, known, out, err);
}
