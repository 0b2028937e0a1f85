import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, SandboxError } from '../src/errors/index.js';
import {
  cutText,
  decodeCursor,
  encodeCursor,
  formatBytes,
  toToolError,
  truncationNotice,
  utf8Length,
} from '../src/output/index.js';
import { boundResult } from '../src/serve/index.js';

describe('cutText', () => {
  it('returns short text whole and untruncated', () => {
    expect(cutText('hello', 100)).toEqual({ text: 'hello', bytes: 5, truncated: false, consumedChars: 5 });
  });

  it('never splits a multi-byte character at the cut', () => {
    const text = 'é'.repeat(100); // two bytes each
    const cut = cutText(text, 51);
    expect(cut.truncated).toBe(true);
    expect(cut.bytes).toBe(50);
    expect(cut.text).toBe('é'.repeat(25));
    expect(Buffer.from(cut.text, 'utf8').toString('utf8')).toBe(cut.text);
  });

  it('never splits a surrogate pair (4-byte emoji)', () => {
    const cut = cutText('😀😀😀', 6);
    expect(cut.text).toBe('😀');
    expect(cut.consumedChars).toBe(2);
  });

  it('prefers a line boundary close to the limit so the reader can continue from a whole line', () => {
    const text = `${'a'.repeat(95)}\n${'b'.repeat(100)}`;
    const cut = cutText(text, 100);
    expect(cut.text).toBe(`${'a'.repeat(95)}\n`);
    expect(cut.consumedChars).toBe(96);
  });

  it('does not fall back to a far-away line break and lose most of the budget', () => {
    const text = `a\n${'b'.repeat(1000)}`;
    expect(cutText(text, 500).bytes).toBe(500);
  });

  it('consumedChars lets a caller continue exactly where the cut ended', () => {
    const text = Array.from({ length: 500 }, (_, i) => `line ${i} ✓`).join('\n');
    let rest = text;
    let rebuilt = '';
    while (rest.length > 0) {
      const cut = cutText(rest, 333);
      expect(cut.bytes).toBeLessThanOrEqual(333);
      rebuilt += cut.text;
      rest = rest.slice(cut.consumedChars);
    }
    expect(rebuilt).toBe(text);
  });
});

describe('cursors', () => {
  it('round-trips the state of a listing', () => {
    const cursor = encodeCursor('rows', { offset: 1000, query: 'select 1' });
    expect(decodeCursor('rows', cursor)).toEqual({ offset: 1000, query: 'select 1' });
  });

  it('refuses a cursor made for another listing', () => {
    const cursor = encodeCursor('rows', { offset: 1 });
    expect(() => decodeCursor('files', cursor)).toThrow(InvalidArgumentError);
  });

  it('refuses a mangled cursor with an actionable sentence', () => {
    expect(() => decodeCursor('rows', 'not-a-cursor!!')).toThrow(
      /pass the cursor exactly as the previous reply gave it/,
    );
  });
});

describe('notices', () => {
  it('says what was shown, why, and how to get the rest', () => {
    const notice = truncationNotice({
      shown: 'lines 1-200 of 5,000',
      reason: 'the reply budget',
      next: 'call again with offset: 201',
    });
    expect(notice).toBe(
      '[Truncated: showing lines 1-200 of 5,000 (the reply budget). To get more, call again with offset: 201.]',
    );
  });

  it('formats byte counts for people', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(12_345)).toBe('12.3 KB');
    expect(formatBytes(4_500_000)).toBe('4.5 MB');
  });
});

describe('toToolError', () => {
  it('passes a typed error through as one sentence with isError', () => {
    const result = toToolError(new SandboxError('Access denied: "/etc" is outside the allowed directories.'));
    expect(result).toEqual({
      isError: true,
      content: [{ type: 'text', text: 'Access denied: "/etc" is outside the allowed directories.' }],
    });
  });

  it('hides the message and stack of an unexpected error and reports it to the log', () => {
    const reported: unknown[] = [];
    const result = toToolError(new Error('at /srv/secret/internal.ts:12'), (error) => reported.push(error));
    const text = (result.content[0] as { text: string }).text;
    expect(result.isError).toBe(true);
    expect(text).not.toContain('/srv/secret');
    expect(reported).toHaveLength(1);
  });

  it('maps an untranslated system error to a sentence without the server path', () => {
    const error = Object.assign(new Error("ENOENT: no such file or directory, open '/srv/data/x'"), { code: 'ENOENT' });
    const text = (toToolError(error).content[0] as { text: string }).text;
    expect(text).toMatch(/does not exist/);
    expect(text).not.toContain('/srv/data');
  });

  it.each(['ENXIO', 'EIO', 'EINVAL', 'EFBIG', 'EDQUOT', 'EOPNOTSUPP', 'ETXTBSY'])(
    'maps %s, which file operations on sockets, devices and odd file systems raise, to a sentence without the raw text',
    (code) => {
      const reported: unknown[] = [];
      const error = Object.assign(new Error(`${code}: failed, open '/proc/self/fd/7/secret-name'`), { code });
      const text = (toToolError(error, (unexpected) => reported.push(unexpected)).content[0] as { text: string }).text;
      expect(text).not.toContain('/proc');
      expect(text).not.toContain('secret-name');
      expect(text).not.toMatch(/internal error/);
      expect(reported).toHaveLength(0);
    },
  );

  it('reports cancellation as such', () => {
    const abort = new DOMException('aborted', 'AbortError');
    expect((toToolError(abort).content[0] as { text: string }).text).toMatch(/cancelled/);
  });
});

describe('boundResult', () => {
  it('leaves a reply within the budget untouched', () => {
    const result = { content: [{ type: 'text' as const, text: 'x'.repeat(1000) }] };
    expect(boundResult(result, 1000)).toBe(result);
  });

  it('cuts an oversized reply to the budget and says so', () => {
    const result = { content: [{ type: 'text' as const, text: 'x'.repeat(5_000_000) }] };
    const bounded = boundResult(result, 100_000);
    const total = bounded.content.reduce((sum, block) => sum + (block.type === 'text' ? utf8Length(block.text) : 0), 0);
    expect(total).toBeLessThan(101_000);
    expect(JSON.stringify(bounded)).toMatch(/Truncated: showing the first 100\.0 KB of 5\.0 MB/);
  });
});
