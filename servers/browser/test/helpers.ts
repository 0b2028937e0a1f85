import { execFileSync } from 'node:child_process';
import { connectInProcess, resultText } from '@portico-mcp/shared/testing';
import type { InProcessOptions, InProcessServer } from '@portico-mcp/shared/testing';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { browserServer } from '../src/server.js';

/** A browser server in process, with a call helper that returns the text and the whole result. */
export interface BrowserConnection {
  connection: InProcessServer;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult & { text: string }>;
  close(): Promise<void>;
}

/** Connects to a browser server built from `argv`, allowed to reach the loopback test site. */
export async function connectBrowser(argv: string[] = [], options: InProcessOptions = {}): Promise<BrowserConnection> {
  const connection = await connectInProcess(browserServer, ['--allow-hosts', '127.0.0.1,localhost', ...argv], options);
  // A client checks structured content against a tool's output schema once it has listed the tools.
  await connection.client.listTools();
  return {
    connection,
    call: async (name, args = {}) => {
      const result = await connection.client.callTool({ name, arguments: args });
      return Object.assign(result, { text: resultText(result) });
    },
    close: () => connection.close(),
  };
}

/** The ref of the first snapshot line that matches `pattern`, e.g. /button Send/. */
export function refOf(text: string, pattern: RegExp): string {
  const line = text.split('\n').find((candidate) => pattern.test(candidate));
  const ref = line === undefined ? undefined : /\b(e\d+)\b/.exec(line)?.[1];
  if (ref === undefined) throw new Error(`no ref for ${pattern} in:\n${text}`);
  return ref;
}

/** Chromium processes whose parent is `pid`. */
export function chromiumChildren(pid: number): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,comm='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 3 && Number(fields[1]) === pid && /chrom/i.test(fields[2] ?? ''))
    .map((fields) => Number(fields[0]));
}
