/*
 * Pinning a vCPU (XEN_DOMCTL_setvcpuaffinity). Apart from the statistics
 * (xc_stats.c) so that xvirt-proxy, which only reads, links no call that
 * changes a domain. The map goes through the handle's arena like every
 * buffer Xen reads; nothing is allocated.
 */
#include <errno.h>
#include <string.h>

#include "xc_internal.h"

_Static_assert(XC_CPUMAP_MAX <= XC_ARENA_LEN - XC_ARENA_CONTROL_LEN, "a CPU map fits the arena");

static int any_bit(const uint8_t *map, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++)
        if (map[i]) return 1;
    return 0;
}

int xc_vcpu_set_affinity(xc_handle *h, uint32_t domid, uint32_t vcpu, const uint8_t *map, size_t map_len)
{
    /* Xen reads the map through its handle, so it too must sit in hypercall-safe memory. */
    uint8_t *area = h->arena + XC_ARENA_CONTROL_LEN;
    struct xc_abi_domctl *d;
    long rc;

    if (xc_check_domid(h, domid) != XC_OK) return h->err.status;
    if (!map || map_len == 0 || map_len > XC_CPUMAP_MAX)
        return xc_fail(&h->err, XC_EINVAL, 0, "CPU map of %zu bytes for vCPU %u of domain %u is not 1-%u bytes",
                       map ? map_len : 0, vcpu, domid, (unsigned)XC_CPUMAP_MAX);
    if (!any_bit(map, map_len))
        return xc_fail(&h->err, XC_EINVAL, 0, "CPU map for vCPU %u of domain %u names no CPU", vcpu, domid);
    memcpy(area, map, map_len);
    d = xc_domctl_prepare(h, XC_DOMCTL_SETVCPUAFFINITY, h->iface.domctl_if, domid);
    d->u.vcpuaffinity.vcpu = vcpu;
    d->u.vcpuaffinity.flags = XC_VCPUAFFINITY_HARD; /* the soft map's handle stays null: not asked, not changed */
    d->u.vcpuaffinity.cpumap_hard.bitmap = (uint64_t)(uintptr_t)area;
    d->u.vcpuaffinity.cpumap_hard.nr_bits = (uint32_t)(map_len * 8u);
    rc = xc_do_domctl(h);
    if (rc == -ESRCH)
        return xc_fail(&h->err, XC_ENODOMAIN, ESRCH, "no domain with id %u, or no vCPU %u in it", domid, vcpu);
    if (rc < 0)
        return xc_fail(&h->err, XC_EHYPERCALL, (int)-rc, "setvcpuaffinity of vCPU %u of domain %u failed: %s", vcpu,
                       domid, strerror((int)-rc));
    return XC_OK;
}
