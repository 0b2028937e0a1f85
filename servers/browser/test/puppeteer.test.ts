import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import puppeteer from 'puppeteer-core';
import { measureToolList } from '@portico-mcp/shared/testing';
import { browserServer } from '../src/server.js';
import { connectBrowser } from './helpers.js';
import type { BrowserConnection } from './helpers.js';
import { startSite } from './site.js';
import type { TestSite } from './site.js';

let site: TestSite;
let browser: BrowserConnection;
let scratch: string;

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  site = await startSite();
  scratch = await mkdtemp(join(tmpdir(), 'portico-puppeteer-'));
  browser = await connectBrowser(['--toolsets', 'puppeteer', '--caps', 'evaluate']);
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the puppeteer toolset', () => {
  it('is opt-in: the default list has none of its tools, --toolsets puppeteer adds them, and puppeteer_evaluate needs the evaluate cap', async () => {
    const plain = await measureToolList(browserServer);
    expect(plain.names.filter((name) => name.startsWith('puppeteer_'))).toEqual([]);
    const compat = await measureToolList(browserServer, ['--toolsets', 'puppeteer']);
    console.log(`puppeteer toolset: ${compat.modelBytes - plain.modelBytes} B over the default list`);
    expect(compat.names).toEqual(
      expect.arrayContaining([
        'puppeteer_navigate',
        'puppeteer_screenshot',
        'puppeteer_click',
        'puppeteer_fill',
        'puppeteer_select',
        'puppeteer_hover',
      ]),
    );
    expect(compat.names).not.toContain('puppeteer_evaluate');
    const withEvaluate = await measureToolList(browserServer, ['--toolsets', 'puppeteer', '--caps', 'evaluate']);
    expect(withEvaluate.names).toContain('puppeteer_evaluate');
  });

  it('takes the reference server’s argument names and required fields', async () => {
    const { tools } = await browser.connection.client.listTools();
    const schema = (name: string) =>
      tools.find((tool) => tool.name === name)!.inputSchema as {
        properties: Record<string, unknown>;
        required?: string[];
      };
    expect(Object.keys(schema('puppeteer_navigate').properties).sort()).toEqual([
      'allowDangerous',
      'launchOptions',
      'url',
    ]);
    expect(schema('puppeteer_navigate').required).toEqual(['url']);
    expect(Object.keys(schema('puppeteer_screenshot').properties).sort()).toEqual([
      'encoded',
      'height',
      'name',
      'selector',
      'width',
    ]);
    expect(schema('puppeteer_screenshot').required).toEqual(['name']);
    expect(schema('puppeteer_fill').required?.sort()).toEqual(['selector', 'value']);
    expect(schema('puppeteer_select').required?.sort()).toEqual(['selector', 'value']);
    expect(schema('puppeteer_evaluate').required).toEqual(['script']);
  });

  it('navigates and answers with the reference’s "Navigated to" line and what loaded', async () => {
    const result = await browser.call('puppeteer_navigate', { url: `${site.url}/form` });
    expect(result.isError).toBeFalsy();
    expect(result.text).toContain(`Navigated to ${site.url}/form`);
    expect(result.text).not.toContain('ignored');
  });

  it('fills, selects, hovers and clicks by CSS selector, each reply in the reference’s words plus what changed', async () => {
    const fill = await browser.call('puppeteer_fill', { selector: '#name', value: 'Ada' });
    expect(fill.isError).toBeFalsy();
    expect(fill.text).toContain('Filled #name with: Ada');
    // Fill replaces what the field held instead of typing after it.
    expect((await browser.call('puppeteer_fill', { selector: '#name', value: 'Grace' })).text).toContain(
      'Filled #name with: Grace',
    );
    const select = await browser.call('puppeteer_select', { selector: '#color', value: 'g' });
    expect(select.text).toContain('Selected #color with: g');
    const hover = await browser.call('puppeteer_hover', { selector: '#hover' });
    expect(hover.text).toContain('Hovered #hover');
    expect(hover.text).toContain('Hovered!');
    const click = await browser.call('puppeteer_click', { selector: 'button[type=submit]' });
    expect(click.isError).toBeFalsy();
    expect(click.text).toContain('Clicked: button[type=submit]');
    expect(click.text).toContain(`${site.url}/done?name=Grace&color=g`);
    expect(click.text).toContain('Thanks Grace');
  });

  it('answers a selector that matches nothing with one sentence as an error result', async () => {
    const result = await browser.call('puppeteer_click', { selector: '#missing' });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/^No element matches the selector "#missing"[^\n]*\.$/);
  });

  it('refuses a select option that does not exist, and a select on something that is not a select', async () => {
    await browser.call('puppeteer_navigate', { url: `${site.url}/form` });
    const missing = await browser.call('puppeteer_select', { selector: '#color', value: 'purple' });
    expect(missing.isError).toBe(true);
    expect(missing.text).toContain('has no option with the value "purple"');
    const wrong = await browser.call('puppeteer_select', { selector: '#name', value: 'x' });
    expect(wrong.isError).toBe(true);
    expect(wrong.text).toContain('is not a select element');
  });

  it('takes a screenshot as an image, keeps it as screenshot://<name>, and lists it among the resources', async () => {
    const result = await browser.call('puppeteer_screenshot', { name: 'form page', width: 800, height: 600 });
    expect(result.isError).toBeFalsy();
    expect(result.text).toContain("Screenshot 'form page' taken at 800x600");
    const image = result.content.find((block) => block.type === 'image') as
      { data: string; mimeType: string } | undefined;
    expect(image?.mimeType).toBe('image/png');
    expect(Buffer.from(image!.data, 'base64').subarray(1, 4).toString()).toBe('PNG');
    const { resources } = await browser.connection.client.listResources();
    expect(resources.map((resource) => resource.uri)).toEqual(
      expect.arrayContaining(['console://logs', 'screenshot://form%20page']),
    );
    const { contents } = await browser.connection.client.readResource({ uri: 'screenshot://form%20page' });
    expect(contents[0]).toMatchObject({ mimeType: 'image/png', blob: image!.data });
  });

  it('screenshots one element, or sends a data: URI as text when encoded', async () => {
    const element = await browser.call('puppeteer_screenshot', { name: 'button', selector: '#reveal' });
    expect(element.text).toMatch(/Screenshot 'button' taken at \d+x\d+/);
    const encoded = await browser.call('puppeteer_screenshot', { name: 'encoded', selector: '#reveal', encoded: true });
    expect(encoded.content.some((block) => block.type === 'image')).toBe(false);
    expect(encoded.text).toMatch(/data:image\/png;base64,[A-Za-z0-9+/=]{100,}/);
    const missing = await browser.call('puppeteer_screenshot', { name: 'none', selector: '#nothing-here' });
    expect(missing.isError).toBe(true);
    expect(missing.text).toBe('Element not found: #nothing-here');
  });

  it('answers a screenshot name it never took as resource-not-found', async () => {
    await expect(browser.connection.client.readResource({ uri: 'screenshot://never-taken' })).rejects.toThrow(
      /No screenshot is named "never-taken"/,
    );
  });

  it('serves the page’s console messages as console://logs', async () => {
    await browser.call('puppeteer_navigate', { url: `${site.url}/console` });
    const result = await browser.call('puppeteer_evaluate', { script: 'console.warn("after load"); 1' });
    expect(result.isError).toBeFalsy();
    const { contents } = await browser.connection.client.readResource({ uri: 'console://logs' });
    const text = (contents[0] as { text: string }).text;
    expect(text).toContain('[log] hello from the page');
    expect(text).toContain('[error] something failed');
    expect(text).toContain('[warn] after load');
  });

  it('evaluates a script and replies with its JSON result and what it printed to the console', async () => {
    const result = await browser.call('puppeteer_evaluate', {
      script: 'console.log("counting"); ({ title: document.title, n: [1, 2].length })',
    });
    expect(result.isError).toBeFalsy();
    expect(result.text).toContain('Execution result:\n{\n  "title": "Console",\n  "n": 2\n}');
    expect(result.text).toContain('Console output:\n[log] counting');
    expect(result.text).not.toContain('hello from the page');
  });

  it('answers a script that throws with "Script execution failed" as an error result', async () => {
    const result = await browser.call('puppeteer_evaluate', { script: 'throw new Error("nope")' });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/^Script execution failed: .*nope/);
  });
});

describe('the puppeteer toolset within bounds and per client', () => {
  it('says where the image is when a data: URI is over the reply budget, instead of sending a cut one', async () => {
    const small = await connectBrowser(['--toolsets', 'puppeteer', '--max-output-bytes', '4000']);
    try {
      await small.call('puppeteer_navigate', { url: `${site.url}/form` });
      const result = await small.call('puppeteer_screenshot', { name: 'whole', encoded: true });
      expect(result.isError).toBeFalsy();
      expect(result.text).not.toContain('data:image');
      expect(result.text).toMatch(
        /The data URI \(\d+ characters\) does not fit the reply budget; call again without encoded, or read screenshot:\/\/whole\./,
      );
    } finally {
      await small.close();
    }
  });

  it('over HTTP keeps each client’s screenshots to itself: the resources list none and refuse reads with one sentence', async () => {
    const shared = await connectBrowser(['--http', '--toolsets', 'puppeteer']);
    try {
      await shared.call('puppeteer_navigate', { url: `${site.url}/form` });
      expect((await shared.call('puppeteer_screenshot', { name: 'mine' })).isError).toBeFalsy();
      const { resources } = await shared.connection.client.listResources();
      expect(resources.map((resource) => resource.uri)).not.toContain('screenshot://mine');
      await expect(shared.connection.client.readResource({ uri: 'screenshot://mine' })).rejects.toThrow(
        /Over HTTP each client’s browser is its own/,
      );
      await expect(shared.connection.client.readResource({ uri: 'console://logs' })).rejects.toThrow(
        /Over HTTP each client’s browser is its own/,
      );
    } finally {
      await shared.close();
    }
  });

  it('offers its resources only when the toolset is selected', async () => {
    const plain = await connectBrowser();
    try {
      const listed = await plain.connection.client.listResources().then(
        (answer) => answer.resources,
        () => [],
      );
      expect(listed.map((resource) => resource.uri)).not.toContain('console://logs');
    } finally {
      await plain.close();
    }
  });
});

describe('launch options from a tool call (the reference’s hole)', () => {
  it('a launchOptions.executablePath runs any program on the host when handed to puppeteer, as the reference does', async () => {
    const marker = join(scratch, 'ran-by-puppeteer');
    const program = join(scratch, 'evil.sh');
    await writeFile(program, `#!/bin/sh\ntouch '${marker}'\n`);
    await chmod(program, 0o755);
    await puppeteer.launch({ executablePath: program, headless: true, pipe: true, timeout: 10_000 }).then(
      (launched) => launched.close(),
      () => undefined,
    );
    expect(await exists(marker)).toBe(true);
  });

  it('ignores launchOptions and allowDangerous, runs nothing they name, and says so in the reply', async () => {
    const marker = join(scratch, 'ran-by-portico');
    const program = join(scratch, 'evil-too.sh');
    await writeFile(program, `#!/bin/sh\ntouch '${marker}'\n`);
    await chmod(program, 0o755);
    // A fresh server, so that the launch options would reach the first (launching) call if they were used.
    const fresh = await connectBrowser(['--toolsets', 'puppeteer']);
    try {
      const result = await fresh.call('puppeteer_navigate', {
        url: `${site.url}/`,
        launchOptions: { executablePath: program, args: ['--disable-web-security'] },
        allowDangerous: true,
      });
      expect(result.isError).toBeFalsy();
      expect(result.text.split('\n')[0]).toBe(
        'Note: launchOptions and allowDangerous were ignored; this server never takes browser launch options from a tool call (the operator sets them with flags).',
      );
      expect(result.text).toContain(`Navigated to ${site.url}/`);
      expect(await exists(marker)).toBe(false);
    } finally {
      await fresh.close();
    }
  });
});
