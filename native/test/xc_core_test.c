/*
 * Unit tests of the C core against the fake hypervisor (xc_fake.c). Built
 * and run under ASan/UBSan by test/integration/native/core-sanitizers.test.ts. Prints one line per
 * check ("ok"/"not ok") and exits non-zero if any check failed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../xc_core.h"
#include "xc_fake.h"

static int failures, checks;

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        checks++;                                                              \
        if (cond) {                                                            \
            printf("ok - ");                                                   \
        } else {                                                               \
            failures++;                                                        \
            printf("not ok - %s:%d (%s) ", __FILE__, __LINE__, #cond);         \
        }                                                                      \
        printf(__VA_ARGS__);                                                   \
        putchar('\n');                                                         \
    } while (0)

static struct fake_xen xen; /* large: keep it off the stack */
static struct xc_dominfo list[FAKE_MAX_DOMAINS];

static void test_detection(void)
{
    static const struct { uint32_t minor, sysctl_if, domctl_if; } cases[] = {
        { 16, 0x14, 0x14 }, { 17, 0x15, 0x15 }, { 18, 0x15, 0x16 }, { 19, 0x15, 0x17 },
    };
    struct xc_error err;
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        xc_handle *h;
        fake_init(&xen, cases[i].minor, 3);
        h = fake_open(&xen, &err);
        CHECK(h != NULL, "Xen 4.%u opens (%s)", cases[i].minor, err.message);
        if (!h) continue;
        CHECK(xc_interface(h)->sysctl_if == cases[i].sysctl_if && xc_interface(h)->domctl_if == cases[i].domctl_if,
              "Xen 4.%u: sysctl 0x%x domctl 0x%x", cases[i].minor, xc_interface(h)->sysctl_if, xc_interface(h)->domctl_if);
        CHECK(xen.refused_versions == 0 && xen.hypercalls == 3, "Xen 4.%u: confirmed with 3 read-only calls, none refused",
              cases[i].minor);
        xc_close(h);
        CHECK(xen.closed == 1 && xen.allocs == xen.frees, "close releases buffers and transport");
    }

    /* XENVER says 4.17 but the hypervisor speaks 4.18's domctl: fall back on EACCES. */
    fake_init(&xen, 17, 1);
    xen.domctl_if = 0x16;
    {
        xc_handle *h = fake_open(&xen, &err);
        CHECK(h && xc_interface(h)->domctl_if == 0x16 && xc_interface(h)->sysctl_if == 0x15,
              "EACCES on the expected domctl version leads to the one that works");
        CHECK(xen.refused_versions >= 1, "the refusal was seen (%lu)", xen.refused_versions);
        xc_close(h);
    }

    fake_init(&xen, 21, 1);
    CHECK(fake_open(&xen, &err) == NULL && err.status == XC_EUNSUPPORTED && strstr(err.message, "4.21"),
          "unknown release refused: %s", err.message);
    CHECK(xen.closed == 1 && xen.allocs == xen.frees, "refused open releases everything");

    fake_init(&xen, 17, 1);
    xen.sysctl_if = 0x16; /* no known sysctl version works */
    CHECK(fake_open(&xen, &err) == NULL && err.status == XC_EUNSUPPORTED && err.sys_errno == EACCES &&
              strstr(err.message, "sysctl"),
          "release whose sysctl rejects every known version refused: %s", err.message);

    fake_init(&xen, 17, 1);
    xen.fail_alloc = 1;
    CHECK(fake_open(&xen, &err) == NULL && err.status == XC_ESYSTEM && err.sys_errno == ENOMEM && xen.closed == 1,
          "buffer allocation failure reported: %s", err.message);

    fake_init(&xen, 17, 1);
    {
        struct xc_iface known = { 4, 17, 0x15, 0x15 };
        xc_handle *h = NULL;
        CHECK(xc_open_transport(&fake_ops, &xen, &known, &h, &err) == XC_OK && xen.hypercalls == 0,
              "a known interface is trusted without probing");
        xc_close(h);
    }
}

static void test_state_mapping(void)
{
    static const struct { uint32_t flags, vcpus, xen_state, state, reason; const char *what; } cases[] = {
        { 0xffff0020, 2, XC_STATE_RUNNING, 1, 0, "running (dom0)" },
        { 0xffff0010, 1, XC_STATE_BLOCKED, 2, 0, "blocked (idle guest)" },
        { 0xffff0030, 1, XC_STATE_RUNNING, 1, 0, "running beats blocked" },
        { 0xffff0018, 1, XC_STATE_PAUSED, 3, 0, "paused+blocked is paused" },
        { 0xffff0008, 1, XC_STATE_PAUSED, 3, 0, "paused" },
        { 0x00000004, 1, XC_STATE_SHUTOFF, 5, 1, "powered off: shut off, reason shutdown" },
        { 0x00010004, 1, XC_STATE_SHUTOFF, 5, 1, "rebooting: shut off, reason shutdown" },
        { 0x00020004, 1, XC_STATE_SHUTOFF, 5, 5, "suspended: shut off, reason saved" },
        { 0x0003000c, 1, XC_STATE_CRASHED, 6, 1, "crashed (even if paused)" },
        { 0x00030004, 1, XC_STATE_CRASHED, 6, 1, "crashed" },
        { 0x00000005, 1, XC_STATE_DYING, 4, 0, "dying beats shutdown" },
        { 0xffff0001, 0, XC_STATE_DYING, 4, 0, "dying" },
        { 0xffff0000, 0, XC_STATE_NOSTATE, 0, 0, "no vCPUs yet: no state" },
        { 0xffff0010, 0, XC_STATE_NOSTATE, 0, 0, "blocked bit ignored without online vCPUs" },
        { 0xffff000c, 1, XC_STATE_SHUTOFF, 5, 0, "shutdown code 0xff: shut off, reason unknown" },
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct xc_dominfo d;
        xc_state_from_flags(cases[i].flags, cases[i].vcpus, &d);
        CHECK(d.xen_state == cases[i].xen_state && d.state == cases[i].state && d.reason == cases[i].reason,
              "flags 0x%08x: %s (got %u/%u/%u)", cases[i].flags, cases[i].what, d.xen_state, d.state, d.reason);
    }
    {
        struct xc_dominfo d;
        xc_state_from_flags(0xffff0010, 1, &d);
        CHECK(d.shutdown_code == 255, "live domain: no shutdown code despite 0xff in the flags");
        xc_state_from_flags(0x00030004, 1, &d);
        CHECK(d.shutdown_code == 3, "crashed domain: shutdown code 3");
    }
}

static void test_queries(uint32_t minor)
{
    struct xc_error err;
    struct xc_dominfo d;
    struct xc_physinfo p;
    char extra[XC_EXTRAVERSION_LEN], caps[XC_CAPABILITIES_LEN];
    size_t total = 0;
    unsigned long allocs, calls;
    xc_handle *h;
    int i;

    fake_init(&xen, minor, 3);
    xen.extraversion = "0123456789abcdefXYZ"; /* longer than 16: Xen leaves no terminator */
    h = fake_open(&xen, &err);
    if (!h) { CHECK(0, "4.%u opens: %s", minor, err.message); return; }
    allocs = xen.allocs;

    CHECK(xc_version_strings(h, extra, caps) == XC_OK && strcmp(extra, "0123456789abcde") == 0 &&
              strncmp(caps, "xen-3.0-x86_64 ", 15) == 0,
          "4.%u: version strings terminated ('%s')", minor, extra);

    CHECK(xc_physinfo(h, &p) == XC_OK && p.nr_cpus == 2 && p.total_pages == 524158 && p.free_pages == 256039 &&
              p.cpu_khz == 2596122 && p.cores_per_socket == 2 && p.capabilities == 0x303,
          "4.%u: physinfo read with the sysctl 0x%x layout (total_pages %llu)", minor, xc_interface(h)->sysctl_if,
          (unsigned long long)p.total_pages);

    CHECK(xc_domain_getinfo(h, 2, &d) == XC_OK && d.domid == 2 && d.tot_pages == 4096 && d.max_pages == 4352 &&
              d.max_vcpus == 1 && d.online_vcpus == 1 && d.state == 2 && d.handle[0] == 2 && d.handle[15] == 0x42,
          "4.%u: getinfo(2)", minor);
    CHECK(xc_domain_getinfo(h, 0, &d) == XC_OK && d.cpu_time_ns == (1ull << 53) + 1000000ull && d.max_vcpus == 2 &&
              d.state == 1,
          "4.%u: getinfo(0) keeps 64-bit cpu time", minor);

    /* Domain 1 vanishes: 4.17 would answer with domain 2, the core must say "no domain". */
    xen.dom[1].id = 1;
    memmove(&xen.dom[1], &xen.dom[2], 2 * sizeof xen.dom[0]);
    xen.n_dom--;
    CHECK(xc_domain_getinfo(h, 1, &d) == XC_ENODOMAIN && xc_last_error(h)->status == XC_ENODOMAIN,
          "4.%u: getinfo of a vanished domain is NO_DOMAIN: %s", minor, xc_last_error(h)->message);
    CHECK(xc_domain_getinfo(h, 99, &d) == XC_ENODOMAIN, "4.%u: getinfo beyond the last domain", minor);
    CHECK(xc_domain_getinfo(h, 0x7ff0, &d) == XC_EINVAL, "4.%u: reserved domain id refused before any call", minor);

    calls = xen.hypercalls;
    CHECK(xc_domain_list(h, list, FAKE_MAX_DOMAINS, &total) == XC_OK && total == 3 && list[0].domid == 0 &&
              list[1].domid == 2 && list[2].domid == 3 && xen.hypercalls == calls + 1,
          "4.%u: list returns all domains in one hypercall", minor);

    CHECK(xc_domain_pause(h, 2) == XC_OK && xc_domain_getinfo(h, 2, &d) == XC_OK && d.state == 3,
          "4.%u: pause", minor);
    CHECK(xc_domain_unpause(h, 2) == XC_OK && xc_domain_getinfo(h, 2, &d) == XC_OK && d.state == 2,
          "4.%u: unpause", minor);
    CHECK(xc_domain_pause(h, 0) == XC_EHYPERCALL && xc_last_error(h)->sys_errno == EINVAL,
          "4.%u: hypervisor refusal reported: %s", minor, xc_last_error(h)->message);
    CHECK(xc_domain_pause(h, 1) == XC_ENODOMAIN, "4.%u: pause of a missing domain", minor);
    CHECK(xc_domain_shutdown(h, 2, XC_REASON_REBOOT) == XC_OK && xc_domain_getinfo(h, 2, &d) == XC_OK &&
              d.state == 5 && d.shutdown_code == 1 && d.reason == 1,
          "4.%u: remote reboot leaves the domain shut off with code 1", minor);
    CHECK(xc_domain_shutdown(h, 3, XC_REASON_POWEROFF) == XC_OK && xc_domain_getinfo(h, 3, &d) == XC_OK &&
              d.state == 5 && d.shutdown_code == 0,
          "4.%u: remote poweroff", minor);
    calls = xen.hypercalls;
    CHECK(xc_domain_shutdown(h, 0, XC_REASON_POWEROFF) == XC_EINVAL && xc_domain_destroy(h, 0) == XC_EINVAL &&
              xc_domain_shutdown(h, 2, 3) == XC_EINVAL && xen.hypercalls == calls && xen.remote_shutdowns == 2,
          "4.%u: dom0 shutdown/destroy and bad reasons refused before any call: %s", minor, xc_last_error(h)->message);
    CHECK(xc_domain_shutdown(h, 1, XC_REASON_POWEROFF) == XC_ENODOMAIN, "4.%u: shutdown of a missing domain", minor);
    xen.destroy_eagain = 2;
    CHECK(xc_domain_destroy(h, 3) == XC_OK && xc_domain_getinfo(h, 3, &d) == XC_ENODOMAIN,
          "4.%u: destroy retries EAGAIN until done", minor);

    for (i = 0; i < 1000; i++) xc_domain_getinfo(h, 2, &d);
    CHECK(xen.allocs == allocs, "4.%u: no buffer allocation after open", minor);
    xc_close(h);
}

static void test_large_list(void)
{
    struct xc_error err;
    size_t total = 0;
    unsigned long calls;
    xc_handle *h;

    fake_init(&xen, 18, 599); /* 600 domains: three batches of 256 */
    h = fake_open(&xen, &err);
    calls = xen.hypercalls;
    CHECK(h && xc_domain_list(h, list, FAKE_MAX_DOMAINS, &total) == XC_OK && total == 600 &&
              list[599].domid == 599 && list[256].domid == 256 && xen.hypercalls == calls + 3,
          "600 domains listed in 3 batches (total %zu)", total);
    CHECK(xc_domain_list(h, list, 10, &total) == XC_OK && total == 600 && list[9].domid == 9,
          "a short output array still learns the total");
    xc_close(h);
}

static void test_stats(uint32_t minor)
{
    struct xc_error err;
    struct xc_dominfo d;
    struct xc_vcpuinfo v[FAKE_MAX_VCPUS + 1];
    struct xc_node_memory nodes[FAKE_MAX_NODES];
    uint64_t idle[FAKE_MAX_CPUS];
    size_t n = 99;
    unsigned long allocs, calls;
    xc_handle *h;
    int i;

    fake_init(&xen, minor, 3);
    h = fake_open(&xen, &err);
    if (!h) { CHECK(0, "4.%u opens: %s", minor, err.message); return; }
    allocs = xen.allocs;

    calls = xen.hypercalls;
    CHECK(xc_domain_vcpus(h, 0, &d, v, FAKE_MAX_VCPUS, &n) == XC_OK && n == 2 && d.domid == 0 &&
              xen.hypercalls == calls + 3,
          "4.%u: dom0's two vCPUs in getdomaininfo + 2 getvcpuinfo", minor);
    CHECK(v[0].present && v[0].online && v[0].running && !v[0].blocked && v[0].cpu == 0 &&
              v[0].cpu_time_ns == 600000ull + (1ull << 52),
          "4.%u: vCPU 0 running on CPU 0 with its 64-bit time", minor);
    CHECK(v[1].present && v[1].online && v[1].blocked && !v[1].running && v[1].cpu == 1 &&
              v[0].cpu_time_ns + v[1].cpu_time_ns == d.cpu_time_ns,
          "4.%u: vCPU 1 blocked on CPU 1; the vCPU times add up to the domain's", minor);
    CHECK(xc_domain_vcpus(h, 0, &d, v, 1, &n) == XC_OK && n == 2 && v[0].cpu == 0,
          "4.%u: a short array still learns the vCPU count", minor);
    xen.dom[0].vcpu[1].present = 0;
    CHECK(xc_domain_vcpus(h, 0, &d, v, FAKE_MAX_VCPUS, &n) == XC_OK && n == 2 && v[0].present && !v[1].present &&
              v[1].cpu_time_ns == 0,
          "4.%u: a vCPU id Xen never allocated reads absent", minor);
    CHECK(xc_domain_vcpus(h, 7, &d, v, FAKE_MAX_VCPUS, &n) == XC_ENODOMAIN, "4.%u: vCPUs of a missing domain", minor);
    CHECK(xc_domain_vcpus(h, 0x7ff0, &d, v, FAKE_MAX_VCPUS, &n) == XC_EINVAL,
          "4.%u: vCPUs of a reserved id refused", minor);

    CHECK(xc_cpu_idle(h, idle, FAKE_MAX_CPUS, &n) == XC_OK && n == 4 && idle[0] == 7000000000000ull &&
              idle[1] == (1ull << 53) + 3 && idle[2] == 0 && idle[3] == 0,
          "4.%u: idle time of 4 CPU ids, offline ones 0", minor);
    idle[1] = 42;
    CHECK(xc_cpu_idle(h, idle, 1, &n) == XC_OK && n == 4 && idle[1] == 42, "4.%u: cap respected", minor);

    CHECK(xc_numa_memory(h, nodes, FAKE_MAX_NODES, &n) == XC_OK && n == 2 && nodes[0].online &&
              nodes[0].size_bytes == 524158ull * 4096 && nodes[0].free_bytes == 256039ull * 4096 && !nodes[1].online &&
              nodes[1].size_bytes == 0 && nodes[1].free_bytes == 0,
          "4.%u: node 0 memory, node 1 offline (XEN_INVALID_MEM_SZ)", minor);

    xen.sysctl_if = 0x99; /* the hypervisor now refuses: errors carry the errno */
    CHECK(xc_cpu_idle(h, idle, FAKE_MAX_CPUS, &n) == XC_EHYPERCALL && xc_last_error(h)->sys_errno == EACCES &&
              strstr(xc_last_error(h)->message, "getcpuinfo"),
          "4.%u: getcpuinfo refusal: %s", minor, xc_last_error(h)->message);
    CHECK(xc_numa_memory(h, nodes, FAKE_MAX_NODES, &n) == XC_EHYPERCALL, "4.%u: numainfo refusal", minor);

    for (i = 0; i < 1000; i++) xc_domain_vcpus(h, 0, &d, v, FAKE_MAX_VCPUS, &n);
    CHECK(xen.allocs == allocs, "4.%u: no buffer allocation for statistics", minor);
    xc_close(h);
}

static void test_affinity(uint32_t minor)
{
    struct xc_error err;
    uint8_t one[1], two[2] = { 0xaa, 0xaa }, big[XC_CPUMAP_MAX + 1];
    unsigned long allocs, calls;
    xc_handle *h;
    int i;

    fake_init(&xen, minor, 3);
    xen.dom[0].vcpu[1].hard_affinity = 0x02; /* dom0's vCPU 1 pinned to CPU 1 (xl vcpu-pin 0 1 1) */
    h = fake_open(&xen, &err);
    if (!h) { CHECK(0, "4.%u opens: %s", minor, err.message); return; }
    allocs = xen.allocs;

    calls = xen.hypercalls;
    CHECK(xc_vcpu_affinity(h, 0, 0, one, sizeof one) == XC_OK && one[0] == 0x0f && xen.hypercalls == calls + 1 &&
              xen.last_affinity_bits == 8,
          "4.%u: an unpinned vCPU may run on all 4 CPU ids (0x%02x), one hypercall asking 8 bits", minor, one[0]);
    CHECK(xc_vcpu_affinity(h, 0, 1, two, sizeof two) == XC_OK && two[0] == 0x02 && two[1] == 0 &&
              xen.last_affinity_bits == 16,
          "4.%u: a pinned vCPU's map; bytes beyond Xen's CPUs zeroed (0x%02x 0x%02x)", minor, two[0], two[1]);
    CHECK(xc_vcpu_affinity(h, 2, 0, big, XC_CPUMAP_MAX) == XC_OK && big[0] == 0x0f && big[XC_CPUMAP_MAX - 1] == 0,
          "4.%u: the largest map (%u bytes) of a guest's vCPU", minor, (unsigned)XC_CPUMAP_MAX);

    calls = xen.hypercalls;
    one[0] = 0x5a;
    CHECK(xc_vcpu_affinity(h, 0, 0, one, 0) == XC_EINVAL && xc_vcpu_affinity(h, 0, 0, NULL, 1) == XC_EINVAL &&
              xc_vcpu_affinity(h, 0, 0, big, XC_CPUMAP_MAX + 1) == XC_EINVAL &&
              xc_vcpu_affinity(h, 0x7ff0, 0, one, 1) == XC_EINVAL && xen.hypercalls == calls && one[0] == 0x5a,
          "4.%u: empty, missing or oversized maps and reserved ids refused before any hypercall: %s", minor,
          xc_last_error(h)->message);
    CHECK(xc_vcpu_affinity(h, 7, 0, one, 1) == XC_ENODOMAIN && strstr(xc_last_error(h)->message, "id 7"),
          "4.%u: affinity in a missing domain: %s", minor, xc_last_error(h)->message);
    xen.dom[0].vcpu[1].present = 0;
    CHECK(xc_vcpu_affinity(h, 0, 1, one, 1) == XC_ENODOMAIN, "4.%u: a vCPU id Xen never allocated", minor);
    CHECK(xc_vcpu_affinity(h, 0, 2, one, 1) == XC_EHYPERCALL && xc_last_error(h)->sys_errno == EINVAL &&
              strstr(xc_last_error(h)->message, "getvcpuaffinity of vCPU 2"),
          "4.%u: a vCPU id beyond the domain's maximum: %s", minor, xc_last_error(h)->message);
    xen.domctl_if = 0x99;
    CHECK(xc_vcpu_affinity(h, 0, 0, one, 1) == XC_EHYPERCALL && xc_last_error(h)->sys_errno == EACCES,
          "4.%u: refusal carries Xen's errno", minor);
    xen.domctl_if = xc_interface(h)->domctl_if;

    for (i = 0; i < 1000; i++) xc_vcpu_affinity(h, 0, 0, one, sizeof one);
    CHECK(xen.allocs == allocs && one[0] == 0x0f, "4.%u: no buffer allocation per affinity call", minor);
    xc_close(h);
}

static void test_pin(uint32_t minor)
{
    struct xc_error err;
    uint8_t cpu1[1] = { 0x02 }, cpus02[2] = { 0x05, 0x00 }, none[2] = { 0, 0 }, offline[1] = { 0x0c },
            wide[XC_CPUMAP_MAX], back[1];
    unsigned long allocs, calls;
    xc_handle *h;
    int i;

    fake_init(&xen, minor, 3);
    h = fake_open(&xen, &err);
    if (!h) { CHECK(0, "4.%u opens: %s", minor, err.message); return; }
    allocs = xen.allocs;

    calls = xen.hypercalls;
    CHECK(xc_vcpu_set_affinity(h, 2, 0, cpu1, sizeof cpu1) == XC_OK && xen.hypercalls == calls + 1 &&
              xen.dom[2].vcpu[0].hard_affinity == 0x02 && xen.last_affinity_bits == 8 && xen.soft_affinity_sets == 0,
          "4.%u: a guest's vCPU pinned to CPU 1 in one hypercall, hard map only", minor);
    CHECK(xc_vcpu_affinity(h, 2, 0, back, sizeof back) == XC_OK && back[0] == 0x02,
          "4.%u: getvcpuaffinity reads the pin back (0x%02x)", minor, back[0]);
    CHECK(xc_vcpu_set_affinity(h, 0, 1, cpus02, sizeof cpus02) == XC_OK && xen.dom[0].vcpu[1].hard_affinity == 0x05 &&
              xen.last_affinity_bits == 16 && cpus02[0] == 0x05,
          "4.%u: dom0's vCPU 1 on CPUs 0 and 2 (2 offline: Xen keeps it in the map); the caller's map untouched",
          minor);
    memset(wide, 0, sizeof wide);
    wide[0] = 0x01;
    wide[XC_CPUMAP_MAX - 1] = 0x80;
    CHECK(xc_vcpu_set_affinity(h, 1, 0, wide, sizeof wide) == XC_OK && xen.dom[1].vcpu[0].hard_affinity == 0x01,
          "4.%u: the largest map (%u bytes); CPU ids beyond Xen's ignored", minor, (unsigned)XC_CPUMAP_MAX);

    calls = xen.hypercalls;
    CHECK(xc_vcpu_set_affinity(h, 2, 0, cpu1, 0) == XC_EINVAL && xc_vcpu_set_affinity(h, 2, 0, NULL, 1) == XC_EINVAL &&
              xc_vcpu_set_affinity(h, 2, 0, wide, XC_CPUMAP_MAX + 1) == XC_EINVAL &&
              xc_vcpu_set_affinity(h, 0x7ff0, 0, cpu1, 1) == XC_EINVAL && xen.hypercalls == calls,
          "4.%u: empty, missing or oversized maps and reserved ids refused before any hypercall: %s", minor,
          xc_last_error(h)->message);
    CHECK(xc_vcpu_set_affinity(h, 2, 0, none, sizeof none) == XC_EINVAL && xen.hypercalls == calls &&
              strstr(xc_last_error(h)->message, "names no CPU") && xen.dom[2].vcpu[0].hard_affinity == 0x02,
          "4.%u: a map with no CPU refused before any hypercall: %s", minor, xc_last_error(h)->message);
    CHECK(xc_vcpu_set_affinity(h, 2, 0, offline, sizeof offline) == XC_EHYPERCALL &&
              xc_last_error(h)->sys_errno == EINVAL && xen.dom[2].vcpu[0].hard_affinity == 0x02 &&
              strstr(xc_last_error(h)->message, "setvcpuaffinity of vCPU 0 of domain 2"),
          "4.%u: only offline CPUs: Xen's EINVAL, the pin unchanged: %s", minor, xc_last_error(h)->message);
    CHECK(xc_vcpu_set_affinity(h, 7, 0, cpu1, 1) == XC_ENODOMAIN && strstr(xc_last_error(h)->message, "id 7"),
          "4.%u: pinning in a missing domain: %s", minor, xc_last_error(h)->message);
    CHECK(xc_vcpu_set_affinity(h, 2, 1, cpu1, 1) == XC_EHYPERCALL && xc_last_error(h)->sys_errno == EINVAL,
          "4.%u: a vCPU id beyond the domain's maximum: %s", minor, xc_last_error(h)->message);
    xen.dom[0].vcpu[1].present = 0;
    CHECK(xc_vcpu_set_affinity(h, 0, 1, cpu1, 1) == XC_ENODOMAIN, "4.%u: a vCPU id Xen never allocated", minor);
    xen.domctl_if = 0x99;
    CHECK(xc_vcpu_set_affinity(h, 2, 0, cpu1, 1) == XC_EHYPERCALL && xc_last_error(h)->sys_errno == EACCES,
          "4.%u: refusal carries Xen's errno", minor);
    xen.domctl_if = xc_interface(h)->domctl_if;

    for (i = 0; i < 1000; i++) xc_vcpu_set_affinity(h, 2, 0, cpus02, sizeof cpus02);
    CHECK(xen.allocs == allocs && xen.dom[2].vcpu[0].hard_affinity == 0x05, "4.%u: no buffer allocation per pin",
          minor);
    xc_close(h);
}

static void test_privcmd_missing(void)
{
    struct xc_error err = { 0, 0, "" };
    xc_handle *h = NULL;
    int rc = xc_open_privcmd(NULL, &h, &err);
    if (rc == XC_ENOPRIVCMD)
        CHECK(h == NULL && strstr(err.message, "/dev/xen/privcmd is missing"), "no Xen here: %s", err.message);
    else
        CHECK(rc == XC_OK || rc == XC_EACCESS, "privcmd open on a Xen host: %s", err.message);
    xc_close(h);
}

int main(void)
{
    test_detection();
    test_state_mapping();
    test_queries(16);
    test_queries(17);
    test_queries(18);
    test_queries(19);
    test_large_list();
    test_stats(16);
    test_stats(19);
    test_affinity(17);
    test_affinity(19);
    test_pin(17);
    test_pin(19);
    test_privcmd_missing();
    CHECK(strcmp(xc_status_name(XC_ENODOMAIN), "XC_ENODOMAIN") == 0 && strcmp(xc_status_name(99), "XC_EUNKNOWN") == 0,
          "status names");
    printf("# %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
