// The pages the browser tests drive: served on 127.0.0.1 by a real HTTP server. The same server is reached
// as 127.0.0.1 and as localhost, which Chromium treats as two origins (cross-origin iframes).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startTestHttpServer } from '@portico-mcp/shared/testing';
import type { TestHttpServer } from '@portico-mcp/shared/testing';

/** The test site, with its two origins. */
export interface TestSite {
  server: TestHttpServer;
  /** http://127.0.0.1:port */
  url: string;
  /** http://localhost:port: the same server as another origin. */
  otherOrigin: string;
  /** Requests the site saw, by path (proves what reached it). */
  seen: string[];
  /** Ends responses kept open on purpose (the never-ending page), so the server can close. */
  release(): void;
  close(): Promise<void>;
}

const page = (title: string, body: string, head = '') =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title>${head}</head><body>${body}</body></html>`;

/** A form of `count` labelled fields (inputs, selects, checkboxes), like the 200-element form of the benchmarks. */
export function bigForm(count: number): string {
  const fields: string[] = [];
  for (let i = 1; i <= count; i++) {
    if (i % 10 === 0) fields.push(`<label>Option ${i} <input type="checkbox" name="c${i}"></label>`);
    else if (i % 10 === 5)
      fields.push(
        `<label for="s${i}">Choice ${i}</label><select id="s${i}" name="s${i}"><option>One</option><option>Two</option></select>`,
      );
    else fields.push(`<label for="f${i}">Field ${i}</label><input id="f${i}" name="f${i}">`);
  }
  return page(
    'Big form',
    `<h1>Registration</h1><form action="/done">${fields.join('\n')}<button type="submit">Send</button></form>`,
  );
}

/** A long article of about `bytes` bytes. */
export function article(bytes: number): string {
  const paragraph =
    '<p>The quick brown fox jumps over the lazy dog while the reporter writes a long paragraph about it, adding detail after detail so that the page grows. </p>';
  const parts = ['<article><h1>A very long article</h1>'];
  let size = 0;
  let section = 0;
  while (size < bytes) {
    if (size % 20_000 < paragraph.length) parts.push(`<h2>Section ${++section}</h2>`);
    parts.push(paragraph);
    size += paragraph.length;
  }
  parts.push('<p id="the-end">The end of the article.</p></article>');
  return page('Long article', `<nav><a href="/">Home</a></nav>${parts.join('\n')}`);
}

/** Starts the test site. */
export async function startSite(): Promise<TestSite> {
  const seen: string[] = [];
  const held: ServerResponse[] = [];
  let origin = '';
  let other = '';
  const send = (
    res: ServerResponse,
    body: string,
    type = 'text/html; charset=utf-8',
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(200, { 'content-type': type, ...headers });
    res.end(body);
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    seen.push(url.pathname);
    switch (url.pathname) {
      case '/':
        return send(
          res,
          page(
            'Home',
            '<h1>Home</h1><p>Welcome to the test site.</p><a href="/form">Form</a> <a href="/popup">Popup</a>',
          ),
        );
      case '/form':
        return send(
          res,
          page(
            'Form',
            `<h1>Sign up</h1><form action="/done" method="get">
<label for="name">Name</label><input id="name" name="name" placeholder="Your name">
<label for="color">Color</label><select id="color" name="color"><option value="r">Red</option><option value="g">Green</option><option value="b">Blue</option></select>
<label><input type="checkbox" name="terms"> I agree</label>
<button type="submit">Send</button></form>
<button id="reveal" onclick="document.getElementById('more').hidden = false">Show more</button>
<div id="more" hidden><p>More details</p><a href="/">Back home</a></div>
<div id="hover" onmouseover="this.textContent = 'Hovered!'">Hover me</div>`,
          ),
        );
      case '/done':
        return send(
          res,
          page(
            'Done',
            `<h1>Thanks ${escapeHtml(url.searchParams.get('name') ?? '')}</h1><p>Color ${escapeHtml(url.searchParams.get('color') ?? '')}, terms ${url.searchParams.get('terms') ?? 'off'}.</p>`,
          ),
        );
      case '/big-form':
        return send(res, bigForm(Number(url.searchParams.get('fields') ?? '200')));
      case '/frames':
        return send(
          res,
          page(
            'Frames',
            `<h1>Frames</h1><iframe title="Same" src="/inner?who=same"></iframe><iframe title="Other" src="${other}/inner?who=other"></iframe>`,
          ),
        );
      case '/inner':
        return send(
          res,
          page(
            'Inner',
            `<p>Inside the ${escapeHtml(url.searchParams.get('who') ?? '')} frame</p><button onclick="this.textContent = 'Pressed in ${escapeHtml(url.searchParams.get('who') ?? '')}'">Frame button ${escapeHtml(url.searchParams.get('who') ?? '')}</button><button onclick="alert('From the frame'); this.textContent = 'Alerted'">Frame alert</button>`,
          ),
        );
      case '/shadow':
        return send(
          res,
          page(
            'Shadow',
            `<h1>Shadow</h1><fancy-card></fancy-card><script>
customElements.define('fancy-card', class extends HTMLElement {
  connectedCallback() {
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = '<p>Shadow text</p><button>Shadow button</button><span id="out"></span>';
    root.querySelector('button').addEventListener('click', () => { root.getElementById('out').textContent = 'Shadow clicked'; });
  }
});</script>`,
          ),
        );
      case '/dialogs':
        return send(
          res,
          page(
            'Dialogs',
            `<button onclick="alert('Hello there'); document.getElementById('out').textContent = 'alert done'">Alert</button>
<button onclick="document.getElementById('out').textContent = 'confirm ' + confirm('Delete it?')">Confirm</button>
<button onclick="document.getElementById('out').textContent = 'prompt ' + prompt('Your name?', 'nobody')">Prompt</button>
<a href="/" id="leave">Leave</a>
<p id="out">nothing yet</p>
<script>window.addEventListener('beforeunload', (e) => { if (document.getElementById('out').textContent !== 'nothing yet') { e.preventDefault(); e.returnValue = ''; } });</script>`,
          ),
        );
      case '/download':
        return send(res, page('Download', '<a href="/file.csv">Get the report</a>'));
      case '/file.csv':
        return send(res, 'a,b\n1,2\n', 'text/csv', { 'content-disposition': 'attachment; filename="report.csv"' });
      case '/upload':
        return send(
          res,
          page(
            'Upload',
            `<label for="file">Attachment</label><input id="file" type="file" onchange="document.getElementById('out').textContent = 'chose ' + [...this.files].map(f => f.name + ':' + f.size).join(',')"><p id="out">none</p>`,
          ),
        );
      case '/article':
        return send(res, article(2_000_000));
      case '/slow':
        setTimeout(() => send(res, page('Slow', '<h1>Finally</h1>')), 1_500).unref();
        return;
      case '/forever':
        // The document arrives, but one image never finishes: the page never stops loading.
        return send(
          res,
          page(
            'Forever',
            '<h1>Loading forever</h1><img src="/hang.png" alt="never"><button onclick="fetch(\'/hang-fetch\')">Start fetch</button>',
          ),
        );
      case '/hang.png':
      case '/hang-fetch':
        res.writeHead(200, { 'content-type': 'image/png' });
        res.write('');
        held.push(res);
        return;
      case '/later':
        return send(
          res,
          page(
            'Later',
            `<p id="out">Waiting</p><script>setTimeout(() => { document.getElementById('out').textContent = 'Ready now'; }, 500);</script>`,
          ),
        );
      case '/popup':
        return send(res, page('Popup', '<a href="/" target="_blank">Open home in a new tab</a>'));
      case '/hidden':
        return send(
          res,
          page(
            'Hidden',
            `<h1>Hidden text</h1><p>Visible words</p>
<p style="display:none">Display none words</p>
<p style="position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0,0,0,0)">Zero size words</p>
<p style="position:absolute;left:-10000px;top:0">Off screen words</p>
<p style="visibility:hidden">Invisible words</p>
<div aria-hidden="true">Aria hidden words</div>
<button style="position:absolute;left:-10000px">Off screen button</button>`,
          ),
        );
      case '/console':
        return send(
          res,
          page(
            'Console',
            `<script>console.log('hello from the page'); console.error('something failed'); setTimeout(() => { throw new Error('boom'); }, 0);</script><p>Console</p>`,
          ),
        );
      case '/state':
        return send(
          res,
          page(
            'State',
            `<script>document.cookie = 'session=abc123; path=/; max-age=3600'; localStorage.setItem('theme', 'dark');</script><p>State set</p>`,
          ),
        );
      case '/state-check':
        return send(
          res,
          page(
            'State check',
            `<p id="out"></p><script>document.getElementById('out').textContent = 'cookie ' + document.cookie + ' theme ' + localStorage.getItem('theme');</script>`,
          ),
        );
      case '/tamper':
        // Freezes the change counter an earlier Portico kept in the page's own world at zero, so that a click's
        // change would read as none, and shows whether any Portico global is visible to the page.
        return send(
          res,
          page(
            'Tamper',
            `<script>Object.defineProperty(window, '__porticoMutations', { get() { return { doc: document, count: 0 }; }, set() {}, configurable: false });</script><button onclick="document.getElementById('out').textContent = 'seen: ' + Object.keys(window).filter((k) => /portico/i.test(k) && k !== '__porticoMutations').join(',') + ' count ' + window.__porticoMutations.count">Reveal</button><p id="out">nothing yet</p>`,
          ),
        );
      case '/stale':
        return send(
          res,
          page(
            'Stale',
            `<div id="box"><button onclick="document.getElementById('out').textContent = 'clicked ' + Date.now()">Target</button></div><button onclick="setTimeout(() => { const b = document.querySelector('#box'); b.innerHTML = b.innerHTML; console.log('rebuilt'); }, 1500)">Rebuild later</button><p id="out">no</p>`,
          ),
        );
      default:
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
    }
  };
  const server = await startTestHttpServer(handler);
  origin = server.url;
  other = `http://localhost:${server.port}`;
  const release = () => {
    for (const res of held.splice(0)) res.destroy();
  };
  return {
    server,
    url: origin,
    otherOrigin: other,
    seen,
    release,
    close: async () => {
      release();
      await server.close();
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
