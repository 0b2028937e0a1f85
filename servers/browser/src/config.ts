import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@portico-mcp/shared/errors';
import type { ConfigInput, FlagSpec } from '@portico-mcp/shared/serve';

/** The opt-in capabilities (`--caps`): each adds tools that widen what a page or a caller can do. */
export const CAPS = ['evaluate', 'network', 'upload', 'pdf'] as const;
export type Cap = (typeof CAPS)[number];

/** The browser server's own flags (the common ones come from the kernel). Typed kinds are parsed by the kernel. */
export const BROWSER_FLAGS = {
  'executable-path': {
    type: 'string',
    placeholder: 'path',
    description: 'Chromium or Chrome to run (default: the usual system locations).',
    env: 'PUPPETEER_EXECUTABLE_PATH',
  },
  headed: {
    type: 'boolean',
    description: 'Show the browser window (default headless).',
    env: 'PORTICO_BROWSER_HEADED',
  },
  'user-data-dir': {
    type: 'string',
    placeholder: 'dir',
    description: 'Browser profile to use (default a fresh temporary one; a locked one falls back to temporary).',
    env: 'PORTICO_BROWSER_USER_DATA_DIR',
  },
  'storage-state': {
    type: 'string',
    placeholder: 'file',
    description: 'Load cookies and localStorage from this JSON file (as browser_save_state writes it).',
    env: 'PORTICO_BROWSER_STORAGE_STATE',
  },
  'cdp-endpoint': {
    type: 'string',
    placeholder: 'url',
    description: 'Attach to a running browser (ws:// or http:// DevTools URL) instead of launching one.',
    env: 'PORTICO_BROWSER_CDP_ENDPOINT',
  },
  'cdp-cookies': {
    type: 'string',
    placeholder: 'mode',
    description:
      "copy (default) or none: whether the attached browser's cookies are copied into the context this server works in.",
    env: 'PORTICO_BROWSER_CDP_COOKIES',
  },
  'allow-hosts': {
    type: 'list',
    placeholder: 'hosts',
    description: 'Hosts, *.domains, IPs or CIDRs the browser may reach even if private or loopback (comma list).',
    env: 'PORTICO_BROWSER_ALLOW_HOSTS',
  },
  'deny-hosts': {
    type: 'list',
    placeholder: 'hosts',
    description: 'Hosts, *.domains, IPs or CIDRs never reached (comma list; wins over --allow-hosts).',
    env: 'PORTICO_BROWSER_DENY_HOSTS',
  },
  'allow-dir': {
    type: 'list',
    placeholder: 'dirs',
    description: 'Directories for uploads, saved state and downloads (comma list, repeatable).',
    env: 'PORTICO_BROWSER_ALLOW_DIR',
  },
  'output-dir': {
    type: 'string',
    placeholder: 'dir',
    description: 'Where downloads and PDFs are saved (default a temporary directory).',
    env: 'PORTICO_BROWSER_OUTPUT_DIR',
  },
  dialogs: {
    type: 'string',
    placeholder: 'policy',
    description: 'accept or dismiss alert/confirm/prompt dialogs (default dismiss).',
    env: 'PORTICO_BROWSER_DIALOGS',
  },
  caps: {
    type: 'list',
    placeholder: 'caps',
    description: `Opt-in capabilities: ${CAPS.join(', ')} (comma list, or all).`,
    env: 'PORTICO_BROWSER_CAPS',
  },
  viewport: {
    type: 'string',
    placeholder: 'WxH',
    description: 'Viewport size of new tabs (default 1280x720).',
    env: 'PORTICO_BROWSER_VIEWPORT',
  },
  'navigation-timeout': {
    type: 'duration',
    unit: 's',
    min: 1_000,
    max: 600_000,
    default: 30_000,
    placeholder: 'time',
    description: 'Longest wait for a page to load (default 30s).',
    env: 'PORTICO_BROWSER_NAVIGATION_TIMEOUT',
  },
} as const satisfies Record<string, FlagSpec>;

/** The browser server's typed configuration, parsed once at startup. */
export interface BrowserConfig {
  executablePath?: string;
  headless: boolean;
  userDataDir?: string;
  storageState?: string;
  cdpEndpoint?: string;
  /** Whether an attached browser's cookies (its logins) are copied into the server's own context of it. */
  cdpCookies: 'copy' | 'none';
  allowHosts: string[];
  denyHosts: string[];
  allowDirs: string[];
  /** Downloads and PDFs; inside the allowed directories (a temporary one is added when not given). */
  outputDir: string;
  /** The output directory was made for this run (and is removed at exit). */
  outputDirIsTemporary: boolean;
  dialogs: 'accept' | 'dismiss';
  caps: ReadonlySet<Cap>;
  viewport: { width: number; height: number };
  navigationTimeoutMs: number;
  /** Chromium's sandbox cannot start as root; the launcher then adds --no-sandbox (and logs it). */
  runningAsRoot: boolean;
  /** Whether each connection gets its own browser context (HTTP serves many clients). */
  contextPerConnection: boolean;
  /** The environment the browser process gets (HOME, DISPLAY…), read here so nothing deeper reads process.env. */
  browserEnv: Record<string, string | undefined>;
}

/** Builds the configuration; throws ConfigError with one sentence on bad input. */
export function parseBrowserConfig({
  values,
  positionals,
  env,
  common,
}: ConfigInput<typeof BROWSER_FLAGS>): BrowserConfig {
  if (positionals.length > 0)
    throw new ConfigError(`Unexpected argument "${positionals[0]}"; this server takes only flags (run with --help).`);
  const dialogs = values.dialogs ?? 'dismiss';
  if (dialogs !== 'accept' && dialogs !== 'dismiss')
    throw new ConfigError(`--dialogs must be accept or dismiss, not "${dialogs}".`);
  const caps = new Set<Cap>();
  for (const cap of values.caps ?? []) {
    if (cap === 'all') for (const each of CAPS) caps.add(each);
    else if ((CAPS as readonly string[]).includes(cap)) caps.add(cap as Cap);
    else throw new ConfigError(`--caps: unknown capability "${cap}"; use ${CAPS.join(', ')} or all.`);
  }
  const viewport = parseViewport(values.viewport ?? '1280x720');
  const allowDirs = [...(values['allow-dir'] ?? [])];
  let outputDir = values['output-dir'];
  if (outputDir === undefined) {
    // A fresh directory of our own, made an allowed root so downloads pass the same checks as any file.
    outputDir = mkdtempSync(join(tmpdir(), 'portico-browser-out-'));
    allowDirs.push(outputDir);
  } else if (allowDirs.length === 0) {
    allowDirs.push(outputDir);
  }
  const cdp = values['cdp-endpoint'];
  if (cdp !== undefined && !/^(wss?|https?):\/\//i.test(cdp))
    throw new ConfigError('--cdp-endpoint must be a ws://, wss://, http:// or https:// DevTools URL.');
  const cdpCookies = values['cdp-cookies'] ?? 'copy';
  if (cdpCookies !== 'copy' && cdpCookies !== 'none')
    throw new ConfigError(`--cdp-cookies must be copy or none, not "${cdpCookies}".`);
  return {
    ...(values['executable-path'] !== undefined ? { executablePath: values['executable-path'] } : {}),
    headless: values.headed !== true,
    ...(values['user-data-dir'] !== undefined ? { userDataDir: values['user-data-dir'] } : {}),
    ...(values['storage-state'] !== undefined ? { storageState: values['storage-state'] } : {}),
    ...(cdp !== undefined ? { cdpEndpoint: cdp } : {}),
    cdpCookies,
    allowHosts: values['allow-hosts'] ?? [],
    denyHosts: values['deny-hosts'] ?? [],
    allowDirs,
    outputDir,
    outputDirIsTemporary: values['output-dir'] === undefined,
    dialogs,
    caps,
    viewport,
    navigationTimeoutMs: values['navigation-timeout'],
    runningAsRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    contextPerConnection: common.transport.kind === 'http',
    browserEnv: {
      HOME: env.HOME,
      DISPLAY: env.DISPLAY,
      WAYLAND_DISPLAY: env.WAYLAND_DISPLAY,
      XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR,
      PATH: env.PATH,
      TMPDIR: env.TMPDIR,
      LANG: env.LANG,
    },
  };
}

function parseViewport(raw: string): { width: number; height: number } {
  const match = /^(\d{2,5})x(\d{2,5})$/.exec(raw.trim());
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  if (!match || width < 200 || height < 200 || width > 4000 || height > 4000) {
    throw new ConfigError(
      `--viewport must be WIDTHxHEIGHT between 200 and 4000 pixels, such as 1280x720, not "${raw}".`,
    );
  }
  return { width, height };
}
