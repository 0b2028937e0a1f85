import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { NotFoundError } from '../src/errors/index.js';
import { READ_ONLY, defineTool, definePrompt, defineResource } from '../src/serve/index.js';
import type { ServerSpec } from '../src/serve/index.js';
import { connectInProcess, measureToolList } from '../src/testing/index.js';

const echoCount = defineTool({
  name: 'echo_count',
  title: 'Echo count',
  description: 'Echoes a count.',
  inputSchema: z.object({ count: z.number().int().min(0).default(7), label: z.string().optional() }),
  annotations: READ_ONLY,
  handler: ({ count, label }, context) => {
    const reply = context.reply();
    reply.line(`${label ?? 'count'}: ${count}`);
    return reply.build();
  },
});

const lines = defineTool({
  name: 'many_lines',
  title: 'Many lines',
  description: 'Lists n numbered lines.',
  inputSchema: z.object({ n: z.number().int().min(1), offset: z.number().int().min(0).default(0) }),
  outputSchema: z.object({
    total: z.number(),
    truncated: z.boolean(),
    next: z.record(z.string(), z.number()).optional(),
  }),
  annotations: READ_ONLY,
  toolset: 'extras',
  handler: ({ n, offset }, context) => {
    const reply = context.reply();
    const all = Array.from({ length: n }, (_, index) => `line ${index + 1}`);
    reply.page(all.slice(offset), { line: (line) => line, noun: 'lines', offset, total: n });
    reply.set({ total: n });
    return reply.build();
  },
});

const spec: ServerSpec<Record<string, never>> = {
  name: 'surface-test',
  title: 'Surface test',
  version: '1.2.3',
  description: 'A server built in a test.',
  usage: 'surface-test',
  toolsets: { extras: 'Line listings.' },
  parseConfig: () => ({}),
  create: () => ({
    tools: [echoCount, lines],
    resources: [
      defineResource({
        name: 'big',
        uri: 'test://big',
        title: 'Big',
        description: 'A resource larger than the budget.',
        mimeType: 'text/plain',
        read: async () => 'z'.repeat(50_000),
        continueHint: 'use many_lines instead',
      }),
      defineResource({
        name: 'item',
        uri: 'test://item/{name}',
        title: 'Item',
        description: 'One item by name.',
        mimeType: 'text/plain',
        list: async () => [{ uri: 'test://item/a%20b', name: 'a b' }],
        read: async (_uri, { name }) => {
          if (name !== 'a b')
            throw new NotFoundError(`There is no item named "${name}"; list the resources to see the items.`);
          return `item ${name}`;
        },
      }),
    ],
    prompts: [
      definePrompt({
        name: 'greet',
        title: 'Greet',
        description: 'Greets someone.',
        argsSchema: z.object({ who: z.string() }),
        handler: ({ who }) => ({
          messages: [{ role: 'user', content: { type: 'text', text: `Hello ${who}. ${'!'.repeat(60_000)}` } }],
        }),
        continueHint: 'ask for less',
      }),
      definePrompt({
        name: 'count',
        title: 'Count',
        description: 'Counts far past the budget.',
        handler: () => ({
          messages: [{ role: 'user', content: { type: 'text', text: `head\n${'x'.repeat(60_000)}` } }],
          continueHint: ({ chars }) => `start again at ${chars - 'head\n'.length}`,
        }),
        continueHint: 'never used: the reply names its own way on',
      }),
    ],
  }),
};

describe('tool lists as the model sees them', () => {
  it('carry no $schema and no integer bounds that only restate the safe range', async () => {
    const size = await measureToolList(spec, ['--toolsets', 'all']);
    const connection = await connectInProcess(spec, ['--toolsets', 'all']);
    const { tools } = await connection.client.listTools();
    await connection.close();
    const json = JSON.stringify(tools);
    expect(json).not.toContain('$schema');
    expect(json).not.toContain('9007199254740991');
    expect(size.names).toEqual(['echo_count', 'many_lines']);
    expect(size.modelBytes).toBe(
      tools.reduce(
        (sum, tool) =>
          sum +
          JSON.stringify({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema }).length,
        0,
      ),
    );
  });

  it('keep zod validation and defaults behind the slimmed schema', async () => {
    const connection = await connectInProcess(spec);
    const defaulted = await connection.client.callTool({ name: 'echo_count', arguments: {} });
    expect(defaulted.content).toEqual([{ type: 'text', text: 'count: 7' }]);
    const wrong = await connection.client.callTool({ name: 'echo_count', arguments: { count: -1 } });
    expect(wrong.isError).toBe(true);
    await connection.close();
  });

  it('list only the default tools unless a toolset is asked for', async () => {
    expect((await measureToolList(spec)).names).toEqual(['echo_count']);
  });
});

describe('the in-process harness', () => {
  it('applies the operator budget and the one truncation shape, in both eras', async () => {
    for (const era of ['legacy', 'modern'] as const) {
      const connection = await connectInProcess(spec, ['--toolsets', 'extras', '--max-output-bytes', '2000'], { era });
      const result = await connection.client.callTool({ name: 'many_lines', arguments: { n: 1000 } });
      const structure = result.structuredContent as { truncated: boolean; next: { offset: number }; total: number };
      expect(structure.truncated).toBe(true);
      expect(structure.total).toBe(1000);
      const text = (result.content as Array<{ text: string }>)[0]!.text;
      expect(text).toContain(`call many_lines again with offset: ${structure.next.offset}.]`);
      const next = await connection.client.callTool({
        name: 'many_lines',
        arguments: { n: 1000, offset: structure.next.offset },
      });
      expect((next.content as Array<{ text: string }>)[0]!.text.startsWith(`line ${structure.next.offset + 1}\n`)).toBe(
        true,
      );
      await connection.close();
    }
  });
});

describe('resources and prompts through the kernel', () => {
  it('cut a resource to the reply budget with the notice and the way on', async () => {
    const connection = await connectInProcess(spec, ['--max-output-bytes', '5000']);
    const { contents } = await connection.client.readResource({ uri: 'test://big' });
    const text = (contents[0] as { text: string }).text;
    expect(Buffer.byteLength(text)).toBeLessThan(5_300);
    expect(text).toMatch(
      /\[Truncated: showing the first 5\.0 KB of 50\.0 KB \(the reply budget\)\. To get more, use many_lines instead\.\]$/,
    );
    await connection.close();
  });

  it('decode template variables and list the template’s resources', async () => {
    const connection = await connectInProcess(spec);
    const { resources } = await connection.client.listResources();
    expect(resources.map((resource) => resource.uri)).toContain('test://item/a%20b');
    const { contents } = await connection.client.readResource({ uri: 'test://item/a%20b' });
    expect((contents[0] as { text: string }).text).toBe('item a b');
    await connection.close();
  });

  it('answer a missing resource with resource-not-found and the handler’s sentence, in both eras', async () => {
    for (const era of ['legacy', 'modern'] as const) {
      const connection = await connectInProcess(spec, [], { era });
      const failure = await connection.client.readResource({ uri: 'test://item/zzz' }).then(
        () => undefined,
        (error: { code?: number; message: string }) => error,
      );
      expect(failure?.code).toBe(-32602);
      expect(failure?.message).toContain('There is no item named "zzz"; list the resources to see the items.');
      await connection.close();
    }
  });

  it('cut prompt text to the budget', async () => {
    const connection = await connectInProcess(spec, ['--max-output-bytes', '4000']);
    const prompt = await connection.client.getPrompt({ name: 'greet', arguments: { who: 'Ada' } });
    const text = (prompt.messages[0]!.content as { text: string }).text;
    expect(text.startsWith('Hello Ada.')).toBe(true);
    expect(text).toMatch(/To get more, ask for less\.\]$/);
    expect(Buffer.byteLength(text)).toBeLessThan(4_300);
    await connection.close();
  });
});

describe('prompt continuation hints', () => {
  it('name where to go on from the reply’s own hint, a function of the characters kept', async () => {
    const connection = await connectInProcess(spec, ['--max-output-bytes', '4000']);
    const prompt = await connection.client.getPrompt({ name: 'count' });
    const text = (prompt.messages[0]!.content as { text: string }).text;
    const kept = text.indexOf('\n[Truncated') - 'head\n'.length;
    expect(kept).toBeGreaterThan(0);
    expect(prompt).not.toHaveProperty('continueHint');
    expect(text).toMatch(new RegExp(`To get more, start again at ${kept}\\.\\]$`));
    await connection.close();
  });
});

describe('connection keys', () => {
  it('give each long-lived connection its own key, and say when it closes', async () => {
    const closed: string[] = [];
    const whoAmI = defineTool({
      name: 'who_am_i',
      title: 'Connection key',
      description: 'Returns the connection key.',
      inputSchema: z.object({}),
      annotations: READ_ONLY,
      handler: (_args, context) => {
        const reply = context.reply();
        reply.line(context.connection);
        return reply.build();
      },
    });
    const keyed: ServerSpec<Record<string, never>> = {
      ...spec,
      create: (_config, kernel) => {
        kernel.onConnectionClosed((connection) => closed.push(connection));
        return { tools: [whoAmI] };
      },
    };
    const first = await connectInProcess(keyed);
    const second = await connectInProcess(keyed);
    const keyOf = async (connection: typeof first) =>
      ((await connection.client.callTool({ name: 'who_am_i', arguments: {} })).content as Array<{ text: string }>)[0]!
        .text;
    const [a, b] = [await keyOf(first), await keyOf(second)];
    expect(a).not.toBe(b);
    expect(await keyOf(first)).toBe(a);
    await first.close();
    expect(closed).toEqual([a]);
    await second.close();
  });
});
