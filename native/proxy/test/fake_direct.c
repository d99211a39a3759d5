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

int main(void)
{
    char extra[XC_EXTRAVERSION_LEN], caps[XC_CAPABILITIES_LEN];
    struct xc_physinfo p;
    struct xc_error e;
    xc_handle *h;
    size_t total, i, k;

    fake_init(&fake, 17, 3);
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
    printf("]}\n");
    xc_close(h);
    return 0;
}
