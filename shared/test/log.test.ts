import { describe, expect, it } from 'vitest';
import { Logger, isLogLevel } from '../src/log/index.js';

function capture(level: Parameters<typeof isLogLevel>[0] = 'info') {
  const lines: string[] = [];
  const logger = new Logger({ name: 'portico.test', level: level as 'info', write: (line) => lines.push(line) });
  return { logger, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>), lines };
}

describe('Logger', () => {
  it('writes one JSON object per line with level, logger name and message', () => {
    const { logger, records, lines } = capture();
    logger.info('ready', { tools: 3 });
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(records()[0]).toMatchObject({ level: 'info', logger: 'portico.test', msg: 'ready', tools: 3 });
  });

  it('drops records below its level', () => {
    const { logger, records } = capture('warning');
    logger.info('quiet');
    logger.error('loud');
    expect(records().map((record) => record.msg)).toEqual(['loud']);
  });

  it('never writes the value of a secret-looking field', () => {
    const { logger, lines } = capture();
    logger.info('auth', { authToken: 'sk-very-secret', Authorization: 'Bearer sk-very-secret', password: 'hunter2' });
    expect(lines.join('')).not.toContain('sk-very-secret');
    expect(lines.join('')).not.toContain('hunter2');
  });

  it('forwards records to attached MCP clients without stack traces, and stops after detach', async () => {
    const { logger } = capture();
    const sent: Array<{ level: string; data: Record<string, unknown> }> = [];
    const detach = logger.attachMcp((level, data) => {
      sent.push({ level, data });
    });
    logger.child('tool').warning('slow', { error: new Error('boom') });
    detach();
    logger.warning('after detach');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.level).toBe('warning');
    expect(JSON.stringify(sent[0]!.data)).not.toContain('at ');
    expect(sent[0]!.data.message).toBe('slow');
  });

  it('tells MCP clients an error’s name and code but never its text, which stays in the operator’s log', () => {
    const { logger, records } = capture();
    const sent: Array<Record<string, unknown>> = [];
    logger.attachMcp((_level, data) => {
      sent.push(data);
    });
    const failure = Object.assign(new Error('EACCES: permission denied, open /srv/internal/secret.key'), {
      code: 'EACCES',
    });
    logger.error('tool failed unexpectedly', { error: failure, tool: 'read' });
    expect(sent[0]).toEqual({
      message: 'tool failed unexpectedly',
      error: { name: 'Error', code: 'EACCES' },
      tool: 'read',
    });
    expect(JSON.stringify(records())).toContain('/srv/internal/secret.key');
  });

  it('keeps logging when an MCP client throws', () => {
    const { logger, records } = capture();
    logger.attachMcp(() => {
      throw new Error('client gone');
    });
    expect(() => logger.info('still fine')).not.toThrow();
    expect(records()).toHaveLength(1);
  });

  it('a request logger sends only to its own client', () => {
    const { logger } = capture();
    const global: string[] = [];
    const request: string[] = [];
    logger.attachMcp((_level, data) => {
      global.push(String(data.message));
    });
    logger
      .forRequest((_level, data) => {
        request.push(String(data.message));
      })
      .info('in request');
    expect(request).toEqual(['in request']);
    expect(global).toEqual([]);
  });
});
