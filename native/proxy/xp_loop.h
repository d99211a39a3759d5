/* The single-threaded poll loop: accepts clients, answers requests in order, exits when idle. */
#ifndef XP_LOOP_H
#define XP_LOOP_H

#include "xp_serve.h"

/* Serves `listen_fd` until XP_IDLE_SECONDS pass without a request, or xenstore breaks; then closes it. */
void xp_serve_loop(int listen_fd, struct xp_server *server);

#endif
