import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ServerSpec } from '@portico-mcp/shared/serve';
import { connectInProcess, resultText } from '@portico-mcp/shared/testing';
import type { Era, InProcessServer } from '@portico-mcp/shared/testing';
import type { FetchConfig } from '../src/config.js';
import { createFetchSurface, fetchServer } from '../src/server.js';

// Conversions run in a worker thread, whose script only exists built: the sources run in process, the
// worker from the bundle (build the server first, as for the protocol tests).
const workerFile = new URL('../dist/conversion-worker.cjs', import.meta.url);

/** The fetch server's spec with the built conversion worker, for in-process tests of the sources. */
export const fetchInProcess: ServerSpec<FetchConfig, NonNullable<typeof fetchServer.flags>> = {
  ...fetchServer,
  create: (config, kernel) => {
    if (!existsSync(workerFile))
      throw new Error(`${fileURLToPath(workerFile)} is missing: build the fetch server first.`);
    return createFetchSurface(config, kernel, { workerFile });
  },
};

/** Connects a client to the fetch server in process. */
export function fetchConnection(argv: string[] = [], era: Era = 'legacy'): Promise<InProcessServer> {
  return connectInProcess(fetchInProcess, argv, { era });
}

/** The structured part of a fetch reply. */
export interface FetchStructure {
  url: string;
  finalUrl: string;
  kind: string;
  extraction?: string;
  title?: string;
  totalLength: number;
  startIndex: number;
  endIndex: number;
  truncated: boolean;
  next?: { start_index: number };
  fromCache: boolean;
  status: number;
}

/** A fetch reply: its text, whether it is an error, and its structure. */
export interface FetchReply {
  text: string;
  isError: boolean;
  structured: FetchStructure;
}

/** Calls the fetch tool. */
export async function callFetch(
  connection: Pick<InProcessServer, 'client'>,
  args: Record<string, unknown>,
  options?: {
    signal?: AbortSignal;
    onprogress?: (update: { progress: number; total?: number; message?: string }) => void;
  },
): Promise<FetchReply> {
  const result = await connection.client.callTool({ name: 'fetch', arguments: args }, options);
  return {
    text: resultText(result),
    isError: result.isError === true,
    structured: result.structuredContent as FetchStructure,
  };
}

/** The chunk inside a reply: after the header line "Contents of …:", exactly endIndex - startIndex characters. */
export function chunkOf({ text, structured }: FetchReply): string {
  const start = text.indexOf(':\n', text.indexOf('Contents of ')) + 2;
  return text.slice(start, start + (structured.endIndex - structured.startIndex));
}
