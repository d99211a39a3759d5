/*
 * The libvirt baseline of bench/getinfo.js: the same measurement through
 * libvirt's own C library. Opens URI, takes the first 3 running (or idle)
 * guests by id (Xen's Domain-0 excluded), warms up, then times CALLS virDomainGetInfo on
 * each, one at a time. Prints one JSON line: total calls, elapsed ns, and
 * the libvirt version. Built at run time by bench/getinfo.js.
 *
 *   getinfo-libvirt URI CALLS
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define GUESTS 3

static int by_id(const void *a, const void *b)
{
    unsigned int ia = virDomainGetID(*(virDomainPtr const *)a);
    unsigned int ib = virDomainGetID(*(virDomainPtr const *)b);
    return ia < ib ? -1 : ia > ib;
}

static int fail(const char *what)
{
    const char *why = virGetLastErrorMessage();
    fprintf(stderr, "getinfo-libvirt: %s: %s\n", what, why ? why : "unknown error");
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s URI CALLS\n", argv[0]);
        return 2;
    }
    char *end;
    errno = 0;
    long calls = strtol(argv[2], &end, 10);
    if (errno || *end || calls < 1) {
        fprintf(stderr, "getinfo-libvirt: CALLS must be a positive integer, got '%s'\n", argv[2]);
        return 2;
    }
    virConnectPtr conn = virConnectOpen(argv[1]);
    if (!conn)
        return fail("open");
    virDomainPtr *all = NULL;
    int n = virConnectListAllDomains(conn, &all, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
    if (n < 0)
        return fail("list domains");
    qsort(all, (size_t)n, sizeof(*all), by_id);
    virDomainPtr guests[GUESTS];
    int found = 0;
    for (int i = 0; i < n && found < GUESTS; i++) {
        /* Running or idle guests; id 0 is Xen's Domain-0, the host itself. */
        int state, reason;
        if (virDomainGetID(all[i]) == 0 || virDomainGetState(all[i], &state, &reason, 0) < 0)
            continue;
        if (state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_BLOCKED)
            guests[found++] = all[i];
    }
    if (found < GUESTS) {
        fprintf(stderr, "getinfo-libvirt: %s has %d running guest(s); the measurement needs %d\n", argv[1], found, GUESTS);
        return 1;
    }
    virDomainInfo info;
    for (int g = 0; g < GUESTS; g++)
        for (long i = 0; i < (calls < 1000 ? calls : 1000); i++)
            if (virDomainGetInfo(guests[g], &info) < 0)
                return fail("getInfo (warm-up)");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int g = 0; g < GUESTS; g++)
        for (long i = 0; i < calls; i++)
            if (virDomainGetInfo(guests[g], &info) < 0)
                return fail("getInfo");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long elapsed = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
    unsigned long version = 0;
    virGetVersion(&version, NULL, NULL);
    printf("{\"total\":%ld,\"elapsedNs\":%lld,\"libvirtVersion\":%lu}\n", calls * GUESTS, elapsed, version);
    for (int i = 0; i < n; i++)
        virDomainFree(all[i]);
    free(all);
    virConnectClose(conn);
    return 0;
}
