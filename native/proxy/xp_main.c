/*
 * xvirt-proxy: a setuid-root helper giving unprivileged local users fast
 * read-only access to Xen (version, node info, domain list, lookups, info).
 * Started on demand by the client; exits after XP_IDLE_SECONDS without a
 * request. Never runs anything on a caller's behalf; takes no arguments.
 *
 * Startup, in order: sanitise the process; take the single-instance lock
 * (a second instance reports "ready" and exits); open privcmd and xenstore;
 * bind the socket in a root-owned directory; drop to XP_RUN_AS_USER for
 * good; report "ready" on stdout; serve.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "xp_config.h"
#include "xp_hv.h"
#include "xp_loop.h"
#include "xp_privs.h"

#define ERR_LEN 320

static void die(const char *msg)
{
    fprintf(stderr, "xvirt-proxy: %s\n", msg);
    exit(1);
}

static void ready(const char *how)
{
    printf("ready%s\n", how);
    fflush(stdout);
}

/* The socket directory must be a root-owned directory nobody else can write (created if missing). */
static void check_run_dir(char *err)
{
    struct stat st;
    if (mkdir(XP_RUN_DIR, 0755) != 0 && errno != EEXIST) {
        snprintf(err, ERR_LEN, "cannot create %s: %s", XP_RUN_DIR, strerror(errno));
        die(err);
    }
    if (lstat(XP_RUN_DIR, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022)) {
        snprintf(err, ERR_LEN, "%s must be a directory owned by root and writable only by root", XP_RUN_DIR);
        die(err);
    }
}

/* Returns the held lock fd, or -1 when another instance holds it. */
static int take_lock(char *err)
{
    char pid[24];
    int n, fd = open(XP_LOCK_PATH, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, ERR_LEN, "cannot open %s: %s", XP_LOCK_PATH, strerror(errno));
        die(err);
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) return -1;
        snprintf(err, ERR_LEN, "cannot lock %s: %s", XP_LOCK_PATH, strerror(errno));
        die(err);
    }
    n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
        snprintf(err, ERR_LEN, "cannot write %s: %s", XP_LOCK_PATH, strerror(errno));
        die(err);
    }
    return fd;
}

static int bind_socket(char *err)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    _Static_assert(sizeof XP_SOCKET_PATH <= sizeof sa.sun_path, "socket path fits sun_path");
    memcpy(sa.sun_path, XP_SOCKET_PATH, sizeof XP_SOCKET_PATH);
    /* We hold the lock, so a socket file left here belongs to an exited server. */
    if (unlink(XP_SOCKET_PATH) != 0 && errno != ENOENT) {
        snprintf(err, ERR_LEN, "cannot remove the stale %s: %s", XP_SOCKET_PATH, strerror(errno));
        die(err);
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || chmod(XP_SOCKET_PATH, 0666) != 0 ||
        listen(fd, 128) != 0) {
        snprintf(err, ERR_LEN, "cannot listen on %s: %s", XP_SOCKET_PATH, strerror(errno));
        die(err);
    }
    return fd;
}

int main(int argc, char **argv)
{
    static const char *const xenstore_sockets[] = { XP_XENSTORE_SOCKETS, NULL };
    static struct xp_server server;
    char err[ERR_LEN];
    xc_handle *hv;
    int lock_fd, listen_fd;

    (void)argv;
    if (xp_sanitize_process(err, sizeof err) != 0) die(err);
    if (argc != 1) die("takes no arguments (it is started by xvirt's proxy driver)");
    if (geteuid() != 0) die("must be installed setuid root (see docs/proxy.md: scripts/install-proxy)");
    /* Real and saved ids become root too, so nothing below runs half-privileged. */
    if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) die("cannot assume root ids");

    check_run_dir(err);
    lock_fd = take_lock(err);
    if (lock_fd < 0) {
        ready(" (already served)");
        return 0;
    }
    if (xp_open_hypervisor(&hv, err, sizeof err) != 0) die(err);
    if (xp_xs_open(&server.xs, xenstore_sockets, XP_XENBUS_DEVICE, err, sizeof err) != 0) die(err);
    if (xp_server_init(&server, hv, err, sizeof err) != 0) die(err);
    listen_fd = bind_socket(err);
    if (xp_drop_privileges(XP_RUN_AS_USER, err, sizeof err) != 0) {
        unlink(XP_SOCKET_PATH);
        die(err);
    }
    ready("");
    xp_detach_stdio();
    setsid();
    if (xp_restrict_syscalls(err, sizeof err) != 0) return 1;

    xp_serve_loop(listen_fd, &server); /* closes listen_fd */

    xp_xs_close(&server.xs);
    xp_server_close(&server);
    xc_close(hv);
    close(lock_fd);
    return 0;
}
