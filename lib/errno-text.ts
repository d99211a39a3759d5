/**
 * The C library's strerror() text for the errno codes xvirt reports to
 * users, so a failed open or connect reads as it does in libvirt and virsh
 * ('No such file or directory', not node's 'ENOENT: no such file...').
 */
const ERRNO_TEXT: ReadonlyMap<string, string> = new Map(
  Object.entries({
    ENOENT: 'No such file or directory',
    EACCES: 'Permission denied',
    EPERM: 'Operation not permitted',
    EISDIR: 'Is a directory',
    ENOTDIR: 'Not a directory',
    ELOOP: 'Too many levels of symbolic links',
    ENXIO: 'No such device or address',
    ECONNREFUSED: 'Connection refused',
    ECONNRESET: 'Connection reset by peer',
    ETIMEDOUT: 'Connection timed out',
    EHOSTUNREACH: 'No route to host',
    ENOTSOCK: 'Socket operation on non-socket',
    EROFS: 'Read-only file system',
    ENOSPC: 'No space left on device',
    ENODEV: 'No such device',
  }),
);

/** strerror()'s text for the error's code, or node's own message for a code not in the table. */
export function errnoText(err: NodeJS.ErrnoException): string {
  return (err.code !== undefined && ERRNO_TEXT.get(err.code)) || err.message;
}
