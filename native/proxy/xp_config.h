/*
 * Compile-time configuration. A setuid program takes no paths from its
 * caller (no options, no environment): test builds override these with -D.
 */
#ifndef XP_CONFIG_H
#define XP_CONFIG_H

/* Root-owned, 0755: only root can create, replace or remove the socket in it. */
#ifndef XP_RUN_DIR
#define XP_RUN_DIR "/run/xvirt"
#endif
#define XP_SOCKET_PATH XP_RUN_DIR "/proxy.sock"
/* Held (flock) for the server's lifetime: the single-instance lock. Holds its pid. */
#define XP_LOCK_PATH XP_RUN_DIR "/proxy.lock"

/* Exit after this long without a request. */
#ifndef XP_IDLE_SECONDS
#define XP_IDLE_SECONDS 30
#endif

#ifndef XP_XENSTORE_SOCKET
#define XP_XENSTORE_SOCKETS "/run/xenstored/socket", "/var/run/xenstored/socket"
#else
#define XP_XENSTORE_SOCKETS XP_XENSTORE_SOCKET
#endif
#ifndef XP_XENBUS_DEVICE
#define XP_XENBUS_DEVICE "/dev/xen/xenbus"
#endif

/* The unprivileged account the server runs as once its handles are open. */
#ifndef XP_RUN_AS_USER
#define XP_RUN_AS_USER "nobody"
#endif

#define XP_MAX_CLIENTS 128
#define XP_MAX_CLIENTS_PER_UID 32

#endif
