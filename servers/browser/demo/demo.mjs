// `npm run demo` for the browser server: a small site on 127.0.0.1 (a sign-up form and a long article), opened
// to the server with --allow-hosts, then navigate, snapshot, a click that submits the form, a read of the
// article, and a navigation to the cloud metadata address that the network policy refuses.
import http from 'node:http';

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;
}

const paragraph =
  '<p>Headless browsers render the page as a person would see it, scripts included, which is why a reader built on one sees text that a plain download misses. </p>';

const PAGES = {
  '/': page(
    'Sign up',
    `<h1>Sign up</h1><form action="/thanks" method="get">
<label for="name">Name</label><input id="name" name="name" value="Ada">
<label for="plan">Plan</label><select id="plan" name="plan"><option>Free</option><option selected>Team</option></select>
<label><input type="checkbox" name="news" checked> Send me news</label>
<button id="send" type="submit">Create account</button></form>
<p><a href="/article">Read the article</a></p>`,
  ),
  '/thanks': page(
    'Welcome',
    '<h1>Welcome aboard</h1><p>Your account is ready.</p><p><a href="/article">Read the article</a></p>',
  ),
  '/article': page(
    'Why a real browser',
    `<article><h1>Why a real browser</h1>${Array.from({ length: 40 }, (_, i) => `${i % 10 === 0 ? `<h2>Part ${i / 10 + 1}</h2>` : ''}${paragraph}`).join('\n')}</article>`,
  ),
};

export const demo = {
  async setup() {
    const site = http.createServer((req, res) => {
      const body = PAGES[new URL(req.url, 'http://demo').pathname];
      if (body === undefined) {
        res.writeHead(404);
        return void res.end();
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(body);
    });
    await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
    // The demo runner has no teardown hook: an unref'd server lives exactly as long as the demo process.
    site.unref();
    const base = `http://127.0.0.1:${site.address().port}`;
    return {
      args: ['--allow-hosts', '127.0.0.1'],
      calls: [
        { name: 'browser_navigate', arguments: { url: `${base}/` } },
        { name: 'browser_snapshot', arguments: {} },
        // The demo's calls are fixed in advance, so the click names a selector rather than a snapshot ref.
        { name: 'browser_click', arguments: { selector: '#send' } },
        { name: 'browser_navigate', arguments: { url: `${base}/article` } },
        { name: 'browser_read', arguments: {} },
        { name: 'browser_navigate', arguments: { url: 'http://169.254.169.254/latest/meta-data/' } },
      ],
    };
  },
};
