import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CallToolResult, Client } from '@modelcontextprotocol/client';

/** What a host page shows: one view, the call it renders, and the client the view's tool calls go through. */
export interface AppHostOptions {
  client: Client;
  /** The tool whose result the view renders; its `_meta.ui.resourceUri` names the view. */
  tool: string;
  arguments: Record<string, unknown>;
  theme?: 'light' | 'dark';
  /** The iframe's size in CSS pixels. */
  width?: number;
  height?: number;
}

/** A view running in headless Chromium inside a host page that speaks the ext-apps host bridge. */
export interface AppHost {
  /** The puppeteer Frame of the view (typed loosely: puppeteer-core is a test-only dependency). */
  frame: AppFrame;
  /** The tool result the host handed the view. */
  result: CallToolResult;
  /** Every tools/call the view made through the bridge, in order. */
  calls: Array<{ name: string; arguments?: Record<string, unknown> }>;
  /** Every URL the page requested besides the host page itself (a view must fetch nothing). */
  requests: string[];
  screenshot(path: string): Promise<void>;
  close(): Promise<void>;
}

/** The few puppeteer Frame/ElementHandle methods the tests use. */
export interface AppFrame {
  waitForSelector(selector: string, options?: { timeout?: number }): Promise<unknown>;
  waitForFunction(fn: string, options?: { timeout?: number }): Promise<unknown>;
  click(selector: string): Promise<void>;
  evaluate<T>(fn: string): Promise<T>;
  $$eval<T>(selector: string, fn: (elements: never[]) => T): Promise<T>;
  focus(selector: string): Promise<void>;
}

const CHROMIUM = '/usr/bin/chromium';

let bridgeScript: Promise<string> | undefined;
/** The host side of the bridge, bundled once per process from ext-apps' app-bridge. */
function hostScript(): Promise<string> {
  bridgeScript ??= import('esbuild').then(async ({ build }) => {
    const result = await build({
      stdin: {
        contents: HOST_SOURCE,
        resolveDir: dirname(fileURLToPath(import.meta.url)),
        loader: 'js',
      },
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      logLevel: 'error',
    });
    return result.outputFiles[0]!.text;
  });
  return bridgeScript;
}

// The host page's script: an AppBridge with no MCP client of its own; tools/call from the view goes to the
// test process (window.portico.callTool, exposed by puppeteer), which relays it to the real server.
const HOST_SOURCE = `
import { AppBridge, PostMessageTransport } from '@modelcontextprotocol/ext-apps/app-bridge';
window.startView = async ({ html, input, result, theme, width, height }) => {
  const iframe = document.createElement('iframe');
  iframe.setAttribute('sandbox', 'allow-scripts');
  iframe.setAttribute('title', 'view');
  iframe.style.cssText = 'border:0;width:' + width + 'px;height:' + height + 'px';
  document.body.append(iframe);
  const dark = theme === 'dark';
  const bridge = new AppBridge(null, { name: 'portico-test-host', version: '1.0.0' }, { serverTools: {}, logging: {} }, {
    hostContext: {
      theme,
      displayMode: 'inline',
      styles: { variables: {
        '--color-background-primary': dark ? '#16181d' : '#ffffff',
        '--color-background-secondary': dark ? '#23262e' : '#f3f4f6',
        '--color-text-primary': dark ? '#e8e8ea' : '#111827',
        '--color-text-secondary': dark ? '#9ca3af' : '#6b7280',
        '--color-border-primary': dark ? '#353a45' : '#d1d5db',
        '--font-sans': 'system-ui, sans-serif',
        '--font-mono': 'ui-monospace, monospace',
      } },
    },
  });
  bridge.oncalltool = (params) => window.porticoCallTool(JSON.stringify(params)).then((text) => JSON.parse(text));
  const initialized = new Promise((resolve) => { bridge.oninitialized = resolve; });
  await bridge.connect(new PostMessageTransport(iframe.contentWindow, iframe.contentWindow));
  iframe.srcdoc = html;
  await initialized;
  await bridge.sendToolInput({ arguments: input });
  await bridge.sendToolResult(result);
};
`;

/**
 * Loads a tool's view in real headless Chromium: a host page on 127.0.0.1 embeds the view's HTML (read from
 * the server as its ui:// resource) in a sandboxed iframe, hands it the call's input and result through the
 * ext-apps AppBridge, and relays the view's tool calls to `client`.
 */
export async function openAppHost(options: AppHostOptions): Promise<AppHost> {
  const { client } = options;
  const listed = await client.listTools();
  const tool = listed.tools.find((candidate) => candidate.name === options.tool);
  const uri = (tool?._meta?.ui as { resourceUri?: string } | undefined)?.resourceUri;
  if (uri === undefined) throw new Error(`${options.tool} declares no _meta.ui.resourceUri`);
  const resource = await client.readResource({ uri });
  const content = resource.contents[0] as { text?: string } | undefined;
  if (content?.text === undefined) throw new Error(`${uri} has no text`);
  const result = await client.callTool({ name: options.tool, arguments: options.arguments });
  const script = await hostScript();

  const page = `<!doctype html><html><head><meta charset="utf-8"><title>host</title><link rel="icon" href="data:,"></head><body style="margin:0"><script>${script.replaceAll('</script', '<\\/script')}</script></body></html>`;
  const http = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(page);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;

  const profile = await mkdtemp(join(tmpdir(), 'portico-app-host-'));
  // puppeteer-core is a test-only dependency, loaded here rather than at import time.
  const puppeteer = (await import('puppeteer-core')).default;
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    pipe: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const width = options.width ?? 960;
  const height = options.height ?? 720;
  const tab = await browser.newPage();
  await tab.setViewport({ width, height });
  const requests: string[] = [];
  tab.on('request', (request) => {
    if (request.url() !== url) requests.push(request.url());
  });
  const calls: AppHost['calls'] = [];
  await tab.exposeFunction('porticoCallTool', async (json: string) => {
    // The view's progress token belongs to its link with the host, not to the host's link with the server.
    const { name, arguments: args } = JSON.parse(json) as { name: string; arguments?: Record<string, unknown> };
    const params = { name, ...(args !== undefined ? { arguments: args } : {}) };
    calls.push(params);
    return JSON.stringify(await client.callTool(params));
  });
  await tab.goto(url);
  await tab.evaluate((view) => (globalThis as unknown as { startView(view: unknown): Promise<void> }).startView(view), {
    html: content.text,
    input: options.arguments,
    result,
    theme: options.theme ?? 'light',
    width,
    height,
  });
  const frame = tab.frames().find((candidate) => candidate !== tab.mainFrame());
  if (!frame) throw new Error('the view frame did not load');
  return {
    frame: frame as unknown as AppFrame,
    result,
    calls,
    requests,
    screenshot: async (path) => {
      await tab.screenshot({ path: path });
    },
    close: async () => {
      await browser.close();
      await new Promise((resolve) => http.close(resolve));
      await rm(profile, { recursive: true, force: true });
    },
  };
}
