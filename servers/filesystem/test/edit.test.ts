import { describe, expect, it } from 'vitest';
import { applyEdits, closestRegion, normalizeLayout, reindent, restoreLayout } from '../src/lib/edit.js';

describe('applyEdits', () => {
  it('replaces a unique exact match', () => {
    const result = applyEdits('a\nb\nc\n', [{ oldText: 'b', newText: 'B' }], 'f');
    expect(result.content).toBe('a\nB\nc\n');
    expect(result.replacements).toEqual([1]);
  });

  it('refuses an oldText that matches more than once, naming the lines', () => {
    expect(() => applyEdits('x = 1\ny = 2\nx = 1\n', [{ oldText: 'x = 1', newText: 'x = 3' }], 'f')).toThrow(
      /matches 2 places \(lines 1, 3\).*replaceAll: true/,
    );
  });

  it('replaces every match when replaceAll is true', () => {
    const result = applyEdits('x = 1\ny = 2\nx = 1\n', [{ oldText: 'x = 1', newText: 'x = 3', replaceAll: true }], 'f');
    expect(result.content).toBe('x = 3\ny = 2\nx = 3\n');
    expect(result.replacements).toEqual([2]);
  });

  it('does not treat $ patterns in newText specially', () => {
    expect(applyEdits('price\n', [{ oldText: 'price', newText: "$& $1 $$ $'" }], 'f').content).toBe("$& $1 $$ $'\n");
  });

  it('applies edits in order, each seeing the previous result', () => {
    const result = applyEdits(
      'one\n',
      [
        { oldText: 'one', newText: 'two' },
        { oldText: 'two', newText: 'three' },
      ],
      'f',
    );
    expect(result.content).toBe('three\n');
  });

  it('refuses an empty oldText', () => {
    expect(() => applyEdits('a\n', [{ oldText: '', newText: 'x' }], 'f')).toThrow(/empty oldText/);
  });

  it('re-indents a whitespace-tolerant match to the file, keeping nested indentation', () => {
    const file = 'class A {\n    method() {\n        if (x) {\n            y();\n        }\n    }\n}\n';
    const result = applyEdits(
      file,
      [{ oldText: 'if (x) {\n    y();\n}', newText: 'if (x) {\n    z();\n    if (w) {\n        v();\n    }\n}' }],
      'f',
    );
    expect(result.tolerant).toEqual([true]);
    expect(result.content).toBe(
      'class A {\n    method() {\n        if (x) {\n            z();\n            if (w) {\n                v();\n            }\n        }\n    }\n}\n',
    );
  });

  it('refuses an ambiguous whitespace-tolerant match too', () => {
    const file = '  a();\n  b();\n\n    a();\n    b();\n';
    expect(() => applyEdits(file, [{ oldText: 'a();\nb();', newText: 'c();' }], 'f')).toThrow(
      /matches 2 places \(lines 1, 4\)/,
    );
  });

  it('shows the closest region when oldText is not found', () => {
    const file = 'function add(a, b) {\n  return a + b;\n}\n\nfunction sub(a, b) {\n  return a - b;\n}\n';
    expect(() => applyEdits(file, [{ oldText: 'function sub(a, b) {\n  return a + b;\n}', newText: '' }], 'f')).toThrow(
      /closest region is lines 5–7[\s\S]*5\| function sub\(a, b\) \{[\s\S]*offset: 5, limit: 3/,
    );
  });
});

describe('closestRegion', () => {
  it('finds nothing in an empty file', () => {
    expect(closestRegion([], ['x'])).toBeUndefined();
  });
});

describe('reindent', () => {
  it('outdents lines that are less indented than the old base', () => {
    expect(reindent(['    a', '  b', ''], '    ', '        ')).toEqual(['        a', '      b', '']);
  });
});

describe('layout', () => {
  it('round-trips CRLF line endings and a BOM', () => {
    const raw = '\ufeffone\r\ntwo\r\n';
    const { text, layout } = normalizeLayout(raw);
    expect(text).toBe('one\ntwo\n');
    expect(layout).toEqual({ bom: true, eol: '\r\n' });
    expect(restoreLayout(text.replace('two', 'three'), layout)).toBe('\ufeffone\r\nthree\r\n');
  });

  it('keeps LF files as LF', () => {
    expect(normalizeLayout('a\nb\n').layout).toEqual({ bom: false, eol: '\n' });
  });
});
