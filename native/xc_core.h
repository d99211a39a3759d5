/*
 * xvirt's Xen hypercall core: plain C11, no Xen libraries, no allocation
 * after xc_open*(). Shared by the Node addon and the setuid proxy helper.
 *
 * Threading: one xc_handle is used by one thread at a time (it owns a single
 * hypercall arena). Open a second handle, passing the first one's interface
 * (xc_interface) to skip re-probing, for work on another thread.
 *
 * Errors: every call returns XC_OK (0) or an xc_status; the details (status,
 * errno, message naming what failed) are in xc_last_error(h), or in the
 * caller's struct xc_error for the open calls.
 */
#ifndef XC_CORE_H
#define XC_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum xc_status {
    XC_OK = 0,
    XC_ENOPRIVCMD = 1,    /* no /dev/xen/privcmd or /proc/xen/privcmd: not a Xen dom0 */
    XC_EACCESS = 2,       /* permission denied opening privcmd (needs root) */
    XC_EUNSUPPORTED = 3,  /* Xen release or interface version xvirt does not know */
    XC_ENODOMAIN = 4,     /* no domain with that id */
    XC_EHYPERCALL = 5,    /* the hypervisor refused a call (errno holds Xen's error) */
    XC_ESYSTEM = 6,       /* a system call failed (open, mmap, ...) */
    XC_EINVAL = 7,        /* bad argument (domain id out of range, ...) */
};

#define XC_ERROR_MESSAGE_LEN 256

struct xc_error {
    int status;   /* enum xc_status */
    int sys_errno; /* errno of the failing call, 0 if none */
    char message[XC_ERROR_MESSAGE_LEN];
};

/* Largest domain id a caller may name (DOMID_FIRST_RESERVED - 1). */
#define XC_DOMID_MAX 0x7fefu

/* The interface a handle speaks, confirmed by read-only calls at open. */
struct xc_iface {
    uint32_t xen_major, xen_minor; /* from XENVER_version */
    uint32_t sysctl_if, domctl_if; /* confirmed interface_version values */
};

/* Where hypercalls go: the Linux privcmd device, or a fake in unit tests. */
struct xc_transport_ops {
    /* Issues hypercall `op`; returns its (non-negative) result or -errno. */
    long (*hypercall)(void *ctx, uint64_t op, const uint64_t arg[5]);
    /* Memory the hypervisor may read and write; NULL with errno set on failure. */
    void *(*buf_alloc)(void *ctx, size_t len);
    void (*buf_free)(void *ctx, void *buf, size_t len);
    void (*close)(void *ctx);
    /* e.g. "/dev/xen/privcmd, buffers from /dev/xen/hypercall" */
    const char *(*describe)(void *ctx);
};

typedef struct xc_handle xc_handle;

/*
 * Opens a handle over `ops`/`ctx` (the handle owns ctx from then on, even on
 * failure). With `known` NULL the interface is detected and confirmed; with
 * `known` set it is trusted (use a value xc_interface returned in this boot).
 */
int xc_open_transport(const struct xc_transport_ops *ops, void *ctx, const struct xc_iface *known,
                      xc_handle **out, struct xc_error *err);

/* Opens /dev/xen/privcmd (or /proc/xen/privcmd) with buffers from /dev/xen/hypercall. */
int xc_open_privcmd(const struct xc_iface *known, xc_handle **out, struct xc_error *err);

void xc_close(xc_handle *h);
const struct xc_error *xc_last_error(const xc_handle *h);
const struct xc_iface *xc_interface(const xc_handle *h);
const char *xc_transport_description(const xc_handle *h);

/* Xen's extraversion (e.g. ".7", at most 15 chars) and capabilities string. */
#define XC_EXTRAVERSION_LEN 16
#define XC_CAPABILITIES_LEN 1024
int xc_version_strings(xc_handle *h, char extraversion[XC_EXTRAVERSION_LEN],
                       char capabilities[XC_CAPABILITIES_LEN]);

struct xc_physinfo {
    uint32_t threads_per_core, cores_per_socket, nr_cpus, nr_nodes, cpu_khz, capabilities;
    uint64_t total_pages, free_pages; /* 4 KiB pages */
};
int xc_physinfo(xc_handle *h, struct xc_physinfo *out);

/* The state of a domain, decided from its flags by priority (see xc_state.c). */
enum xc_dom_state {
    XC_STATE_NOSTATE = 0,
    XC_STATE_RUNNING,
    XC_STATE_BLOCKED,
    XC_STATE_PAUSED,
    XC_STATE_SHUTOFF,
    XC_STATE_CRASHED,
    XC_STATE_DYING,
};

struct xc_dominfo {
    uint32_t domid;
    uint32_t flags;           /* raw XEN_DOMINF_* */
    uint32_t xen_state;       /* enum xc_dom_state */
    uint32_t state;           /* libvirt virDomainState */
    uint32_t reason;          /* libvirt per-state reason */
    uint32_t shutdown_code;   /* SHUTDOWN_* while shut down, else 255 */
    uint32_t online_vcpus;
    uint32_t max_vcpus;       /* max_vcpu_id + 1 */
    uint64_t tot_pages, max_pages;
    uint64_t cpu_time_ns;
    uint8_t handle[16];       /* the domain's UUID */
};

/* Maps XEN_DOMINF_* flags to a state and libvirt's state and reason. */
void xc_state_from_flags(uint32_t flags, uint32_t online_vcpus, struct xc_dominfo *out);

/* One domain by id; XC_ENODOMAIN if there is no domain with exactly that id. */
int xc_domain_getinfo(xc_handle *h, uint32_t domid, struct xc_dominfo *out);

/*
 * All domains in id order. Writes up to `cap` entries to `out` and the total
 * number of domains to *total (which may exceed cap: call again with more room).
 * One hypercall per XC_LIST_BATCH domains.
 */
#define XC_LIST_BATCH 256
int xc_domain_list(xc_handle *h, struct xc_dominfo *out, size_t cap, size_t *total);

int xc_domain_pause(xc_handle *h, uint32_t domid);
int xc_domain_unpause(xc_handle *h, uint32_t domid);
/* Kills the domain in the hypervisor. Xenstore, consoles and backends are the toolstack's to clean. */
int xc_domain_destroy(xc_handle *h, uint32_t domid);

/* SHUTDOWN_* reasons a controller may declare for another domain. */
enum xc_shutdown_reason { XC_REASON_POWEROFF = 0, XC_REASON_REBOOT = 1 };
/*
 * Declares a shutdown of another domain (SCHEDOP_remote_shutdown): Xen stops
 * its vCPUs at once and reports it shut down with `reason`, and the
 * toolstack's on_poweroff/on_reboot action follows. It does not ask the
 * guest OS first (that is a xenstore control/shutdown request). Domain 0 is
 * refused: shutting it down would take the whole host with it.
 */
int xc_domain_shutdown(xc_handle *h, uint32_t domid, uint32_t reason);

/* One vCPU of a domain (XEN_DOMCTL_getvcpuinfo). */
struct xc_vcpuinfo {
    uint64_t cpu_time_ns; /* time it spent running */
    uint32_t cpu;         /* the physical CPU it runs on, or last ran on */
    uint8_t present;      /* 0: Xen holds no vCPU with this id (the other fields are 0) */
    uint8_t online, blocked, running;
};

/*
 * The vCPUs of domain `domid`: its getdomaininfo into *dom, then vCPUs 0 ..
 * dom->max_vcpus - 1, up to `cap` of them, into `out`; *count = dom->max_vcpus
 * (which may exceed cap). One hypercall per vCPU; nothing allocated.
 */
int xc_domain_vcpus(xc_handle *h, uint32_t domid, struct xc_dominfo *dom, struct xc_vcpuinfo *out, size_t cap,
                    size_t *count);

/*
 * The hard affinity of vCPU `vcpu` of domain `domid` (XEN_DOMCTL_getvcpuaffinity)
 * into `map`, `map_len` bytes in libvirt's cpumap layout: physical CPU c is
 * bit c % 8 of byte c / 8, set when the vCPU may run there. Bits for CPUs
 * beyond Xen's CPU ids read 0. 1 <= map_len <= XC_CPUMAP_MAX, checked before
 * any hypercall. XC_ENODOMAIN when Xen has no such domain, or no vCPU with
 * that id in it (the two answer alike: ask xc_domain_vcpus which ids exist).
 */
#define XC_CPUMAP_MAX (XC_CPU_MAX / 8u)
int xc_vcpu_affinity(xc_handle *h, uint32_t domid, uint32_t vcpu, uint8_t *map, size_t map_len);

/*
 * Pins vCPU `vcpu` of domain `domid`: its hard affinity becomes `map`
 * (XEN_DOMCTL_setvcpuaffinity; layout as xc_vcpu_affinity's, CPUs beyond
 * Xen's CPU ids ignored). The soft affinity is left as it is. Checked before
 * any hypercall: 1 <= map_len <= XC_CPUMAP_MAX and at least one bit set.
 * XC_ENODOMAIN when Xen has no such domain or no vCPU with that id in it;
 * XC_EHYPERCALL with EINVAL when the id is beyond the domain's vCPUs or the
 * map holds no online CPU of the domain's pool.
 */
int xc_vcpu_set_affinity(xc_handle *h, uint32_t domid, uint32_t vcpu, const uint8_t *map, size_t map_len);

/*
 * Time (ns) each physical CPU spent idle since boot (XEN_SYSCTL_getcpuinfo),
 * for CPUs 0 .. *count - 1; Xen reports its CPU id space (nr_cpu_ids), and an
 * offline CPU reads 0. At most XC_CPU_MAX CPUs (what the arena holds).
 */
#define XC_CPU_MAX 3584u
int xc_cpu_idle(xc_handle *h, uint64_t *idle_ns, size_t cap, size_t *count);

/* Memory of one NUMA node (XEN_SYSCTL_numainfo), in bytes. */
struct xc_node_memory {
    uint64_t size_bytes, free_bytes;
    uint32_t online; /* 0: node id not in use (sizes 0) */
};
/* Nodes 0 .. *count - 1 (up to `cap` written). At most XC_NODE_MAX. */
#define XC_NODE_MAX 1024u
int xc_numa_memory(xc_handle *h, struct xc_node_memory *out, size_t cap, size_t *count);

/* Name of an xc_status, e.g. "XC_ENODOMAIN". */
const char *xc_status_name(int status);

#ifdef __cplusplus
}
#endif

#endif
