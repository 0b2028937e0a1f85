import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { CallToolResult, Client } from '@modelcontextprotocol/client';
import { connectInProcess, resultText, spawnServer } from '@portico-mcp/shared/testing';
import type { Era, InProcessOptions, InProcessServer, SpawnedServer } from '@portico-mcp/shared/testing';
import { filesystemServer } from '../src/server.js';

const require = createRequire(import.meta.url);

/** The built Portico server. */
export const PORTICO_ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** The reference server from npm (devDependency), spawned with the same arguments for parity and escape proofs. */
export const REFERENCE_ENTRY = require.resolve('@modelcontextprotocol/server-filesystem/dist/index.js');

/** Spawns the built Portico server over stdio with the given allowed directories. */
export function spawnPortico(
  args: string[],
  options: { era?: Era; env?: Record<string, string> } = {},
): Promise<SpawnedServer> {
  return spawnServer({
    entry: PORTICO_ENTRY,
    args,
    era: options.era ?? 'legacy',
    ...(options.env ? { env: options.env } : {}),
  });
}

/** Spawns the reference server (2025 handshake only: it predates 2026-07-28). */
export function spawnReference(args: string[], options: { env?: Record<string, string> } = {}): Promise<SpawnedServer> {
  return spawnServer({ entry: REFERENCE_ENTRY, args, era: 'legacy', ...(options.env ? { env: options.env } : {}) });
}

/** The filesystem server in this process: the real config, surface, tool selection and call path, without a process. */
export async function connectFilesystem(args: string[], options: InProcessOptions = {}): Promise<InProcessServer> {
  const connection = await connectInProcess(filesystemServer, args, options);
  // A client checks structured content against a tool's output schema once it has listed the tools.
  await connection.client.listTools();
  return connection;
}

/** Calls a tool on a spawned or in-process server and returns the result with its joined text. */
export async function call(
  server: { client: Client },
  name: string,
  args: Record<string, unknown>,
): Promise<CallToolResult & { text: string }> {
  const result = await server.client.callTool({ name, arguments: args });
  return { ...result, text: resultText(result) };
}
