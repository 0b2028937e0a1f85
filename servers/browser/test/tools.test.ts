import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBrowser, refOf } from './helpers.js';
import type { BrowserConnection } from './helpers.js';
import { startSite } from './site.js';
import type { TestSite } from './site.js';

let site: TestSite;
let browser: BrowserConnection;

beforeAll(async () => {
  site = await startSite();
  browser = await connectBrowser();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe('navigation and snapshots', () => {
  it('navigates to a page and replies with what loaded and the start of its snapshot', async () => {
    const result = await browser.call('browser_navigate', { url: `${site.url}/` });
    expect(result.isError).toBeFalsy();
    expect(result.text).toContain(`Navigated to ${site.url}/ (HTTP 200)`);
    expect(result.text).toContain('Waited for: navigation');
    expect(result.text).toContain('h1 Home');
    expect(result.text).toMatch(/e\d+ link Form/);
  });

  it('marks the snapshot as untrusted page content', async () => {
    const result = await browser.call('browser_snapshot');
    expect(result.text.startsWith('[Untrusted web content')).toBe(true);
    expect(result.structuredContent).toMatchObject({ url: `${site.url}/`, truncated: false });
  });

  it('fills a form by ref — type, select, check, submit — and reports the navigation it caused', async () => {
    await browser.call('browser_navigate', { url: `${site.url}/form` });
    const snapshot = (await browser.call('browser_snapshot')).text;
    expect(snapshot).toMatch(/e\d+ tx Name\b/);
    expect(snapshot).toMatch(/e\d+ sel Color \(\*Red,Green,Blue\)/);
    expect(snapshot).toMatch(/e\d+ chk I agree/);
    // A label that names a control is not repeated as text of its own.
    expect(snapshot).not.toMatch(/^"Name"$/m);
    const typed = await browser.call('browser_type', { ref: refOf(snapshot, /tx Name\b/), text: 'Ada' });
    expect(typed.text).toContain('Typed 3 characters into');
    expect(typed.text).toMatch(/\+ e\d+ tx Name = Ada/);
    const selected = await browser.call('browser_select_option', {
      ref: refOf(snapshot, /sel Color\b/),
      values: ['Green'],
    });
    expect(selected.text).toContain('Selected "Green"');
    await browser.call('browser_click', { ref: refOf(snapshot, /chk I agree/) });
    const sent = await browser.call('browser_click', { ref: refOf(snapshot, /button Send/) });
    expect(sent.text).toContain('Waited for: navigation');
    expect(sent.text).toContain(`Page: ${site.url}/done?name=Ada&color=g&terms=on`);
    expect(sent.text).toContain('h1 Thanks Ada');
  });

  it('goes back to the previous page', async () => {
    const result = await browser.call('browser_back');
    expect(result.text).toContain(`Page: ${site.url}/form`);
  });

  it('shows what an action revealed as a small diff, not a whole snapshot', async () => {
    await browser.call('browser_navigate', { url: `${site.url}/form` });
    const snapshot = (await browser.call('browser_snapshot')).text;
    const result = await browser.call('browser_click', { ref: refOf(snapshot, /button Show more/) });
    expect(result.text).toContain('Snapshot changes');
    expect(result.text).toContain('+ "More details"');
    expect(result.text).toMatch(/\+ e\d+ link Back home/);
    expect(result.text).not.toMatch(/tx Name\b/);
  });

  it('hovers and clicks by CSS selector', async () => {
    const result = await browser.call('browser_hover', { selector: '#hover' });
    expect(result.text).toContain('Hovered over selector "#hover"');
    expect(result.text).toContain('+ "Hovered!"');
  });

  it('presses keys in the focused element', async () => {
    const snapshot = (await browser.call('browser_snapshot')).text;
    await browser.call('browser_type', { ref: refOf(snapshot, /tx Name\b/), text: 'Grace' });
    const result = await browser.call('browser_press_key', { key: 'Enter' });
    expect(result.text).toContain(`Page: ${site.url}/done?name=Grace`);
  });

  it('keeps refs stable while role and name stay, and re-finds a stale ref by role and name', async () => {
    await browser.call('browser_navigate', { url: `${site.url}/stale` });
    const first = (await browser.call('browser_snapshot')).text;
    const target = refOf(first, /button Target/);
    // The page rebuilds the button after the click's report: the ref's element is then gone.
    await browser.call('browser_click', { ref: refOf(first, /button Rebuild later/) });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !(await browser.call('browser_console_messages')).text.includes('rebuilt'));
    const clicked = await browser.call('browser_click', { ref: target });
    expect(clicked.isError).toBeFalsy();
    expect(clicked.text).toContain(`Ref ${target} was stale`);
    expect(clicked.text).toMatch(/\+ "clicked \d+"/);
    expect(refOf((await browser.call('browser_snapshot')).text, /button Target/)).toBe(target);
  });

  it('waits for text to appear, and says in one sentence when it does not go', async () => {
    await browser.call('browser_navigate', { url: `${site.url}/later` });
    const appeared = await browser.call('browser_wait_for', { text: 'Ready now' });
    expect(appeared.text).toContain('The text "Ready now" appeared.');
    expect(appeared.text).toContain('+ "Ready now"');
    const stays = await browser.call('browser_wait_for', { text_gone: 'Ready now', timeout: 0.3 });
    expect(stays.isError).toBe(true);
    expect(stays.text).toBe(
      'The text "Ready now" did not disappear within 0.3 s; raise timeout or check browser_snapshot.',
    );
  });

  it('refuses a key name that does not exist', async () => {
    const result = await browser.call('browser_press_key', { key: 'Hyper+Nope' });
    expect(result.isError).toBe(true);
    expect(result.text).toBe('"Hyper+Nope" is not a key name; use names such as Enter, Tab, ArrowDown, a, Shift+Tab.');
  });

  it('shows one element and what it contains when given its ref', async () => {
    await browser.call('browser_navigate', { url: `${site.url}/form` });
    const whole = (await browser.call('browser_snapshot')).text;
    const part = await browser.call('browser_snapshot', { ref: refOf(whole, /e\d+ form/) });
    expect(part.text).toMatch(/^e\d+ form$/m);
    expect(part.text).toMatch(/tx Name\b/);
    expect(part.text).not.toContain('h1 Sign up');
    expect(part.text).not.toContain('Show more');
  });

  it('says in one sentence when a ref is unknown', async () => {
    const result = await browser.call('browser_click', { ref: 'e9999' });
    expect(result.isError).toBe(true);
    expect(result.text).toBe(
      'Ref e9999 is not in any snapshot of this tab; call browser_snapshot and use a ref from it.',
    );
  });

  it('refuses file:, javascript: and data: URLs and hosts the policy blocks', async () => {
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,hi',
      'view-source:http://127.0.0.1/',
      'chrome://settings',
    ]) {
      const result = await browser.call('browser_navigate', { url });
      expect(result.isError, url).toBe(true);
      expect(result.text, url).toMatch(/^Refused/);
    }
  });
});

describe('the change counter', () => {
  it('lives where a page script can neither see it nor freeze it to hide a change', async () => {
    await browser.call('browser_navigate', { url: `${site.url}/tamper` });
    const snapshot = (await browser.call('browser_snapshot')).text;
    const result = await browser.call('browser_click', { ref: refOf(snapshot, /button Reveal/) });
    expect(result.text).not.toContain('Snapshot unchanged');
    expect(result.text).toContain('- "nothing yet"');
    // No Portico global in the page's world, and the page's own fake counter is all it can read.
    expect(result.text).toContain('+ "seen: count 0"');
  });
});

describe('snapshot size', () => {
  it('keeps the snapshot of a labelled form to about 20 bytes a field: 100 fields under 2.1 KB, 200 under 4.2 KB', async () => {
    const sizes: Record<number, number> = {};
    for (const fields of [100, 200]) {
      await browser.call('browser_navigate', { url: `${site.url}/big-form?fields=${fields}` });
      const result = await browser.call('browser_snapshot');
      expect(result.structuredContent).toMatchObject({ truncated: false, refs: fields + 2 });
      sizes[fields] = Buffer.byteLength(result.text);
    }
    console.log(
      `snapshot bytes: 100 fields (200 elements with their labels) ${sizes[100]} B, 200 fields ${sizes[200]} B`,
    );
    expect(sizes[100]).toBeLessThanOrEqual(2_100);
    expect(sizes[200]).toBeLessThanOrEqual(4_200);
  });

  it('cuts a long snapshot at the reply budget and continues it by offset', async () => {
    const small = await connectBrowser(['--max-output-bytes', '2000']);
    try {
      await small.call('browser_navigate', { url: `${site.url}/big-form` });
      const first = await small.call('browser_snapshot');
      const { next } = first.structuredContent as { next: { offset: number } };
      expect(first.text).toContain(`call browser_snapshot again with offset: ${next.offset}`);
      const second = await small.call('browser_snapshot', { offset: next.offset });
      expect(second.text).toContain(`lines ${next.offset + 1}–`);
      const part = await small.call('browser_snapshot', { interactive_only: true, depth: 0 });
      expect(part.text).toMatch(/e\d+ form/);
      expect(part.text).not.toMatch(/e\d+ tx /);
    } finally {
      await small.close();
    }
  });
});

describe('frames and shadow DOM', () => {
  it('includes same-origin and cross-origin iframes in the snapshot, and acts inside them', async () => {
    await browser.call('browser_navigate', { url: `${site.url}/frames` });
    const snapshot = (await browser.call('browser_snapshot')).text;
    expect(snapshot).toMatch(/e\d+ frame "Same" http:\/\/127\.0\.0\.1:\d+\/inner\?who=same/);
    expect(snapshot).toMatch(/e\d+ frame "Other" http:\/\/localhost:\d+\/inner\?who=other/);
    expect(snapshot).toMatch(/^ "Inside the other frame"$/m);
    const result = await browser.call('browser_click', { ref: refOf(snapshot, /button Frame button other/) });
    expect(result.text).toMatch(/\+ +e\d+ button Pressed in other/);
  });

  it('includes open shadow roots in the snapshot and clicks inside them', async () => {
    await browser.call('browser_navigate', { url: `${site.url}/shadow` });
    const snapshot = (await browser.call('browser_snapshot')).text;
    expect(snapshot).toContain('"Shadow text"');
    const result = await browser.call('browser_click', { ref: refOf(snapshot, /button Shadow button/) });
    expect(result.text).toContain('+ "Shadow clicked"');
  });
});

describe('hidden text', () => {
  it('does not present text hidden from view as visible', async () => {
    await browser.call('browser_navigate', { url: `${site.url}/hidden` });
    const snapshot = (await browser.call('browser_snapshot')).text;
    expect(snapshot).toContain('"Visible words"');
    for (const words of ['Display none', 'Zero size', 'Off screen words', 'Invisible', 'Aria hidden'])
      expect(snapshot).not.toContain(words);
    expect(snapshot).toMatch(/e\d+ button Off screen button \[hidden\]/);
    const read = (await browser.call('browser_read')).text;
    expect(read).toContain('Visible words');
    for (const words of ['Display none', 'Zero size', 'Off screen', 'Invisible', 'Aria hidden'])
      expect(read).not.toContain(words);
  });
});

describe('closing', () => {
  it('closes the session’s tabs with browser_close, and the next call starts afresh', async () => {
    await browser.call('browser_tabs', { action: 'new', url: `${site.url}/` });
    const closed = await browser.call('browser_close');
    expect(closed.text).toBe('Closed the browser session.');
    const tabs = await browser.call('browser_tabs', { action: 'list' });
    expect((tabs.structuredContent as { tabs: Array<{ url: string }> }).tabs).toEqual([
      { index: 0, url: 'about:blank', title: '' },
    ]);
    expect((await browser.call('browser_navigate', { url: `${site.url}/` })).text).toContain('h1 Home');
  });
});
