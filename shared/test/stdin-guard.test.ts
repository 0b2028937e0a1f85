import { describe, expect, it } from 'vitest';
import { MessageSizeFramer, oversizeErrorLine } from '../src/serve/index.js';

describe('MessageSizeFramer', () => {
  const limit = 100;
  it('passes messages under the limit through whole, even when split across chunks', () => {
    const framer = new MessageSizeFramer(limit);
    expect(framer.push(Buffer.from('{"a":')).forward).toEqual([]);
    const { forward: out, dropped } = framer.push(Buffer.from('1}\n{"b":2}\n'));
    expect(out.map(String)).toEqual(['{"a":1}\n', '{"b":2}\n']);
    expect(dropped).toEqual([]);
  });

  it('drops an oversized message and finds its id at the end, where the SDK client writes it', () => {
    const framer = new MessageSizeFramer(limit);
    const big = `{"method":"tools/call","params":{"content":"${'x'.repeat(500)}","id":99},"jsonrpc":"2.0","id":7}\n{"ok":1}\n`;
    const { forward: out, dropped } = framer.push(Buffer.from(big));
    expect(out.map(String)).toEqual(['{"ok":1}\n']);
    expect(dropped).toEqual([{ id: 7, method: 'tools/call', bytes: big.indexOf('\n') + 1 }]);
  });

  it('finds an id written first, as other clients do', () => {
    const framer = new MessageSizeFramer(limit);
    const { dropped } = framer.push(
      Buffer.from(`{"jsonrpc":"2.0","id":"req-1","method":"x","params":{"y":"${'z'.repeat(500)}"}}\n`),
    );
    expect(dropped[0]?.id).toBe('req-1');
  });

  it('answers with a JSON-RPC error carrying the id', () => {
    const line = oversizeErrorLine(
      { id: 7, method: 'tools/call', bytes: 12 * 1024 * 1024 },
      10 * 1024 * 1024,
      'write it in parts',
    );
    const parsed = JSON.parse(line) as { id: number; error: { code: number; message: string } };
    expect(parsed.id).toBe(7);
    expect(parsed.error.code).toBe(-32600);
    expect(parsed.error.message).toMatch(/12\.0 MiB.*10\.0 MiB.*; write it in parts\.$/);
  });
});
