import { Client } from '@modelcontextprotocol/client';
import type { Tool } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { prepareServer } from '../serve/run.js';
import type { PreparedServer, ServerSpec } from '../serve/run.js';
import type { FlagSpec } from '../serve/flags.js';
import type { Era, SpawnOptions } from './spawn.js';

/** Options of an in-process connection. */
export interface InProcessOptions {
  era?: Era;
  /** The environment the server's flags read (default: empty, so the host's variables never leak in). */
  env?: Record<string, string | undefined>;
  capabilities?: SpawnOptions['capabilities'];
}

/** A client connected to a server running in this process. */
export interface InProcessServer {
  client: Client;
  server: PreparedServer;
  /** Everything the server logged so far (JSON lines). */
  logs(): string;
  close(): Promise<void>;
}

/**
 * Builds a server from its spec and command line exactly as `runServer` does (same config parsing, tool
 * selection, instance factory and output guard) and connects the SDK client to it over an in-memory
 * transport: the real call path, without a process, for fast tests of tool logic.
 */
export async function connectInProcess<Config, Flags extends Readonly<Record<string, FlagSpec>>>(
  spec: ServerSpec<Config, Flags>,
  argv: readonly string[] = [],
  options: InProcessOptions = {},
): Promise<InProcessServer> {
  let logs = '';
  const prepared = await prepareServer(spec, argv, options.env ?? {}, (line) => (logs += line));
  if (prepared.kind === 'print')
    throw new Error(`the command line printed instead of serving: ${prepared.text.slice(0, 200)}`);
  const { server } = prepared;
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const handle = serveStdio(server.factory, { legacy: 'serve', transport: serverSide });
  const client = new Client(
    { name: 'portico-test', version: '0.0.0' },
    {
      versionNegotiation: { mode: options.era === 'modern' ? 'auto' : 'legacy' },
      ...(options.capabilities ? { capabilities: options.capabilities } : {}),
    },
  );
  await client.connect(clientSide);
  return {
    client,
    server,
    logs: () => logs,
    close: async () => {
      await client.close();
      await server.close('test finished', () => handle.close());
    },
  };
}

/** A server's tool list as the model pays for it. */
export interface ToolListSize {
  tools: number;
  /** name + description + input schema per tool, compact JSON: what reaches the model in every conversation. */
  modelBytes: number;
  /** The whole tools/list result as JSON (output schemas, annotations and titles included). */
  fullBytes: number;
  /** modelBytes per tool, largest first. */
  perTool: Array<{ name: string; bytes: number }>;
  /** App-only tools (`_meta.ui.visibility` without "model"): listed, but hosts keep them from the model. */
  appOnly: Array<{ name: string; bytes: number }>;
}

/** Whether a listed tool is for MCP Apps views only, which hosts do not show the model. */
function appOnlyTool(tool: Tool): boolean {
  const visibility = (tool._meta?.ui as { visibility?: unknown } | undefined)?.visibility;
  return Array.isArray(visibility) && !visibility.includes('model');
}

/** Measures a tool list as the model receives it: app-only tools are measured apart, as hosts hide them. */
export function measureTools(tools: readonly Tool[]): ToolListSize {
  const size = (tool: Tool) => ({
    name: tool.name,
    bytes: Buffer.byteLength(
      JSON.stringify({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema }),
    ),
  });
  const perTool = tools
    .filter((tool) => !appOnlyTool(tool))
    .map(size)
    .sort((a, b) => b.bytes - a.bytes);
  const appOnly = tools.filter(appOnlyTool).map(size);
  return {
    tools: perTool.length,
    appOnly,
    modelBytes: perTool.reduce((sum, tool) => sum + tool.bytes, 0),
    fullBytes: Buffer.byteLength(JSON.stringify({ tools })),
    perTool,
  };
}

/** Starts the server in process with `argv`, lists every tool (following pages) and measures the list. */
export async function measureToolList<Config, Flags extends Readonly<Record<string, FlagSpec>>>(
  spec: ServerSpec<Config, Flags>,
  argv: readonly string[] = [],
  options: InProcessOptions = {},
): Promise<ToolListSize & { names: string[] }> {
  const connection = await connectInProcess(spec, argv, options);
  try {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await connection.client.listTools(cursor === undefined ? {} : { cursor });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return { ...measureTools(tools), names: tools.filter((tool) => !appOnlyTool(tool)).map((tool) => tool.name) };
  } finally {
    await connection.close();
  }
}
