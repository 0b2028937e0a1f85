import { spawnServer, resultText, startTestHttpServer } from '@portico-mcp/shared/testing';
const web = await startTestHttpServer((req, res) => {
  if (req.url === '/robots.txt') { res.writeHead(404); return res.end(); }
  if (req.url === '/r') { res.writeHead(302, { location: '/page' }); return res.end(); }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<html><head><title>Hi there</title></head><body><nav>menu</nav><article><h1>Hi there</h1><p>${'Some words in a paragraph. '.repeat(40)}</p><p><a href="/x">rel link</a></p><table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table></article></body></html>`);
});
const s = await spawnServer({ entry: 'dist/index.js', args: ['--allow-hosts', '127.0.0.1'], era: 'modern' });
const r = await s.client.callTool({ name: 'fetch', arguments: { url: web.url + '/r', max_length: 600 } });
console.log(resultText(r)); console.log(r.structuredContent, r.isError);
const r2 = await s.client.callTool({ name: 'fetch', arguments: { url: 'http://127.0.0.2:1/' } });
console.log(resultText(r2), r2.isError);
const p = await s.client.getPrompt({ name: 'fetch', arguments: { url: web.url + '/page' } });
console.log(JSON.stringify(p).slice(0, 300));
console.log(s.stderr());
await s.close(); await web.close();
