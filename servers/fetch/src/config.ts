import { ConfigError } from '@portico-mcp/shared/errors';
import type { FlagSpec, FlagValues } from '@portico-mcp/shared/serve';

/** The reference server's User-Agent for tool calls (the model decided to fetch). */
export const DEFAULT_USER_AGENT_AUTONOMOUS =
  'ModelContextProtocol/1.0 (Autonomous; +https://github.com/modelcontextprotocol/servers)';
/** The reference server's User-Agent for the prompt (the user asked for the page). */
export const DEFAULT_USER_AGENT_MANUAL =
  'ModelContextProtocol/1.0 (User-Specified; +https://github.com/modelcontextprotocol/servers)';

/** The fetch server's settings, parsed once from flags and environment. */
export interface FetchConfig {
  /** User-Agent of tool calls, and the one robots.txt rules are matched against. */
  autonomousUserAgent: string;
  /** User-Agent of the `fetch` prompt. */
  manualUserAgent: string;
  ignoreRobotsTxt: boolean;
  /** An HTTP proxy every request goes through (absolute-form for http:, CONNECT for https:). */
  proxyUrl?: URL;
  allowHosts: string[];
  denyHosts: string[];
  /** Whole-request limit (connect, redirects, headers and body), ms; the ceiling for per-call values. */
  timeoutMs: number;
  /** Limit for opening one connection (DNS included), ms; the ceiling for per-call values. */
  connectTimeoutMs: number;
  /** Largest response body read, in bytes after decompression. */
  maxDownloadBytes: number;
  /** Most bytes a PDF's compressed streams may expand to when decoded (decompression bombs stop there). */
  maxDecompressedBytes: number;
  /** V8 heap limit of a conversion thread, in MB. */
  maxConversionMemoryMb: number;
  maxRedirects: number;
  /** How long a converted document (and a robots.txt verdict) is reused; 0 turns the cache off. */
  cacheTtlMs: number;
  /** Upper bound of the document cache, in bytes of converted text. */
  cacheMaxBytes: number;
}

export const FETCH_FLAGS = {
  'user-agent': {
    type: 'string',
    placeholder: 'ua',
    description: 'User-Agent for every request (default: the reference server\'s ModelContextProtocol/1.0 agents).',
    env: 'PORTICO_FETCH_USER_AGENT',
  },
  'ignore-robots-txt': {
    type: 'boolean',
    description: 'Do not consult robots.txt before tool calls.',
    env: 'PORTICO_FETCH_IGNORE_ROBOTS_TXT',
  },
  'proxy-url': {
    type: 'string',
    placeholder: 'url',
    description: 'Send every request through this HTTP proxy, e.g. http://proxy.internal:3128.',
    env: 'PORTICO_FETCH_PROXY_URL',
  },
  'allow-hosts': {
    type: 'string',
    multiple: true,
    placeholder: 'hosts',
    description: 'Hosts, *.domains, IPs or CIDRs that may be fetched even if private or loopback (comma list).',
    env: 'PORTICO_FETCH_ALLOW_HOSTS',
  },
  'deny-hosts': {
    type: 'string',
    multiple: true,
    placeholder: 'hosts',
    description: 'Hosts, *.domains, IPs or CIDRs that are never fetched (comma list; wins over --allow-hosts).',
    env: 'PORTICO_FETCH_DENY_HOSTS',
  },
  timeout: {
    type: 'string',
    placeholder: 'seconds',
    description: 'Whole-call time limit (download and conversion) and ceiling of the per-call timeout_seconds (default 30).',
    env: 'PORTICO_FETCH_TIMEOUT',
  },
  'connect-timeout': {
    type: 'string',
    placeholder: 'seconds',
    description: 'Time limit for opening a connection, DNS included (default 10).',
    env: 'PORTICO_FETCH_CONNECT_TIMEOUT',
  },
  'max-download-bytes': {
    type: 'string',
    placeholder: 'n',
    description: 'Largest response body read, after decompression (default 20000000).',
    env: 'PORTICO_FETCH_MAX_DOWNLOAD_BYTES',
  },
  'max-decompressed-bytes': {
    type: 'string',
    placeholder: 'n',
    description: "Most bytes a PDF's compressed streams may expand to when decoded (default 256000000).",
    env: 'PORTICO_FETCH_MAX_DECOMPRESSED_BYTES',
  },
  'max-conversion-memory': {
    type: 'string',
    placeholder: 'MB',
    description: 'Memory limit of the thread that converts one page, in MB (default 1024).',
    env: 'PORTICO_FETCH_MAX_CONVERSION_MEMORY',
  },
  'max-redirects': {
    type: 'string',
    placeholder: 'n',
    description: 'Redirects followed per request, each re-checked against the policy (default 10).',
    env: 'PORTICO_FETCH_MAX_REDIRECTS',
  },
  'cache-ttl': {
    type: 'string',
    placeholder: 'seconds',
    description: 'How long converted pages and robots.txt verdicts are reused (default 300; 0 disables).',
    env: 'PORTICO_FETCH_CACHE_TTL',
  },
  'cache-max-bytes': {
    type: 'string',
    placeholder: 'n',
    description: 'Memory bound of the converted-page cache (default 64000000).',
    env: 'PORTICO_FETCH_CACHE_MAX_BYTES',
  },
} as const satisfies Record<string, FlagSpec>;

/** Builds the typed config from parsed flags; throws ConfigError with one sentence on bad input. */
export function parseFetchConfig({ values, positionals }: { values: FlagValues; positionals: string[] }): FetchConfig {
  if (positionals.length > 0) {
    throw new ConfigError(`Unexpected argument "${positionals[0]}"; this server takes only flags (run with --help).`);
  }
  const userAgent = stringFlag(values, 'user-agent');
  if (userAgent !== undefined && (userAgent.trim() === '' || /[\r\n]/.test(userAgent))) {
    throw new ConfigError('--user-agent must be a non-empty single line of text.');
  }
  const proxyRaw = stringFlag(values, 'proxy-url');
  return {
    autonomousUserAgent: userAgent ?? DEFAULT_USER_AGENT_AUTONOMOUS,
    manualUserAgent: userAgent ?? DEFAULT_USER_AGENT_MANUAL,
    ignoreRobotsTxt: values['ignore-robots-txt'] === true,
    ...(proxyRaw !== undefined ? { proxyUrl: parseProxyUrl(proxyRaw) } : {}),
    allowHosts: listFlag(values, 'allow-hosts'),
    denyHosts: listFlag(values, 'deny-hosts'),
    timeoutMs: secondsFlag(values, 'timeout', 30, 0.1, 600),
    connectTimeoutMs: secondsFlag(values, 'connect-timeout', 10, 0.1, 600),
    maxDownloadBytes: integerFlag(values, 'max-download-bytes', 20_000_000, 1_000, 2_000_000_000),
    maxDecompressedBytes: integerFlag(values, 'max-decompressed-bytes', 256_000_000, 1_000_000, 4_000_000_000),
    maxConversionMemoryMb: integerFlag(values, 'max-conversion-memory', 1024, 64, 16_384),
    maxRedirects: integerFlag(values, 'max-redirects', 10, 0, 50),
    cacheTtlMs: secondsFlag(values, 'cache-ttl', 300, 0, 86_400),
    cacheMaxBytes: integerFlag(values, 'cache-max-bytes', 64_000_000, 0, 4_000_000_000),
  };
}

function stringFlag(values: FlagValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function listFlag(values: FlagValues, name: string): string[] {
  const value = values[name];
  if (value === undefined || typeof value === 'boolean') return [];
  return (Array.isArray(value) ? value : [value]).flatMap((entry) => entry.split(/[\s,]+/)).filter((entry) => entry !== '');
}

function secondsFlag(values: FlagValues, name: string, fallback: number, min: number, max: number): number {
  const raw = stringFlag(values, name);
  if (raw === undefined) return Math.round(fallback * 1000);
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(`--${name} must be a number of seconds between ${min} and ${max}, not "${raw}".`);
  }
  return Math.round(value * 1000);
}

function integerFlag(values: FlagValues, name: string, fallback: number, min: number, max: number): number {
  const raw = stringFlag(values, name);
  if (raw === undefined) return fallback;
  const value = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new ConfigError(`--${name} must be a whole number between ${min} and ${max}, not "${raw}".`);
  }
  return value;
}

function parseProxyUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`--proxy-url "${raw}" is not a URL; give one such as http://proxy.internal:3128.`);
  }
  if (url.protocol !== 'http:') {
    throw new ConfigError(`--proxy-url must be an http:// proxy URL (HTTPS targets are tunnelled with CONNECT), not ${url.protocol}.`);
  }
  return url;
}
