/*
 * libvirt's side of every getInfo benchmark: the same calls made through
 * libvirt's own C library (its API is synchronous: one call per thread at a
 * time). Opens URI, takes the first 3 running (or idle) guests by id (Xen's
 * Domain-0 excluded), warms up with up to 1,000 calls per guest, then times one of:
 *
 *   per-guest     CALLS calls on each guest, guest after guest (bench/getinfo.js;
 *                 the default, so `getinfo-libvirt URI CALLS` is this)
 *   interleaved   CALLS calls in all, cycling through the guests, shared by
 *                 THREADS threads on the one connection (1: one call at a time)
 *   rounds        CALLS poll rounds, each getInfo on all 3 guests: THREADS 1
 *                 makes the 3 calls one after another; THREADS 3 is one thread
 *                 per guest, and a round ends when all 3 have their answer
 *
 * Prints one JSON line: total calls, elapsed ns, and the libvirt version.
 * Built at run time by bench/harness.js (bench/getinfo.js builds it too).
 *
 *   getinfo-libvirt URI CALLS [per-guest | interleaved [THREADS] | rounds [1|3]]
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GUESTS 3
#define MAX_THREADS 64
#define WARM_UP 1000

enum mode { PER_GUEST, INTERLEAVED, ROUNDS };

static virDomainPtr guests[GUESTS];
static enum mode run_mode;
static long calls;
static int threads = 1;
static pthread_barrier_t round_start, round_end;
static volatile int failed;

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

static int usage(const char *why)
{
    fprintf(stderr, "getinfo-libvirt: %s\nusage: getinfo-libvirt URI CALLS [per-guest | interleaved [THREADS] | rounds [1|3]]\n", why);
    return 2;
}

static long positive(const char *text)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    return errno || *end || v < 1 ? -1 : v;
}

static void get_info(virDomainPtr dom)
{
    virDomainInfo info;
    if (virDomainGetInfo(dom, &info) < 0) {
        fail("getInfo");
        failed = 1;
    }
}

/* One thread of `interleaved`: calls id, id + threads, id + 2 * threads... of the CALLS. */
static void *interleaved_worker(void *arg)
{
    long id = (long)arg;
    for (long i = id; i < calls && !failed; i += threads)
        get_info(guests[i % GUESTS]);
    return NULL;
}

/* One thread of `rounds` with one thread per guest: its guest's call in each round. */
static void *round_worker(void *arg)
{
    virDomainPtr dom = guests[(long)arg];
    for (long r = 0; r < calls; r++) {
        pthread_barrier_wait(&round_start);
        if (!failed)
            get_info(dom);
        pthread_barrier_wait(&round_end);
    }
    return NULL;
}

/* The timed part. Returns the number of calls made. */
static long measure(void)
{
    if (run_mode == PER_GUEST) {
        for (int g = 0; g < GUESTS && !failed; g++)
            for (long i = 0; i < calls && !failed; i++)
                get_info(guests[g]);
        return calls * GUESTS;
    }
    if (run_mode == ROUNDS && threads == 1) {
        for (long r = 0; r < calls && !failed; r++)
            for (int g = 0; g < GUESTS; g++)
                get_info(guests[g]);
        return calls * GUESTS;
    }
    pthread_t tid[MAX_THREADS];
    void *(*worker)(void *) = run_mode == ROUNDS ? round_worker : interleaved_worker;
    for (long t = 0; t < threads; t++)
        if (pthread_create(&tid[t], NULL, worker, (void *)t) != 0) {
            fprintf(stderr, "getinfo-libvirt: cannot start thread %ld\n", t);
            exit(1);
        }
    if (run_mode == ROUNDS)
        for (long r = 0; r < calls; r++) {
            pthread_barrier_wait(&round_start);
            pthread_barrier_wait(&round_end);
        }
    for (int t = 0; t < threads; t++)
        pthread_join(tid[t], NULL);
    return run_mode == ROUNDS ? calls * GUESTS : calls;
}

static int parse_mode(int argc, char **argv)
{
    if (argc < 4 || strcmp(argv[3], "per-guest") == 0) {
        run_mode = PER_GUEST;
        return argc <= 4 ? 0 : usage("per-guest takes no thread count");
    }
    if (strcmp(argv[3], "interleaved") == 0)
        run_mode = INTERLEAVED;
    else if (strcmp(argv[3], "rounds") == 0)
        run_mode = ROUNDS;
    else
        return usage("unknown mode");
    if (argc > 5)
        return usage("too many arguments");
    long t = argc == 5 ? positive(argv[4]) : 1;
    if (t < 1 || t > MAX_THREADS)
        return usage("THREADS must be 1 to 64");
    if (run_mode == ROUNDS && t != 1 && t != GUESTS)
        return usage("rounds runs with 1 thread or one per guest (3)");
    threads = (int)t;
    if (run_mode == ROUNDS && threads == GUESTS) {
        /* The main thread joins both barriers: it releases each round and waits for its end. */
        pthread_barrier_init(&round_start, NULL, GUESTS + 1);
        pthread_barrier_init(&round_end, NULL, GUESTS + 1);
    }
    return 0;
}

/* The first GUESTS running or idle guests by id; id 0 is Xen's Domain-0, the host itself. */
static int find_guests(virConnectPtr conn, const char *uri)
{
    virDomainPtr *all = NULL;
    int n = virConnectListAllDomains(conn, &all, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
    if (n < 0)
        return fail("list domains");
    qsort(all, (size_t)n, sizeof(*all), by_id);
    int found = 0;
    for (int i = 0; i < n; i++) {
        int state, reason;
        int usable = found < GUESTS && virDomainGetID(all[i]) != 0
            && virDomainGetState(all[i], &state, &reason, 0) == 0
            && (state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_BLOCKED);
        if (usable)
            guests[found++] = all[i];
        else
            virDomainFree(all[i]);
    }
    free(all);
    if (found < GUESTS) {
        fprintf(stderr, "getinfo-libvirt: %s has %d running guest(s); the measurement needs %d\n", uri, found, GUESTS);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return usage("missing URI or CALLS");
    calls = positive(argv[2]);
    if (calls < 1)
        return usage("CALLS must be a positive integer");
    int bad = parse_mode(argc, argv);
    if (bad)
        return bad;
    virConnectPtr conn = virConnectOpen(argv[1]);
    if (!conn)
        return fail("open");
    if (find_guests(conn, argv[1]))
        return 1;
    for (int g = 0; g < GUESTS && !failed; g++)
        for (long i = 0; i < (calls < WARM_UP ? calls : WARM_UP) && !failed; i++)
            get_info(guests[g]);
    if (failed)
        return 1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long total = measure();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (failed)
        return 1;
    long long elapsed = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
    unsigned long version = 0;
    virGetVersion(&version, NULL, NULL);
    printf("{\"total\":%ld,\"elapsedNs\":%lld,\"libvirtVersion\":%lu}\n", total, elapsed, version);
    for (int g = 0; g < GUESTS; g++)
        virDomainFree(guests[g]);
    virConnectClose(conn);
    return 0;
}
