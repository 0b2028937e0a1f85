import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs module of the runner, without type declarations
import { parseExpectedFailures, suiteBaseline, unscoredProblems } from './baseline.mjs';

const requirements = new Map([
  ['2025-11-25', { all: new Set(['ping', 'tools-list']), unscored: new Set<string>() }],
  [
    '2026-07-28',
    {
      all: new Set(['server-stateless', 'tasks-lifecycle', 'tasks-wire-fields']),
      unscored: new Set(['tasks-lifecycle', 'tasks-wire-fields']),
    },
  ],
]);
const parse = (text: string) => parseExpectedFailures(text, requirements, 'x.yml');

describe('expected failures', () => {
  it('reads, per revision, each scenario or single check with its reason', () => {
    const byRevision = parse(
      '2026-07-28:\n  tasks-lifecycle: the tasks extension\n  server-stateless:sep-2575-foo: needs a fixture tool\n',
    );
    expect([...byRevision.get('2026-07-28')]).toEqual([
      ['tasks-lifecycle', 'the tasks extension'],
      ['server-stateless:sep-2575-foo', 'needs a fixture tool'],
    ]);
    expect(byRevision.get('2025-11-25').size).toBe(0);
  });

  it('refuses an entry without a reason', () => {
    expect(() => parse('2025-11-25:\n  ping:\n')).toThrow('x.yml: 2025-11-25 ping needs a one-line reason.');
  });

  it('refuses a scenario the revision does not run, and a revision the runner does not run', () => {
    expect(() => parse('2025-11-25:\n  server-stateless: no\n')).toThrow(
      /not a scenario of the 2025-11-25 requirement set/,
    );
    expect(() => parse('2024-11-05: {}\n')).toThrow(/"2024-11-05" is not a revision this runner runs/);
  });

  it('refuses a single check of an unscored scenario, which only the runner judges, whole', () => {
    expect(() => parse('2026-07-28:\n  tasks-lifecycle:tasks-sync-tool-call: extension\n')).toThrow(
      /only the whole scenario/,
    );
  });

  it('writes the suite baseline as a list of entries', () => {
    expect(suiteBaseline(['a', 'b:c'])).toBe('server:\n  - "a"\n  - "b:c"\n');
    expect(suiteBaseline([])).toBe('server: []\n');
  });
});

describe('unscored scenarios', () => {
  const unscored = new Set(['tasks-lifecycle', 'tasks-wire-fields']);
  const summary =
    '=== SUMMARY ===\n✓ server-stateless: 28 passed, 0 failed\n✗ tasks-lifecycle: 1 passed, 8 failed\n✓ tasks-wire-fields: 4 passed, 0 failed\n';

  it('are fine when every failing one is listed and every listed one fails', () => {
    expect(unscoredProblems(summary, unscored, new Map([['tasks-lifecycle', 'extension']]))).toEqual([]);
  });

  it('fail the run when one fails unlisted, or a listed one passes', () => {
    expect(unscoredProblems(summary, unscored, new Map([['tasks-wire-fields', 'extension']]))).toEqual([
      'tasks-lifecycle fails and is not an expected failure',
      'tasks-wire-fields passes now: remove it from the expected failures',
    ]);
  });

  it('fail the run when one reports no verdict', () => {
    expect(unscoredProblems('=== SUMMARY ===\n', new Set(['tasks-lifecycle']), new Map())).toEqual([
      'tasks-lifecycle did not report a verdict',
    ]);
  });
});
