#!/usr/bin/env node
// `npm run inspect -- <server> [arguments]`: starts a built server over stdio as a host would and prints its
// tools (name, title, annotations, input fields) and the size of its tools/list reply — the context a host
// pays for the server before any call. `kernel` names the kernel fixture.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnServer } from '../shared/dist/testing/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const [name, ...args] = process.argv.slice(2);
if (!name) {
  console.error('usage: npm run inspect -- <server|kernel> [server arguments]');
  process.exit(2);
}
const entry =
  name === 'kernel'
    ? join(root, 'shared/dist-fixtures/kernel-server/index.js')
    : join(root, 'servers', name, 'dist', 'index.js');
const server = await spawnServer({ entry, args, era: 'modern' });
try {
  const { tools } = await server.client.listTools();
  console.log(
    `${name}: ${tools.length} tools, tools/list ${JSON.stringify(tools).length} bytes, protocol ${server.protocolVersion}`,
  );
  for (const tool of tools) {
    const hints = Object.entries(tool.annotations ?? {})
      .filter(([key, value]) => key.endsWith('Hint') && value === true)
      .map(([key]) => key.replace('Hint', ''));
    const fields = Object.keys(tool.inputSchema.properties ?? {});
    console.log(`- ${tool.name} (${tool.title ?? ''}) [${hints.join(', ')}] (${fields.join(', ')})`);
  }
} finally {
  await server.close();
}
