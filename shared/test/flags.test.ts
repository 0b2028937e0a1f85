import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors/index.js';
import { formatHelp, parseCommandLine, selectTools, toCommonConfig } from '../src/serve/index.js';
import type { AnyToolDefinition } from '../src/serve/index.js';

const common = (argv: string[], env: Record<string, string> = {}) =>
  toCommonConfig(parseCommandLine(argv, env, {}), env);

describe('common flags', () => {
  it('turns on --confirm-destructive from the flag or PORTICO_CONFIRM_DESTRUCTIVE', () => {
    expect(common(['--confirm-destructive']).confirmDestructive).toBe(true);
    expect(common([], { PORTICO_CONFIRM_DESTRUCTIVE: 'true' }).confirmDestructive).toBe(true);
  });

  it('takes the requestState key from PORTICO_STATE_KEY and refuses one too short to be a key', () => {
    expect(common([], { PORTICO_STATE_KEY: 'k'.repeat(32) }).stateKey).toBe('k'.repeat(32));
    expect(common([]).stateKey).toBeUndefined();
    expect(() => common([], { PORTICO_STATE_KEY: 'short' })).toThrow(
      /PORTICO_STATE_KEY must be at least 32 characters/,
    );
  });

  it('defaults to stdio, the 100 KB budget, info logging and apps on', () => {
    expect(common([])).toEqual({
      transport: { kind: 'stdio' },
      readOnly: false,
      confirmDestructive: false,
      toolsets: new Set(),
      excludeTools: new Set(),
      maxOutputBytes: 100_000,
      logLevel: 'info',
      apps: true,
    });
  });

  it('turns apps off with --no-apps or PORTICO_NO_APPS', () => {
    expect(common(['--no-apps']).apps).toBe(false);
    expect(common([], { PORTICO_NO_APPS: 'true' }).apps).toBe(false);
  });

  it('serves HTTP on 127.0.0.1:3000 by default', () => {
    expect(common(['--http']).transport).toEqual({
      kind: 'http',
      host: '127.0.0.1',
      port: 3000,
      allowedHosts: [],
      maxSessions: 1000,
      requestTimeoutMs: 30_000,
    });
  });

  it('caps 2025-era HTTP sessions and request time by flag or environment', () => {
    expect(common(['--http', '--max-sessions', '300', '--request-timeout', '5s']).transport).toMatchObject({
      maxSessions: 300,
      requestTimeoutMs: 5_000,
    });
    expect(common(['--http'], { PORTICO_MAX_SESSIONS: '20', PORTICO_REQUEST_TIMEOUT: '2' }).transport).toMatchObject({
      maxSessions: 20,
      requestTimeoutMs: 2_000,
    });
    expect(() => common(['--http', '--max-sessions', '0'])).toThrow(/--max-sessions must be between 1 and 100000/);
    expect(() => common(['--max-sessions', '10'])).toThrow(/only applies with --http/);
  });

  it('reads the bearer token from PORTICO_AUTH_TOKEN', () => {
    const transport = common(['--http'], { PORTICO_AUTH_TOKEN: 'a-long-enough-token-123' }).transport;
    expect(transport).toMatchObject({ authToken: 'a-long-enough-token-123' });
  });

  it('refuses to bind beyond loopback without a token', () => {
    expect(() => common(['--http', '--host', '0.0.0.0'])).toThrow(/PORTICO_AUTH_TOKEN/);
    expect(common(['--http', '--host', '0.0.0.0', '--auth-token', 'x'.repeat(32)]).transport).toMatchObject({
      host: '0.0.0.0',
    });
  });

  it('refuses a short token', () => {
    expect(() => common(['--http', '--auth-token', 'short'])).toThrow(/at least 16 characters/);
  });

  it('refuses an HTTP flag typed without --http, but tolerates an HTTP env default', () => {
    expect(() => common(['--port', '8080'])).toThrow(/only applies with --http/);
    expect(common([], { PORTICO_PORT: '8080' }).transport).toEqual({ kind: 'stdio' });
  });

  it('parses tool lists, read-only and the output budget', () => {
    const config = common(['--read-only', '--tools', 'a, b', '--exclude-tools', 'c', '--max-output-bytes', '5000']);
    expect(config.readOnly).toBe(true);
    expect([...config.tools!]).toEqual(['a', 'b']);
    expect([...config.excludeTools]).toEqual(['c']);
    expect(config.maxOutputBytes).toBe(5000);
  });

  it('lets a flag win over its environment variable', () => {
    expect(common(['--log-level', 'debug'], { PORTICO_LOG_LEVEL: 'error' }).logLevel).toBe('debug');
    expect(common([], { PORTICO_LOG_LEVEL: 'error' }).logLevel).toBe('error');
  });

  it.each([
    [['--max-output-bytes', '10'], /between 1000 and/],
    [['--max-output-bytes', '100MB'], /between 1000 and 8388608/],
    [['--max-output-bytes', 'lots'], /a size in bytes, such as 100000, 512KB or 5MiB/],
    [['--log-level', 'loud'], /must be one of/],
    [['--port', '70000', '--http'], /between 0 and 65535/],
    [['--no-such-flag'], /--help/],
  ])('rejects %j with a sentence that says how to fix it', (argv, message) => {
    expect(() => common(argv)).toThrow(ConfigError);
    expect(() => common(argv)).toThrow(message);
  });

  it('rejects a boolean env var that is not a yes or no', () => {
    expect(() => common([], { PORTICO_READ_ONLY: 'maybe' })).toThrow(/PORTICO_READ_ONLY must be true or false/);
  });

  it('lists every common flag and its env var in --help', () => {
    const help = formatHelp(
      { usage: 'x [options]', description: 'X.' },
      { db: { type: 'string', description: 'Database.', placeholder: 'path' } },
    );
    for (const flag of [
      '--http',
      '--port',
      '--host',
      '--auth-token',
      '--read-only',
      '--tools',
      '--exclude-tools',
      '--max-output-bytes',
      '--max-sessions',
      '--request-timeout',
      '--log-level',
      '--help',
      '--version',
      '--db <path>',
    ]) {
      expect(help).toContain(flag);
    }
    expect(help).toContain('PORTICO_AUTH_TOKEN');
  });
});

describe('selectTools', () => {
  const tool = (name: string, readOnlyHint: boolean) =>
    ({
      name,
      annotations: { readOnlyHint, destructiveHint: !readOnlyHint, idempotentHint: true, openWorldHint: false },
    }) as AnyToolDefinition;
  const tools = [tool('read', true), tool('write', false), tool('delete', false)];

  it('registers no write tool under --read-only', () => {
    expect(selectTools(tools, { readOnly: true, excludeTools: new Set() }).map((t) => t.name)).toEqual(['read']);
  });

  it('applies --tools then --exclude-tools', () => {
    expect(
      selectTools(tools, { readOnly: false, tools: new Set(['read', 'write']), excludeTools: new Set(['write']) }).map(
        (t) => t.name,
      ),
    ).toEqual(['read']);
  });

  it('names the unknown tool and the known ones', () => {
    expect(() => selectTools(tools, { readOnly: false, tools: new Set(['raed']), excludeTools: new Set() })).toThrow(
      '--tools names unknown tool raed; the tools are read, write, delete.',
    );
  });
});

describe('typed flags', () => {
  const flags = {
    retries: { type: 'integer', min: 0, max: 10, default: 3, description: 'Retries.' },
    cap: { type: 'size', min: 1_000, max: 10_000_000, description: 'Cap.' },
    wait: { type: 'duration', unit: 's', min: 100, max: 600_000, default: 30_000, description: 'Wait.' },
    hosts: { type: 'list', description: 'Hosts.', env: 'X_HOSTS' },
  } as const;
  const parse = (argv: string[], env: Record<string, string> = {}) => parseCommandLine(argv, env, flags).values;

  it('fills defaults and leaves optional typed flags undefined', () => {
    expect(parse([])).toMatchObject({ retries: 3, wait: 30_000, cap: undefined, hosts: undefined });
  });

  it('reads sizes with units and plain numbers as bytes', () => {
    expect(parse(['--cap', '5MB']).cap).toBe(5_000_000);
    expect(parse(['--cap', '64KiB']).cap).toBe(65_536);
    expect(parse(['--cap', '2500']).cap).toBe(2_500);
  });

  it('reads durations with units, and a plain number in the flag’s own unit, as milliseconds', () => {
    expect(parse(['--wait', '2m']).wait).toBe(120_000);
    expect(parse(['--wait', '500ms']).wait).toBe(500);
    expect(parse(['--wait', '1.5']).wait).toBe(1_500);
  });

  it('joins repeated and comma-separated list values, from flags or the environment', () => {
    expect(parse(['--hosts', 'a, b', '--hosts', 'c']).hosts).toEqual(['a', 'b', 'c']);
    expect(parse([], { X_HOSTS: 'x,y' }).hosts).toEqual(['x', 'y']);
  });

  it.each([
    [['--retries', '11'], '--retries must be between 0 and 10, not "11".'],
    [['--retries', '1.5'], '--retries must be a whole number, not "1.5".'],
    [['--wait', '11m'], '--wait must be between 100ms and 600s, not "11m".'],
    [['--wait', 'soon'], '--wait must be a duration, such as 30s, 500ms or 2m, not "soon".'],
    [['--cap', '10'], '--cap must be between 1000 and 10000000, not "10".'],
  ])('refuses %j with the range or shape it needs', (argv, message) => {
    expect(() => parse(argv)).toThrow(message);
  });
});

describe('toolsets', () => {
  const tool = (name: string, toolset?: string) =>
    ({
      name,
      ...(toolset ? { toolset } : {}),
      annotations: {
        readOnlyHint: toolset !== 'writes',
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    }) as AnyToolDefinition;
  const tools = [tool('core_a'), tool('core_b'), tool('extra_a', 'extras'), tool('write_a', 'writes')];
  const names = (selected: AnyToolDefinition[]) => selected.map((t) => t.name);

  it('registers only the default tools when no toolset is asked for', () => {
    expect(names(selectTools(tools, { readOnly: false, excludeTools: new Set() }))).toEqual(['core_a', 'core_b']);
  });

  it('adds the named toolsets, or every one with "all"', () => {
    expect(
      names(selectTools(tools, { readOnly: false, excludeTools: new Set(), toolsets: new Set(['extras']) })),
    ).toEqual(['core_a', 'core_b', 'extra_a']);
    expect(names(selectTools(tools, { readOnly: false, excludeTools: new Set(), toolsets: new Set(['all']) }))).toEqual(
      ['core_a', 'core_b', 'extra_a', 'write_a'],
    );
  });

  it('keeps --read-only and --exclude-tools in force inside toolsets', () => {
    expect(
      names(selectTools(tools, { readOnly: true, excludeTools: new Set(['core_b']), toolsets: new Set(['all']) })),
    ).toEqual(['core_a', 'extra_a']);
  });

  it('lets --tools name a tool from any toolset', () => {
    expect(
      names(selectTools(tools, { readOnly: false, tools: new Set(['extra_a']), excludeTools: new Set() })),
    ).toEqual(['extra_a']);
  });

  it('names an unknown toolset and the toolsets there are', () => {
    expect(() =>
      selectTools(tools, { readOnly: false, excludeTools: new Set(), toolsets: new Set(['extra']) }),
    ).toThrow('--toolsets names unknown toolset extra; the toolsets are extras, writes, all.');
  });

  it('parses --toolsets from the command line and PORTICO_TOOLSETS', () => {
    expect([...common(['--toolsets', 'a,b']).toolsets]).toEqual(['a', 'b']);
    expect([...common([], { PORTICO_TOOLSETS: 'all' }).toolsets]).toEqual(['all']);
  });
});

describe('app-only tools', () => {
  const hints = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
  const tools = [
    { name: 'query', annotations: hints, ui: { resourceUri: 'ui://x/view.html' } },
    { name: 'query_page', annotations: hints, ui: { resourceUri: 'ui://x/view.html', visibility: ['app'] } },
    { name: 'other', annotations: hints },
  ] as AnyToolDefinition[];
  const names = (selected: AnyToolDefinition[]) => selected.map((t) => t.name);

  it('are registered whenever apps are on, whatever --tools names, since they serve the views of the tools the model sees', () => {
    expect(names(selectTools(tools, { readOnly: false, excludeTools: new Set(), apps: true }))).toEqual([
      'query',
      'query_page',
      'other',
    ]);
    expect(
      names(selectTools(tools, { readOnly: false, tools: new Set(['other']), excludeTools: new Set(), apps: true })),
    ).toEqual(['query_page', 'other']);
  });

  it('are not registered with --no-apps', () => {
    expect(names(selectTools(tools, { readOnly: false, excludeTools: new Set(), apps: false }))).toEqual([
      'query',
      'other',
    ]);
  });
});
