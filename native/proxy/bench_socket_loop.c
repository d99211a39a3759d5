/*
 * The baseline for bench/proxy.js: a plain C request/response loop over a
 * unix stream socket, with the proxy's GET_INFO message sizes (32-byte
 * request, 16 + 72-byte reply) and no work on the server side.
 * Usage: bench_socket_loop CALLS  -> prints {"calls":N,"seconds":S}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

int main(int argc, char **argv)
{
    uint8_t req[XP_REQUEST_LEN] = { 1 }, rep[REPLY_LEN] = { 1 };
    struct timespec t0, t1;
    long calls, i;
    int sv[2];
    pid_t child;

    calls = argc == 2 ? strtol(argv[1], NULL, 10) : 0;
    if (calls <= 0) {
        fprintf(stderr, "usage: bench_socket_loop CALLS\n");
        return 2;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return perror("socketpair"), 1;
    child = fork();
    if (child < 0) return perror("fork"), 1;
    if (child == 0) {
        close(sv[0]);
        while (io_all(sv[1], req, sizeof req, 0) == 0 && io_all(sv[1], rep, sizeof rep, 1) == 0) {}
        _exit(0);
    }
    close(sv[1]);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = 0; i < calls; i++) {
        xp_put32(req + XP_REQ_SERIAL, (uint32_t)i);
        if (io_all(sv[0], req, sizeof req, 1) != 0 || io_all(sv[0], rep, sizeof rep, 0) != 0) return perror("io"), 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    close(sv[0]);
    waitpid(child, NULL, 0);
    printf("{\"calls\":%ld,\"seconds\":%.6f}\n", calls, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return 0;
}
