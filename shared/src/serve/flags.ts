import { parseArgs } from 'node:util';
import { ConfigError } from '../errors/index.js';
import { isLogLevel, LOG_LEVELS } from '../log/index.js';
import type { LogLevel } from '../log/index.js';
import { MIN_STATE_KEY_LENGTH } from './state.js';
import { DEFAULT_MAX_OUTPUT_BYTES, MAX_MAX_OUTPUT_BYTES, MIN_MAX_OUTPUT_BYTES } from '../output/index.js';

interface FlagBase {
  short?: string;
  /** One line for --help. */
  description: string;
  /** Placeholder shown in --help for a valued flag: `--port <port>`. */
  placeholder?: string;
  /** Environment variable read when the flag is absent. */
  env?: string;
}

/**
 * One command-line flag: its type, help text and the environment variable that may set it instead. Typed
 * flags are parsed by the kernel: `integer` and `size` (bytes; "5MB", "64KiB" or a plain number) become
 * numbers, `duration` becomes milliseconds ("30s", "500ms", "2m", or a plain number in `unit`), `list` becomes
 * the items of a comma list (repeatable). Values outside min–max are a ConfigError that names the range.
 */
export type FlagSpec =
  | (FlagBase & { type: 'boolean' })
  | (FlagBase & { type: 'string'; multiple?: boolean })
  | (FlagBase & { type: 'list' })
  | (FlagBase & { type: 'integer' | 'size'; min: number; max: number; default?: number })
  | (FlagBase & { type: 'duration'; unit: 'ms' | 's'; min: number; max: number; default?: number });

/** The parsed value type of one flag spec. */
export type FlagValue<S extends FlagSpec> = S extends { type: 'boolean' }
  ? boolean
  : S extends { type: 'integer' | 'size' | 'duration' }
    ? number
    : S extends { type: 'list' }
      ? string[]
      : S extends { multiple: true }
        ? string[]
        : string;

/** Parsed values of a set of flag specs; flags with a default are always present. */
export type TypedFlagValues<F extends Readonly<Record<string, FlagSpec>>> = {
  [K in keyof F]: F[K] extends { default: number } ? FlagValue<F[K]> : FlagValue<F[K]> | undefined;
};

/** Sessions a 2025-era HTTP endpoint holds at once unless --max-sessions says otherwise. */
export const DEFAULT_MAX_SESSIONS = 1_000;
/** How long an HTTP client may take to send one request unless --request-timeout says otherwise. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The flags every Portico server understands. */
export const COMMON_FLAGS = {
  http: { type: 'boolean', description: 'Serve Streamable HTTP at /mcp instead of stdio.' },
  port: {
    type: 'integer',
    min: 0,
    max: 65_535,
    default: 3000,
    placeholder: 'port',
    description: 'HTTP port (default 3000; 0 picks a free one).',
    env: 'PORTICO_PORT',
  },
  host: {
    type: 'string',
    placeholder: 'addr',
    description: 'HTTP bind address (default 127.0.0.1).',
    env: 'PORTICO_HOST',
  },
  'allowed-hosts': {
    type: 'list',
    placeholder: 'names',
    description: 'Extra Host/Origin names the HTTP endpoint accepts besides localhost (comma list).',
    env: 'PORTICO_ALLOWED_HOSTS',
  },
  'auth-token': {
    type: 'string',
    placeholder: 'token',
    description: 'Require "Authorization: Bearer <token>" on HTTP (prefer the env var: flags show in ps).',
    env: 'PORTICO_AUTH_TOKEN',
  },
  'max-sessions': {
    type: 'integer',
    min: 1,
    max: 100_000,
    default: DEFAULT_MAX_SESSIONS,
    placeholder: 'n',
    description: `HTTP: most 2025-era sessions open at once; past it a new one gets 503 + Retry-After, no live one is dropped (default ${DEFAULT_MAX_SESSIONS}; about 150 KB each).`,
    env: 'PORTICO_MAX_SESSIONS',
  },
  'request-timeout': {
    type: 'duration',
    unit: 's',
    min: 1_000,
    max: 3_600_000,
    default: DEFAULT_REQUEST_TIMEOUT_MS,
    placeholder: 'time',
    description:
      'HTTP: how long a client may take to send one request, headers and body; a slower one gets 408 (default 30s).',
    env: 'PORTICO_REQUEST_TIMEOUT',
  },
  'read-only': { type: 'boolean', description: 'Register no tool that can change anything.', env: 'PORTICO_READ_ONLY' },
  'confirm-destructive': {
    type: 'boolean',
    description:
      'Ask the user to confirm (elicitation) before any destructive tool runs; refuse it where the client cannot ask.',
    env: 'PORTICO_CONFIRM_DESTRUCTIVE',
  },
  toolsets: {
    type: 'list',
    placeholder: 'names',
    description: 'Also register these opt-in toolsets (comma list, or "all").',
    env: 'PORTICO_TOOLSETS',
  },
  tools: {
    type: 'list',
    placeholder: 'names',
    description: 'Register only these tools, from any toolset (comma list).',
    env: 'PORTICO_TOOLS',
  },
  'exclude-tools': {
    type: 'list',
    placeholder: 'names',
    description: 'Do not register these tools (comma list).',
    env: 'PORTICO_EXCLUDE_TOOLS',
  },
  'max-output-bytes': {
    type: 'size',
    min: MIN_MAX_OUTPUT_BYTES,
    max: MAX_MAX_OUTPUT_BYTES,
    default: DEFAULT_MAX_OUTPUT_BYTES,
    placeholder: 'n',
    description: `Reply budget in bytes, text and structure (default ${DEFAULT_MAX_OUTPUT_BYTES}).`,
    env: 'PORTICO_MAX_OUTPUT_BYTES',
  },
  'log-level': {
    type: 'string',
    placeholder: 'level',
    description: `Least severe level logged to stderr: ${LOG_LEVELS.join(', ')} (default info).`,
    env: 'PORTICO_LOG_LEVEL',
  },
  'no-apps': {
    type: 'boolean',
    description: 'Offer no MCP Apps views (ui:// resources, app-only tools), for hosts that mis-render them.',
    env: 'PORTICO_NO_APPS',
  },
  help: { type: 'boolean', short: 'h', description: 'Show this help and exit.' },
  version: { type: 'boolean', short: 'v', description: 'Print the version and exit.' },
} as const satisfies Record<string, FlagSpec>;

/** How the server talks to its host. */
export type TransportConfig =
  | { kind: 'stdio' }
  | {
      kind: 'http';
      host: string;
      port: number;
      authToken?: string;
      allowedHosts: string[];
      /** Most 2025-era sessions open at once; a newcomer past it is refused, never a live session dropped. */
      maxSessions: number;
      /** Time a client may take to send one request's headers and body. */
      requestTimeoutMs: number;
    };

/** The settings every server shares, parsed once from flags and environment. */
export interface CommonConfig {
  transport: TransportConfig;
  readOnly: boolean;
  /** Ask the user before a tool whose destructiveHint is true runs (--confirm-destructive). */
  confirmDestructive: boolean;
  /** The HMAC key of requestState (PORTICO_STATE_KEY); unset means a random key per process. */
  stateKey?: string;
  /** Opt-in toolsets to register besides the default tools; `all` for every one. */
  toolsets: ReadonlySet<string>;
  /** Only these tools, when given. */
  tools?: ReadonlySet<string>;
  excludeTools: ReadonlySet<string>;
  maxOutputBytes: number;
  logLevel: LogLevel;
  /** Offer the MCP Apps views and their app-only tools (off with --no-apps). */
  apps: boolean;
}

/** Parsed flag values: strings, booleans, numbers (typed flags) and string lists. */
export type FlagValues = Record<string, string | boolean | number | string[] | undefined>;

/** The outcome of parsing a command line. */
export interface ParsedCommandLine {
  values: FlagValues;
  positionals: string[];
  /** Flags given on the command line itself (not filled from the environment). */
  explicit: ReadonlySet<string>;
}

/** Whether an address string is a loopback bind address. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off', '']);

/** Parses argv against the common and server-specific flags, filling absent flags from their env vars. */
export function parseCommandLine(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  serverFlags: Readonly<Record<string, FlagSpec>>,
): ParsedCommandLine {
  const specs: Record<string, FlagSpec> = { ...COMMON_FLAGS, ...serverFlags };
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const multiple = spec.type === 'list' || (spec.type === 'string' && spec.multiple === true);
    options[name] = {
      type: spec.type === 'boolean' ? 'boolean' : 'string',
      ...(multiple ? { multiple: true } : {}),
      ...(spec.short ? { short: spec.short } : {}),
    };
  }
  let parsed: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (error) {
    throw new ConfigError(`${(error as Error).message.replace(/\.$/, '')}; run with --help to see the flags.`);
  }
  const raw: Record<string, string | boolean | string[] | undefined> = { ...parsed.values };
  const explicit = new Set(Object.keys(parsed.values));
  for (const [name, spec] of Object.entries(specs)) {
    if (raw[name] !== undefined || !spec.env) continue;
    const fromEnv = env[spec.env];
    if (fromEnv === undefined) continue;
    if (spec.type === 'boolean') {
      const word = fromEnv.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) raw[name] = true;
      else if (FALSE_WORDS.has(word)) raw[name] = false;
      else throw new ConfigError(`${spec.env} must be true or false, not "${fromEnv}".`);
    } else {
      raw[name] = spec.type === 'list' || (spec.type === 'string' && spec.multiple) ? splitList(fromEnv) : fromEnv;
    }
  }
  const values: FlagValues = {};
  for (const [name, spec] of Object.entries(specs)) values[name] = typedValue(name, spec, raw[name]);
  return { values, positionals: parsed.positionals, explicit };
}

/** Splits a comma list, dropping empty items and surrounding white space. */
export function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function typedValue(name: string, spec: FlagSpec, raw: string | boolean | string[] | undefined): FlagValues[string] {
  switch (spec.type) {
    case 'boolean':
    case 'string':
      return raw;
    case 'list':
      return raw === undefined ? undefined : (Array.isArray(raw) ? raw : [String(raw)]).flatMap(splitList);
    case 'integer':
    case 'size':
    case 'duration': {
      if (raw === undefined) return spec.default;
      const text = Array.isArray(raw) ? (raw.at(-1) ?? '') : String(raw);
      const value =
        spec.type === 'duration'
          ? parseDuration(text, spec.unit)
          : spec.type === 'size'
            ? parseSize(text)
            : parseInteger(text);
      if (value === undefined) throw new ConfigError(`--${name} must be ${FLAG_SHAPES[spec.type]}, not "${text}".`);
      if (value < spec.min || value > spec.max) {
        const [min, max] =
          spec.type === 'duration'
            ? [formatDuration(spec.min), formatDuration(spec.max)]
            : [String(spec.min), String(spec.max)];
        throw new ConfigError(`--${name} must be between ${min} and ${max}, not "${text}".`);
      }
      return value;
    }
  }
}

const FLAG_SHAPES = {
  integer: 'a whole number',
  size: 'a size in bytes, such as 100000, 512KB or 5MiB',
  duration: 'a duration, such as 30s, 500ms or 2m',
} as const;

function parseInteger(text: string): number | undefined {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : undefined;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = SIZE_UNITS[(match?.[2] ?? '').toLowerCase()];
  if (!match || unit === undefined) return undefined;
  const value = Math.round(Number(match[1]) * unit);
  return Number.isSafeInteger(value) ? value : undefined;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function parseDuration(text: string, unit: 'ms' | 's'): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i.exec(text.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * DURATION_UNITS[(match[2] ?? unit).toLowerCase()]!);
}

function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function stringValue(values: FlagValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function listValue(values: FlagValues, name: string): string[] | undefined {
  const value = values[name];
  return Array.isArray(value) ? value : undefined;
}

/** Builds the typed common configuration from a parsed command line. */
export function toCommonConfig(
  { values, explicit }: ParsedCommandLine,
  env: Readonly<Record<string, string | undefined>> = {},
): CommonConfig {
  const stateKey = env.PORTICO_STATE_KEY;
  if (stateKey !== undefined && stateKey.length < MIN_STATE_KEY_LENGTH) {
    throw new ConfigError(
      `PORTICO_STATE_KEY must be at least ${MIN_STATE_KEY_LENGTH} characters long; generate one with \`openssl rand -hex 32\`.`,
    );
  }
  const logLevel = stringValue(values, 'log-level') ?? 'info';
  if (!isLogLevel(logLevel))
    throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel}".`);

  const tools = listValue(values, 'tools');
  let transport: TransportConfig = { kind: 'stdio' };
  // Environment defaults for HTTP are harmless under stdio; a flag typed on the command line is a mistake.
  const httpOnly = ['port', 'host', 'auth-token', 'allowed-hosts', 'max-sessions', 'request-timeout'].filter((name) =>
    explicit.has(name),
  );
  if (values.http === true) {
    const authToken = stringValue(values, 'auth-token');
    if (authToken !== undefined && authToken.length < 16) {
      throw new ConfigError(
        '--auth-token must be at least 16 characters long; generate one with `openssl rand -hex 32`.',
      );
    }
    const host = stringValue(values, 'host') ?? '127.0.0.1';
    if (!isLoopbackHost(host) && authToken === undefined) {
      throw new ConfigError(
        `Binding --host ${host} exposes the server beyond this machine; set PORTICO_AUTH_TOKEN (or --auth-token) too.`,
      );
    }
    transport = {
      kind: 'http',
      host,
      port: values.port as number,
      ...(authToken !== undefined ? { authToken } : {}),
      allowedHosts: listValue(values, 'allowed-hosts') ?? [],
      maxSessions: values['max-sessions'] as number,
      requestTimeoutMs: values['request-timeout'] as number,
    };
  } else if (httpOnly.length > 0) {
    throw new ConfigError(`--${httpOnly[0]} only applies with --http.`);
  }

  return {
    transport,
    readOnly: values['read-only'] === true,
    confirmDestructive: values['confirm-destructive'] === true,
    ...(stateKey !== undefined ? { stateKey } : {}),
    toolsets: new Set(listValue(values, 'toolsets') ?? []),
    ...(tools !== undefined ? { tools: new Set(tools) } : {}),
    excludeTools: new Set(listValue(values, 'exclude-tools') ?? []),
    maxOutputBytes: values['max-output-bytes'] as number,
    logLevel,
    apps: values['no-apps'] !== true,
  };
}

/** Formats --help: usage, the server's own flags, then the common ones. */
export function formatHelp(
  header: { usage: string; description: string; details?: string },
  serverFlags: Readonly<Record<string, FlagSpec>>,
): string {
  const section = (title: string, flags: Readonly<Record<string, FlagSpec>>): string[] => {
    const rows = Object.entries(flags).map(([name, spec]) => {
      const left = `  ${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.placeholder ? ` <${spec.placeholder}>` : ''}`;
      const env = spec.env ? ` [env ${spec.env}]` : '';
      return [left, `${spec.description}${env}`] as const;
    });
    const width = Math.max(...rows.map(([left]) => left.length)) + 2;
    return rows.length === 0 ? [] : [title, ...rows.map(([left, right]) => left.padEnd(width) + right), ''];
  };
  return [
    header.description,
    '',
    `Usage: ${header.usage}`,
    '',
    ...(header.details ? [header.details, ''] : []),
    ...section('Options:', serverFlags),
    ...section('Common options:', COMMON_FLAGS),
  ].join('\n');
}
