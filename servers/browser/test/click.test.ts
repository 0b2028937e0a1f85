import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import puppeteer from 'puppeteer-core';
import type { Browser, Page } from 'puppeteer-core';
import { clickElement } from '../src/browser/click.js';

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await puppeteer.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  page = await browser.newPage();
  await page.setViewport({ width: 800, height: 600 });
});
afterAll(async () => {
  await browser?.close();
});

const events = () => page.evaluate(() => (window as unknown as { log: string[] }).log.join(' '));
const logger = `<script>window.log = []; for (const type of ['click', 'dblclick', 'auxclick']) document.addEventListener(type, (event) => log.push(type + ':' + (event.target.id || event.target.tagName) + ':' + event.button), true);</script>`;

describe('clicking an element', () => {
  it('scrolls an element below the fold into view and clicks its centre', async () => {
    await page.setContent(`${logger}<div style="height:3000px"></div><button id="far">Far</button>`);
    await clickElement((await page.$('#far'))!);
    expect(await events()).toBe('click:far:0');
    const top = await page.$eval('#far', (element) => element.getBoundingClientRect().top);
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThan(600);
  });

  it('clicks the first line of a link that wraps, not the gap between its lines', async () => {
    await page.setContent(
      `${logger}<p style="width:120px">Some words then <a id="wrap" href="#x">a link that wraps over lines</a> end</p>`,
    );
    await clickElement((await page.$('#wrap'))!);
    expect(await events()).toBe('click:wrap:0');
  });

  it('double-clicks and clicks with another button when asked', async () => {
    await page.setContent(`${logger}<button id="b">B</button>`);
    await clickElement((await page.$('#b'))!, { count: 2 });
    expect(await events()).toContain('dblclick:b:0');
    await page.evaluate(() => ((window as unknown as { log: string[] }).log.length = 0));
    await clickElement((await page.$('#b'))!, { button: 'middle' });
    expect(await events()).toBe('auxclick:b:1');
  });

  it('leaves an element it cannot measure to puppeteer, which says why it cannot click it', async () => {
    await page.setContent(`${logger}<button id="none" style="display:none">Hidden</button>`);
    await expect(clickElement((await page.$('#none'))!)).rejects.toThrow(/not clickable|not visible|no size/i);
    expect(await events()).toBe('');
  });

  it('clicks inside an iframe through puppeteer, which knows where the frame sits', async () => {
    await page.setContent(
      `<div style="height:200px"></div><iframe srcdoc="${logger.replace(/"/g, '&quot;')}<button id='inner'>In</button>"></iframe>`,
    );
    const frame = await (await page.$('iframe'))!.contentFrame();
    await frame.waitForSelector('#inner');
    await clickElement((await frame.$('#inner'))!);
    expect(await frame.evaluate(() => (window as unknown as { log: string[] }).log.join(' '))).toBe('click:inner:0');
  });
});
