/**
 * Plugs the secure transports into the transport registry (unix and tcp live
 * in registry.ts). Imported once by the remote driver.
 */
import { hostPortEndpoint, registerTransport } from './registry';
import { connectSsh } from './ssh';
import { connectTls, DEFAULT_TLS_PORT } from './tls';

registerTransport('tls', async ({ uri, signal }) => {
  const stream = await connectTls(uri, signal ? { signal } : {});
  const host = uri.host ?? 'localhost';
  const endpoint = hostPortEndpoint(host, uri.port ?? DEFAULT_TLS_PORT);
  return { stream, endpoint, secure: true };
});

registerTransport('ssh', async ({ uri, readonly, signal }) => {
  signal?.throwIfAborted();
  const { stream, endpoint } = connectSsh(uri, readonly);
  // libvirt counts an ssh tunnel as secure: the channel is encrypted and authenticated by ssh.
  return { stream, endpoint, secure: true };
});
