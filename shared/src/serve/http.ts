import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NodeStreamableHTTPServerTransport, hostHeaderValidation, originValidation, toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, isInitializeRequest } from '@modelcontextprotocol/server';
import type { McpServerFactory } from '@modelcontextprotocol/server';
import type { Logger } from '../log/index.js';
import { isLoopbackHost } from './flags.js';
import type { TransportConfig } from './flags.js';

/** A running HTTP endpoint. */
export interface HttpEndpoint {
  /** The URL of the MCP endpoint, e.g. http://127.0.0.1:3000/mcp. */
  url: string;
  close(): Promise<void>;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_SESSIONS = 128;
const SESSION_IDLE_MS = 30 * 60 * 1000;

interface LegacySession {
  transport: NodeStreamableHTTPServerTransport;
  lastSeen: number;
}

class BodyTooLargeError extends Error {}

function readJsonBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.off('data', onData);
        req.pause();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('error', reject);
    req.once('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        // Let the SDK answer malformed JSON with its own parse error.
        resolve(undefined);
      }
    });
  });
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function sendJsonError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}


/**
 * Answers GET /healthz for load balancers' and orchestrators' probes. Before the Host and token checks: a
 * kubelet probes the pod's IP with no token, and the reply says nothing about the server but that it serves.
 */
function answerHealthCheck(req: IncomingMessage, res: ServerResponse): boolean {
  if ((req.url ?? '/').split('?')[0] !== '/healthz') return false;
  const ok = req.method === 'GET' || req.method === 'HEAD';
  res.writeHead(ok ? 200 : 405, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...(ok ? {} : { allow: 'GET, HEAD' }) });
  res.end(ok && req.method === 'GET' ? 'ok\n' : undefined);
  return true;
}

/**
 * Serves Streamable HTTP at /mcp for both protocol eras: 2026-07-28 requests go to per-request instances,
 * 2025-era requests to the SDK's stateless legacy serving. In front: Host and Origin validation (DNS
 * rebinding), and a bearer token when one is configured.
 */
export async function startHttpEndpoint(
  factory: McpServerFactory,
  config: Extract<TransportConfig, { kind: 'http' }>,
  log: Logger,
): Promise<HttpEndpoint> {
  const names = [...LOOPBACK_NAMES, ...config.allowedHosts];
  if (!isLoopbackHost(config.host) && config.host !== '0.0.0.0' && config.host !== '::') names.push(config.host);
  const validateHost = hostHeaderValidation(names);
  const validateOrigin = originValidation(names);
  const expectedToken = config.authToken === undefined ? undefined : digest(config.authToken);

  const mcp = createMcpHandler(factory, { onerror: (error) => log.debug('http request rejected', { error: error.message }) });
  const handle = toNodeHandler(mcp, { onerror: (error) => log.error('http handler failed', { error }) });

  // 2025-era clients that open with initialize get a real session (Mcp-Session-Id), so that log notifications,
  // progress and server-to-client requests work as over stdio. 2026-07-28 traffic, and 2025-era requests that
  // carry no session, go to the SDK's per-request handler.
  const sessions = new Map<string, LegacySession>();
  const sweep = setInterval(() => {
    const cutoff = Date.now() - SESSION_IDLE_MS;
    for (const [id, session] of sessions) {
      if (session.lastSeen < cutoff) {
        sessions.delete(id);
        void session.transport.close();
      }
    }
  }, 60_000);
  sweep.unref();

  const openSession = async (req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> => {
    if (sessions.size >= MAX_SESSIONS) {
      // Clients often never DELETE their session. Rather than refuse newcomers, end the least recently used
      // session: its client gets 404 on its next request, which the protocol answers with a new initialize.
      const [oldestId, oldest] = sessions.entries().next().value as [string, LegacySession];
      sessions.delete(oldestId);
      log.info('closed the least recently used HTTP session to make room', { sessions: MAX_SESSIONS });
      void oldest.transport.close();
    }
    const transport: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, lastSeen: Date.now() });
        log.debug('http session opened', { sessions: sessions.size });
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
        log.debug('http session closed', { sessions: sessions.size });
      },
    });
    // No requestInfo: the factory reads that as a long-lived session (logs forwarded, roots may be asked).
    const server = await factory({ era: 'legacy' });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId);
      if (!session) {
        sendJsonError(res, 404, 'Session not found; start a new session with initialize.');
        return;
      }
      session.lastSeen = Date.now();
      // Re-inserting keeps the map in least-recently-used order for eviction.
      sessions.delete(sessionId);
      sessions.set(sessionId, session);
      await session.transport.handleRequest(req, res);
      return;
    }
    if (req.method !== 'POST') {
      await handle(req, res);
      return;
    }
    let body: unknown;
    try {
      body = await readJsonBody(req);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        // The rest of the body is never read: close the connection so it cannot be reused mid-body.
        res.once('finish', () => req.socket.destroy());
        sendJsonError(res, 413, `Request body too large: the limit is ${MAX_BODY_BYTES} bytes.`, { connection: 'close' });
        return;
      }
      throw error;
    }
    if (isInitializeRequest(body)) await openSession(req, res, body);
    else await handle(req, res, body);
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (answerHealthCheck(req, res)) return;
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/mcp') {
      sendJsonError(res, 404, 'Not found: the MCP endpoint is /mcp.');
      return;
    }
    if (!validateHost(req, res) || !validateOrigin(req, res)) return;
    if (expectedToken) {
      const header = req.headers.authorization ?? '';
      const match = /^Bearer\s+(.+)$/i.exec(header);
      // Compare digests so the comparison takes the same time whatever the length of the guess.
      if (!match || !timingSafeEqual(digest(match[1]!.trim()), expectedToken)) {
        sendJsonError(res, 401, 'Unauthorized: send "Authorization: Bearer <token>".', { 'www-authenticate': 'Bearer' });
        return;
      }
    }
    route(req, res).catch((error: unknown) => {
      log.error('http request failed', { error });
      if (!res.headersSent) sendJsonError(res, 500, 'Internal server error.');
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostForUrl}:${address.port}/mcp`,
    close: async () => {
      clearInterval(sweep);
      await Promise.all([...sessions.values()].map((session) => session.transport.close()));
      sessions.clear();
      await mcp.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
