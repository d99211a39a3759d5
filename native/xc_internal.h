/* Internals shared by the core's files: the handle and its hypercall arena. */
#ifndef XC_INTERNAL_H
#define XC_INTERNAL_H

#include "xc_abi.h"
#include "xc_core.h"

/*
 * The arena is allocated once at open: page 0 holds the sysctl/domctl struct
 * and string results, the pages after it hold getdomaininfolist records.
 */
#define XC_ARENA_CONTROL_LEN 4096u
#define XC_ARENA_STRING_OFFSET 512u
#define XC_ARENA_LEN (XC_ARENA_CONTROL_LEN + XC_LIST_BATCH * sizeof(struct xc_abi_dominfo))
_Static_assert(XC_ARENA_STRING_OFFSET >= sizeof(struct xc_abi_domctl), "strings after the control struct");
_Static_assert(XC_ARENA_STRING_OFFSET + XC_XENVER_CAPABILITIES_LEN <= XC_ARENA_CONTROL_LEN, "strings fit page 0");

struct xc_handle {
    const struct xc_transport_ops *ops;
    void *ctx;
    unsigned char *arena;
    struct xc_iface iface;
    struct xc_error err;
};

/* Records a failure in `err` and returns `status`. */
int xc_fail(struct xc_error *err, int status, int sys_errno, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

long xc_hypercall(xc_handle *h, uint64_t op, uint64_t a0, uint64_t a1);

/* Zeroed control structs in the arena, with cmd and interface version filled in. */
struct xc_abi_sysctl *xc_sysctl_prepare(xc_handle *h, uint32_t cmd, uint32_t interface_version);
struct xc_abi_domctl *xc_domctl_prepare(xc_handle *h, uint32_t cmd, uint32_t interface_version, uint32_t domid);

/* Issues the prepared sysctl/domctl; returns 0 or -errno. */
long xc_do_sysctl(xc_handle *h);
long xc_do_domctl(xc_handle *h);

/* XC_OK, or XC_EINVAL recorded for a domain id beyond XC_DOMID_MAX. */
int xc_check_domid(xc_handle *h, uint32_t domid);
/* XC_OK if domid is valid and map_len is 1..XC_CPUMAP_MAX bytes; else the failure, recorded in h->err. */
int xc_check_vcpu_map(xc_handle *h, uint32_t domid, uint32_t vcpu, const void *map, size_t map_len);
/*
 * XEN_DOMCTL_getvcpuaffinity or _setvcpuaffinity (cmd, named by `op` in errors) of vCPU `vcpu`'s hard map,
 * whose map_len bytes Xen reads or writes at the start of the arena's second part (hypercall-safe memory).
 */
int xc_vcpu_affinity_domctl(xc_handle *h, uint32_t cmd, const char *op, uint32_t domid, uint32_t vcpu,
                            size_t map_len);

/* Copies one hypervisor record into the caller's form. */
void xc_dominfo_from_abi(const struct xc_abi_dominfo *in, struct xc_dominfo *out);

/* Interface detection (xc_iface.c). */
int xc_detect_interface(xc_handle *h);

#endif
