/* A fake hypervisor behind the core's transport interface, for unit tests. */
#ifndef XC_FAKE_H
#define XC_FAKE_H

#include <stddef.h>
#include <stdint.h>

#include "../xc_core.h"

#define FAKE_MAX_DOMAINS 600
#define FAKE_MAX_VCPUS 4
#define FAKE_MAX_CPUS 8
#define FAKE_MAX_NODES 4

struct fake_vcpu {
    uint8_t present, online, blocked, running; /* present 0: getvcpuinfo answers ESRCH */
    uint64_t cpu_time;
    uint32_t cpu;
    uint8_t hard_affinity; /* CPUs 0-7 it may run on (Xen's default: every bit, reported up to nr_cpu_ids) */
};

struct fake_domain {
    uint16_t id;
    uint32_t flags;
    uint64_t tot_pages, max_pages, cpu_time;
    uint32_t online_vcpus, max_vcpu_id;
    uint8_t handle[16];
    struct fake_vcpu vcpu[FAKE_MAX_VCPUS]; /* vCPUs 0 .. max_vcpu_id (getvcpuinfo beyond: EINVAL) */
};

struct fake_xen {
    /* What the release answers. */
    uint32_t major, minor;      /* XENVER_version */
    uint32_t sysctl_if, domctl_if;
    int forward_search;         /* getdomaininfo returns the next domain >= id (domctl <= 0x15) */
    const char *extraversion;   /* may fill all 16 bytes without a terminator */
    const char *capabilities;
    int destroy_eagain;         /* destroydomain answers EAGAIN this many times first */
    /* Physical CPUs: XEN_SYSCTL_getcpuinfo answers nr_cpu_ids idle times (0 for offline ones). */
    uint32_t nr_cpu_ids;
    uint64_t cpu_idle[FAKE_MAX_CPUS];
    /* NUMA nodes: XEN_SYSCTL_numainfo; an offline node reads XEN_INVALID_MEM_SZ. */
    uint32_t nr_nodes;
    struct { int online; uint64_t size, free; } node[FAKE_MAX_NODES];
    /* The domains, sorted by id. */
    struct fake_domain dom[FAKE_MAX_DOMAINS];
    size_t n_dom;
    /* What the core did. */
    uint32_t last_affinity_bits; /* nr_bits of the last get/setvcpuaffinity */
    unsigned long hard_affinity_sets, soft_affinity_sets; /* setvcpuaffinity calls that changed each map */
    unsigned long hypercalls, refused_versions, allocs, frees, remote_shutdowns;
    int closed;
    int fail_alloc;
};

extern const struct xc_transport_ops fake_ops;

/* Sets up a release (16..19, or others for refusal tests) with dom0 plus `guests` domains. */
void fake_init(struct fake_xen *x, uint32_t minor, size_t guests);
/* Pins dom0's vCPU 1 to CPU 1 (xl vcpu-pin 0 1 1): an affinity that differs from the default. */
void fake_pin_dom0_vcpu1(struct fake_xen *x);

/*
 * Opens the core over `x` (set up by fake_init, then changed as a test
 * needs) as it opens privcmd: probing the interface versions. NULL on
 * failure, with `err` saying why.
 */
xc_handle *fake_open(struct fake_xen *x, struct xc_error *err);

#endif
