/*
 * Statistics the hypervisor keeps: per-vCPU state and run time
 * (getvcpuinfo), per-vCPU hard affinity (getvcpuaffinity), per-CPU idle time (getcpuinfo) and per-node memory
 * (numainfo). Results go through the handle's arena (pages Xen may write)
 * and are copied out; nothing is allocated.
 */
#include <errno.h>
#include <string.h>

#include "xc_internal.h"

/* The arena's record area (after the control page), reused for each call's array. */
#define STATS_AREA_LEN (XC_ARENA_LEN - XC_ARENA_CONTROL_LEN)
_Static_assert(XC_CPU_MAX * sizeof(uint64_t) <= STATS_AREA_LEN, "CPU idle times fit the arena");
_Static_assert(XC_NODE_MAX * sizeof(struct xc_abi_meminfo) <= STATS_AREA_LEN, "node memory fits the arena");
_Static_assert(XC_CPUMAP_MAX <= STATS_AREA_LEN, "a CPU map fits the arena");

static void *stats_area(xc_handle *h) { return h->arena + XC_ARENA_CONTROL_LEN; }

static int sysctl_failed(xc_handle *h, const char *what, long rc)
{
    return xc_fail(&h->err, XC_EHYPERCALL, (int)-rc, "%s failed: %s", what, strerror((int)-rc));
}

/* 0, 1 when Xen has no vCPU with that id (or the domain went away: the caller checks), or -errno. */
static long vcpu_info(xc_handle *h, uint32_t domid, uint32_t vcpu, struct xc_vcpuinfo *out)
{
    struct xc_abi_domctl *d = xc_domctl_prepare(h, XC_DOMCTL_GETVCPUINFO, h->iface.domctl_if, domid);
    long rc;

    d->u.getvcpuinfo.vcpu = vcpu;
    rc = xc_do_domctl(h);
    memset(out, 0, sizeof *out);
    if (rc == -ESRCH) return 1;
    if (rc < 0) return rc;
    out->present = 1;
    out->online = d->u.getvcpuinfo.online != 0;
    out->blocked = d->u.getvcpuinfo.blocked != 0;
    out->running = d->u.getvcpuinfo.running != 0;
    out->cpu_time_ns = d->u.getvcpuinfo.cpu_time;
    out->cpu = d->u.getvcpuinfo.cpu;
    return 0;
}

int xc_domain_vcpus(xc_handle *h, uint32_t domid, struct xc_dominfo *dom, struct xc_vcpuinfo *out, size_t cap,
                    size_t *count)
{
    size_t i, n, missing = 0;
    int rc = xc_domain_getinfo(h, domid, dom);

    if (rc != XC_OK) return rc;
    n = dom->max_vcpus < cap ? dom->max_vcpus : cap;
    for (i = 0; i < n; i++) {
        long r = vcpu_info(h, domid, (uint32_t)i, &out[i]);
        if (r < 0)
            return xc_fail(&h->err, XC_EHYPERCALL, (int)-r, "getvcpuinfo of vCPU %zu of domain %u failed: %s", i,
                           domid, strerror((int)-r));
        missing += (size_t)r;
    }
    /* ESRCH means no such vCPU, or no such domain any more: tell the two apart. */
    if (missing) {
        struct xc_dominfo again;
        if ((rc = xc_domain_getinfo(h, domid, &again)) != XC_OK) return rc;
        if (memcmp(again.handle, dom->handle, sizeof again.handle) != 0)
            return xc_fail(&h->err, XC_ENODOMAIN, ESRCH, "no domain with id %u", domid);
    }
    *count = dom->max_vcpus;
    return XC_OK;
}

int xc_check_vcpu_map(xc_handle *h, uint32_t domid, uint32_t vcpu, const void *map, size_t map_len)
{
    if (xc_check_domid(h, domid) != XC_OK) return h->err.status;
    if (!map || map_len == 0 || map_len > XC_CPUMAP_MAX)
        return xc_fail(&h->err, XC_EINVAL, 0, "CPU map of %zu bytes for vCPU %u of domain %u is not 1-%u bytes",
                       map ? map_len : 0, vcpu, domid, (unsigned)XC_CPUMAP_MAX);
    return XC_OK;
}

int xc_vcpu_affinity_domctl(xc_handle *h, uint32_t cmd, const char *op, uint32_t domid, uint32_t vcpu,
                            size_t map_len)
{
    struct xc_abi_domctl *d = xc_domctl_prepare(h, cmd, h->iface.domctl_if, domid);
    long rc;

    d->u.vcpuaffinity.vcpu = vcpu;
    d->u.vcpuaffinity.flags = XC_VCPUAFFINITY_HARD; /* the soft map's handle stays null: not asked, not changed */
    d->u.vcpuaffinity.cpumap_hard.bitmap = (uint64_t)(uintptr_t)stats_area(h);
    d->u.vcpuaffinity.cpumap_hard.nr_bits = (uint32_t)(map_len * 8u);
    rc = xc_do_domctl(h);
    if (rc == -ESRCH)
        return xc_fail(&h->err, XC_ENODOMAIN, ESRCH, "no domain with id %u, or no vCPU %u in it", domid, vcpu);
    if (rc < 0)
        return xc_fail(&h->err, XC_EHYPERCALL, (int)-rc, "%s of vCPU %u of domain %u failed: %s", op, vcpu, domid,
                       strerror((int)-rc));
    return XC_OK;
}

int xc_vcpu_affinity(xc_handle *h, uint32_t domid, uint32_t vcpu, uint8_t *map, size_t map_len)
{
    /* The bitmap is Xen's second buffer behind the domctl: it too must be hypercall-safe memory. */
    uint8_t *area = stats_area(h);
    int rc;

    if ((rc = xc_check_vcpu_map(h, domid, vcpu, map, map_len)) != XC_OK) return rc;
    memset(area, 0, map_len);
    if ((rc = xc_vcpu_affinity_domctl(h, XC_DOMCTL_GETVCPUAFFINITY, "getvcpuaffinity", domid, vcpu, map_len)) !=
        XC_OK)
        return rc;
    memcpy(map, area, map_len);
    return XC_OK;
}

int xc_cpu_idle(xc_handle *h, uint64_t *idle_ns, size_t cap, size_t *count)
{
    uint64_t *area = stats_area(h);
    struct xc_abi_sysctl *s = xc_sysctl_prepare(h, XC_SYSCTL_GETCPUINFO, h->iface.sysctl_if);
    uint32_t got;
    long rc;

    memset(area, 0, XC_CPU_MAX * sizeof *area);
    s->u.getcpuinfo.max_cpus = XC_CPU_MAX;
    s->u.getcpuinfo.info = (uint64_t)(uintptr_t)area;
    if ((rc = xc_do_sysctl(h)) < 0) return sysctl_failed(h, "getcpuinfo", rc);
    got = s->u.getcpuinfo.nr_cpus;
    if (got > XC_CPU_MAX)
        return xc_fail(&h->err, XC_EHYPERCALL, 0, "getcpuinfo reported %u CPUs for %u slots", got, XC_CPU_MAX);
    memcpy(idle_ns, area, (got < cap ? got : cap) * sizeof *idle_ns);
    *count = got;
    return XC_OK;
}

int xc_numa_memory(xc_handle *h, struct xc_node_memory *out, size_t cap, size_t *count)
{
    struct xc_abi_meminfo *area = stats_area(h);
    struct xc_abi_sysctl *s = xc_sysctl_prepare(h, XC_SYSCTL_NUMAINFO, h->iface.sysctl_if);
    uint32_t got, i;
    long rc;

    memset(area, 0, XC_NODE_MAX * sizeof *area);
    s->u.numainfo.num_nodes = XC_NODE_MAX;
    s->u.numainfo.meminfo = (uint64_t)(uintptr_t)area;
    if ((rc = xc_do_sysctl(h)) < 0) return sysctl_failed(h, "numainfo", rc);
    /* Xen writes min(its node count, num_nodes) entries; a larger answer means it wanted more room. */
    got = s->u.numainfo.num_nodes;
    if (got > XC_NODE_MAX)
        return xc_fail(&h->err, XC_EHYPERCALL, 0, "numainfo reported %u nodes for %u slots", got, XC_NODE_MAX);
    for (i = 0; i < got && i < cap; i++) {
        int offline = area[i].memsize == XC_NUMA_INVALID_MEM && area[i].memfree == XC_NUMA_INVALID_MEM;
        out[i].online = !offline;
        out[i].size_bytes = offline ? 0 : area[i].memsize;
        out[i].free_bytes = offline ? 0 : area[i].memfree;
    }
    *count = got;
    return XC_OK;
}
