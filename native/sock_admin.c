/* See sock_admin.h. */
#define _GNU_SOURCE
#include "sock_admin.h"

#include <errno.h>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/socket.h>

int sa_peercred(int fd, struct sa_peer *out) {
  if (fd < 0 || !out) return EBADF;
#ifdef SO_PEERCRED
  /* Linux answers SO_PEERCRED on any socket (pid 0, uid -1 for TCP): ask unix sockets only. */
  int domain = 0;
  socklen_t dlen = sizeof domain;
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) != 0) return errno;
  if (domain != AF_UNIX) return ENOTSUP;
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return errno;
  if (len != sizeof cred) return EPROTO;
  out->pid = cred.pid;
  out->uid = cred.uid;
  out->gid = cred.gid;
  return 0;
#else
  return ENOSYS;
#endif
}

int sa_raise_nofile(uint64_t *soft, uint64_t *hard) {
  struct rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return errno;
  if (lim.rlim_cur != lim.rlim_max) {
    struct rlimit want = { lim.rlim_max, lim.rlim_max };
    /* A hard limit of RLIM_INFINITY or above fs.nr_open is refused with EPERM/EINVAL: keep the old soft limit. */
    if (setrlimit(RLIMIT_NOFILE, &want) == 0) lim = want;
  }
  *soft = lim.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)lim.rlim_cur;
  *hard = lim.rlim_max == RLIM_INFINITY ? UINT64_MAX : (uint64_t)lim.rlim_max;
  return 0;
}

int sa_trim_heap(void) {
#ifdef __GLIBC__
  return malloc_trim(0);
#else
  return 0;
#endif
}
