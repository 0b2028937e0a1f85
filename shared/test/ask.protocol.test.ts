import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, describe, expect, it } from 'vitest';
import { StateSigner, callBinding } from '../src/serve/index.js';
import { ERAS, connectHttp, resultText, spawnServer, startHttpServerProcess } from '../src/testing/index.js';
import type { ClientCapabilities, Era, HttpServerProcess } from '../src/testing/index.js';

const entry = fileURLToPath(new URL('../dist-fixtures/kernel-server/index.js', import.meta.url));
const STATE_KEY = 'portico-test-state-key-0123456789abcdef';
const TRANSPORTS = ['stdio', 'http'] as const;
type Transport = (typeof TRANSPORTS)[number];

const ELICITATION: ClientCapabilities = { elicitation: { form: {} } };

/** Servers started once per transport and argument set, shared by the tests that use them. */
const httpServers = new Map<string, Promise<HttpServerProcess>>();
function httpServer(
  args: string[],
  env: Record<string, string> = { PORTICO_STATE_KEY: STATE_KEY },
): Promise<HttpServerProcess> {
  const key = JSON.stringify([args, env]);
  let server = httpServers.get(key);
  if (!server) {
    server = startHttpServerProcess({ entry, args: ['--conformance', ...args], env });
    httpServers.set(key, server);
  }
  return server;
}
afterAll(async () => {
  for (const server of httpServers.values()) await (await server).stop();
});

const opened: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of opened) await close();
});

/** A client of the fixture over a transport, in an era, with the capabilities and answers given. */
async function connect(
  transport: Transport,
  era: Era,
  options: { args?: string[]; capabilities?: ClientCapabilities; autoFulfill?: boolean } = {},
): Promise<Client> {
  const args = options.args ?? [];
  let client: Client;
  if (transport === 'stdio') {
    const server = await spawnServer({
      entry,
      era,
      args: ['--conformance', ...args],
      env: { PORTICO_STATE_KEY: STATE_KEY },
      ...(options.capabilities ? { capabilities: options.capabilities } : {}),
      ...(options.autoFulfill === false ? { autoFulfill: false } : {}),
    });
    client = server.client;
  } else {
    const server = await httpServer(args);
    client = await connectHttp(server.url, {
      era,
      ...(options.capabilities ? { capabilities: options.capabilities } : {}),
      ...(options.autoFulfill === false ? { autoFulfill: false } : {}),
    });
  }
  opened.push(() => client.close());
  return client;
}

/** Answers every form with `content`, and counts the forms shown. */
function answerForms(
  client: Client,
  answer: (message: string) => {
    action: 'accept' | 'decline' | 'cancel';
    content?: Record<string, string | number | boolean | string[]>;
  },
): { asked: string[] } {
  const asked: string[] = [];
  client.setRequestHandler('elicitation/create', (request) => {
    asked.push(request.params.message);
    return answer(request.params.message);
  });
  return { asked };
}

describe.each(TRANSPORTS)('ctx.ask over %s', (transport) => {
  describe.each(ERAS)('%s era', (era) => {
    it('asks the user with a form and hands the answer to the handler', async () => {
      const client = await connect(transport, era, { capabilities: ELICITATION });
      const forms = answerForms(client, () => ({ action: 'accept', content: { name: 'Alice' } }));
      const result = await client.callTool({ name: 'test_input_required_result_elicitation', arguments: {} });
      expect(resultText(result)).toBe('Hello, Alice!');
      expect(forms.asked).toEqual(['What is your name?']);
    });

    it('asks in two rounds and keeps the first answer until the second arrives', async () => {
      const client = await connect(transport, era, { capabilities: ELICITATION });
      const forms = answerForms(client, (message) => ({
        action: 'accept',
        content: (message.startsWith('Step 1') ? { name: 'Bob' } : { color: 'blue' }) as Record<string, string>,
      }));
      const result = await client.callTool({ name: 'test_input_required_result_multi_round', arguments: {} });
      expect(resultText(result)).toBe('Bob likes blue.');
      // Each question is put to the user once, although the 2026 era runs the handler three times.
      expect(forms.asked).toEqual(['Step 1: What is your name?', 'Step 2: What is your favorite color?']);
    });

    it('says what is missing when the client cannot show a form', async () => {
      const client = await connect(transport, era);
      if (era === 'legacy') {
        const result = await client.callTool({ name: 'test_input_required_result_elicitation', arguments: {} });
        expect(result.isError).toBe(true);
        expect(resultText(result)).toMatch(/declare the elicitation capability/);
      } else {
        // The 2026-07-28 era's own answer to an input request the client cannot take: -32021.
        await expect(
          client.callTool({ name: 'test_input_required_result_elicitation', arguments: {} }),
        ).rejects.toMatchObject({ code: -32021 });
      }
    });

    describe('--confirm-destructive', () => {
      it('runs a destructive tool once the user confirms, after showing what it will do', async () => {
        const client = await connect(transport, era, { args: ['--confirm-destructive'], capabilities: ELICITATION });
        const forms = answerForms(client, () => ({ action: 'accept', content: { confirm: true } }));
        const result = await client.callTool({
          name: 'test_destroy',
          arguments: { thing: `vase-${transport}-${era}` },
        });
        expect(result.isError).toBeFalsy();
        expect(resultText(result)).toMatch(
          new RegExp(`^Destroyed vase-${transport}-${era}; \\d+ destroyed so far\\.$`),
        );
        expect(forms.asked).toEqual([`Destroy vase-${transport}-${era}. Go ahead? (test_destroy)`]);
      });

      it.each(['decline', 'cancel'] as const)('does nothing when the user answers %s, and says so', async (action) => {
        const client = await connect(transport, era, { args: ['--confirm-destructive'], capabilities: ELICITATION });
        let confirm = false;
        answerForms(client, () => (confirm ? { action: 'accept', content: { confirm: true } } : { action }));
        const refused = await client.callTool({ name: 'test_destroy', arguments: { thing: 'cup' } });
        expect(refused.isError).toBe(true);
        expect(resultText(refused)).toMatch(
          /^Nothing was done: the user (declined|cancelled the confirmation) \(Destroy cup\)/,
        );
        // The count proves the refused call never ran: the next destruction is one more than the one before.
        confirm = true;
        const first = Number(
          /(\d+) destroyed/.exec(
            resultText(await client.callTool({ name: 'test_destroy', arguments: { thing: 'cup' } })),
          )![1],
        );
        const second = Number(
          /(\d+) destroyed/.exec(
            resultText(await client.callTool({ name: 'test_destroy', arguments: { thing: 'cup' } })),
          )![1],
        );
        expect(second).toBe(first + 1);
      });

      it('also counts a form accepted with "no" as declined', async () => {
        const client = await connect(transport, era, { args: ['--confirm-destructive'], capabilities: ELICITATION });
        answerForms(client, () => ({ action: 'accept', content: { confirm: false } }));
        const result = await client.callTool({ name: 'test_destroy', arguments: { thing: 'plate' } });
        expect(result.isError).toBe(true);
        expect(resultText(result)).toMatch(/^Nothing was done: the user declined/);
      });

      it('refuses a destructive tool, rather than running it unasked, when the client cannot confirm', async () => {
        const client = await connect(transport, era, { args: ['--confirm-destructive'] });
        if (era === 'legacy') {
          const result = await client.callTool({ name: 'test_destroy', arguments: { thing: 'bowl' } });
          expect(result.isError).toBe(true);
          expect(resultText(result)).toMatch(/declare the elicitation capability/);
        } else {
          await expect(client.callTool({ name: 'test_destroy', arguments: { thing: 'bowl' } })).rejects.toMatchObject({
            code: -32021,
          });
        }
      });

      it('asks nothing before tools that destroy nothing', async () => {
        const client = await connect(transport, era, { args: ['--confirm-destructive'], capabilities: ELICITATION });
        const forms = answerForms(client, () => ({ action: 'decline' }));
        expect(resultText(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('hi');
        expect(forms.asked).toEqual([]);
      });
    });
  });

  describe('requestState in the 2026-07-28 era', () => {
    /** The first round of a call, left unanswered. */
    async function firstRound(client: Client, name: string, args: Record<string, unknown>) {
      const result = (await client.callTool({ name, arguments: args }, {
        allowInputRequired: true,
      } as never)) as unknown as {
        resultType?: string;
        requestState?: string;
        inputRequests?: Record<string, unknown>;
      };
      expect(result.resultType).toBe('input_required');
      expect(typeof result.requestState).toBe('string');
      return result;
    }
    const retry = (
      client: Client,
      name: string,
      args: Record<string, unknown>,
      requestState: string,
      inputResponses: Record<string, unknown>,
    ) => client.callTool({ name, arguments: args, requestState, inputResponses } as never);

    it('refuses a tampered state with the protocol error', async () => {
      const client = await connect(transport, 'modern', { capabilities: ELICITATION, autoFulfill: false });
      const round = await firstRound(client, 'test_input_required_result_multi_round', {});
      const tampered = `${round.requestState!.slice(0, -2)}${round.requestState!.endsWith('A') ? 'B' : 'A'}${round.requestState!.slice(-1)}`;
      await expect(
        retry(client, 'test_input_required_result_multi_round', {}, tampered, {
          step1: { action: 'accept', content: { name: 'Eve' } },
        }),
      ).rejects.toMatchObject({
        code: -32602,
      });
    });

    it('refuses an expired state with the protocol error', async () => {
      const client = await connect(transport, 'modern', { capabilities: ELICITATION, autoFulfill: false });
      // Minted with the server's own key, so only the expiry is wrong.
      const expired = new StateSigner(STATE_KEY).seal({
        binding: callBinding('test_destroy', { thing: 'x' }),
        expires: Date.now() - 1000,
        answers: {},
      });
      await expect(retry(client, 'test_destroy', { thing: 'x' }, expired, {})).rejects.toMatchObject({ code: -32602 });
    });

    it('refuses a state replayed for other arguments or another tool', async () => {
      const client = await connect(transport, 'modern', {
        args: ['--confirm-destructive'],
        capabilities: ELICITATION,
        autoFulfill: false,
      });
      // A confirmation gathered for destroying a cup must not let the same state destroy a car.
      const signer = new StateSigner(STATE_KEY);
      const confirmed = signer.seal({
        binding: callBinding('test_destroy', { thing: 'cup' }),
        expires: Date.now() + 60_000,
        answers: { portico_confirm: { confirmed: true, action: 'accept' } },
      });
      for (const [name, args] of [
        ['test_destroy', { thing: 'car' }],
        ['test_input_required_result_elicitation', {}],
      ] as const) {
        const result = await retry(client, name, args, confirmed, {});
        expect(result.isError).toBe(true);
        expect(resultText(result)).toMatch(/was issued for a different call/);
      }
      const same = await retry(client, 'test_destroy', { thing: 'cup' }, confirmed, {});
      expect(resultText(same)).toMatch(/^Destroyed cup;/);
    });
  });
});

describe('replicas sharing PORTICO_STATE_KEY', () => {
  it("accept each other's requestState, and a replica with another key refuses it", async () => {
    const one = await httpServer([], { PORTICO_STATE_KEY: STATE_KEY });
    const two = await httpServer(['--max-output-bytes', '50000'], { PORTICO_STATE_KEY: STATE_KEY });
    const stranger = await httpServer([], { PORTICO_STATE_KEY: `${STATE_KEY}-other` });
    const [a, b, c] = await Promise.all(
      [one, two, stranger].map((server) =>
        connectHttp(server.url, { era: 'modern', capabilities: ELICITATION, autoFulfill: false }),
      ),
    );
    try {
      const first = (await a!.callTool(
        { name: 'test_input_required_result_multi_round', arguments: {} },
        { allowInputRequired: true },
      )) as unknown as { requestState: string };
      const answer = { step1: { action: 'accept', content: { name: 'Rae' } } };
      const second = (await b!.callTool(
        {
          name: 'test_input_required_result_multi_round',
          arguments: {},
          requestState: first.requestState,
          inputResponses: answer,
        } as never,
        { allowInputRequired: true },
      )) as unknown as { resultType?: string; requestState: string };
      expect(second.resultType).toBe('input_required');
      const done = await a!.callTool({
        name: 'test_input_required_result_multi_round',
        arguments: {},
        requestState: second.requestState,
        inputResponses: { step2: { action: 'accept', content: { color: 'red' } } },
      } as never);
      expect(resultText(done)).toBe('Rae likes red.');
      await expect(
        c!.callTool({
          name: 'test_input_required_result_multi_round',
          arguments: {},
          requestState: first.requestState,
          inputResponses: answer,
        } as never),
      ).rejects.toMatchObject({ code: -32602 });
    } finally {
      await Promise.all([a, b, c].map((client) => client!.close()));
    }
  });
});
