import { parseArgs } from 'node:util';
import { ConfigError } from '../errors/index.js';
import { isLogLevel, LOG_LEVELS } from '../log/index.js';
import type { LogLevel } from '../log/index.js';
import { DEFAULT_MAX_OUTPUT_BYTES, MAX_MAX_OUTPUT_BYTES, MIN_MAX_OUTPUT_BYTES } from '../output/index.js';

/** One command-line flag: its type, help text and the environment variable that may set it instead. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  /** May be given more than once (string flags). */
  multiple?: boolean;
  short?: string;
  /** One line for --help. */
  description: string;
  /** Placeholder shown in --help for a string flag: `--port <port>`. */
  placeholder?: string;
  /** Environment variable read when the flag is absent. */
  env?: string;
}

/** The flags every Portico server understands. */
export const COMMON_FLAGS = {
  http: { type: 'boolean', description: 'Serve Streamable HTTP at /mcp instead of stdio.' },
  port: { type: 'string', placeholder: 'port', description: 'HTTP port (default 3000; 0 picks a free one).', env: 'PORTICO_PORT' },
  host: { type: 'string', placeholder: 'addr', description: 'HTTP bind address (default 127.0.0.1).', env: 'PORTICO_HOST' },
  'allowed-hosts': {
    type: 'string',
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
  'read-only': { type: 'boolean', description: 'Register no tool that can change anything.', env: 'PORTICO_READ_ONLY' },
  tools: { type: 'string', placeholder: 'names', description: 'Register only these tools (comma list).', env: 'PORTICO_TOOLS' },
  'exclude-tools': {
    type: 'string',
    placeholder: 'names',
    description: 'Do not register these tools (comma list).',
    env: 'PORTICO_EXCLUDE_TOOLS',
  },
  'max-output-bytes': {
    type: 'string',
    placeholder: 'n',
    description: `Reply budget in bytes of text (default ${DEFAULT_MAX_OUTPUT_BYTES}).`,
    env: 'PORTICO_MAX_OUTPUT_BYTES',
  },
  'log-level': {
    type: 'string',
    placeholder: 'level',
    description: `Least severe level logged to stderr: ${LOG_LEVELS.join(', ')} (default info).`,
    env: 'PORTICO_LOG_LEVEL',
  },
  help: { type: 'boolean', short: 'h', description: 'Show this help and exit.' },
  version: { type: 'boolean', short: 'v', description: 'Print the version and exit.' },
} as const satisfies Record<string, FlagSpec>;

/** How the server talks to its host. */
export type TransportConfig =
  | { kind: 'stdio' }
  | { kind: 'http'; host: string; port: number; authToken?: string; allowedHosts: string[] };

/** The settings every server shares, parsed once from flags and environment. */
export interface CommonConfig {
  transport: TransportConfig;
  readOnly: boolean;
  /** Only these tools, when given. */
  tools?: ReadonlySet<string>;
  excludeTools: ReadonlySet<string>;
  maxOutputBytes: number;
  logLevel: LogLevel;
}

/** Raw values after flag parsing: flag name to string, boolean or string list. */
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

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
    options[name] = { type: spec.type, ...(spec.multiple ? { multiple: true } : {}), ...(spec.short ? { short: spec.short } : {}) };
  }
  let parsed: { values: FlagValues; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (error) {
    throw new ConfigError(`${(error as Error).message.replace(/\.$/, '')}; run with --help to see the flags.`);
  }
  const values: FlagValues = { ...parsed.values };
  const explicit = new Set(Object.keys(parsed.values));
  for (const [name, spec] of Object.entries(specs)) {
    if (values[name] !== undefined || !spec.env) continue;
    const raw = env[spec.env];
    if (raw === undefined) continue;
    if (spec.type === 'boolean') {
      const word = raw.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) values[name] = true;
      else if (FALSE_WORDS.has(word)) values[name] = false;
      else throw new ConfigError(`${spec.env} must be true or false, not "${raw}".`);
    } else {
      values[name] = spec.multiple ? splitList(raw) : raw;
    }
  }
  return { values, positionals: parsed.positionals, explicit };
}

/** Splits a comma list, dropping empty items and surrounding white space. */
export function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function integerFlag(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`--${name} must be a whole number, not "${raw}".`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`--${name} must be between ${min} and ${max}, not ${value}.`);
  return value;
}

function stringValue(values: FlagValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** Builds the typed common configuration from a parsed command line. */
export function toCommonConfig({ values, explicit }: ParsedCommandLine): CommonConfig {
  const logLevel = stringValue(values, 'log-level') ?? 'info';
  if (!isLogLevel(logLevel)) throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel}".`);

  const maxOutputRaw = stringValue(values, 'max-output-bytes');
  const maxOutputBytes =
    maxOutputRaw === undefined
      ? DEFAULT_MAX_OUTPUT_BYTES
      : integerFlag('max-output-bytes', maxOutputRaw, MIN_MAX_OUTPUT_BYTES, MAX_MAX_OUTPUT_BYTES);

  const toolsRaw = stringValue(values, 'tools');
  const excludeRaw = stringValue(values, 'exclude-tools');

  let transport: TransportConfig = { kind: 'stdio' };
  // Environment defaults for HTTP are harmless under stdio; a flag typed on the command line is a mistake.
  const httpOnly = ['port', 'host', 'auth-token', 'allowed-hosts'].filter((name) => explicit.has(name));
  if (values.http === true) {
    const portRaw = stringValue(values, 'port');
    const authToken = stringValue(values, 'auth-token');
    if (authToken !== undefined && authToken.length < 16) {
      throw new ConfigError('--auth-token must be at least 16 characters long; generate one with `openssl rand -hex 32`.');
    }
    const host = stringValue(values, 'host') ?? '127.0.0.1';
    if (!isLoopbackHost(host) && authToken === undefined) {
      throw new ConfigError(`Binding --host ${host} exposes the server beyond this machine; set PORTICO_AUTH_TOKEN (or --auth-token) too.`);
    }
    transport = {
      kind: 'http',
      host,
      port: portRaw === undefined ? 3000 : integerFlag('port', portRaw, 0, 65_535),
      ...(authToken !== undefined ? { authToken } : {}),
      allowedHosts: splitList(stringValue(values, 'allowed-hosts') ?? ''),
    };
  } else if (httpOnly.length > 0) {
    throw new ConfigError(`--${httpOnly[0]} only applies with --http.`);
  }

  return {
    transport,
    readOnly: values['read-only'] === true,
    ...(toolsRaw !== undefined ? { tools: new Set(splitList(toolsRaw)) } : {}),
    excludeTools: new Set(splitList(excludeRaw ?? '')),
    maxOutputBytes,
    logLevel,
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
