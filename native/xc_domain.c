/* Domain queries and control: getdomaininfo, getdomaininfolist, pause, unpause, destroy, shutdown. */
#include <errno.h>
#include <string.h>

#include "xc_internal.h"

void xc_dominfo_from_abi(const struct xc_abi_dominfo *in, struct xc_dominfo *out)
{
    out->domid = in->domain;
    out->online_vcpus = in->nr_online_vcpus;
    /* max_vcpu_id is ~0 for a domain without vCPUs, so +1 wraps to 0 as it should. */
    out->max_vcpus = in->max_vcpu_id + 1u;
    out->tot_pages = in->tot_pages;
    out->max_pages = in->max_pages;
    out->cpu_time_ns = in->cpu_time;
    memcpy(out->handle, in->handle, sizeof out->handle);
    xc_state_from_flags(in->flags, in->nr_online_vcpus, out);
}

int xc_check_domid(xc_handle *h, uint32_t domid)
{
    if (domid > XC_DOMID_MAX)
        return xc_fail(&h->err, XC_EINVAL, 0, "domain id %u is out of range 0-%u", domid, XC_DOMID_MAX);
    return XC_OK;
}

static int domctl_failed(xc_handle *h, const char *what, uint32_t domid, long rc)
{
    if (rc == -ESRCH) return xc_fail(&h->err, XC_ENODOMAIN, ESRCH, "no domain with id %u", domid);
    return xc_fail(&h->err, XC_EHYPERCALL, (int)-rc, "%s of domain %u failed: %s", what, domid, strerror((int)-rc));
}

int xc_domain_getinfo(xc_handle *h, uint32_t domid, struct xc_dominfo *out)
{
    struct xc_abi_domctl *d;
    long rc;

    if (xc_check_domid(h, domid) != XC_OK) return h->err.status;
    d = xc_domctl_prepare(h, XC_DOMCTL_GETDOMAININFO, h->iface.domctl_if, domid);
    rc = xc_do_domctl(h);
    if (rc < 0) return domctl_failed(h, "getdomaininfo", domid, rc);
    /* Up to domctl 0x15 (Xen 4.17) Xen answers with the next domain >= domid. */
    if (d->u.getdomaininfo.domain != domid)
        return xc_fail(&h->err, XC_ENODOMAIN, ESRCH, "no domain with id %u", domid);
    xc_dominfo_from_abi(&d->u.getdomaininfo, out);
    return XC_OK;
}

int xc_domain_list(xc_handle *h, struct xc_dominfo *out, size_t cap, size_t *total)
{
    const struct xc_abi_dominfo *recs = (const struct xc_abi_dominfo *)(h->arena + XC_ARENA_CONTROL_LEN);
    uint32_t first = 0;
    size_t n = 0;

    for (;;) {
        struct xc_abi_sysctl *s = xc_sysctl_prepare(h, XC_SYSCTL_GETDOMAININFOLIST, h->iface.sysctl_if);
        uint32_t got, i;
        long rc;

        s->u.getdomaininfolist.first_domain = (uint16_t)first;
        s->u.getdomaininfolist.max_domains = XC_LIST_BATCH;
        s->u.getdomaininfolist.buffer = (uint64_t)(uintptr_t)recs;
        rc = xc_do_sysctl(h);
        if (rc < 0)
            return xc_fail(&h->err, XC_EHYPERCALL, (int)-rc, "getdomaininfolist failed: %s", strerror((int)-rc));
        got = s->u.getdomaininfolist.num_domains;
        if (got > XC_LIST_BATCH)
            return xc_fail(&h->err, XC_EHYPERCALL, 0, "getdomaininfolist returned %u records for %u slots",
                           got, (unsigned)XC_LIST_BATCH);
        for (i = 0; i < got; i++, n++)
            if (n < cap) xc_dominfo_from_abi(&recs[i], &out[n]);
        if (got < XC_LIST_BATCH) break;
        first = recs[got - 1].domain + 1u;
        if (first > XC_DOMID_MAX) break;
    }
    *total = n;
    return XC_OK;
}

/* Destroying or shutting down domain 0 would take the host down with it: never do it by accident. */
static int check_not_dom0(xc_handle *h, const char *what, uint32_t domid)
{
    if (domid == 0)
        return xc_fail(&h->err, XC_EINVAL, 0, "refusing to %s domain 0 (the control domain runs the host)", what);
    return xc_check_domid(h, domid);
}

static int simple_domctl(xc_handle *h, uint32_t cmd, const char *what, uint32_t domid)
{
    long rc;

    if ((cmd == XC_DOMCTL_DESTROYDOMAIN ? check_not_dom0(h, what, domid) : xc_check_domid(h, domid)) != XC_OK)
        return h->err.status;
    do {
        xc_domctl_prepare(h, cmd, h->iface.domctl_if, domid);
        rc = xc_do_domctl(h);
        /* destroydomain answers EAGAIN while the teardown is still in progress. */
    } while (rc == -EAGAIN && cmd == XC_DOMCTL_DESTROYDOMAIN);
    return rc < 0 ? domctl_failed(h, what, domid, rc) : XC_OK;
}

int xc_domain_pause(xc_handle *h, uint32_t domid) { return simple_domctl(h, XC_DOMCTL_PAUSEDOMAIN, "pause", domid); }
int xc_domain_unpause(xc_handle *h, uint32_t domid) { return simple_domctl(h, XC_DOMCTL_UNPAUSEDOMAIN, "unpause", domid); }
int xc_domain_destroy(xc_handle *h, uint32_t domid) { return simple_domctl(h, XC_DOMCTL_DESTROYDOMAIN, "destroy", domid); }

int xc_domain_shutdown(xc_handle *h, uint32_t domid, uint32_t reason)
{
    struct xc_abi_remote_shutdown *arg = (struct xc_abi_remote_shutdown *)h->arena;
    long rc;

    if (check_not_dom0(h, "shut down", domid) != XC_OK) return h->err.status;
    if (reason != XC_REASON_POWEROFF && reason != XC_REASON_REBOOT)
        return xc_fail(&h->err, XC_EINVAL, 0, "shutdown reason %u is not poweroff (0) or reboot (1)", reason);
    memset(arg, 0, sizeof *arg);
    arg->domain_id = (uint16_t)domid;
    arg->reason = reason;
    rc = xc_hypercall(h, XC_HYPERCALL_SCHED_OP, XC_SCHEDOP_REMOTE_SHUTDOWN, (uint64_t)(uintptr_t)arg);
    return rc < 0 ? domctl_failed(h, reason == XC_REASON_REBOOT ? "reboot" : "shutdown", domid, rc) : XC_OK;
}
