import { type Server } from 'node:http';

/** Listens and resolves the bound port (so port 0 can be used). */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Stops accepting, drops idle keep-alive sockets and waits for in-flight requests' sockets to close. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeIdleConnections();
    // Requests still running (a long MME call) are cut after a grace period rather than holding close().
    setTimeout(() => server.closeAllConnections(), 2_000).unref();
  });
}
