import { describe, expect, it } from 'vitest';
import { displayUrl } from '../src/net/index.js';

describe('displayUrl', () => {
  it('drops the credentials of a URL, given as text or parsed', () => {
    expect(displayUrl('https://user:secret@example.com/a?b=1')).toBe('https://example.com/a?b=1');
    expect(displayUrl(new URL('https://user:secret@example.com/'))).toBe('https://example.com/');
  });

  it('shows at most 200 characters, ending a longer URL with an ellipsis', () => {
    const shown = displayUrl(`https://example.com/${'a'.repeat(500)}`);
    expect(shown).toHaveLength(201);
    expect(shown.endsWith('…')).toBe(true);
  });

  it('shows text that is no URL as it is, cut to the same length', () => {
    expect(displayUrl('not a url')).toBe('not a url');
    expect(displayUrl('x'.repeat(300))).toBe(`${'x'.repeat(200)}…`);
  });
});
