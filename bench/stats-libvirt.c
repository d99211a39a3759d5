/*
 * libvirt's side of bench/stats.js: the dashboard poll made through
 * libvirt's own C library. Opens URI, warms up with 20 polls, then times
 * POLLS calls of virConnectGetAllDomainStats(STATS, FLAGS), freeing each
 * answer as a poller would. Prints one JSON line: polls, records per poll,
 * parameters per poll, elapsed ns, and the CPU time (user + system) this
 * client spent on the timed polls: a floor under its row that no daemon can
 * remove, since each call waits for its reply.
 *
 *   stats-libvirt URI POLLS [STATS [FLAGS]]
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#define WARM_UP 20

static int fail(const char *what)
{
    const char *why = virGetLastErrorMessage();
    fprintf(stderr, "stats-libvirt: %s: %s\n", what, why ? why : "unknown error");
    return 1;
}

/* CPU time (user + system) this process has used so far, in ns. */
static long long cpu_ns(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One poll; returns the number of records (and adds their parameters to *params), or -1. */
static int poll_once(virConnectPtr conn, unsigned int stats, unsigned int flags, long *params)
{
    virDomainStatsRecordPtr *records = NULL;
    int n = virConnectGetAllDomainStats(conn, stats, &records, flags);
    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++)
        *params += records[i]->nparams;
    virDomainStatsRecordListFree(records);
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 5) {
        fprintf(stderr, "usage: stats-libvirt URI POLLS [STATS [FLAGS]]\n");
        return 2;
    }
    long polls = strtol(argv[2], NULL, 10);
    unsigned int stats = argc > 3 ? (unsigned int)strtoul(argv[3], NULL, 0) : 0;
    unsigned int flags = argc > 4 ? (unsigned int)strtoul(argv[4], NULL, 0) : 0;
    if (polls < 1) {
        fprintf(stderr, "stats-libvirt: POLLS must be a positive integer\n");
        return 2;
    }
    virConnectPtr conn = virConnectOpen(argv[1]);
    if (!conn)
        return fail("cannot open the connection");
    long params = 0;
    int records = 0;
    for (int i = 0; i < WARM_UP; i++) {
        if ((records = poll_once(conn, stats, flags, &params)) < 0)
            return fail("virConnectGetAllDomainStats");
    }
    params = 0;
    long long start = now_ns();
    long long cpu_start = cpu_ns();
    for (long i = 0; i < polls; i++) {
        if (poll_once(conn, stats, flags, &params) < 0)
            return fail("virConnectGetAllDomainStats");
    }
    long long elapsed = now_ns() - start;
    long long cpu = cpu_ns() - cpu_start;
    printf("{\"polls\":%ld,\"records\":%d,\"params\":%ld,\"elapsedNs\":%lld,\"cpuNs\":%lld}\n", polls, records,
           params / polls, elapsed, cpu);
    virConnectClose(conn);
    return 0;
}
