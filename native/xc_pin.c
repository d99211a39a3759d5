/*
 * Pinning a vCPU (XEN_DOMCTL_setvcpuaffinity). Apart from the statistics
 * (xc_stats.c) so that xvirt-proxy, which only reads, links no call that
 * changes a domain. The map goes through the handle's arena like every
 * buffer Xen reads; nothing is allocated.
 */
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
    int rc;

    if ((rc = xc_check_vcpu_map(h, domid, vcpu, map, map_len)) != XC_OK) return rc;
    if (!any_bit(map, map_len))
        return xc_fail(&h->err, XC_EINVAL, 0, "CPU map for vCPU %u of domain %u names no CPU", vcpu, domid);
    /* Xen reads the map through its handle, so it too must sit in hypercall-safe memory. */
    memcpy(h->arena + XC_ARENA_CONTROL_LEN, map, map_len);
    return xc_vcpu_affinity_domctl(h, XC_DOMCTL_SETVCPUAFFINITY, "setvcpuaffinity", domid, vcpu, map_len);
}
