// `npm run demo` for the fetch server: a small site on 127.0.0.1 (an article, a long report, a PDF), opened
// to the server with --allow-hosts, then a few calls that show conversion, continuation and the SSRF guard.
import http from 'node:http';
import { articleOfSize, articlePage, minimalPdf } from '../test/fixtures/pages.mjs';

export const demo = {
  async setup() {
    const pages = {
      '/article': ['text/html; charset=utf-8', articlePage()],
      '/report': ['text/html; charset=utf-8', articleOfSize(60_000)],
      '/report.pdf': [
        'application/pdf',
        minimalPdf(
          [
            ['Annual report', 'Revenue grew 12 percent'],
            ['Outlook', 'Steady'],
          ],
          'Annual report',
        ),
      ],
      '/robots.txt': ['text/plain', 'User-agent: *\nDisallow: /private\n'],
    };
    const site = http.createServer((req, res) => {
      const page = pages[new URL(req.url, 'http://demo').pathname];
      if (page === undefined) {
        res.writeHead(404);
        return void res.end();
      }
      res.writeHead(200, { 'content-type': page[0] });
      res.end(page[1]);
    });
    await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
    // The demo runner has no teardown hook: an unref'd server lives exactly as long as the demo process.
    site.unref();
    const base = `http://127.0.0.1:${site.address().port}`;
    return {
      args: ['--allow-hosts', '127.0.0.1'],
      calls: [
        { name: 'fetch', arguments: { url: `${base}/article`, max_length: 1500 } },
        { name: 'fetch', arguments: { url: `${base}/report`, start_index: 5000, max_length: 2000 } },
        { name: 'fetch', arguments: { url: `${base}/report.pdf` } },
        { name: 'fetch', arguments: { url: `${base}/private/notes` } },
        { name: 'fetch', arguments: { url: 'http://169.254.169.254/latest/meta-data/' } },
      ],
    };
  },
};
