// The attack corpus of the browser's network boundary, shared by the launched- and attached-browser
// safety tests: a counting "internal" server, the page routes that reach it, and the page server.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ProxyRefusal } from '@portico-mcp/shared/net';
import type { LaunchedBrowser } from '../src/browser/launch.js';

/** A server that counts every TCP connection and request it gets, and says when a given path arrives. */
export interface CountingServer {
  readonly port: number;
  readonly host: string;
  connections: number;
  readonly paths: string[];
  /** Resolves when a request (or WebSocket upgrade) for `path` arrives. */
  hit(path: string): Promise<void>;
  /** Resolves on the next TCP connection (a TLS handshake never becomes a request here). */
  connected(): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

export async function startCounting(host: string, port = 0, body = 'the internal secret'): Promise<CountingServer> {
  const waiters = new Map<string, Array<() => void>>();
  let onConnection: Array<() => void> = [];
  const sockets = new Set<Socket>();
  const state = { connections: 0, paths: [] as string[] };
  const arrived = (path: string): void => {
    state.paths.push(path);
    for (const resolve of waiters.get(path) ?? []) resolve();
    waiters.delete(path);
  };
  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    arrived(path);
    response.setHeader('access-control-allow-origin', '*');
    if (path === '/eventsource') {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: hello\n\n');
      return;
    }
    response.end(body);
  });
  server.on('connection', (socket: Socket) => {
    state.connections += 1;
    for (const resolve of onConnection) resolve();
    onConnection = [];
    socket.on('error', () => socket.destroy());
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (request: http.IncomingMessage, socket: Socket) => {
    arrived(new URL(request.url ?? '/', 'http://x').pathname);
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    host,
    get connections() {
      return state.connections;
    },
    set connections(value: number) {
      state.connections = value;
    },
    paths: state.paths,
    hit: (path) =>
      state.paths.includes(path)
        ? Promise.resolve()
        : new Promise((resolve) => waiters.set(path, [...(waiters.get(path) ?? []), resolve])),
    connected: () => new Promise((resolve) => onConnection.push(resolve)),
    reset: () => {
      state.connections = 0;
      state.paths.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Script that sends the page to `target` by one route; `T` is the target's origin. */
export function routeScript(route: string, T: string): string {
  const scripts: Record<string, string> = {
    fetch: `fetch('${T}/fetch', { mode: 'no-cors' }).catch(() => {})`,
    xhr: `{ const x = new XMLHttpRequest(); x.open('GET', '${T}/xhr'); x.send(); }`,
    img: `new Image().src = '${T}/img'`,
    iframe: `{ const f = document.createElement('iframe'); f.src = '${T}/iframe'; document.body.append(f); }`,
    worker: `new Worker('/worker.js')`,
    'meta-refresh': `{ const f = document.createElement('iframe'); f.src = '/meta'; document.body.append(f); }`,
    'send-beacon': `navigator.sendBeacon('${T}/send-beacon', 'x')`,
    websocket: `new WebSocket('${T.replace('http:', 'ws:')}/websocket')`,
    eventsource: `new EventSource('${T}/eventsource')`,
    'form-post': `{ const f = document.createElement('form'); f.method = 'post'; f.action = '${T}/form-post'; document.body.append(f); f.submit(); }`,
    rebind: `fetch('/rebound', { cache: 'no-store' }).catch(() => {})`,
    'https-fetch': `fetch('${T.replace('http:', 'https:')}/https-fetch', { mode: 'no-cors' }).catch(() => {})`,
  };
  return scripts[route] ?? '';
}

export const ROUTES = [
  'fetch',
  'https-fetch',
  'xhr',
  'img',
  'iframe',
  'worker',
  'meta-refresh',
  'send-beacon',
  'websocket',
  'eventsource',
  'form-post',
];

// Routes that Chromium tunnels with CONNECT: the proxy sees host:port, and an https: request never becomes
// an HTTP request on the plain target, only a connection carrying a TLS handshake.
export const TUNNELLED = new Set(['websocket', 'https-fetch']);

/** The allowed site: `/route/<name>` pages, a worker, a meta refresh, a redirect into `internal()`, a data: frame. */
export function pageServer(internal: () => string): http.Server {
  return http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const T = internal();
    if (url.pathname === '/worker.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      return response.end(`fetch('${T}/worker', { mode: 'no-cors' }).catch(() => {})`);
    }
    if (url.pathname === '/meta') {
      response.writeHead(200, { 'content-type': 'text/html' });
      return response.end(`<meta http-equiv="refresh" content="0;url=${T}/meta-refresh">`);
    }
    if (url.pathname === '/redirect') {
      response.writeHead(302, { location: `${T}/redirect` });
      return response.end();
    }
    if (url.pathname === '/cookie') {
      response.writeHead(200, { 'content-type': 'text/html' });
      return response.end(`<title>${request.headers.cookie ?? 'no cookie'}</title>`);
    }
    if (url.pathname === '/data-frame') {
      response.writeHead(200, { 'content-type': 'text/html' });
      return response.end('<p>outer</p><iframe src="data:text/html,<p>inside a data frame</p>"></iframe>');
    }
    const route = url.pathname.slice('/route/'.length);
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(`<!doctype html><title>${route}</title><body><script>${routeScript(route, T)}</script></body>`);
  });
}

// The path a route's request arrives on (the worker's fetch is its own path).
export const arrivesOn = (route: string): string => (route === 'worker' ? '/worker' : `/${route}`);

/** Resolves with the first refusal that `matches`, from the launched browser's proxy. */
export function refusal(launched: LaunchedBrowser, matches: (refusal: ProxyRefusal) => boolean): Promise<ProxyRefusal> {
  return new Promise((resolve) => {
    const stop = launched.network!.onRefusal((seen) => {
      if (!matches(seen)) return;
      stop();
      resolve(seen);
    });
  });
}
