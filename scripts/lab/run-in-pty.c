/* run-in-pty CMD [ARGS...]: run CMD on a new pseudo-terminal inside the
 * lab's dom0, relaying our stdin to it and its output to our stdout; exits
 * with CMD's status (128+N for signal N). `virsh console` refuses to run
 * without a terminal, and dom0 has neither python's pty module nor script(1).
 * The end of our stdin does not end CMD: it runs until it exits (the pty then
 * reads EIO), as a terminal's user would leave it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* Writes all of buf to fd; 0 on success. */
static int write_all(int fd, const char *buf, ssize_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, (size_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

static void child(int master, char **argv)
{
	const char *name = ptsname(master);
	int slave;

	if (setsid() < 0 || !name || (slave = open(name, O_RDWR)) < 0) {
		perror("run-in-pty: cannot open the pty");
		_exit(126);
	}
	if (ioctl(slave, TIOCSCTTY, 0) < 0 || dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0) {
		perror("run-in-pty: cannot make the pty the terminal");
		_exit(126);
	}
	if (slave > 2)
		close(slave);
	close(master);
	execvp(argv[0], argv);
	fprintf(stderr, "run-in-pty: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int main(int argc, char **argv)
{
	char buf[4096];
	struct pollfd fds[2];
	int master, status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: run-in-pty CMD [ARGS...]\n");
		return 125;
	}
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) {
		perror("run-in-pty: cannot allocate a pty");
		return 125;
	}
	pid = fork();
	if (pid < 0) {
		perror("run-in-pty: fork");
		return 125;
	}
	if (pid == 0)
		child(master, argv + 1);
	fds[0].fd = 0;
	fds[0].events = POLLIN;
	fds[1].fd = master;
	fds[1].events = POLLIN;
	for (;;) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(0, buf, sizeof buf);
			if (n <= 0 || write_all(master, buf, n) < 0)
				fds[0].fd = -1; /* stdin ended: stop reading it, keep relaying */
		}
		if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(master, buf, sizeof buf);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0 || write_all(1, buf, n) < 0)
				break; /* EIO: every slave descriptor is closed, CMD has exited */
		}
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("run-in-pty: waitpid");
			return 125;
		}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
