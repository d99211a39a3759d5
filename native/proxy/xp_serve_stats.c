/* The statistics requests: vCPUs, their affinity, per-CPU idle time, per-node memory. */
#include <string.h>

#include "xp_reply.h"

_Static_assert(XP_AFFINITY_MAP_LEN == XC_CPUMAP_MAX, "an affinity map is as wide as the core reads");
_Static_assert(8 + XP_VCPU_MAX * XP_AFFINITY_MAP_LEN <= XP_REPLY_MAX - XP_REPLY_HEADER_LEN, "the widest affinity reply fits");

/*
 * s->vcpus filled from the domain at the request's domid (UUID checked when
 * asked), *count set. 0, 1 when the reply already says why not, -1 no memory.
 */
static int read_vcpus(struct xp_reply *r, struct xp_server *s, size_t *count)
{
    struct xc_dominfo d;
    int rc = xc_domain_vcpus(s->hv, r->req->domid, &d, s->vcpus, XP_VCPU_MAX, count);

    if (rc != XC_OK) return xp_reply_fail_core(r, s, rc) < 0 ? -1 : 1;
    if ((r->req->flags & XP_FLAG_CHECK_UUID) && memcmp(d.handle, r->req->uuid, 16) != 0)
        return xp_reply_fail(r, XC_ENODOMAIN, "domain %u now has another uuid", r->req->domid) < 0 ? -1 : 1;
    if (*count > XP_VCPU_MAX)
        return xp_reply_fail(r, XP_ETOOBIG, "domain %u has %zu vCPUs, more than %u", d.domid, *count, XP_VCPU_MAX) < 0
                   ? -1
                   : 1;
    return 0;
}

int xp_serve_vcpus(struct xp_reply *r, struct xp_server *s)
{
    size_t count, i;
    uint8_t *p;
    int rc = read_vcpus(r, s, &count);

    if (rc != 0) return rc < 0 ? -1 : 0;
    if (!(p = xp_reply_append(r, 4 + count * XP_VCPU_LEN))) return -1;
    xp_put32(p, (uint32_t)count);
    for (i = 0, p += 4; i < count; i++, p += XP_VCPU_LEN) {
        const struct xc_vcpuinfo *v = &s->vcpus[i];
        p[0] = v->present;
        p[1] = v->online;
        p[2] = v->blocked;
        p[3] = v->running;
        xp_put32(p + 4, v->cpu);
        xp_put64(p + 8, v->cpu_time_ns);
    }
    return xp_reply_finish(r, XP_OK);
}

/*
 * Every vCPU's hard affinity (XEN_DOMCTL_getvcpuaffinity), XP_AFFINITY_MAP_LEN
 * bytes each; all clear for a vCPU id Xen never allocated. A domain that stops
 * (or whose id is reused) midway answers XC_ENODOMAIN, never a mixed reply.
 */
int xp_serve_vcpu_affinity(struct xp_reply *r, struct xp_server *s)
{
    struct xc_dominfo again;
    size_t count, i;
    uint8_t *p;
    int rc = read_vcpus(r, s, &count);

    if (rc != 0) return rc < 0 ? -1 : 0;
    if (!(p = xp_reply_append(r, 8 + count * XP_AFFINITY_MAP_LEN))) return -1;
    xp_put32(p, (uint32_t)count);
    xp_put32(p + 4, XP_AFFINITY_MAP_LEN);
    for (i = 0, p += 8; i < count; i++, p += XP_AFFINITY_MAP_LEN) {
        memset(p, 0, XP_AFFINITY_MAP_LEN);
        if (!s->vcpus[i].present) continue;
        rc = xc_vcpu_affinity(s->hv, r->req->domid, (uint32_t)i, p, XP_AFFINITY_MAP_LEN);
        if (rc != XC_OK) return xp_reply_fail_core(r, s, rc);
    }
    if ((rc = xc_domain_getinfo(s->hv, r->req->domid, &again)) != XC_OK) return xp_reply_fail_core(r, s, rc);
    if ((r->req->flags & XP_FLAG_CHECK_UUID) && memcmp(again.handle, r->req->uuid, 16) != 0)
        return xp_reply_fail(r, XC_ENODOMAIN, "domain %u now has another uuid", r->req->domid);
    return xp_reply_finish(r, XP_OK);
}

int xp_serve_cpu_idle(struct xp_reply *r, struct xp_server *s)
{
    size_t count, i;
    uint8_t *p;
    int rc = xc_cpu_idle(s->hv, s->cpu_idle, XC_CPU_MAX, &count);

    if (rc != XC_OK) return xp_reply_fail_core(r, s, rc);
    if (!(p = xp_reply_append(r, 4 + count * 8))) return -1;
    xp_put32(p, (uint32_t)count);
    for (i = 0; i < count; i++) xp_put64(p + 4 + 8 * i, s->cpu_idle[i]);
    return xp_reply_finish(r, XP_OK);
}

int xp_serve_node_memory(struct xp_reply *r, struct xp_server *s)
{
    size_t count, i;
    uint8_t *p;
    int rc = xc_numa_memory(s->hv, s->nodes, XC_NODE_MAX, &count);

    if (rc != XC_OK) return xp_reply_fail_core(r, s, rc);
    if (!(p = xp_reply_append(r, 4 + count * XP_NODE_LEN))) return -1;
    xp_put32(p, (uint32_t)count);
    for (i = 0, p += 4; i < count; i++, p += XP_NODE_LEN) {
        xp_put32(p, s->nodes[i].online);
        xp_put32(p + 4, 0);
        xp_put64(p + 8, s->nodes[i].size_bytes);
        xp_put64(p + 16, s->nodes[i].free_bytes);
    }
    return xp_reply_finish(r, XP_OK);
}
