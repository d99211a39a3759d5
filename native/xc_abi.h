/*
 * Xen and Linux privcmd binary interfaces used by the core, declared locally
 * (no Xen headers needed at build time). Offsets follow the x86_64 tables in
 * docs/xen-direct.md (from Xen's public headers, 4.16-4.19); every layout is
 * pinned with _Static_assert so a wrong edit fails the build, not a hypercall.
 * Internal to the core: users include xc_core.h.
 */
#ifndef XC_ABI_H
#define XC_ABI_H

#include <stddef.h>
#include <stdint.h>

/* Hypercall numbers. */
#define XC_HYPERCALL_XEN_VERSION 17
#define XC_HYPERCALL_SYSCTL 35
#define XC_HYPERCALL_DOMCTL 36
#define XC_HYPERCALL_SCHED_OP 29

/* sched_op sub-op that shuts another domain down (the caller needs control rights over it). */
#define XC_SCHEDOP_REMOTE_SHUTDOWN 4

/* xen_version sub-ops. */
#define XC_XENVER_VERSION 0
#define XC_XENVER_EXTRAVERSION 1
#define XC_XENVER_CAPABILITIES 3
#define XC_XENVER_EXTRAVERSION_LEN 16
#define XC_XENVER_CAPABILITIES_LEN 1024

/* sysctl and domctl commands (stable numbers across 4.15-4.22). */
#define XC_SYSCTL_PHYSINFO 3
#define XC_SYSCTL_GETDOMAININFOLIST 6
#define XC_SYSCTL_GETCPUINFO 8
#define XC_SYSCTL_NUMAINFO 17
#define XC_DOMCTL_DESTROYDOMAIN 2
#define XC_DOMCTL_PAUSEDOMAIN 3
#define XC_DOMCTL_UNPAUSEDOMAIN 4
#define XC_DOMCTL_GETDOMAININFO 5
#define XC_DOMCTL_SETVCPUAFFINITY 9
#define XC_DOMCTL_GETVCPUINFO 14
#define XC_DOMCTL_GETVCPUAFFINITY 25

/* Interface versions: 4.16 uses 0x14 for both; 4.17 0x15/0x15; 4.18 0x15/0x16; 4.19 0x15/0x17. */
#define XC_SYSCTL_IF_416 0x14u
#define XC_SYSCTL_IF_417 0x15u

/* Linux privcmd: _IOC(_IOC_NONE, 'P', 0, sizeof(struct xc_privcmd_hypercall)). */
struct xc_privcmd_hypercall {
    uint64_t op;
    uint64_t arg[5];
};
#define XC_IOCTL_PRIVCMD_HYPERCALL 0x00305000ul
_Static_assert(sizeof(struct xc_privcmd_hypercall) == 48, "privcmd_hypercall is 48 bytes");

/* struct xen_domctl_getdomaininfo, 4.16+ (112 bytes; also the getdomaininfolist stride). */
struct xc_abi_dominfo {
    uint16_t domain;
    uint16_t pad1;
    uint32_t flags;
    uint64_t tot_pages;
    uint64_t max_pages;
    uint64_t outstanding_pages;
    uint64_t shr_pages;
    uint64_t paged_pages;
    uint64_t shared_info_frame;
    uint64_t cpu_time;
    uint32_t nr_online_vcpus;
    uint32_t max_vcpu_id;
    uint32_t ssidref;
    uint8_t handle[16];
    uint32_t cpupool;
    uint8_t gpaddr_bits;
    uint8_t pad2[7];
    uint32_t emulation_flags; /* x86 arch_config */
    uint32_t misc_flags;
};
_Static_assert(offsetof(struct xc_abi_dominfo, flags) == 4, "dominfo.flags");
_Static_assert(offsetof(struct xc_abi_dominfo, tot_pages) == 8, "dominfo.tot_pages");
_Static_assert(offsetof(struct xc_abi_dominfo, max_pages) == 16, "dominfo.max_pages");
_Static_assert(offsetof(struct xc_abi_dominfo, shared_info_frame) == 48, "dominfo.shared_info_frame");
_Static_assert(offsetof(struct xc_abi_dominfo, cpu_time) == 56, "dominfo.cpu_time");
_Static_assert(offsetof(struct xc_abi_dominfo, nr_online_vcpus) == 64, "dominfo.nr_online_vcpus");
_Static_assert(offsetof(struct xc_abi_dominfo, max_vcpu_id) == 68, "dominfo.max_vcpu_id");
_Static_assert(offsetof(struct xc_abi_dominfo, handle) == 76, "dominfo.handle");
_Static_assert(offsetof(struct xc_abi_dominfo, cpupool) == 92, "dominfo.cpupool");
_Static_assert(offsetof(struct xc_abi_dominfo, gpaddr_bits) == 96, "dominfo.gpaddr_bits");
_Static_assert(offsetof(struct xc_abi_dominfo, emulation_flags) == 104, "dominfo.arch_config");
_Static_assert(sizeof(struct xc_abi_dominfo) == 112, "dominfo is 112 bytes");

/* XEN_DOMINF_* */
#define XC_DOMINF_DYING 0x1u
#define XC_DOMINF_SHUTDOWN 0x4u
#define XC_DOMINF_PAUSED 0x8u
#define XC_DOMINF_BLOCKED 0x10u
#define XC_DOMINF_RUNNING 0x20u
#define XC_DOMINF_SHUTDOWN_SHIFT 16
#define XC_DOMINF_SHUTDOWN_MASK 0xffu

/* SHUTDOWN_* codes found in (flags >> 16) & 0xff. */
#define XC_SHUTDOWN_POWEROFF 0
#define XC_SHUTDOWN_REBOOT 1
#define XC_SHUTDOWN_SUSPEND 2
#define XC_SHUTDOWN_CRASH 3
#define XC_SHUTDOWN_WATCHDOG 4

/* struct sched_remote_shutdown: domid_t, then an unsigned int SHUTDOWN_* reason. */
struct xc_abi_remote_shutdown {
    uint16_t domain_id;
    uint16_t pad;
    uint32_t reason;
};
_Static_assert(offsetof(struct xc_abi_remote_shutdown, reason) == 4, "remote_shutdown.reason");
_Static_assert(sizeof(struct xc_abi_remote_shutdown) == 8, "remote_shutdown is 8 bytes");

struct xc_abi_getdomaininfolist {
    uint16_t first_domain;
    uint16_t pad;
    uint32_t max_domains;
    uint64_t buffer; /* guest handle: user pointer to xc_abi_dominfo[] */
    uint32_t num_domains;
};
_Static_assert(offsetof(struct xc_abi_getdomaininfolist, max_domains) == 4, "list.max_domains");
_Static_assert(offsetof(struct xc_abi_getdomaininfolist, buffer) == 8, "list.buffer");
_Static_assert(offsetof(struct xc_abi_getdomaininfolist, num_domains) == 16, "list.num_domains");

/* physinfo for sysctl 0x15+ (4.17 onwards). */
struct xc_abi_physinfo_v15 {
    uint32_t threads_per_core, cores_per_socket, nr_cpus, max_cpu_id;
    uint32_t nr_nodes, max_node_id, cpu_khz, capabilities;
    uint32_t arch_capabilities, pad;
    uint64_t total_pages, free_pages, scrub_pages, outstanding_pages, max_mfn;
    uint32_t hw_cap[8];
};
_Static_assert(offsetof(struct xc_abi_physinfo_v15, cpu_khz) == 24, "physinfo15.cpu_khz");
_Static_assert(offsetof(struct xc_abi_physinfo_v15, total_pages) == 40, "physinfo15.total_pages");
_Static_assert(offsetof(struct xc_abi_physinfo_v15, free_pages) == 48, "physinfo15.free_pages");
_Static_assert(sizeof(struct xc_abi_physinfo_v15) == 112, "physinfo15 is 112 bytes");

/* physinfo for sysctl 0x14 (4.16): no arch_capabilities, so the u64s start at 32. */
struct xc_abi_physinfo_v14 {
    uint32_t threads_per_core, cores_per_socket, nr_cpus, max_cpu_id;
    uint32_t nr_nodes, max_node_id, cpu_khz, capabilities;
    uint64_t total_pages, free_pages, scrub_pages, outstanding_pages, max_mfn;
    uint32_t hw_cap[8];
};
_Static_assert(offsetof(struct xc_abi_physinfo_v14, total_pages) == 32, "physinfo14.total_pages");
_Static_assert(offsetof(struct xc_abi_physinfo_v14, free_pages) == 40, "physinfo14.free_pages");
_Static_assert(sizeof(struct xc_abi_physinfo_v14) == 104, "physinfo14 is 104 bytes");

/* XEN_SYSCTL_getcpuinfo: the idle time (ns) of CPUs 0 .. min(max_cpus, nr_cpu_ids) - 1 into `info`. */
struct xc_abi_getcpuinfo {
    uint32_t max_cpus;
    uint32_t pad;
    uint64_t info; /* guest handle: user pointer to uint64_t idletime[] */
    uint32_t nr_cpus;
};
_Static_assert(offsetof(struct xc_abi_getcpuinfo, info) == 8, "getcpuinfo.info");
_Static_assert(offsetof(struct xc_abi_getcpuinfo, nr_cpus) == 16, "getcpuinfo.nr_cpus");

/* XEN_SYSCTL_numainfo: per node {memsize, memfree} in bytes; XC_NUMA_INVALID_MEM for a node that is offline. */
struct xc_abi_numainfo {
    uint32_t num_nodes;
    uint32_t pad;
    uint64_t meminfo;  /* guest handle: user pointer to struct xc_abi_meminfo[] */
    uint64_t distance; /* guest handle: NULL (not asked for) */
};
_Static_assert(offsetof(struct xc_abi_numainfo, meminfo) == 8, "numainfo.meminfo");
_Static_assert(offsetof(struct xc_abi_numainfo, distance) == 16, "numainfo.distance");

struct xc_abi_meminfo {
    uint64_t memsize, memfree;
};
_Static_assert(sizeof(struct xc_abi_meminfo) == 16, "meminfo is 16 bytes");
/* XEN_INVALID_MEM_SZ is (~0U): a 32-bit all-ones stored in the 64-bit fields. */
#define XC_NUMA_INVALID_MEM 0xffffffffull

struct xc_abi_sysctl {
    uint32_t cmd;
    uint32_t interface_version;
    union {
        struct xc_abi_getdomaininfolist getdomaininfolist;
        struct xc_abi_physinfo_v14 physinfo_v14;
        struct xc_abi_physinfo_v15 physinfo_v15;
        struct xc_abi_getcpuinfo getcpuinfo;
        struct xc_abi_numainfo numainfo;
        uint8_t pad[128];
    } u;
};
_Static_assert(offsetof(struct xc_abi_sysctl, u) == 8, "sysctl.u");
_Static_assert(sizeof(struct xc_abi_sysctl) == 136, "sysctl is 136 bytes");

/* XEN_DOMCTL_getvcpuinfo (stable from 4.16 to 4.19): IN vcpu; OUT flags, run time (ns) and physical CPU. */
struct xc_abi_vcpuinfo {
    uint32_t vcpu;
    uint8_t online, blocked, running;
    uint8_t pad;
    uint64_t cpu_time;
    uint32_t cpu;
    uint32_t pad2;
};
_Static_assert(offsetof(struct xc_abi_vcpuinfo, online) == 4, "vcpuinfo.online");
_Static_assert(offsetof(struct xc_abi_vcpuinfo, running) == 6, "vcpuinfo.running");
_Static_assert(offsetof(struct xc_abi_vcpuinfo, cpu_time) == 8, "vcpuinfo.cpu_time");
_Static_assert(offsetof(struct xc_abi_vcpuinfo, cpu) == 16, "vcpuinfo.cpu");
_Static_assert(sizeof(struct xc_abi_vcpuinfo) == 24, "vcpuinfo is 24 bytes");

/* struct xenctl_bitmap: a guest handle to a byte map (CPU c = bit c % 8 of byte c / 8) and its size in bits. */
struct xc_abi_bitmap {
    uint64_t bitmap; /* guest handle: user pointer to uint8_t[(nr_bits + 7) / 8] */
    uint32_t nr_bits;
    uint32_t pad;
};
_Static_assert(offsetof(struct xc_abi_bitmap, nr_bits) == 8, "xenctl_bitmap.nr_bits");
_Static_assert(sizeof(struct xc_abi_bitmap) == 16, "xenctl_bitmap is 16 bytes");

/*
 * XEN_DOMCTL_getvcpuaffinity and _setvcpuaffinity (same layout from 4.5 to 4.22): IN vcpu and which maps
 * (HARD=1, SOFT=2). get: Xen writes the asked maps through their handles, min(nr_bits, nr_cpu_ids) bits, and
 * zeroes the rest. set: Xen reads min(nr_bits, nr_cpu_ids) bits of each asked map (a map not asked for is
 * left as it is) and, up to 4.17 at least, writes the effective map back through the same handle.
 */
#define XC_VCPUAFFINITY_HARD 1u
struct xc_abi_vcpuaffinity {
    uint32_t vcpu;
    uint32_t flags;
    struct xc_abi_bitmap cpumap_hard;
    struct xc_abi_bitmap cpumap_soft;
};
_Static_assert(offsetof(struct xc_abi_vcpuaffinity, flags) == 4, "vcpuaffinity.flags");
_Static_assert(offsetof(struct xc_abi_vcpuaffinity, cpumap_hard) == 8, "vcpuaffinity.cpumap_hard");
_Static_assert(offsetof(struct xc_abi_vcpuaffinity, cpumap_soft) == 24, "vcpuaffinity.cpumap_soft");
_Static_assert(sizeof(struct xc_abi_vcpuaffinity) == 40, "vcpuaffinity is 40 bytes");

struct xc_abi_domctl {
    uint32_t cmd;
    uint32_t interface_version;
    uint16_t domain;
    uint16_t pad[3];
    union {
        struct xc_abi_dominfo getdomaininfo;
        struct xc_abi_vcpuinfo getvcpuinfo;
        struct xc_abi_vcpuaffinity vcpuaffinity;
        uint8_t pad[128];
    } u;
};
_Static_assert(offsetof(struct xc_abi_domctl, domain) == 8, "domctl.domain");
_Static_assert(offsetof(struct xc_abi_domctl, u) == 16, "domctl.u");
_Static_assert(sizeof(struct xc_abi_domctl) == 144, "domctl is 144 bytes");

#endif
