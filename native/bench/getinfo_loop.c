/*
 * The C baseline for bench/xen-direct.js: the same getdomaininfo (or
 * getdomaininfolist) hypercall through the same core the addon uses, in a
 * plain loop. Prints one JSON line.
 *
 *   getinfo_loop getinfo ROUNDS DOMID...   ROUNDS x getdomaininfo of each DOMID
 *   getinfo_loop list ROUNDS               ROUNDS x one getdomaininfolist of all domains
 *   getinfo_loop                           the same commands, one per line on stdin
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../xc_core.h"

#define MAX_IDS 64

static struct xc_dominfo list[XC_LIST_BATCH];

static int parse_uint(const char *text, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    *out = strtoul(text, &end, 10);
    return errno == 0 && end != text && *end == '\0' && *out <= max ? 0 : -1;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int usage(void)
{
    fprintf(stderr, "usage: getinfo_loop getinfo ROUNDS DOMID... | getinfo_loop list ROUNDS | getinfo_loop (commands on stdin)\n");
    return 2;
}

/*
 * Runs one measurement: argv is {"getinfo", ROUNDS, DOMID...} or {"list", ROUNDS}.
 * Returns 0 after printing its JSON line, 2 on bad arguments, 1 on a failed call.
 */
static int measure(xc_handle *h, int argc, char **argv)
{
    struct xc_dominfo d;
    unsigned long rounds, ids[MAX_IDS], r, calls = 0;
    size_t n_ids = 0, i, total = 0;
    int listing, rc = XC_OK;
    double t0, t1;

    if (argc < 2 || parse_uint(argv[1], 100000000ul, &rounds) != 0) return usage();
    listing = strcmp(argv[0], "list") == 0;
    if (!listing && (strcmp(argv[0], "getinfo") != 0 || argc < 3 || argc - 2 > MAX_IDS)) return usage();
    for (i = 2; i < (size_t)argc; i++)
        if (parse_uint(argv[i], XC_DOMID_MAX, &ids[n_ids++]) != 0) return usage();
    t0 = now();
    for (r = 0; r < rounds && rc == XC_OK; r++) {
        if (listing) {
            rc = xc_domain_list(h, list, XC_LIST_BATCH, &total);
            calls++;
        } else {
            for (i = 0; i < n_ids && rc == XC_OK; i++, calls++) rc = xc_domain_getinfo(h, (uint32_t)ids[i], &d);
        }
    }
    t1 = now();
    if (rc != XC_OK) {
        fprintf(stderr, "getinfo_loop: %s\n", xc_last_error(h)->message);
        return 1;
    }
    printf("{\"mode\":\"%s\",\"calls\":%lu,\"seconds\":%.6f,\"domains\":%zu}\n", listing ? "list" : "getinfo", calls,
           t1 - t0, listing ? total : n_ids);
    fflush(stdout);
    return 0;
}

/* Serve mode: one measurement per stdin line, so a benchmark can interleave without process start-up costs. */
static int serve(xc_handle *h)
{
    char line[1024], *words[MAX_IDS + 2], *save = NULL, *w;
    int rc = 0;

    while (rc == 0 && fgets(line, sizeof line, stdin)) {
        int n = 0;
        for (w = strtok_r(line, " \t\r\n", &save); w && n < MAX_IDS + 2; w = strtok_r(NULL, " \t\r\n", &save))
            words[n++] = w;
        if (n > 0) rc = measure(h, n, words);
    }
    return rc;
}

int main(int argc, char **argv)
{
    struct xc_error err;
    xc_handle *h;
    int rc;

    if (argc == 2 || (argc > 1 && strcmp(argv[1], "list") != 0 && strcmp(argv[1], "getinfo") != 0)) return usage();
    if (xc_open_privcmd(NULL, &h, &err) != XC_OK) {
        fprintf(stderr, "getinfo_loop: %s\n", err.message);
        return 1;
    }
    rc = argc == 1 ? serve(h) : measure(h, argc - 1, argv + 1);
    xc_close(h);
    return rc;
}
