/*
 * Interface-version detection. Xen checks interface_version for an exact
 * match before anything else and answers EACCES otherwise, so probing with
 * read-only calls has no side effects: XENVER_version names the release, its
 * expected pair is confirmed with getdomaininfolist(0, 1) and
 * getdomaininfo(0), and on EACCES the other known values are tried.
 */
#include <errno.h>
#include <string.h>

#include "xc_internal.h"

struct xc_release {
    uint32_t minor; /* of Xen 4.x */
    uint32_t sysctl_if, domctl_if;
};

/* Releases whose layouts the core implements (see xc_abi.h). */
static const struct xc_release releases[] = {
    { 16, 0x14, 0x14 },
    { 17, 0x15, 0x15 },
    { 18, 0x15, 0x16 },
    { 19, 0x15, 0x17 },
};
#define N_RELEASES (sizeof releases / sizeof releases[0])

static const uint32_t known_sysctl[] = { 0x14, 0x15 };
static const uint32_t known_domctl[] = { 0x14, 0x15, 0x16, 0x17 };

/* 0 if `version` is accepted, -EACCES if refused, other -errno on real failures. */
static long probe_sysctl(xc_handle *h, uint32_t version)
{
    struct xc_abi_sysctl *s = xc_sysctl_prepare(h, XC_SYSCTL_GETDOMAININFOLIST, version);
    const struct xc_abi_dominfo *rec = (const struct xc_abi_dominfo *)(h->arena + XC_ARENA_CONTROL_LEN);
    long rc;

    s->u.getdomaininfolist.first_domain = 0;
    s->u.getdomaininfolist.max_domains = 1;
    s->u.getdomaininfolist.buffer = (uint64_t)(uintptr_t)rec;
    rc = xc_do_sysctl(h);
    if (rc < 0) return rc;
    /* dom0 (us) always exists: anything else means the layout is not what we think. */
    return s->u.getdomaininfolist.num_domains == 1 && rec->domain == 0 ? 0 : -EPROTO;
}

static long probe_domctl(xc_handle *h, uint32_t version)
{
    struct xc_abi_domctl *d = xc_domctl_prepare(h, XC_DOMCTL_GETDOMAININFO, version, 0);
    long rc = xc_do_domctl(h);
    if (rc < 0) return rc;
    return d->u.getdomaininfo.domain == 0 && d->u.getdomaininfo.max_vcpu_id < 4096 ? 0 : -EPROTO;
}

/* Tries `expected`, then every other known value; stores the accepted one. */
static int confirm(xc_handle *h, const char *what, long (*probe)(xc_handle *, uint32_t),
                   uint32_t expected, const uint32_t *known, size_t n_known, uint32_t *accepted)
{
    uint32_t tried = expected;
    long rc = probe(h, tried);
    size_t i;

    for (i = 0; rc == -EACCES && i < n_known; i++)
        if (known[i] != expected) {
            tried = known[i];
            rc = probe(h, tried);
        }
    if (rc == 0) {
        *accepted = tried;
        return XC_OK;
    }
    if (rc == -EACCES)
        return xc_fail(&h->err, XC_EUNSUPPORTED, EACCES,
                       "Xen %u.%u rejects every %s interface version xvirt knows (0x%x-0x%x); "
                       "xvirt supports Xen 4.16-4.19",
                       h->iface.xen_major, h->iface.xen_minor, what, known[0], known[n_known - 1]);
    if (rc == -EPROTO)
        return xc_fail(&h->err, XC_EUNSUPPORTED, 0,
                       "Xen %u.%u accepted %s interface 0x%x but its answer about domain 0 is malformed",
                       h->iface.xen_major, h->iface.xen_minor, what, tried);
    return xc_fail(&h->err, XC_EHYPERCALL, (int)-rc, "%s interface probe failed: %s", what, strerror((int)-rc));
}

int xc_detect_interface(xc_handle *h)
{
    long v = xc_hypercall(h, XC_HYPERCALL_XEN_VERSION, XC_XENVER_VERSION, 0);
    const struct xc_release *rel = NULL;
    size_t i;
    int rc;

    if (v < 0)
        return xc_fail(&h->err, XC_EHYPERCALL, (int)-v, "XENVER_version failed: %s", strerror((int)-v));
    h->iface.xen_major = (uint32_t)v >> 16;
    h->iface.xen_minor = (uint32_t)v & 0xffff;
    for (i = 0; i < N_RELEASES; i++)
        if (h->iface.xen_major == 4 && releases[i].minor == h->iface.xen_minor) rel = &releases[i];
    if (!rel)
        return xc_fail(&h->err, XC_EUNSUPPORTED, 0,
                       "Xen %u.%u is not supported: xvirt knows the hypercall interfaces of Xen 4.16-4.19",
                       h->iface.xen_major, h->iface.xen_minor);
    rc = confirm(h, "sysctl", probe_sysctl, rel->sysctl_if, known_sysctl,
                 sizeof known_sysctl / sizeof known_sysctl[0], &h->iface.sysctl_if);
    if (rc != XC_OK) return rc;
    return confirm(h, "domctl", probe_domctl, rel->domctl_if, known_domctl,
                   sizeof known_domctl / sizeof known_domctl[0], &h->iface.domctl_if);
}
