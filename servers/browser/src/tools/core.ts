import { writeFile } from 'node:fs/promises';
import * as z from 'zod';
import type { KeyInput } from 'puppeteer-core';
import { InvalidArgumentError, NotFoundError, TimeoutError, UpstreamError } from '@portico-mcp/shared/errors';
import { TRUNCATION_SHAPE } from '@portico-mcp/shared/output';
import { DESTRUCTIVE, READ_ONLY, WRITE, defineTool, withHints } from '@portico-mcp/shared/serve';
import type { AnyToolDefinition } from '@portico-mcp/shared/serve';
import { afterAction, beforeAction, DEFAULT_SETTLE } from '../browser/act.js';
import { clickElement } from '../browser/click.js';
import { checkNavigationUrl } from '../browser/network.js';
import type { BrowserHost } from '../browser/session.js';
import { resolveTarget } from '../browser/target.js';
import { renderNode, selectNodes, takeSnapshot } from '../snapshot/snapshot.js';
import { readPage } from '../read/read.js';
import { screenshot } from './screenshot.js';
import { actionFailure, addLines, current, runAction, TARGET_SHAPE, UNTRUSTED } from './common.js';

const OFFSET = z.number().int().min(0).optional();

/** The default browser tools: navigation, snapshot, actions, reading, tabs and dialogs. */
export function coreTools(host: BrowserHost): AnyToolDefinition[] {
  const limits = () => ({ ...DEFAULT_SETTLE, navigationTimeoutMs: host.config.navigationTimeoutMs });

  const navigate = defineTool({
    name: 'browser_navigate',
    title: 'Navigate',
    description: 'Opens a URL in the current tab; replies with what loaded and the start of the snapshot.',
    inputSchema: z.object({ url: z.string().min(1).max(8000) }),
    outputSchema: z.object({ url: z.string(), ...TRUNCATION_SHAPE }),
    annotations: withHints(READ_ONLY, { openWorldHint: true, idempotentHint: false }),
    handler: async ({ url }, context) => {
      const target = checkNavigationUrl(url, host.policy);
      const { session, tab } = await current(host, context);
      const before = await beforeAction(tab, session);
      let status: number | undefined;
      let stillLoading = false;
      let aborted = false;
      const downloadsBefore = session.downloads.length;
      try {
        const response = await tab.page.goto(target.href, {
          waitUntil: 'domcontentloaded',
          timeout: host.config.navigationTimeoutMs,
          signal: context.signal,
        } as never);
        status = response?.status();
      } catch (error) {
        const message = (error as Error).message;
        if ((error as Error).name === 'TimeoutError') stillLoading = true;
        else if (/net::ERR_ABORTED/.test(message)) {
          // Perhaps a download: Chromium aborts the navigation and saves the file (told by afterAction).
          aborted = true;
        } else {
          const code = /net::[A-Z_]+/.exec(message)?.[0];
          throw new UpstreamError(
            `Could not load ${target.href.slice(0, 200)}${code ? ` (${code})` : ''}; check the URL, or whether the site is reachable from here.`,
            { cause: error },
          );
        }
      }
      const lines = await afterAction(tab, session, before, limits(), context.signal, { diff: !aborted });
      if (aborted && session.downloads.length === downloadsBefore) {
        throw new UpstreamError(
          `Could not load ${target.href.slice(0, 200)} (net::ERR_ABORTED); check the URL, or whether the site is reachable from here.`,
        );
      }
      const reply = context.reply();
      if (aborted) {
        reply.always(`${target.href.slice(0, 300)} is a download; the tab stays on ${tab.page.url().slice(0, 300)}.`);
        addLines(reply, lines, 'call browser_snapshot for the page');
        reply.set({ url: tab.page.url() });
        return reply.build();
      }
      reply.always(
        `Navigated to ${tab.page.url().slice(0, 300)}${status !== undefined ? ` (HTTP ${status})` : ''}${stillLoading ? `; still loading after ${host.config.navigationTimeoutMs / 1000} s` : ''}.`,
      );
      addLines(reply, lines, 'call browser_snapshot for the page');
      reply.set({ url: tab.page.url() });
      return reply.build();
    },
  });

  const snapshot = defineTool({
    name: 'browser_snapshot',
    title: 'Snapshot',
    description:
      'The page as a compact accessibility list: one line per element, actionable ones with a ref (e12) for the other tools; iframes and shadow DOM included. Roles tx text field, sel select, chk checkbox; (A,*B): options, B selected. To read the text of a page, browser_read is cheaper in context.',
    inputSchema: z.object({
      ref: z.string().max(20).optional().describe('Only this element and what it contains'),
      depth: z.number().int().min(0).max(100).optional(),
      interactive_only: z.boolean().optional(),
      offset: OFFSET,
    }),
    outputSchema: z.object({ url: z.string(), lines: z.number(), refs: z.number(), ...TRUNCATION_SHAPE }),
    annotations: READ_ONLY,
    handler: async ({ ref, depth, interactive_only, offset = 0 }, context) => {
      const { session, tab } = await current(host, context);
      const taken = await takeSnapshot(tab.page, tab.refs);
      const all = taken.nodes.map(renderNode);
      await tab.setSnapshot(taken, all);
      const nodes = selectNodes(taken, {
        ...(ref !== undefined ? { ref } : {}),
        ...(depth !== undefined ? { depth } : {}),
        ...(interactive_only !== undefined ? { interactiveOnly: interactive_only } : {}),
      });
      if (nodes === undefined)
        throw new NotFoundError(
          `Ref ${ref} is not on the page now; call browser_snapshot without ref for the current refs.`,
        );
      const lines = nodes.map(renderNode);
      const reply = context.reply();
      reply.header(
        `${UNTRUSTED}\nPage: ${taken.url.slice(0, 300)}${taken.title ? ` — ${JSON.stringify(taken.title.slice(0, 200))}` : ''}`,
      );
      for (const event of session.drainEvents()) reply.always(event.text);
      if (lines.length === 0)
        reply.always(
          ref !== undefined
            ? 'That element has nothing inside it to show.'
            : 'The page shows nothing (empty, or everything is hidden).',
        );
      reply.page(lines.slice(offset), {
        line: (line) => line,
        noun: 'lines',
        offset,
        total: lines.length,
        alternative: 'pass ref (a container) or depth for part of the page',
      });
      reply.set({ url: taken.url, lines: lines.length, refs: nodes.filter((node) => node.ref !== undefined).length });
      return reply.build();
    },
  });

  const click = defineTool({
    name: 'browser_click',
    title: 'Click',
    description:
      'Clicks an element; replies with what happened (navigation, dialogs, downloads, new tabs, snapshot changes).',
    inputSchema: z.object({
      ...TARGET_SHAPE,
      double: z.boolean().optional(),
      button: z.enum(['left', 'right', 'middle']).optional(),
    }),
    outputSchema: z.object({ url: z.string(), ...TRUNCATION_SHAPE }),
    annotations: withHints(WRITE, { openWorldHint: true }),
    handler: ({ ref, selector, double, button }, context) =>
      runAction(host, context, { ref, selector }, async (_tab, element) => {
        try {
          await clickElement(element!.handle, { ...(double ? { count: 2 } : {}), ...(button ? { button } : {}) });
        } catch (error) {
          throw actionFailure(error, element!.label);
        }
        return `${double ? 'Double-clicked' : 'Clicked'} ${element!.label}.`;
      }),
  });

  const type = defineTool({
    name: 'browser_type',
    title: 'Type',
    description: 'Replaces the text of a field with `text` (submit: press Enter after).',
    inputSchema: z.object({ ...TARGET_SHAPE, text: z.string().max(100_000), submit: z.boolean().optional() }),
    outputSchema: z.object({ url: z.string(), ...TRUNCATION_SHAPE }),
    annotations: withHints(WRITE, { openWorldHint: true }),
    handler: ({ ref, selector, text, submit }, context) =>
      runAction(host, context, { ref, selector }, async (tab, element) => {
        const { handle, label } = element!;
        try {
          await handle.focus();
          // Select what is there, so the new text replaces it; then insert it in one step (an input event).
          await handle.evaluate((node) => {
            const field = node as unknown as { select?: () => void; isContentEditable?: boolean };
            if (typeof field.select === 'function') field.select();
            else if (field.isContentEditable) {
              const range = globalThis.document.createRange();
              range.selectNodeContents(node);
              const selection = globalThis.getSelection();
              selection?.removeAllRanges();
              selection?.addRange(range);
            }
          });
          if (text === '') await tab.page.keyboard.press('Delete');
          else await tab.page.keyboard.sendCharacter(text);
          if (submit) await tab.page.keyboard.press('Enter');
        } catch (error) {
          throw actionFailure(error, label);
        }
        return `Typed ${text.length} characters into ${label}${submit ? ' and pressed Enter' : ''}.`;
      }),
  });

  const selectOption = defineTool({
    name: 'browser_select_option',
    title: 'Select option',
    description: 'Selects options of a select element, by value or label.',
    inputSchema: z.object({ ...TARGET_SHAPE, values: z.array(z.string().max(1000)).min(1).max(100) }),
    outputSchema: z.object({ url: z.string(), ...TRUNCATION_SHAPE }),
    annotations: withHints(WRITE, { openWorldHint: true }),
    handler: ({ ref, selector, values }, context) =>
      runAction(host, context, { ref, selector }, async (_tab, element) => {
        const { handle, label } = element!;
        const chosen = await handle.evaluate((node, wanted: string[]) => {
          const select = node as unknown as {
            tagName: string;
            multiple: boolean;
            options: ArrayLike<{ value: string; label: string; text: string; selected: boolean }>;
            dispatchEvent(event: unknown): boolean;
          };
          if (select.tagName !== 'SELECT') return undefined;
          const picked: string[] = [];
          for (let i = 0; i < select.options.length; i++) {
            const option = select.options[i]!;
            const match =
              wanted.includes(option.value) || wanted.includes(option.label) || wanted.includes(option.text.trim());
            if (match && (select.multiple || picked.length === 0)) picked.push(option.label || option.text);
            option.selected =
              match && (select.multiple || picked.length <= 1) && picked.includes(option.label || option.text);
          }
          if (picked.length > 0) {
            select.dispatchEvent(new globalThis.Event('input', { bubbles: true }));
            select.dispatchEvent(new globalThis.Event('change', { bubbles: true }));
          }
          return picked;
        }, values);
        if (chosen === undefined)
          throw new InvalidArgumentError(`${label} is not a select element; use browser_click for custom drop-downs.`);
        if (chosen.length === 0)
          throw new NotFoundError(
            `${label} has no option with that value or label; browser_snapshot lists its options.`,
          );
        return `Selected ${chosen.map((each) => JSON.stringify(each)).join(', ')} in ${label}.`;
      }),
  });

  const hover = defineTool({
    name: 'browser_hover',
    title: 'Hover',
    description: 'Moves the mouse over an element.',
    inputSchema: z.object(TARGET_SHAPE),
    outputSchema: z.object({ url: z.string(), ...TRUNCATION_SHAPE }),
    annotations: withHints(WRITE, { openWorldHint: true }),
    handler: ({ ref, selector }, context) =>
      runAction(host, context, { ref, selector }, async (_tab, element) => {
        try {
          await element!.handle.hover();
        } catch (error) {
          throw actionFailure(error, element!.label);
        }
        return `Hovered over ${element!.label}.`;
      }),
  });

  const pressKey = defineTool({
    name: 'browser_press_key',
    title: 'Press key',
    description: 'Presses a key or combination in the focused element, e.g. Enter, ArrowDown, Control+A.',
    inputSchema: z.object({ key: z.string().min(1).max(60) }),
    outputSchema: z.object({ url: z.string(), ...TRUNCATION_SHAPE }),
    annotations: withHints(WRITE, { openWorldHint: true }),
    handler: ({ key }, context) =>
      runAction(host, context, undefined, async (tab) => {
        const parts = key
          .split('+')
          .map((part) => part.trim())
          .filter((part) => part !== '');
        const keyboard = tab.page.keyboard;
        const held: string[] = [];
        try {
          for (const modifier of parts.slice(0, -1)) {
            await keyboard.down(modifier as KeyInput);
            held.push(modifier);
          }
          await keyboard.press(parts.at(-1) as KeyInput);
        } catch (error) {
          if (/Unknown key/i.test((error as Error).message))
            throw new InvalidArgumentError(
              `"${key}" is not a key name; use names such as Enter, Tab, ArrowDown, a, Shift+Tab.`,
            );
          throw error;
        } finally {
          for (const modifier of held.reverse()) await keyboard.up(modifier as KeyInput).catch(() => undefined);
        }
        return `Pressed ${key}.`;
      }),
  });

  const waitFor = defineTool({
    name: 'browser_wait_for',
    title: 'Wait for',
    description: 'Waits until text appears (text) or disappears (text_gone) on the page, or for `time` seconds.',
    inputSchema: z.object({
      text: z.string().min(1).max(1000).optional(),
      text_gone: z.string().min(1).max(1000).optional(),
      time: z.number().min(0).max(60).optional(),
      timeout: z.number().min(0.1).max(120).optional().describe('Seconds to wait for text (default 10)'),
    }),
    outputSchema: z.object({ url: z.string(), ...TRUNCATION_SHAPE }),
    annotations: READ_ONLY,
    handler: ({ text, text_gone, time, timeout = 10 }, context) =>
      runAction(host, context, undefined, async (tab) => {
        if (text === undefined && text_gone === undefined) {
          if (time === undefined) throw new InvalidArgumentError('Give text, text_gone or time.');
          // The one wait that is a plain delay: the caller asked for it.
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, time * 1000);
            context.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
          });
          return `Waited ${time} s.`;
        }
        const wanted = text ?? text_gone!;
        const appear = text !== undefined;
        try {
          await tab.page.waitForFunction(
            (needle: string, present: boolean) =>
              (globalThis.document.body?.innerText ?? '').includes(needle) === present,
            { timeout: timeout * 1000, polling: 'mutation', signal: context.signal } as never,
            wanted,
            appear,
          );
        } catch (error) {
          if ((error as Error).name === 'TimeoutError') {
            throw new TimeoutError(
              `The text ${JSON.stringify(wanted.slice(0, 100))} did not ${appear ? 'appear' : 'disappear'} within ${timeout} s; raise timeout or check browser_snapshot.`,
            );
          }
          throw error;
        }
        return `The text ${JSON.stringify(wanted.slice(0, 100))} ${appear ? 'appeared' : 'is gone'}.`;
      }),
  });

  const back = defineTool({
    name: 'browser_back',
    title: 'Back',
    description: 'Goes back to the previous page of the current tab.',
    inputSchema: z.object({}),
    outputSchema: z.object({ url: z.string(), ...TRUNCATION_SHAPE }),
    annotations: withHints(WRITE, { openWorldHint: true }),
    handler: (_args, context) =>
      runAction(host, context, undefined, async (tab) => {
        let response;
        try {
          response = await tab.page.goBack({ waitUntil: 'domcontentloaded', timeout: host.config.navigationTimeoutMs });
        } catch (error) {
          if ((error as Error).name !== 'TimeoutError') throw error;
          return 'Went back; the page is still loading.';
        }
        if (response === null && tab.page.url() === 'about:blank')
          throw new NotFoundError('There is no previous page in this tab.');
        return 'Went back.';
      }),
  });

  const shot = defineTool({
    name: 'browser_screenshot',
    title: 'Screenshot',
    description:
      'Captures the viewport, the full page or one element as an image, scaled to stay within what hosts accept.',
    inputSchema: z.object({
      ...TARGET_SHAPE,
      full_page: z.boolean().optional(),
      format: z.enum(['jpeg', 'png']).optional(),
    }),
    outputSchema: z.object({ width: z.number(), height: z.number(), bytes: z.number(), ...TRUNCATION_SHAPE }),
    annotations: READ_ONLY,
    handler: async ({ ref, selector, full_page, format = 'jpeg' }, context) => {
      const { tab } = await current(host, context);
      const element =
        ref !== undefined || selector !== undefined ? await resolveTarget(tab, { ref, selector }) : undefined;
      const image = await screenshot(tab.page, {
        ...(element ? { element: element.handle } : {}),
        fullPage: full_page === true,
        format,
      });
      const reply = context.reply();
      reply.always(
        `Screenshot of ${element ? element.label : full_page ? 'the full page' : 'the viewport'}: ${image.width}×${image.height} ${image.format.toUpperCase()}, ${image.bytes} bytes${image.note ? `; ${image.note}` : ''}.`,
      );
      reply.media({ type: 'image', data: image.data, mimeType: `image/${image.format}` });
      reply.set({ width: image.width, height: image.height, bytes: image.bytes });
      return reply.build();
    },
  });

  const read = defineTool({
    name: 'browser_read',
    title: 'Read page',
    description:
      'The rendered page (or one element) as markdown: its visible main text, fast even on long pages. Continue with offset.',
    inputSchema: z.object({ ...TARGET_SHAPE, offset: OFFSET.describe('Character offset, from a cut reply') }),
    outputSchema: z.object({ url: z.string(), chars: z.number(), complete: z.boolean(), ...TRUNCATION_SHAPE }),
    annotations: READ_ONLY,
    handler: async ({ ref, selector, offset = 0 }, context) => {
      const { tab } = await current(host, context);
      const element =
        ref !== undefined || selector !== undefined ? await resolveTarget(tab, { ref, selector }) : undefined;
      const page = await readPage(tab, element);
      // Bytes are at least characters: converting this far always fills the reply budget.
      await page.more(offset + context.maxOutputBytes);
      const markdown = page.text;
      const reply = context.reply();
      reply.header(`${UNTRUSTED}\n${element ? `${element.label} of ` : ''}${tab.page.url().slice(0, 300)}:`);
      if (offset > 0 && offset >= markdown.length)
        throw new InvalidArgumentError(`offset ${offset} is past the end of the text (${markdown.length} characters).`);
      const taken = reply.text(markdown.slice(offset));
      const end = offset + taken.consumedChars;
      if (end < markdown.length || !page.complete) {
        reply.cut({
          shown: `characters ${offset + 1}–${end} of ${page.complete ? markdown.length : `more than ${markdown.length}`}`,
          reason: 'the reply budget',
          next: { offset: end },
        });
      }
      reply.set({ url: tab.page.url(), chars: markdown.length, complete: page.complete });
      return reply.build();
    },
  });

  const consoleMessages = defineTool({
    name: 'browser_console_messages',
    title: 'Console messages',
    description: 'Console messages and page errors of the current tab, oldest first.',
    inputSchema: z.object({ offset: OFFSET }),
    outputSchema: z.object({ total: z.number(), ...TRUNCATION_SHAPE }),
    annotations: READ_ONLY,
    handler: async ({ offset = 0 }, context) => {
      const { tab } = await current(host, context);
      const reply = context.reply();
      reply.header(UNTRUSTED);
      if (tab.consoleDropped > 0)
        reply.always(
          `(${tab.consoleDropped} older messages were dropped; the log keeps the last ${tab.console.length}.)`,
        );
      if (tab.console.length === 0) reply.always('No console messages.');
      reply.page(tab.console.slice(offset), {
        line: (entry) => `[${entry.type}] ${entry.text.replace(/\s+/g, ' ').slice(0, 2000)}`,
        noun: 'messages',
        offset,
        total: tab.console.length,
      });
      reply.set({ total: tab.console.length });
      return reply.build();
    },
  });

  const tabs = defineTool({
    name: 'browser_tabs',
    title: 'Tabs',
    description: 'Lists, opens (new, optional url), selects or closes tabs by index.',
    inputSchema: z.object({
      action: z.enum(['list', 'new', 'select', 'close']),
      index: z.number().int().min(0).optional(),
      url: z.string().max(8000).optional(),
    }),
    outputSchema: z.object({
      current: z.number(),
      tabs: z.array(z.object({ index: z.number(), url: z.string(), title: z.string() })),
      ...TRUNCATION_SHAPE,
    }),
    annotations: withHints(WRITE, { openWorldHint: true }),
    handler: async ({ action, index, url }, context) => {
      const session = await host.session(context.connection);
      const reply = context.reply();
      if (action === 'new') {
        const target = url !== undefined ? checkNavigationUrl(url, host.policy) : undefined;
        const tab = await session.newTab();
        if (target) {
          await tab.page
            .goto(target.href, { waitUntil: 'domcontentloaded', timeout: host.config.navigationTimeoutMs })
            .catch((error: Error) => {
              if (error.name !== 'TimeoutError')
                throw new UpstreamError(`Could not load ${target.href.slice(0, 200)}; check the URL.`, {
                  cause: error,
                });
            });
        }
        reply.always(`Opened tab ${session.current}.`);
      } else if (action === 'select') {
        if (index === undefined) throw new InvalidArgumentError('Give the index of the tab to select.');
        await session.select(index);
        reply.always(`Selected tab ${index}.`);
      } else if (action === 'close') {
        await session.tab();
        const closing = index ?? session.current;
        await session.closeTab(closing);
        reply.always(`Closed tab ${closing}.`);
      } else {
        await session.tab();
      }
      await session.settling();
      for (const event of session.drainEvents()) if (event.kind !== 'tab') reply.always(event.text);
      const list = await Promise.all(
        session.tabs.map(async (tab, i) => ({
          index: i,
          url: tab.page.url().slice(0, 500),
          title: (await tab.page.title().catch(() => '')).slice(0, 200),
        })),
      );
      reply.page(list, {
        line: (tab) =>
          `${tab.index === session.current ? '*' : ' '} ${tab.index}: ${tab.url}${tab.title ? ` — ${JSON.stringify(tab.title)}` : ''}`,
        entry: (tab) => tab,
        key: 'tabs',
        noun: 'tabs',
        total: list.length,
      });
      reply.set({ current: session.current });
      return reply.build();
    },
  });

  const close = defineTool({
    name: 'browser_close',
    title: 'Close browser',
    description: "Closes this session's tabs; the next call starts afresh.",
    inputSchema: z.object({}),
    annotations: withHints(DESTRUCTIVE, { idempotentHint: true }),
    effect: () => 'Close every tab of this browser session',
    handler: async (_args, context) => {
      await host.closeSession(context.connection);
      const reply = context.reply();
      reply.always('Closed the browser session.');
      return reply.build();
    },
  });

  const handleDialog = defineTool({
    name: 'browser_handle_dialog',
    title: 'Handle dialog',
    description:
      'Sets how the next alert/confirm/prompt dialog is answered (otherwise the server policy applies); then repeat the action that opens it.',
    inputSchema: z.object({ accept: z.boolean(), prompt_text: z.string().max(10_000).optional() }),
    annotations: withHints(WRITE, { idempotentHint: true }),
    handler: async ({ accept, prompt_text }, context) => {
      const session = await host.session(context.connection);
      session.nextDialog = { accept, ...(prompt_text !== undefined ? { promptText: prompt_text } : {}) };
      const reply = context.reply();
      reply.always(
        `The next dialog will be ${accept ? 'accepted' : 'dismissed'}${prompt_text !== undefined ? ` with ${JSON.stringify(prompt_text.slice(0, 100))}` : ''}.`,
      );
      return reply.build();
    },
  });

  const saveState = defineTool({
    name: 'browser_save_state',
    title: 'Save state',
    description: 'Writes cookies and localStorage to a JSON file inside the allowed directories (for --storage-state).',
    inputSchema: z.object({ path: z.string().min(1).max(4096) }),
    outputSchema: z.object({ path: z.string(), cookies: z.number(), origins: z.number(), ...TRUNCATION_SHAPE }),
    annotations: withHints(WRITE, { idempotentHint: true }),
    handler: async ({ path }, context) => {
      const target = await host.sandbox.resolveInside(path);
      const session = await host.session(context.connection);
      const state = await session.storageState();
      await writeFile(target, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
      const reply = context.reply();
      reply.always(
        `Saved ${state.cookies.length} cookies and the localStorage of ${state.origins.length} origins to ${target}.`,
      );
      reply.set({ path: target, cookies: state.cookies.length, origins: state.origins.length });
      return reply.build();
    },
  });

  return [
    navigate,
    snapshot,
    click,
    type,
    selectOption,
    hover,
    pressKey,
    waitFor,
    back,
    shot,
    read,
    consoleMessages,
    tabs,
    close,
    handleDialog,
    saveState,
  ];
}
