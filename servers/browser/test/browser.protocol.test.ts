import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERAS, resultText, spawnServer } from '@portico-mcp/shared/testing';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe.each(ERAS)('the built server over stdio (%s era)', (era) => {
  it('lists its tool and answers a call', async () => {
    const server = await spawnServer({ entry, era });
    try {
      const { tools } = await server.client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(['browser_hello']);
      const result = await server.client.callTool({ name: 'browser_hello', arguments: { names: ['Ada', 'Grace'] } });
      expect(resultText(result)).toBe('Hello, Ada!\nHello, Grace!');
      expect(result.structuredContent).toEqual({ greeted: 2, truncated: false });
    } finally {
      await server.close();
    }
  });
});
