import { describe, expect, it } from 'vitest';
import { Logger } from '../src/log/index.js';
import { SessionTable } from '../src/serve/http-sessions.js';

function table(maxSessions: number) {
  const lines: string[] = [];
  let now = 0;
  const closed: string[] = [];
  const sessions = new SessionTable<{ close(): Promise<void> }>({
    maxSessions,
    idleMs: 1_000,
    log: new Logger({ name: 'test', level: 'debug', write: (line) => lines.push(line) }),
    now: () => now,
  });
  const session = (id: string) => ({ close: async () => void closed.push(id) });
  return { sessions, session, lines, closed, advance: (ms: number) => (now += ms) };
}

describe('SessionTable', () => {
  it('refuses a newcomer at the cap and keeps every live session', () => {
    const { sessions, session, lines, closed } = table(2);
    for (const id of ['a', 'b']) {
      const release = sessions.admit()!;
      sessions.add(id, session(id));
      release();
    }
    expect(sessions.admit()).toBeUndefined();
    expect(sessions.touch('a')).toBeDefined();
    expect(sessions.touch('b')).toBeDefined();
    expect(closed).toEqual([]);
    expect(lines.join('\n')).toContain('at its --max-sessions cap');
  });

  it('counts sessions still opening against the cap, and gives back the place of one that failed', () => {
    const { sessions } = table(1);
    const release = sessions.admit()!;
    expect(sessions.admit()).toBeUndefined();
    release();
    release();
    expect(sessions.size).toBe(0);
    expect(sessions.admit()).toBeDefined();
  });

  it('logs refusals once per minute with how many were refused', () => {
    const { sessions, lines, advance } = table(1);
    sessions.admit();
    for (let i = 0; i < 5; i++) sessions.admit();
    expect(lines.filter((line) => line.includes('--max-sessions cap'))).toHaveLength(1);
    advance(60_000);
    sessions.admit();
    const logged = lines
      .filter((line) => line.includes('--max-sessions cap'))
      .map((line) => JSON.parse(line) as { refused: number });
    expect(logged.map((entry) => entry.refused)).toEqual([1, 5]);
  });

  it('ends only the sessions idle past the timeout', () => {
    const { sessions, session, closed, advance } = table(10);
    sessions.add('old', session('old'));
    sessions.add('busy', session('busy'));
    advance(800);
    sessions.touch('busy');
    advance(400);
    sessions.expireIdle();
    expect(closed).toEqual(['old']);
    expect(sessions.touch('old')).toBeUndefined();
    expect(sessions.touch('busy')).toBeDefined();
  });
});
