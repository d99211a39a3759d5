/*
 * Fake Xen: answers the hypercalls the core issues like the real releases
 * do, writing results at the byte offsets of Xen's public headers (written
 * out here independently of xc_abi.h, so a wrong struct in the core shows).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xc_fake.h"

static void put16(uint8_t *p, size_t off, uint16_t v) { memcpy(p + off, &v, 2); }
static void put32(uint8_t *p, size_t off, uint32_t v) { memcpy(p + off, &v, 4); }
static void put64(uint8_t *p, size_t off, uint64_t v) { memcpy(p + off, &v, 8); }
static uint16_t get16(const uint8_t *p, size_t off) { uint16_t v; memcpy(&v, p + off, 2); return v; }
static uint32_t get32(const uint8_t *p, size_t off) { uint32_t v; memcpy(&v, p + off, 4); return v; }
static uint64_t get64(const uint8_t *p, size_t off) { uint64_t v; memcpy(&v, p + off, 8); return v; }

/* xen_domctl_getdomaininfo: 112 bytes (4.16+). */
static void write_dominfo(uint8_t *rec, const struct fake_domain *d)
{
    memset(rec, 0xa5, 112); /* garbage in fields the core must not read as meaningful */
    put16(rec, 0, d->id);
    put32(rec, 4, d->flags);
    put64(rec, 8, d->tot_pages);
    put64(rec, 16, d->max_pages);
    put64(rec, 56, d->cpu_time);
    put32(rec, 64, d->online_vcpus);
    put32(rec, 68, d->max_vcpu_id);
    memcpy(rec + 76, d->handle, 16);
}

static struct fake_domain *find(struct fake_xen *x, uint32_t id, int forward)
{
    size_t i;
    for (i = 0; i < x->n_dom; i++)
        if (x->dom[i].id == id || (forward && x->dom[i].id > id)) return &x->dom[i];
    return NULL;
}

static long sysctl(struct fake_xen *x, uint8_t *s)
{
    uint32_t cmd = get32(s, 0);
    if (get32(s, 4) != x->sysctl_if) { x->refused_versions++; return -EACCES; }
    if (cmd == 3) { /* physinfo */
        size_t u64base = x->sysctl_if >= 0x15 ? 40 : 32;
        put32(s, 8 + 0, 1);        /* threads_per_core */
        put32(s, 8 + 4, 2);        /* cores_per_socket */
        put32(s, 8 + 8, 2);        /* nr_cpus */
        put32(s, 8 + 16, 1);       /* nr_nodes */
        put32(s, 8 + 20, 63);      /* max_node_id */
        put32(s, 8 + 24, 2596122); /* cpu_khz */
        put32(s, 8 + 28, 0x303);   /* capabilities */
        if (x->sysctl_if >= 0x15) put32(s, 8 + 32, 0xdead); /* arch_capabilities */
        put64(s, 8 + u64base, 524158);     /* total_pages */
        put64(s, 8 + u64base + 8, 256039); /* free_pages */
        return 0;
    }
    if (cmd == 8) { /* getcpuinfo: {u32 max_cpus @0; handle info @8; u32 nr_cpus @16} */
        uint32_t max = get32(s, 8), n = max < x->nr_cpu_ids ? max : x->nr_cpu_ids, i;
        uint8_t *buf = (uint8_t *)(uintptr_t)get64(s, 16);
        for (i = 0; i < n; i++) put64(buf, 8 * i, x->cpu_idle[i]);
        put32(s, 24, n);
        return 0;
    }
    if (cmd == 17) { /* numainfo: {u32 num_nodes @0; handle meminfo @8; handle distance @16} */
        uint32_t max = get32(s, 8), n = max < x->nr_nodes ? max : x->nr_nodes, i;
        uint8_t *buf = (uint8_t *)(uintptr_t)get64(s, 16);
        if (!buf || get64(s, 24)) return -EINVAL; /* the core asks for memory only */
        for (i = 0; i < n; i++) {
            put64(buf, 16 * i, x->node[i].online ? x->node[i].size : 0xffffffffu);
            put64(buf, 16 * i + 8, x->node[i].online ? x->node[i].free : 0xffffffffu);
        }
        put32(s, 8, n);
        return 0;
    }
    if (cmd == 6) { /* getdomaininfolist */
        uint16_t first = get16(s, 8);
        uint32_t max = get32(s, 12), n = 0;
        uint8_t *buf = (uint8_t *)(uintptr_t)get64(s, 16);
        size_t i;
        for (i = 0; i < x->n_dom && n < max; i++)
            if (x->dom[i].id >= first) write_dominfo(buf + 112 * n++, &x->dom[i]);
        put32(s, 24, n);
        return 0;
    }
    return -ENOSYS;
}

static long domctl(struct fake_xen *x, uint8_t *d)
{
    uint32_t cmd = get32(d, 0);
    uint16_t id = get16(d, 8);
    struct fake_domain *dom;

    if (get32(d, 4) != x->domctl_if) { x->refused_versions++; return -EACCES; }
    dom = find(x, id, cmd == 5 && x->forward_search);
    if (!dom) return -ESRCH;
    switch (cmd) {
    case 2: /* destroydomain */
        if (x->destroy_eagain > 0) { x->destroy_eagain--; return -EAGAIN; }
        memmove(dom, dom + 1, (size_t)(&x->dom[x->n_dom] - (dom + 1)) * sizeof *dom);
        x->n_dom--;
        return 0;
    case 3: if (id == 0) return -EINVAL; dom->flags |= 0x8; return 0;
    case 4: dom->flags &= ~0x8u; return 0;
    case 5: put16(d, 8, dom->id); write_dominfo(d + 16, dom); return 0;
    case 14: { /* getvcpuinfo: IN u32 vcpu @0; OUT u8 online @4, blocked @5, running @6, u64 time @8, u32 cpu @16 */
        uint32_t v = get32(d, 16);
        const struct fake_vcpu *vc;
        if (v > dom->max_vcpu_id || v >= FAKE_MAX_VCPUS) return -EINVAL;
        vc = &dom->vcpu[v];
        if (!vc->present) return -ESRCH;
        d[16 + 4] = vc->online;
        d[16 + 5] = vc->blocked;
        d[16 + 6] = vc->running;
        put64(d, 16 + 8, vc->cpu_time);
        put32(d, 16 + 16, vc->cpu);
        return 0;
    }
    case 25: { /* getvcpuaffinity: u32 vcpu @0, u32 flags @4, hard {handle @8, u32 nr_bits @16}, soft @24 */
        uint32_t v = get32(d, 16), flags = get32(d, 20), nr_bits = get32(d, 16 + 16), i;
        uint8_t *buf = (uint8_t *)(uintptr_t)get64(d, 16 + 8);
        uint32_t guest_bytes = (nr_bits + 7) / 8, xen_bytes = (x->nr_cpu_ids + 7) / 8;
        uint8_t mask;
        if (v > dom->max_vcpu_id || v >= FAKE_MAX_VCPUS) return -EINVAL;
        if (!dom->vcpu[v].present) return -ESRCH;
        if (flags == 0 || ((flags & 1) && !buf) || ((flags & 2) && !get64(d, 16 + 24))) return -EINVAL;
        x->last_affinity_bits = nr_bits;
        if (!(flags & 1)) return 0;
        /* Xen copies its map of nr_cpu_ids bits (the last byte masked), then zero-fills the guest's rest. */
        mask = x->nr_cpu_ids >= 8 ? 0xff : (uint8_t)((1u << x->nr_cpu_ids) - 1);
        for (i = 0; i < guest_bytes; i++) buf[i] = i == 0 && xen_bytes > 0 ? dom->vcpu[v].hard_affinity & mask : 0;
        return 0;
    }
    case 9: { /* setvcpuaffinity: the layout of case 25; the asked maps are IN, then OUT as effective maps */
        uint32_t v = get32(d, 16), flags = get32(d, 20), nr_bits = get32(d, 16 + 16), i, online = 0, want = 0;
        uint8_t *buf = (uint8_t *)(uintptr_t)get64(d, 16 + 8);
        if (v > dom->max_vcpu_id || v >= FAKE_MAX_VCPUS) return -EINVAL;
        if (!dom->vcpu[v].present) return -ESRCH;
        if (flags == 0 || ((flags & 1) && !buf) || ((flags & 2) && !get64(d, 16 + 24))) return -EINVAL;
        x->last_affinity_bits = nr_bits;
        if (flags & 2) x->soft_affinity_sets++;
        if (!(flags & 1)) return 0;
        /* Xen reads min(nr_bits, nr_cpu_ids) bits; a map without an online CPU of the pool is refused. */
        for (i = 0; i < x->nr_cpu_ids && i < FAKE_MAX_CPUS; i++) {
            if (x->cpu_idle[i]) online |= 1u << i;
            if (i < nr_bits && (buf[i / 8] >> (i % 8)) & 1) want |= 1u << i;
        }
        if (!(want & online)) return -EINVAL;
        dom->vcpu[v].hard_affinity = (uint8_t)want;
        x->hard_affinity_sets++;
        for (i = 0; i < (nr_bits + 7) / 8; i++) buf[i] = i == 0 ? (uint8_t)(want & online) : 0;
        return 0;
    }
    default: return -ENOSYS;
    }
}

/* sched_op: only SCHEDOP_remote_shutdown {domid_t domain_id @0; unsigned reason @4}. */
static long sched_op(struct fake_xen *x, uint64_t cmd, const uint8_t *arg)
{
    struct fake_domain *dom;
    if (cmd != 4) return -ENOSYS;
    dom = find(x, get16(arg, 0), 0);
    if (!dom) return -ESRCH;
    /* Xen's domain_shutdown: the shutdown bit and the code, in place of SHUTDOWN_CODE_INVALID. */
    dom->flags = (dom->flags & 0xffffu & ~0x30u) | 0x4u | (get32(arg, 4) & 0xffu) << 16;
    x->remote_shutdowns++;
    return 0;
}

static long fake_hypercall(void *ctx, uint64_t op, const uint64_t arg[5])
{
    struct fake_xen *x = ctx;
    x->hypercalls++;
    switch (op) {
    case 17: /* xen_version */
        if (arg[0] == 0) return (long)(x->major << 16 | x->minor);
        if (arg[0] == 1) { strncpy((char *)(uintptr_t)arg[1], x->extraversion, 16); return 0; }
        if (arg[0] == 3) { strncpy((char *)(uintptr_t)arg[1], x->capabilities, 1024); return 0; }
        return -EINVAL;
    case 29: return sched_op(x, arg[0], (const uint8_t *)(uintptr_t)arg[1]);
    case 35: return sysctl(x, (uint8_t *)(uintptr_t)arg[0]);
    case 36: return domctl(x, (uint8_t *)(uintptr_t)arg[0]);
    default: return -ENOSYS;
    }
}

static void *fake_alloc(void *ctx, size_t len)
{
    struct fake_xen *x = ctx;
    if (x->fail_alloc) { errno = ENOMEM; return NULL; }
    x->allocs++;
    return calloc(1, len);
}

static void fake_free(void *ctx, void *buf, size_t len)
{
    struct fake_xen *x = ctx;
    (void)len;
    x->frees++;
    free(buf);
}

static void fake_close(void *ctx) { ((struct fake_xen *)ctx)->closed++; }
static const char *fake_describe(void *ctx) { (void)ctx; return "fake hypervisor"; }

const struct xc_transport_ops fake_ops = { fake_hypercall, fake_alloc, fake_free, fake_close, fake_describe };

void fake_init(struct fake_xen *x, uint32_t minor, size_t guests)
{
    static const uint32_t sysctl_if[] = { 0x14, 0x15, 0x15, 0x15, 0x15, 0x16 }; /* 4.16 .. 4.21 */
    static const uint32_t domctl_if[] = { 0x14, 0x15, 0x16, 0x17, 0x17, 0x17 };
    size_t i, k = minor >= 16 && minor <= 21 ? minor - 16 : 5;

    memset(x, 0, sizeof *x);
    x->major = 4;
    x->minor = minor;
    x->sysctl_if = sysctl_if[k];
    x->domctl_if = domctl_if[k];
    x->forward_search = x->domctl_if <= 0x15;
    x->extraversion = ".7";
    x->capabilities = "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64 ";
    for (i = 0; i <= guests && i < FAKE_MAX_DOMAINS; i++) {
        struct fake_domain *d = &x->dom[x->n_dom++];
        d->id = (uint16_t)i;
        d->flags = i == 0 ? 0xffff0020u : 0xffff0010u;
        d->tot_pages = i == 0 ? 196608 : 4096;
        d->max_pages = i == 0 ? 196608 : 4352;
        d->cpu_time = 1000000ull * (i + 1) + (1ull << 53) * (i == 0); /* dom0: beyond 2^53 ns */
        d->online_vcpus = i == 0 ? 2 : 1;
        d->max_vcpu_id = i == 0 ? 1 : 0;
        if (i > 0) { d->handle[0] = (uint8_t)i; d->handle[15] = 0x42; }
        /* dom0: vCPU 0 running on CPU 0, vCPU 1 blocked on CPU 1; guests: one blocked vCPU on CPU 1. The vCPU
         * times add up to the domain's. */
        d->vcpu[0] =
            (struct fake_vcpu){ 1, 1, i != 0, i == 0, i ? d->cpu_time : 600000ull + (1ull << 52), i ? 1 : 0, 0xff };
        if (i == 0) d->vcpu[1] = (struct fake_vcpu){ 1, 1, 1, 0, 400000ull + (1ull << 52), 1, 0xff };
    }
    /* Two CPUs online out of four ids (2 and 3 offline: idle 0); one node online out of two ids. */
    x->nr_cpu_ids = 4;
    x->cpu_idle[0] = 7000000000000ull;
    x->cpu_idle[1] = (1ull << 53) + 3; /* beyond a double's exact range */
    x->nr_nodes = 2;
    x->node[0].online = 1;
    x->node[0].size = 524158ull * 4096;
    x->node[0].free = 256039ull * 4096;
}

void fake_pin_dom0_vcpu1(struct fake_xen *x)
{
    x->dom[0].vcpu[1].hard_affinity = 0x02;
}

xc_handle *fake_open(struct fake_xen *x, struct xc_error *err)
{
    xc_handle *h = NULL;
    memset(err, 0, sizeof *err);
    xc_open_transport(&fake_ops, x, NULL, &h, err);
    return h;
}
