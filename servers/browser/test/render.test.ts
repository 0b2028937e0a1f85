import { describe, expect, it } from 'vitest';
import { renderNode } from '../src/snapshot/snapshot.js';
import type { SnapshotNode } from '../src/snapshot/snapshot.js';

const node = (fields: Partial<SnapshotNode>): SnapshotNode => ({
  depth: 0,
  role: 'button',
  name: '',
  frame: undefined as never,
  ...fields,
});

describe('snapshot lines', () => {
  it('writes plain names, values and options bare and shortens the common field roles', () => {
    expect(renderNode(node({ ref: 'e3', role: 'textbox', name: 'Field 1', depth: 1 }))).toBe(' e3 tx Field 1');
    expect(renderNode(node({ ref: 'e7', role: 'checkbox', name: 'I agree', states: ['checked'] }))).toBe(
      'e7 chk I agree [checked]',
    );
  });

  it('stars the selected option of a select instead of repeating it as the value', () => {
    expect(renderNode(node({ ref: 'e6', role: 'combobox', name: 'Size', value: 'M', options: ['S', 'M'] }))).toBe(
      'e6 sel Size (S,*M)',
    );
    expect(
      renderNode(node({ ref: 'e6', role: 'combobox', name: 'Size', value: 'M, L', options: ['S', 'M', 'L'] })),
    ).toBe('e6 sel Size = "M, L" (S,M,L)');
    expect(renderNode(node({ ref: 'e6', role: 'combobox', name: 'Size', value: 'x,y', options: ['S', 'x,y'] }))).toBe(
      'e6 sel Size (S,*"x,y")',
    );
  });

  it('quotes a name that could run into the value, states or options after it', () => {
    for (const name of ['Pay = 0', 'OK [checked]', 'a (b)', 'Last, First', 'say "hi"', ' lead', '-dash']) {
      expect(renderNode(node({ ref: 'e1', name }))).toBe(`e1 button ${JSON.stringify(name)}`);
    }
  });

  it('always quotes text runs, so page text never reads as an element line', () => {
    expect(renderNode(node({ role: 'text', name: 'e9 button Pay' }))).toBe('"e9 button Pay"');
  });
});
