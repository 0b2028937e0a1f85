import * as z from 'zod';
import { toolResult } from '@portico-mcp/shared/output';
import { defineTool } from '@portico-mcp/shared/serve';
import type { EngineRunner } from '../engine/client.js';

/** append_insight: adds a line to the memo, kept in the database itself. */
export function insightTools(engine: EngineRunner) {
  const appendInsight = defineTool({
    name: 'append_insight',
    title: 'Append insight',
    description: 'Add a business insight discovered from the data to the memo (resource memo://insights); insights are stored in the database and survive restarts.',
    inputSchema: z.object({ insight: z.string().min(1).max(10_000).describe('The insight, one or a few sentences.') }),
    outputSchema: z.object({ id: z.number().describe('Id of the stored insight.'), total: z.number().describe('Insights in the memo now.') }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    handler: async ({ insight }, { signal }) => {
      const stored = await engine.run('appendInsight', { insight }, signal);
      return toolResult(`Insight added to the memo (${stored.total} in total); read it at memo://insights.`, stored);
    },
  });
  return [appendInsight];
}
