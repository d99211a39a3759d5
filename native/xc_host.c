/* Host-wide queries: version strings and physinfo (whose layout depends on the sysctl version). */
#include <errno.h>
#include <string.h>

#include "xc_internal.h"

static int xenver_string(xc_handle *h, uint64_t subop, const char *what, char *dst, size_t len)
{
    char *buf = (char *)h->arena + XC_ARENA_STRING_OFFSET;
    long rc;

    memset(buf, 0, len);
    rc = xc_hypercall(h, XC_HYPERCALL_XEN_VERSION, subop, (uint64_t)(uintptr_t)buf);
    if (rc < 0) return xc_fail(&h->err, XC_EHYPERCALL, (int)-rc, "%s failed: %s", what, strerror((int)-rc));
    /* Xen fills the whole buffer when the string is as long as it: never trust a terminator. */
    memcpy(dst, buf, len - 1);
    dst[len - 1] = '\0';
    return XC_OK;
}

int xc_version_strings(xc_handle *h, char extraversion[XC_EXTRAVERSION_LEN], char capabilities[XC_CAPABILITIES_LEN])
{
    int rc = xenver_string(h, XC_XENVER_EXTRAVERSION, "XENVER_extraversion", extraversion, XC_EXTRAVERSION_LEN);
    if (rc != XC_OK) return rc;
    return xenver_string(h, XC_XENVER_CAPABILITIES, "XENVER_capabilities", capabilities, XC_CAPABILITIES_LEN);
}

int xc_physinfo(xc_handle *h, struct xc_physinfo *out)
{
    struct xc_abi_sysctl *s = xc_sysctl_prepare(h, XC_SYSCTL_PHYSINFO, h->iface.sysctl_if);
    long rc = xc_do_sysctl(h);

    if (rc < 0) return xc_fail(&h->err, XC_EHYPERCALL, (int)-rc, "physinfo failed: %s", strerror((int)-rc));
    if (h->iface.sysctl_if == XC_SYSCTL_IF_416) {
        const struct xc_abi_physinfo_v14 *p = &s->u.physinfo_v14;
        *out = (struct xc_physinfo){ p->threads_per_core, p->cores_per_socket, p->nr_cpus, p->nr_nodes,
                                     p->cpu_khz, p->capabilities, p->total_pages, p->free_pages };
    } else {
        const struct xc_abi_physinfo_v15 *p = &s->u.physinfo_v15;
        *out = (struct xc_physinfo){ p->threads_per_core, p->cores_per_socket, p->nr_cpus, p->nr_nodes,
                                     p->cpu_khz, p->capabilities, p->total_pages, p->free_pages };
    }
    return XC_OK;
}
