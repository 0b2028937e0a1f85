import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { CallToolResult } from '@modelcontextprotocol/client';

/** The two protocol eras every server serves: the 2025 handshake, and 2026-07-28. */
export const ERAS = ['legacy', 'modern'] as const;

/** One of the protocol eras. */
export type Era = (typeof ERAS)[number];

/** Options for spawning a built server. */
export interface SpawnOptions {
  /** Path of the built entry, e.g. servers/git/dist/index.js. */
  entry: string;
  args?: string[];
  /** Extra environment on top of PATH and HOME. */
  env?: Record<string, string>;
  cwd?: string;
  era?: Era;
  /** Client capabilities to advertise (roots, …). */
  capabilities?: ClientCapabilities;
  /** False to see 2026-07-28 `input_required` results instead of having the client answer them (default true). */
  autoFulfill?: boolean;
}

/** The capabilities a test client may advertise. */
export type ClientCapabilities = ConstructorParameters<typeof Client>[1] extends infer O
  ? O extends { capabilities?: infer C }
    ? C
    : never
  : never;

/** Client options for an era: 2026-07-28 must be asked for explicitly (the SDK client defaults to the 2025 handshake). */
export function clientOptions(
  era: Era,
  capabilities?: ClientCapabilities,
  autoFulfill = true,
): ConstructorParameters<typeof Client>[1] {
  return {
    versionNegotiation: { mode: era === 'modern' ? 'auto' : 'legacy' },
    ...(capabilities ? { capabilities } : {}),
    ...(autoFulfill ? {} : { inputRequired: { autoFulfill: false } }),
  };
}

/** Connects the SDK client to a server's Streamable HTTP endpoint, as a host does. */
export async function connectHttp(
  url: string,
  options: { era: Era; capabilities?: ClientCapabilities; autoFulfill?: boolean },
): Promise<Client> {
  const client = new Client(
    { name: 'portico-test', version: '0.0.0' },
    clientOptions(options.era, options.capabilities, options.autoFulfill),
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** A connected client to a spawned server. */
export interface SpawnedServer {
  client: Client;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** The negotiated protocol version. */
  protocolVersion: string | undefined;
  close(): Promise<void>;
}

/** Spawns a built server over stdio and connects the SDK client to it, as a host does. */
export async function spawnServer(options: SpawnOptions): Promise<SpawnedServer> {
  const era = options.era ?? 'legacy';
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [options.entry, ...(options.args ?? [])],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      ...options.env,
    },
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const client = new Client(
    { name: 'portico-test', version: '0.0.0' },
    clientOptions(era, options.capabilities, options.autoFulfill),
  );
  try {
    await client.connect(transport);
  } catch (error) {
    throw new Error(`could not connect to ${options.entry}: ${(error as Error).message}\nstderr:\n${stderr}`, {
      cause: error,
    });
  }
  return {
    client,
    stderr: () => stderr,
    protocolVersion: client.getNegotiatedProtocolVersion?.(),
    close: () => client.close(),
  };
}

/** The text of a tool result's text blocks, joined. */
export function resultText(result: CallToolResult | { content?: unknown }): string {
  const content = (result as CallToolResult).content ?? [];
  return content
    .filter((block): block is { type: 'text'; text: string } => block.type === 'text')
    .map((block) => block.text)
    .join('');
}
