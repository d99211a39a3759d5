/*
 * What the fake hypervisor serves through the direct path (the shared core
 * called in-process, as the addon does), as JSON: the reference the proxy's
 * answers are compared with in test/integration/drivers/proxy/proxy.test.ts.
 */
#include <inttypes.h>
#include <stdio.h>

#include "../../test/xc_fake.h"

static struct fake_xen fake;
static struct xc_dominfo doms[XC_DOMID_MAX + 1];
static struct xc_vcpuinfo vcpus[FAKE_MAX_VCPUS];
static uint64_t idle[XC_CPU_MAX];
static uint8_t map[XC_CPUMAP_MAX];
static struct xc_node_memory nodes[XC_NODE_MAX];

/* Each vCPU's hard affinity as the addon reads it (one byte per 8 CPU ids), null for an id Xen never allocated. */
static int print_affinity(xc_handle *h, uint32_t domid, size_t n, size_t cpus)
{
    size_t k, b;

    for (k = 0; k < n; k++) {
        printf("%s", k ? "," : "");
        if (!vcpus[k].present) { printf("null"); continue; }
        if (xc_vcpu_affinity(h, domid, (uint32_t)k, map, (cpus + 7) / 8) != XC_OK) return 1;
        for (b = 0; b < (cpus + 7) / 8; b++) printf("%s%u", b ? "," : "[", map[b]);
        printf("]");
    }
    return 0;
}

/* The statistics: each domain's vCPUs and their affinity, then the CPU idle times and node memory. 0, or 1 on a failure. */
static int print_stats(xc_handle *h, size_t total)
{
    struct xc_dominfo d;
    size_t i, k, n, cpus;

    if (xc_cpu_idle(h, idle, XC_CPU_MAX, &cpus) != XC_OK) return 1;
    printf(",\n\"vcpus\":{");
    for (i = 0; i < total; i++) {
        if (xc_domain_vcpus(h, doms[i].domid, &d, vcpus, FAKE_MAX_VCPUS, &n) != XC_OK) return 1;
        printf("%s\"%u\":[", i ? "," : "", doms[i].domid);
        for (k = 0; k < n; k++)
            printf("%s{\"present\":%u,\"online\":%u,\"blocked\":%u,\"running\":%u,\"cpu\":%u,\"cpuTimeNs\":\"%" PRIu64 "\"}",
                   k ? "," : "", vcpus[k].present, vcpus[k].online, vcpus[k].blocked, vcpus[k].running, vcpus[k].cpu,
                   vcpus[k].cpu_time_ns);
        printf("]");
    }
    printf("},\n\"affinity\":{");
    for (i = 0; i < total; i++) {
        if (xc_domain_vcpus(h, doms[i].domid, &d, vcpus, FAKE_MAX_VCPUS, &n) != XC_OK) return 1;
        printf("%s\"%u\":[", i ? "," : "", doms[i].domid);
        if (print_affinity(h, doms[i].domid, n, cpus)) return 1;
        printf("]");
    }
    if (xc_cpu_idle(h, idle, XC_CPU_MAX, &n) != XC_OK) return 1;
    printf("},\n\"cpuIdle\":[");
    for (k = 0; k < n; k++) printf("%s\"%" PRIu64 "\"", k ? "," : "", idle[k]);
    if (xc_numa_memory(h, nodes, XC_NODE_MAX, &n) != XC_OK) return 1;
    printf("],\n\"nodes\":[");
    for (k = 0; k < n; k++)
        printf("%s{\"online\":%u,\"sizeBytes\":%" PRIu64 ",\"freeBytes\":%" PRIu64 "}", k ? "," : "", nodes[k].online,
               nodes[k].size_bytes, nodes[k].free_bytes);
    printf("]");
    return 0;
}

int main(void)
{
    char extra[XC_EXTRAVERSION_LEN], caps[XC_CAPABILITIES_LEN];
    struct xc_physinfo p;
    struct xc_error e;
    xc_handle *h;
    size_t total, i, k;

    fake_init(&fake, 17, 3);
    fake_pin_dom0_vcpu1(&fake); /* as the test helper's (xp_hv_fake.c) */
    if (xc_open_transport(&fake_ops, &fake, NULL, &h, &e) != XC_OK || xc_version_strings(h, extra, caps) != XC_OK ||
        xc_physinfo(h, &p) != XC_OK || xc_domain_list(h, doms, XC_DOMID_MAX + 1, &total) != XC_OK) {
        fprintf(stderr, "fake_direct: the core failed\n");
        return 1;
    }
    const struct xc_iface *f = xc_interface(h);
    printf("{\"version\":{\"major\":%u,\"minor\":%u,\"sysctlIf\":%u,\"domctlIf\":%u,\"extraversion\":\"%s\"},\n",
           f->xen_major, f->xen_minor, f->sysctl_if, f->domctl_if, extra);
    printf("\"capabilities\":\"%s\",\n", caps);
    printf("\"physinfo\":{\"threadsPerCore\":%u,\"coresPerSocket\":%u,\"cpus\":%u,\"nodes\":%u,\"cpuKhz\":%u,"
           "\"capabilities\":%u,\"totalPages\":%" PRIu64 ",\"freePages\":%" PRIu64 "},\n\"domains\":[",
           p.threads_per_core, p.cores_per_socket, p.nr_cpus, p.nr_nodes, p.cpu_khz, p.capabilities, p.total_pages, p.free_pages);
    for (i = 0; i < total; i++) {
        const struct xc_dominfo *d = &doms[i];
        printf("%s{\"domid\":%u,\"flags\":%u,\"xenState\":%u,\"state\":%u,\"reason\":%u,\"shutdownCode\":%u,"
               "\"onlineVcpus\":%u,\"maxVcpus\":%u,\"totPages\":%" PRIu64 ",\"maxPages\":%" PRIu64 ",\"cpuTimeNs\":\"%" PRIu64 "\",\"uuid\":\"",
               i ? ",\n" : "\n", d->domid, d->flags, d->xen_state, d->state, d->reason, d->shutdown_code,
               d->online_vcpus, d->max_vcpus, d->tot_pages, d->max_pages, d->cpu_time_ns);
        for (k = 0; k < 16; k++) printf("%02x", d->handle[k]);
        printf("\"}");
    }
    printf("]");
    if (print_stats(h, total)) {
        fprintf(stderr, "fake_direct: the core failed: %s\n", xc_last_error(h)->message);
        return 1;
    }
    printf("}\n");
    xc_close(h);
    return 0;
}
