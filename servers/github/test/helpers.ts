import { connectInProcess, resultText } from '@portico-mcp/shared/testing';
import type { Era, InProcessServer } from '@portico-mcp/shared/testing';
import { githubServer } from '../src/server.js';
import type { FakeGitHub } from './fake-api/index.js';

/** A token shaped like a real one, so that a leak of it anywhere is found by a plain substring search. */
export const TEST_TOKEN = 'ghp_PorticoTestToken0123456789abcdefABCDEF';

export interface Connected {
  server: InProcessServer;
  call(
    name: string,
    args: Record<string, unknown>,
  ): Promise<{ text: string; isError: boolean; structured: Record<string, unknown> | undefined; raw: unknown }>;
  close(): Promise<void>;
}

/** The github server in process, pointed at the fake API through its own GITHUB_API_URL setting. */
export async function connect(
  fake: FakeGitHub,
  argv: string[] = [],
  options: { era?: Era; env?: Record<string, string> } = {},
): Promise<Connected> {
  const server = await connectInProcess(githubServer, argv, {
    era: options.era ?? 'legacy',
    env: { GITHUB_API_URL: fake.url, GITHUB_PERSONAL_ACCESS_TOKEN: TEST_TOKEN, ...options.env },
  });
  return {
    server,
    call: async (name, args) => {
      const result = await server.client.callTool({ name, arguments: args });
      return {
        text: resultText(result),
        isError: result.isError === true,
        structured: result.structuredContent as Record<string, unknown> | undefined,
        raw: result,
      };
    },
    close: () => server.close(),
  };
}

/** The requests of one operation the fake received. */
export function requestsOf(fake: FakeGitHub, operationId: string) {
  return fake.requests.filter((request) => request.operationId === operationId);
}
