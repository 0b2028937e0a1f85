import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors/index.js';
import { formatHelp, parseCommandLine, selectTools, toCommonConfig } from '../src/serve/index.js';
import type { AnyToolDefinition } from '../src/serve/index.js';

const common = (argv: string[], env: Record<string, string> = {}) => toCommonConfig(parseCommandLine(argv, env, {}));

describe('common flags', () => {
  it('defaults to stdio, the 100 KB budget and info logging', () => {
    expect(common([])).toEqual({ transport: { kind: 'stdio' }, readOnly: false, excludeTools: new Set(), maxOutputBytes: 100_000, logLevel: 'info' });
  });

  it('serves HTTP on 127.0.0.1:3000 by default', () => {
    expect(common(['--http']).transport).toEqual({ kind: 'http', host: '127.0.0.1', port: 3000, allowedHosts: [] });
  });

  it('reads the bearer token from PORTICO_AUTH_TOKEN', () => {
    const transport = common(['--http'], { PORTICO_AUTH_TOKEN: 'a-long-enough-token-123' }).transport;
    expect(transport).toMatchObject({ authToken: 'a-long-enough-token-123' });
  });

  it('refuses to bind beyond loopback without a token', () => {
    expect(() => common(['--http', '--host', '0.0.0.0'])).toThrow(/PORTICO_AUTH_TOKEN/);
    expect(common(['--http', '--host', '0.0.0.0', '--auth-token', 'x'.repeat(32)]).transport).toMatchObject({ host: '0.0.0.0' });
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
    [['--max-output-bytes', '100MB'], /whole number/],
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
    const help = formatHelp({ usage: 'x [options]', description: 'X.' }, { db: { type: 'string', description: 'Database.', placeholder: 'path' } });
    for (const flag of ['--http', '--port', '--host', '--auth-token', '--read-only', '--tools', '--exclude-tools', '--max-output-bytes', '--log-level', '--help', '--version', '--db <path>']) {
      expect(help).toContain(flag);
    }
    expect(help).toContain('PORTICO_AUTH_TOKEN');
  });
});

describe('selectTools', () => {
  const tool = (name: string, readOnlyHint: boolean) =>
    ({ name, annotations: { readOnlyHint, destructiveHint: !readOnlyHint, idempotentHint: true, openWorldHint: false } }) as AnyToolDefinition;
  const tools = [tool('read', true), tool('write', false), tool('delete', false)];

  it('registers no write tool under --read-only', () => {
    expect(selectTools(tools, { readOnly: true, excludeTools: new Set() }).map((t) => t.name)).toEqual(['read']);
  });

  it('applies --tools then --exclude-tools', () => {
    expect(selectTools(tools, { readOnly: false, tools: new Set(['read', 'write']), excludeTools: new Set(['write']) }).map((t) => t.name)).toEqual(['read']);
  });

  it('names the unknown tool and the known ones', () => {
    expect(() => selectTools(tools, { readOnly: false, tools: new Set(['raed']), excludeTools: new Set() })).toThrow(
      '--tools names unknown tool raed; the tools are read, write, delete.',
    );
  });
});
