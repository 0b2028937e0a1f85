import { ConfigError } from '@portico-mcp/shared/errors';
import type { ConfigInput, FlagSpec } from '@portico-mcp/shared/serve';

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
    description: "User-Agent for every request (default: the reference server's ModelContextProtocol/1.0 agents).",
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
    type: 'list',
    placeholder: 'hosts',
    description: 'Hosts, *.domains, IPs or CIDRs that may be fetched even if private or loopback (comma list).',
    env: 'PORTICO_FETCH_ALLOW_HOSTS',
  },
  'deny-hosts': {
    type: 'list',
    placeholder: 'hosts',
    description: 'Hosts, *.domains, IPs or CIDRs that are never fetched (comma list; wins over --allow-hosts).',
    env: 'PORTICO_FETCH_DENY_HOSTS',
  },
  timeout: {
    type: 'duration',
    unit: 's',
    min: 100,
    max: 600_000,
    default: 30_000,
    placeholder: 'seconds',
    description:
      'Whole-call time limit (download and conversion) and ceiling of the per-call timeout_seconds (default 30).',
    env: 'PORTICO_FETCH_TIMEOUT',
  },
  'connect-timeout': {
    type: 'duration',
    unit: 's',
    min: 100,
    max: 600_000,
    default: 10_000,
    placeholder: 'seconds',
    description: 'Time limit for opening a connection, DNS included (default 10).',
    env: 'PORTICO_FETCH_CONNECT_TIMEOUT',
  },
  'max-download-bytes': {
    type: 'size',
    min: 1_000,
    max: 2_000_000_000,
    default: 20_000_000,
    placeholder: 'n',
    description: 'Largest response body read, after decompression (default 20000000).',
    env: 'PORTICO_FETCH_MAX_DOWNLOAD_BYTES',
  },
  'max-decompressed-bytes': {
    type: 'size',
    min: 1_000_000,
    max: 4_000_000_000,
    default: 256_000_000,
    placeholder: 'n',
    description: "Most bytes a PDF's compressed streams may expand to when decoded (default 256000000).",
    env: 'PORTICO_FETCH_MAX_DECOMPRESSED_BYTES',
  },
  'max-conversion-memory': {
    type: 'integer',
    min: 64,
    max: 16_384,
    default: 1024,
    placeholder: 'MB',
    description: 'Memory limit of the thread that converts one page, in MB (default 1024).',
    env: 'PORTICO_FETCH_MAX_CONVERSION_MEMORY',
  },
  'max-redirects': {
    type: 'integer',
    min: 0,
    max: 50,
    default: 10,
    placeholder: 'n',
    description: 'Redirects followed per request, each re-checked against the policy (default 10).',
    env: 'PORTICO_FETCH_MAX_REDIRECTS',
  },
  'cache-ttl': {
    type: 'duration',
    unit: 's',
    min: 0,
    max: 86_400_000,
    default: 300_000,
    placeholder: 'seconds',
    description: 'How long converted pages and robots.txt verdicts are reused (default 300; 0 disables).',
    env: 'PORTICO_FETCH_CACHE_TTL',
  },
  'cache-max-bytes': {
    type: 'size',
    min: 0,
    max: 4_000_000_000,
    default: 64_000_000,
    placeholder: 'n',
    description: 'Memory bound of the converted-page cache (default 64000000).',
    env: 'PORTICO_FETCH_CACHE_MAX_BYTES',
  },
} as const satisfies Record<string, FlagSpec>;

/** Builds the typed config from the kernel-parsed flags; throws ConfigError with one sentence on bad input. */
export function parseFetchConfig({
  values,
  positionals,
}: Pick<ConfigInput<typeof FETCH_FLAGS>, 'values' | 'positionals'>): FetchConfig {
  if (positionals.length > 0) {
    throw new ConfigError(`Unexpected argument "${positionals[0]}"; this server takes only flags (run with --help).`);
  }
  const userAgent = values['user-agent'];
  if (userAgent !== undefined && (userAgent.trim() === '' || /[\r\n]/.test(userAgent))) {
    throw new ConfigError('--user-agent must be a non-empty single line of text.');
  }
  const proxyRaw = values['proxy-url'];
  return {
    autonomousUserAgent: userAgent ?? DEFAULT_USER_AGENT_AUTONOMOUS,
    manualUserAgent: userAgent ?? DEFAULT_USER_AGENT_MANUAL,
    ignoreRobotsTxt: values['ignore-robots-txt'] === true,
    ...(proxyRaw !== undefined ? { proxyUrl: parseProxyUrl(proxyRaw) } : {}),
    allowHosts: hostItems(values['allow-hosts']),
    denyHosts: hostItems(values['deny-hosts']),
    timeoutMs: values.timeout,
    connectTimeoutMs: values['connect-timeout'],
    maxDownloadBytes: values['max-download-bytes'],
    maxDecompressedBytes: values['max-decompressed-bytes'],
    maxConversionMemoryMb: values['max-conversion-memory'],
    maxRedirects: values['max-redirects'],
    cacheTtlMs: values['cache-ttl'],
    cacheMaxBytes: values['cache-max-bytes'],
  };
}

// Host lists have always accepted white space between names as well as commas ("a.example b.example").
function hostItems(items: readonly string[] | undefined): string[] {
  return (items ?? []).flatMap((item) => item.split(/\s+/)).filter((item) => item !== '');
}

function parseProxyUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`--proxy-url "${raw}" is not a URL; give one such as http://proxy.internal:3128.`);
  }
  if (url.protocol !== 'http:') {
    throw new ConfigError(
      `--proxy-url must be an http:// proxy URL (HTTPS targets are tunnelled with CONNECT), not ${url.protocol}.`,
    );
  }
  return url;
}
