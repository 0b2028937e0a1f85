// Attack cases for conversion: decompression bombs, pages built to be slow to convert, and the worker
// threads that keep such a page from stalling the server.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultText, spawnServer } from '@portico-mcp/shared/testing';
import type { SpawnedServer } from '@portico-mcp/shared/testing';
import { deflatedSpaces, inflatedSize, nestedHtml, pdfWithContentStreams, wideHtml } from './fixtures/hostile.js';
import { startSite } from './fixtures/site.js';
import type { Site } from './fixtures/site.js';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const MB = 1_000_000;

let site: Site;
let bombStream: Buffer;
let bomb: Buffer;
// Seconds of conversion work even with every bound in place: only the deadline or cancellation ends it sooner.
const wide = wideHtml(8 * MB);

beforeAll(async () => {
  bombStream = await deflatedSpaces(1024 * MB);
  bomb = pdfWithContentStreams([{ filters: ['FlateDecode'], data: bombStream }]);
  const send = (body: string | Buffer, type: string) => (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  site = await startSite({
    '/bomb.pdf': send(bomb, 'application/pdf'),
    '/deep': send(nestedHtml(2500), 'text/html; charset=utf-8'),
    '/wide': send(wide, 'text/html; charset=utf-8'),
  });
}, 60_000);
afterAll(async () => {
  await site.close();
});

/** A promise and the function that settles it. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

async function call(server: SpawnedServer, args: Record<string, unknown>, options?: { signal?: AbortSignal }) {
  const result = await server.client.callTool({ name: 'fetch', arguments: args }, options);
  return { text: resultText(result), isError: result.isError === true };
}

describe('conversion limits over stdio', () => {
  let server: SpawnedServer;
  beforeAll(async () => {
    server = await spawnServer({ entry, args: ['--allow-hosts', '127.0.0.1'] });
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses a 1 MB PDF whose content stream inflates to 1 GB, at the decode limit, and keeps answering', async () => {
    expect(bomb.length).toBeLessThan(2 * MB);
    expect(await inflatedSize(bombStream)).toBe(1024 * MB);
    const result = await call(server, { url: `${site.url}/bomb.pdf` });
    expect(result.isError).toBe(true);
    expect(result.text).toBe(
      "The PDF's compressed streams expand to more than 256,000,000 bytes when decoded (a decompression bomb, or a document too large to read); the operator can raise --max-decompressed-bytes.",
    );
    const after = await call(server, { url: `${site.url}/article` });
    expect(after.isError).toBe(false);
  }, 30_000);

  it('converts 2,500 nested <div> (which took Readability over 40 s) within the default test time, text intact', async () => {
    const result = await call(server, { url: `${site.url}/deep`, max_length: 100_000 });
    expect(result.isError).toBe(false);
    expect(result.text).toContain('bottom');
  });

  it('answers a second call promptly while a hostile page converts, and ends the hostile one at its timeout with a tool error', async () => {
    const converting = signal();
    const hostile = server.client
      .callTool(
        { name: 'fetch', arguments: { url: `${site.url}/wide`, timeout_seconds: 6 } },
        { onprogress: (update) => /converting/.test(update.message ?? '') && converting.resolve() },
      )
      .then((result) => ({ text: resultText(result), isError: result.isError === true }));
    let hostileDone = false;
    void hostile.then(() => (hostileDone = true));
    await converting.promise;
    const quick = await call(server, { url: `${site.url}/article?quick` });
    expect(quick.isError).toBe(false);
    expect(quick.text).toContain('# Caching at the Edge');
    expect(hostileDone).toBe(false);
    expect(await hostile).toEqual({
      isError: true,
      text: `${site.url}/wide could not be converted within 6 s, the time limit of the whole request; try raw: true for the source as sent, or a larger timeout_seconds if the operator's --timeout allows.`,
    });
  }, 40_000);

  it('ends a cancelled conversion: cancelling both busy conversion threads frees them for the next call', async () => {
    const controllers = [new AbortController(), new AbortController()];
    const converting = controllers.map(() => signal());
    const hostile = controllers.map((controller, index) =>
      server.client
        .callTool(
          { name: 'fetch', arguments: { url: `${site.url}/wide?cancel=${index}`, timeout_seconds: 60 } },
          {
            signal: controller.signal,
            onprogress: (update) => {
              if (/converting/.test(update.message ?? '')) converting[index]!.resolve();
            },
          },
        )
        .catch((error: unknown) => error),
    );
    // Both threads are converting (the worker reported it) before the calls are cancelled.
    await Promise.all(converting.map((signal) => signal.promise));
    for (const controller of controllers) controller.abort();
    await Promise.all(hostile);
    // Without ending the threads, this call would wait many seconds for one of them to finish.
    const next = await call(server, { url: `${site.url}/article?after-cancel` });
    expect(next.isError).toBe(false);
  }, 30_000);
});

describe('conversion memory limit', () => {
  let server: SpawnedServer;
  beforeAll(async () => {
    server = await spawnServer({ entry, args: ['--allow-hosts', '127.0.0.1', '--max-conversion-memory', '64'] });
  });
  afterAll(async () => {
    await server.close();
  });

  it('ends a conversion that passes --max-conversion-memory with a tool error, and the next call still converts', async () => {
    const result = await call(server, { url: `${site.url}/wide` });
    expect(result).toEqual({
      isError: true,
      text: `Converting ${site.url}/wide needed more than the 64 MB of memory a conversion may use; try raw: true, or the operator can raise --max-conversion-memory.`,
    });
    const next = await call(server, { url: `${site.url}/article` });
    expect(next.isError).toBe(false);
  }, 30_000);
});
