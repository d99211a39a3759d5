#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xp_privs.h"

static int ensure_std_fds(void)
{
    int fd;
    for (fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1) continue;
        /* A closed 0-2 would let a later open() land there and receive our diagnostics. */
        if (open("/dev/null", O_RDWR) != fd) return -1;
    }
    return 0;
}

int xp_sanitize_process(char *err, size_t err_len)
{
    struct rlimit no_core = { 0, 0 };

    if (ensure_std_fds() != 0) {
        snprintf(err, err_len, "cannot open /dev/null: %s", strerror(errno));
        return -1;
    }
    if (close_range(3, ~0u, 0) != 0) {
        long fd, max = sysconf(_SC_OPEN_MAX);
        for (fd = 3; fd < (max > 0 ? max : 1024); fd++) close((int)fd);
    }
    if (clearenv() != 0) {
        snprintf(err, err_len, "cannot clear the environment");
        return -1;
    }
    umask(022);
    if (chdir("/") != 0) {
        snprintf(err, err_len, "cannot change directory to /: %s", strerror(errno));
        return -1;
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    setrlimit(RLIMIT_CORE, &no_core);
    return 0;
}

int xp_drop_privileges(const char *user, char *err, size_t err_len)
{
    struct passwd *pw = getpwnam(user);
    /* The account is shared with other daemons: forbid forking so a compromise cannot spawn. */
    struct rlimit no_procs = { 0, 0 };
    uid_t uid;
    gid_t gid;

    if (!pw || pw->pw_uid == 0 || pw->pw_gid == 0) {
        snprintf(err, err_len, "cannot drop privileges: no unprivileged account '%s'", user);
        return -1;
    }
    uid = pw->pw_uid;
    gid = pw->pw_gid;
    if (setgroups(0, NULL) != 0 || setresgid(gid, gid, gid) != 0 || setresuid(uid, uid, uid) != 0) {
        snprintf(err, err_len, "cannot drop privileges to %s: %s", user, strerror(errno));
        return -1;
    }
    if (setuid(0) == 0 || seteuid(0) == 0 || geteuid() != uid || getegid() != gid) {
        snprintf(err, err_len, "privileges could be regained after dropping to %s", user);
        return -1;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 ||
        setrlimit(RLIMIT_NPROC, &no_procs) != 0) {
        snprintf(err, err_len, "cannot restrict the process: %s", strerror(errno));
        return -1;
    }
    return 0;
}

void xp_detach_stdio(void)
{
    int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd < 0) return;
    dup2(fd, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    if (fd > 2) close(fd);
}
