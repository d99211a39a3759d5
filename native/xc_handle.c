/* Handle lifetime, the hypercall arena, error recording. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xc_internal.h"

int xc_fail(struct xc_error *err, int status, int sys_errno, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->status = status;
        err->sys_errno = sys_errno;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return status;
}

int xc_open_transport(const struct xc_transport_ops *ops, void *ctx, const struct xc_iface *known,
                      xc_handle **out, struct xc_error *err)
{
    xc_handle *h;
    int rc;

    *out = NULL;
    h = calloc(1, sizeof *h);
    if (!h) {
        int e = errno;
        ops->close(ctx);
        return xc_fail(err, XC_ESYSTEM, e, "cannot allocate the hypervisor handle: %s", strerror(e));
    }
    h->ops = ops;
    h->ctx = ctx;
    h->arena = ops->buf_alloc(ctx, XC_ARENA_LEN);
    if (!h->arena) {
        int e = errno;
        rc = xc_fail(err, XC_ESYSTEM, e, "cannot allocate %u bytes of hypercall buffers (%s): %s",
                     (unsigned)XC_ARENA_LEN, ops->describe(ctx), strerror(e));
        xc_close(h);
        return rc;
    }
    if (known) {
        h->iface = *known;
    } else if ((rc = xc_detect_interface(h)) != XC_OK) {
        if (err) *err = h->err;
        xc_close(h);
        return rc;
    }
    *out = h;
    return XC_OK;
}

void xc_close(xc_handle *h)
{
    if (!h) return;
    if (h->arena) h->ops->buf_free(h->ctx, h->arena, XC_ARENA_LEN);
    h->ops->close(h->ctx);
    free(h);
}

const struct xc_error *xc_last_error(const xc_handle *h) { return &h->err; }
const struct xc_iface *xc_interface(const xc_handle *h) { return &h->iface; }
const char *xc_transport_description(const xc_handle *h) { return h->ops->describe(h->ctx); }

long xc_hypercall(xc_handle *h, uint64_t op, uint64_t a0, uint64_t a1)
{
    const uint64_t args[5] = { a0, a1, 0, 0, 0 };
    return h->ops->hypercall(h->ctx, op, args);
}

struct xc_abi_sysctl *xc_sysctl_prepare(xc_handle *h, uint32_t cmd, uint32_t interface_version)
{
    struct xc_abi_sysctl *s = (struct xc_abi_sysctl *)h->arena;
    memset(s, 0, sizeof *s);
    s->cmd = cmd;
    s->interface_version = interface_version;
    return s;
}

struct xc_abi_domctl *xc_domctl_prepare(xc_handle *h, uint32_t cmd, uint32_t interface_version, uint32_t domid)
{
    struct xc_abi_domctl *d = (struct xc_abi_domctl *)h->arena;
    memset(d, 0, sizeof *d);
    d->cmd = cmd;
    d->interface_version = interface_version;
    d->domain = (uint16_t)domid;
    return d;
}

long xc_do_sysctl(xc_handle *h)
{
    long rc = xc_hypercall(h, XC_HYPERCALL_SYSCTL, (uint64_t)(uintptr_t)h->arena, 0);
    return rc < 0 ? rc : 0;
}

long xc_do_domctl(xc_handle *h)
{
    long rc = xc_hypercall(h, XC_HYPERCALL_DOMCTL, (uint64_t)(uintptr_t)h->arena, 0);
    return rc < 0 ? rc : 0;
}

const char *xc_status_name(int status)
{
    static const char *const names[] = {
        "XC_OK", "XC_ENOPRIVCMD", "XC_EACCESS", "XC_EUNSUPPORTED",
        "XC_ENODOMAIN", "XC_EHYPERCALL", "XC_ESYSTEM", "XC_EINVAL",
    };
    if (status < 0 || (size_t)status >= sizeof names / sizeof names[0]) return "XC_EUNKNOWN";
    return names[status];
}
