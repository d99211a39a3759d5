/* run-as-user USER CMD [ARGS...]: run CMD as an unprivileged user inside the
 * lab's dom0. Busybox's setpriv cannot switch uid and su needs a shell
 * command line (quoting trouble), so lab tests get this small exec wrapper.
 * Drops supplementary groups, then gid, then uid (order matters: after
 * setuid we could no longer change groups), and checks each step. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: run-as-user USER CMD [ARGS...]\n");
		return 125;
	}
	struct passwd *pw = getpwnam(argv[1]);
	if (!pw) {
		fprintf(stderr, "run-as-user: no user '%s' in /etc/passwd\n", argv[1]);
		return 125;
	}
	if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		fprintf(stderr, "run-as-user: cannot become %s: %s\n", argv[1], strerror(errno));
		return 125;
	}
	if (setuid(0) == 0) { /* must be impossible now */
		fprintf(stderr, "run-as-user: privileges were not dropped\n");
		return 125;
	}
	setenv("HOME", pw->pw_dir, 1);
	setenv("USER", pw->pw_name, 1);
	setenv("LOGNAME", pw->pw_name, 1);
	execvp(argv[2], argv + 2);
	fprintf(stderr, "run-as-user: cannot run %s: %s\n", argv[2], strerror(errno));
	return 127;
}
