#!/usr/bin/env node
// `npm run demo`: starts every Portico server over stdio with the real MCP client, as a host does, lists its
// tools, makes a few calls on embedded defaults and prints what happened. Each server adds itself with a
// `demo/demo.mjs` module (see servers/*/demo); the kernel fixture always runs first.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeTempDir, openAppHost, resultText, spawnServer } from '../shared/dist/testing/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const width = 100;

/** Shows the start and the end of a long answer, where truncation notices live. */
function clip(text, max = 700) {
  const shown =
    text.length > max
      ? `${text.slice(0, max - 250)}\n… [${text.length - max} characters not shown here] …\n${text.slice(-250)}`
      : text;
  return shown
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
}

/** Every demo: the kernel fixture, then each server that has one. */
async function discoverDemos() {
  const demos = [
    {
      name: 'kernel fixture',
      entry: join(root, 'shared/dist-fixtures/kernel-server/index.js'),
      async setup() {
        return {
          args: [],
          calls: [
            { name: 'echo', arguments: { text: 'Hello from the Portico kernel' } },
            { name: 'big_output', arguments: { bytes: 250_000 } },
            { name: 'fail', arguments: { expected: true } },
          ],
        };
      },
    },
  ];
  const serversDir = join(root, 'servers');
  if (existsSync(serversDir)) {
    for (const name of readdirSync(serversDir).sort()) {
      const module = join(serversDir, name, 'demo', 'demo.mjs');
      if (!existsSync(module)) continue;
      const { demo } = await import(pathToFileURL(module).href);
      demos.push({ name: `${name} server`, entry: join(serversDir, name, 'dist', 'index.js'), ...demo });
    }
  }
  return demos;
}

let failures = 0;
for (const demo of await discoverDemos()) {
  console.log(`\n${'='.repeat(width)}\n${demo.name}\n${'='.repeat(width)}`);
  const temp = await makeTempDir('portico-demo-');
  let server;
  let teardown;
  try {
    const { args, env, calls, views = [], close } = await demo.setup(temp.path);
    // A demo that starts something of its own (a local page, a local API) hands back how to stop it.
    teardown = close;
    const started = performance.now();
    server = await spawnServer({ entry: demo.entry, args, env, era: 'modern' });
    console.log(`  started ${demo.entry.replace(root, '')} ${args.join(' ')}`);
    console.log(`  protocol ${server.protocolVersion}, ready in ${(performance.now() - started).toFixed(0)} ms`);
    const { tools } = await server.client.listTools();
    console.log(`  ${tools.length} tools: ${tools.map((tool) => tool.name).join(', ')}`);
    for (const call of calls) {
      console.log(`\n  → ${call.name} ${JSON.stringify(call.arguments)}`);
      const result = await server.client.callTool(call);
      console.log(
        `  ← ${result.isError ? 'error' : 'ok'}${result.structuredContent ? ` ${JSON.stringify(result.structuredContent).slice(0, 300)}` : ''}`,
      );
      console.log(clip(resultText(result)));
    }
    // MCP Apps views, as a host that renders them shows them: each in Chromium behind the ext-apps bridge.
    for (const view of views) {
      const host = await openAppHost({
        client: server.client,
        tool: view.tool,
        arguments: view.arguments,
        width: 900,
        height: view.height ?? 560,
      });
      try {
        await host.frame.waitForSelector(view.ready);
        for (const selector of view.clicks ?? []) await host.frame.click(selector);
        if (view.after) await host.frame.waitForSelector(view.after);
        const file = join(root, view.screenshot);
        await host.screenshot(file);
        console.log(`\n  ▣ view of ${view.tool}: screenshot saved to ${view.screenshot}`);
      } finally {
        await host.close();
      }
    }
  } catch (error) {
    failures++;
    console.error(`  demo failed: ${error.message}`);
  } finally {
    await server?.close();
    await teardown?.();
    await temp.cleanup();
  }
}
if (failures > 0) {
  console.error(`\n${failures} demo(s) failed`);
  process.exitCode = 1;
} else {
  console.log('\nDemo finished: every server answered.');
}
