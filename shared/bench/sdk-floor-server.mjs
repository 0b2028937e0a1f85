// The SDK's own floor for a 2026-07-28 HTTP call: a one-tool McpServer behind the SDK's createMcpHandler and
// toNodeHandler, nothing of Portico's in the path. http.bench.mjs runs it in its own process, as it runs the
// kernel fixture, so that the two differ only in what Portico adds.
import { createServer } from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { McpServer, createMcpHandler } from '@modelcontextprotocol/server';
import * as z from 'zod';

function oneToolServer() {
  const server = new McpServer({ name: 'sdk-floor', version: '0.0.0' });
  server.registerTool('echo', { inputSchema: z.object({ text: z.string() }) }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  return server;
}

const handle = toNodeHandler(createMcpHandler(oneToolServer));
const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => void handle(req, res));
server.listen(0, '127.0.0.1', () => {
  process.stderr.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}/mcp` })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
