import { basename, join } from 'node:path';
import * as z from 'zod';
import { InvalidArgumentError } from '@portico-mcp/shared/errors';
import { TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import { READ_ONLY, WRITE, defineTool, withHints } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import type { Cap } from '../config.js';
import type { BrowserHost } from '../browser/session.js';
import { resolveTarget } from '../browser/target.js';
import { actionFailure, current, runAction, TARGET_SHAPE, UNTRUSTED } from './common.js';

/** The tools of the opt-in capabilities the operator granted with --caps; none without them. */
export function capTools(host: BrowserHost, caps: ReadonlySet<Cap>): AnyToolDefinition[] {
  const tools: AnyToolDefinition[] = [];

  if (caps.has('evaluate')) {
    tools.push(
      defineTool({
        name: 'browser_evaluate',
        title: 'Evaluate JavaScript',
        description:
          'Runs a JavaScript function in the page, e.g. "() => document.title", or "(el) => el.value" with ref; replies with its JSON result.',
        inputSchema: z.object({ function: z.string().min(1).max(100_000), ...TARGET_SHAPE }),
        outputSchema: z.object({ ...TRUNCATION_SHAPE }),
        annotations: withHints(WRITE, { openWorldHint: true }),
        handler: async ({ function: source, ref, selector }, context) => {
          const { tab } = await current(host, context);
          const element =
            ref !== undefined || selector !== undefined ? await resolveTarget(tab, { ref, selector }) : undefined;
          const frame = element?.handle.frame ?? tab.page.mainFrame();
          let fn;
          try {
            fn = await frame.evaluateHandle(`(${source})`);
          } catch (error) {
            throw new InvalidArgumentError(
              `The function does not compile in the page: ${((error as Error).message.split('\n')[0] ?? '').slice(0, 200)}`,
            );
          }
          let value: unknown;
          try {
            value = await frame.evaluate(
              async (f, el) => {
                const result = await (f as (node?: unknown) => unknown)(el ?? undefined);
                return JSON.stringify(result === undefined ? null : result);
              },
              fn,
              element?.handle ?? null,
            );
          } catch (error) {
            throw new InvalidArgumentError(
              `The function threw in the page: ${((error as Error).message.split('\n')[0] ?? '').slice(0, 300)}`,
            );
          } finally {
            await fn.dispose().catch(() => undefined);
          }
          const reply = context.reply();
          reply.header(UNTRUSTED);
          const text = typeof value === 'string' ? value : 'null';
          const taken = reply.text(text);
          if (taken.consumedChars < text.length)
            reply.cut({
              shown: `the first ${taken.consumedChars} characters of the result`,
              reason: 'the reply budget',
              alternative: 'return less from the function',
            });
          return reply.build({ structured: true });
        },
      }),
    );
  }

  if (caps.has('network')) {
    tools.push(
      defineTool({
        name: 'browser_network_requests',
        title: 'Network requests',
        description:
          'Requests of the current tab, oldest first: method, URL, status, and the start of text response bodies (bodies: true).',
        inputSchema: z.object({
          offset: z.number().int().min(0).optional(),
          bodies: z.boolean().optional(),
          filter: z.string().max(500).optional().describe('Only URLs containing this'),
        }),
        outputSchema: z.object({ total: z.number(), ...TRUNCATION_SHAPE }),
        annotations: READ_ONLY,
        handler: async ({ offset = 0, bodies, filter }, context) => {
          const { tab } = await current(host, context);
          const entries =
            filter === undefined ? tab.network : tab.network.filter((entry) => entry.url.includes(filter));
          const reply = context.reply();
          reply.header(UNTRUSTED);
          if (tab.networkDropped > 0) reply.always(`(${tab.networkDropped} older requests were dropped.)`);
          if (entries.length === 0) reply.always('No requests recorded.');
          reply.page(entries.slice(offset), {
            line: (entry) => {
              const head = `${entry.method} ${entry.url.slice(0, 500)} ${entry.status ?? entry.failure ?? 'pending'} ${entry.type}`;
              return bodies && entry.body !== undefined
                ? `${head}\n  body (${entry.bodyBytes} bytes): ${JSON.stringify(entry.body)}`
                : head;
            },
            noun: 'requests',
            offset,
            total: entries.length,
          });
          reply.set({ total: entries.length });
          return reply.build();
        },
      }),
    );
  }

  if (caps.has('upload')) {
    tools.push(
      defineTool({
        name: 'browser_upload_file',
        title: 'Upload file',
        description: 'Sets the files of a file input (paths inside the allowed directories).',
        inputSchema: z.object({ ...TARGET_SHAPE, paths: z.array(z.string().min(1).max(4096)).min(1).max(20) }),
        outputSchema: z.object({ url: z.string(), ...TRUNCATION_SHAPE }),
        annotations: withHints(WRITE, { openWorldHint: true }),
        handler: async ({ ref, selector, paths }, context) => {
          const real: string[] = [];
          for (const path of paths) real.push(await host.sandbox.resolveInside(path, { mustExist: true }));
          return runAction(host, context, { ref, selector }, async (_tab, element) => {
            const isFileInput = await element!.handle.evaluate(
              (node) =>
                (node as unknown as { tagName: string; type?: string }).tagName === 'INPUT' &&
                (node as unknown as { type: string }).type === 'file',
            );
            if (!isFileInput)
              throw new InvalidArgumentError(
                `${element!.label} is not a file input; pick the input[type=file] (browser_snapshot shows it as a button).`,
              );
            try {
              await (element!.handle as unknown as { uploadFile(...files: string[]): Promise<void> }).uploadFile(
                ...real,
              );
            } catch (error) {
              throw actionFailure(error, element!.label);
            }
            return `Set ${real.length} file${real.length === 1 ? '' : 's'} (${real.map((path) => basename(path)).join(', ')}) on ${element!.label}.`;
          });
        },
      }),
    );
  }

  if (caps.has('pdf')) {
    tools.push(
      defineTool({
        name: 'browser_pdf_save',
        title: 'Save as PDF',
        description: 'Saves the current page as a PDF file in the output directory.',
        inputSchema: z.object({ filename: z.string().min(1).max(200).optional() }),
        outputSchema: z.object({ path: z.string(), bytes: z.number(), ...TRUNCATION_SHAPE }),
        annotations: withHints(WRITE, { openWorldHint: false }),
        handler: async ({ filename }, context) => {
          const { tab } = await current(host, context);
          const name = (filename ?? `page-${Date.now()}.pdf`).replace(/[\u0000-\u001f<>:"/\\|?*]/g, '_');
          const wanted = name.toLowerCase().endsWith('.pdf') ? name : `${name}.pdf`;
          const target = await host.sandbox.resolveInside(join(host.config.outputDir, wanted));
          const data = await tab.page.pdf({ path: target, printBackground: true });
          const reply = context.reply();
          reply.always(`Saved the page as ${target} (${data.byteLength} bytes).`);
          reply.set({ path: target, bytes: data.byteLength });
          return reply.build();
        },
      }),
    );
  }
  return tools;
}
