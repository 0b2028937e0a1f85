import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Client } from '@modelcontextprotocol/client';
import { ERAS, connectHttp, makeTempDir, spawnServer, startHttpServerProcess } from '@portico-mcp/shared/testing';
import type { HttpServerProcess, TempDir } from '@portico-mcp/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORTICO_ENTRY, call } from './helpers.js';

let temp: TempDir;
let http: HttpServerProcess;
beforeAll(async () => {
  temp = await makeTempDir('portico-fs-client-roots-');
  await mkdir(join(temp.path, 'project'));
  await writeFile(join(temp.path, 'project', 'inside.txt'), 'inside the root');
  await writeFile(join(temp.path, 'outside.txt'), 'outside the root');
  http = await startHttpServerProcess({ entry: PORTICO_ENTRY, args: [temp.path] });
});
afterAll(async () => {
  await http.stop();
  await temp.cleanup();
});

describe.each(['stdio', 'http'] as const)('client roots over %s', (transport) => {
  describe.each(ERAS)('%s era', (era) => {
    let client: Client;
    let asked = 0;
    beforeAll(async () => {
      const capabilities = { roots: { listChanged: true } };
      client =
        transport === 'stdio'
          ? (await spawnServer({ entry: PORTICO_ENTRY, args: [temp.path], era, capabilities })).client
          : await connectHttp(http.url, { era, capabilities });
      client.setRequestHandler('roots/list', () => {
        asked += 1;
        return { roots: [{ uri: pathToFileURL(join(temp.path, 'project')).href }] };
      });
    });
    afterAll(() => client.close());

    it('narrows the allowed directory to the root the client shares', async () => {
      expect((await call({ client }, 'read_text_file', { path: join(temp.path, 'project', 'inside.txt') })).text).toBe(
        'inside the root',
      );
      const outside = await call({ client }, 'read_text_file', { path: join(temp.path, 'outside.txt') });
      expect(outside.isError).toBe(true);
      expect(outside.text).toMatch(/outside/i);
      expect(asked).toBeGreaterThan(0);
    });

    it('lists the narrowed directories as the allowed ones', async () => {
      const { text } = await call({ client }, 'list_allowed_directories', {});
      expect(text).toContain(join(temp.path, 'project'));
      expect(text).not.toMatch(new RegExp(`${temp.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, 'm'));
    });
  });

  it.each(ERAS)('keeps the operator directories for a client that shares no roots (%s era)', async (era) => {
    const client =
      transport === 'stdio'
        ? (await spawnServer({ entry: PORTICO_ENTRY, args: [temp.path], era })).client
        : await connectHttp(http.url, { era });
    try {
      expect((await call({ client }, 'read_text_file', { path: join(temp.path, 'outside.txt') })).text).toBe(
        'outside the root',
      );
    } finally {
      await client.close();
    }
  });
});
