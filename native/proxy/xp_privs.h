/* Process hygiene for a setuid program, and the one-way drop to an unprivileged account. */
#ifndef XP_PRIVS_H
#define XP_PRIVS_H

#include <stddef.h>

/* First thing in main: only fds 0-2 stay open (on /dev/null if they were closed), empty environment, umask 022, cwd /. */
int xp_sanitize_process(char *err, size_t err_len);

/* Drops to `user` for good: no groups, real/effective/saved ids changed, no new privileges, not dumpable. */
int xp_drop_privileges(const char *user, char *err, size_t err_len);

/* Allows only the system calls serving needs (after the drop, once ready has been reported). */
int xp_restrict_syscalls(char *err, size_t err_len);

/* Points fds 0-2 at /dev/null (after the readiness report: the caller may be gone). */
void xp_detach_stdio(void);

#endif
