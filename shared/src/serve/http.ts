import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  NodeStreamableHTTPServerTransport,
  hostHeaderValidation,
  originValidation,
  toNodeHandler,
} from '@modelcontextprotocol/node';
import { createMcpHandler, isInitializeRequest, isJsonContentType } from '@modelcontextprotocol/server';
import type { McpServerFactory } from '@modelcontextprotocol/server';
import type { Logger } from '../log/index.js';
import { isLoopbackHost } from './flags.js';
import { RETRY_AFTER_SECONDS, SessionTable } from './http-sessions.js';
import type { TransportConfig } from './flags.js';

/** A running HTTP endpoint. */
export interface HttpEndpoint {
  /** The URL of the MCP endpoint, e.g. http://127.0.0.1:3000/mcp. */
  url: string;
  close: () => Promise<void>;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
/** Largest request body accepted, in bytes; a larger one gets 413 before anything is parsed. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
const SESSION_IDLE_MS = 30 * 60 * 1000;
const KEEP_ALIVE_MS = 30_000;

class BodyTooLargeError extends Error {}

type JsonBody = { ok: true; value: unknown } | { ok: false };

function readJsonBody(req: IncomingMessage): Promise<JsonBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
      reject(new BodyTooLargeError());
      return;
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.off('data', onData);
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('error', reject);
    req.once('end', () => {
      try {
        resolve({ ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      } catch {
        resolve({ ok: false });
      }
    });
  });
}

/**
 * A cheap look at the method before the SDK's schema check: isInitializeRequest parses the whole body with zod,
 * and every 2026-07-28 request (none of which is an initialize) would pay for it.
 */
function namesInitialize(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { method?: unknown }).method === 'initialize';
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function sendJsonError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
  code = -32000,
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

/**
 * Answers GET /healthz for load balancers' and orchestrators' probes. Before the Host and token checks: a
 * kubelet probes the pod's IP with no token, and the reply says nothing about the server but that it serves.
 */
function answerHealthCheck(req: IncomingMessage, res: ServerResponse): boolean {
  if ((req.url ?? '/').split('?')[0] !== '/healthz') return false;
  const ok = req.method === 'GET' || req.method === 'HEAD';
  res.writeHead(ok ? 200 : 405, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    ...(ok ? {} : { allow: 'GET, HEAD' }),
  });
  res.end(ok && req.method === 'GET' ? 'ok\n' : undefined);
  return true;
}

/**
 * Serves Streamable HTTP at /mcp for both protocol eras: 2026-07-28 requests go to per-request instances,
 * 2025-era clients that initialize get a session (up to `maxSessions`; past it 503 + Retry-After), other
 * 2025-era requests the SDK's stateless legacy serving. In front: Host and Origin validation (DNS rebinding),
 * a bearer token when one is configured, a body limit (413) and a request timeout for slow senders (408).
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

  const mcp = createMcpHandler(factory, {
    maxRequestBodySize: MAX_BODY_BYTES,
    onerror: (error) => log.debug('http request rejected', { error: error.message }),
  });
  const handle = toNodeHandler(mcp, { onerror: (error) => log.error('http handler failed', { error }) });

  // 2025-era clients that open with initialize get a real session (Mcp-Session-Id), so that log notifications,
  // progress and server-to-client requests work as over stdio. 2026-07-28 traffic, and 2025-era requests that
  // carry no session, go to the SDK's per-request handler.
  const sessions = new SessionTable<NodeStreamableHTTPServerTransport>({
    maxSessions: config.maxSessions,
    idleMs: SESSION_IDLE_MS,
    log,
  });

  const openSession = async (req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> => {
    const release = sessions.admit();
    if (!release) {
      // Never end a live session for a newcomer: its client would lose its state mid-work.
      sendJsonError(
        res,
        503,
        `The server is serving its maximum of ${config.maxSessions} sessions; retry in ${RETRY_AFTER_SECONDS} seconds.`,
        {
          'retry-after': String(RETRY_AFTER_SECONDS),
        },
      );
      return;
    }
    const transport: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        sessions.add(id, transport);
        release();
        log.debug('http session opened', { sessions: sessions.size });
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
        log.debug('http session closed', { sessions: sessions.size });
      },
    });
    try {
      // No requestInfo: the factory reads that as a long-lived session (logs forwarded, roots may be asked).
      const server = await factory({ era: 'legacy' });
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId);
      };
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    } finally {
      // A refused or failed initialize never registers: give its place back.
      release();
    }
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const sessionId = req.headers['mcp-session-id'];
    const session = typeof sessionId === 'string' ? sessions.touch(sessionId) : undefined;
    if (typeof sessionId === 'string' && !session) {
      sendJsonError(res, 404, 'Session not found; start a new session with initialize.');
      return;
    }
    if (req.method !== 'POST' || !isJsonContentType(req.headers['content-type'] ?? null)) {
      // GET streams, DELETE, and bodies the SDK refuses with 415: nothing to read here.
      await (session ? session.handleRequest(req, res) : handle(req, res));
      return;
    }
    let body: Awaited<ReturnType<typeof readJsonBody>>;
    try {
      body = await readJsonBody(req);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        // Discard the rest (bounded by the request timeout) rather than close mid-body: a client still
        // writing would see a reset instead of this answer.
        req.resume();
        sendJsonError(
          res,
          413,
          `Request body too large: the limit is ${MAX_BODY_BYTES} bytes; send large content in parts.`,
        );
        return;
      }
      throw error;
    }
    if (!body.ok) {
      sendJsonError(res, 400, 'Parse error: the request body is not valid JSON.', {}, -32700);
      return;
    }
    if (session) await session.handleRequest(req, res, body.value);
    else if (namesInitialize(body.value) && isInitializeRequest(body.value)) await openSession(req, res, body.value);
    else await handle(req, res, body.value);
  };

  const server: Server = createServer(
    {
      // A client that trickles its request in is cut off (408) after requestTimeout instead of holding a
      // socket and a parser forever; Node checks on this interval, so keep it well under the timeout.
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, Math.floor(config.requestTimeoutMs / 2)),
      // Clients close an idle connection a moment before the server's advertised keep-alive timeout; on a
      // busy client that moment comes late, and a request sent on a socket the server just closed fails
      // ("other side closed"). Node's 5 s made that common with hundreds of clients; idle sockets stay cheap.
      keepAliveTimeout: KEEP_ALIVE_MS,
    },
    (req: IncomingMessage, res: ServerResponse) => {
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
          sendJsonError(res, 401, 'Unauthorized: send "Authorization: Bearer <token>".', {
            'www-authenticate': 'Bearer',
          });
          return;
        }
      }
      route(req, res).catch((error: unknown) => {
        log.error('http request failed', { error });
        if (!res.headersSent) sendJsonError(res, 500, 'Internal server error.');
      });
    },
  );

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
      await sessions.closeAll();
      await mcp.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
