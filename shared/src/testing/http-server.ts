import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A throwaway HTTP server on loopback. */
export interface TestHttpServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234. */
  url: string;
  port: number;
  /** Requests answered so far: proves whether a request reached the server at all. */
  readonly hits: number;
  /** Starts counting requests from zero again (between tests). */
  resetHits(): void;
  close: () => Promise<void>;
}

/** Starts an HTTP server on 127.0.0.1 (or ::1) on a free port; tests must never bind anything else. */
export async function startTestHttpServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  host: '127.0.0.1' | '::1' = '127.0.0.1',
): Promise<TestHttpServer> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits += 1;
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host === '::1' ? '[::1]' : host}:${port}`,
    port,
    get hits() {
      return hits;
    },
    resetHits: () => {
      hits = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
