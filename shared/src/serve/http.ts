import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostHeaderValidation, originValidation, toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler } from '@modelcontextprotocol/server';
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

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function sendJsonError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
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

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
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
    void handle(req, res);
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
      await mcp.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
