/*
 * The baselines for bench/proxy.js, with the proxy's GET_INFO message sizes
 * (32-byte request, 16 + 72-byte reply):
 *   bench_socket_loop CALLS                -> a plain C request/response loop over a
 *                                             socketpair, no work on the server side
 *   bench_socket_loop CALLS SOCKET DOMID   -> a C client of a running xvirt-proxy at
 *                                             SOCKET, GET_INFO for DOMID one at a time
 * Prints {"calls":N,"seconds":S}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xp_protocol.h"

#define REPLY_LEN (XP_REPLY_HEADER_LEN + XP_RECORD_LEN)

static int io_all(int fd, uint8_t *buf, size_t len, int writing)
{
    while (len > 0) {
        ssize_t n = writing ? write(fd, buf, len) : read(fd, buf, len);
        if (n <= 0) return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* A connection to the helper at `path`, or -1. */
static int connect_helper(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;
    if (strlen(path) >= sizeof sa.sun_path) return -1;
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) return -1;
    return fd;
}

int main(int argc, char **argv)
{
    uint8_t req[XP_REQUEST_LEN] = { 0 }, rep[REPLY_LEN] = { 1 };
    struct timespec t0, t1;
    long calls, i, domid = 0;
    int sv[2];
    pid_t child = 0;

    calls = argc == 2 || argc == 4 ? strtol(argv[1], NULL, 10) : 0;
    if (argc == 4) domid = strtol(argv[3], NULL, 10);
    if (calls <= 0 || domid < 0 || domid > 0x7fef) {
        fprintf(stderr, "usage: bench_socket_loop CALLS [SOCKET DOMID]\n");
        return 2;
    }
    xp_put16(req + XP_REQ_VERSION, XP_PROTO_VERSION);
    xp_put16(req + XP_REQ_COMMAND, XP_CMD_GET_INFO);
    xp_put32(req + XP_REQ_DOMID, (uint32_t)domid);
    if (argc == 4) {
        sv[0] = connect_helper(argv[2]);
        if (sv[0] < 0) return perror(argv[2]), 1;
    } else {
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return perror("socketpair"), 1;
        child = fork();
        if (child < 0) return perror("fork"), 1;
        if (child == 0) {
            close(sv[0]);
            while (io_all(sv[1], req, sizeof req, 0) == 0 && io_all(sv[1], rep, sizeof rep, 1) == 0) {}
            _exit(0);
        }
        close(sv[1]);
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = 0; i < calls; i++) {
        xp_put32(req + XP_REQ_SERIAL, (uint32_t)i);
        if (io_all(sv[0], req, sizeof req, 1) != 0 || io_all(sv[0], rep, sizeof rep, 0) != 0) return perror("io"), 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    close(sv[0]);
    if (child > 0) waitpid(child, NULL, 0);
    if (argc == 4 && (xp_get32(rep + XP_REP_STATUS) != XP_OK || xp_get32(rep + XP_REP_LENGTH) != XP_RECORD_LEN)) {
        fprintf(stderr, "xvirt-proxy answered status %u\n", xp_get32(rep + XP_REP_STATUS));
        return 1;
    }
    printf("{\"calls\":%ld,\"seconds\":%.6f}\n", calls, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return 0;
}
