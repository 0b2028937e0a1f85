// The archived reference server's tools (@modelcontextprotocol/server-puppeteer 2025.5.12) under their own
// names and arguments, as the opt-in `puppeteer` toolset, so that prompts and agents written for it work
// unchanged. They run on the same sessions, tabs, targets and after-action reports as the browser_* tools.
// One difference is on purpose: the reference launched Chromium with options from a tool argument
// (launchOptions.executablePath runs any program); here they are accepted and ignored, and the reply says so.
import * as z from 'zod';
import { InvalidArgumentError, NotFoundError } from '@portico-mcp/shared/errors';
import { TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import { READ_ONLY, WRITE, defineResource, defineTool, withHints } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition, Kernel, ResourceDefinition, ToolContext } from '@portico-mcp/shared/serve';
import type { Cap } from '../config.js';
import type { BrowserHost } from '../browser/session.js';
import { coreTools } from './core.js';
import { actionFailure, current, runAction, UNTRUSTED } from './common.js';
import { screenshot } from './screenshot.js';

/** The toolset's name and its line in --help. */
export const PUPPETEER_TOOLSET = {
  puppeteer: 'The archived reference server’s puppeteer_* tools and its console and screenshot resources',
} as const;

const TOOLSET = 'puppeteer';
/** The reference's default screenshot size, used when only one of width and height is given. */
const REFERENCE_VIEWPORT = { width: 800, height: 600 };
/** Screenshots kept for screenshot://<name>: the reference kept every one for the life of the process. */
const MAX_SCREENSHOTS = 50;
/** How long fill waits for its field to become visible and enabled, as puppeteer's own locators do. */
const FILL_WAIT_MS = 5_000;

const SELECTOR = z.string().min(1).max(1000).describe('CSS selector');

interface StoredScreenshot {
  data: string;
  mimeType: string;
}

/** Screenshots by name, per browser session (one for stdio, one per client over HTTP). */
class ScreenshotStore {
  readonly #byKey = new Map<string, Map<string, StoredScreenshot>>();

  put(key: string, name: string, shot: StoredScreenshot): void {
    let shots = this.#byKey.get(key);
    if (shots === undefined) this.#byKey.set(key, (shots = new Map<string, StoredScreenshot>()));
    shots.delete(name);
    shots.set(name, shot);
    if (shots.size > MAX_SCREENSHOTS) shots.delete(shots.keys().next().value!);
  }

  of(key: string): ReadonlyMap<string, StoredScreenshot> {
    return this.#byKey.get(key) ?? new Map();
  }

  forget(key: string): void {
    this.#byKey.delete(key);
  }
}

/** The session key the host uses for a connection: every stdio call shares one session. */
const SHARED = 'default';

/**
 * The `puppeteer` toolset's tools (puppeteer_evaluate only with the evaluate cap) and, when the toolset is
 * selected, its resources. Resource reads carry no connection, so they serve the shared session of stdio;
 * over HTTP each client's screenshots stay its own and the resources list none of them.
 */
export function puppeteerToolset(
  host: BrowserHost,
  caps: ReadonlySet<Cap>,
  kernel: Pick<Kernel, 'common' | 'onConnectionClosed'>,
): { tools: AnyToolDefinition[]; resources: ResourceDefinition[] } {
  const shots = new ScreenshotStore();
  kernel.onConnectionClosed((connection) => shots.forget(connection));
  const common = kernel.common;
  const keyOf = (context: ToolContext) => (host.config.contextPerConnection ? context.connection : SHARED);
  const core = new Map(coreTools(host).map((tool) => [tool.name, tool]));

  const navigate = defineTool({
    name: 'puppeteer_navigate',
    title: 'Navigate (puppeteer)',
    description: 'Navigate to a URL.',
    inputSchema: z.object({
      url: z.string().min(1).max(8000),
      launchOptions: z
        .record(z.string(), z.unknown())
        .nullable()
        .optional()
        .describe('Ignored: launch options are the operator’s'),
      allowDangerous: z.boolean().optional().describe('Ignored'),
    }),
    outputSchema: z.object({ url: z.string(), ...TRUNCATION_SHAPE }),
    annotations: withHints(READ_ONLY, { openWorldHint: true, idempotentHint: false }),
    handler: ({ url, launchOptions, allowDangerous }, context) => {
      const ignored = [
        launchOptions != null ? 'launchOptions' : undefined,
        allowDangerous !== undefined ? 'allowDangerous' : undefined,
      ].filter((name) => name !== undefined);
      const notice =
        ignored.length === 0
          ? undefined
          : `Note: ${ignored.join(' and ')} ${ignored.length === 1 ? 'was' : 'were'} ignored; this server never takes browser launch options from a tool call (the operator sets them with flags).`;
      // browser_navigate does the work; the notice goes first in its reply (reply() returns the same one each time).
      let noticed = false;
      const withNotice: ToolContext = {
        ...context,
        reply: () => {
          const reply = context.reply();
          if (notice !== undefined && !noticed) reply.always(notice);
          noticed = true;
          return reply;
        },
      };
      return core.get('browser_navigate')!.handler({ url }, withNotice);
    },
  });

  const shot = defineTool({
    name: 'puppeteer_screenshot',
    title: 'Screenshot (puppeteer)',
    description:
      'Take a screenshot of the current page or a specific element; it stays readable as screenshot://<name>.',
    inputSchema: z.object({
      name: z.string().min(1).max(100),
      selector: SELECTOR.optional(),
      width: z.number().int().min(200).max(4000).optional().describe('Viewport width to set first'),
      height: z.number().int().min(200).max(4000).optional().describe('Viewport height to set first'),
      encoded: z.boolean().optional().describe('Send a data: URI as text instead of an image'),
    }),
    outputSchema: z.object({
      name: z.string(),
      width: z.number(),
      height: z.number(),
      bytes: z.number(),
      ...TRUNCATION_SHAPE,
    }),
    annotations: READ_ONLY,
    handler: async ({ name, selector, width, height, encoded }, context) => {
      const { tab } = await current(host, context);
      if (width !== undefined || height !== undefined) {
        // The reference resized the viewport before every screenshot; here only when asked to.
        const now = tab.page.viewport() ?? REFERENCE_VIEWPORT;
        await tab.page.setViewport({ ...now, width: width ?? now.width, height: height ?? now.height });
      }
      let element;
      if (selector !== undefined) {
        element =
          (await tab.page.$(selector).catch(() => {
            throw new InvalidArgumentError(`"${selector.slice(0, 100)}" is not a valid CSS selector.`);
          })) ?? undefined;
        if (element === undefined) throw new NotFoundError(`Element not found: ${selector.slice(0, 100)}`);
      }
      const image = await screenshot(tab.page, { ...(element ? { element } : {}), fullPage: false, format: 'png' });
      const mimeType = `image/${image.format}`;
      shots.put(keyOf(context), name, { data: image.data, mimeType });
      const reply = context.reply();
      reply.always(
        `Screenshot '${name}' taken at ${image.width}x${image.height}${image.note ? ` (${image.note})` : ''}`,
      );
      if (encoded) {
        if (!reply.line(`data:${mimeType};base64,${image.data}`)) {
          reply.always(
            `The data URI (${image.data.length} characters) does not fit the reply budget; call again without encoded, or read screenshot://${name}.`,
          );
        }
      } else if (!reply.media({ type: 'image', data: image.data, mimeType })) {
        reply.always(`The image (${image.bytes} bytes) does not fit this reply; read it as screenshot://${name}.`);
      }
      reply.set({ name, width: image.width, height: image.height, bytes: image.bytes });
      return reply.build();
    },
  });

  const click = defineTool({
    name: 'puppeteer_click',
    title: 'Click (puppeteer)',
    description: 'Click an element on the page.',
    inputSchema: z.object({ selector: SELECTOR }),
    outputSchema: z.object({ url: z.string(), ...TRUNCATION_SHAPE }),
    annotations: withHints(WRITE, { openWorldHint: true }),
    handler: ({ selector }, context) =>
      runAction(host, context, { selector }, async (_tab, element) => {
        await element!.handle.click().catch((error: unknown) => {
          throw actionFailure(error, element!.label);
        });
        return `Clicked: ${selector}`;
      }),
  });

  const fill = defineTool({
    name: 'puppeteer_fill',
    title: 'Fill (puppeteer)',
    description: 'Fill out an input field (replaces its value).',
    inputSchema: z.object({ selector: SELECTOR, value: z.string().max(100_000) }),
    outputSchema: z.object({ url: z.string(), ...TRUNCATION_SHAPE }),
    annotations: withHints(WRITE, { openWorldHint: true }),
    handler: ({ selector, value }, context) =>
      runAction(host, context, { selector }, async (_tab, element) => {
        try {
          // puppeteer's locator fill waits for a visible, enabled field and replaces its value in one input
          // event (the reference typed key by key after whatever the field held).
          await element!.handle.asLocator().setTimeout(FILL_WAIT_MS).fill(value, { signal: context.signal });
        } catch (error) {
          if ((error as Error).name === 'TimeoutError') {
            throw new InvalidArgumentError(
              `${element!.label} cannot be filled (hidden, disabled or not a text field); check the selector against browser_snapshot.`,
            );
          }
          throw actionFailure(error, element!.label);
        }
        return `Filled ${selector} with: ${value.length > 200 ? `${value.slice(0, 200)}… (${value.length} characters)` : value}`;
      }),
  });

  const select = defineTool({
    name: 'puppeteer_select',
    title: 'Select (puppeteer)',
    description: 'Select an element on the page with Select tag.',
    inputSchema: z.object({ selector: SELECTOR, value: z.string().max(1000).describe('The option’s value') }),
    outputSchema: z.object({ url: z.string(), ...TRUNCATION_SHAPE }),
    annotations: withHints(WRITE, { openWorldHint: true }),
    handler: ({ selector, value }, context) =>
      runAction(host, context, { selector }, async (_tab, element) => {
        let chosen: string[];
        try {
          chosen = await element!.handle.select(value);
        } catch (error) {
          if (/not a <select>/i.test((error as Error).message))
            throw new InvalidArgumentError(`${element!.label} is not a select element.`);
          throw actionFailure(error, element!.label);
        }
        if (chosen.length === 0)
          throw new NotFoundError(
            `${element!.label} has no option with the value ${JSON.stringify(value.slice(0, 100))}; browser_snapshot lists its options.`,
          );
        return `Selected ${selector} with: ${value}`;
      }),
  });

  const hover = defineTool({
    name: 'puppeteer_hover',
    title: 'Hover (puppeteer)',
    description: 'Hover an element on the page.',
    inputSchema: z.object({ selector: SELECTOR }),
    outputSchema: z.object({ url: z.string(), ...TRUNCATION_SHAPE }),
    annotations: withHints(WRITE, { openWorldHint: true }),
    handler: ({ selector }, context) =>
      runAction(host, context, { selector }, async (_tab, element) => {
        await element!.handle.hover().catch((error: unknown) => {
          throw actionFailure(error, element!.label);
        });
        return `Hovered ${selector}`;
      }),
  });

  const tools: AnyToolDefinition[] = [navigate, shot, click, fill, select, hover];

  if (caps.has('evaluate')) {
    tools.push(
      defineTool({
        name: 'puppeteer_evaluate',
        title: 'Evaluate (puppeteer)',
        description: 'Execute JavaScript in the browser console; replies with the result and the console output.',
        inputSchema: z.object({ script: z.string().min(1).max(100_000) }),
        outputSchema: z.object({ ...TRUNCATION_SHAPE }),
        annotations: withHints(WRITE, { openWorldHint: true }),
        handler: async ({ script }, context) => {
          const { tab } = await current(host, context);
          const logged = tab.console.length;
          const dropped = tab.consoleDropped;
          let result: unknown;
          try {
            result = await tab.page.evaluate(script);
          } catch (error) {
            throw new InvalidArgumentError(
              `Script execution failed: ${((error as Error).message.split('\n')[0] ?? '').slice(0, 300)}`,
            );
          }
          // The tab's console log already holds what the script printed (the reference wrapped console.* instead).
          const printed = tab.console.slice(Math.max(0, logged - (tab.consoleDropped - dropped)));
          const reply = context.reply();
          reply.header(UNTRUSTED);
          const text = `Execution result:\n${JSON.stringify(result, null, 2) ?? 'undefined'}\n\nConsole output:\n${printed.map((entry) => `[${entry.type}] ${entry.text}`).join('\n')}`;
          const taken = reply.text(text);
          if (taken.consumedChars < text.length)
            reply.cut({
              shown: `the first ${taken.consumedChars} characters`,
              reason: 'the reply budget',
              alternative: 'return less from the script',
            });
          return reply.build({ structured: true });
        },
      }),
    );
  }

  for (const tool of tools) tool.toolset = TOOLSET;

  const selected =
    common.toolsets.has(TOOLSET) ||
    common.toolsets.has('all') ||
    [...(common.tools ?? [])].some((name) => name.startsWith('puppeteer_'));
  if (!selected) return { tools, resources: [] };

  const sharedSession = async () =>
    host.running && !host.config.contextPerConnection ? host.session(SHARED) : undefined;
  const perClient =
    'Over HTTP each client’s browser is its own, and resources cannot tell clients apart; use the tools’ replies instead.';

  const resources = [
    defineResource({
      name: 'console-logs',
      uri: 'console://logs',
      title: 'Browser console logs',
      description: 'Console messages and page errors of the current tab, oldest first.',
      mimeType: 'text/plain',
      continueHint: 'call browser_console_messages with offset for the rest',
      read: async () => {
        if (host.config.contextPerConnection) throw new NotFoundError(perClient);
        const session = await sharedSession();
        const tab = session?.tabs[session.current];
        return (tab?.console ?? []).map((entry) => `[${entry.type}] ${entry.text}`).join('\n');
      },
    }),
    defineResource({
      name: 'screenshot',
      uri: 'screenshot://{name}',
      title: 'Screenshot',
      description: 'A screenshot taken by puppeteer_screenshot, by its name.',
      mimeType: 'image/png',
      list: async () =>
        host.config.contextPerConnection
          ? []
          : [...shots.of(SHARED)].map(([name, stored]) => ({
              uri: `screenshot://${encodeURIComponent(name)}`,
              name: `Screenshot: ${name}`,
              mimeType: stored.mimeType,
            })),
      read: async (_uri, { name = '' }) => {
        if (host.config.contextPerConnection) throw new NotFoundError(perClient);
        const stored = shots.of(SHARED).get(name);
        if (stored === undefined)
          throw new NotFoundError(
            `No screenshot is named ${JSON.stringify(name.slice(0, 100))}; take one with puppeteer_screenshot first.`,
          );
        return { blob: stored.data, mimeType: stored.mimeType };
      },
    }),
  ];
  return { tools, resources };
}
