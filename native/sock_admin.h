/* Socket admission helpers for xvirtd: who is behind an accepted unix socket
 * (SO_PEERCRED), and the process's open-file limit. Plain C, no allocation. */
#ifndef XVIRT_SOCK_ADMIN_H
#define XVIRT_SOCK_ADMIN_H

#include <stdint.h>

struct sa_peer {
  int64_t pid;
  int64_t uid;
  int64_t gid;
};

/* The credentials the kernel recorded for the peer of unix socket `fd` at connect time.
 * Returns 0, or an errno (EBADF, ENOTSOCK, ENOTSUP on a non-unix socket, ENOSYS off Linux). */
int sa_peercred(int fd, struct sa_peer *out);

/* Raises the RLIMIT_NOFILE soft limit to the hard limit (capped at nr_open by the kernel's
 * own refusal: on EPERM it keeps the old value). Reports both limits afterwards.
 * Returns 0, or the errno of getrlimit. */
int sa_raise_nofile(uint64_t *soft, uint64_t *hard);

/* Gives the C heap's free pages back to the kernel (glibc's malloc_trim: every arena, free pages in the
 * middle of the heap too). Returns 1 if memory was released, 0 if none was or the C library has no such call. */
int sa_trim_heap(void);

#endif
