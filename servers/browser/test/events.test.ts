import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '@portico-mcp/shared/testing';
import type { TempDir } from '@portico-mcp/shared/testing';
import { connectBrowser, refOf } from './helpers.js';
import type { BrowserConnection } from './helpers.js';
import { startSite } from './site.js';
import type { TestSite } from './site.js';

let site: TestSite;
let temp: TempDir;
let browser: BrowserConnection;

beforeAll(async () => {
  site = await startSite();
  temp = await makeTempDir('portico-browser-events-');
  browser = await connectBrowser([
    '--allow-dir',
    temp.path,
    '--output-dir',
    temp.path,
    '--caps',
    'upload,pdf,evaluate,network',
  ]);
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await temp?.cleanup();
});

describe('dialogs', () => {
  it('dismisses an alert by the default policy and says so in the click reply', async () => {
    await browser.call('browser_navigate', { url: `${site.url}/dialogs` });
    const result = await browser.call('browser_click', { selector: 'button:nth-of-type(1)' });
    expect(result.text).toContain(
      'A alert dialog said "Hello there"; it was dismissed by the --dialogs dismiss policy.',
    );
    expect(result.text).toContain('+ "alert done"');
  });

  it('dismisses a confirm by default and tells how to accept it instead', async () => {
    const result = await browser.call('browser_click', { selector: 'button:nth-of-type(2)' });
    expect(result.text).toContain(
      'A confirm dialog said "Delete it?"; it was dismissed by the --dialogs dismiss policy. To accept it instead, call browser_handle_dialog, then repeat the action.',
    );
    expect(result.text).toContain('+ "confirm false"');
  });

  it('accepts the next confirm and answers the next prompt as browser_handle_dialog asked', async () => {
    await browser.call('browser_handle_dialog', { accept: true });
    const confirmed = await browser.call('browser_click', { selector: 'button:nth-of-type(2)' });
    expect(confirmed.text).toContain('it was accepted as browser_handle_dialog asked');
    expect(confirmed.text).toContain('+ "confirm true"');
    await browser.call('browser_handle_dialog', { accept: true, prompt_text: 'Ada' });
    const prompted = await browser.call('browser_click', { selector: 'button:nth-of-type(3)' });
    expect(prompted.text).toContain('A prompt dialog said "Your name?"; it was accepted with "Ada"');
    expect(prompted.text).toContain('+ "prompt Ada"');
  });

  it('lets a page with a beforeunload prompt go when the caller navigates away', async () => {
    const result = await browser.call('browser_click', { selector: '#leave' });
    expect(result.text).toContain('A beforeunload dialog');
    expect(result.text).toContain('accepted to let the page go');
    expect(result.text).toContain(`Page: ${site.url}/`);
  });

  it('handles a dialog opened by a cross-origin iframe without hanging', async () => {
    await browser.call('browser_navigate', { url: `${site.url}/frames` });
    const snapshot = (await browser.call('browser_snapshot')).text;
    const lines = snapshot.split('\n');
    const other = lines.findIndex((line) => line.includes('frame "Other"'));
    const ref = /\b(e\d+) button Frame alert/.exec(lines.slice(other).join('\n'))![1]!;
    const result = await browser.call('browser_click', { ref });
    expect(result.text).toContain('A alert dialog said "From the frame"; it was dismissed');
    expect(result.text).toMatch(/\+ +e\d+ button Alerted/);
  });

  it('clicks a file input without hanging on the file chooser', async () => {
    await browser.call('browser_navigate', { url: `${site.url}/upload` });
    const result = await browser.call('browser_click', { selector: '#file' });
    expect(result.isError).toBeFalsy();
    expect(result.text).toContain('Clicked selector "#file".');
  });

  it('accepts dialogs when started with --dialogs accept', async () => {
    const other = await connectBrowser(['--dialogs', 'accept']);
    try {
      await other.call('browser_navigate', { url: `${site.url}/dialogs` });
      const result = await other.call('browser_click', { selector: 'button:nth-of-type(3)' });
      expect(result.text).toContain('it was accepted with "nobody" by the --dialogs accept policy');
      expect(result.text).toContain('+ "prompt nobody"');
    } finally {
      await other.close();
    }
  });
});

describe('downloads, uploads and tabs', () => {
  it('saves a download into the output directory and reports it inline', async () => {
    await browser.call('browser_navigate', { url: `${site.url}/download` });
    const snapshot = (await browser.call('browser_snapshot')).text;
    const result = await browser.call('browser_click', { ref: refOf(snapshot, /link Get the report/) });
    expect(result.isError).toBeFalsy();
    expect(result.text).toContain(`Downloaded report.csv (8 bytes) to ${join(temp.path, 'report.csv')}.`);
    expect(readFileSync(join(temp.path, 'report.csv'), 'utf8')).toBe('a,b\n1,2\n');
  });

  it('saves a download that a navigation leads to, and keeps the tab on its page', async () => {
    const result = await browser.call('browser_navigate', { url: `${site.url}/file.csv` });
    expect(result.isError).toBeFalsy();
    expect(result.text).toContain(`${site.url}/file.csv is a download; the tab stays on ${site.url}/download.`);
    expect(result.text).toContain(`Downloaded report (1).csv (8 bytes) to ${join(temp.path, 'report (1).csv')}.`);
  });

  it('uploads a file from inside the allowed directories and refuses one outside them', async () => {
    writeFileSync(join(temp.path, 'notes.txt'), 'hello');
    await browser.call('browser_navigate', { url: `${site.url}/upload` });
    const snapshot = (await browser.call('browser_snapshot')).text;
    const ref = refOf(snapshot, /button Attachment/);
    const result = await browser.call('browser_upload_file', { ref, paths: [join(temp.path, 'notes.txt')] });
    expect(result.text).toContain('Set 1 file (notes.txt)');
    expect(result.text).toContain('+ "chose notes.txt:5"');
    const outside = await browser.call('browser_upload_file', { ref, paths: ['/etc/hostname'] });
    expect(outside.isError).toBe(true);
    expect(outside.text).toMatch(/^Access denied/);
  });

  it('reports a tab a click opened, lists, selects and closes tabs', async () => {
    await browser.call('browser_navigate', { url: `${site.url}/popup` });
    const snapshot = (await browser.call('browser_snapshot')).text;
    const result = await browser.call('browser_click', { ref: refOf(snapshot, /link Open home in a new tab/) });
    expect(result.text).toMatch(/A new tab opened \(tab 1/);
    const listed = await browser.call('browser_tabs', { action: 'list' });
    expect(listed.structuredContent).toMatchObject({ current: 0 });
    expect((listed.structuredContent as { tabs: unknown[] }).tabs).toHaveLength(2);
    await browser.call('browser_tabs', { action: 'select', index: 1 });
    const inNew = await browser.call('browser_snapshot');
    expect(inNew.text).toContain('h1 Home');
    const closed = await browser.call('browser_tabs', { action: 'close', index: 1 });
    expect((closed.structuredContent as { tabs: unknown[] }).tabs).toHaveLength(1);
    const missing = await browser.call('browser_tabs', { action: 'select', index: 7 });
    expect(missing.isError).toBe(true);
  });
});

describe('slow and endless pages', () => {
  it('waits for a slow page to arrive', async () => {
    const result = await browser.call('browser_navigate', { url: `${site.url}/slow` });
    expect(result.text).toContain('h1 Finally');
  });

  it('replies on a page that never stops loading, saying what is still open', async () => {
    const result = await browser.call('browser_navigate', { url: `${site.url}/forever` });
    expect(result.isError).toBeFalsy();
    expect(result.text).toContain('h1 Loading forever');
    expect(result.text).toMatch(/network \(1 still open after 2 s\)/);
    site.release();
  });
});

describe('reading, console, screenshots and the caps', () => {
  it('reads a 2 MB article as markdown in bounded chunks that continue by offset', async () => {
    await browser.call('browser_navigate', { url: `${site.url}/article` });
    const first = await browser.call('browser_read');
    expect(first.text).toContain('# A very long article');
    const structured = first.structuredContent as { truncated: boolean; next: { offset: number }; complete: boolean };
    expect(structured.truncated).toBe(true);
    // Converted only as far as read: a long page costs what is read of it, not its whole length.
    expect(structured.complete).toBe(false);
    expect(first.text).toContain(`call browser_read again with offset: ${structured.next.offset}`);
    const second = await browser.call('browser_read', { offset: structured.next.offset });
    expect(second.text).toContain('quick brown fox');
    expect(second.text).toContain(`characters ${structured.next.offset + 1}–`);
    const short = await browser.call('browser_read', { selector: '#the-end' });
    expect(short.text).toContain('The end of the article.');
    expect(short.structuredContent).toMatchObject({ complete: true, truncated: false });
  });

  it('reads a long page to its end across the windows the page serialises, nothing skipped or repeated', async () => {
    const wide = await connectBrowser(['--max-output-bytes', '500000']);
    try {
      await wide.call('browser_navigate', { url: `${site.url}/article` });
      let text = '';
      let offset = 0;
      for (let calls = 0; calls < 20; calls++) {
        const part = await wide.call('browser_read', offset === 0 ? {} : { offset });
        const body = part.text.split('\n').slice(2).join('\n');
        text += body;
        const { next, complete, truncated } = part.structuredContent as {
          next?: { offset: number };
          complete: boolean;
          truncated: boolean;
        };
        if (!truncated) {
          expect(complete).toBe(true);
          break;
        }
        offset = next!.offset;
      }
      expect(text).toContain('The end of the article.');
      const sections = [...text.matchAll(/^## Section (\d+)$/gm)].map((match) => Number(match[1]));
      expect(sections.length).toBeGreaterThan(90);
      expect(sections).toEqual(sections.map((_, index) => index + 1));
      // Only the article is read: the page's navigation outside it is not.
      expect(text).not.toContain('[Home]');
    } finally {
      await wide.close();
    }
  });

  it('keeps console messages and page errors', async () => {
    await browser.call('browser_navigate', { url: `${site.url}/console` });
    const result = await browser.call('browser_console_messages');
    expect(result.text).toContain('[log] hello from the page');
    expect(result.text).toContain('[error] something failed');
  });

  it('takes viewport, full-page and element screenshots within the pixel bound', async () => {
    await browser.call('browser_navigate', { url: `${site.url}/article` });
    const viewport = await browser.call('browser_screenshot');
    expect(viewport.content.find((block) => block.type === 'image')).toMatchObject({ mimeType: 'image/jpeg' });
    const full = await browser.call('browser_screenshot', { full_page: true, format: 'png' });
    const { width, height, bytes } = full.structuredContent as { width: number; height: number; bytes: number };
    expect(width * height).toBeLessThanOrEqual(1_150_000);
    expect(bytes).toBeLessThanOrEqual(750_000);
    expect(full.text).toContain('scaled to');
    const element = await browser.call('browser_screenshot', { selector: 'h1' });
    expect(element.text).toContain('Screenshot of selector "h1"');
  });

  it('evaluates a function in the page with the evaluate cap', async () => {
    await browser.call('browser_navigate', { url: `${site.url}/form` });
    const result = await browser.call('browser_evaluate', { function: '() => document.title' });
    expect(result.text).toContain('"Form"');
    const withElement = await browser.call('browser_evaluate', {
      function: '(el) => el.placeholder',
      selector: '#name',
    });
    expect(withElement.text).toContain('"Your name"');
  });

  it('logs requests with bounded bodies with the network cap', async () => {
    const result = await browser.call('browser_network_requests', { filter: '/form' });
    expect(result.text).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/form 200 document/);
  });

  it('saves the page as a PDF into the output directory with the pdf cap', async () => {
    const result = await browser.call('browser_pdf_save', { filename: 'form' });
    expect(result.text).toContain(`Saved the page as ${join(temp.path, 'form.pdf')}`);
    expect(readFileSync(join(temp.path, 'form.pdf')).subarray(0, 4).toString()).toBe('%PDF');
  });
});

describe('storage state', () => {
  it('saves cookies and localStorage inside the allowed directories and loads them with --storage-state', async () => {
    await browser.call('browser_navigate', { url: `${site.url}/state` });
    const saved = await browser.call('browser_save_state', { path: join(temp.path, 'state.json') });
    expect(saved.text).toMatch(/Saved \d+ cookies and the localStorage of \d+ origins/);
    const state = JSON.parse(readFileSync(join(temp.path, 'state.json'), 'utf8')) as {
      cookies: Array<{ name: string }>;
      origins: Array<{ origin: string }>;
    };
    expect(state.cookies.map((cookie) => cookie.name)).toContain('session');
    expect(state.origins.map((origin) => origin.origin)).toContain(site.url);
    const outside = await browser.call('browser_save_state', { path: '/tmp/../etc/state.json' });
    expect(outside.isError).toBe(true);
    expect(existsSync('/etc/state.json')).toBe(false);

    const fresh = await connectBrowser(['--allow-dir', temp.path, '--storage-state', join(temp.path, 'state.json')]);
    try {
      await fresh.call('browser_navigate', { url: `${site.url}/state-check` });
      const result = await fresh.call('browser_snapshot');
      expect(result.text).toContain('"cookie session=abc123 theme dark"');
    } finally {
      await fresh.close();
    }
  });
});
